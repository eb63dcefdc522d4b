/* match_internal.h: what the three files of the solver share and nothing else includes: model.c
 * (the rules, validation, ranking and the compatible arcs), simplex.c (the network simplex over
 * those arcs) and explain.c (the sentences). The public contract is match.h.
 *
 * Ownership: working memory goes through a struct mem, which counts it for the solve's
 * peak_bytes; every match_mem_alloc is released with match_mem_free on the same struct mem.
 * match_alloc_array is plain xmalloc for what the caller gets (a plan, an arc list). */
#ifndef UNIC_MATCH_INTERNAL_H
#define UNIC_MATCH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "match.h"

struct mem {
    size_t cur;
    size_t peak;
};

/* n elements of `size` bytes; a product that overflows is a bug, not a shortage of memory. */
void *match_alloc_array(size_t n, size_t size);
void *match_mem_alloc(struct mem *m, size_t n, size_t size);
void *match_mem_resize(struct mem *m, void *p, size_t n, size_t size);
void match_mem_free(struct mem *m, void *p);

/* rank -> caller index, for offers and for requests */
struct order {
    int32_t *offer;
    int32_t *request;
};

/* The compatible arcs, grouped by request rank (CSR) and within a request by offer rank. */
struct arclist {
    int32_t *offer;   /* offer rank of each arc */
    int32_t *benefit; /* unit benefit of each arc, micro-units (fits int32, see model.c) */
    size_t *first;    /* arcs of request rank k are [first[k], first[k + 1]) */
    size_t n;
};

/* match_validate, keeping the ranks for the solver; on failure *ord holds nothing. */
int match_prepare(const struct match_input *in, struct mem *m, struct order *ord, struct err *e);
/* The compatible arcs of a prepared input, into *a (released with match_arclist_free). */
void match_arcs_build(const struct match_input *in, const struct order *ord, struct mem *m,
                      struct arclist *a);
void match_arclist_free(struct mem *m, struct arclist *a);

/* How rule 4 admits a recipient, for the rule and for the explanation. */
enum eligibility {
    ELIGIBLE_NOT,    /* the offer names States or regions, and r is in none */
    ELIGIBLE_ALL,    /* the offer names neither: open to all States */
    ELIGIBLE_NAMED,  /* r's State is among eligible_states */
    ELIGIBLE_REGION, /* r's region, sub-region or intermediate region is among eligible_regions */
    ELIGIBLE_GROUP,  /* r is a member on as_of of a group among eligible_groups */
};

/* Rule 4; *which is set to the matching eligible_regions or eligible_groups entry for
 * ELIGIBLE_REGION and ELIGIBLE_GROUP. */
enum eligibility match_eligible(const struct match_offer *o, const struct match_request *r,
                                const char **which);
/* Both o and r name languages (so rule 5 applies and the fit is known). */
bool match_languages_known(const struct match_offer *o, const struct match_request *r);
bool match_strs_contain(const char *const *v, size_t n, const char *s);

/* "expert-day" for a quantity of 1; "of expertise", what a quantity is of; NULL when unknown. */
const char *match_kind_unit_one(int kind);
const char *match_kind_what(int kind);

#endif
