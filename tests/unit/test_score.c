/* test_score.c: unit tests of the cmm-v1 scoring model (services/scoring/score.c), on cases
 * computed by hand; the arithmetic is in the comment of each test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "score.h"

/* The fixture: s1 "Policy" = q1 (weight 0, the default 1) + q2 (weight 2); s2 "Incidents" =
 * q3 + q4 (weight 1 each).
 * Listed out of number order on purpose: the model orders by number, not by input position. */
static const char *const t_q1[] = {"policy"};
static const char *const t_q2[] = {"cert", "training"};
static const char *const t_q3[] = {"cert"};

static const struct score_section_def fx_sections[] = {
    {.id = "s2", .number = 2, .title = "Incidents"},
    {.id = "s1", .number = 1, .title = "Policy"},
};

static const struct score_question_def fx_questions[] = {
    {.id = "q3", .number = 3, .section_id = "s2", .weight = 1, .topics = t_q3, .n_topics = 1},
    {.id = "q1", .number = 1, .section_id = "s1", .weight = 0, .topics = t_q1, .n_topics = 1},
    {.id = "q4", .number = 4, .section_id = "s2", .weight = 1},
    {.id = "q2", .number = 2, .section_id = "s1", .weight = 2, .topics = t_q2, .n_topics = 2},
};

static const struct score_questionnaire fx = {
    .sections = fx_sections, .n_sections = 2, .questions = fx_questions, .n_questions = 4,
};

#define ANSWER(id, lvl) {.question_id = (id), .level = (lvl), .target = SCORE_NO_TARGET}
#define ANSWER_T(id, lvl, tgt) {.question_id = (id), .level = (lvl), .target = (tgt)}

static struct score_result *compute(const struct score_answer *answers, size_t n)
{
    struct score_result *r = NULL;
    struct err e = {0};
    assert_int_equal(score_compute(&fx, answers, n, &r, &e), 0);
    assert_non_null(r);
    return r;
}

static void assert_gap(const struct score_gap *g, const char *question_id, int level, int target,
                       double severity)
{
    assert_string_equal(g->question_id, question_id);
    assert_int_equal(g->level, level);
    assert_int_equal(g->target, target);
    assert_true(g->severity == severity);
}

/* Levels all 0: scores 0, stages 0. Default target 3 everywhere: severities q1 1x3 = 3,
 * q2 2x3 = 6, q3 3, q4 3; q2 first, then the ties q1, q3, q4 by question number. */
static void test_all_zeros_score_nothing_and_every_answer_is_a_gap(void **state)
{
    (void)state;
    const struct score_answer a[] = {ANSWER("q1", 0), ANSWER("q2", 0), ANSWER("q3", 0),
                                     ANSWER("q4", 0)};
    struct score_result *r = compute(a, 4);
    assert_int_equal(r->n_sections, 2);
    assert_string_equal(r->sections[0].id, "s1");
    assert_string_equal(r->sections[0].title, "Policy");
    assert_string_equal(r->sections[1].id, "s2");
    for (size_t k = 0; k < 2; k++) {
        assert_true(r->sections[k].score == 0);
        assert_int_equal(r->sections[k].stage, 0);
        assert_int_equal(r->sections[k].answered, 2);
        assert_int_equal(r->sections[k].total, 2);
    }
    assert_true(r->overall_index == 0);
    assert_int_equal(r->overall_stage, 0);
    assert_true(r->completeness == 1);
    assert_int_equal(r->n_assessment_needed, 0);
    assert_int_equal(r->n_gaps, 4);
    assert_gap(&r->gaps[0], "q2", 0, 3, 6);
    assert_gap(&r->gaps[1], "q1", 0, 3, 3);
    assert_gap(&r->gaps[2], "q3", 0, 3, 3);
    assert_gap(&r->gaps[3], "q4", 0, 3, 3);
    assert_string_equal(r->gaps[0].section_id, "s1");
    assert_int_equal(r->gaps[0].number, 2);
    assert_int_equal(r->gaps[0].n_topics, 2);
    assert_string_equal(r->gaps[0].topics[1], "training");
    score_result_free(r);
}

