/* store_plans.c: the SQL of match plans and their matches: the solver's inputs, saving a plan,
 * committing it under row locks, the parties' answers and the listing, each in one transaction
 * (store.h; the workflow is in matching.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "notify.h"
#include "store_internal.h"

/* ---- Column lists ---- */

#define MATCH_COLUMNS                                                                             \
    "m.id, m.seq, m.plan_id, m.offer_id, m.request_id, m.donor_state, m.recipient_state, m.kind," \
    " m.topic, m.quantity, m.benefit, m.explanation, m.status, m.donor_accepted,"                 \
    " m.recipient_accepted, coalesce((SELECT fr.source_cycle FROM matching.requests fr"           \
    " WHERE fr.id = m.request_id), 0) AS source_cycle,"                                            \
    " coalesce(m.donor_responded_by, '') AS donor_responded_by,"                                  \
    " coalesce(m.recipient_responded_by, '') AS recipient_responded_by, m.version,"              \
    " coalesce(m.delivered_quantity, 0) AS delivered_quantity, coalesce(m.rating, 0) AS rating,"  \
    " coalesce(m.feedback, '') AS feedback,"                                                       \
    " coalesce(" TS("m.completed_at") ", '') AS completed_at,"                                  \
    " m.grounds_eligibility IS NOT NULL AS has_grounds,"                                          \
    " coalesce(m.grounds_eligibility, '') AS grounds_eligibility,"                                \
    " coalesce(m.grounds_eligible_by, '') AS grounds_eligible_by,"                                \
    " coalesce(m.grounds_question, '') AS grounds_question,"                                      \
    " coalesce(m.grounds_severity_milli, 0) AS grounds_severity_milli,"                           \
    " coalesce(" LIST("m.grounds_languages") ", '') AS grounds_languages,"                        \
    " coalesce(m.grounds_ldc, false) AS grounds_ldc, (SELECT to_char(gp.as_of, 'YYYY-MM-DD')"     \
    " FROM matching.plans gp WHERE gp.id = m.plan_id) AS plan_as_of"


/* ---- Plans ---- */

static const char SQL_INPUT_OFFERS[] =
    "SELECT o.id, o.version, o.donor_state, o.kind, " LIST("o.topics") " AS topics, o.remaining,"
    " " LIST("o.eligible_states") " AS eligible_states,"
    " " LIST("o.eligible_regions") " AS eligible_regions, " LIST("o.languages") " AS languages,"
    " " LIST("o.eligible_groups") " AS eligible_groups,"
    " coalesce(to_char(o.valid_from, 'YYYY-MM-DD'), '') AS valid_from,"
    " coalesce(to_char(o.valid_until, 'YYYY-MM-DD'), '') AS valid_until"
    " FROM matching.offers o WHERE o.status = 'OPEN' AND o.remaining > 0 ORDER BY o.id";
static const char SQL_INPUT_REQUESTS[] =
    "SELECT r.id, r.version, r.state_code, r.region, r.sub_region, r.ldc, r.kind, r.topic,"
    " r.remaining, r.priority, r.gap_severity_milli, r.source_question_id,"
    " " LIST("r.languages") " AS languages, " LIST("r.topics") " AS topics"
    " FROM matching.requests r WHERE r.status = 'OPEN' AND r.remaining > 0"
    " AND (cardinality($1::text[]) = 0 OR r.state_code::text = ANY ($1::text[])) ORDER BY r.id";
static const char SQL_PLAN_INSERT[] =
    "INSERT INTO matching.plans (as_of, scope, objective, solve_ms, offers_seen, requests_seen,"
    " arcs, fingerprint, created_by)"
    " VALUES ($1::date, $2::text[], $3::bigint, $4::bigint, $5::int, $6::int, $7::bigint, $8, $9)"
    " RETURNING id";
static const char SQL_PLAN_MATCHES_INSERT[] =
    "INSERT INTO matching.matches (plan_id, position, offer_id, request_id, offer_version,"
    " request_version, donor_state, recipient_state, kind, topic, quantity, unit_benefit, benefit,"
    " explanation, grounds_eligibility, grounds_eligible_by, grounds_question, grounds_severity_milli,"
    " grounds_languages, grounds_ldc)"
    " SELECT $1::uuid, d.n, d.offer_id, d.request_id, d.ov, d.rv, d.donor, d.recipient, d.kind,"
    " d.topic, d.quantity, d.ub, d.b, d.expl, d.elig, d.elig_by, d.question, d.severity,"
    " string_to_array(d.langs, chr(31)), d.ldc"
    " FROM unnest($2::uuid[], $3::uuid[], $4::int[], $5::int[], $6::text[], $7::text[], $8::text[],"
    " $9::text[], $10::bigint[], $11::bigint[], $12::bigint[], $13::text[], $14::text[], $15::text[],"
    " $16::text[], $17::int[], $18::text[], $19::boolean[]) WITH ORDINALITY"
    " AS d(offer_id, request_id, ov, rv, donor, recipient, kind, topic, quantity, ub, b, expl, elig,"
    " elig_by, question, severity, langs, ldc, n)"
    " ORDER BY d.n";
static const char SQL_PLAN_UNMET_INSERT[] =
    "INSERT INTO matching.plan_unmet (plan_id, position, request_id, state_code, remaining, reason,"
    " reason_code, grounds_kind, grounds_topics)"
    " SELECT $1::uuid, d.n, d.request_id, d.state_code, d.remaining, d.reason, d.code, d.kind,"
    " string_to_array(d.topics, chr(31))"
    " FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[],"
    " $8::text[]) WITH ORDINALITY AS d(request_id, state_code, remaining, reason, code, kind, topics, n)";
static const char SQL_PLAN_GET[] =
    "SELECT id, to_char(as_of, 'YYYY-MM-DD') AS as_of, objective, solve_ms, status, fingerprint, "
    TS("created_at") " AS created_at FROM matching.plans WHERE id = $1::uuid";
static const char SQL_PLAN_MATCHES[] =
    "SELECT " MATCH_COLUMNS " FROM matching.matches m WHERE m.plan_id = $1::uuid ORDER BY m.position";
static const char SQL_PLAN_UNMET[] =
    "SELECT u.request_id, u.state_code, u.remaining, u.reason, coalesce((SELECT fr.source_cycle"
    " FROM matching.requests fr WHERE fr.id = u.request_id), 0) AS source_cycle,"
    " coalesce(u.reason_code, '') AS reason_code, coalesce(u.grounds_kind, '') AS grounds_kind,"
    " coalesce(" LIST("u.grounds_topics") ", '') AS grounds_topics"
    " FROM matching.plan_unmet u WHERE u.plan_id = $1::uuid ORDER BY u.position";

/* Commit. Locks are taken in one order everywhere: plan, then offers by id, then requests by id,
 * then matches; so two commits (or a commit and a decline) wait for each other, never deadlock. */
static const char SQL_PLAN_LOCK[] =
    "SELECT status, fingerprint FROM matching.plans WHERE id = $1::uuid FOR UPDATE";
static const char SQL_COMMIT_LOCK_OFFERS[] =
    "SELECT o.id, o.version, o.remaining, o.status FROM matching.offers o"
    " WHERE o.id IN (SELECT offer_id FROM matching.matches WHERE plan_id = $1::uuid)"
    " ORDER BY o.id FOR UPDATE OF o";
