/* test_catalog_definition.c: the rules a questionnaire definition must pass before it is stored
 * (services/catalog/definition.c): each failure is INVALID_ARGUMENT naming the offending field. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "definition.h"
#include "mem.h"

typedef Unic__Catalog__V1__CreateQuestionnaireVersionRequest Request;
typedef Unic__Catalog__V1__Questionnaire Questionnaire;
typedef Unic__Catalog__V1__Section Section;
typedef Unic__Catalog__V1__Question Question;
typedef Unic__Catalog__V1__LevelDescriptor Level;

static const char *const TOPICS[] = {"strategy", "governance", "incident-response"};

/* Builders: everything lives in the test's arena. */
static Question *mk_question(struct arena *a, const char *id, int number, Unic__Catalog__V1__AnswerType t)
{
    static const char *const names[] = {"Not started", "Start-up", "Formative", "Established",
                                        "Strategic", "Dynamic"};
    Question *q = ARENA_MSG(a, Question, UNIC__CATALOG__V1__QUESTION__INIT);
    q->id = arena_strdup(a, id);
    q->number = number;
    q->text = arena_printf(a, "Text of question %s.\nA second line.", id);
    q->answer_type = t;
    q->n_topics = 1;
    q->topics = ARENA_ARRAY(a, char *, 1);
    q->topics[0] = arena_strdup(a, "strategy");
    if (t == UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL) {
        q->n_levels = 6;
        q->levels = ARENA_ARRAY(a, Level *, 6);
        for (int l = 0; l < 6; l++) {
            q->levels[l] = ARENA_MSG(a, Level, UNIC__CATALOG__V1__LEVEL_DESCRIPTOR__INIT);
            q->levels[l]->level = l;
            q->levels[l]->name = arena_strdup(a, names[l]);
            q->levels[l]->description = arena_printf(a, "Level %d described.", l);
        }
    }
    return q;
}

/* `sections` sections of `per` MATURITY_LEVEL questions each, ids s1.. and q1.. */
static Questionnaire *mk_def(struct arena *a, const char *locale, size_t sections, size_t per)
{
    Questionnaire *d = ARENA_MSG(a, Questionnaire, UNIC__CATALOG__V1__QUESTIONNAIRE__INIT);
    d->id = arena_strdup(a, "test-assessment");
    d->title = arena_strdup(a, "A test assessment");
    d->source = arena_strdup(a, "A/RES/64/211, annex");
    d->kind = UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__SELF_ASSESSMENT;
    d->locale = arena_strdup(a, locale);
    d->n_sections = sections;
    d->sections = ARENA_ARRAY(a, Section *, sections);
    int n = 0;
    for (size_t i = 0; i < sections; i++) {
        Section *s = ARENA_MSG(a, Section, UNIC__CATALOG__V1__SECTION__INIT);
        s->id = arena_printf(a, "s%zu", i + 1);
        s->number = (int)i + 1;
        s->title = arena_printf(a, "Section %zu", i + 1);
        s->n_questions = per;
        s->questions = ARENA_ARRAY(a, Question *, per);
        for (size_t j = 0; j < per; j++) {
            n++;
            s->questions[j] = mk_question(a, arena_printf(a, "q%d", n), n,
                                          UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL);
        }
        d->sections[i] = s;
    }
    return d;
}

static Request *mk_request(struct arena *a, Questionnaire *d)
{
    Request *r = ARENA_MSG(a, Request, UNIC__CATALOG__V1__CREATE_QUESTIONNAIRE_VERSION_REQUEST__INIT);
    r->definition = d;
    return r;
}

static void add_translation(struct arena *a, Request *r, Questionnaire *t)
{
    Questionnaire **arr = ARENA_ARRAY(a, Questionnaire *, r->n_translations + 1);
    for (size_t i = 0; i < r->n_translations; i++)
        arr[i] = r->translations[i];
    arr[r->n_translations++] = t;
    r->translations = arr;
}

static int validate(const Request *r, struct err *e)
{
    err_clear(e);
    return definition_validate(r, TOPICS, sizeof TOPICS / sizeof TOPICS[0], e);
}