/* Levels all 5: 100 x 5 x sum(w) / (5 x sum(w)) = 100; stage 5 Dynamic; above every target. */
static void test_all_fives_score_hundred_with_no_gaps(void **state)
{
    (void)state;
    const struct score_answer a[] = {ANSWER("q1", 5), ANSWER("q2", 5), ANSWER("q3", 5),
                                     ANSWER("q4", 5)};
    struct score_result *r = compute(a, 4);
    assert_true(r->sections[0].score == 100);
    assert_true(r->sections[1].score == 100);
    assert_true(r->overall_index == 100);
    assert_int_equal(r->overall_stage, 5);
    assert_string_equal(score_stage_name(r->overall_stage), "Dynamic");
    assert_int_equal(r->n_gaps, 0);
    score_result_free(r);
}

/* q1 = 4, q2 omitted, q3 explicitly unanswered (its target 5 is irrelevant), q4 = 3.
 * s1 = 100 x (1x4 + 2x0) / (5 x 3) = 400/15 = 26.666... -> 26.67, stage 0, 1 of 2 answered;
 * s2 = 100 x (0 + 3) / (5 x 2) = 30, stage 0; overall (26.666... + 30) / 2 = 28.333... -> 28.33.
 * Completeness 2/4. q2, q3 need assessment; no gap (q1 above, q4 at the default target 3). */
static void test_unanswered_counts_as_zero_and_is_listed_apart_not_as_gap(void **state)
{
    (void)state;
    const struct score_answer a[] = {ANSWER("q4", 3), ANSWER_T("q3", SCORE_UNANSWERED, 5),
                                     ANSWER("q1", 4)};
    struct score_result *r = compute(a, 3);
    assert_true(r->sections[0].score == 26.67);
    assert_int_equal(r->sections[0].stage, 0);
    assert_int_equal(r->sections[0].answered, 1);
    assert_int_equal(r->sections[0].total, 2);
    assert_true(r->sections[1].score == 30);
    assert_int_equal(r->sections[1].stage, 0);
    assert_true(r->overall_index == 28.33);
    assert_true(r->completeness == 0.5);
    assert_int_equal(r->n_assessment_needed, 2);
    assert_string_equal(r->assessment_needed[0], "q2");
    assert_string_equal(r->assessment_needed[1], "q3");
    assert_int_equal(r->n_gaps, 0);
    score_result_free(r);
}

/* q1 = 5 (w 1), q2 = 2 (w 2): s1 = 100 x (5 + 2x2) / (5 x 3) = 900/15 = 60 (70 if equal weights).
 * q3 = q4 = 3: s2 = 100 x 6 / 10 = 60. The weight scales severity: q2 is 2 x (3 - 2) = 2. */
static void test_weight_two_question_counts_double(void **state)
{
    (void)state;
    const struct score_answer a[] = {ANSWER("q1", 5), ANSWER("q2", 2), ANSWER("q3", 3),
                                     ANSWER("q4", 3)};
    struct score_result *r = compute(a, 4);
    assert_true(r->sections[0].score == 60);
    assert_true(r->sections[1].score == 60);
    assert_true(r->overall_index == 60);
    assert_int_equal(r->n_gaps, 1);
    assert_gap(&r->gaps[0], "q2", 2, 3, 2);
    score_result_free(r);
}

/* q1 2 -> 4: gap 1 x 2 = 2; q2 3 -> 1: target below, no gap; q3 4 -> 4: equal, no gap;
 * q4 4 -> 5: gap 1 x 1 = 1. */
