/* test_scoring.c: the scoring service seen from outside, through the real catalog, responses and
 * scoring binaries over gRPC: hand-computed scorecards and gaps, rescoring by revision, access,
 * Resolution #1 compliance statuses, trends, benchmarks and input validation. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"
#include "rpc_clients.h"
#include "text.h"
#include "tz.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "unic/responses/v1/responses.pb-c.h"
#include "unic/scoring/v1/scoring.pb-c.h"

typedef Unic__Responses__V1__Assessment Assessment;
typedef Unic__Responses__V1__Answer Answer;
typedef Unic__Scoring__V1__Scorecard Scorecard;

#define N_QUESTIONS 18 /* cip-self-assessment v1: q1..q18 */
#define NONE (-1)      /* unanswered level, or no target */

static struct harness H;

/* ---- keys ---- */

static struct {
    char state[4];
    char key[64];
} keys[32];
static size_t n_keys;

/* A STATE key of `state`, issued once. */
static const char *key_of(const char *state)
{
    for (size_t i = 0; i < n_keys; i++)
        if (strcmp(keys[i].state, state) == 0)
            return keys[i].key;
    assert_true(n_keys < sizeof keys / sizeof keys[0]);
    snprintf(keys[n_keys].state, sizeof keys[n_keys].state, "%s", state);
    assert_int_equal(harness_key(&H, ROLE_STATE, state, keys[n_keys].key), 0);
    return keys[n_keys++].key;
}

static int setup(void **state)
{
    (void)state;
    if (harness_init(&H, "scoring") < 0 || harness_start(&H, SVC_CATALOG, NULL) < 0 ||
        harness_start(&H, SVC_RESPONSES, NULL) < 0 || harness_start(&H, SVC_SCORING, NULL) < 0)
        return -1;
    return 0;
}

/* The scoring service is stopped gracefully, so that LeakSanitizer checks it on the way out: a
 * leak makes it exit non-zero, and the group fails. */
static int teardown(void **state)
{
    (void)state;
    int status = harness_stop(&H, SVC_SCORING, SIGTERM);
    if (status != 0)
        fprintf(stderr, "unic-scoring exited with status %d; see %s\n", status, H.svc[SVC_SCORING].log);
    harness_destroy(&H);
    return status == 0 ? 0 : -1;
}

/* ---- writes through the responses service, as the State ---- */

/* A call that must succeed: its status, with the server's message shown when it is not OK. */
static void assert_ok(int code, const char *msg)
{
    if (code != 0)
        fprintf(stderr, "%d %s\n", code, msg);
    assert_int_equal(code, 0);
}

static Assessment *create(const char *state, int cycle, const char *questionnaire_id)
{
    Unic__Responses__V1__CreateAssessmentRequest req =
        UNIC__RESPONSES__V1__CREATE_ASSESSMENT_REQUEST__INIT;
    req.state_code = (char *)state;
    req.cycle = cycle;
    req.questionnaire_id = (char *)questionnaire_id;
    Assessment *made = NULL;
    char msg[512];
    assert_ok(responses_create_assessment(&H, key_of(state), &req, &made, msg, sizeof msg), msg);
    return made;
}

/* Saves answers and returns the new head; `as` is freed. */
static Assessment *save(Assessment *as, Answer **answers, size_t n)
{
    Unic__Responses__V1__SaveAnswersRequest req = UNIC__RESPONSES__V1__SAVE_ANSWERS_REQUEST__INIT;
    req.assessment_id = as->id;
    req.etag = as->etag;
    req.answers = answers;
    req.n_answers = n;
    char state[4];
    snprintf(state, sizeof state, "%s", as->state_code);
    Assessment *next = NULL;
    char msg[512];
    assert_ok(responses_save_answers(&H, key_of(state), &req, &next, msg, sizeof msg), msg);
    protobuf_c_message_free_unpacked(&as->base, NULL);
    return next;
}

/* Saves levels[i] (and targets[i]) for question q<i+1>; NONE leaves a level unanswered (it is
 * sent without a level, which clears an earlier one) or the target to its default. */
static Assessment *save_levels(Assessment *as, const int levels[N_QUESTIONS],
                               const int targets[N_QUESTIONS])
{
    Answer a[N_QUESTIONS];
    Answer *p[N_QUESTIONS];
    char ids[N_QUESTIONS][8];
    for (int i = 0; i < N_QUESTIONS; i++) {
        a[i] = (Answer)UNIC__RESPONSES__V1__ANSWER__INIT;
        snprintf(ids[i], sizeof ids[i], "q%d", i + 1);
        a[i].question_id = ids[i];
        if (levels[i] != NONE) {
            a[i].level_value_case = UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
            a[i].level = levels[i];
        }
        if (targets && targets[i] != NONE) {
            a[i].target_level_value_case = UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL;
            a[i].target_level = targets[i];
        }
        p[i] = &a[i];
    }
    return save(as, p, N_QUESTIONS);
}

/* Every question at `level`, except q1..q4 at `s1_level`. */
static Assessment *save_uniform(Assessment *as, int level, int s1_level)
{
    int levels[N_QUESTIONS];
    for (int i = 0; i < N_QUESTIONS; i++)
        levels[i] = i < 4 ? s1_level : level;
    return save_levels(as, levels, NULL);
}

static Assessment *submit(Assessment *as)
{
    Unic__Responses__V1__SubmitAssessmentRequest req =
        UNIC__RESPONSES__V1__SUBMIT_ASSESSMENT_REQUEST__INIT;
    req.assessment_id = as->id;
    req.etag = as->etag;
    Assessment *next = NULL;
    char msg[512];
    assert_ok(responses_submit_assessment(&H, key_of(as->state_code), &req, &next, msg, sizeof msg),
              msg);
    protobuf_c_message_free_unpacked(&as->base, NULL);
    return next;
}

static Assessment *reopen(Assessment *as)
{
    Unic__Responses__V1__ReopenAssessmentRequest req =
        UNIC__RESPONSES__V1__REOPEN_ASSESSMENT_REQUEST__INIT;
    req.assessment_id = as->id;
    req.etag = as->etag;
    req.reason = "correcting a date";
    Assessment *next = NULL;
    char msg[512];
    assert_ok(responses_reopen_assessment(&H, key_of(as->state_code), &req, &next, msg, sizeof msg),
              msg);
    protobuf_c_message_free_unpacked(&as->base, NULL);
    return next;
}

static Assessment *set_visibility(Assessment *as, Unic__Common__V1__Visibility v)
{
    Unic__Responses__V1__SetVisibilityRequest req =
        UNIC__RESPONSES__V1__SET_VISIBILITY_REQUEST__INIT;
    req.assessment_id = as->id;
    req.etag = as->etag;
    req.visibility = v;
    Assessment *next = NULL;
    char msg[512];
    assert_ok(responses_set_visibility(&H, key_of(as->state_code), &req, &next, msg, sizeof msg),
              msg);
    protobuf_c_message_free_unpacked(&as->base, NULL);
    return next;
}

