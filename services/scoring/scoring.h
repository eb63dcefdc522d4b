/* scoring.h: what the scoring service's files share: its RPC table, the calls it makes to the
 * responses and catalog services on the caller's behalf (upstream.c), and the conversions between
 * those services' messages and the pure models of score.h and compliance.h (card.c).
 * Ownership: everything these functions return lives in the arena they are given (the call's),
 * and may point into their inputs, which must live as long; only struct scoring_app owns heap
 * memory (its channels and questionnaires), released by scoring_app_destroy. */
#ifndef UNIC_SCORING_H
#define UNIC_SCORING_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "catalog_ref.h"
#include "config.h"
#include "err.h"
#include "mem.h"
#include "rpc.h"
#include "tz.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "unic/catalog/v1/directory.pb-c.h"
#include "unic/matching/v1/matching.pb-c.h"
#include "unic/responses/v1/responses.pb-c.h"
#include "unic/scoring/v1/scoring.pb-c.h"

/* The questionnaire scored by GetScorecard with state_code + cycle, and by default by GetTrend. */
#define SCORING_SELF_ASSESSMENT "cip-self-assessment"
/* The Resolution #1 checklist read by GetComplianceReport. */
#define SCORING_COMPLIANCE "unic-compliance"
#define SCORING_FIRST_CYCLE 2010 /* cycles run from 2010 to the current year + 1 */

typedef Unic__Responses__V1__Assessment Assessment;
typedef Unic__Catalog__V1__Questionnaire Questionnaire;
typedef Unic__Catalog__V1__State CatalogState;
typedef Unic__Catalog__V1__DirectoryEntry DirectoryEntry;
typedef Unic__Catalog__V1__PointOfContact PointOfContact;
typedef Unic__Catalog__V1__Cert Cert;
typedef Unic__Scoring__V1__Scorecard Scorecard;

/* The service's shared state, for the process's life: channels to the services it reads from,
 * and the published questionnaire versions already fetched (a published version never changes,
 * so a copy is good forever; the messages are read-only and shared by all worker threads). */
struct scoring_app {
    struct rpc_client *catalog;
    struct rpc_client *responses;
    struct rpc_client *matching; /* ListDue only: the matches awaiting a State's answer */
    struct catalog_refs refs; /* the catalog's States and topics (common/catalog_ref.h) */
    pthread_mutex_t lock; /* guards the lists below, not the messages */
    Questionnaire **published;
    size_t n_published, cap_published;
    struct tz **zones; /* loaded once each; immutable, so shared by every thread */
    size_t n_zones;
};

void scoring_app_init(struct scoring_app *app, const struct config *cfg);
void scoring_app_destroy(struct scoring_app *app);

extern const struct rpc_service scoring_rpc;

/* ---- upstream.c: calls to the other services, as the caller ---- */

/* Each call forwards the caller's credentials and deadline, so the remote service decides what the
 * caller may read; its status (PERMISSION_DENIED, NOT_FOUND, UNAVAILABLE...) comes back in *e as
 * it is. Replies are copied into c->arena (published questionnaires excepted, see below). */

/* By id, or (id "") by state_code + cycle + questionnaire_id. */
int upstream_get_assessment(struct call *c, const char *id, const char *state, int cycle,
                            const char *questionnaire_id, Assessment **out, struct err *e);
/* Every page of ListAssessments with these filters (state "" and cycle 0 mean any). */
/* The evidence documents attached to assessment `id`'s answers, as the caller may see them
 * (responses' ListEvidenceDocuments, docs/evidence.md). */
int upstream_evidence_documents(struct call *c, const char *assessment_id,
                                Unic__Responses__V1__ListEvidenceDocumentsResponse **out,
                                struct err *e);
int upstream_list_assessments(struct call *c, const char *state, int cycle,
                              const char *questionnaire_id,
                              Unic__Responses__V1__AssessmentStatus status, bool with_answers,
                              Assessment ***out, size_t *n, struct err *e);
/* The assessment as it was at its latest revision whose status was SUBMITTED; *out NULL when it
 * was never submitted. For a DRAFT that was submitted once and reopened. */
int upstream_last_submitted(struct call *c, const Assessment *as, Assessment **out,
                            struct err *e);
/* Version 0 = the latest published; locale "en". A published version is fetched once per process
 * and then shared: *out is read-only, and lives as long as the app or the call, whichever is
 * shorter. */
