/* matching.h: what the matching service's files share: its RPC table, the reference data and
 * gaps it asks other services for (peers.c), its own pure rules (rules.c: the quantity rule, plan
 * fingerprints, names) and the store (store.c, all SQL). The solver itself is match.h.
 *
 * Ownership: struct matching_app is made by matching_app_init and released by
 * matching_app_destroy (main.c). A struct refdata is shared and reference-counted: take it with
 * refdata_get, give it back with refdata_put. Everything the store returns lives in the
 * caller's arena.
 *
 * THE WORKFLOW (the README cites this comment)
 *
 * Access. Any key reads offers and requests. A STATE creates and changes offers only as their
 * donor and requests only as their recipient; an OPERATOR acts for any State; a SERVICE key only
 * reads. Whatever is computed from a gap (a derived request's source question, cycle, severity,
 * quantity, remaining and priority; a match's quantity, benefit and explanation; an unmet
 * request's remaining and the words of its reason) is shown to the requesting State and to
 * operators only; to everyone else, matched donors included, it reads as empty (store.c,
 * GAP_VISIBLE). A STATE sees the matches on its requests, and the matches
 * of committed plans on its offers; RespondToMatch is for the match's two States only.
 *
 * Plans. ProposeMatches solves over the open offers and requests with something left (a STATE:
 * its own requests only) and stores the plan as PROPOSED, with each match's explanation and the
 * version of every offer and request it draws on (their fingerprint, see plan_fingerprint).
 * CommitMatchPlan (OPERATOR) works in one transaction: it locks the plan, then the plan's offers
 * in id order, then its requests in id order (every writer takes locks in that order, so commits
 * and declines wait for each other and never deadlock); if any of those rows changed since the
 * plan was computed the commit is ABORTED and writes nothing; otherwise remaining capacities
 * and quantities drop (an offer at 0 becomes EXHAUSTED, a request at 0 FULFILLED), the matches
 * become OFFERED, the plan COMMITTED, and the PROPOSED matches of every other plan drawing on
 * the same offers or requests become SUPERSEDED (committing such a plan is ABORTED). A plan
 * committed already is FAILED_PRECONDITION.
 *
 * Responses. An OFFERED match becomes ACCEPTED when both States accept; either declining makes
 * it DECLINED and gives its quantity back to the offer and the request (reopening them unless
 * withdrawn), in one transaction that bumps both versions, so plans computed before are stale.
 *
 * Etags are the row's version; UpdateOffer, WithdrawOffer and WithdrawRequest need the current
 * one (a stale etag is ABORTED). A new capacity may not fall below what matches already hold.
 * CreateOffer and CreateRequest with a request_id are idempotent per API key. */
#ifndef UNIC_MATCHING_H
#define UNIC_MATCHING_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "digest.h"
#include "err.h"
#include "match.h"
#include "mem.h"
#include "rpc.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "unic/matching/v1/matching.pb-c.h"
#include "unic/scoring/v1/scoring.pb-c.h"

extern const struct rpc_service matching_rpc;
extern const struct migration matching_migrations[];
extern const size_t matching_migrations_count;

/* ---- Requests derived from gaps (DeriveRequests; rules.c) ----
 *
 * THE QUANTITY RULE. One request per (gap, topic of the gap's question, kind asked for; all four
 * kinds when none is named), from the gaps the scoring service reports for the State's
 * self-assessment of the cycle, asked on the caller's behalf:
 *
 *   quantity = ceil(severity x unit(kind))      priority = ceil(severity), clamped to 1..5
 *
 * with the unit of need per point of severity (severity = weight x (target - level)):
 *   EXPERTISE  10 expert-days       TRAINING   5 seats
 *   EQUIPMENT   2 units             FUNDS     25 thousand USD
 * So a question one stage short of its target (severity 1.0) asks for 10 expert-days, or 5
 * seats, or 2 units of equipment, or USD 25,000; three stages short, three times that, at
 * priority 3. Severity is carried in thousandths, exactly as the solver takes it, and capped at
 * MATCH_SEVERITY_MILLI_MAX (100.0). Each request keeps the gap (question, cycle, severity) and
 * snapshots of the State's LDC status and M49 region and sub-region.
 * Idempotent: (State, cycle, question, topic, kind) is unique, so calling again for the same
 * cycle creates nothing and returns the same requests; a gap that is new since (the assessment
 * was revised) adds its requests, and existing ones keep their quantities. */
