/* admin_store.c: the SQL of AdminService: identities and keys in the auth schema, the audit log
 * in the audit schema (both shared by the suite, see common/sql/), Member States from
 * catalog.states. Columns by name, parameters only, results cleared on every path. Each write is
 * one function and one transaction, with its audit event. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "audit.h"
#include "auth.h"
#include "catalog.h"
#include "db_values.h"

#define RFC3339(col) "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"

static const char SQL_STATE_MEMBER[] = "SELECT count(*) AS n FROM catalog.states WHERE code = $1";

#define IDENTITY_COLUMNS                                                                           \
    "id, display_name, email, role, coalesce(state_code, '') AS state_code, "                    \
    RFC3339("created_at") " AS created_at, created_by"
static const char SQL_IDENTITY_INSERT[] =
    "INSERT INTO auth.identities (display_name, email, role, state_code, created_by)"
    " VALUES ($1, $2, $3, NULLIF($4, ''), $5) RETURNING " IDENTITY_COLUMNS;
static const char SQL_IDENTITY_GET[] =
    "SELECT " IDENTITY_COLUMNS " FROM auth.identities WHERE id = $1";
static const char SQL_IDENTITIES[] =
    "SELECT " IDENTITY_COLUMNS " FROM auth.identities"
    " WHERE $1 = '' OR state_code = $1 ORDER BY state_code NULLS FIRST, lower(email)";

/* A key's role as AdminService names it: its identity's, or for unic-admin's keys (no identity)
 * the nearest: a STATE key acts as a delegate. */
#define KEY_COLUMNS                                                                                \
    "k.id, coalesce(k.identity_id, '') AS identity_id, k.label,"                                  \
    " coalesce(i.role, CASE k.role WHEN 'STATE' THEN 'STATE_DELEGATE' ELSE k.role END) AS role,"  \
    " coalesce(k.state_code, '') AS state_code, " RFC3339("k.created_at") " AS created_at, "     \
    RFC3339("k.expires_at") " AS expires_at, " RFC3339("k.last_used_at") " AS last_used_at, "    \
    RFC3339("k.revoked_at") " AS revoked_at, coalesce(k.replaced_by, '') AS replaced_by"
static const char SQL_KEY_INSERT[] =
    "INSERT INTO auth.api_keys (id, key_hash, role, state_code, label, identity_id, expires_at)"
    " VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, now() + make_interval(days => $7::int))";
static const char SQL_KEY_GET[] =
    "SELECT " KEY_COLUMNS " FROM auth.api_keys k LEFT JOIN auth.identities i ON i.id = k.identity_id"
    " WHERE k.id = $1";
static const char SQL_KEYS[] =
    "SELECT " KEY_COLUMNS " FROM auth.api_keys k LEFT JOIN auth.identities i ON i.id = k.identity_id"
    " WHERE ($1 = '' OR k.identity_id = $1) AND ($2 = '' OR i.state_code = $2)"
    " ORDER BY k.created_at, k.id";
static const char SQL_KEY_REVOKE[] =
    "UPDATE auth.api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL";
static const char SQL_KEY_RETIRE[] =
    "UPDATE auth.api_keys SET replaced_by = $2,"
    " expires_at = least(coalesce(expires_at, 'infinity'), now() + make_interval(secs => $3::int))"
    " WHERE id = $1 AND revoked_at IS NULL";

static const char SQL_AUDIT[] =
    "SELECT id, " RFC3339("at") " AS at, service, coalesce(identity_id, '') AS identity_id, key_id,"
    " actor, method, resource, coalesce(state_code, '') AS state_code, summary, request_id,"
    " summary_code, cardinality(summary_args) AS n_args, array_to_string(summary_args, chr(31)) AS args"
    " FROM audit.events"
    " WHERE ($1 = '' OR at >= $1::timestamptz) AND ($2 = '' OR at < $2::timestamptz)"
    "   AND ($3 = '' OR identity_id = $3)"
    "   AND ($4 = '' OR resource = $4 OR (right($4, 1) = '/' AND starts_with(resource, $4)))"
    "   AND ($5 = '' OR state_code = $5)"
    "   AND ($6::bigint = 0 OR id < $6::bigint)"
    " ORDER BY id DESC LIMIT $7::int";

