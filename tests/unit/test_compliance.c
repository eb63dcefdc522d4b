/* test_compliance.c: unit tests of the Resolution #1 compliance evaluation
 * (services/scoring/compliance.c): every status, paragraph 8 over several years, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "compliance.h"

/* The checklist: deadlines of paragraphs 4 (31 Dec 2015) and 6 (31 Dec 2014), paragraph 5 with
 * no deadline, the paragraph 8 annual report, and paragraph 9 (States with mature capabilities). */
static const struct compliance_item_def fx_items[] = {
    {"para4-laws", "4(a)", "2015-12-31", COMPLIANCE_ONCE},
    {"para4-infrastructure", "4(b)", "2015-12-31", COMPLIANCE_ONCE},
    {"para5-harmonise", "5", NULL, COMPLIANCE_ONCE},
    {"para6-cert", "6", "2014-12-31", COMPLIANCE_ONCE},
    {"para8-report", "8", NULL, COMPLIANCE_ANNUAL},
    {"para9-assistance", "9", "", COMPLIANCE_ONCE},
};
#define FX_N_ITEMS (sizeof fx_items / sizeof fx_items[0])

#define YES(id, date) {(id), COMPLIANCE_REPLY_YES, (date)}
#define NO(id) {(id), COMPLIANCE_REPLY_NO, NULL}

/* The input most tests start from: answers submitted, not an LDC, no self-assessment cycle. */
static struct compliance_input input(const struct compliance_answer *answers, size_t n,
                                     const char *as_of)
{
    return (struct compliance_input){.items = fx_items, .n_items = FX_N_ITEMS,
                                     .has_answers = true, .answers = answers, .n_answers = n,
                                     .as_of = as_of};
}

static struct compliance_report *evaluate(const struct compliance_input *in)
{
    struct compliance_report *r = NULL;
    struct err e = {0};
    if (compliance_evaluate(in, &r, &e) != 0)
        fail_msg("compliance_evaluate: %s", e.msg);
    return r;
}

static const struct compliance_item *find(const struct compliance_report *r, const char *id)
{
    for (size_t i = 0; i < r->n_items; i++)
        if (strcmp(r->items[i].item_id, id) == 0)
            return &r->items[i];
    fail_msg("no item %s", id);
    return NULL;
}

static void assert_status(const struct compliance_report *r, const char *id,
                          enum compliance_status status)
{
    const struct compliance_item *it = find(r, id);
    if (it->status != status)
        fail_msg("%s is %s, expected %s (%s)", id, compliance_status_name(it->status),
                 compliance_status_name(status), it->note);
}

static void test_yes_dated_by_the_deadline_is_met(void **state)
{
    (void)state;
    const struct compliance_answer a[] = {YES("para4-laws", "2015-12-31")};
    struct compliance_input in = input(a, 1, "2024-06-30");
    struct compliance_report *r = evaluate(&in);
    const struct compliance_item *it = find(r, "para4-laws");
    assert_int_equal(it->status, COMPLIANCE_MET);
    assert_string_equal(it->paragraph, "4(a)");
    assert_string_equal(it->deadline, "2015-12-31");
    assert_string_equal(it->date, "2015-12-31");
    assert_string_equal(it->note, "met by the deadline");
    assert_string_equal(it->note_code, "met-on-time");
    assert_int_equal(it->n_note_args, 0);
    compliance_report_free(r);
}

/* Paragraph 6 from the directory: an entry dated by the deadline is MET whatever the checklist
 * answered (here no), one after it MET_LATE, and one dated after as_of is not yet evidence. */
