/* notifications.c: NotificationService's handlers (webhooks.h, docs/notifications.md): a State
 * registers its own endpoint and reads its own delivery log; operators read any State's but
 * register none. The signing secret is made here, returned once, and kept for the worker; it is
 * never logged or audited. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

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
    int rc = idem_begin(c, &catalog_idem_sql, r->request_id, &kbuf, &k, e);
    if (rc != 0) /* 1: answered with the reply of the first call of this request_id */
        return rc < 0 ? -1 : 0;
    char *secret = arena_alloc(&c->arena, 2 * sizeof raw + 8);
    memcpy(secret, "whsec_", 6);
    hex_encode(secret + 6, raw, sizeof raw);
    Unic__Catalog__V1__WebhookSecret *reply =
        ARENA_MSG(&c->arena, Unic__Catalog__V1__WebhookSecret, UNIC__CATALOG__V1__WEBHOOK_SECRET__INIT);
    reply->secret = secret;
    rc = webhook_store_set(c, k, state, r->url, reply, e);
    if (rc == 0)
        *out = reply;
    return rc < 0 ? -1 : 0; /* 1: a twin that committed meanwhile answered */
}

static int get_webhook(struct call *c, const Unic__Catalog__V1__GetWebhookRequest *r, Webhook **out,
                       struct err *e)
{
    const char *state = NULL;
    if (readable_state(c, r->state_code, &state, e) < 0 ||
        webhook_store_get(c->db, &c->arena, state, out, e) < 0)
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
    Unic__Catalog__V1__Delivery **got;
    size_t rows;
    if (webhook_store_deliveries(c->db, &c->arena, state, r->event_id, *position ? strtoll(position, NULL, 10) : 0,
                                 limit + 1, &got, &rows, e) < 0)
        return -1;
    size_t n = rows > (size_t)limit ? (size_t)limit : rows;
    *out = ARENA_MSG(&c->arena, Unic__Catalog__V1__ListDeliveriesResponse,
                     UNIC__CATALOG__V1__LIST_DELIVERIES_RESPONSE__INIT);
    (*out)->deliveries = got;
    (*out)->n_deliveries = n;
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
