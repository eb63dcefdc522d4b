/* store.c: all SQL of the response service, as named constants, and the functions that run it.
 * Every write is one function and one transaction. A write to an assessment (store_write) is two
 * round trips (write_open, write_commit: pipelines, common/db.h) whose
 * packed snapshots and replies travel as binary bytea, as they do in every read and in the
 * creation of an assessment: no snapshot is ever hex-encoded on its way to or from PostgreSQL. */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "pbuf.h"
#include "responses.h"

#define TS(col) SQL_TS(col)

static const char SQL_HEAD[] =
    "SELECT state_code, questionnaire_id, visibility, status, revision, etag"
    " FROM responses.assessments"
    " WHERE id = $1";
/* The head and its revision's snapshot in one statement, for GetAssessment (binary result). A
 * head whose revision row is missing still comes back, with a NULL snapshot. */
static const char SQL_HEAD_SNAPSHOT[] =
    "SELECT a.state_code, a.questionnaire_id, a.visibility, a.status, a.revision, a.etag,"
    " r.snapshot"
    " FROM responses.assessments a"
    " LEFT JOIN responses.revisions r ON r.assessment_id = a.id AND r.revision = a.revision"
    " WHERE a.id = $1";
static const char SQL_LAST_SUBMITTED[] =
    "SELECT coalesce(max(revision), 0) AS revision FROM responses.revisions"
    " WHERE assessment_id = $1 AND status = 'SUBMITTED'";
static const char SQL_SNAPSHOT[] =
    "SELECT snapshot, visibility, status FROM responses.revisions"
    " WHERE assessment_id = $1 AND revision = $2::int";
/* FOR NO KEY UPDATE: the lock the coming UPDATE takes anyway, taken first so that two writers
 * with the same etag queue here and the second sees the first's etag. The head alone: joined to
 * its revision, a row re-checked after waiting for another writer would no longer match the
 * revision row read before the wait, and vanish from the result. */
static const char SQL_LOCK[] =
    "SELECT revision FROM responses.assessments WHERE id = $1 FOR NO KEY UPDATE";
/* The statement after the lock, in the same round trip: a statement of its own, so it reads the
 * head as locked (READ COMMITTED takes a snapshot per statement) and the revision it names. */
static const char SQL_LOCKED[] =
    "SELECT a.revision, a.etag, r.snapshot FROM responses.assessments a"
    " JOIN responses.revisions r ON r.assessment_id = a.id AND r.revision = a.revision"
    " WHERE a.id = $1";
static const char SQL_CREATE[] =
    "WITH a AS ("
    " INSERT INTO responses.assessments (id, state_code, cycle, questionnaire_id,"
    " questionnaire_version, status, visibility, revision, etag, completeness, created_at,"
    " updated_at, submitted_at, updated_by)"
    " VALUES ($1, $2, $3::int, $4, $5::int, $6, $7, $8::int, $9, $10::float8, $11::timestamptz,"
    " $11::timestamptz, NULLIF($12, '')::timestamptz, $13) RETURNING id)"
    " INSERT INTO responses.revisions (assessment_id, revision, created_at, author, action,"
    " changed_questions, reason, status, visibility, snapshot)"
    " SELECT id, $8::int, $11::timestamptz, $13, $14, $15::text[], $16, $6, $7, $17::bytea"
    " FROM a";
/* The etag condition repeats what the lock established: a write can only ever apply on top of
 * the revision its caller read. Its outcome is checked by the server (005_expect_rows.sql), since
 * the COMMIT is already queued behind it. */
static const char SQL_UPDATE[] =
    "WITH a AS ("
    " UPDATE responses.assessments SET status = $3, visibility = $4, revision = $5::int,"
    " etag = $6, completeness = $7::float8, updated_at = $8::timestamptz,"
    " submitted_at = NULLIF($9, '')::timestamptz, updated_by = $10"
    " WHERE id = $1 AND etag = $2 RETURNING id),"
    " r AS (INSERT INTO responses.revisions (assessment_id, revision, created_at, author, action,"
    " changed_questions, reason, status, visibility, snapshot)"
    " SELECT id, $5::int, $8::timestamptz, $10, $11, $12::text[], $13, $3, $4, $14::bytea"
    " FROM a RETURNING 1)"
    " SELECT responses.expect_rows((SELECT count(*) FROM r), 1, '40001', $15) AS n";