/* ---- calls to the scoring service ---- */

static Scorecard *scorecard_by_id(const char *key, const char *id, int *code)
{
    Unic__Scoring__V1__GetScorecardRequest req = UNIC__SCORING__V1__GET_SCORECARD_REQUEST__INIT;
    req.assessment_id = (char *)id;
    Scorecard *c = NULL;
    char msg[512];
    *code = scoring_get_scorecard(&H, key, &req, &c, msg, sizeof msg);
    return c;
}

static Scorecard *scorecard_ok(const char *key, const char *id)
{
    int code;
    Scorecard *c = scorecard_by_id(key, id, &code);
    assert_int_equal(code, 0);
    return c;
}

/* The packed bytes of c with computed_at set to a fixed value, so two cards can be compared on
 * everything the scoring model produced. */
static uint8_t *normalised(Scorecard *c, size_t *len)
{
    char *at = c->computed_at;
    c->computed_at = "";
    *len = protobuf_c_message_get_packed_size(&c->base);
    uint8_t *b = malloc(*len ? *len : 1);
    protobuf_c_message_pack(&c->base, b);
    c->computed_at = at;
    return b;
}

/* ---- the known answers ----
 * cip-self-assessment v1 has 7 sections of weight-1 questions: s1 q1-q4, s2 q5, s3 q6-q7,
 * s4 q8-q9, s5 q10-q12, s6 q13-q17, s7 q18. The pattern (level, target when set):
 *   s1: q1 3, q2 4, q3 2, q4 5        -> 100 x 14 / 20 = 70.00, stage 2 (Formative)
 *   s2: q5 1 (target 4)               -> 100 x 1 / 5   = 20.00, stage 1 (Start-up)
 *   s3: q6 0, q7 2                    -> 100 x 2 / 10  = 20.00, stage 0 (Not started)
 *   s4: q8 3, q9 3 (target 5)         -> 100 x 6 / 10  = 60.00, stage 3 (Established)
 *   s5: q10 4, q11 -, q12 2 (target 2)-> 100 x 6 / 15  = 40.00, stage 0 (q11 counts 0)
 *   s6: q13 1, q14 2, q15 3, q16 4, q17 5 -> 100 x 15 / 25 = 60.00, stage 1
 *   s7: q18 -                         -> 0.00, stage 0
 *   index = (70 + 20 + 20 + 60 + 40 + 60 + 0) / 7 = 270 / 7 = 38.5714... -> 38.57, stage 0.
 * Gaps (answered, target above level; target 3 unless set), severity = 1 x (target - level):
 *   q5 4-1 = 3, q6 3-0 = 3, q9 5-3 = 2, q13 3-1 = 2, q3 3-2 = 1, q7 3-2 = 1, q14 3-2 = 1;
 *   q12 (target 2 = level) and q1, q8, q15 (at 3) are none. Ordered by severity, then number.
 * Assessment needed: q11, q18. Completeness 16 / 18. */
static const int known_levels[N_QUESTIONS] = {3, 4, 2, 5, 1, 0, 2, 3, 3, 4, NONE, 2, 1, 2, 3, 4, 5, NONE};
static const int known_targets[N_QUESTIONS] = {NONE, NONE, NONE, NONE, 4, NONE, NONE, NONE, 5,
                                               NONE, NONE, 2,    NONE, NONE, NONE, NONE, NONE, NONE};
static const struct {
    const char *id;
    double severity;
    int level, target, number;
} known_gaps[] = {
    {"q5", 3, 1, 4, 5},  {"q6", 3, 0, 3, 6},  {"q9", 2, 3, 5, 9}, {"q13", 2, 1, 3, 13},
    {"q3", 1, 2, 3, 3},  {"q7", 1, 2, 3, 7},  {"q14", 1, 2, 3, 14},
};
static const struct {
    const char *id;
    double score;
    int stage, answered, total;
} known_sections[] = {
    {"s1", 70, 2, 4, 4}, {"s2", 20, 1, 1, 1}, {"s3", 20, 0, 2, 2}, {"s4", 60, 3, 2, 2},
    {"s5", 40, 0, 2, 3}, {"s6", 60, 1, 5, 5}, {"s7", 0, 0, 0, 1},
};

static void assert_known_card(const Scorecard *c)
{
    assert_string_equal(c->model_version, "cmm-v1");
    assert_string_equal(c->questionnaire_id, "cip-self-assessment");
    assert_int_equal(c->questionnaire_version, 1);
    assert_int_equal(c->status, UNIC__RESPONSES__V1__ASSESSMENT_STATUS__DRAFT);
    assert_true(c->overall_index == 38.57);
    assert_int_equal(c->overall_stage, 0);
    assert_string_equal(c->overall_stage_name, "Not started");
    assert_int_equal(c->n_sections, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(c->sections[i]->section_id, known_sections[i].id);
        assert_true(c->sections[i]->score == known_sections[i].score);
        assert_int_equal(c->sections[i]->stage, known_sections[i].stage);
        assert_int_equal(c->sections[i]->answered, known_sections[i].answered);
        assert_int_equal(c->sections[i]->total, known_sections[i].total);
    }
    assert_string_equal(c->sections[0]->title, "Taking stock of cybersecurity needs and strategies");
    assert_string_equal(c->sections[0]->stage_name, "Formative");
    assert_string_equal(c->sections[3]->stage_name, "Established");
    assert_int_equal(c->n_gaps, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(c->gaps[i]->question_id, known_gaps[i].id);
        assert_true(c->gaps[i]->severity == known_gaps[i].severity);
        assert_int_equal(c->gaps[i]->level, known_gaps[i].level);
        assert_int_equal(c->gaps[i]->target, known_gaps[i].target);
        assert_int_equal(c->gaps[i]->question_number, known_gaps[i].number);
    }
    /* q13's topics, from the catalog */
    assert_int_equal(c->gaps[3]->n_topics, 2);
    assert_string_equal(c->gaps[3]->topics[0], "cybercrime-law");
    assert_string_equal(c->gaps[3]->section_id, "s6");
    assert_int_equal(c->n_assessment_needed, 2);
    assert_string_equal(c->assessment_needed[0], "q11");
    assert_string_equal(c->assessment_needed[1], "q18");
    assert_true(c->completeness == 16.0 / 18.0);
    assert_int_equal(strlen(c->computed_at), strlen("2026-01-01T00:00:00Z"));
}

static void test_known_answers_give_the_hand_computed_scorecard(void **state)
{
    (void)state;
    Assessment *as = save_levels(create("KEN", 2025, "cip-self-assessment"), known_levels, known_targets);
    Scorecard *c = scorecard_ok(key_of("KEN"), as->id);
    assert_string_equal(c->assessment_id, as->id);
    assert_string_equal(c->state_code, "KEN");
    assert_int_equal(c->cycle, 2025);
    assert_int_equal(c->revision, as->revision);
    assert_known_card(c);

    /* The same card by State and cycle. */
    Unic__Scoring__V1__GetScorecardRequest req = UNIC__SCORING__V1__GET_SCORECARD_REQUEST__INIT;
    req.state_code = "KEN";
    req.cycle = 2025;
    Scorecard *by_cycle = NULL;
    assert_int_equal(scoring_get_scorecard(&H, key_of("KEN"), &req, &by_cycle, NULL, 0), 0);
    assert_string_equal(by_cycle->assessment_id, as->id);
    assert_known_card(by_cycle);
    harness_free(by_cycle);
    harness_free(c);
    harness_free(as);
}

