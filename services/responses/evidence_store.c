/* evidence_store.c: all SQL of evidence documents (docs/evidence.md), as named constants, and the
 * functions that run it; the rest of the service's SQL is in store.c. Bytes travel as bytes
 * (binary parameters and results, common/db.h db_query_bytes), not hex. Each write is one
 * function and one transaction (begun, committed, rolled back on every failure here): the
 * State's quota is checked under its lock in the transaction of the write it admits, and the
 * audit event of an attach or a delete is written in the transaction of the change. */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "digest.h"
#include "evidence.h"
#include "responses.h"

/* Serializes the writes that a quota or a content's last reference depends on: one State's
 * uploads and commits ("evidence-state:KEN"), one content's insert and removal
 * ("evidence-blob:<sha256>"). */
static const char SQL_LOCK[] = "SELECT pg_advisory_xact_lock(hashtext($1)) IS NULL AS locked";
static const char SQL_TARGET[] =
    "SELECT questionnaire_id, questionnaire_version, status, revision"
    " FROM responses.assessments WHERE id = $1 FOR NO KEY UPDATE";
/* Each content counts once per State, however many answers it is attached to. */
static const char SQL_USAGE[] =
    "SELECT coalesce((SELECT sum(b.size) FROM responses.evidence_blobs b WHERE b.sha256 IN"
    " (SELECT d.sha256 FROM responses.evidence_documents d WHERE d.state_code = $1)), 0) AS used,"
    " coalesce((SELECT sum(u.size) FROM responses.evidence_uploads u WHERE u.state_code = $1"
    " AND u.committed_at IS NULL AND u.expires_at > now()), 0) AS pending,"
    " EXISTS (SELECT 1 FROM responses.evidence_documents d WHERE d.state_code = $1"
    " AND d.sha256 = $2) AS held";
static const char SQL_PURGE[] =
    "DELETE FROM responses.evidence_uploads WHERE state_code = $1 AND expires_at <= now()";
static const char SQL_UPLOAD_INSERT[] =
    "INSERT INTO responses.evidence_uploads (id, assessment_id, state_code, question_id, filename,"
    " size, sha256, expires_at, created_by)"
    " VALUES ($1, $2, $3, $4, $5, $6::int, $7, now() + interval '24 hours', $8)"
    " RETURNING " SQL_TS("expires_at") " AS expires_at";
#define UPLOAD_SELECT                                                                              \
    "SELECT id, assessment_id, state_code, question_id, filename, size, sha256, received,"       \
    " coalesce(document_seq::text, '') AS document_seq, committed_at IS NOT NULL AS committed,"   \
    " " SQL_TS("expires_at") " AS expires_at, expires_at <= now() AS expired"                     \
    " FROM responses.evidence_uploads WHERE id = $1"
static const char SQL_UPLOAD_GET[] = UPLOAD_SELECT;
static const char SQL_UPLOAD_LOCK[] = UPLOAD_SELECT " FOR UPDATE";
static const char SQL_CHUNK_SAME[] =
    "SELECT data = $3::bytea AS same FROM responses.evidence_chunks"
    " WHERE upload_id = $1 AND \"offset\" = $2::int";
static const char SQL_CHUNK_PUT[] =
    "WITH c AS (INSERT INTO responses.evidence_chunks (upload_id, \"offset\", data)"
    " VALUES ($1, $2::int, $3::bytea))"
    " UPDATE responses.evidence_uploads SET received = received + $4::int WHERE id = $1";
static const char SQL_CHUNKS[] =
    "SELECT coalesce(string_agg(data, ''::bytea ORDER BY \"offset\"), ''::bytea) AS content"
    " FROM responses.evidence_chunks WHERE upload_id = $1";
/* From the chunks themselves, so the bytes do not cross the wire twice; the table's CHECK
 * recomputes the address. */