static const char SQL_ANSWERS[] =
    "WITH gone AS (DELETE FROM responses.answers"
    " WHERE assessment_id = $1 AND question_id = ANY($2::text[]))"
    " INSERT INTO responses.answers (assessment_id, question_id, level, target_level, yes, date,"
    " narrative, evidence, updated_at, updated_by)"
    " SELECT $1, u.question_id, u.level, u.target_level, u.yes, u.date, u.narrative, u.evidence,"
    " $10::timestamptz, $11"
    " FROM unnest($3::text[], $4::smallint[], $5::smallint[], $6::boolean[], $7::date[],"
    " $8::text[], $9::jsonb[]) AS u(question_id, level, target_level, yes, date, narrative, evidence)"
    " ON CONFLICT (assessment_id, question_id) DO UPDATE SET level = EXCLUDED.level,"
    " target_level = EXCLUDED.target_level, yes = EXCLUDED.yes, date = EXCLUDED.date,"
    " narrative = EXCLUDED.narrative, evidence = EXCLUDED.evidence,"
    " updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by";
const struct idem_sql responses_idem_sql = IDEM_SQL("responses.idempotency", "key_id");
/* `whole`: the caller may read the head; otherwise it reads the assessment only as a report to
 * UNIC ($10, access.c), as its last submitted revision, and never a draft. */
static const char SQL_LIST[] =
    "SELECT a.id, a.state_code, a.cycle, a.questionnaire_id, a.questionnaire_version, a.status,"
    " a.visibility, a.revision, a.etag, a.completeness, " TS("a.created_at") " AS created_at, "
    TS("a.updated_at") " AS updated_at, coalesce(" TS("a.submitted_at") ", '') AS submitted_at,"
    " a.updated_by, w.whole,"
    " CASE WHEN $9::boolean OR NOT w.whole THEN (SELECT r.snapshot"
    " FROM responses.revisions r WHERE r.assessment_id = a.id AND r.revision = v.shown)"
    " END AS snapshot"
    " FROM responses.assessments a"
    " CROSS JOIN LATERAL (SELECT (a.state_code = $5::text OR a.visibility = ANY($6::text[]))"
    " AS whole) w"
    " CROSS JOIN LATERAL (SELECT CASE WHEN w.whole THEN a.revision"
    " WHEN $10::text <> '' AND a.questionnaire_id = $10::text THEN (SELECT max(r.revision)"
    " FROM responses.revisions r WHERE r.assessment_id = a.id AND r.status = 'SUBMITTED') END"
    " AS shown, CASE WHEN w.whole THEN a.status ELSE 'SUBMITTED' END AS shown_status) v"
    " WHERE ($1::text = '' OR a.state_code = $1::text) AND ($2::int = 0 OR a.cycle = $2::int)"
    " AND ($3::text = '' OR a.questionnaire_id = $3::text)"
    " AND ($4::text = '' OR v.shown_status = $4::text)"
    " AND v.shown IS NOT NULL AND a.id > $7::text"
    " ORDER BY a.id LIMIT $8::int";
static const char SQL_REVISIONS[] =
    "SELECT revision, " TS("created_at") " AS created_at, author, action,"
    " array_to_string(changed_questions, E'\\n') AS changed, reason, status, visibility"
    " FROM responses.revisions WHERE assessment_id = $1 ORDER BY revision";

/* The packed Assessment in column "snapshot" of a binary result, copied into the arena (the
 * result is cleared before the call ends). */
static void snapshot_copy(struct arena *a, const PGresult *r, int row, uint8_t **bytes, size_t *len)
{
    const uint8_t *v = db_get_bytes(r, row, "snapshot", len);
    *bytes = arena_alloc(a, *len + 1);
    memcpy(*bytes, v, *len);
}

