/* responses.h: what the response service's files share: its state, its RPC table, the catalog
 * definitions it caches, and its store functions (all SQL lives in store.c).
 * Ownership: struct responses_app is main's; the definitions it caches live until
 * responses_app_destroy. Store results are allocated in the caller's arena. */
#ifndef UNIC_RESPONSES_H
#define UNIC_RESPONSES_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "idem.h"
#include "assessment.h"
#include "catalog_ref.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "mem.h"
#include "rpc.h"

extern const struct rpc_service responses_rpc;
extern const struct migration responses_migrations[];
extern const size_t responses_migrations_count;

/* ---- Definitions from the catalog (defs.c) ---- */

/* Published questionnaire versions never change, so their definitions are kept for the life of
 * the process; the UN Member States come from the shared reference data (common/catalog_ref.h).
 * Shared by all worker threads. */
struct defs {
    pthread_mutex_t lock;
    struct rpc_client *catalog;
    struct qdef **items;
    size_t n, cap;
    struct catalog_refs refs;
};

struct responses_app {
    struct defs defs;
    atomic_llong purge_at_ms; /* monotonic time after which idempotency keys are purged again */
    long long evidence_quota_bytes; /* UNIC_EVIDENCE_QUOTA_BYTES: one State's evidence documents */
};

/* -1 with *e naming the variable when a setting of the service's own is malformed. */
int responses_app_init(struct responses_app *app, const struct config *cfg, struct err *e);
void responses_app_destroy(struct responses_app *app);

/* The published definition of questionnaire `qid` `version` (0: the latest published), asked of
 * the catalog on the caller's behalf and cached. *out stays valid until defs are destroyed. */
int defs_questionnaire(struct defs *d, const struct call *c, const char *qid, int version,
                       const struct qdef **out, struct err *e);
/* Questionnaire `qid` `version` with its texts in `locale` (as the catalog serves it), asked of
 * the catalog on the caller's behalf, in arena `a`; not cached (exports are rare). */
int defs_questionnaire_texts(struct defs *d, const struct call *c, struct arena *a,
                             const char *qid, int version, const char *locale,
                             const Unic__Catalog__V1__Questionnaire **out, struct err *e);
/* Whether `code` is a UN Member State, per the catalog. */
int defs_is_member(struct defs *d, const struct call *c, const char *code, bool *member,
                   struct err *e);
/* The same, and whether it is a least developed country (false when not a member). */
int defs_state(struct defs *d, const struct call *c, const char *code, bool *member, bool *ldc,
               struct err *e);

/* ---- Handlers shared by service.c and evidence_service.c ---- */

struct head;
/* Whether the caller may read assessment `id`; fills its head and, in *shown, the revision it
 * reads as the assessment (service.c says which). */
int read_head(struct call *c, const char *id, struct head *h, int *shown, struct err *e);
/* The definition of questionnaire qid/version as it binds `state` (service.c). */
int definition_for(struct call *c, const char *state, const char *qid, int version,
                   const struct qdef **out, struct err *e);

/* The evidence handlers (evidence_service.c); service.c's table binds them. */
int begin_evidence_upload(struct call *c, const Unic__Responses__V1__BeginEvidenceUploadRequest *r,
                          Unic__Responses__V1__EvidenceUpload **out, struct err *e);
int put_evidence_chunk(struct call *c, const Unic__Responses__V1__PutEvidenceChunkRequest *r,
                       Unic__Responses__V1__EvidenceUpload **out, struct err *e);
int get_evidence_upload(struct call *c, const Unic__Responses__V1__GetEvidenceUploadRequest *r,
                        Unic__Responses__V1__EvidenceUpload **out, struct err *e);
int commit_evidence_upload(struct call *c,
                           const Unic__Responses__V1__CommitEvidenceUploadRequest *r,
                           Unic__Responses__V1__EvidenceDocument **out, struct err *e);
int list_evidence_documents(struct call *c,
                            const Unic__Responses__V1__ListEvidenceDocumentsRequest *r,
                            Unic__Responses__V1__ListEvidenceDocumentsResponse **out,
                            struct err *e);
int get_evidence_content(struct call *c, const Unic__Responses__V1__GetEvidenceContentRequest *r,
                         Unic__Responses__V1__EvidenceContent **out, struct err *e);
int delete_evidence_document(struct call *c,
                             const Unic__Responses__V1__DeleteEvidenceDocumentRequest *r,
                             Unic__Responses__V1__EvidenceDocument **out, struct err *e);