static const char SQL_COMMIT_LOCK_REQUESTS[] =
    "SELECT r.id, r.version, r.remaining, r.status FROM matching.requests r"
    " WHERE r.id IN (SELECT request_id FROM matching.matches WHERE plan_id = $1::uuid)"
    " ORDER BY r.id FOR UPDATE OF r";
static const char SQL_COMMIT_OFFER_NEEDS[] =
    "SELECT offer_id AS id, min(offer_version) AS version, max(offer_version) AS version_max,"
    " sum(quantity) AS quantity, bool_and(status = 'PROPOSED') AS proposed"
    " FROM matching.matches WHERE plan_id = $1::uuid GROUP BY offer_id ORDER BY offer_id";
static const char SQL_COMMIT_REQUEST_NEEDS[] =
    "SELECT request_id AS id, min(request_version) AS version, max(request_version) AS version_max,"
    " sum(quantity) AS quantity, bool_and(status = 'PROPOSED') AS proposed"
    " FROM matching.matches WHERE plan_id = $1::uuid GROUP BY request_id ORDER BY request_id";
static const char SQL_COMMIT_OFFERS[] =
    "UPDATE matching.offers AS o SET remaining = o.remaining - d.q, version = o.version + 1,"
    " status = CASE WHEN o.remaining - d.q = 0 THEN 'EXHAUSTED' ELSE o.status END,"
    " updated_at = now()"
    " FROM (SELECT offer_id, sum(quantity) AS q FROM matching.matches WHERE plan_id = $1::uuid"
    " GROUP BY offer_id) AS d WHERE o.id = d.offer_id";
static const char SQL_COMMIT_REQUESTS[] =
    "UPDATE matching.requests AS r SET remaining = r.remaining - d.q, version = r.version + 1,"
    " status = CASE WHEN r.remaining - d.q = 0 THEN 'FULFILLED' ELSE r.status END,"
    " updated_at = now()"
    " FROM (SELECT request_id, sum(quantity) AS q FROM matching.matches WHERE plan_id = $1::uuid"
    " GROUP BY request_id) AS d WHERE r.id = d.request_id";
static const char SQL_COMMIT_MATCHES[] =
    "UPDATE matching.matches SET status = 'OFFERED', updated_at = now() WHERE plan_id = $1::uuid";
/* Other proposed plans drawing on what this one consumed can no longer be committed as computed:
 * their matches say so. */
static const char SQL_COMMIT_SUPERSEDE[] =
    "UPDATE matching.matches AS m SET status = 'SUPERSEDED', updated_at = now()"
    " WHERE m.status = 'PROPOSED' AND m.plan_id <> $1::uuid AND m.plan_id IN ("
    " SELECT x.plan_id FROM matching.matches mine JOIN matching.matches x"
    " ON x.offer_id = mine.offer_id WHERE mine.plan_id = $1::uuid AND x.status = 'PROPOSED'"
    " UNION SELECT x.plan_id FROM matching.matches mine JOIN matching.matches x"
    " ON x.request_id = mine.request_id WHERE mine.plan_id = $1::uuid AND x.status = 'PROPOSED')";
/* The events of a commit (docs/notifications.md): each State of the plan learns it was committed,
 * with its own matches, and each party of each match that the match awaits its answer. Only ids
 * and what the match is about: the rest is read with GetMatch, under its own rules. */
static const char SQL_COMMIT_EVENTS[] = NOTIFY_EVENTS_SQL(
    "SELECT s.state_code, 'plan.committed' AS kind, jsonb_build_object('plan_id', $1::text,"
    " 'matches', jsonb_agg(s.match_id ORDER BY s.position)) AS data"
    " FROM (SELECT m.donor_state AS state_code, m.id::text AS match_id, m.position"
    "       FROM matching.matches m WHERE m.plan_id = $1::uuid"
    "       UNION SELECT m.recipient_state, m.id::text, m.position"
    "       FROM matching.matches m WHERE m.plan_id = $1::uuid) s GROUP BY s.state_code"
    " UNION ALL SELECT p.state_code, 'match.awaiting_answer',"
    " jsonb_build_object('match_id', m.id, 'plan_id', m.plan_id, 'party', p.party, 'kind', m.kind,"
    " 'topic', m.topic, 'answer_with', 'unic.matching.v1.MatchingService/RespondToMatch')"
    " FROM matching.matches m CROSS JOIN LATERAL (VALUES (m.donor_state, 'DONOR'),"
    " (m.recipient_state, 'RECIPIENT')) AS p (state_code, party) WHERE m.plan_id = $1::uuid");
/* A decline, for the other party ($2: the side that declined). */
static const char SQL_DECLINE_EVENT[] = NOTIFY_EVENTS_SQL(
    "SELECT CASE WHEN $2 = 'DONOR' THEN m.recipient_state ELSE m.donor_state END AS state_code,"
    " 'match.declined' AS kind, jsonb_build_object('match_id', m.id, 'plan_id', m.plan_id,"
    " 'declined_by', $2::text, 'reason', $3::text, 'kind', m.kind, 'topic', m.topic) AS data"
    " FROM matching.matches m WHERE m.id = $1::uuid");
static const char SQL_COMMIT_PLAN[] =
    "UPDATE matching.plans SET status = 'COMMITTED', committed_by = $2, committed_at = now()"
    " WHERE id = $1::uuid";

/* ---- Matches ---- */

static const char SQL_MATCH_GET[] =
    "SELECT " MATCH_COLUMNS " FROM matching.matches m WHERE m.id = $1::uuid";
static const char SQL_MATCH_LOCK[] =
    "SELECT " MATCH_COLUMNS " FROM matching.matches m WHERE m.id = $1::uuid FOR UPDATE";
static const char SQL_MATCH_LOCK_OFFER[] =
    "SELECT id FROM matching.offers WHERE id = $1::uuid FOR UPDATE";
static const char SQL_MATCH_LOCK_REQUEST[] =
    "SELECT id FROM matching.requests WHERE id = $1::uuid FOR UPDATE";
/* $4: who answered, for the party or parties $2 (donor) and $3 (recipient). */
#define RESPONDED_BY                                                                              \
    " donor_responded_by = CASE WHEN $2::boolean THEN $4 ELSE m.donor_responded_by END,"          \
    " recipient_responded_by = CASE WHEN $3::boolean THEN $4 ELSE m.recipient_responded_by END"
static const char SQL_MATCH_ACCEPT[] =
    "UPDATE matching.matches AS m SET donor_accepted = m.donor_accepted OR $2::boolean,"
    " recipient_accepted = m.recipient_accepted OR $3::boolean,"
    " status = CASE WHEN (m.donor_accepted OR $2::boolean) AND (m.recipient_accepted OR $3::boolean)"
    " THEN 'ACCEPTED' ELSE m.status END, version = m.version + 1, updated_at = now()," RESPONDED_BY
    " WHERE m.id = $1::uuid RETURNING " MATCH_COLUMNS;
