/* service.c: the matching service's RPC handlers: check the fields (validate.h), apply the
 * row-level rules (access.h), call the store (store.h), the solver (match.h), the rules
 * (matching.h) or a peer, return. The table at the bottom maps each method of matching.proto to
 * its handler, with the roles it admits. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "log.h"
#include "store.h"
#include "text.h"
#include "validate.h"


/* ---- Who is calling ---- */

static bool is_state(const struct call *c)
{
    return c->principal.role == ROLE_STATE;
}

/* After a write under key k (none: nothing): the keys older than 24 hours go, at most hourly
 * (common/idem.h), as in responses. */
static void purge_keys(struct call *c, const struct idem *k)
{
    if (k)
        idem_purge_due(&((struct matching_app *)c->app)->idem_purge_at_ms, c->db, &matching_idem_sql);
}

static struct actor actor_of(struct call *c)
{
    struct actor a = {access_viewer(&c->principal), c->principal.label,
                      {c->cfg->quota_offers_per_hour, c->cfg->quota_requests_per_hour,
                       c->cfg->quota_plans_per_hour},
                      c, c->principal.role == ROLE_OPERATOR ? peers_gap_sources_new(c) : NULL};
    return a;
}

/* PERMISSION_DENIED; the runtime logs it once, with the caller, when the call ends. */
static int deny(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int deny(struct err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, ERR_PERMISSION_DENIED, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- Offers ---- */

static int create_offer(struct call *c, const Unic__Matching__V1__CreateOfferRequest *req, Unic__Matching__V1__Offer **out, struct err *e)
{
    struct refdata *ref = NULL;
    struct idem kbuf, *k = NULL;
    Unic__Matching__V1__Offer *offer = NULL;
    const char *donor;
    int rc = -1;
    if (req->offer == NULL)
        return err_field(e, "offer", "required");
    if (access_acting_state(&c->principal, "offer.donor_state", req->offer->donor_state, &donor, e) < 0)
        return -1;
    if (refdata_get(c, &ref, e) < 0)
        return -1;
    if (check_offer(ref, req->offer, donor, e) < 0)
        goto done;
    int found = idem_begin(c, &matching_idem_sql, req->request_id, &kbuf, &k, e);
    if (found != 0) {
        rc = found < 0 ? -1 : 0;
        goto done;
    }
    Unic__Matching__V1__Offer in = *req->offer;
    in.donor_state = (char *)donor;
    struct actor who = actor_of(c);
    int created = store_offer_create(c->db, &c->arena, &in, &who, k, &offer, e);
    if (created != 0) { /* 1: a twin's reply answered */
        rc = created < 0 ? -1 : 0;
        goto done;
    }
    purge_keys(c, k);
    *out = offer;
    rc = 0;
done:
    refdata_put(c->app, ref);
    return rc;
}

static int get_offer(struct call *c, const Unic__Matching__V1__GetOfferRequest *req, Unic__Matching__V1__Offer **out, struct err *e)
{
    Unic__Matching__V1__Offer *offer;
    if (check_id("offer_id", req->offer_id, e) < 0 ||
        store_offer_get(c->db, &c->arena, req->offer_id, &offer, e) < 0)
        return -1;
    *out = offer;
    return 0;
}

static int list_offers(struct call *c, const Unic__Matching__V1__ListOffersRequest *req, Unic__Matching__V1__ListOffersResponse **out, struct err *e)
{
    struct item_filter f;
    if (filter_state("donor_state", req->donor_state, &f.state, e) < 0 ||
        filter_kind(req->kind, &f.kind, e) < 0 || filter_topic(req->topic, &f.topic, e) < 0 ||
        filter_status(req->status, offer_status_name, &f.status, e) < 0)
        return -1;
    char *filter = arena_printf(&c->arena, "donor=%s;kind=%d;topic=%s;status=%d", req->donor_state,
                                (int)req->kind, req->topic, (int)req->status);
    if (check_page(c, filter, req->page_size, req->page_token, &f.limit, &f.after_seq, e) < 0)
        return -1;
    Unic__Matching__V1__ListOffersResponse *r = ARENA_MSG(
        &c->arena, Unic__Matching__V1__ListOffersResponse, UNIC__MATCHING__V1__LIST_OFFERS_RESPONSE__INIT);
    if (store_offer_list(c->db, &c->arena, &f, r, e) < 0)
        return -1;
    seal_next(c, filter, &r->next_page_token);
    *out = r;
    return 0;
}

static int update_offer(struct call *c, const Unic__Matching__V1__UpdateOfferRequest *req, Unic__Matching__V1__Offer **out, struct err *e)
{
    const Unic__Matching__V1__Offer *o = req->offer;
    struct refdata *ref = NULL;
    Unic__Matching__V1__Offer *now = NULL, *updated = NULL;
    int rc = -1;
    if (o == NULL)
        return err_field(e, "offer", "required");
    if (check_id("offer.id", o->id, e) < 0 || check_etag("offer.etag", o->etag, e) < 0 ||
        store_offer_get(c->db, &c->arena, o->id, &now, e) < 0)
        return -1;
    /* Offers are public, so saying "not yours" after looking it up leaks nothing. */
    if (!access_may_change(access_viewer(&c->principal), now->donor_state))
        return deny(e, "offer %s is %s's: a State changes only its own offers", o->id,
                    now->donor_state);
    if (o->donor_state[0] && strcmp(o->donor_state, now->donor_state) != 0)
        return err_field(e, "offer.donor_state", "the donor cannot change");
    if (o->kind != 0 && o->kind != now->kind)
        return err_field(e, "offer.kind", "the kind cannot change");
    if (refdata_get(c, &ref, e) < 0)
        return -1;
    Unic__Matching__V1__Offer in = *o;
    in.kind = now->kind;
    if (check_offer(ref, &in, now->donor_state, e) < 0)
        goto done;
    struct actor who = actor_of(c);
    if (store_offer_update(c->db, &c->arena, &in, &who, &updated, e) < 0)
        goto done;
    *out = updated;
    rc = 0;
done:
    refdata_put(c->app, ref);
    return rc;
}

static int withdraw_offer(struct call *c, const Unic__Matching__V1__WithdrawOfferRequest *req, Unic__Matching__V1__Offer **out, struct err *e)
{
    Unic__Matching__V1__Offer *offer;
    struct actor who = actor_of(c);
    if (check_id("offer_id", req->offer_id, e) < 0 ||
        check_etag("etag", req->etag, e) < 0 ||
        store_offer_withdraw(c->db, &c->arena, req->offer_id, req->etag, &who, &offer, e) < 0)
        return -1;
    *out = offer;
    return 0;
}

/* ---- Requests ---- */

static int create_request(struct call *c, const Unic__Matching__V1__CreateRequestRequest *req, Unic__Matching__V1__Request **out, struct err *e)
{
    const Unic__Matching__V1__Request *q = req->request;
    struct refdata *ref = NULL;
    struct idem kbuf, *k = NULL;
    Unic__Matching__V1__Request *created = NULL;
    const struct ref_state *st = NULL;
    const char *state = NULL;
    char **topics = NULL;
    size_t n_topics = 0;
    int rc = -1;
    if (q == NULL)
        return err_field(e, "request", "required");
    if (access_acting_state(&c->principal, "request.state_code", q->state_code, &state, e) < 0)
        return -1;
    /* Gap fields raise a request's benefit: only DeriveRequests, from a scored gap, sets them. */
    if (q->source_question_id[0] || q->source_cycle != 0 || q->gap_severity != 0)
        return err_field(e,
                         q->source_question_id[0] ? "request.source_question_id"
                         : q->source_cycle != 0   ? "request.source_cycle"
                                                  : "request.gap_severity",
                         "set only by DeriveRequests from a scored gap");
    if (q->priority < 0 || q->priority > 5)
        return err_field(e, "request.priority", "%d is not in 1..5",
                         q->priority);
    if (refdata_get(c, &ref, e) < 0)
        return -1;
    if (check_state(ref, "request.state_code", state, &st, e) < 0 ||
        check_kind("request.kind", q->kind, e) < 0 ||
        check_request_topics(&c->arena, ref, q, &topics, &n_topics, e) < 0 ||
        check_quantity("request.quantity", q->quantity, e) < 0 ||
        check_languages("request.languages", q->languages, q->n_languages, e) < 0)
        goto done;
    int found = idem_begin(c, &matching_idem_sql, req->request_id, &kbuf, &k, e);
    if (found != 0) {
        rc = found < 0 ? -1 : 0;
        goto done;
    }
    struct request_row row = {
        .state_code = state, .kind = q->kind, .topic = topics[0], .topics = topics,
        .n_topics = n_topics, .quantity = q->quantity,
        .priority = q->priority ? q->priority : 3, .source_question_id = "", .source_cycle = 0,
        .severity_milli = 0, .ldc = st->ldc, .region = st->region, .sub_region = st->sub_region,
        .languages = q->languages, .n_languages = q->n_languages,
    };
    struct actor who = actor_of(c);
    int made = store_request_create(c->db, &c->arena, &row, &who, k, &created, e);
    if (made != 0) { /* 1: a twin's reply answered */
        rc = made < 0 ? -1 : 0;
        goto done;
    }
    purge_keys(c, k);
    *out = created;
    rc = 0;
done:
    refdata_put(c->app, ref);
    return rc;
}

static int get_request(struct call *c, const Unic__Matching__V1__GetRequestRequest *req, Unic__Matching__V1__Request **out, struct err *e)
{
    Unic__Matching__V1__Request *q;
    struct actor who = actor_of(c);
    if (check_id("request_id", req->request_id, e) < 0 ||
        store_request_get(c->db, &c->arena, req->request_id, &who, &q, e) < 0)
        return -1;
    *out = q;
    return 0;
}

static int list_requests(struct call *c, const Unic__Matching__V1__ListRequestsRequest *req, Unic__Matching__V1__ListRequestsResponse **out, struct err *e)
{
    struct item_filter f;
    struct actor who = actor_of(c);
    if (filter_state("state_code", req->state_code, &f.state, e) < 0 ||
        filter_kind(req->kind, &f.kind, e) < 0 || filter_topic(req->topic, &f.topic, e) < 0 ||
        filter_status(req->status, request_status_name, &f.status, e) < 0)
        return -1;
    char *filter = arena_printf(&c->arena, "state=%s;kind=%d;topic=%s;status=%d", req->state_code,
                                (int)req->kind, req->topic, (int)req->status);
    if (check_page(c, filter, req->page_size, req->page_token, &f.limit, &f.after_seq, e) < 0)
        return -1;
    Unic__Matching__V1__ListRequestsResponse *r =
        ARENA_MSG(&c->arena, Unic__Matching__V1__ListRequestsResponse,
                  UNIC__MATCHING__V1__LIST_REQUESTS_RESPONSE__INIT);
    if (store_request_list(c->db, &c->arena, &f, &who, r, e) < 0)
        return -1;
    seal_next(c, filter, &r->next_page_token);
    *out = r;
    return 0;
}

static int withdraw_request(struct call *c, const Unic__Matching__V1__WithdrawRequestRequest *req, Unic__Matching__V1__Request **out, struct err *e)
{
    Unic__Matching__V1__Request *q;
    struct actor who = actor_of(c);
    if (check_id("request_id", req->request_id, e) < 0 ||
        check_etag("etag", req->etag, e) < 0 ||
        store_request_withdraw(c->db, &c->arena, req->request_id, req->etag, &who, &q, e) < 0)
        return -1;
    *out = q;
    return 0;
}

static bool topic_known(const void *ref, const char *topic)
{
    return refdata_topic_known(ref, topic);
}

/* One request per (gap, kind asked for): the rule in matching.h. */
static int derive_requests(struct call *c, const Unic__Matching__V1__DeriveRequestsRequest *req, Unic__Matching__V1__DeriveRequestsResponse **out, struct err *e)
{
    struct refdata *ref = NULL;
    Unic__Scoring__V1__GetGapsResponse *gaps = NULL;
    const struct ref_state *st = NULL;
    const char *state = NULL;
    int rc = -1;
    if (access_acting_state(&c->principal, "state_code", req->state_code, &state, e) < 0 ||
        check_cycle(req->cycle, e) < 0)
        return -1;
    /* The State says what it needs: no kind is assumed. */
    int *kinds = NULL;
    if (req->n_kinds == 0)
        return err_field(e, "kinds",
                         "required, one or more of EXPERTISE, FUNDS, EQUIPMENT, "
                         "TRAINING (the kinds of support the State asks for)");
    if (check_kinds(&c->arena, "kinds", req->kinds, req->n_kinds, &kinds, e) < 0)
        return -1;
    if (check_languages("languages", req->languages, req->n_languages, e) < 0)
        return -1;
    if (refdata_get(c, &ref, e) < 0)
        return -1;
    if (check_state(ref, "state_code", state, &st, e) < 0 ||
        peers_gaps(c, state, req->cycle, &gaps, e) < 0)
        goto done;

    struct derive_input in = {
        .state = state, .cycle = req->cycle, .ldc = st->ldc, .region = st->region,
        .sub_region = st->sub_region, .kinds = kinds, .n_kinds = req->n_kinds,
        .languages = req->languages, .n_languages = req->n_languages,
        .topic_known = topic_known, .topic_ctx = ref,
    };
    struct request_row *rows;
    size_t skipped;
    size_t n = derive_rows(&c->arena, &in, gaps->gaps, gaps->n_gaps, &rows, &skipped);
    if (skipped > 0)
        log_warn("%zu gaps of %s cycle %d skipped: no question or no positive severity", skipped,
                 state, req->cycle);
    Unic__Matching__V1__DeriveRequestsResponse *r =
        ARENA_MSG(&c->arena, Unic__Matching__V1__DeriveRequestsResponse,
                  UNIC__MATCHING__V1__DERIVE_REQUESTS_RESPONSE__INIT);
    struct actor who = actor_of(c);
    if (store_requests_derive(c->db, &c->arena, rows, n, req->validate_only, &who, &r->requests,
                              &r->n_requests, &r->created, e) < 0)
        goto done;
    *out = r;
    rc = 0;
done:
    refdata_put(c->app, ref);
    return rc;
}

/* ---- Plans ---- */

/* The fingerprint of the rows a solved plan draws on. */
static void plan_record_fingerprint(struct arena *a, const struct plan_inputs *in,
                                    const struct match_plan *plan, char hex[65])
{
    size_t n = plan->n_assignments;
    bool *o_used = ARENA_ARRAY(a, bool, in->n_offers + 1),
         *r_used = ARENA_ARRAY(a, bool, in->n_requests + 1);
    const char **oids = ARENA_ARRAY(a, const char *, n + 1), **rids = ARENA_ARRAY(a, const char *, n + 1);
    int *ov = ARENA_ARRAY(a, int, n + 1), *rv = ARENA_ARRAY(a, int, n + 1);
    size_t no = 0, nr = 0;
    for (size_t i = 0; i < n; i++) {
        size_t o = plan->assignments[i].offer, r = plan->assignments[i].request;
        if (!o_used[o]) {
            o_used[o] = true;
            oids[no] = in->offers[o].id;
            ov[no++] = in->offer_versions[o];
        }
        if (!r_used[r]) {
            r_used[r] = true;
            rids[nr] = in->requests[r].id;
            rv[nr++] = in->request_versions[r];
        }
    }
    plan_fingerprint(oids, ov, no, rids, rv, nr, hex);
}

static int propose_matches(struct call *c, const Unic__Matching__V1__ProposeMatchesRequest *req, Unic__Matching__V1__MatchPlan **out, struct err *e)
{
    struct refdata *ref = NULL;
    struct match_plan *plan = NULL;
    char today[16];
    int rc = -1;
    char *self;
    char *const *scope;
    size_t n_scope;
    /* a State plans for its own requests only */
    if (access_plan_scope(access_viewer(&c->principal), req->state_codes, req->n_state_codes, &self,
                          &scope, &n_scope, e) < 0 ||
        (!is_state(c) && check_list("state_codes", scope, n_scope, ELIGIBLE_STATES_MAX, e) < 0))
        return -1;
    if (check_date("as_of", req->as_of, e) < 0)
        return -1;
    const char *as_of = req->as_of;
    if (as_of[0] == '\0') {
        text_today(today, sizeof today);
        as_of = today;
    }
    if (refdata_get(c, &ref, e) < 0)
        return -1;
    for (size_t i = 0; i < n_scope; i++) {
        char field[48];
        snprintf(field, sizeof field, "state_codes[%zu]", i);
        if (check_state(ref, field, scope[i], NULL, e) < 0)
            goto done;
    }

    /* Each phase's time goes into the plan's log line: where a slow call spent it. */
    int64_t t_load = clock_mono_ms(), t0, t_explain, t_store;
    struct plan_inputs in;
    if (store_plan_inputs(c->db, &c->arena, scope, n_scope, &in, e) < 0)
        goto done;
    /* LDC status and groups as of the plan's date, not as filed (docs/matching-model.md) */
    refdata_date_requests(ref, &c->arena, as_of, in.requests, in.n_requests);
    struct match_input mi = {in.offers, in.n_offers, in.requests, in.n_requests, as_of};
    int64_t load_ms = clock_mono_ms() - t_load;
    t0 = clock_mono_ms();
    struct err se;
    if (match_solve(&mi, &plan, &se) < 0) {
        /* the store only holds what validation let in: a refusal here is our own fault */
        err_set(e, ERR_INTERNAL, "could not solve the matching: %s", se.msg);
        goto done;
    }
    struct plan_record rec = {
        .as_of = as_of, .scope = scope, .n_scope = n_scope, .objective = plan->objective,
        .solve_ms = clock_mono_ms() - t0, .offers_seen = in.n_offers, .requests_seen = in.n_requests,
        .arcs = plan->stats.arcs, .in = &in, .plan = plan,
    };
    t_explain = clock_mono_ms();
    /* The sentences (explain.c), measured first, then written into the arena. */
    rec.explanations = ARENA_ARRAY(&c->arena, char *, plan->n_assignments + 1);
    for (size_t i = 0; i < plan->n_assignments; i++) {
        int len = match_explain(&mi, &plan->assignments[i], NULL, 0);
        rec.explanations[i] = arena_alloc(&c->arena, (size_t)len + 1);
        match_explain(&mi, &plan->assignments[i], rec.explanations[i], (size_t)len + 1);
    }
    /* and the facts they say, for clients that word them in their reader's language */
    struct match_grounds *grounds = ARENA_ARRAY(&c->arena, struct match_grounds,
                                                plan->n_assignments + 1);
    for (size_t i = 0; i < plan->n_assignments; i++) {
        const struct match_request *q = &in.requests[plan->assignments[i].request];
        const char **langs = ARENA_ARRAY(&c->arena, const char *, q->n_languages + 1);
        match_grounds(&mi, &plan->assignments[i], langs, &grounds[i]);
    }
    rec.grounds = grounds;
    rec.unmet_reasons = ARENA_ARRAY(&c->arena, char *, plan->n_unmet + 1);
    for (size_t i = 0; i < plan->n_unmet; i++) {
        int len = match_explain_unmet(&mi, &plan->unmet[i], NULL, 0);
        rec.unmet_reasons[i] = arena_alloc(&c->arena, (size_t)len + 1);
        match_explain_unmet(&mi, &plan->unmet[i], rec.unmet_reasons[i], (size_t)len + 1);
    }
    plan_record_fingerprint(&c->arena, &in, plan, rec.fingerprint);
    int64_t explain_ms = clock_mono_ms() - t_explain;

    struct actor who = actor_of(c);
    Unic__Matching__V1__MatchPlan *saved;
    t_store = clock_mono_ms();
    if (store_plan_save(c->db, &c->arena, &rec, &who, &saved, e) < 0)
        goto done;
    log_info("plan %s: %zu offers, %zu requests, %zu arcs, %zu matches, %zu unmet, solved in "
             "%" PRId64 " ms (%zu pivots, %zu bytes peak); load %" PRId64 " ms, solve %" PRId64
             " ms, explain %" PRId64 " ms, store and read back %" PRId64 " ms", saved->id,
             in.n_offers, in.n_requests, plan->stats.arcs, plan->n_assignments, plan->n_unmet,
             rec.solve_ms, plan->stats.pivots, plan->stats.peak_bytes, load_ms, rec.solve_ms,
             explain_ms, clock_mono_ms() - t_store);
    *out = saved;
    rc = 0;
done:
    match_plan_free(plan);
    refdata_put(c->app, ref);
    return rc;
}

static int commit_match_plan(struct call *c, const Unic__Matching__V1__CommitMatchPlanRequest *req, Unic__Matching__V1__MatchPlan **out, struct err *e)
{
    Unic__Matching__V1__MatchPlan *plan;
    struct actor who = actor_of(c);
    if (check_id("plan_id", req->plan_id, e) < 0 ||
        store_plan_commit(c->db, &c->arena, req->plan_id, &who, &plan, e) < 0)
        return -1;
    *out = plan;
    return 0;
}

/* ---- Matches ---- */

static bool is_operator(const struct call *c)
{
    return c->principal.role == ROLE_OPERATOR;
}

/* Takes the step; a request_id seen before with the same request answers with the first reply
 * (common/idem.h). */
static int match_step(struct call *c, const char *request_id, struct match_step_in *in,
                      Unic__Matching__V1__Match **out, struct err *e)
{
    struct idem kbuf, *k = NULL;
    int found = idem_begin(c, &matching_idem_sql, request_id, &kbuf, &k, e);
    if (found != 0)
        return found < 0 ? -1 : 0;
    in->k = k;
    struct actor who = actor_of(c);
    int rc = store_match_step(c->db, &c->arena, in, &who, out, e);
    if (rc == 0)
        purge_keys(c, k);
    return rc < 0 ? -1 : 0; /* 1: a twin's reply answered */
}

static int respond_to_match(struct call *c, const Unic__Matching__V1__RespondToMatchRequest *req, Unic__Matching__V1__Match **out, struct err *e)
{
    if (check_id("match_id", req->match_id, e) < 0 ||
        (req->etag[0] && check_etag("etag", req->etag, e) < 0) ||
        check_step_words(is_operator(c), req->on_behalf_of, req->on_behalf_reason, req->reason,
                         !req->accept, req->note, e) < 0)
        return -1;
    struct match_step_in in = {
        .id = req->match_id, .etag = req->etag, .respond = true,
        .to = req->accept ? MATCH_ACCEPTED : MATCH_DECLINED, .on_behalf_of = req->on_behalf_of,
        .on_behalf_reason = req->on_behalf_reason, .reason = req->reason, .note = req->note,
    };
    return match_step(c, req->request_id, &in, out, e);
}

static int advance_match(struct call *c, const Unic__Matching__V1__AdvanceMatchRequest *req, Unic__Matching__V1__Match **out, struct err *e)
{
    int to = (int)req->status;
    if (check_id("match_id", req->match_id, e) < 0 || check_etag("etag", req->etag, e) < 0)
        return -1;
    if (!match_step_target(to))
        return err_field(e, "status",
                         "%s is not a step of AdvanceMatch (IN_DELIVERY, DELIVERED, "
                         "COMPLETED or CANCELLED; accept or decline with RespondToMatch)",
                         match_status_name(to) ? match_status_name(to) : "unset");
    if (check_step_words(is_operator(c), req->on_behalf_of, req->on_behalf_reason, req->reason,
                         to == MATCH_CANCELLED, req->note, e) < 0 ||
        check_text("feedback", req->feedback, false, FEEDBACK_MAX, true, e) < 0)
        return -1;
    if (to == MATCH_COMPLETED && (req->rating < 1 || req->rating > 5))
        return err_field(e, "rating",
                         "%d is not in 1..5 (the recipient's rating of the support, "
                         "required to complete)", req->rating);
    if (to != MATCH_COMPLETED && (req->rating != 0 || req->feedback[0]))
        return err_field(e, req->rating ? "rating" : "feedback",
                         "given only with COMPLETED");
    if (req->delivered_quantity < 0 || req->delivered_quantity > MATCH_QUANTITY_MAX ||
        (to != MATCH_DELIVERED && req->delivered_quantity != 0))
        return err_field(e, "delivered_quantity",
                         "%" PRId64 " (1..the match's quantity, with "
                         "DELIVERED only; 0 means all)", req->delivered_quantity);
    struct match_step_in in = {
        .id = req->match_id, .etag = req->etag, .to = to, .on_behalf_of = req->on_behalf_of,
        .on_behalf_reason = req->on_behalf_reason, .reason = req->reason, .note = req->note,
        .delivered = req->delivered_quantity, .rating = req->rating, .feedback = req->feedback,
    };
    return match_step(c, req->request_id, &in, out, e);
}

static int get_match(struct call *c, const Unic__Matching__V1__GetMatchRequest *req, Unic__Matching__V1__Match **out, struct err *e)
{
    struct actor who = actor_of(c);
    if (check_id("match_id", req->match_id, e) < 0 ||
        store_match_get(c->db, &c->arena, req->match_id, &who, out, e) < 0)
        return -1;
    return 0;
}

static int list_matches(struct call *c, const Unic__Matching__V1__ListMatchesRequest *req, Unic__Matching__V1__ListMatchesResponse **out, struct err *e)
{
    struct match_filter f;
    struct actor who = actor_of(c);
    if (filter_state("state_code", req->state_code, &f.state_code, e) < 0 ||
        filter_status(req->status, match_status_name, &f.status, e) < 0)
        return -1;
    char *filter = arena_printf(&c->arena, "state=%s;status=%d;plan=%s", req->state_code,
                                (int)req->status, req->plan_id);
    if (check_page(c, filter, req->page_size, req->page_token, &f.limit, &f.after_seq, e) < 0)
        return -1;
    if (is_state(c) && f.state_code && strcmp(f.state_code, c->principal.state) != 0)
        return deny(e, "%s may list only the matches it is a party to, not %s's",
                    c->principal.state, f.state_code);
    f.plan_id = NULL;
    if (req->plan_id[0]) {
        if (check_id("plan_id", req->plan_id, e) < 0)
            return -1;
        f.plan_id = req->plan_id;
    }
    Unic__Matching__V1__ListMatchesResponse *r =
        ARENA_MSG(&c->arena, Unic__Matching__V1__ListMatchesResponse,
                  UNIC__MATCHING__V1__LIST_MATCHES_RESPONSE__INIT);
    if (store_match_list(c->db, &c->arena, &f, &who, r, e) < 0)
        return -1;
    seal_next(c, filter, &r->next_page_token);
    *out = r;
    return 0;
}

/* ---- Impact ---- */

/* The levels and cycles of the assessments of `state` that the caller may read, appended. */
static int readable_levels(struct call *c, const char *state, struct impact_level **levels,
                           size_t *n_levels, size_t *cap_levels, struct impact_cycle **cycles,
                           size_t *n_cycles, size_t *cap_cycles, struct err *e)
{
    Unic__Responses__V1__Assessment **as;
    size_t n;
    if (peers_assessments(c, state, &as, &n, e) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(as[i]->state_code, state) != 0)
            continue;
        if (*n_cycles == *cap_cycles) {
            struct impact_cycle *grown = ARENA_ARRAY(&c->arena, struct impact_cycle, 2 * *cap_cycles);
            memcpy(grown, *cycles, *cap_cycles * sizeof *grown);
            *cycles = grown;
            *cap_cycles *= 2;
        }
        (*cycles)[(*n_cycles)++] = (struct impact_cycle){state, as[i]->cycle};
        for (size_t k = 0; k < as[i]->n_answers; k++) {
            const Unic__Responses__V1__Answer *ans = as[i]->answers[k];
            if (ans->level_value_case != UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL)
                continue;
            if (*n_levels == *cap_levels) {
                struct impact_level *grown = ARENA_ARRAY(&c->arena, struct impact_level, 2 * *cap_levels);
                memcpy(grown, *levels, *cap_levels * sizeof *grown);
                *levels = grown;
                *cap_levels *= 2;
            }
            (*levels)[(*n_levels)++] =
                (struct impact_level){state, as[i]->cycle, ans->question_id, ans->level};
        }
    }
    return 0;
}

static int get_impact_report(struct call *c, const Unic__Matching__V1__GetImpactReportRequest *req, Unic__Matching__V1__ImpactReport **out, struct err *e)
{
    const char *state = NULL, *viewer = access_viewer(&c->principal);
    if (filter_state("state_code", req->state_code, &state, e) < 0)
        return -1;
    if (is_state(c)) {
        if (state && strcmp(state, c->principal.state) != 0)
            return deny(e, "%s may read only its own impact report, not %s's", c->principal.state,
                        state);
        state = c->principal.state;
    }
    struct impact_rows rows;
    if (store_impact_rows(c->db, &c->arena, state, &rows, e) < 0)
        return -1;
    /* What the caller may read of each recipient, asked as the caller: nothing else enters. */
    size_t cap_levels = 64, cap_cycles = 8, n_levels = 0, n_cycles = 0;
    struct impact_level *levels = ARENA_ARRAY(&c->arena, struct impact_level, cap_levels);
    struct impact_cycle *cycles = ARENA_ARRAY(&c->arena, struct impact_cycle, cap_cycles);
    for (size_t i = 0; i < rows.n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(rows.matches[j].recipient, rows.matches[i].recipient) == 0;
        if (!seen && readable_levels(c, rows.matches[i].recipient, &levels, &n_levels, &cap_levels,
                                     &cycles, &n_cycles, &cap_cycles, e) < 0)
            return -1;
    }
    struct impact_input in = {rows.matches, rows.n, levels, n_levels, cycles, n_cycles,
                              rows.supported, rows.n_supported};
    struct impact_result res;
    impact_compute(&c->arena, &in, &res);

    Unic__Matching__V1__ImpactReport *r = ARENA_MSG(&c->arena, Unic__Matching__V1__ImpactReport,
                                                    UNIC__MATCHING__V1__IMPACT_REPORT__INIT);
    r->n_cases = rows.n;
    r->cases = ARENA_ARRAY(&c->arena, Unic__Matching__V1__ImpactCase *, rows.n + 1);
    for (size_t i = 0; i < rows.n; i++) {
        const struct impact_match *m = &rows.matches[i];
        const struct impact_case *k = &res.cases[i];
        Unic__Matching__V1__ImpactCase *x = ARENA_MSG(&c->arena, Unic__Matching__V1__ImpactCase,
                                                      UNIC__MATCHING__V1__IMPACT_CASE__INIT);
        x->match_id = (char *)m->id;
        x->donor_state = (char *)m->donor;
        x->recipient_state = (char *)m->recipient;
        x->kind = (Unic__Common__V1__SupportKind)match_kind_from_name(m->kind);
        x->topic = (char *)m->topic;
        x->region = (char *)m->region;
        x->completed_at = rows.completed_at[i];
        /* the match's figures as ListMatches shows them; the gap's question only to whom may
         * read the assessment it came from */
        enum gap_view figures = access_gap_figures(true, viewer, m->recipient);
        if (figures == GAP_SHOWN || (figures == GAP_IF_READABLE && k->before_readable))
            x->delivered_quantity = m->delivered;
        if (k->before_readable) {
            x->question_id = (char *)m->question;
            x->cycle_before = k->before_cycle;
        }
        x->measured = k->measured;
        if (k->measured) {
            x->level_before = k->before;
            x->cycle_after = k->after_cycle;
            x->level_after = k->after;
            x->change = k->after - k->before;
        } else {
            x->not_measured = (char *)k->why;
            x->not_measured_code = (char *)k->why_code;
            x->n_not_measured_args = k->n_why_args;
            x->not_measured_args = (char **)k->why_args;
        }
        r->cases[i] = x;
    }
    r->n_cells = res.n_cells;
    r->cells = ARENA_ARRAY(&c->arena, Unic__Matching__V1__ImpactCell *, res.n_cells + 1);
    for (size_t i = 0; i < res.n_cells; i++) {
        const struct impact_cell *k = &res.cells[i];
        Unic__Matching__V1__ImpactCell *x = ARENA_MSG(&c->arena, Unic__Matching__V1__ImpactCell,
                                                      UNIC__MATCHING__V1__IMPACT_CELL__INIT);
        x->dimension = (char *)impact_dimension_name(k->dimension);
        x->key = (char *)k->key;
        x->states = k->states;
        x->suppressed = k->suppressed;
        x->matches = k->matches;
        x->quantity_delivered = k->delivered;
        x->cases = k->cases;
        x->change_shown = k->change_shown;
        x->mean_change = k->mean_change;
        x->comparison_cases = k->comparison_cases;
        x->comparison_shown = k->comparison_shown;
        x->comparison_mean_change = k->comparison_mean_change;
        r->cells[i] = x;
    }
    *out = r;
    return 0;
}

RPC_HANDLER(create_offer, Unic__Matching__V1__CreateOfferRequest, Unic__Matching__V1__Offer);
RPC_HANDLER(get_offer, Unic__Matching__V1__GetOfferRequest, Unic__Matching__V1__Offer);
RPC_HANDLER(list_offers, Unic__Matching__V1__ListOffersRequest, Unic__Matching__V1__ListOffersResponse);
RPC_HANDLER(update_offer, Unic__Matching__V1__UpdateOfferRequest, Unic__Matching__V1__Offer);
RPC_HANDLER(withdraw_offer, Unic__Matching__V1__WithdrawOfferRequest, Unic__Matching__V1__Offer);
RPC_HANDLER(create_request, Unic__Matching__V1__CreateRequestRequest, Unic__Matching__V1__Request);
RPC_HANDLER(get_request, Unic__Matching__V1__GetRequestRequest, Unic__Matching__V1__Request);
RPC_HANDLER(list_requests, Unic__Matching__V1__ListRequestsRequest, Unic__Matching__V1__ListRequestsResponse);
RPC_HANDLER(withdraw_request, Unic__Matching__V1__WithdrawRequestRequest, Unic__Matching__V1__Request);
RPC_HANDLER(derive_requests, Unic__Matching__V1__DeriveRequestsRequest, Unic__Matching__V1__DeriveRequestsResponse);
RPC_HANDLER(propose_matches, Unic__Matching__V1__ProposeMatchesRequest, Unic__Matching__V1__MatchPlan);
RPC_HANDLER(commit_match_plan, Unic__Matching__V1__CommitMatchPlanRequest, Unic__Matching__V1__MatchPlan);
RPC_HANDLER(respond_to_match, Unic__Matching__V1__RespondToMatchRequest, Unic__Matching__V1__Match);
RPC_HANDLER(list_matches, Unic__Matching__V1__ListMatchesRequest, Unic__Matching__V1__ListMatchesResponse);
RPC_HANDLER(get_match, Unic__Matching__V1__GetMatchRequest, Unic__Matching__V1__Match);
RPC_HANDLER(advance_match, Unic__Matching__V1__AdvanceMatchRequest, Unic__Matching__V1__Match);
RPC_HANDLER(get_impact_report, Unic__Matching__V1__GetImpactReportRequest, Unic__Matching__V1__ImpactReport);

static const struct rpc_method methods[] = {
    RPC_ROW("CreateOffer", create_offer, RPC_OPERATOR | RPC_STATE, RPC_WRITES),
    RPC_ROW("GetOffer", get_offer, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("ListOffers", list_offers, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("UpdateOffer", update_offer, RPC_OPERATOR | RPC_STATE, RPC_WRITES),
    RPC_ROW("WithdrawOffer", withdraw_offer, RPC_OPERATOR | RPC_STATE, RPC_WRITES),
    RPC_ROW("CreateRequest", create_request, RPC_OPERATOR | RPC_STATE, RPC_WRITES),
    RPC_ROW("GetRequest", get_request, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("ListRequests", list_requests, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("WithdrawRequest", withdraw_request, RPC_OPERATOR | RPC_STATE, RPC_WRITES),
    RPC_ROW("DeriveRequests", derive_requests, RPC_OPERATOR | RPC_STATE, RPC_WRITES),
    RPC_ROW("ProposeMatches", propose_matches, RPC_OPERATOR | RPC_STATE, RPC_WRITES),
    RPC_ROW("CommitMatchPlan", commit_match_plan, RPC_OPERATOR, RPC_WRITES),
    RPC_ROW("RespondToMatch", respond_to_match, RPC_OPERATOR | RPC_STATE, RPC_WRITES),
    RPC_ROW("ListMatches", list_matches, RPC_OPERATOR | RPC_STATE, RPC_READS),
    RPC_ROW("GetMatch", get_match, RPC_OPERATOR | RPC_STATE, RPC_READS),
    RPC_ROW("AdvanceMatch", advance_match, RPC_OPERATOR | RPC_STATE, RPC_WRITES),
    RPC_ROW("GetImpactReport", get_impact_report, RPC_OPERATOR | RPC_STATE, RPC_READS),
};

const struct rpc_service matching_rpc = {
    &unic__matching__v1__matching_service__descriptor, methods, sizeof methods / sizeof methods[0],
};
