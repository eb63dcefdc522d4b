/* test_responses_revision.c: unit tests of how a save becomes a revision: merge rules, the
 * questions reported as changed, completeness and the required questions still missing. No I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "assessment.h"

#define MATURITY UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL
#define YES_NO UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO
#define TEXT UNIC__CATALOG__V1__ANSWER_TYPE__TEXT

static struct arena A;

static int setup(void **state)
{
    (void)state;
    arena_init(&A);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_destroy(&A);
    return 0;
}

/* m1 maturity (required), y1 yes/no (required), t1 text (optional), t2 text (required). */
static struct qdef *make_def(void)
{
    static struct qdef_question q[] = {
        {"m1", MATURITY, true}, {"y1", YES_NO, true}, {"t1", TEXT, false}, {"t2", TEXT, true}};
    struct qdef *d = arena_alloc(&A, sizeof *d);
    d->questionnaire_id = "test-q";
    d->version = 1;
    d->n = 4;
    d->q = q;
    d->n_required = 3;
    return d;
}

static Answer *answer(const char *qid)
{
    Answer *a = ARENA_MSG(&A, Answer, UNIC__RESPONSES__V1__ANSWER__INIT);
    a->question_id = (char *)qid;
    return a;
}

static Answer *level(const char *qid, int lv)
{
    Answer *a = answer(qid);
    a->level_value_case = UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
    a->level = lv;
    return a;
}

static Answer *yes(const char *qid, bool v)
{
    Answer *a = answer(qid);
    a->yes_value_case = UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES;
    a->yes = v;
    return a;
}

static Answer *text(const char *qid, const char *s)
{
    Answer *a = answer(qid);
    a->narrative = (char *)s;
    return a;
}

static void merge(Answer **cur, size_t n_cur, Answer **in, size_t n_in, struct merge *m)
{
    struct qdef *d = make_def();
    struct err e;
    int index[8];
    assert_int_equal(validate_answers_fit(d, in, n_in, index, &e), 0);
    answers_merge(&A, d, cur, n_cur, in, n_in, index, "2025-01-02T03:04:05.678Z", "state:KEN/k", m);
}

static void test_answered_depends_on_the_question_type(void **state)
{
    (void)state;
    assert_true(answer_is_answered(MATURITY, level("m1", 0)));
    assert_false(answer_is_answered(MATURITY, text("m1", "words but no level")));
    assert_true(answer_is_answered(YES_NO, yes("y1", false)));
    assert_false(answer_is_answered(YES_NO, answer("y1")));
    assert_true(answer_is_answered(TEXT, text("t1", "x")));
    assert_false(answer_is_answered(TEXT, text("t1", " \n\t ")));
}

static void test_completeness_is_share_of_required_answered(void **state)
{
    (void)state;
    struct qdef *d = make_def();
    assert_float_equal(completeness(d, NULL, 0), 0.0, 1e-12);
    Answer *some[] = {level("m1", 2), text("t1", "optional does not count")};
    assert_float_equal(completeness(d, some, 2), 1.0 / 3.0, 1e-12);
    Answer *all[] = {level("m1", 2), yes("y1", true), text("t2", "done")};
    assert_float_equal(completeness(d, all, 3), 1.0, 1e-12);
    d->n_required = 0;
    for (size_t i = 0; i < d->n; i++)
        d->q[i].required = false;
    assert_float_equal(completeness(d, NULL, 0), 1.0, 1e-12);
    d->q[0].required = d->q[1].required = d->q[3].required = true;
}

static void test_required_missing_lists_ids_in_questionnaire_order(void **state)
{
    (void)state;
    struct qdef *d = make_def();
    const char **ids;
    Answer *some[] = {text("t2", "   "), yes("y1", false)};
    size_t n = required_missing(d, some, 2, &A, &ids);
    assert_int_equal(n, 2);
    assert_string_equal(ids[0], "m1");
    assert_string_equal(ids[1], "t2");
    Answer *all[] = {level("m1", 0), yes("y1", true), text("t2", "x")};
    assert_int_equal(required_missing(d, all, 3, &A, &ids), 0);
}

static void test_merge_upserts_by_question_and_keeps_the_rest(void **state)
{
    (void)state;
    struct merge m;
    Answer *cur[] = {level("m1", 1), yes("y1", false)};
    cur[0]->updated_at = (char *)"2024-01-01T00:00:00.000Z";
    Answer *in[] = {level("m1", 3), text("t2", "strategy adopted")};
    merge(cur, 2, in, 2, &m);
    assert_int_equal(m.n_answers, 3);
    assert_string_equal(m.answers[0]->question_id, "m1");
    assert_int_equal(m.answers[0]->level, 3);
    assert_string_equal(m.answers[0]->updated_at, "2025-01-02T03:04:05.678Z");
    assert_string_equal(m.answers[0]->updated_by, "state:KEN/k");
    assert_ptr_equal(m.answers[1], cur[1]); /* untouched answers stay as they were */
    assert_string_equal(m.answers[2]->question_id, "t2");
    assert_int_equal(m.n_changed, 2);
    assert_string_equal(m.changed[0], "m1");
    assert_string_equal(m.changed[1], "t2");
    assert_int_equal(m.n_upserts, 2);
    assert_int_equal(m.n_removed, 0);
}

