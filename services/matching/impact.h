/* impact.h: the measured effect of capacity building (GetImpactReport; docs/matching-model.md,
 * "Impact"), pure: from completed matches and the assessments the caller may read, each match's
 * level on the question it addressed before and after, and summaries by donor, kind, topic and
 * region with a comparison group of unsupported questions and small cells suppressed.
 *
 * Privacy: the input holds only what the caller may read (the service fills it by asking the
 * responses service with the caller's credentials), so nothing computed here comes from an
 * assessment the caller may not read; a match whose assessments are not readable is listed
 * without levels and counts in no mean.
 *
 * Ownership: everything in the input is the caller's and must outlive the call; the result is
 * built in the caller's arena. */
#ifndef UNIC_MATCHING_IMPACT_H
#define UNIC_MATCHING_IMPACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"

#define IMPACT_MIN_STATES 3     /* a cell of fewer recipient States is suppressed */
#define IMPACT_MIN_COMPARISON 5 /* the comparison group is shown from this many questions */

/* A completed match that addressed a question (its request came from a gap). */
struct impact_match {
    const char *id;
    const char *donor, *recipient; /* alpha-3 */
    const char *kind;              /* "TRAINING", ... */
    const char *topic, *region;
    const char *question;          /* the gap's question */
    int source_cycle;              /* the cycle the gap was found in: "before" */
    int completed_year;            /* of the completion: "after" is no earlier cycle */
    int64_t delivered;
};

/* An answered question of an assessment the caller may read. */
struct impact_level {
    const char *state;
    int cycle;
    const char *question;
    int level; /* 0..5 */
};

/* An assessment the caller may read (answered or not). */
struct impact_cycle {
    const char *state;
    int cycle;
};

/* A question of a State that a completed match addressed, readable or not: such a question is
 * never in a comparison group. */
struct impact_support {
    const char *state, *question;
};

struct impact_input {
    const struct impact_match *matches;
    size_t n_matches;
    const struct impact_level *levels;
    size_t n_levels;
    const struct impact_cycle *cycles;
    size_t n_cycles;
    const struct impact_support *supported;
    size_t n_supported;
};

struct impact_case {
    bool before_readable;          /* the gap's assessment: its question may be shown */
    bool measured;                 /* both levels known */
    int before_cycle, after_cycle; /* after_cycle 0 when there is none yet */
    int before, after;             /* levels, when measured */
    const char *why;               /* when not measured, in words (English) */
    /* The same as a stable code and its arguments, for the reader's language: the portal's
     * messages "imp.why.<code>" with {0}, {1} (test_web_static checks each code has them). */
    const char *why_code;
    const char *why_args[2];
    size_t n_why_args;
};

enum impact_dimension { IMPACT_DONOR, IMPACT_KIND, IMPACT_TOPIC, IMPACT_REGION, IMPACT_DIMENSIONS };

struct impact_cell {
    int dimension;        /* enum impact_dimension */
    const char *key;
    int states;           /* distinct recipient States of the cell's matches */
    bool suppressed;      /* states < IMPACT_MIN_STATES: no figure below is given */
    int matches;
    int64_t delivered;
    int cases;            /* measured matches */
    bool change_shown;    /* the measured cases come from at least IMPACT_MIN_STATES States */
    double mean_change;
    int comparison_cases; /* unsupported questions of the cell's measured States, same cycles */
    bool comparison_shown; /* comparison_cases >= IMPACT_MIN_COMPARISON */
    double comparison_mean_change;
};

struct impact_result {
    struct impact_case *cases; /* one per input match, in its order */
    struct impact_cell *cells; /* by dimension, then key */
    size_t n_cells;
};

/* Computes the report; cannot fail. */
void impact_compute(struct arena *a, const struct impact_input *in, struct impact_result *out);

/* "donor", "kind", "topic", "region". */
const char *impact_dimension_name(int dimension);

#endif
