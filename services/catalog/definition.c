/* definition.c: validation of questionnaire definitions and their translations, and the catalog's
 * enum names. A definition is checked in full before any SQL runs, so a bad one never half-lands. */
#include "definition.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

typedef Unic__Catalog__V1__Questionnaire Questionnaire;
typedef Unic__Catalog__V1__Section Section;
typedef Unic__Catalog__V1__Question Question;
typedef Unic__Catalog__V1__LevelDescriptor LevelDescriptor;

/* Paths are short: a question's is at most 46 characters ("translations[19].sections[499].
 * questions[499]"), and a field's adds at most 30 to it. */
enum { QPATH = 80, PATH = 160 };

static int fail(struct err *e, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct err *e, const char *path, const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return err_field(e, path, "%s", why);
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

/* One text: valid UTF-8 with no control characters (newline and tab only in free text), at most
 * DEFINITION_MAX_TEXT_CHARS code points, and not blank when required. */
static int check_text(const char *s, const char *path, bool required, bool free_text, struct err *e)
{
    size_t chars = 0;
    if (!text_valid(s, free_text, &chars))
        return fail(e, path, free_text ? "is not valid UTF-8 or holds a control character"
                                       : "is not valid UTF-8 or holds a control character or line break");
    if (chars > DEFINITION_MAX_TEXT_CHARS)
        return fail(e, path, "has %zu characters, more than %d", chars, DEFINITION_MAX_TEXT_CHARS);
    if (required && blank(s))
        return fail(e, path, "must not be empty");
    return 0;
}

static bool id_chars_valid(const char *s, size_t min_len)
{
    size_t n = strlen(s);
    if (n < min_len || n > DEFINITION_MAX_ID_CHARS || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

bool definition_id_valid(const char *s)
{
    return id_chars_valid(s, 1);
}

bool definition_questionnaire_id_valid(const char *s)
{
    return id_chars_valid(s, 2);
}

static int check_id(const char *s, const char *path, bool questionnaire, struct err *e)
{
    if (*s == '\0')
        return fail(e, path, "is required");
    if (!(questionnaire ? definition_questionnaire_id_valid(s) : definition_id_valid(s)))
        return fail(e, path, "must be a lower-case letter followed by %s lower-case letters, digits or '-'",
                    questionnaire ? "1 to 63" : "at most 63");
    return 0;
}

bool definition_locale_valid(const char *s)
{
    size_t n = strlen(s), i = 0;
    if (n > 35)
        return false;
    while (i < n && s[i] >= 'a' && s[i] <= 'z')
        i++;
    if (i < 2 || i > 3)
        return false;
    while (i < n) {
        if (s[i++] != '-')
            return false;
        size_t start = i;
        while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                         (s[i] >= '0' && s[i] <= '9')))
            i++;
        if (i - start < 2 || i - start > 8)
            return false;
    }
    return true;
}

void definition_locale_language(const char *locale, char *buf, size_t size)
{
    size_t n = strcspn(locale, "-");
    snprintf(buf, size, "%.*s", (int)n, locale);
}

const char *definition_locale(const Questionnaire *q)
{
    return *q->locale ? q->locale : DEFINITION_BASE_LOCALE;
}

double definition_weight(const Question *q)
{
    return q->weight == 0 ? 1.0 : q->weight;
}

static int check_locale(const char *s, const char *path, struct err *e)
{
    if (!definition_locale_valid(s))
        return fail(e, path, "must be a language tag such as \"en\" or \"fr-CA\"");
    return 0;
}

/* Level descriptors of a MATURITY_LEVEL question: exactly levels 0..5, each once, each named. */
static int check_levels(const Question *q, const char *qpath, struct err *e)
{
    char path[PATH];
    bool seen[DEFINITION_LEVELS] = {false};
    snprintf(path, sizeof path, "%s.levels", qpath);
    if (q->n_levels != DEFINITION_LEVELS)
        return fail(e, path, "a MATURITY_LEVEL question needs %d level descriptors (levels 0 to 5), got %zu",
                    DEFINITION_LEVELS, q->n_levels);
    for (size_t k = 0; k < q->n_levels; k++) {
        const LevelDescriptor *l = q->levels[k];
        snprintf(path, sizeof path, "%s.levels[%zu].level", qpath, k);
        if (l->level < 0 || l->level >= DEFINITION_LEVELS)
            return fail(e, path, "must be between 0 and 5, got %d", (int)l->level);
        if (seen[l->level])
            return fail(e, path, "level %d is described twice", (int)l->level);
        seen[l->level] = true;
        snprintf(path, sizeof path, "%s.levels[%zu].name", qpath, k);
        if (check_text(l->name, path, true, false, e) < 0)
            return -1;
        snprintf(path, sizeof path, "%s.levels[%zu].description", qpath, k);
        if (check_text(l->description, path, false, true, e) < 0)
            return -1;
    }
    return 0;
}

/* The texts of a question, in the definition or in a translation. `maturity` says whether the
 * definition's question is MATURITY_LEVEL (a translation's own answer_type is ignored). */
static int check_question_texts(const Question *q, bool maturity, const char *qpath, struct err *e)
{
    char path[PATH];
    snprintf(path, sizeof path, "%s.text", qpath);
    if (check_text(q->text, path, true, true, e) < 0)
        return -1;
    snprintf(path, sizeof path, "%s.guidance", qpath);
    if (check_text(q->guidance, path, false, true, e) < 0)
        return -1;
    if (q->n_sub_items > DEFINITION_MAX_SUB_ITEMS) {
        snprintf(path, sizeof path, "%s.sub_items", qpath);
        return fail(e, path, "%zu sub-items, more than %d", q->n_sub_items, DEFINITION_MAX_SUB_ITEMS);
    }
    for (size_t k = 0; k < q->n_sub_items; k++) {
        snprintf(path, sizeof path, "%s.sub_items[%zu]", qpath, k);
        if (check_text(q->sub_items[k], path, true, true, e) < 0)
            return -1;
    }
    if (maturity)
        return check_levels(q, qpath, e);
    if (q->n_levels > 0) {
        snprintf(path, sizeof path, "%s.levels", qpath);
        return fail(e, path, "only a MATURITY_LEVEL question has level descriptors");
    }
    return 0;
}

static bool topic_known(const char *t, const char *const *topics, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t, topics[i]) == 0)
            return true;
    return false;
}

