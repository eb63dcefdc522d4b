/* config.c: UNIC_* environment variables, each parsed strictly: a typo must stop start-up rather
 * than run the service with a silently different value. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "size_limits.h"
#include "text.h"

int config_int(config_getter get, const char *name, int *out, int lo, int hi, struct err *e)
{
    const char *v = get(name);
    if (v == NULL || *v == '\0')
        return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end != '\0' || end == v || n < lo || n > hi)
        return err_set(e, ERR_INVALID_ARGUMENT, "%s=\"%s\": expected a whole number from %d to %d",
                       name, v, lo, hi);
    *out = (int)n;
    return 0;
}

int config_str(config_getter get, const char *name, char *out, size_t size, struct err *e)
{
    const char *v = get(name);
    if (v == NULL || *v == '\0')
        return 0;
    if (strlen(v) >= size)
        return err_set(e, ERR_INVALID_ARGUMENT, "%s: longer than %zu bytes", name, size - 1);
    memcpy(out, v, strlen(v) + 1);
    return 0;
}

/* UNIC_TLS_CERT and UNIC_TLS_KEY go together; UNIC_TLS_CA (mutual TLS between services) needs
 * them. The files are read when the server starts and again on SIGHUP (rpc_server.c). */
static int config_tls(struct config *c, config_getter get, struct err *e)
{
    if (config_str(get, "UNIC_TLS_CERT", c->tls_cert, sizeof c->tls_cert, e) < 0 ||
        config_str(get, "UNIC_TLS_KEY", c->tls_key, sizeof c->tls_key, e) < 0 ||
        config_str(get, "UNIC_TLS_CA", c->tls_ca, sizeof c->tls_ca, e) < 0)
        return -1;
    if (!c->tls_cert[0] != !c->tls_key[0])
        return err_set(e, ERR_INVALID_ARGUMENT, "UNIC_TLS_CERT and UNIC_TLS_KEY: set both or neither");
    if (c->tls_ca[0] && !c->tls_cert[0])
        return err_set(e, ERR_INVALID_ARGUMENT,
                       "UNIC_TLS_CA: needs UNIC_TLS_CERT and UNIC_TLS_KEY (the service's own certificate)");
    const char *names[] = {"UNIC_TLS_CERT", "UNIC_TLS_KEY", "UNIC_TLS_CA"};
    const char *paths[] = {c->tls_cert, c->tls_key, c->tls_ca};
    for (int i = 0; i < 3; i++)
        if (paths[i][0] && access(paths[i], R_OK) != 0)
            return err_set(e, ERR_INVALID_ARGUMENT, "%s=\"%s\": cannot read the file", names[i], paths[i]);
    return 0;
}

/* host:port with a port in range; the host may be [v6]. */
int config_addr(const char *name, const char *v, struct err *e)
{
    const char *colon = strrchr(v, ':');
    char *end;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    if (colon == NULL || colon == v || colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535)
        return err_set(e, ERR_INVALID_ARGUMENT, "%s=\"%s\": expected host:port", name, v);
    return 0;
}

int config_key_file(const char *name, const char *path, char *out, size_t size, struct err *e)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return err_set(e, ERR_INVALID_ARGUMENT, "%s=\"%s\": %s", name, path, strerror(errno));
    errno = 0;
    bool read = fgets(out, (int)size, f) != NULL;
    int read_errno = errno; /* a directory opens, then fails here with EISDIR */
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
    if (!read && read_errno != 0)
        return err_set(e, ERR_INVALID_ARGUMENT, "%s=\"%s\": %s", name, path, strerror(read_errno));
    if (out[0] == '\0')
        return err_set(e, ERR_INVALID_ARGUMENT, "%s=\"%s\": no key on its first line", name, path);
    return config_key_check(name, out, e);
}