static void test_only_targets_above_the_level_make_gaps(void **state)
{
    (void)state;
    const struct score_answer a[] = {ANSWER_T("q1", 2, 4), ANSWER_T("q2", 3, 1),
                                     ANSWER_T("q3", 4, 4), ANSWER_T("q4", 4, 5)};
    struct score_result *r = compute(a, 4);
    assert_int_equal(r->n_gaps, 2);
    assert_gap(&r->gaps[0], "q1", 2, 4, 2);
    assert_gap(&r->gaps[1], "q4", 4, 5, 1);
    score_result_free(r);
}

/* No target given: 3 (Established). q1 1 -> 3: 2; q2 3 -> 3: none; q3 4: none; q4 2 -> 3: 1. */
static void test_default_target_is_established(void **state)
{
    (void)state;
    const struct score_answer a[] = {ANSWER("q1", 1), ANSWER("q2", 3), ANSWER("q3", 4),
                                     ANSWER("q4", 2)};
    struct score_result *r = compute(a, 4);
    assert_int_equal(r->n_gaps, 2);
    assert_gap(&r->gaps[0], "q1", 1, 3, 2);
    assert_gap(&r->gaps[1], "q4", 2, 3, 1);
    score_result_free(r);
}

/* s1 levels 5 and 1: stage 1 however strong q1 is; s2 levels 4 and 3: stage 3; overall 1. */
static void test_section_stage_is_weakest_question(void **state)
{
    (void)state;
    const struct score_answer a[] = {ANSWER("q1", 5), ANSWER("q2", 1), ANSWER("q3", 4),
                                     ANSWER("q4", 3)};
    struct score_result *r = compute(a, 4);
    assert_int_equal(r->sections[0].stage, 1);
    assert_int_equal(r->sections[1].stage, 3);
    assert_int_equal(r->overall_stage, 1);
    assert_string_equal(score_stage_name(r->overall_stage), "Start-up");
    score_result_free(r);
}

/* q1 5, q2 1: s1 = 100 x (5 + 2) / 15 = 46.666... -> 46.67; q3 4, q4 3: s2 = 100 x 7 / 10 = 70.
 * Overall from unrounded scores: (46.666... + 70) / 2 = 58.333... -> 58.33, where the rounded
 * scores would give (46.67 + 70) / 2 = 58.335 -> 58.34. */
static void test_overall_index_uses_unrounded_section_scores(void **state)
{
    (void)state;
    const struct score_answer a[] = {ANSWER("q1", 5), ANSWER("q2", 1), ANSWER("q3", 4),
                                     ANSWER("q4", 3)};
    struct score_result *r = compute(a, 4);
    assert_true(r->sections[0].score == 46.67);
    assert_true(r->sections[1].score == 70);
    assert_true(r->overall_index == 58.33);
    score_result_free(r);
}

/* q1, q3, q4 at 1: severity 1 x (3 - 1) = 2 each, ordered by number whatever the answer order;
 * q2 at 2: 2 x (3 - 2) = 2 too, so all four tie and come out q1, q2, q3, q4. */
static void test_gap_ties_are_ordered_by_question_number(void **state)
{
    (void)state;
    const struct score_answer a[] = {ANSWER("q4", 1), ANSWER("q3", 1), ANSWER("q2", 2),
                                     ANSWER("q1", 1)};
    struct score_result *r = compute(a, 4);
    assert_int_equal(r->n_gaps, 4);
    assert_gap(&r->gaps[0], "q1", 1, 3, 2);
    assert_gap(&r->gaps[1], "q2", 2, 3, 2);
    assert_gap(&r->gaps[2], "q3", 1, 3, 2);
    assert_gap(&r->gaps[3], "q4", 1, 3, 2);
    score_result_free(r);
}

