/* webhooks_store.c: the SQL of NotificationService and of the delivery worker (webhooks.h,
 * sql/ and common/sql/notify/): States' endpoints, the outbox's claims and outcomes, the delivery
 * log and the paragraph 8 reminders' claims. Each write is one function and one transaction.
 * Columns by name, parameters only, results cleared on every path. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "catalog.h"
#include "idem.h"
#include "notify.h"
#include "webhooks.h"

#define RFC3339(col) "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"

static const char SQL_SET[] =
    "INSERT INTO notify.webhooks (state_code, url, secret, updated_by) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (state_code) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret,"
    " updated_by = EXCLUDED.updated_by, updated_at = now()";
static const char SQL_GET[] =
    "SELECT state_code, url, " RFC3339("updated_at") " AS updated_at, updated_by"
    " FROM notify.webhooks WHERE state_code = $1";
static const char SQL_DELIVERIES[] =
    "SELECT d.id, o.event_id, o.kind, d.attempt, " RFC3339("d.at") " AS at, d.url, d.http_status,"
    " d.outcome, d.error, " RFC3339("o.created_at") " AS event_created_at"
    " FROM notify.deliveries d JOIN notify.outbox o ON o.id = d.outbox_id"
    " WHERE d.state_code = $1 AND ($2 = '' OR o.event_id::text = $2)"
    " AND ($3::bigint = 0 OR d.id < $3::bigint) ORDER BY d.id DESC LIMIT $4::int";
/* Claims up to $2 due events for $1 seconds; attempts counts the one about to be made. */
static const char SQL_CLAIM[] =
    "UPDATE notify.outbox o SET attempts = o.attempts + 1,"
    " next_attempt_at = now() + make_interval(secs => $1::int)"
    " FROM notify.webhooks w"
    " WHERE w.state_code = o.state_code AND o.id IN (SELECT id FROM notify.outbox"
    "   WHERE delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= now()"
    "   ORDER BY next_attempt_at, id LIMIT $2::int FOR UPDATE SKIP LOCKED)"
    " RETURNING o.id, o.event_id, o.state_code, o.kind, o.body, o.attempts, w.url, w.secret,"
    " (extract(epoch FROM now() - o.created_at) * 1000)::bigint AS age_ms";
static const char SQL_DELIVERED[] =
    "UPDATE notify.outbox SET delivered_at = now(), last_error = '' WHERE id = $1::bigint";
static const char SQL_RETRY[] =
    "UPDATE notify.outbox SET next_attempt_at = now() + make_interval(secs => $2::double precision),"
    " last_error = $3 WHERE id = $1::bigint";
static const char SQL_DEAD[] =
    "UPDATE notify.outbox SET dead_at = now(), last_error = $2 WHERE id = $1::bigint";
static const char SQL_LOG[] =
    "INSERT INTO notify.deliveries (outbox_id, state_code, attempt, url, http_status, outcome, error)"
    " VALUES ($1::bigint, $2, $3::int, $4, $5::int, $6, $7)";
/* The States a reminder may go to (those with an endpoint), and the reminder's claim: a second
 * writer, a replica or a restart, finds it taken and writes nothing. */
static const char SQL_REMINDER_STATES[] = "SELECT state_code FROM notify.webhooks ORDER BY state_code";
static const char SQL_REMINDER_CLAIM[] =
    "INSERT INTO notify.reminders (state_code, year, days) VALUES ($1, $2::int, $3::int)"
    " ON CONFLICT DO NOTHING";

/* ---- NotificationService ---- */

int webhook_store_get(struct db *db, struct arena *a, const char *state, Unic__Catalog__V1__Webhook **out,
                      struct err *e)
{
    const char *params[] = {state};
    PGresult *r = db_query(db, e, SQL_GET, 1, params);
    if (r == NULL)
        return -1;
    *out = NULL;
    if (PQntuples(r) == 1) {
        Unic__Catalog__V1__Webhook *w = ARENA_MSG(a, Unic__Catalog__V1__Webhook, UNIC__CATALOG__V1__WEBHOOK__INIT);
        w->state_code = arena_strdup(a, db_get(r, 0, "state_code"));
        w->url = arena_strdup(a, db_get(r, 0, "url"));
        w->updated_at = arena_strdup(a, db_get(r, 0, "updated_at"));
        w->updated_by = arena_strdup(a, db_get(r, 0, "updated_by"));
        *out = w;
    }
    PQclear(r);
    return 0;
}

int webhook_store_set(struct call *c, const struct idem *k, const char *state, const char *url,
                      Unic__Catalog__V1__WebhookSecret *out, struct err *e)
{
    const char *params[] = {state, url, out->secret, c->principal.label};
    int claimed = idem_tx_begin(c, k, e); /* the request_id first (common/idem.h) */
    if (claimed != 0)
        return claimed;
    bool ok = db_command(c->db, e, SQL_SET, 4, params, NULL) == 0 &&
              webhook_store_get(c->db, &c->arena, state, &out->webhook, e) == 0 &&
              audit_append(c, arena_printf(&c->arena, "webhook/%s", state), state, k ? k->request_id : NULL,
                           "webhook-set", AUDIT_ARGS(state, url), e) == 0 &&
              idem_save(c, k, &out->base, e) == 0;
    return catalog_tx_end(c->db, ok, e);
}

