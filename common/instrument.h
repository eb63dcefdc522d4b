/* instrument.h: the runtime's own metrics (docs/operations.md, "Metrics"): calls served, their
 * latency and status, calls in flight and waiting for a worker, PostgreSQL statements and
 * connections, Redis hits, misses and outages, calls to other services. One set per process,
 * registered on the service's registry by instrument_init before any thread starts; until then,
 * or when metrics are off, every hook does nothing. */
#ifndef UNIC_INSTRUMENT_H
#define UNIC_INSTRUMENT_H

#include <time.h>

#include "metrics.h"

/* NULL detaches the hooks from the registry they had (call before freeing it). */
void instrument_init(struct metrics *m);

/* Seconds on CLOCK_MONOTONIC since *t0. */
double instrument_seconds_since(const struct timespec *t0);

/* A call of the server: in flight from its arrival to its last batch. */
void instrument_call_arrived(void);
void instrument_call_done(const char *method, int code, double seconds);
/* A worker starts or ends running a handler (the rest of the calls in flight wait). */
void instrument_worker_busy(int delta);
/* One PostgreSQL statement and its outcome (an err_code). */
void instrument_db_statement(double seconds, int code);
/* A PostgreSQL connection opened (+1) or closed (-1). */
void instrument_db_connection(int delta);

enum instrument_cache { CACHE_HIT, CACHE_MISS, CACHE_OUTAGE };
void instrument_cache(enum instrument_cache what);

/* A call to another service ("/pkg.Service/Method") and its status. */
void instrument_client_call(const char *method, int code, double seconds);

#endif
