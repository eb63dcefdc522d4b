/* auth.c: key hashing, generation and lookup. Lookups are cached per process for at most
 * ttl_seconds (60 s at most), which bounds how long a revoked key keeps working. */
#include "auth.h"

#include "digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>


#include "log.h"
#include "mem.h"

struct auth_entry {
    char hash[65]; /* "" = empty slot */
    bool unknown;  /* a negative entry: no active key has this hash */
    struct principal p;
    time_t expires;
};

/* An unknown key is remembered this long (at most the positive TTL), so that a flood with one
 * bad key costs the database one lookup, not one per call; a key created meanwhile works at
 * most this much later. */
enum { AUTH_SLOTS = 4096, AUTH_NEGATIVE_SECONDS = 5 };

/* One round trip: the key with its identity, and its last use recorded when the recorded one is
 * over a minute old (so a busy key costs one small write a minute per replica, not one a call). */
static const char SQL_LOOKUP[] =
    "WITH k AS ("
    " SELECT k.id, k.role, coalesce(k.state_code, '') AS state_code,"
    " coalesce(i.id, '') AS identity_id, coalesce(i.role, '') AS identity_role,"
    " coalesce(i.display_name, '') AS display_name, coalesce(i.email, '') AS email,"
    " coalesce(extract(epoch FROM k.expires_at)::bigint, 0) AS expires,"
    " k.revoked_at IS NOT NULL AS revoked, k.expires_at <= now() AS expired,"
    " k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute' AS stale"
    " FROM auth.api_keys k LEFT JOIN auth.identities i ON i.id = k.identity_id"
    " WHERE k.key_hash = $1),"
    " touched AS (UPDATE auth.api_keys a SET last_used_at = now() FROM k"
    " WHERE a.id = k.id AND k.stale AND NOT k.revoked AND k.expired IS NOT TRUE RETURNING a.id)"
    " SELECT k.*, (SELECT count(*) FROM touched) AS touched FROM k";
/* No conflict target: two replicas starting at once insert the same bootstrap key, and the one
 * that waits meets the other's row on the primary key (the id is the hash's prefix) before the
 * key_hash index, which ON CONFLICT (key_hash) would not catch. */
static const char SQL_STORE[] =
    "INSERT INTO auth.api_keys (id, key_hash, role, state_code, label)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
/* A key stored before is left as it is: above all, a revocation is never undone by storing the
 * same key again (as every start-up does with the bootstrap key). */
static const char SQL_STORED[] =
    "SELECT role, coalesce(state_code, '') AS state_code, revoked_at IS NOT NULL AS revoked"
    " FROM auth.api_keys WHERE key_hash = $1";
static const char SQL_REVOKE[] =
    "UPDATE auth.api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL";

void auth_init(struct auth *a, int ttl_seconds)
{
    pthread_mutex_init(&a->lock, NULL);
    a->nslots = AUTH_SLOTS;
    a->slots = xcalloc(a->nslots, sizeof *a->slots);
    a->used = 0;
    a->ttl_seconds = ttl_seconds;
}

void auth_destroy(struct auth *a)
{
    free(a->slots);
    a->slots = NULL;
    pthread_mutex_destroy(&a->lock);
}

void auth_hash(const char *key, size_t len, char hex[65])
{
    sha256_hex(key, len, hex);
}

int auth_key_generate(char out[64], struct err *e)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[43];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return err_set(e, ERR_INTERNAL, "could not read random bytes for a key");
    memcpy(out, "unic_", 5);
    for (size_t i = 0; i < sizeof raw; i++)
        out[5 + i] = alphabet[raw[i] & 63];
    out[5 + sizeof raw] = '\0';
    return 0;
}

const char *auth_role_name(enum role r)
{
    switch (r) {
    case ROLE_OPERATOR: return "OPERATOR";
    case ROLE_STATE: return "STATE";
    case ROLE_SERVICE: return "SERVICE";
    default: return "NONE";
    }
}

