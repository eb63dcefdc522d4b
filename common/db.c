/* db.c: the PostgreSQL layer. Reconnects when the server has gone away (restart, failover) so a
 * service never needs restarting; the call that finds the connection broken mid-statement gets
 * UNAVAILABLE, since whether its write happened cannot be known. */
#include "db.h"

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "instrument.h"
#include "log.h"
#include "mem.h"
#include "text.h"

/* A statement prepared on the current connection, found again by its text. */
struct db_stmt {
    uint64_t hash;
    char *sql;
    char name[16];
};

enum { DB_STMTS_MAX = 256 };

static void db_disconnect(struct db *db)
{
    pthread_mutex_lock(&db->cancel_lock);
    if (db->cancel) { /* set only once a connection is up: see db_connect */
        PQfreeCancel(db->cancel);
        instrument_db_connection(-1);
    }
    db->cancel = NULL;
    pthread_mutex_unlock(&db->cancel_lock);
    if (db->conn)
        PQfinish(db->conn);
    db->conn = NULL;
    db->in_tx = false;
    /* Prepared statements die with their connection. */
    for (size_t i = 0; i < db->n_stmts; i++)
        free(db->stmts[i].sql);
    db->n_stmts = 0;
}

/* Server notices ("schema already exists") go to the log as JSON, not raw to stderr. */
static void db_notice(void *arg, const char *message)
{
    (void)arg;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", message);
    msg[strcspn(msg, "\n")] = '\0';
    log_debug("postgres: %s", msg);
}

/* Caps of the session (statements outside an explicit transaction), and the durability check:
 * done on every new connection, so a PostgreSQL that comes back from a restart with fsync or
 * synchronous_commit off is refused before anything is written to it. JIT is off: our
 * statements are short, and a prepared statement's generic plan priced above jit_above_cost
 * (ListAssessments' once revisions number 100,000) was compiled again on every execution,
 * 640 ms for a 0.2 ms query. */
static const char SQL_SESSION[] =
    "SELECT set_config('statement_timeout', $1, false) AS st,"
    " set_config('lock_timeout', $2, false) AS lt,"
    " set_config('jit', 'off', false) AS jit,"
    " current_setting('synchronous_commit') AS synchronous_commit,"
    " current_setting('fsync') AS fsync";

static int db_session_setup(struct db *db, struct err *e)
{
    char st[16], lt[16];
    snprintf(st, sizeof st, "%d", db->statement_max_ms);
    snprintf(lt, sizeof lt, "%d", db->lock_max_ms);
    const char *params[] = {st, lt};
    PGresult *r = PQexecParams(db->conn, SQL_SESSION, 2, NULL, params, NULL, NULL, 0);
    if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(db->conn));
        msg[strcspn(msg, "\n")] = '\0';
        PQclear(r);
        return err_set(e, ERR_UNAVAILABLE, "could not set up the database session: %s", msg);
    }
    /* synchronous_commit=local or remote_* still flush locally before acknowledging; only off
     * acknowledges before the commit is on disk, and without fsync nothing is. */
    const char *why = NULL;
    if (strcmp(db_get(r, 0, "synchronous_commit"), "off") == 0)
        why = "synchronous_commit is off";
    else if (strcmp(db_get(r, 0, "fsync"), "on") != 0)
        why = "fsync is off";
    PQclear(r);
    db->nondurable = why != NULL;
    if (why)
        return err_set(e, ERR_UNAVAILABLE,
                       "database not durable: %s, so acknowledged writes could be lost in a"
                       " crash", why);
    return 0;
}

static int db_connect(struct db *db, struct err *e)
{
    db_disconnect(db);
    if (atomic_load(&db->shutting_down))
        return err_set(e, ERR_UNAVAILABLE, "server shutting down: no new database work");
    db->conn = PQconnectdb(db->conninfo);
    PQsetNoticeProcessor(db->conn, db_notice, NULL);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(db->conn));
        msg[strcspn(msg, "\n")] = '\0';
        db_disconnect(db);
        return err_set(e, ERR_UNAVAILABLE, "could not connect to database: %s", msg);
    }
    if (db_session_setup(db, e) < 0) {
        db_disconnect(db);
        return -1;
    }
    db->scope_stale = true; /* a new session has none of the caller's settings */
    pthread_mutex_lock(&db->cancel_lock);
    db->cancel = PQgetCancel(db->conn);
    pthread_mutex_unlock(&db->cancel_lock);
    if (db->cancel)
        instrument_db_connection(1);
    return 0;
}

int db_init(struct db *db, const char *conninfo, struct err *e)
{
    memset(db, 0, sizeof *db);
    db->conninfo = xstrdup(conninfo);
    pthread_mutex_init(&db->cancel_lock, NULL);
    db->deadline_ms = INT64_MAX;
    db->statement_max_ms = DB_STATEMENT_MAX_MS;
    db->lock_max_ms = DB_LOCK_MAX_MS;
    db->commit_margin_ms = DB_COMMIT_MARGIN_MS;
    return db_connect(db, e);
}