static Unic__Admin__V1__Role role_value(const char *name)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value_by_name(&unic__admin__v1__role__descriptor, name);
    return v ? (Unic__Admin__V1__Role)v->value : UNIC__ADMIN__V1__ROLE__ROLE_UNSPECIFIED;
}

static Identity *identity_row(struct arena *a, const PGresult *r, int row)
{
    Identity *x = ARENA_MSG(a, Identity, UNIC__ADMIN__V1__IDENTITY__INIT);
    x->id = arena_strdup(a, db_get(r, row, "id"));
    x->display_name = arena_strdup(a, db_get(r, row, "display_name"));
    x->email = arena_strdup(a, db_get(r, row, "email"));
    x->role = role_value(db_get(r, row, "role"));
    x->state_code = arena_strdup(a, db_get(r, row, "state_code"));
    x->created_at = arena_strdup(a, db_get(r, row, "created_at"));
    x->created_by = arena_strdup(a, db_get(r, row, "created_by"));
    return x;
}

static Key *key_row(struct arena *a, const PGresult *r, int row)
{
    Key *k = ARENA_MSG(a, Key, UNIC__ADMIN__V1__KEY__INIT);
    k->id = arena_strdup(a, db_get(r, row, "id"));
    k->identity_id = arena_strdup(a, db_get(r, row, "identity_id"));
    k->label = arena_strdup(a, db_get(r, row, "label"));
    k->role = role_value(db_get(r, row, "role"));
    k->state_code = arena_strdup(a, db_get(r, row, "state_code"));
    k->created_at = arena_strdup(a, db_get(r, row, "created_at"));
    k->expires_at = arena_strdup(a, db_get(r, row, "expires_at"));
    k->last_used_at = arena_strdup(a, db_get(r, row, "last_used_at"));
    k->revoked_at = arena_strdup(a, db_get(r, row, "revoked_at"));
    k->replaced_by = arena_strdup(a, db_get(r, row, "replaced_by"));
    return k;
}

int admin_store_state_member(struct db *db, const char *code, bool *member, struct err *e)
{
    const char *params[] = {code};
    PGresult *r = db_query(db, e, SQL_STATE_MEMBER, 1, params);
    if (r == NULL)
        return -1;
    *member = db_get_int(r, 0, "n") == 1;
    PQclear(r);
    return 0;
}

static int identity_insert(struct db *db, struct arena *a, const char *display_name, const char *email,
                           const char *role, const char *state, const char *created_by, Identity **out,
                           struct err *e)
{
    const char *params[] = {display_name, email, role, state, created_by};
    PGresult *r = db_query(db, e, SQL_IDENTITY_INSERT, 5, params);
    if (r == NULL) {
        if (e->code == ERR_ALREADY_EXISTS)
            err_set(e, ERR_ALREADY_EXISTS, "could not create identity: e-mail \"%s\" is taken", email);
        return -1;
    }
    *out = identity_row(a, r, 0);
    PQclear(r);
    return 0;
}

int admin_store_identity_get(struct db *db, struct arena *a, const char *id, Identity **out,
                             struct err *e)
{
    const char *params[] = {id};
    PGresult *r = db_query(db, e, SQL_IDENTITY_GET, 1, params);
    if (r == NULL)
        return -1;
    *out = PQntuples(r) == 1 ? identity_row(a, r, 0) : NULL;
    PQclear(r);
    return 0;
}

int admin_store_identities_list(struct db *db, struct arena *a, const char *state,
                                Identity ***out, size_t *n, struct err *e)
{
    const char *params[] = {state};
    PGresult *r = db_query(db, e, SQL_IDENTITIES, 1, params);
    if (r == NULL)
        return -1;
    *n = (size_t)PQntuples(r);
    *out = ARENA_ARRAY(a, Identity *, *n);
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = identity_row(a, r, (int)i);
    PQclear(r);
    return 0;
}