static void test_directory_evidence_comes_before_the_answer(void **state)
{
    (void)state;
    const struct compliance_answer a[] = {NO("para6-cert")};
    const struct compliance_evidence ev[] = {
        {"para6-cert", "2014-11-20", "from the directory", "directory-first", {"CERT-X"}, 1}};
    struct compliance_input in = input(a, 1, "2024-06-30");
    in.evidence = ev;
    in.n_evidence = 1;
    struct compliance_report *r = evaluate(&in);
    const struct compliance_item *it = find(r, "para6-cert");
    assert_int_equal(it->status, COMPLIANCE_MET);
    assert_string_equal(it->date, "2014-11-20");
    assert_string_equal(it->note, "from the directory");
    assert_string_equal(it->note_code, "directory-first"); /* the evidence's own, with its name */
    assert_int_equal(it->n_note_args, 1);
    assert_string_equal(it->note_args[0], "CERT-X");
    compliance_report_free(r);

    const struct compliance_evidence late[] = {
        {"para6-cert", "2016-03-01", "from the directory", "directory-first", {"CERT-X"}, 1}};
    in.evidence = late;
    r = evaluate(&in);
    assert_status(r, "para6-cert", COMPLIANCE_MET_LATE);
    compliance_report_free(r);

    in = input(a, 1, "2016-01-01"); /* the entry is dated after as_of: the answer counts */
    in.evidence = late;
    in.n_evidence = 1;
    r = evaluate(&in);
    assert_status(r, "para6-cert", COMPLIANCE_OVERDUE);
    compliance_report_free(r);

    in = input(NULL, 0, "2024-06-30"); /* no checklist at all: the directory alone shows it */
    in.has_answers = false;
    in.evidence = ev;
    in.n_evidence = 1;
    r = evaluate(&in);
    assert_status(r, "para6-cert", COMPLIANCE_MET);
    assert_status(r, "para4-laws", COMPLIANCE_UNKNOWN);
    compliance_report_free(r);
}

static void test_yes_dated_after_the_deadline_is_met_late(void **state)
{
    (void)state;
    const struct compliance_answer a[] = {YES("para4-infrastructure", "2016-03-01")};
    struct compliance_input in = input(a, 1, "2024-06-30");
    struct compliance_report *r = evaluate(&in);
    assert_status(r, "para4-infrastructure", COMPLIANCE_MET_LATE);
    assert_string_equal(find(r, "para4-infrastructure")->date, "2016-03-01");
    compliance_report_free(r);
}

/* Lateness cannot be shown, and denying a reported enactment would be worse: MET, with a note. */
static void test_yes_without_a_date_is_met_with_a_note(void **state)
{
    (void)state;
    const struct compliance_answer a[] = {YES("para6-cert", NULL)};
    struct compliance_input in = input(a, 1, "2024-06-30");
    struct compliance_report *r = evaluate(&in);
    const struct compliance_item *it = find(r, "para6-cert");
    assert_int_equal(it->status, COMPLIANCE_MET);
    assert_string_equal(it->date, "");
    assert_non_null(strstr(it->note, "no date was given"));
    compliance_report_free(r);
}

static void test_yes_without_a_deadline_is_met(void **state)
{
    (void)state;
    const struct compliance_answer a[] = {YES("para5-harmonise", "2019-05-01")};
    struct compliance_input in = input(a, 1, "2024-06-30");
    struct compliance_report *r = evaluate(&in);
    assert_status(r, "para5-harmonise", COMPLIANCE_MET);
    assert_string_equal(find(r, "para5-harmonise")->deadline, "");
    compliance_report_free(r);
}

/* As of 2024: no to 6, an explicit blank to 4(a), nothing at all for 4(b). */
static void test_no_or_unanswered_after_the_deadline_is_overdue(void **state)
{
    (void)state;
    const struct compliance_answer a[] = {NO("para6-cert"),
                                          {"para4-laws", COMPLIANCE_REPLY_NONE, NULL}};
    struct compliance_input in = input(a, 2, "2024-06-30");
    struct compliance_report *r = evaluate(&in);
    assert_status(r, "para6-cert", COMPLIANCE_OVERDUE);
    assert_string_equal(find(r, "para6-cert")->note, "answered no, and the deadline has passed");
    assert_string_equal(find(r, "para6-cert")->note_code, "no-overdue");
    assert_status(r, "para4-laws", COMPLIANCE_OVERDUE);
    assert_status(r, "para4-infrastructure", COMPLIANCE_OVERDUE);
    assert_string_equal(find(r, "para4-infrastructure")->note,
                        "not answered, and the deadline has passed");
    compliance_report_free(r);
}