int config_key_check(const char *name, const char *key, struct err *e)
{
    /* A short operator key would be guessable; the tool issues 43-character keys. */
    if (strlen(key) < 20)
        return err_set(e, ERR_INVALID_ARGUMENT, "%s: at least 20 characters are needed", name);
    for (const char *p = key; *p; p++)
        if (*p <= ' ' || *p > '~')
            return err_set(e, ERR_INVALID_ARGUMENT, "%s: only printable ASCII without spaces is allowed",
                           name);
    return 0;
}

static int config_bootstrap_key(struct config *c, config_getter get, struct err *e)
{
    if (config_str(get, "UNIC_BOOTSTRAP_KEY", c->bootstrap_key, sizeof c->bootstrap_key, e) < 0)
        return -1;
    if (c->bootstrap_key[0])
        return config_key_check("UNIC_BOOTSTRAP_KEY", c->bootstrap_key, e);
    const char *path = get("UNIC_BOOTSTRAP_KEY_FILE");
    if (path == NULL || *path == '\0')
        return 0;
    return config_key_file("UNIC_BOOTSTRAP_KEY_FILE", path, c->bootstrap_key, sizeof c->bootstrap_key, e);
}

int config_default_workers(const char *service)
{
    /* From bench/run --sweep (README, "Benchmarks"): the responses service's writes and the
     * scoring service's cold scorecards wait on PostgreSQL and on the responses service, and
     * served most with 16 workers on 2 cores; the catalog serves from memory, where workers
     * beyond the cores cost CPU per call for no more calls. Matching was not swept. */
    static const struct { const char *service; int at_least; } floors[] = {
        {"responses", 16},
        {"scoring", 16},
    };
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = cores > 0 ? (int)(cores < 64 ? cores : 64) : 2;
    for (size_t i = 0; i < sizeof floors / sizeof floors[0]; i++)
        if (service && strcmp(service, floors[i].service) == 0 && n < floors[i].at_least)
            n = floors[i].at_least;
    return n;
}

int config_load(struct config *c, const char *service, int default_port, config_getter get,
                struct err *e)
{
    memset(c, 0, sizeof *c);
    c->service = service;
    snprintf(c->listen, sizeof c->listen, "127.0.0.1:%d", default_port);
    snprintf(c->db_url, sizeof c->db_url, "host=127.0.0.1 port=5432 dbname=unic user=unic");
    snprintf(c->redis_host, sizeof c->redis_host, "127.0.0.1:6379");
    snprintf(c->catalog_addr, sizeof c->catalog_addr, "127.0.0.1:50051");
    snprintf(c->responses_addr, sizeof c->responses_addr, "127.0.0.1:50052");
    snprintf(c->scoring_addr, sizeof c->scoring_addr, "127.0.0.1:50053");
    snprintf(c->matching_addr, sizeof c->matching_addr, "127.0.0.1:50054");
    c->workers = config_default_workers(service);
    c->max_recv_bytes = 4 * 1024 * 1024;
    /* responses receives an exchange file of up to 8 MiB in one ImportAnswers message
     * (common/size_limits.h) */
    if (strcmp(service, "responses") == 0)
        c->max_recv_bytes = (int)UNIC_EXCHANGE_MESSAGE_BYTES;
    c->max_streams = 16;
    c->max_metadata_bytes = 2048; /* twice what the suite needs: docs/hardening.md */
    c->max_connections = 256;
    c->max_connections_per_peer = 32;
    c->max_connection_idle_s = 120;
    c->max_connection_age_s = 1800;
    c->watchdog_seconds = 5;
    c->grace_seconds = 10;
    c->call_timeout_ms = 5000;
    c->statement_timeout_ms = DB_STATEMENT_MAX_MS;
    c->lock_timeout_ms = DB_LOCK_MAX_MS;
    c->commit_margin_ms = DB_COMMIT_MARGIN_MS;
    c->quota_offers_per_hour = 100;
    c->quota_requests_per_hour = 2000; /* one DeriveRequests can file a few hundred */
    c->quota_plans_per_hour = 30;
    c->auth_cache_seconds = 30;
    c->cache_ttl_seconds = 86400;
    c->redis_timeout_ms = 200;
    c->log_level = LOG_INFO;
    c->key_max_days = 365;