static const char SQL_BLOB_PUT[] =
    "INSERT INTO responses.evidence_blobs (sha256, size, content)"
    " SELECT $2, $3::int, string_agg(data, ''::bytea ORDER BY \"offset\")"
    " FROM responses.evidence_chunks WHERE upload_id = $1"
    " ON CONFLICT (sha256) DO NOTHING";
static const char SQL_DOCUMENT_INSERT[] =
    "WITH d AS (INSERT INTO responses.evidence_documents (assessment_id, state_code, question_id,"
    " filename, content_type, sha256, revision, created_by)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7::int, $8) RETURNING seq),"
    " u AS (UPDATE responses.evidence_uploads SET document_seq = (SELECT seq FROM d),"
    " committed_at = now() WHERE id = $9),"
    " c AS (DELETE FROM responses.evidence_chunks WHERE upload_id = $9)"
    " SELECT seq FROM d";
#define DOCUMENT_SELECT                                                                            \
    "SELECT d.seq, d.assessment_id, d.question_id, d.filename, d.content_type, d.sha256, b.size," \
    " " SQL_TS("d.created_at") " AS created_at, d.created_by"                                     \
    " FROM responses.evidence_documents d JOIN responses.evidence_blobs b USING (sha256)"
static const char SQL_DOCUMENTS[] =
    DOCUMENT_SELECT " WHERE d.assessment_id = $1 AND ($2 = '' OR d.question_id = $2)"
    " AND d.revision <= $3::int ORDER BY d.seq";
static const char SQL_DOCUMENT[] =
    DOCUMENT_SELECT " WHERE d.assessment_id = $1 AND d.seq = $2::bigint AND d.revision <= $3::int";
static const char SQL_CONTENT[] =
    "SELECT substring(content FROM $2::int + 1 FOR $3::int) AS part"
    " FROM responses.evidence_blobs WHERE sha256 = $1";
static const char SQL_DOCUMENT_DELETE[] =
    "DELETE FROM responses.evidence_documents WHERE assessment_id = $1 AND seq = $2::bigint";
/* Whether another State's document still holds the content is not the caller's to see (row
 * security, 004_row_security.sql): evidence_held answers just that. */
static const char SQL_BLOB_RELEASE[] =
    "DELETE FROM responses.evidence_blobs b WHERE b.sha256 = $1"
    " AND NOT responses.evidence_held($1)";

static int lock_name(struct db *db, const char *kind, const char *name, struct err *e)
{
    char key[128];
    snprintf(key, sizeof key, "evidence-%s:%s", kind, name);
    const char *params[] = {key};
    PGresult *r = db_query(db, e, SQL_LOCK, 1, params);
    if (r == NULL)
        return -1;
    PQclear(r);
    return 0;
}

/* Locks the State's evidence (its quota) until the end of the transaction. */
static int lock_state(struct db *db, const char *state, struct err *e)
{
    return lock_name(db, "state", state, e);
}

/* The assessment documents are attached to, locked against concurrent writes (a submit). */
static int target_lock(struct db *db, const char *id, struct evidence_target *t, bool *found,
                       struct err *e)
{
    const char *params[] = {id};
    PGresult *r = db_query(db, e, SQL_TARGET, 1, params);
    if (r == NULL)
        return -1;
    *found = PQntuples(r) == 1;
    if (*found) {
        snprintf(t->questionnaire_id, sizeof t->questionnaire_id, "%s",
                 db_get(r, 0, "questionnaire_id"));
        t->questionnaire_version = db_get_int(r, 0, "questionnaire_version");
        t->status = status_parse(db_get(r, 0, "status"));
        t->revision = db_get_int(r, 0, "revision");
    }
    PQclear(r);
    return 0;
}

int store_evidence_usage(struct db *db, const char *state, const char *sha256,
                         struct evidence_usage *u, struct err *e)
{
    const char *params[] = {state, sha256 ? sha256 : ""};
    PGresult *r = db_query(db, e, SQL_USAGE, 2, params);
    if (r == NULL)
        return -1;
    u->used = db_get_int64(r, 0, "used");
    u->pending = db_get_int64(r, 0, "pending");
    u->held = db_get_bool(r, 0, "held");
    PQclear(r);
    return 0;
}

