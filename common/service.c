/* service.c: process start-up and shutdown common to every service, so that each main.c reads
 * like a script: configure, connect, serve, close. */
#include "service.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "audit.h"
#include "notify.h"
#include "digest.h"
#include "instrument.h"
#include "log.h"
#include "tls.h"

static const char *env_get(const char *name)
{
    return getenv(name);
}

/* In a container the database may still be starting: keep trying for a while before giving up. */
static int service_connect(struct service *s, struct err *e)
{
    for (int attempt = 0;; attempt++) {
        /* Start-up work (migrations, the bootstrap key) is the owner's; calls use UNIC_DB_URL. */
        const char *url = s->cfg.owner_db_url[0] ? s->cfg.owner_db_url : s->cfg.db_url;
        if (attempt == 0 ? db_init(&s->db, url, e) == 0 : db_ping(&s->db))
            return 0;
        if (s->db.nondurable) /* a setting, not an outage: waiting will not change it */
            return -1;
        if (attempt >= 60)
            return err_set(e, ERR_UNAVAILABLE, "database not reachable after 60 s: %s", e->msg);
        if (attempt == 0)
            log_warn("%s; retrying for up to 60 s", e->msg);
        nanosleep(&(struct timespec){1, 0}, NULL);
    }
}

/* The registry every part of the process reports to, served on UNIC_METRICS_LISTEN. */
static int service_metrics_start(struct service *s, const char *name, struct err *e)
{
    return instrument_start(name, s->cfg.metrics_listen, &s->metrics, &s->metrics_http, e);
}

/* A revoked key stays revoked (the operator meant it): serve without it; a new key in the
 * configuration is how a new one is set, deliberately. A key stored now is audited in the same
 * transaction, like every other key (unic-admin, AdminService): who holds an operator key since
 * when is in the audit log whatever made it. */
int service_operator_key_store(struct service *s, const char *name, const char *key, const char *label,
                               const char *source)
{
    struct err e;
    char id[17] = "", resource[32], action[96];
    int stored = 0;
    if (db_begin(&s->db, &e) < 0 || (stored = auth_key_store(&s->db, key, ROLE_OPERATOR, NULL, label, id, &e)) < 0)
        goto fail;
    snprintf(resource, sizeof resource, "key/%s", id);
    snprintf(action, sizeof action, "start-up (%s)", source);
    struct audit_event ev = {name, NULL, id, label, action, resource, NULL, NULL,
                             "operator-key-stored", AUDIT_ARGS(label)};
    if ((stored == 1 && audit_insert(&s->db, &ev, &e) < 0) || db_commit(&s->db, &e) < 0)
        goto fail;
    log_info("%s operator key %s is active%s", label, id, stored == 1 ? " (stored now)" : "");
    return 0;
fail:
    db_rollback(&s->db);
    if (e.code == ERR_FAILED_PRECONDITION) {
        log_warn("%s operator key %s stays revoked: %s", label, id, e.msg);
        return 0;
    }
    log_error("could not store the %s key (%s): %s", label, source, e.msg);
    return -1;
}

int service_init(struct service *s, const char *name, int default_port, const char *schema,
                 const struct migration *migrations, size_t n_migrations)
{
    struct err e;
    memset(s, 0, sizeof *s);
    rpc_block_signals();
    log_init(name, LOG_INFO);
    if (config_load(&s->cfg, name, default_port, env_get, &e) < 0) {
        log_error("bad configuration: %s", e.msg);
        return -1;
    }
    log_init(name, s->cfg.log_level);
    if (s->cfg.page_token_secret[0] == '\0' && s->cfg.migrate != MIGRATE_ONLY) {
        /* Never a known key: without one configured, this process makes its own, and its page
         * tokens are good for its own lifetime only. */
        uint8_t raw[32];
        if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
            log_error("could not generate a page token secret");
            return -1;
        }
        hex_encode(s->cfg.page_token_secret, raw, sizeof raw);
        log_warn("UNIC_PAGE_TOKEN_SECRET is not set: page tokens will not survive a restart or "
                 "work across replicas (deploy/local/up and the manifests set one)");
    }
    if (s->cfg.fixed_clock[0])
        log_warn("UNIC_FIXED_CLOCK is set: submissions are recorded and reports dated at %s, "
                 "whatever the time (a test facility)", s->cfg.fixed_clock);
    if (tls_init(&s->cfg, &e) < 0) {
        log_error("bad TLS configuration: %s", e.msg);
        return -1;
    }
    auth_init(&s->auth, s->cfg.auth_cache_seconds);
    if (service_metrics_start(s, name, &e) < 0) {
        log_error("%s", e.msg);
        return -1;
    }
    if (service_connect(s, &e) < 0) {
        log_error("%s%s", s->db.nondurable ? "refusing to serve: " : "", e.msg);
        return -1;
    }
    if (s->cfg.migrate == MIGRATE_CHECK) {
        /* A migration job did the owner's work; this role owns nothing and only reads. */
        if (db_migrations_check(&s->db, "auth", auth_migrations, auth_migrations_count, &e) < 0 ||
            db_migrations_check(&s->db, "audit", audit_migrations, audit_migrations_count, &e) < 0 ||
            db_migrations_check(&s->db, "notify", notify_migrations, notify_migrations_count, &e) < 0 ||
            db_migrations_check(&s->db, schema, migrations, n_migrations, &e) < 0) {
            log_error("%s", e.msg);
            return -1;
        }
        if (s->cfg.bootstrap_key[0])
            log_warn("UNIC_BOOTSTRAP_KEY is ignored under UNIC_MIGRATE=check: the migration job "
                     "stores it");
        return 0;
    }
    if (db_migrate(&s->db, "auth", auth_migrations, auth_migrations_count, &e) < 0 ||
        db_migrate(&s->db, "audit", audit_migrations, audit_migrations_count, &e) < 0 ||
        db_migrate(&s->db, "notify", notify_migrations, notify_migrations_count, &e) < 0 ||
        db_migrate(&s->db, schema, migrations, n_migrations, &e) < 0) {
        log_error("%s", e.msg);
        return -1;
    }
    if (s->cfg.bootstrap_key[0] &&
        service_operator_key_store(s, name, s->cfg.bootstrap_key, "bootstrap", "UNIC_BOOTSTRAP_KEY") < 0)
        return -1;
    if (s->cfg.migrate == MIGRATE_ONLY) {
        log_info("start-up work done (UNIC_MIGRATE=only): not serving");
        return 1;
    }
    return 0;
}

static bool serving(void *server)
{
    return rpc_server_serving(server);
}

int service_serve(struct service *s, const struct rpc_service *rpc, void *app)
{
    struct err e;
    struct rpc_server *server = rpc_server_new(&s->cfg, rpc, &s->auth, app, &e);
    bool added = server != NULL;
    for (size_t i = 0; added && i < sizeof s->also / sizeof s->also[0] && s->also[i]; i++)
        added = rpc_server_add(server, s->also[i], &e) == 0;
    if (!added) {
        log_error("%s", e.msg);
        rpc_server_free(server);
        return 1;
    }
    metrics_http_health(s->metrics_http, serving, server);
    int rc = rpc_server_run(server);
    metrics_http_health(s->metrics_http, NULL, NULL);
    rpc_server_free(server);
    return rc;
}

void service_destroy(struct service *s)
{
    db_destroy(&s->db);
    auth_destroy(&s->auth);
    instrument_stop(s->metrics, s->metrics_http);
    tls_shutdown();
}