/* The head in row 0 of r (SQL_HEAD's columns, as text or binary), and with bytes not NULL the
 * snapshot beside it (SQL_HEAD_SNAPSHOT, binary). */
static void head_read(const PGresult *r, struct arena *a, struct head *h, uint8_t **bytes,
                      size_t *len)
{
    snprintf(h->state_code, sizeof h->state_code, "%s", db_get(r, 0, "state_code"));
    snprintf(h->questionnaire_id, sizeof h->questionnaire_id, "%s",
             db_get(r, 0, "questionnaire_id"));
    h->visibility = visibility_parse(db_get(r, 0, "visibility"));
    h->status = status_parse(db_get(r, 0, "status"));
    h->revision = db_get_int(r, 0, "revision");
    snprintf(h->etag, sizeof h->etag, "%s", db_get(r, 0, "etag"));
    if (bytes == NULL)
        return;
    *bytes = NULL;
    *len = 0;
    if (!PQgetisnull(r, 0, PQfnumber(r, "snapshot")))
        snapshot_copy(a, r, 0, bytes, len);
}

int store_head(struct db *db, const char *id, struct head *h, bool *found, struct err *e)
{
    const char *params[] = {id};
    PGresult *r = db_query(db, e, SQL_HEAD, 1, params);
    if (r == NULL)
        return -1;
    *found = PQntuples(r) == 1;
    if (*found)
        head_read(r, NULL, h, NULL, NULL);
    PQclear(r);
    return 0;
}

int store_head_snapshot(struct db *db, struct arena *a, const char *id, struct head *h,
                        uint8_t **bytes, size_t *len, bool *found, struct err *e)
{
    const char *params[] = {id};
    PGresult *r = db_query_bytes(db, e, SQL_HEAD_SNAPSHOT, 1, params, NULL, true);
    if (r == NULL)
        return -1;
    *found = PQntuples(r) == 1;
    *bytes = NULL;
    *len = 0;
    if (*found)
        head_read(r, a, h, bytes, len);
    PQclear(r);
    return 0;
}

int store_snapshot(struct db *db, struct arena *a, const char *id, int rev, uint8_t **bytes,
                   size_t *len, int *visibility, int *status, bool *found, struct err *e)
{
    char revision[16];
    snprintf(revision, sizeof revision, "%d", rev);
    const char *params[] = {id, revision};
    PGresult *r = db_query_bytes(db, e, SQL_SNAPSHOT, 2, params, NULL, true);
    if (r == NULL)
        return -1;
    *found = PQntuples(r) == 1;
    if (*found) {
        snapshot_copy(a, r, 0, bytes, len);
        *visibility = visibility_parse(db_get(r, 0, "visibility"));
        if (status != NULL)
            *status = status_parse(db_get(r, 0, "status"));
    }
    PQclear(r);
    return 0;
}

int store_last_submitted(struct db *db, const char *id, int *revision, struct err *e)
{
    const char *params[] = {id};
    PGresult *r = db_query(db, e, SQL_LAST_SUBMITTED, 1, params);
    if (r == NULL)
        return -1;
    *revision = db_get_int(r, 0, "revision");
    PQclear(r);
    return 0;
}

int store_create(struct call *c, const struct idem *k, const struct change *ch, struct err *e)
{
    struct db *db = c->db;
    struct arena *a = &c->arena;
    const Assessment *n = ch->next;
    char cycle[16], version[16], revision[16], completeness[32];
    snprintf(cycle, sizeof cycle, "%d", n->cycle);
    snprintf(version, sizeof version, "%d", n->questionnaire_version);
    snprintf(revision, sizeof revision, "%d", n->revision);
    snprintf(completeness, sizeof completeness, "%.17g", n->completeness);
    const char *params[] = {
        n->id, n->state_code, cycle, n->questionnaire_id, version, status_name(n->status),
        visibility_name(n->visibility), revision, n->etag, completeness, n->updated_at,
        n->submitted_at, n->updated_by, ch->action,
        encode_pg_array(a, ch->changed, ch->n_changed), ch->reason, (const char *)ch->snapshot};
    int lengths[17];
    for (int i = 0; i < 17; i++)
        lengths[i] = -1;
    lengths[16] = (int)ch->snapshot_len;
    int claimed = idem_tx_begin(c, k, e); /* the request_id first (common/idem.h) */
    if (claimed != 0)
        return claimed;
    if (db_command_bytes(db, e, SQL_CREATE, 17, params, lengths, NULL) < 0) {
        if (e->code == ERR_ALREADY_EXISTS)
            err_set(e, ERR_ALREADY_EXISTS, "could not create \"%s\": it already exists", n->id);
    } else if (idem_store(db, k, ch->snapshot, ch->snapshot_len, e) == 0 && db_commit(db, e) == 0) {
        return 0;
    }
    db_rollback(db);
    return -1;
}

