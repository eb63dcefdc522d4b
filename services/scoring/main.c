/* main.c: unic-scoring, the maturity scoring service (port 50053): scores, gaps, compliance,
 * trends and benchmarks from the answers it reads, as the caller, from responses and catalog. */
#include "log.h"
#include "scoring.h"
#include "service.h"

int main(void)
{
    struct service svc;
    struct scoring_app app;
    int rc = 1;
    /* No tables and no Redis: every figure is computed from the answers on each call. */
    int started = service_init(&svc, "scoring", 50053, "scoring", NULL, 0);
    if (started == 0) {
        scoring_app_init(&app, &svc.cfg);
        rc = service_serve(&svc, &scoring_rpc, &app);
        scoring_app_destroy(&app);
    } else if (started > 0) {
        rc = 0; /* UNIC_MIGRATE=only: the start-up work was all */
    }
    service_destroy(&svc);
    return rc;
}
