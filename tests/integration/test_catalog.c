/* test_catalog.c: the questionnaire catalog through the real unic-catalog binary over gRPC: the
 * shipped content against the annex of A/RES/64/211, locales, drafts and publication, definition
 * validation, authorization, and the Redis cache (hit, stale-proof keys, Redis down). */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cache.h"
#include "db.h"
#include "harness.h"
#include "rpc_clients.h"
#include "mem.h"
#include "unic/catalog/v1/catalog.pb-c.h"

typedef Unic__Catalog__V1__Questionnaire Questionnaire;
typedef Unic__Catalog__V1__Section Section;
typedef Unic__Catalog__V1__Question Question;
typedef Unic__Catalog__V1__LevelDescriptor Level;
typedef Unic__Catalog__V1__CreateQuestionnaireVersionRequest CreateRequest;

#define CIP "cip-self-assessment"
#define COMPLIANCE "unic-compliance"

static struct harness H;
static char state_key[64];
static const char *op_key;

/* ---- The annex of A/RES/64/211, parsed as /tmp/check_seed.py does ---- */

enum { ANNEX_ITEMS = 18, ANNEX_SECTIONS = 7, TEXT_MAX = 4096 };
struct annex_item {
    char text[TEXT_MAX];
    char sub_items[8][TEXT_MAX];
    int n_sub_items;
    int section; /* 1-based heading it falls under */
};
static struct annex_item annex[ANNEX_ITEMS + 1];
static char annex_sections[ANNEX_SECTIONS + 1][200];
static int n_annex_sections, n_annex_items;

static const char *const SECTION_TITLES[ANNEX_SECTIONS] = {
    "Taking stock of cybersecurity needs and strategies", "Stakeholder roles and responsibilities",
    "Policy processes and participation", "Public-private cooperation", "Incident management and recovery",
    "Legal frameworks", "Developing a global culture of cybersecurity"};

/* Whitespace runs become one space; leading and trailing whitespace goes. */
static void collapse(const char *in, char *out, size_t size)
{
    size_t o = 0;
    int space = 0;
    for (; *in && o + 2 < size; in++) {
        if (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r') {
            space = o > 0;
            continue;
        }
        if (space)
            out[o++] = ' ';
        space = 0;
        out[o++] = *in;
    }
    out[o] = '\0';
}

static void append(char *dst, const char *s)
{
    size_t n = strlen(dst);
    snprintf(dst + n, TEXT_MAX - n, "%s%s", n ? " " : "", s);
}

static int leading_number(const char *s, const char **rest)
{
    int n = 0, digits = 0;
    while (*s >= '0' && *s <= '9') {
        n = n * 10 + (*s++ - '0');
        digits++;
    }
    if (!digits || *s != '.' || (s[1] != ' ' && s[1] != '\t'))
        return -1;
    for (s++; *s == ' ' || *s == '\t'; s++)
        ;
    *rest = s;
    return n;
}

static int parse_annex(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char raw[8192];
    int started = 0, footnote = 0;
    struct annex_item *cur = NULL;
    char *sub = NULL;
    while (fgets(raw, sizeof raw, f)) {
        raw[strcspn(raw, "\r\n")] = '\0';
        char *s = raw;
        while (*s == ' ' || *s == '\t')
            s++;
        size_t len = strlen(s);
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            s[--len] = '\0';
        if (!started) {
            started = strcmp(s, "## Annex") == 0;
            continue;
        }
        const char *rest;
        if (strcmp(s, "---") == 0) { /* a footnote block, or the end */
            footnote = 1;
            cur = NULL;
            sub = NULL;
            continue;
        }
        if (footnote) {
            if (leading_number(s, &rest) < 0)
                continue;
            footnote = 0;
        }
        if (len == 0) {
            sub = NULL;
            if (cur && cur->n_sub_items)
                cur = NULL;
            continue;
        }
        char *h = s;
        while (*h == '#')
            h++;
        while (*h == ' ')
            h++;
        size_t hl = strlen(h);
        if (hl > 2 && h[0] == '*' && h[hl - 1] == '*' && h[1] != '*' && !memchr(h + 1, '*', hl - 2)) {
            snprintf(annex_sections[++n_annex_sections], sizeof annex_sections[0], "%.*s", (int)hl - 2, h + 1);
            cur = NULL;
            sub = NULL;
            continue;
        }
        if (strncmp(s, "###", 3) == 0)
            continue;
        int n = leading_number(s, &rest);
        if (n >= 1 && n <= ANNEX_ITEMS && s == raw) {
            cur = &annex[n];
            snprintf(cur->text, TEXT_MAX, "%s", rest);
            cur->section = n_annex_sections;
            n_annex_items++;
            sub = NULL;
            continue;
        }
        if (cur && s != raw && (s[0] == '-' || s[0] == '*') && s[1] == ' ') {
            sub = cur->sub_items[cur->n_sub_items++];
            snprintf(sub, TEXT_MAX, "%s", s + 2);
            continue;
        }
        if (cur)
            append(sub ? sub : cur->text, s);
    }
    fclose(f);
    return 0;
}

/* ---- Calls ---- */

static int get_q(const char *key, const char *id, int version, const char *locale, Questionnaire **out)
{
    Unic__Catalog__V1__GetQuestionnaireRequest req = UNIC__CATALOG__V1__GET_QUESTIONNAIRE_REQUEST__INIT;
    req.questionnaire_id = (char *)id;
    req.version = version;
    req.locale = (char *)locale;
    return catalog_get_questionnaire(&H, key, &req, out, NULL, 0);
}

static Questionnaire *must_get(const char *key, const char *id, int version, const char *locale)
{
    Questionnaire *q = NULL;
    assert_int_equal(get_q(key, id, version, locale, &q), ERR_OK);
    assert_non_null(q);
    return q;
}

/* The compliance checklist as put to `state`. */
static int get_for_state(const char *state, Questionnaire **out, char *msg)
{
    Unic__Catalog__V1__GetQuestionnaireRequest req = UNIC__CATALOG__V1__GET_QUESTIONNAIRE_REQUEST__INIT;
    req.questionnaire_id = (char *)"unic-compliance";
    req.state_code = (char *)state;
    return catalog_get_questionnaire(&H, state_key, &req, out, msg, msg ? 512 : 0);
}

static size_t checklist_count(const Questionnaire *q, const char *id, bool *found)
{
    size_t n = 0;
    *found = false;
    for (size_t i = 0; i < q->n_sections; i++)
        for (size_t k = 0; k < q->sections[i]->n_questions; k++, n++)
            *found |= strcmp(q->sections[i]->questions[k]->id, id) == 0;
    return n;
}

/* Resolution #1 para 9 binds States with mature capabilities: a least developed country is not
 * asked it. */