/* The principal role a key of an identity's role authenticates as (common/auth.h). */
static const char *principal_role(Unic__Admin__V1__Role role)
{
    switch (role) {
    case UNIC__ADMIN__V1__ROLE__OPERATOR: return "OPERATOR";
    case UNIC__ADMIN__V1__ROLE__SERVICE: return "SERVICE";
    default: return "STATE";
    }
}

/* Stores the hash of `secret` as a key of `who`, valid for `days` days from now. */
static int key_insert(struct db *db, struct arena *a, const char *secret, const Identity *who,
                      const char *label, int days, Key **out, struct err *e)
{
    char hash[65], id[17], ndays[16];
    auth_hash(secret, strlen(secret), hash);
    memcpy(id, hash, 16);
    id[16] = '\0';
    snprintf(ndays, sizeof ndays, "%d", days);
    const char *params[] = {id, hash, principal_role(who->role), who->state_code, label, who->id, ndays};
    if (db_command(db, e, SQL_KEY_INSERT, 7, params, NULL) < 0)
        return -1;
    return admin_store_key_get(db, a, id, out, e);
}

int admin_store_key_get(struct db *db, struct arena *a, const char *id, Key **out, struct err *e)
{
    const char *params[] = {id};
    PGresult *r = db_query(db, e, SQL_KEY_GET, 1, params);
    if (r == NULL)
        return -1;
    *out = PQntuples(r) == 1 ? key_row(a, r, 0) : NULL;
    PQclear(r);
    return 0;
}

int admin_store_keys_list(struct db *db, struct arena *a, const char *identity_id,
                          const char *state, Key ***out, size_t *n, struct err *e)
{
    const char *params[] = {identity_id, state};
    PGresult *r = db_query(db, e, SQL_KEYS, 2, params);
    if (r == NULL)
        return -1;
    *n = (size_t)PQntuples(r);
    *out = ARENA_ARRAY(a, Key *, *n);
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = key_row(a, r, (int)i);
    PQclear(r);
    return 0;
}

/* Revokes an active key: FAILED_PRECONDITION when it was revoked already. */
static int key_revoke(struct db *db, const char *id, struct err *e)
{
    long n = 0;
    const char *params[] = {id};
    if (db_command(db, e, SQL_KEY_REVOKE, 1, params, &n) < 0)
        return -1;
    if (n == 0)
        return err_set(e, ERR_FAILED_PRECONDITION, "could not revoke key %s: it is revoked already", id);
    return 0;
}

/* The old key of a rotation: valid `grace_seconds` more at most, replaced by `new_id`. */
static int key_retire(struct db *db, const char *id, const char *new_id, int grace_seconds,
                      struct err *e)
{
    char grace[16];
    snprintf(grace, sizeof grace, "%d", grace_seconds);
    long n = 0;
    const char *params[] = {id, new_id, grace};
    if (db_command(db, e, SQL_KEY_RETIRE, 3, params, &n) < 0)
        return -1;
    if (n == 0)
        return err_set(e, ERR_FAILED_PRECONDITION, "could not rotate key %s: it is revoked", id);
    return 0;
}