/* Drops the State's expired uploads, then records u (its msg's id, assessment, question, file
 * name and size); *expires_at in the arena. */
static int upload_insert(struct db *db, struct arena *a, const struct evidence_upload *u,
                         const char *created_by, char **expires_at, struct err *e)
{
    const Unic__Responses__V1__EvidenceUpload *m = u->msg;
    char size[24];
    snprintf(size, sizeof size, "%lld", (long long)m->size);
    const char *purge[] = {u->state_code};
    const char *params[] = {m->upload_id, m->assessment_id, u->state_code, m->question_id,
                            m->filename, size, u->sha256, created_by};
    if (db_command(db, e, SQL_PURGE, 1, purge, NULL) < 0)
        return -1;
    PGresult *r = db_query(db, e, SQL_UPLOAD_INSERT, 8, params);
    if (r == NULL)
        return -1;
    *expires_at = arena_strdup(a, db_get(r, 0, "expires_at"));
    PQclear(r);
    return 0;
}

/* 0 with *found false when there is no such upload or it has expired; `lock`: FOR UPDATE. */
static int upload_read(struct db *db, struct arena *a, const char *id, bool lock,
                       struct evidence_upload *u, bool *found, struct err *e)
{
    const char *params[] = {id};
    PGresult *r = db_query(db, e, lock ? SQL_UPLOAD_LOCK : SQL_UPLOAD_GET, 1, params);
    if (r == NULL)
        return -1;
    /* An expired upload is gone, whether or not the purge has reached it yet. */
    *found = PQntuples(r) == 1 && !db_get_bool(r, 0, "expired");
    if (*found) {
        Unic__Responses__V1__EvidenceUpload *m =
            ARENA_MSG(a, Unic__Responses__V1__EvidenceUpload,
                      UNIC__RESPONSES__V1__EVIDENCE_UPLOAD__INIT);
        m->upload_id = arena_strdup(a, db_get(r, 0, "id"));
        m->assessment_id = arena_strdup(a, db_get(r, 0, "assessment_id"));
        m->question_id = arena_strdup(a, db_get(r, 0, "question_id"));
        m->filename = arena_strdup(a, db_get(r, 0, "filename"));
        m->size = db_get_int64(r, 0, "size");
        m->received = db_get_int64(r, 0, "received");
        m->max_chunk_bytes = EVIDENCE_CHUNK_MAX_BYTES;
        m->expires_at = arena_strdup(a, db_get(r, 0, "expires_at"));
        const char *seq = db_get(r, 0, "document_seq");
        m->document_id = seq[0] ? arena_printf(a, "%s/%s", m->assessment_id, seq) : (char *)"";
        u->msg = m;
        snprintf(u->state_code, sizeof u->state_code, "%s", db_get(r, 0, "state_code"));
        snprintf(u->sha256, sizeof u->sha256, "%s", db_get(r, 0, "sha256"));
        u->committed = db_get_bool(r, 0, "committed");
    }
    PQclear(r);
    return 0;
}

/* Whether the chunk held at `offset` is exactly these bytes (a retried put). */
static int chunk_same(struct db *db, const char *upload_id, long long offset,
                      const uint8_t *data, size_t len, bool *same, struct err *e)
{
    char off[24];
    snprintf(off, sizeof off, "%lld", offset);
    const char *params[] = {upload_id, off, (const char *)data};
    const int lengths[] = {-1, -1, (int)len};
    PGresult *r = db_query_bytes(db, e, SQL_CHUNK_SAME, 3, params, lengths, false);
    if (r == NULL)
        return -1;
    *same = PQntuples(r) == 1 && db_get_bool(r, 0, "same");
    PQclear(r);
    return 0;
}