static void test_checklist_put_to_a_least_developed_country_has_no_paragraph_9(void **state)
{
    (void)state;
    Questionnaire *q;
    bool found;
    char msg[512];
    assert_int_equal(get_for_state("NER", &q, msg), ERR_OK);
    assert_int_equal(checklist_count(q, "para9-assistance", &found), 10);
    assert_false(found);
    assert_int_equal(q->n_sections, 4);
    protobuf_c_message_free_unpacked(&q->base, NULL);
    assert_int_equal(get_for_state("KEN", &q, msg), ERR_OK);
    assert_int_equal(checklist_count(q, "para9-assistance", &found), 11);
    assert_true(found);
    protobuf_c_message_free_unpacked(&q->base, NULL);
    assert_int_equal(get_for_state("XXX", &q, msg), ERR_INVALID_ARGUMENT);
    assert_int_equal(get_for_state("ken", &q, msg), ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "state_code"));
}

static int get_question(const char *key, const char *id, int version, const char *qid, const char *locale,
                        Question **out)
{
    Unic__Catalog__V1__GetQuestionRequest req = UNIC__CATALOG__V1__GET_QUESTION_REQUEST__INIT;
    req.questionnaire_id = (char *)id;
    req.version = version;
    req.question_id = (char *)qid;
    req.locale = (char *)locale;
    return catalog_get_question(&H, key, &req, out, NULL, 0);
}

static int publish(const char *key, const char *id, int version, Questionnaire **out, char *msg, size_t size)
{
    Unic__Catalog__V1__PublishQuestionnaireVersionRequest req =
        UNIC__CATALOG__V1__PUBLISH_QUESTIONNAIRE_VERSION_REQUEST__INIT;
    req.questionnaire_id = (char *)id;
    req.version = version;
    return catalog_publish_questionnaire_version(&H, key, &req, out, msg, size);
}

static int create(const char *key, const CreateRequest *req, Questionnaire **out, char *msg, size_t size)
{
    return catalog_create_questionnaire_version(&H, key, req, out, msg, size);
}

static size_t question_count(const Questionnaire *q)
{
    size_t n = 0;
    for (size_t i = 0; i < q->n_sections; i++)
        n += q->sections[i]->n_questions;
    return n;
}

static const Question *find_question(const Questionnaire *q, const char *id)
{
    for (size_t i = 0; i < q->n_sections; i++)
        for (size_t j = 0; j < q->sections[i]->n_questions; j++)
            if (strcmp(q->sections[i]->questions[j]->id, id) == 0)
                return q->sections[i]->questions[j];
    return NULL;
}

/* ---- A definition built from scratch, for creation and validation ---- */

static const char *const LEVEL_NAMES[6] = {"Not started", "Start-up", "Formative", "Established", "Strategic",
                                           "Dynamic"};

static Question *mk_question(struct arena *a, const char *id, int number, const char *lang)
{
    Question *q = ARENA_MSG(a, Question, UNIC__CATALOG__V1__QUESTION__INIT);
    q->id = arena_strdup(a, id);
    q->number = number;
    q->text = arena_printf(a, "[%s] Question %s: describe the national arrangements.", lang, id);
    q->guidance = arena_printf(a, "[%s] Cite the relevant documents.", lang);
    q->answer_type = UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL;
    q->weight = 1;
    q->required = 1;
    q->n_topics = 2;
    q->topics = ARENA_ARRAY(a, char *, 2);
    q->topics[0] = "strategy";
    q->topics[1] = "incident-response";
    q->n_levels = 6;
    q->levels = ARENA_ARRAY(a, Level *, 6);
    for (int l = 0; l < 6; l++) {
        q->levels[l] = ARENA_MSG(a, Level, UNIC__CATALOG__V1__LEVEL_DESCRIPTOR__INIT);
        q->levels[l]->level = l;
        q->levels[l]->name = arena_printf(a, "[%s] %s", lang, LEVEL_NAMES[l]);
        q->levels[l]->description = arena_printf(a, "[%s] Level %d.", lang, l);
    }
    return q;
}

/* `sections` sections of `per` questions, ids s1.. and q1.., in locale `lang`. */
static Questionnaire *mk_def(struct arena *a, const char *id, const char *lang, int sections, int per)
{
    Questionnaire *d = ARENA_MSG(a, Questionnaire, UNIC__CATALOG__V1__QUESTIONNAIRE__INIT);
    d->id = arena_strdup(a, id);
    d->title = arena_printf(a, "[%s] Pilot assessment", lang);
    d->source = "UNIC pilot";
    d->kind = UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__SELF_ASSESSMENT;
    d->locale = arena_strdup(a, lang);
    d->n_sections = (size_t)sections;
    d->sections = ARENA_ARRAY(a, Section *, sections);
    int n = 0;
    for (int i = 0; i < sections; i++) {
        Section *s = ARENA_MSG(a, Section, UNIC__CATALOG__V1__SECTION__INIT);
        s->id = arena_printf(a, "s%d", i + 1);
        s->number = i + 1;
        s->title = arena_printf(a, "[%s] Section %d", lang, i + 1);
        s->n_questions = (size_t)per;
        s->questions = ARENA_ARRAY(a, Question *, per);
        for (int j = 0; j < per; j++) {
            n++;
            s->questions[j] = mk_question(a, arena_printf(a, "q%d", n), n, lang);
        }
        d->sections[i] = s;
    }
    return d;
}

static CreateRequest *mk_request(struct arena *a, const char *id, int sections, int per)
{
    CreateRequest *r = ARENA_MSG(a, CreateRequest, UNIC__CATALOG__V1__CREATE_QUESTIONNAIRE_VERSION_REQUEST__INIT);
    r->definition = mk_def(a, id, "en", sections, per);
    r->n_translations = 1;
    r->translations = ARENA_ARRAY(a, Questionnaire *, 1);
    r->translations[0] = mk_def(a, id, "fr", sections, per);
    return r;
}

/* ---- Who am I ---- */

static void test_who_am_i_names_the_role_and_the_state(void **state)
{
    (void)state;
    Unic__Catalog__V1__WhoAmIRequest req = UNIC__CATALOG__V1__WHO_AM_IREQUEST__INIT;
    Unic__Catalog__V1__WhoAmIResponse *r = NULL;
    assert_int_equal(catalog_who_am_i(&H, state_key, &req, &r, NULL, 0), ERR_OK);
    assert_int_equal(r->role, UNIC__CATALOG__V1__ROLE__ROLE_STATE);
    assert_int_equal(strlen(r->key_id), 16);
    assert_non_null(r->state);
    assert_string_equal(r->state->code, "KEN");
    assert_string_equal(r->state->name, "Kenya");
    assert_string_equal(r->state->region, "Africa");
    assert_false(r->state->ldc);
    protobuf_c_message_free_unpacked(&r->base, NULL);

    assert_int_equal(catalog_who_am_i(&H, op_key, &req, &r, NULL, 0), ERR_OK);
    assert_int_equal(r->role, UNIC__CATALOG__V1__ROLE__ROLE_OPERATOR);
    assert_null(r->state);
    protobuf_c_message_free_unpacked(&r->base, NULL);

    char ldc_key[64];
    assert_int_equal(harness_key(&H, ROLE_STATE, "NER", ldc_key), 0);
    assert_int_equal(catalog_who_am_i(&H, ldc_key, &req, &r, NULL, 0), ERR_OK);
    assert_string_equal(r->state->code, "NER");
    assert_true(r->state->ldc);
    protobuf_c_message_free_unpacked(&r->base, NULL);

    assert_int_equal(catalog_who_am_i(&H, NULL, &req, &r, NULL, 0), ERR_UNAUTHENTICATED);
}

