/* store.c: all SQL of the matching service, as named constants, and the functions that run it.
 * Row-level rules that need the row (who owns it, its etag, its status) are checked here, under
 * the row's lock; results are built in the caller's arena as protobuf-c messages. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "matching.h"

/* ---- Column lists ---- */

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* Lists come back joined by the unit separator, a control character that validation keeps out
 * of every element, so splitting needs no parser for PostgreSQL's array syntax. */
#define LIST(col) "array_to_string(" col ", chr(31))"

#define OFFER_COLUMNS                                                                             \
    "o.id, o.seq, o.donor_state, o.kind, " LIST("o.topics") " AS topics, o.capacity, o.remaining," \
    " " LIST("o.eligible_states") " AS eligible_states,"                                         \
    " " LIST("o.eligible_regions") " AS eligible_regions, " LIST("o.languages") " AS languages,"  \
    " coalesce(to_char(o.valid_from, 'YYYY-MM-DD'), '') AS valid_from,"                           \
    " coalesce(to_char(o.valid_until, 'YYYY-MM-DD'), '') AS valid_until,"                         \
    " o.title, o.description, o.status, o.version, " TS("o.created_at") " AS created_at, "        \
    TS("o.updated_at") " AS updated_at"

#define REQUEST_COLUMNS                                                                           \
    "r.id, r.seq, r.state_code, r.kind, r.topic, r.quantity, r.remaining, r.priority,"            \
    " r.source_question_id, r.source_cycle, r.gap_severity_milli, " LIST("r.languages")           \
    " AS languages, r.status, r.version, " TS("r.created_at") " AS created_at, "                  \
    TS("r.updated_at") " AS updated_at"

/* Whatever is computed from a gap (its question, cycle and severity, and the quantity and
 * priority derived from the severity, since quantity = ceil(severity x unit) gives the severity
 * back) is shown only to the requesting State and to operators (viewer NULL), never to donors
 * or service keys (viewer ""). A request not derived from a gap is shown whole to every key.
 * Operators see it because matching does not record the visibility of the assessment the gap
 * came from (docs/hardening.md says what is left). */
#define GAP_VISIBLE(p)                                                                            \
    "(r.source_question_id = '' OR " p "::text IS NULL OR r.state_code = " p "::text)"            \
    " AS gap_visible"

#define MATCH_COLUMNS                                                                             \
    "m.id, m.seq, m.plan_id, m.offer_id, m.request_id, m.donor_state, m.recipient_state, m.kind," \
    " m.topic, m.quantity, m.benefit, m.explanation, m.status, m.donor_accepted,"                 \
    " m.recipient_accepted, EXISTS (SELECT 1 FROM matching.requests fr WHERE fr.id = m.request_id" \
    " AND fr.source_question_id <> '') AS derived,"                                                \
    " coalesce(m.donor_responded_by, '') AS donor_responded_by,"                                  \
    " coalesce(m.recipient_responded_by, '') AS recipient_responded_by"

/* ---- Idempotency ---- */

static const char SQL_IDEM_FIND[] =
    "SELECT method, request_hash, encode(response, 'hex') AS response"
    " FROM matching.idempotency_keys WHERE principal = $1 AND request_id = $2";
static const char SQL_IDEM_INSERT[] =
    "INSERT INTO matching.idempotency_keys (principal, request_id, method, request_hash, response)"
    " VALUES ($1, $2, $3, $4, decode($5, 'hex')) ON CONFLICT (principal, request_id) DO NOTHING";

/* ---- Offers ---- */

static const char SQL_OFFER_INSERT[] =
    "INSERT INTO matching.offers AS o (donor_state, kind, topics, capacity, remaining,"
    " eligible_states, eligible_regions, languages, valid_from, valid_until, title, description,"
    " created_by)"
    " VALUES ($1, $2, $3::text[], $4::bigint, $4::bigint, $5::text[], $6::text[], $7::text[],"
    " $8::date, $9::date, $10, $11, $12)"
    " RETURNING " OFFER_COLUMNS;
static const char SQL_OFFER_GET[] =
    "SELECT " OFFER_COLUMNS " FROM matching.offers o WHERE o.id = $1::uuid";
static const char SQL_OFFER_LIST[] =
    "SELECT " OFFER_COLUMNS " FROM matching.offers o"
    " WHERE ($1::text IS NULL OR o.donor_state = $1::char(3)) AND ($2::text IS NULL OR o.kind = $2)"
    " AND ($3::text IS NULL OR $3::text = ANY (o.topics)) AND ($4::text IS NULL OR o.status = $4)"
    " AND o.seq > $5::bigint ORDER BY o.seq LIMIT $6::int";
static const char SQL_OFFER_LOCK[] =
    "SELECT donor_state, capacity, remaining, status, version FROM matching.offers"
    " WHERE id = $1::uuid FOR UPDATE";
static const char SQL_OFFER_UPDATE[] =
    "UPDATE matching.offers AS o SET topics = $2::text[], capacity = $3::bigint,"
    " remaining = $4::bigint, eligible_states = $5::text[], eligible_regions = $6::text[],"
    " languages = $7::text[], valid_from = $8::date, valid_until = $9::date, title = $10,"
    " description = $11, status = $12, version = o.version + 1, updated_at = now()"
    " WHERE o.id = $1::uuid RETURNING " OFFER_COLUMNS;
static const char SQL_OFFER_WITHDRAW[] =
    "UPDATE matching.offers AS o SET status = 'WITHDRAWN', version = o.version + 1,"
    " updated_at = now() WHERE o.id = $1::uuid RETURNING " OFFER_COLUMNS;

/* ---- Requests ---- */

static const char SQL_REQUEST_INSERT[] =
    "INSERT INTO matching.requests AS r (state_code, kind, topic, quantity, remaining, priority,"
    " source_question_id, source_cycle, gap_severity_milli, ldc, region, sub_region, languages,"
    " created_by)"
    " VALUES ($1, $2, $3, $4::bigint, $4::bigint, $5::int, $6, $7::int, $8::bigint, $9::boolean,"
    " $10, $11, $12::text[], $13)"
    " RETURNING " REQUEST_COLUMNS ", true AS gap_visible";
static const char SQL_REQUEST_GET[] =
    "SELECT " REQUEST_COLUMNS ", " GAP_VISIBLE("$2") " FROM matching.requests r"
    " WHERE r.id = $1::uuid";
static const char SQL_REQUEST_LIST[] =
    "SELECT " REQUEST_COLUMNS ", " GAP_VISIBLE("$7") " FROM matching.requests r"
    " WHERE ($1::text IS NULL OR r.state_code = $1::char(3)) AND ($2::text IS NULL OR r.kind = $2)"
    " AND ($3::text IS NULL OR r.topic = $3) AND ($4::text IS NULL OR r.status = $4)"
    " AND r.seq > $5::bigint ORDER BY r.seq LIMIT $6::int";
static const char SQL_REQUEST_LOCK[] =
    "SELECT state_code, status, version FROM matching.requests WHERE id = $1::uuid FOR UPDATE";