/* Queues the rows of responses.answers that change ch writes. */
static void answers_queue(struct db_pipe *p, struct arena *a, const struct change *ch)
{
    size_t n = ch->n_upserts;
    const char **ids = ARENA_ARRAY(a, const char *, n), **level = ARENA_ARRAY(a, const char *, n),
               **target = ARENA_ARRAY(a, const char *, n), **yes = ARENA_ARRAY(a, const char *, n),
               **date = ARENA_ARRAY(a, const char *, n), **text = ARENA_ARRAY(a, const char *, n),
               **evidence = ARENA_ARRAY(a, const char *, n);
    for (size_t i = 0; i < n; i++) {
        const Answer *x = ch->upserts[i];
        ids[i] = x->question_id;
        if (x->level_value_case == UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL)
            level[i] = arena_printf(a, "%d", x->level);
        if (x->target_level_value_case == UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL)
            target[i] = arena_printf(a, "%d", x->target_level);
        if (x->yes_value_case == UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES)
            yes[i] = x->yes ? "t" : "f";
        date[i] = x->date[0] ? x->date : NULL;
        text[i] = x->narrative;
        evidence[i] = encode_evidence_json(a, x->evidence, x->n_evidence);
    }
    const char *params[] = {
        ch->next->id,
        encode_pg_array(a, ch->removed, ch->n_removed),
        encode_pg_array(a, ids, n),
        encode_pg_array(a, level, n),
        encode_pg_array(a, target, n),
        encode_pg_array(a, yes, n),
        encode_pg_array(a, date, n),
        encode_pg_array(a, text, n),
        encode_pg_array(a, evidence, n),
        ch->next->updated_at,
        ch->next->updated_by};
    db_pipe_add(p, PGRES_COMMAND_OK, SQL_ANSWERS, 11, params, NULL, NULL, 0);
}

/* Round trip one of a write: begins the call's transaction, claims key k (common/idem.h; NULL for
 * none), locks the head of `id` and reads the revision it is at into *l (arena). 0 with the
 * transaction open (*found false when there is no such assessment); 1 when a twin's reply
 * answered the call, -1 with *e set: the transaction is then rolled back. */
static int write_open(struct call *c, const struct idem *k, const char *id, struct locked *l,
                      bool *found, struct err *e)
{
    struct db_pipe p;
    const char *params[] = {id};
    *found = false;
    if (db_pipe_start(c->db, &p, DB_PIPE_BEGIN, e) < 0)
        return -1;
    int claim[2];
    idem_claim_queue(&p, k, claim);
    db_pipe_add(&p, PGRES_TUPLES_OK, SQL_LOCK, 1, params, NULL, NULL, 0);
    int row = db_pipe_add(&p, PGRES_TUPLES_OK, SQL_LOCKED, 1, params, NULL, NULL, 1);
    int ran = db_pipe_run(&p, e);
    /* The key decides first: a twin's reply answers the call whatever came after the claim. */
    int rc = idem_claimed(c, k, &p, claim, e);
    if (rc == 0 && ran < 0)
        rc = -1;
    PGresult *r = db_pipe_result(&p, row);
    if (rc == 0 && PQntuples(r) == 1) {
        *found = true;
        l->revision = db_get_int(r, 0, "revision");
        l->etag = arena_strdup(&c->arena, db_get(r, 0, "etag"));
        snapshot_copy(&c->arena, r, 0, &l->snapshot, &l->snapshot_len);
    }
    db_pipe_clear(&p);
    if (rc != 0)
        db_rollback(c->db);
    return rc;
}

