/* test_responses_validate.c: unit tests of request validation: every rule of the contract, each
 * error naming the field, and the questionnaire definitions answers are checked against. No I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assessment.h"

#define MATURITY UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL
#define YES_NO UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO
#define TEXT UNIC__CATALOG__V1__ANSWER_TYPE__TEXT

/* A definition of four questions in two sections: m1 (maturity), y1 (yes/no), t1 (text,
 * optional), m2 (maturity). */
static struct qdef *make_def(void)
{
    static Unic__Catalog__V1__Question q[4];
    static Unic__Catalog__V1__Question *s1q[2], *s2q[2];
    static Unic__Catalog__V1__Section s[2], *sp[2];
    static Unic__Catalog__V1__Questionnaire qn = UNIC__CATALOG__V1__QUESTIONNAIRE__INIT;
    const char *ids[] = {"m1", "y1", "t1", "m2"};
    int types[] = {MATURITY, YES_NO, TEXT, MATURITY};
    for (int i = 0; i < 4; i++) {
        unic__catalog__v1__question__init(&q[i]);
        q[i].id = (char *)ids[i];
        q[i].answer_type = types[i];
        q[i].required = i != 2;
    }
    s1q[0] = &q[0];
    s1q[1] = &q[1];
    s2q[0] = &q[2];
    s2q[1] = &q[3];
    for (int i = 0; i < 2; i++) {
        unic__catalog__v1__section__init(&s[i]);
        s[i].n_questions = 2;
        s[i].questions = i ? s2q : s1q;
        sp[i] = &s[i];
    }
    qn.id = (char *)"test-q";
    qn.version = 3;
    qn.n_sections = 2;
    qn.sections = sp;
    struct err e;
    struct qdef *d = qdef_new(&qn, &e);
    assert_non_null(d);
    return d;
}

static Answer *answer(const char *qid)
{
    Answer *a = calloc(1, sizeof *a);
    unic__responses__v1__answer__init(a);
    a->question_id = (char *)qid;
    return a;
}

static void set_level(Answer *a, int level)
{
    a->level_value_case = UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
    a->level = level;
}

static void set_yes(Answer *a, bool yes)
{
    a->yes_value_case = UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES;
    a->yes = yes;
}

static int shape1(Answer *a, struct err *e)
{
    Answer *list[] = {a};
    int rc = validate_answers_shape(list, 1, e);
    free(a);
    return rc;
}

static void test_definition_keeps_questionnaire_order_and_required_count(void **state)
{
    (void)state;
    struct qdef *d = make_def();
    assert_int_equal(d->n, 4);
    assert_string_equal(d->q[0].id, "m1");
    assert_string_equal(d->q[3].id, "m2");
    assert_int_equal(d->n_required, 3);
    assert_int_equal(d->version, 3);
    assert_int_equal(qdef_find(d, "t1"), 2);
    assert_int_equal(qdef_find(d, "nope"), -1);
    qdef_free(d);
    qdef_free(NULL);
}

static void test_definition_with_repeated_question_id_is_refused(void **state)
{
    (void)state;
    Unic__Catalog__V1__Question a = UNIC__CATALOG__V1__QUESTION__INIT, b = UNIC__CATALOG__V1__QUESTION__INIT;
    a.id = b.id = (char *)"x";
    a.answer_type = b.answer_type = MATURITY;
    Unic__Catalog__V1__Question *qs[] = {&a, &b};
    Unic__Catalog__V1__Section s = UNIC__CATALOG__V1__SECTION__INIT, *sp[] = {&s};
    s.n_questions = 2;
    s.questions = qs;
    Unic__Catalog__V1__Questionnaire qn = UNIC__CATALOG__V1__QUESTIONNAIRE__INIT;
    qn.id = (char *)"dup";
    qn.version = 1;
    qn.n_sections = 1;
    qn.sections = sp;
    struct err e;
    assert_null(qdef_new(&qn, &e));
    assert_non_null(strstr(e.msg, "repeats question id"));
    qn.n_sections = 0;
    assert_null(qdef_new(&qn, &e));
    assert_non_null(strstr(e.msg, "no questions"));
}