static void test_gaps_are_ordered_and_filtered(void **state)
{
    (void)state;
    Assessment *as = save_levels(create("KEN", 2024, "cip-self-assessment"), known_levels, known_targets);
    Unic__Scoring__V1__GetGapsRequest req = UNIC__SCORING__V1__GET_GAPS_REQUEST__INIT;
    Unic__Scoring__V1__GetGapsResponse *g = NULL;
    req.state_code = "KEN";
    req.cycle = 2024;
    assert_int_equal(scoring_get_gaps(&H, key_of("KEN"), &req, &g, NULL, 0), 0);
    assert_string_equal(g->assessment_id, as->id);
    assert_int_equal(g->revision, as->revision);
    assert_int_equal(g->n_gaps, 7);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(g->gaps[i]->question_id, known_gaps[i].id);
    assert_int_equal(g->n_assessment_needed, 2);
    harness_free(g);

    /* min_severity 2 keeps q5, q6, q9, q13. */
    req.min_severity = 2;
    assert_int_equal(scoring_get_gaps(&H, key_of("KEN"), &req, &g, NULL, 0), 0);
    assert_int_equal(g->n_gaps, 4);
    assert_string_equal(g->gaps[3]->question_id, "q13");
    harness_free(g);

    /* cybercrime-law: q13 (cybercrime-law, data-protection) and q14 (law-enforcement,
     * cybercrime-law, training), in severity order. */
    char *topics[] = {"cybercrime-law"};
    req.min_severity = 0;
    req.topics = topics;
    req.n_topics = 1;
    assert_int_equal(scoring_get_gaps(&H, key_of("KEN"), &req, &g, NULL, 0), 0);
    assert_int_equal(g->n_gaps, 2);
    assert_string_equal(g->gaps[0]->question_id, "q13");
    assert_string_equal(g->gaps[1]->question_id, "q14");
    harness_free(g);

    char msg[512];
    char *unknown[] = {"no-such-topic"};
    req.topics = unknown;
    assert_int_equal(scoring_get_gaps(&H, key_of("KEN"), &req, &g, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "topics[0]"));
    req.topics = NULL;
    req.n_topics = 0;
    req.min_severity = -1;
    assert_int_equal(scoring_get_gaps(&H, key_of("KEN"), &req, &g, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "min_severity"));
    harness_free(as);
}

/* Every call scores the revision it reads: a second call gives the same figures, and says it
 * was not cached (nothing is); a new revision is scored afresh; going back to the same answers
 * gives the same figures again. */
