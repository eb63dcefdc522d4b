/* cache.c: the Redis connection of one thread. hiredis 0.14 has no command timeout unless
 * redisSetTimeout is called, and a timed-out or failed command leaves the context unusable, so
 * every failure drops the connection and a new one is made after a backoff. */
#include "cache.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "instrument.h"
#include "log.h"
#include "text.h"

enum { BACKOFF_MIN_MS = 100, BACKOFF_MAX_MS = 5000 };

static void cache_drop(struct cache *c, const char *why)
{
    if (!c->down) /* once per outage, not once per retry */
        log_warn("redis %s:%d unavailable (%s); continuing uncached", c->host, c->port, why);
    c->down = true;
    if (c->ctx) {
        redisFree(c->ctx);
        c->ctx = NULL;
    }
    c->errors++;
    instrument_cache(CACHE_OUTAGE);
    c->retry_at_ms = clock_mono_ms() + c->backoff_ms;
    c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff_ms * 2;
}

/* AUTH on a new connection, with argv so the secret is never formatted into a command. */
static bool cache_login(struct cache *c)
{
    const char *argv[] = {"AUTH", c->user, c->password};
    size_t lens[] = {4, strlen(c->user), strlen(c->password)};
    int skip = c->user[0] ? 0 : 1; /* no user: AUTH password */
    const char *args[] = {argv[0], argv[1 + skip], argv[2]};
    size_t arglens[] = {lens[0], lens[1 + skip], lens[2]};
    redisReply *r = redisCommandArgv(c->ctx, 3 - skip, args, arglens);
    if (r == NULL) {
        cache_drop(c, c->ctx->errstr);
        return false;
    }
    bool ok = r->type == REDIS_REPLY_STATUS;
    char why[200];
    snprintf(why, sizeof why, "authentication refused: %.150s", r->type == REDIS_REPLY_ERROR ? r->str : "no status");
    freeReplyObject(r);
    if (!ok)
        cache_drop(c, why);
    return ok;
}

/* True when a usable connection exists, connecting if the backoff allows. */
static bool cache_ready(struct cache *c)
{
    if (c->host[0] == '\0')
        return false;
    if (c->ctx)
        return true;
    if (clock_mono_ms() < c->retry_at_ms)
        return false;
    struct timeval tv = {c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000};
    c->ctx = redisConnectWithTimeout(c->host, c->port, tv);
    if (c->ctx == NULL || c->ctx->err || redisSetTimeout(c->ctx, tv) != REDIS_OK) {
        char why[160];
        snprintf(why, sizeof why, "could not connect: %s", c->ctx ? c->ctx->errstr : "out of memory");
        cache_drop(c, why);
        return false;
    }
    if (c->password[0] && !cache_login(c))
        return false;
    if (c->down)
        log_info("redis %s:%d connected again; caching resumes", c->host, c->port);
    c->down = false;
    c->backoff_ms = BACKOFF_MIN_MS;
    return true;
}

void cache_init(struct cache *c, const char *host, int port, int timeout_ms)
{
    memset(c, 0, sizeof *c);
    strncpy(c->host, host, sizeof c->host - 1);
    c->port = port;
    c->timeout_ms = timeout_ms;
    c->backoff_ms = BACKOFF_MIN_MS;
}

void cache_auth(struct cache *c, const char *user, const char *password)
{
    snprintf(c->user, sizeof c->user, "%s", user ? user : "");
    snprintf(c->password, sizeof c->password, "%s", password ? password : "");
}

void cache_destroy(struct cache *c)
{
    if (c->ctx)
        redisFree(c->ctx);
    c->ctx = NULL;
}

bool cache_get(struct cache *c, struct arena *a, const char *key, char **val, size_t *len)
{
    if (!cache_ready(c))
        return false;
    redisReply *r = redisCommand(c->ctx, "GET %b", key, strlen(key));
    if (r == NULL) {
        cache_drop(c, c->ctx->errstr);
        return false;
    }
    bool hit = r->type == REDIS_REPLY_STRING;
    if (hit) {
        *val = arena_memdup(a, r->str, r->len);
        *len = r->len;
        c->hits++;
        instrument_cache(CACHE_HIT);
    } else {
        c->misses++;
        instrument_cache(CACHE_MISS);
    }
    freeReplyObject(r);
    return hit;
}

void cache_set(struct cache *c, const char *key, const void *val, size_t len, int ttl_seconds)
{
    if (!cache_ready(c))
        return;
    redisReply *r = redisCommand(c->ctx, "SET %b %b EX %d", key, strlen(key), val, len, ttl_seconds);
    if (r == NULL) {
        cache_drop(c, c->ctx->errstr);
        return;
    }
    freeReplyObject(r);
}
