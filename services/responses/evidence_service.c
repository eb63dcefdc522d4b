/* evidence_service.c: the handlers of evidence documents (docs/evidence.md), bound by the method
 * table in service.c. Writes are the State's own, on a DRAFT assessment; reads follow the
 * assessment's visibility through read_head, so a PRIVATE assessment's documents reach no one
 * who may not read the assessment. Attaching and deleting are written to the audit log. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

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

/* The question check of a new upload, asked by the store under the assessment's lock. */
static int question_known(struct call *c, const char *state, const struct evidence_target *t,
                          const char *question_id, struct err *e)
{
    const struct qdef *d;
    if (definition_for(c, state, t->questionnaire_id, t->questionnaire_version, &d, e) < 0)
        return -1;
    if (qdef_find(d, question_id) < 0)
        return err_field(e, "question_id", "\"%s\" is not a question of %s v%d", question_id,
                         t->questionnaire_id, t->questionnaire_version);
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

    if (store_evidence_upload_open(c, &u, quota_of(c), question_known, e) < 0)
        return -1;
    *out = m;
    return 0;
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
    return store_evidence_chunk_write(c, r->upload_id, r->offset, r->data.data, len, out, e);
}

int get_evidence_upload(struct call *c, const Unic__Responses__V1__GetEvidenceUploadRequest *r,
                        Upload **out, struct err *e)
{
    char state[4];
    struct evidence_upload u;
    bool found;
    if (upload_state(c, r->upload_id, "read", state, e) < 0 ||
        store_evidence_upload_get(c->db, &c->arena, r->upload_id, &u, &found, e) < 0)
        return -1;
    if (!found)
        return err_set(e, ERR_NOT_FOUND, "upload \"%s\" does not exist or has expired; begin again",
                       r->upload_id);
    *out = u.msg;
    return 0;
}

int commit_evidence_upload(struct call *c, const Unic__Responses__V1__CommitEvidenceUploadRequest *r,
                           Document **out, struct err *e)
{
    char state[4];
    if (upload_state(c, r->upload_id, "commit", state, e) < 0)
        return -1;
    return store_evidence_commit(c, r->upload_id, quota_of(c), out, e);
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
    if (read_head(c, aid, &h, &shown, e) < 0 || store_evidence_document(c->db, &c->arena, aid, seq, shown, &d, e) < 0)
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
    if (!evidence_document_id_parse(r->document_id, aid, sizeof aid, &seq))
        return err_field(e, "document_id",
                         "not a document id such as KEN-2025-cip-self-assessment/7");
    if (own_state(c, aid, "delete", r->document_id, state, e) < 0)
        return -1;
    return store_evidence_delete(c, r->document_id, state, out, e);
}