/* ---- Fixture ---- */

static int setup(void **state)
{
    (void)state;
    const char *src = getenv("UNIC_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/data/sources/A-RES-64-211.md", src ? src : ".");
    if (parse_annex(path) < 0) {
        fprintf(stderr, "cannot read %s\n", path);
        return -1;
    }
    if (harness_init(&H, "catalog") < 0 || harness_start(&H, SVC_CATALOG, NULL) < 0 ||
        harness_key(&H, ROLE_STATE, "KEN", state_key) < 0)
        return -1;
    op_key = H.operator_key;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    harness_destroy(&H);
    return 0;
}

/* ---- The shipped content ---- */

static void test_annex_parses_into_18_items_under_7_headings(void **state)
{
    (void)state;
    assert_int_equal(n_annex_items, ANNEX_ITEMS);
    assert_int_equal(n_annex_sections, ANNEX_SECTIONS);
    for (int i = 0; i < ANNEX_SECTIONS; i++)
        assert_string_equal(annex_sections[i + 1], SECTION_TITLES[i]);
    for (int n = 1; n <= ANNEX_ITEMS; n++) {
        assert_int_equal(annex[n].n_sub_items, n == 5 ? 4 : 0);
        assert_null(strstr(annex[n].text, "<sup>"));
    }
}

static void test_both_questionnaires_are_listed_with_their_published_version(void **state)
{
    (void)state;
    Unic__Catalog__V1__ListQuestionnairesRequest req = UNIC__CATALOG__V1__LIST_QUESTIONNAIRES_REQUEST__INIT;
    Unic__Catalog__V1__ListQuestionnairesResponse *r = NULL;
    assert_int_equal(catalog_list_questionnaires(&H, state_key, &req, &r, NULL, 0), ERR_OK);
    int seen = 0;
    for (size_t i = 0; i < r->n_questionnaires; i++) {
        const Unic__Catalog__V1__QuestionnaireSummary *s = r->questionnaires[i];
        if (i > 0)
            assert_true(strcmp(r->questionnaires[i - 1]->id, s->id) < 0);
        if (strcmp(s->id, CIP) == 0) {
            seen |= 1;
            assert_int_equal(s->kind, UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__SELF_ASSESSMENT);
            assert_non_null(strstr(s->title, "Voluntary self-assessment tool"));
        } else if (strcmp(s->id, COMPLIANCE) == 0) {
            seen |= 2;
            assert_int_equal(s->kind, UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__COMPLIANCE);
        } else {
            continue;
        }
        assert_true(s->n_versions >= 1);
        assert_int_equal(s->versions[0]->version, 1);
        assert_int_equal(s->versions[0]->state, UNIC__CATALOG__V1__VERSION_STATE__PUBLISHED);
        assert_int_equal(strlen(s->versions[0]->published_at), 20); /* 2009-12-21T00:00:00Z */
        for (size_t v = 0; v < s->n_versions; v++) /* a State never sees a draft */
            assert_int_equal(s->versions[v]->state, UNIC__CATALOG__V1__VERSION_STATE__PUBLISHED);
    }
    assert_int_equal(seen, 3);
    assert_string_equal(r->next_page_token, "");
    harness_free(r);
}

static void test_list_pages_with_an_opaque_token(void **state)
{
    (void)state;
    Unic__Catalog__V1__ListQuestionnairesRequest req = UNIC__CATALOG__V1__LIST_QUESTIONNAIRES_REQUEST__INIT;
    Unic__Catalog__V1__ListQuestionnairesResponse *all = NULL;
    assert_int_equal(catalog_list_questionnaires(&H, op_key, &req, &all, NULL, 0), ERR_OK);
    size_t total = all->n_questionnaires, got = 0;
    char token[256] = "";
    assert_true(total >= 2);
    for (int page = 0; page < 100; page++) {
        req.page_size = 1;
        req.page_token = token;
        Unic__Catalog__V1__ListQuestionnairesResponse *p = NULL;
        assert_int_equal(catalog_list_questionnaires(&H, op_key, &req, &p, NULL, 0), ERR_OK);
        assert_true(p->n_questionnaires <= 1);
        if (p->n_questionnaires == 1) {
            assert_true(got < total);
            assert_string_equal(p->questionnaires[0]->id, all->questionnaires[got]->id);
            assert_null(strstr(p->next_page_token, p->questionnaires[0]->id)); /* opaque */
            got++;
        }
        snprintf(token, sizeof token, "%s", p->next_page_token);
        harness_free(p);
        if (token[0] == '\0')
            break;
    }
    assert_int_equal(got, total);
    harness_free(all);

    char msg[256];
    req.page_size = 0;
    req.page_token = "not-a-token";
    assert_int_equal(catalog_list_questionnaires(&H, op_key, &req, NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "page_token"));
    req.page_token = "";
    req.page_size = -1;
    assert_int_equal(catalog_list_questionnaires(&H, op_key, &req, NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "page_size"));
    req.page_size = 100000; /* capped at 500, not refused */
    assert_int_equal(catalog_list_questionnaires(&H, op_key, &req, NULL, NULL, 0), ERR_OK);
}

static void test_self_assessment_is_the_annex_word_for_word(void **state)
{
    (void)state;
    Questionnaire *q = must_get(state_key, CIP, 0, "");
    assert_int_equal(q->version, 1);
    assert_int_equal(q->kind, UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__SELF_ASSESSMENT);
    assert_int_equal(q->state, UNIC__CATALOG__V1__VERSION_STATE__PUBLISHED);
    assert_string_equal(q->locale, "en");
    assert_string_equal(q->source, "A/RES/64/211, annex");
    assert_string_equal(q->published_at, "2009-12-21T00:00:00Z");
    assert_int_equal(q->n_sections, ANNEX_SECTIONS);
    assert_int_equal(question_count(q), ANNEX_ITEMS);
    int expect = 1;
    for (size_t i = 0; i < q->n_sections; i++) {
        const Section *s = q->sections[i];
        char sid[24];
        snprintf(sid, sizeof sid, "s%zu", i + 1);
        assert_string_equal(s->id, sid);
        assert_int_equal(s->number, (int)i + 1);
        assert_string_equal(s->title, annex_sections[i + 1]);
        for (size_t j = 0; j < s->n_questions; j++, expect++) {
            const Question *x = s->questions[j];
            char qid[16], want[TEXT_MAX], have[TEXT_MAX];
            snprintf(qid, sizeof qid, "q%d", expect);
            assert_string_equal(x->id, qid);
            assert_int_equal(x->number, expect); /* ordered by number */
            assert_string_equal(x->section_id, s->id);
            assert_int_equal(annex[expect].section, (int)i + 1);
            collapse(annex[expect].text, want, sizeof want);
            collapse(x->text, have, sizeof have);
            if (strcmp(want, have) != 0)
                fail_msg("%s differs from the annex:\n  annex: %s\n  got:   %s", qid, want, have);
            assert_int_equal(x->n_sub_items, (size_t)annex[expect].n_sub_items);
            for (size_t k = 0; k < x->n_sub_items; k++) {
                collapse(annex[expect].sub_items[k], want, sizeof want);
                collapse(x->sub_items[k], have, sizeof have);
                assert_string_equal(have, want);
            }
            assert_int_equal(x->answer_type, UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL);
            assert_int_equal(x->n_levels, 6);
            for (size_t l = 0; l < 6; l++) {
                assert_int_equal(x->levels[l]->level, (int)l);
                assert_string_equal(x->levels[l]->name, LEVEL_NAMES[l]);
                assert_true(strlen(x->levels[l]->description) > 20);
            }
            assert_true(x->n_topics >= 1);
            assert_true(x->weight == 1.0);
            assert_true(x->required);
            assert_string_equal(x->deadline, "");
            assert_true(strlen(x->guidance) > 0);
        }
    }
    assert_int_equal(find_question(q, "q5")->n_sub_items, 4);
    harness_free(q);
}

