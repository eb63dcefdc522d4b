/* test_matching.c: the matching service through the four real binaries over gRPC: a State's
 * assessment is scored, its gaps become requests, two donors offer, a plan is proposed,
 * committed and answered; declines give quantities back; concurrent commits never over-commit;
 * and the validation and access rules hold. The tests run in order and share the flow's state. */
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "harness.h"
#include "rpc_clients.h"
#include "text.h"
#include "unic/matching/v1/matching.pb-c.h"
#include "unic/responses/v1/responses.pb-c.h"
#include "unic/scoring/v1/scoring.pb-c.h"

typedef Unic__Matching__V1__Offer Offer;
typedef Unic__Matching__V1__Request Request;
typedef Unic__Matching__V1__Match Match;
typedef Unic__Matching__V1__MatchPlan MatchPlan;

#define TRAINING UNIC__COMMON__V1__SUPPORT_KIND__TRAINING
#define EXPERTISE UNIC__COMMON__V1__SUPPORT_KIND__EXPERTISE
#define EQUIPMENT UNIC__COMMON__V1__SUPPORT_KIND__EQUIPMENT

static struct harness H;
/* A second replica of the matching service on its own port, so that two commits arrive over two
 * connections and run on two processes at once, as behind a load balancer. It shares H's
 * database, keys and peer services. */
static struct harness H2;
static char key_uga[64], key_fra[64], key_jpn[64], key_ken[64], key_service[64];
static int cycle;

/* What the flow has built so far, for the tests after it. */
static struct {
    char req_cip_training[40];  /* UGA, q1 (severity 2), strategy and cip, TRAINING: 10 seats */
    char req_ir_expertise[40];  /* UGA, q11 (severity 1), incident-response and
                                 * government-networks, EXPERTISE: 10 expert-days */
    char req_q11_training[40];  /* UGA, q11 (severity 1), the same topics, TRAINING: 5 seats */
    char offer_fra[40];              /* FRA, TRAINING on cip, 30 seats, Africa */
    char offer_jpn[40];              /* JPN, EXPERTISE on incident-response, 6 expert-days */
    char match_fra[40], match_jpn[40];
    char plan[40];
} F;

/* ---- Calls (the typed clients of rpc_clients.h) ---- */

static void release(void *msg)
{
    if (msg)
        protobuf_c_message_free_unpacked(msg, NULL);
}

static Offer *get_offer(const char *id)
{
    Unic__Matching__V1__GetOfferRequest req = UNIC__MATCHING__V1__GET_OFFER_REQUEST__INIT;
    Offer *o = NULL;
    req.offer_id = (char *)id;
    assert_int_equal(matching_get_offer(&H, H.operator_key, &req, &o, NULL, 0), 0);
    return o;
}

static Request *get_request(const char *key, const char *id)
{
    Unic__Matching__V1__GetRequestRequest req = UNIC__MATCHING__V1__GET_REQUEST_REQUEST__INIT;
    Request *q = NULL;
    req.request_id = (char *)id;
    assert_int_equal(matching_get_request(&H, key, &req, &q, NULL, 0), 0);
    return q;
}

static int64_t offer_remaining(const char *id)
{
    Offer *o = get_offer(id);
    int64_t v = o->remaining;
    release(o);
    return v;
}

static int64_t request_remaining(const char *id)
{
    Request *q = get_request(H.operator_key, id);
    int64_t v = q->remaining;
    release(q);
    return v;
}

/* An offer open to every State, valid always, in English, with one topic. */
static Offer offer_msg(const char *donor, int kind, char **topics, size_t n_topics, int64_t capacity)
{
    static char *en[] = {"en"};
    Offer o = UNIC__MATCHING__V1__OFFER__INIT;
    o.donor_state = (char *)donor;
    o.kind = kind;
    o.topics = topics;
    o.n_topics = n_topics;
    o.capacity = capacity;
    o.languages = en;
    o.n_languages = 1;
    o.title = "Capacity-building offer";
    return o;
}

static int create_offer(const char *key, Offer *o, const char *request_id, Offer **out, char *msg,
                        size_t size)
{
    Unic__Matching__V1__CreateOfferRequest req = UNIC__MATCHING__V1__CREATE_OFFER_REQUEST__INIT;
    req.offer = o;
    req.request_id = (char *)(request_id ? request_id : "");
    return matching_create_offer(&H, key, &req, out, msg, size);
}

static MatchPlan *propose(const char *key, const char *state)
{
    Unic__Matching__V1__ProposeMatchesRequest req = UNIC__MATCHING__V1__PROPOSE_MATCHES_REQUEST__INIT;
    char *codes[] = {(char *)state};
    MatchPlan *p = NULL;
    if (state) {
        req.state_codes = codes;
        req.n_state_codes = 1;
    }
    assert_int_equal(matching_propose_matches(&H, key, &req, &p, NULL, 0), 0);
    return p;
}

static int commit(const char *key, const char *plan, MatchPlan **out, char *msg, size_t size)
{
    Unic__Matching__V1__CommitMatchPlanRequest req = UNIC__MATCHING__V1__COMMIT_MATCH_PLAN_REQUEST__INIT;
    req.plan_id = (char *)plan;
    return matching_commit_match_plan(&H, key, &req, out, msg, size);
}

/* The same, through the replica. */
static int commit_on_replica(const char *plan)
{
    Unic__Matching__V1__CommitMatchPlanRequest req = UNIC__MATCHING__V1__COMMIT_MATCH_PLAN_REQUEST__INIT;
    req.plan_id = (char *)plan;
    return matching_commit_match_plan(&H2, H.operator_key, &req, NULL, NULL, 0);
}

static int respond(const char *key, const char *match, bool accept, Match **out)
{
    Unic__Matching__V1__RespondToMatchRequest req = UNIC__MATCHING__V1__RESPOND_TO_MATCH_REQUEST__INIT;
    req.match_id = (char *)match;
    req.accept = accept;
    req.reason = accept ? "" : "the need is covered otherwise"; /* a decline says why */
    return matching_respond_to_match(&H, key, &req, out, NULL, 0);
}

static const Match *plan_match(const MatchPlan *p, const char *offer, const char *request)
{
    for (size_t i = 0; i < p->n_matches; i++)
        if (strcmp(p->matches[i]->offer_id, offer) == 0 &&
            strcmp(p->matches[i]->request_id, request) == 0)
            return p->matches[i];
    return NULL;
}

static const Unic__Matching__V1__UnmetRequest *plan_unmet(const MatchPlan *p, const char *request)
{
    for (size_t i = 0; i < p->n_unmet; i++)
        if (strcmp(p->unmet[i]->request_id, request) == 0)
            return p->unmet[i];
    return NULL;
}

/* ---- Fixture ---- */

