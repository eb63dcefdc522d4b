/* test_card.c: unit tests of the scoring service's message conversions (services/scoring/card.c):
 * scorecards, gaps, compliance reports, trends and benchmarks built from hand-made messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "scoring.h"

/* ---- a self-assessment questionnaire "qx" v2 ----
 * s1 "Policy": q1 (number 1, weight 0 = 1, topic strategy), q2 (2, weight 2, cip + training),
 *              t1 (3, a TEXT question: not scored);
 * s2 "Incidents": q3 (4, incident-response), q4 (5);
 * s3 "Notes": t2 (6, TEXT only: the section is left out). */
static char *tp_q1[] = {"strategy"};
static char *tp_q2[] = {"cip", "training"};
static char *tp_q3[] = {"incident-response"};

#define QUESTION(ID, NUM, TYPE, W, TOPICS, NT)                                                    \
    {.base = PROTOBUF_C_MESSAGE_INIT(&unic__catalog__v1__question__descriptor), .id = ID,         \
     .number = NUM, .text = "", .guidance = "", .answer_type = TYPE, .n_topics = NT,              \
     .topics = TOPICS, .weight = W, .required = true, .deadline = "",                             \
     .recurrence = UNIC__CATALOG__V1__RECURRENCE__NONE, .section_id = ""}

static Unic__Catalog__V1__Question fx_q1 =
    QUESTION("q1", 1, UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL, 0, tp_q1, 1);
static Unic__Catalog__V1__Question fx_q2 =
    QUESTION("q2", 2, UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL, 2, tp_q2, 2);
static Unic__Catalog__V1__Question fx_t1 = QUESTION("t1", 3, UNIC__CATALOG__V1__ANSWER_TYPE__TEXT, 0, NULL, 0);
static Unic__Catalog__V1__Question fx_q3 =
    QUESTION("q3", 4, UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL, 1, tp_q3, 1);
static Unic__Catalog__V1__Question fx_q4 =
    QUESTION("q4", 5, UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL, 1, NULL, 0);
static Unic__Catalog__V1__Question fx_t2 = QUESTION("t2", 6, UNIC__CATALOG__V1__ANSWER_TYPE__TEXT, 0, NULL, 0);

static Unic__Catalog__V1__Question *fx_s1_q[] = {&fx_q1, &fx_q2, &fx_t1};
static Unic__Catalog__V1__Question *fx_s2_q[] = {&fx_q3, &fx_q4};
static Unic__Catalog__V1__Question *fx_s3_q[] = {&fx_t2};

#define SECTION(ID, NUM, TITLE, QS)                                                               \
    {.base = PROTOBUF_C_MESSAGE_INIT(&unic__catalog__v1__section__descriptor), .id = ID,          \
     .number = NUM, .title = TITLE, .n_questions = sizeof QS / sizeof QS[0], .questions = QS}

static Unic__Catalog__V1__Section fx_s1 = SECTION("s1", 1, "Policy", fx_s1_q);
static Unic__Catalog__V1__Section fx_s2 = SECTION("s2", 2, "Incidents", fx_s2_q);
static Unic__Catalog__V1__Section fx_s3 = SECTION("s3", 3, "Notes", fx_s3_q);
static Unic__Catalog__V1__Section *fx_sections[] = {&fx_s1, &fx_s2, &fx_s3};

static Questionnaire fx_questionnaire(void)
{
    Questionnaire q = UNIC__CATALOG__V1__QUESTIONNAIRE__INIT;
    q.id = "qx";
    q.version = 2;
    q.n_sections = 3;
    q.sections = fx_sections;
    return q;
}

static Unic__Responses__V1__Answer level_answer(char *id, int level, int target)
{
    Unic__Responses__V1__Answer a = UNIC__RESPONSES__V1__ANSWER__INIT;
    a.question_id = id;
    if (level >= 0) {
        a.level_value_case = UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
        a.level = level;
    }
    if (target >= 0) {
        a.target_level_value_case = UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL;
        a.target_level = target;
    }
    return a;
}

