/* db.h: PostgreSQL access over libpq: parameterised statements only, every result checked against
 * the status expected, transparent reconnect, transactions and numbered migrations.
 * A struct db is one connection, used by one thread at a time (each worker owns one). Results
 * returned by db_query are the caller's, released with PQclear. */
#ifndef UNIC_DB_H
#define UNIC_DB_H

#include <stdbool.h>
#include <stddef.h>

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
};

struct migration {
    int version;
    const char *name;
    const char *sql;
};

/* Connects; a failure is reported but leaves a usable struct that reconnects on next use. */
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

int db_begin(struct db *db, struct err *e);
int db_commit(struct db *db, struct err *e);
/* Rolls back if a transaction is open; safe to call on any path. */
void db_rollback(struct db *db);

/* True when the server answers a trivial query now (reconnecting first if needed). */
bool db_ping(struct db *db);

/* Column `name` of row `row`; "" for NULL. A missing column is a programming error and aborts. */
const char *db_get(const PGresult *r, int row, const char *name);
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

#endif
