/* match.h: the matching solver: which donor offers can serve which recipient requests, what one
 * unit is worth, and the plan of maximum total benefit, computed exactly. Pure: no I/O, no globals.
 * The model is in model.c, the network simplex in simplex.c, the sentences in explain.c.
 *
 * Ownership: the caller owns every input (structs, arrays and strings) and they must outlive the
 * call; the solver never keeps or frees them. A plan is allocated by match_solve and freed by
 * match_plan_free; an arc list by match_arcs_new and match_arcs_free. Both frees accept NULL.
 *
 * THE MODEL (docs/matching-model.md explains it and quotes this comment)
 *
 * Compatibility. Offer o can serve request r when all of these hold:
 *   1. same kind;
 *   2. one of r's topics is among o's topics (a request derived from a gap carries every topic
 *      of the gap's question: topics say what fits, they do not multiply the need);
 *   3. o's donor State is not r's recipient State;
 *   4. r's recipient is eligible: if o names no States, no regions and no groups, every State
 *      is; otherwise being in any one of the lists it names is enough (OR: "these regions and
 *      the least developed countries, plus these named States"). A region entry matches the
 *      recipient's M49 region, sub-region or intermediate region, exactly; a group entry ("LDC",
 *      "SIDS", "LLDC") matches when the recipient is a member on the plan date (r's groups,
 *      which the caller computes for as_of);
 *   5. languages overlap, when both o and r name some (either list empty = no constraint);
 *   6. valid_from <= as_of <= valid_until (an empty or NULL bound is open);
 *   7. o's remaining capacity and r's remaining quantity are both > 0.
 *
 * Benefit of one unit of o sent to r, in micro-units (MATCH_BENEFIT_SCALE = 10^6 = 1.0):
 *
 *   benefit = priority * severity_milli * ldc_factor2 * (1000 - weak_fit_permille) / 2
 *
 *   - priority is r's 1..5; severity_milli is r's gap severity in thousandths, 0 meaning "no gap
 *     known", counted as 1000 (1.0);
 *   - ldc_factor2 is 3 for a recipient that is a least developed country on the plan date (r's
 *     ldc, which the caller computes for as_of) and 2 otherwise: the x1.5 of
 *     docs/matching-model.md, kept exact by the final halving;
 *   - weak_fit_permille, the penalty for weak fit, in thousandths of the benefit:
 *       MATCH_PENALTY_NO_LANGUAGE (10) when o or r names no language (the fit is unknown), plus
 *       MATCH_PENALTY_PER_TOPIC (2) for each topic beyond the first that o spreads over, counting
 *       at most MATCH_PENALTY_TOPICS_MAX (10) such topics: a generic offer fits less precisely
 *       than a targeted one.
 *     So the penalty is 0..3% of the unit's worth: it settles choices between otherwise equal
 *     pairs and can never make a compatible pair worthless. Every term is even, so the product is
 *     even and the halving exact: all arithmetic is in int64 integers, without rounding.
 *   Example: priority 3, severity 2.5, LDC, offer with 2 topics and shared language:
 *     3 * 2500 * 3 * (1000 - 2) / 2 = 11227500, i.e. 11.2275 = 3 * 2.5 * 1.5 * 0.998.
 *   Bounds: severity <= MATCH_SEVERITY_MILLI_MAX (100.0), so one unit is worth at most 7.5e8 and
 *   a plan's total is checked against int64 overflow before solving.
 *
 * Objective. Integer flows x(o,r) >= 0 on compatible pairs with sum_r x(o,r) <= o's remaining and
 * sum_o x(o,r) <= r's remaining, maximising sum benefit(o,r) * x(o,r). Not all capacity need be
 * used: this is a maximum-weight transportation problem, solved exactly by a primal network
 * simplex (see simplex.c). Its optimum equals the LP optimum (the constraint matrix is totally
 * unimodular), which tests/unit/test_match_glpk.c checks against glpsol.
 *
 * Determinism. The solver sorts offers and requests by id before anything else, so the plan is a
 * function of the ids and data, never of the order the caller passed them in. When several plans
 * reach the optimum, which one is returned depends only on the ids.
 */
#ifndef UNIC_MATCH_H
#define UNIC_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Numbered as unic.common.v1.SupportKind, so proto values convert by cast. */
enum match_kind {
    MATCH_KIND_EXPERTISE = 1, /* expert-days */
    MATCH_KIND_FUNDS = 2,     /* thousand USD */
    MATCH_KIND_EQUIPMENT = 3, /* units */
    MATCH_KIND_TRAINING = 4,  /* seats */
};

enum match_unmet_reason {
    /* no offer passed the compatibility rules for this request */
    MATCH_UNMET_NO_COMPATIBLE_OFFER = 1,
    /* compatible offers existed, but their capacity ran out or went to higher-benefit requests */
    MATCH_UNMET_CAPACITY_EXHAUSTED = 2,
};