static void test_compliance_items_carry_deadlines_and_recurrence(void **state)
{
    (void)state;
    static const struct {
        const char *id, *section, *deadline;
        int recurrence;
    } want[] = {
        {"para4a", "para4", "2015-12-31", 1}, {"para4b", "para4", "2015-12-31", 1},
        {"para5a", "para5", "", 1},           {"para5b", "para5", "", 1},
        {"para5c", "para5", "", 1},           {"para5d", "para5", "", 1},
        {"para5e", "para5", "", 1},           {"para6-cert", "para6", "2014-12-31", 1},
        {"para6-poc", "para6", "2014-12-31", 1}, {"para8-report", "para8", "", 2},
        {"para9-assistance", "para9", "", 1},
    };
    Questionnaire *q = must_get(state_key, COMPLIANCE, 0, "en");
    assert_int_equal(q->kind, UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__COMPLIANCE);
    assert_int_equal(q->version, 1);
    assert_int_equal(question_count(q), sizeof want / sizeof want[0]);
    size_t k = 0;
    for (size_t i = 0; i < q->n_sections; i++) {
        for (size_t j = 0; j < q->sections[i]->n_questions; j++, k++) {
            const Question *x = q->sections[i]->questions[j];
            assert_string_equal(x->id, want[k].id);
            assert_string_equal(x->section_id, want[k].section);
            assert_string_equal(x->deadline, want[k].deadline);
            assert_int_equal(x->recurrence, want[k].recurrence);
            assert_int_equal(x->answer_type, UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO);
            assert_int_equal(x->n_levels, 0);
            assert_true(strlen(x->text) > 40);
            assert_true(x->n_topics >= 1);
        }
    }
    assert_int_equal(find_question(q, "para8-report")->recurrence, UNIC__CATALOG__V1__RECURRENCE__ANNUAL);
    harness_free(q);
}

static void test_french_is_served_and_other_locales_fall_back_to_english(void **state)
{
    (void)state;
    Questionnaire *en = must_get(state_key, CIP, 0, "en");
    Questionnaire *fr = must_get(state_key, CIP, 0, "fr");
    Questionnaire *de = must_get(state_key, CIP, 0, "de"); /* no German texts */
    Questionnaire *fr_ca = must_get(state_key, CIP, 1, "fr-CA");
    assert_string_equal(fr->locale, "fr");
    assert_string_equal(fr->sections[5]->title, "Cadres juridiques");
    assert_string_equal(fr->sections[0]->questions[0]->levels[0]->name, "Non commencé");
    assert_int_equal(question_count(fr), 18);
    assert_int_equal(find_question(fr, "q5")->n_sub_items, 4);
    assert_string_not_equal(fr->sections[0]->questions[0]->text, en->sections[0]->questions[0]->text);
    assert_string_equal(de->locale, "en");
    assert_string_equal(de->title, en->title);
    assert_string_equal(de->sections[0]->questions[0]->text, en->sections[0]->questions[0]->text);
    assert_string_equal(fr_ca->locale, "fr");
    Questionnaire *cfr = must_get(state_key, COMPLIANCE, 0, "fr");
    assert_string_equal(cfr->locale, "fr");
    harness_free(cfr);
    Questionnaire *en_us = must_get(state_key, CIP, 0, "EN_us"); /* read as "en-us" */
    assert_string_equal(en_us->locale, "en");
    harness_free(en_us);
    Questionnaire *bad = NULL;
    assert_int_equal(get_q(state_key, CIP, 0, "en;fr", &bad), ERR_INVALID_ARGUMENT);
    assert_int_equal(get_q(state_key, CIP, 0, "f", &bad), ERR_INVALID_ARGUMENT);
    assert_int_equal(get_q(state_key, CIP, 0, "fr\n", &bad), ERR_INVALID_ARGUMENT);
    harness_free(en);
    harness_free(fr);
    harness_free(de);
    harness_free(fr_ca);
}

/* The other four official languages of the United Nations are served as themselves, not through
 * the fallback: every title, text, sub-item list, guidance and level descriptor differs from the
 * English one (sql/009_texts_es.sql to sql/012_texts_ar.sql). */
static void assert_translated(const Questionnaire *t, const Questionnaire *en, const char *locale)
{
    assert_string_equal(t->locale, locale);
    assert_string_not_equal(t->title, en->title);
    assert_int_equal(t->n_sections, en->n_sections);
    for (size_t s = 0; s < t->n_sections; s++) {
        const Section *ts = t->sections[s], *es = en->sections[s];
        assert_string_equal(ts->id, es->id);
        assert_string_not_equal(ts->title, es->title);
        assert_int_equal(ts->n_questions, es->n_questions);
        for (size_t q = 0; q < ts->n_questions; q++) {
            const Question *tq = ts->questions[q], *eq = es->questions[q];
            assert_string_equal(tq->id, eq->id);
            assert_string_not_equal(tq->text, eq->text);
            assert_string_not_equal(tq->guidance, eq->guidance);
            assert_int_equal(tq->n_sub_items, eq->n_sub_items);
            for (size_t i = 0; i < tq->n_sub_items; i++)
                assert_string_not_equal(tq->sub_items[i], eq->sub_items[i]);
            assert_int_equal(tq->n_levels, eq->n_levels);
            for (size_t l = 0; l < tq->n_levels; l++) {
                assert_string_not_equal(tq->levels[l]->name, eq->levels[l]->name);
                assert_string_not_equal(tq->levels[l]->description, eq->levels[l]->description);
            }
        }
    }
}

static void test_all_six_official_languages_are_served_without_fallback(void **state)
{
    (void)state;
    static const char *const ids[] = {CIP, COMPLIANCE};
    static const char *const locales[] = {"ar", "zh", "ru", "es"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        Questionnaire *en = must_get(state_key, ids[i], 0, "en");
        for (size_t l = 0; l < sizeof locales / sizeof *locales; l++) {
            Questionnaire *t = must_get(state_key, ids[i], 0, locales[l]);
            assert_translated(t, en, locales[l]);
            harness_free(t);
        }
        harness_free(en);
    }
    Questionnaire *es = must_get(state_key, CIP, 1, "es-419"); /* a regional tag: its language */
    assert_string_equal(es->locale, "es");
    assert_string_equal(es->sections[5]->title, "Marcos jurídicos");
    harness_free(es);
}