/* q1 level 2 (default target 3), q2 level 4 target 5, q3 level 1, q4 unanswered, t1 a narrative. */
struct fx_assessment {
    Unic__Responses__V1__Answer a[4];
    Unic__Responses__V1__Answer *p[4];
    Assessment as;
};

static void fx_assessment_init(struct fx_assessment *f)
{
    f->a[0] = level_answer("q1", 2, -1);
    f->a[1] = level_answer("q2", 4, 5);
    f->a[2] = level_answer("t1", -1, -1);
    f->a[2].narrative = "a text answer";
    f->a[3] = level_answer("q3", 1, -1);
    for (int i = 0; i < 4; i++)
        f->p[i] = &f->a[i];
    f->as = (Assessment)UNIC__RESPONSES__V1__ASSESSMENT__INIT;
    f->as.id = "a-1";
    f->as.state_code = "KEN";
    f->as.cycle = 2025;
    f->as.questionnaire_id = "qx";
    f->as.questionnaire_version = 2;
    f->as.status = UNIC__RESPONSES__V1__ASSESSMENT_STATUS__DRAFT;
    f->as.revision = 7;
    f->as.n_answers = 4;
    f->as.answers = f->p;
}

/* s1 = 100 x (1x2 + 2x4) / (5 x 3) = 66.666... -> 66.67, stage 2; s2 = 100 x (1 + 0) / (5 x 2)
 * = 10, stage 0 (q4 unanswered counts 0); index = (66.666... + 10) / 2 = 38.333... -> 38.33,
 * stage 0. Gaps: q2 2 x (5 - 4) = 2, q3 1 x (3 - 1) = 2, q1 1 x (3 - 2) = 1, ordered by severity
 * then number: q2, q3, q1. Completeness 3 / 4. */
static void test_scorecard_matches_hand_computation(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct fx_assessment f;
    fx_assessment_init(&f);
    Questionnaire q = fx_questionnaire();
    Scorecard *c;
    struct err e;
    assert_int_equal(card_scorecard(&a, &f.as, &q, "2026-01-02T03:04:05Z", &c, &e), 0);
    assert_string_equal(c->assessment_id, "a-1");
    assert_string_equal(c->state_code, "KEN");
    assert_int_equal(c->cycle, 2025);
    assert_int_equal(c->revision, 7);
    assert_string_equal(c->model_version, "cmm-v1");
    assert_int_equal(c->status, UNIC__RESPONSES__V1__ASSESSMENT_STATUS__DRAFT);
    assert_string_equal(c->questionnaire_id, "qx");
    assert_int_equal(c->questionnaire_version, 2);
    assert_true(c->overall_index == 38.33);
    assert_int_equal(c->overall_stage, 0);
    assert_string_equal(c->overall_stage_name, "Not started");
    assert_int_equal(c->n_sections, 2);
    assert_string_equal(c->sections[0]->section_id, "s1");
    assert_string_equal(c->sections[0]->title, "Policy");
    assert_true(c->sections[0]->score == 66.67);
    assert_int_equal(c->sections[0]->stage, 2);
    assert_string_equal(c->sections[0]->stage_name, "Formative");
    assert_int_equal(c->sections[0]->answered, 2);
    assert_int_equal(c->sections[0]->total, 2);
    assert_true(c->sections[1]->score == 10.0);
    assert_int_equal(c->sections[1]->stage, 0);
    assert_int_equal(c->sections[1]->answered, 1);
    assert_int_equal(c->n_gaps, 3);
    assert_string_equal(c->gaps[0]->question_id, "q2");
    assert_true(c->gaps[0]->severity == 2.0);
    assert_int_equal(c->gaps[0]->level, 4);
    assert_int_equal(c->gaps[0]->target, 5);
    assert_int_equal(c->gaps[0]->question_number, 2);
    assert_int_equal(c->gaps[0]->n_topics, 2);
    assert_string_equal(c->gaps[0]->topics[1], "training");
    assert_string_equal(c->gaps[1]->question_id, "q3");
    assert_string_equal(c->gaps[1]->section_id, "s2");
    assert_string_equal(c->gaps[2]->question_id, "q1");
    assert_true(c->gaps[2]->severity == 1.0);
    assert_int_equal(c->n_assessment_needed, 1);
    assert_string_equal(c->assessment_needed[0], "q4");
    assert_true(c->completeness == 0.75);
    assert_string_equal(c->computed_at, "2026-01-02T03:04:05Z");
    assert_false(c->from_cache);
    arena_destroy(&a);
}

