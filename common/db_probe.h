/* db_probe.h: whether PostgreSQL answers, known without asking it on every health check: one
 * thread pings it on a connection of its own, and Health/Check reads the last answer.
 * Ownership: db_probe_start returns the caller's probe, freed (thread joined, connection closed)
 * by db_probe_stop; db_probe_up may be called from any thread meanwhile. */
#ifndef UNIC_DB_PROBE_H
#define UNIC_DB_PROBE_H

#include <stdbool.h>

/* How often the database is pinged, and how long one ping may take before the database counts
 * as gone: a server that stops answering (a hung host, a partition) is as down as one that
 * refuses connections. Together they bound how late health notices: under 2 s. */
enum { DB_PROBE_INTERVAL_MS = 250, DB_PROBE_STALL_MS = 1500 };

struct db_probe;

/* Pings `conninfo` once before returning (so the first health check already knows), then every
 * interval_ms from a thread of its own. */
struct db_probe *db_probe_start(const char *conninfo, int interval_ms, int stall_ms);
/* True when the last ping succeeded and none has been waiting longer than the stall bound. */
bool db_probe_up(struct db_probe *p);
/* Stops the thread (cancelling a ping in flight) and frees the probe. NULL-safe. */
void db_probe_stop(struct db_probe *p);

#endif