static void test_each_call_scores_its_revision_and_a_new_revision_scores_afresh(void **state)
{
    (void)state;
    const char *key = key_of("GHA");
    Assessment *as = save_levels(create("GHA", 2025, "cip-self-assessment"), known_levels, known_targets);
    Scorecard *first = scorecard_ok(key, as->id);
    assert_false(first->from_cache);
    Scorecard *second = scorecard_ok(key, as->id);
    assert_false(second->from_cache);
    assert_int_equal(second->revision, first->revision);
    size_t n1, n2;
    uint8_t *b1 = normalised(first, &n1), *b2 = normalised(second, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    free(b2);

    /* q18 answered 5: s7 = 100, index = (270 + 100) / 7 = 52.857... -> 52.86; still stage 0
     * (q6 is 0); q18 at 5 is no gap; only q11 is still needed. */
    int levels[N_QUESTIONS];
    memcpy(levels, known_levels, sizeof levels);
    levels[17] = 5;
    int old_revision = as->revision;
    as = save_levels(as, levels, known_targets);
    assert_true(as->revision > old_revision);
    Scorecard *fresh = scorecard_ok(key, as->id);
    assert_false(fresh->from_cache);
    assert_int_equal(fresh->revision, as->revision);
    assert_true(fresh->overall_index == 52.86);
    assert_true(fresh->sections[6]->score == 100);
    assert_int_equal(fresh->n_gaps, 7);
    assert_int_equal(fresh->n_assessment_needed, 1);
    Scorecard *again = scorecard_ok(key, as->id);
    assert_false(again->from_cache);
    assert_true(again->overall_index == 52.86);

    /* Back to the known answers: a new revision, scored afresh, with the first figures exactly. */
    as = save_levels(as, known_levels, known_targets);
    Scorecard *back = scorecard_ok(key, as->id);
    assert_false(back->from_cache);
    assert_int_equal(back->revision, as->revision);
    assert_true(back->overall_index == first->overall_index);
    back->revision = first->revision;
    b2 = normalised(back, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    free(b1);
    free(b2);
    harness_free(first);
    harness_free(second);
    harness_free(fresh);
    harness_free(again);
    harness_free(back);
    harness_free(as);
}

/* A PRIVATE assessment: another State's key, and an operator's, cannot score it, even just after
 * its own State scored it; the denial is the responses service's, passed through. */
static void test_private_assessment_cannot_be_scored_by_another_state(void **state)
{
    (void)state;
    Assessment *as = save_uniform(create("MLI", 2025, "cip-self-assessment"), 3, 3);
    assert_int_equal(as->visibility, UNIC__COMMON__V1__VISIBILITY__PRIVATE);
    harness_free(scorecard_ok(key_of("MLI"), as->id)); /* its own State may */
    int code;
    Scorecard *c = scorecard_by_id(key_of("NGA"), as->id, &code);
    assert_null(c);
    assert_true(code == ERR_PERMISSION_DENIED || code == ERR_NOT_FOUND);
    c = scorecard_by_id(H.operator_key, as->id, &code);
    assert_null(c);
    assert_true(code == ERR_PERMISSION_DENIED || code == ERR_NOT_FOUND);

    Unic__Scoring__V1__GetScorecardRequest req = UNIC__SCORING__V1__GET_SCORECARD_REQUEST__INIT;
    req.state_code = "MLI";
    req.cycle = 2025;
    code = scoring_get_scorecard(&H, key_of("NGA"), &req, &c, NULL, 0);
    assert_true(code == ERR_PERMISSION_DENIED || code == ERR_NOT_FOUND);
    Unic__Scoring__V1__GetGapsRequest gr = UNIC__SCORING__V1__GET_GAPS_REQUEST__INIT;
    gr.assessment_id = as->id;
    Unic__Scoring__V1__GetGapsResponse *g = NULL;
    code = scoring_get_gaps(&H, key_of("NGA"), &gr, &g, NULL, 0);
    assert_true(code == ERR_PERMISSION_DENIED || code == ERR_NOT_FOUND);
    assert_null(g);

    /* Made PUBLIC, any key scores it. */
    as = set_visibility(as, UNIC__COMMON__V1__VISIBILITY__PUBLIC);
    c = scorecard_ok(key_of("NGA"), as->id);
    assert_true(c->overall_index == 60);
    assert_int_equal(c->overall_stage, 3);
    harness_free(c);
    assert_int_equal(scoring_get_scorecard(&H, NULL, &req, &c, NULL, 0), ERR_UNAUTHENTICATED);
    harness_free(as);
}

/* ---- compliance ---- */

struct yes_no {
    const char *id;
    int yes; /* 1 yes, 0 no */
    const char *date;
};

static Assessment *save_yes_no(Assessment *as, const struct yes_no *items, size_t n)
{
    Answer a[16];
    Answer *p[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++) {
        a[i] = (Answer)UNIC__RESPONSES__V1__ANSWER__INIT;
        a[i].question_id = (char *)items[i].id;
        a[i].yes_value_case = UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES;
        a[i].yes = items[i].yes;
        a[i].date = (char *)(items[i].date ? items[i].date : "");
        p[i] = &a[i];
    }
    return save(as, p, n);
}

static Unic__Scoring__V1__ComplianceReport *report(const char *key, const char *state,
                                                   const char *as_of)
{
    Unic__Scoring__V1__GetComplianceReportRequest req =
        UNIC__SCORING__V1__GET_COMPLIANCE_REPORT_REQUEST__INIT;
    req.state_code = (char *)state;
    req.as_of = (char *)as_of;
    Unic__Scoring__V1__ComplianceReport *r = NULL;
    char msg[512];
    int code = scoring_get_compliance_report(&H, key, &req, &r, msg, sizeof msg);
    if (code != 0)
        fprintf(stderr, "GetComplianceReport %s: %d %s\n", state, code, msg);
    assert_int_equal(code, 0);
    return r;
}

static const Unic__Scoring__V1__ComplianceItem *item(const Unic__Scoring__V1__ComplianceReport *r,
                                                     const char *id)
{
    for (size_t i = 0; i < r->n_items; i++)
        if (strcmp(r->items[i]->item_id, id) == 0)
            return r->items[i];
    fail_msg("no item %s in the report", id);
    return NULL;
}

/* France, as of 2016-06-30 (the answers' dates are chosen around the deadlines):
 *   para4a yes 2015-06-01, deadline 2015-12-31      -> MET
 *   para4b yes 2016-03-01, deadline 2015-12-31      -> MET_LATE
 *   para5a yes, no date, no deadline                -> MET
 *   para5b no, no deadline                          -> OPEN
 *   para5c yes dated 2020-01-01, after as_of        -> OPEN (not yet met as of then)
 *   para6-cert no, deadline 2014-12-31 passed       -> OVERDUE
 *   para6-poc yes 2014-11-30                        -> MET
 *   para8-report: France's first cycle is 2025      -> no year owed as of 2016: no item
 *   para9-assistance yes                            -> MET
 * As of 2014-06-30, para6-cert is not yet due       -> OPEN. */
static const struct yes_no fra_answers[] = {
    {"para4a", 1, "2015-06-01"}, {"para4b", 1, "2016-03-01"},     {"para5a", 1, NULL},
    {"para5b", 0, NULL},         {"para5c", 1, "2020-01-01"},     {"para5d", 0, NULL},
    {"para5e", 0, NULL},         {"para6-cert", 0, NULL},         {"para6-poc", 1, "2014-11-30"},
    {"para8-report", 1, NULL},   {"para9-assistance", 1, NULL},
};

/* Today's date in `zone`: a State's dates are its own (its capital's zone). */
static void today_in(const char *zone, char out[16])
{
    struct tz *z = NULL;
    struct err e;
    assert_int_equal(tz_load(zone, NULL, &z, &e), 0);
    assert_true(tz_local_date(z, (int64_t)time(NULL), out));
    tz_free(z);
}

static void assert_status(const Unic__Scoring__V1__ComplianceReport *r, const char *id,
                          Unic__Scoring__V1__ComplianceStatus status)
{
    const Unic__Scoring__V1__ComplianceItem *it = item(r, id);
    if (it->status != status)
        fail_msg("%s: status %d, expected %d (%s)", id, it->status, status, it->note);
}

static void test_compliance_statuses_with_a_fixed_as_of(void **state)
{
    (void)state;
    Assessment *as = create("FRA", 2025, "unic-compliance");
    as = submit(save_yes_no(as, fra_answers, sizeof fra_answers / sizeof fra_answers[0]));
    int submitted_revision = as->revision;
    Unic__Scoring__V1__ComplianceReport *r = report(key_of("FRA"), "FRA", "2016-06-30");
    assert_string_equal(r->state_code, "FRA");
    assert_string_equal(r->as_of, "2016-06-30");
    assert_string_equal(r->assessment_id, as->id);
    assert_int_equal(r->revision, submitted_revision);
    assert_int_equal(r->n_items, 10);
    assert_status(r, "para4a", UNIC__SCORING__V1__COMPLIANCE_STATUS__MET);
    assert_string_equal(item(r, "para4a")->paragraph, "4(a)");
    assert_string_equal(item(r, "para4a")->deadline, "2015-12-31");
    assert_string_equal(item(r, "para4a")->date, "2015-06-01");
    assert_status(r, "para4b", UNIC__SCORING__V1__COMPLIANCE_STATUS__MET_LATE);
    assert_status(r, "para5a", UNIC__SCORING__V1__COMPLIANCE_STATUS__MET);
    assert_status(r, "para5b", UNIC__SCORING__V1__COMPLIANCE_STATUS__OPEN);
    assert_status(r, "para5c", UNIC__SCORING__V1__COMPLIANCE_STATUS__OPEN);
    assert_status(r, "para6-cert", UNIC__SCORING__V1__COMPLIANCE_STATUS__OVERDUE);
    assert_string_equal(item(r, "para6-cert")->paragraph, "6");
    assert_status(r, "para6-poc", UNIC__SCORING__V1__COMPLIANCE_STATUS__MET);
    assert_status(r, "para9-assistance", UNIC__SCORING__V1__COMPLIANCE_STATUS__MET);
    assert_string_equal(r->items[0]->item_id, "para4a"); /* question number order */
    assert_string_equal(r->items[9]->item_id, "para9-assistance");
    harness_free(r);

    r = report(key_of("FRA"), "FRA", "2014-06-30");
    assert_status(r, "para6-cert", UNIC__SCORING__V1__COMPLIANCE_STATUS__OPEN);
    assert_status(r, "para4a", UNIC__SCORING__V1__COMPLIANCE_STATUS__OPEN); /* dated after */
    harness_free(r);

    /* Reopened to correct it, the form is a draft again: the report keeps the last submitted
     * revision's answers rather than turning UNKNOWN. */
    as = reopen(as);
    assert_int_equal(as->status, UNIC__RESPONSES__V1__ASSESSMENT_STATUS__DRAFT);
    r = report(key_of("FRA"), "FRA", "2016-06-30");
    assert_int_equal(r->revision, submitted_revision);
    assert_status(r, "para4b", UNIC__SCORING__V1__COMPLIANCE_STATUS__MET_LATE);
    harness_free(r);
    harness_free(as);
}

static void test_compliance_unknown_and_not_applicable(void **state)
{
    (void)state;
    /* Argentina: a draft only, never submitted -> every item UNKNOWN. */
    Assessment *as = save_yes_no(create("ARG", 2025, "unic-compliance"), fra_answers, 3);
    Unic__Scoring__V1__ComplianceReport *r = report(key_of("ARG"), "ARG", "2016-06-30");
    assert_string_equal(r->assessment_id, "");
    assert_int_equal(r->n_items, 11);
    for (size_t i = 0; i < r->n_items; i++)
        assert_int_equal(r->items[i]->status, UNIC__SCORING__V1__COMPLIANCE_STATUS__UNKNOWN);
    harness_free(r);
    harness_free(as);

    /* Afghanistan, a least developed country: para 9 binds States with mature capabilities. */
    struct yes_no afg[sizeof fra_answers / sizeof fra_answers[0]];
    memcpy(afg, fra_answers, sizeof afg);
    afg[10].yes = 0;
    as = submit(save_yes_no(create("AFG", 2025, "unic-compliance"), afg, sizeof afg / sizeof afg[0]));
    r = report(key_of("AFG"), "AFG", "2016-06-30");
    assert_status(r, "para9-assistance", UNIC__SCORING__V1__COMPLIANCE_STATUS__NOT_APPLICABLE);
    assert_non_null(strstr(item(r, "para9-assistance")->note, "least developed country"));
    assert_status(r, "para4a", UNIC__SCORING__V1__COMPLIANCE_STATUS__MET);
    harness_free(r);
    harness_free(as);

    /* Bhutan graduated from the LDCs on 13 December 2023 (data/country_groups.tsv): paragraph 9
     * follows its status on the report's date, not today's. */
    as = submit(save_yes_no(create("BTN", 2025, "unic-compliance"), fra_answers,
                            sizeof fra_answers / sizeof fra_answers[0]));
    r = report(key_of("BTN"), "BTN", "2023-12-12");
    assert_status(r, "para9-assistance", UNIC__SCORING__V1__COMPLIANCE_STATUS__NOT_APPLICABLE);
    harness_free(r);
    r = report(key_of("BTN"), "BTN", "2023-12-13");
    assert_status(r, "para9-assistance", UNIC__SCORING__V1__COMPLIANCE_STATUS__MET);
    harness_free(r);
    harness_free(as);
}

/* Paragraph 8 with as_of today (submission dates are the server's clock, read in the State's zone), Y the current year:
 * India's self-assessments: Y-3 a draft -> OVERDUE; Y-2 none -> OVERDUE; Y-1 submitted today,
 * after 31 December Y-1 -> MET_LATE; Y submitted today -> MET. China: Y a draft -> OPEN. */
static void test_compliance_annual_reports(void **state)
{
    (void)state;
    int y = text_current_year();
    char today[16], id[32];
    today_in("Asia/Kolkata", today);
    harness_free(save_uniform(create("IND", y - 3, "cip-self-assessment"), 2, 2));
    harness_free(submit(save_uniform(create("IND", y - 1, "cip-self-assessment"), 2, 2)));
    harness_free(submit(save_uniform(create("IND", y, "cip-self-assessment"), 2, 2)));
    Unic__Scoring__V1__ComplianceReport *r = report(key_of("IND"), "IND", today);
    assert_string_equal(r->time_zone, "Asia/Kolkata");
    assert_int_equal(r->n_items, 10 + 4);
    snprintf(id, sizeof id, "para8-report-%d", y - 3);
    assert_status(r, id, UNIC__SCORING__V1__COMPLIANCE_STATUS__OVERDUE);
    snprintf(id, sizeof id, "para8-report-%d", y - 2);
    assert_status(r, id, UNIC__SCORING__V1__COMPLIANCE_STATUS__OVERDUE);
    snprintf(id, sizeof id, "para8-report-%d", y - 1);
    assert_status(r, id, UNIC__SCORING__V1__COMPLIANCE_STATUS__MET_LATE);
    assert_string_equal(item(r, id)->date, today);
    snprintf(id, sizeof id, "para8-report-%d", y);
    assert_status(r, id, UNIC__SCORING__V1__COMPLIANCE_STATUS__MET);
    assert_string_equal(item(r, id)->paragraph, "8");
    assert_status(r, "para4a", UNIC__SCORING__V1__COMPLIANCE_STATUS__UNKNOWN);
    harness_free(r);

    harness_free(save_uniform(create("CHN", y, "cip-self-assessment"), 1, 1));
    r = report(key_of("CHN"), "CHN", ""); /* as_of: today in Beijing by default */
    today_in("Asia/Shanghai", today);
    assert_string_equal(r->as_of, today);
    assert_string_equal(r->time_zone, "Asia/Shanghai");
    snprintf(id, sizeof id, "para8-report-%d", y);
    assert_status(r, id, UNIC__SCORING__V1__COMPLIANCE_STATUS__OPEN);
    harness_free(r);
}

/* Resolution #1 para 8: the compliance checklist is the report to UNIC. Peru keeps it PRIVATE:
 * an operator's report reads it, another State's does not. Y-1's form says yes, reported on
 * 15 December Y-1 (MET though the form itself was submitted today, after 31 December); Y's form
 * submitted today is itself the report (MET). */
static void test_private_compliance_report_reaches_unic_and_counts_for_paragraph_8(void **state)
{
    (void)state;
    int y = text_current_year();
    char today[16], id[32], reported[24];
    today_in("America/Lima", today);
    snprintf(reported, sizeof reported, "%d-12-15", y - 1);
    struct yes_no per[sizeof fra_answers / sizeof fra_answers[0]];
    memcpy(per, fra_answers, sizeof per);
    per[9].date = reported; /* para8-report: yes, with the date */
    Assessment *last = submit(save_yes_no(create("PER", y - 1, "unic-compliance"), per,
                                          sizeof per / sizeof per[0]));
    per[9].date = NULL;
    Assessment *now = submit(save_yes_no(create("PER", y, "unic-compliance"), per,
                                         sizeof per / sizeof per[0]));
    assert_int_equal(now->visibility, UNIC__COMMON__V1__VISIBILITY__PRIVATE);

    Unic__Scoring__V1__ComplianceReport *r = report(H.operator_key, "PER", today);
    assert_string_equal(r->assessment_id, now->id);
    snprintf(id, sizeof id, "para8-report-%d", y - 1);
    assert_status(r, id, UNIC__SCORING__V1__COMPLIANCE_STATUS__MET);
    assert_string_equal(item(r, id)->date, reported);
    assert_string_equal(item(r, id)->note, "reported by 31 December, on the date the State gave");
    snprintf(id, sizeof id, "para8-report-%d", y);
    assert_status(r, id, UNIC__SCORING__V1__COMPLIANCE_STATUS__MET);
    assert_string_equal(item(r, id)->date, today);
    assert_string_equal(item(r, id)->note, "compliance report submitted to UNIC by 31 December");
    assert_status(r, "para4a", UNIC__SCORING__V1__COMPLIANCE_STATUS__MET);
    harness_free(r);

    /* Another State learns nothing from it. */
    r = report(key_of("CHL"), "PER", today);
    assert_string_equal(r->assessment_id, "");
    assert_status(r, "para4a", UNIC__SCORING__V1__COMPLIANCE_STATUS__UNKNOWN);
    harness_free(r);
    harness_free(last);
    harness_free(now);
}

/* A self-assessment submitted in part is scored; the scorecard says how many were left. */
/* The operators' overview: one summary per Member State, each the counts of that State's own
 * report (France's and Argentina's from the tests above, every other State's all UNKNOWN). */
static void test_compliance_summaries_count_each_states_report(void **state)
{
    (void)state;
    Unic__Scoring__V1__ListComplianceSummariesRequest req =
        UNIC__SCORING__V1__LIST_COMPLIANCE_SUMMARIES_REQUEST__INIT;
    req.as_of = "2016-06-30";
    Unic__Scoring__V1__ListComplianceSummariesResponse *r = NULL;
    char msg[512];
    assert_int_equal(scoring_list_compliance_summaries(&H, H.operator_key, &req, &r, msg, sizeof msg),
                     0);
    assert_string_equal(r->as_of, "2016-06-30");
    assert_int_equal(r->n_summaries, 193);
    const char *const checked[] = {"FRA", "ARG", "KEN"};
    for (size_t k = 0; k < sizeof checked / sizeof checked[0]; k++) {
        const Unic__Scoring__V1__ComplianceSummary *s = NULL;
        for (size_t i = 0; i < r->n_summaries && s == NULL; i++)
            if (strcmp(r->summaries[i]->state_code, checked[k]) == 0)
                s = r->summaries[i];
        assert_non_null(s);
        Unic__Scoring__V1__ComplianceReport *one = report(H.operator_key, checked[k], "2016-06-30");
        int counts[7] = {0};
        for (size_t i = 0; i < one->n_items; i++)
            counts[one->items[i]->status]++;
        assert_string_equal(s->assessment_id, one->assessment_id);
        assert_int_equal(s->met, counts[UNIC__SCORING__V1__COMPLIANCE_STATUS__MET]);
        assert_int_equal(s->met_late, counts[UNIC__SCORING__V1__COMPLIANCE_STATUS__MET_LATE]);
        assert_int_equal(s->open, counts[UNIC__SCORING__V1__COMPLIANCE_STATUS__OPEN]);
        assert_int_equal(s->overdue, counts[UNIC__SCORING__V1__COMPLIANCE_STATUS__OVERDUE]);
        assert_int_equal(s->unknown, counts[UNIC__SCORING__V1__COMPLIANCE_STATUS__UNKNOWN]);
        assert_int_equal(s->not_applicable, counts[UNIC__SCORING__V1__COMPLIANCE_STATUS__NOT_APPLICABLE]);
        harness_free(one);
    }
    assert_string_equal(r->summaries[0]->state_code, "AFG"); /* by code */
    harness_free(r);

    r = NULL;
    assert_int_equal(scoring_list_compliance_summaries(&H, key_of("FRA"), &req, &r, msg, sizeof msg),
                     ERR_PERMISSION_DENIED);
    req.as_of = "2016-13-45";
    assert_int_equal(scoring_list_compliance_summaries(&H, H.operator_key, &req, &r, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "as_of"));
}

static void test_partial_self_assessment_is_submitted_and_scored(void **state)
{
    (void)state;
    int levels[N_QUESTIONS];
    for (int i = 0; i < N_QUESTIONS; i++)
        levels[i] = i < 4 ? 3 : NONE; /* section 1 only */
    Assessment *as = submit(save_levels(create("URY", 2024, "cip-self-assessment"), levels, NULL));
    assert_int_equal(as->status, UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED);
    assert_int_equal(as->unanswered, N_QUESTIONS - 4);
    Scorecard *c = scorecard_ok(key_of("URY"), as->id);
    assert_int_equal(c->unanswered, N_QUESTIONS - 4);
    assert_int_equal((int)c->n_assessment_needed, N_QUESTIONS - 4);
    assert_float_equal(c->completeness, 4.0 / N_QUESTIONS, 1e-9);
    assert_float_equal(c->sections[0]->score, 60.0, 1e-9);
    assert_int_equal(c->n_gaps, 0); /* level 3 meets the default target; unanswered are no gaps */
    harness_free(c);
    harness_free(as);
}

/* ---- trends ---- */

/* Chile: 2023 all at 1 -> 20.00; 2024 all at 2 -> 40.00; 2025 q1-q4 at 4, the rest at 2 ->
 * s1 80.00, index (80 + 6 x 40) / 7 = 320 / 7 = 45.714... -> 45.71. Deltas: 20.00 and 5.71;
 * s1: 20.00, then 40.00. */
static void test_trend_over_three_cycles(void **state)
{
    (void)state;
    harness_free(submit(save_uniform(create("CHL", 2023, "cip-self-assessment"), 1, 1)));
    harness_free(submit(save_uniform(create("CHL", 2024, "cip-self-assessment"), 2, 2)));
    Assessment *last = save_uniform(create("CHL", 2025, "cip-self-assessment"), 2, 4);
    Unic__Scoring__V1__GetTrendRequest req = UNIC__SCORING__V1__GET_TREND_REQUEST__INIT;
    req.state_code = "CHL";
    req.from_cycle = 2020;
    req.to_cycle = 2026;
    Unic__Scoring__V1__Trend *t = NULL;
    assert_int_equal(scoring_get_trend(&H, key_of("CHL"), &req, &t, NULL, 0), 0);
    assert_string_equal(t->questionnaire_id, "cip-self-assessment");
    assert_int_equal(t->n_points, 3);
    assert_int_equal(t->points[0]->cycle, 2023);
    assert_true(t->points[0]->overall_index == 20);
    assert_true(t->points[0]->delta == 0);
    assert_int_equal(t->points[0]->status, UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED);
    assert_true(t->points[1]->overall_index == 40);
    assert_true(t->points[1]->delta == 20);
    assert_true(t->points[1]->sections[0]->delta == 20);
    assert_true(t->points[2]->overall_index == 45.71);
    assert_true(t->points[2]->delta == 5.71);
    assert_true(t->points[2]->sections[0]->score == 80);
    assert_true(t->points[2]->sections[0]->delta == 40);
    assert_true(t->points[2]->sections[1]->delta == 0);
    assert_string_equal(t->points[2]->assessment_id, last->id);
    assert_int_equal(t->points[2]->status, UNIC__RESPONSES__V1__ASSESSMENT_STATUS__DRAFT);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(t->points[i]->questionnaire_version, 1);
        assert_false(t->points[i]->version_changed);
    }
    harness_free(t);

    req.from_cycle = 2024; /* the range bounds the points */
    assert_int_equal(scoring_get_trend(&H, key_of("CHL"), &req, &t, NULL, 0), 0);
    assert_int_equal(t->n_points, 2);
    assert_true(t->points[0]->delta == 0);
    harness_free(t);

    /* Another State's key sees none of Chile's PRIVATE cycles. */
    assert_int_equal(scoring_get_trend(&H, key_of("NGA"), &req, &t, NULL, 0), 0);
    assert_int_equal(t->n_points, 0);
    harness_free(t);

    char msg[512];
    req.from_cycle = 2026;
    req.to_cycle = 2024;
    assert_int_equal(scoring_get_trend(&H, key_of("CHL"), &req, &t, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "from_cycle"));
    req.from_cycle = 2009;
    assert_int_equal(scoring_get_trend(&H, key_of("CHL"), &req, &t, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "from_cycle"));
    harness_free(last);
}

/* An operator publishes cip-self-assessment v2 (v1's content, republished): Peru's 2023 cycle
 * answers v1, its 2024 cycle v2. The trend still compares them (same questionnaire id) and says
 * that the version changed. Runs last: afterwards "latest published" means v2. */
static void test_trend_reports_a_questionnaire_version_change(void **state)
{
    (void)state;
    Unic__Catalog__V1__GetQuestionnaireRequest gq = UNIC__CATALOG__V1__GET_QUESTIONNAIRE_REQUEST__INIT;
    gq.questionnaire_id = "cip-self-assessment";
    gq.version = 1;
    Unic__Catalog__V1__Questionnaire *v1 = NULL, *v2 = NULL;
    char msg[512];
    assert_ok(catalog_get_questionnaire(&H, H.operator_key, &gq, &v1, msg, sizeof msg), msg);
    char *published_at = v1->published_at; /* v1's own, put back before it is freed */
    v1->version = 0;
    v1->state = UNIC__CATALOG__V1__VERSION_STATE__VERSION_STATE_UNSPECIFIED;
    v1->published_at = "";
    Unic__Catalog__V1__CreateQuestionnaireVersionRequest cq =
        UNIC__CATALOG__V1__CREATE_QUESTIONNAIRE_VERSION_REQUEST__INIT;
    cq.definition = v1;
    int code = catalog_create_questionnaire_version(&H, H.operator_key, &cq, &v2, msg, sizeof msg);
    v1->published_at = published_at;
    assert_ok(code, msg);
    assert_int_equal(v2->version, 2);
    Unic__Catalog__V1__PublishQuestionnaireVersionRequest pq =
        UNIC__CATALOG__V1__PUBLISH_QUESTIONNAIRE_VERSION_REQUEST__INIT;
    pq.questionnaire_id = "cip-self-assessment";
    pq.version = 2;
    assert_ok(catalog_publish_questionnaire_version(&H, H.operator_key, &pq, NULL, msg, sizeof msg),
              msg);
    harness_free(v2);
    harness_free(v1);

    Unic__Responses__V1__CreateAssessmentRequest cr =
        UNIC__RESPONSES__V1__CREATE_ASSESSMENT_REQUEST__INIT;
    cr.state_code = "PER";
    cr.cycle = 2023;
    cr.questionnaire_id = "cip-self-assessment";
    cr.questionnaire_version = 1;
    Assessment *made = NULL;
    assert_ok(responses_create_assessment(&H, key_of("PER"), &cr, &made, msg, sizeof msg), msg);
    Assessment *old = save_uniform(made, 1, 1);
    Assessment *cur = save_uniform(create("PER", 2024, "cip-self-assessment"), 3, 3);
    assert_int_equal(old->questionnaire_version, 1);
    assert_int_equal(cur->questionnaire_version, 2);

    Unic__Scoring__V1__GetTrendRequest req = UNIC__SCORING__V1__GET_TREND_REQUEST__INIT;
    req.state_code = "PER";
    req.from_cycle = 2023;
    req.to_cycle = 2024;
    Unic__Scoring__V1__Trend *t = NULL;
    assert_int_equal(scoring_get_trend(&H, key_of("PER"), &req, &t, NULL, 0), 0);
    assert_int_equal(t->n_points, 2);
    assert_int_equal(t->points[0]->questionnaire_version, 1);
    assert_false(t->points[0]->version_changed);
    assert_int_equal(t->points[1]->questionnaire_version, 2);
    assert_true(t->points[1]->version_changed);
    assert_true(t->points[1]->overall_index == 60);
    assert_true(t->points[1]->delta == 40); /* 60 - 20 */
    harness_free(t);

    Scorecard *c = scorecard_ok(key_of("PER"), cur->id);
    assert_int_equal(c->questionnaire_version, 2);
    harness_free(c);
    harness_free(old);
    harness_free(cur);
}

/* ---- benchmarks ---- */

static int benchmark(const char *key, const char *group, int cycle,
                     Unic__Scoring__V1__Benchmark **b, char *msg)
{
    Unic__Scoring__V1__GetBenchmarkRequest req = UNIC__SCORING__V1__GET_BENCHMARK_REQUEST__INIT;
    req.group = (char *)group;
    req.cycle = cycle;
    *b = NULL;
    return scoring_get_benchmark(&H, key, &req, b, msg, 512);
}

/* Cycle 2021, Sub-Saharan Africa, submitted self-assessments: Ghana all at 2 -> 40.00 (PUBLIC),
 * Nigeria all at 3 -> 60.00 (PUBLIC), Senegal (a least developed country) all at 4 -> 80.00
 * (PRIVATE, then PUBLIC), Côte d'Ivoire all at 5 -> 100.00 (UNIC: operators only).
 * With Ghana, Nigeria and Senegal: averages (40 + 60 + 80) / 3 = 60.00 overall and per section;
 * Ghana ranks 3rd, above none (percentile 0); Nigeria 2nd, above 1 of 2 others (50). */
static void test_benchmark_refused_below_three_states_and_correct_at_three(void **state)
{
    (void)state;
    char msg[512];
    Unic__Scoring__V1__Benchmark *b;
    Assessment *gha = submit(save_uniform(create("GHA", 2021, "cip-self-assessment"), 2, 2));
    Assessment *nga = submit(save_uniform(create("NGA", 2021, "cip-self-assessment"), 3, 3));
    Assessment *sen = submit(save_uniform(create("SEN", 2021, "cip-self-assessment"), 4, 4));
    Assessment *civ = submit(save_uniform(create("CIV", 2021, "cip-self-assessment"), 5, 5));
    gha = set_visibility(gha, UNIC__COMMON__V1__VISIBILITY__PUBLIC);
    nga = set_visibility(nga, UNIC__COMMON__V1__VISIBILITY__PUBLIC);
    civ = set_visibility(civ, UNIC__COMMON__V1__VISIBILITY__UNIC);

    /* Ghana's key sees two States (Senegal's and Côte d'Ivoire's are not for it): refused. */
    assert_int_equal(benchmark(key_of("GHA"), "Sub-Saharan Africa", 2021, &b, msg),
                     ERR_FAILED_PRECONDITION);
    assert_non_null(strstr(msg, "at least 3"));
    /* An operator also sees the UNIC one: 3 States, 40, 60, 100 -> 66.67. */
    assert_int_equal(benchmark(H.operator_key, "Sub-Saharan Africa", 2021, &b, msg), 0);
    assert_int_equal(b->state_count, 3);
    assert_true(b->overall_average == 66.67);
    assert_null(b->own);
    harness_free(b);

    sen = set_visibility(sen, UNIC__COMMON__V1__VISIBILITY__PUBLIC);
    assert_int_equal(benchmark(key_of("GHA"), "Sub-Saharan Africa", 2021, &b, msg), 0);
    assert_string_equal(b->group, "Sub-Saharan Africa");
    assert_int_equal(b->cycle, 2021);
    assert_int_equal(b->state_count, 3);
    assert_true(b->overall_average == 60);
    assert_int_equal(b->n_sections, 7);
    for (size_t i = 0; i < b->n_sections; i++)
        assert_true(b->sections[i]->average == 60);
    assert_string_equal(b->sections[0]->section_id, "s1");
    assert_string_equal(b->sections[0]->title, "Taking stock of cybersecurity needs and strategies");
    assert_non_null(b->own);
    assert_string_equal(b->own->state_code, "GHA");
    assert_true(b->own->overall_index == 40);
    assert_int_equal(b->own->rank, 3);
    assert_true(b->own->percentile == 0);
    harness_free(b);

    assert_int_equal(benchmark(key_of("NGA"), "Africa", 2021, &b, msg), 0);
    assert_int_equal(b->state_count, 3);
    assert_int_equal(b->own->rank, 2);
    assert_true(b->own->percentile == 50);
    harness_free(b);

    /* A State outside the group gets no position. */
    assert_int_equal(benchmark(key_of("FRA"), "ALL", 2021, &b, msg), 0);
    assert_int_equal(b->state_count, 3);
    assert_null(b->own);
    harness_free(b);

    /* Operators: four States (Côte d'Ivoire's UNIC one too): (40 + 60 + 80 + 100) / 4 = 70. */
    assert_int_equal(benchmark(H.operator_key, "ALL", 2021, &b, msg), 0);
    assert_int_equal(b->state_count, 4);
    assert_true(b->overall_average == 70);
    harness_free(b);

    /* Least developed countries: Senegal alone. */
    assert_int_equal(benchmark(H.operator_key, "LDC", 2021, &b, msg), ERR_FAILED_PRECONDITION);
    assert_int_equal(benchmark(H.operator_key, "Atlantis", 2021, &b, msg), ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "group"));
    assert_non_null(strstr(msg, "LDC, SIDS or LLDC"));
    /* All four are in the M49 intermediate region Western Africa: the same three for Ghana. */
    assert_int_equal(benchmark(key_of("GHA"), "Western Africa", 2021, &b, msg), 0);
    assert_int_equal(b->state_count, 3);
    assert_true(b->overall_average == 60);
    harness_free(b);
    assert_int_equal(benchmark(H.operator_key, "ALL", 0, &b, msg), ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "cycle"));
    harness_free(gha);
    harness_free(nga);
    harness_free(sen);
    harness_free(civ);
}

