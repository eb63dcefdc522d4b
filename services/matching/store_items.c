/* store_items.c: the SQL of offers and requests, and of the requests derived from gaps: create,
 * read, list, update and withdraw, each in one transaction (store.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "store_internal.h"

/* ---- Column lists ---- */

#define OFFER_COLUMNS                                                                             \
    "o.id, o.seq, o.donor_state, o.kind, " LIST("o.topics") " AS topics, o.capacity, o.remaining," \
    " " LIST("o.eligible_states") " AS eligible_states,"                                         \
    " " LIST("o.eligible_regions") " AS eligible_regions, " LIST("o.languages") " AS languages,"  \
    " " LIST("o.eligible_groups") " AS eligible_groups,"                                         \
    " coalesce(to_char(o.valid_from, 'YYYY-MM-DD'), '') AS valid_from,"                           \
    " coalesce(to_char(o.valid_until, 'YYYY-MM-DD'), '') AS valid_until,"                         \
    " o.title, o.description, o.status, o.version, " TS("o.created_at") " AS created_at, "        \
    TS("o.updated_at") " AS updated_at"

#define REQUEST_COLUMNS                                                                           \
    "r.id, r.seq, r.state_code, r.kind, r.topic, r.quantity, r.remaining, r.priority,"            \
    " r.source_question_id, r.source_cycle, r.gap_severity_milli, " LIST("r.languages")           \
    " AS languages, " LIST("r.topics") " AS topics, r.status, r.version,"                        \
    " " TS("r.created_at") " AS created_at, "                                                     \
    TS("r.updated_at") " AS updated_at"


/* ---- Offers ---- */

static const char SQL_OFFER_INSERT[] =
    "INSERT INTO matching.offers AS o (donor_state, kind, topics, capacity, remaining,"
    " eligible_states, eligible_regions, languages, valid_from, valid_until, title, description,"
    " created_by, eligible_groups)"
    " VALUES ($1, $2, $3::text[], $4::bigint, $4::bigint, $5::text[], $6::text[], $7::text[],"
    " $8::date, $9::date, $10, $11, $12, $13::text[])"
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
    " description = $11, status = $12, eligible_groups = $13::text[], version = o.version + 1,"
    " updated_at = now()"
    " WHERE o.id = $1::uuid RETURNING " OFFER_COLUMNS;
static const char SQL_OFFER_WITHDRAW[] =
    "UPDATE matching.offers AS o SET status = 'WITHDRAWN', version = o.version + 1,"
    " updated_at = now() WHERE o.id = $1::uuid RETURNING " OFFER_COLUMNS;

/* ---- Requests ---- */

static const char SQL_REQUEST_INSERT[] =
    "INSERT INTO matching.requests AS r (state_code, kind, topic, quantity, remaining, priority,"
    " source_question_id, source_cycle, gap_severity_milli, ldc, region, sub_region, languages,"
    " created_by, topics)"
    " VALUES ($1, $2, $3, $4::bigint, $4::bigint, $5::int, $6, $7::int, $8::bigint, $9::boolean,"
    " $10, $11, $12::text[], $13, $14::text[])"
    " RETURNING " REQUEST_COLUMNS;
static const char SQL_REQUEST_GET[] =
    "SELECT " REQUEST_COLUMNS " FROM matching.requests r"
    " WHERE r.id = $1::uuid";
static const char SQL_REQUEST_LIST[] =
    "SELECT " REQUEST_COLUMNS " FROM matching.requests r"
    " WHERE ($1::text IS NULL OR r.state_code = $1::char(3)) AND ($2::text IS NULL OR r.kind = $2)"
    " AND ($3::text IS NULL OR $3::text = ANY (r.topics)) AND ($4::text IS NULL OR r.status = $4)"
    " AND r.seq > $5::bigint ORDER BY r.seq LIMIT $6::int";
static const char SQL_REQUEST_LOCK[] =
    "SELECT state_code, status, version FROM matching.requests WHERE id = $1::uuid FOR UPDATE";
