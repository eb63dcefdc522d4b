/* validate.c: what a valid request is. Every string that crosses the boundary is checked here
 * (protobuf-c passes invalid UTF-8 through), and every error names the field, e.g.
 * `answers[3].level`, so that a client can point at it. Also the questionnaire definitions the
 * answers are checked against. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assessment.h"
#include "duties.h"
#include "text.h"

struct qdef *qdef_new(const Unic__Catalog__V1__Questionnaire *q, struct err *e)
{
    size_t n = 0;
    for (size_t s = 0; s < q->n_sections; s++)
        n += q->sections[s]->n_questions;
    if (n == 0) {
        err_set(e, ERR_FAILED_PRECONDITION, "questionnaire \"%s\" v%d has no questions", q->id,
                q->version);
        return NULL;
    }
    struct qdef *d = xcalloc(1, sizeof *d);
    d->questionnaire_id = xstrdup(q->id);
    d->version = q->version;
    d->kind = q->kind;
    d->q = xcalloc(n, sizeof *d->q);
    for (size_t s = 0; s < q->n_sections; s++) {
        for (size_t i = 0; i < q->sections[s]->n_questions; i++) {
            const Unic__Catalog__V1__Question *qq = q->sections[s]->questions[i];
            struct qdef_question *dq = &d->q[d->n];
            if (qq->answer_type < UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL ||
                qq->answer_type > UNIC__CATALOG__V1__ANSWER_TYPE__TEXT) {
                err_set(e, ERR_FAILED_PRECONDITION, "question \"%s\" of \"%s\" v%d has no answer type",
                        qq->id, q->id, q->version);
                goto bad;
            }
            if (qq->id[0] == '\0' || qdef_find(d, qq->id) >= 0) {
                err_set(e, ERR_FAILED_PRECONDITION, "questionnaire \"%s\" v%d repeats question id \"%s\"",
                        q->id, q->version, qq->id);
                goto bad;
            }
            dq->id = xstrdup(qq->id);
            dq->type = qq->answer_type;
            dq->required = qq->required;
            d->n_required += qq->required;
            d->n++;
        }
    }
    return d;
bad:
    qdef_free(d);
    return NULL;
}

void qdef_free(struct qdef *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->q[i].id);
    free(d->q);
    free(d->questionnaire_id);
    free(d);
}

const struct qdef *qdef_for_state(struct arena *a, const struct qdef *d, bool ldc)
{
    size_t exempt = 0;
    for (size_t i = 0; i < d->n; i++)
        exempt += d->q[i].required && !duty_binds(d->q[i].id, ldc);
    if (d->kind != UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__COMPLIANCE || exempt == 0)
        return d;
    struct qdef *v = arena_memdup(a, d, sizeof *d);
    v->q = arena_memdup(a, d->q, d->n * sizeof *d->q);
    for (size_t i = 0; i < v->n; i++)
        if (v->q[i].required && !duty_binds(v->q[i].id, ldc))
            v->q[i].required = false;
    v->n_required -= exempt;
    return v;
}

int qdef_find(const struct qdef *d, const char *id)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->q[i].id, id) == 0)
            return (int)i;
    return -1;
}

int validate_cycle(int cycle, int current_year, struct err *e)
{
    if (cycle < CYCLE_FIRST || cycle > current_year + 1)
        return err_field(e, "cycle", "%d is outside %d-%d", cycle, CYCLE_FIRST,
                         current_year + 1);
    return 0;
}

int validate_token(const char *field, const char *s, size_t max_chars, struct err *e)
{
    size_t chars;
    if (s[0] == '\0')
        return err_field(e, field, "required");
    if (!text_valid(s, false, &chars))
        return err_field(e, field, "not valid UTF-8 without control characters");
    if (chars > max_chars)
        return err_field(e, field, "longer than %zu characters", max_chars);
    return 0;
}

int validate_request_id(const char *s, struct err *e)
{
    return s[0] == '\0' ? 0 : validate_token("request_id", s, REQUEST_ID_MAX_CHARS, e);
}

static int check_level(const char *field, size_t i, int level, struct err *e)
{
    if (level < 0 || level > LEVEL_MAX)
        return err_field_at(e, "answers", i, field, "%d is not a level 0-%d",
                            level, LEVEL_MAX);
    return 0;
}

int validate_answers_shape(Answer *const *answers, size_t n, struct err *e)
{
    char field[64];
    if (n > ANSWERS_MAX)
        return err_field(e, "answers", "more than %d", ANSWERS_MAX);
    for (size_t i = 0; i < n; i++) {
        const Answer *a = answers[i];
        size_t chars;
        snprintf(field, sizeof field, "answers[%zu].question_id", i);
        if (validate_token(field, a->question_id, QUESTION_ID_MAX_CHARS, e) < 0)
            return -1;
        if (a->level_value_case == UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL &&
            check_level("level", i, a->level, e) < 0)
            return -1;
        if (a->target_level_value_case == UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL &&
            check_level("target_level", i, a->target_level, e) < 0)
            return -1;
        if (a->date[0] && !text_date_valid(a->date))
            return err_field_at(e, "answers", i, "date", "not a date YYYY-MM-DD");
        if (!text_valid(a->narrative, true, &chars))
            return err_field_at(e, "answers", i, "narrative",
                                "not valid UTF-8 without control characters");
        if (chars > NARRATIVE_MAX_CHARS)
            return err_field_at(e, "answers", i, "narrative", "%zu characters, more than %d",
                                chars, NARRATIVE_MAX_CHARS);
        if (a->n_evidence > EVIDENCE_MAX)
            return err_field_at(e, "answers", i, "evidence", "%zu items, more than %d",
                                a->n_evidence, EVIDENCE_MAX);
        snprintf(field, sizeof field, "answers[%zu].evidence", i);
        for (size_t k = 0; k < a->n_evidence; k++) {
            const Evidence *ev = a->evidence[k];
            if (!text_valid(ev->uri, false, NULL) || !text_http_uri_valid(ev->uri))
                return err_field_at(e, field, k, "uri", "not an absolute http(s) URI");
            if (!text_valid(ev->title, false, &chars))
                return err_field_at(e, field, k, "title",
                                    "not valid UTF-8 without control characters");
            if (chars > EVIDENCE_TITLE_MAX_CHARS)
                return err_field_at(e, field, k, "title", "longer than %d characters",
                                    EVIDENCE_TITLE_MAX_CHARS);
        }
        /* Set by the service; a client sending back what it read is not an error, but the
         * strings still must not carry bytes PostgreSQL or a log would choke on. */
        if (!text_valid(a->updated_at, false, NULL))
            return err_field_at(e, "answers", i, "updated_at",
                                "not valid UTF-8 without control characters");
        if (!text_valid(a->updated_by, false, NULL))
            return err_field_at(e, "answers", i, "updated_by",
                                "not valid UTF-8 without control characters");
    }
    return 0;
}

