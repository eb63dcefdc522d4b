/* test_due_list.c: a State's calendar (services/scoring/due.c): what is listed, its days left counted
 * from today in the State's zone, overdue items, and the order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "due.h"

typedef Unic__Scoring__V1__ComplianceItem Item;

static Item mk(const char *id, const char *paragraph, Unic__Scoring__V1__ComplianceStatus s, const char *deadline)
{
    Item it = UNIC__SCORING__V1__COMPLIANCE_ITEM__INIT;
    it.item_id = (char *)id;
    it.paragraph = (char *)paragraph;
    it.status = s;
    it.deadline = (char *)deadline;
    it.note = "";
    return it;
}

static const DueItem *find(DueItem **v, size_t n, const char *ref)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i]->ref, ref) == 0)
            return v[i];
    return NULL;
}

static void test_open_and_overdue_duties_with_days_left(void **state)
{
    (void)state;
    Item items[] = {mk("para4-laws", "4(a)", UNIC__SCORING__V1__COMPLIANCE_STATUS__OVERDUE, "2015-12-31"),
                    mk("para6-poc", "6", UNIC__SCORING__V1__COMPLIANCE_STATUS__MET, "2014-12-31"),
                    mk("para8-report-2024", "8", UNIC__SCORING__V1__COMPLIANCE_STATUS__MET_LATE, "2024-12-31"),
                    mk("para8-report-2025", "8", UNIC__SCORING__V1__COMPLIANCE_STATUS__OPEN, "2025-12-31"),
                    mk("para9-assistance", "9", UNIC__SCORING__V1__COMPLIANCE_STATUS__NOT_APPLICABLE, "")};
    Item *p[] = {&items[0], &items[1], &items[2], &items[3], &items[4]};
    Unic__Scoring__V1__ComplianceReport r = UNIC__SCORING__V1__COMPLIANCE_REPORT__INIT;
    r.items = p;
    r.n_items = 5;
    struct due_match m = {"m-1", "TRAINING incident-response, 20 from FRA to BEN",
                          {"TRAINING", "incident-response", "20", "FRA", "BEN"}};
    struct due_input in = {"2025-12-20", &r, "7", "2026-01-03", &m, 1};
    struct arena a;
    arena_init(&a);
    DueItem **v;
    size_t n;
    struct err e;
    assert_int_equal(due_list(&a, &in, &v, &n, &e), 0);
    assert_int_equal(n, 4); /* para4, para8-2025, the round, the match */
    assert_string_equal(v[0]->ref, "para4-laws");
    assert_true(v[0]->overdue);
    assert_int_equal(v[0]->days_left, -3642);
    assert_int_equal(v[0]->kind, UNIC__SCORING__V1__DUE_KIND__COMPLIANCE_DUTY);
    const DueItem *report = find(v, n, "para8-report-2025");
    assert_non_null(report);
    assert_int_equal(report->kind, UNIC__SCORING__V1__DUE_KIND__ANNUAL_REPORT);
    assert_int_equal(report->days_left, 11);
    assert_false(report->overdue);
    assert_string_equal(v[2]->ref, "7");
    assert_int_equal(v[2]->days_left, 14);
    assert_string_equal(v[3]->ref, "m-1"); /* no date: last */
    assert_string_equal(v[3]->due_date, "");
    /* each title also as a code and its arguments, for the reader's language */
    assert_string_equal(v[0]->title_code, "compliance-duty");
    assert_int_equal(v[0]->n_title_args, 1);
    assert_string_equal(v[0]->title_args[0], "4(a)");
    assert_string_equal(report->title_code, "annual-report");
    assert_string_equal(report->title_args[0], "2025");
    assert_string_equal(v[2]->title_code, "reachability");
    assert_int_equal(v[2]->n_title_args, 0);
    assert_string_equal(v[3]->title_code, "match-answer");
    assert_int_equal(v[3]->n_title_args, 5);
    assert_string_equal(v[3]->title_args[1], "incident-response");
    assert_null(find(v, n, "para6-poc"));
    arena_destroy(&a);
}

static void test_this_years_report_is_due_without_a_cycle(void **state)
{
    (void)state;
    Item items[] = {mk("para8-report", "8", UNIC__SCORING__V1__COMPLIANCE_STATUS__UNKNOWN, "")};
    Item *p[] = {&items[0]};
    Unic__Scoring__V1__ComplianceReport r = UNIC__SCORING__V1__COMPLIANCE_REPORT__INIT;
    r.items = p;
    r.n_items = 1;
    struct due_input in = {"2026-01-01", &r, "", "", NULL, 0};
    struct arena a;
    arena_init(&a);
    DueItem **v;
    size_t n;
    struct err e;
    assert_int_equal(due_list(&a, &in, &v, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0]->ref, "para8-report-2026");
    assert_string_equal(v[0]->due_date, "2026-12-31");
    assert_int_equal(v[0]->days_left, 364);
    in.today = "2026-02-30";
    assert_int_equal(due_list(&a, &in, &v, &n, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    arena_destroy(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_and_overdue_duties_with_days_left),
        cmocka_unit_test(test_this_years_report_is_due_without_a_cycle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
