/* evidence_service.c: the handlers of evidence documents (docs/evidence.md), bound by the method
 * table in service.c. Writes are the State's own, on a DRAFT assessment; reads follow the
 * assessment's visibility through read_head, so a PRIVATE assessment's documents reach no one
 * who may not read the assessment. Attaching and deleting are written to the audit log. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "audit.h"
#include "digest.h"
#include "evidence.h"
#include "responses.h"
#include "text.h"

typedef Unic__Responses__V1__EvidenceUpload Upload;
typedef Unic__Responses__V1__EvidenceDocument Document;

#define STATUS_DRAFT UNIC__RESPONSES__V1__ASSESSMENT_STATUS__DRAFT

/* Answers the same whether or not the target exists (docs/security.md). */
static int deny(const char *verb, const char *target, struct err *e)
{
    return err_set(e, ERR_PERMISSION_DENIED, "could not %s \"%s\": not permitted for this key", verb,
                   target);
}

/* The State an assessment id belongs to, and whether the caller is that State. */
static int own_state(const struct call *c, const char *aid, const char *verb, const char *target,
                     char state[4], struct err *e)
{
    int cycle;
    char qid[72];
    if (!assessment_id_parse(aid, state, &cycle, qid, sizeof qid))
        return err_field(e, "assessment_id",
                         "not an assessment id such as KEN-2025-cip-self-assessment");
    if (!access_may_write(&c->principal, state))
        return deny(verb, target, e);
    return 0;
}

static int upload_state(const struct call *c, const char *id, const char *verb, char state[4],
                        struct err *e)
{
    char aid[ASSESSMENT_ID_MAX + 1];
    if (!evidence_upload_id_parse(id, aid, sizeof aid))
        return err_field(e, "upload_id",
                         "not an upload id as BeginEvidenceUpload returns it");
    return own_state(c, aid, verb, id, state, e);
}

/* Inside the transaction: the assessment, locked, which must still be a DRAFT. */
static int draft_target(struct call *c, const char *aid, const char *verb,
                        struct evidence_target *t, struct err *e)
{
    bool found;
    if (store_evidence_target(c->db, aid, t, &found, e) < 0)
        return -1;
    if (!found)
        return err_set(e, ERR_NOT_FOUND, "assessment \"%s\" does not exist", aid);
    if (t->status != STATUS_DRAFT)
        return err_set(e, ERR_FAILED_PRECONDITION, "could not %s \"%s\": it is SUBMITTED; reopen it first",
                       verb, aid);
    return 0;
}

static int upload_locked(struct call *c, const char *id, struct evidence_upload *u, struct err *e)
{
    bool found;
    if (store_evidence_upload_get(c->db, &c->arena, id, true, u, &found, e) < 0)
        return -1;
    if (!found)
        return err_set(e, ERR_NOT_FOUND, "upload \"%s\" does not exist or has expired; begin again",
                       id);
    return 0;
}

static long long quota_of(const struct call *c)
{
    return ((const struct responses_app *)c->app)->evidence_quota_bytes;
}

