/* db.h: PostgreSQL access over libpq: parameterised statements only, every result checked against
 * the status expected, transparent reconnect, transactions and numbered migrations.
 * A struct db is one connection, used by one thread at a time (each worker owns one). Results
 * returned by db_query are the caller's, released with PQclear. */
#ifndef UNIC_DB_H
#define UNIC_DB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "err.h"

struct db_stmt;

struct db {
    PGconn *conn;          /* NULL while disconnected */
    char *conninfo;        /* owned */
    bool in_tx;
    char sqlstate[6];      /* of the last failed statement, "" otherwise */
    struct db_stmt *stmts; /* statements prepared on this connection (owned) */
    size_t n_stmts;
    /* Limits of the call using the connection, set by the dispatcher for each call (see
     * db_call_limits); every transaction gets statement_timeout and lock_timeout from them. */
    int64_t deadline_ms;           /* CLOCK_REALTIME ms; INT64_MAX when the call has none */
    const atomic_int *call_gone;   /* nonzero once the client has cancelled; NULL outside calls */
    int statement_max_ms;          /* cap on statement_timeout (UNIC_STATEMENT_TIMEOUT_MS) */
    int lock_max_ms;               /* cap on lock_timeout (UNIC_LOCK_TIMEOUT_MS) */
    int commit_margin_ms;          /* no COMMIT with less of the deadline left than this */
    /* db_cancel may come from another thread: cancel_lock guards `cancel` against the
     * connection being replaced under it. */
    pthread_mutex_t cancel_lock;
    PGcancel *cancel;              /* of the current connection, or NULL */
    atomic_int shutting_down;      /* set by db_cancel: every later statement fails at once */
    bool nondurable;               /* the last connection was refused: fsync or sync commit off */
    /* Whose call uses the connection, for row-level security (db_call_scope): every statement
     * runs with unic.role and unic.state set to these. */
    char scope_role[16];           /* "OPERATOR", "STATE", "SERVICE"; "" outside calls */
    char scope_state[4];           /* the State of a STATE caller, else "" */
    bool scope_stale;              /* the session's settings may not be these yet */
    bool scope_in_begin;           /* db_begin's BEGIN: sent without them */
    /* Waits for the server's answer: one per statement run alone (two when it is prepared
     * first), one per pipeline, one per rollback; connecting is not counted. The dispatcher
     * reports each handler's count (unic_db_round_trips_total), so a test can see them. */
    uint64_t round_trips;
};

/* Defaults of the caps, until db_set_limits. */
enum { DB_STATEMENT_MAX_MS = 10000, DB_LOCK_MAX_MS = 2000, DB_COMMIT_MARGIN_MS = 20 };

struct migration {
    int version;
    const char *name;
    const char *sql;
};

/* Connects; a failure is reported but leaves a usable struct that reconnects on next use.
 * Every connection is checked for durable commits (synchronous_commit and fsync not off) and
 * refused with UNAVAILABLE, and nondurable set, when they are off. */
int db_init(struct db *db, const char *conninfo, struct err *e);
void db_destroy(struct db *db);

/* Runs a statement with text parameters (NULL entries are SQL NULL) expecting rows back.
 * Each distinct statement text is prepared once per connection and executed by name afterwards,
 * which saves its parse and plan on every later call (so connect to PostgreSQL directly or
 * through a session-mode pooler, not a transaction-mode one).
 * Returns the result (PQclear it) or NULL with *e filled: UNAVAILABLE when the server cannot be
 * reached, ALREADY_EXISTS for a unique violation, ABORTED for a serialization failure or
 * deadlock, FAILED_PRECONDITION for a refused state change, INTERNAL otherwise. */
PGresult *db_query(struct db *db, struct err *e, const char *sql, int nparams,
                   const char *const *params);
/* The same for statements that return no rows; *affected (may be NULL) gets the row count. */
int db_command(struct db *db, struct err *e, const char *sql, int nparams,
               const char *const *params, long *affected);
/* db_query expecting exactly one row: NOT_FOUND ("<what> <id> not found") for none or more. */
PGresult *db_query_one(struct db *db, struct err *e, const char *sql, int nparams,
                       const char *const *params, const char *what, const char *id);
/* Bytes in and out without a hex round trip: params[i] with lengths[i] >= 0 is sent as that many
 * raw bytes (binary format: for a bytea parameter), with -1 as text. binary_result asks every
 * column in binary, for statements that select bytea (db_get_bytes): a text column's binary form
 * is its characters, which db_get reads as ever, and db_get_int/_int64/_double/_bool decode the
 * binary forms of int2/int4/int8, float8 and bool; other types read as text only. */
PGresult *db_query_bytes(struct db *db, struct err *e, const char *sql, int nparams,
                         const char *const *params, const int *lengths, bool binary_result);
int db_command_bytes(struct db *db, struct err *e, const char *sql, int nparams,
                     const char *const *params, const int *lengths, long *affected);

/* A pipeline (libpq pipeline mode): statements queued on one connection and sent together,
 * answered in one round trip. The server runs them in order; after the first that fails, the
 * rest are skipped, so a COMMIT queued last happens only when every statement before it
 * succeeded. Statements are prepared inside the same pipeline the first time, so preparing
 * costs no round trip either. Results are the pipeline's until db_pipe_clear.
 *     struct db_pipe p;
 *     if (db_pipe_start(db, &p, DB_PIPE_BEGIN, e) < 0) return -1;
 *     int i = db_pipe_add(&p, PGRES_TUPLES_OK, sql, n, values, lengths, formats, 1);
 *     rc = db_pipe_run(&p, e);  ... db_pipe_result(&p, i) ...  db_pipe_clear(&p); */
