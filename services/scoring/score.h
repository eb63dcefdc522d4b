/* score.h: the cmm-v1 maturity model: section scores and stages, the overall index, gaps,
 * trends across cycles and peer benchmarks. Pure C11: no I/O, no clock, no globals.
 *
 * The model, so that a State can recompute its figures by hand (docs/scoring-model.md):
 *   - A question is answered with a level 0-5: 0 Not started, 1 Start-up, 2 Formative,
 *     3 Established, 4 Strategic, 5 Dynamic. An unanswered question counts as level 0.
 *   - Section score = 100 x sum(w x level) / (5 x sum(w)) over the section's questions, where w is
 *     the question's weight. Section stage = the lowest level in the section.
 *   - Overall index = the mean of the section scores (each section weighs the same).
 *     Overall stage = the lowest section stage.
 *   - Gap: each ANSWERED question whose target is above its level, the target being the State's
 *     own or 3 (Established) when it gave none: severity = w x (target - level). Gaps are ordered
 *     by severity, highest first, then by question number. Unanswered questions are never gaps
 *     (that would reward not answering): they are listed apart as "assessment needed".
 *   - Completeness = answered questions / all questions.
 *   Example: a section of q1 (weight 1, level 2) and q2 (weight 2, level 4) scores
 *   100 x (1x2 + 2x4) / (5 x 3) = 1000 / 15 = 66.666... -> 66.67, stage 2 (Formative); with the
 *   default target 3, q1 is a gap of severity 1 x (3 - 2) = 1.
 *
 * Rounding and reproducibility: every figure is computed in IEEE 754 double precision in a fixed
 * order (sums in question number order, then 100 x numerator / denominator; the overall index
 * sums the UNROUNDED section scores in section number order and divides by their count). Only
 * then are the published figures (section scores, overall index, severities) rounded to 2
 * decimals, half away from zero, judged on the exact value of that double (score_round2).
 * Working with exact fractions by hand gives the same figure, except when the fraction lies
 * exactly halfway between two hundredths and is not a binary fraction (e.g. 3/200): the
 * published figure then follows the computed double. Trends and benchmarks start from published
 * figures and work in whole hundredths, exactly: a delta is a difference of published figures,
 * and an average or percentile is rounded half away from zero from the exact fraction, so a hand
 * computation always agrees. The same input always gives bit-identical output.
 *
 * Ownership: results are allocated by their *_compute function and freed by the matching *_free
 * (NULL is a no-op); their strings and topic arrays point into the caller's input, so keep the
 * input alive while reading a result. Every input string must be non-NULL. */
#ifndef UNIC_SCORE_H
#define UNIC_SCORE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define SCORE_MODEL_VERSION "cmm-v1"
#define SCORE_LEVEL_MAX 5
#define SCORE_DEFAULT_TARGET 3 /* Established */
#define SCORE_UNANSWERED (-1)  /* score_answer.level of a question not answered */
#define SCORE_NO_TARGET (-1)   /* score_answer.target when the State set none */
#define SCORE_BENCHMARK_MIN_STATES 3 /* fewer would let a State's figures be singled out */

/* ---- Input: the questionnaire (its MATURITY_LEVEL questions only) and the answers ---- */

struct score_section_def {
    const char *id;
    int number; /* unique within the questionnaire; orders the sections */
    const char *title;
};

struct score_question_def {
    const char *id;
    int number; /* unique within the questionnaire; orders questions and breaks gap ties */
    const char *section_id;
    double weight; /* > 0; 0 means the default, 1, as in catalog.proto */
    const char *const *topics;
    size_t n_topics;
};

struct score_questionnaire {
    const struct score_section_def *sections;
    size_t n_sections;
    const struct score_question_def *questions;
    size_t n_questions;
};

/* A question with no answer, or answered with level SCORE_UNANSWERED, is unanswered. */
struct score_answer {
    const char *question_id;
    int level;  /* 0-5, or SCORE_UNANSWERED */
    int target; /* 0-5, or SCORE_NO_TARGET for the default, 3 */
};

/* ---- Output ---- */

struct score_section {
    const char *id;
    const char *title;
    int number;
    double score; /* 0-100, rounded to 2 decimals */
    int stage;    /* 0-5 */
    int answered;
    int total;
};

struct score_gap {
    const char *question_id;
    const char *section_id;
    int number; /* the question's */
    int level;
    int target;
    double severity; /* rounded to 2 decimals */
    const char *const *topics;
    size_t n_topics;
};