void db_destroy(struct db *db)
{
    db_disconnect(db);
    pthread_mutex_destroy(&db->cancel_lock);
    free(db->stmts);
    db->stmts = NULL;
    free(db->conninfo);
    db->conninfo = NULL;
}

/* An idle connection has nothing to read: we use no LISTEN, and every reply is read in full.
 * Bytes waiting there are the server saying goodbye ("terminating connection" before a restart
 * or failover), so the connection is replaced before a statement is sent on it, instead of that
 * statement failing. */
static bool db_idle_conn_ok(struct db *db)
{
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
        return false;
    struct pollfd pfd = {.fd = PQsocket(db->conn), .events = POLLIN};
    return pfd.fd >= 0 && poll(&pfd, 1, 0) == 0;
}

/* Outside a transaction, make sure there is a live connection before sending anything. */
static int db_ready(struct db *db, struct err *e)
{
    if (db->in_tx)
        return 0;
    if (db_idle_conn_ok(db))
        return 0;
    return db_connect(db, e);
}

/* *e from failed result r, which stays the caller's (r may be NULL: the connection's error). */
static int db_fail_keep(struct db *db, const PGresult *r, struct err *e)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(db->sqlstate, sizeof db->sqlstate, "%s", state ? state : "");
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char msg[300];
    snprintf(msg, sizeof msg, "%s", primary ? primary : PQerrorMessage(db->conn));
    msg[strcspn(msg, "\n")] = '\0';
    bool broken = PQstatus(db->conn) != CONNECTION_OK || strncmp(db->sqlstate, "08", 2) == 0 ||
                  strcmp(db->sqlstate, "57P01") == 0 || strcmp(db->sqlstate, "57P02") == 0 ||
                  strcmp(db->sqlstate, "57P03") == 0;
    if (broken) {
        db_disconnect(db);
        return err_set(e, ERR_UNAVAILABLE, "database unavailable: %s", msg);
    }
    /* Cancellation and the two timeouts each get a message saying which it was. */
    if (strcmp(db->sqlstate, "57014") == 0 && atomic_load(&db->shutting_down))
        return err_set(e, ERR_UNAVAILABLE,
                       "server shutting down: the call's database work was cancelled and rolled"
                       " back; retry");
    if (strcmp(db->sqlstate, "57014") == 0)
        return err_set(e, ERR_DEADLINE_EXCEEDED,
                       "statement cancelled by its timeout (the call's deadline, at most %d ms):"
                       " rolled back", db->statement_max_ms);
    if (strcmp(db->sqlstate, "55P03") == 0)
        return err_set(e, ERR_ABORTED,
                       "could not lock the rows this call changes within %d ms: another call"
                       " holds them; rolled back, retry", db->lock_max_ms);
    int code = ERR_INTERNAL;
    if (strcmp(db->sqlstate, "23505") == 0)
        code = ERR_ALREADY_EXISTS;
    else if (strcmp(db->sqlstate, "40001") == 0 || strcmp(db->sqlstate, "40P01") == 0)
        code = ERR_ABORTED;
    else if (strcmp(db->sqlstate, "55000") == 0)
        code = ERR_FAILED_PRECONDITION;
    /* Not logged here: the dispatcher logs the call's failure once, with this message. */
    if (code == ERR_INTERNAL)
        return err_set(e, code, "statement failed: %s (sqlstate %s)", msg, db->sqlstate);
    return err_set(e, code, "%s", msg);
}

static int db_fail(struct db *db, PGresult *r, struct err *e)
{
    int rc = db_fail_keep(db, r, e);
    PQclear(r);
    return rc;
}

static uint64_t db_hash(const char *s)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The slot of statement `sql` (hash h) prepared on this connection, or -1. Slots whose prepare
 * failed inside a pipeline are left empty (sql NULL). */
static ssize_t db_stmt_find(const struct db *db, const char *sql, uint64_t h)
{
    for (size_t i = 0; i < db->n_stmts; i++)
        if (db->stmts[i].hash == h && db->stmts[i].sql && strcmp(db->stmts[i].sql, sql) == 0)
            return (ssize_t)i;
    return -1;
}

/* The name `sql` is prepared under on this connection, preparing it first if needed; NULL when
 * the table of prepared statements is full (the statement then runs unprepared). */