/* ---- Store (store.c) ---- */

/* A timestamp column as RFC 3339 with milliseconds, in UTC. */
#define SQL_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* The head of an assessment, enough to decide access and find the current revision. */
struct head {
    char state_code[4];
    char questionnaire_id[72];
    int visibility;
    int status;
    int revision;
    char etag[80]; /* the head revision's */
};
/* 0 with *found false when there is no such assessment. */
int store_head(struct db *db, const char *id, struct head *h, bool *found, struct err *e);
/* The same, and the head revision's packed Assessment (copied into the arena; *bytes NULL when
 * that revision's row is missing), in one round trip. */
int store_head_snapshot(struct db *db, struct arena *a, const char *id, struct head *h,
                        uint8_t **bytes, size_t *len, bool *found, struct err *e);

/* Packed Assessment of revision `rev` (read as binary bytea into the arena), with that revision's
 * visibility and status (status may be NULL). 0 with *found false when there is none. */
int store_snapshot(struct db *db, struct arena *a, const char *id, int rev, uint8_t **bytes,
                   size_t *len, int *visibility, int *status, bool *found, struct err *e);
/* The latest SUBMITTED revision of `id`, 0 when none. */
int store_last_submitted(struct db *db, const char *id, int *revision, struct err *e);

/* What one write records. */
struct change {
    const Assessment *next;   /* the new head, as returned */
    const uint8_t *snapshot;  /* next, packed */
    size_t snapshot_len;
    const char *action;       /* CREATE, SAVE, SUBMIT, REOPEN, VISIBILITY */
    const char *reason;
    const char *const *changed;
    size_t n_changed;
    const Answer *const *upserts; /* rows of responses.answers to write */
    size_t n_upserts;
    const char *const *removed;   /* rows of responses.answers to delete */
    size_t n_removed;
    const char *audit;            /* the audit event's summary code (resource assessment/<id>), or NULL */
    const char *audit_args[3];    /* and its arguments (common/audit.h) */
    size_t n_audit_args;
};
/* CreateAssessment, one transaction: claims key k (common/idem.h; NULL for none), inserts the
 * assessment ch->next and its revision 1, stores its snapshot as the reply under k, COMMIT.
 * 0 when committed, 1 when a twin's reply answered the call, -1 with *e set (ALREADY_EXISTS when
 * the assessment exists) and nothing written. */
int store_create(struct call *c, const struct idem *k, const struct change *ch, struct err *e);

/* A write to an existing assessment, one transaction in two round trips (docs/architecture.md,
 * "Idempotent writes"): begins, claims key k, locks the head of `id` and reads the revision it
 * is at; `decide` (the service's rule, run under the lock with ctx) says in *o what to write;
 * then the head moves from the revision read to o->ch->next, with o->ch's audit event if any,
 * o->reply is stored under k, and it commits. Rolled back instead when o->dry_run, or when o->ch
 * is NULL (nothing changed) and there is no key to store the reply under. 0 when committed or
 * rolled back so, 1 when a twin's reply answered the call, -1 with *e set and nothing written. */
struct locked {
    int revision;
    char *etag;
    uint8_t *snapshot; /* packed Assessment */
    size_t snapshot_len;
};
struct write_outcome {
    const struct change *ch; /* NULL: nothing changed */
    const uint8_t *reply;    /* the call's reply (packed), stored under the key */
    size_t reply_len;
    bool dry_run;            /* validate_only: the reply is sent, nothing is written */
};
/* l is NULL when there is no such assessment. 0, or -1 with *e set to roll back. */
typedef int store_decide(struct call *c, void *ctx, const struct locked *l, struct write_outcome *o,
                         struct err *e);
int store_write(struct call *c, const struct idem *k, const char *id, store_decide *decide,
                void *ctx, struct write_outcome *o, struct err *e);

/* The key table of the writes (common/idem.h). */
extern const struct idem_sql responses_idem_sql;

struct list_filter {
    const char *state_code;       /* "" = any */
    int cycle;                    /* 0 = any */
    const char *questionnaire_id; /* "" = any */
    const char *status;           /* "" = any */
    const char *own_state;        /* the caller's State, "" for other roles */
    const char *visible;          /* array literal of the visibilities readable beyond it */
    const char *reports;          /* questionnaire whose submitted revisions are read as reports
                                     to UNIC whatever the visibility (access.c), or "" */
    const char *after;            /* page token: ids greater than this */
    int limit;
    bool with_answers;
};
/* Up to f->limit assessments the caller may see, ordered by id. An assessment read only as a
 * report (f->reports) is shown as its last submitted revision. */