/* The request fails with INVALID_ARGUMENT and a message starting with "<field>: ". */
static void assert_rejects(const Request *r, const char *field)
{
    struct err e;
    char prefix[256];
    assert_int_equal(validate(r, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    snprintf(prefix, sizeof prefix, "%s: ", field);
    if (strncmp(e.msg, prefix, strlen(prefix)) != 0)
        fail_msg("expected a message starting with \"%s\", got \"%s\"", prefix, e.msg);
}

static void assert_accepts(const Request *r)
{
    struct err e;
    if (validate(r, &e) != 0)
        fail_msg("rejected: %s", e.msg);
}

static int setup(void **state)
{
    struct arena *a = xmalloc(sizeof *a);
    arena_init(a);
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    arena_destroy(*state);
    free(*state);
    return 0;
}

static void test_well_formed_definition_is_accepted(void **state)
{
    struct arena *a = *state;
    assert_accepts(mk_request(a, mk_def(a, "en", 3, 4)));
    assert_accepts(mk_request(a, mk_def(a, "", 1, 1))); /* "" means "en" */
}

static void test_missing_definition_is_rejected(void **state)
{
    assert_rejects(mk_request(*state, NULL), "definition");
}

static void test_questionnaire_id_must_be_lower_case_slug(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 1, 1);
    Request *r = mk_request(a, d);
    d->id = "";
    assert_rejects(r, "definition.id");
    d->id = "Bad Id";
    assert_rejects(r, "definition.id");
    d->id = "x";
    assert_rejects(r, "definition.id");
    d->id = "cip-self-assessment";
    assert_accepts(r);
}

static void test_duplicate_question_id_across_sections_is_named(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 2, 3);
    d->sections[1]->questions[2]->id = "q2";
    assert_rejects(mk_request(a, d), "definition.sections[1].questions[2].id");
}

static void test_duplicate_question_number_is_named(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 1, 3);
    d->sections[0]->questions[2]->number = 1;
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[2].number");
}

static void test_duplicate_section_id_and_number_are_named(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 3, 1);
    d->sections[2]->id = "s1";
    assert_rejects(mk_request(a, d), "definition.sections[2].id");
    d->sections[2]->id = "s3";
    d->sections[2]->number = 2;
    assert_rejects(mk_request(a, d), "definition.sections[2].number");
}

static void test_empty_or_blank_texts_are_rejected(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 2, 2);
    Request *r = mk_request(a, d);
    d->sections[1]->questions[0]->text = " \n\t ";
    assert_rejects(r, "definition.sections[1].questions[0].text");
    d->sections[1]->questions[0]->text = "ok";
    d->sections[0]->title = "";
    assert_rejects(r, "definition.sections[0].title");
    d->sections[0]->title = "ok";
    d->title = "";
    assert_rejects(r, "definition.title");
}

static void test_unknown_and_repeated_topics_are_named(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 1, 3);
    Question *q = d->sections[0]->questions[2];
    char *topics[] = {"strategy", "no-such-topic"};
    q->topics = topics;
    q->n_topics = 2;
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[2].topics[1]");
    topics[1] = "strategy";
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[2].topics[1]");
}

static void test_maturity_question_needs_exactly_six_levels(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 1, 3);
    d->sections[0]->questions[2]->n_levels = 5;
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[2].levels");
    d->sections[0]->questions[2]->n_levels = 0;
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[2].levels");
}

static void test_levels_are_zero_to_five_each_once(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 1, 1);
    Question *q = d->sections[0]->questions[0];
    q->levels[4]->level = 3;
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].levels[4].level");
    q->levels[4]->level = 6;
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].levels[4].level");
    q->levels[4]->level = 4;
    q->levels[1]->name = "";
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].levels[1].name");
    q->levels[1]->name = "Start-up";
    assert_accepts(mk_request(a, d));
}

static void test_only_maturity_questions_have_levels(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 1, 2);
    d->sections[0]->questions[1]->answer_type = UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO;
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[1].levels");
    d->sections[0]->questions[1]->n_levels = 0;
    assert_accepts(mk_request(a, d));
    d->sections[0]->questions[1]->answer_type = 0;
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[1].answer_type");
}

static void test_more_than_500_questions_is_rejected_and_500_accepted(void **state)
{
    struct arena *a = *state;
    assert_accepts(mk_request(a, mk_def(a, "en", 5, 100)));
    Questionnaire *d = mk_def(a, "en", 3, 167); /* 501 */
    assert_rejects(mk_request(a, d), "definition.sections");
}