/* ---- validation ---- */

static void test_invalid_requests_name_the_field(void **state)
{
    (void)state;
    const char *key = key_of("KEN");
    char msg[512];
    Scorecard *c = NULL;
    Unic__Scoring__V1__GetScorecardRequest req = UNIC__SCORING__V1__GET_SCORECARD_REQUEST__INIT;
    static const struct {
        const char *state;
        int cycle;
        const char *field;
    } bad[] = {
        {"ke", 2025, "state_code"}, {"XXX", 2025, "state_code"}, {"KEN", 2009, "cycle"},
        {"KEN", 2100, "cycle"},     {"", 2025, "state_code"},    {"K\xff" "N", 2025, "state_code"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        req.state_code = (char *)bad[i].state;
        req.cycle = bad[i].cycle;
        assert_int_equal(scoring_get_scorecard(&H, key, &req, &c, msg, sizeof msg),
                         ERR_INVALID_ARGUMENT);
        assert_non_null(strstr(msg, bad[i].field));
    }
    req.state_code = "KEN";
    req.assessment_id = "KEN-2025-cip-self-assessment";
    assert_int_equal(scoring_get_scorecard(&H, key, &req, &c, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "assessment_id"));
    req.state_code = "";
    req.cycle = 0;
    req.assessment_id = "no such/id";
    assert_int_equal(scoring_get_scorecard(&H, key, &req, &c, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "assessment_id"));
    req.assessment_id = "KEN-2011-cip-self-assessment"; /* well formed, never created */
    assert_int_equal(scoring_get_scorecard(&H, key, &req, &c, msg, sizeof msg), ERR_NOT_FOUND);

    Unic__Scoring__V1__GetComplianceReportRequest cr =
        UNIC__SCORING__V1__GET_COMPLIANCE_REPORT_REQUEST__INIT;
    Unic__Scoring__V1__ComplianceReport *r = NULL;
    cr.state_code = "KEN";
    cr.as_of = "2025-02-30";
    assert_int_equal(scoring_get_compliance_report(&H, key, &cr, &r, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "as_of"));
    cr.state_code = "QQQ";
    cr.as_of = "";
    assert_int_equal(scoring_get_compliance_report(&H, key, &cr, &r, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "UN Member State"));
    assert_null(r);
    assert_null(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers_give_the_hand_computed_scorecard),
        cmocka_unit_test(test_gaps_are_ordered_and_filtered),
        cmocka_unit_test(test_each_call_scores_its_revision_and_a_new_revision_scores_afresh),
        cmocka_unit_test(test_private_assessment_cannot_be_scored_by_another_state),
        cmocka_unit_test(test_compliance_statuses_with_a_fixed_as_of),
        cmocka_unit_test(test_compliance_unknown_and_not_applicable),
        cmocka_unit_test(test_compliance_annual_reports),
        cmocka_unit_test(test_private_compliance_report_reaches_unic_and_counts_for_paragraph_8),
        cmocka_unit_test(test_compliance_summaries_count_each_states_report),
        cmocka_unit_test(test_partial_self_assessment_is_submitted_and_scored),
        cmocka_unit_test(test_trend_over_three_cycles),
        cmocka_unit_test(test_benchmark_refused_below_three_states_and_correct_at_three),
        cmocka_unit_test(test_invalid_requests_name_the_field),
        cmocka_unit_test(test_trend_reports_a_questionnaire_version_change), /* last: see there */
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