static const char SQL_REQUEST_WITHDRAW[] =
    "UPDATE matching.requests AS r SET status = 'WITHDRAWN', version = r.version + 1,"
    " updated_at = now() WHERE r.id = $1::uuid RETURNING " REQUEST_COLUMNS ", true AS gap_visible";
/* One statement, so concurrent derivations for the same cycle settle on the unique index. */
static const char SQL_REQUESTS_DERIVE[] =
    "INSERT INTO matching.requests (state_code, kind, topic, quantity, remaining, priority,"
    " source_question_id, source_cycle, gap_severity_milli, ldc, region, sub_region, languages,"
    " created_by)"
    " SELECT $1, d.kind, d.topic, d.quantity, d.quantity, d.priority, d.question, $2::int,"
    " d.severity, $3::boolean, $4, $5, $6::text[], $7"
    " FROM unnest($8::text[], $9::text[], $10::text[], $11::bigint[], $12::int[], $13::bigint[])"
    " AS d(kind, topic, question, quantity, priority, severity)"
    " ON CONFLICT (state_code, source_cycle, source_question_id, topic, kind)"
    " WHERE source_question_id <> '' DO NOTHING";
static const char SQL_REQUESTS_DERIVED[] =
    "SELECT " REQUEST_COLUMNS ", true AS gap_visible FROM matching.requests r"
    " JOIN unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS d(kind, topic, question, n)"
    " ON r.kind = d.kind AND r.topic = d.topic AND r.source_question_id = d.question"
    " WHERE r.state_code = $1 AND r.source_cycle = $2::int ORDER BY d.n";

/* ---- Plans ---- */

static const char SQL_INPUT_OFFERS[] =
    "SELECT o.id, o.version, o.donor_state, o.kind, " LIST("o.topics") " AS topics, o.remaining,"
    " " LIST("o.eligible_states") " AS eligible_states,"
    " " LIST("o.eligible_regions") " AS eligible_regions, " LIST("o.languages") " AS languages,"
    " coalesce(to_char(o.valid_from, 'YYYY-MM-DD'), '') AS valid_from,"
    " coalesce(to_char(o.valid_until, 'YYYY-MM-DD'), '') AS valid_until"
    " FROM matching.offers o WHERE o.status = 'OPEN' AND o.remaining > 0 ORDER BY o.id";
static const char SQL_INPUT_REQUESTS[] =
    "SELECT r.id, r.version, r.state_code, r.region, r.sub_region, r.ldc, r.kind, r.topic,"
    " r.remaining, r.priority, r.gap_severity_milli, r.source_question_id,"
    " " LIST("r.languages") " AS languages"
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
    " explanation)"
    " SELECT $1::uuid, d.n, d.offer_id, d.request_id, d.ov, d.rv, d.donor, d.recipient, d.kind,"
    " d.topic, d.quantity, d.ub, d.b, d.expl"
    " FROM unnest($2::uuid[], $3::uuid[], $4::int[], $5::int[], $6::text[], $7::text[], $8::text[],"
    " $9::text[], $10::bigint[], $11::bigint[], $12::bigint[], $13::text[]) WITH ORDINALITY"
    " AS d(offer_id, request_id, ov, rv, donor, recipient, kind, topic, quantity, ub, b, expl, n)"
    " ORDER BY d.n";
static const char SQL_PLAN_UNMET_INSERT[] =
    "INSERT INTO matching.plan_unmet (plan_id, position, request_id, state_code, remaining, reason)"
    " SELECT $1::uuid, d.n, d.request_id, d.state_code, d.remaining, d.reason"
    " FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::text[]) WITH ORDINALITY"
    " AS d(request_id, state_code, remaining, reason, n)";
static const char SQL_PLAN_GET[] =
    "SELECT id, to_char(as_of, 'YYYY-MM-DD') AS as_of, objective, solve_ms, status, fingerprint, "
    TS("created_at") " AS created_at FROM matching.plans WHERE id = $1::uuid";
static const char SQL_PLAN_MATCHES[] =
    "SELECT " MATCH_COLUMNS " FROM matching.matches m WHERE m.plan_id = $1::uuid ORDER BY m.position";
static const char SQL_PLAN_UNMET[] =
    "SELECT u.request_id, u.state_code, u.remaining, u.reason, EXISTS (SELECT 1 FROM"
    " matching.requests fr WHERE fr.id = u.request_id AND fr.source_question_id <> '') AS derived"
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
    " THEN 'ACCEPTED' ELSE m.status END, updated_at = now()," RESPONDED_BY
    " WHERE m.id = $1::uuid RETURNING " MATCH_COLUMNS;
static const char SQL_MATCH_DECLINE[] =
    "UPDATE matching.matches AS m SET status = 'DECLINED',"
    " donor_accepted = m.donor_accepted AND NOT $2::boolean,"
    " recipient_accepted = m.recipient_accepted AND NOT $3::boolean, updated_at = now()," RESPONDED_BY
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
static const char SQL_MATCH_LIST[] =
    "SELECT " MATCH_COLUMNS " FROM matching.matches m"
    " WHERE ($1::text IS NULL OR m.donor_state = $1::char(3) OR m.recipient_state = $1::char(3))"
    " AND ($2::text IS NULL OR m.status = $2) AND ($3::uuid IS NULL OR m.plan_id = $3::uuid)"
    " AND ($4::text IS NULL OR m.recipient_state = $4::char(3) OR (m.donor_state = $4::char(3)"
    " AND m.status IN ('OFFERED', 'ACCEPTED', 'DECLINED')))"
    " AND m.seq > $5::bigint ORDER BY m.seq LIMIT $6::int";

/* ---- Helpers ---- */

