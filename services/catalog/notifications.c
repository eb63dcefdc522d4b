/* notifications.c: NotificationService's handlers (webhooks.h, docs/notifications.md): a State
 * registers its own endpoint and reads its own delivery log; operators read any State's but
 * register none. The signing secret is made here, returned once, and kept for the worker; it is
 * never logged or audited. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "audit.h"
#include "catalog.h"
#include "digest.h"
#include "directory.h"
#include "idem.h"
#include "page_token.h"
#include "text.h"
#include "unic/catalog/v1/notifications.pb-c.h"
#include "webhooks.h"

typedef Unic__Catalog__V1__Webhook Webhook;

enum { DELIVERIES_DEFAULT = 50, DELIVERIES_MAX = 500, EVENT_ID_MAX = 36 };

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

/* The State whose notifications a call reads: a State key its own, an operator the Member State
 * it names. Decided from the key, never from the request (docs/hardening.md). */
static int readable_state(struct call *c, const char *requested, const char **out, struct err *e)
{
    if (c->principal.role == ROLE_STATE) {
        if (*requested && strcmp(requested, c->principal.state) != 0)
            return err_set(e, ERR_PERMISSION_DENIED, "could not read the notifications of %.8s: a State "
                           "reads only its own (%s)", requested, c->principal.state);
        *out = c->principal.state;
        return 0;
    }
    *out = requested;
    return catalog_check_member(c, "state_code", requested, e);
}

static int webhook_get(struct call *c, const char *state, Webhook **out, struct err *e)
{
    const char *params[] = {state};
    PGresult *r = db_query(c->db, e, SQL_GET, 1, params);
    if (r == NULL)
        return -1;
    *out = NULL;
    if (PQntuples(r) == 1) {
        Webhook *w = ARENA_MSG(&c->arena, Webhook, UNIC__CATALOG__V1__WEBHOOK__INIT);
        w->state_code = arena_strdup(&c->arena, db_get(r, 0, "state_code"));
        w->url = arena_strdup(&c->arena, db_get(r, 0, "url"));
        w->updated_at = arena_strdup(&c->arena, db_get(r, 0, "updated_at"));
        w->updated_by = arena_strdup(&c->arena, db_get(r, 0, "updated_by"));
        *out = w;
    }
    PQclear(r);
    return 0;
}

static int set_webhook(struct call *c, const Unic__Catalog__V1__SetWebhookRequest *r,
                       Unic__Catalog__V1__WebhookSecret **out, struct err *e)
{
    const char *state = c->principal.state; /* the method table admits State keys only */
    struct idem kbuf, *k = NULL;
    if (*r->state_code && strcmp(r->state_code, state) != 0)
        return err_set(e, ERR_PERMISSION_DENIED, "could not set the webhook of %.8s: a State registers "
                       "only its own (%s)", r->state_code, state);
    if (*r->url == '\0')
        return err_field(e, "url", "is required: the https:// address events are posted to");
    if (!webhook_url_allowed(r->url))
        return err_field(e, "url", "must be an https:// address of at most %d bytes (http:// only to a "
                         "loopback address, for tests): deliveries are signed, and never sent in clear",
                         WEBHOOK_URL_MAX);
    uint8_t raw[32];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return err_set(e, ERR_INTERNAL, "could not generate a webhook secret");
    int answered = idem_open(c, &catalog_idem_sql, r->request_id, &kbuf, &k, e);
    if (answered != 0) /* 1: answered with the reply of the first call of this request_id */
        return answered < 0 ? -1 : 0;
    char *secret = arena_alloc(&c->arena, 2 * sizeof raw + 8);
    memcpy(secret, "whsec_", 6);
    hex_encode(secret + 6, raw, sizeof raw);
    *out = ARENA_MSG(&c->arena, Unic__Catalog__V1__WebhookSecret, UNIC__CATALOG__V1__WEBHOOK_SECRET__INIT);
    (*out)->secret = secret;
    const char *params[] = {state, r->url, secret, c->principal.label};
    bool ok = db_command(c->db, e, SQL_SET, 4, params, NULL) == 0 &&
              webhook_get(c, state, &(*out)->webhook, e) == 0 &&
              audit_append(c, arena_printf(&c->arena, "webhook/%s", state), state, r->request_id, e,
                           "set the webhook of %s to %s, with a new secret", state, r->url) == 0 &&
              idem_save(c, k, &(*out)->base, e) == 0;
    if (catalog_tx_end(c->db, ok, e) == 0)
        return 0;
    *out = NULL;
    return -1;
}