static const char *db_prepared(struct db *db, const char *sql, int nparams, struct err *e, bool *failed)
{
    uint64_t h = db_hash(sql);
    *failed = false;
    ssize_t slot = db_stmt_find(db, sql, h);
    if (slot >= 0)
        return db->stmts[slot].name;
    if (db->n_stmts == DB_STMTS_MAX)
        return NULL;
    if (db->stmts == NULL)
        db->stmts = xcalloc(DB_STMTS_MAX, sizeof *db->stmts);
    struct db_stmt *st = &db->stmts[db->n_stmts];
    snprintf(st->name, sizeof st->name, "unic_%zu", db->n_stmts);
    db->round_trips++;
    PGresult *r = PQprepare(db->conn, st->name, sql, nparams, NULL);
    if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
        db_fail(db, r, e);
        *failed = true;
        return NULL;
    }
    PQclear(r);
    st->hash = h;
    st->sql = xstrdup(sql);
    db->n_stmts++;
    return st->name;
}

/* The caller's settings for row-level security, as the session's: sent ahead of a statement
 * outside a transaction, in one pipeline with it, so they cost no round trip. */
static const char SQL_SCOPE[] = "SELECT set_config('unic.role', $1, false) AS role,"
                                " set_config('unic.state', $2, false) AS state";

/* Runs the statement (prepared as `name`, or `sql` when NULL) after SQL_SCOPE (prepared as
 * `scope_name`, or sent as text when NULL) in one pipeline. Both run in one implicit transaction:
 * when either fails, neither setting stays, and the connection is still stale. Returns the
 * statement's result (the scope's error when that failed, the statement then being
 * PGRES_PIPELINE_ABORTED). */
static PGresult *db_exec_scoped(struct db *db, const char *scope_name, const char *name,
                                const char *sql, int nparams, const char *const *params,
                                const int *lengths, const int *formats, int result_format)
{
    const char *sp[] = {db->scope_role, db->scope_state};
    if (!PQenterPipelineMode(db->conn))
        return NULL;
    /* Prepared, the settings cost PostgreSQL no parse and plan on each call (about 10 us of its
     * CPU a call, measured with pgbench). */
    int sent = (scope_name ? PQsendQueryPrepared(db->conn, scope_name, 2, sp, NULL, NULL, 0)
                      : PQsendQueryParams(db->conn, SQL_SCOPE, 2, NULL, sp, NULL, NULL, 0)) &&
               (name ? PQsendQueryPrepared(db->conn, name, nparams, params, lengths, formats,
                                           result_format)
                     : PQsendQueryParams(db->conn, sql, nparams, NULL, params, lengths, formats,
                                         result_format)) &&
               PQpipelineSync(db->conn);
    PGresult *scope = NULL, *r = NULL, *x;
    if (sent) {
        /* each query's result, then NULL; then the sync */
        scope = PQgetResult(db->conn);
        while ((x = PQgetResult(db->conn)) != NULL)
            PQclear(x);
        r = PQgetResult(db->conn);
        while ((x = PQgetResult(db->conn)) != NULL)
            PQclear(x);
        /* The implicit commit at the sync can still fail (a deferred constraint trigger): its
         * error comes before the sync, and is then the statement's outcome. */
        while ((x = PQgetResult(db->conn)) != NULL) {
            ExecStatusType st = PQresultStatus(x);
            if (st == PGRES_PIPELINE_SYNC) {
                PQclear(x);
                break;
            }
            if (st == PGRES_FATAL_ERROR && r && PQresultStatus(r) != PGRES_FATAL_ERROR) {
                PQclear(r);
                r = x;
            } else {
                PQclear(x);
            }
        }
    }
    PQexitPipelineMode(db->conn);
    if (scope && PQresultStatus(scope) != PGRES_TUPLES_OK) {
        PQclear(r);
        return scope;
    }
    PQclear(scope);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        db->scope_stale = false;
    return r;
}

/* lengths (may be NULL): a parameter with lengths[i] >= 0 goes as that many bytes in binary
 * format, one with -1 as text; result_format 1 asks every column in binary. */
static PGresult *db_run(struct db *db, struct err *e, ExecStatusType want, const char *sql,
                        int nparams, const char *const *params, const int *lengths,
                        int result_format)
{
    db->sqlstate[0] = '\0';
    if (atomic_load(&db->shutting_down))
        return err_set(e, ERR_UNAVAILABLE, "server shutting down: no new database work"), NULL;
    if (db_ready(db, e) < 0)
        return NULL;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bool failed;
    const char *name = db_prepared(db, sql, nparams, e, &failed);
    PGresult *r = NULL;
    int *formats = NULL;
    if (lengths) {
        formats = xcalloc((size_t)nparams + 1, sizeof *formats);
        for (int i = 0; i < nparams; i++)
            formats[i] = lengths[i] >= 0;
    }
    bool scoped = db->scope_stale && !db->in_tx && !db->scope_in_begin;
    const char *scope = NULL;
    if (!failed && scoped)
        scope = db_prepared(db, SQL_SCOPE, 2, e, &failed);
    if (!failed) {
        db->round_trips++; /* one wait, whether alone or in db_exec_scoped's pipeline */
        if (scoped) {
            r = db_exec_scoped(db, scope, name, sql, nparams, params, lengths, formats,
                               result_format);
        } else {
            r = name ? PQexecPrepared(db->conn, name, nparams, params, lengths, formats,
                                      result_format)
                     : PQexecParams(db->conn, sql, nparams, NULL, params, lengths, formats,
                                    result_format);
        }
        if (r == NULL || PQresultStatus(r) != want) {
            db_fail(db, r, e);
            r = NULL;
        }
    }
    free(formats);
    instrument_db_statement(instrument_seconds_since(&t0), r ? ERR_OK : e->code);
    return r;
}

