/* webhooks.h: delivering the outbox (common/notify.h) to States' webhooks, the paragraph 8
 * reminders, and NotificationService (registering an endpoint, reading the delivery log).
 * docs/notifications.md.
 *
 * A delivery is a POST of the event's JSON body with
 *   X-UNIC-Event-Id: <uuid>      the event's id, also the body's "id": the same on every attempt
 *   X-UNIC-Event-Type: <kind>
 *   X-UNIC-Signature: t=<unix seconds>,v1=<lower-case hex HMAC-SHA-256, under the endpoint's
 *                     secret, of "<t>.<body>">: who sent it, and when (a receiver refuses an old t)
 * A 2xx answer delivers it; anything else, or no answer, is retried with exponential backoff
 * until 24 hours (UNIC_WEBHOOK_RETRY_SECONDS) have passed since the event, and then the event is
 * dead-lettered: kept, marked DEAD. Every attempt is logged for the State (ListDeliveries).
 * The worker is one thread of unic-catalog with its own PostgreSQL connection and curl handle, so
 * it never holds an RPC worker; replicas share the work (rows claimed with SKIP LOCKED and a
 * lease). The same thread writes the paragraph 8 reminders (60, 30 and 7 days before 31 December,
 * in each State's own time zone), once per State, year and threshold, and purges the catalog's
 * idempotency keys older than 24 hours (common/idem.h), at start-up and hourly.
 * struct webhook_worker owns its thread, connection, handle and client until webhook_worker_stop. */
#ifndef UNIC_CATALOG_WEBHOOKS_H
#define UNIC_CATALOG_WEBHOOKS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "idem.h"
#include "mem.h"
#include "rpc.h"
#include "unic/catalog/v1/notifications.pb-c.h"

extern const struct rpc_service notification_rpc;

/* ---- Pure (webhook_policy.c, tests/unit/test_webhook_policy.c) ---- */

enum { WEBHOOK_SIGNATURE_MAX = 96, WEBHOOK_URL_MAX = 500 };

/* The X-UNIC-Signature value of `body` sent at Unix time `t` under `secret`. */
void webhook_signature(const char *secret, int64_t t, const char *body, size_t body_len,
                       char out[WEBHOOK_SIGNATURE_MAX]);
/* The wait after the `attempt`-th failed attempt (1, 2, ...): base_ms doubled each time, at most
 * cap_ms. */
int64_t webhook_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms);
/* After the `attempt`-th attempt failed `age_ms` after the event was written: the wait before the
 * next, or -1 when the next would start after `window_ms` (the event is then dead-lettered). */
int64_t webhook_next_ms(int attempt, int64_t age_ms, int64_t base_ms, int64_t cap_ms, int64_t window_ms);
/* True for a URL deliveries may go to: https:// anywhere, or http:// to a loopback host
 * (127.0.0.0/8, [::1], localhost), which only a test receiver on the same machine can be. */
bool webhook_url_allowed(const char *url);
/* The paragraph 8 reminder due `days_left` days before 31 December: 60 from 60 to 31 days, 30
 * from 30 to 8, 7 from 7 to 0, and 0 (none) otherwise. A threshold is still reached on a later
 * day (the worker may have been down on the day itself), never once the next one is. */
int webhook_reminder_threshold(int days_left);

/* ---- Store (webhooks_store.c): each function one statement or one transaction ---- */

/* The endpoint of `state`; *out NULL when it has registered none. */
int webhook_store_get(struct db *db, struct arena *a, const char *state, Unic__Catalog__V1__Webhook **out,
                      struct err *e);
/* SetWebhook, one transaction: key k claimed first (common/idem.h; NULL for none), `state`'s
 * endpoint set to `url` with the secret out->secret, the audit event (which never holds the
 * secret), out->webhook as now stored, out stored under k as the reply, COMMIT. 0 when committed,
 * 1 when a twin's reply answered the call, -1 with *e set and nothing written. */
int webhook_store_set(struct call *c, const struct idem *k, const char *state, const char *url,
                      Unic__Catalog__V1__WebhookSecret *out, struct err *e);
/* Up to `limit` attempts logged for `state` (of one event unless event_id is ""), newest first,
 * older than attempt `before_id` unless it is 0. */
int webhook_store_deliveries(struct db *db, struct arena *a, const char *state, const char *event_id,
                             int64_t before_id, int limit, Unic__Catalog__V1__Delivery ***out, size_t *n,
                             struct err *e);