static void test_cycle_runs_from_2010_to_next_year(void **state)
{
    (void)state;
    struct err e;
    assert_int_equal(validate_cycle(2010, 2025, &e), 0);
    assert_int_equal(validate_cycle(2026, 2025, &e), 0);
    assert_int_equal(validate_cycle(2009, 2025, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_true(strncmp(e.msg, "cycle:", 6) == 0);
    assert_int_equal(validate_cycle(2027, 2025, &e), -1);
    assert_int_equal(validate_cycle(0, 2025, &e), -1);
}

static void test_request_id_is_optional_but_printable(void **state)
{
    (void)state;
    struct err e;
    char longer[200];
    memset(longer, 'r', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_int_equal(validate_request_id("", &e), 0);
    assert_int_equal(validate_request_id("retry-42", &e), 0);
    assert_int_equal(validate_request_id("a\tb", &e), -1);
    assert_true(strncmp(e.msg, "request_id:", 11) == 0);
    assert_int_equal(validate_request_id(longer, &e), -1);
    assert_int_equal(validate_request_id("\xff\xfe", &e), -1);
}

static void test_level_out_of_range_names_the_answer(void **state)
{
    (void)state;
    struct err e;
    Answer *ok = answer("m1"), *bad = answer("m2");
    set_level(ok, 5);
    set_level(bad, 6);
    Answer *list[] = {ok, ok, ok, bad};
    assert_int_equal(validate_answers_shape(list, 4, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_true(strncmp(e.msg, "answers[3].level:", 17) == 0);
    free(ok);
    free(bad);
    Answer *neg = answer("m1");
    set_level(neg, -1);
    assert_int_equal(shape1(neg, &e), -1);
    assert_true(strncmp(e.msg, "answers[0].level:", 17) == 0);
}

static void test_target_level_out_of_range_is_refused(void **state)
{
    (void)state;
    struct err e;
    Answer *a = answer("m1");
    a->target_level_value_case = UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL;
    a->target_level = 9;
    assert_int_equal(shape1(a, &e), -1);
    assert_true(strncmp(e.msg, "answers[0].target_level:", 24) == 0);
}

static void test_date_must_be_a_real_day(void **state)
{
    (void)state;
    struct err e;
    Answer *a = answer("y1");
    a->date = (char *)"2023-02-29";
    assert_int_equal(shape1(a, &e), -1);
    assert_true(strncmp(e.msg, "answers[0].date:", 16) == 0);
    a = answer("y1");
    a->date = (char *)"2024-02-29";
    assert_int_equal(shape1(a, &e), 0);
}

static void test_narrative_of_20000_characters_passes_and_one_more_fails(void **state)
{
    (void)state;
    struct err e;
    /* "é" is two bytes: the limit counts characters, not bytes. */
    size_t n = 20000;
    char *text = malloc(2 * (n + 1) + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(text + 2 * i, "\xc3\xa9", 2);
    text[2 * n] = '\0';
    Answer *a = answer("t1");
    a->narrative = text;
    assert_int_equal(shape1(a, &e), 0);
    memcpy(text + 2 * n, "\xc3\xa9", 3);
    a = answer("t1");
    a->narrative = text;
    assert_int_equal(shape1(a, &e), -1);
    assert_true(strncmp(e.msg, "answers[0].narrative:", 21) == 0);
    free(text);
}

static void test_narrative_allows_newlines_but_not_other_controls_or_bad_utf8(void **state)
{
    (void)state;
    struct err e;
    Answer *a = answer("t1");
    a->narrative = (char *)"line one\nline two\twith tab";
    assert_int_equal(shape1(a, &e), 0);
    a = answer("t1");
    a->narrative = (char *)"bell\x07";
    assert_int_equal(shape1(a, &e), -1);
    assert_true(strncmp(e.msg, "answers[0].narrative:", 21) == 0);
    a = answer("t1");
    a->narrative = (char *)"overlong \xc0\xaf";
    assert_int_equal(shape1(a, &e), -1);
}

static void test_evidence_count_and_uris_are_checked_by_position(void **state)
{
    (void)state;
    struct err e;
    Evidence ev[21], *evp[21];
    for (int i = 0; i < 21; i++) {
        unic__responses__v1__evidence__init(&ev[i]);
        ev[i].uri = (char *)"https://example.org/law.pdf";
        ev[i].title = (char *)"Cybercrime Act";
        evp[i] = &ev[i];
    }
    Answer *a = answer("m1");
    a->n_evidence = 20;
    a->evidence = evp;
    assert_int_equal(shape1(a, &e), 0);
    a = answer("m1");
    a->n_evidence = 21;
    a->evidence = evp;
    assert_int_equal(shape1(a, &e), -1);
    assert_true(strncmp(e.msg, "answers[0].evidence:", 20) == 0);
    const char *bad[] = {"ftp://example.org/x", "/relative/path", "https://", "http://exa mple.org",
                         "https://example.org/\xff", "javascript:alert(1)"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ev[2].uri = (char *)bad[i];
        a = answer("m1");
        a->n_evidence = 3;
        a->evidence = evp;
        assert_int_equal(shape1(a, &e), -1);
        assert_true(strncmp(e.msg, "answers[0].evidence[2].uri:", 27) == 0);
    }
    ev[2].uri = (char *)"http://example.org";
    ev[1].title = (char *)"tab\tin title";
    a = answer("m1");
    a->n_evidence = 3;
    a->evidence = evp;
    assert_int_equal(shape1(a, &e), -1);
    assert_true(strncmp(e.msg, "answers[0].evidence[1].title:", 29) == 0);
}

static void test_question_id_is_required(void **state)
{
    (void)state;
    struct err e;
    assert_int_equal(shape1(answer(""), &e), -1);
    assert_true(strncmp(e.msg, "answers[0].question_id:", 23) == 0);
}

static void test_unknown_question_is_refused(void **state)
{
    (void)state;
    struct qdef *d = make_def();
    struct err e;
    Answer *a = answer("m1"), *b = answer("zz");
    Answer *list[] = {a, b};
    int index[2];
    assert_int_equal(validate_answers_fit(d, list, 2, index, &e), -1);
    assert_true(strncmp(e.msg, "answers[1].question_id:", 23) == 0);
    assert_non_null(strstr(e.msg, "\"zz\""));
    free(a);
    free(b);
    qdef_free(d);
}

static void test_question_answered_twice_is_refused(void **state)
{
    (void)state;
    struct qdef *d = make_def();
    struct err e;
    Answer *a = answer("m1");
    Answer *list[] = {a, a};
    int index[2];
    assert_int_equal(validate_answers_fit(d, list, 2, index, &e), -1);
    assert_true(strncmp(e.msg, "answers[1].question_id:", 23) == 0);
    free(a);
    qdef_free(d);
}

static void test_answer_type_must_fit_the_question(void **state)
{
    (void)state;
    struct qdef *d = make_def();
    struct err e;
    int index[4];
    Answer *lvl_on_yes = answer("y1"), *yes_on_lvl = answer("m1"), *lvl_on_text = answer("t1"),
           *target_on_yes = answer("y1");
    set_level(lvl_on_yes, 2);
    set_yes(yes_on_lvl, true);
    set_level(lvl_on_text, 1);
    target_on_yes->target_level_value_case = UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL;
    Answer *l1[] = {lvl_on_yes};
    assert_int_equal(validate_answers_fit(d, l1, 1, index, &e), -1);
    assert_true(strncmp(e.msg, "answers[0].level:", 17) == 0);
    assert_non_null(strstr(e.msg, "YES_NO"));
    Answer *l3[] = {yes_on_lvl};
    assert_int_equal(validate_answers_fit(d, l3, 1, index, &e), -1);
    assert_true(strncmp(e.msg, "answers[0].yes:", 15) == 0);
    Answer *l4[] = {lvl_on_text};
    assert_int_equal(validate_answers_fit(d, l4, 1, index, &e), -1);
    assert_true(strncmp(e.msg, "answers[0].level:", 17) == 0);
    Answer *l5[] = {target_on_yes};
    assert_int_equal(validate_answers_fit(d, l5, 1, index, &e), -1);
    assert_true(strncmp(e.msg, "answers[0].target_level:", 24) == 0);
    free(lvl_on_yes);
    free(yes_on_lvl);
    free(lvl_on_text);
    free(target_on_yes);
    qdef_free(d);
}

static void test_fitting_answers_map_to_their_questions(void **state)
{
    (void)state;
    struct qdef *d = make_def();
    struct err e;
    Answer *m2 = answer("m2"), *y1 = answer("y1"), *t1 = answer("t1");
    set_level(m2, 4);
    set_yes(y1, false);
    t1->narrative = (char *)"a national strategy exists";
    Answer *list[] = {m2, y1, t1};
    int index[3];
    assert_int_equal(validate_answers_fit(d, list, 3, index, &e), 0);
    assert_int_equal(index[0], 3);
    assert_int_equal(index[1], 1);
    assert_int_equal(index[2], 2);
    free(m2);
    free(y1);
    free(t1);
    qdef_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_definition_keeps_questionnaire_order_and_required_count),
        cmocka_unit_test(test_definition_with_repeated_question_id_is_refused),
        cmocka_unit_test(test_cycle_runs_from_2010_to_next_year),
        cmocka_unit_test(test_request_id_is_optional_but_printable),
        cmocka_unit_test(test_level_out_of_range_names_the_answer),
        cmocka_unit_test(test_target_level_out_of_range_is_refused),
        cmocka_unit_test(test_date_must_be_a_real_day),
        cmocka_unit_test(test_narrative_of_20000_characters_passes_and_one_more_fails),
        cmocka_unit_test(test_narrative_allows_newlines_but_not_other_controls_or_bad_utf8),
        cmocka_unit_test(test_evidence_count_and_uris_are_checked_by_position),
        cmocka_unit_test(test_question_id_is_required),
        cmocka_unit_test(test_unknown_question_is_refused),
        cmocka_unit_test(test_question_answered_twice_is_refused),
        cmocka_unit_test(test_answer_type_must_fit_the_question),
        cmocka_unit_test(test_fitting_answers_map_to_their_questions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