static void test_same_input_gives_identical_bytes(void **state)
{
    (void)state;
    const struct score_answer a[] = {ANSWER_T("q1", 2, 5), ANSWER("q2", 1), ANSWER("q4", 4)};
    struct score_result *r1 = compute(a, 3), *r2 = compute(a, 3);
    assert_int_equal(r1->n_sections, r2->n_sections);
    for (size_t k = 0; k < r1->n_sections; k++) {
        assert_memory_equal(&r1->sections[k].score, &r2->sections[k].score, sizeof(double));
        assert_int_equal(r1->sections[k].stage, r2->sections[k].stage);
    }
    assert_memory_equal(&r1->overall_index, &r2->overall_index, sizeof(double));
    assert_memory_equal(&r1->completeness, &r2->completeness, sizeof(double));
    assert_int_equal(r1->n_gaps, r2->n_gaps);
    for (size_t i = 0; i < r1->n_gaps; i++) {
        assert_string_equal(r1->gaps[i].question_id, r2->gaps[i].question_id);
        assert_memory_equal(&r1->gaps[i].severity, &r2->gaps[i].severity, sizeof(double));
    }
    score_result_free(r1);
    score_result_free(r2);
}

/* 0.125 and 0.625 are exact binary halves: away from zero. 2.675 and 0.015 are stored just
 * below the half (2.67499999..., 0.01499999...): down, although 0.015 x 100 rounds to 1.5 in
 * double, which is why the rule looks at the exact value. */
static void test_round2_is_half_away_from_zero_on_the_exact_value(void **state)
{
    (void)state;
    assert_true(score_round2(0.125) == 0.13);
    assert_true(score_round2(0.625) == 0.63);
    assert_true(score_round2(-0.125) == -0.13);
    assert_true(score_round2(2.675) == 2.67);
    assert_true(score_round2(0.015) == 0.01);
    assert_true(score_round2(1000.0 / 15.0) == 66.67);
    assert_true(score_round2(100) == 100);
    assert_true(score_round2(0) == 0);
}

/* One section: q1 weight 1 at level 1, q2 weight 31 at level 0:
 * 100 x 1 / (5 x 32) = 0.625 exactly, a tie, published 0.63. */
static void test_section_score_tie_rounds_away_from_zero(void **state)
{
    (void)state;
    const struct score_section_def s[] = {{.id = "s", .number = 1, .title = "S"}};
    const struct score_question_def qs[] = {
        {.id = "q1", .number = 1, .section_id = "s", .weight = 1},
        {.id = "q2", .number = 2, .section_id = "s", .weight = 31},
    };
    const struct score_questionnaire q = {s, 1, qs, 2};
    const struct score_answer a[] = {ANSWER("q1", 1), ANSWER("q2", 0)};
    struct score_result *r = NULL;
    struct err e = {0};
    assert_int_equal(score_compute(&q, a, 2, &r, &e), 0);
    assert_true(r->sections[0].score == 0.63);
    assert_true(r->overall_index == 0.63);
    assert_gap(&r->gaps[1], "q1", 1, 3, 2); /* q2: 31 x 3 = 93 first */
    score_result_free(r);
}

static void assert_invalid(const struct score_questionnaire *q, const struct score_answer *a,
                           size_t n, const char *field)
{
    struct score_result *r = NULL;
    struct err e = {0};
    assert_int_equal(score_compute(q, a, n, &r, &e), -1);
    assert_null(r);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    if (strstr(e.msg, field) == NULL)
        fail_msg("message \"%s\" does not name %s", e.msg, field);
}

static void test_bad_answers_are_invalid_and_name_the_field(void **state)
{
    (void)state;
    const struct score_answer unknown[] = {ANSWER("q1", 1), ANSWER("q9", 1)};
    assert_invalid(&fx, unknown, 2, "answers[1].question_id: \"q9\"");
    const struct score_answer high[] = {ANSWER("q1", 1), ANSWER("q2", 1), ANSWER("q3", 1),
                                        ANSWER("q4", 6)};
    assert_invalid(&fx, high, 4, "answers[3].level");
    const struct score_answer negative[] = {ANSWER("q1", -2)};
    assert_invalid(&fx, negative, 1, "answers[0].level");
    const struct score_answer target[] = {ANSWER_T("q1", 1, 6)};
    assert_invalid(&fx, target, 1, "answers[0].target");
    const struct score_answer twice[] = {ANSWER("q1", 1), ANSWER("q1", 2)};
    assert_invalid(&fx, twice, 2, "answers[1].question_id");
}