/* Appends a chunk at `offset` and moves the upload's received count past it. */
static int chunk_put(struct db *db, const char *upload_id, long long offset,
                     const uint8_t *data, size_t len, struct err *e)
{
    char off[24], n[24];
    snprintf(off, sizeof off, "%lld", offset);
    snprintf(n, sizeof n, "%zu", len);
    const char *params[] = {upload_id, off, (const char *)data, n};
    const int lengths[] = {-1, -1, (int)len, -1};
    return db_command_bytes(db, e, SQL_CHUNK_PUT, 4, params, lengths, NULL);
}

/* The upload's chunks joined in order (arena). */
static int chunks_joined(struct db *db, struct arena *a, const char *upload_id, uint8_t **bytes,
                         size_t *len, struct err *e)
{
    const char *params[] = {upload_id};
    const int lengths[] = {-1};
    PGresult *r = db_query_bytes(db, e, SQL_CHUNKS, 1, params, lengths, true);
    if (r == NULL)
        return -1;
    const uint8_t *got = db_get_bytes(r, 0, "content", len);
    *bytes = arena_alloc(a, *len + 1);
    memcpy(*bytes, got, *len);
    PQclear(r);
    return 0;
}

/* Stores the upload's content under `sha256` unless held already, attaches it as a document at
 * assessment revision `revision`, marks the upload committed and drops its chunks; *seq is the
 * document's number. */
static int attach(struct db *db, const struct evidence_upload *u,
                  const char *content_type, const char *sha256, int revision,
                  const char *created_by, long long *seq, struct err *e)
{
    const Unic__Responses__V1__EvidenceUpload *m = u->msg;
    char size[24], rev[16];
    snprintf(size, sizeof size, "%lld", (long long)m->size);
    snprintf(rev, sizeof rev, "%d", revision);
    const char *blob[] = {m->upload_id, sha256, size};
    const char *doc[] = {m->assessment_id, u->state_code, m->question_id, m->filename, content_type,
                         sha256, rev, created_by, m->upload_id};
    if (lock_name(db, "blob", sha256, e) < 0 || db_command(db, e, SQL_BLOB_PUT, 3, blob, NULL) < 0)
        return -1;
    PGresult *r = db_query(db, e, SQL_DOCUMENT_INSERT, 9, doc);
    if (r == NULL)
        return -1;
    *seq = db_get_int64(r, 0, "seq");
    PQclear(r);
    return 0;
}

static Unic__Responses__V1__EvidenceDocument *document_row(struct arena *a, const PGresult *r, int i)
{
    Unic__Responses__V1__EvidenceDocument *d =
        ARENA_MSG(a, Unic__Responses__V1__EvidenceDocument,
                  UNIC__RESPONSES__V1__EVIDENCE_DOCUMENT__INIT);
    d->assessment_id = arena_strdup(a, db_get(r, i, "assessment_id"));
    d->id = arena_printf(a, "%s/%s", d->assessment_id, db_get(r, i, "seq"));
    d->question_id = arena_strdup(a, db_get(r, i, "question_id"));
    d->filename = arena_strdup(a, db_get(r, i, "filename"));
    d->content_type = arena_strdup(a, db_get(r, i, "content_type"));
    d->size = db_get_int64(r, i, "size");
    d->sha256 = arena_strdup(a, db_get(r, i, "sha256"));
    d->created_at = arena_strdup(a, db_get(r, i, "created_at"));
    d->created_by = arena_strdup(a, db_get(r, i, "created_by"));
    return d;
}

int store_evidence_documents(struct db *db, struct arena *a, const char *assessment_id,
                             const char *question_id, int max_revision,
                             Unic__Responses__V1__EvidenceDocument ***out, size_t *n, struct err *e)
{
    char rev[16];
    snprintf(rev, sizeof rev, "%d", max_revision);
    const char *params[] = {assessment_id, question_id, rev};
    PGresult *r = db_query(db, e, SQL_DOCUMENTS, 3, params);
    if (r == NULL)
        return -1;
    int rows = PQntuples(r);
    *out = ARENA_ARRAY(a, Unic__Responses__V1__EvidenceDocument *, rows ? rows : 1);
    for (int i = 0; i < rows; i++)
        (*out)[i] = document_row(a, r, i);
    *n = (size_t)rows;
    PQclear(r);
    return 0;
}