static void test_scorecard_bytes_are_reproducible(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct fx_assessment f1, f2;
    fx_assessment_init(&f1);
    fx_assessment_init(&f2);
    /* The same answers in another order give the same card. */
    Unic__Responses__V1__Answer *tmp = f2.p[0];
    f2.p[0] = f2.p[3];
    f2.p[3] = tmp;
    Questionnaire q = fx_questionnaire();
    Scorecard *c1, *c2;
    struct err e;
    assert_int_equal(card_scorecard(&a, &f1.as, &q, "2026-01-02T03:04:05Z", &c1, &e), 0);
    assert_int_equal(card_scorecard(&a, &f2.as, &q, "2026-01-02T03:04:05Z", &c2, &e), 0);
    size_t n1 = protobuf_c_message_get_packed_size(&c1->base);
    size_t n2 = protobuf_c_message_get_packed_size(&c2->base);
    assert_int_equal(n1, n2);
    uint8_t *b1 = arena_alloc(&a, n1), *b2 = arena_alloc(&a, n2);
    protobuf_c_message_pack(&c1->base, b1);
    protobuf_c_message_pack(&c2->base, b2);
    assert_memory_equal(b1, b2, n1);
    arena_destroy(&a);
}

static void test_scorecard_refuses_another_questionnaire_version(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct fx_assessment f;
    fx_assessment_init(&f);
    f.as.questionnaire_version = 1;
    Questionnaire q = fx_questionnaire();
    Scorecard *c;
    struct err e;
    assert_int_equal(card_scorecard(&a, &f.as, &q, "t", &c, &e), -1);
    assert_int_equal(e.code, ERR_INTERNAL);
    assert_non_null(strstr(e.msg, "v1"));
    arena_destroy(&a);
}

static void test_scorecard_refuses_an_out_of_range_level(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct fx_assessment f;
    fx_assessment_init(&f);
    f.a[0].level = 6;
    Questionnaire q = fx_questionnaire();
    Scorecard *c;
    struct err e;
    assert_int_equal(card_scorecard(&a, &f.as, &q, "t", &c, &e), -1);
    assert_int_equal(e.code, ERR_INTERNAL);
    assert_non_null(strstr(e.msg, "level"));
    arena_destroy(&a);
}

static void test_gaps_filter_by_severity_and_topic(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct fx_assessment f;
    fx_assessment_init(&f);
    Questionnaire q = fx_questionnaire();
    Scorecard *c;
    struct err e;
    assert_int_equal(card_scorecard(&a, &f.as, &q, "t", &c, &e), 0);
    Unic__Scoring__V1__GetGapsResponse *g = card_gaps(&a, c, 2, NULL, 0);
    assert_int_equal(g->n_gaps, 2);
    assert_string_equal(g->gaps[0]->question_id, "q2");
    assert_string_equal(g->gaps[1]->question_id, "q3");
    assert_int_equal(g->revision, 7);
    char *topics[] = {"strategy", "incident-response"};
    g = card_gaps(&a, c, 0, topics, 2);
    assert_int_equal(g->n_gaps, 2);
    assert_string_equal(g->gaps[0]->question_id, "q3");
    assert_string_equal(g->gaps[1]->question_id, "q1");
    assert_int_equal(g->n_assessment_needed, 1);
    arena_destroy(&a);
}