static void test_bad_questionnaires_are_invalid(void **state)
{
    (void)state;
    const struct score_section_def s[] = {{.id = "a", .number = 1, .title = "A"},
                                          {.id = "b", .number = 2, .title = "B"}};
    const struct score_question_def only_a[] = {{.id = "q1", .number = 1, .section_id = "a"}};
    const struct score_questionnaire empty_b = {s, 2, only_a, 1};
    assert_invalid(&empty_b, NULL, 0, "section \"b\" has no questions");

    const struct score_question_def bad_weight[] = {
        {.id = "q1", .number = 1, .section_id = "a", .weight = -1},
        {.id = "q2", .number = 2, .section_id = "b"}};
    const struct score_questionnaire w = {s, 2, bad_weight, 2};
    assert_invalid(&w, NULL, 0, "questions[0].weight");

    const struct score_question_def bad_section[] = {
        {.id = "q1", .number = 1, .section_id = "a"}, {.id = "q2", .number = 2, .section_id = "c"}};
    const struct score_questionnaire sec = {s, 2, bad_section, 2};
    assert_invalid(&sec, NULL, 0, "questions[1].section_id: \"c\"");

    const struct score_question_def same_number[] = {
        {.id = "q1", .number = 1, .section_id = "a"}, {.id = "q2", .number = 1, .section_id = "b"}};
    const struct score_questionnaire num = {s, 2, same_number, 2};
    assert_invalid(&num, NULL, 0, "question number 1");

    const struct score_question_def same_id[] = {
        {.id = "q1", .number = 1, .section_id = "a"}, {.id = "q1", .number = 2, .section_id = "b"}};
    const struct score_questionnaire id = {s, 2, same_id, 2};
    assert_invalid(&id, NULL, 0, "question id \"q1\"");

    const struct score_questionnaire none = {s, 0, NULL, 0};
    assert_invalid(&none, NULL, 0, "no sections");
}

static void test_stage_names_follow_the_maturity_model(void **state)
{
    (void)state;
    static const char *const names[] = {"Not started", "Start-up", "Formative", "Established",
                                        "Strategic", "Dynamic"};
    for (int i = 0; i <= SCORE_LEVEL_MAX; i++)
        assert_string_equal(score_stage_name(i), names[i]);
    assert_string_equal(score_stage_name(6), "Unknown");
    assert_string_equal(score_stage_name(-1), "Unknown");
    assert_string_equal(SCORE_MODEL_VERSION, "cmm-v1");
}

static void test_gap_filter_keeps_min_severity_and_any_topic(void **state)
{
    (void)state;
    const char *const topics[] = {"policy", "cert"};
    const struct score_gap g = {.severity = 2, .topics = topics, .n_topics = 2};
    const char *const want_cert[] = {"legal", "cert"};
    const char *const want_legal[] = {"legal"};
    assert_true(score_gap_matches(&g, 0, NULL, 0));
    assert_true(score_gap_matches(&g, 2, NULL, 0));
    assert_false(score_gap_matches(&g, 2.5, NULL, 0));
    assert_true(score_gap_matches(&g, 0, want_cert, 2));
    assert_false(score_gap_matches(&g, 0, want_legal, 1));
    const struct score_gap no_topics = {.severity = 3};
    assert_false(score_gap_matches(&no_topics, 0, want_legal, 1));
}

static void test_free_of_null_does_nothing(void **state)
{
    (void)state;
    score_result_free(NULL);
    score_trend_free(NULL);
    score_benchmark_free(NULL);
}