/* Round trip two: the locked head moved from `old_etag` to ch->next with its revision (ch NULL:
 * nothing changed), `reply` stored under k, and COMMIT. -1 with *e set and the transaction left
 * to roll back. */
static int write_commit(struct call *c, const char *old_etag, const struct change *ch,
                        const struct idem *k, const uint8_t *reply, size_t reply_len,
                        struct err *e)
{
    struct arena *a = &c->arena;
    struct db_pipe p;
    if (db_may_commit(c->db, e) < 0 || db_pipe_start(c->db, &p, 0, e) < 0)
        return -1;
    if (ch) {
        const Assessment *n = ch->next;
        char revision[16], completeness[32];
        snprintf(revision, sizeof revision, "%d", n->revision);
        snprintf(completeness, sizeof completeness, "%.17g", n->completeness);
        const char *values[] = {
            n->id, old_etag, status_name(n->status), visibility_name(n->visibility), revision,
            n->etag, completeness, n->updated_at, n->submitted_at, n->updated_by, ch->action,
            encode_pg_array(a, ch->changed, ch->n_changed), ch->reason,
            (const char *)ch->snapshot,
            arena_printf(a, "could not update \"%s\": its etag changed meanwhile", n->id)};
        int lengths[15] = {0}, formats[15] = {0};
        lengths[13] = (int)ch->snapshot_len;
        formats[13] = 1;
        db_pipe_add(&p, PGRES_TUPLES_OK, SQL_UPDATE, 15, values, lengths, formats, 0);
        if (ch->n_upserts + ch->n_removed > 0)
            answers_queue(&p, a, ch);
    }
    idem_store_queue(&p, k, reply, reply_len);
    db_pipe_commit(&p);
    int rc = db_pipe_run(&p, e);
    db_pipe_clear(&p);
    return rc;
}

int store_write(struct call *c, const struct idem *k, const char *id, store_decide *decide,
                void *ctx, struct write_outcome *o, struct err *e)
{
    struct locked l;
    bool found;
    memset(o, 0, sizeof *o);
    int answered = write_open(c, k, id, &l, &found, e);
    if (answered != 0) /* 1: answered with the reply of the first call of this request_id */
        return answered;
    const struct change *ch;
    if (decide(c, ctx, found ? &l : NULL, o, e) < 0)
        goto fail;
    ch = o->ch;
    if (o->dry_run || (ch == NULL && k == NULL)) {
        db_rollback(c->db); /* nothing to write: a dry run gives the idempotency claim back too */
        return 0;
    }
    /* Who may read an assessment is a change the audit log must show (docs/security.md). */
    if (ch && ch->audit &&
        audit_append(c, arena_printf(&c->arena, "assessment/%s", ch->next->id), ch->next->state_code,
                     k ? k->request_id : NULL, ch->audit, ch->audit_args, ch->n_audit_args, e) < 0)
        goto fail;
    if (write_commit(c, l.etag, ch, k, o->reply, o->reply_len, e) < 0)
        goto fail;
    return 0;
fail:
    db_rollback(c->db);
    return -1;
}

static Assessment *list_row(struct arena *a, const PGresult *r, int row)
{
    Assessment *x = ARENA_MSG(a, Assessment, UNIC__RESPONSES__V1__ASSESSMENT__INIT);
    x->id = arena_strdup(a, db_get(r, row, "id"));
    x->state_code = arena_strdup(a, db_get(r, row, "state_code"));
    x->cycle = db_get_int(r, row, "cycle");
    x->questionnaire_id = arena_strdup(a, db_get(r, row, "questionnaire_id"));
    x->questionnaire_version = db_get_int(r, row, "questionnaire_version");
    x->status = status_parse(db_get(r, row, "status"));
    x->visibility = visibility_parse(db_get(r, row, "visibility"));
    x->revision = db_get_int(r, row, "revision");
    x->etag = arena_strdup(a, db_get(r, row, "etag"));
    x->completeness = db_get_double(r, row, "completeness");
    x->created_at = arena_strdup(a, db_get(r, row, "created_at"));
    x->updated_at = arena_strdup(a, db_get(r, row, "updated_at"));
    x->submitted_at = arena_strdup(a, db_get(r, row, "submitted_at"));
    x->updated_by = arena_strdup(a, db_get(r, row, "updated_by"));
    return x;
}