static void test_identical_answer_changes_nothing(void **state)
{
    (void)state;
    struct merge m;
    Answer *cur[] = {level("m1", 2)};
    cur[0]->updated_at = (char *)"2024-01-01T00:00:00.000Z";
    Answer *in[] = {level("m1", 2)};
    in[0]->updated_at = (char *)"client sent something else";
    merge(cur, 1, in, 1, &m);
    assert_int_equal(m.n_changed, 0);
    assert_int_equal(m.n_answers, 1);
    assert_string_equal(m.answers[0]->updated_at, "2024-01-01T00:00:00.000Z");
}

static void test_answer_replaces_whole_so_omitted_fields_are_cleared(void **state)
{
    (void)state;
    struct merge m;
    Answer *cur[] = {level("m1", 2)};
    cur[0]->narrative = (char *)"old justification";
    Answer *in[] = {level("m1", 2)};
    merge(cur, 1, in, 1, &m);
    assert_int_equal(m.n_changed, 1);
    assert_string_equal(m.answers[0]->narrative, "");
}

static void test_empty_answer_removes_the_stored_one(void **state)
{
    (void)state;
    struct merge m;
    Answer *cur[] = {level("m1", 2), yes("y1", true)};
    Answer *in[] = {answer("y1"), answer("t1")};
    merge(cur, 2, in, 2, &m);
    assert_int_equal(m.n_answers, 1);
    assert_string_equal(m.answers[0]->question_id, "m1");
    /* Removing t1, never answered, is no change. */
    assert_int_equal(m.n_changed, 1);
    assert_string_equal(m.changed[0], "y1");
    assert_int_equal(m.n_removed, 1);
    assert_string_equal(m.removed[0], "y1");
    assert_int_equal(m.n_upserts, 0);
}

static void test_evidence_difference_is_a_change(void **state)
{
    (void)state;
    Evidence e1 = UNIC__RESPONSES__V1__EVIDENCE__INIT, e2 = UNIC__RESPONSES__V1__EVIDENCE__INIT;
    e1.uri = e2.uri = (char *)"https://example.org/a";
    e1.title = (char *)"A";
    e2.title = (char *)"B";
    Evidence *l1[] = {&e1}, *l2[] = {&e2};
    Answer *a = level("m1", 1), *b = level("m1", 1);
    a->n_evidence = b->n_evidence = 1;
    a->evidence = l1;
    b->evidence = l2;
    assert_false(answer_same(a, b));
    b->evidence = l1;
    assert_true(answer_same(a, b));
    b->yes_value_case = UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES;
    assert_false(answer_same(a, b));
}

static void test_merged_answer_is_a_deep_copy(void **state)
{
    (void)state;
    struct merge m;
    char narrative[] = "mutable";
    Answer *in[] = {text("t1", narrative)};
    merge(NULL, 0, in, 1, &m);
    narrative[0] = 'M';
    assert_string_equal(m.answers[0]->narrative, "mutable");
}

static void test_copy_head_drops_answers_and_keeps_the_rest(void **state)
{
    (void)state;
    Assessment *a = ARENA_MSG(&A, Assessment, UNIC__RESPONSES__V1__ASSESSMENT__INIT);
    Answer *list[] = {level("m1", 1)};
    a->id = (char *)"KEN-2025-x1";
    a->revision = 7;
    a->n_answers = 1;
    a->answers = list;
    Assessment *b = assessment_copy_head(&A, a);
    assert_int_equal(b->n_answers, 0);
    assert_null(b->answers);
    assert_int_equal(b->revision, 7);
    assert_string_equal(b->id, "KEN-2025-x1");
    assert_int_equal(a->n_answers, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answered_depends_on_the_question_type),
        cmocka_unit_test(test_completeness_is_share_of_required_answered),
        cmocka_unit_test(test_required_missing_lists_ids_in_questionnaire_order),
        cmocka_unit_test(test_merge_upserts_by_question_and_keeps_the_rest),
        cmocka_unit_test(test_identical_answer_changes_nothing),
        cmocka_unit_test(test_answer_replaces_whole_so_omitted_fields_are_cleared),
        cmocka_unit_test(test_empty_answer_removes_the_stored_one),
        cmocka_unit_test(test_evidence_difference_is_a_change),
        cmocka_unit_test(test_merged_answer_is_a_deep_copy),
        cmocka_unit_test(test_copy_head_drops_answers_and_keeps_the_rest),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
