/* instrument.h: the runtime's own metrics (docs/operations.md, "Metrics"): calls served, their
 * latency and status, calls in flight and waiting for a worker, PostgreSQL statements and
 * connections, Redis hits, misses and outages, calls to other services. One set per process,
 * registered on the service's registry by instrument_init before any thread starts; until then,
 * or when metrics are off, every hook does nothing. */
#ifndef UNIC_INSTRUMENT_H
#define UNIC_INSTRUMENT_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "metrics.h"

/* NULL detaches the hooks from the registry they had (call before freeing it). */
void instrument_init(struct metrics *m);

/* A process's metrics, when `listen` (UNIC_METRICS_LISTEN) is not empty: a registry with the
 * hooks attached and unic_build_info{service=name}, served over HTTP. *m and *http stay NULL
 * when off; -1 with *e set when the listener cannot start. instrument_stop undoes it (NULLs
 * are fine). Used by the services (common/service.c) and the gateway. */
int instrument_start(const char *name, const char *listen, struct metrics **m,
                     struct metrics_http **http, struct err *e);
void instrument_stop(struct metrics *m, struct metrics_http *http);

/* Seconds on CLOCK_MONOTONIC since *t0. */
double instrument_seconds_since(const struct timespec *t0);

/* A call of the server: in flight from its arrival to its last batch. */
void instrument_call_arrived(void);
void instrument_call_done(const char *method, int code, double seconds);

/* The series of one method of the server, found once each and then kept, so that a call does not
 * render and look up its labels again (instrument_call_done and instrument_db_round_trips do):
 * for the dispatcher, whose methods are fixed when it starts. Zeroed memory is a valid empty
 * one. It holds pointers into the registry instrument_init attached: it must not outlive it
 * (the services' registries outlive their servers: common/service.c). */
struct instrument_method {
    _Atomic(struct metric_series *) seconds, round_trips;
    _Atomic(struct metric_series *) calls[17]; /* by gRPC status code */
};
/* instrument_call_done and instrument_db_round_trips for `method`, its series kept in *im. */
void instrument_method_done(struct instrument_method *im, const char *method, int code,
                            double seconds);
void instrument_method_round_trips(struct instrument_method *im, const char *method, uint64_t n);
/* A worker starts or ends running a handler (the rest of the calls in flight wait). */
void instrument_worker_busy(int delta);
/* One PostgreSQL statement and its outcome (an err_code). */
void instrument_db_statement(double seconds, int code);
/* The PostgreSQL round trips (db.h, struct db's round_trips) one handler of `method` made. */
void instrument_db_round_trips(const char *method, uint64_t n);
/* A PostgreSQL connection opened (+1) or closed (-1). */
void instrument_db_connection(int delta);

enum instrument_cache { CACHE_HIT, CACHE_MISS, CACHE_OUTAGE };
void instrument_cache(enum instrument_cache what);

/* A call to another service ("/pkg.Service/Method") and its status. */
void instrument_client_call(const char *method, int code, double seconds);

#endif