/* UGA's self-assessment: q1 at level 1 and q11 at level 2 against the default target 3, so two
 * gaps, of severity 2 (topics strategy, cip) and 1 (incident-response, government-networks). */
static int assess_uga(void)
{
    Unic__Responses__V1__CreateAssessmentRequest cr = UNIC__RESPONSES__V1__CREATE_ASSESSMENT_REQUEST__INIT;
    Unic__Responses__V1__Assessment *a = NULL, *saved = NULL;
    cr.state_code = "UGA";
    cr.cycle = cycle;
    cr.questionnaire_id = "cip-self-assessment";
    if (responses_create_assessment(&H, key_uga, &cr, &a, NULL, 0) != 0)
        return -1;
    Unic__Responses__V1__Answer q1 = UNIC__RESPONSES__V1__ANSWER__INIT,
                                q11 = UNIC__RESPONSES__V1__ANSWER__INIT;
    q1.question_id = "q1";
    q1.level_value_case = UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
    q1.level = 1;
    q11.question_id = "q11";
    q11.level_value_case = UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
    q11.level = 2;
    Unic__Responses__V1__Answer *answers[] = {&q1, &q11};
    Unic__Responses__V1__SaveAnswersRequest sr = UNIC__RESPONSES__V1__SAVE_ANSWERS_REQUEST__INIT;
    sr.assessment_id = a->id;
    sr.etag = a->etag;
    sr.answers = answers;
    sr.n_answers = 2;
    int rc = responses_save_answers(&H, key_uga, &sr, &saved, NULL, 0);
    /* UNIC-visible, so that the operator's checks below read the figures derived from it; a
     * PRIVATE one hides them from operators too (test_derived_figures.py) */
    Unic__Responses__V1__SetVisibilityRequest vr = UNIC__RESPONSES__V1__SET_VISIBILITY_REQUEST__INIT;
    Unic__Responses__V1__Assessment *shared = NULL;
    if (rc == 0) {
        vr.assessment_id = saved->id;
        vr.etag = saved->etag;
        vr.visibility = UNIC__COMMON__V1__VISIBILITY__UNIC;
        rc = responses_set_visibility(&H, key_uga, &vr, &shared, NULL, 0);
    }
    release(a);
    release(saved);
    release(shared);
    return rc == 0 ? 0 : -1;
}

static int start_replica(void)
{
    H2 = H;
    snprintf(H2.name, sizeof H2.name, "%.40s-replica", H.name);
    for (int i = 0; i < SVC_COUNT; i++) {
        H2.svc[i].pid = 0;
        H2.svc[i].client = NULL;
    }
    H2.svc[SVC_MATCHING].port = H.port_base + SVC_COUNT;
    snprintf(H2.svc[SVC_MATCHING].addr, sizeof H2.svc[SVC_MATCHING].addr, "127.0.0.1:%d",
             H2.svc[SVC_MATCHING].port);
    return harness_start(&H2, SVC_MATCHING, NULL);
}