#define MATCH_BENEFIT_SCALE INT64_C(1000000) /* benefit fixed point: 10^6 = 1.0 */
#define MATCH_QUANTITY_MAX INT64_C(1000000000) /* capacities and quantities: 0..10^9 */
#define MATCH_SEVERITY_MILLI_MAX INT64_C(100000) /* severity 0..100.0, in thousandths */
#define MATCH_PENALTY_NO_LANGUAGE 10 /* permille, see the model above */
#define MATCH_PENALTY_PER_TOPIC 2
#define MATCH_PENALTY_TOPICS_MAX 10

/* Lists of strings are a pointer to n pointers (NULL allowed when n is 0) to non-empty
 * NUL-terminated strings, as protobuf-c lays out repeated strings (cast its char ** to
 * const char *const *). */
struct match_offer {
    const char *id;          /* unique among the offers; non-empty */
    const char *donor_state; /* ISO 3166-1 alpha-3 */
    int kind;                /* enum match_kind */
    const char *const *topics; /* topic ids, no duplicates */
    size_t n_topics;
    int64_t remaining;       /* capacity left, in the kind's unit: 0..MATCH_QUANTITY_MAX */
    const char *const *eligible_states; /* alpha-3 codes; empty = see rule 4 above */
    size_t n_eligible_states;
    const char *const *eligible_regions; /* M49 region or sub-region names */
    size_t n_eligible_regions;
    const char *const *languages; /* e.g. "en", "fr"; empty = unspecified */
    size_t n_languages;
    const char *valid_from;  /* "YYYY-MM-DD"; NULL or "" = open */
    const char *valid_until; /* "YYYY-MM-DD"; NULL or "" = open */
    const char *const *eligible_groups; /* UN country groups: "LDC", "SIDS", "LLDC" */
    size_t n_eligible_groups;
};

struct match_request {
    const char *id;              /* unique among the requests; non-empty */
    const char *recipient_state; /* alpha-3 */
    const char *region;          /* the recipient's M49 region, e.g. "Africa"; may be NULL */
    const char *sub_region;      /* its M49 sub-region, e.g. "Sub-Saharan Africa"; may be NULL */
    bool ldc;                    /* the recipient is a least developed country on as_of */
    int kind;                    /* enum match_kind */
    const char *topic;           /* its (first) topic id */
    const char *const *topics;   /* every topic it covers, none twice; NULL/0 = `topic` alone */
    size_t n_topics;
    int64_t remaining;           /* quantity still needed: 0..MATCH_QUANTITY_MAX */
    int priority;                /* 1..5 */
    int64_t severity_milli;      /* gap severity x 1000; 0 = no gap known (counts as 1.0) */
    const char *source_question_id; /* the gap's question, e.g. "q11"; NULL or "" = none */
    const char *const *languages;
    size_t n_languages;
    const char *intermediate_region; /* its M49 intermediate region, e.g. "Western Africa"; may be NULL */
    const char *const *groups;   /* the UN country groups the recipient is a member of on as_of */
    size_t n_groups;
};

struct match_input {
    const struct match_offer *offers;
    size_t n_offers;
    const struct match_request *requests;
    size_t n_requests;
    const char *as_of; /* the plan date, "YYYY-MM-DD" */
};

/* One compatible pair, in the caller's indices. */
struct match_arc {
    size_t offer;
    size_t request;
    int64_t unit_benefit; /* micro-units */
};

/* Every compatible pair of an input, ordered by (request id, offer id). */
struct match_arcs {
    struct match_arc *v;
    size_t n;
};

struct match_assignment {
    size_t offer;         /* index into match_input.offers */
    size_t request;       /* index into match_input.requests */
    int64_t quantity;     /* > 0, in the kind's unit */
    int64_t unit_benefit; /* micro-units */
    int64_t benefit;      /* quantity * unit_benefit */
};

struct match_unmet {
    size_t request;    /* index into match_input.requests */
    int64_t quantity;  /* remaining need the plan leaves open, > 0 */
    int reason;        /* enum match_unmet_reason */
};

/* Figures about one solve, for the service's logs and the benchmark. */
struct match_stats {
    size_t arcs;       /* compatible (offer, request) pairs */
    size_t nodes;      /* offers and requests that have at least one compatible pair */
    size_t pivots;     /* network simplex pivots */
    size_t peak_bytes; /* most working memory the solver held at once, the plan excluded */
};

struct match_plan {
    struct match_assignment *assignments; /* sorted by (request id, offer id) */
    size_t n_assignments;
    struct match_unmet *unmet; /* requests with remaining need, sorted by request id */
    size_t n_unmet;
    int64_t objective;         /* sum of assignments' benefit, micro-units */
    struct match_stats stats;
};