/* Paragraph 4's deadline is 2015-12-31: open before it and on the day, overdue the day after. */
static void test_not_met_before_the_deadline_is_open(void **state)
{
    (void)state;
    const struct compliance_answer a[] = {NO("para4-laws")};
    const char *const as_of[] = {"2015-06-30", "2015-12-31", "2016-01-01"};
    const enum compliance_status want[] = {COMPLIANCE_OPEN, COMPLIANCE_OPEN, COMPLIANCE_OVERDUE};
    for (size_t i = 0; i < 3; i++) {
        struct compliance_input in = input(a, 1, as_of[i]);
        struct compliance_report *r = evaluate(&in);
        assert_status(r, "para4-laws", want[i]);
        compliance_report_free(r);
    }
}

static void test_no_without_a_deadline_is_open(void **state)
{
    (void)state;
    const struct compliance_answer a[] = {NO("para5-harmonise")};
    struct compliance_input in = input(a, 1, "2024-06-30");
    struct compliance_report *r = evaluate(&in);
    assert_status(r, "para5-harmonise", COMPLIANCE_OPEN);
    assert_string_equal(find(r, "para5-harmonise")->note, "answered no; this duty has no deadline");
    compliance_report_free(r);
}

/* A law dated 2016-01-10 is not in force as of 2015-11-30 (open) nor 2016-01-05 (overdue). */
static void test_yes_dated_after_as_of_is_not_yet_met(void **state)
{
    (void)state;
    const struct compliance_answer a[] = {YES("para4-laws", "2016-01-10")};
    struct compliance_input in = input(a, 1, "2015-11-30");
    struct compliance_report *r = evaluate(&in);
    assert_status(r, "para4-laws", COMPLIANCE_OPEN);
    assert_string_equal(find(r, "para4-laws")->date, "2016-01-10");
    compliance_report_free(r);

    in.as_of = "2016-01-05";
    r = evaluate(&in);
    assert_status(r, "para4-laws", COMPLIANCE_OVERDUE);
    compliance_report_free(r);
}

/* Without submitted answers the one-off items are UNKNOWN; paragraph 8 still follows the
 * self-assessments (2023 submitted in time). */
static void test_no_submitted_answers_is_unknown(void **state)
{
    (void)state;
    const struct compliance_cycle c[] = {{2023, true, "2023-10-01", NULL, NULL}};
    struct compliance_input in = input(NULL, 0, "2023-12-01");
    in.has_answers = false;
    in.cycles = c;
    in.n_cycles = 1;
    in.first_cycle = 2023;
    struct compliance_report *r = evaluate(&in);
    assert_int_equal(r->n_items, FX_N_ITEMS);
    assert_status(r, "para4-laws", COMPLIANCE_UNKNOWN);
    assert_status(r, "para5-harmonise", COMPLIANCE_UNKNOWN);
    assert_status(r, "para9-assistance", COMPLIANCE_UNKNOWN);
    assert_status(r, "para8-report-2023", COMPLIANCE_MET);
    compliance_report_free(r);
}

static void test_paragraph_9_is_not_applicable_to_a_least_developed_country(void **state)
{
    (void)state;
    const struct compliance_answer a[] = {YES("para9-assistance", NULL)};
    struct compliance_input in = input(a, 1, "2024-06-30");
    struct compliance_report *r = evaluate(&in);
    assert_status(r, "para9-assistance", COMPLIANCE_MET);
    compliance_report_free(r);

    in.ldc = true;
    r = evaluate(&in);
    assert_status(r, "para9-assistance", COMPLIANCE_NOT_APPLICABLE);
    assert_status(r, "para4-laws", COMPLIANCE_OVERDUE); /* other duties still bind an LDC */
    compliance_report_free(r);

    in.has_answers = false;
    r = evaluate(&in);
    assert_status(r, "para9-assistance", COMPLIANCE_NOT_APPLICABLE);
    compliance_report_free(r);
}

