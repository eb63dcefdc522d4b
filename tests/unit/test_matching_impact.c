/* test_matching_impact.c: unit tests of GetImpactReport's computation
 * (services/matching/impact.c) on a history of three cycles built by hand: every figure below
 * is worked out in the comments from the levels given. No I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "impact.h"

/* Five completed matches, all completed in 2026. MLI's 2026 assessment and all of TCD's are not
 * readable by the caller, so they are absent from the input, as the service leaves them out. */
static const struct impact_match matches[] = {
    {"m1", "FRA", "KEN", "TRAINING", "cip", "Africa", "q1", 2025, 2026, 10},
    {"m2", "FRA", "UGA", "TRAINING", "cip", "Africa", "q1", 2025, 2026, 5},
    {"m3", "FRA", "NER", "TRAINING", "strategy", "Africa", "q2", 2024, 2026, 8},
    {"m4", "JPN", "MLI", "EXPERTISE", "incident-response", "Africa", "q11", 2025, 2026, 6},
    {"m5", "FRA", "TCD", "TRAINING", "cip", "Africa", "q1", 2025, 2026, 4},
};

static const struct impact_level levels[] = {
    /* KEN: q1 (supported) 1 -> 3; q3 2 -> 2, q4 2 -> 3, q5 1 -> 2 (unsupported) */
    {"KEN", 2024, "q1", 0}, {"KEN", 2025, "q1", 1}, {"KEN", 2025, "q3", 2}, {"KEN", 2025, "q4", 2},
    {"KEN", 2025, "q5", 1}, {"KEN", 2026, "q1", 3}, {"KEN", 2026, "q3", 2}, {"KEN", 2026, "q4", 3},
    {"KEN", 2026, "q5", 2},
    /* UGA: q1 0 -> 1; q3 1 -> 1 */
    {"UGA", 2025, "q1", 0}, {"UGA", 2025, "q3", 1}, {"UGA", 2026, "q1", 1}, {"UGA", 2026, "q3", 1},
    /* NER: the gap of 2024, q2 1 -> 4 by 2026 (2025 is before the completion); q3 0 -> 1 */
    {"NER", 2024, "q2", 1}, {"NER", 2024, "q3", 0}, {"NER", 2025, "q2", 2}, {"NER", 2026, "q2", 4},
    {"NER", 2026, "q3", 1},
    {"MLI", 2025, "q11", 1},
};

static const struct impact_cycle cycles[] = {
    {"KEN", 2024}, {"KEN", 2025}, {"KEN", 2026}, {"UGA", 2025}, {"UGA", 2026},
    {"NER", 2024}, {"NER", 2025}, {"NER", 2026}, {"MLI", 2025},
};

static const struct impact_support supported[] = {
    {"KEN", "q1"}, {"UGA", "q1"}, {"NER", "q2"}, {"MLI", "q11"}, {"TCD", "q1"},
};

static struct impact_input input(void)
{
    return (struct impact_input){matches, 5, levels, sizeof levels / sizeof *levels, cycles,
                                 sizeof cycles / sizeof *cycles, supported, 5};
}

static const struct impact_cell *cell(const struct impact_result *r, int dimension, const char *key)
{
    for (size_t i = 0; i < r->n_cells; i++)
        if (r->cells[i].dimension == dimension && strcmp(r->cells[i].key, key) == 0)
            return &r->cells[i];
    return NULL;
}

static void test_each_match_is_measured_on_its_question_before_and_after(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct impact_input in = input();
    struct impact_result r;
    impact_compute(&a, &in, &r);
    assert_true(r.cases[0].measured);
    assert_int_equal(r.cases[0].before_cycle, 2025);
    assert_int_equal(r.cases[0].after_cycle, 2026);
    assert_int_equal(r.cases[0].before, 1);
    assert_int_equal(r.cases[0].after, 3);
    /* NER's gap of 2024: after is the first cycle from the completion year on, 2026, not 2025 */
    assert_true(r.cases[2].measured);
    assert_int_equal(r.cases[2].after_cycle, 2026);
    assert_int_equal(r.cases[2].after - r.cases[2].before, 3);
    /* MLI: no later assessment the caller may read */
    assert_false(r.cases[3].measured);
    assert_true(r.cases[3].before_readable);
    assert_non_null(strstr(r.cases[3].why, "no assessment you may read"));
    /* the same as a code and its figures, for the reader's language */
    assert_string_equal(r.cases[3].why_code, "no-later-cycle");
    assert_int_equal(r.cases[3].n_why_args, 2);
    assert_string_equal(r.cases[3].why_args[0], "2025");
    assert_null(r.cases[0].why_code);
    /* TCD: not even the gap's assessment */
    assert_false(r.cases[4].measured);
    assert_false(r.cases[4].before_readable);
    assert_non_null(strstr(r.cases[4].why, "cycle 2025 is not one you may read"));
    assert_string_equal(r.cases[4].why_code, "unreadable");
    assert_int_equal(r.cases[4].n_why_args, 1);
    assert_string_equal(r.cases[4].why_args[0], "2025");
    arena_destroy(&a);
}

