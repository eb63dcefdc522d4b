/* test_matching_access.c: unit tests of the matching service's row-level rules
 * (services/matching/access.c): who acts for which State, who changes which row, who sees the
 * figures computed from a gap, and who answers a match. No I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "access.h"

static struct principal principal_of(enum role role, const char *state)
{
    struct principal p;
    memset(&p, 0, sizeof p);
    p.role = role;
    if (state)
        strcpy(p.state, state);
    return p;
}

static void test_viewer_is_null_for_operators_code_for_states_empty_for_services(void **state)
{
    (void)state;
    struct principal op = principal_of(ROLE_OPERATOR, NULL), ken = principal_of(ROLE_STATE, "KEN"),
                     svc = principal_of(ROLE_SERVICE, NULL);
    assert_null(access_viewer(&op));
    assert_string_equal(access_viewer(&ken), "KEN");
    assert_string_equal(access_viewer(&svc), "");
}

static void test_a_state_acts_only_for_itself_an_operator_must_name_one(void **state)
{
    (void)state;
    struct principal op = principal_of(ROLE_OPERATOR, NULL), ken = principal_of(ROLE_STATE, "KEN");
    const char *out = NULL;
    struct err e;
    assert_int_equal(access_acting_state(&ken, "state_code", "", &out, &e), 0);
    assert_string_equal(out, "KEN");
    assert_int_equal(access_acting_state(&ken, "state_code", "FRA", &out, &e), -1);
    assert_int_equal(e.code, ERR_PERMISSION_DENIED);
    assert_int_equal(access_acting_state(&op, "state_code", "", &out, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(e.msg, "state_code"));
    assert_int_equal(access_acting_state(&op, "state_code", "FRA", &out, &e), 0);
    assert_string_equal(out, "FRA");
    assert_int_equal(access_acting_state(&op, "state_code", "\xff", &out, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
}

static void test_rows_change_only_by_their_state_or_an_operator(void **state)
{
    (void)state;
    assert_true(access_may_change(NULL, "KEN"));
    assert_true(access_may_change("KEN", "KEN"));
    assert_false(access_may_change("FRA", "KEN"));
    assert_false(access_may_change("", "KEN"));
}

static void test_gap_figures_for_the_requesting_state_and_operators_who_may_read(void **state)
{
    (void)state;
    assert_int_equal(access_gap_figures(true, "KEN", "KEN"), GAP_SHOWN);
    /* an operator: only if the State lets it read the assessment (responses decides) */
    assert_int_equal(access_gap_figures(true, NULL, "KEN"), GAP_IF_READABLE);
    assert_int_equal(access_gap_figures(true, "FRA", "KEN"), GAP_HIDDEN);
    assert_int_equal(access_gap_figures(true, "", "KEN"), GAP_HIDDEN);
    /* a request a State wrote itself carries nothing from an assessment */
    assert_int_equal(access_gap_figures(false, "FRA", "KEN"), GAP_SHOWN);
    assert_int_equal(access_gap_figures(false, "", "KEN"), GAP_SHOWN);
    assert_int_equal(access_gap_figures(false, NULL, "KEN"), GAP_SHOWN);
}

static void test_match_parties_are_its_donor_and_recipient_only(void **state)
{
    (void)state;
    bool donor, recipient;
    assert_true(access_match_party("FRA", "FRA", "KEN", &donor, &recipient));
    assert_true(donor);
    assert_false(recipient);
    assert_true(access_match_party("KEN", "FRA", "KEN", &donor, &recipient));
    assert_true(recipient);
    assert_false(access_match_party("DEU", "FRA", "KEN", &donor, &recipient));
    assert_false(access_match_party(NULL, "FRA", "KEN", &donor, &recipient));
    assert_false(access_match_party("", "FRA", "KEN", &donor, &recipient));
}

static void test_a_state_plans_only_for_itself(void **state)
{
    (void)state;
    char *self, *given[] = {"KEN", "FRA"};
    char *const *out;
    size_t n;
    struct err e;
    assert_int_equal(access_plan_scope("KEN", NULL, 0, &self, &out, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(out[0], "KEN");
    assert_int_equal(access_plan_scope("KEN", given, 1, &self, &out, &n, &e), 0);
    assert_int_equal(access_plan_scope("KEN", given + 1, 1, &self, &out, &n, &e), -1);
    assert_int_equal(e.code, ERR_PERMISSION_DENIED);
    assert_int_equal(access_plan_scope("KEN", given, 2, &self, &out, &n, &e), -1);
    assert_int_equal(access_plan_scope(NULL, given, 2, &self, &out, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(access_plan_scope(NULL, NULL, 0, &self, &out, &n, &e), 0);
    assert_int_equal(n, 0);
}

static void test_a_step_is_taken_for_ones_own_side_or_by_an_operator_naming_it(void **state)
{
    (void)state;
    bool donor, recipient;
    struct err e;
    assert_int_equal(access_match_side("KEN", "", "FRA", "KEN", &donor, &recipient, &e), 0);
    assert_true(recipient);
    assert_false(donor);
    assert_int_equal(access_match_side("KEN", "FRA", "FRA", "KEN", &donor, &recipient, &e), -1);
    assert_int_equal(e.code, ERR_PERMISSION_DENIED);
    assert_int_equal(access_match_side("JPN", "", "FRA", "KEN", &donor, &recipient, &e), -1);
    assert_int_equal(e.code, ERR_PERMISSION_DENIED);
    assert_int_equal(access_match_side("", "", "FRA", "KEN", &donor, &recipient, &e), -1);
    assert_int_equal(e.code, ERR_PERMISSION_DENIED);
    assert_int_equal(access_match_side(NULL, "", "FRA", "KEN", &donor, &recipient, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(e.msg, "on_behalf_of"));
    assert_int_equal(access_match_side(NULL, "JPN", "FRA", "KEN", &donor, &recipient, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_int_equal(access_match_side(NULL, "FRA", "FRA", "KEN", &donor, &recipient, &e), 0);
    assert_true(donor);
    assert_false(recipient);
}

static void test_a_donor_sees_a_match_once_its_plan_is_committed(void **state)
{
    (void)state;
    assert_true(access_match_visible("KEN", "FRA", "KEN", "PROPOSED"));
    assert_false(access_match_visible("FRA", "FRA", "KEN", "PROPOSED"));
    assert_false(access_match_visible("FRA", "FRA", "KEN", "SUPERSEDED"));
    assert_true(access_match_visible("FRA", "FRA", "KEN", "IN_DELIVERY"));
    assert_true(access_match_visible(NULL, "FRA", "KEN", "PROPOSED"));
    assert_false(access_match_visible("JPN", "FRA", "KEN", "COMPLETED"));
    assert_false(access_match_visible("", "FRA", "KEN", "COMPLETED"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_viewer_is_null_for_operators_code_for_states_empty_for_services),
        cmocka_unit_test(test_a_state_acts_only_for_itself_an_operator_must_name_one),
        cmocka_unit_test(test_rows_change_only_by_their_state_or_an_operator),
        cmocka_unit_test(test_gap_figures_for_the_requesting_state_and_operators_who_may_read),
        cmocka_unit_test(test_match_parties_are_its_donor_and_recipient_only),
        cmocka_unit_test(test_a_state_plans_only_for_itself),
        cmocka_unit_test(test_a_step_is_taken_for_ones_own_side_or_by_an_operator_naming_it),
        cmocka_unit_test(test_a_donor_sees_a_match_once_its_plan_is_committed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