static void test_utc_date_of_rfc3339_times(void **state)
{
    (void)state;
    char d[11];
    assert_true(card_utc_date("2024-12-31T23:59:59Z", d));
    assert_string_equal(d, "2024-12-31");
    assert_true(card_utc_date("2025-01-01T01:30:00.123456+02:00", d));
    assert_string_equal(d, "2024-12-31");
    assert_true(card_utc_date("2024-12-31T22:00:00-03:00", d));
    assert_string_equal(d, "2025-01-01");
    assert_false(card_utc_date("2024-12-31", d));
    assert_false(card_utc_date("2024-12-31T10:00:00", d));
    assert_false(card_utc_date("", d));
}

static void test_paragraph_of_item_ids(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    assert_string_equal(card_paragraph(&a, "para4a"), "4(a)");
    assert_string_equal(card_paragraph(&a, "para6-cert"), "6");
    assert_string_equal(card_paragraph(&a, "para8-report"), "8");
    assert_string_equal(card_paragraph(&a, "para9-assistance"), "9");
    assert_string_equal(card_paragraph(&a, "other"), "other");
    arena_destroy(&a);
}

/* ---- compliance: para4a (deadline 2015-12-31), a TEXT note, para8-report (ANNUAL), para9 ---- */
#define ITEM(ID, NUM, TYPE, DEADLINE, REC)                                                        \
    {.base = PROTOBUF_C_MESSAGE_INIT(&unic__catalog__v1__question__descriptor), .id = ID,         \
     .number = NUM, .text = "", .guidance = "", .answer_type = TYPE, .weight = 1, .required = true, \
     .deadline = DEADLINE, .recurrence = REC, .section_id = ""}
static Unic__Catalog__V1__Question cx_4a = ITEM("para4a", 1, UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO,
                                                "2015-12-31", UNIC__CATALOG__V1__RECURRENCE__NONE);
static Unic__Catalog__V1__Question cx_note = ITEM("note", 2, UNIC__CATALOG__V1__ANSWER_TYPE__TEXT, "",
                                                  UNIC__CATALOG__V1__RECURRENCE__NONE);
static Unic__Catalog__V1__Question cx_8 = ITEM("para8-report", 3, UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO,
                                               "", UNIC__CATALOG__V1__RECURRENCE__ANNUAL);
static Unic__Catalog__V1__Question cx_9 = ITEM("para9-assistance", 4,
                                               UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO, "",
                                               UNIC__CATALOG__V1__RECURRENCE__NONE);
/* Listed out of number order: items follow the numbers. */
static Unic__Catalog__V1__Question *cx_qs[] = {&cx_9, &cx_8, &cx_note, &cx_4a};
static Unic__Catalog__V1__Section cx_s = SECTION("all", 1, "All", cx_qs);
static Unic__Catalog__V1__Section *cx_sections[] = {&cx_s};

static Unic__Responses__V1__Answer yes_answer(char *id, bool yes, char *date)
{
    Unic__Responses__V1__Answer a = UNIC__RESPONSES__V1__ANSWER__INIT;
    a.question_id = id;
    a.yes_value_case = UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES;
    a.yes = yes;
    a.date = date;
    return a;
}

/* The checklist above as the catalog would serve it. */
static Questionnaire checklist(void)
{
    Questionnaire q = UNIC__CATALOG__V1__QUESTIONNAIRE__INIT;
    q.id = "unic-compliance";
    q.version = 1;
    q.n_sections = 1;
    q.sections = cx_sections;
    return q;
}

/* Issue 14, with a fixed clock: a State in UTC-10 submits its 2025 compliance report at 23:00
 * local time on 31 December, 09:00 on 1 January 2026 in UTC. In its own zone it reported in
 * time: MET, and the report names the zone. Read in UTC it would have been MET_LATE. */
