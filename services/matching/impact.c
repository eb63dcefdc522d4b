/* impact.c: GetImpactReport's computation (impact.h): before and after levels of each completed
 * match's question, and the summaries by donor, kind, topic and region, with the comparison group
 * and the suppression of small cells. Pure: no I/O; tests/unit/test_matching_impact.c. */
#include <stdlib.h>
#include <string.h>

#include "impact.h"

static const char *const dimension_names[IMPACT_DIMENSIONS] = {"donor", "kind", "topic", "region"};

const char *impact_dimension_name(int dimension)
{
    return dimension >= 0 && dimension < IMPACT_DIMENSIONS ? dimension_names[dimension] : NULL;
}

static bool cycle_readable(const struct impact_input *in, const char *state, int cycle)
{
    for (size_t i = 0; i < in->n_cycles; i++)
        if (in->cycles[i].cycle == cycle && strcmp(in->cycles[i].state, state) == 0)
            return true;
    return false;
}

/* The level of `question` in `state`'s readable assessment of `cycle`, or -1 when unanswered. */
static int level_of(const struct impact_input *in, const char *state, int cycle, const char *question)
{
    for (size_t i = 0; i < in->n_levels; i++) {
        const struct impact_level *l = &in->levels[i];
        if (l->cycle == cycle && strcmp(l->state, state) == 0 && strcmp(l->question, question) == 0)
            return l->level;
    }
    return -1;
}

static bool supported(const struct impact_input *in, const char *state, const char *question)
{
    for (size_t i = 0; i < in->n_supported; i++)
        if (strcmp(in->supported[i].state, state) == 0 &&
            strcmp(in->supported[i].question, question) == 0)
            return true;
    return false;
}

/* Before: the gap's own cycle. After: the first later cycle the caller may read that is not
 * earlier than the completion (a cycle's report describes the State at the end of its year, so
 * support completed during year Y shows from cycle Y on). */
/* The reason as a code and its figures (see struct impact_case); `second` 0 for none. */
static void why_coded(struct arena *a, struct impact_case *c, const char *code, int first, int second)
{
    c->why_code = code;
    c->why_args[c->n_why_args++] = arena_printf(a, "%d", first);
    if (second != 0)
        c->why_args[c->n_why_args++] = arena_printf(a, "%d", second);
}

static void measure(struct arena *a, const struct impact_input *in, const struct impact_match *m,
                    struct impact_case *c)
{
    memset(c, 0, sizeof *c);
    c->before_cycle = m->source_cycle;
    c->before_readable = cycle_readable(in, m->recipient, m->source_cycle);
    for (size_t i = 0; i < in->n_cycles; i++) {
        const struct impact_cycle *y = &in->cycles[i];
        if (strcmp(y->state, m->recipient) == 0 && y->cycle > m->source_cycle &&
            y->cycle >= m->completed_year && (c->after_cycle == 0 || y->cycle < c->after_cycle))
            c->after_cycle = y->cycle;
    }
    if (!c->before_readable) {
        c->why = arena_printf(a, "the assessment of cycle %d is not one you may read",
                              m->source_cycle);
        why_coded(a, c, "unreadable", m->source_cycle, 0);
        return;
    }
    if (c->after_cycle == 0) {
        c->why = arena_printf(a, "no assessment you may read of a cycle after %d and from %d on",
                              m->source_cycle, m->completed_year);
        why_coded(a, c, "no-later-cycle", m->source_cycle, m->completed_year);
        return;
    }
    c->before = level_of(in, m->recipient, c->before_cycle, m->question);
    c->after = level_of(in, m->recipient, c->after_cycle, m->question);
    if (c->before < 0 || c->after < 0) {
        c->why = arena_printf(a, "%s is unanswered in cycle %d", m->question,
                              c->before < 0 ? c->before_cycle : c->after_cycle);
        why_coded(a, c, "unanswered", c->before < 0 ? c->before_cycle : c->after_cycle, 0);
        c->why_args[c->n_why_args++] = m->question;
        c->before = c->after = 0;
        return;
    }
    c->measured = true;
}

static const char *key_of(const struct impact_match *m, int dimension)
{
    switch (dimension) {
    case IMPACT_DONOR: return m->donor;
    case IMPACT_KIND: return m->kind;
    case IMPACT_TOPIC: return m->topic;
    default: return m->region;
    }
}