static int setup(void **state)
{
    (void)state;
    cycle = text_current_year();
    if (harness_init(&H, "matching") < 0 || harness_start(&H, SVC_CATALOG, NULL) < 0 ||
        harness_start(&H, SVC_RESPONSES, NULL) < 0 || harness_start(&H, SVC_SCORING, NULL) < 0 ||
        harness_start(&H, SVC_MATCHING, NULL) < 0 || start_replica() < 0 ||
        harness_key(&H, ROLE_STATE, "UGA", key_uga) < 0 ||
        harness_key(&H, ROLE_STATE, "FRA", key_fra) < 0 ||
        harness_key(&H, ROLE_STATE, "JPN", key_jpn) < 0 ||
        harness_key(&H, ROLE_STATE, "KEN", key_ken) < 0 ||
        harness_key(&H, ROLE_SERVICE, NULL, key_service) < 0 || assess_uga() < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    harness_destroy(&H2);
    harness_destroy(&H);
    return 0;
}

/* ---- The flow ---- */

static Unic__Matching__V1__DeriveRequestsResponse *derive(const char *key)
{
    Unic__Matching__V1__DeriveRequestsRequest req = UNIC__MATCHING__V1__DERIVE_REQUESTS_REQUEST__INIT;
    Unic__Common__V1__SupportKind kinds[] = {TRAINING, EXPERTISE};
    char *langs[] = {"en"};
    Unic__Matching__V1__DeriveRequestsResponse *r = NULL;
    req.cycle = cycle;
    req.kinds = kinds;
    req.n_kinds = 2;
    req.languages = langs;
    req.n_languages = 1;
    assert_int_equal(matching_derive_requests(&H, key, &req, &r, NULL, 0), 0);
    return r;
}

static bool has_topic(const Request *q, const char *topic)
{
    for (size_t t = 0; t < q->n_topics; t++)
        if (strcmp(q->topics[t], topic) == 0)
            return true;
    return false;
}

/* The request of one gap and kind, which must cover `topic`. */
static const Request *find_request(const Unic__Matching__V1__DeriveRequestsResponse *r,
                                   const char *question, const char *topic, int kind)
{
    for (size_t i = 0; i < r->n_requests; i++) {
        const Request *q = r->requests[i];
        if (strcmp(q->source_question_id, question) == 0 && (int)q->kind == kind)
            return has_topic(q, topic) ? q : NULL;
    }
    return NULL;
}

static void test_gaps_become_requests_by_the_quantity_rule(void **state)
{
    (void)state;
    Unic__Matching__V1__DeriveRequestsResponse *r = derive(key_uga);
    /* 2 gaps x 2 kinds: topics are what the request covers, never a multiplier */
    assert_int_equal(r->n_requests, 4);
    assert_int_equal(r->created, 4);
    const Request *q = find_request(r, "q1", "cip", TRAINING);
    assert_non_null(q);
    assert_string_equal(q->state_code, "UGA");
    assert_int_equal(q->quantity, 10); /* severity 2 x 5 seats */
    assert_int_equal(q->remaining, 10);
    assert_int_equal(q->priority, 2);
    assert_true(q->gap_severity == 2.0);
    assert_int_equal(q->source_cycle, cycle);
    assert_true(has_topic(q, "strategy"));
    assert_int_equal(q->n_topics, 2);
    snprintf(F.req_cip_training, sizeof F.req_cip_training, "%s", q->id);
    q = find_request(r, "q1", "strategy", EXPERTISE);
    assert_non_null(q);
    assert_int_equal(q->quantity, 20); /* severity 2 x 10 expert-days */
    q = find_request(r, "q11", "government-networks", TRAINING);
    assert_non_null(q);
    assert_int_equal(q->quantity, 5); /* severity 1 x 5 seats */
    snprintf(F.req_q11_training, sizeof F.req_q11_training, "%s", q->id);
    q = find_request(r, "q11", "incident-response", EXPERTISE);
    assert_non_null(q);
    assert_int_equal(q->quantity, 10);
    assert_int_equal(q->priority, 1);
    snprintf(F.req_ir_expertise, sizeof F.req_ir_expertise, "%s", q->id);
    release(r);
}

static void test_deriving_again_creates_nothing_and_returns_the_same_requests(void **state)
{
    (void)state;
    Unic__Matching__V1__DeriveRequestsResponse *r = derive(key_uga);
    assert_int_equal(r->n_requests, 4);
    assert_int_equal(r->created, 0);
    const Request *q = find_request(r, "q1", "cip", TRAINING);
    assert_non_null(q);
    assert_string_equal(q->id, F.req_cip_training);
    release(r);
}

static void test_donors_offer(void **state)
{
    (void)state;
    char *cip[] = {"cip"}, *ir[] = {"incident-response"}, *africa[] = {"Africa"};
    char *en_fr[] = {"en", "fr"};
    Offer o = offer_msg("", TRAINING, cip, 1, 30), *fra = NULL, *jpn = NULL;
    o.eligible_regions = africa;
    o.n_eligible_regions = 1;
    o.languages = en_fr;
    o.n_languages = 2;
    o.description = "Two-week course on protecting critical infrastructure.\nIn Nairobi.";
    assert_int_equal(create_offer(key_fra, &o, NULL, &fra, NULL, 0), 0);
    assert_string_equal(fra->donor_state, "FRA"); /* defaults to the caller */
    assert_int_equal(fra->remaining, 30);
    assert_string_equal(fra->unit, "seats");
    assert_int_equal(fra->status, UNIC__MATCHING__V1__OFFER_STATUS__OFFER_OPEN);
    snprintf(F.offer_fra, sizeof F.offer_fra, "%s", fra->id);

    Offer p = offer_msg("JPN", EXPERTISE, ir, 1, 6);
    assert_int_equal(create_offer(key_jpn, &p, NULL, &jpn, NULL, 0), 0);
    assert_string_equal(jpn->unit, "expert-days");
    snprintf(F.offer_jpn, sizeof F.offer_jpn, "%s", jpn->id);
    release(fra);
    release(jpn);
}

static void test_proposed_plan_matches_gaps_with_offers_and_explains(void **state)
{
    (void)state;
    MatchPlan *p = propose(H.operator_key, "UGA");
    assert_int_equal(p->status, UNIC__MATCHING__V1__PLAN_STATUS__PLAN_PROPOSED);
    assert_int_equal(p->n_matches, 2);
    const Match *a = plan_match(p, F.offer_fra, F.req_cip_training);
    const Match *b = plan_match(p, F.offer_jpn, F.req_ir_expertise);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->quantity, 10);
    assert_int_equal(b->quantity, 6);
    assert_int_equal(a->status, UNIC__MATCHING__V1__MATCH_STATUS__PROPOSED);
    /* unit benefit = priority x severity x 1.5 (UGA is an LDC): 2 x 2 x 1.5 = 6 per seat,
     * 1 x 1 x 1.5 = 1.5 per expert-day */
    assert_true(a->benefit == 60.0);
    assert_true(b->benefit == 9.0);
    assert_true(p->objective == 69.0);
    /* the explanation names the gap, its severity, the topic, the donor and the LDC priority */
    assert_non_null(strstr(a->explanation, "q1"));
    assert_non_null(strstr(a->explanation, "cip"));
    assert_non_null(strstr(a->explanation, "FRA"));
    assert_non_null(strstr(a->explanation, "Africa"));
    assert_non_null(strstr(a->explanation, "least developed"));
    const Unic__Matching__V1__UnmetRequest *u = plan_unmet(p, F.req_ir_expertise);
    assert_non_null(u);
    assert_int_equal(u->remaining, 4);
    assert_non_null(strstr(u->reason, "CAPACITY_EXHAUSTED"));
    assert_int_equal(p->n_unmet, 3); /* two with no offer at all, one short of capacity */
    /* nothing moves before the commit */
    assert_int_equal(offer_remaining(F.offer_fra), 30);
    snprintf(F.plan, sizeof F.plan, "%s", p->id);
    snprintf(F.match_fra, sizeof F.match_fra, "%s", a->id);
    snprintf(F.match_jpn, sizeof F.match_jpn, "%s", b->id);
    release(p);
}

static void test_only_operators_commit(void **state)
{
    (void)state;
    char msg[256];
    assert_int_equal(commit(key_uga, F.plan, NULL, msg, sizeof msg), ERR_PERMISSION_DENIED);
}

static void test_commit_moves_capacities_and_offers_matches(void **state)
{
    (void)state;
    MatchPlan *p = NULL;
    assert_int_equal(commit(H.operator_key, F.plan, &p, NULL, 0), 0);
    assert_int_equal(p->status, UNIC__MATCHING__V1__PLAN_STATUS__PLAN_COMMITTED);
    for (size_t i = 0; i < p->n_matches; i++)
        assert_int_equal(p->matches[i]->status, UNIC__MATCHING__V1__MATCH_STATUS__OFFERED);
    release(p);
    assert_int_equal(offer_remaining(F.offer_fra), 20);
    Offer *jpn = get_offer(F.offer_jpn);
    assert_int_equal(jpn->remaining, 0);
    assert_int_equal(jpn->status, UNIC__MATCHING__V1__OFFER_STATUS__OFFER_EXHAUSTED);
    release(jpn);
    Request *q = get_request(H.operator_key, F.req_cip_training);
    assert_int_equal(q->remaining, 0);
    assert_int_equal(q->status, UNIC__MATCHING__V1__REQUEST_STATUS__REQUEST_FULFILLED);
    release(q);
    assert_int_equal(request_remaining(F.req_ir_expertise), 4);
}

static void test_committing_a_plan_twice_is_a_failed_precondition(void **state)
{
    (void)state;
    char msg[256];
    assert_int_equal(commit(H.operator_key, F.plan, NULL, msg, sizeof msg),
                     ERR_FAILED_PRECONDITION);
    assert_non_null(strstr(msg, "already committed"));
    assert_int_equal(offer_remaining(F.offer_fra), 20);
}

/* A derived request's quantity, remaining and priority are ceil(severity x unit), ceil(severity)
 * and what is left of the first: shown to a donor they give the severity back (issue 18). */
static void assert_nothing_derived_shows(const Request *q)
{
    assert_string_equal(q->source_question_id, "");
    assert_true(q->gap_severity == 0.0);
    assert_int_equal(q->source_cycle, 0);
    assert_int_equal(q->quantity, 0);
    assert_int_equal(q->remaining, 0);
    assert_int_equal(q->priority, 0);
}

