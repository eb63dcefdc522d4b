/* main.c: unic-catalog, the questionnaire catalog service (port 50051), with AdminService,
 * DirectoryService, PracticeService and NotificationService beside it, and the worker that
 * delivers notifications. Configure, migrate, load the reference data, serve until SIGTERM, close. */
#include "admin.h"
#include "catalog.h"
#include "directory.h"
#include "practices.h"
#include "log.h"
#include "published.h"
#include "service.h"
#include "webhooks.h"

int main(void)
{
    struct service svc;
    struct catalog_app app = {NULL};
    struct webhook_settings hooks_cfg;
    struct webhook_worker hooks = {.initialised = false};
    struct err e;
    int rc = 1;
    int started = service_init(&svc, "catalog", 50051, "catalog", catalog_migrations,
                               catalog_migrations_count);
    if (started < 0)
        goto done;
    if (webhook_settings_load(&hooks_cfg, &e) < 0) { /* the migration job stops on a bad key file too */
        log_error("%s", e.msg);
        goto done;
    }
    /* Reference data and the reminders' key are start-up work too: the migration job's
     * (UNIC_MIGRATE=only), not that of a replica whose role only checks (UNIC_MIGRATE=check). */
    if (svc.cfg.migrate != MIGRATE_CHECK) {
        if (store_states_load(&svc.db, catalog_states_tsv, catalog_zones_tsv, catalog_groups_tsv, &e) < 0) {
            log_error("could not load the UN Member States: %s", e.msg);
            goto done;
        }
        if (hooks_cfg.reminder_key[0] && service_operator_key_store(&svc, "catalog", hooks_cfg.reminder_key,
                                                                    "reminders", "UNIC_REMINDER_KEY_FILE") < 0)
            goto done;
    }
    if (started > 0) {
        rc = 0;
        goto done;
    }
    svc.also[0] = &admin_rpc;
    svc.also[1] = &directory_rpc;
    svc.also[2] = &practice_rpc;
    svc.also[3] = &notification_rpc;
    webhook_reminder_key_check(&hooks_cfg, &svc.auth, &svc.db);
    if (webhook_worker_start(&hooks, &svc.cfg, &hooks_cfg, &e) < 0) {
        log_error("%s", e.msg);
        goto done;
    }
    app.published = published_new(svc.cfg.db_url);
    rc = service_serve(&svc, &catalog_rpc, &app);
done:
    webhook_worker_stop(&hooks); /* nothing when it never started; the rest of it when half-way */
    published_free(app.published);
    service_destroy(&svc);
    return rc;
}