PGresult *db_query(struct db *db, struct err *e, const char *sql, int nparams,
                   const char *const *params)
{
    return db_run(db, e, PGRES_TUPLES_OK, sql, nparams, params, NULL, 0);
}

PGresult *db_query_bytes(struct db *db, struct err *e, const char *sql, int nparams,
                         const char *const *params, const int *lengths, bool binary_result)
{
    return db_run(db, e, PGRES_TUPLES_OK, sql, nparams, params, lengths, binary_result ? 1 : 0);
}

PGresult *db_query_one(struct db *db, struct err *e, const char *sql, int nparams,
                       const char *const *params, const char *what, const char *id)
{
    PGresult *r = db_query(db, e, sql, nparams, params);
    if (r && PQntuples(r) != 1) {
        PQclear(r);
        err_set(e, ERR_NOT_FOUND, "%s %s not found", what, id);
        return NULL;
    }
    return r;
}

int db_command_bytes(struct db *db, struct err *e, const char *sql, int nparams,
                     const char *const *params, const int *lengths, long *affected)
{
    PGresult *r = db_run(db, e, PGRES_COMMAND_OK, sql, nparams, params, lengths, 0);
    if (r == NULL)
        return -1;
    if (affected)
        *affected = atol(PQcmdTuples(r));
    PQclear(r);
    return 0;
}

int db_command(struct db *db, struct err *e, const char *sql, int nparams,
               const char *const *params, long *affected)
{
    return db_command_bytes(db, e, sql, nparams, params, NULL, affected);
}

void db_set_limits(struct db *db, int statement_max_ms, int lock_max_ms, int commit_margin_ms)
{
    bool changed = statement_max_ms != db->statement_max_ms || lock_max_ms != db->lock_max_ms;
    db->statement_max_ms = statement_max_ms;
    db->lock_max_ms = lock_max_ms;
    db->commit_margin_ms = commit_margin_ms;
    if (changed && db->conn) { /* the session caps were set from the old values */
        struct err e;
        if (db_session_setup(db, &e) < 0) {
            log_warn("%s", e.msg);
            db_disconnect(db);
        }
    }
}

void db_call_limits(struct db *db, int64_t deadline_ms, const atomic_int *call_gone)
{
    db->deadline_ms = deadline_ms;
    db->call_gone = call_gone;
}

void db_call_scope(struct db *db, const char *role, const char *state)
{
    if (strcmp(db->scope_role, role) == 0 && strcmp(db->scope_state, state) == 0)
        return;
    snprintf(db->scope_role, sizeof db->scope_role, "%s", role);
    snprintf(db->scope_state, sizeof db->scope_state, "%s", state);
    db->scope_stale = true;
}

/* Milliseconds of the call's deadline left, INT64_MAX without one. */
static int64_t db_remaining_ms(const struct db *db)
{
    return db->deadline_ms == INT64_MAX ? INT64_MAX : db->deadline_ms - clock_wall_ms();
}

/* The caller's settings for row-level security go with the limits: every transaction has them,
 * whatever the session holds. */
static const char SQL_TX_LIMITS[] = "SELECT set_config('statement_timeout', $1, true) AS st,"
                                    " set_config('lock_timeout', $2, true) AS lt,"
                                    " set_config('unic.role', $3, true) AS role,"
                                    " set_config('unic.state', $4, true) AS state";

/* statement_timeout and lock_timeout of a transaction starting now, as text: the transaction
 * may run no longer than the call may wait for it. */
static int db_tx_limits(const struct db *db, char st_s[24], char lt_s[24], struct err *e)
{
    int64_t left = db_remaining_ms(db);
    if (left <= db->commit_margin_ms)
        return err_set(e, ERR_DEADLINE_EXCEEDED,
                       "deadline too close to start a transaction (%lld ms left, %d needed)",
                       (long long)(left < 0 ? 0 : left), db->commit_margin_ms);
    int64_t st = left < db->statement_max_ms ? left : db->statement_max_ms;
    int64_t lt = st < db->lock_max_ms ? st : db->lock_max_ms;
    snprintf(st_s, 24, "%lld", (long long)st);
    snprintf(lt_s, 24, "%lld", (long long)lt);
    return 0;
}