static void test_a_donor_cannot_recover_a_severity_from_any_field(void **state)
{
    (void)state;
    Request *q = get_request(key_uga, F.req_cip_training); /* its own */
    assert_string_equal(q->source_question_id, "q1");
    assert_int_equal(q->quantity, 10);
    release(q);
    q = get_request(H.operator_key, F.req_cip_training); /* UGA lets UNIC read it */
    assert_true(q->gap_severity == 2.0);
    release(q);
    /* FRA is matched with it in a committed plan; JPN is a donor, not of this request; KEN any
     * State; and a service key. */
    const char *others[] = {key_fra, key_jpn, key_ken, key_service};
    for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
        q = get_request(others[k], F.req_cip_training);
        assert_nothing_derived_shows(q);
        release(q);
        Unic__Matching__V1__ListRequestsRequest lr = UNIC__MATCHING__V1__LIST_REQUESTS_REQUEST__INIT;
        Unic__Matching__V1__ListRequestsResponse *list = NULL;
        lr.state_code = "UGA";
        assert_int_equal(matching_list_requests(&H, others[k], &lr, &list, NULL, 0), 0);
        assert_int_equal(list->n_requests, 4);
        for (size_t i = 0; i < list->n_requests; i++)
            assert_nothing_derived_shows(list->requests[i]);
        release(list);
    }
    /* The donor's view of its match: no quantity, no benefit, no figure in the explanation. */
    Unic__Matching__V1__ListMatchesRequest mr = UNIC__MATCHING__V1__LIST_MATCHES_REQUEST__INIT;
    Unic__Matching__V1__ListMatchesResponse *ms = NULL;
    assert_int_equal(matching_list_matches(&H, key_fra, &mr, &ms, NULL, 0), 0);
    assert_int_equal(ms->n_matches, 1);
    assert_int_equal(ms->matches[0]->quantity, 0);
    assert_true(ms->matches[0]->benefit == 0.0);
    assert_null(strpbrk(ms->matches[0]->explanation, "0123456789"));
    release(ms);
    assert_int_equal(matching_list_matches(&H, key_uga, &mr, &ms, NULL, 0), 0);
    bool seen = false;
    for (size_t i = 0; i < ms->n_matches; i++)
        if (strcmp(ms->matches[i]->id, F.match_fra) == 0) {
            assert_int_equal(ms->matches[i]->quantity, 10); /* the recipient sees it whole */
            seen = true;
        }
    assert_true(seen);
    release(ms);
}

static void test_both_parties_accept(void **state)
{
    (void)state;
    Match *m = NULL;
    assert_int_equal(respond(key_fra, F.match_fra, true, &m), 0);
    assert_int_equal(m->status, UNIC__MATCHING__V1__MATCH_STATUS__OFFERED);
    assert_true(m->donor_accepted);
    assert_false(m->recipient_accepted);
    release(m);
    assert_int_equal(respond(key_uga, F.match_fra, true, &m), 0);
    assert_int_equal(m->status, UNIC__MATCHING__V1__MATCH_STATUS__ACCEPTED);
    assert_true(m->donor_accepted && m->recipient_accepted);
    release(m);
    /* accepted is final: it can no longer be declined, and nothing moved back */
    assert_int_equal(respond(key_uga, F.match_fra, false, NULL), ERR_FAILED_PRECONDITION);
    assert_int_equal(offer_remaining(F.offer_fra), 20);
    assert_int_equal(request_remaining(F.req_cip_training), 0);
}

static void test_only_the_parties_respond(void **state)
{
    (void)state;
    assert_int_equal(respond(key_ken, F.match_jpn, true, NULL), ERR_PERMISSION_DENIED);
    assert_int_equal(respond(key_fra, F.match_jpn, true, NULL), ERR_PERMISSION_DENIED);
    /* an operator answers only for a party it names, saying why (test_match_lifecycle.py) */
    assert_int_equal(respond(H.operator_key, F.match_jpn, true, NULL), ERR_INVALID_ARGUMENT);
    /* an id that does not exist gets the same answer as another State's match */
    assert_int_equal(respond(key_ken, "00000000-0000-4000-8000-000000000000", true, NULL),
                     ERR_PERMISSION_DENIED);
}

static void test_a_decline_returns_the_quantity(void **state)
{
    (void)state;
    Match *m = NULL;
    assert_int_equal(respond(key_jpn, F.match_jpn, true, NULL), 0);
    assert_int_equal(respond(key_uga, F.match_jpn, false, &m), 0);
    assert_int_equal(m->status, UNIC__MATCHING__V1__MATCH_STATUS__DECLINED);
    release(m);
    Offer *jpn = get_offer(F.offer_jpn);
    assert_int_equal(jpn->remaining, 6);
    assert_int_equal(jpn->status, UNIC__MATCHING__V1__OFFER_STATUS__OFFER_OPEN);
    release(jpn);
    assert_int_equal(request_remaining(F.req_ir_expertise), 10);
    assert_int_equal(respond(key_jpn, F.match_jpn, true, NULL), ERR_FAILED_PRECONDITION);
}

static void test_parties_list_their_matches(void **state)
{
    (void)state;
    Unic__Matching__V1__ListMatchesRequest req = UNIC__MATCHING__V1__LIST_MATCHES_REQUEST__INIT;
    Unic__Matching__V1__ListMatchesResponse *r = NULL;
    assert_int_equal(matching_list_matches(&H, key_fra, &req, &r, NULL, 0), 0);
    assert_int_equal(r->n_matches, 1);
    assert_string_equal(r->matches[0]->id, F.match_fra);
    assert_int_equal(r->matches[0]->status, UNIC__MATCHING__V1__MATCH_STATUS__ACCEPTED);
    release(r);
    assert_int_equal(matching_list_matches(&H, key_ken, &req, &r, NULL, 0), 0);
    assert_int_equal(r->n_matches, 0);
    release(r);
    req.state_code = "UGA";
    char msg[256];
    assert_int_equal(matching_list_matches(&H, key_ken, &req, NULL, msg, sizeof msg),
                     ERR_PERMISSION_DENIED);
    req.state_code = "";
    req.plan_id = F.plan;
    req.page_size = 1;
    assert_int_equal(matching_list_matches(&H, H.operator_key, &req, &r, NULL, 0), 0);
    assert_int_equal(r->n_matches, 1);
    assert_string_not_equal(r->next_page_token, "");
    char token[32];
    snprintf(token, sizeof token, "%s", r->next_page_token);
    char first[40];
    snprintf(first, sizeof first, "%s", r->matches[0]->id);
    release(r);
    req.page_token = token;
    assert_int_equal(matching_list_matches(&H, H.operator_key, &req, &r, NULL, 0), 0);
    assert_int_equal(r->n_matches, 1);
    assert_string_not_equal(r->matches[0]->id, first);
    assert_string_equal(r->next_page_token, "");
    release(r);
}