#define DERIVE_UNIT_EXPERTISE 10
#define DERIVE_UNIT_FUNDS 25
#define DERIVE_UNIT_EQUIPMENT 2
#define DERIVE_UNIT_TRAINING 5

/* Per point of severity, in the kind's unit; 0 for an unknown kind. */
int64_t derive_unit(int kind);
/* The rule above; severity_milli in 1..MATCH_SEVERITY_MILLI_MAX. */
int64_t derive_quantity(int kind, int64_t severity_milli);
int derive_priority(int64_t severity_milli);
/* A severity as scoring reports it (a double) in thousandths, rounded, capped at the maximum;
 * 0 for a value that is not a positive finite number. */
int64_t severity_to_milli(double severity);

/* ---- Peers: the catalog's reference data and the scoring service's gaps (peers.c) ---- */

struct ref_state {
    char code[4];
    char *region;     /* M49 region, e.g. "Africa" */
    char *sub_region; /* M49 sub-region, e.g. "Sub-Saharan Africa" */
    bool ldc;
};

/* The catalog's topics, States and region names, immutable once built; shared between calls. */
struct refdata {
    int refs;             /* guarded by matching_app.lock */
    int64_t fetched_ms;   /* CLOCK_MONOTONIC */
    char **topics;        /* sorted */
    size_t n_topics;
    struct ref_state *states; /* sorted by code */
    size_t n_states;
    char **regions;       /* region and sub-region names, sorted, unique */
    size_t n_regions;
};

struct matching_app {
    struct rpc_client *catalog;
    struct rpc_client *scoring;
    pthread_mutex_t lock;
    struct refdata *ref;  /* the current snapshot, or NULL before the first fetch */
    int ref_ttl_seconds;  /* a snapshot older than this is fetched again */
};

void matching_app_init(struct matching_app *app, const struct config *cfg);
void matching_app_destroy(struct matching_app *app);

/* The current reference data, fetched from the catalog (with the caller's credentials) when
 * missing or stale. A stale snapshot is used when the catalog cannot be reached; no snapshot at
 * all fails with the catalog's status. */
int refdata_get(struct call *c, struct refdata **out, struct err *e);
void refdata_put(struct matching_app *app, struct refdata *ref);
bool refdata_topic_known(const struct refdata *ref, const char *topic);
const struct ref_state *refdata_state(const struct refdata *ref, const char *code);
bool refdata_region_known(const struct refdata *ref, const char *name);

/* The gaps of `state`'s self-assessment of `cycle`, asked of the scoring service on the caller's
 * behalf (so the assessment's visibility rules apply to the caller), in the call's arena.
 * Fails with the scoring service's status. */
int peers_gaps(struct call *c, const char *state, int cycle, Unic__Scoring__V1__GetGapsResponse **out,
               struct err *e);

/* ---- Store (store.c) ---- */

/* Who is asking, as the store needs it for row-level rules. `state` NULL means an operator
 * (sees and may touch everything); otherwise the calling State's code, or "" for a SERVICE key
 * (which sees what any key sees and owns nothing). */
/* What a State may create per hour (UNIC_QUOTA_*_PER_HOUR), so that no one key can fill the
 * tables; operators have none. */
enum quota_kind { QUOTA_OFFERS, QUOTA_REQUESTS, QUOTA_PLANS, QUOTA_KINDS };

struct actor {
    const char *state;
    const char *label; /* recorded as created_by / committed_by */
    int quota[QUOTA_KINDS]; /* per hour, for a State caller */
    struct call *call; /* whose audit event each change appends (common/audit.h) */
};

/* An idempotent create: the key, and a hash of the method and the request. */
struct idem {
    const char *principal;
    const char *request_id;
    const char *method;
    char hash[65];
};

/* 1 with the stored reply in *bytes (arena) when the key was used with the same request,
 * 0 when unused; INVALID_ARGUMENT when used with a different request. */
int store_idem_find(struct db *db, struct arena *a, const struct idem *k, uint8_t **bytes,
                    size_t *len, struct err *e);

/* A validated offer or request to insert, and the reference data snapshots a request keeps. */
struct request_row {
    const char *state_code;
    int kind;
    const char *topic;
    int64_t quantity;
    int priority;
    const char *source_question_id; /* "" unless derived */
    int source_cycle;
    int64_t severity_milli;
    bool ldc;
    const char *region, *sub_region;
    char *const *languages;
    size_t n_languages;
};

