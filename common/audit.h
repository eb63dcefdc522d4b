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

/* Appends one event for call `c`: its caller (identity, key, label), its method and service,
 * `resource` ("offer/12"), the State the resource belongs to (`state`, NULL or "" for none), the
 * request's idempotency id (NULL or "" for none) and a summary formatted from `fmt`. Must run
 * inside the transaction of the change (INTERNAL otherwise: an event that could outlive a
 * rolled-back change, or a change without its event, is what this log must never hold). */
int audit_append(struct call *c, const char *resource, const char *state, const char *request_id,
                 struct err *e, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* One event as written; audit_append fills it from a call. unic-admin writes its own. */
struct audit_event {
    const char *service, *identity_id, *key_id, *actor, *method, *resource, *state, *summary,
        *request_id; /* identity_id, state and request_id may be NULL or "" */
};
int audit_insert(struct db *db, const struct audit_event *ev, struct err *e);

/* The migrations of the audit schema; every service applies them at start-up. */
extern const struct migration audit_migrations[];
extern const size_t audit_migrations_count;

#endif
