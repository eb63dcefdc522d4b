/* test_match_glpk.c: the solver's optimum equals glpsol's (GLPK's LP simplex, Debian glpk-utils)
 * on 20 generated instances from small to medium. Runs glpsol in a private temporary directory;
 * skipped when glpsol is not installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "match.h"
#include "match_gen.h"

/* A world of 30 real States, so that regions, sub-regions, LDC status and the generator's
 * languages (French, Portuguese, Arabic, Spanish, Russian, English) all vary. */
static const struct match_gen_state states[] = {
    {"FRA", "Europe", "Western Europe", false},
    {"DEU", "Europe", "Western Europe", false},
    {"USA", "Americas", "Northern America", false},
    {"JPN", "Asia", "Eastern Asia", false},
    {"BRA", "Americas", "Latin America and the Caribbean", false},
    {"ESP", "Europe", "Southern Europe", false},
    {"SEN", "Africa", "Sub-Saharan Africa", true},
    {"MLI", "Africa", "Sub-Saharan Africa", true},
    {"KEN", "Africa", "Sub-Saharan Africa", false},
    {"GHA", "Africa", "Sub-Saharan Africa", false},
    {"MOZ", "Africa", "Sub-Saharan Africa", true},
    {"AGO", "Africa", "Sub-Saharan Africa", true},
    {"EGY", "Africa", "Northern Africa", false},
    {"MAR", "Africa", "Northern Africa", false},
    {"BOL", "Americas", "Latin America and the Caribbean", false},
    {"PER", "Americas", "Latin America and the Caribbean", false},
    {"HTI", "Americas", "Latin America and the Caribbean", true},
    {"JAM", "Americas", "Latin America and the Caribbean", false},
    {"BGD", "Asia", "Southern Asia", true},
    {"NPL", "Asia", "Southern Asia", true},
    {"VNM", "Asia", "South-eastern Asia", false},
    {"PHL", "Asia", "South-eastern Asia", false},
    {"JOR", "Asia", "Western Asia", false},
    {"YEM", "Asia", "Western Asia", true},
    {"KAZ", "Asia", "Central Asia", false},
    {"UKR", "Europe", "Eastern Europe", false},
    {"FJI", "Oceania", "Melanesia", false},
    {"WSM", "Oceania", "Polynesia", false},
    {"KIR", "Oceania", "Micronesia", true},
    {"TLS", "Asia", "South-eastern Asia", true},
};
static const char *const donors[] = {"FRA", "DEU", "USA", "JPN", "BRA", "ESP"};

static void test_optimum_equals_glpsol(void **state)
{
    (void)state;
    for (int round = 0; round < 20; round++) {
        struct match_gen_params p = {1000 + (uint64_t)round, 10 + 20 * (size_t)round,
                                     0.2 + 0.03 * round, 0.3 + 0.05 * round, "2025-03-01"};
        struct match_gen *g = NULL;
        struct match_plan *plan = NULL;
        struct match_arcs *arcs = NULL;
        struct match_glpsol ref;
        struct err e = {0};
        char dir[] = "/tmp/test_match_glpk.XXXXXX";
        assert_int_equal(match_gen_new(&p, states, sizeof states / sizeof *states, donors,
                                       sizeof donors / sizeof *donors, &g, &e), 0);
        const struct match_input *in = match_gen_input(g);
        assert_int_equal(match_solve(in, &plan, &e), 0);
        assert_int_equal(match_arcs_new(in, &arcs, &e), 0);
        assert_non_null(mkdtemp(dir));
        int rc = match_gen_glpsol(in, arcs, dir, 60, &ref, &e);
        rmdir(dir);
        if (rc != 0 && e.code == ERR_UNAVAILABLE) {
            match_arcs_free(arcs);
            match_plan_free(plan);
            match_gen_free(g);
            skip();
        }
        if (rc != 0)
            fail_msg("glpsol on round %d: %s", round, e.msg);
        assert_true(ref.optimal);
        print_message("round %2d: %4zu offers %5zu requests %6zu arcs: objective %lld, "
                      "glpsol %lld\n", round, in->n_offers, in->n_requests, arcs->n,
                      (long long)plan->objective, (long long)ref.objective);
        assert_int_equal(plan->objective, ref.objective);
        /* glpsol's own figure, printed with 15 significant digits, agrees too */
        assert_true(plan->objective < INT64_C(1000000000000000));
        assert_int_equal(plan->objective, (int64_t)(ref.reported + 0.5));
        match_arcs_free(arcs);
        match_plan_free(plan);
        match_gen_free(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optimum_equals_glpsol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