enum { DB_PIPE_MAX = 24 };
enum db_pipe_flags { DB_PIPE_BEGIN = 1 }; /* opens the call's transaction first (db_begin) */

struct db_pipe {
    struct db *db;
    int n;
    struct {
        ExecStatusType want;
        int prepares;     /* >= 0: this entry prepares statement slot `prepares` */
        PGresult *r;      /* the result, once run */
        bool ok;
    } q[DB_PIPE_MAX];
    bool queue_failed;    /* a PQsend* failed: run reports the connection's error */
    bool ran;
};

/* Enters pipeline mode on a live connection; with DB_PIPE_BEGIN queues BEGIN and the
 * transaction's limits first (DEADLINE_EXCEEDED, and nothing started, when too little of the
 * deadline is left). -1 with *e set; the pipeline needs no clearing then. */
int db_pipe_start(struct db *db, struct db_pipe *p, int flags, struct err *e);
/* Queues a statement: values[i] of lengths[i] bytes in formats[i] (NULL lengths and formats:
 * all text, NUL-terminated), results in binary when binary_result (bytea as raw bytes; the
 * db_get_* readers handle both formats). Returns the statement's index for db_pipe_result. */
int db_pipe_add(struct db_pipe *p, ExecStatusType want, const char *sql, int nparams,
                const char *const *values, const int *lengths, const int *formats,
                int binary_result);
/* Queues COMMIT. Check db_may_commit before queueing the transaction's last statements. */
void db_pipe_commit(struct db_pipe *p);
/* Sends everything, waits once, reads every result and leaves pipeline mode. 0 when every
 * statement gave the status it was queued with; otherwise -1 with *e from the first that did not
 * (as db_query would fill it). A transaction begun stays open (db->in_tx) unless the COMMIT ran:
 * after a failure it is aborted, and db_rollback ends it. */
int db_pipe_run(struct db_pipe *p, struct err *e);
/* The result of statement i when it succeeded, else NULL. Owned by the pipeline. */
PGresult *db_pipe_result(const struct db_pipe *p, int i);
void db_pipe_clear(struct db_pipe *p);

/* Whether the transaction may commit now: not when the client has cancelled (CANCELLED) or the
 * deadline is too close (DEADLINE_EXCEEDED); then it is rolled back and -1 returned. */
int db_may_commit(struct db *db, struct err *e);

/* Sets the caps every call's transactions are held to (from the configuration). */
void db_set_limits(struct db *db, int statement_max_ms, int lock_max_ms, int commit_margin_ms);
/* Binds the connection to the call about to use it (its deadline, its cancellation flag), or
 * unbinds it with (INT64_MAX, NULL) when the call is over. */
void db_call_limits(struct db *db, int64_t deadline_ms, const atomic_int *call_gone);
/* Binds the connection to the caller of the call about to use it, or unbinds it with ("", "")
 * when the call is over. Policies keyed on the settings unic.role and unic.state then decide
 * which rows its statements see (services/responses/sql/004_row_security.sql). No round trip
 * is added: a transaction sets them in the statement that sets its timeouts (db_begin), and the
 * first statement outside a transaction after a change carries them in the same pipeline. */
void db_call_scope(struct db *db, const char *role, const char *state);

/* Starts a transaction whose statement_timeout and lock_timeout are the call's remaining
 * deadline, capped by the configured maxima; DEADLINE_EXCEEDED without starting one when too
 * little of the deadline is left to commit. */
int db_begin(struct db *db, struct err *e);
/* Commits, unless the call was cancelled (CANCELLED) or its deadline is too close to be met
 * (DEADLINE_EXCEEDED): then it rolls back, so that a client that gave up never finds the write
 * done. A commit lost with the connection is UNAVAILABLE: its outcome is unknown, and the
 * idempotency key (request_id) makes the retry safe. */
int db_commit(struct db *db, struct err *e);
/* Rolls back if a transaction is open; safe to call on any path. */
void db_rollback(struct db *db);

/* From another thread, during shutdown: cancels the statement running on `db` (PQcancel) and
 * makes every later statement on it fail at once with UNAVAILABLE, so its call rolls back and
 * returns. Safe to call repeatedly and at any moment. */
void db_cancel(struct db *db);

/* True when the server answers a trivial query now (reconnecting first if needed). */
bool db_ping(struct db *db);

/* Column `name` of row `row`; "" for NULL. A missing column is a programming error and aborts. */
const char *db_get(const PGresult *r, int row, const char *name);
/* Column `name` of a binary result (db_query_bytes with binary_result, or a pipeline's): its
 * bytes, owned by the result, and their count in *len. A text column is a programming error and
 * aborts. */
const uint8_t *db_get_bytes(const PGresult *r, int row, const char *name, size_t *len);
bool db_isnull(const PGresult *r, int row, const char *name);
int db_get_int(const PGresult *r, int row, const char *name);
long long db_get_int64(const PGresult *r, int row, const char *name);
double db_get_double(const PGresult *r, int row, const char *name);
bool db_get_bool(const PGresult *r, int row, const char *name);

/* Applies the not-yet-applied migrations of `schema` in version order, each in its own
 * transaction, recorded in <schema>.schema_migrations. An advisory lock makes concurrent
 * start-ups of several replicas safe. */
int db_migrate(struct db *db, const char *schema, const struct migration *m, size_t n,
               struct err *e);

/* Checks, reading only, that every migration of `schema` up to the last of `m` is applied: for a
 * service whose role owns nothing, started after a migration job. FAILED_PRECONDITION naming
 * the schema and both versions when the database is behind (or ahead of) this build. */
int db_migrations_check(struct db *db, const char *schema, const struct migration *m, size_t n,
                        struct err *e);

#endif