int db_begin(struct db *db, struct err *e)
{
    char st_s[24], lt_s[24];
    if (db_tx_limits(db, st_s, lt_s, e) < 0)
        return -1;
    const char *params[] = {st_s, lt_s, db->scope_role, db->scope_state};
    db->scope_in_begin = true; /* BEGIN carries no settings: the transaction's own come next */
    int begun = db_command(db, e, "BEGIN", 0, NULL, NULL);
    db->scope_in_begin = false;
    if (begun < 0)
        return -1;
    db->in_tx = true;
    PGresult *r = db_query(db, e, SQL_TX_LIMITS, 4, params);
    if (r == NULL) {
        db_rollback(db);
        return -1;
    }
    PQclear(r);
    return 0;
}

int db_may_commit(struct db *db, struct err *e)
{
    if (db->call_gone && atomic_load(db->call_gone)) {
        db_rollback(db);
        return err_set(e, ERR_CANCELLED, "the client cancelled the call: rolled back");
    }
    int64_t left = db_remaining_ms(db);
    if (left < db->commit_margin_ms) {
        db_rollback(db);
        return err_set(e, ERR_DEADLINE_EXCEEDED,
                       "deadline too close to commit (%lld ms left, %d needed): rolled back",
                       (long long)(left < 0 ? 0 : left), db->commit_margin_ms);
    }
    return 0;
}

int db_commit(struct db *db, struct err *e)
{
    if (db_may_commit(db, e) < 0)
        return -1;
    int rc = db_command(db, e, "COMMIT", 0, NULL, NULL);
    db->in_tx = false;
    return rc;
}

/* ---- Pipelines (db.h) ---- */

/* A new entry of the pipeline, for the result of a statement (prepares < 0) or of the prepare
 * of statement slot `prepares`. */
static int db_pipe_entry(struct db_pipe *p, ExecStatusType want, int prepares)
{
    if (p->n == DB_PIPE_MAX) { /* a programming error: the callers' batches are fixed */
        log_error("a pipeline of more than %d statements", DB_PIPE_MAX);
        abort();
    }
    p->q[p->n].want = want;
    p->q[p->n].prepares = prepares;
    return p->n++;
}

int db_pipe_start(struct db *db, struct db_pipe *p, int flags, struct err *e)
{
    char st_s[24], lt_s[24];
    memset(p, 0, sizeof *p);
    p->db = db;
    db->sqlstate[0] = '\0';
    if (atomic_load(&db->shutting_down))
        return err_set(e, ERR_UNAVAILABLE, "server shutting down: no new database work");
    if ((flags & DB_PIPE_BEGIN) && db_tx_limits(db, st_s, lt_s, e) < 0)
        return -1;
    if (db_ready(db, e) < 0)
        return -1;
    if (!PQenterPipelineMode(db->conn))
        return err_set(e, ERR_INTERNAL, "could not enter pipeline mode: %s", PQerrorMessage(db->conn));
    if (flags & DB_PIPE_BEGIN) {
        /* The same limits and row-level-security settings as db_begin's. */
        const char *params[] = {st_s, lt_s, db->scope_role, db->scope_state};
        db_pipe_add(p, PGRES_COMMAND_OK, "BEGIN", 0, NULL, NULL, NULL, 0);
        db_pipe_add(p, PGRES_TUPLES_OK, SQL_TX_LIMITS, 4, params, NULL, NULL, 0);
    }
    return 0;
}

int db_pipe_add(struct db_pipe *p, ExecStatusType want, const char *sql, int nparams,
                const char *const *values, const int *lengths, const int *formats,
                int binary_result)
{
    struct db *db = p->db;
    if (p->queue_failed)
        return db_pipe_entry(p, want, -1);
    uint64_t h = db_hash(sql);
    ssize_t slot = db_stmt_find(db, sql, h);
    if (slot < 0 && db->n_stmts < DB_STMTS_MAX) {
        if (db->stmts == NULL)
            db->stmts = xcalloc(DB_STMTS_MAX, sizeof *db->stmts);
        slot = (ssize_t)db->n_stmts;
        struct db_stmt *st = &db->stmts[slot];
        snprintf(st->name, sizeof st->name, "unic_%zu", db->n_stmts);
        if (!PQsendPrepare(db->conn, st->name, sql, nparams, NULL)) {
            p->queue_failed = true;
            return db_pipe_entry(p, want, -1);
        }
        st->hash = h;
        st->sql = xstrdup(sql);
        db->n_stmts++;
        db_pipe_entry(p, PGRES_COMMAND_OK, (int)slot);
    }
    int sent = slot >= 0 ? PQsendQueryPrepared(db->conn, db->stmts[slot].name, nparams, values,
                                               lengths, formats, binary_result)
                         : PQsendQueryParams(db->conn, sql, nparams, NULL, values, lengths,
                                             formats, binary_result);
    if (!sent)
        p->queue_failed = true;
    return db_pipe_entry(p, want, -1);
}