static void test_text_over_20000_characters_is_rejected(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 1, 1);
    /* 20,000 two-byte characters is 40,000 bytes but exactly the limit in characters. */
    char *text = arena_alloc(a, 2 * 20001 + 1);
    for (int i = 0; i < 20000; i++)
        memcpy(text + 2 * i, "\xc3\xa9", 2);
    d->sections[0]->questions[0]->text = text;
    assert_accepts(mk_request(a, d));
    memcpy(text + 2 * 20000, "\xc3\xa9", 2);
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].text");
    d->sections[0]->questions[0]->text = "ok";
    d->sections[0]->questions[0]->guidance = text;
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].guidance");
}

static void test_invalid_utf8_and_control_characters_are_rejected(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 1, 1);
    Question *q = d->sections[0]->questions[0];
    q->text = "bad \xff byte";
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].text");
    q->text = "overlong \xc0\xaf slash";
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].text");
    q->text = "bell \x07";
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].text");
    q->text = "unit separator \x1f";
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].text");
    q->text = "lines\nand\ttabs are fine in free text";
    assert_accepts(mk_request(a, d));
    d->title = "no\nline breaks in a title";
    assert_rejects(mk_request(a, d), "definition.title");
}

static void test_sub_items_are_checked_one_by_one(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 1, 1);
    char *items[] = {"first", "", "third"};
    d->sections[0]->questions[0]->sub_items = items;
    d->sections[0]->questions[0]->n_sub_items = 3;
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].sub_items[1]");
    items[1] = "second";
    assert_accepts(mk_request(a, d));
}

static void test_deadline_is_a_real_date_on_compliance_items_only(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 1, 1);
    Question *q = d->sections[0]->questions[0];
    q->answer_type = UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO;
    q->n_levels = 0;
    q->deadline = "2015-12-31";
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].deadline");
    d->kind = UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__COMPLIANCE;
    assert_accepts(mk_request(a, d));
    q->deadline = "2015-02-30";
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].deadline");
    q->deadline = "31/12/2015";
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].deadline");
}

static void test_weight_kind_and_recurrence_ranges(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 1, 1);
    Question *q = d->sections[0]->questions[0];
    q->weight = -1;
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].weight");
    q->weight = NAN;
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].weight");
    q->weight = 2.5;
    q->recurrence = 7;
    assert_rejects(mk_request(a, d), "definition.sections[0].questions[0].recurrence");
    q->recurrence = UNIC__CATALOG__V1__RECURRENCE__ANNUAL;
    assert_accepts(mk_request(a, d));
    d->kind = 0;
    assert_rejects(mk_request(a, d), "definition.kind");
}

static void test_section_needs_questions_and_definition_needs_sections(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 2, 1);
    d->sections[1]->n_questions = 0;
    assert_rejects(mk_request(a, d), "definition.sections[1].questions");
    d->n_sections = 0;
    assert_rejects(mk_request(a, d), "definition.sections");
}

static void test_question_section_id_must_match_its_section(void **state)
{
    struct arena *a = *state;
    Questionnaire *d = mk_def(a, "en", 2, 1);
    d->sections[1]->questions[0]->section_id = "s2";
    assert_accepts(mk_request(a, d));
    d->sections[1]->questions[0]->section_id = "s1";
    assert_rejects(mk_request(a, d), "definition.sections[1].questions[0].section_id");
}

/* A translation built from the same builder has the same ids; its texts are then changed. */
static void test_complete_translation_is_accepted(void **state)
{
    struct arena *a = *state;
    Request *r = mk_request(a, mk_def(a, "en", 2, 2));
    Questionnaire *fr = mk_def(a, "fr", 2, 2);
    fr->title = "Une évaluation";
    add_translation(a, r, fr);
    assert_accepts(r);
}

static void test_translation_must_cover_every_section_and_question(void **state)
{
    struct arena *a = *state;
    Request *r = mk_request(a, mk_def(a, "en", 2, 2));
    Questionnaire *fr = mk_def(a, "fr", 2, 2);
    add_translation(a, r, fr);
    fr->sections[1]->n_questions = 1;
    assert_rejects(r, "translations[0].sections[1].questions");
    fr->sections[1]->n_questions = 2;
    fr->sections[1]->questions[1]->id = "q9";
    assert_rejects(r, "translations[0].sections[1].questions[1].id");
    fr->sections[1]->questions[1]->id = "q4";
    fr->n_sections = 1;
    assert_rejects(r, "translations[0].sections");
    fr->n_sections = 2;
    fr->sections[0]->questions[0]->text = "";
    assert_rejects(r, "translations[0].sections[0].questions[0].text");
    fr->sections[0]->questions[0]->text = "Texte";
    fr->sections[0]->questions[1]->n_levels = 0;
    assert_rejects(r, "translations[0].sections[0].questions[1].levels");
    fr->sections[0]->questions[1]->n_levels = 6;
    char *items[] = {"un"};
    fr->sections[0]->questions[1]->sub_items = items;
    fr->sections[0]->questions[1]->n_sub_items = 1;
    assert_rejects(r, "translations[0].sections[0].questions[1].sub_items");
}