int store_list(struct db *db, struct arena *a, const struct list_filter *f, Assessment ***out,
               size_t *n, struct err *e);

int store_revisions(struct db *db, struct arena *a, const char *id,
                    Unic__Responses__V1__Revision ***out, size_t *n, struct err *e);

/* ---- Evidence documents (evidence_store.c) ----
 * Each write below is one transaction, begun and ended inside the call: committed when it
 * returns 0, rolled back when it returns -1 with *e set. The reads are single statements. */

/* The assessment documents are attached to, as read under its lock. */
struct evidence_target {
    char questionnaire_id[72];
    int questionnaire_version, status, revision;
};

/* Bytes a State's documents hold (each content once), declared by its open uploads, and whether
 * content `sha256` (may be NULL) is among its documents already. */
struct evidence_usage {
    long long used, pending;
    bool held;
};
int store_evidence_usage(struct db *db, const char *state, const char *sha256,
                         struct evidence_usage *u, struct err *e);

/* An upload as stored: the reply message (arena) and what only the service sees. */
struct evidence_upload {
    Unic__Responses__V1__EvidenceUpload *msg;
    char state_code[4];
    char sha256[65]; /* declared by the client; "" for none */
    bool committed;
};
/* 0 with *found false when there is no such upload or it has expired. */
int store_evidence_upload_get(struct db *db, struct arena *a, const char *id,
                              struct evidence_upload *u, bool *found, struct err *e);

/* Whether `question_id` is a question of the target's questionnaire as it binds `state`: the
 * service's definitions (a catalog read), asked by the store under the assessment's lock. 0, or
 * -1 with *e set. */
typedef int evidence_question_check(struct call *c, const char *state, const struct evidence_target *t,
                                    const char *question_id, struct err *e);
/* BeginEvidenceUpload: the assessment u->msg names, locked, must be a DRAFT with the question;
 * under the State's lock the quota (evidence_quota_begin) must leave room for u->msg->size; then
 * the State's expired uploads are dropped and u recorded, u->msg->expires_at set (arena). */
int store_evidence_upload_open(struct call *c, const struct evidence_upload *u, long long quota,
                               evidence_question_check *question_known, struct err *e);
/* PutEvidenceChunk: appends `len` bytes at `offset` of the upload (locked), which must be open,
 * expect that offset and have room for them; a retried chunk already held at `offset` with the
 * same bytes succeeds without writing. *out: the upload as it now is. */
int store_evidence_chunk_write(struct call *c, const char *upload_id, long long offset,
                               const uint8_t *data, size_t len,
                               Unic__Responses__V1__EvidenceUpload **out, struct err *e);
/* CommitEvidenceUpload: the complete upload's bytes, checked against the sha256 declared and the
 * accepted types, attached to its assessment (still a DRAFT) under the State's lock and quota
 * (evidence_quota_attach), the content stored once, the chunks dropped, and the audit event
 * written. A repeated commit answers with the document it made. */
int store_evidence_commit(struct call *c, const char *upload_id, long long quota,
                          Unic__Responses__V1__EvidenceDocument **out, struct err *e);
/* DeleteEvidenceDocument: detaches the document of a DRAFT assessment, drops its content when no
 * other document holds it, and writes the audit event; *out: the document as it was. */
int store_evidence_delete(struct call *c, const char *document_id, const char *state,
                          Unic__Responses__V1__EvidenceDocument **out, struct err *e);

/* The assessment's documents attached at or before `max_revision` (of one question unless
 * question_id is ""), as attached. */
int store_evidence_documents(struct db *db, struct arena *a, const char *assessment_id,
                             const char *question_id, int max_revision,
                             Unic__Responses__V1__EvidenceDocument ***out, size_t *n, struct err *e);
/* One of them; NOT_FOUND when there is none. */
int store_evidence_document(struct db *db, struct arena *a, const char *assessment_id,
                            long long seq, int max_revision,
                            Unic__Responses__V1__EvidenceDocument **out, struct err *e);
/* `length` bytes of content `sha256` from `offset` (fewer at its end). */
int store_evidence_content(struct db *db, struct arena *a, const char *sha256, long long offset,
                           long long length, uint8_t **bytes, size_t *len, struct err *e);

#endif