int begin_evidence_upload(struct call *c, const Unic__Responses__V1__BeginEvidenceUploadRequest *r,
                          Upload **out, struct err *e)
{
    char state[4], sha[65] = "";
    struct evidence_target t;
    struct evidence_usage use;
    const struct qdef *d;
    if (own_state(c, r->assessment_id, "attach evidence to", r->assessment_id, state, e) < 0)
        return -1;
    if (!text_valid(r->question_id, false, NULL) || r->question_id[0] == '\0' ||
        strlen(r->question_id) > 64)
        return err_field(e, "question_id", "required, a question id such as q1");
    if (!evidence_filename_valid(r->filename))
        return err_field(e, "filename",
                         "1 to %d characters of UTF-8, without control characters, slash "
                         "or backslash", EVIDENCE_FILENAME_MAX_CHARS);
    if (r->size < 1 || r->size > EVIDENCE_MAX_BYTES)
        return err_field(e, "size", "%lld bytes; a document holds 1 to %d",
                         (long long)r->size, EVIDENCE_MAX_BYTES);
    size_t n = strlen(r->sha256);
    if (n != 0 && (n != 64 || strspn(r->sha256, "0123456789abcdefABCDEF") != 64))
        return err_field(e, "sha256", "not 64 hex digits");
    for (size_t i = 0; i < n; i++)
        sha[i] = (char)(r->sha256[i] >= 'A' && r->sha256[i] <= 'F' ? r->sha256[i] + 32 : r->sha256[i]);
    sha[n] = '\0';

    uint8_t secret[EVIDENCE_UPLOAD_SECRET_HEX / 2];
    size_t got = 0;
    while (got < sizeof secret) {
        ssize_t k = getrandom(secret + got, sizeof secret - got, 0);
        if (k > 0)
            got += (size_t)k;
    }
    char hex[EVIDENCE_UPLOAD_SECRET_HEX + 1];
    hex_encode(hex, secret, sizeof secret);

    Upload *m = ARENA_MSG(&c->arena, Upload, UNIC__RESPONSES__V1__EVIDENCE_UPLOAD__INIT);
    m->upload_id = arena_printf(&c->arena, "%s/u-%s", r->assessment_id, hex);
    m->assessment_id = r->assessment_id;
    m->question_id = r->question_id;
    m->filename = r->filename;
    m->size = r->size;
    m->max_chunk_bytes = EVIDENCE_CHUNK_MAX_BYTES;
    struct evidence_upload u = {.msg = m};
    memcpy(u.state_code, state, sizeof u.state_code);
    memcpy(u.sha256, sha, sizeof u.sha256);

    if (db_begin(c->db, e) < 0)
        return -1;
    if (draft_target(c, r->assessment_id, "attach evidence to", &t, e) < 0 ||
        definition_for(c, state, t.questionnaire_id, t.questionnaire_version, &d, e) < 0)
        goto fail;
    if (qdef_find(d, r->question_id) < 0) {
        err_field(e, "question_id", "\"%s\" is not a question of %s v%d",
                  r->question_id, t.questionnaire_id, t.questionnaire_version);
        goto fail;
    }
    if (store_evidence_lock_state(c->db, state, e) < 0 ||
        store_evidence_usage(c->db, state, NULL, &use, e) < 0)
        goto fail;
    /* Refused before a byte is sent when it cannot fit, counting the uploads under way. */
    if (use.used + use.pending + r->size > quota_of(c)) {
        err_set(e, ERR_RESOURCE_EXHAUSTED,
                "could not begin an upload of %lld bytes: %s's evidence quota "
                "(UNIC_EVIDENCE_QUOTA_BYTES) is %lld bytes, %lld used and %lld in open uploads",
                (long long)r->size, state, quota_of(c), use.used, use.pending);
        goto fail;
    }
    if (store_evidence_upload_begin(c->db, &c->arena, &u, c->principal.label, &m->expires_at, e) < 0 ||
        db_commit(c->db, e) < 0)
        goto fail;
    *out = m;
    return 0;
fail:
    db_rollback(c->db);
    return -1;
}

/* The first chunk already shows a document that cannot be accepted, so no more is sent: it
 * must begin as one of the accepted types does, or as text (whose last character may be cut). */
static int check_start(const uint8_t *data, size_t len, struct err *e)
{
    const char *type;
    struct err ignored;
    if (evidence_detect(data, len, &type, &ignored) == 0 || (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0))
        return 0;
    for (size_t cut = 1; cut <= 3 && cut < len; cut++)
        if (evidence_detect(data, len - cut, &type, &ignored) == 0 && strncmp(type, "text/", 5) == 0)
            return 0;
    return evidence_detect(data, len, &type, e);
}