/* True when `sql` fails with FAILED_PRECONDITION and a message containing `words`: refused by
 * the catalog's own rule, not by a privilege or a typo. */
static bool refused_with(const char *sql, const char *words)
{
    struct db db;
    struct err e;
    bool refused = false;
    if (db_init(&db, H.db_url, &e) == 0) {
        PGresult *r = db_query(&db, &e, sql, 0, NULL);
        if (r)
            PQclear(r);
        else
            refused = e.code == ERR_FAILED_PRECONDITION && strstr(e.msg, words) != NULL;
    }
    db_destroy(&db);
    return refused;
}

/* Texts in a new locale may be added to a published version (sql/008_published_locales.sql), but
 * an existing text still never changes, and a locale must be complete when it commits. */
static void test_published_texts_stay_immutable_and_new_locales_complete(void **state)
{
    (void)state;
    assert_true(refused_with("UPDATE catalog.section_texts SET title = 'x'"
                             " WHERE questionnaire_id = 'cip-self-assessment' AND locale = 'ar'",
                             "is published and cannot change"));
    assert_true(refused_with("DELETE FROM catalog.question_texts"
                             " WHERE questionnaire_id = 'unic-compliance' AND locale = 'zh'",
                             "is published and cannot change"));
    assert_true(refused_with("INSERT INTO catalog.version_texts (questionnaire_id, version, locale, title)"
                             " VALUES ('unic-compliance', 1, 'de', 'Einhaltung')",
                             "could not add locale \"de\" to questionnaire \"unic-compliance\" v1: no text for section para4"));
    Questionnaire *de = must_get(state_key, COMPLIANCE, 0, "de");
    assert_string_equal(de->locale, "en");
    harness_free(de);
}

static void test_get_question_returns_one_question(void **state)
{
    (void)state;
    Question *q = NULL;
    assert_int_equal(get_question(state_key, CIP, 0, "q5", "", &q), ERR_OK);
    assert_string_equal(q->id, "q5");
    assert_string_equal(q->section_id, "s2");
    assert_int_equal(q->n_sub_items, 4);
    assert_int_equal(q->n_levels, 6);
    harness_free(q);
    assert_int_equal(get_question(state_key, COMPLIANCE, 1, "para6-cert", "fr", &q), ERR_OK);
    assert_string_equal(q->deadline, "2014-12-31");
    assert_non_null(strstr(q->text, "FIRST"));
    harness_free(q);
    assert_int_equal(get_question(state_key, CIP, 0, "q19", "", &q), ERR_NOT_FOUND);
    assert_int_equal(get_question(state_key, CIP, 0, "", "", &q), ERR_INVALID_ARGUMENT);
    assert_int_equal(get_question(state_key, "no-such-questionnaire", 0, "q1", "", &q), ERR_NOT_FOUND);
}

static void test_unknown_ids_and_versions_are_not_found(void **state)
{
    (void)state;
    Questionnaire *q = NULL;
    char msg[256];
    assert_int_equal(get_q(state_key, "no-such-questionnaire", 0, "", &q), ERR_NOT_FOUND);
    assert_int_equal(get_q(state_key, CIP, 99, "", &q), ERR_NOT_FOUND);
    assert_int_equal(get_q(state_key, "Not An Id", 1, "", &q), ERR_NOT_FOUND);
    assert_int_equal(get_q(state_key, "", 0, "", &q), ERR_INVALID_ARGUMENT);
    assert_int_equal(get_q(state_key, "bad\xff", 0, "", &q), ERR_INVALID_ARGUMENT);
    assert_int_equal(get_q(state_key, CIP, -1, "", &q), ERR_INVALID_ARGUMENT);
    assert_int_equal(publish(op_key, "no-such-questionnaire", 1, NULL, msg, sizeof msg), ERR_NOT_FOUND);
    assert_int_equal(publish(op_key, CIP, 99, NULL, msg, sizeof msg), ERR_NOT_FOUND);
    assert_non_null(strstr(msg, "99"));
    assert_int_equal(publish(op_key, CIP, 0, NULL, msg, sizeof msg), ERR_INVALID_ARGUMENT);
}

static void test_state_key_on_operator_methods_is_permission_denied(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char msg[256];
    CreateRequest *r = mk_request(&a, "state-attempt", 1, 1);
    assert_int_equal(create(state_key, r, NULL, msg, sizeof msg), ERR_PERMISSION_DENIED);
    assert_non_null(strstr(msg, "CreateQuestionnaireVersion"));
    r->definition = NULL; /* authorization comes before validation */
    assert_int_equal(create(state_key, r, NULL, NULL, 0), ERR_PERMISSION_DENIED);
    assert_int_equal(publish(state_key, CIP, 1, NULL, msg, sizeof msg), ERR_PERMISSION_DENIED);
    assert_int_equal(publish(state_key, "no-such-questionnaire", 7, NULL, NULL, 0), ERR_PERMISSION_DENIED);
    arena_destroy(&a);
    Questionnaire *q = NULL;
    assert_int_equal(get_q(op_key, "state-attempt", 0, "", &q), ERR_NOT_FOUND);
}

/* ---- Drafts and publication ---- */

