/* idem.h: the one idempotency protocol of writes that carry a request_id (docs/architecture.md,
 * "Idempotent writes"). The reply of the first call is stored under (key, request_id) in the
 * transaction of its change, so a retry gets that very reply, and the same id with another
 * request (another method, or other bytes: the dispatcher's request hash) is INVALID_ARGUMENT
 * naming request_id. The steps, in every service:
 *   idem_begin   before the transaction: checks request_id; a committed twin answers at once
 *   idem_claim   first statement of the transaction: takes the key. A twin still running
 *                holds it, so this waits for the twin's COMMIT and then answers with its reply
 *                (or goes on, when the twin rolled back): twins never both do the change
 *   idem_store   last statement before COMMIT: the reply, under the claimed key
 * A write rolled back (a failure, or a validate_only dry run) gives the key back with it.
 * The table is the service's own (it owns its schema): IDEM_SQL names it and its key column.
 * Nothing here owns memory beyond the call's arena. */
#ifndef UNIC_IDEM_H
#define UNIC_IDEM_H

#include <stdatomic.h>
#include <stdbool.h>

#include <protobuf-c/protobuf-c.h>

#include "db.h"
#include "err.h"
#include "rpc.h"

enum { IDEM_REQUEST_ID_MAX = 128 };

struct idem_sql {
    const char *find, *claim, *store, *purge;
    const char *store_upsert; /* store, for a pipeline (idem_store_queue) */
};

/* The statements over key table `table` ("catalog.idempotency_keys"), whose columns are
 * `key` (the caller's API key id), request_id, method, request_hash, response (bytea) and
 * created_at, unique on (key, request_id). */
#define IDEM_SQL(table, key)                                                                       \
    {                                                                                              \
        "SELECT method, request_hash, response FROM " table                                        \
        " WHERE " key " = $1 AND request_id = $2",                                                 \
        "INSERT INTO " table " (" key ", request_id, method, request_hash, response)"              \
        " VALUES ($1, $2, $3, $4, ''::bytea) ON CONFLICT (" key ", request_id) DO NOTHING",        \
        "UPDATE " table " SET response = $3::bytea WHERE " key " = $1 AND request_id = $2",         \
        "DELETE FROM " table " WHERE created_at < now() - interval '24 hours'",                    \
        /* An upsert, so that storing cannot fail to find the key claimed earlier in the same    \
         * transaction: its outcome is not read before the COMMIT queued behind it. */           \
        "INSERT INTO " table " AS k (" key ", request_id, method, request_hash, response)"          \
        " VALUES ($1, $2, $3, $4, $5::bytea) ON CONFLICT (" key ", request_id) DO UPDATE"          \
        " SET response = EXCLUDED.response WHERE k.method = EXCLUDED.method"                       \
        " AND k.request_hash = EXCLUDED.request_hash",                                            \
    }

/* The key of one write, filled by idem_begin from the call. */
struct idem {
    const struct idem_sql *sql;
    const char *key_id, *method, *request_id;
    char hash[65];
};

/* Prepares the key of call `c` carrying `request_id` (*k NULL when it is ""): 1 when a committed
 * twin's reply answered the call (rpc_reply_raw), 0 when the write is to run, -1 with *e set
 * (request_id malformed, or used for another request). */
int idem_begin(struct call *c, const struct idem_sql *sql, const char *request_id,
               struct idem *buf, struct idem **k, struct err *e);
/* In the open transaction, before the change: takes key k (NULL: nothing to do). 0 when taken,
 * 1 when a twin that committed meanwhile answered the call (the caller rolls back and returns
 * success), -1 with *e set. */
int idem_claim(struct call *c, const struct idem *k, struct err *e);
/* idem_begin then idem_tx_begin, for a write that has nothing to check in between: 0 with the
 * transaction open (and the key, if any, taken), 1 when the call was answered, -1 with *e set. */
int idem_open(struct call *c, const struct idem_sql *sql, const char *request_id,
              struct idem *buf, struct idem **k, struct err *e);
/* db_begin then idem_claim: 0 with the transaction open and the key (if any) taken; 1 when a
 * twin answered the call (the transaction is closed: return success); -1 with *e set and the
 * transaction closed. */
int idem_tx_begin(struct call *c, const struct idem *k, struct err *e);
/* In the open transaction, after the change: stores the reply (packed) under the key claimed. */
int idem_store(struct db *db, const struct idem *k, const uint8_t *reply, size_t len,
               struct err *e);
int idem_save(struct call *c, const struct idem *k, const ProtobufCMessage *reply, struct err *e);
/* The same steps for a write whose statements go in two pipelines (db.h), round trip one
 * opening the transaction and claiming, round trip two storing and committing:
 *   idem_key          the checks of idem_begin, without its lookup (the claim does it)
 *   idem_claim_queue  queues the claim and the read of the key's holder, whose places in the
 *                     pipeline it writes to at[] for idem_claimed
 *   idem_claimed      after the pipeline ran: 0 when the key is taken (or k is NULL), 1 when a
 *                     twin that committed answered the call (roll back and return success),
 *                     -1 with *e set (the pipeline's own error when the claim did not run)
 *   idem_store_queue  queues the reply's storing under the key (nothing when k is NULL) */
int idem_key(struct call *c, const struct idem_sql *sql, const char *request_id, struct idem *buf,
             struct idem **k, struct err *e);
void idem_claim_queue(struct db_pipe *p, const struct idem *k, int at[2]);
int idem_claimed(struct call *c, const struct idem *k, const struct db_pipe *p, const int at[2],
                 struct err *e);
void idem_store_queue(struct db_pipe *p, const struct idem *k, const uint8_t *reply, size_t len);
/* Deletes the keys of table `sql` older than 24 hours (a retry comes within minutes). */
int idem_purge(struct db *db, const struct idem_sql *sql, long *deleted, struct err *e);
/* idem_purge once *next_ms (monotonic milliseconds, 0 at first: due at once) has passed, then
 * *next_ms an hour on: of the threads that find it due together, one purges. What it deleted is
 * logged; a failure is a warning, and the next turn tries again. Each service calls it where it
 * has a connection at hand: responses and matching after a keyed write, the catalog in its worker. */
enum { IDEM_PURGE_EVERY_MS = 3600 * 1000 };
void idem_purge_due(atomic_llong *next_ms, struct db *db, const struct idem_sql *sql);

#endif