/* The structure of one question of the definition: what translations cannot change. */
static int check_question(const Questionnaire *d, const Section *s, const Question *q,
                          const char *qpath, const char *const *topics, size_t n_topics, struct err *e)
{
    char path[PATH];
    snprintf(path, sizeof path, "%s.id", qpath);
    if (check_id(q->id, path, false, e) < 0)
        return -1;
    snprintf(path, sizeof path, "%s.number", qpath);
    if (q->number <= 0)
        return fail(e, path, "must be positive, got %d", (int)q->number);
    snprintf(path, sizeof path, "%s.section_id", qpath);
    if (*q->section_id && strcmp(q->section_id, s->id) != 0)
        return fail(e, path, "is \"%s\" but the question is in section \"%s\"", q->section_id, s->id);
    snprintf(path, sizeof path, "%s.answer_type", qpath);
    if (definition_answer_type_name(q->answer_type) == NULL)
        return fail(e, path, "must be MATURITY_LEVEL, YES_NO or TEXT");
    if (check_question_texts(q, q->answer_type == UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL, qpath,
                             e) < 0)
        return -1;
    snprintf(path, sizeof path, "%s.topics", qpath);
    if (q->n_topics > DEFINITION_MAX_TOPICS)
        return fail(e, path, "%zu topics, more than %d", q->n_topics, DEFINITION_MAX_TOPICS);
    for (size_t k = 0; k < q->n_topics; k++) {
        snprintf(path, sizeof path, "%s.topics[%zu]", qpath, k);
        if (!text_valid(q->topics[k], false, NULL))
            return fail(e, path, "is not valid UTF-8 or holds a control character");
        if (!topic_known(q->topics[k], topics, n_topics))
            return fail(e, path, "unknown topic \"%.64s\"", q->topics[k]);
        for (size_t m = 0; m < k; m++)
            if (strcmp(q->topics[m], q->topics[k]) == 0)
                return fail(e, path, "topic \"%s\" is listed twice", q->topics[k]);
    }
    snprintf(path, sizeof path, "%s.weight", qpath);
    if (!isfinite(q->weight) || q->weight < 0 || q->weight > DEFINITION_MAX_WEIGHT)
        return fail(e, path, "must be between 0 and %g (0 means the default, 1)", DEFINITION_MAX_WEIGHT);
    snprintf(path, sizeof path, "%s.deadline", qpath);
    if (*q->deadline) {
        if (!text_date_valid(q->deadline))
            return fail(e, path, "must be a date written YYYY-MM-DD");
        if (d->kind != UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__COMPLIANCE)
            return fail(e, path, "only COMPLIANCE questionnaires have deadlines");
    }
    snprintf(path, sizeof path, "%s.recurrence", qpath);
    if (definition_recurrence_name(q->recurrence) == NULL)
        return fail(e, path, "must be NONE or ANNUAL");
    return 0;
}

