/* cache.h: cache-aside get/set over Redis (hiredis 0.14). Redis only ever holds what can be
 * recomputed, so every failure here is a miss, never an error: with Redis down calls go uncached,
 * and the connection is retried with backoff until Redis is back. One struct cache per thread. */
#ifndef UNIC_CACHE_H
#define UNIC_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"

struct redisContext;

struct cache {
    struct redisContext *ctx; /* NULL while disconnected or disabled */
    char host[256];           /* "" = caching disabled */
    int port;
    int timeout_ms;
    char user[128];           /* Redis ACL user, "" = the default user */
    char password[256];       /* "" = no AUTH */
    int backoff_ms;           /* current reconnect backoff */
    int64_t retry_at_ms;      /* monotonic time before which no reconnect is tried */
    bool down;                /* a failure has been logged and no connection made since */
    uint64_t hits, misses, errors;
};

/* Never fails: an unreachable Redis is retried later. An empty host disables the cache. */
void cache_init(struct cache *c, const char *host, int port, int timeout_ms);
void cache_destroy(struct cache *c);
/* Every connection then starts with AUTH [user] password (Redis 6+ ACL users, or requirepass when
 * user is ""); a refusal counts as Redis being down. Call after cache_init. */
void cache_auth(struct cache *c, const char *user, const char *password);

/* On a hit, copies the value into the arena and returns true. */
bool cache_get(struct cache *c, struct arena *a, const char *key, char **val, size_t *len);
/* Best effort; ttl_seconds > 0. */
void cache_set(struct cache *c, const char *key, const void *val, size_t len, int ttl_seconds);

#endif