static void test_cells_summarise_and_compare_with_unsupported_questions(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct impact_input in = input();
    struct impact_result r;
    impact_compute(&a, &in, &r);
    /* FRA: KEN, UGA, NER, TCD; 27 delivered; measured KEN +2, UGA +1, NER +3: mean 2.0.
     * Comparison: KEN q3 0, q4 +1, q5 +1 (2025 -> 2026), UGA q3 0, NER q3 +1 (2024 -> 2026):
     * five questions, mean 3 / 5 = 0.6. */
    const struct impact_cell *fra = cell(&r, IMPACT_DONOR, "FRA");
    assert_non_null(fra);
    assert_false(fra->suppressed);
    assert_int_equal(fra->states, 4);
    assert_int_equal(fra->matches, 4);
    assert_int_equal(fra->delivered, 27);
    assert_true(fra->change_shown);
    assert_int_equal(fra->cases, 3);
    assert_true(fra->mean_change == 2.0);
    assert_true(fra->comparison_shown);
    assert_int_equal(fra->comparison_cases, 5);
    assert_true(fra->comparison_mean_change == 0.6);
    /* Africa: all five matches and 33 delivered, the same three measured */
    const struct impact_cell *africa = cell(&r, IMPACT_REGION, "Africa");
    assert_int_equal(africa->states, 5);
    assert_int_equal(africa->matches, 5);
    assert_int_equal(africa->delivered, 33);
    assert_true(africa->mean_change == 2.0);
    const struct impact_cell *training = cell(&r, IMPACT_KIND, "TRAINING");
    assert_int_equal(training->delivered, 27);
    assert_true(training->comparison_mean_change == 0.6);
    arena_destroy(&a);
}

static void test_cells_of_fewer_than_three_states_are_suppressed(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct impact_input in = input();
    struct impact_result r;
    impact_compute(&a, &in, &r);
    /* JPN gave to MLI alone: nothing of it is shown */
    const struct impact_cell *jpn = cell(&r, IMPACT_DONOR, "JPN");
    assert_true(jpn->suppressed);
    assert_int_equal(jpn->matches, 0);
    assert_int_equal(jpn->delivered, 0);
    assert_int_equal(jpn->cases, 0);
    assert_false(jpn->change_shown);
    assert_false(jpn->comparison_shown);
    assert_true(cell(&r, IMPACT_KIND, "EXPERTISE")->suppressed);
    assert_true(cell(&r, IMPACT_TOPIC, "strategy")->suppressed);
    /* cip: KEN, UGA and TCD, so shown, but only KEN and UGA are measured: no mean change */
    const struct impact_cell *cip = cell(&r, IMPACT_TOPIC, "cip");
    assert_false(cip->suppressed);
    assert_int_equal(cip->matches, 3);
    assert_int_equal(cip->delivered, 19);
    assert_false(cip->change_shown);
    assert_int_equal(cip->cases, 0);
    assert_true(cip->mean_change == 0.0);
    arena_destroy(&a);
}

static void test_a_comparison_group_under_five_questions_is_not_shown(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct impact_input in = input();
    in.n_levels -= 1; /* drop MLI; then make KEN's q5 supported: four questions remain */
    struct impact_support more[] = {{"KEN", "q1"}, {"UGA", "q1"}, {"NER", "q2"}, {"KEN", "q5"}};
    in.supported = more;
    in.n_supported = 4;
    struct impact_result r;
    impact_compute(&a, &in, &r);
    const struct impact_cell *fra = cell(&r, IMPACT_DONOR, "FRA");
    assert_true(fra->change_shown);
    assert_false(fra->comparison_shown);
    assert_int_equal(fra->comparison_cases, 0);
    arena_destroy(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_match_is_measured_on_its_question_before_and_after),
        cmocka_unit_test(test_cells_summarise_and_compare_with_unsupported_questions),
        cmocka_unit_test(test_cells_of_fewer_than_three_states_are_suppressed),
        cmocka_unit_test(test_a_comparison_group_under_five_questions_is_not_shown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