/* ---- Concurrency ---- */

struct committer {
    pthread_barrier_t *start;
    const char *plan;
    bool replica;
    int code;
};

static void *commit_thread(void *arg)
{
    struct committer *t = arg;
    pthread_barrier_wait(t->start);
    t->code = t->replica ? commit_on_replica(t->plan) : commit(H.operator_key, t->plan, NULL, NULL, 0);
    return NULL;
}

/* Backends of the test database waiting for a lock right now. */
static int lock_waiters(void)
{
    PGconn *probe = PQconnectdb(H.db_url);
    PGresult *w = PQexec(probe, "SELECT count(*) FROM pg_stat_activity"
                                " WHERE datname = current_database() AND wait_event_type = 'Lock'");
    int n = PQresultStatus(w) == PGRES_TUPLES_OK ? atoi(PQgetvalue(w, 0, 0)) : -1;
    PQclear(w);
    PQfinish(probe);
    return n;
}

/* Runs two commits truly at once, one through each replica: a transaction of the test's own
 * holds `lock_sql` (a row lock both commits need) until both are seen waiting for a lock in
 * pg_stat_activity, then lets them go together. Returns how many succeeded, their codes in c1
 * and c2, and in *waiting how many commits were blocked together (2 when the race was real). */
static int commit_race(const char *p1, const char *p2, const char *lock_sql, const char *lock_id,
                       int *c1, int *c2, int *waiting)
{
    PGconn *holder = PQconnectdb(H.db_url);
    PGresult *r = PQexec(holder, "BEGIN");
    PQclear(r);
    const char *params[] = {lock_id};
    r = PQexecParams(holder, lock_sql, 1, NULL, params, NULL, NULL, 0);
    bool locked = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);

    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 2);
    struct committer a = {&start, p1, false, -1}, b = {&start, p2, true, -1};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, commit_thread, &a);
    pthread_create(&tb, NULL, commit_thread, &b);
    *waiting = 0;
    for (int i = 0; i < 300 && locked && *waiting < 2; i++) {
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        *waiting = lock_waiters();
    }
    r = PQexec(holder, "COMMIT"); /* on every path, before any assertion can leave */
    PQclear(r);
    PQfinish(holder);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&start);
    assert_true(locked);
    *c1 = a.code;
    *c2 = b.code;
    return (a.code == 0) + (b.code == 0);
}

/* No offer or request ever gives more than it has: what committed matches hold plus what is
 * left is exactly the capacity (or quantity). */
static void assert_nothing_over_committed(void)
{
    assert_int_equal(
        harness_sql(&H,
                    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM matching.offers o WHERE o.capacity <>"
                    " o.remaining + (SELECT coalesce(sum(quantity), 0) FROM matching.matches m"
                    " WHERE m.offer_id = o.id AND m.status IN ('OFFERED', 'ACCEPTED')))"
                    " OR EXISTS (SELECT 1 FROM matching.requests r WHERE r.quantity <>"
                    " r.remaining + (SELECT coalesce(sum(quantity), 0) FROM matching.matches m"
                    " WHERE m.request_id = r.id AND m.status IN ('OFFERED', 'ACCEPTED')))"
                    " THEN RAISE EXCEPTION 'capacity accounting broken'; END IF; END $$"),
        0);
}

static void test_concurrent_commits_of_plans_sharing_an_offer_never_over_commit(void **state)
{
    (void)state;
    /* JPN's 6 expert-days are back; two plans both give them to UGA's incident-response need */
    for (int round = 0; round < 3; round++) {
        MatchPlan *p1 = propose(H.operator_key, "UGA"), *p2 = propose(H.operator_key, NULL);
        assert_non_null(plan_match(p1, F.offer_jpn, F.req_ir_expertise));
        assert_non_null(plan_match(p2, F.offer_jpn, F.req_ir_expertise));
        int c1, c2, waiting;
        assert_int_equal(commit_race(p1->id, p2->id,
                                     "SELECT id FROM matching.offers WHERE id = $1 FOR UPDATE",
                                     F.offer_jpn, &c1, &c2, &waiting),
                         1);
        assert_int_equal(waiting, 2); /* both were blocked on the offer at the same moment */
        assert_int_equal(c1 == 0 ? c2 : c1, ERR_ABORTED);
        assert_int_equal(offer_remaining(F.offer_jpn), 0);
        assert_int_equal(request_remaining(F.req_ir_expertise), 4);
        assert_nothing_over_committed();

        /* the loser's matches say it can no longer be committed */
        const char *loser = c1 == 0 ? p2->id : p1->id;
        Unic__Matching__V1__ListMatchesRequest lr = UNIC__MATCHING__V1__LIST_MATCHES_REQUEST__INIT;
        Unic__Matching__V1__ListMatchesResponse *r = NULL;
        lr.plan_id = (char *)loser;
        assert_int_equal(matching_list_matches(&H, H.operator_key, &lr, &r, NULL, 0), 0);
        assert_true(r->n_matches > 0);
        for (size_t i = 0; i < r->n_matches; i++)
            assert_int_equal(r->matches[i]->status, UNIC__MATCHING__V1__MATCH_STATUS__SUPERSEDED);
        release(r);
        char msg[256];
        assert_int_equal(commit(H.operator_key, loser, NULL, msg, sizeof msg), ERR_ABORTED);

        /* decline the winner's match to put the 6 expert-days back for the next round */
        const MatchPlan *won = c1 == 0 ? p1 : p2;
        const Match *m = plan_match(won, F.offer_jpn, F.req_ir_expertise);
        assert_int_equal(respond(key_jpn, m->id, false, NULL), 0);
        assert_int_equal(offer_remaining(F.offer_jpn), 6);
        release(p1);
        release(p2);
    }
}

static void test_concurrent_commits_of_one_plan_commit_it_once(void **state)
{
    (void)state;
    MatchPlan *p = propose(H.operator_key, "UGA");
    int c1, c2, waiting;
    assert_int_equal(commit_race(p->id, p->id,
                                 "SELECT id FROM matching.plans WHERE id = $1 FOR UPDATE", p->id,
                                 &c1, &c2, &waiting),
                     1);
    assert_int_equal(waiting, 2);
    int loser = c1 == 0 ? c2 : c1;
    assert_true(loser == ERR_FAILED_PRECONDITION || loser == ERR_ABORTED);
    assert_int_equal(offer_remaining(F.offer_jpn), 0);
    assert_int_equal(request_remaining(F.req_ir_expertise), 4);
    assert_nothing_over_committed();
    release(p);
}