int store_evidence_document(struct db *db, struct arena *a, const char *assessment_id,
                            long long seq, int max_revision,
                            Unic__Responses__V1__EvidenceDocument **out, struct err *e)
{
    char s[24], rev[16];
    snprintf(s, sizeof s, "%lld", seq);
    snprintf(rev, sizeof rev, "%d", max_revision);
    const char *params[] = {assessment_id, s, rev};
    PGresult *r = db_query(db, e, SQL_DOCUMENT, 3, params);
    if (r == NULL)
        return -1;
    int rc = 0;
    if (PQntuples(r) == 1)
        *out = document_row(a, r, 0);
    else
        rc = err_set(e, ERR_NOT_FOUND, "evidence document \"%s/%lld\" does not exist", assessment_id, seq);
    PQclear(r);
    return rc;
}

int store_evidence_content(struct db *db, struct arena *a, const char *sha256, long long offset,
                           long long length, uint8_t **bytes, size_t *len, struct err *e)
{
    char off[24], n[24];
    snprintf(off, sizeof off, "%lld", offset);
    snprintf(n, sizeof n, "%lld", length);
    const char *params[] = {sha256, off, n};
    int rc = -1;
    const int lengths[] = {-1, -1, -1};
    PGresult *r = db_query_bytes(db, e, SQL_CONTENT, 3, params, lengths, true);
    if (r == NULL)
        return -1;
    if (PQntuples(r) != 1) {
        err_set(e, ERR_DATA_LOSS, "the content %s of a document is missing", sha256);
        goto done;
    }
    const uint8_t *got = db_get_bytes(r, 0, "part", len);
    *bytes = arena_alloc(a, *len + 1);
    memcpy(*bytes, got, *len);
    rc = 0;
done:
    PQclear(r);
    return rc;
}

/* Deletes document `seq`, and its content when no other document holds it. */
static int detach(struct db *db, const char *assessment_id, long long seq,
                  const char *sha256, struct err *e)
{
    char s[24];
    snprintf(s, sizeof s, "%lld", seq);
    const char *params[] = {assessment_id, s};
    const char *blob[] = {sha256};
    if (db_command(db, e, SQL_DOCUMENT_DELETE, 2, params, NULL) < 0 ||
        lock_name(db, "blob", sha256, e) < 0)
        return -1;
    return db_command(db, e, SQL_BLOB_RELEASE, 1, blob, NULL);
}

int store_evidence_upload_get(struct db *db, struct arena *a, const char *id,
                              struct evidence_upload *u, bool *found, struct err *e)
{
    return upload_read(db, a, id, false, u, found, e);
}

/* ---- The writes: one function, one transaction each ---- */

/* Inside the transaction: the assessment, locked, which must still be a DRAFT. */
static int draft_target(struct db *db, const char *aid, const char *verb, struct evidence_target *t,
                        struct err *e)
{
    bool found;
    if (target_lock(db, aid, t, &found, e) < 0)
        return -1;
    if (!found)
        return err_set(e, ERR_NOT_FOUND, "assessment \"%s\" does not exist", aid);
    if (t->status != UNIC__RESPONSES__V1__ASSESSMENT_STATUS__DRAFT)
        return err_set(e, ERR_FAILED_PRECONDITION, "could not %s \"%s\": it is SUBMITTED; reopen it first",
                       verb, aid);
    return 0;
}

/* Ends the transaction of a write: committed when rc is 0, rolled back otherwise (and after a
 * failed COMMIT), so that a call reported failed has changed nothing. */
static int tx_end(struct db *db, int rc, struct err *e)
{
    if (rc == 0 && db_commit(db, e) == 0)
        return 0;
    db_rollback(db);
    return -1;
}