static void test_report_at_23h_local_on_31_december_in_utc_minus_10_is_met(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    Questionnaire q = checklist();
    Assessment form = UNIC__RESPONSES__V1__ASSESSMENT__INIT;
    form.id = "USA-2025-unic-compliance";
    form.cycle = 2025;
    form.revision = 2;
    form.status = UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED;
    form.submitted_at = "2026-01-01T09:00:00.000Z";
    Assessment *reports[] = {&form};
    struct tz *hnl = NULL;
    struct err e;
    assert_int_equal(tz_load("Pacific/Honolulu", NULL, &hnl, &e), 0);
    Unic__Scoring__V1__ComplianceReport *r;
    assert_int_equal(card_compliance(&a, "USA", "2026-01-15", false, hnl, NULL, &q, &form, reports, 1,
                                     NULL, 0, &r, &e), 0);
    assert_string_equal(r->time_zone, "Pacific/Honolulu");
    assert_string_equal(r->items[1]->item_id, "para8-report-2025");
    assert_int_equal(r->items[1]->status, UNIC__SCORING__V1__COMPLIANCE_STATUS__MET);
    assert_string_equal(r->items[1]->date, "2025-12-31");

    assert_int_equal(card_compliance(&a, "USA", "2026-01-15", false, NULL, NULL, &q, &form, reports, 1,
                                     NULL, 0, &r, &e), 0);
    assert_string_equal(r->time_zone, "UTC");
    assert_int_equal(r->items[1]->status, UNIC__SCORING__V1__COMPLIANCE_STATUS__MET_LATE);
    assert_string_equal(r->items[1]->date, "2026-01-01");
    tz_free(hnl);
    arena_destroy(&a);
}

/* As of 2025-06-30: para4a yes dated 2016-02-01 -> MET_LATE; the 2023 self-assessment was
 * submitted 2024-01-10T01:00+02:00, 2024-01-09 in UTC -> MET_LATE, 2024 is a draft -> OVERDUE, 2025 not over -> OPEN;
 * para9 yes -> MET, or NOT_APPLICABLE for a least developed country. */
static void test_compliance_report_items(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    Questionnaire q = checklist();
    Unic__Responses__V1__Answer ans[3] = {yes_answer("para4a", true, "2016-02-01"),
                                          yes_answer("para9-assistance", true, ""),
                                          level_answer("note", -1, -1)};
    Unic__Responses__V1__Answer *pans[3] = {&ans[0], &ans[1], &ans[2]};
    Assessment form = UNIC__RESPONSES__V1__ASSESSMENT__INIT;
    form.id = "c-1";
    form.revision = 3;
    form.n_answers = 3;
    form.answers = pans;
    Assessment y23 = UNIC__RESPONSES__V1__ASSESSMENT__INIT, y24 = UNIC__RESPONSES__V1__ASSESSMENT__INIT;
    y23.cycle = 2023;
    y23.status = UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED;
    y23.submitted_at = "2024-01-10T01:00:00+02:00";
    y24.cycle = 2024;
    y24.status = UNIC__RESPONSES__V1__ASSESSMENT_STATUS__DRAFT;
    Assessment *cycles[] = {&y24, &y23};
    Unic__Scoring__V1__ComplianceReport *r;
    struct err e;
    assert_int_equal(card_compliance(&a, "KEN", "2025-06-30", false, NULL, NULL, &q, &form, NULL, 0, cycles, 2, &r, &e), 0);
    assert_string_equal(r->assessment_id, "c-1");
    assert_int_equal(r->revision, 3);
    assert_int_equal(r->n_items, 5);
    assert_string_equal(r->items[0]->item_id, "para4a");
    assert_string_equal(r->items[0]->paragraph, "4(a)");
    assert_int_equal(r->items[0]->status, UNIC__SCORING__V1__COMPLIANCE_STATUS__MET_LATE);
    assert_string_equal(r->items[0]->deadline, "2015-12-31");
    assert_string_equal(r->items[0]->date, "2016-02-01");
    assert_string_equal(r->items[1]->item_id, "para8-report-2023");
    assert_int_equal(r->items[1]->status, UNIC__SCORING__V1__COMPLIANCE_STATUS__MET_LATE);
    assert_string_equal(r->items[1]->date, "2024-01-09");
    assert_int_equal(r->items[2]->status, UNIC__SCORING__V1__COMPLIANCE_STATUS__OVERDUE);
    assert_string_equal(r->items[3]->item_id, "para8-report-2025");
    assert_int_equal(r->items[3]->status, UNIC__SCORING__V1__COMPLIANCE_STATUS__OPEN);
    assert_string_equal(r->items[4]->paragraph, "9");
    assert_int_equal(r->items[4]->status, UNIC__SCORING__V1__COMPLIANCE_STATUS__MET);

    assert_int_equal(card_compliance(&a, "AFG", "2025-06-30", true, NULL, NULL, &q, NULL, NULL, 0, NULL, 0, &r, &e), 0);
    assert_string_equal(r->assessment_id, "");
    assert_int_equal(r->n_items, 3);
    assert_int_equal(r->items[0]->status, UNIC__SCORING__V1__COMPLIANCE_STATUS__UNKNOWN);
    assert_string_equal(r->items[1]->item_id, "para8-report");
    assert_int_equal(r->items[1]->status, UNIC__SCORING__V1__COMPLIANCE_STATUS__UNKNOWN);
    assert_int_equal(r->items[2]->status, UNIC__SCORING__V1__COMPLIANCE_STATUS__NOT_APPLICABLE);
    arena_destroy(&a);
}