/* First cycle 2020, as of 2024-06-30: 2020 submitted 2020-11-15 (met), 2021 submitted
 * 2022-02-01 (late), 2022 never submitted (overdue), 2023 absent from the list (overdue), 2024
 * submitted 2024-07-10, after as_of, so still open. */
static void test_paragraph_8_is_one_item_per_year_since_the_first_cycle(void **state)
{
    (void)state;
    const struct compliance_cycle c[] = {
        {2021, true, "2022-02-01", NULL, NULL},
        {2020, true, "2020-11-15", NULL, NULL},
        {2022, false, NULL, NULL, NULL},
        {2024, true, "2024-07-10", NULL, NULL},
    };
    struct compliance_input in = input(NULL, 0, "2024-06-30");
    in.cycles = c;
    in.n_cycles = 4;
    in.first_cycle = 2020;
    struct compliance_report *r = evaluate(&in);
    assert_int_equal(r->n_items, FX_N_ITEMS - 1 + 5);
    /* expanded in place, after para6-cert (index 3), years ascending */
    assert_string_equal(r->items[4].item_id, "para8-report-2020");
    assert_string_equal(r->items[8].item_id, "para8-report-2024");
    assert_string_equal(r->items[9].item_id, "para9-assistance");

    const struct compliance_item *y = find(r, "para8-report-2020");
    assert_int_equal(y->status, COMPLIANCE_MET);
    assert_string_equal(y->paragraph, "8");
    assert_string_equal(y->deadline, "2020-12-31");
    assert_string_equal(y->date, "2020-11-15");
    assert_status(r, "para8-report-2021", COMPLIANCE_MET_LATE);
    assert_string_equal(find(r, "para8-report-2021")->date, "2022-02-01");
    assert_status(r, "para8-report-2022", COMPLIANCE_OVERDUE);
    assert_status(r, "para8-report-2023", COMPLIANCE_OVERDUE);
    assert_status(r, "para8-report-2024", COMPLIANCE_OPEN);
    assert_string_equal(find(r, "para8-report-2024")->date, "");
    compliance_report_free(r);

    in.as_of = "2025-01-01"; /* now the 2024 submission counts, and 2025 is open */
    r = evaluate(&in);
    assert_status(r, "para8-report-2024", COMPLIANCE_MET);
    assert_status(r, "para8-report-2025", COMPLIANCE_OPEN);
    compliance_report_free(r);
}

/* Paragraph 8 reads the compliance report itself and the State's dated answer, not only the
 * self-assessment: the earliest on or before as_of counts, and the note says which it was. */
static void test_paragraph_8_uses_the_report_and_the_dated_answer(void **state)
{
    (void)state;
    const struct compliance_cycle c[] = {
        {2021, true, "2022-03-01", "2021-12-30", NULL},  /* report in time, self-assessment late */
        {2022, false, NULL, "2023-01-15", "2022-12-20"}, /* reported by other means in time */
        {2023, false, NULL, "2024-02-01", NULL},         /* report after 31 December */
        {2024, false, NULL, NULL, "2024-08-01"},         /* dated after as_of: not yet */
    };
    struct compliance_input in = input(NULL, 0, "2024-06-30");
    in.cycles = c;
    in.n_cycles = 4;
    in.first_cycle = 2021;
    struct compliance_report *r = evaluate(&in);
    assert_status(r, "para8-report-2021", COMPLIANCE_MET);
    assert_string_equal(find(r, "para8-report-2021")->date, "2021-12-30");
    assert_string_equal(find(r, "para8-report-2021")->note,
                        "compliance report submitted to UNIC by 31 December");
    assert_status(r, "para8-report-2022", COMPLIANCE_MET);
    assert_string_equal(find(r, "para8-report-2022")->date, "2022-12-20");
    assert_string_equal(find(r, "para8-report-2022")->note,
                        "reported by 31 December, on the date the State gave");
    assert_status(r, "para8-report-2023", COMPLIANCE_MET_LATE);
    assert_status(r, "para8-report-2024", COMPLIANCE_OPEN);
    compliance_report_free(r);

    const struct compliance_cycle bad[] = {{2021, false, NULL, "2021-02-30", NULL}};
    in.cycles = bad;
    in.n_cycles = 1;
    struct compliance_report *none = NULL;
    struct err e = {0};
    assert_int_equal(compliance_evaluate(&in, &none, &e), -1);
    assert_non_null(strstr(e.msg, "cycles[0].report_date"));
}

