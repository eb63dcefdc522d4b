/* test_responses_access.c: unit tests of who may read and write an assessment, and of the
 * assessment id that lets writes be decided before any lookup. No I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "assessment.h"

#define PRIVATE UNIC__COMMON__V1__VISIBILITY__PRIVATE
#define UNIC UNIC__COMMON__V1__VISIBILITY__UNIC
#define PUBLIC UNIC__COMMON__V1__VISIBILITY__PUBLIC

static struct principal who(enum role role, const char *state)
{
    struct principal p;
    memset(&p, 0, sizeof p);
    p.role = role;
    if (state)
        strcpy(p.state, state);
    strcpy(p.key_id, "0123456789abcdef");
    return p;
}

static void test_id_round_trips_state_cycle_and_questionnaire(void **state)
{
    (void)state;
    char id[80], st[4], qid[72];
    int cycle;
    assessment_id_format(id, sizeof id, "KEN", 2025, "cip-self-assessment");
    assert_string_equal(id, "KEN-2025-cip-self-assessment");
    assert_true(assessment_id_parse(id, st, &cycle, qid, sizeof qid));
    assert_string_equal(st, "KEN");
    assert_int_equal(cycle, 2025);
    assert_string_equal(qid, "cip-self-assessment");
}

static void test_id_parse_refuses_other_shapes(void **state)
{
    (void)state;
    char st[4], qid[72];
    int cycle;
    const char *bad[] = {"", "KEN", "ken-2025-cip", "KEN-25-cip", "KEN-2025-", "KEN-2025-Cip",
                         "KEN_2025_cip", "KEN-2009-cip", "KEN-2025-cip/../x", "KEN-2025-c",
                         "KEN-2025-cip\n", "KE1-2025-cip"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(assessment_id_parse(bad[i], st, &cycle, qid, sizeof qid));
}

static void test_state_writes_only_its_own_assessments(void **state)
{
    (void)state;
    struct principal ken = who(ROLE_STATE, "KEN"), fra = who(ROLE_STATE, "FRA");
    assert_true(access_may_write(&ken, "KEN"));
    assert_false(access_may_write(&fra, "KEN"));
}

static void test_operators_and_services_never_write(void **state)
{
    (void)state;
    struct principal op = who(ROLE_OPERATOR, NULL), svc = who(ROLE_SERVICE, NULL);
    assert_false(access_may_write(&op, "KEN"));
    assert_false(access_may_write(&svc, "KEN"));
    /* An operator's empty state never matches a code. */
    assert_false(access_may_write(&op, ""));
}

static void test_private_is_readable_by_its_state_only(void **state)
{
    (void)state;
    struct principal ken = who(ROLE_STATE, "KEN"), fra = who(ROLE_STATE, "FRA"),
                     op = who(ROLE_OPERATOR, NULL), svc = who(ROLE_SERVICE, NULL);
    assert_true(access_may_read(&ken, "KEN", PRIVATE));
    assert_false(access_may_read(&fra, "KEN", PRIVATE));
    assert_false(access_may_read(&op, "KEN", PRIVATE));
    assert_false(access_may_read(&svc, "KEN", PRIVATE));
}

static void test_unic_adds_operators(void **state)
{
    (void)state;
    struct principal ken = who(ROLE_STATE, "KEN"), fra = who(ROLE_STATE, "FRA"),
                     op = who(ROLE_OPERATOR, NULL), svc = who(ROLE_SERVICE, NULL);
    assert_true(access_may_read(&ken, "KEN", UNIC));
    assert_true(access_may_read(&op, "KEN", UNIC));
    assert_false(access_may_read(&fra, "KEN", UNIC));
    assert_false(access_may_read(&svc, "KEN", UNIC));
}

static void test_public_is_readable_by_any_key(void **state)
{
    (void)state;
    struct principal fra = who(ROLE_STATE, "FRA"), op = who(ROLE_OPERATOR, NULL),
                     svc = who(ROLE_SERVICE, NULL), none = who(ROLE_NONE, NULL);
    assert_true(access_may_read(&fra, "KEN", PUBLIC));
    assert_true(access_may_read(&op, "KEN", PUBLIC));
    assert_true(access_may_read(&svc, "KEN", PUBLIC));
    assert_false(access_may_read(&none, "KEN", PUBLIC));
}

static void test_unknown_visibility_reads_as_private(void **state)
{
    (void)state;
    struct principal op = who(ROLE_OPERATOR, NULL), ken = who(ROLE_STATE, "KEN");
    assert_false(access_may_read(&op, "KEN", 0));
    assert_false(access_may_read(&op, "KEN", 42));
    assert_true(access_may_read(&ken, "KEN", 42));
}

/* Resolution #1 para 8: a submitted compliance checklist is a report to UNIC. */
static void test_submitted_private_compliance_report_is_read_by_operators_only(void **state)
{
    (void)state;
    struct principal op = who(ROLE_OPERATOR, NULL), fra = who(ROLE_STATE, "FRA"),
                     svc = who(ROLE_SERVICE, NULL);
    int submitted = UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED;
    int draft = UNIC__RESPONSES__V1__ASSESSMENT_STATUS__DRAFT;
    assert_true(access_may_read_revision(&op, "KEN", "unic-compliance", PRIVATE, submitted));
    assert_false(access_may_read_revision(&op, "KEN", "unic-compliance", PRIVATE, draft));
    assert_false(access_may_read_revision(&op, "KEN", "cip-self-assessment", PRIVATE, submitted));
    assert_false(access_may_read_revision(&fra, "KEN", "unic-compliance", PRIVATE, submitted));
    assert_false(access_may_read_revision(&svc, "KEN", "unic-compliance", PRIVATE, submitted));
    assert_true(access_may_read_revision(&fra, "KEN", "unic-compliance", PUBLIC, submitted));
    assert_string_equal(access_report_questionnaire(&op), "unic-compliance");
    assert_string_equal(access_report_questionnaire(&fra), "");
}

static void test_visible_arrays_match_the_read_rule(void **state)
{
    (void)state;
    struct principal op = who(ROLE_OPERATOR, NULL), svc = who(ROLE_SERVICE, NULL),
                     fra = who(ROLE_STATE, "FRA");
    assert_string_equal(access_visible_array(&op), "{UNIC,PUBLIC}");
    assert_string_equal(access_visible_array(&svc), "{PUBLIC}");
    assert_string_equal(access_visible_array(&fra), "{PUBLIC}");
}

static void test_names_parse_back(void **state)
{
    (void)state;
    for (int v = 1; v <= 3; v++)
        assert_int_equal(visibility_parse(visibility_name(v)), v);
    for (int s = 1; s <= 2; s++)
        assert_int_equal(status_parse(status_name(s)), s);
    assert_null(visibility_name(0));
    assert_null(visibility_name(4));
    assert_null(status_name(3));
    assert_int_equal(visibility_parse("public"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_round_trips_state_cycle_and_questionnaire),
        cmocka_unit_test(test_id_parse_refuses_other_shapes),
        cmocka_unit_test(test_state_writes_only_its_own_assessments),
        cmocka_unit_test(test_operators_and_services_never_write),
        cmocka_unit_test(test_private_is_readable_by_its_state_only),
        cmocka_unit_test(test_unic_adds_operators),
        cmocka_unit_test(test_public_is_readable_by_any_key),
        cmocka_unit_test(test_unknown_visibility_reads_as_private),
        cmocka_unit_test(test_submitted_private_compliance_report_is_read_by_operators_only),
        cmocka_unit_test(test_visible_arrays_match_the_read_rule),
        cmocka_unit_test(test_names_parse_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