static const char SQL_MATCH_DECLINE[] =
    "UPDATE matching.matches AS m SET status = 'DECLINED',"
    " donor_accepted = m.donor_accepted AND NOT $2::boolean,"
    " recipient_accepted = m.recipient_accepted AND NOT $3::boolean, version = m.version + 1,"
    " updated_at = now()," RESPONDED_BY
    " WHERE m.id = $1::uuid RETURNING " MATCH_COLUMNS;
/* A declined match gives its quantity back; an offer or request emptied by commit reopens, a
 * withdrawn one stays withdrawn. */
static const char SQL_MATCH_RETURN_OFFER[] =
    "UPDATE matching.offers SET remaining = remaining + $2::bigint, version = version + 1,"
    " status = CASE WHEN status = 'EXHAUSTED' THEN 'OPEN' ELSE status END, updated_at = now()"
    " WHERE id = $1::uuid";
static const char SQL_MATCH_RETURN_REQUEST[] =
    "UPDATE matching.requests SET remaining = remaining + $2::bigint, version = version + 1,"
    " status = CASE WHEN status = 'FULFILLED' THEN 'OPEN' ELSE status END, updated_at = now()"
    " WHERE id = $1::uuid";
/* A step of AdvanceMatch: $2 the new status; $3 what was delivered, $4 the rating and $5 the
 * feedback, each kept as it was when NULL. */
static const char SQL_MATCH_ADVANCE[] =
    "UPDATE matching.matches AS m SET status = $2, version = m.version + 1, updated_at = now(),"
    " delivered_quantity = coalesce($3::bigint, m.delivered_quantity),"
    " rating = coalesce($4::int, m.rating), feedback = coalesce($5, m.feedback),"
    " completed_at = CASE WHEN $2 = 'COMPLETED' THEN now() ELSE m.completed_at END"
    " WHERE m.id = $1::uuid RETURNING " MATCH_COLUMNS;
static const char SQL_MATCH_EVENT[] =
    "INSERT INTO matching.match_events (match_id, from_status, to_status, party, actor,"
    " on_behalf_of, on_behalf_reason, reason, note, delivered_quantity)"
    " VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10::bigint)";
static const char SQL_MATCH_HISTORY[] =
    "SELECT from_status, to_status, party, actor, coalesce(on_behalf_of, '') AS on_behalf_of,"
    " on_behalf_reason, reason, note, coalesce(delivered_quantity, 0) AS delivered_quantity, "
    TS("created_at") " AS at FROM matching.match_events WHERE match_id = $1::uuid ORDER BY id";
/* GetImpactReport: the completed matches that addressed a question, and what was supported. */
static const char SQL_IMPACT_MATCHES[] =
    "SELECT m.id, m.donor_state, m.recipient_state, m.kind, m.topic, r.region,"
    " r.source_question_id, r.source_cycle,"
    " extract(year FROM m.completed_at AT TIME ZONE 'UTC')::int AS completed_year,"
    " coalesce(m.delivered_quantity, m.quantity) AS delivered, " TS("m.completed_at") " AS completed_at"
    " FROM matching.matches m JOIN matching.requests r ON r.id = m.request_id"
    " WHERE m.status = 'COMPLETED' AND r.source_question_id <> ''"
    " AND ($1::text IS NULL OR m.donor_state = $1::char(3) OR m.recipient_state = $1::char(3))"
    " ORDER BY m.completed_at, m.id";
static const char SQL_IMPACT_SUPPORTED[] =
    "SELECT DISTINCT m.recipient_state AS state, r.source_question_id AS question"
    " FROM matching.matches m JOIN matching.requests r ON r.id = m.request_id"
    " WHERE m.status = 'COMPLETED' AND r.source_question_id <> ''"
    " AND m.recipient_state::text = ANY ($1::text[]) ORDER BY 1, 2";
static const char SQL_MATCH_LIST[] =
    "SELECT " MATCH_COLUMNS " FROM matching.matches m"
    " WHERE ($1::text IS NULL OR m.donor_state = $1::char(3) OR m.recipient_state = $1::char(3))"
    " AND ($2::text IS NULL OR m.status = $2) AND ($3::uuid IS NULL OR m.plan_id = $3::uuid)"
    " AND ($4::text IS NULL OR m.recipient_state = $4::char(3) OR (m.donor_state = $4::char(3)"
    " AND m.status NOT IN ('PROPOSED', 'SUPERSEDED')))"
    " AND m.seq > $5::bigint ORDER BY m.seq LIMIT $6::int";


/* ---- Rows ---- */

/* A match on a request derived from a gap carries figures computed from the gap: its quantity
 * (bounded by the request's), its benefit (by the severity), the explanation naming both. */
static bool match_figures_visible(const PGresult *r, int row, const struct actor *who)
{
    return store_gap_figures_visible(who, db_get(r, row, "recipient_state"),
                                     db_get_int(r, row, "source_cycle"));
}

/* What a match's explanation says, as facts (MatchGrounds). For a caller who may not see the
 * gap's figures, only that the words are the coarsened sentence's: whatever else is recorded
 * (the question, the severity, anything the plan computed from them) stays out. Rows planned
 * before grounds were recorded have none, unless coarsened (that sentence needs nothing stored). */
static Unic__Matching__V1__MatchGrounds *match_grounds_from_row(struct arena *a, const PGresult *r,
                                                                int row, bool figures)
{
    if (figures && !db_get_bool(r, row, "has_grounds"))
        return NULL;
    Unic__Matching__V1__MatchGrounds *g = ARENA_MSG(a, Unic__Matching__V1__MatchGrounds,
                                                    UNIC__MATCHING__V1__MATCH_GROUNDS__INIT);
    if (!figures) {
        g->coarsened = true;
        return g;
    }
    g->question_id = store_col(a, r, row, "grounds_question");
    g->severity_milli = db_get_int(r, row, "grounds_severity_milli");
    db_list_split(a, db_get(r, row, "grounds_languages"), &g->shared_languages,
                  &g->n_shared_languages);
    g->eligibility = (Unic__Matching__V1__Eligibility)match_eligibility_from_name(
        db_get(r, row, "grounds_eligibility"));
    g->eligible_by = store_col(a, r, row, "grounds_eligible_by");
    g->ldc_priority = db_get_bool(r, row, "grounds_ldc");
    g->as_of = store_col(a, r, row, "plan_as_of");
    return g;
}

