/* test_catalog_groups.c: membership of a UN country group on a date (common/groups.c) and how a
 * recorded change moves a State's membership (services/catalog/membership.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "groups.h"
#include "membership.h"

#define ADMISSION UNIC__CATALOG__V1__GROUP_CHANGE_KIND__ADMISSION
#define GRADUATION UNIC__CATALOG__V1__GROUP_CHANGE_KIND__GRADUATION
#define POSTPONEMENT UNIC__CATALOG__V1__GROUP_CHANGE_KIND__POSTPONEMENT

static void test_period_is_half_open(void **state)
{
    (void)state;
    assert_true(group_period_covers("", "2026-11-24", "2026-11-23"));
    assert_false(group_period_covers("", "2026-11-24", "2026-11-24")); /* the day it takes effect */
    assert_true(group_period_covers("2012-12-18", "", "2012-12-18"));
    assert_false(group_period_covers("2012-12-18", "", "2012-12-17"));
    assert_true(group_period_covers("", "", "1900-01-01"));
    assert_true(group_period_covers(NULL, NULL, "2030-01-01"));
}

static void test_member_on_reads_the_group_and_the_date(void **state)
{
    (void)state;
    Unic__Catalog__V1__GroupMembership ldc = UNIC__CATALOG__V1__GROUP_MEMBERSHIP__INIT;
    Unic__Catalog__V1__GroupMembership lldc = UNIC__CATALOG__V1__GROUP_MEMBERSHIP__INIT;
    ldc.group = "LDC", ldc.since = "", ldc.until = "2026-11-24";
    lldc.group = "LLDC", lldc.since = "", lldc.until = "";
    Unic__Catalog__V1__GroupMembership *ms[] = {&ldc, &lldc};
    Unic__Catalog__V1__State npl = UNIC__CATALOG__V1__STATE__INIT;
    npl.code = "NPL", npl.memberships = ms, npl.n_memberships = 2;
    assert_true(state_member_on(&npl, "LDC", "2026-06-30"));
    assert_false(state_member_on(&npl, "LDC", "2026-12-01"));
    assert_ptr_equal(state_membership_on(&npl, "LDC", "2026-06-30"), &ldc);
    assert_true(state_member_on(&npl, "LLDC", "2026-12-01"));
    assert_false(state_member_on(&npl, "SIDS", "2026-06-30"));
    assert_false(state_member_on(NULL, "LDC", "2026-06-30"));
}

static void test_groups_are_the_three_un_groups(void **state)
{
    (void)state;
    assert_int_equal(country_groups_count, 3);
    assert_true(country_group_known("LDC"));
    assert_true(country_group_known("SIDS"));
    assert_true(country_group_known("LLDC"));
    assert_false(country_group_known("ldc"));
    assert_false(country_group_known("G77"));
    assert_false(country_group_known(""));
    assert_false(country_group_known(NULL));
}

static void test_graduation_ends_the_open_membership(void **state)
{
    (void)state;
    struct group_period p[] = {{"", ""}};
    struct group_edit ed;
    struct err e = {0};
    assert_int_equal(group_change_apply(p, 1, GRADUATION, "2029-11-24", "AGO", "LDC", &ed, &e), 0);
    assert_false(ed.insert);
    assert_string_equal(ed.since, "");
    assert_string_equal(ed.until, "2029-11-24");
    assert_string_equal(ed.previous_until, "");
}

static void test_graduation_already_decided_asks_for_a_postponement(void **state)
{
    (void)state;
    struct group_period p[] = {{"", "2026-11-24"}};
    struct group_edit ed;
    struct err e = {0};
    assert_int_equal(group_change_apply(p, 1, GRADUATION, "2029-11-24", "NPL", "LDC", &ed, &e), -1);
    assert_int_equal(e.code, ERR_FAILED_PRECONDITION);
    assert_non_null(strstr(e.msg, "already decided for 2026-11-24"));
    assert_non_null(strstr(e.msg, "POSTPONEMENT"));
}

static void test_graduation_of_a_non_member_or_before_it_joined_is_refused(void **state)
{
    (void)state;
    struct group_edit ed;
    struct err e = {0};
    assert_int_equal(group_change_apply(NULL, 0, GRADUATION, "2029-01-01", "KEN", "LDC", &ed, &e), -1);
    assert_int_equal(e.code, ERR_FAILED_PRECONDITION);
    assert_non_null(strstr(e.msg, "never been a member"));
    struct group_period p[] = {{"2012-12-18", ""}};
    assert_int_equal(group_change_apply(p, 1, GRADUATION, "2012-12-18", "SSD", "LDC", &ed, &e), -1);
    assert_int_equal(e.code, ERR_FAILED_PRECONDITION);
}