/* A PostgreSQL array literal of the strings, every element quoted. */
static char *pg_text_array(struct arena *a, char *const *v, size_t n)
{
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += 2 * strlen(v[i]) + 3;
    char *out = arena_alloc(a, len), *p = out;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (const char *s = v[i]; *s; s++) {
            if (*s == '"' || *s == '\\')
                *p++ = '\\';
            *p++ = *s;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return out;
}

static char *pg_int64_array(struct arena *a, const int64_t *v, size_t n)
{
    char *out = arena_alloc(a, n * 21 + 3), *p = out;
    *p++ = '{';
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%" PRId64, i ? "," : "", v[i]);
    *p++ = '}';
    *p = '\0';
    return out;
}

static char *pg_int_array(struct arena *a, const int *v, size_t n)
{
    char *out = arena_alloc(a, n * 12 + 3), *p = out;
    *p++ = '{';
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%d", i ? "," : "", v[i]);
    *p++ = '}';
    *p = '\0';
    return out;
}

/* Splits a LIST() column into an arena array of arena strings. */
static void split_list(struct arena *a, const char *joined, char ***out, size_t *n)
{
    *n = 0;
    *out = NULL;
    if (joined[0] == '\0')
        return;
    size_t count = 1;
    for (const char *p = joined; *p; p++)
        count += *p == '\x1f';
    *out = ARENA_ARRAY(a, char *, count);
    const char *start = joined;
    for (;;) {
        const char *end = strchr(start, '\x1f');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        (*out)[(*n)++] = arena_strndup(a, start, len);
        if (end == NULL)
            break;
        start = end + 1;
    }
}

static char *col(struct arena *a, const PGresult *r, int row, const char *name)
{
    return arena_strdup(a, db_get(r, row, name));
}

static const char *etag_of(struct arena *a, int version)
{
    return arena_printf(a, "%d", version);
}

/* Compares a client's etag with the row's version: ABORTED when it is stale. */
static int etag_check(const char *what, const char *id, const char *etag, int version,
                      struct err *e)
{
    char now[16];
    snprintf(now, sizeof now, "%d", version);
    if (strcmp(etag, now) != 0)
        return err_set(e, ERR_ABORTED, "%s %s has changed since etag %s (now %s): read it again",
                       what, id, etag, now);
    return 0;
}

/* The last row's sequence number when another page follows; the service seals it. */
static char *page_token(struct arena *a, const PGresult *r, size_t n, int limit)
{
    if (n <= (size_t)limit)
        return (char *)protobuf_c_empty_string;
    return col(a, r, limit - 1, "seq");
}

static Unic__Matching__V1__Offer *offer_from_row(struct arena *a, const PGresult *r, int row)
{
    Unic__Matching__V1__Offer *o = ARENA_MSG(a, Unic__Matching__V1__Offer, UNIC__MATCHING__V1__OFFER__INIT);
    o->id = col(a, r, row, "id");
    o->donor_state = col(a, r, row, "donor_state");
    o->kind = (Unic__Common__V1__SupportKind)match_kind_from_name(db_get(r, row, "kind"));
    split_list(a, db_get(r, row, "topics"), &o->topics, &o->n_topics);
    o->capacity = db_get_int64(r, row, "capacity");
    o->remaining = db_get_int64(r, row, "remaining");
    const char *unit = match_kind_unit(o->kind);
    o->unit = arena_strdup(a, unit ? unit : "");
    split_list(a, db_get(r, row, "eligible_states"), &o->eligible_states, &o->n_eligible_states);
    split_list(a, db_get(r, row, "eligible_regions"), &o->eligible_regions, &o->n_eligible_regions);
    split_list(a, db_get(r, row, "languages"), &o->languages, &o->n_languages);
    o->valid_from = col(a, r, row, "valid_from");
    o->valid_until = col(a, r, row, "valid_until");
    o->title = col(a, r, row, "title");
    o->description = col(a, r, row, "description");
    o->status = (Unic__Matching__V1__OfferStatus)offer_status_from_name(db_get(r, row, "status"));
    o->etag = (char *)etag_of(a, db_get_int(r, row, "version"));
    o->created_at = col(a, r, row, "created_at");
    o->updated_at = col(a, r, row, "updated_at");
    return o;
}

static Unic__Matching__V1__Request *request_from_row(struct arena *a, const PGresult *r, int row)
{
    Unic__Matching__V1__Request *q =
        ARENA_MSG(a, Unic__Matching__V1__Request, UNIC__MATCHING__V1__REQUEST__INIT);
    q->id = col(a, r, row, "id");
    q->state_code = col(a, r, row, "state_code");
    q->kind = (Unic__Common__V1__SupportKind)match_kind_from_name(db_get(r, row, "kind"));
    q->topic = col(a, r, row, "topic");
    if (db_get_bool(r, row, "gap_visible")) { /* see GAP_VISIBLE: else all derived stays 0 */
        q->quantity = db_get_int64(r, row, "quantity");
        q->remaining = db_get_int64(r, row, "remaining");
        q->priority = db_get_int(r, row, "priority");
        q->source_question_id = col(a, r, row, "source_question_id");
        q->source_cycle = db_get_int(r, row, "source_cycle");
        q->gap_severity = (double)db_get_int64(r, row, "gap_severity_milli") / 1000.0;
    }
    split_list(a, db_get(r, row, "languages"), &q->languages, &q->n_languages);
    q->status = (Unic__Matching__V1__RequestStatus)request_status_from_name(db_get(r, row, "status"));
    q->etag = (char *)etag_of(a, db_get_int(r, row, "version"));
    q->created_at = col(a, r, row, "created_at");
    q->updated_at = col(a, r, row, "updated_at");
    return q;
}

/* Whether `viewer` (a State, NULL for an operator, "" for a service) sees the figures of a row
 * about a request of `state` that may be derived from a gap (see GAP_VISIBLE). */
static bool figures_visible(bool derived, const char *viewer, const char *state)
{
    return !derived || viewer == NULL || strcmp(viewer, state) == 0;
}

/* A match on a request derived from a gap carries figures computed from the gap: its quantity
 * (bounded by the request's), its benefit (by the severity), the explanation naming both. */
static bool match_figures_visible(const PGresult *r, int row, const char *viewer)
{
    return figures_visible(db_get_bool(r, row, "derived"), viewer,
                           db_get(r, row, "recipient_state"));
}

static Unic__Matching__V1__Match *match_from_row(struct arena *a, const PGresult *r, int row,
                                                 const char *viewer)
{
    Unic__Matching__V1__Match *m = ARENA_MSG(a, Unic__Matching__V1__Match, UNIC__MATCHING__V1__MATCH__INIT);
    m->id = col(a, r, row, "id");
    m->plan_id = col(a, r, row, "plan_id");
    m->offer_id = col(a, r, row, "offer_id");
    m->request_id = col(a, r, row, "request_id");
    m->donor_state = col(a, r, row, "donor_state");
    m->recipient_state = col(a, r, row, "recipient_state");
    m->kind = (Unic__Common__V1__SupportKind)match_kind_from_name(db_get(r, row, "kind"));
    m->topic = col(a, r, row, "topic");
    if (match_figures_visible(r, row, viewer)) {
        m->quantity = db_get_int64(r, row, "quantity");
        m->benefit = (double)db_get_int64(r, row, "benefit") / (double)MATCH_BENEFIT_SCALE;
        m->explanation = col(a, r, row, "explanation");
    } else {
        m->explanation = arena_printf(a,
                                      "serves a request of %s on %s derived from its"
                                      " self-assessment, whose figures only %s sees",
                                      m->recipient_state, m->topic, m->recipient_state);
    }
    m->status = (Unic__Matching__V1__MatchStatus)match_status_from_name(db_get(r, row, "status"));
    m->donor_accepted = db_get_bool(r, row, "donor_accepted");
    m->recipient_accepted = db_get_bool(r, row, "recipient_accepted");
    m->donor_responded_by = col(a, r, row, "donor_responded_by");
    m->recipient_responded_by = col(a, r, row, "recipient_responded_by");
    return m;
}

/* Runs a statement expected to return exactly one row, failing with NOT_FOUND otherwise. */
static PGresult *query_one(struct db *db, struct err *e, const char *sql, int n,
                           const char *const *params, const char *what, const char *id)
{
    PGresult *r = db_query(db, e, sql, n, params);
    if (r && PQntuples(r) != 1) {
        PQclear(r);
        err_set(e, ERR_NOT_FOUND, "%s %s not found", what, id);
        return NULL;
    }
    return r;
}

/* ---- Idempotency ---- */

int store_idem_find(struct db *db, struct arena *a, const struct idem *k, uint8_t **bytes,
                    size_t *len, struct err *e)
{
    const char *params[] = {k->principal, k->request_id};
    PGresult *r = db_query(db, e, SQL_IDEM_FIND, 2, params);
    int rc = -1;
    if (r == NULL)
        return -1;
    if (PQntuples(r) == 0) {
        rc = 0;
    } else if (strcmp(db_get(r, 0, "method"), k->method) != 0 ||
               strcmp(db_get(r, 0, "request_hash"), k->hash) != 0) {
        err_set(e, ERR_INVALID_ARGUMENT,
                "request_id \"%s\" was already used by this key for a different request",
                k->request_id);
    } else {
        const char *hex = db_get(r, 0, "response");
        *bytes = arena_alloc(a, strlen(hex) / 2 + 1);
        if (hex_decode(*bytes, hex, len) < 0)
            return err_set(e, ERR_DATA_LOSS, "could not read the stored reply of request_id \"%s\"", k->request_id);
        rc = 1;
    }
    PQclear(r);
    return rc;
}

/* Stores the reply `msg` under key k inside the caller's transaction; ALREADY_EXISTS when a
 * concurrent call took the key first (the caller rolls back and replays that call's answer). */
static int idem_save(struct db *db, struct arena *a, const struct idem *k,
                     const ProtobufCMessage *msg, struct err *e)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = arena_alloc(a, len + 1);
    protobuf_c_message_pack(msg, buf);
    char *hex = arena_alloc(a, 2 * len + 1);
    hex_encode(hex, buf, len);
    const char *params[] = {k->principal, k->request_id, k->method, k->hash, hex};
    long affected = 0;
    if (db_command(db, e, SQL_IDEM_INSERT, 5, params, &affected) < 0)
        return -1;
    if (affected == 0)
        return err_set(e, ERR_ALREADY_EXISTS, "request_id \"%s\" is being used by a concurrent call",
                       k->request_id);
    return 0;
}

