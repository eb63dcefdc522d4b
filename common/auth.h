/* auth.h: API keys and the principals they stand for. A caller sends
 * `authorization: Bearer <key>`; the key's SHA-256 is looked up in auth.api_keys and the
 * answer cached in memory for a bounded time, so a revocation takes effect within that time.
 * struct auth is shared by all threads of a process; struct principal is plain data. */
#ifndef UNIC_AUTH_H
#define UNIC_AUTH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"

enum role { ROLE_NONE = 0, ROLE_OPERATOR, ROLE_STATE, ROLE_SERVICE };

/* A STATE_ADMIN and a STATE_DELEGATE are both ROLE_STATE (they read and write their State's
 * data alike); state_admin says which, for AdminService. */
struct principal {
    enum role role;
    char state[4];        /* ISO 3166-1 alpha-3 when role is ROLE_STATE, else "" */
    char key_id[17];      /* public id of the key, for logs and revocation */
    char identity_id[37]; /* the person or machine holding the key; "" for unic-admin's keys */
    bool state_admin;     /* a STATE_ADMIN of `state` */
    int64_t expires;      /* the key's expiry, Unix seconds; 0 = never */
    /* Who acts, as written in logs, audit events and every author field (updated_by,
     * created_by, ...): "Ana Diaz <ana@example.org> (STATE_ADMIN BEN, key 0123456789abcdef)",
     * or "state:KEN/0123456789abcdef" for a key with no identity. */
    char label[256];
};

struct auth_entry;
struct auth {
    pthread_mutex_t lock;
    struct auth_entry *slots; /* open-addressing table of recent lookups */
    size_t nslots, used;
    int ttl_seconds;
};

void auth_init(struct auth *a, int ttl_seconds);
void auth_destroy(struct auth *a);

/* Resolves the `authorization` metadata value (not NUL-terminated, `len` bytes) to a principal.
 * UNAUTHENTICATED when missing, malformed, unknown, revoked or expired; UNAVAILABLE when the
 * database cannot be asked. A lookup that reaches the database records the key's last use, at
 * most once a minute; a cached answer never outlives the key's expiry. */
int auth_authenticate(struct auth *a, struct db *db, const char *header, size_t len,
                      struct principal *out, struct err *e);

/* Lower-case hex SHA-256 of key (65 bytes with the NUL). */
void auth_hash(const char *key, size_t len, char hex[65]);
/* A new random key, "unic_" + 43 base64url characters. */
int auth_key_generate(char out[64], struct err *e);
/* Inserts a key (its hash: the key itself is never stored); storing an active key again with the
 * same role is a no-op. A revoked key stays revoked: FAILED_PRECONDITION. `id_out` (17 bytes,
 * may be NULL) gets the key's id in every case. Returns 1 when the key was stored now, 0 when it
 * was there already, -1 on error. */
int auth_key_store(struct db *db, const char *key, enum role role, const char *state,
                   const char *label, char *id_out, struct err *e);
int auth_key_revoke(struct db *db, const char *id, struct err *e);

/* The principal of a key row's parts, with its label (identity_role "" for no identity). */
void auth_principal_fill(struct principal *p, enum role role, const char *state, const char *key_id,
                         const char *identity_id, const char *identity_role,
                         const char *display_name, const char *email, int64_t expires);

const char *auth_role_name(enum role r);
int auth_role_parse(const char *name, enum role *out);

/* The migrations of the shared auth schema; every service and unic-admin apply them. */
extern const struct migration auth_migrations[];
extern const size_t auth_migrations_count;

#endif