/* Cycles given out of order, plus one of another questionnaire, which is left out.
 * 2023 - 2022: overall 46.67 - 40.33 = 6.34, s1 35.25 - 30 = 5.25, s2 55.75 - 50.5 = 5.25;
 * 2024 (version 2): overall 50 - 46.67 = 3.33, s1 40 - 35.25 = 4.75, s3 new, so no delta. */
static void test_trend_gives_deltas_and_flags_version_change(void **state)
{
    (void)state;
    const struct score_section_value v22[] = {{"s1", 30}, {"s2", 50.5}};
    const struct score_section_value v23[] = {{"s1", 35.25}, {"s2", 55.75}};
    const struct score_section_value v24[] = {{"s1", 40}, {"s3", 60}};
    const struct score_section_value vx[] = {{"s1", 99}};
    const struct score_trend_point p[] = {
        {2024, "cip", 2, 50, v24, 2},
        {2022, "cip", 1, 40.33, v22, 2},
        {2023, "other", 1, 99, vx, 1},
        {2023, "cip", 1, 46.67, v23, 2},
    };
    struct score_trend *t = NULL;
    struct err e = {0};
    assert_int_equal(score_trend_compute(p, 4, "cip", &t, &e), 0);
    assert_int_equal(t->n_cycles, 3);

    assert_int_equal(t->cycles[0].cycle, 2022);
    assert_false(t->cycles[0].has_delta);
    assert_false(t->cycles[0].version_changed);
    assert_false(t->cycles[0].sections[0].has_delta);

    const struct score_trend_cycle *c = &t->cycles[1];
    assert_int_equal(c->cycle, 2023);
    assert_true(c->has_delta);
    assert_true(c->overall_delta == 6.34);
    assert_false(c->version_changed);
    assert_true(c->sections[0].delta == 5.25);
    assert_true(c->sections[1].delta == 5.25);

    c = &t->cycles[2];
    assert_int_equal(c->cycle, 2024);
    assert_true(c->version_changed);
    assert_int_equal(c->questionnaire_version, 2);
    assert_true(c->overall_delta == 3.33);
    assert_string_equal(c->sections[0].section_id, "s1");
    assert_true(c->sections[0].delta == 4.75);
    assert_string_equal(c->sections[1].section_id, "s3");
    assert_false(c->sections[1].has_delta);
    score_trend_free(t);
}

static void test_trend_refuses_a_cycle_given_twice(void **state)
{
    (void)state;
    const struct score_trend_point p[] = {{2022, "cip", 1, 40, NULL, 0},
                                          {2022, "cip", 1, 41, NULL, 0}};
    struct score_trend *t = NULL;
    struct err e = {0};
    assert_int_equal(score_trend_compute(p, 2, "cip", &t, &e), -1);
    assert_null(t);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(e.msg, "points[1].cycle"));
}

static void test_benchmark_is_refused_below_three_states(void **state)
{
    (void)state;
    const struct score_benchmark_entry en[] = {{"AAA", 50, NULL, 0}, {"BBB", 60, NULL, 0}};
    struct score_benchmark *b = NULL;
    struct err e = {0};
    assert_int_equal(score_benchmark_compute(en, 2, "AAA", &b, &e), -1);
    assert_null(b);
    assert_int_equal(e.code, ERR_FAILED_PRECONDITION);
}

/* Overall: (60 + 40 + 60 + 20.02) / 4 = 180.02 / 4 = 45.005 -> 45.01 (a tie, away from zero).
 * s1 over 4 States: (50 + 30 + 70 + 10) / 4 = 40; s2 over 3: (10 + 20 + 31) / 3 = 20.333 ->
 * 20.33; s3 reported by one State only: left out. CCC ties AAA at 60: both rank 1; 2 of the 3
 * others are below: percentile 100 x 2 / 3 = 66.67. BBB: rank 3, 1 below: 33.33. */