/* ---- Writes: one row changed, returned as the reply ---- */

/* Builds the reply from a row that an INSERT or UPDATE returned. */
typedef ProtobufCMessage *(*row_reply)(struct arena *a, const PGresult *r, int row);

static ProtobufCMessage *offer_reply(struct arena *a, const PGresult *r, int row)
{
    return &offer_from_row(a, r, row)->base;
}

static ProtobufCMessage *request_reply(struct arena *a, const PGresult *r, int row)
{
    return &request_from_row(a, r, row)->base;
}

/* ---- Quotas ---- */

/* Per State and kind, the count and the insert are serialised by a transaction-level advisory
 * lock, taken before the insert, so that concurrent creates cannot overshoot together. */
static const char SQL_QUOTA_LOCK[] =
    "SELECT pg_advisory_xact_lock(hashtext('unic.quota.' || $1 || '.' || $2)) AS locked";
static const char *const SQL_QUOTA_COUNT[QUOTA_KINDS] = {
    "SELECT count(*) AS n FROM matching.offers"
    " WHERE donor_state = $1 AND created_at > now() - interval '1 hour'",
    "SELECT count(*) AS n FROM matching.requests"
    " WHERE state_code = $1 AND created_at > now() - interval '1 hour'",
    /* created_by is the principal's label (common/auth.h): "state:KEN/<key id>" for a key of
     * no identity, "<name> <<e-mail>> (STATE_ADMIN KEN, key <key id>)" otherwise, whose tail
     * (anchored, so no name can fake it) says the State. */
    "SELECT count(*) AS n FROM matching.plans"
    " WHERE (created_by LIKE 'state:' || $1 || '/%'"
    "   OR created_by LIKE '% (STATE\\_ADMIN ' || $1 || ', key ________________)'"
    "   OR created_by LIKE '% (STATE\\_DELEGATE ' || $1 || ', key ________________)')"
    " AND created_at > now() - interval '1 hour'",
};
static const char *const QUOTA_NAME[QUOTA_KINDS] = {"offers", "requests", "plans"};
static const char *const QUOTA_VAR[QUOTA_KINDS] = {
    "UNIC_QUOTA_OFFERS_PER_HOUR", "UNIC_QUOTA_REQUESTS_PER_HOUR", "UNIC_QUOTA_PLANS_PER_HOUR"};

static bool quota_applies(const struct actor *who)
{
    return who->state && who->state[0];
}

/* In the creating transaction, before its insert. */
static int quota_lock(struct db *db, const struct actor *who, enum quota_kind q, struct err *e)
{
    if (!quota_applies(who))
        return 0;
    const char *params[] = {QUOTA_NAME[q], who->state};
    PGresult *r = db_query(db, e, SQL_QUOTA_LOCK, 2, params);
    PQclear(r);
    return r ? 0 : -1;
}

/* In the same transaction, after its insert: RESOURCE_EXHAUSTED, naming the quota, when the
 * State now has more of `q` created in the last hour than it may. */
static int quota_check(struct db *db, const struct actor *who, enum quota_kind q, struct err *e)
{
    if (!quota_applies(who))
        return 0;
    const char *params[] = {who->state};
    PGresult *r = db_query(db, e, SQL_QUOTA_COUNT[q], 1, params);
    if (r == NULL)
        return -1;
    long long n = db_get_int64(r, 0, "n");
    PQclear(r);
    if (n > who->quota[q])
        return err_set(e, ERR_RESOURCE_EXHAUSTED,
                       "quota %s exceeded: %s may create at most %d %s per hour; nothing was"
                       " created, retry later", QUOTA_VAR[q], who->state, who->quota[q],
                       QUOTA_NAME[q]);
    return 0;
}

/* Offers and requests as rows a State changes only when they are its own. */
struct owned_rows {
    const char *what;         /* "offer", "request" */
    const char *lock_sql;     /* $1 the id: the owner column, status and version, locked */
    const char *owner;        /* the column naming the State the row is of */
    const char *verb;         /* what a State does only to its own rows, for the refusal */
    const char *withdraw_sql; /* $1 the id: the row, withdrawn */
    row_reply build;
};

static const struct owned_rows offer_rows = {"offer", SQL_OFFER_LOCK, "donor_state", "changes",
                                             SQL_OFFER_WITHDRAW, offer_reply};
static const struct owned_rows request_rows = {"request", SQL_REQUEST_LOCK, "state_code",
                                               "withdraws", SQL_REQUEST_WITHDRAW, request_reply};

/* The audit event of a change to `what` `id` of State `state`, in the open transaction. */
static int audited(struct arena *a, const struct actor *who, const char *what, const char *id,
                   const char *state, const struct idem *k, const char *summary, struct err *e)
{
    return audit_append(who->call, arena_printf(a, "%s/%s", what, id), state,
                        k ? k->request_id : NULL, e, "%s", summary);
}

/* The last step of a write to a row of t, in the open transaction: runs `sql` (an INSERT or
 * UPDATE returning one row), checks the caller's quota `q` (QUOTA_KINDS: none), builds the reply
 * from the row, appends the audit event ("<done> offer <id>"), stores the reply under
 * idempotency key k (may be NULL) and commits. On failure the caller rolls back. */