int webhook_store_deliveries(struct db *db, struct arena *a, const char *state, const char *event_id,
                             int64_t before_id, int limit, Unic__Catalog__V1__Delivery ***out, size_t *n,
                             struct err *e)
{
    char lim[16], before[24];
    snprintf(lim, sizeof lim, "%d", limit);
    snprintf(before, sizeof before, "%" PRId64, before_id);
    const char *params[] = {state, event_id, before, lim};
    PGresult *res = db_query(db, e, SQL_DELIVERIES, 4, params);
    if (res == NULL)
        return -1;
    *n = (size_t)PQntuples(res);
    *out = ARENA_ARRAY(a, Unic__Catalog__V1__Delivery *, *n + 1);
    for (size_t i = 0; i < *n; i++) {
        int row = (int)i;
        Unic__Catalog__V1__Delivery *d = ARENA_MSG(a, Unic__Catalog__V1__Delivery, UNIC__CATALOG__V1__DELIVERY__INIT);
        d->id = db_get_int64(res, row, "id");
        d->event_id = arena_strdup(a, db_get(res, row, "event_id"));
        d->event_type = arena_strdup(a, db_get(res, row, "kind"));
        d->attempt = db_get_int(res, row, "attempt");
        d->at = arena_strdup(a, db_get(res, row, "at"));
        d->url = arena_strdup(a, db_get(res, row, "url"));
        d->http_status = db_get_int(res, row, "http_status");
        const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value_by_name(
            &unic__catalog__v1__delivery_outcome__descriptor, db_get(res, row, "outcome"));
        d->outcome = v ? (Unic__Catalog__V1__DeliveryOutcome)v->value
                       : UNIC__CATALOG__V1__DELIVERY_OUTCOME__DELIVERY_OUTCOME_UNSPECIFIED;
        d->error = arena_strdup(a, db_get(res, row, "error"));
        d->event_created_at = arena_strdup(a, db_get(res, row, "event_created_at"));
        (*out)[i] = d;
    }
    PQclear(res);
    return 0;
}

/* ---- The delivery worker ---- */

PGresult *webhook_store_claim(struct db *db, int lease_seconds, int batch, struct err *e)
{
    char lease[16], n[16];
    snprintf(lease, sizeof lease, "%d", lease_seconds);
    snprintf(n, sizeof n, "%d", batch);
    const char *params[] = {lease, n};
    return db_query(db, e, SQL_CLAIM, 2, params);
}

int webhook_store_record(struct db *db, const struct webhook_outcome *o, struct err *e)
{
    char status[16], attempt[16], wait[32];
    snprintf(status, sizeof status, "%ld", o->http_status);
    snprintf(attempt, sizeof attempt, "%d", o->attempt);
    snprintf(wait, sizeof wait, "%.3f", (double)o->retry_in_ms / 1000.0);
    static const char *const names[] = {"DELIVERED", "RETRY", "DEAD"};
    const char *log_params[] = {o->outbox_id, o->state_code, attempt, o->url, status, names[o->outcome], o->error};
    const char *p_delivered[] = {o->outbox_id};
    const char *p_retry[] = {o->outbox_id, wait, o->error};
    const char *p_dead[] = {o->outbox_id, o->error};
    if (db_begin(db, e) < 0)
        return -1;
    int rc = o->outcome == WEBHOOK_DELIVERED ? db_command(db, e, SQL_DELIVERED, 1, p_delivered, NULL)
             : o->outcome == WEBHOOK_DEAD    ? db_command(db, e, SQL_DEAD, 2, p_dead, NULL)
                                             : db_command(db, e, SQL_RETRY, 3, p_retry, NULL);
    return catalog_tx_end(db, rc == 0 && db_command(db, e, SQL_LOG, 7, log_params, NULL) == 0, e);
}

PGresult *webhook_store_reminder_states(struct db *db, struct err *e)
{
    return db_query(db, e, SQL_REMINDER_STATES, 0, NULL);
}

int webhook_store_reminder(struct db *db, const char *state, const char *year, int days,
                           const char *event, bool *written, struct err *e)
{
    char threshold[8];
    snprintf(threshold, sizeof threshold, "%d", days);
    const char *params[] = {state, year, threshold};
    const char *states[] = {state};
    long claimed = 0;
    *written = false;
    if (db_begin(db, e) < 0)
        return -1;
    bool ok = db_command(db, e, SQL_REMINDER_CLAIM, 3, params, &claimed) == 0 &&
              (claimed == 0 || notify_event(db, states, 1, "report.reminder", event, NULL, e) == 0);
    if (catalog_tx_end(db, ok, e) < 0)
        return -1;
    *written = claimed != 0;
    return 0;
}
