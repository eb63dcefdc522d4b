/* config.h: a service's configuration, read once at start-up from UNIC_* environment variables.
 * A bad value stops start-up with a message naming the variable. The struct owns no heap memory. */
#ifndef UNIC_CONFIG_H
#define UNIC_CONFIG_H

#include "err.h"
#include "log.h"

struct config {
    const char *service;        /* "catalog", ...: a literal owned by the caller */
    char listen[256];           /* UNIC_LISTEN: host:port this service binds */
    char db_url[1024];          /* UNIC_DB_URL: libpq conninfo or postgresql:// URI */
    char owner_db_url[1024];    /* UNIC_OWNER_DB_URL: the owner role, for start-up; "" = db_url */
    enum config_migrate {       /* UNIC_MIGRATE: what start-up does with the schema */
        MIGRATE_APPLY,          /* apply what is missing, then serve (the default) */
        MIGRATE_CHECK,          /* only check, as a role that owns nothing, that all are applied */
        MIGRATE_ONLY,           /* apply, store the bootstrap key, and exit: a migration job */
    } migrate;
    char redis_host[256];       /* UNIC_REDIS: host:port; "off" disables the cache */
    int redis_port;
    int redis_timeout_ms;       /* UNIC_REDIS_TIMEOUT_MS */
    char redis_user[128];       /* UNIC_REDIS_USER: Redis ACL user, "" = default */
    char redis_password[256];   /* UNIC_REDIS_PASSWORD: "" = no AUTH */
    int workers;                /* UNIC_WORKERS: completion-queue threads, default:
                                   config_default_workers */
    int max_recv_bytes;         /* UNIC_MAX_RECV_BYTES, default 4 MiB; responses' 8 MiB + 64 KiB */
    int max_streams;            /* UNIC_MAX_CONCURRENT_STREAMS per connection */
    int max_metadata_bytes;     /* UNIC_MAX_METADATA_BYTES: headers of one call */
    int max_connections;        /* UNIC_MAX_CONNECTIONS: open at once (capped below RLIMIT_NOFILE) */
    int max_connections_per_peer; /* UNIC_MAX_CONNECTIONS_PER_PEER: from one IP address */
    int max_connection_idle_s;  /* UNIC_MAX_CONNECTION_IDLE_SECONDS: closed with no call for this */
    int max_connection_age_s;   /* UNIC_MAX_CONNECTION_AGE_SECONDS: closed (gracefully) after this */
    int watchdog_seconds;       /* UNIC_WATCHDOG_SECONDS: health through a fresh connection; 0 off */
    int grace_seconds;          /* UNIC_GRACE_SECONDS: shutdown grace period */
    int drain_delay_ms;         /* UNIC_DRAIN_DELAY_MS: NOT_SERVING, still serving, before the stop */
    int call_timeout_ms;        /* UNIC_CALL_TIMEOUT_MS: deadline of calls to other services */
    int statement_timeout_ms;   /* UNIC_STATEMENT_TIMEOUT_MS: most a transaction's statement runs */
    int lock_timeout_ms;        /* UNIC_LOCK_TIMEOUT_MS: most a statement waits for a row lock */
    int commit_margin_ms;       /* UNIC_COMMIT_MARGIN_MS: deadline left needed to commit */
    int auth_cache_seconds;     /* UNIC_AUTH_CACHE_SECONDS: key lookups cached, 0-60 */
    int cache_ttl_seconds;      /* UNIC_CACHE_TTL_SECONDS: Redis entries expire after this */
    char bootstrap_key[256];    /* UNIC_BOOTSTRAP_KEY, or the first line of UNIC_BOOTSTRAP_KEY_FILE */
    int quota_offers_per_hour;   /* UNIC_QUOTA_OFFERS_PER_HOUR: offers one State may create */
    int quota_requests_per_hour; /* UNIC_QUOTA_REQUESTS_PER_HOUR: requests, derived ones too */
    int quota_plans_per_hour;    /* UNIC_QUOTA_PLANS_PER_HOUR: ProposeMatches stored by a State */
    char fixed_clock[32];        /* UNIC_FIXED_CLOCK: tests only, see clock_now_ms in text.h */
    char page_token_secret[256]; /* UNIC_PAGE_TOKEN_SECRET: the deployment's key for page tokens,
                                    32+ characters, the same in every replica; "" when unset */
    char catalog_addr[256];     /* UNIC_CATALOG_ADDR */
    char responses_addr[256];   /* UNIC_RESPONSES_ADDR */
    char scoring_addr[256];     /* UNIC_SCORING_ADDR */
    char matching_addr[256];    /* UNIC_MATCHING_ADDR */
    enum log_level log_level;   /* UNIC_LOG_LEVEL: debug, info, warn, error */
    char metrics_listen[256];   /* UNIC_METRICS_LISTEN: host:port of GET /metrics; "" = off */
    int key_max_days;           /* UNIC_KEY_MAX_DAYS: longest lifetime AdminService gives a key */
    char tls_cert[512];         /* UNIC_TLS_CERT: PEM certificate chain; "" = plaintext */
    char tls_key[512];          /* UNIC_TLS_KEY: PEM private key of tls_cert */
    char tls_ca[512];           /* UNIC_TLS_CA: PEM CA of the suite: peers are verified with it */
};

/* The variable lookup, getenv in production; tests pass their own. */
typedef const char *(*config_getter)(const char *name);

/* UNIC_WORKERS when unset: the cores (at most 64), and at least 16 for the responses and scoring
 * services, whose calls wait on PostgreSQL and other services (README, "Benchmarks"). */
int config_default_workers(const char *service);
/* Fills *c with defaults overridden by the environment. Returns -1 with e->msg naming the
 * variable when a value is malformed or out of range. */
int config_load(struct config *c, const char *service, int default_port, config_getter get,
                struct err *e);

/* The parsers behind config_load, for programs with variables of their own (the gateway). Each
 * leaves *out alone when the variable is unset or empty, and returns -1 with e->msg naming it
 * when the value is malformed. config_addr checks `v` is host:port (the host may be [v6]). */
int config_int(config_getter get, const char *name, int *out, int lo, int hi, struct err *e);
int config_str(config_getter get, const char *name, char *out, size_t size, struct err *e);
int config_addr(const char *name, const char *v, struct err *e);
/* A key given in a file (UNIC_BOOTSTRAP_KEY_FILE, the catalog's UNIC_REMINDER_KEY_FILE): its
 * first line, into out (size bytes). INVALID_ARGUMENT naming `name` and the path when the file
 * is missing, cannot be read (a directory, no permission) or has no key on its first line, and
 * when the key fails config_key_check: 20+ printable ASCII characters, no spaces. */
int config_key_file(const char *name, const char *path, char *out, size_t size, struct err *e);
int config_key_check(const char *name, const char *key, struct err *e);

#endif
