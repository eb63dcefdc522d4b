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

/* The statement that writes one event per row of `rows`, a SELECT (its own $n parameters) giving
 * state_code, kind and data (jsonb), for the rows whose State has an endpoint registered; each
 * event gets its own id, in the outbox row and in the body. For a service whose events come from
 * its own rows (matching: one per match and party), run inside the transaction of the change. */
#define NOTIFY_EVENTS_SQL(rows)                                                                    \
    "WITH r AS (" rows "), e AS (SELECT gen_random_uuid() AS id, r.state_code::text AS state_code,"   \
    " r.kind::text AS kind, r.data::jsonb AS data FROM r"                                           \
    " WHERE r.state_code::text IN (SELECT w.state_code::text FROM notify.webhooks w))"            \
    " INSERT INTO notify.outbox (event_id, state_code, kind, body)"                                \
    " SELECT e.id, e.state_code, e.kind, jsonb_build_object('id', e.id, 'type', e.kind,"           \
    " 'state_code', e.state_code, 'occurred_at',"                                                  \
    " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'data', e.data)::text"  \
    " FROM e"

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
