/* matching.h: what the matching service's files share: its RPC table, the reference data and
 * gaps it asks other services for (peers.c), its own pure rules (rules.c: the quantity rule, plan
 * fingerprints, names). The store is store.h, the row-level rules access.h, the checks of
 * what a caller sends validate.h, the solver match.h.
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
 * request's remaining and the words of its reason) is shown to the requesting State, and to
 * operators only when the State lets them read the assessment the gap came from; to everyone
 * else, matched donors included, it reads as empty (access_gap_figures in access.h). A STATE
 * sees the matches on its requests, and the matches of committed plans on its offers;
 * RespondToMatch is for the match's two States only.
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
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "digest.h"
#include "err.h"
#include "match.h"
#include "mem.h"
#include "catalog_ref.h"
#include "rpc.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "unic/matching/v1/matching.pb-c.h"
#include "unic/responses/v1/responses.pb-c.h"
#include "unic/scoring/v1/scoring.pb-c.h"

extern const struct rpc_service matching_rpc;
extern const struct migration matching_migrations[];
extern const size_t matching_migrations_count;

/* A validated request to insert (CreateRequest, or DeriveRequests by the rule below), with the
 * reference data snapshots a request keeps. */
struct request_row {
    const char *state_code;
    int kind;
    const char *topic;          /* topics[0] */
    char *const *topics;        /* every topic it covers, none twice, n_topics >= 1 */
    size_t n_topics;
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

/* ---- Requests derived from gaps (DeriveRequests; rules.c) ----
 *
 * THE QUANTITY RULE (docs/matching-model.md). One request per (gap, kind
 * asked for), from the gaps the scoring service reports for the State's self-assessment of the
 * cycle, asked on the caller's behalf. The State names the kinds; there is no default. The
 * request carries every topic of the gap's question that the catalog knows (topics say which
 * offers fit; they never multiply the need):
 *
 *   quantity = ceil(severity x unit(kind))      priority = ceil(severity), clamped to 1..5
 *
 * with the unit of need per point of severity (severity = weight x (target - level)):
 *   EXPERTISE  10 expert-days       TRAINING   5 seats
 *   EQUIPMENT   2 units             FUNDS     25 thousand USD
 * So a question one stage short of its target (severity 1.0) asks for 10 expert-days, or 5
 * seats, or 2 units of equipment, or USD 25,000; three stages short, three times that, at
 * priority 3, however many topics the question has. Severity is carried in thousandths,
 * exactly as the solver takes it, and capped at MATCH_SEVERITY_MILLI_MAX (100.0). Each request
 * keeps the gap (question, cycle, severity) and snapshots of the State's LDC status and M49
 * region and sub-region. A gap with no positive severity, no question or no topic the catalog
 * knows files nothing.
 * Idempotent: (State, cycle, question, kind) is unique, so calling again for the same cycle
 * creates nothing and returns the same requests; a gap that is new since (the assessment was
 * revised) adds its requests, and existing ones keep their quantities. `validate_only` shows
 * what a call would file and writes nothing. */
#define DERIVE_UNIT_EXPERTISE 10
#define DERIVE_UNIT_FUNDS 25
#define DERIVE_UNIT_EQUIPMENT 2
#define DERIVE_UNIT_TRAINING 5

/* What the rule needs besides the gaps: the State, its reference data snapshot, the cycle, the
 * kinds asked for and the languages the requests will carry, and which topics the catalog
 * knows (a topic it does not know is skipped). */
struct derive_input {
    const char *state;
    int cycle;
    bool ldc;
    const char *region, *sub_region;
    const int *kinds; /* known kinds, none twice */
    size_t n_kinds;
    char *const *languages;
    size_t n_languages;
    bool (*topic_known)(const void *ctx, const char *topic);
    const void *topic_ctx;
};

/* The requests the rule files for `gaps` (as scoring reports them), into a new arena array
 * *out; returns how many. Gaps with no question id (or one longer than 64 bytes, or not UTF-8),
 * no positive severity or no topic the catalog knows are skipped and counted in *skipped. Strings point into the gaps and
 * `in`. */
size_t derive_rows(struct arena *a, const struct derive_input *in,
                   Unic__Scoring__V1__Gap *const *gaps, size_t n_gaps, struct request_row **out,
                   size_t *skipped);

/* Per point of severity, in the kind's unit; 0 for an unknown kind. */
int64_t derive_unit(int kind);
/* The rule above; severity_milli in 1..MATCH_SEVERITY_MILLI_MAX. */
int64_t derive_quantity(int kind, int64_t severity_milli);
int derive_priority(int64_t severity_milli);
/* A severity as scoring reports it (a double) in thousandths, rounded, capped at the maximum;
 * 0 for a value that is not a positive finite number. */
int64_t severity_to_milli(double severity);

/* ---- Peers: the catalog's reference data and the scoring service's gaps (peers.c) ---- */

struct matching_app {
    struct rpc_client *catalog;
    struct rpc_client *scoring;
    struct rpc_client *responses; /* the assessments' levels, for GetImpactReport */
    struct catalog_refs refs; /* the catalog's reference data (common/catalog_ref.h) */
    atomic_llong idem_purge_at_ms; /* when old idempotency keys are purged next (idem_purge_due) */
};

void matching_app_init(struct matching_app *app, const struct config *cfg);
void matching_app_destroy(struct matching_app *app);

/* The catalog's reference data as caller `c` (common/catalog_ref.h: catalog_ref_get), and
 * giving it back. */
int refdata_get(struct call *c, struct refdata **out, struct err *e);
void refdata_put(struct matching_app *app, struct refdata *ref);
/* Dates the `n` requests for a plan on `as_of`: each recipient's LDC status (the x1.5), its UN
 * country groups (eligibility by group) and its intermediate region, from the catalog's
 * memberships, whatever the request's snapshot said when it was filed. Arrays in the arena. */
void refdata_date_requests(const struct refdata *ref, struct arena *a, const char *as_of,
                           struct match_request *requests, size_t n);

/* The gaps of `state`'s self-assessment of `cycle`, asked of the scoring service on the caller's
 * behalf (so the assessment's visibility rules apply to the caller), in the call's arena.
 * Fails with the scoring service's status. */
int peers_gaps(struct call *c, const char *state, int cycle, Unic__Scoring__V1__GetGapsResponse **out,
               struct err *e);

/* Every self-assessment (MATCHING_SELF_ASSESSMENT) of `state` that the caller may read, with its
 * answers, asked of the responses service on the caller's behalf (its visibility rules decide),
 * page by page, into *out (call's arena). A State whose assessments the caller may not list
 * gives none; an unreachable service fails with its status. */
int peers_assessments(struct call *c, const char *state, Unic__Responses__V1__Assessment ***out,
                      size_t *n, struct err *e);

/* The questionnaire the gaps come from (scoring's GetGaps by State and cycle reads it): a
 * derived request's source is the self-assessment of its State and source_cycle, one per
 * (State, cycle, questionnaire) in responses. */
#define MATCHING_SELF_ASSESSMENT "cip-self-assessment"

/* Whether the caller of one call may read the self-assessments its derived figures come from,
 * asked as it reads them: one ListAssessments of summaries per State, on the caller's behalf
 * (responses' visibility rules decide, so a visibility the State changes later counts at
 * once), remembered for the rest of the call. An unreachable responses service answers "no":
 * the figures stay hidden (logged). Made by peers_gap_sources_new in the call's arena. */
struct gap_sources {
    struct call *call;
    struct gap_source *list;
};
struct gap_sources *peers_gap_sources_new(struct call *c);
bool peers_gap_source_readable(struct gap_sources *s, const char *state, int cycle);

/* ---- The life of a match (rules.c) ----
 *
 * THE LIFE OF A MATCH (docs/matching-model.md explains it). After the plan is committed a match
 * is OFFERED; RespondToMatch makes it ACCEPTED once both parties accept, or DECLINED when either
 * declines (with a reason), giving its quantity back to the offer and the request. Then
 * AdvanceMatch takes it, one step at a time:
 *   ACCEPTED    -> IN_DELIVERY  the donor starts delivering
 *   IN_DELIVERY -> DELIVERED    the donor says how much it delivered (all by default); what was
 *                               not delivered goes back to the offer and the request
 *   DELIVERED   -> COMPLETED    the recipient confirms, with a rating 1-5 and words
 *   ACCEPTED or IN_DELIVERY -> CANCELLED   either party, with a reason; nothing was delivered
 *                               yet, so the whole quantity goes back to the offer and the request
 * Anything else is FAILED_PRECONDITION naming what the match can become. Every step needs the
 * match's etag (ABORTED when stale; RespondToMatch checks it when given), is idempotent with a
 * request_id, is appended to the match's history (who, when, the note, the reason) and to the
 * audit log, in the transaction that takes it. An operator acts for one of the two States only
 * by naming it (on_behalf_of) and saying why (on_behalf_reason); both are in the history. */
enum { MATCH_PROPOSED = 1, MATCH_OFFERED, MATCH_ACCEPTED, MATCH_DECLINED, MATCH_SUPERSEDED,
       MATCH_IN_DELIVERY, MATCH_DELIVERED, MATCH_COMPLETED, MATCH_CANCELLED };
enum match_party { MATCH_PARTY_DONOR = 1, MATCH_PARTY_RECIPIENT = 2, MATCH_PARTY_EITHER = 3 };

struct match_step {
    int from, to;       /* match statuses, numbered as unic.matching.v1.MatchStatus */
    int party;          /* enum match_party: who may take it */
    bool needs_reason;
};

/* Whether `status` is one AdvanceMatch moves a match to. */
bool match_step_target(int status);
/* The step from `from` to `to` in *out, or FAILED_PRECONDITION saying what `from` can become. */
int match_step_find(int from, int to, const struct match_step **out, struct err *e);

/* ---- rules.c: pure helpers shared by the handlers and the store ---- */
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