static void test_compliance_refuses_a_bad_submission_time(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    Questionnaire q = UNIC__CATALOG__V1__QUESTIONNAIRE__INIT;
    q.n_sections = 1;
    q.sections = cx_sections;
    Assessment y = UNIC__RESPONSES__V1__ASSESSMENT__INIT;
    y.id = "s-1";
    y.cycle = 2023;
    y.status = UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED;
    y.submitted_at = "yesterday";
    Assessment *cycles[] = {&y};
    Unic__Scoring__V1__ComplianceReport *r;
    struct err e;
    assert_int_equal(card_compliance(&a, "KEN", "2025-06-30", false, NULL, NULL, &q, NULL, NULL, 0, cycles, 1, &r, &e), -1);
    assert_int_equal(e.code, ERR_INTERNAL);
    assert_non_null(strstr(e.msg, "submitted_at"));
    arena_destroy(&a);
}

/* ---- trends and benchmarks from hand-made cards ---- */

static Scorecard *card(struct arena *a, char *state, int cycle, char *qid, int version,
                       double index, double s1)
{
    Scorecard *c = ARENA_MSG(a, Scorecard, UNIC__SCORING__V1__SCORECARD__INIT);
    c->assessment_id = arena_printf(a, "%s-%d", state, cycle);
    c->state_code = state;
    c->cycle = cycle;
    c->questionnaire_id = qid;
    c->questionnaire_version = version;
    c->overall_index = index;
    c->status = UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED;
    Unic__Scoring__V1__SectionScore *s =
        ARENA_MSG(a, Unic__Scoring__V1__SectionScore, UNIC__SCORING__V1__SECTION_SCORE__INIT);
    s->section_id = "s1";
    s->title = arena_printf(a, "Title from %s", state);
    s->score = s1;
    c->sections = ARENA_ARRAY(a, Unic__Scoring__V1__SectionScore *, 1);
    c->sections[0] = s;
    c->n_sections = 1;
    return c;
}

/* 2024 40.00 (s1 50.00), 2025 45.50 (60.00), 2026 on v2 50.00 (55.00): deltas 5.50 / 10.00 and
 * 4.50 / -5.00, the version change flagged; another questionnaire's card is left out. */
static void test_trend_over_three_cycles(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    Scorecard *cards[] = {
        card(&a, "KEN", 2026, "cip", 2, 50, 55), card(&a, "KEN", 2024, "cip", 1, 40, 50),
        card(&a, "KEN", 2025, "other", 1, 90, 90), card(&a, "KEN", 2025, "cip", 1, 45.5, 60)};
    cards[3]->status = UNIC__RESPONSES__V1__ASSESSMENT_STATUS__DRAFT;
    Unic__Scoring__V1__Trend *t;
    struct err e;
    assert_int_equal(card_trend(&a, "KEN", "cip", cards, 4, &t, &e), 0);
    assert_string_equal(t->questionnaire_id, "cip");
    assert_int_equal(t->n_points, 3);
    assert_int_equal(t->points[0]->cycle, 2024);
    assert_true(t->points[0]->delta == 0);
    assert_string_equal(t->points[1]->assessment_id, "KEN-2025");
    assert_int_equal(t->points[1]->status, UNIC__RESPONSES__V1__ASSESSMENT_STATUS__DRAFT);
    assert_true(t->points[1]->delta == 5.5);
    assert_true(t->points[1]->sections[0]->delta == 10.0);
    assert_false(t->points[1]->version_changed);
    assert_true(t->points[2]->delta == 4.5);
    assert_true(t->points[2]->sections[0]->delta == -5.0);
    assert_true(t->points[2]->version_changed);
    assert_int_equal(t->points[2]->questionnaire_version, 2);
    arena_destroy(&a);
}