void db_pipe_commit(struct db_pipe *p)
{
    db_pipe_add(p, PGRES_COMMAND_OK, "COMMIT", 0, NULL, NULL, NULL, 0);
}

int db_pipe_run(struct db_pipe *p, struct err *e)
{
    struct db *db = p->db;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    p->ran = true;
    db->round_trips++;
    if (p->queue_failed || !PQpipelineSync(db->conn)) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(db->conn));
        msg[strcspn(msg, "\n")] = '\0';
        db_disconnect(db);
        return err_set(e, ERR_UNAVAILABLE, "database unavailable: could not send statements: %s", msg);
    }
    /* In pipeline mode each statement's result is followed by a NULL, and the sync by its own
     * result; a NULL in place of a result means the connection went. */
    bool lost = false;
    int bad = -1;
    for (int i = 0; i < p->n; i++) {
        PGresult *r = PQgetResult(db->conn), *more;
        if (r == NULL) {
            lost = true;
            break;
        }
        while ((more = PQgetResult(db->conn)) != NULL)
            PQclear(more);
        p->q[i].r = r;
        p->q[i].ok = PQresultStatus(r) == p->q[i].want;
        if (!p->q[i].ok && bad < 0 && PQresultStatus(r) != PGRES_PIPELINE_ABORTED)
            bad = i;
        int slot = p->q[i].prepares;
        if (slot >= 0 && !p->q[i].ok) { /* not prepared after all: prepared again next time */
            free(db->stmts[slot].sql);
            db->stmts[slot].sql = NULL;
        }
    }
    if (!lost) {
        PGresult *sync = PQgetResult(db->conn);
        lost = sync == NULL || PQresultStatus(sync) != PGRES_PIPELINE_SYNC;
        PQclear(sync);
    }
    if (!lost && !PQexitPipelineMode(db->conn))
        lost = true;
    if (!lost) {
        PGTransactionStatusType ts = PQtransactionStatus(db->conn);
        db->in_tx = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
    }
    int rc = 0;
    if (bad >= 0) {
        db_fail_keep(db, p->q[bad].r, e); /* disconnects when the connection broke */
        rc = -1;
    }
    if (db->conn && (lost || PQstatus(db->conn) != CONNECTION_OK)) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(db->conn));
        msg[strcspn(msg, "\n")] = '\0';
        db_disconnect(db); /* whatever was in flight, a COMMIT too, has an unknown outcome */
        if (rc == 0)
            err_set(e, ERR_UNAVAILABLE, "database unavailable: %s", msg);
        rc = -1;
    }
    for (int i = 0; rc == 0 && i < p->n; i++)
        if (!p->q[i].ok)
            rc = err_set(e, ERR_INTERNAL, "statement %d of a pipeline gave no result", i);
    double seconds = instrument_seconds_since(&t0);
    for (int i = 0; i < p->n; i++)
        if (p->q[i].prepares < 0 && (p->q[i].ok || i == bad))
            instrument_db_statement(seconds, p->q[i].ok ? ERR_OK : e->code);
    return rc;
}

PGresult *db_pipe_result(const struct db_pipe *p, int i)
{
    return i >= 0 && i < p->n && p->q[i].ok ? p->q[i].r : NULL;
}

void db_pipe_clear(struct db_pipe *p)
{
    for (int i = 0; i < p->n; i++) {
        PQclear(p->q[i].r);
        p->q[i].r = NULL;
    }
    if (!p->ran && p->db->conn && PQpipelineStatus(p->db->conn) != PQ_PIPELINE_OFF)
        db_disconnect(p->db); /* queued and never sent: the connection cannot be reused as is */
    p->n = 0;
}

void db_cancel(struct db *db)
{
    atomic_store(&db->shutting_down, 1);
    pthread_mutex_lock(&db->cancel_lock);
    if (db->cancel) {
        char why[256];
        if (!PQcancel(db->cancel, why, sizeof why))
            log_warn("could not cancel a statement: %s", why);
    }
    pthread_mutex_unlock(&db->cancel_lock);
}

void db_rollback(struct db *db)
{
    if (!db->in_tx)
        return;
    db->in_tx = false;
    if (db->conn == NULL)
        return;
    db->round_trips++;
    PGresult *r = PQexec(db->conn, "ROLLBACK");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        db_disconnect(db); /* a connection that cannot roll back is not reused */
    PQclear(r);
}