static Unic__Matching__V1__Match *match_from_row(struct arena *a, const PGresult *r, int row,
                                                 const struct actor *who)
{
    Unic__Matching__V1__Match *m = ARENA_MSG(a, Unic__Matching__V1__Match, UNIC__MATCHING__V1__MATCH__INIT);
    m->id = store_col(a, r, row, "id");
    m->plan_id = store_col(a, r, row, "plan_id");
    m->offer_id = store_col(a, r, row, "offer_id");
    m->request_id = store_col(a, r, row, "request_id");
    m->donor_state = store_col(a, r, row, "donor_state");
    m->recipient_state = store_col(a, r, row, "recipient_state");
    m->kind = (Unic__Common__V1__SupportKind)match_kind_from_name(db_get(r, row, "kind"));
    m->topic = store_col(a, r, row, "topic");
    bool figures = match_figures_visible(r, row, who);
    if (figures) {
        m->quantity = db_get_int64(r, row, "quantity");
        m->benefit = (double)db_get_int64(r, row, "benefit") / (double)MATCH_BENEFIT_SCALE;
        m->explanation = store_col(a, r, row, "explanation");
    } else {
        m->explanation = arena_printf(a,
                                      "serves a request of %s on %s derived from its"
                                      " self-assessment, whose figures only %s sees",
                                      m->recipient_state, m->topic, m->recipient_state);
    }
    m->status = (Unic__Matching__V1__MatchStatus)match_status_from_name(db_get(r, row, "status"));
    m->donor_accepted = db_get_bool(r, row, "donor_accepted");
    m->recipient_accepted = db_get_bool(r, row, "recipient_accepted");
    m->donor_responded_by = store_col(a, r, row, "donor_responded_by");
    m->recipient_responded_by = store_col(a, r, row, "recipient_responded_by");
    m->etag = (char *)store_etag_of(a, db_get_int(r, row, "version"));
    if (figures)
        m->delivered_quantity = db_get_int64(r, row, "delivered_quantity");
    m->rating = db_get_int(r, row, "rating");
    m->feedback = store_col(a, r, row, "feedback");
    m->completed_at = store_col(a, r, row, "completed_at");
    m->grounds = match_grounds_from_row(a, r, row, figures);
    return m;
}

/* Runs a statement expected to return exactly one row, failing with NOT_FOUND otherwise. */
/* ---- Plans ---- */

int store_plan_inputs(struct db *db, struct arena *a, char *const *scope, size_t n_scope,
                      struct plan_inputs *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    const char *params[] = {db_text_array(a, scope, n_scope)};
    PGresult *ro = NULL, *rr = NULL;
    /* Both lists in one transaction; what moves before the commit of the plan is caught there,
     * by the versions this records (plan_fingerprint). */
    if (db_begin(db, e) < 0)
        return -1;
    if ((ro = db_query(db, e, SQL_INPUT_OFFERS, 0, NULL)) == NULL ||
        (rr = db_query(db, e, SQL_INPUT_REQUESTS, 1, params)) == NULL || db_commit(db, e) < 0) {
        PQclear(ro);
        PQclear(rr);
        db_rollback(db);
        return -1;
    }
    out->n_offers = (size_t)PQntuples(ro);
    out->offers = ARENA_ARRAY(a, struct match_offer, out->n_offers + 1);
    out->offer_versions = ARENA_ARRAY(a, int, out->n_offers + 1);
    for (size_t i = 0; i < out->n_offers; i++) {
        int row = (int)i;
        struct match_offer *o = &out->offers[i];
        char **list;
        size_t n;
        o->id = store_col(a, ro, row, "id");
        out->offer_versions[i] = db_get_int(ro, row, "version");
        o->donor_state = store_col(a, ro, row, "donor_state");
        o->kind = match_kind_from_name(db_get(ro, row, "kind"));
        db_list_split(a, db_get(ro, row, "topics"), &list, &n);
        o->topics = (const char *const *)list;
        o->n_topics = n;
        o->remaining = db_get_int64(ro, row, "remaining");
        db_list_split(a, db_get(ro, row, "eligible_states"), &list, &n);
        o->eligible_states = (const char *const *)list;
        o->n_eligible_states = n;
        db_list_split(a, db_get(ro, row, "eligible_regions"), &list, &n);
        o->eligible_regions = (const char *const *)list;
        o->n_eligible_regions = n;
        db_list_split(a, db_get(ro, row, "eligible_groups"), &list, &n);
        o->eligible_groups = (const char *const *)list;
        o->n_eligible_groups = n;
        db_list_split(a, db_get(ro, row, "languages"), &list, &n);
        o->languages = (const char *const *)list;
        o->n_languages = n;
        o->valid_from = store_col(a, ro, row, "valid_from");
        o->valid_until = store_col(a, ro, row, "valid_until");
    }
    out->n_requests = (size_t)PQntuples(rr);
    out->requests = ARENA_ARRAY(a, struct match_request, out->n_requests + 1);
    out->request_versions = ARENA_ARRAY(a, int, out->n_requests + 1);
    for (size_t i = 0; i < out->n_requests; i++) {
        int row = (int)i;
        struct match_request *q = &out->requests[i];
        char **list;
        size_t n;
        q->id = store_col(a, rr, row, "id");
        out->request_versions[i] = db_get_int(rr, row, "version");
        q->recipient_state = store_col(a, rr, row, "state_code");
        q->region = store_col(a, rr, row, "region");
        q->sub_region = store_col(a, rr, row, "sub_region");
        q->ldc = db_get_bool(rr, row, "ldc");
        q->kind = match_kind_from_name(db_get(rr, row, "kind"));
        q->topic = store_col(a, rr, row, "topic");
        q->remaining = db_get_int64(rr, row, "remaining");
        q->priority = db_get_int(rr, row, "priority");
        q->severity_milli = db_get_int64(rr, row, "gap_severity_milli");
        q->source_question_id = store_col(a, rr, row, "source_question_id");
        db_list_split(a, db_get(rr, row, "languages"), &list, &n);
        q->languages = (const char *const *)list;
        q->n_languages = n;
        db_list_split(a, db_get(rr, row, "topics"), &list, &n);
        q->topics = (const char *const *)list;
        q->n_topics = n;
    }
    PQclear(ro);
    PQclear(rr);
    return 0;
}

/* What an unmet request's reason says, as facts (UnmetGrounds); for a caller who may not see the
 * gap's figures, the reason alone, as its coarsened words (`reason`, cut to the name) say. Rows
 * planned before grounds were recorded have none, unless coarsened. */
static Unic__Matching__V1__UnmetGrounds *unmet_grounds_from_row(struct arena *a, const PGresult *r,
                                                                int row, const char *as_of,
                                                                const char *coarse, bool figures)
{
    const char *code = db_get(r, row, "reason_code");
    if (figures && code[0] == '\0')
        return NULL;
    Unic__Matching__V1__UnmetGrounds *g = ARENA_MSG(a, Unic__Matching__V1__UnmetGrounds,
                                                    UNIC__MATCHING__V1__UNMET_GROUNDS__INIT);
    g->reason = (Unic__Matching__V1__UnmetReason)match_unmet_reason_from_name(
        code[0] ? code : coarse);
    if (!figures) {
        g->coarsened = true;
        return g;
    }
    g->kind = (Unic__Common__V1__SupportKind)match_kind_from_name(db_get(r, row, "grounds_kind"));
    db_list_split(a, db_get(r, row, "grounds_topics"), &g->topics, &g->n_topics);
    g->as_of = arena_strdup(a, as_of);
    return g;
}