/* Begins the transaction of a write to upload `id` and reads it locked into *u. On failure no
 * transaction is left open. */
static int upload_begin(struct db *db, struct arena *a, const char *id, struct evidence_upload *u,
                        struct err *e)
{
    bool found;
    if (db_begin(db, e) < 0)
        return -1;
    if (upload_read(db, a, id, true, u, &found, e) < 0)
        return tx_end(db, -1, e);
    if (!found) {
        err_set(e, ERR_NOT_FOUND, "upload \"%s\" does not exist or has expired; begin again", id);
        return tx_end(db, -1, e);
    }
    return 0;
}

int store_evidence_upload_open(struct call *c, const struct evidence_upload *u, long long quota,
                               evidence_question_check *question_known, struct err *e)
{
    struct db *db = c->db;
    Unic__Responses__V1__EvidenceUpload *m = u->msg;
    struct evidence_target t;
    struct evidence_usage use;
    if (db_begin(db, e) < 0)
        return -1;
    int rc = draft_target(db, m->assessment_id, "attach evidence to", &t, e) < 0 ||
                     question_known(c, u->state_code, &t, m->question_id, e) < 0 ||
                     lock_state(db, u->state_code, e) < 0 ||
                     store_evidence_usage(db, u->state_code, NULL, &use, e) < 0 ||
                     evidence_quota_begin(u->state_code, m->size, use.used, use.pending, quota, e) < 0 ||
                     upload_insert(db, &c->arena, u, c->principal.label, &m->expires_at, e) < 0
                 ? -1
                 : 0;
    return tx_end(db, rc, e);
}

int store_evidence_chunk_write(struct call *c, const char *upload_id, long long offset,
                               const uint8_t *data, size_t len,
                               Unic__Responses__V1__EvidenceUpload **out, struct err *e)
{
    struct db *db = c->db;
    struct evidence_upload u;
    if (upload_begin(db, &c->arena, upload_id, &u, e) < 0)
        return -1;
    Unic__Responses__V1__EvidenceUpload *m = u.msg;
    if (u.committed) {
        err_set(e, ERR_FAILED_PRECONDITION, "could not upload to \"%s\": it is committed as \"%s\"",
                upload_id, m->document_id);
        return tx_end(db, -1, e);
    }
    if (offset != m->received) {
        /* A retried chunk whose first attempt was applied: the same bytes at the same place. */
        bool same = false;
        if (offset < m->received && chunk_same(db, upload_id, offset, data, len, &same, e) < 0)
            return tx_end(db, -1, e);
        db_rollback(db); /* nothing to write either way */
        if (!same)
            return err_set(e, ERR_FAILED_PRECONDITION,
                           "could not put a chunk at offset %lld of \"%s\": %lld bytes are held, so "
                           "the next chunk starts at offset %lld",
                           offset, upload_id, (long long)m->received, (long long)m->received);
        *out = m;
        return 0;
    }
    if (offset + (long long)len > m->size) {
        err_field(e, "data", "the chunk ends at byte %lld, past the %lld declared",
                  offset + (long long)len, (long long)m->size);
        return tx_end(db, -1, e);
    }
    if (tx_end(db, chunk_put(db, upload_id, offset, data, len, e), e) < 0)
        return -1;
    m->received += (int64_t)len;
    *out = m;
    return 0;
}

