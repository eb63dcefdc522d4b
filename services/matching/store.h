/* store.h: the matching service's storage: every SQL statement it runs, behind one function per
 * operation, each operation one transaction. store_items.c holds offers and requests (and the
 * requests derived from gaps), store_plans.c plans and their matches, store_common.c what both
 * share (idempotency keys, quotas, audit, row helpers; store_internal.h).
 *
 * Ownership: everything returned lives in the caller's arena. Row-level rules that need the row
 * (who owns it, its etag, its status) are decided by access.h under the row's lock. */
#ifndef UNIC_MATCHING_STORE_H
#define UNIC_MATCHING_STORE_H

#include "idem.h"
#include "impact.h"
#include "matching.h"

/* What a State may create per hour (UNIC_QUOTA_*_PER_HOUR), so that no one key can fill the
 * tables; operators have none. */
enum quota_kind { QUOTA_OFFERS, QUOTA_REQUESTS, QUOTA_PLANS, QUOTA_KINDS };

/* Who is asking, as the store needs it for row-level rules: `state` is the viewer of access.h
 * (NULL an operator, a State's code, "" a SERVICE key). */
struct actor {
    const char *state;
    const char *label; /* recorded as created_by / committed_by */
    int quota[QUOTA_KINDS]; /* per hour, for a State caller */
    struct call *call; /* whose audit event each change appends (common/audit.h) */
    /* an operator's: which assessments the gaps came from it may read, asked as rows need it */
    struct gap_sources *sources;
};

/* The key table of matching's idempotent creates (common/idem.h). */
extern const struct idem_sql matching_idem_sql;


/* Inserts the offer (in->donor_state set) with its idempotency key k (may be NULL) in one
 * transaction. Returns 0, or 1 when a twin with the same key answered the call (idem_claim). */
int store_offer_create(struct db *db, struct arena *a, const Unic__Matching__V1__Offer *in,
                       const struct actor *who, const struct idem *k,
                       Unic__Matching__V1__Offer **out, struct err *e);
int store_offer_get(struct db *db, struct arena *a, const char *id, Unic__Matching__V1__Offer **out,
                    struct err *e);
/* The filter of ListOffers and ListRequests, the same for both (each NULL = any, else the stored
 * name), and the page: rows after sequence number after_seq, at most limit. */
struct item_filter {
    const char *state; /* an offer's donor, a request's State */
    const char *kind;
    const char *topic;
    const char *status;
    int64_t after_seq;
    int limit;
};
int store_offer_list(struct db *db, struct arena *a, const struct item_filter *f,
                     Unic__Matching__V1__ListOffersResponse *out, struct err *e);
/* Replaces the updatable fields of offer in->id if its etag is in->etag and `who` may. */
int store_offer_update(struct db *db, struct arena *a, const Unic__Matching__V1__Offer *in,
                       const struct actor *who, Unic__Matching__V1__Offer **out, struct err *e);
int store_offer_withdraw(struct db *db, struct arena *a, const char *id, const char *etag,
                         const struct actor *who, Unic__Matching__V1__Offer **out, struct err *e);

int store_request_create(struct db *db, struct arena *a, const struct request_row *in,
                         const struct actor *who, const struct idem *k,
                         Unic__Matching__V1__Request **out, struct err *e);
/* The figures computed from a gap are blanked for whom store_gap_figures_visible says. */
int store_request_get(struct db *db, struct arena *a, const char *id, const struct actor *who,
                      Unic__Matching__V1__Request **out, struct err *e);
int store_request_list(struct db *db, struct arena *a, const struct item_filter *f,
                       const struct actor *who, Unic__Matching__V1__ListRequestsResponse *out,
                       struct err *e);
int store_request_withdraw(struct db *db, struct arena *a, const char *id, const char *etag,
                           const struct actor *who, Unic__Matching__V1__Request **out,
                           struct err *e);
/* Inserts the n derived requests that do not exist yet (the rows share state and cycle) and
 * returns all n, existing or new, in *out, with the number inserted in *created. A `preview`
 * writes nothing: the new ones come back with no id, etag or times. */
int store_requests_derive(struct db *db, struct arena *a, const struct request_row *rows, size_t n,
                          bool preview, const struct actor *who, Unic__Matching__V1__Request ***out,
                          size_t *n_out, int *created, struct err *e);

