/* score.c: the cmm-v1 maturity model: scores, stages, gaps, trends and benchmarks.
 * Pure computation; the model and its rounding rule are documented in score.h. */
#include "score.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

double score_round2(double x)
{
    double a = fabs(x);
    double f = floor(a * 100.0);
    /* a * 100 is itself rounded and may land exactly on a half that the exact value is not on;
     * fma computes 100a - (f + 1/2) with one rounding, which keeps the exact sign. */
    if (fma(a, 100.0, -(f + 0.5)) >= 0)
        f += 1.0;
    double r = f / 100.0;
    return x < 0 && r != 0 ? -r : r;
}

const char *score_stage_name(int stage)
{
    static const char *const names[] = {
        "Not started", "Start-up", "Formative", "Established", "Strategic", "Dynamic",
    };
    if (stage < 0 || stage > SCORE_LEVEL_MAX)
        return "Unknown";
    return names[stage];
}

bool score_gap_matches(const struct score_gap *g, double min_severity,
                       const char *const *topics, size_t n_topics)
{
    if (g->severity < min_severity)
        return false;
    if (n_topics == 0)
        return true;
    for (size_t i = 0; i < g->n_topics; i++)
        for (size_t j = 0; j < n_topics; j++)
            if (strcmp(g->topics[i], topics[j]) == 0)
                return true;
    return false;
}

/* ---- score_compute ---- */

/* What the answers say about one question, indexed like q->questions. */
struct slot {
    size_t section; /* index into the result's sections */
    int level;      /* SCORE_UNANSWERED until answered */
    int target;
    size_t answer;  /* 1 + index of its answer, 0 when none: finds duplicates */
};

static int cmp_section_number(const void *a, const void *b)
{
    const struct score_section *x = a, *y = b;
    return (x->number > y->number) - (x->number < y->number);
}

static int cmp_question_number(const void *a, const void *b)
{
    const struct score_question_def *const *x = a, *const *y = b;
    return ((*x)->number > (*y)->number) - ((*x)->number < (*y)->number);
}

static int cmp_question_id(const void *a, const void *b)
{
    const struct score_question_def *const *x = a, *const *y = b;
    return strcmp((*x)->id, (*y)->id);
}

static int cmp_gap(const void *a, const void *b)
{
    const struct score_gap *x = a, *y = b;
    if (x->severity != y->severity)
        return x->severity < y->severity ? 1 : -1;
    return (x->number > y->number) - (x->number < y->number);
}

static size_t find_section(const struct score_result *r, const char *id)
{
    for (size_t k = 0; k < r->n_sections; k++)
        if (strcmp(r->sections[k].id, id) == 0)
            return k;
    return r->n_sections;
}

/* Fills r->sections in number order, refusing duplicate ids and numbers. */
static int sections_init(struct score_result *r, const struct score_questionnaire *q,
                         struct err *e)
{
    if (q->n_sections == 0)
        return err_set(e, ERR_INVALID_ARGUMENT, "questionnaire has no sections");
    r->sections = xcalloc(q->n_sections, sizeof *r->sections);
    for (size_t i = 0; i < q->n_sections; i++) {
        if (find_section(r, q->sections[i].id) < r->n_sections)
            return err_field_at(e, "sections", i, "id", "\"%s\" appears twice",
                                q->sections[i].id);
        struct score_section *s = &r->sections[r->n_sections++];
        s->id = q->sections[i].id;
        s->title = q->sections[i].title;
        s->number = q->sections[i].number;
    }
    qsort(r->sections, r->n_sections, sizeof *r->sections, cmp_section_number);
    for (size_t k = 1; k < r->n_sections; k++)
        if (r->sections[k].number == r->sections[k - 1].number)
            return err_set(e, ERR_INVALID_ARGUMENT, "section number %d appears twice",
                           r->sections[k].number);
    return 0;
}

/* Records each answer in its question's slot; by_id is q->questions sorted by id. */
static int answers_apply(struct slot *slots, const struct score_questionnaire *q,
                         const struct score_question_def **by_id,
                         const struct score_answer *answers, size_t n_answers, struct err *e)
{
    for (size_t i = 0; i < n_answers; i++) {
        const struct score_answer *a = &answers[i];
        if (a->level != SCORE_UNANSWERED && (a->level < 0 || a->level > SCORE_LEVEL_MAX))
            return err_field_at(e, "answers", i, "level",
                                "%d, expected 0-5 or unanswered", a->level);
        if (a->target != SCORE_NO_TARGET && (a->target < 0 || a->target > SCORE_LEVEL_MAX))
            return err_field_at(e, "answers", i, "target",
                                "%d, expected 0-5 or none", a->target);
        struct score_question_def key = {.id = a->question_id};
        const struct score_question_def *pkey = &key;
        const struct score_question_def **hit =
            bsearch(&pkey, by_id, q->n_questions, sizeof *by_id, cmp_question_id);
        if (hit == NULL)
            return err_field_at(e, "answers", i, "question_id",
                                "\"%s\" is not a question of the questionnaire", a->question_id);
        struct slot *s = &slots[*hit - q->questions];
        if (s->answer != 0)
            return err_field_at(e, "answers", i, "question_id",
                                "\"%s\" was already answered in answers[%zu]", a->question_id,
                                s->answer - 1);
        s->answer = i + 1;
        s->level = a->level;
        s->target = a->target == SCORE_NO_TARGET ? SCORE_DEFAULT_TARGET : a->target;
    }
    return 0;
}