/* Loads a stored plan with its matches and unmet requests. */
static int plan_load(struct db *db, struct arena *a, const char *id, const struct actor *who,
                     Unic__Matching__V1__MatchPlan **out, struct err *e)
{
    const char *params[] = {id};
    PGresult *rp = NULL, *rm = NULL, *ru = NULL;
    int rc = -1;
    rp = db_query_one(db, e, SQL_PLAN_GET, 1, params, "plan", id);
    if (rp == NULL)
        goto done;
    rm = db_query(db, e, SQL_PLAN_MATCHES, 1, params);
    if (rm == NULL)
        goto done;
    ru = db_query(db, e, SQL_PLAN_UNMET, 1, params);
    if (ru == NULL)
        goto done;
    Unic__Matching__V1__MatchPlan *p =
        ARENA_MSG(a, Unic__Matching__V1__MatchPlan, UNIC__MATCHING__V1__MATCH_PLAN__INIT);
    p->id = store_col(a, rp, 0, "id");
    p->as_of = store_col(a, rp, 0, "as_of");
    p->objective = (double)db_get_int64(rp, 0, "objective") / (double)MATCH_BENEFIT_SCALE;
    p->solve_ms = db_get_int64(rp, 0, "solve_ms");
    p->status = strcmp(db_get(rp, 0, "status"), "COMMITTED") == 0
                    ? UNIC__MATCHING__V1__PLAN_STATUS__PLAN_COMMITTED
                    : UNIC__MATCHING__V1__PLAN_STATUS__PLAN_PROPOSED;
    p->created_at = store_col(a, rp, 0, "created_at");
    p->n_matches = (size_t)PQntuples(rm);
    p->matches = ARENA_ARRAY(a, Unic__Matching__V1__Match *, p->n_matches);
    bool whole = true; /* the objective sums every match's benefit */
    for (size_t i = 0; i < p->n_matches; i++) {
        p->matches[i] = match_from_row(a, rm, (int)i, who);
        whole &= match_figures_visible(rm, (int)i, who);
    }
    p->n_unmet = (size_t)PQntuples(ru);
    p->unmet = ARENA_ARRAY(a, Unic__Matching__V1__UnmetRequest *, p->n_unmet);
    for (size_t i = 0; i < p->n_unmet; i++) {
        Unic__Matching__V1__UnmetRequest *u = ARENA_MSG(a, Unic__Matching__V1__UnmetRequest,
                                                        UNIC__MATCHING__V1__UNMET_REQUEST__INIT);
        u->request_id = store_col(a, ru, (int)i, "request_id");
        u->state_code = store_col(a, ru, (int)i, "state_code");
        bool figures =
            store_gap_figures_visible(who, u->state_code, db_get_int(ru, (int)i, "source_cycle"));
        u->reason = store_col(a, ru, (int)i, "reason");
        if (figures)
            u->remaining = db_get_int64(ru, (int)i, "remaining");
        else /* the reason's name alone: its words say how much is needed */
            u->reason[strcspn(u->reason, ":")] = '\0';
        u->grounds = unmet_grounds_from_row(a, ru, (int)i, p->as_of, u->reason, figures);
        p->unmet[i] = u;
    }
    if (!whole)
        p->objective = 0;
    *out = p;
    rc = 0;
done:
    PQclear(rp);
    PQclear(rm);
    PQclear(ru);
    return rc;
}

int store_plan_save(struct db *db, struct arena *a, const struct plan_record *p,
                    const struct actor *who, Unic__Matching__V1__MatchPlan **out, struct err *e)
{
    const struct match_plan *mp = p->plan;
    const struct plan_inputs *in = p->in;
    size_t n = mp->n_assignments, nu = mp->n_unmet;
    char objective[24], solve_ms[24], offers_seen[24], requests_seen[24], arcs[24];
    snprintf(objective, sizeof objective, "%" PRId64, p->objective);
    snprintf(solve_ms, sizeof solve_ms, "%" PRId64, p->solve_ms);
    snprintf(offers_seen, sizeof offers_seen, "%zu", p->offers_seen);
    snprintf(requests_seen, sizeof requests_seen, "%zu", p->requests_seen);
    snprintf(arcs, sizeof arcs, "%zu", p->arcs);
    const char *plan_params[] = {p->as_of, db_text_array(a, p->scope, p->n_scope), objective,
                                 solve_ms, offers_seen, requests_seen, arcs, p->fingerprint,
                                 who->label};

    char **offer_ids = ARENA_ARRAY(a, char *, n + 1), **request_ids = ARENA_ARRAY(a, char *, n + 1),
         **donors = ARENA_ARRAY(a, char *, n + 1), **recipients = ARENA_ARRAY(a, char *, n + 1),
         **kinds = ARENA_ARRAY(a, char *, n + 1), **topics = ARENA_ARRAY(a, char *, n + 1);
    int *ov = ARENA_ARRAY(a, int, n + 1), *rv = ARENA_ARRAY(a, int, n + 1);
    int64_t *qty = ARENA_ARRAY(a, int64_t, n + 1), *ub = ARENA_ARRAY(a, int64_t, n + 1),
            *benefit = ARENA_ARRAY(a, int64_t, n + 1);
    char **elig = ARENA_ARRAY(a, char *, n + 1), **elig_by = ARENA_ARRAY(a, char *, n + 1),
         **questions = ARENA_ARRAY(a, char *, n + 1), **langs = ARENA_ARRAY(a, char *, n + 1),
         **ldc = ARENA_ARRAY(a, char *, n + 1);
    int *severity = ARENA_ARRAY(a, int, n + 1);
    for (size_t i = 0; i < n; i++) {
        const struct match_assignment *as = &mp->assignments[i];
        const struct match_offer *o = &in->offers[as->offer];
        const struct match_request *q = &in->requests[as->request];
        offer_ids[i] = (char *)o->id;
        request_ids[i] = (char *)q->id;
        ov[i] = in->offer_versions[as->offer];
        rv[i] = in->request_versions[as->request];
        donors[i] = (char *)o->donor_state;
        recipients[i] = (char *)q->recipient_state;
        kinds[i] = (char *)match_kind_name(o->kind);
        topics[i] = (char *)match_shared_topic(o, q); /* the topic the offer serves */
        qty[i] = as->quantity;
        ub[i] = as->unit_benefit;
        benefit[i] = as->benefit;
        const struct match_grounds *g = &p->grounds[i];
        elig[i] = (char *)match_eligibility_name(g->eligibility);
        elig_by[i] = (char *)(g->eligible_by ? g->eligible_by : "");
        questions[i] = (char *)(g->question_id ? g->question_id : "");
        severity[i] = (int)g->severity_milli; /* <= MATCH_SEVERITY_MILLI_MAX: validation */
        langs[i] = db_list_join(a, g->languages, g->n_languages);
        ldc[i] = g->ldc ? "true" : "false";
    }
    char **unmet_ids = ARENA_ARRAY(a, char *, nu + 1), **unmet_states = ARENA_ARRAY(a, char *, nu + 1);
    int64_t *unmet_left = ARENA_ARRAY(a, int64_t, nu + 1);
    char **unmet_codes = ARENA_ARRAY(a, char *, nu + 1), **unmet_kinds = ARENA_ARRAY(a, char *, nu + 1),
         **unmet_topics = ARENA_ARRAY(a, char *, nu + 1);
    for (size_t i = 0; i < nu; i++) {
        const struct match_request *q = &in->requests[mp->unmet[i].request];
        unmet_ids[i] = (char *)q->id;
        unmet_states[i] = (char *)q->recipient_state;
        unmet_left[i] = mp->unmet[i].quantity;
        unmet_codes[i] = (char *)match_unmet_reason_name(mp->unmet[i].reason);
        unmet_kinds[i] = (char *)match_kind_name(q->kind);
        size_t nt = request_n_topics(q);
        const char **ts = ARENA_ARRAY(a, const char *, nt + 1);
        for (size_t t = 0; t < nt; t++)
            ts[t] = request_topic(q, t);
        unmet_topics[i] = db_list_join(a, ts, nt);
    }

    PGresult *r = NULL;
    char *plan_id = NULL;
    int rc = -1;
    if (db_begin(db, e) < 0)
        return -1;
    if (store_quota_lock(db, who, QUOTA_PLANS, e) < 0 ||
        (r = db_query(db, e, SQL_PLAN_INSERT, 9, plan_params)) == NULL ||
        store_quota_check(db, who, QUOTA_PLANS, e) < 0)
        goto done;
    plan_id = store_col(a, r, 0, "id");
    if (n > 0) {
        const char *params[] = {
            plan_id, db_text_array(a, offer_ids, n), db_text_array(a, request_ids, n),
            db_int_array(a, ov, n), db_int_array(a, rv, n), db_text_array(a, donors, n),
            db_text_array(a, recipients, n), db_text_array(a, kinds, n), db_text_array(a, topics, n),
            db_int64_array(a, qty, n), db_int64_array(a, ub, n), db_int64_array(a, benefit, n),
            db_text_array(a, p->explanations, n), db_text_array(a, elig, n),
            db_text_array(a, elig_by, n), db_text_array(a, questions, n),
            db_int_array(a, severity, n), db_text_array(a, langs, n), db_text_array(a, ldc, n),
        };
        if (db_command(db, e, SQL_PLAN_MATCHES_INSERT, 19, params, NULL) < 0)
            goto done;
    }
    if (nu > 0) {
        const char *params[] = {plan_id, db_text_array(a, unmet_ids, nu),
                                db_text_array(a, unmet_states, nu), db_int64_array(a, unmet_left, nu),
                                db_text_array(a, p->unmet_reasons, nu),
                                db_text_array(a, unmet_codes, nu), db_text_array(a, unmet_kinds, nu),
                                db_text_array(a, unmet_topics, nu)};
        if (db_command(db, e, SQL_PLAN_UNMET_INSERT, 8, params, NULL) < 0)
            goto done;
    }
    if (store_audited(a, who, "plan", plan_id, NULL, NULL, "plan-proposed",
                      AUDIT_ARGS(plan_id, p->as_of, arena_printf(a, "%zu", n), arena_printf(a, "%zu", nu)),
                      e) < 0 ||
        plan_load(db, a, plan_id, who, out, e) < 0)
        goto done;
    rc = db_commit(db, e);
done:
    PQclear(r);
    if (rc < 0)
        db_rollback(db);
    return rc;
}