/* The solver's input: open offers and requests with something left, the requests limited to the
 * States of `scope` (n_scope 0 = all), and the version of each row. Strings live in the arena. */
struct plan_inputs {
    struct match_offer *offers;
    int *offer_versions;
    size_t n_offers;
    struct match_request *requests;
    int *request_versions;
    size_t n_requests;
};
int store_plan_inputs(struct db *db, struct arena *a, char *const *scope, size_t n_scope,
                      struct plan_inputs *out, struct err *e);

/* A solved plan to store as PROPOSED. */
struct plan_record {
    const char *as_of;
    char *const *scope;
    size_t n_scope;
    int64_t objective;
    int64_t solve_ms;
    size_t offers_seen, requests_seen, arcs;
    char fingerprint[65];
    const struct plan_inputs *in;
    const struct match_plan *plan;
    char **explanations;   /* one per assignment */
    const struct match_grounds *grounds; /* one per assignment: what its explanation says */
    char **unmet_reasons;  /* one per unmet request */
};
int store_plan_save(struct db *db, struct arena *a, const struct plan_record *p,
                    const struct actor *who, Unic__Matching__V1__MatchPlan **out, struct err *e);
/* Commits plan `id` in one transaction (see store_plans.c): NOT_FOUND, FAILED_PRECONDITION when it is
 * already committed, ABORTED when an offer or request it draws on changed since it was computed,
 * in which case nothing is written. */
int store_plan_commit(struct db *db, struct arena *a, const char *id, const struct actor *who,
                      Unic__Matching__V1__MatchPlan **out, struct err *e);

/* One step in the life of a match (matching.h, THE LIFE OF A MATCH), validated field by field
 * by the caller; the store checks the rest under the row locks: the party (access.h), the
 * etag, the transition, what was delivered. */
struct match_step_in {
    const char *id;
    const char *etag;        /* "" = not checked (RespondToMatch without one) */
    bool respond;            /* RespondToMatch: `to` is ACCEPTED or DECLINED */
    int to;                  /* the status asked for */
    const char *on_behalf_of;     /* an operator's: the party's State; "" otherwise */
    const char *on_behalf_reason; /* an operator's: why */
    const char *reason, *note;
    int64_t delivered;       /* DELIVERED: 0 = the whole quantity */
    int rating;              /* COMPLETED: 1..5 */
    const char *feedback;    /* COMPLETED */
    const struct idem *k;    /* idempotency key, may be NULL */
};
/* Takes the step in one transaction, with its history row, its audit event, the quantity given
 * back (a decline, a cancellation, a short delivery) and its idempotency key, claimed first;
 * *out is the match after it, with its history. Returns 0, or 1 when a twin with the same key
 * answered the call (idem_claim). */
int store_match_step(struct db *db, struct arena *a, const struct match_step_in *in,
                     const struct actor *who, Unic__Matching__V1__Match **out, struct err *e);
/* The completed matches GetImpactReport covers: those on requests derived from a gap, of
 * `state` as donor or recipient (NULL = every State), oldest completion first; and every
 * (State, question) any completed match addressed for their recipients, so that no supported
 * question enters a comparison group. completed_at[i] is match i's, RFC 3339. One transaction. */
struct impact_rows {
    struct impact_match *matches;
    char **completed_at;
    size_t n;
    struct impact_support *supported;
    size_t n_supported;
};
int store_impact_rows(struct db *db, struct arena *a, const char *state, struct impact_rows *out,
                      struct err *e);

/* One match with its history, for whom access_match_visible lets see it. */
int store_match_get(struct db *db, struct arena *a, const char *id, const struct actor *who,
                    Unic__Matching__V1__Match **out, struct err *e);
/* Not an item_filter: matches are filtered by party, status and plan, not by kind or topic. */
struct match_filter {
    const char *state_code; /* either party; NULL = any */
    const char *status;
    const char *plan_id;
    int64_t after_seq;
    int limit;
};
/* A State sees the matches on its own requests, and, as a donor, those of committed plans. */
int store_match_list(struct db *db, struct arena *a, const struct match_filter *f,
                     const struct actor *who, Unic__Matching__V1__ListMatchesResponse *out,
                     struct err *e);

#endif