int auth_role_parse(const char *name, enum role *out)
{
    static const struct { const char *name; enum role role; } roles[] = {
        {"OPERATOR", ROLE_OPERATOR}, {"operator", ROLE_OPERATOR}, {"STATE", ROLE_STATE},
        {"state", ROLE_STATE},       {"SERVICE", ROLE_SERVICE},   {"service", ROLE_SERVICE},
    };
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        if (strcmp(name, roles[i].name) == 0) {
            *out = roles[i].role;
            return 0;
        }
    }
    return -1;
}

void auth_principal_fill(struct principal *p, enum role role, const char *state, const char *key_id,
                         const char *identity_id, const char *identity_role,
                         const char *display_name, const char *email, int64_t expires)
{
    memset(p, 0, sizeof *p);
    p->role = role;
    snprintf(p->state, sizeof p->state, "%s", state);
    snprintf(p->key_id, sizeof p->key_id, "%s", key_id);
    snprintf(p->identity_id, sizeof p->identity_id, "%s", identity_id);
    p->state_admin = role == ROLE_STATE && strcmp(identity_role, "STATE_ADMIN") == 0;
    p->expires = expires;
    /* Names and e-mails are bounded at creation (services/catalog/admin.c), so this never cuts
     * a UTF-8 sequence. */
    if (identity_id[0])
        snprintf(p->label, sizeof p->label, "%s <%s> (%s%s%s, key %s)", display_name, email,
                 identity_role, p->state[0] ? " " : "", p->state, p->key_id);
    else if (role == ROLE_STATE)
        snprintf(p->label, sizeof p->label, "state:%s/%.16s", p->state, p->key_id);
    else
        snprintf(p->label, sizeof p->label, "%s/%.16s", role == ROLE_OPERATOR ? "operator" : "service",
                 p->key_id);
}

/* The slot for `hash`: its entry, or the empty slot where it would go. Caller holds the lock. */
static struct auth_entry *auth_slot(struct auth *a, const char *hash)
{
    char head[9];
    memcpy(head, hash, 8);
    head[8] = '\0';
    size_t i = strtoul(head, NULL, 16) % a->nslots; /* the hash is uniform: its head will do */
    for (;; i = (i + 1) % a->nslots) {
        struct auth_entry *s = &a->slots[i];
        if (s->hash[0] == '\0' || strcmp(s->hash, hash) == 0)
            return s;
    }
}

/* True when `hash` has a live entry; *unknown says whether it is a negative one. */
static bool auth_cached(struct auth *a, const char *hash, struct principal *out, bool *unknown)
{
    bool found = false;
    pthread_mutex_lock(&a->lock);
    struct auth_entry *s = auth_slot(a, hash);
    if (s->hash[0] && s->expires > time(NULL)) {
        *out = s->p;
        *unknown = s->unknown;
        found = true;
    }
    pthread_mutex_unlock(&a->lock);
    return found;
}

/* p NULL: remember that no active key has this hash. */
static void auth_remember(struct auth *a, const char *hash, const struct principal *p)
{
    int ttl = p ? a->ttl_seconds
                : (a->ttl_seconds < AUTH_NEGATIVE_SECONDS ? a->ttl_seconds : AUTH_NEGATIVE_SECONDS);
    if (ttl <= 0)
        return;
    pthread_mutex_lock(&a->lock);
    /* Keep the table at most half full; when it fills, start over rather than evict piecemeal. */
    if (a->used >= a->nslots / 2) {
        memset(a->slots, 0, a->nslots * sizeof *a->slots);
        a->used = 0;
    }
    struct auth_entry *s = auth_slot(a, hash);
    if (s->hash[0] == '\0')
        a->used++;
    memcpy(s->hash, hash, 65);
    s->unknown = p == NULL;
    if (p)
        s->p = *p;
    else
        memset(&s->p, 0, sizeof s->p);
    s->expires = time(NULL) + ttl;
    if (p && p->expires > 0 && p->expires < s->expires) /* an expired key is never served from here */
        s->expires = (time_t)p->expires;
    pthread_mutex_unlock(&a->lock);
}