static const char *type_name(int type)
{
    switch (type) {
    case UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL: return "MATURITY_LEVEL";
    case UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO: return "YES_NO";
    default: return "TEXT";
    }
}

int validate_answers_fit(const struct qdef *d, Answer *const *answers, size_t n, int *index,
                         struct err *e)
{
    int rc = -1;
    bool *seen = xcalloc(d->n, sizeof *seen);
    for (size_t i = 0; i < n; i++) {
        const Answer *a = answers[i];
        int q = qdef_find(d, a->question_id);
        if (q < 0) {
            err_field_at(e, "answers", i, "question_id", "\"%s\" is not a question of "
                         "\"%s\" v%d", a->question_id, d->questionnaire_id, d->version);
            goto done;
        }
        if (seen[q]) {
            err_field_at(e, "answers", i, "question_id", "\"%s\" answered twice",
                         a->question_id);
            goto done;
        }
        seen[q] = true;
        index[i] = q;
        int type = d->q[q].type;
        bool has_level = a->level_value_case == UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
        bool has_target =
            a->target_level_value_case == UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL;
        bool has_yes = a->yes_value_case == UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES;
        const char *wrong = NULL;
        if (has_level && type != UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL)
            wrong = "level";
        else if (has_target && type != UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL)
            wrong = "target_level";
        else if (has_yes && type != UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO)
            wrong = "yes";
        if (wrong) {
            err_field_at(e, "answers", i, wrong, "question \"%s\" is %s, answered with %s",
                         a->question_id, type_name(type),
                         type == UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL ? "level"
                         : type == UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO       ? "yes"
                                                                                : "narrative");
            goto done;
        }
    }
    rc = 0;
done:
    free(seen);
    return rc;
}