/* Claims up to `batch` due events for `lease_seconds` (the attempt about to be made counted):
 * rows id, event_id, state_code, kind, body, attempts, url, secret, age_ms. The caller's (PQclear);
 * NULL with *e set. */
PGresult *webhook_store_claim(struct db *db, int lease_seconds, int batch, struct err *e);
enum webhook_outcome_kind { WEBHOOK_DELIVERED, WEBHOOK_RETRY, WEBHOOK_DEAD };
struct webhook_outcome {
    const char *outbox_id, *state_code, *url, *error; /* error "" when delivered */
    int attempt;
    long http_status;
    enum webhook_outcome_kind outcome;
    int64_t retry_in_ms; /* WEBHOOK_RETRY: when the next attempt is due */
};
/* One transaction: the event delivered, retried later or dead, and the attempt in its log. */
int webhook_store_record(struct db *db, const struct webhook_outcome *o, struct err *e);
/* The States a reminder may go to (those with an endpoint), rows state_code. The caller's. */
PGresult *webhook_store_reminder_states(struct db *db, struct err *e);
/* One transaction: claims the `days`-day reminder of `state` for `year` and, when no one had,
 * writes its event (`event`, JSON) to the outbox; *written says which. */
int webhook_store_reminder(struct db *db, const char *state, const char *year, int days,
                           const char *event, bool *written, struct err *e);

/* ---- The delivery worker (webhooks.c) ---- */

struct webhook_settings {
    int poll_ms;        /* UNIC_WEBHOOK_POLL_MS: how often the outbox is read, default 1000 */
    int timeout_ms;     /* UNIC_WEBHOOK_TIMEOUT_MS: one POST, default 10000 */
    int backoff_ms;     /* UNIC_WEBHOOK_BACKOFF_MS: the first retry's wait, default 30000 */
    int backoff_max_ms; /* UNIC_WEBHOOK_BACKOFF_MAX_MS: the longest wait, default 3600000 */
    int retry_seconds;  /* UNIC_WEBHOOK_RETRY_SECONDS: then DEAD, default 86400 (24 h) */
    int reminder_ms;    /* UNIC_REMINDER_POLL_MS: how often reminders are looked for, default 600000 */
    char ca_file[512];  /* UNIC_WEBHOOK_CA_FILE: CAs to trust, "" for the system's */
    /* The first line of UNIC_REMINDER_KEY_FILE: the operator key the reminders read each State's
     * ListDue with, as UNIC reads it (the migration job stores it); "" when the variable is unset. */
    char reminder_key[256];
    char reminder_auth[300]; /* "Bearer " and reminder_key; "" turns the reminders off */
};

struct webhook_worker {
    pthread_t thread;
    bool initialised; /* by webhook_worker_start: a zeroed struct has nothing to stop */
    bool running;
    atomic_bool stop;
    pthread_mutex_t lock; /* with wake: an interruptible sleep between polls */
    pthread_cond_t wake;
    struct db db;
    void *curl;
    struct rpc_client *scoring; /* for the reminders; NULL when they are off */
    struct webhook_settings s;
    int64_t next_reminders_ms; /* monotonic */
    atomic_llong idem_purge_at_ms; /* the catalog's idempotency keys, purged from here (idem.h) */
};

/* Reads the settings from the environment (UNIC_WEBHOOK_*, UNIC_REMINDER_*); INVALID_ARGUMENT
 * naming a bad one. UNIC_REMINDER_KEY_FILE unset turns the reminders off; set, a file that is
 * missing, unreadable or without a key on its first line is INVALID_ARGUMENT naming the path. */
int webhook_settings_load(struct webhook_settings *s, struct err *e);
/* At start-up, before serving: turns the reminders off, with a warning naming the key's id, when
 * the key is not an active operator key (never stored, revoked, expired, another role's). A
 * database that cannot be asked leaves them on: each sweep asks again. */
void webhook_reminder_key_check(struct webhook_settings *s, struct auth *auth, struct db *db);
/* Connects and starts the thread (signals already blocked: SIGTERM stays the main thread's). */
int webhook_worker_start(struct webhook_worker *w, const struct config *cfg,
                         const struct webhook_settings *s, struct err *e);
/* Stops the thread (a POST in flight is aborted, and retried later with the same id) and
 * releases everything; safe after a failed start, and on a zeroed struct. */
void webhook_worker_stop(struct webhook_worker *w);

#endif