static int write_one_within(struct db *db, struct arena *a, const struct owned_rows *t,
                            const char *done, const char *sql, int n, const char *const *params,
                            const struct actor *who, const struct idem *k, enum quota_kind q,
                            ProtobufCMessage **out, struct err *e)
{
    PGresult *r = db_query(db, e, sql, n, params);
    if (r == NULL)
        return -1;
    if (q != QUOTA_KINDS && quota_check(db, who, q, e) < 0) {
        PQclear(r);
        return -1;
    }
    *out = t->build(a, r, 0);
    const char *id = db_get(r, 0, "id"), *state = db_get(r, 0, t->owner);
    char *summary = arena_printf(a, "%s %s %s of %s (%s, now %s)", done, t->what, id, state,
                                 db_get(r, 0, "kind"), db_get(r, 0, "status"));
    int rc = audited(a, who, t->what, id, state, k, summary, e);
    PQclear(r);
    if (rc < 0 || (k && idem_save(db, a, k, *out, e) < 0))
        return -1;
    return db_commit(db, e);
}

static int write_one(struct db *db, struct arena *a, const struct owned_rows *t, const char *done,
                     const char *sql, int n, const char *const *params, const struct actor *who,
                     const struct idem *k, ProtobufCMessage **out, struct err *e)
{
    return write_one_within(db, a, t, done, sql, n, params, who, k, QUOTA_KINDS, out, e);
}

/* An INSERT in a transaction of its own, within the caller's quota `q`, with its idempotency
 * key (see write_one_within). */
static int insert_one(struct db *db, struct arena *a, const struct owned_rows *t, const char *sql,
                      int n, const char *const *params, const struct actor *who,
                      const struct idem *k, enum quota_kind q, ProtobufCMessage **out,
                      struct err *e)
{
    if (db_begin(db, e) < 0)
        return -1;
    if (quota_lock(db, who, q, e) < 0 ||
        write_one_within(db, a, t, "created", sql, n, params, who, k, q, out, e) < 0) {
        db_rollback(db);
        return -1;
    }
    return 0;
}

/* Locks row `id` and checks that `who` may change it and that etag is current. */
static PGresult *owned_lock(struct db *db, const struct owned_rows *t, const char *id,
                            const char *etag, const struct actor *who, struct err *e)
{
    const char *params[] = {id};
    PGresult *r = query_one(db, e, t->lock_sql, 1, params, t->what, id);
    if (r == NULL)
        return NULL;
    const char *owner = db_get(r, 0, t->owner);
    if (who->state && strcmp(who->state, owner) != 0) {
        err_set(e, ERR_PERMISSION_DENIED, "%s %s is %s's: a State %s only its own %ss", t->what, id,
                owner, t->verb, t->what);
    } else if (etag_check(t->what, id, etag, db_get_int(r, 0, "version"), e) == 0) {
        return r;
    }
    PQclear(r);
    return NULL;
}

static int owned_withdraw(struct db *db, struct arena *a, const struct owned_rows *t,
                          const char *id, const char *etag, const struct actor *who,
                          ProtobufCMessage **out, struct err *e)
{
    const char *params[] = {id};
    PGresult *lock = NULL;
    int rc = -1;
    if (db_begin(db, e) < 0)
        return -1;
    lock = owned_lock(db, t, id, etag, who, e);
    if (lock == NULL)
        goto done;
    if (strcmp(db_get(lock, 0, "status"), "WITHDRAWN") == 0) {
        err_set(e, ERR_FAILED_PRECONDITION, "%s %s is already withdrawn", t->what, id);
        goto done;
    }
    rc = write_one(db, a, t, "withdrew", t->withdraw_sql, 1, params, who, NULL, out, e);
done:
    PQclear(lock);
    if (rc < 0)
        db_rollback(db);
    return rc;
}

/* ---- Offers ---- */

static const char *date_or_null(const char *d)
{
    return d && d[0] ? d : NULL;
}

int store_offer_create(struct db *db, struct arena *a, const Unic__Matching__V1__Offer *in,
                       const struct actor *who, const struct idem *k,
                       Unic__Matching__V1__Offer **out, struct err *e)
{
    char capacity[24];
    snprintf(capacity, sizeof capacity, "%" PRId64, in->capacity);
    const char *params[] = {
        in->donor_state, match_kind_name(in->kind), pg_text_array(a, in->topics, in->n_topics),
        capacity, pg_text_array(a, in->eligible_states, in->n_eligible_states),
        pg_text_array(a, in->eligible_regions, in->n_eligible_regions),
        pg_text_array(a, in->languages, in->n_languages), date_or_null(in->valid_from),
        date_or_null(in->valid_until), in->title, in->description, who->label,
    };
    ProtobufCMessage *reply;
    if (insert_one(db, a, &offer_rows, SQL_OFFER_INSERT, 12, params, who, k, QUOTA_OFFERS, &reply, e) < 0)
        return -1;
    *out = (Unic__Matching__V1__Offer *)reply;
    return 0;
}

int store_offer_get(struct db *db, struct arena *a, const char *id, Unic__Matching__V1__Offer **out,
                    struct err *e)
{
    const char *params[] = {id};
    PGresult *r = query_one(db, e, SQL_OFFER_GET, 1, params, "offer", id);
    if (r == NULL)
        return -1;
    *out = offer_from_row(a, r, 0);
    PQclear(r);
    return 0;
}

int store_offer_list(struct db *db, struct arena *a, const struct offer_filter *f,
                     Unic__Matching__V1__ListOffersResponse *out, struct err *e)
{
    char after[24], limit[16];
    snprintf(after, sizeof after, "%" PRId64, f->after_seq);
    snprintf(limit, sizeof limit, "%d", f->limit + 1);
    const char *params[] = {f->donor_state, f->kind, f->topic, f->status, after, limit};
    PGresult *r = db_query(db, e, SQL_OFFER_LIST, 6, params);
    if (r == NULL)
        return -1;
    size_t n = (size_t)PQntuples(r);
    out->n_offers = n > (size_t)f->limit ? (size_t)f->limit : n;
    out->offers = ARENA_ARRAY(a, Unic__Matching__V1__Offer *, out->n_offers);
    for (size_t i = 0; i < out->n_offers; i++)
        out->offers[i] = offer_from_row(a, r, (int)i);
    out->next_page_token = page_token(a, r, n, f->limit);
    PQclear(r);
    return 0;
}