static double weight_of(const struct score_question_def *d)
{
    return d->weight == 0 ? 1.0 : d->weight;
}

/* Fills the figures of r from the slots, visiting questions in number order (by_num). */
static int figures_compute(struct score_result *r, const struct score_questionnaire *q,
                           const struct score_question_def **by_num, const struct slot *slots,
                           struct err *e)
{
    int answered = 0;
    double sum_scores = 0;
    r->overall_stage = SCORE_LEVEL_MAX;
    for (size_t k = 0; k < r->n_sections; k++) {
        struct score_section *sec = &r->sections[k];
        double num = 0, den = 0;
        sec->stage = SCORE_LEVEL_MAX;
        for (size_t i = 0; i < q->n_questions; i++) {
            const struct slot *s = &slots[by_num[i] - q->questions];
            if (s->section != k)
                continue;
            int level = s->level == SCORE_UNANSWERED ? 0 : s->level;
            double w = weight_of(by_num[i]);
            num += w * level;
            den += w;
            sec->total++;
            sec->answered += s->level != SCORE_UNANSWERED;
            if (level < sec->stage)
                sec->stage = level;
        }
        if (sec->total == 0)
            return err_set(e, ERR_INVALID_ARGUMENT, "section \"%s\" has no questions", sec->id);
        double score = 100.0 * num / (SCORE_LEVEL_MAX * den);
        sum_scores += score;
        sec->score = score_round2(score);
        answered += sec->answered;
        if (sec->stage < r->overall_stage)
            r->overall_stage = sec->stage;
    }
    r->overall_index = score_round2(sum_scores / (double)r->n_sections);
    r->completeness = (double)answered / (double)q->n_questions;

    r->gaps = xcalloc(q->n_questions, sizeof *r->gaps);
    r->assessment_needed = xcalloc(q->n_questions, sizeof *r->assessment_needed);
    for (size_t i = 0; i < q->n_questions; i++) {
        const struct score_question_def *d = by_num[i];
        const struct slot *s = &slots[d - q->questions];
        if (s->level == SCORE_UNANSWERED) {
            r->assessment_needed[r->n_assessment_needed++] = d->id;
        } else if (s->target > s->level) {
            struct score_gap *g = &r->gaps[r->n_gaps++];
            g->question_id = d->id;
            g->section_id = d->section_id;
            g->number = d->number;
            g->level = s->level;
            g->target = s->target;
            g->severity = score_round2(weight_of(d) * (s->target - s->level));
            g->topics = d->topics;
            g->n_topics = d->n_topics;
        }
    }
    qsort(r->gaps, r->n_gaps, sizeof *r->gaps, cmp_gap);
    return 0;
}

int score_compute(const struct score_questionnaire *q, const struct score_answer *answers,
                  size_t n_answers, struct score_result **out, struct err *e)
{
    struct score_result *r = xcalloc(1, sizeof *r);
    const struct score_question_def **by_id = xcalloc(q->n_questions, sizeof *by_id);
    const struct score_question_def **by_num = xcalloc(q->n_questions, sizeof *by_num);
    struct slot *slots = xcalloc(q->n_questions, sizeof *slots);
    int rc = -1;

    *out = NULL;
    if (sections_init(r, q, e) != 0)
        goto done;
    for (size_t i = 0; i < q->n_questions; i++) {
        const struct score_question_def *d = &q->questions[i];
        if (!isfinite(d->weight) || d->weight < 0) {
            err_field_at(e, "questions", i, "weight", "%g, expected > 0", d->weight);
            goto done;
        }
        slots[i].section = find_section(r, d->section_id);
        if (slots[i].section == r->n_sections) {
            err_field_at(e, "questions", i, "section_id",
                         "\"%s\" is not a section of the questionnaire", d->section_id);
            goto done;
        }
        slots[i].level = SCORE_UNANSWERED;
        by_id[i] = by_num[i] = d;
    }
    qsort(by_id, q->n_questions, sizeof *by_id, cmp_question_id);
    qsort(by_num, q->n_questions, sizeof *by_num, cmp_question_number);
    for (size_t i = 1; i < q->n_questions; i++) {
        if (strcmp(by_id[i]->id, by_id[i - 1]->id) == 0) {
            err_set(e, ERR_INVALID_ARGUMENT, "question id \"%s\" appears twice", by_id[i]->id);
            goto done;
        }
        if (by_num[i]->number == by_num[i - 1]->number) {
            err_set(e, ERR_INVALID_ARGUMENT, "question number %d appears twice",
                    by_num[i]->number);
            goto done;
        }
    }
    if (answers_apply(slots, q, by_id, answers, n_answers, e) != 0)
        goto done;
    if (figures_compute(r, q, by_num, slots, e) != 0)
        goto done;
    *out = r;
    r = NULL;
    rc = 0;
done:
    score_result_free(r);
    free(by_id);
    free(by_num);
    free(slots);
    return rc;
}