bool db_ping(struct db *db)
{
    struct err e;
    PGresult *r = db_query(db, &e, "SELECT 1", 0, NULL);
    if (r == NULL)
        return false;
    PQclear(r);
    return true;
}

static int db_col(const PGresult *r, const char *name)
{
    int c = PQfnumber(r, name);
    if (c < 0) {
        log_error("result has no column \"%s\"", name);
        abort();
    }
    return c;
}

const char *db_get(const PGresult *r, int row, const char *name)
{
    return PQgetvalue(r, row, db_col(r, name));
}

const uint8_t *db_get_bytes(const PGresult *r, int row, const char *name, size_t *len)
{
    int col = db_col(r, name);
    if (PQfformat(r, col) != 1) {
        log_error("column \"%s\" was read as text where its bytes were wanted", name);
        abort(); /* a programming error, as a missing column is */
    }
    *len = (size_t)PQgetlength(r, row, col);
    return (const uint8_t *)PQgetvalue(r, row, col);
}

bool db_isnull(const PGresult *r, int row, const char *name)
{
    return PQgetisnull(r, row, db_col(r, name));
}

/* Type oids of the binary forms decoded here (PostgreSQL's pg_type.dat). */
enum { OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_FLOAT8 = 701 };

/* Column c of a binary-format result as a big-endian integer of its length. */
static long long db_bin_int(const PGresult *r, int row, int c)
{
    const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, c);
    int len = PQgetlength(r, row, c);
    if (len == 0)
        return 0; /* NULL */
    long long x = (signed char)v[0];
    for (int i = 1; i < len; i++)
        x = x * 256 + v[i];
    return x;
}

static bool db_bin_integral(const PGresult *r, int c)
{
    Oid t = PQftype(r, c);
    return PQfformat(r, c) == 1 && (t == OID_INT2 || t == OID_INT4 || t == OID_INT8);
}

int db_get_int(const PGresult *r, int row, const char *name)
{
    int c = db_col(r, name);
    return db_bin_integral(r, c) ? (int)db_bin_int(r, row, c) : atoi(PQgetvalue(r, row, c));
}

long long db_get_int64(const PGresult *r, int row, const char *name)
{
    int c = db_col(r, name);
    return db_bin_integral(r, c) ? db_bin_int(r, row, c) : atoll(PQgetvalue(r, row, c));
}

double db_get_double(const PGresult *r, int row, const char *name)
{
    int c = db_col(r, name);
    if (PQfformat(r, c) == 1 && PQftype(r, c) == OID_FLOAT8 && PQgetlength(r, row, c) == 8) {
        const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, c);
        uint64_t bits = 0;
        for (int i = 0; i < 8; i++)
            bits = bits << 8 | v[i];
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    return strtod(PQgetvalue(r, row, c), NULL);
}

bool db_get_bool(const PGresult *r, int row, const char *name)
{
    int c = db_col(r, name);
    const char *v = PQgetvalue(r, row, c);
    if (PQfformat(r, c) == 1 && PQftype(r, c) == OID_BOOL)
        return v[0] == 1;
    return v[0] == 't';
}

/* Migration files are trusted text of our own, compiled into the binary, and may hold several
 * statements, which only the simple-query protocol runs: hence PQexec here and nowhere else. */