static const char SQL_REQUEST_WITHDRAW[] =
    "UPDATE matching.requests AS r SET status = 'WITHDRAWN', version = r.version + 1,"
    " updated_at = now() WHERE r.id = $1::uuid RETURNING " REQUEST_COLUMNS;
/* One statement, so concurrent derivations for the same cycle settle on the unique index. A
 * (question, kind) already asked for under the per-topic rule of before (sql/004) is not asked
 * again. Each row's topics come joined by the unit separator. */
static const char SQL_REQUESTS_DERIVE[] =
    "INSERT INTO matching.requests (state_code, kind, topic, topics, quantity, remaining, priority,"
    " source_question_id, source_cycle, gap_severity_milli, ldc, region, sub_region, languages,"
    " created_by, per_gap)"
    " SELECT $1, d.kind, (string_to_array(d.topics, chr(31)))[1], string_to_array(d.topics, chr(31)),"
    " d.quantity, d.quantity, d.priority, d.question, $2::int, d.severity, $3::boolean, $4, $5,"
    " $6::text[], $7, true"
    " FROM unnest($8::text[], $9::text[], $10::text[], $11::bigint[], $12::int[], $13::bigint[])"
    " AS d(kind, topics, question, quantity, priority, severity)"
    " WHERE NOT EXISTS (SELECT 1 FROM matching.requests x WHERE x.state_code = $1"
    " AND x.source_cycle = $2::int AND x.source_question_id = d.question AND x.kind = d.kind"
    " AND NOT x.per_gap)"
    " ON CONFLICT (state_code, source_cycle, source_question_id, kind)"
    " WHERE source_question_id <> '' AND per_gap DO NOTHING RETURNING id";
static const char SQL_REQUESTS_DERIVED[] =
    "SELECT " REQUEST_COLUMNS " FROM matching.requests r"
    " JOIN unnest($3::text[], $4::text[]) WITH ORDINALITY AS d(kind, question, n)"
    " ON r.kind = d.kind AND r.source_question_id = d.question"
    " WHERE r.state_code = $1 AND r.source_cycle = $2::int ORDER BY d.n, r.topic";

/* ---- Rows ---- */

static Unic__Matching__V1__Offer *offer_from_row(struct arena *a, const PGresult *r, int row)
{
    Unic__Matching__V1__Offer *o = ARENA_MSG(a, Unic__Matching__V1__Offer, UNIC__MATCHING__V1__OFFER__INIT);
    o->id = store_col(a, r, row, "id");
    o->donor_state = store_col(a, r, row, "donor_state");
    o->kind = (Unic__Common__V1__SupportKind)match_kind_from_name(db_get(r, row, "kind"));
    db_list_split(a, db_get(r, row, "topics"), &o->topics, &o->n_topics);
    o->capacity = db_get_int64(r, row, "capacity");
    o->remaining = db_get_int64(r, row, "remaining");
    const char *unit = match_kind_unit(o->kind);
    o->unit = arena_strdup(a, unit ? unit : "");
    db_list_split(a, db_get(r, row, "eligible_states"), &o->eligible_states, &o->n_eligible_states);
    db_list_split(a, db_get(r, row, "eligible_regions"), &o->eligible_regions, &o->n_eligible_regions);
    db_list_split(a, db_get(r, row, "eligible_groups"), &o->eligible_groups, &o->n_eligible_groups);
    db_list_split(a, db_get(r, row, "languages"), &o->languages, &o->n_languages);
    o->valid_from = store_col(a, r, row, "valid_from");
    o->valid_until = store_col(a, r, row, "valid_until");
    o->title = store_col(a, r, row, "title");
    o->description = store_col(a, r, row, "description");
    o->status = (Unic__Matching__V1__OfferStatus)offer_status_from_name(db_get(r, row, "status"));
    o->etag = (char *)store_etag_of(a, db_get_int(r, row, "version"));
    o->created_at = store_col(a, r, row, "created_at");
    o->updated_at = store_col(a, r, row, "updated_at");
    return o;
}

/* A request as `who` sees it (NULL: whole): the figures computed from a gap stay 0 and "" for
 * those store_gap_figures_visible keeps them from. */