/* The rest of a commit, once the upload is locked and known complete and uncommitted. */
static int attach_upload(struct call *c, const struct evidence_upload *u, long long quota,
                         Unic__Responses__V1__EvidenceDocument **out, struct err *e)
{
    struct db *db = c->db;
    struct arena *a = &c->arena;
    const Unic__Responses__V1__EvidenceUpload *m = u->msg;
    struct evidence_target t;
    struct evidence_usage use;
    uint8_t *bytes;
    size_t len;
    const char *type;
    char sha[65];
    long long seq;
    if (draft_target(db, m->assessment_id, "attach evidence to", &t, e) < 0 ||
        chunks_joined(db, a, m->upload_id, &bytes, &len, e) < 0)
        return -1;
    if ((long long)len != m->size)
        return err_set(e, ERR_DATA_LOSS, "upload \"%s\" holds %zu bytes, not the %lld counted",
                       m->upload_id, len, (long long)m->size);
    sha256_hex(bytes, len, sha);
    if (u->sha256[0] && strcmp(u->sha256, sha) != 0)
        return err_field(e, "sha256", "the bytes received hash to %s, not the %s declared; begin again",
                         sha, u->sha256);
    if (evidence_detect(bytes, len, &type, e) < 0 || lock_state(db, u->state_code, e) < 0 ||
        store_evidence_usage(db, u->state_code, sha, &use, e) < 0 ||
        evidence_quota_attach(u->state_code, (long long)len, use.used, use.held, quota, e) < 0 ||
        attach(db, u, type, sha, t.revision, c->principal.label, &seq, e) < 0)
        return -1;
    char *id = arena_printf(a, "%s/%lld", m->assessment_id, seq);
    if (audit_append(c, arena_printf(a, "evidence/%s", id), u->state_code, NULL, "evidence-attached",
                     AUDIT_ARGS(m->filename, type, arena_printf(a, "%zu", len), arena_printf(a, "%.16s", sha),
                                m->question_id, m->assessment_id), e) < 0)
        return -1;
    return store_evidence_document(db, a, m->assessment_id, seq, t.revision, out, e);
}

int store_evidence_commit(struct call *c, const char *upload_id, long long quota,
                          Unic__Responses__V1__EvidenceDocument **out, struct err *e)
{
    struct db *db = c->db;
    struct evidence_upload u;
    if (upload_begin(db, &c->arena, upload_id, &u, e) < 0)
        return -1;
    Unic__Responses__V1__EvidenceUpload *m = u.msg;
    if (u.committed) {
        /* A repeated commit: the document it made, if it is still attached. */
        long long done_seq;
        char aid[ASSESSMENT_ID_MAX + 1];
        int rc = evidence_document_id_parse(m->document_id, aid, sizeof aid, &done_seq)
                     ? store_evidence_document(db, &c->arena, aid, done_seq, 0x7fffffff, out, e)
                     : err_set(e, ERR_NOT_FOUND, "the document upload \"%s\" made has been deleted",
                               upload_id);
        db_rollback(db); /* read only */
        return rc;
    }
    if (m->received != m->size) {
        err_set(e, ERR_FAILED_PRECONDITION,
                "could not commit \"%s\": it holds %lld of %lld bytes; put the rest from offset %lld",
                upload_id, (long long)m->received, (long long)m->size, (long long)m->received);
        return tx_end(db, -1, e);
    }
    return tx_end(db, attach_upload(c, &u, quota, out, e), e);
}

int store_evidence_delete(struct call *c, const char *document_id, const char *state,
                          Unic__Responses__V1__EvidenceDocument **out, struct err *e)
{
    struct db *db = c->db;
    char aid[ASSESSMENT_ID_MAX + 1];
    long long seq;
    struct evidence_target t;
    if (!evidence_document_id_parse(document_id, aid, sizeof aid, &seq))
        return err_field(e, "document_id", "not a document id such as KEN-2025-cip-self-assessment/7");
    if (db_begin(db, e) < 0)
        return -1;
    int rc = draft_target(db, aid, "delete evidence of", &t, e) < 0 ||
                     store_evidence_document(db, &c->arena, aid, seq, t.revision, out, e) < 0 ||
                     detach(db, aid, seq, (*out)->sha256, e) < 0 ||
                     audit_append(c, arena_printf(&c->arena, "evidence/%s", document_id), state, NULL, "evidence-deleted",
                                  AUDIT_ARGS((*out)->filename, (*out)->question_id, aid), e) < 0
                 ? -1
                 : 0;
    return tx_end(db, rc, e);
}
