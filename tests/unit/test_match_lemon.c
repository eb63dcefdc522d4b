/* test_match_lemon.c: the solver's optimum equals LEMON's NetworkSimplex (Debian liblemon-dev,
 * bench/lemon_ref.cc) on the same arcs: the benchmark's base instance over the real Member
 * States, and 20 generated instances from small to medium. Built only when LEMON is found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lemon_ref.h"
#include "match.h"
#include "match_gen.h"

/* Solves `in` both ways; returns the objective both found. */
static int64_t both_optima_equal(const struct match_input *in, const char *what)
{
    struct match_plan *plan = NULL;
    struct match_arcs *arcs = NULL;
    struct lemon_ref_result ref;
    struct err e = {0};
    assert_int_equal(match_solve(in, &plan, &e), 0);
    assert_int_equal(match_arcs_new(in, &arcs, &e), 0);
    if (lemon_ref_solve(in, arcs, &ref, &e) != 0)
        fail_msg("LEMON on %s: %s", what, e.msg);
    print_message("%s: %5zu offers %5zu requests %7zu arcs: objective %lld, LEMON %lld\n", what,
                  in->n_offers, in->n_requests, arcs->n, (long long)plan->objective,
                  (long long)ref.objective);
    assert_int_equal(plan->stats.arcs, arcs->n);
    assert_int_equal(plan->objective, ref.objective);
    int64_t objective = plan->objective;
    match_arcs_free(arcs);
    match_plan_free(plan);
    return objective;
}

static void test_base_instance_optimum_equals_lemon(void **state)
{
    (void)state;
    struct match_gen_state *states = NULL;
    size_t n_states = 0;
    struct match_gen *g = NULL;
    struct err e = {0};
    if (match_gen_states_load(UNIC_DATA_DIR "/un_member_states.tsv",
                              UNIC_DATA_DIR "/country_groups.tsv", match_gen_base.as_of, &states,
                              &n_states, &e) != 0)
        fail_msg("%s", e.msg);
    assert_int_equal(match_gen_new(&match_gen_base, states, n_states, match_gen_donors,
                                   match_gen_n_donors, &g, &e), 0);
    /* a real plan: most offers have a compatible request, not every request is met */
    assert_true(both_optima_equal(match_gen_input(g), "base") > 0);
    match_gen_free(g);
    free(states);
}

/* A world of 12 States, so that regions, sub-regions, LDC status and languages vary. */
static const struct match_gen_state small_states[] = {
    {"FRA", "Europe", "Western Europe", false},
    {"USA", "Americas", "Northern America", false},
    {"JPN", "Asia", "Eastern Asia", false},
    {"SEN", "Africa", "Sub-Saharan Africa", true},
    {"KEN", "Africa", "Sub-Saharan Africa", false},
    {"MOZ", "Africa", "Sub-Saharan Africa", true},
    {"EGY", "Africa", "Northern Africa", false},
    {"BOL", "Americas", "Latin America and the Caribbean", false},
    {"HTI", "Americas", "Latin America and the Caribbean", true},
    {"BGD", "Asia", "Southern Asia", true},
    {"UKR", "Europe", "Eastern Europe", false},
    {"FJI", "Oceania", "Melanesia", false},
};
static const char *const small_donors[] = {"FRA", "USA", "JPN"};

static void test_generated_optima_equal_lemon(void **state)
{
    (void)state;
    for (int round = 0; round < 20; round++) {
        struct match_gen_params p = {7000 + (uint64_t)round, 5 + 25 * (size_t)round,
                                     0.2 + 0.03 * round, 0.3 + 0.08 * round, "2025-03-01"};
        struct match_gen *g = NULL;
        struct err e = {0};
        char what[32];
        snprintf(what, sizeof what, "round %2d", round);
        assert_int_equal(match_gen_new(&p, small_states, sizeof small_states / sizeof *small_states,
                                       small_donors, sizeof small_donors / sizeof *small_donors,
                                       &g, &e), 0);
        both_optima_equal(match_gen_input(g), what);
        match_gen_free(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_instance_optimum_equals_lemon),
        cmocka_unit_test(test_generated_optima_equal_lemon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