struct score_result {
    struct score_section *sections; /* in section number order */
    size_t n_sections;
    double overall_index; /* 0-100, rounded to 2 decimals */
    int overall_stage;
    struct score_gap *gaps; /* severity descending, then question number ascending */
    size_t n_gaps;
    const char **assessment_needed; /* ids of unanswered questions, in question number order */
    size_t n_assessment_needed;
    double completeness; /* answered / total, 0-1, not rounded */
};

/* Scores answers against a questionnaire. Fails with ERR_INVALID_ARGUMENT, naming the field,
 * on an answer to an unknown question, a level or target outside 0-5, a question answered twice,
 * a bad weight, a question in an unknown section, a duplicate id or number, or a section with
 * no questions. On success *out is the caller's, to free with score_result_free. */
int score_compute(const struct score_questionnaire *q, const struct score_answer *answers,
                  size_t n_answers, struct score_result **out, struct err *e);
void score_result_free(struct score_result *r);

/* "Not started", "Start-up", "Formative", "Established", "Strategic", "Dynamic"; "Unknown" for
 * anything outside 0-5. */
const char *score_stage_name(int stage);

/* x rounded to 2 decimals, half away from zero, on the exact value of the double x. */
double score_round2(double x);

/* Whether a gap passes GetGaps' filters: severity >= min_severity and, when n_topics > 0, at
 * least one of the gap's topics is among topics. */
bool score_gap_matches(const struct score_gap *g, double min_severity,
                       const char *const *topics, size_t n_topics);

/* ---- Trends: published figures of one State across cycles ---- */

struct score_section_value {
    const char *section_id;
    double score; /* a published figure: 0-100, 2 decimals */
};

struct score_trend_point {
    int cycle;
    const char *questionnaire_id;
    int questionnaire_version;
    double overall_index;
    const struct score_section_value *sections;
    size_t n_sections;
};

struct score_trend_section {
    const char *section_id;
    double score;
    bool has_delta; /* false when the previous cycle had no section of this id */
    double delta;   /* score - previous score */
};

struct score_trend_cycle {
    int cycle;
    int questionnaire_version;
    bool version_changed; /* the previous cycle used another version of the questionnaire */
    double overall_index;
    bool has_delta; /* false for the first cycle */
    double overall_delta;
    struct score_trend_section *sections;
    size_t n_sections;
};

struct score_trend {
    struct score_trend_cycle *cycles; /* cycle ascending */
    size_t n_cycles;
};

/* Keeps the points of questionnaire_id (others are not comparable), orders them by cycle and
 * gives each its deltas to the previous kept cycle. A version change is flagged, not hidden.
 * Fails with ERR_INVALID_ARGUMENT on two points of one cycle, a section listed twice or a figure
 * outside 0-100. */
int score_trend_compute(const struct score_trend_point *points, size_t n_points,
                        const char *questionnaire_id, struct score_trend **out, struct err *e);
void score_trend_free(struct score_trend *t);

/* ---- Benchmarks: published figures of a group of States for one cycle ---- */

struct score_benchmark_entry {
    const char *state; /* ISO 3166-1 alpha-3 */
    double overall_index;
    const struct score_section_value *sections;
    size_t n_sections;
};

struct score_benchmark_section {
    const char *section_id;
    double average; /* rounded half away from zero to 2 decimals */
    size_t count;
};

struct score_benchmark {
    size_t count; /* States in the group */
    double overall_average;
    /* In order of first appearance, States taken by code. A section reported by fewer than
     * SCORE_BENCHMARK_MIN_STATES States is left out, for the same reason as the group minimum. */
    struct score_benchmark_section *sections;
    size_t n_sections;
    bool has_position; /* the State asked about is in the group */
    int rank;          /* 1 = highest overall index; equal indices share a rank */
    double percentile; /* 100 x States strictly below / (count - 1): 100 = above all others */
};

/* Averages the group's figures and places state in it (state may be NULL); input order changes
 * nothing. Fails with ERR_FAILED_PRECONDITION below SCORE_BENCHMARK_MIN_STATES States, and with
 * ERR_INVALID_ARGUMENT on a State or a section listed twice or a figure outside 0-100. */
int score_benchmark_compute(const struct score_benchmark_entry *entries, size_t n_entries,
                            const char *state, struct score_benchmark **out, struct err *e);
void score_benchmark_free(struct score_benchmark *b);

#endif