/* Compares what a plan drew on (needs: one row per offer or request, ordered by id, with the
 * version recorded at planning time and the total quantity) with the rows now locked (same
 * order). ABORTED naming the first row that moved. Fills ids and versions for the fingerprint. */
static int commit_verify(struct arena *a, const char *what, const PGresult *needs,
                         const PGresult *locked, char ***ids, int **versions, size_t *n,
                         struct err *e)
{
    size_t nn = (size_t)PQntuples(needs), nl = (size_t)PQntuples(locked);
    *n = nl;
    *ids = ARENA_ARRAY(a, char *, nl + 1);
    *versions = ARENA_ARRAY(a, int, nl + 1);
    for (size_t i = 0; i < nl; i++) {
        (*ids)[i] = store_col(a, locked, (int)i, "id");
        (*versions)[i] = db_get_int(locked, (int)i, "version");
    }
    if (nn != nl)
        return err_set(e, ERR_ABORTED, "a %s of the plan no longer exists", what);
    for (size_t i = 0; i < nn; i++) {
        int row = (int)i;
        const char *id = db_get(needs, row, "id");
        int then = db_get_int(needs, row, "version"), now = db_get_int(locked, row, "version");
        if (strcmp(id, db_get(locked, row, "id")) != 0)
            return err_set(e, ERR_ABORTED, "%s %s of the plan no longer exists", what, id);
        if (!db_get_bool(needs, row, "proposed"))
            return err_set(e, ERR_ABORTED, "the plan was superseded: a committed plan took %s %s",
                           what, id);
        if (then != now || then != db_get_int(needs, row, "version_max"))
            return err_set(e, ERR_ABORTED,
                           "%s %s changed since the plan was computed (version %d, now %d): "
                           "propose a new plan", what, id, then, now);
        if (strcmp(db_get(locked, row, "status"), "OPEN") != 0 ||
            db_get_int64(locked, row, "remaining") < db_get_int64(needs, row, "quantity"))
            return err_set(e, ERR_ABORTED, "%s %s can no longer provide what the plan needs", what,
                           id);
    }
    return 0;
}

int store_plan_commit(struct db *db, struct arena *a, const char *id, const struct actor *who,
                      Unic__Matching__V1__MatchPlan **out, struct err *e)
{
    const char *params[] = {id, who->label};
    PGresult *plan = NULL, *lo = NULL, *lr = NULL, *no = NULL, *nr = NULL;
    int rc = -1;
    if (db_begin(db, e) < 0)
        return -1;
    plan = db_query_one(db, e, SQL_PLAN_LOCK, 1, params, "plan", id);
    if (plan == NULL)
        goto done;
    if (strcmp(db_get(plan, 0, "status"), "PROPOSED") != 0) {
        err_set(e, ERR_FAILED_PRECONDITION, "plan %s is already committed", id);
        goto done;
    }
    if ((lo = db_query(db, e, SQL_COMMIT_LOCK_OFFERS, 1, params)) == NULL ||
        (lr = db_query(db, e, SQL_COMMIT_LOCK_REQUESTS, 1, params)) == NULL ||
        (no = db_query(db, e, SQL_COMMIT_OFFER_NEEDS, 1, params)) == NULL ||
        (nr = db_query(db, e, SQL_COMMIT_REQUEST_NEEDS, 1, params)) == NULL)
        goto done;
    char **oids, **rids;
    int *overs, *rvers;
    size_t n_o, n_r;
    if (commit_verify(a, "offer", no, lo, &oids, &overs, &n_o, e) < 0 ||
        commit_verify(a, "request", nr, lr, &rids, &rvers, &n_r, e) < 0)
        goto done;
    char fingerprint[65];
    plan_fingerprint((const char *const *)oids, overs, n_o, (const char *const *)rids, rvers, n_r,
                     fingerprint);
    if (strcmp(fingerprint, db_get(plan, 0, "fingerprint")) != 0) {
        err_set(e, ERR_ABORTED, "the offers and requests of plan %s changed since it was computed",
                id);
        goto done;
    }
    if (db_command(db, e, SQL_COMMIT_OFFERS, 1, params, NULL) < 0 ||
        db_command(db, e, SQL_COMMIT_REQUESTS, 1, params, NULL) < 0 ||
        db_command(db, e, SQL_COMMIT_MATCHES, 1, params, NULL) < 0 ||
        db_command(db, e, SQL_COMMIT_SUPERSEDE, 1, params, NULL) < 0 ||
        db_command(db, e, SQL_COMMIT_EVENTS, 1, params, NULL) < 0 ||
        db_command(db, e, SQL_COMMIT_PLAN, 2, params, NULL) < 0 ||
        store_audited(a, who, "plan", id, NULL, NULL, "plan-committed",
                      AUDIT_ARGS(id, arena_printf(a, "%zu", n_o), arena_printf(a, "%zu", n_r)), e) < 0 ||
        plan_load(db, a, id, who, out, e) < 0)
        goto done;
    rc = db_commit(db, e);
done:
    PQclear(plan);
    PQclear(lo);
    PQclear(lr);
    PQclear(no);
    PQclear(nr);
    if (rc < 0)
        db_rollback(db);
    return rc;
}

