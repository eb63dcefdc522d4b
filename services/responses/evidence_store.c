/* evidence_store.c: all SQL of evidence documents (docs/evidence.md), as named constants, and the
 * functions that run it; the rest of the service's SQL is in store.c. Bytes travel as bytes
 * (binary parameters and results, common/db.h db_query_bytes), not hex. Callers hold the
 * transaction; the locks taken here last until its end. */
#include <stdio.h>
#include <string.h>

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

int store_evidence_lock_state(struct db *db, const char *state, struct err *e)
{
    return lock_name(db, "state", state, e);
}

int store_evidence_target(struct db *db, const char *id, struct evidence_target *t, bool *found,
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

int store_evidence_upload_begin(struct db *db, struct arena *a, const struct evidence_upload *u,
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

int store_evidence_upload_get(struct db *db, struct arena *a, const char *id, bool lock,
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

int store_evidence_chunk_same(struct db *db, const char *upload_id, long long offset,
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

int store_evidence_chunk_put(struct db *db, const char *upload_id, long long offset,
                             const uint8_t *data, size_t len, struct err *e)
{
    char off[24], n[24];
    snprintf(off, sizeof off, "%lld", offset);
    snprintf(n, sizeof n, "%zu", len);
    const char *params[] = {upload_id, off, (const char *)data, n};
    const int lengths[] = {-1, -1, (int)len, -1};
    return db_command_bytes(db, e, SQL_CHUNK_PUT, 4, params, lengths, NULL);
}

int store_evidence_chunks(struct db *db, struct arena *a, const char *upload_id, uint8_t **bytes,
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

int store_evidence_attach(struct db *db, const struct evidence_upload *u,
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
    *out = PQntuples(r) == 1 ? document_row(a, r, 0) : NULL;
    PQclear(r);
    return 0;
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

int store_evidence_detach(struct db *db, const char *assessment_id, long long seq,
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