/* Inserts the offer (in->donor_state set) with its idempotency key k (may be NULL) in one
 * transaction. ALREADY_EXISTS when a concurrent call with the same key won: read it again. */
int store_offer_create(struct db *db, struct arena *a, const Unic__Matching__V1__Offer *in,
                       const struct actor *who, const struct idem *k,
                       Unic__Matching__V1__Offer **out, struct err *e);
int store_offer_get(struct db *db, struct arena *a, const char *id, Unic__Matching__V1__Offer **out,
                    struct err *e);
struct offer_filter {
    const char *donor_state; /* NULL = any */
    const char *kind;
    const char *topic;
    const char *status;
    int64_t after_seq;
    int limit;
};
int store_offer_list(struct db *db, struct arena *a, const struct offer_filter *f,
                     Unic__Matching__V1__ListOffersResponse *out, struct err *e);
/* Replaces the updatable fields of offer in->id if its etag is in->etag and `who` may. */
int store_offer_update(struct db *db, struct arena *a, const Unic__Matching__V1__Offer *in,
                       const struct actor *who, Unic__Matching__V1__Offer **out, struct err *e);
int store_offer_withdraw(struct db *db, struct arena *a, const char *id, const char *etag,
                         const struct actor *who, Unic__Matching__V1__Offer **out, struct err *e);

int store_request_create(struct db *db, struct arena *a, const struct request_row *in,
                         const struct actor *who, const struct idem *k,
                         Unic__Matching__V1__Request **out, struct err *e);
/* Gap details (source question, cycle, severity) are blanked unless `who` is an operator, the
 * requesting State, or a donor with a committed match on the request. */
int store_request_get(struct db *db, struct arena *a, const char *id, const struct actor *who,
                      Unic__Matching__V1__Request **out, struct err *e);
struct request_filter {
    const char *state_code;
    const char *kind;
    const char *topic;
    const char *status;
    int64_t after_seq;
    int limit;
};
int store_request_list(struct db *db, struct arena *a, const struct request_filter *f,
                       const struct actor *who, Unic__Matching__V1__ListRequestsResponse *out,
                       struct err *e);
int store_request_withdraw(struct db *db, struct arena *a, const char *id, const char *etag,
                           const struct actor *who, Unic__Matching__V1__Request **out,
                           struct err *e);
/* Inserts the n derived requests that do not exist yet (the rows share state and cycle) and
 * returns all n, existing or new, in *out, with the number inserted in *created. */
int store_requests_derive(struct db *db, struct arena *a, const struct request_row *rows, size_t n,
                          const struct actor *who, Unic__Matching__V1__Request ***out,
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
    char **unmet_reasons;  /* one per unmet request */
};
int store_plan_save(struct db *db, struct arena *a, const struct plan_record *p,
                    const struct actor *who, Unic__Matching__V1__MatchPlan **out, struct err *e);
/* Commits plan `id` in one transaction (see store.c): NOT_FOUND, FAILED_PRECONDITION when it is
 * already committed, ABORTED when an offer or request it draws on changed since it was computed,
 * in which case nothing is written. */
int store_plan_commit(struct db *db, struct arena *a, const char *id, const struct actor *who,
                      Unic__Matching__V1__MatchPlan **out, struct err *e);

/* Records the accept or decline of the party `who` (a State) to match `id`. */
int store_match_respond(struct db *db, struct arena *a, const char *id, const struct actor *who,
                        bool accept, Unic__Matching__V1__Match **out, struct err *e);
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

/* ---- rules.c: pure helpers shared by service.c and store.c ---- */
const char *offer_status_name(int status);   /* "OPEN", ...; NULL when unknown */
int offer_status_from_name(const char *name); /* 0 when unknown */
const char *request_status_name(int status);
int request_status_from_name(const char *name);
const char *match_status_name(int status);
int match_status_from_name(const char *name);
/* True for the canonical text form of a UUID (lower-case hex, 8-4-4-4-12). */
bool uuid_shape(const char *s);
/* The fingerprint of a plan: SHA-256 hex of the lines "o:<id>:<version>" of the offers it draws
 * on, sorted by id, then "r:<id>:<version>" of its requests, sorted by id. Ids are unique within
 * each list. Committing recomputes it from the rows it has locked. */
void plan_fingerprint(const char *const *offer_ids, const int *offer_versions, size_t n_offers,
                      const char *const *request_ids, const int *request_versions,
                      size_t n_requests, char hex[65]);

#endif
