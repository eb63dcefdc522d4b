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

#include "assessment.h"
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
 * the process; the UN Member States are refreshed hourly. Shared by all worker threads. */
struct defs {
    pthread_mutex_t lock;
    struct rpc_client *catalog;
    struct qdef **items;
    size_t n, cap;
    struct defs_state {
        char code[4];
        bool ldc;
    } *states;           /* sorted by code */
    size_t n_states;
    int64_t states_at_ms; /* monotonic time of the last successful load; 0 = never */
};

struct responses_app {
    struct defs defs;
    atomic_llong purge_at_ms; /* monotonic time after which idempotency keys are purged again */
    int cache_ttl_seconds;
};

void responses_app_init(struct responses_app *app, const struct config *cfg);
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

/* ---- Store (store.c) ---- */

/* The head of an assessment, enough to decide access and find the current revision. */
struct head {
    char state_code[4];
    char questionnaire_id[72];
    int visibility;
    int status;
    int revision;
};
/* 0 with *found false when there is no such assessment. */
int store_head(struct db *db, const char *id, struct head *h, bool *found, struct err *e);

/* Packed Assessment of revision `rev` (hex-decoded into the arena), with that revision's
 * visibility and status (status may be NULL). 0 with *found false when there is none. */
int store_snapshot(struct db *db, struct arena *a, const char *id, int rev, uint8_t **bytes,
                   size_t *len, int *visibility, int *status, bool *found, struct err *e);
/* The latest SUBMITTED revision of `id`, 0 when none. */
int store_last_submitted(struct db *db, const char *id, int *revision, struct err *e);

/* Inside a transaction: locks the assessment's head until the end of the transaction and reads
 * its revision and etag (in the arena). 0 with *found false when there is no such assessment. */
int store_lock(struct db *db, struct arena *a, const char *id, int *revision, char **etag,
               bool *found, struct err *e);

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
/* Moves the locked assessment from `old_etag` to ch->next and appends the revision. */
int store_update(struct db *db, struct arena *a, const char *old_etag, const struct change *ch,
                 struct err *e);

/* Idempotency, inside the write's transaction. Claims (key_id, request_id); when another request
 * already holds it (waiting for that one to commit first), *claimed is false and *prior_hash and
 * *prior_response (arena) describe it. */
struct idem {
    const char *key_id, *request_id, *method;
    char hash[65];
};
int store_idem_claim(struct db *db, struct arena *a, const struct idem *k, bool *claimed,
                     char **prior_hash, uint8_t **prior_response, size_t *prior_len,
                     struct err *e);
int store_idem_finish(struct db *db, struct arena *a, const struct idem *k, const uint8_t *response,
                      size_t len, struct err *e);
/* Deletes idempotency keys older than 24 hours; returns how many. */
int store_idem_purge(struct db *db, long *deleted, struct err *e);

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

#endif