/* Checks an input against the rules of the model: ids present and unique, kinds known,
 * quantities in 0..MATCH_QUANTITY_MAX, priority 1..5, severity in range, dates real and in order,
 * no topic twice in an offer, no NULL string. Fails with ERR_INVALID_ARGUMENT naming the field. */
int match_validate(const struct match_input *in, struct err *e);

/* Whether offer o can serve request r (indices into a validated input), and if so what one unit
 * is worth, in micro-units, in *unit_benefit (which may be NULL). This is the single statement of
 * the compatibility rules and the benefit formula; the solver applies exactly this. */
bool match_compatible(const struct match_input *in, size_t offer, size_t request,
                      int64_t *unit_benefit);

/* Lists every compatible pair of a valid input into a new *out, found through an index of offers
 * by (kind, topic) rather than by testing every pair. */
int match_arcs_new(const struct match_input *in, struct match_arcs **out, struct err *e);
void match_arcs_free(struct match_arcs *arcs);

/* Validates the input, then computes the plan of maximum total benefit into a new *out.
 * Fails with ERR_INVALID_ARGUMENT for an invalid input or one whose total benefit could overflow
 * int64, ERR_RESOURCE_EXHAUSTED when the network would exceed 2^31 - 1 arcs. */
int match_solve(const struct match_input *in, struct match_plan **out, struct err *e);
void match_plan_free(struct match_plan *plan);

/* Writes into buf (snprintf-style: at most size bytes, always terminated when size > 0) one
 * plain-language sentence on why assignment a of a plan for `in` was made: the gap and its
 * severity, the topic, the donor, the quantity and unit, the shared languages, the eligibility
 * and the least developed country priority when it applies. Returns the length the full
 * sentence needs (excluding the NUL), like snprintf. */
int match_explain(const struct match_input *in, const struct match_assignment *a, char *buf,
                  size_t size);

/* How an offer admits a match's recipient (rule 4), numbered as unic.matching.v1.Eligibility. */
enum match_eligibility {
    MATCH_ELIGIBLE_ALL = 1,    /* the offer names no State, region or group */
    MATCH_ELIGIBLE_NAMED = 2,  /* the recipient is among its eligible_states */
    MATCH_ELIGIBLE_REGION = 3, /* by region, sub-region or intermediate region */
    MATCH_ELIGIBLE_GROUP = 4,  /* as a member of a group on as_of */
};

/* The facts match_explain words, for a reader to word them in another language. Strings point
 * into the input (or into the caller's `languages` buffer) and live as long as they do. */
struct match_grounds {
    const char *question_id;  /* the gap's question; NULL when the request is not from a gap */
    int64_t severity_milli;   /* the gap's severity; 0 = not assessed (counted as 1.0) */
    const char **languages;   /* the shared languages, in the request's order */
    size_t n_languages;       /* 0: no language constraint (offer or request names none) */
    int eligibility;          /* enum match_eligibility */
    const char *eligible_by;  /* the region or group entry for REGION and GROUP; NULL otherwise */
    bool ldc;                 /* least developed country on as_of: priority x1.5 applied */
};

/* Fills *g for assignment a of a plan for `in`; `languages` has room for the request's
 * n_languages entries (NULL when it names none) and g->languages points at it. */
void match_grounds(const struct match_input *in, const struct match_assignment *a,
                   const char **languages, struct match_grounds *g);

/* "ALL", "NAMED", "REGION", "GROUP" and back; NULL / 0 when unknown. */
const char *match_eligibility_name(int eligibility);
int match_eligibility_from_name(const char *name);

/* A request's topics: `topics` when it lists some, else `topic` alone (rule 2). */
size_t request_n_topics(const struct match_request *r);
const char *request_topic(const struct match_request *r, size_t i);

/* The first of r's topics that o covers (rule 2), the topic a match of o and r is on; NULL when
 * none. */
const char *match_shared_topic(const struct match_offer *o, const struct match_request *r);

/* The same for unmet need u: "<REASON_NAME>: <why>", the reason's name first, so a reader who
 * may not see the figures can be shown the text up to the first ':'. */
int match_explain_unmet(const struct match_input *in, const struct match_unmet *u, char *buf,
                        size_t size);

/* "EXPERTISE", "FUNDS", "EQUIPMENT", "TRAINING" and back; 0 / NULL when unknown. */
int match_kind_from_name(const char *name);
const char *match_kind_name(int kind);
/* The unit a kind is counted in: "expert-days", "thousand USD", "units", "seats"; NULL when
 * unknown. */
const char *match_kind_unit(int kind);
/* "NO_COMPATIBLE_OFFER", "CAPACITY_EXHAUSTED" (numbered as unic.matching.v1.UnmetReason) and
 * back; NULL / 0 when unknown. */
const char *match_unmet_reason_name(int reason);
int match_unmet_reason_from_name(const char *name);


#endif
