/* main.c: unic-responses, the States' assessments service (port 50052).
 * Configure, migrate, serve until SIGTERM, close (durable commits are checked by common/db.c on
 * every connection). */
#include "log.h"
#include "responses.h"
#include "service.h"

int main(void)
{
    struct service svc;
    struct responses_app app;
    struct err e;
    int rc = 1;
    int started = service_init(&svc, "responses", 50052, "responses", responses_migrations,
                               responses_migrations_count);
    if (started != 0) {
        rc = started > 0 ? 0 : 1; /* 1: UNIC_MIGRATE=only, the start-up work was all */
        goto done;
    }
    if (responses_app_init(&app, &svc.cfg, &e) < 0)
        log_error("bad configuration: %s", e.msg);
    else
        rc = service_serve(&svc, &responses_rpc, &app);
    responses_app_destroy(&app);
done:
    service_destroy(&svc);
    return rc;
}