/* Ids and numbers are unique within a version: sections among sections, questions among all
 * questions of all sections (they are the version's primary keys). Quadratic, but at most 500
 * questions make that a fraction of a millisecond. */
static int check_unique(const Questionnaire *d, struct err *e)
{
    char path[PATH];
    for (size_t i = 0; i < d->n_sections; i++) {
        const Section *s = d->sections[i];
        for (size_t k = 0; k < i; k++) {
            if (strcmp(d->sections[k]->id, s->id) == 0) {
                snprintf(path, sizeof path, "definition.sections[%zu].id", i);
                return fail(e, path, "duplicate id \"%s\" (also sections[%zu])", s->id, k);
            }
            if (d->sections[k]->number == s->number) {
                snprintf(path, sizeof path, "definition.sections[%zu].number", i);
                return fail(e, path, "duplicate number %d (also sections[%zu])", (int)s->number, k);
            }
        }
        for (size_t j = 0; j < s->n_questions; j++) {
            const Question *q = s->questions[j];
            for (size_t i2 = 0; i2 <= i; i2++) {
                const Section *s2 = d->sections[i2];
                size_t end = i2 == i ? j : s2->n_questions;
                for (size_t j2 = 0; j2 < end; j2++) {
                    const Question *q2 = s2->questions[j2];
                    if (strcmp(q2->id, q->id) == 0) {
                        snprintf(path, sizeof path, "definition.sections[%zu].questions[%zu].id", i, j);
                        return fail(e, path, "duplicate id \"%s\" (also sections[%zu].questions[%zu])",
                                    q->id, i2, j2);
                    }
                    if (q2->number == q->number) {
                        snprintf(path, sizeof path, "definition.sections[%zu].questions[%zu].number", i, j);
                        return fail(e, path, "duplicate number %d (also sections[%zu].questions[%zu])",
                                    (int)q->number, i2, j2);
                    }
                }
            }
        }
    }
    return 0;
}

/* A translation mirrors the definition: the same sections and questions, in the same order, with
 * the same ids; it carries only texts, so every one the definition has must be there. */
