/* db_listen.h: PostgreSQL LISTEN on one channel from a thread of its own, so that a process may
 * keep in memory what rarely changes and learn at once when it does, whichever replica changed
 * it. `on_change` runs on that thread for every notification, and each time the connection is
 * (re)established, since notifications sent while it was down are lost. While db_listen_live is
 * false (not connected yet, or the connection lost), a cache must not trust what it holds.
 * Ownership: db_listen_start returns the caller's listener; db_listen_stop joins its thread,
 * closes its connection and frees it. `arg` stays the caller's. */
#ifndef UNIC_DB_LISTEN_H
#define UNIC_DB_LISTEN_H

#include <stdbool.h>

struct db_listen;

/* `channel`: a constant identifier of lower-case letters and '_'. Returns once the first
 * connection has been tried (live or not). */
struct db_listen *db_listen_start(const char *conninfo, const char *channel,
                                  void (*on_change)(void *arg), void *arg);
bool db_listen_live(struct db_listen *l);
/* NULL-safe. */
void db_listen_stop(struct db_listen *l);

#endif