static void test_a_plan_computed_before_a_change_is_aborted_and_writes_nothing(void **state)
{
    (void)state;
    char *networks[] = {"government-networks"};
    Offer o = offer_msg("", TRAINING, networks, 1, 8), *created = NULL, *updated = NULL;
    assert_int_equal(create_offer(key_fra, &o, NULL, &created, NULL, 0), 0);
    MatchPlan *p = propose(H.operator_key, "UGA");
    const Match *m = plan_match(p, created->id, F.req_q11_training);
    assert_non_null(m);
    assert_int_equal(m->quantity, 5);

    /* the donor edits its offer after the plan was computed */
    Unic__Matching__V1__UpdateOfferRequest ur = UNIC__MATCHING__V1__UPDATE_OFFER_REQUEST__INIT;
    Offer in = *created;
    in.title = "Strategy workshop, new dates";
    ur.offer = &in;
    assert_int_equal(matching_update_offer(&H, key_fra, &ur, &updated, NULL, 0), 0);

    char msg[256];
    assert_int_equal(commit(H.operator_key, p->id, NULL, msg, sizeof msg), ERR_ABORTED);
    assert_non_null(strstr(msg, created->id));
    assert_int_equal(offer_remaining(created->id), 8);
    assert_int_equal(request_remaining(F.req_q11_training), 5);
    Unic__Matching__V1__ListMatchesRequest lr = UNIC__MATCHING__V1__LIST_MATCHES_REQUEST__INIT;
    Unic__Matching__V1__ListMatchesResponse *r = NULL;
    lr.plan_id = p->id;
    assert_int_equal(matching_list_matches(&H, H.operator_key, &lr, &r, NULL, 0), 0);
    assert_int_equal(r->n_matches, p->n_matches);
    for (size_t i = 0; i < r->n_matches; i++)
        assert_int_equal(r->matches[i]->status, UNIC__MATCHING__V1__MATCH_STATUS__PROPOSED);
    release(r);
    release(p);
    release(created);
    release(updated);
}

/* ---- Validation ---- */

static void expect_invalid_offer(Offer *o, const char *field)
{
    char msg[512];
    int code = create_offer(key_fra, o, NULL, NULL, msg, sizeof msg);
    if (code != ERR_INVALID_ARGUMENT || strstr(msg, field) == NULL)
        fail_msg("expected INVALID_ARGUMENT naming %s, got %s: %s", field, err_code_name(code), msg);
}

static void test_offer_validation_names_the_field(void **state)
{
    (void)state;
    char *cip[] = {"cip"}, *bogus[] = {"not-a-topic"}, *twice[] = {"cip", "cip"};
    char *xxx[] = {"XXX"}, *self[] = {"FRA"}, *atlantis[] = {"Atlantis"}, *badlang[] = {"english"};
    Offer o = offer_msg("", TRAINING, bogus, 1, 5);
    expect_invalid_offer(&o, "offer.topics[0]");
    o = offer_msg("", TRAINING, twice, 2, 5);
    expect_invalid_offer(&o, "offer.topics");
    o = offer_msg("", 0, cip, 1, 5);
    expect_invalid_offer(&o, "offer.kind");
    o = offer_msg("", 9, cip, 1, 5);
    expect_invalid_offer(&o, "offer.kind");
    o = offer_msg("", TRAINING, cip, 1, 0);
    expect_invalid_offer(&o, "offer.capacity");
    o = offer_msg("", TRAINING, cip, 1, -3);
    expect_invalid_offer(&o, "offer.capacity");
    o = offer_msg("", TRAINING, cip, 1, 1000000001);
    expect_invalid_offer(&o, "offer.capacity");
    o = offer_msg("", TRAINING, cip, 1, 5);
    o.valid_from = "2026-03-01";
    o.valid_until = "2026-02-01";
    expect_invalid_offer(&o, "offer.valid_until");
    o.valid_from = "2026-02-30";
    o.valid_until = "";
    expect_invalid_offer(&o, "offer.valid_from");
    o = offer_msg("", TRAINING, cip, 1, 5);
    o.eligible_states = xxx;
    o.n_eligible_states = 1;
    expect_invalid_offer(&o, "offer.eligible_states[0]");
    o.eligible_states = self;
    expect_invalid_offer(&o, "offer.eligible_states[0]");
    o = offer_msg("", TRAINING, cip, 1, 5);
    o.eligible_regions = atlantis;
    o.n_eligible_regions = 1;
    expect_invalid_offer(&o, "offer.eligible_regions[0]");
    o = offer_msg("", TRAINING, cip, 1, 5);
    o.languages = badlang;
    expect_invalid_offer(&o, "offer.languages[0]");
    o = offer_msg("", TRAINING, cip, 1, 5);
    o.title = "bell\x07";
    expect_invalid_offer(&o, "offer.title");
    o.title = "bad \xff utf-8";
    expect_invalid_offer(&o, "offer.title");
    o.title = "";
    expect_invalid_offer(&o, "offer.title");
    o = offer_msg("", TRAINING, cip, 1, 5);
    o.description = "nul-free but \x1b escape";
    expect_invalid_offer(&o, "offer.description");
}

static void test_request_validation_names_the_field(void **state)
{
    (void)state;
    Unic__Matching__V1__CreateRequestRequest req = UNIC__MATCHING__V1__CREATE_REQUEST_REQUEST__INIT;
    Request q = UNIC__MATCHING__V1__REQUEST__INIT;
    char msg[512];
    req.request = &q;
    q.kind = EQUIPMENT;
    q.topic = "cip";
    q.quantity = 0;
    assert_int_equal(matching_create_request(&H, key_uga, &req, NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "request.quantity"));
    q.quantity = 3;
    q.topic = "nope";
    assert_int_equal(matching_create_request(&H, key_uga, &req, NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "request.topic"));
    q.topic = "cip";
    q.priority = 6;
    assert_int_equal(matching_create_request(&H, key_uga, &req, NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "request.priority"));
    q.priority = 0;
    q.gap_severity = 99;
    assert_int_equal(matching_create_request(&H, key_uga, &req, NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "request.gap_severity"));
    q.gap_severity = 0;
    q.state_code = "";
    assert_int_equal(matching_create_request(&H, H.operator_key, &req, NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "request.state_code"));
    q.state_code = "ZZZ";
    assert_int_equal(matching_create_request(&H, H.operator_key, &req, NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "request.state_code"));

    Request *made = NULL;
    q.state_code = "";
    assert_int_equal(matching_create_request(&H, key_uga, &req, &made, NULL, 0), 0);
    assert_int_equal(made->priority, 3); /* the default */
    assert_string_equal(made->state_code, "UGA");
    assert_int_equal(made->remaining, 3);
    release(made);
}