static void test_translation_locales_are_distinct_tags(void **state)
{
    struct arena *a = *state;
    Request *r = mk_request(a, mk_def(a, "en", 1, 1));
    Questionnaire *t1 = mk_def(a, "fr", 1, 1), *t2 = mk_def(a, "fr", 1, 1);
    add_translation(a, r, t1);
    add_translation(a, r, t2);
    assert_rejects(r, "translations[1].locale");
    t2->locale = "en";
    assert_rejects(r, "translations[1].locale");
    t2->locale = "";
    assert_rejects(r, "translations[1].locale");
    t2->locale = "français";
    assert_rejects(r, "translations[1].locale");
    t2->locale = "es";
    assert_accepts(r);
}

static void test_english_texts_are_required(void **state)
{
    struct arena *a = *state;
    Request *r = mk_request(a, mk_def(a, "fr", 1, 1));
    assert_rejects(r, "definition.locale");
    add_translation(a, r, mk_def(a, "en", 1, 1));
    assert_accepts(r);
}

static void test_locale_tags(void **state)
{
    (void)state;
    assert_true(definition_locale_valid("en"));
    assert_true(definition_locale_valid("fr-CA"));
    assert_true(definition_locale_valid("zh-Hant-TW"));
    assert_true(definition_locale_valid("ast"));
    assert_false(definition_locale_valid(""));
    assert_false(definition_locale_valid("e"));
    assert_false(definition_locale_valid("EN"));
    assert_false(definition_locale_valid("en_US"));
    assert_false(definition_locale_valid("en-"));
    assert_false(definition_locale_valid("en-x"));
    assert_false(definition_locale_valid("en:1"));
    char lang[8];
    definition_locale_language("fr-CA", lang, sizeof lang);
    assert_string_equal(lang, "fr");
    definition_locale_language("es", lang, sizeof lang);
    assert_string_equal(lang, "es");
}

static void test_enum_names_round_trip(void **state)
{
    (void)state;
    for (int k = 1; k <= 2; k++)
        assert_int_equal(definition_kind_parse(definition_kind_name(k)), k);
    for (int t = 1; t <= 3; t++)
        assert_int_equal(definition_answer_type_parse(definition_answer_type_name(t)), t);
    assert_string_equal(definition_recurrence_name(UNIC__CATALOG__V1__RECURRENCE__RECURRENCE_UNSPECIFIED), "NONE");
    assert_int_equal(definition_recurrence_parse("ANNUAL"), UNIC__CATALOG__V1__RECURRENCE__ANNUAL);
    assert_null(definition_kind_name(9));
    assert_int_equal(definition_state_parse("PUBLISHED"), UNIC__CATALOG__V1__VERSION_STATE__PUBLISHED);
    assert_int_equal(definition_state_parse("bogus"), 0);
    Question q = UNIC__CATALOG__V1__QUESTION__INIT;
    assert_true(definition_weight(&q) == 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_well_formed_definition_is_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_definition_is_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_questionnaire_id_must_be_lower_case_slug, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_question_id_across_sections_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_question_number_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_section_id_and_number_are_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_or_blank_texts_are_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_and_repeated_topics_are_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maturity_question_needs_exactly_six_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_levels_are_zero_to_five_each_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_maturity_questions_have_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_more_than_500_questions_is_rejected_and_500_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_over_20000_characters_is_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8_and_control_characters_are_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sub_items_are_checked_one_by_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline_is_a_real_date_on_compliance_items_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_weight_kind_and_recurrence_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_section_needs_questions_and_definition_needs_sections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_question_section_id_must_match_its_section, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_translation_is_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_translation_must_cover_every_section_and_question, setup, teardown),
        cmocka_unit_test_setup_teardown(test_translation_locales_are_distinct_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_english_texts_are_required, setup, teardown),
        cmocka_unit_test(test_locale_tags),
        cmocka_unit_test(test_enum_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