int store_list(struct db *db, struct arena *a, const struct list_filter *f, Assessment ***out,
               size_t *n, struct err *e)
{
    char cycle[16], limit[16];
    snprintf(cycle, sizeof cycle, "%d", f->cycle);
    snprintf(limit, sizeof limit, "%d", f->limit);
    const char *params[] = {f->state_code, cycle, f->questionnaire_id, f->status, f->own_state,
                            f->visible, f->after, limit, f->with_answers ? "t" : "f",
                            f->reports};
    int rc = -1;
    PGresult *r = db_query_bytes(db, e, SQL_LIST, 10, params, NULL, true);
    if (r == NULL)
        return -1;
    *n = (size_t)PQntuples(r);
    *out = ARENA_ARRAY(a, Assessment *, *n);
    for (size_t i = 0; i < *n; i++) {
        int row = (int)i;
        bool whole = db_get_bool(r, row, "whole");
        if (!f->with_answers && whole) {
            (*out)[i] = list_row(a, r, row);
            continue;
        }
        uint8_t *bytes;
        size_t len;
        snapshot_copy(a, r, row, &bytes, &len);
        (*out)[i] = (Assessment *)pbuf_unpack(a, &unic__responses__v1__assessment__descriptor,
                                                bytes, len);
        if ((*out)[i] == NULL) {
            err_set(e, ERR_DATA_LOSS, "could not read the snapshot of \"%s\": not an Assessment",
                    db_get(r, row, "id"));
            goto done;
        }
        if (!f->with_answers) /* a report read as a summary, like the others */
            (*out)[i]->n_answers = 0;
    }
    rc = 0;
done:
    PQclear(r);
    return rc;
}

int store_revisions(struct db *db, struct arena *a, const char *id,
                    Unic__Responses__V1__Revision ***out, size_t *n, struct err *e)
{
    const char *params[] = {id};
    PGresult *r = db_query(db, e, SQL_REVISIONS, 1, params);
    if (r == NULL)
        return -1;
    *n = (size_t)PQntuples(r);
    *out = ARENA_ARRAY(a, Unic__Responses__V1__Revision *, *n);
    for (size_t i = 0; i < *n; i++) {
        int row = (int)i;
        Unic__Responses__V1__Revision *v =
            ARENA_MSG(a, Unic__Responses__V1__Revision, UNIC__RESPONSES__V1__REVISION__INIT);
        v->revision = db_get_int(r, row, "revision");
        v->created_at = arena_strdup(a, db_get(r, row, "created_at"));
        v->author = arena_strdup(a, db_get(r, row, "author"));
        v->action = arena_strdup(a, db_get(r, row, "action"));
        v->reason = arena_strdup(a, db_get(r, row, "reason"));
        v->status = status_parse(db_get(r, row, "status"));
        v->visibility = visibility_parse(db_get(r, row, "visibility"));
        /* Question ids carry no control characters (validated on the way in), so a newline
         * separates them unambiguously. */
        char *changed = arena_strdup(a, db_get(r, row, "changed"));
        size_t count = 0;
        for (char *p = changed; *p; p++)
            count += *p == '\n';
        v->changed_questions = ARENA_ARRAY(a, char *, count + 1);
        for (char *p = changed, *next; *changed && p; p = next) {
            next = strchr(p, '\n');
            if (next)
                *next++ = '\0';
            v->changed_questions[v->n_changed_questions++] = p;
        }
        (*out)[i] = v;
    }
    PQclear(r);
    return 0;
}
