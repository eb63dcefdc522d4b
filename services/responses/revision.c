/* revision.c: how a save becomes a revision: incoming answers merged over the current ones,
 * the questions that changed, and the completeness that follows. Pure: the same inputs always
 * give the same revision, which is what makes history exact. */
#include <string.h>

#include "assessment.h"

bool answer_is_empty(const Answer *a)
{
    return a->level_value_case != UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL &&
           a->target_level_value_case != UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL &&
           a->yes_value_case != UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES && a->date[0] == '\0' &&
           a->narrative[0] == '\0' && a->n_evidence == 0;
}

static bool has_text(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return true;
    return false;
}

bool answer_is_answered(int type, const Answer *a)
{
    switch (type) {
    case UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL:
        return a->level_value_case == UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
    case UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO:
        return a->yes_value_case == UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES;
    default:
        return has_text(a->narrative);
    }
}

bool answer_same(const Answer *a, const Answer *b)
{
    if (strcmp(a->question_id, b->question_id) != 0 || a->level_value_case != b->level_value_case ||
        a->target_level_value_case != b->target_level_value_case ||
        a->yes_value_case != b->yes_value_case || strcmp(a->date, b->date) != 0 ||
        strcmp(a->narrative, b->narrative) != 0 || a->n_evidence != b->n_evidence)
        return false;
    if (a->level_value_case == UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL && a->level != b->level)
        return false;
    if (a->target_level_value_case == UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL &&
        a->target_level != b->target_level)
        return false;
    if (a->yes_value_case == UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES && !a->yes != !b->yes)
        return false;
    for (size_t k = 0; k < a->n_evidence; k++)
        if (strcmp(a->evidence[k]->uri, b->evidence[k]->uri) != 0 ||
            strcmp(a->evidence[k]->title, b->evidence[k]->title) != 0)
            return false;
    return true;
}

/* Answer of each question of d, by question index (NULL when unanswered). */
static const Answer **by_question(struct arena *a, const struct qdef *d, Answer *const *answers,
                                  size_t n)
{
    const Answer **by = ARENA_ARRAY(a, const Answer *, d->n);
    for (size_t i = 0; i < n; i++) {
        int q = qdef_find(d, answers[i]->question_id);
        if (q >= 0)
            by[q] = answers[i];
    }
    return by;
}

double completeness(const struct qdef *d, Answer *const *answers, size_t n)
{
    if (d->n_required == 0)
        return 1.0;
    size_t answered = 0;
    for (size_t q = 0; q < d->n; q++) {
        if (!d->q[q].required)
            continue;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(answers[i]->question_id, d->q[q].id) == 0) {
                answered += answer_is_answered(d->q[q].type, answers[i]);
                break;
            }
        }
    }
    return (double)answered / (double)d->n_required;
}

size_t required_missing(const struct qdef *d, Answer *const *answers, size_t n, struct arena *a,
                        const char ***ids)
{
    const Answer **by = by_question(a, d, answers, n);
    size_t count = 0;
    *ids = ARENA_ARRAY(a, const char *, d->n);
    for (size_t q = 0; q < d->n; q++)
        if (d->q[q].required && (by[q] == NULL || !answer_is_answered(d->q[q].type, by[q])))
            (*ids)[count++] = d->q[q].id;
    return count;
}

static Answer *answer_copy(struct arena *a, const Answer *src, const char *qid, const char *now,
                           const char *author)
{
    Answer *x = arena_memdup(a, src, sizeof *src);
    x->base.n_unknown_fields = 0;
    x->base.unknown_fields = NULL;
    x->question_id = arena_strdup(a, qid);
    x->date = arena_strdup(a, src->date);
    x->narrative = arena_strdup(a, src->narrative);
    x->updated_at = arena_strdup(a, now);
    x->updated_by = arena_strdup(a, author);
    x->evidence = ARENA_ARRAY(a, Evidence *, src->n_evidence);
    for (size_t k = 0; k < src->n_evidence; k++) {
        Evidence *ev = ARENA_MSG(a, Evidence, UNIC__RESPONSES__V1__EVIDENCE__INIT);
        ev->uri = arena_strdup(a, src->evidence[k]->uri);
        ev->title = arena_strdup(a, src->evidence[k]->title);
        x->evidence[k] = ev;
    }
    return x;
}

void answers_merge(struct arena *a, const struct qdef *d, Answer *const *cur, size_t n_cur,
                   Answer *const *in, size_t n_in, const int *index, const char *now,
                   const char *author, struct merge *out)
{
    const Answer **old = by_question(a, d, cur, n_cur);
    const Answer **fresh = ARENA_ARRAY(a, const Answer *, d->n);
    for (size_t i = 0; i < n_in; i++)
        fresh[index[i]] = in[i];
    memset(out, 0, sizeof *out);
    out->answers = ARENA_ARRAY(a, Answer *, d->n + n_cur);
    out->changed = ARENA_ARRAY(a, const char *, d->n);
    out->upserts = ARENA_ARRAY(a, const Answer *, d->n);
    out->removed = ARENA_ARRAY(a, const char *, d->n);
    for (size_t q = 0; q < d->n; q++) {
        const Answer *was = old[q], *is = fresh[q];
        if (is == NULL || (was && answer_same(was, is))) {
            if (was)
                out->answers[out->n_answers++] = (Answer *)was;
            continue;
        }
        if (answer_is_empty(is)) {
            if (was) {
                out->changed[out->n_changed++] = d->q[q].id;
                out->removed[out->n_removed++] = d->q[q].id;
            }
            continue;
        }
        Answer *x = answer_copy(a, is, d->q[q].id, now, author);
        out->answers[out->n_answers++] = x;
        out->changed[out->n_changed++] = d->q[q].id;
        out->upserts[out->n_upserts++] = x;
    }
    /* A published definition never changes, so every stored answer names one of its questions;
     * should one not, it is kept rather than silently lost. */
    for (size_t i = 0; i < n_cur; i++)
        if (qdef_find(d, cur[i]->question_id) < 0)
            out->answers[out->n_answers++] = cur[i];
}

Assessment *assessment_copy_head(struct arena *a, const Assessment *src)
{
    Assessment *x = arena_memdup(a, src, sizeof *src);
    x->base.n_unknown_fields = 0;
    x->base.unknown_fields = NULL;
    x->n_answers = 0;
    x->answers = NULL;
    return x;
}