static int get_webhook(struct call *c, const Unic__Catalog__V1__GetWebhookRequest *r, Webhook **out,
                       struct err *e)
{
    const char *state = NULL;
    if (readable_state(c, r->state_code, &state, e) < 0 || webhook_get(c, state, out, e) < 0)
        return -1;
    if (*out == NULL)
        return err_set(e, ERR_NOT_FOUND, "could not find the webhook of %s: none is registered (SetWebhook)",
                       state);
    return 0;
}

static int list_deliveries(struct call *c, const Unic__Catalog__V1__ListDeliveriesRequest *r,
                           Unic__Catalog__V1__ListDeliveriesResponse **out, struct err *e)
{
    const char *state = NULL, *position = "";
    if (readable_state(c, r->state_code, &state, e) < 0)
        return -1;
    if (strlen(r->event_id) > EVENT_ID_MAX || !text_valid(r->event_id, false, NULL))
        return err_field(e, "event_id", "must be an event's id (X-UNIC-Event-Id) or \"\"");
    if (r->page_size < 0 || r->page_size > DELIVERIES_MAX)
        return err_field(e, "page_size", "must be 0 (%d) or 1 to %d, got %d", DELIVERIES_DEFAULT,
                         DELIVERIES_MAX, r->page_size);
    int limit = r->page_size ? r->page_size : DELIVERIES_DEFAULT;
    const char *filter = arena_printf(&c->arena, "state=%s;event=%s", state, r->event_id);
    if (page_token_position(c, filter, r->page_token, &position, e) < 0)
        return -1;
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit + 1);
    const char *params[] = {state, r->event_id, *position ? position : "0", lim};
    PGresult *res = db_query(c->db, e, SQL_DELIVERIES, 4, params);
    if (res == NULL)
        return -1;
    size_t rows = (size_t)PQntuples(res), n = rows > (size_t)limit ? (size_t)limit : rows;
    *out = ARENA_MSG(&c->arena, Unic__Catalog__V1__ListDeliveriesResponse,
                     UNIC__CATALOG__V1__LIST_DELIVERIES_RESPONSE__INIT);
    (*out)->deliveries = ARENA_ARRAY(&c->arena, Unic__Catalog__V1__Delivery *, n + 1);
    for (size_t i = 0; i < n; i++) {
        int row = (int)i;
        Unic__Catalog__V1__Delivery *d = ARENA_MSG(&c->arena, Unic__Catalog__V1__Delivery,
                                                   UNIC__CATALOG__V1__DELIVERY__INIT);
        d->id = db_get_int64(res, row, "id");
        d->event_id = arena_strdup(&c->arena, db_get(res, row, "event_id"));
        d->event_type = arena_strdup(&c->arena, db_get(res, row, "kind"));
        d->attempt = db_get_int(res, row, "attempt");
        d->at = arena_strdup(&c->arena, db_get(res, row, "at"));
        d->url = arena_strdup(&c->arena, db_get(res, row, "url"));
        d->http_status = db_get_int(res, row, "http_status");
        const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value_by_name(
            &unic__catalog__v1__delivery_outcome__descriptor, db_get(res, row, "outcome"));
        d->outcome = v ? (Unic__Catalog__V1__DeliveryOutcome)v->value
                       : UNIC__CATALOG__V1__DELIVERY_OUTCOME__DELIVERY_OUTCOME_UNSPECIFIED;
        d->error = arena_strdup(&c->arena, db_get(res, row, "error"));
        d->event_created_at = arena_strdup(&c->arena, db_get(res, row, "event_created_at"));
        (*out)->deliveries[(*out)->n_deliveries++] = d;
    }
    PQclear(res);
    if (rows > n)
        (*out)->next_page_token =
            page_token_next(c, filter, arena_printf(&c->arena, "%" PRId64, (*out)->deliveries[n - 1]->id));
    return 0;
}

RPC_HANDLER(set_webhook, Unic__Catalog__V1__SetWebhookRequest, Unic__Catalog__V1__WebhookSecret);
RPC_HANDLER(get_webhook, Unic__Catalog__V1__GetWebhookRequest, Webhook);
RPC_HANDLER(list_deliveries, Unic__Catalog__V1__ListDeliveriesRequest, Unic__Catalog__V1__ListDeliveriesResponse);

static const struct rpc_method methods[] = {
    RPC_ROW("SetWebhook", set_webhook, RPC_STATE, RPC_WRITES),                 /* its own State */
    RPC_ROW("GetWebhook", get_webhook, RPC_OPERATOR | RPC_STATE, RPC_READS),   /* a State: its own */
    RPC_ROW("ListDeliveries", list_deliveries, RPC_OPERATOR | RPC_STATE, RPC_READS),
};

const struct rpc_service notification_rpc = {
    &unic__catalog__v1__notification_service__descriptor, methods, sizeof methods / sizeof methods[0],
};