    if (config_str(get, "UNIC_LISTEN", c->listen, sizeof c->listen, e) < 0 ||
        config_addr("UNIC_LISTEN", c->listen, e) < 0 ||
        config_str(get, "UNIC_DB_URL", c->db_url, sizeof c->db_url, e) < 0 ||
        config_str(get, "UNIC_OWNER_DB_URL", c->owner_db_url, sizeof c->owner_db_url, e) < 0 ||
        config_str(get, "UNIC_REDIS", c->redis_host, sizeof c->redis_host, e) < 0 ||
        config_str(get, "UNIC_REDIS_USER", c->redis_user, sizeof c->redis_user, e) < 0 ||
        config_str(get, "UNIC_REDIS_PASSWORD", c->redis_password, sizeof c->redis_password, e) < 0 ||
        config_str(get, "UNIC_CATALOG_ADDR", c->catalog_addr, sizeof c->catalog_addr, e) < 0 ||
        config_addr("UNIC_CATALOG_ADDR", c->catalog_addr, e) < 0 ||
        config_str(get, "UNIC_RESPONSES_ADDR", c->responses_addr, sizeof c->responses_addr, e) < 0 ||
        config_addr("UNIC_RESPONSES_ADDR", c->responses_addr, e) < 0 ||
        config_str(get, "UNIC_SCORING_ADDR", c->scoring_addr, sizeof c->scoring_addr, e) < 0 ||
        config_addr("UNIC_SCORING_ADDR", c->scoring_addr, e) < 0 ||
        config_str(get, "UNIC_MATCHING_ADDR", c->matching_addr, sizeof c->matching_addr, e) < 0 ||
        config_addr("UNIC_MATCHING_ADDR", c->matching_addr, e) < 0 ||
        config_int(get, "UNIC_WORKERS", &c->workers, 1, 64, e) < 0 ||
        config_int(get, "UNIC_MAX_RECV_BYTES", &c->max_recv_bytes, 1024, 64 * 1024 * 1024, e) < 0 ||
        config_int(get, "UNIC_MAX_CONCURRENT_STREAMS", &c->max_streams, 1, 1000, e) < 0 ||
        config_int(get, "UNIC_MAX_METADATA_BYTES", &c->max_metadata_bytes, 1024, 65536, e) < 0 ||
        config_int(get, "UNIC_MAX_CONNECTIONS", &c->max_connections, 1, 1000000, e) < 0 ||
        config_int(get, "UNIC_MAX_CONNECTIONS_PER_PEER", &c->max_connections_per_peer, 1, 1000000, e) < 0 ||
        config_int(get, "UNIC_MAX_CONNECTION_IDLE_SECONDS", &c->max_connection_idle_s, 1, 86400, e) < 0 ||
        config_int(get, "UNIC_MAX_CONNECTION_AGE_SECONDS", &c->max_connection_age_s, 10, 7 * 86400, e) < 0 ||
        config_int(get, "UNIC_WATCHDOG_SECONDS", &c->watchdog_seconds, 0, 3600, e) < 0 ||
        config_int(get, "UNIC_GRACE_SECONDS", &c->grace_seconds, 0, 3600, e) < 0 ||
        config_int(get, "UNIC_DRAIN_DELAY_MS", &c->drain_delay_ms, 0, 60000, e) < 0 ||
        config_int(get, "UNIC_CALL_TIMEOUT_MS", &c->call_timeout_ms, 10, 600000, e) < 0 ||
        config_int(get, "UNIC_STATEMENT_TIMEOUT_MS", &c->statement_timeout_ms, 10, 3600000, e) < 0 ||
        config_int(get, "UNIC_LOCK_TIMEOUT_MS", &c->lock_timeout_ms, 1, 3600000, e) < 0 ||
        config_int(get, "UNIC_COMMIT_MARGIN_MS", &c->commit_margin_ms, 0, 10000, e) < 0 ||
        config_int(get, "UNIC_QUOTA_OFFERS_PER_HOUR", &c->quota_offers_per_hour, 0, 1000000, e) < 0 ||
        config_int(get, "UNIC_QUOTA_REQUESTS_PER_HOUR", &c->quota_requests_per_hour, 0, 1000000, e) < 0 ||
        config_int(get, "UNIC_QUOTA_PLANS_PER_HOUR", &c->quota_plans_per_hour, 0, 1000000, e) < 0 ||
        config_int(get, "UNIC_AUTH_CACHE_SECONDS", &c->auth_cache_seconds, 0, 60, e) < 0 ||
        config_int(get, "UNIC_CACHE_TTL_SECONDS", &c->cache_ttl_seconds, 1, 30 * 86400, e) < 0 ||
        config_int(get, "UNIC_REDIS_TIMEOUT_MS", &c->redis_timeout_ms, 1, 60000, e) < 0 ||
        config_str(get, "UNIC_METRICS_LISTEN", c->metrics_listen, sizeof c->metrics_listen, e) < 0 ||
        config_int(get, "UNIC_KEY_MAX_DAYS", &c->key_max_days, 1, 3660, e) < 0 ||
        config_bootstrap_key(c, get, e) < 0 || config_tls(c, get, e) < 0 ||
        config_str(get, "UNIC_PAGE_TOKEN_SECRET", c->page_token_secret, sizeof c->page_token_secret, e) < 0 ||
        config_str(get, "UNIC_FIXED_CLOCK", c->fixed_clock, sizeof c->fixed_clock, e) < 0)
        return -1;
    if (c->fixed_clock[0] && clock_fix(c->fixed_clock) < 0)
        return err_set(e, ERR_INVALID_ARGUMENT, "UNIC_FIXED_CLOCK: \"%s\" is not a UTC time such as "
                       "2026-01-01T09:00:00Z", c->fixed_clock);
    if (strcmp(c->metrics_listen, "off") == 0)
        c->metrics_listen[0] = '\0';
    if (c->metrics_listen[0] && config_addr("UNIC_METRICS_LISTEN", c->metrics_listen, e) < 0)
        return -1;
    /* Whoever knows it can forge page tokens: as long as a generated key (openssl rand -hex 32). */
    if (c->page_token_secret[0] && strlen(c->page_token_secret) < 32)
        return err_set(e, ERR_INVALID_ARGUMENT, "UNIC_PAGE_TOKEN_SECRET: at least 32 characters are needed");

    const char *migrate = get("UNIC_MIGRATE");
    static const char *const migrate_modes[] = {"apply", "check", "only"};
    c->migrate = MIGRATE_APPLY;
    if (migrate && *migrate) {
        size_t i = 0;
        while (i < 3 && strcmp(migrate, migrate_modes[i]) != 0)
            i++;
        if (i == 3)
            return err_set(e, ERR_INVALID_ARGUMENT, "UNIC_MIGRATE=\"%.40s\": expected apply, check or only",
                           migrate);
        c->migrate = (enum config_migrate)i;
    }

    const char *level = get("UNIC_LOG_LEVEL");
    if (level && *level && log_level_parse(level, &c->log_level) < 0)
        return err_set(e, ERR_INVALID_ARGUMENT,
                       "UNIC_LOG_LEVEL=\"%s\": expected debug, info, warn or error", level);

    if (strcmp(c->redis_host, "off") == 0) {
        c->redis_host[0] = '\0';
    } else {
        if (config_addr("UNIC_REDIS", c->redis_host, e) < 0)
            return -1;
        char *colon = strrchr(c->redis_host, ':');
        c->redis_port = atoi(colon + 1);
        *colon = '\0';
    }
    return 0;
}