static bool in_list(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

/* One (State, before, after) whose unsupported questions join the comparison group. */
struct span {
    const char *state;
    int before, after;
};

/* The comparison group of the cell whose measured cases are `sel` (indices into in->matches):
 * the other questions of the same States over the same cycles, with no completed support,
 * answered in both. */
static void compare(struct arena *a, const struct impact_input *in, const struct impact_case *cases,
                    const size_t *sel, size_t n_sel, struct impact_cell *cell)
{
    struct span *spans = ARENA_ARRAY(a, struct span, n_sel + 1);
    size_t n_spans = 0;
    for (size_t i = 0; i < n_sel; i++) {
        const struct impact_case *c = &cases[sel[i]];
        struct span s = {in->matches[sel[i]].recipient, c->before_cycle, c->after_cycle};
        bool seen = false;
        for (size_t j = 0; j < n_spans && !seen; j++)
            seen = spans[j].before == s.before && spans[j].after == s.after &&
                   strcmp(spans[j].state, s.state) == 0;
        if (!seen)
            spans[n_spans++] = s;
    }
    int n = 0;
    long sum = 0;
    for (size_t j = 0; j < n_spans; j++)
        for (size_t i = 0; i < in->n_levels; i++) {
            const struct impact_level *l = &in->levels[i];
            if (l->cycle != spans[j].before || strcmp(l->state, spans[j].state) != 0 ||
                supported(in, l->state, l->question))
                continue;
            int after = level_of(in, l->state, spans[j].after, l->question);
            if (after < 0)
                continue;
            n++;
            sum += after - l->level;
        }
    cell->comparison_cases = n;
    cell->comparison_shown = n >= IMPACT_MIN_COMPARISON;
    if (cell->comparison_shown)
        cell->comparison_mean_change = (double)sum / n;
    else
        cell->comparison_cases = 0;
}

static int cmp_key(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

void impact_compute(struct arena *a, const struct impact_input *in, struct impact_result *out)
{
    size_t n = in->n_matches;
    out->cases = ARENA_ARRAY(a, struct impact_case, n + 1);
    for (size_t i = 0; i < n; i++)
        measure(a, in, &in->matches[i], &out->cases[i]);
    out->cells = ARENA_ARRAY(a, struct impact_cell, IMPACT_DIMENSIONS * n + 1);
    out->n_cells = 0;
    const char **keys = ARENA_ARRAY(a, const char *, n + 1), **states = ARENA_ARRAY(a, const char *, n + 1),
               **measured_states = ARENA_ARRAY(a, const char *, n + 1);
    size_t *sel = ARENA_ARRAY(a, size_t, n + 1);
    for (int d = 0; d < IMPACT_DIMENSIONS; d++) {
        size_t n_keys = 0;
        for (size_t i = 0; i < n; i++)
            if (!in_list(keys, n_keys, key_of(&in->matches[i], d)))
                keys[n_keys++] = key_of(&in->matches[i], d);
        qsort(keys, n_keys, sizeof *keys, cmp_key);
        for (size_t k = 0; k < n_keys; k++) {
            struct impact_cell *cell = &out->cells[out->n_cells++];
            memset(cell, 0, sizeof *cell);
            cell->dimension = d;
            cell->key = keys[k];
            size_t n_states = 0, n_measured_states = 0, n_sel = 0;
            long sum = 0;
            for (size_t i = 0; i < n; i++) {
                const struct impact_match *m = &in->matches[i];
                if (strcmp(key_of(m, d), keys[k]) != 0)
                    continue;
                if (!in_list(states, n_states, m->recipient))
                    states[n_states++] = m->recipient;
                cell->matches++;
                cell->delivered += m->delivered;
                if (!out->cases[i].measured)
                    continue;
                if (!in_list(measured_states, n_measured_states, m->recipient))
                    measured_states[n_measured_states++] = m->recipient;
                sel[n_sel++] = i;
                sum += out->cases[i].after - out->cases[i].before;
            }
            cell->states = (int)n_states;
            if (n_states < IMPACT_MIN_STATES) { /* as benchmarks are: no figure at all */
                cell->suppressed = true;
                cell->matches = 0;
                cell->delivered = 0;
                continue;
            }
            cell->cases = (int)n_sel;
            cell->change_shown = n_measured_states >= IMPACT_MIN_STATES;
            if (!cell->change_shown) {
                cell->cases = 0;
                continue;
            }
            cell->mean_change = (double)sum / (double)n_sel;
            compare(a, in, out->cases, sel, n_sel, cell);
        }
    }
}