int auth_authenticate(struct auth *a, struct db *db, const char *header, size_t len,
                      struct principal *out, struct err *e)
{
    static const char scheme[] = "Bearer ";
    if (header == NULL || len == 0)
        return err_set(e, ERR_UNAUTHENTICATED, "missing authorization: send \"authorization: Bearer <key>\"");
    if (len <= sizeof scheme - 1 || strncasecmp(header, scheme, sizeof scheme - 1) != 0 || len > 512)
        return err_set(e, ERR_UNAUTHENTICATED, "malformed authorization: expected \"Bearer <key>\"");
    char hash[65];
    auth_hash(header + sizeof scheme - 1, len - (sizeof scheme - 1), hash);
    bool unknown = false;
    if (auth_cached(a, hash, out, &unknown)) {
        if (unknown)
            return err_set(e, ERR_UNAUTHENTICATED, "unknown or revoked key");
        return 0;
    }

    const char *params[] = {hash};
    PGresult *r = db_query(db, e, SQL_LOOKUP, 1, params);
    if (r == NULL)
        return err_set(e, ERR_UNAVAILABLE, "could not check the key: %s", e->msg);
    if (PQntuples(r) != 1 || db_get_bool(r, 0, "revoked")) {
        PQclear(r);
        auth_remember(a, hash, NULL);
        return err_set(e, ERR_UNAUTHENTICATED, "unknown or revoked key");
    }
    if (db_get_bool(r, 0, "expired")) {
        err_set(e, ERR_UNAUTHENTICATED, "key %s has expired: ask its administrator for a new one",
                db_get(r, 0, "id"));
        PQclear(r);
        auth_remember(a, hash, NULL);
        return -1;
    }
    enum role role = ROLE_NONE;
    auth_role_parse(db_get(r, 0, "role"), &role);
    auth_principal_fill(out, role, db_get(r, 0, "state_code"), db_get(r, 0, "id"),
                        db_get(r, 0, "identity_id"), db_get(r, 0, "identity_role"),
                        db_get(r, 0, "display_name"), db_get(r, 0, "email"),
                        db_get_int64(r, 0, "expires"));
    PQclear(r);
    auth_remember(a, hash, out);
    return 0;
}

int auth_key_store(struct db *db, const char *key, enum role role, const char *state,
                   const char *label, char *id_out, struct err *e)
{
    char hash[65], id[17];
    auth_hash(key, strlen(key), hash);
    memcpy(id, hash, 16);
    id[16] = '\0';
    const char *params[] = {id, hash, auth_role_name(role), role == ROLE_STATE ? state : NULL,
                            label ? label : ""};
    long inserted = 0;
    if (db_command(db, e, SQL_STORE, 5, params, &inserted) < 0)
        return -1;
    if (id_out)
        memcpy(id_out, id, 17);
    if (inserted == 1)
        return 1;
    const char *hash_param[] = {hash};
    PGresult *r = db_query(db, e, SQL_STORED, 1, hash_param);
    if (r == NULL)
        return -1;
    int rc = 0;
    if (PQntuples(r) != 1)
        rc = err_set(e, ERR_ABORTED, "key %s was removed while being stored", id);
    else if (db_get_bool(r, 0, "revoked"))
        rc = err_set(e, ERR_FAILED_PRECONDITION,
                     "key %s was revoked, and a revoked key is never re-enabled: issue a new one", id);
    else if (strcmp(db_get(r, 0, "role"), params[2]) != 0 ||
             strcmp(db_get(r, 0, "state_code"), params[3] ? params[3] : "") != 0)
        rc = err_set(e, ERR_ALREADY_EXISTS, "key %s already exists as %s %s", id,
                     db_get(r, 0, "role"), db_get(r, 0, "state_code"));
    PQclear(r);
    return rc;
}

int auth_key_revoke(struct db *db, const char *id, struct err *e)
{
    long n = 0;
    const char *params[] = {id};
    if (db_command(db, e, SQL_REVOKE, 1, params, &n) < 0)
        return -1;
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, "no active key with id \"%s\"", id);
    return 0;
}