/* ---- Matches ---- */

/* The history of match m (a reply being built), its delivered quantities hidden as the match's
 * own figures are. */
static int match_history(struct db *db, struct arena *a, Unic__Matching__V1__Match *m,
                         bool figures, struct err *e)
{
    const char *params[] = {m->id};
    PGresult *r = db_query(db, e, SQL_MATCH_HISTORY, 1, params);
    if (r == NULL)
        return -1;
    m->n_history = (size_t)PQntuples(r);
    m->history = ARENA_ARRAY(a, Unic__Matching__V1__MatchEvent *, m->n_history);
    for (size_t i = 0; i < m->n_history; i++) {
        int row = (int)i;
        Unic__Matching__V1__MatchEvent *ev =
            ARENA_MSG(a, Unic__Matching__V1__MatchEvent, UNIC__MATCHING__V1__MATCH_EVENT__INIT);
        ev->from_status = (Unic__Matching__V1__MatchStatus)match_status_from_name(
            db_get(r, row, "from_status"));
        ev->to_status = (Unic__Matching__V1__MatchStatus)match_status_from_name(
            db_get(r, row, "to_status"));
        ev->party = store_col(a, r, row, "party");
        ev->actor = store_col(a, r, row, "actor");
        ev->on_behalf_of = store_col(a, r, row, "on_behalf_of");
        ev->on_behalf_reason = store_col(a, r, row, "on_behalf_reason");
        ev->reason = store_col(a, r, row, "reason");
        ev->note = store_col(a, r, row, "note");
        if (figures)
            ev->delivered_quantity = db_get_int64(r, row, "delivered_quantity");
        ev->at = store_col(a, r, row, "at");
        m->history[i] = ev;
    }
    PQclear(r);
    return 0;
}

int store_match_get(struct db *db, struct arena *a, const char *id, const struct actor *who,
                    Unic__Matching__V1__Match **out, struct err *e)
{
    const char *params[] = {id};
    int rc = -1;
    if (db_begin(db, e) < 0)
        return -1;
    PGresult *r = db_query(db, e, SQL_MATCH_GET, 1, params);
    if (r == NULL)
        goto done;
    if (PQntuples(r) != 1 || !access_match_visible(who->state, db_get(r, 0, "donor_state"),
                                                   db_get(r, 0, "recipient_state"),
                                                   db_get(r, 0, "status"))) {
        /* a State is told the same whether or not the match exists */
        if (who->state == NULL)
            err_set(e, ERR_NOT_FOUND, "match %s not found", id);
        else
            err_set(e, ERR_PERMISSION_DENIED, "match %s is not one %s may see", id, who->state);
        goto done;
    }
    Unic__Matching__V1__Match *m = match_from_row(a, r, 0, who);
    if (match_history(db, a, m, match_figures_visible(r, 0, who), e) < 0 ||
        db_commit(db, e) < 0)
        goto done;
    *out = m;
    rc = 0;
done:
    PQclear(r);
    if (rc < 0)
        db_rollback(db);
    return rc;
}

/* Quantity given back by a step: a decline or a cancellation returns what was not delivered, a
 * delivery short of the match's quantity returns the shortfall. */
static int64_t step_returns(int to, int64_t quantity, int64_t delivered)
{
    switch (to) {
    case MATCH_DECLINED:
    case MATCH_CANCELLED: return quantity;
    case MATCH_DELIVERED: return quantity - delivered;
    default: return 0;
    }
}