static void test_paragraph_8_without_a_first_cycle_is_unknown(void **state)
{
    (void)state;
    struct compliance_input in = input(NULL, 0, "2024-06-30");
    struct compliance_report *r = evaluate(&in);
    assert_status(r, "para8-report", COMPLIANCE_UNKNOWN);
    compliance_report_free(r);

    in.first_cycle = 2025; /* nothing owed yet */
    r = evaluate(&in);
    assert_int_equal(r->n_items, FX_N_ITEMS - 1);
    compliance_report_free(r);
}

static void assert_invalid(const struct compliance_input *in, const char *field)
{
    struct compliance_report *r = NULL;
    struct err e = {0};
    assert_int_equal(compliance_evaluate(in, &r, &e), -1);
    assert_null(r);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    if (strstr(e.msg, field) == NULL)
        fail_msg("message \"%s\" does not name %s", e.msg, field);
}

static void test_bad_inputs_are_invalid_and_name_the_field(void **state)
{
    (void)state;
    struct compliance_input in = input(NULL, 0, "2024-02-30");
    assert_invalid(&in, "as_of: \"2024-02-30\"");

    const struct compliance_answer bad_date[] = {NO("para6-cert"), YES("para4-laws", "2015-02-30")};
    in = input(bad_date, 2, "2024-06-30");
    assert_invalid(&in, "answers[1].date");

    const struct compliance_answer unknown[] = {NO("para7-nothing")};
    in = input(unknown, 1, "2024-06-30");
    assert_invalid(&in, "answers[0].item_id: \"para7-nothing\"");

    const struct compliance_answer twice[] = {NO("para6-cert"), YES("para6-cert", NULL)};
    in = input(twice, 2, "2024-06-30");
    assert_invalid(&in, "answers[1].item_id");

    const struct compliance_cycle undated[] = {{2023, true, NULL, NULL, NULL}};
    in = input(NULL, 0, "2024-06-30");
    in.cycles = undated;
    in.n_cycles = 1;
    assert_invalid(&in, "cycles[0].submitted_date");

    const struct compliance_cycle bad_cycle_date[] = {{2023, true, "2023-11-31", NULL, NULL}};
    in.cycles = bad_cycle_date;
    assert_invalid(&in, "cycles[0].submitted_date: \"2023-11-31\"");

    const struct compliance_cycle same[] = {{2023, false, NULL, NULL, NULL}, {2023, true, "2023-05-01", NULL, NULL}};
    in.cycles = same;
    in.n_cycles = 2;
    assert_invalid(&in, "cycles[1].cycle");

    const struct compliance_item_def items[] = {{"a", "4(a)", "2015-13-01", COMPLIANCE_ONCE},
                                                {"a", "4(b)", NULL, COMPLIANCE_ONCE}};
    in = input(NULL, 0, "2024-06-30");
    in.items = items;
    in.n_items = 2;
    assert_invalid(&in, "items[0].deadline");
    in.items = items + 1;
    in.n_items = 1;
    in.first_cycle = -1;
    assert_invalid(&in, "first_cycle");
}