int admin_store_audit_list(struct db *db, struct arena *a, const struct audit_filter *f,
                           AuditEvent ***out, size_t *n, bool *more, struct err *e)
{
    char before[24], limit[16];
    snprintf(before, sizeof before, "%lld", f->before_id);
    snprintf(limit, sizeof limit, "%d", f->limit + 1); /* one more says whether a page follows */
    const char *params[] = {f->since, f->until, f->identity_id, f->resource, f->state, before, limit};
    PGresult *r = db_query(db, e, SQL_AUDIT, 7, params);
    if (r == NULL)
        return -1;
    size_t rows = (size_t)PQntuples(r);
    *more = rows > (size_t)f->limit;
    *n = *more ? (size_t)f->limit : rows;
    *out = ARENA_ARRAY(a, AuditEvent *, *n);
    for (size_t i = 0; i < *n; i++) {
        int row = (int)i;
        AuditEvent *v = ARENA_MSG(a, AuditEvent, UNIC__ADMIN__V1__AUDIT_EVENT__INIT);
        v->id = db_get_int64(r, row, "id");
        v->at = arena_strdup(a, db_get(r, row, "at"));
        v->service = arena_strdup(a, db_get(r, row, "service"));
        v->identity_id = arena_strdup(a, db_get(r, row, "identity_id"));
        v->key_id = arena_strdup(a, db_get(r, row, "key_id"));
        v->actor = arena_strdup(a, db_get(r, row, "actor"));
        v->method = arena_strdup(a, db_get(r, row, "method"));
        v->resource = arena_strdup(a, db_get(r, row, "resource"));
        v->state_code = arena_strdup(a, db_get(r, row, "state_code"));
        v->summary = arena_strdup(a, db_get(r, row, "summary"));
        v->request_id = arena_strdup(a, db_get(r, row, "request_id"));
        v->summary_code = arena_strdup(a, db_get(r, row, "summary_code"));
        /* one empty argument reads back as "", which splits into none */
        size_t want = (size_t)db_get_int64(r, row, "n_args");
        db_list_split(a, db_get(r, row, "args"), &v->summary_args, &v->n_summary_args);
        if (v->n_summary_args < want) {
            v->summary_args = ARENA_ARRAY(a, char *, want);
            for (size_t j = 0; j < want; j++)
                v->summary_args[j] = arena_strdup(a, "");
            v->n_summary_args = want;
        }
        (*out)[i] = v;
    }
    PQclear(r);
    return 0;
}

/* ---- The writes: one function, one transaction each, its audit event in it ---- */

int admin_store_identity_create(struct call *c, const char *display_name, const char *email,
                                const char *role, const char *state, Identity **out, struct err *e)
{
    if (db_begin(c->db, e) < 0)
        return -1;
    return catalog_tx_end(c->db,
                          identity_insert(c->db, &c->arena, display_name, email, role, state,
                                          c->principal.label, out, e) == 0 &&
                              audit_append(c, arena_printf(&c->arena, "identity/%s", (*out)->id), state, NULL,
                                           *state ? "identity-created-for-state" : "identity-created",
                                           AUDIT_ARGS(display_name, email, role, state), e) == 0,
                          e);
}

int admin_store_key_create(struct call *c, const char *secret, const Identity *who, const char *label,
                           int days, Key **out, struct err *e)
{
    if (db_begin(c->db, e) < 0)
        return -1;
    return catalog_tx_end(c->db,
                          key_insert(c->db, &c->arena, secret, who, label, days, out, e) == 0 &&
                              audit_append(c, arena_printf(&c->arena, "key/%s", (*out)->id), who->state_code,
                                           NULL, "key-created",
                                           AUDIT_ARGS((*out)->id, label, who->display_name, who->email,
                                                      (*out)->expires_at), e) == 0,
                          e);
}

int admin_store_key_revoke(struct call *c, const Key *key, const Identity *who, Key **out,
                           struct err *e)
{
    if (db_begin(c->db, e) < 0)
        return -1;
    return catalog_tx_end(c->db,
                          key_revoke(c->db, key->id, e) == 0 &&
                              audit_append(c, arena_printf(&c->arena, "key/%s", key->id),
                                           who ? who->state_code : key->state_code, NULL, "key-revoked",
                                           AUDIT_ARGS(key->id, key->label, who ? who->email : ""), e) == 0 &&
                              admin_store_key_get(c->db, &c->arena, key->id, out, e) == 0,
                          e);
}

int admin_store_key_rotate(struct call *c, const Key *old, const Identity *who, const char *secret,
                           const char *label, int days, int grace_seconds, Key **out, struct err *e)
{
    if (db_begin(c->db, e) < 0)
        return -1;
    return catalog_tx_end(c->db,
                          key_insert(c->db, &c->arena, secret, who, label, days, out, e) == 0 &&
                              key_retire(c->db, old->id, (*out)->id, grace_seconds, e) == 0 &&
                              audit_append(c, arena_printf(&c->arena, "key/%s", old->id), who->state_code,
                                           NULL, "key-rotated",
                                           AUDIT_ARGS(old->id, who->display_name, who->email, (*out)->id,
                                                      arena_printf(&c->arena, "%d", grace_seconds)), e) == 0,
                          e);
}