static int check_translation(const Questionnaire *d, const Questionnaire *t, size_t k, struct err *e)
{
    char path[PATH], qpath[QPATH];
    snprintf(path, sizeof path, "translations[%zu].id", k);
    if (*t->id && strcmp(t->id, d->id) != 0)
        return fail(e, path, "is \"%.64s\" but the definition is \"%s\"", t->id, d->id);
    snprintf(path, sizeof path, "translations[%zu].title", k);
    if (check_text(t->title, path, true, false, e) < 0)
        return -1;
    snprintf(path, sizeof path, "translations[%zu].sections", k);
    if (t->n_sections != d->n_sections)
        return fail(e, path, "%zu sections, but the definition has %zu", t->n_sections, d->n_sections);
    for (size_t i = 0; i < d->n_sections; i++) {
        const Section *ds = d->sections[i], *ts = t->sections[i];
        snprintf(path, sizeof path, "translations[%zu].sections[%zu].id", k, i);
        if (strcmp(ts->id, ds->id) != 0)
            return fail(e, path, "expected \"%s\" as in the definition", ds->id);
        snprintf(path, sizeof path, "translations[%zu].sections[%zu].title", k, i);
        if (check_text(ts->title, path, true, false, e) < 0)
            return -1;
        snprintf(path, sizeof path, "translations[%zu].sections[%zu].questions", k, i);
        if (ts->n_questions != ds->n_questions)
            return fail(e, path, "%zu questions, but the definition's section \"%s\" has %zu",
                        ts->n_questions, ds->id, ds->n_questions);
        for (size_t j = 0; j < ds->n_questions; j++) {
            const Question *dq = ds->questions[j], *tq = ts->questions[j];
            snprintf(qpath, sizeof qpath, "translations[%u].sections[%u].questions[%u]", (unsigned)k,
                     (unsigned)i, (unsigned)j);
            snprintf(path, sizeof path, "%s.id", qpath);
            if (strcmp(tq->id, dq->id) != 0)
                return fail(e, path, "expected \"%s\" as in the definition", dq->id);
            snprintf(path, sizeof path, "%s.sub_items", qpath);
            if (tq->n_sub_items != dq->n_sub_items)
                return fail(e, path, "%zu sub-items, but the definition's question \"%s\" has %zu",
                            tq->n_sub_items, dq->id, dq->n_sub_items);
            if (check_question_texts(tq, dq->answer_type == UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL,
                                     qpath, e) < 0)
                return -1;
        }
    }
    return 0;
}

static int check_translations(const Unic__Catalog__V1__CreateQuestionnaireVersionRequest *req,
                              struct err *e)
{
    const Questionnaire *d = req->definition;
    char path[PATH];
    bool base = strcmp(definition_locale(d), DEFINITION_BASE_LOCALE) == 0;
    if (req->n_translations > DEFINITION_MAX_TRANSLATIONS)
        return fail(e, "translations", "%zu translations, more than %d", req->n_translations,
                    DEFINITION_MAX_TRANSLATIONS);
    for (size_t k = 0; k < req->n_translations; k++) {
        const Questionnaire *t = req->translations[k];
        snprintf(path, sizeof path, "translations[%zu].locale", k);
        if (*t->locale == '\0')
            return fail(e, path, "is required");
        if (check_locale(t->locale, path, e) < 0)
            return -1;
        if (strcmp(t->locale, definition_locale(d)) == 0)
            return fail(e, path, "\"%s\" is the definition's own locale", t->locale);
        for (size_t m = 0; m < k; m++)
            if (strcmp(req->translations[m]->locale, t->locale) == 0)
                return fail(e, path, "duplicate locale \"%s\" (also translations[%zu])", t->locale, m);
        base = base || strcmp(t->locale, DEFINITION_BASE_LOCALE) == 0;
        if (check_translation(d, t, k, e) < 0)
            return -1;
    }
    if (!base)
        return fail(e, "definition.locale",
                    "the texts must include locale \"" DEFINITION_BASE_LOCALE
                    "\", the one every reader falls back to (as the definition's or a translation's)");
    return 0;
}

int definition_validate(const Unic__Catalog__V1__CreateQuestionnaireVersionRequest *req,
                        const char *const *topics, size_t n_topics, struct err *e)
{
    const Questionnaire *d = req->definition;
    char path[PATH], qpath[QPATH];
    if (d == NULL)
        return fail(e, "definition", "is required");
    if (check_id(d->id, "definition.id", true, e) < 0 ||
        check_text(d->title, "definition.title", true, false, e) < 0 ||
        check_text(d->source, "definition.source", false, false, e) < 0)
        return -1;
    if (definition_kind_name(d->kind) == NULL)
        return fail(e, "definition.kind", "must be SELF_ASSESSMENT or COMPLIANCE");
    if (*d->locale && check_locale(d->locale, "definition.locale", e) < 0)
        return -1;
    if (d->n_sections == 0)
        return fail(e, "definition.sections", "at least one section is required");
    size_t total = 0;
    for (size_t i = 0; i < d->n_sections; i++)
        total += d->sections[i]->n_questions;
    if (total > DEFINITION_MAX_QUESTIONS)
        return fail(e, "definition.sections", "%zu questions, more than %d", total, DEFINITION_MAX_QUESTIONS);
    for (size_t i = 0; i < d->n_sections; i++) {
        const Section *s = d->sections[i];
        snprintf(path, sizeof path, "definition.sections[%zu].id", i);
        if (check_id(s->id, path, false, e) < 0)
            return -1;
        snprintf(path, sizeof path, "definition.sections[%zu].number", i);
        if (s->number <= 0)
            return fail(e, path, "must be positive, got %d", (int)s->number);
        snprintf(path, sizeof path, "definition.sections[%zu].title", i);
        if (check_text(s->title, path, true, false, e) < 0)
            return -1;
        snprintf(path, sizeof path, "definition.sections[%zu].questions", i);
        if (s->n_questions == 0)
            return fail(e, path, "a section needs at least one question");
        for (size_t j = 0; j < s->n_questions; j++) {
            snprintf(qpath, sizeof qpath, "definition.sections[%u].questions[%u]", (unsigned)i, (unsigned)j);
            if (check_question(d, s, s->questions[j], qpath, topics, n_topics, e) < 0)
                return -1;
        }
    }
    if (check_unique(d, e) < 0)
        return -1;
    return check_translations(req, e);
}