static void test_ids_and_pages_are_checked(void **state)
{
    (void)state;
    char msg[256];
    Unic__Matching__V1__GetOfferRequest g = UNIC__MATCHING__V1__GET_OFFER_REQUEST__INIT;
    g.offer_id = "'; DROP TABLE matching.offers; --";
    assert_int_equal(matching_get_offer(&H, key_ken, &g, NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "offer_id"));
    g.offer_id = "00000000-0000-4000-8000-000000000000";
    assert_int_equal(matching_get_offer(&H, key_ken, &g, NULL, msg, sizeof msg), ERR_NOT_FOUND);
    Unic__Matching__V1__ListOffersRequest l = UNIC__MATCHING__V1__LIST_OFFERS_REQUEST__INIT;
    l.page_token = "abc";
    assert_int_equal(matching_list_offers(&H, key_ken, &l, NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "page_token"));
    l.page_token = "";
    l.page_size = 501;
    assert_int_equal(matching_list_offers(&H, key_ken, &l, NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "page_size"));
    Unic__Matching__V1__ProposeMatchesRequest p = UNIC__MATCHING__V1__PROPOSE_MATCHES_REQUEST__INIT;
    p.as_of = "tomorrow";
    assert_int_equal(matching_propose_matches(&H, H.operator_key, &p, NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "as_of"));
}

/* ---- Access ---- */

static void test_states_act_only_for_themselves(void **state)
{
    (void)state;
    char *cip[] = {"cip"};
    char msg[256];
    Offer o = offer_msg("JPN", TRAINING, cip, 1, 5);
    assert_int_equal(create_offer(key_fra, &o, NULL, NULL, msg, sizeof msg), ERR_PERMISSION_DENIED);

    Unic__Matching__V1__CreateRequestRequest cr = UNIC__MATCHING__V1__CREATE_REQUEST_REQUEST__INIT;
    Request q = UNIC__MATCHING__V1__REQUEST__INIT;
    cr.request = &q;
    q.state_code = "UGA";
    q.kind = TRAINING;
    q.topic = "cip";
    q.quantity = 2;
    assert_int_equal(matching_create_request(&H, key_fra, &cr, NULL, msg, sizeof msg),
                     ERR_PERMISSION_DENIED);

    Unic__Matching__V1__DeriveRequestsRequest dr = UNIC__MATCHING__V1__DERIVE_REQUESTS_REQUEST__INIT;
    dr.state_code = "KEN";
    dr.cycle = cycle;
    assert_int_equal(matching_derive_requests(&H, key_uga, &dr, NULL, msg, sizeof msg),
                     ERR_PERMISSION_DENIED);

    Unic__Matching__V1__ProposeMatchesRequest pr = UNIC__MATCHING__V1__PROPOSE_MATCHES_REQUEST__INIT;
    char *uga[] = {"UGA"};
    pr.state_codes = uga;
    pr.n_state_codes = 1;
    assert_int_equal(matching_propose_matches(&H, key_ken, &pr, NULL, msg, sizeof msg),
                     ERR_PERMISSION_DENIED);

    /* a SERVICE key reads but writes nothing */
    Offer s = offer_msg("FRA", TRAINING, cip, 1, 5);
    assert_int_equal(create_offer(key_service, &s, NULL, NULL, msg, sizeof msg),
                     ERR_PERMISSION_DENIED);
    Unic__Matching__V1__ListOffersRequest l = UNIC__MATCHING__V1__LIST_OFFERS_REQUEST__INIT;
    assert_int_equal(matching_list_offers(&H, key_service, &l, NULL, msg, sizeof msg), 0);
}

static void test_a_state_proposes_for_its_own_requests_only(void **state)
{
    (void)state;
    MatchPlan *p = propose(key_uga, NULL);
    for (size_t i = 0; i < p->n_matches; i++)
        assert_string_equal(p->matches[i]->recipient_state, "UGA");
    for (size_t i = 0; i < p->n_unmet; i++)
        assert_string_equal(p->unmet[i]->state_code, "UGA");
    release(p);
}

static void test_any_key_lists_offers_page_by_page(void **state)
{
    (void)state;
    Unic__Matching__V1__ListOffersRequest l = UNIC__MATCHING__V1__LIST_OFFERS_REQUEST__INIT;
    Unic__Matching__V1__ListOffersResponse *r = NULL;
    l.donor_state = "FRA";
    l.page_size = 1;
    char token[32] = "";
    size_t seen = 0;
    for (;;) {
        l.page_token = token;
        assert_int_equal(matching_list_offers(&H, key_ken, &l, &r, NULL, 0), 0);
        for (size_t i = 0; i < r->n_offers; i++)
            assert_string_equal(r->offers[i]->donor_state, "FRA");
        seen += r->n_offers;
        snprintf(token, sizeof token, "%s", r->next_page_token);
        release(r);
        if (token[0] == '\0')
            break;
        assert_true(seen < 100);
    }
    assert_true(seen >= 2);
    l.donor_state = "";
    l.kind = EXPERTISE;
    l.topic = "incident-response";
    l.page_size = 0;
    l.page_token = "";
    assert_int_equal(matching_list_offers(&H, key_ken, &l, &r, NULL, 0), 0);
    assert_int_equal(r->n_offers, 1);
    assert_string_equal(r->offers[0]->id, F.offer_jpn);
    release(r);
}

static void test_stale_etags_are_aborted_and_others_offers_denied(void **state)
{
    (void)state;
    Offer *fra = get_offer(F.offer_fra);
    char msg[256], etag[32];
    snprintf(etag, sizeof etag, "%s", fra->etag);
    Unic__Matching__V1__UpdateOfferRequest ur = UNIC__MATCHING__V1__UPDATE_OFFER_REQUEST__INIT;
    Offer in = *fra, *updated = NULL;
    ur.offer = &in;
    in.title = "Critical infrastructure protection course (updated)";
    assert_int_equal(matching_update_offer(&H, key_jpn, &ur, NULL, msg, sizeof msg),
                     ERR_PERMISSION_DENIED);
    assert_int_equal(matching_update_offer(&H, key_fra, &ur, &updated, NULL, 0), 0);
    assert_string_not_equal(updated->etag, etag);
    assert_int_equal(updated->capacity, 30);
    assert_int_equal(updated->remaining, 20);
    release(updated);
    /* the same etag again is stale now */
    assert_int_equal(matching_update_offer(&H, key_fra, &ur, NULL, msg, sizeof msg), ERR_ABORTED);
    /* capacity cannot fall below what is committed (10 seats to UGA) */
    Offer *now = get_offer(F.offer_fra);
    in.etag = now->etag;
    in.capacity = 9;
    assert_int_equal(matching_update_offer(&H, key_fra, &ur, NULL, msg, sizeof msg),
                     ERR_FAILED_PRECONDITION);
    in.capacity = 12;
    assert_int_equal(matching_update_offer(&H, key_fra, &ur, &updated, NULL, 0), 0);
    assert_int_equal(updated->remaining, 2);
    Unic__Matching__V1__WithdrawOfferRequest wr = UNIC__MATCHING__V1__WITHDRAW_OFFER_REQUEST__INIT;
    wr.offer_id = F.offer_fra;
    wr.etag = now->etag; /* stale */
    assert_int_equal(matching_withdraw_offer(&H, key_fra, &wr, NULL, msg, sizeof msg), ERR_ABORTED);
    wr.etag = updated->etag;
    assert_int_equal(matching_withdraw_offer(&H, key_jpn, &wr, NULL, msg, sizeof msg),
                     ERR_PERMISSION_DENIED);
    Offer *gone = NULL;
    assert_int_equal(matching_withdraw_offer(&H, key_fra, &wr, &gone, NULL, 0), 0);
    assert_int_equal(gone->status, UNIC__MATCHING__V1__OFFER_STATUS__OFFER_WITHDRAWN);
    release(gone);
    release(updated);
    release(now);
    release(fra);
}

