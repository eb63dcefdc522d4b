/* admin.h: AdminService inside the catalog: identities, their keys and the audit log. The SQL is
 * in admin_store.c (the auth and audit schemas, shared by the suite, and catalog.states for
 * Member States); the handlers and their rules in admin.c. Store results live in the caller's
 * arena. */
#ifndef UNIC_CATALOG_ADMIN_H
#define UNIC_CATALOG_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "mem.h"
#include "rpc.h"
#include "unic/admin/v1/admin.pb-c.h"

extern const struct rpc_service admin_rpc;

typedef Unic__Admin__V1__Identity Identity;
typedef Unic__Admin__V1__Key Key;
typedef Unic__Admin__V1__AuditEvent AuditEvent;

/* True in *member when `code` is one of the UN Member States of data/un_member_states.tsv. */
int admin_store_state_member(struct db *db, const char *code, bool *member, struct err *e);

/* *out NULL when there is no such identity. */
int admin_store_identity_get(struct db *db, struct arena *a, const char *id, Identity **out,
                             struct err *e);
/* Every identity, or those of `state` when not "", by State then e-mail. */
int admin_store_identities_list(struct db *db, struct arena *a, const char *state,
                                Identity ***out, size_t *n, struct err *e);

/* *out NULL when there is no such key. */
int admin_store_key_get(struct db *db, struct arena *a, const char *id, Key **out, struct err *e);
/* Keys of `identity_id` (or all when ""), limited to identities of `state` when not "". */
int admin_store_keys_list(struct db *db, struct arena *a, const char *identity_id,
                          const char *state, Key ***out, size_t *n, struct err *e);
/* The writes, one transaction each, its audit event written in it: committed when 0 is
 * returned, rolled back when -1 is (with *e set). */
/* Inserts the identity; ALREADY_EXISTS naming the e-mail when one has it already. *out gets it
 * as stored (id and created_at assigned). */
int admin_store_identity_create(struct call *c, const char *display_name, const char *email,
                                const char *role, const char *state, Identity **out, struct err *e);
/* Stores the hash of `secret` as a key of `who`, valid for `days` days from now. */
int admin_store_key_create(struct call *c, const char *secret, const Identity *who, const char *label,
                           int days, Key **out, struct err *e);
/* Revokes an active key (FAILED_PRECONDITION when it was revoked already); *out: as it now is. */
int admin_store_key_revoke(struct call *c, const Key *key, const Identity *who, Key **out,
                           struct err *e);
/* A new key for `who` from `secret`, and the old key valid `grace_seconds` more at most, replaced
 * by it (FAILED_PRECONDITION when the old one is revoked); *out: the new key. */
int admin_store_key_rotate(struct call *c, const Key *old, const Identity *who, const char *secret,
                           const char *label, int days, int grace_seconds, Key **out, struct err *e);

struct audit_filter {
    const char *since, *until;  /* RFC 3339 or "" */
    const char *identity_id;    /* or "" */
    const char *resource;       /* exact, or a prefix when it ends in '/'; or "" */
    const char *state;          /* only this State's events, or "" for all */
    long long before_id;        /* keyset: events with a smaller id; 0 = from the newest */
    int limit;
};
/* Up to f->limit events, newest first; *more when another page follows. */
int admin_store_audit_list(struct db *db, struct arena *a, const struct audit_filter *f,
                           AuditEvent ***out, size_t *n, bool *more, struct err *e);

#endif