int store_match_step(struct db *db, struct arena *a, const struct match_step_in *in,
                     const struct actor *who, Unic__Matching__V1__Match **out, struct err *e)
{
    const char *params[] = {in->id};
    PGresult *m = NULL, *lock = NULL, *r = NULL;
    bool donor = false, recipient = false;
    int rc = -1;
    int claimed = idem_tx_begin(who->call, in->k, e); /* the request_id first (common/idem.h) */
    if (claimed != 0)
        return claimed;
    /* Read first, unlocked, to learn the parties, the offer and the request: the locks then go
     * offer, request, match, the order commits use. */
    m = db_query(db, e, SQL_MATCH_GET, 1, params);
    if (m == NULL)
        goto done;
    if (PQntuples(m) != 1) {
        /* the same answer to a State whether or not the match exists: existence is not leaked */
        if (who->state == NULL)
            err_set(e, ERR_NOT_FOUND, "match %s not found", in->id);
        else
            err_set(e, ERR_PERMISSION_DENIED, "match %s is not one %s is a party to", in->id,
                    who->state[0] ? who->state : "a service key");
        goto done;
    }
    if (access_match_side(who->state, in->on_behalf_of, db_get(m, 0, "donor_state"),
                          db_get(m, 0, "recipient_state"), &donor, &recipient, e) < 0)
        goto done;
    const char *op[] = {db_get(m, 0, "offer_id")}, *rp[] = {db_get(m, 0, "request_id")};
    PGresult *l1 = db_query(db, e, SQL_MATCH_LOCK_OFFER, 1, op);
    if (l1 == NULL)
        goto done;
    PQclear(l1);
    PGresult *l2 = db_query(db, e, SQL_MATCH_LOCK_REQUEST, 1, rp);
    if (l2 == NULL)
        goto done;
    PQclear(l2);
    lock = db_query_one(db, e, SQL_MATCH_LOCK, 1, params, "match", in->id);
    if (lock == NULL)
        goto done;
    const char *status = db_get(lock, 0, "status");
    int from = match_status_from_name(status);
    if (in->etag[0] &&
        store_etag_check("match", in->id, in->etag, db_get_int(lock, 0, "version"), e) < 0)
        goto done;
    int64_t quantity = db_get_int64(lock, 0, "quantity"), delivered = 0;
    const char *party = donor ? "DONOR" : "RECIPIENT";
    if (in->respond) {
        if (from != MATCH_OFFERED) {
            err_set(e, ERR_FAILED_PRECONDITION, "match %s is %s: only an OFFERED match can be %s",
                    in->id, status, in->to == MATCH_ACCEPTED ? "accepted" : "declined");
            goto done;
        }
        const char *up[] = {in->id, donor ? "true" : "false", recipient ? "true" : "false",
                            who->label};
        r = db_query(db, e, in->to == MATCH_ACCEPTED ? SQL_MATCH_ACCEPT : SQL_MATCH_DECLINE, 4, up);
    } else {
        const struct match_step *step;
        if (match_step_find(from, in->to, &step, e) < 0)
            goto done;
        if (!((step->party & MATCH_PARTY_DONOR) && donor) &&
            !((step->party & MATCH_PARTY_RECIPIENT) && recipient)) {
            err_set(e, ERR_PERMISSION_DENIED, "only the %s of match %s makes it %s",
                    step->party == MATCH_PARTY_DONOR ? "donor" : "recipient", in->id,
                    match_status_name(in->to));
            goto done;
        }
        party = step->party == MATCH_PARTY_RECIPIENT || (step->party == MATCH_PARTY_EITHER && !donor)
                    ? "RECIPIENT" : "DONOR";
        char dq[24], rating[12];
        const char *dq_p = NULL, *rating_p = NULL, *feedback_p = NULL;
        if (in->to == MATCH_DELIVERED) {
            delivered = in->delivered ? in->delivered : quantity;
            if (delivered > quantity) {
                err_field(e, "delivered_quantity",
                          "%" PRId64 " is more than the match's %" PRId64,
                          delivered, quantity);
                goto done;
            }
            snprintf(dq, sizeof dq, "%" PRId64, delivered);
            dq_p = dq;
        }
        if (in->to == MATCH_COMPLETED) {
            snprintf(rating, sizeof rating, "%d", in->rating);
            rating_p = rating;
            feedback_p = in->feedback;
        }
        if (in->to == MATCH_CANCELLED)
            delivered = 0; /* nothing is delivered before DELIVERED */
        const char *up[] = {in->id, match_status_name(in->to), dq_p, rating_p, feedback_p};
        r = db_query(db, e, SQL_MATCH_ADVANCE, 5, up);
    }
    if (r == NULL)
        goto done;
    const char *now = db_get(r, 0, "status");
    char dq_ev[24];
    snprintf(dq_ev, sizeof dq_ev, "%" PRId64, delivered);
    const char *ev[] = {in->id, status, now, party, who->label,
                        who->state == NULL ? in->on_behalf_of : NULL,
                        who->state == NULL ? in->on_behalf_reason : "", in->reason, in->note,
                        in->to == MATCH_DELIVERED ? dq_ev : NULL};
    if (db_command(db, e, SQL_MATCH_EVENT, 10, ev, NULL) < 0)
        goto done;
    const char *declined[] = {in->id, party, in->reason};
    if (in->respond && in->to == MATCH_DECLINED && strcmp(now, "DECLINED") == 0 &&
        db_command(db, e, SQL_DECLINE_EVENT, 3, declined, NULL) < 0)
        goto done;
    int64_t back = strcmp(now, status) == 0 ? 0 : step_returns(in->to, quantity, delivered);
    if (back > 0) {
        char qty[24];
        snprintf(qty, sizeof qty, "%" PRId64, back);
        const char *o2[] = {db_get(lock, 0, "offer_id"), qty}, *r2[] = {db_get(lock, 0, "request_id"), qty};
        if (db_command(db, e, SQL_MATCH_RETURN_OFFER, 2, o2, NULL) < 0 ||
            db_command(db, e, SQL_MATCH_RETURN_REQUEST, 2, r2, NULL) < 0)
            goto done;
    }
    Unic__Matching__V1__Match *reply = match_from_row(a, r, 0, who);
    if (match_history(db, a, reply, match_figures_visible(r, 0, who), e) < 0)
        goto done;
    /* The side as a word the portal translates (audit.side.*); an operator's reason and what
     * went back to the offer and the request in the code's longer forms. */
    const char *side = donor && recipient ? "BOTH" : donor ? "DONOR" : "RECIPIENT";
    const char *side_state = donor ? db_get(lock, 0, "donor_state") : db_get(lock, 0, "recipient_state");
    const char *args[AUDIT_ARGS_MAX] = {in->id, status, now, side, side_state};
    size_t n_args = 5;
    if (who->state == NULL)
        args[n_args++] = in->on_behalf_reason;
    if (back > 0)
        args[n_args++] = arena_printf(a, "%" PRId64, back);
    const char *code = who->state == NULL ? (back > 0 ? "match-advanced-by-operator-returned"
                                                      : "match-advanced-by-operator")
                                          : (back > 0 ? "match-advanced-returned" : "match-advanced");
    if (store_audited(a, who, "match", in->id, side_state, in->k, code, args, n_args, e) < 0 ||
        idem_save(who->call, in->k, &reply->base, e) < 0 || db_commit(db, e) < 0)
        goto done;
    *out = reply;
    rc = 0;
done:
    PQclear(m);
    PQclear(lock);
    PQclear(r);
    if (rc < 0)
        db_rollback(db);
    return rc;
}

int store_match_list(struct db *db, struct arena *a, const struct match_filter *f,
                     const struct actor *who, Unic__Matching__V1__ListMatchesResponse *out,
                     struct err *e)
{
    const char *filters[] = {f->state_code, f->status, f->plan_id, who->state};
    PGresult *r = store_page_query(db, a, SQL_MATCH_LIST, filters, 4, f->after_seq, f->limit,
                                   &out->n_matches, &out->next_page_token, e);
    if (r == NULL)
        return -1;
    out->matches = ARENA_ARRAY(a, Unic__Matching__V1__Match *, out->n_matches);
    for (size_t i = 0; i < out->n_matches; i++)
        out->matches[i] = match_from_row(a, r, (int)i, who);
    PQclear(r);
    return 0;
}


int store_impact_rows(struct db *db, struct arena *a, const char *state, struct impact_rows *out,
                      struct err *e)
{
    const char *params[] = {state};
    PGresult *rm = NULL, *rs = NULL;
    int rc = -1;
    memset(out, 0, sizeof *out);
    if (db_begin(db, e) < 0)
        return -1;
    if ((rm = db_query(db, e, SQL_IMPACT_MATCHES, 1, params)) == NULL)
        goto done;
    out->n = (size_t)PQntuples(rm);
    out->matches = ARENA_ARRAY(a, struct impact_match, out->n + 1);
    out->completed_at = ARENA_ARRAY(a, char *, out->n + 1);
    char **recipients = ARENA_ARRAY(a, char *, out->n + 1);
    for (size_t i = 0; i < out->n; i++) {
        int row = (int)i;
        out->matches[i] = (struct impact_match){
            .id = store_col(a, rm, row, "id"), .donor = store_col(a, rm, row, "donor_state"),
            .recipient = store_col(a, rm, row, "recipient_state"),
            .kind = store_col(a, rm, row, "kind"), .topic = store_col(a, rm, row, "topic"),
            .region = store_col(a, rm, row, "region"),
            .question = store_col(a, rm, row, "source_question_id"),
            .source_cycle = db_get_int(rm, row, "source_cycle"),
            .completed_year = db_get_int(rm, row, "completed_year"),
            .delivered = db_get_int64(rm, row, "delivered"),
        };
        out->completed_at[i] = store_col(a, rm, row, "completed_at");
        recipients[i] = (char *)out->matches[i].recipient;
    }
    const char *sp[] = {db_text_array(a, recipients, out->n)};
    if ((rs = db_query(db, e, SQL_IMPACT_SUPPORTED, 1, sp)) == NULL || db_commit(db, e) < 0)
        goto done;
    out->n_supported = (size_t)PQntuples(rs);
    out->supported = ARENA_ARRAY(a, struct impact_support, out->n_supported + 1);
    for (size_t i = 0; i < out->n_supported; i++)
        out->supported[i] = (struct impact_support){store_col(a, rs, (int)i, "state"),
                                                    store_col(a, rs, (int)i, "question")};
    rc = 0;
done:
    PQclear(rm);
    PQclear(rs);
    if (rc < 0)
        db_rollback(db);
    return rc;
}