int store_offer_update(struct db *db, struct arena *a, const Unic__Matching__V1__Offer *in,
                       const struct actor *who, Unic__Matching__V1__Offer **out, struct err *e)
{
    PGresult *lock = NULL;
    ProtobufCMessage *reply;
    int rc = -1;
    if (db_begin(db, e) < 0)
        return -1;
    lock = owned_lock(db, &offer_rows, in->id, in->etag, who, e);
    if (lock == NULL)
        goto done;
    if (strcmp(db_get(lock, 0, "status"), "WITHDRAWN") == 0) {
        err_set(e, ERR_FAILED_PRECONDITION, "offer %s is withdrawn and cannot change", in->id);
        goto done;
    }
    /* What committed plans already took stays taken: the new capacity must cover it. */
    int64_t committed = db_get_int64(lock, 0, "capacity") - db_get_int64(lock, 0, "remaining");
    if (in->capacity < committed) {
        err_set(e, ERR_FAILED_PRECONDITION,
                "capacity %" PRId64 " is below the %" PRId64 " already committed to matches",
                in->capacity, committed);
        goto done;
    }
    int64_t remaining = in->capacity - committed;
    char capacity[24], left[24];
    snprintf(capacity, sizeof capacity, "%" PRId64, in->capacity);
    snprintf(left, sizeof left, "%" PRId64, remaining);
    const char *params[] = {
        in->id, pg_text_array(a, in->topics, in->n_topics), capacity, left,
        pg_text_array(a, in->eligible_states, in->n_eligible_states),
        pg_text_array(a, in->eligible_regions, in->n_eligible_regions),
        pg_text_array(a, in->languages, in->n_languages), date_or_null(in->valid_from),
        date_or_null(in->valid_until), in->title, in->description,
        remaining > 0 ? "OPEN" : "EXHAUSTED",
    };
    if (write_one(db, a, &offer_rows, "updated", SQL_OFFER_UPDATE, 12, params, who, NULL, &reply, e) < 0)
        goto done;
    *out = (Unic__Matching__V1__Offer *)reply;
    rc = 0;
done:
    PQclear(lock);
    if (rc < 0)
        db_rollback(db);
    return rc;
}

int store_offer_withdraw(struct db *db, struct arena *a, const char *id, const char *etag,
                         const struct actor *who, Unic__Matching__V1__Offer **out, struct err *e)
{
    ProtobufCMessage *reply;
    if (owned_withdraw(db, a, &offer_rows, id, etag, who, &reply, e) < 0)
        return -1;
    *out = (Unic__Matching__V1__Offer *)reply;
    return 0;
}

/* ---- Requests ---- */

int store_request_create(struct db *db, struct arena *a, const struct request_row *in,
                         const struct actor *who, const struct idem *k,
                         Unic__Matching__V1__Request **out, struct err *e)
{
    char quantity[24], priority[12], cycle[12], severity[24];
    snprintf(quantity, sizeof quantity, "%" PRId64, in->quantity);
    snprintf(priority, sizeof priority, "%d", in->priority);
    snprintf(cycle, sizeof cycle, "%d", in->source_cycle);
    snprintf(severity, sizeof severity, "%" PRId64, in->severity_milli);
    const char *params[] = {
        in->state_code, match_kind_name(in->kind), in->topic, quantity, priority,
        in->source_question_id, cycle, severity, in->ldc ? "true" : "false", in->region,
        in->sub_region, pg_text_array(a, in->languages, in->n_languages), who->label,
    };
    ProtobufCMessage *reply;
    if (insert_one(db, a, &request_rows, SQL_REQUEST_INSERT, 13, params, who, k, QUOTA_REQUESTS, &reply,
                   e) < 0)
        return -1;
    *out = (Unic__Matching__V1__Request *)reply;
    return 0;
}

int store_request_get(struct db *db, struct arena *a, const char *id, const struct actor *who,
                      Unic__Matching__V1__Request **out, struct err *e)
{
    const char *params[] = {id, who->state};
    PGresult *r = query_one(db, e, SQL_REQUEST_GET, 2, params, "request", id);
    if (r == NULL)
        return -1;
    *out = request_from_row(a, r, 0);
    PQclear(r);
    return 0;
}

int store_request_list(struct db *db, struct arena *a, const struct request_filter *f,
                       const struct actor *who, Unic__Matching__V1__ListRequestsResponse *out,
                       struct err *e)
{
    char after[24], limit[16];
    snprintf(after, sizeof after, "%" PRId64, f->after_seq);
    snprintf(limit, sizeof limit, "%d", f->limit + 1);
    const char *params[] = {f->state_code, f->kind, f->topic, f->status, after, limit, who->state};
    PGresult *r = db_query(db, e, SQL_REQUEST_LIST, 7, params);
    if (r == NULL)
        return -1;
    size_t n = (size_t)PQntuples(r);
    out->n_requests = n > (size_t)f->limit ? (size_t)f->limit : n;
    out->requests = ARENA_ARRAY(a, Unic__Matching__V1__Request *, out->n_requests);
    for (size_t i = 0; i < out->n_requests; i++)
        out->requests[i] = request_from_row(a, r, (int)i);
    out->next_page_token = page_token(a, r, n, f->limit);
    PQclear(r);
    return 0;
}

int store_request_withdraw(struct db *db, struct arena *a, const char *id, const char *etag,
                           const struct actor *who, Unic__Matching__V1__Request **out,
                           struct err *e)
{
    ProtobufCMessage *reply;
    if (owned_withdraw(db, a, &request_rows, id, etag, who, &reply, e) < 0)
        return -1;
    *out = (Unic__Matching__V1__Request *)reply;
    return 0;
}

int store_requests_derive(struct db *db, struct arena *a, const struct request_row *rows, size_t n,
                          const struct actor *who, Unic__Matching__V1__Request ***out,
                          size_t *n_out, int *created, struct err *e)
{
    *out = NULL;
    *n_out = 0;
    *created = 0;
    if (n == 0)
        return 0;
    char **kinds = ARENA_ARRAY(a, char *, n), **topics = ARENA_ARRAY(a, char *, n),
         **questions = ARENA_ARRAY(a, char *, n);
    int64_t *quantities = ARENA_ARRAY(a, int64_t, n), *severities = ARENA_ARRAY(a, int64_t, n);
    int *priorities = ARENA_ARRAY(a, int, n);
    for (size_t i = 0; i < n; i++) {
        kinds[i] = (char *)match_kind_name(rows[i].kind);
        topics[i] = (char *)rows[i].topic;
        questions[i] = (char *)rows[i].source_question_id;
        quantities[i] = rows[i].quantity;
        severities[i] = rows[i].severity_milli;
        priorities[i] = rows[i].priority;
    }
    const struct request_row *r0 = &rows[0];
    char cycle[12];
    snprintf(cycle, sizeof cycle, "%d", r0->source_cycle);
    const char *kind_arr = pg_text_array(a, kinds, n), *topic_arr = pg_text_array(a, topics, n),
               *question_arr = pg_text_array(a, questions, n);
    const char *params[] = {
        r0->state_code, cycle, r0->ldc ? "true" : "false", r0->region, r0->sub_region,
        pg_text_array(a, r0->languages, r0->n_languages), who->label, kind_arr, topic_arr,
        question_arr, pg_int64_array(a, quantities, n), pg_int_array(a, priorities, n),
        pg_int64_array(a, severities, n),
    };
    long affected = 0;
    const char *sel[] = {r0->state_code, cycle, kind_arr, topic_arr, question_arr};
    PGresult *r = NULL;
    int rc = -1;
    /* One change, one event: deriving again creates nothing and writes none. */
    if (db_begin(db, e) < 0)
        return -1;
    if (quota_lock(db, who, QUOTA_REQUESTS, e) < 0 ||
        db_command(db, e, SQL_REQUESTS_DERIVE, 13, params, &affected) < 0 ||
        quota_check(db, who, QUOTA_REQUESTS, e) < 0 ||
        (affected > 0 &&
         audited(a, who, "requests", arena_printf(a, "%s/%s", r0->state_code, cycle), r0->state_code,
                 NULL, arena_printf(a, "derived %ld requests of %s from the gaps of cycle %s", affected,
                                    r0->state_code, cycle), e) < 0) ||
        (r = db_query(db, e, SQL_REQUESTS_DERIVED, 5, sel)) == NULL || db_commit(db, e) < 0)
        goto done;
    *n_out = (size_t)PQntuples(r);
    *out = ARENA_ARRAY(a, Unic__Matching__V1__Request *, *n_out);
    for (size_t i = 0; i < *n_out; i++)
        (*out)[i] = request_from_row(a, r, (int)i);
    *created = (int)affected;
    rc = 0;
done:
    PQclear(r);
    if (rc < 0)
        db_rollback(db);
    return rc;
}