static void test_benchmark_averages_rank_and_percentile(void **state)
{
    (void)state;
    const struct score_section_value a[] = {{"s1", 50}, {"s2", 10}};
    const struct score_section_value bb[] = {{"s1", 30}, {"s2", 20}, {"s3", 90}};
    const struct score_section_value c[] = {{"s1", 70}, {"s2", 31}};
    const struct score_section_value d[] = {{"s1", 10}};
    const struct score_benchmark_entry en[] = {
        {"DDD", 20.02, d, 1}, {"CCC", 60, c, 2}, {"AAA", 60, a, 2}, {"BBB", 40, bb, 3}};
    struct score_benchmark *b = NULL;
    struct err e = {0};
    assert_int_equal(score_benchmark_compute(en, 4, "CCC", &b, &e), 0);
    assert_int_equal(b->count, 4);
    assert_true(b->overall_average == 45.01);
    assert_int_equal(b->n_sections, 2);
    assert_string_equal(b->sections[0].section_id, "s1");
    assert_true(b->sections[0].average == 40);
    assert_int_equal(b->sections[0].count, 4);
    assert_string_equal(b->sections[1].section_id, "s2");
    assert_true(b->sections[1].average == 20.33);
    assert_int_equal(b->sections[1].count, 3);
    assert_true(b->has_position);
    assert_int_equal(b->rank, 1);
    assert_true(b->percentile == 66.67);
    score_benchmark_free(b);

    assert_int_equal(score_benchmark_compute(en, 4, "BBB", &b, &e), 0);
    assert_int_equal(b->rank, 3);
    assert_true(b->percentile == 33.33);
    score_benchmark_free(b);

    assert_int_equal(score_benchmark_compute(en, 4, "ZZZ", &b, &e), 0);
    assert_false(b->has_position);
    score_benchmark_free(b);
}

static void test_benchmark_refuses_a_state_given_twice(void **state)
{
    (void)state;
    const struct score_benchmark_entry en[] = {
        {"AAA", 50, NULL, 0}, {"BBB", 60, NULL, 0}, {"AAA", 70, NULL, 0}};
    struct score_benchmark *b = NULL;
    struct err e = {0};
    assert_int_equal(score_benchmark_compute(en, 3, NULL, &b, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(e.msg, "state: \"AAA\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_zeros_score_nothing_and_every_answer_is_a_gap),
        cmocka_unit_test(test_all_fives_score_hundred_with_no_gaps),
        cmocka_unit_test(test_unanswered_counts_as_zero_and_is_listed_apart_not_as_gap),
        cmocka_unit_test(test_weight_two_question_counts_double),
        cmocka_unit_test(test_only_targets_above_the_level_make_gaps),
        cmocka_unit_test(test_default_target_is_established),
        cmocka_unit_test(test_section_stage_is_weakest_question),
        cmocka_unit_test(test_overall_index_uses_unrounded_section_scores),
        cmocka_unit_test(test_gap_ties_are_ordered_by_question_number),
        cmocka_unit_test(test_same_input_gives_identical_bytes),
        cmocka_unit_test(test_round2_is_half_away_from_zero_on_the_exact_value),
        cmocka_unit_test(test_section_score_tie_rounds_away_from_zero),
        cmocka_unit_test(test_bad_answers_are_invalid_and_name_the_field),
        cmocka_unit_test(test_bad_questionnaires_are_invalid),
        cmocka_unit_test(test_stage_names_follow_the_maturity_model),
        cmocka_unit_test(test_gap_filter_keeps_min_severity_and_any_topic),
        cmocka_unit_test(test_free_of_null_does_nothing),
        cmocka_unit_test(test_trend_gives_deltas_and_flags_version_change),
        cmocka_unit_test(test_trend_refuses_a_cycle_given_twice),
        cmocka_unit_test(test_benchmark_is_refused_below_three_states),
        cmocka_unit_test(test_benchmark_averages_rank_and_percentile),
        cmocka_unit_test(test_benchmark_refuses_a_state_given_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
