/* idem.c: the idempotency protocol over a service's own key table (idem.h). */
#include "idem.h"

#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "log.h"
#include "text.h"

/* The reply stored under key k, as read into r (find, in binary): 1 when the call was answered
 * with it, 0 when the key is unused, -1 on error (INVALID_ARGUMENT when the key was used for
 * another request). */
static int replay_result(struct call *c, const struct idem *k, const PGresult *r, struct err *e)
{
    int rc = -1;
    if (PQntuples(r) == 0) {
        rc = 0;
    } else if (strcmp(db_get(r, 0, "method"), k->method) != 0 ||
               strcmp(db_get(r, 0, "request_hash"), k->hash) != 0) {
        err_field(e, "request_id", "\"%s\" was already used by this key for a different request",
                  k->request_id);
    } else {
        size_t len = 0;
        const uint8_t *reply = db_get_bytes(r, 0, "response", &len);
        rpc_reply_raw(c, arena_memdup(&c->arena, reply, len), len);
        rc = 1;
    }
    return rc;
}

static int replay(struct call *c, const struct idem *k, struct err *e)
{
    const char *params[] = {k->key_id, k->request_id};
    const int lengths[] = {-1, -1};
    PGresult *r = db_query_bytes(c->db, e, k->sql->find, 2, params, lengths, true);
    if (r == NULL)
        return -1;
    int rc = replay_result(c, k, r, e);
    PQclear(r);
    return rc;
}

int idem_key(struct call *c, const struct idem_sql *sql, const char *request_id, struct idem *buf,
             struct idem **k, struct err *e)
{
    *k = NULL;
    if (request_id[0] == '\0')
        return 0;
    size_t chars = 0;
    if (!text_valid(request_id, false, &chars) || chars > IDEM_REQUEST_ID_MAX)
        return err_field(e, "request_id", "must be printable UTF-8 of at most %d characters",
                         IDEM_REQUEST_ID_MAX);
    buf->sql = sql;
    buf->key_id = c->principal.key_id;
    buf->method = c->method;
    buf->request_id = request_id;
    memcpy(buf->hash, c->request_hash, sizeof buf->hash); /* the dispatcher's, for writes */
    *k = buf;
    return 0;
}

int idem_begin(struct call *c, const struct idem_sql *sql, const char *request_id,
               struct idem *buf, struct idem **k, struct err *e)
{
    if (idem_key(c, sql, request_id, buf, k, e) < 0)
        return -1;
    return *k ? replay(c, *k, e) : 0;
}

void idem_claim_queue(struct db_pipe *p, const struct idem *k, int at[2])
{
    at[0] = at[1] = -1;
    if (k == NULL)
        return;
    const char *params[] = {k->key_id, k->request_id, k->method, k->hash};
    /* The claim waits on the unique index while a twin's transaction holds the key; the read
     * after it, a statement of its own, then sees what that twin committed. */
    at[0] = db_pipe_add(p, PGRES_COMMAND_OK, k->sql->claim, 4, params, NULL, NULL, 0);
    at[1] = db_pipe_add(p, PGRES_TUPLES_OK, k->sql->find, 2, params, NULL, NULL, 1);
}

int idem_claimed(struct call *c, const struct idem *k, const struct db_pipe *p, const int at[2],
                 struct err *e)
{
    if (k == NULL)
        return 0;
    PGresult *claim = db_pipe_result(p, at[0]), *held = db_pipe_result(p, at[1]);
    if (claim == NULL || held == NULL)
        return -1; /* *e is the pipeline's: the claim, or what came before it, failed */
    if (atol(PQcmdTuples(claim)) == 1)
        return 0;
    int found = replay_result(c, k, held, e);
    if (found == 0) /* the twin's key was purged between the two statements */
        return err_set(e, ERR_ABORTED, "could not claim request_id \"%s\": try again", k->request_id);
    return found;
}

void idem_store_queue(struct db_pipe *p, const struct idem *k, const uint8_t *reply, size_t len)
{
    if (k == NULL)
        return;
    const char *values[] = {k->key_id, k->request_id, k->method, k->hash, (const char *)reply};
    const int lengths[] = {0, 0, 0, 0, (int)len}, formats[] = {0, 0, 0, 0, 1};
    db_pipe_add(p, PGRES_COMMAND_OK, k->sql->store_upsert, 5, values, lengths, formats, 0);
}

int idem_claim(struct call *c, const struct idem *k, struct err *e)
{
    if (k == NULL)
        return 0;
    const char *params[] = {k->key_id, k->request_id, k->method, k->hash};
    long taken = 0;
    /* Waits on the unique index while a twin's transaction holds the same key. */
    if (db_command(c->db, e, k->sql->claim, 4, params, &taken) < 0)
        return -1;
    if (taken == 1)
        return 0;
    int found = replay(c, k, e);
    if (found == 0) /* the twin's key was purged between the two statements */
        return err_set(e, ERR_ABORTED, "could not claim request_id \"%s\": try again", k->request_id);
    return found;
}

int idem_tx_begin(struct call *c, const struct idem *k, struct err *e)
{
    if (db_begin(c->db, e) < 0)
        return -1;
    int claimed = idem_claim(c, k, e);
    if (claimed != 0)
        db_rollback(c->db);
    return claimed;
}

int idem_open(struct call *c, const struct idem_sql *sql, const char *request_id,
              struct idem *buf, struct idem **k, struct err *e)
{
    int answered = idem_begin(c, sql, request_id, buf, k, e);
    return answered != 0 ? answered : idem_tx_begin(c, *k, e);
}

int idem_store(struct db *db, const struct idem *k, const uint8_t *reply, size_t len,
               struct err *e)
{
    if (k == NULL)
        return 0;
    const char *params[] = {k->key_id, k->request_id, (const char *)reply};
    const int lengths[] = {-1, -1, (int)len};
    long updated = 0;
    if (db_command_bytes(db, e, k->sql->store, 3, params, lengths, &updated) < 0)
        return -1;
    if (updated != 1)
        return err_set(e, ERR_INTERNAL, "request_id \"%s\": the reply has no claimed key to go with",
                       k->request_id);
    return 0;
}

int idem_save(struct call *c, const struct idem *k, const ProtobufCMessage *reply, struct err *e)
{
    if (k == NULL)
        return 0;
    size_t len = protobuf_c_message_get_packed_size(reply);
    uint8_t *buf = arena_alloc(&c->arena, len + 1);
    protobuf_c_message_pack(reply, buf);
    return idem_store(c->db, k, buf, len, e);
}

int idem_purge(struct db *db, const struct idem_sql *sql, long *deleted, struct err *e)
{
    return db_command(db, e, sql->purge, 0, NULL, deleted);
}

void idem_purge_due(atomic_llong *next_ms, struct db *db, const struct idem_sql *sql)
{
    long long now = clock_mono_ms(), at = atomic_load(next_ms);
    if (now < at || !atomic_compare_exchange_strong(next_ms, &at, now + IDEM_PURGE_EVERY_MS))
        return; /* not due, or another thread took this turn */
    struct err e;
    long deleted = 0;
    if (idem_purge(db, sql, &deleted, &e) < 0)
        log_warn("could not purge old idempotency keys: %s", e.msg);
    else if (deleted > 0)
        log_info("purged %ld idempotency keys older than 24 h", deleted);
}