static void test_create_with_request_id_is_idempotent(void **state)
{
    (void)state;
    char *awareness[] = {"awareness"};
    Offer o = offer_msg("", TRAINING, awareness, 1, 4), *a = NULL, *b = NULL;
    char msg[256];
    assert_int_equal(create_offer(key_jpn, &o, "retry-1", &a, NULL, 0), 0);
    assert_int_equal(create_offer(key_jpn, &o, "retry-1", &b, NULL, 0), 0);
    assert_string_equal(a->id, b->id);
    assert_string_equal(a->etag, b->etag);
    o.capacity = 5;
    assert_int_equal(create_offer(key_jpn, &o, "retry-1", NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "request_id"));
    release(a);
    release(b);
}

static void test_withdrawn_requests_leave_plans(void **state)
{
    (void)state;
    Request *q = get_request(key_uga, F.req_ir_expertise);
    Unic__Matching__V1__WithdrawRequestRequest wr = UNIC__MATCHING__V1__WITHDRAW_REQUEST_REQUEST__INIT;
    char msg[256];
    wr.request_id = q->id;
    wr.etag = q->etag;
    assert_int_equal(matching_withdraw_request(&H, key_ken, &wr, NULL, msg, sizeof msg),
                     ERR_PERMISSION_DENIED);
    assert_int_equal(matching_withdraw_request(&H, key_uga, &wr, NULL, msg, sizeof msg), 0);
    assert_int_equal(matching_withdraw_request(&H, key_uga, &wr, NULL, msg, sizeof msg),
                     ERR_ABORTED);
    MatchPlan *p = propose(H.operator_key, NULL);
    for (size_t i = 0; i < p->n_matches; i++)
        assert_string_not_equal(p->matches[i]->request_id, q->id);
    assert_null(plan_unmet(p, q->id));
    release(p);
    release(q);
}

static void test_peers_down_fail_derivation_but_not_cached_checks(void **state)
{
    (void)state;
    harness_stop(&H, SVC_SCORING, SIGTERM);
    Unic__Matching__V1__DeriveRequestsRequest dr = UNIC__MATCHING__V1__DERIVE_REQUESTS_REQUEST__INIT;
    Unic__Common__V1__SupportKind kinds[] = {TRAINING};
    char msg[512];
    dr.cycle = cycle;
    dr.kinds = kinds;
    dr.n_kinds = 1;
    assert_int_equal(matching_derive_requests(&H, key_uga, &dr, NULL, msg, sizeof msg),
                     ERR_UNAVAILABLE);
    assert_non_null(strstr(msg, "scoring"));
    /* the catalog's topics and States are held in memory: offers are still checked and taken */
    harness_stop(&H, SVC_CATALOG, SIGTERM);
    char *cip[] = {"cip"}, *bogus[] = {"not-a-topic"};
    Offer o = offer_msg("", EQUIPMENT, cip, 1, 3), *made = NULL;
    assert_int_equal(create_offer(key_jpn, &o, NULL, &made, NULL, 0), 0);
    assert_string_equal(made->unit, "units");
    release(made);
    o.topics = bogus;
    assert_int_equal(create_offer(key_jpn, &o, NULL, NULL, msg, sizeof msg), ERR_INVALID_ARGUMENT);
}

static void test_service_drains_cleanly_on_sigterm(void **state)
{
    (void)state;
    assert_nothing_over_committed();
    /* exit status 0: a graceful drain, and under ASan no leak reported at exit */
    assert_int_equal(harness_stop(&H2, SVC_MATCHING, SIGTERM), 0);
    assert_int_equal(harness_stop(&H, SVC_MATCHING, SIGTERM), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gaps_become_requests_by_the_quantity_rule),
        cmocka_unit_test(test_deriving_again_creates_nothing_and_returns_the_same_requests),
        cmocka_unit_test(test_donors_offer),
        cmocka_unit_test(test_proposed_plan_matches_gaps_with_offers_and_explains),
        cmocka_unit_test(test_only_operators_commit),
        cmocka_unit_test(test_commit_moves_capacities_and_offers_matches),
        cmocka_unit_test(test_committing_a_plan_twice_is_a_failed_precondition),
        cmocka_unit_test(test_a_donor_cannot_recover_a_severity_from_any_field),
        cmocka_unit_test(test_both_parties_accept),
        cmocka_unit_test(test_only_the_parties_respond),
        cmocka_unit_test(test_a_decline_returns_the_quantity),
        cmocka_unit_test(test_parties_list_their_matches),
        cmocka_unit_test(test_concurrent_commits_of_plans_sharing_an_offer_never_over_commit),
        cmocka_unit_test(test_concurrent_commits_of_one_plan_commit_it_once),
        cmocka_unit_test(test_a_plan_computed_before_a_change_is_aborted_and_writes_nothing),
        cmocka_unit_test(test_offer_validation_names_the_field),
        cmocka_unit_test(test_request_validation_names_the_field),
        cmocka_unit_test(test_ids_and_pages_are_checked),
        cmocka_unit_test(test_states_act_only_for_themselves),
        cmocka_unit_test(test_a_state_proposes_for_its_own_requests_only),
        cmocka_unit_test(test_any_key_lists_offers_page_by_page),
        cmocka_unit_test(test_stale_etags_are_aborted_and_others_offers_denied),
        cmocka_unit_test(test_create_with_request_id_is_idempotent),
        cmocka_unit_test(test_withdrawn_requests_leave_plans),
        cmocka_unit_test(test_peers_down_fail_derivation_but_not_cached_checks),
        cmocka_unit_test(test_service_drains_cleanly_on_sigterm),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
