/* idem.c: the idempotency protocol over a service's own key table (idem.h). */
#include "idem.h"

#include <string.h>

#include "digest.h"
#include "text.h"

/* 1 with the stored reply sent, 0 when the key is unused, -1 on error. */
static int replay(struct call *c, const struct idem *k, struct err *e)
{
    const char *params[] = {c->principal.key_id, k->request_id};
    PGresult *r = db_query(c->db, e, k->sql->find, 2, params);
    int rc = -1;
    if (r == NULL)
        return -1;
    if (PQntuples(r) == 0) {
        rc = 0;
    } else if (strcmp(db_get(r, 0, "method"), c->method) != 0 ||
               strcmp(db_get(r, 0, "request_hash"), k->hash) != 0) {
        err_field(e, "request_id", "\"%s\" was already used by this key for a different request",
                  k->request_id);
    } else {
        const char *hex = db_get(r, 0, "response");
        size_t len = 0;
        uint8_t *bytes = arena_alloc(&c->arena, strlen(hex) / 2 + 1);
        if (hex_decode(bytes, hex, &len) < 0) {
            err_set(e, ERR_DATA_LOSS, "could not read the stored reply of request_id \"%s\"",
                    k->request_id);
        } else {
            rpc_reply_raw(c, bytes, len);
            rc = 1;
        }
    }
    PQclear(r);
    return rc;
}

int idem_begin(struct call *c, const struct idem_sql *sql, const char *request_id,
               struct idem *buf, struct idem **k, struct err *e)
{
    *k = NULL;
    if (request_id[0] == '\0')
        return 0;
    size_t chars = 0;
    if (!text_valid(request_id, false, &chars) || chars > IDEM_REQUEST_ID_MAX)
        return err_field(e, "request_id", "must be printable UTF-8 of at most %d characters",
                         IDEM_REQUEST_ID_MAX);
    buf->sql = sql;
    buf->request_id = request_id;
    memcpy(buf->hash, c->request_hash, sizeof buf->hash); /* the dispatcher's, for writes */
    *k = buf;
    return replay(c, buf, e);
}

int idem_save(struct call *c, const struct idem *k, const ProtobufCMessage *reply, struct err *e)
{
    if (k == NULL)
        return 0;
    size_t len = protobuf_c_message_get_packed_size(reply);
    uint8_t *buf = arena_alloc(&c->arena, len + 1);
    protobuf_c_message_pack(reply, buf);
    char *hex = arena_alloc(&c->arena, 2 * len + 1);
    hex_encode(hex, buf, len);
    const char *params[] = {c->principal.key_id, k->request_id, c->method, k->hash, hex};
    long affected = 0;
    if (db_command(c->db, e, k->sql->insert, 5, params, &affected) < 0)
        return -1;
    if (affected == 0)
        return err_set(e, ERR_ALREADY_EXISTS, "request_id \"%s\" is being used by a concurrent call",
                       k->request_id);
    return 0;
}

int idem_settle(struct call *c, const struct idem *k, struct err *e)
{
    if (k == NULL || e->code != ERR_ALREADY_EXISTS)
        return -1;
    struct err again;
    err_clear(&again);
    int found = replay(c, k, &again);
    if (found == 1)
        return 0;
    if (found < 0)
        *e = again;
    return -1;
}
