/* webhooks.c: the delivery worker of the outbox (webhooks.h, docs/notifications.md). It claims
 * due events with a lease (so a crash between the POST and its record only means a repeat with
 * the same event id, which receivers drop), posts each with libcurl, and records the outcome and
 * the attempt in one transaction. Its SQL is in webhooks_store.c. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "auth.h"
#include "catalog.h"
#include "idem.h"
#include "log.h"
#include "mem.h"
#include "notify.h"
#include "text.h"
#include "tz.h"
#include "unic/scoring/v1/scoring.pb-c.h"
#include "webhooks.h"

enum { CLAIM_BATCH = 16, LEASE_MARGIN_SECONDS = 60 };

static const char *env(const char *name)
{
    return getenv(name);
}

int webhook_settings_load(struct webhook_settings *s, struct err *e)
{
    config_getter get = env;
    *s = (struct webhook_settings){.poll_ms = 1000, .timeout_ms = 10000, .backoff_ms = 30000,
                                   .backoff_max_ms = 3600000, .retry_seconds = 86400,
                                   .reminder_ms = 600000, .ca_file = "", .reminder_key = "",
                                   .reminder_auth = ""};
    char key_file[512] = "";
    if (config_str(get, "UNIC_REMINDER_KEY_FILE", key_file, sizeof key_file, e) < 0)
        return -1;
    /* Set, the file must give a key: a path that is wrong, a file uid 10001 may not read or an
     * empty one is a mistake to stop on, not a reason to run without reminders. Unset: off. */
    if (key_file[0]) {
        struct err why;
        if (config_key_file("UNIC_REMINDER_KEY_FILE", key_file, s->reminder_key, sizeof s->reminder_key, &why) < 0)
            return err_set(e, ERR_INVALID_ARGUMENT, "%s (unset UNIC_REMINDER_KEY_FILE to run without reminders)",
                           why.msg);
        snprintf(s->reminder_auth, sizeof s->reminder_auth, "Bearer %s", s->reminder_key);
    }
    return config_int(get, "UNIC_WEBHOOK_POLL_MS", &s->poll_ms, 10, 600000, e) < 0 ||
                   config_int(get, "UNIC_WEBHOOK_TIMEOUT_MS", &s->timeout_ms, 100, 120000, e) < 0 ||
                   config_int(get, "UNIC_WEBHOOK_BACKOFF_MS", &s->backoff_ms, 10, 3600000, e) < 0 ||
                   config_int(get, "UNIC_WEBHOOK_BACKOFF_MAX_MS", &s->backoff_max_ms, 10, 86400000, e) < 0 ||
                   config_int(get, "UNIC_WEBHOOK_RETRY_SECONDS", &s->retry_seconds, 1, 7 * 86400, e) < 0 ||
                   config_int(get, "UNIC_REMINDER_POLL_MS", &s->reminder_ms, 10, 86400000, e) < 0 ||
                   config_str(get, "UNIC_WEBHOOK_CA_FILE", s->ca_file, sizeof s->ca_file, e) < 0
               ? -1
               : 0;
}

/* One attempt: its HTTP status (0: none) and the error in words ("" when delivered). */
struct attempt {
    long status;
    char error[256];
};

static size_t discard(char *ptr, size_t size, size_t n, void *arg)
{
    (void)ptr;
    (void)arg;
    return size * n; /* the receiver's answer body is not kept: its status says it all */
}

/* Aborts a POST in flight once the worker is asked to stop (curl calls it about once a second,
 * and on every transfer of data). */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const struct webhook_worker *w = arg;
    return atomic_load(&w->stop) ? 1 : 0;
}

static void post(struct webhook_worker *w, const char *url, const char *secret, const char *event_id,
                 const char *kind, const char *body, struct attempt *out)
{
    out->status = 0;
    out->error[0] = '\0';
    if (!webhook_url_allowed(url)) { /* registered under an older rule: never sent in clear */
        snprintf(out->error, sizeof out->error, "the endpoint's URL is not allowed: https only, or http to loopback");
        return;
    }
    CURL *curl = w->curl;
    char sig[WEBHOOK_SIGNATURE_MAX], h_sig[160], h_id[96], h_kind[160];
    webhook_signature(secret, clock_wall_ms() / 1000, body, strlen(body), sig);
    snprintf(h_sig, sizeof h_sig, "X-UNIC-Signature: %s", sig);
    snprintf(h_id, sizeof h_id, "X-UNIC-Event-Id: %s", event_id);
    snprintf(h_kind, sizeof h_kind, "X-UNIC-Event-Type: %.120s", kind);
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, h_sig);
    headers = curl_slist_append(headers, h_id);
    headers = curl_slist_append(headers, h_kind);
    headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect is a failure, never followed */
    curl_easy_setopt(curl, CURLOPT_PROXY, "");          /* never through a proxy from the environment */
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)w->s.timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "unic-catalog-webhooks/1");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, w);
    if (w->s.ca_file[0])
        curl_easy_setopt(curl, CURLOPT_CAINFO, w->s.ca_file);
    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) {
        snprintf(out->error, sizeof out->error, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
        if (out->status < 200 || out->status > 299)
            snprintf(out->error, sizeof out->error, "the endpoint answered HTTP %ld", out->status);
    }
    curl_slist_free_all(headers);
}