static Unic__Matching__V1__Request *request_from_row(struct arena *a, const PGresult *r, int row,
                                                     const struct actor *who)
{
    Unic__Matching__V1__Request *q =
        ARENA_MSG(a, Unic__Matching__V1__Request, UNIC__MATCHING__V1__REQUEST__INIT);
    q->id = store_col(a, r, row, "id");
    q->state_code = store_col(a, r, row, "state_code");
    q->kind = (Unic__Common__V1__SupportKind)match_kind_from_name(db_get(r, row, "kind"));
    q->topic = store_col(a, r, row, "topic");
    if (who == NULL ||
        store_gap_figures_visible(who, q->state_code, db_get_int(r, row, "source_cycle"))) {
        q->quantity = db_get_int64(r, row, "quantity");
        q->remaining = db_get_int64(r, row, "remaining");
        q->priority = db_get_int(r, row, "priority");
        q->source_question_id = store_col(a, r, row, "source_question_id");
        q->source_cycle = db_get_int(r, row, "source_cycle");
        q->gap_severity = (double)db_get_int64(r, row, "gap_severity_milli") / 1000.0;
    }
    db_list_split(a, db_get(r, row, "languages"), &q->languages, &q->n_languages);
    db_list_split(a, db_get(r, row, "topics"), &q->topics, &q->n_topics);
    q->status = (Unic__Matching__V1__RequestStatus)request_status_from_name(db_get(r, row, "status"));
    q->etag = (char *)store_etag_of(a, db_get_int(r, row, "version"));
    q->created_at = store_col(a, r, row, "created_at");
    q->updated_at = store_col(a, r, row, "updated_at");
    return q;
}

/* ---- Writes: one row changed, returned as the reply ---- */

/* Builds the reply from a row that an INSERT or UPDATE returned. */
typedef ProtobufCMessage *(*row_reply)(struct arena *a, const PGresult *r, int row,
                                       const struct actor *who);

static ProtobufCMessage *offer_reply(struct arena *a, const PGresult *r, int row,
                                     const struct actor *who)
{
    (void)who;
    return &offer_from_row(a, r, row)->base;
}

/* Who writes a request is its State or an operator, who may not read the assessment a derived
 * request it withdraws came from. */