int put_evidence_chunk(struct call *c, const Unic__Responses__V1__PutEvidenceChunkRequest *r,
                       Upload **out, struct err *e)
{
    char state[4];
    struct evidence_upload u;
    size_t len = r->data.len;
    if (upload_state(c, r->upload_id, "upload to", state, e) < 0)
        return -1;
    if (len == 0 || len > EVIDENCE_CHUNK_MAX_BYTES)
        return err_field(e, "data", "%zu bytes; a chunk holds 1 to %d", len,
                         EVIDENCE_CHUNK_MAX_BYTES);
    if (r->offset < 0)
        return err_field(e, "offset", "must not be negative");
    if (r->offset == 0 && check_start(r->data.data, len, e) < 0)
        return -1;
    if (db_begin(c->db, e) < 0)
        return -1;
    if (upload_locked(c, r->upload_id, &u, e) < 0)
        goto fail;
    Upload *m = u.msg;
    if (u.committed) {
        err_set(e, ERR_FAILED_PRECONDITION, "could not upload to \"%s\": it is committed as \"%s\"",
                r->upload_id, m->document_id);
        goto fail;
    }
    if (r->offset != m->received) {
        /* A retried chunk whose first attempt was applied: the same bytes at the same place. */
        bool same = false;
        if (r->offset < m->received &&
            store_evidence_chunk_same(c->db, r->upload_id, r->offset, r->data.data,
                                      len, &same, e) < 0)
            goto fail;
        if (!same) {
            err_set(e, ERR_FAILED_PRECONDITION,
                    "could not put a chunk at offset %lld of \"%s\": %lld bytes are held, so the "
                    "next chunk starts at offset %lld",
                    (long long)r->offset, r->upload_id, (long long)m->received,
                    (long long)m->received);
            goto fail;
        }
        db_rollback(c->db);
        *out = m;
        return 0;
    }
    if (r->offset + (long long)len > m->size) {
        err_field(e, "data", "the chunk ends at byte %lld, past the %lld declared",
                  (long long)r->offset + (long long)len, (long long)m->size);
        goto fail;
    }
    if (store_evidence_chunk_put(c->db, r->upload_id, r->offset, r->data.data, len, e) < 0 ||
        db_commit(c->db, e) < 0)
        goto fail;
    m->received += (int64_t)len;
    *out = m;
    return 0;
fail:
    db_rollback(c->db);
    return -1;
}

int get_evidence_upload(struct call *c, const Unic__Responses__V1__GetEvidenceUploadRequest *r,
                        Upload **out, struct err *e)
{
    char state[4];
    struct evidence_upload u;
    bool found;
    if (upload_state(c, r->upload_id, "read", state, e) < 0 ||
        store_evidence_upload_get(c->db, &c->arena, r->upload_id, false, &u, &found, e) < 0)
        return -1;
    if (!found)
        return err_set(e, ERR_NOT_FOUND, "upload \"%s\" does not exist or has expired; begin again",
                       r->upload_id);
    *out = u.msg;
    return 0;
}

static int document_of(struct call *c, const char *document_id, long long seq, int max_revision,
                       Document **out, struct err *e)
{
    char aid[ASSESSMENT_ID_MAX + 1];
    long long ignored;
    evidence_document_id_parse(document_id, aid, sizeof aid, &ignored);
    if (store_evidence_document(c->db, &c->arena, aid, seq, max_revision, out, e) < 0)
        return -1;
    if (*out == NULL)
        return err_set(e, ERR_NOT_FOUND, "evidence document \"%s\" does not exist", document_id);
    return 0;
}

