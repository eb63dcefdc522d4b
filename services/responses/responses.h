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
    int cache_ttl_seconds;
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

/* Packed Assessment of revision `rev` (hex-decoded into the arena), with that revision's
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
};
/* Inserts a new assessment and its revision 1. ALREADY_EXISTS when it exists. */
int store_create(struct db *db, struct arena *a, const struct change *ch, struct err *e);
/* A write to an existing assessment, in two round trips (docs/architecture.md, "Idempotent writes").
 * store_write_open: begins the call's transaction, claims key k (common/idem.h; NULL for none),
 * locks the head of `id` and reads the revision it is at into *l (arena). 0 with the transaction
 * open (*found false when there is no such assessment); 1 when a twin's reply answered the call,
 * -1 with *e set: the transaction is then rolled back. */
struct locked {
    int revision;
    char *etag;
    uint8_t *snapshot; /* packed Assessment */
    size_t snapshot_len;
};
int store_write_open(struct call *c, const struct idem *k, const char *id, struct locked *l,
                     bool *found, struct err *e);
/* store_write_commit: the locked head moved from `old_etag` to ch->next with its revision (ch
 * NULL: nothing changed), `reply` stored under k, and COMMIT. -1 with *e set and the transaction
 * left to roll back (db_rollback). */
int store_write_commit(struct call *c, const char *old_etag, const struct change *ch,
                       const struct idem *k, const uint8_t *reply, size_t reply_len,
                       struct err *e);

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

/* ---- Evidence documents (evidence_store.c), inside the caller's transaction ---- */

/* Locks the State's evidence (its quota) until the end of the transaction. */
int store_evidence_lock_state(struct db *db, const char *state, struct err *e);

/* The assessment documents are attached to, locked against concurrent writes (a submit). */
struct evidence_target {
    char questionnaire_id[72];
    int questionnaire_version, status, revision;
};
int store_evidence_target(struct db *db, const char *id, struct evidence_target *t, bool *found,
                          struct err *e);

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
/* Drops the State's expired uploads, then records u (its msg's id, assessment, question, file
 * name and size); *expires_at in the arena. */
int store_evidence_upload_begin(struct db *db, struct arena *a, const struct evidence_upload *u,
                                const char *created_by, char **expires_at, struct err *e);
/* 0 with *found false when there is no such upload or it has expired; `lock`: FOR UPDATE. */
int store_evidence_upload_get(struct db *db, struct arena *a, const char *id, bool lock,
                              struct evidence_upload *u, bool *found, struct err *e);
/* Whether the chunk held at `offset` is exactly these bytes (a retried put). */
int store_evidence_chunk_same(struct db *db, const char *upload_id, long long offset,
                              const uint8_t *data, size_t len, bool *same, struct err *e);
/* Appends a chunk at `offset` and moves the upload's received count past it. */
int store_evidence_chunk_put(struct db *db, const char *upload_id, long long offset,
                             const uint8_t *data, size_t len, struct err *e);
/* The upload's chunks joined in order (arena). */
int store_evidence_chunks(struct db *db, struct arena *a, const char *upload_id, uint8_t **bytes,
                          size_t *len, struct err *e);
/* Stores the upload's content under `sha256` unless held already, attaches it as a document at
 * assessment revision `revision`, marks the upload committed and drops its chunks; *seq is the
 * document's number. */
int store_evidence_attach(struct db *db, const struct evidence_upload *u,
                          const char *content_type, const char *sha256, int revision,
                          const char *created_by, long long *seq, struct err *e);
/* The assessment's documents attached at or before `max_revision` (of one question unless
 * question_id is ""), as attached. */
int store_evidence_documents(struct db *db, struct arena *a, const char *assessment_id,
                             const char *question_id, int max_revision,
                             Unic__Responses__V1__EvidenceDocument ***out, size_t *n, struct err *e);
/* One of them; *out NULL when there is none. */
int store_evidence_document(struct db *db, struct arena *a, const char *assessment_id,
                            long long seq, int max_revision,
                            Unic__Responses__V1__EvidenceDocument **out, struct err *e);
/* `length` bytes of content `sha256` from `offset` (fewer at its end). */
int store_evidence_content(struct db *db, struct arena *a, const char *sha256, long long offset,
                           long long length, uint8_t **bytes, size_t *len, struct err *e);
/* Deletes document `seq`, and its content when no other document holds it. */
int store_evidence_detach(struct db *db, const char *assessment_id, long long seq,
                          const char *sha256, struct err *e);

#endif
