/* service.h: the life of a service process, shared by the four executables: configuration,
 * database start-up (waiting for it, migrations, the bootstrap key), serving, and closing.
 * struct service owns its connection, key cache and server; service_destroy releases them. */
#ifndef UNIC_SERVICE_H
#define UNIC_SERVICE_H

#include "auth.h"
#include "config.h"
#include "db.h"
#include "metrics.h"
#include "rpc.h"

struct service {
    struct config cfg;
    struct auth auth;
    struct db db; /* start-up work only; calls use the workers' connections */
    struct metrics *metrics;           /* NULL unless UNIC_METRICS_LISTEN is set */
    struct metrics_http *metrics_http; /* serves it */
    /* Other services on the same port, NULL after the last (catalog: AdminService,
     * DirectoryService). */
    const struct rpc_service *also[4];
};

/* Blocks signals, reads the configuration, connects to PostgreSQL (waiting up to 60 s for it to
 * come up), applies the auth migrations and then the service's own, and stores the bootstrap
 * operator key if one is configured, and starts the metrics listener when UNIC_METRICS_LISTEN is
 * set. UNIC_MIGRATE changes the middle part (docs/hardening.md): `check` only verifies, as a
 * role that owns nothing, that a migration job applied everything; `only` does the start-up
 * work and returns 1, for the caller to finish its own start-up work (if any) and exit 0.
 * Returns 0 to serve, 1 when only start-up work was asked, or -1 (logged) on failure. */
int service_init(struct service *s, const char *name, int default_port, const char *schema,
                 const struct migration *migrations, size_t n_migrations);
/* Stores `key` as an operator key labelled `label`, audited as start-up work of `name` from
 * `source` (the variable that gave it), in one transaction; a key stored before is left as it is,
 * and a revoked one stays revoked (logged; not an error). Start-up work: only where the process
 * migrates (not under UNIC_MIGRATE=check, whose role may not write keys). Returns 0, or -1
 * (logged). */
int service_operator_key_store(struct service *s, const char *name, const char *key, const char *label,
                               const char *source);
/* Serves `rpc` until SIGTERM/SIGINT and drains; returns the process exit code. */
int service_serve(struct service *s, const struct rpc_service *rpc, void *app);
void service_destroy(struct service *s);

#endif