/* ---- Plans ---- */

int store_plan_inputs(struct db *db, struct arena *a, char *const *scope, size_t n_scope,
                      struct plan_inputs *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    PGresult *ro = db_query(db, e, SQL_INPUT_OFFERS, 0, NULL);
    if (ro == NULL)
        return -1;
    const char *params[] = {pg_text_array(a, scope, n_scope)};
    PGresult *rr = db_query(db, e, SQL_INPUT_REQUESTS, 1, params);
    if (rr == NULL) {
        PQclear(ro);
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
        o->id = col(a, ro, row, "id");
        out->offer_versions[i] = db_get_int(ro, row, "version");
        o->donor_state = col(a, ro, row, "donor_state");
        o->kind = match_kind_from_name(db_get(ro, row, "kind"));
        split_list(a, db_get(ro, row, "topics"), &list, &n);
        o->topics = (const char *const *)list;
        o->n_topics = n;
        o->remaining = db_get_int64(ro, row, "remaining");
        split_list(a, db_get(ro, row, "eligible_states"), &list, &n);
        o->eligible_states = (const char *const *)list;
        o->n_eligible_states = n;
        split_list(a, db_get(ro, row, "eligible_regions"), &list, &n);
        o->eligible_regions = (const char *const *)list;
        o->n_eligible_regions = n;
        split_list(a, db_get(ro, row, "languages"), &list, &n);
        o->languages = (const char *const *)list;
        o->n_languages = n;
        o->valid_from = col(a, ro, row, "valid_from");
        o->valid_until = col(a, ro, row, "valid_until");
    }
    out->n_requests = (size_t)PQntuples(rr);
    out->requests = ARENA_ARRAY(a, struct match_request, out->n_requests + 1);
    out->request_versions = ARENA_ARRAY(a, int, out->n_requests + 1);
    for (size_t i = 0; i < out->n_requests; i++) {
        int row = (int)i;
        struct match_request *q = &out->requests[i];
        char **list;
        size_t n;
        q->id = col(a, rr, row, "id");
        out->request_versions[i] = db_get_int(rr, row, "version");
        q->recipient_state = col(a, rr, row, "state_code");
        q->region = col(a, rr, row, "region");
        q->sub_region = col(a, rr, row, "sub_region");
        q->ldc = db_get_bool(rr, row, "ldc");
        q->kind = match_kind_from_name(db_get(rr, row, "kind"));
        q->topic = col(a, rr, row, "topic");
        q->remaining = db_get_int64(rr, row, "remaining");
        q->priority = db_get_int(rr, row, "priority");
        q->severity_milli = db_get_int64(rr, row, "gap_severity_milli");
        q->source_question_id = col(a, rr, row, "source_question_id");
        split_list(a, db_get(rr, row, "languages"), &list, &n);
        q->languages = (const char *const *)list;
        q->n_languages = n;
    }
    PQclear(ro);
    PQclear(rr);
    return 0;
}

/* Loads a stored plan with its matches and unmet requests. */
static int plan_load(struct db *db, struct arena *a, const char *id, const char *viewer,
                     Unic__Matching__V1__MatchPlan **out, struct err *e)
{
    const char *params[] = {id};
    PGresult *rp = NULL, *rm = NULL, *ru = NULL;
    int rc = -1;
    rp = query_one(db, e, SQL_PLAN_GET, 1, params, "plan", id);
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
    p->id = col(a, rp, 0, "id");
    p->as_of = col(a, rp, 0, "as_of");
    p->objective = (double)db_get_int64(rp, 0, "objective") / (double)MATCH_BENEFIT_SCALE;
    p->solve_ms = db_get_int64(rp, 0, "solve_ms");
    p->status = strcmp(db_get(rp, 0, "status"), "COMMITTED") == 0
                    ? UNIC__MATCHING__V1__PLAN_STATUS__PLAN_COMMITTED
                    : UNIC__MATCHING__V1__PLAN_STATUS__PLAN_PROPOSED;
    p->created_at = col(a, rp, 0, "created_at");
    p->n_matches = (size_t)PQntuples(rm);
    p->matches = ARENA_ARRAY(a, Unic__Matching__V1__Match *, p->n_matches);
    bool whole = true; /* the objective sums every match's benefit */
    for (size_t i = 0; i < p->n_matches; i++) {
        p->matches[i] = match_from_row(a, rm, (int)i, viewer);
        whole &= match_figures_visible(rm, (int)i, viewer);
    }
    p->n_unmet = (size_t)PQntuples(ru);
    p->unmet = ARENA_ARRAY(a, Unic__Matching__V1__UnmetRequest *, p->n_unmet);
    for (size_t i = 0; i < p->n_unmet; i++) {
        Unic__Matching__V1__UnmetRequest *u = ARENA_MSG(a, Unic__Matching__V1__UnmetRequest,
                                                        UNIC__MATCHING__V1__UNMET_REQUEST__INIT);
        u->request_id = col(a, ru, (int)i, "request_id");
        u->state_code = col(a, ru, (int)i, "state_code");
        if (figures_visible(db_get_bool(ru, (int)i, "derived"), viewer, u->state_code)) {
            u->remaining = db_get_int64(ru, (int)i, "remaining");
            u->reason = col(a, ru, (int)i, "reason");
        } else { /* the reason's name alone: its words say how much is needed */
            u->reason = col(a, ru, (int)i, "reason");
            u->reason[strcspn(u->reason, ":")] = '\0';
        }
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
    const char *plan_params[] = {p->as_of, pg_text_array(a, p->scope, p->n_scope), objective,
                                 solve_ms, offers_seen, requests_seen, arcs, p->fingerprint,
                                 who->label};

    char **offer_ids = ARENA_ARRAY(a, char *, n + 1), **request_ids = ARENA_ARRAY(a, char *, n + 1),
         **donors = ARENA_ARRAY(a, char *, n + 1), **recipients = ARENA_ARRAY(a, char *, n + 1),
         **kinds = ARENA_ARRAY(a, char *, n + 1), **topics = ARENA_ARRAY(a, char *, n + 1);
    int *ov = ARENA_ARRAY(a, int, n + 1), *rv = ARENA_ARRAY(a, int, n + 1);
    int64_t *qty = ARENA_ARRAY(a, int64_t, n + 1), *ub = ARENA_ARRAY(a, int64_t, n + 1),
            *benefit = ARENA_ARRAY(a, int64_t, n + 1);
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
        topics[i] = (char *)q->topic;
        qty[i] = as->quantity;
        ub[i] = as->unit_benefit;
        benefit[i] = as->benefit;
    }
    char **unmet_ids = ARENA_ARRAY(a, char *, nu + 1), **unmet_states = ARENA_ARRAY(a, char *, nu + 1);
    int64_t *unmet_left = ARENA_ARRAY(a, int64_t, nu + 1);
    for (size_t i = 0; i < nu; i++) {
        const struct match_request *q = &in->requests[mp->unmet[i].request];
        unmet_ids[i] = (char *)q->id;
        unmet_states[i] = (char *)q->recipient_state;
        unmet_left[i] = mp->unmet[i].quantity;
    }

    PGresult *r = NULL;
    char *plan_id = NULL;
    int rc = -1;
    if (db_begin(db, e) < 0)
        return -1;
    if (quota_lock(db, who, QUOTA_PLANS, e) < 0 ||
        (r = db_query(db, e, SQL_PLAN_INSERT, 9, plan_params)) == NULL ||
        quota_check(db, who, QUOTA_PLANS, e) < 0)
        goto done;
    plan_id = col(a, r, 0, "id");
    if (n > 0) {
        const char *params[] = {
            plan_id, pg_text_array(a, offer_ids, n), pg_text_array(a, request_ids, n),
            pg_int_array(a, ov, n), pg_int_array(a, rv, n), pg_text_array(a, donors, n),
            pg_text_array(a, recipients, n), pg_text_array(a, kinds, n), pg_text_array(a, topics, n),
            pg_int64_array(a, qty, n), pg_int64_array(a, ub, n), pg_int64_array(a, benefit, n),
            pg_text_array(a, p->explanations, n),
        };
        if (db_command(db, e, SQL_PLAN_MATCHES_INSERT, 13, params, NULL) < 0)
            goto done;
    }
    if (nu > 0) {
        const char *params[] = {plan_id, pg_text_array(a, unmet_ids, nu),
                                pg_text_array(a, unmet_states, nu), pg_int64_array(a, unmet_left, nu),
                                pg_text_array(a, p->unmet_reasons, nu)};
        if (db_command(db, e, SQL_PLAN_UNMET_INSERT, 5, params, NULL) < 0)
            goto done;
    }
    if (audited(a, who, "plan", plan_id, NULL, NULL,
                arena_printf(a, "proposed plan %s as of %s: %zu matches, %zu requests unmet", plan_id,
                             p->as_of, n, nu), e) < 0 ||
        db_commit(db, e) < 0)
        goto done;
    rc = plan_load(db, a, plan_id, who->state, out, e);
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
        (*ids)[i] = col(a, locked, (int)i, "id");
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
    plan = query_one(db, e, SQL_PLAN_LOCK, 1, params, "plan", id);
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
        db_command(db, e, SQL_COMMIT_PLAN, 2, params, NULL) < 0 ||
        audited(a, who, "plan", id, NULL, NULL,
                arena_printf(a, "committed plan %s: %zu offers and %zu requests drawn on", id, n_o, n_r),
                e) < 0 ||
        db_commit(db, e) < 0)
        goto done;
    rc = plan_load(db, a, id, who->state, out, e);
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