int commit_evidence_upload(struct call *c, const Unic__Responses__V1__CommitEvidenceUploadRequest *r,
                           Document **out, struct err *e)
{
    char state[4], sha[65];
    struct evidence_upload u;
    struct evidence_target t;
    struct evidence_usage use;
    uint8_t *bytes;
    size_t len;
    const char *type;
    long long seq;
    if (upload_state(c, r->upload_id, "commit", state, e) < 0)
        return -1;
    if (db_begin(c->db, e) < 0)
        return -1;
    if (upload_locked(c, r->upload_id, &u, e) < 0)
        goto fail;
    Upload *m = u.msg;
    if (u.committed) {
        /* A repeated commit: the document it made, if it is still attached. */
        long long done_seq;
        char aid[ASSESSMENT_ID_MAX + 1];
        if (!evidence_document_id_parse(m->document_id, aid, sizeof aid, &done_seq)) {
            err_set(e, ERR_NOT_FOUND, "the document upload \"%s\" made has been deleted", r->upload_id);
            goto fail;
        }
        if (document_of(c, m->document_id, done_seq, 0x7fffffff, out, e) < 0)
            goto fail;
        db_rollback(c->db);
        return 0;
    }
    if (m->received != m->size) {
        err_set(e, ERR_FAILED_PRECONDITION,
                "could not commit \"%s\": it holds %lld of %lld bytes; put the rest from offset %lld",
                r->upload_id, (long long)m->received, (long long)m->size, (long long)m->received);
        goto fail;
    }
    if (draft_target(c, m->assessment_id, "attach evidence to", &t, e) < 0 ||
        store_evidence_chunks(c->db, &c->arena, r->upload_id, &bytes, &len, e) < 0)
        goto fail;
    if ((long long)len != m->size) {
        err_set(e, ERR_DATA_LOSS, "upload \"%s\" holds %zu bytes, not the %lld counted", r->upload_id,
                len, (long long)m->size);
        goto fail;
    }
    sha256_hex(bytes, len, sha);
    if (u.sha256[0] && strcmp(u.sha256, sha) != 0) {
        err_field(e, "sha256",
                  "the bytes received hash to %s, not the %s declared; begin again", sha,
                  u.sha256);
        goto fail;
    }
    if (evidence_detect(bytes, len, &type, e) < 0 ||
        store_evidence_lock_state(c->db, state, e) < 0 ||
        store_evidence_usage(c->db, state, sha, &use, e) < 0)
        goto fail;
    /* The same content a second time costs the State nothing: it is stored once. */
    long long after = use.used + (use.held ? 0 : (long long)len);
    if (after > quota_of(c)) {
        err_set(e, ERR_RESOURCE_EXHAUSTED,
                "could not attach %lld bytes: %s's evidence quota (UNIC_EVIDENCE_QUOTA_BYTES) is "
                "%lld bytes and %lld are used", (long long)len, state, quota_of(c), use.used);
        goto fail;
    }
    if (store_evidence_attach(c->db, &u, type, sha, t.revision, c->principal.label, &seq,
                              e) < 0)
        goto fail;
    char *id = arena_printf(&c->arena, "%s/%lld", m->assessment_id, seq);
    if (audit_append(c, arena_printf(&c->arena, "evidence/%s", id), state, NULL, e,
                     "attached \"%s\" (%s, %zu bytes, sha256 %.16s) to question %s of %s",
                     m->filename, type, len, sha, m->question_id, m->assessment_id) < 0 ||
        document_of(c, id, seq, t.revision, out, e) < 0 || db_commit(c->db, e) < 0)
        goto fail;
    return 0;
fail:
    db_rollback(c->db);
    return -1;
}