static void test_draft_is_operator_only_until_published_and_then_immutable(void **state)
{
    (void)state;
    char msg[512];
    /* Version 2 of the self-assessment: version 1 as served, with q1 reworded, and its French. */
    Questionnaire *v1 = must_get(op_key, CIP, 1, "en"), *v1fr = must_get(op_key, CIP, 1, "fr");
    Question *q1 = v1->sections[0]->questions[0];
    char *orig = q1->text;
    q1->text = "Assess the role of information and communications technologies in your national economy (revised).";
    CreateRequest req = UNIC__CATALOG__V1__CREATE_QUESTIONNAIRE_VERSION_REQUEST__INIT;
    req.definition = v1;
    req.n_translations = 1;
    req.translations = &v1fr;
    Questionnaire *v2 = NULL;
    assert_int_equal(create(op_key, &req, &v2, msg, sizeof msg), ERR_OK);
    q1->text = orig;
    assert_int_equal(v2->version, 2);
    assert_int_equal(v2->state, UNIC__CATALOG__V1__VERSION_STATE__DRAFT);
    assert_string_equal(v2->published_at, "");
    assert_string_equal(v2->locale, "en");
    assert_int_equal(v2->n_sections, 7);
    assert_int_equal(question_count(v2), 18);
    assert_non_null(strstr(v2->sections[0]->questions[0]->text, "(revised)"));
    assert_int_equal(find_question(v2, "q5")->n_sub_items, 4);
    assert_int_equal(find_question(v2, "q18")->n_levels, 6);
    harness_free(v2);

    /* The draft: operators see it, a State does not, and version 0 still means 1. */
    Questionnaire *d = must_get(op_key, CIP, 2, "fr");
    assert_int_equal(d->state, UNIC__CATALOG__V1__VERSION_STATE__DRAFT);
    assert_string_equal(d->locale, "fr");
    assert_string_equal(d->sections[0]->questions[0]->text, v1fr->sections[0]->questions[0]->text);
    harness_free(d);
    Questionnaire *none = NULL;
    Question *qn = NULL;
    assert_int_equal(get_q(state_key, CIP, 2, "", &none), ERR_NOT_FOUND);
    assert_int_equal(get_question(state_key, CIP, 2, "q1", "", &qn), ERR_NOT_FOUND);
    Questionnaire *latest = must_get(state_key, CIP, 0, "");
    assert_int_equal(latest->version, 1);
    harness_free(latest);

    /* Publish: the draft becomes PUBLISHED, and version 0 moves to it. */
    Questionnaire *p = NULL;
    assert_int_equal(publish(op_key, CIP, 2, &p, msg, sizeof msg), ERR_OK);
    assert_int_equal(p->version, 2);
    assert_int_equal(p->state, UNIC__CATALOG__V1__VERSION_STATE__PUBLISHED);
    assert_int_equal(strlen(p->published_at), 20);
    harness_free(p);
    assert_int_equal(publish(op_key, CIP, 2, NULL, msg, sizeof msg), ERR_FAILED_PRECONDITION);
    assert_non_null(strstr(msg, "already published"));
    assert_int_equal(publish(op_key, CIP, 1, NULL, NULL, 0), ERR_FAILED_PRECONDITION);
    latest = must_get(state_key, CIP, 0, "");
    assert_int_equal(latest->version, 2);
    assert_int_equal(latest->state, UNIC__CATALOG__V1__VERSION_STATE__PUBLISHED);
    assert_non_null(strstr(latest->sections[0]->questions[0]->text, "(revised)"));
    harness_free(latest);
    Questionnaire *old = must_get(state_key, CIP, 1, "");
    assert_null(strstr(old->sections[0]->questions[0]->text, "(revised)"));
    harness_free(old);

    /* The kind of a questionnaire is fixed by its first version. */
    v1->kind = UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__COMPLIANCE;
    assert_int_equal(create(op_key, &req, NULL, msg, sizeof msg), ERR_INVALID_ARGUMENT);
    assert_true(strncmp(msg, "definition.kind: ", 17) == 0);
    v1->kind = UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__SELF_ASSESSMENT;
    harness_free(v1);
    harness_free(v1fr);
}

static void test_new_questionnaire_starts_as_an_unlisted_draft(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char msg[512];
    CreateRequest *r = mk_request(&a, "pilot-assessment", 2, 3);
    r->definition->sections[1]->questions[2]->n_sub_items = 2;
    r->definition->sections[1]->questions[2]->sub_items = (char *[]){"first", "second"};
    r->translations[0]->sections[1]->questions[2]->n_sub_items = 2;
    r->translations[0]->sections[1]->questions[2]->sub_items = (char *[]){"premier", "second"};
    Questionnaire *q = NULL;
    assert_int_equal(create(op_key, r, &q, msg, sizeof msg), ERR_OK);
    assert_int_equal(q->version, 1);
    assert_int_equal(q->state, UNIC__CATALOG__V1__VERSION_STATE__DRAFT);
    assert_string_equal(q->sections[1]->questions[2]->sub_items[1], "second");
    assert_string_equal(q->sections[0]->questions[0]->levels[3]->name, "[en] Established");
    assert_int_equal(q->sections[0]->questions[0]->n_topics, 2);
    assert_string_equal(q->sections[0]->questions[0]->topics[1], "incident-response");
    harness_free(q);
    Unic__Catalog__V1__ListQuestionnairesRequest lr = UNIC__CATALOG__V1__LIST_QUESTIONNAIRES_REQUEST__INIT;
    Unic__Catalog__V1__ListQuestionnairesResponse *l = NULL;
    int found_state = 0, found_op = 0;
    assert_int_equal(catalog_list_questionnaires(&H, state_key, &lr, &l, NULL, 0), ERR_OK);
    for (size_t i = 0; i < l->n_questionnaires; i++)
        found_state |= strcmp(l->questionnaires[i]->id, "pilot-assessment") == 0;
    harness_free(l);
    assert_int_equal(catalog_list_questionnaires(&H, op_key, &lr, &l, NULL, 0), ERR_OK);
    for (size_t i = 0; i < l->n_questionnaires; i++) {
        if (strcmp(l->questionnaires[i]->id, "pilot-assessment") == 0) {
            found_op = 1;
            assert_string_equal(l->questionnaires[i]->title, "[en] Pilot assessment");
            assert_int_equal(l->questionnaires[i]->n_versions, 1);
            assert_int_equal(l->questionnaires[i]->versions[0]->state, UNIC__CATALOG__V1__VERSION_STATE__DRAFT);
        }
    }
    harness_free(l);
    assert_false(found_state);
    assert_true(found_op);
    Question *x = NULL;
    assert_int_equal(get_question(op_key, "pilot-assessment", 1, "q6", "fr", &x), ERR_OK);
    assert_string_equal(x->sub_items[0], "premier");
    harness_free(x);
    assert_int_equal(get_q(state_key, "pilot-assessment", 0, "", &q), ERR_NOT_FOUND);
    arena_destroy(&a);
}

/* Several operators (or replicas) creating versions of one questionnaire at once each get their
 * own next number: the questionnaire row is locked while the number is taken. */
enum { RACERS = 4, RACES = 3 };
struct racer {
    int versions[RACES];
    int codes[RACES];
};

static void *race(void *arg)
{
    struct racer *r = arg;
    for (int i = 0; i < RACES; i++) {
        struct arena a;
        arena_init(&a);
        Questionnaire *q = NULL;
        r->codes[i] = create(op_key, mk_request(&a, "pilot-assessment", 1, 2), &q, NULL, 0);
        r->versions[i] = q ? q->version : -1;
        harness_free(q);
        arena_destroy(&a);
    }
    return NULL;
}

static void test_concurrent_creations_take_consecutive_versions(void **state)
{
    (void)state;
    pthread_t t[RACERS];
    struct racer r[RACERS];
    memset(r, 0, sizeof r);
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    for (int i = 0; i < RACERS; i++)
        pthread_join(t[i], NULL);
    int seen[RACERS * RACES + 2] = {0};
    for (int i = 0; i < RACERS; i++) {
        for (int k = 0; k < RACES; k++) {
            assert_int_equal(r[i].codes[k], ERR_OK);
            int v = r[i].versions[k];
            assert_true(v >= 2 && v <= RACERS * RACES + 1); /* version 1 came first */
            assert_int_equal(seen[v]++, 0);
        }
    }
}

/* ---- Validation: each bad definition is INVALID_ARGUMENT naming the field ---- */

typedef void (*mutation)(struct arena *a, CreateRequest *r);

