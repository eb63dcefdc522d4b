/* idem.h: the idempotency protocol of writes that carry a request_id (docs/architecture.md,
 * "Idempotent writes"): the reply is stored under (key, request_id) in the transaction of the
 * change, so a retry is answered with the very reply of the first call, and the same id with
 * another request is INVALID_ARGUMENT naming request_id. The table is the service's own (it owns
 * its schema); the service gives its two statements:
 *   find:   $1 principal, $2 request_id -> columns method, request_hash, response (hex)
 *   insert: $1 principal, $2 request_id, $3 method, $4 request_hash, $5 response (hex),
 *           ON CONFLICT DO NOTHING
 * Nothing here owns memory beyond the call's arena. */
#ifndef UNIC_IDEM_H
#define UNIC_IDEM_H

#include <protobuf-c/protobuf-c.h>

#include "err.h"
#include "rpc.h"

enum { IDEM_REQUEST_ID_MAX = 128 };

struct idem_sql {
    const char *find, *insert;
};

/* The key of one write; filled by idem_begin. */
struct idem {
    const struct idem_sql *sql;
    const char *request_id;
    char hash[65];
};

/* Prepares the key of call `c` carrying `request_id` (*k NULL when it is ""): 1 when the call
 * was answered with the reply stored under it (rpc_reply_raw), 0 when the write is to run,
 * -1 with *e set (request_id malformed, or used for another request). */
int idem_begin(struct call *c, const struct idem_sql *sql, const char *request_id,
               struct idem *buf, struct idem **k, struct err *e);
/* Stores `reply` under k (NULL: nothing to do) inside the caller's open transaction;
 * ALREADY_EXISTS when a concurrent twin took the key first. */
int idem_save(struct call *c, const struct idem *k, const ProtobufCMessage *reply, struct err *e);
/* After a failed, rolled-back write: when a concurrent twin took the key (ALREADY_EXISTS), the
 * call is answered with the twin's reply and 0 returned; otherwise -1 with *e as it was. */
int idem_settle(struct call *c, const struct idem *k, struct err *e);

#endif
