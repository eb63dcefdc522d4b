/* main.c: unic-matching, the capacity-building matching service (port 50054).
 * Configure, migrate, open the channels to the catalog and scoring services, serve, close. */
#include "matching.h"
#include "service.h"

int main(void)
{
    struct service svc;
    struct matching_app app;
    int rc = 1;
    int started = service_init(&svc, "matching", 50054, "matching", matching_migrations,
                               matching_migrations_count);
    if (started != 0) {
        rc = started > 0 ? 0 : 1; /* 1: UNIC_MIGRATE=only, the start-up work was all */
        goto done;
    }
    matching_app_init(&app, &svc.cfg);
    rc = service_serve(&svc, &matching_rpc, &app);
    matching_app_destroy(&app);
done:
    service_destroy(&svc);
    return rc;
}