static void m_dup_id(struct arena *a, CreateRequest *r)
{
    (void)a;
    r->definition->sections[1]->questions[1]->id = "q1";
}
static void m_empty_text(struct arena *a, CreateRequest *r)
{
    (void)a;
    r->definition->sections[0]->questions[1]->text = "   ";
}
static void m_unknown_topic(struct arena *a, CreateRequest *r)
{
    (void)a;
    r->definition->sections[0]->questions[0]->topics[1] = "astrology";
}
static void m_five_levels(struct arena *a, CreateRequest *r)
{
    (void)a;
    r->definition->sections[0]->questions[2]->n_levels = 5;
}
static void m_level_twice(struct arena *a, CreateRequest *r)
{
    (void)a;
    r->definition->sections[0]->questions[2]->levels[5]->level = 0;
}
static void m_501_questions(struct arena *a, CreateRequest *r)
{
    Questionnaire *big = mk_def(a, "pilot-bad", "en", 3, 167);
    r->definition = big;
    r->n_translations = 0;
}
static void m_long_text(struct arena *a, CreateRequest *r)
{
    char *t = arena_alloc(a, 20002);
    memset(t, 'x', 20001);
    r->definition->sections[1]->questions[0]->guidance = t;
}
static void m_bad_utf8(struct arena *a, CreateRequest *r)
{
    (void)a;
    r->definition->sections[1]->title = "Section \xe9t\xe9";
}
static void m_control_char(struct arena *a, CreateRequest *r)
{
    (void)a;
    r->definition->sections[0]->questions[0]->levels[2]->name = "Form\x1b[31mative";
}
static void m_bad_deadline(struct arena *a, CreateRequest *r)
{
    (void)a;
    r->definition->kind = UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__COMPLIANCE;
    r->definition->sections[0]->questions[1]->deadline = "2015-13-01";
}
static void m_translation_short(struct arena *a, CreateRequest *r)
{
    (void)a;
    r->translations[0]->sections[1]->n_questions = 2;
}
static void m_translation_no_levels(struct arena *a, CreateRequest *r)
{
    (void)a;
    r->translations[0]->sections[1]->questions[1]->n_levels = 0;
}
static void m_translation_empty_title(struct arena *a, CreateRequest *r)
{
    (void)a;
    r->translations[0]->sections[0]->title = "";
}
static void m_no_english(struct arena *a, CreateRequest *r)
{
    (void)a;
    r->definition->locale = "de";
}
static void m_bad_id(struct arena *a, CreateRequest *r)
{
    (void)a;
    r->definition->id = "Pilot";
}
static void m_no_definition(struct arena *a, CreateRequest *r)
{
    (void)a;
    r->definition = NULL;
}

static void test_invalid_definitions_are_refused_naming_the_field(void **state)
{
    (void)state;
    static const struct {
        mutation m;
        const char *field;
    } cases[] = {
        {m_dup_id, "definition.sections[1].questions[1].id"},
        {m_empty_text, "definition.sections[0].questions[1].text"},
        {m_unknown_topic, "definition.sections[0].questions[0].topics[1]"},
        {m_five_levels, "definition.sections[0].questions[2].levels"},
        {m_level_twice, "definition.sections[0].questions[2].levels[5].level"},
        {m_501_questions, "definition.sections"},
        {m_long_text, "definition.sections[1].questions[0].guidance"},
        {m_bad_utf8, "definition.sections[1].title"},
        {m_control_char, "definition.sections[0].questions[0].levels[2].name"},
        {m_bad_deadline, "definition.sections[0].questions[1].deadline"},
        {m_translation_short, "translations[0].sections[1].questions"},
        {m_translation_no_levels, "translations[0].sections[1].questions[1].levels"},
        {m_translation_empty_title, "translations[0].sections[0].title"},
        {m_no_english, "definition.locale"},
        {m_bad_id, "definition.id"},
        {m_no_definition, "definition"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct arena a;
        arena_init(&a);
        char msg[512], prefix[200];
        CreateRequest *r = mk_request(&a, "pilot-bad", 2, 3);
        cases[i].m(&a, r);
        int code = create(op_key, r, NULL, msg, sizeof msg);
        snprintf(prefix, sizeof prefix, "%s: ", cases[i].field);
        if (code != ERR_INVALID_ARGUMENT || strncmp(msg, prefix, strlen(prefix)) != 0)
            fail_msg("case %zu: expected INVALID_ARGUMENT \"%s...\", got %d \"%s\"", i, prefix, code, msg);
        arena_destroy(&a);
    }
    /* None of them left anything behind. */
    Questionnaire *q = NULL;
    assert_int_equal(get_q(op_key, "pilot-bad", 1, "", &q), ERR_NOT_FOUND);
    /* The same definition unmutated is fine: exactly 500 questions too. */
    struct arena a;
    arena_init(&a);
    CreateRequest *r = mk_request(&a, "pilot-large", 5, 100);
    char msg[512];
    assert_int_equal(create(op_key, r, &q, msg, sizeof msg), ERR_OK);
    assert_int_equal(question_count(q), 500);
    harness_free(q);
    arena_destroy(&a);
}

/* ---- The cache ---- */

static int version_tag(const char *id, int version, char *tag, size_t size)
{
    struct db db;
    struct err e;
    char ver[16];
    int rc = -1;
    snprintf(ver, sizeof ver, "%d", version);
    const char *params[] = {id, ver};
    if (db_init(&db, H.db_url, &e) == 0) {
        PGresult *r = db_query(&db, &e, "SELECT cache_tag FROM catalog.versions"
                                        " WHERE questionnaire_id = $1 AND version = $2::int", 2, params);
        if (r && PQntuples(r) == 1) {
            snprintf(tag, size, "%s", db_get(r, 0, "cache_tag"));
            rc = 0;
        }
        if (r)
            PQclear(r);
    }
    db_destroy(&db);
    return rc;
}

static void cache_key(char *key, size_t size, const char *id, int version, const char *locale)
{
    char tag[64];
    assert_int_equal(version_tag(id, version, tag, sizeof tag), 0);
    snprintf(key, size, "unic:catalog:v1:q:%s:%d:%s:%s", id, version, locale, tag);
}

static int redis_exists(const char *key)
{
    const char *colon = strrchr(H.redis, ':');
    return harness_sh("test \"$(redis-cli -h %.*s -p %s EXISTS '%s')\" = 1", (int)(colon - H.redis), H.redis,
                      colon + 1, key) == 0;
}

/* A published version is served from the process's memory once it has been read; a replica that
 * starts afresh finds it in Redis (packed by another) before asking PostgreSQL. */
static void test_published_questionnaire_is_served_from_memory_then_redis(void **state)
{
    (void)state;
    char key[300], de_key[300], draft_key[300];
    cache_key(key, sizeof key, COMPLIANCE, 1, "en");
    cache_key(de_key, sizeof de_key, COMPLIANCE, 1, "de");
    Questionnaire *first = must_get(state_key, COMPLIANCE, 0, "en");
    assert_true(redis_exists(key));
    Questionnaire *de = must_get(state_key, COMPLIANCE, 0, "de"); /* served from the "en" entry */
    assert_false(redis_exists(de_key));
    harness_free(de);

    /* Put a doctored value under the key: a reply that carries it came from Redis. */
    struct cache c;
    const char *colon = strrchr(H.redis, ':');
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(colon - H.redis), H.redis);
    cache_init(&c, host, atoi(colon + 1), 1000);
    char *title = first->title, *text = first->sections[0]->questions[0]->text;
    first->title = "served from redis";
    first->sections[0]->questions[0]->text = "question served from redis";
    size_t len = protobuf_c_message_get_packed_size(&first->base);
    uint8_t *buf = xmalloc(len);
    protobuf_c_message_pack(&first->base, buf);
    first->title = title;
    first->sections[0]->questions[0]->text = text;
    cache_set(&c, key, buf, len, 300);
    /* This replica has it in memory: Redis is not asked. */
    Questionnaire *second = must_get(state_key, COMPLIANCE, 0, "en");
    assert_string_equal(second->title, first->title);
    harness_free(second);
    /* A replica started afresh reads it from Redis, once, and keeps that. */
    assert_int_equal(harness_stop(&H, SVC_CATALOG, SIGTERM), 0);
    assert_int_equal(harness_start(&H, SVC_CATALOG, NULL), 0);
    second = must_get(state_key, COMPLIANCE, 0, "en");
    assert_string_equal(second->title, "served from redis");
    Question *x = NULL;
    assert_int_equal(get_question(state_key, COMPLIANCE, 1, "para4a", "", &x), ERR_OK);
    assert_string_equal(x->text, "question served from redis");
    harness_free(x);
    harness_free(second);
    /* Put the true value back, and start afresh again. */
    len = protobuf_c_message_get_packed_size(&first->base);
    buf = xrealloc(buf, len);
    protobuf_c_message_pack(&first->base, buf);
    cache_set(&c, key, buf, len, 300);
    free(buf);
    cache_destroy(&c);
    assert_int_equal(harness_stop(&H, SVC_CATALOG, SIGTERM), 0);
    assert_int_equal(harness_start(&H, SVC_CATALOG, NULL), 0);
    Questionnaire *third = must_get(state_key, COMPLIANCE, 0, "en");
    assert_string_equal(third->title, first->title);
    harness_free(third);
    harness_free(first);

    /* Drafts are never cached. */
    Questionnaire *d = must_get(op_key, "pilot-assessment", 1, "en");
    assert_int_equal(d->state, UNIC__CATALOG__V1__VERSION_STATE__DRAFT);
    harness_free(d);
    cache_key(draft_key, sizeof draft_key, "pilot-assessment", 1, "en");
    assert_false(redis_exists(draft_key));
}