int list_evidence_documents(struct call *c,
                            const Unic__Responses__V1__ListEvidenceDocumentsRequest *r,
                            Unic__Responses__V1__ListEvidenceDocumentsResponse **out,
                            struct err *e)
{
    struct head h;
    int shown;
    if (r->question_id[0] && (!text_valid(r->question_id, false, NULL) || strlen(r->question_id) > 64))
        return err_field(e, "question_id", "not a question id");
    if (read_head(c, r->assessment_id, &h, &shown, e) < 0)
        return -1;
    Unic__Responses__V1__ListEvidenceDocumentsResponse *resp =
        ARENA_MSG(&c->arena, Unic__Responses__V1__ListEvidenceDocumentsResponse,
                  UNIC__RESPONSES__V1__LIST_EVIDENCE_DOCUMENTS_RESPONSE__INIT);
    /* `shown` is the head for whoever reads the assessment, or the revision read as a report. */
    if (store_evidence_documents(c->db, &c->arena, r->assessment_id, r->question_id, shown,
                                 &resp->documents, &resp->n_documents, e) < 0)
        return -1;
    if (access_may_write(&c->principal, h.state_code)) {
        struct evidence_usage use;
        if (store_evidence_usage(c->db, h.state_code, NULL, &use, e) < 0)
            return -1;
        resp->state_bytes_used = use.used;
        resp->state_bytes_quota = quota_of(c);
    }
    *out = resp;
    return 0;
}

int get_evidence_content(struct call *c, const Unic__Responses__V1__GetEvidenceContentRequest *r,
                         Unic__Responses__V1__EvidenceContent **out, struct err *e)
{
    char aid[ASSESSMENT_ID_MAX + 1];
    long long seq;
    struct head h;
    int shown;
    Document *d;
    if (!evidence_document_id_parse(r->document_id, aid, sizeof aid, &seq))
        return err_field(e, "document_id",
                         "not a document id such as KEN-2025-cip-self-assessment/7");
    if (r->offset < 0 || r->length < 0)
        return err_field(e, r->offset < 0 ? "offset" : "length", "must not be negative");
    if (read_head(c, aid, &h, &shown, e) < 0 || document_of(c, r->document_id, seq, shown, &d, e) < 0)
        return -1;
    if (r->offset >= d->size)
        return err_set(e, ERR_OUT_OF_RANGE, "offset: %lld is past the end of \"%s\" (%lld bytes)",
                       (long long)r->offset, r->document_id, (long long)d->size);
    long long length = r->length == 0 || r->length > d->size - r->offset ? d->size - r->offset
                                                                          : r->length;
    Unic__Responses__V1__EvidenceContent *resp =
        ARENA_MSG(&c->arena, Unic__Responses__V1__EvidenceContent,
                  UNIC__RESPONSES__V1__EVIDENCE_CONTENT__INIT);
    if (store_evidence_content(c->db, &c->arena, d->sha256, r->offset, length, &resp->bytes.data,
                               &resp->bytes.len, e) < 0)
        return -1;
    resp->content_type = d->content_type;
    resp->filename = d->filename;
    resp->offset = r->offset;
    resp->size = d->size;
    resp->sha256 = d->sha256;
    *out = resp;
    return 0;
}

int delete_evidence_document(struct call *c,
                             const Unic__Responses__V1__DeleteEvidenceDocumentRequest *r,
                             Document **out, struct err *e)
{
    char aid[ASSESSMENT_ID_MAX + 1], state[4];
    long long seq;
    struct evidence_target t;
    if (!evidence_document_id_parse(r->document_id, aid, sizeof aid, &seq))
        return err_field(e, "document_id",
                         "not a document id such as KEN-2025-cip-self-assessment/7");
    if (own_state(c, aid, "delete", r->document_id, state, e) < 0)
        return -1;
    if (db_begin(c->db, e) < 0)
        return -1;
    if (draft_target(c, aid, "delete evidence of", &t, e) < 0 ||
        document_of(c, r->document_id, seq, t.revision, out, e) < 0 ||
        store_evidence_detach(c->db, aid, seq, (*out)->sha256, e) < 0 ||
        audit_append(c, arena_printf(&c->arena, "evidence/%s", r->document_id), state, NULL, e,
                     "deleted \"%s\" from question %s of %s", (*out)->filename, (*out)->question_id,
                     aid) < 0 ||
        db_commit(c->db, e) < 0)
        goto fail;
    return 0;
fail:
    db_rollback(c->db);
    return -1;
}