static void test_postponement_moves_the_decided_end_later_or_open(void **state)
{
    (void)state;
    struct group_period p[] = {{"", "2026-11-24"}};
    struct group_edit ed;
    struct err e = {0};
    assert_int_equal(group_change_apply(p, 1, POSTPONEMENT, "2029-11-24", "NPL", "LDC", &ed, &e), 0);
    assert_string_equal(ed.until, "2029-11-24");
    assert_string_equal(ed.previous_until, "2026-11-24");
    assert_int_equal(group_change_apply(p, 1, POSTPONEMENT, "", "NPL", "LDC", &ed, &e), 0);
    assert_string_equal(ed.until, "");
    /* earlier, or the same day, is not a postponement */
    assert_int_equal(group_change_apply(p, 1, POSTPONEMENT, "2026-11-24", "NPL", "LDC", &ed, &e), -1);
    assert_int_equal(e.code, ERR_FAILED_PRECONDITION);
    assert_int_equal(group_change_apply(p, 1, POSTPONEMENT, "2025-01-01", "NPL", "LDC", &ed, &e), -1);
    /* nothing decided: nothing to postpone */
    struct group_period open[] = {{"", ""}};
    assert_int_equal(group_change_apply(open, 1, POSTPONEMENT, "2030-01-01", "AGO", "LDC", &ed, &e), -1);
    assert_non_null(strstr(e.msg, "none is decided"));
}

static void test_postponement_acts_on_the_latest_period(void **state)
{
    (void)state;
    struct group_period p[] = {{"", "2011-01-01"}, {"2020-01-01", "2030-01-01"}};
    struct group_edit ed;
    struct err e = {0};
    assert_int_equal(group_change_apply(p, 2, POSTPONEMENT, "2033-01-01", "XXX", "LDC", &ed, &e), 0);
    assert_string_equal(ed.since, "2020-01-01");
    assert_string_equal(ed.previous_until, "2030-01-01");
}

static void test_admission_needs_no_membership_then_or_after(void **state)
{
    (void)state;
    struct group_edit ed;
    struct err e = {0};
    assert_int_equal(group_change_apply(NULL, 0, ADMISSION, "2027-01-01", "KEN", "LDC", &ed, &e), 0);
    assert_true(ed.insert);
    assert_string_equal(ed.since, "2027-01-01");
    assert_string_equal(ed.until, "");
    struct group_period ended[] = {{"", "2011-01-01"}};
    assert_int_equal(group_change_apply(ended, 1, ADMISSION, "2011-01-01", "MDV", "LDC", &ed, &e), 0);
    struct group_period open[] = {{"", ""}};
    assert_int_equal(group_change_apply(open, 1, ADMISSION, "2027-01-01", "NER", "LDC", &ed, &e), -1);
    assert_int_equal(e.code, ERR_FAILED_PRECONDITION);
    struct group_period later[] = {{"", "2030-01-01"}};
    assert_int_equal(group_change_apply(later, 1, ADMISSION, "2027-01-01", "NPL", "LDC", &ed, &e), -1);
    assert_int_equal(e.code, ERR_FAILED_PRECONDITION);
}

static void test_unknown_kind_names_the_field(void **state)
{
    (void)state;
    struct group_edit ed;
    struct err e = {0};
    assert_int_equal(group_change_apply(NULL, 0, (Unic__Catalog__V1__GroupChangeKind)9, "2027-01-01",
                                        "KEN", "LDC", &ed, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(e.msg, "kind: must be ADMISSION, GRADUATION or POSTPONEMENT"));
    assert_null(group_change_kind_name(UNIC__CATALOG__V1__GROUP_CHANGE_KIND__GROUP_CHANGE_KIND_UNSPECIFIED));
    assert_string_equal(group_change_kind_name(POSTPONEMENT), "POSTPONEMENT");
    assert_int_equal(group_change_kind_parse("GRADUATION"), GRADUATION);
    assert_int_equal(group_change_kind_parse("nope"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_is_half_open),
        cmocka_unit_test(test_member_on_reads_the_group_and_the_date),
        cmocka_unit_test(test_groups_are_the_three_un_groups),
        cmocka_unit_test(test_graduation_ends_the_open_membership),
        cmocka_unit_test(test_graduation_already_decided_asks_for_a_postponement),
        cmocka_unit_test(test_graduation_of_a_non_member_or_before_it_joined_is_refused),
        cmocka_unit_test(test_postponement_moves_the_decided_end_later_or_open),
        cmocka_unit_test(test_postponement_acts_on_the_latest_period),
        cmocka_unit_test(test_admission_needs_no_membership_then_or_after),
        cmocka_unit_test(test_unknown_kind_names_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
