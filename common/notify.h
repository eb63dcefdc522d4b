/* notify.h: notifications to States' webhooks (docs/notifications.md). A service reports an event
 * by writing it to the outbox (notify.outbox, common/sql/notify/) in the transaction of the change
 * that causes it, so that an event exists exactly when its change committed and is never lost;
 * the catalog's delivery worker (services/catalog/webhooks.c) posts it later, at least once, with
 * the same event id on every attempt. Nothing here owns memory. */
#ifndef UNIC_NOTIFY_H
#define UNIC_NOTIFY_H

#include <stddef.h>

#include "db.h"
#include "err.h"

enum { NOTIFY_STATES_MAX = 256 };

/* Writes event `kind` ("reachability_round.started") once for each of the `n` States `states`
 * (ISO 3166-1 alpha-3, repeats counted once) that has an endpoint registered, inside the
 * caller's open transaction (INTERNAL otherwise). `data_json` is a JSON object, the event's
 * "data". *written (may be NULL) gets the number of events written. */
int notify_event(struct db *db, const char *const *states, size_t n, const char *kind,
                 const char *data_json, long *written, struct err *e);

/* The migrations of the notify schema; every service applies them at start-up. */
extern const struct migration notify_migrations[];
extern const size_t notify_migrations_count;

#endif