void score_result_free(struct score_result *r)
{
    if (r == NULL)
        return;
    free(r->sections);
    free(r->gaps);
    free(r->assessment_needed);
    free(r);
}

/* ---- trends and benchmarks ---- */

/* A published figure in whole hundredths: exact, since the figure has 2 decimals. Trends and
 * benchmarks work in these, so that averages and deltas agree with a hand computation. */
static long long cents(double figure)
{
    return llround(figure * 100.0);
}

/* The figure a - b, exactly. */
static double cents_delta(double a, double b)
{
    return (double)(cents(a) - cents(b)) / 100.0;
}

/* The figure num / den hundredths (num >= 0, den > 0), rounded half up, exactly. */
static double cents_ratio(long long num, long long den)
{
    return (double)((2 * num + den) / (2 * den)) / 100.0;
}

/* The index of section id in values, or n when absent. */
static size_t find_value(const struct score_section_value *values, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(values[i].section_id, id) == 0)
            return i;
    return n;
}

static bool figure_valid(double figure)
{
    return figure >= 0 && figure <= 100;
}

/* Refuses a figure outside 0-100 or a section listed twice; what names the list in the message,
 * e.g. "points". */
static int figures_check(double overall, const struct score_section_value *values, size_t n,
                         const char *what, size_t index, struct err *e)
{
    if (!figure_valid(overall))
        return err_field_at(e, what, index, "overall_index", "%g, expected 0-100", overall);
    char sections[64];
    snprintf(sections, sizeof sections, "%s[%zu].sections", what, index);
    for (size_t j = 0; j < n; j++) {
        if (!figure_valid(values[j].score))
            return err_field_at(e, sections, j, "score", "%g, expected 0-100", values[j].score);
        if (find_value(values, j, values[j].section_id) < j)
            return err_field_at(e, sections, j, "section_id", "\"%s\" appears twice",
                                values[j].section_id);
    }
    return 0;
}

static int cmp_point_cycle(const void *a, const void *b)
{
    const struct score_trend_point *const *x = a, *const *y = b;
    return ((*x)->cycle > (*y)->cycle) - ((*x)->cycle < (*y)->cycle);
}

int score_trend_compute(const struct score_trend_point *points, size_t n_points,
                        const char *questionnaire_id, struct score_trend **out, struct err *e)
{
    const struct score_trend_point **kept = xcalloc(n_points, sizeof *kept);
    struct score_trend *t = NULL;
    size_t n_kept = 0;
    int rc = -1;

    *out = NULL;
    for (size_t i = 0; i < n_points; i++) {
        if (figures_check(points[i].overall_index, points[i].sections, points[i].n_sections,
                          "points", i, e) != 0)
            goto done;
        if (strcmp(points[i].questionnaire_id, questionnaire_id) == 0)
            kept[n_kept++] = &points[i];
    }
    qsort(kept, n_kept, sizeof *kept, cmp_point_cycle);
    for (size_t k = 1; k < n_kept; k++) {
        if (kept[k]->cycle == kept[k - 1]->cycle) {
            err_field_at(e, "points", (size_t)(kept[k] - points), "cycle", "%d appears twice",
                         kept[k]->cycle);
            goto done;
        }
    }
    t = xcalloc(1, sizeof *t);
    t->cycles = xcalloc(n_kept, sizeof *t->cycles);
    for (size_t k = 0; k < n_kept; k++) {
        const struct score_trend_point *p = kept[k], *prev = k > 0 ? kept[k - 1] : NULL;
        struct score_trend_cycle *c = &t->cycles[t->n_cycles++];
        c->cycle = p->cycle;
        c->questionnaire_version = p->questionnaire_version;
        c->overall_index = p->overall_index;
        if (prev != NULL) {
            c->version_changed = p->questionnaire_version != prev->questionnaire_version;
            c->has_delta = true;
            c->overall_delta = cents_delta(p->overall_index, prev->overall_index);
        }
        c->sections = xcalloc(p->n_sections, sizeof *c->sections);
        for (size_t j = 0; j < p->n_sections; j++) {
            struct score_trend_section *s = &c->sections[c->n_sections++];
            s->section_id = p->sections[j].section_id;
            s->score = p->sections[j].score;
            if (prev == NULL)
                continue;
            size_t m = find_value(prev->sections, prev->n_sections, s->section_id);
            if (m < prev->n_sections) {
                s->has_delta = true;
                s->delta = cents_delta(s->score, prev->sections[m].score);
            }
        }
    }
    *out = t;
    t = NULL;
    rc = 0;
done:
    score_trend_free(t);
    free(kept);
    return rc;
}