static ProtobufCMessage *request_reply(struct arena *a, const PGresult *r, int row,
                                       const struct actor *who)
{
    return &request_from_row(a, r, row, who)->base;
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

/* The last step of a write to a row of t, in the open transaction: runs `sql` (an INSERT or
 * UPDATE returning one row), checks the caller's quota `q` (QUOTA_KINDS: none), builds the reply
 * from the row, appends the audit event ("<what>-<done>", offer-created say), stores the reply under
 * idempotency key k (may be NULL) and commits. On failure the caller rolls back. */
static int write_one_within(struct db *db, struct arena *a, const struct owned_rows *t,
                            const char *done, const char *sql, int n, const char *const *params,
                            const struct actor *who, const struct idem *k, enum quota_kind q,
                            ProtobufCMessage **out, struct err *e)
{
    PGresult *r = db_query(db, e, sql, n, params);
    if (r == NULL)
        return -1;
    if (q != QUOTA_KINDS && store_quota_check(db, who, q, e) < 0) {
        PQclear(r);
        return -1;
    }
    *out = t->build(a, r, 0, who);
    const char *id = db_get(r, 0, "id"), *state = db_get(r, 0, t->owner);
    int rc = store_audited(a, who, t->what, id, state, k, arena_printf(a, "%s-%s", t->what, done),
                           AUDIT_ARGS(id, state, db_get(r, 0, "kind"), db_get(r, 0, "status")), e);
    PQclear(r);
    if (rc < 0 || idem_save(who->call, k, *out, e) < 0)
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
    int claimed = idem_tx_begin(who->call, k, e);
    if (claimed != 0)
        return claimed;
    if (store_quota_lock(db, who, q, e) < 0 ||
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
    PGresult *r = db_query_one(db, e, t->lock_sql, 1, params, t->what, id);
    if (r == NULL)
        return NULL;
    const char *owner = db_get(r, 0, t->owner);
    if (!access_may_change(who->state, owner)) {
        err_set(e, ERR_PERMISSION_DENIED, "%s %s is %s's: a State %s only its own %ss", t->what, id,
                owner, t->verb, t->what);
    } else if (store_etag_check(t->what, id, etag, db_get_int(r, 0, "version"), e) == 0) {
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
    rc = write_one(db, a, t, "withdrawn", t->withdraw_sql, 1, params, who, NULL, out, e);
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
        in->donor_state, match_kind_name(in->kind), db_text_array(a, in->topics, in->n_topics),
        capacity, db_text_array(a, in->eligible_states, in->n_eligible_states),
        db_text_array(a, in->eligible_regions, in->n_eligible_regions),
        db_text_array(a, in->languages, in->n_languages), date_or_null(in->valid_from),
        date_or_null(in->valid_until), in->title, in->description, who->label,
        db_text_array(a, in->eligible_groups, in->n_eligible_groups),
    };
    ProtobufCMessage *reply;
    int rc = insert_one(db, a, &offer_rows, SQL_OFFER_INSERT, 13, params, who, k, QUOTA_OFFERS, &reply, e);
    if (rc != 0)
        return rc;
    *out = (Unic__Matching__V1__Offer *)reply;
    return 0;
}

int store_offer_get(struct db *db, struct arena *a, const char *id, Unic__Matching__V1__Offer **out,
                    struct err *e)
{
    const char *params[] = {id};
    PGresult *r = db_query_one(db, e, SQL_OFFER_GET, 1, params, "offer", id);
    if (r == NULL)
        return -1;
    *out = offer_from_row(a, r, 0);
    PQclear(r);
    return 0;
}

int store_offer_list(struct db *db, struct arena *a, const struct item_filter *f,
                     Unic__Matching__V1__ListOffersResponse *out, struct err *e)
{
    const char *filters[] = {f->state, f->kind, f->topic, f->status};
    PGresult *r = store_page_query(db, a, SQL_OFFER_LIST, filters, 4, f->after_seq, f->limit,
                                   &out->n_offers, &out->next_page_token, e);
    if (r == NULL)
        return -1;
    out->offers = ARENA_ARRAY(a, Unic__Matching__V1__Offer *, out->n_offers);
    for (size_t i = 0; i < out->n_offers; i++)
        out->offers[i] = offer_from_row(a, r, (int)i);
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
        in->id, db_text_array(a, in->topics, in->n_topics), capacity, left,
        db_text_array(a, in->eligible_states, in->n_eligible_states),
        db_text_array(a, in->eligible_regions, in->n_eligible_regions),
        db_text_array(a, in->languages, in->n_languages), date_or_null(in->valid_from),
        date_or_null(in->valid_until), in->title, in->description,
        remaining > 0 ? "OPEN" : "EXHAUSTED",
        db_text_array(a, in->eligible_groups, in->n_eligible_groups),
    };
    if (write_one(db, a, &offer_rows, "updated", SQL_OFFER_UPDATE, 13, params, who, NULL, &reply, e) < 0)
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
        in->sub_region, db_text_array(a, in->languages, in->n_languages), who->label,
        db_text_array(a, in->topics, in->n_topics),
    };
    ProtobufCMessage *reply;
    int rc = insert_one(db, a, &request_rows, SQL_REQUEST_INSERT, 14, params, who, k, QUOTA_REQUESTS,
                        &reply, e);
    if (rc != 0)
        return rc;
    *out = (Unic__Matching__V1__Request *)reply;
    return 0;
}

int store_request_get(struct db *db, struct arena *a, const char *id, const struct actor *who,
                      Unic__Matching__V1__Request **out, struct err *e)
{
    const char *params[] = {id};
    PGresult *r = db_query_one(db, e, SQL_REQUEST_GET, 1, params, "request", id);
    if (r == NULL)
        return -1;
    *out = request_from_row(a, r, 0, who);
    PQclear(r);
    return 0;
}