static void test_status_names_are_the_contract_names(void **state)
{
    (void)state;
    assert_string_equal(compliance_status_name(COMPLIANCE_MET), "MET");
    assert_string_equal(compliance_status_name(COMPLIANCE_MET_LATE), "MET_LATE");
    assert_string_equal(compliance_status_name(COMPLIANCE_OPEN), "OPEN");
    assert_string_equal(compliance_status_name(COMPLIANCE_OVERDUE), "OVERDUE");
    assert_string_equal(compliance_status_name(COMPLIANCE_UNKNOWN), "UNKNOWN");
    assert_string_equal(compliance_status_name(COMPLIANCE_NOT_APPLICABLE), "NOT_APPLICABLE");
    assert_string_equal(compliance_status_name((enum compliance_status)0), "UNSPECIFIED");
    compliance_report_free(NULL);
}

/* Every note the platform writes comes with its code, so that the portal can say it in the
 * reader's language; the codes are distinct per wording. Inputs that reach every branch. */
static void test_every_note_has_a_code(void **state)
{
    (void)state;
    const struct compliance_answer a[] = {
        NO("para6-cert"),
        {"para4-laws", COMPLIANCE_REPLY_YES, "2016-01-01"},
        {"para4-infrastructure", COMPLIANCE_REPLY_YES, NULL},
        {"para5-harmonise", COMPLIANCE_REPLY_YES, "2030-01-01"}};
    const struct compliance_cycle c[] = {{2021, true, "2022-03-01", "2021-12-30", NULL}};
    const char *const as_of[] = {"2014-06-30", "2024-06-30"};
    for (int ldc = 0; ldc < 2; ldc++)
        for (int answers = 0; answers < 2; answers++)
            for (size_t d = 0; d < 2; d++) {
                struct compliance_input in = input(a, 4, as_of[d]);
                in.ldc = ldc;
                in.has_answers = answers;
                in.cycles = c;
                in.n_cycles = 1;
                in.first_cycle = d ? 2021 : 0;
                struct compliance_report *r = evaluate(&in);
                for (size_t i = 0; i < r->n_items; i++) {
                    const struct compliance_item *it = &r->items[i];
                    assert_non_null(it->note_code);
                    assert_true(it->note_code[0] != '\0');
                    for (size_t j = 0; j < r->n_items; j++)
                        if (strcmp(r->items[j].note_code, it->note_code) == 0)
                            assert_string_equal(r->items[j].note, it->note);
                }
                compliance_report_free(r);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yes_dated_by_the_deadline_is_met),
        cmocka_unit_test(test_directory_evidence_comes_before_the_answer),
        cmocka_unit_test(test_yes_dated_after_the_deadline_is_met_late),
        cmocka_unit_test(test_yes_without_a_date_is_met_with_a_note),
        cmocka_unit_test(test_yes_without_a_deadline_is_met),
        cmocka_unit_test(test_no_or_unanswered_after_the_deadline_is_overdue),
        cmocka_unit_test(test_not_met_before_the_deadline_is_open),
        cmocka_unit_test(test_no_without_a_deadline_is_open),
        cmocka_unit_test(test_yes_dated_after_as_of_is_not_yet_met),
        cmocka_unit_test(test_no_submitted_answers_is_unknown),
        cmocka_unit_test(test_paragraph_9_is_not_applicable_to_a_least_developed_country),
        cmocka_unit_test(test_paragraph_8_is_one_item_per_year_since_the_first_cycle),
        cmocka_unit_test(test_paragraph_8_uses_the_report_and_the_dated_answer),
        cmocka_unit_test(test_paragraph_8_without_a_first_cycle_is_unknown),
        cmocka_unit_test(test_bad_inputs_are_invalid_and_name_the_field),
        cmocka_unit_test(test_status_names_are_the_contract_names),
        cmocka_unit_test(test_every_note_has_a_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