int store_match_respond(struct db *db, struct arena *a, const char *id, const struct actor *who,
                        bool accept, Unic__Matching__V1__Match **out, struct err *e)
{
    const char *params[] = {id};
    PGresult *m = NULL, *lock = NULL, *r = NULL;
    int rc = -1;
    /* Read first, unlocked, to learn the offer and request: the locks then go offer, request,
     * match, the order commits use. */
    if (who->state == NULL || who->state[0] == '\0')
        return err_set(e, ERR_PERMISSION_DENIED, "only the donor or the recipient State responds");
    m = db_query(db, e, SQL_MATCH_GET, 1, params);
    if (m == NULL)
        return -1;
    bool donor = PQntuples(m) == 1 && strcmp(db_get(m, 0, "donor_state"), who->state) == 0;
    bool recipient = PQntuples(m) == 1 && strcmp(db_get(m, 0, "recipient_state"), who->state) == 0;
    if (!donor && !recipient) {
        /* the same answer whether or not the match exists: existence is not leaked */
        err_set(e, ERR_PERMISSION_DENIED, "match %s is not one %s is a party to", id, who->state);
        goto done;
    }
    if (db_begin(db, e) < 0)
        goto done;
    if (!accept) {
        const char *op[] = {db_get(m, 0, "offer_id")}, *rp[] = {db_get(m, 0, "request_id")};
        PGresult *l1 = db_query(db, e, SQL_MATCH_LOCK_OFFER, 1, op);
        if (l1 == NULL)
            goto done;
        PQclear(l1);
        PGresult *l2 = db_query(db, e, SQL_MATCH_LOCK_REQUEST, 1, rp);
        if (l2 == NULL)
            goto done;
        PQclear(l2);
    }
    lock = query_one(db, e, SQL_MATCH_LOCK, 1, params, "match", id);
    if (lock == NULL)
        goto done;
    const char *status = db_get(lock, 0, "status");
    if (strcmp(status, "OFFERED") != 0) {
        err_set(e, ERR_FAILED_PRECONDITION, "match %s is %s: only an OFFERED match can be %s", id,
                status, accept ? "accepted" : "declined");
        goto done;
    }
    const char *up[] = {id, donor ? "true" : "false", recipient ? "true" : "false", who->label};
    r = db_query(db, e, accept ? SQL_MATCH_ACCEPT : SQL_MATCH_DECLINE, 4, up);
    if (r == NULL)
        goto done;
    if (!accept) {
        const char *qty = db_get(lock, 0, "quantity");
        const char *op[] = {db_get(lock, 0, "offer_id"), qty};
        const char *rp[] = {db_get(lock, 0, "request_id"), qty};
        if (db_command(db, e, SQL_MATCH_RETURN_OFFER, 2, op, NULL) < 0 ||
            db_command(db, e, SQL_MATCH_RETURN_REQUEST, 2, rp, NULL) < 0)
            goto done;
    }
    *out = match_from_row(a, r, 0, who->state);
    const char *party = donor && recipient ? "donor and recipient" : donor ? "donor" : "recipient";
    if (audited(a, who, "match", id, who->state, NULL,
                arena_printf(a, "%s match %s as %s %s (now %s)", accept ? "accepted" : "declined", id,
                             party, who->state, db_get(r, 0, "status")), e) < 0)
        goto done;
    rc = db_commit(db, e);
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
    char after[24], limit[16];
    snprintf(after, sizeof after, "%" PRId64, f->after_seq);
    snprintf(limit, sizeof limit, "%d", f->limit + 1);
    const char *params[] = {f->state_code, f->status, f->plan_id, who->state, after, limit};
    PGresult *r = db_query(db, e, SQL_MATCH_LIST, 6, params);
    if (r == NULL)
        return -1;
    size_t n = (size_t)PQntuples(r);
    out->n_matches = n > (size_t)f->limit ? (size_t)f->limit : n;
    out->matches = ARENA_ARRAY(a, Unic__Matching__V1__Match *, out->n_matches);
    for (size_t i = 0; i < out->n_matches; i++)
        out->matches[i] = match_from_row(a, r, (int)i, who->state);
    out->next_page_token = page_token(a, r, n, f->limit);
    PQclear(r);
    return 0;
}