void score_trend_free(struct score_trend *t)
{
    if (t == NULL)
        return;
    for (size_t k = 0; k < t->n_cycles; k++)
        free(t->cycles[k].sections);
    free(t->cycles);
    free(t);
}

static int cmp_entry_state(const void *a, const void *b)
{
    const struct score_benchmark_entry *const *x = a, *const *y = b;
    return strcmp((*x)->state, (*y)->state);
}

/* Adds the average of section id over the entries, unless too few States report it. */
static void benchmark_add_section(struct score_benchmark *b,
                                  const struct score_benchmark_entry **by_state, const char *id)
{
    long long sum = 0;
    size_t count = 0;
    for (size_t i = 0; i < b->count; i++) {
        const struct score_benchmark_entry *en = by_state[i];
        size_t m = find_value(en->sections, en->n_sections, id);
        if (m < en->n_sections) {
            sum += cents(en->sections[m].score);
            count++;
        }
    }
    if (count < SCORE_BENCHMARK_MIN_STATES)
        return;
    struct score_benchmark_section *s = &b->sections[b->n_sections++];
    s->section_id = id;
    s->average = cents_ratio(sum, (long long)count);
    s->count = count;
}

int score_benchmark_compute(const struct score_benchmark_entry *entries, size_t n_entries,
                            const char *state, struct score_benchmark **out, struct err *e)
{
    const struct score_benchmark_entry **by_state = xcalloc(n_entries, sizeof *by_state);
    struct score_benchmark *b = NULL;
    size_t n_values = 0;
    int rc = -1;

    *out = NULL;
    for (size_t i = 0; i < n_entries; i++) {
        if (figures_check(entries[i].overall_index, entries[i].sections, entries[i].n_sections,
                          "entries", i, e) != 0)
            goto done;
        by_state[i] = &entries[i];
        n_values += entries[i].n_sections;
    }
    qsort(by_state, n_entries, sizeof *by_state, cmp_entry_state);
    for (size_t i = 1; i < n_entries; i++) {
        if (strcmp(by_state[i]->state, by_state[i - 1]->state) == 0) {
            err_field_at(e, "entries", (size_t)(by_state[i] - entries), "state",
                         "\"%s\" appears twice", by_state[i]->state);
            goto done;
        }
    }
    if (n_entries < SCORE_BENCHMARK_MIN_STATES) {
        err_set(e, ERR_FAILED_PRECONDITION, "benchmark needs at least %d States, the group has %zu",
                SCORE_BENCHMARK_MIN_STATES, n_entries);
        goto done;
    }

    b = xcalloc(1, sizeof *b);
    b->count = n_entries;
    long long sum = 0;
    for (size_t i = 0; i < n_entries; i++)
        sum += cents(entries[i].overall_index);
    b->overall_average = cents_ratio(sum, (long long)n_entries);

    b->sections = xcalloc(n_values, sizeof *b->sections);
    for (size_t i = 0; i < n_entries; i++) {
        const struct score_benchmark_entry *en = by_state[i];
        for (size_t j = 0; j < en->n_sections; j++) {
            const char *id = en->sections[j].section_id;
            bool first = true;
            for (size_t p = 0; p < i && first; p++)
                first = find_value(by_state[p]->sections, by_state[p]->n_sections, id) ==
                        by_state[p]->n_sections;
            if (first)
                benchmark_add_section(b, by_state, id);
        }
    }

    for (size_t i = 0; state != NULL && i < n_entries; i++) {
        if (strcmp(entries[i].state, state) != 0)
            continue;
        long long mine = cents(entries[i].overall_index);
        size_t above = 0, below = 0;
        for (size_t j = 0; j < n_entries; j++) {
            above += cents(entries[j].overall_index) > mine;
            below += cents(entries[j].overall_index) < mine;
        }
        b->has_position = true;
        b->rank = (int)above + 1;
        b->percentile = cents_ratio(10000 * (long long)below, (long long)n_entries - 1);
    }
    *out = b;
    b = NULL;
    rc = 0;
done:
    score_benchmark_free(b);
    free(by_state);
    return rc;
}

void score_benchmark_free(struct score_benchmark *b)
{
    if (b == NULL)
        return;
    free(b->sections);
    free(b);
}