int store_request_list(struct db *db, struct arena *a, const struct item_filter *f,
                       const struct actor *who, Unic__Matching__V1__ListRequestsResponse *out,
                       struct err *e)
{
    const char *filters[] = {f->state, f->kind, f->topic, f->status};
    PGresult *r = store_page_query(db, a, SQL_REQUEST_LIST, filters, 4, f->after_seq, f->limit,
                                   &out->n_requests, &out->next_page_token, e);
    if (r == NULL)
        return -1;
    out->requests = ARENA_ARRAY(a, Unic__Matching__V1__Request *, out->n_requests);
    for (size_t i = 0; i < out->n_requests; i++)
        out->requests[i] = request_from_row(a, r, (int)i, who);
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

/* The topics of a row, joined by the unit separator (no topic holds one: validation). */
static char *joined_topics(struct arena *a, const struct request_row *row)
{
    return db_list_join(a, (const char *const *)row->topics, row->n_topics);
}

int store_requests_derive(struct db *db, struct arena *a, const struct request_row *rows, size_t n,
                          bool preview, const struct actor *who, Unic__Matching__V1__Request ***out,
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
        topics[i] = joined_topics(a, &rows[i]);
        questions[i] = (char *)rows[i].source_question_id;
        quantities[i] = rows[i].quantity;
        severities[i] = rows[i].severity_milli;
        priorities[i] = rows[i].priority;
    }
    const struct request_row *r0 = &rows[0];
    char cycle[12];
    snprintf(cycle, sizeof cycle, "%d", r0->source_cycle);
    const char *kind_arr = db_text_array(a, kinds, n), *question_arr = db_text_array(a, questions, n);
    const char *params[] = {
        r0->state_code, cycle, r0->ldc ? "true" : "false", r0->region, r0->sub_region,
        db_text_array(a, r0->languages, r0->n_languages), who->label, kind_arr,
        db_text_array(a, topics, n), question_arr, db_int64_array(a, quantities, n),
        db_int_array(a, priorities, n), db_int64_array(a, severities, n),
    };
    const char *sel[] = {r0->state_code, cycle, kind_arr, question_arr};
    PGresult *ins = NULL, *r = NULL;
    int rc = -1;
    /* One change, one event: deriving again creates nothing and writes none. A preview runs
     * the very same statements and rolls them back. */
    if (db_begin(db, e) < 0)
        return -1;
    if (store_quota_lock(db, who, QUOTA_REQUESTS, e) < 0 ||
        (ins = db_query(db, e, SQL_REQUESTS_DERIVE, 13, params)) == NULL ||
        store_quota_check(db, who, QUOTA_REQUESTS, e) < 0)
        goto done;
    int affected = PQntuples(ins);
    if (!preview && affected > 0 &&
        store_audited(a, who, "requests", arena_printf(a, "%s/%s", r0->state_code, cycle),
                      r0->state_code, NULL, "requests-derived",
                      AUDIT_ARGS(arena_printf(a, "%d", affected), r0->state_code, cycle), e) < 0)
        goto done;
    if ((r = db_query(db, e, SQL_REQUESTS_DERIVED, 4, sel)) == NULL)
        goto done;
    if (preview)
        db_rollback(db);
    else if (db_commit(db, e) < 0)
        goto done;
    *n_out = (size_t)PQntuples(r);
    *out = ARENA_ARRAY(a, Unic__Matching__V1__Request *, *n_out);
    for (size_t i = 0; i < *n_out; i++) {
        Unic__Matching__V1__Request *q = request_from_row(a, r, (int)i, NULL); /* its State's, or an
                                                                           * operator's that read the gaps */
        if (preview)
            for (int k = 0; k < affected; k++)
                if (strcmp(q->id, db_get(ins, k, "id")) == 0) { /* would be new: not filed */
                    q->id = q->etag = q->created_at = q->updated_at = (char *)"";
                    break;
                }
        (*out)[i] = q;
    }
    *created = affected;
    rc = 0;
done:
    PQclear(ins);
    PQclear(r);
    if (rc < 0)
        db_rollback(db);
    return rc;
}