/* Time zone `name` from the system's tz database, loaded once for the life of the app. */
int upstream_zone(struct call *c, const char *name, const struct tz **out, struct err *e);
int upstream_get_questionnaire(struct call *c, const char *id, int version, Questionnaire **out,
                               struct err *e);
/* The same version with its texts in `locale` (as the catalog serves it: the locale, its
 * language, or "en"), in the call's arena; "en" is upstream_get_questionnaire's shared copy. */
int upstream_get_questionnaire_texts(struct call *c, const char *id, int version,
                                     const char *locale, Questionnaire **out, struct err *e);
/* State `state`'s entry in the points-of-contact directory, *out NULL when it has none. */
int upstream_directory_entry(struct call *c, const char *state, DirectoryEntry **out, struct err *e);
/* The matches offered to `state` (status OFFERED) that await its answer, as donor or recipient. */
int upstream_matches_awaiting(struct call *c, const char *state, Unic__Matching__V1__Match ***out,
                              size_t *n, struct err *e);
/* Every State's entry (one page holds them all). */
int upstream_directory_all(struct call *c, DirectoryEntry ***out, size_t *n, struct err *e);
/* Every State as the catalog lists them, from the shared reference data (common/catalog_ref.h),
 * valid until the call ends. */
int upstream_list_states(struct call *c, const Unic__Catalog__V1__ListStatesResponse **out,
                         struct err *e);

/* ---- card.c: pure conversions, no I/O ---- */

/* Scores assessment `as` against its questionnaire `q` (the same id and version) with the cmm-v1
 * model: every figure of the Scorecard but from_cache, which is false. The same inputs and
 * computed_at always give the same message, field for field. INTERNAL when the two disagree
 * (another questionnaire, an answer to an unknown question, a level outside 0-5). */
int card_scorecard(struct arena *a, const Assessment *as, const Questionnaire *q,
                   const char *computed_at, Scorecard **out, struct err *e);

/* The gaps of `card` with severity >= min_severity and, when n_topics > 0, one of `topics`. */
Unic__Scoring__V1__GetGapsResponse *card_gaps(struct arena *a, const Scorecard *card,
                                               double min_severity, char *const *topics,
                                               size_t n_topics);

/* The compliance report of a State as of `as_of` (a valid "YYYY-MM-DD"): items are the YES_NO questions
 * of `q` (the compliance checklist) in number order; `submitted` is the State's latest submitted
 * compliance form (NULL: none, every item UNKNOWN); `reports` are the last submitted revision of
 * each cycle's compliance form and `cycles` the State's self-assessments, both for paragraph 8.
 * Submission times are read as dates in `zone`, the State's own (NULL: UTC), which the report
 * names. `dir`, the State's directory entry (NULL: none), shows paragraph 6 met (compliance.h). */
int card_compliance(struct arena *a, const char *state, const char *as_of, bool ldc,
                    const struct tz *zone, const DirectoryEntry *dir, const Questionnaire *q,
                    const Assessment *submitted,
                    Assessment *const *reports, size_t n_reports,
                    Assessment *const *cycles, size_t n_cycles,
                    Unic__Scoring__V1__ComplianceReport **out, struct err *e);

/* The trend of a State's scorecards (any order) for questionnaire_id, cycle ascending. */
int card_trend(struct arena *a, const char *state, const char *questionnaire_id,
               Scorecard *const *cards, size_t n_cards, Unic__Scoring__V1__Trend **out,
               struct err *e);

/* The benchmark of a group from its States' scorecards (one each); `own` is the caller's State
 * code, or NULL. FAILED_PRECONDITION below SCORE_BENCHMARK_MIN_STATES States. */
int card_benchmark(struct arena *a, const char *group, int cycle, Scorecard *const *cards,
                   size_t n_cards, const char *own, Unic__Scoring__V1__Benchmark **out,
                   struct err *e);

/* The UTC date ("YYYY-MM-DD", 11 bytes) of an RFC 3339 timestamp; false when ts is not one. */
bool card_utc_date(const char *ts, char out[11]);
/* The same in time zone `zone` (NULL: UTC): a State meets a deadline in its own zone. */
bool card_local_date(const char *ts, const struct tz *zone, char out[11]);

/* The Resolution #1 paragraph an item id names: "para4a" -> "4(a)", "para6-cert" -> "6";
 * the id itself when it names none. */
const char *card_paragraph(struct arena *a, const char *item_id);

#endif