/* Publishes the latest version of pilot-assessment straight in the database, as another
 * replica's PublishQuestionnaireVersion would, and returns its number. */
static int publish_latest_elsewhere(void)
{
    assert_int_equal(harness_sql(&H, "UPDATE catalog.versions SET state = 'PUBLISHED', published_at = now()"
                                     " WHERE questionnaire_id = 'pilot-assessment' AND version ="
                                     " (SELECT max(version) FROM catalog.versions"
                                     "  WHERE questionnaire_id = 'pilot-assessment')"),
                     0);
    struct db db;
    struct err e;
    int v = -1;
    assert_int_equal(db_init(&db, H.db_url, &e), 0);
    PGresult *r = db_query(&db, &e, "SELECT max(version) AS version FROM catalog.versions"
                                    " WHERE questionnaire_id = 'pilot-assessment' AND state = 'PUBLISHED'",
                           0, NULL);
    if (r) {
        v = db_get_int(r, 0, "version");
        PQclear(r);
    }
    db_destroy(&db);
    return v;
}

/* Version 0 of a questionnaire this replica keeps in memory, polled until it is `want` (the
 * notification of the other replica's commit arrives on a connection of its own): true when it
 * was within 5 s. */
static bool latest_becomes(int want)
{
    for (int i = 0; i < 100; i++) {
        Questionnaire *q = must_get(state_key, "pilot-assessment", 0, "fr");
        int v = q->version;
        harness_free(q);
        if (v == want)
            return true;
        nanosleep(&(struct timespec){0, 50 * 1000000}, NULL);
    }
    return false;
}

/* What version 0 resolves to is kept in memory, and follows a publication made by another
 * replica without a restart: each commit notifies every replica (sql/015_version_notify.sql). */
static void test_memory_follows_a_publication_made_elsewhere(void **state)
{
    (void)state;
    int first = publish_latest_elsewhere();
    assert_true(latest_becomes(first));
    Questionnaire *q = must_get(state_key, "pilot-assessment", 0, "fr"); /* now from memory */
    assert_int_equal(q->version, first);
    harness_free(q);
    struct arena a;
    arena_init(&a);
    assert_int_equal(create(op_key, mk_request(&a, "pilot-assessment", 1, 2), &q, NULL, 0), ERR_OK);
    harness_free(q);
    arena_destroy(&a);
    int second = publish_latest_elsewhere();
    assert_int_equal(second, first + 1);
    assert_true(latest_becomes(second));
}

static void test_redis_down_still_serves_from_postgresql(void **state)
{
    (void)state;
    static const char *const env[] = {"UNIC_REDIS=127.0.0.1:1", NULL};
    assert_int_equal(harness_stop(&H, SVC_CATALOG, SIGTERM), 0);
    assert_int_equal(harness_start(&H, SVC_CATALOG, env), 0);
    for (int i = 0; i < 3; i++) {
        Questionnaire *q = must_get(state_key, CIP, 0, "fr");
        assert_int_equal(q->version, 2);
        assert_int_equal(question_count(q), 18);
        harness_free(q);
        Question *x = NULL;
        assert_int_equal(get_question(state_key, CIP, 1, "q5", "", &x), ERR_OK);
        assert_int_equal(x->n_sub_items, 4);
        harness_free(x);
    }
    assert_int_equal(harness_stop(&H, SVC_CATALOG, SIGTERM), 0);
    assert_int_equal(harness_start(&H, SVC_CATALOG, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_annex_parses_into_18_items_under_7_headings),
        cmocka_unit_test(test_both_questionnaires_are_listed_with_their_published_version),
        cmocka_unit_test(test_checklist_put_to_a_least_developed_country_has_no_paragraph_9),
        cmocka_unit_test(test_self_assessment_is_the_annex_word_for_word),
        cmocka_unit_test(test_compliance_items_carry_deadlines_and_recurrence),
        cmocka_unit_test(test_french_is_served_and_other_locales_fall_back_to_english),
        cmocka_unit_test(test_all_six_official_languages_are_served_without_fallback),
        cmocka_unit_test(test_published_texts_stay_immutable_and_new_locales_complete),
        cmocka_unit_test(test_get_question_returns_one_question),
        cmocka_unit_test(test_unknown_ids_and_versions_are_not_found),
        cmocka_unit_test(test_state_key_on_operator_methods_is_permission_denied),
        cmocka_unit_test(test_draft_is_operator_only_until_published_and_then_immutable),
        cmocka_unit_test(test_new_questionnaire_starts_as_an_unlisted_draft),
        cmocka_unit_test(test_concurrent_creations_take_consecutive_versions),
        cmocka_unit_test(test_list_pages_with_an_opaque_token),
        cmocka_unit_test(test_invalid_definitions_are_refused_naming_the_field),
        cmocka_unit_test(test_published_questionnaire_is_served_from_memory_then_redis),
        cmocka_unit_test(test_memory_follows_a_publication_made_elsewhere),
        cmocka_unit_test(test_redis_down_still_serves_from_postgresql),
        cmocka_unit_test(test_who_am_i_names_the_role_and_the_state),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