static int db_exec_script(struct db *db, const char *sql, struct err *e)
{
    PGresult *r = PQexec(db->conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        return db_fail(db, r, e);
    PQclear(r);
    return 0;
}

/* Identifiers cannot be $n parameters, so the statements naming the schema are written by
 * PostgreSQL itself: format()'s %I quotes the identifier, and no SQL text is built in C. */
static const char SQL_MIGRATE_DDL[] =
    "SELECT format('CREATE SCHEMA IF NOT EXISTS %1$I;"
    " CREATE TABLE IF NOT EXISTS %1$I.schema_migrations (version int PRIMARY KEY,"
    " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());"
    " GRANT SELECT ON %1$I.schema_migrations TO PUBLIC', $1::text) AS sql";
static const char SQL_MIGRATE_APPLIED[] =
    "SELECT format('SELECT coalesce(max(version), 0) AS v FROM %I.schema_migrations', $1::text)"
    " AS sql";
static const char SQL_MIGRATE_RECORD[] =
    "SELECT format('INSERT INTO %I.schema_migrations (version, name) VALUES ($1, $2)', $1::text)"
    " AS sql";
static const char SQL_MIGRATE_LOCK[] = "SELECT pg_advisory_lock(hashtext('unic.migrate.' || $1))";
/* For the lock's wait only, in a transaction of its own: set_config(..., true) is SET LOCAL. */
static const char SQL_MIGRATE_NO_TIMEOUTS[] = "SELECT set_config('lock_timeout', '0', true) AS lt,"
                                              " set_config('statement_timeout', '0', true) AS st";
static const char SQL_MIGRATE_UNLOCK[] =
    "SELECT pg_advisory_unlock(hashtext('unic.migrate.' || $1))";

/* The statement PostgreSQL wrote for `schema` from one of the SQL_MIGRATE_* templates. */
static char *db_schema_sql(struct db *db, const char *template, const char *schema, struct err *e)
{
    const char *params[] = {schema};
    PGresult *r = db_query(db, e, template, 1, params);
    if (r == NULL)
        return NULL;
    char *sql = xstrdup(db_get(r, 0, "sql"));
    PQclear(r);
    return sql;
}

int db_migrations_check(struct db *db, const char *schema, const struct migration *m, size_t n,
                        struct err *e)
{
    char *sql = NULL;
    int rc = -1;
    int want = n ? m[n - 1].version : 0;
    if (n == 0) /* a service without tables (scoring): nothing to be behind on */
        return 0;
    if (db_ready(db, e) < 0 || (sql = db_schema_sql(db, SQL_MIGRATE_APPLIED, schema, e)) == NULL)
        return -1;
    PGresult *r = db_query(db, e, sql, 0, NULL);
    free(sql);
    if (r == NULL) {
        char why[sizeof e->msg];
        snprintf(why, sizeof why, "%s", e->msg);
        return err_set(e, e->code == ERR_INTERNAL ? ERR_FAILED_PRECONDITION : e->code,
                       "could not read the migrations of schema %s (UNIC_MIGRATE=check): %s", schema, why);
    }
    int applied = db_get_int(r, 0, "v");
    PQclear(r);
    if (applied < want)
        err_set(e, ERR_FAILED_PRECONDITION, "schema %s is at migration %d, this build needs %d: run "
                "the migration job first (UNIC_MIGRATE=only, as the owner role)", schema, applied, want);
    else if (applied > want)
        err_set(e, ERR_FAILED_PRECONDITION, "schema %s is at migration %d, newer than this build's %d: "
                "deploy the newer build", schema, applied, want);
    else
        rc = 0;
    return rc;
}

int db_migrate(struct db *db, const char *schema, const struct migration *m, size_t n,
               struct err *e)
{
    int rc = -1;
    char *ddl = NULL, *applied_sql = NULL, *record_sql = NULL;
    const char *schema_param[] = {schema};
    if (db_ready(db, e) < 0)
        return -1;
    /* Session-level lock keyed on the schema name: replicas starting together take turns. The
     * wait lasts as long as another replica's migrations do, which the session's lock_timeout
     * and statement_timeout (for calls: 2 s and 10 s) must not cut short: they are lifted for
     * that statement only. The lock outlives the transaction; the limits do not. */
    if (db_begin(db, e) < 0)
        return -1;
    PGresult *r = db_query(db, e, SQL_MIGRATE_NO_TIMEOUTS, 0, NULL);
    if (r != NULL) {
        PQclear(r);
        r = db_query(db, e, SQL_MIGRATE_LOCK, 1, schema_param);
    }
    if (r == NULL) {
        db_rollback(db);
        return -1;
    }
    PQclear(r);
    if (db_commit(db, e) < 0)
        return -1; /* the connection is gone, and the lock with it */

    if ((ddl = db_schema_sql(db, SQL_MIGRATE_DDL, schema, e)) == NULL ||
        db_exec_script(db, ddl, e) < 0 ||
        (applied_sql = db_schema_sql(db, SQL_MIGRATE_APPLIED, schema, e)) == NULL ||
        (record_sql = db_schema_sql(db, SQL_MIGRATE_RECORD, schema, e)) == NULL)
        goto done;
    r = db_query(db, e, applied_sql, 0, NULL);
    if (r == NULL)
        goto done;
    int applied = db_get_int(r, 0, "v");
    PQclear(r);

    for (size_t i = 0; i < n; i++) {
        if (m[i].version <= applied)
            continue;
        char version[16];
        snprintf(version, sizeof version, "%d", m[i].version);
        const char *params[] = {version, m[i].name};
        if (db_begin(db, e) < 0 || db_exec_script(db, m[i].sql, e) < 0 ||
            db_command(db, e, record_sql, 2, params, NULL) < 0 || db_commit(db, e) < 0) {
            db_rollback(db);
            char why[sizeof e->msg];
            snprintf(why, sizeof why, "%s", e->msg);
            err_set(e, e->code, "could not apply migration %s/%s: %s", schema, m[i].name, why);
            goto done;
        }
        log_info("applied migration %s/%s", schema, m[i].name);
    }
    rc = 0;
done:
    if (db->conn) {
        r = db_query(db, NULL, SQL_MIGRATE_UNLOCK, 1, schema_param);
        if (r)
            PQclear(r);
    }
    free(ddl);
    free(applied_sql);
    free(record_sql);
    return rc;
}