/* Records one attempt of row `row` of the claim `r`: delivered, retried later, or dead. */
static void record(struct webhook_worker *w, const PGresult *r, int row, const struct attempt *a)
{
    struct err e;
    int attempts = db_get_int(r, row, "attempts");
    int64_t next = webhook_next_ms(attempts, db_get_int64(r, row, "age_ms"), w->s.backoff_ms,
                                   w->s.backoff_max_ms, (int64_t)w->s.retry_seconds * 1000);
    struct webhook_outcome o = {
        db_get(r, row, "id"), db_get(r, row, "state_code"), db_get(r, row, "url"), a->error, attempts, a->status,
        a->error[0] == '\0' ? WEBHOOK_DELIVERED : next < 0 ? WEBHOOK_DEAD : WEBHOOK_RETRY, next};
    if (webhook_store_record(&w->db, &o, &e) < 0) {
        /* The lease runs out and the event is posted again, with the same id. */
        log_warn("could not record the delivery of webhook event %s: %s", db_get(r, row, "event_id"), e.msg);
        return;
    }
    if (o.outcome == WEBHOOK_DEAD)
        log_warn("webhook event %s of %s dead-lettered after %d attempts: %s", db_get(r, row, "event_id"),
                 db_get(r, row, "state_code"), attempts, a->error);
}

/* Claims and delivers one batch; the number of events tried. */
static int deliver_batch(struct webhook_worker *w)
{
    struct err e;
    PGresult *r = webhook_store_claim(&w->db, LEASE_MARGIN_SECONDS + w->s.timeout_ms / 1000, CLAIM_BATCH, &e);
    if (r == NULL) {
        log_warn("could not read the webhook outbox: %s", e.msg);
        return 0;
    }
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        struct attempt a;
        post(w, db_get(r, i, "url"), db_get(r, i, "secret"), db_get(r, i, "event_id"),
             db_get(r, i, "kind"), db_get(r, i, "body"), &a);
        record(w, r, i, &a);
    }
    PQclear(r);
    return n;
}

/* ---- Paragraph 8 reminders (docs/notifications.md) ---- */

/* Writes State `state`'s reminder if one is due: its calendar is read as UNIC reads it (ListDue,
 * in the State's own zone, on the scoring service's clock), and the claim and the event are one
 * transaction. */
static void remind_state(struct webhook_worker *w, const char *state)
{
    struct arena a;
    struct err e = {0};
    arena_init(&a);
    Unic__Scoring__V1__ListDueRequest req = UNIC__SCORING__V1__LIST_DUE_REQUEST__INIT;
    req.state_code = (char *)state;
    ProtobufCMessage *reply = NULL;
    struct rpc_caller as = {w->s.reminder_auth, 0, NULL};
    if (rpc_call(w->scoring, as, &unic__scoring__v1__scoring_service__descriptor, "ListDue", &req.base, &a,
                 &reply, &e) < 0) {
        log_warn("could not read what is due for %s, for its reminders: %s", state, e.msg);
        goto done;
    }
    const Unic__Scoring__V1__ListDueResponse *due = (const Unic__Scoring__V1__ListDueResponse *)reply;
    char ref[32];
    snprintf(ref, sizeof ref, "para8-report-%.4s", due->today);
    const Unic__Scoring__V1__DueItem *item = NULL;
    for (size_t i = 0; i < due->n_items; i++)
        if (due->items[i]->kind == UNIC__SCORING__V1__DUE_KIND__ANNUAL_REPORT && strcmp(due->items[i]->ref, ref) == 0)
            item = due->items[i];
    int days = item ? webhook_reminder_threshold(item->days_left) : 0;
    if (days == 0) /* reported (as UNIC sees it), or no reminder is due today */
        goto done;
    char year[8];
    snprintf(year, sizeof year, "%.4s", due->today);
    json_t *data = json_pack("{sisssssssisiss}", "year", atoi(year), "due_date", item->due_date, "today",
                             due->today, "time_zone", due->time_zone, "days_left", (int)item->days_left,
                             "threshold_days", days, "item", item->ref);
    char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    bool written = false;
    if (text == NULL)
        log_warn("could not write the %d-day reminder of %s: its data", days, state);
    else if (webhook_store_reminder(&w->db, state, year, days, text, &written, &e) < 0)
        log_warn("could not write the %d-day reminder of %s: %s", days, state, e.msg);
    else if (written)
        log_info("wrote the %d-day paragraph 8 reminder of %s for %s", days, state, year);
    free(text);
done:
    arena_destroy(&a);
}