/* AAA 40 (s1 30), BBB 60 (s1 60), CCC 50 (s1 45): averages 50 and 45; BBB ranks 1st, above both
 * others (percentile 100); CCC 2nd, above one of two (50). */
static void test_benchmark_averages_and_position(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    Scorecard *cards[] = {card(&a, "CCC", 2025, "cip", 1, 50, 45), card(&a, "AAA", 2025, "cip", 1, 40, 30),
                          card(&a, "BBB", 2025, "cip", 1, 60, 60)};
    Unic__Scoring__V1__Benchmark *b;
    struct err e;
    assert_int_equal(card_benchmark(&a, "Africa", 2025, cards, 3, "BBB", &b, &e), 0);
    assert_string_equal(b->group, "Africa");
    assert_int_equal(b->cycle, 2025);
    assert_int_equal(b->state_count, 3);
    assert_true(b->overall_average == 50.0);
    assert_int_equal(b->n_sections, 1);
    assert_true(b->sections[0]->average == 45.0);
    assert_string_equal(b->sections[0]->title, "Title from AAA");
    assert_non_null(b->own);
    assert_string_equal(b->own->state_code, "BBB");
    assert_true(b->own->overall_index == 60.0);
    assert_int_equal(b->own->rank, 1);
    assert_true(b->own->percentile == 100.0);
    assert_int_equal(card_benchmark(&a, "Africa", 2025, cards, 3, "CCC", &b, &e), 0);
    assert_int_equal(b->own->rank, 2);
    assert_true(b->own->percentile == 50.0);
    assert_int_equal(card_benchmark(&a, "Africa", 2025, cards, 3, "ZZZ", &b, &e), 0);
    assert_null(b->own);
    assert_int_equal(card_benchmark(&a, "Africa", 2025, cards, 3, NULL, &b, &e), 0);
    assert_null(b->own);
    arena_destroy(&a);
}

static void test_benchmark_refuses_fewer_than_three_states(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    Scorecard *cards[] = {card(&a, "AAA", 2025, "cip", 1, 40, 30), card(&a, "BBB", 2025, "cip", 1, 60, 60)};
    Unic__Scoring__V1__Benchmark *b;
    struct err e;
    assert_int_equal(card_benchmark(&a, "LDC", 2025, cards, 2, "AAA", &b, &e), -1);
    assert_int_equal(e.code, ERR_FAILED_PRECONDITION);
    assert_non_null(strstr(e.msg, "at least 3"));
    arena_destroy(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scorecard_matches_hand_computation),
        cmocka_unit_test(test_scorecard_bytes_are_reproducible),
        cmocka_unit_test(test_scorecard_refuses_another_questionnaire_version),
        cmocka_unit_test(test_scorecard_refuses_an_out_of_range_level),
        cmocka_unit_test(test_gaps_filter_by_severity_and_topic),
        cmocka_unit_test(test_utc_date_of_rfc3339_times),
        cmocka_unit_test(test_paragraph_of_item_ids),
        cmocka_unit_test(test_compliance_report_items),
        cmocka_unit_test(test_report_at_23h_local_on_31_december_in_utc_minus_10_is_met),
        cmocka_unit_test(test_compliance_refuses_a_bad_submission_time),
        cmocka_unit_test(test_trend_over_three_cycles),
        cmocka_unit_test(test_benchmark_averages_and_position),
        cmocka_unit_test(test_benchmark_refuses_fewer_than_three_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
