/* match_gen.h: realistic, seeded matching instances for the solver's benchmark and its glpsol
 * test, and the run of glpsol (Debian glpk-utils) on the same instance as an LP.
 *
 * Ownership: match_gen_new copies what it needs from its arguments; the instance it returns
 * (offers, requests and every string in them) belongs to the match_gen and lives until
 * match_gen_free. match_gen_states_load returns an array the caller frees with free(). */
#ifndef UNIC_MATCH_GEN_H
#define UNIC_MATCH_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "match.h"

/* One UN Member State, as in data/un_member_states.tsv. */
struct match_gen_state {
    char code[4];        /* ISO 3166-1 alpha-3 */
    char region[48];     /* M49 region */
    char sub_region[48]; /* M49 sub-region */
    bool ldc;
};

/* Reads data/un_member_states.tsv at `path` (header "code m49 name region sub_region
 * intermediate_region") and marks the least developed countries on `as_of` ("YYYY-MM-DD") from
 * data/country_groups.tsv at `groups_path`. */
int match_gen_states_load(const char *path, const char *groups_path, const char *as_of,
                          struct match_gen_state **states, size_t *n, struct err *e);

struct match_gen_params {
    uint64_t seed;
    size_t n_offers;
    /* chance that a recipient has a gap on each of the 18 questions (LDCs a little more) */
    double gap_rate;
    /* mean number of kinds (of 4) each gap topic is requested in */
    double kinds_per_topic;
    const char *as_of; /* "YYYY-MM-DD", copied */
};

/* The base and stress instances of the benchmark (issue 6, "Scale and speed"): 2,000 offers and
 * about 1,100 requests; 20,000 offers and about 11,000 requests. */
extern const struct match_gen_params match_gen_base;
extern const struct match_gen_params match_gen_stress;

/* The donor States the benchmark uses: 45 non-LDC States with mature capabilities. */
extern const char *const match_gen_donors[];
extern const size_t match_gen_n_donors;

struct match_gen;

/* Builds an instance: donors (codes that must be among states) make the offers; every other
 * State is a recipient whose requests derive from random gaps on questions q1..q18, one per gap
 * topic and kind. The same parameters and states give the same instance. */
int match_gen_new(const struct match_gen_params *p, const struct match_gen_state *states,
                  size_t n_states, const char *const *donors, size_t n_donors,
                  struct match_gen **out, struct err *e);
const struct match_input *match_gen_input(const struct match_gen *g);
void match_gen_free(struct match_gen *g);

/* What glpsol found for an instance. */
struct match_glpsol {
    bool optimal;      /* glpsol reported an optimal solution (false: e.g. time limit) */
    int64_t objective; /* sum of unit benefit x glpsol's values, recomputed in integers */
    double reported;   /* the objective as glpsol printed it */
    double ms;         /* wall time of the glpsol process: reading the LP and solving */
};

/* Writes the instance's LP (CPLEX LP format, one column per compatible pair, in arcs' order)
 * into dir, runs `glpsol --lp ... -w ... --tmlim tmlim_sec` with its output in dir too (glpsol
 * unlinks an output file before writing it, so never a shared path), reads the solution, and
 * removes its files from dir (the caller owns dir). */
int match_gen_glpsol(const struct match_input *in, const struct match_arcs *arcs, const char *dir,
                     int tmlim_sec, struct match_glpsol *out, struct err *e);

#endif