/* Every State with an endpoint, in the last 61 days of the year only (UTC; no zone is more than a
 * day from it). */
static void remind(struct webhook_worker *w)
{
    struct err e;
    char today[32];
    clock_rfc3339(today, sizeof today, clock_now_ms(), false);
    int64_t day = tz_days_from_civil(atoi(today), (unsigned)atoi(today + 5), (unsigned)atoi(today + 8));
    if (tz_days_from_civil(atoi(today), 12, 31) - day > 61)
        return;
    PGresult *r = webhook_store_reminder_states(&w->db, &e);
    if (r == NULL) {
        log_warn("could not read the States to remind: %s", e.msg);
        return;
    }
    for (int i = 0; i < PQntuples(r) && !atomic_load(&w->stop); i++)
        remind_state(w, db_get(r, i, "state_code"));
    PQclear(r);
}

static void *run(void *arg)
{
    struct webhook_worker *w = arg;
    while (!atomic_load(&w->stop)) {
        /* The keys of the catalog's writes (catalog.idempotency_keys) outlive no retry: older
         * than 24 hours they go, at start-up and hourly after, without holding up any call. */
        idem_purge_due(&w->idem_purge_at_ms, &w->db, &catalog_idem_sql);
        if (w->scoring && clock_mono_ms() >= w->next_reminders_ms) {
            remind(w);
            w->next_reminders_ms = clock_mono_ms() + w->s.reminder_ms;
        }
        if (deliver_batch(w) == CLAIM_BATCH)
            continue; /* more may be waiting */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += w->s.poll_ms / 1000;
        until.tv_nsec += (long)(w->s.poll_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&w->lock);
        if (!atomic_load(&w->stop))
            pthread_cond_timedwait(&w->wake, &w->lock, &until);
        pthread_mutex_unlock(&w->lock);
    }
    return NULL;
}

void webhook_reminder_key_check(struct webhook_settings *s, struct auth *auth, struct db *db)
{
    if (s->reminder_auth[0] == '\0')
        return;
    struct principal p;
    struct err e = {.code = ERR_OK};
    const char *header = s->reminder_auth;
    int rc = auth_authenticate(auth, db, header, strlen(header), &p, &e);
    if (rc < 0 && e.code == ERR_UNAVAILABLE) { /* the database's state, not the key's: go on */
        log_warn("could not check the key of UNIC_REMINDER_KEY_FILE at start-up: %s", e.msg);
        return;
    }
    if (rc == 0 && p.role == ROLE_OPERATOR)
        return;
    char id[65];
    auth_hash(s->reminder_key, strlen(s->reminder_key), id);
    id[16] = '\0'; /* a key's public id, as unic-admin lists it */
    log_warn("paragraph 8 reminders are off: the key of UNIC_REMINDER_KEY_FILE (key %s) is not an active "
             "operator key (%s); the migration job stores it, a revoked one is replaced by a new key "
             "(docs/notifications.md)",
             id, rc == 0 ? auth_role_name(p.role) : e.msg);
    s->reminder_auth[0] = '\0';
}

int webhook_worker_start(struct webhook_worker *w, const struct config *cfg,
                         const struct webhook_settings *s, struct err *e)
{
    memset(w, 0, sizeof *w);
    w->initialised = true;
    w->s = *s;
    atomic_init(&w->stop, false);
    atomic_init(&w->idem_purge_at_ms, 0);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    struct err ignored;
    db_init(&w->db, cfg->db_url, &ignored); /* a failure reconnects on first use */
    db_set_limits(&w->db, cfg->statement_timeout_ms, cfg->lock_timeout_ms, cfg->commit_margin_ms);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (w->curl = curl_easy_init()) == NULL)
        return err_set(e, ERR_INTERNAL, "could not start the webhook worker: libcurl did not initialise");
    if (s->reminder_auth[0])
        w->scoring = rpc_client_new(cfg->scoring_addr, cfg->call_timeout_ms);
    else if (s->reminder_key[0] == '\0')
        log_warn("paragraph 8 reminders are off: UNIC_REMINDER_KEY_FILE is not set (docs/notifications.md)");
    if (pthread_create(&w->thread, NULL, run, w) != 0)
        return err_set(e, ERR_INTERNAL, "could not start the webhook worker thread");
    w->running = true;
    return 0;
}

void webhook_worker_stop(struct webhook_worker *w)
{
    if (!w->initialised)
        return;
    if (w->running) {
        pthread_mutex_lock(&w->lock);
        atomic_store(&w->stop, true);
        pthread_cond_signal(&w->wake);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->thread, NULL);
        w->running = false;
    }
    if (w->curl) {
        curl_easy_cleanup(w->curl);
        w->curl = NULL;
    }
    rpc_client_free(w->scoring);
    w->scoring = NULL;
    curl_global_cleanup();
    db_destroy(&w->db);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    w->initialised = false;
}