/* ---- Enum names, as stored in the tables' text columns ---- */

const char *definition_kind_name(Unic__Catalog__V1__QuestionnaireKind k)
{
    switch (k) {
    case UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__SELF_ASSESSMENT: return "SELF_ASSESSMENT";
    case UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__COMPLIANCE: return "COMPLIANCE";
    default: return NULL;
    }
}

Unic__Catalog__V1__QuestionnaireKind definition_kind_parse(const char *s)
{
    if (strcmp(s, "SELF_ASSESSMENT") == 0)
        return UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__SELF_ASSESSMENT;
    if (strcmp(s, "COMPLIANCE") == 0)
        return UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__COMPLIANCE;
    return UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__QUESTIONNAIRE_KIND_UNSPECIFIED;
}

const char *definition_answer_type_name(Unic__Catalog__V1__AnswerType t)
{
    switch (t) {
    case UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL: return "MATURITY_LEVEL";
    case UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO: return "YES_NO";
    case UNIC__CATALOG__V1__ANSWER_TYPE__TEXT: return "TEXT";
    default: return NULL;
    }
}

Unic__Catalog__V1__AnswerType definition_answer_type_parse(const char *s)
{
    if (strcmp(s, "MATURITY_LEVEL") == 0)
        return UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL;
    if (strcmp(s, "YES_NO") == 0)
        return UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO;
    if (strcmp(s, "TEXT") == 0)
        return UNIC__CATALOG__V1__ANSWER_TYPE__TEXT;
    return UNIC__CATALOG__V1__ANSWER_TYPE__ANSWER_TYPE_UNSPECIFIED;
}

const char *definition_recurrence_name(Unic__Catalog__V1__Recurrence r)
{
    switch (r) {
    case UNIC__CATALOG__V1__RECURRENCE__RECURRENCE_UNSPECIFIED:
    case UNIC__CATALOG__V1__RECURRENCE__NONE: return "NONE";
    case UNIC__CATALOG__V1__RECURRENCE__ANNUAL: return "ANNUAL";
    default: return NULL;
    }
}

Unic__Catalog__V1__Recurrence definition_recurrence_parse(const char *s)
{
    if (strcmp(s, "NONE") == 0)
        return UNIC__CATALOG__V1__RECURRENCE__NONE;
    if (strcmp(s, "ANNUAL") == 0)
        return UNIC__CATALOG__V1__RECURRENCE__ANNUAL;
    return UNIC__CATALOG__V1__RECURRENCE__RECURRENCE_UNSPECIFIED;
}

Unic__Catalog__V1__VersionState definition_state_parse(const char *s)
{
    if (strcmp(s, "DRAFT") == 0)
        return UNIC__CATALOG__V1__VERSION_STATE__DRAFT;
    if (strcmp(s, "PUBLISHED") == 0)
        return UNIC__CATALOG__V1__VERSION_STATE__PUBLISHED;
    return UNIC__CATALOG__V1__VERSION_STATE__VERSION_STATE_UNSPECIFIED;
}
