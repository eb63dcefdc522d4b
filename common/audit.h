/* audit.h: the audit log (audit.events, common/sql/audit/), shared by every service: each appends
 * the changes it makes in the very transaction that makes them, so an event exists exactly when
 * its change was committed. Only AdminService reads it; a trigger refuses UPDATE and DELETE.
 * Nothing here owns memory. */
#ifndef UNIC_AUDIT_H
#define UNIC_AUDIT_H

#include <stddef.h>

#include "db.h"
#include "err.h"
#include "rpc.h"

/* What changed is written as a stable code and its arguments (so that the portal says it in the
 * reader's language: "audit.<code>" in web/messages/<lang>.json, {0}, {1}... for the arguments;
 * test_web_static checks every code below has its message in all six) and, from the code's
 * English form in audit.c's table, as an English sentence for everyone else. An empty argument
 * reads "—" in every language. */
enum { AUDIT_ARGS_MAX = 8 };

/* The arguments of a summary code, as `args, n_args`: AUDIT_ARGS(id, state). */
#define AUDIT_ARGS(...)                                                                            \
    (const char *const[]){__VA_ARGS__},                                                            \
        sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)

/* Appends one event for call `c`: its caller (identity, key, label), its method and service,
 * `resource` ("offer/12"), the State the resource belongs to (`state`, NULL or "" for none), the
 * request's idempotency id (NULL or "" for none) and the summary `code` with its `n_args` args
 * (none NULL). Must run inside the transaction of the change (INTERNAL otherwise: an event that
 * could outlive a rolled-back change, or a change without its event, is what this log must never
 * hold); a code not in the table, or too few arguments for its English form, is INTERNAL too. */
int audit_append(struct call *c, const char *resource, const char *state, const char *request_id,
                 const char *code, const char *const *args, size_t n_args, struct err *e);

/* One event as written; audit_append fills it from a call. unic-admin writes its own. */
struct audit_event {
    const char *service, *identity_id, *key_id, *actor, *method, *resource, *state,
        *request_id; /* identity_id, state and request_id may be NULL or "" */
    const char *code;        /* the summary, one of the table's codes */
    const char *const *args; /* its n_args arguments */
    size_t n_args;
};
int audit_insert(struct db *db, const struct audit_event *ev, struct err *e);

/* The English sentence of summary `code` with its args into out[size] (cut at a UTF-8 boundary
 * when long); -1 when the code is unknown or an argument its form names is missing. */
int audit_summary(const char *code, const char *const *args, size_t n_args, char *out, size_t size);

/* The migrations of the audit schema; every service applies them at start-up. */
extern const struct migration audit_migrations[];
extern const size_t audit_migrations_count;

#endif
