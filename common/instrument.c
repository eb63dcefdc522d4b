/* instrument.c: the families of instrument.h and their hooks. Families are created once, so a
 * hook costs a series lookup (labelled ones) and an atomic add on the thread's own shard. */
#include "instrument.h"

#include <stdatomic.h>

#include "err.h"
#include "log.h"

static struct metric_family *calls, *call_seconds, *client_seconds, *client_calls, *db_seconds,
    *db_errors, *db_round_trips;
static struct metric_series *in_flight, *busy, *db_open, *cache_events[3];
static atomic_int in_flight_now, busy_now;

/* Calls that arrived and are not running on a worker: waiting for one, or for their reply to go. */
static double queue_depth(void *arg)
{
    (void)arg;
    int n = atomic_load(&in_flight_now) - atomic_load(&busy_now);
    return n > 0 ? n : 0;
}

void instrument_init(struct metrics *m)
{
    if (m == NULL) {
        calls = call_seconds = client_seconds = client_calls = db_seconds = db_errors = NULL;
        db_round_trips = NULL;
        in_flight = busy = db_open = NULL;
        for (int i = 0; i < 3; i++)
            cache_events[i] = NULL;
        return;
    }
    calls = metrics_family(m, METRIC_COUNTER, "unic_rpc_calls_total",
                           "calls served, by method and gRPC status", "method,code", NULL, 0);
    call_seconds = metrics_family(m, METRIC_HISTOGRAM, "unic_rpc_duration_seconds",
                                  "time from a call's arrival to its status, by method", "method",
                                  metrics_latency_bounds, metrics_latency_n_bounds);
    in_flight = metrics_series0(metrics_family(m, METRIC_GAUGE, "unic_rpc_in_flight",
                                               "calls arrived and not finished", NULL, NULL, 0));
    busy = metrics_series0(metrics_family(m, METRIC_GAUGE, "unic_rpc_workers_busy",
                                          "workers running a handler", NULL, NULL, 0));
    metrics_gauge_callback(m, "unic_rpc_queue_depth",
                           "calls in flight that no worker is running (waiting for one, or for "
                           "their reply to be sent)",
                           queue_depth, NULL);
    db_seconds = metrics_family(m, METRIC_HISTOGRAM, "unic_db_statement_duration_seconds",
                                "PostgreSQL statements, by outcome", "outcome",
                                metrics_latency_bounds, metrics_latency_n_bounds);
    db_errors = metrics_family(m, METRIC_COUNTER, "unic_db_errors_total",
                               "PostgreSQL statements that failed, by the gRPC status they gave",
                               "code", NULL, 0);
    db_round_trips = metrics_family(m, METRIC_COUNTER, "unic_db_round_trips_total",
                                    "times a handler waited for PostgreSQL's answer (a statement,"
                                    " a pipeline of them, a rollback), by method",
                                    "method", NULL, 0);
    db_open = metrics_series0(metrics_family(m, METRIC_GAUGE, "unic_db_connections_open",
                                             "PostgreSQL connections open (one per worker at most)",
                                             NULL, NULL, 0));
    struct metric_family *cache = metrics_family(
        m, METRIC_COUNTER, "unic_cache_requests_total",
        "Redis lookups and outages: hit, miss, or outage (Redis unreachable: served uncached)",
        "result", NULL, 0);
    cache_events[CACHE_HIT] = metrics_series1(cache, "hit");
    cache_events[CACHE_MISS] = metrics_series1(cache, "miss");
    cache_events[CACHE_OUTAGE] = metrics_series1(cache, "outage");
    client_calls = metrics_family(m, METRIC_COUNTER, "unic_client_calls_total",
                                  "calls to other services, by method and gRPC status",
                                  "method,code", NULL, 0);
    client_seconds = metrics_family(m, METRIC_HISTOGRAM, "unic_client_duration_seconds",
                                    "latency of calls to other services, by method", "method",
                                    metrics_latency_bounds, metrics_latency_n_bounds);
}

double instrument_seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

int instrument_start(const char *name, const char *listen, struct metrics **m,
                     struct metrics_http **http, struct err *e)
{
    *m = NULL;
    *http = NULL;
    if (listen[0] == '\0')
        return 0;
    *m = metrics_new();
    instrument_init(*m);
    const char *values[] = {name, UNIC_VERSION};
    metrics_gauge_set(metrics_series(metrics_family(*m, METRIC_GAUGE, "unic_build_info",
                                                    "the executable and its version, always 1",
                                                    "service,version", NULL, 0),
                                     values),
                      1);
    *http = metrics_http_start(*m, listen, e);
    if (*http == NULL)
        return -1;
    log_info("metrics on http://%s/metrics", listen);
    return 0;
}

void instrument_stop(struct metrics *m, struct metrics_http *http)
{
    metrics_http_stop(http);
    instrument_init(NULL); /* the hooks stop reporting before their registry goes */
    metrics_free(m);
}

void instrument_call_arrived(void)
{
    atomic_fetch_add(&in_flight_now, 1);
    metrics_gauge_add(in_flight, 1);
}

void instrument_call_done(const char *method, int code, double seconds)
{
    atomic_fetch_sub(&in_flight_now, 1);
    metrics_gauge_add(in_flight, -1);
    if (calls == NULL)
        return;
    const char *labels[] = {method, err_code_name(code)};
    metrics_inc(metrics_series(calls, labels), 1);
    metrics_observe(metrics_series1(call_seconds, method), seconds);
}

/* *slot's series, looked up (and kept) the first time; two threads racing both find the same. */
static struct metric_series *kept(_Atomic(struct metric_series *) *slot, struct metric_family *f,
                                  const char *const *values)
{
    struct metric_series *s = atomic_load_explicit(slot, memory_order_acquire);
    if (s == NULL && (s = metrics_series(f, values)) != NULL)
        atomic_store_explicit(slot, s, memory_order_release);
    return s;
}

void instrument_method_done(struct instrument_method *im, const char *method, int code,
                            double seconds)
{
    atomic_fetch_sub(&in_flight_now, 1);
    metrics_gauge_add(in_flight, -1);
    if (calls == NULL)
        return;
    const char *labels[] = {method, err_code_name(code)};
    size_t n_codes = sizeof im->calls / sizeof im->calls[0];
    if (code >= 0 && (size_t)code < n_codes)
        metrics_inc(kept(&im->calls[code], calls, labels), 1);
    else
        metrics_inc(metrics_series(calls, labels), 1);
    metrics_observe(kept(&im->seconds, call_seconds, labels), seconds);
}

void instrument_method_round_trips(struct instrument_method *im, const char *method, uint64_t n)
{
    if (db_round_trips == NULL)
        return;
    const char *labels[] = {method};
    metrics_inc(kept(&im->round_trips, db_round_trips, labels), n);
}

void instrument_worker_busy(int delta)
{
    atomic_fetch_add(&busy_now, delta);
    metrics_gauge_add(busy, delta);
}

void instrument_db_statement(double seconds, int code)
{
    if (db_seconds == NULL)
        return;
    metrics_observe(metrics_series1(db_seconds, code == ERR_OK ? "ok" : "error"), seconds);
    if (code != ERR_OK)
        metrics_inc(metrics_series1(db_errors, err_code_name(code)), 1);
}

void instrument_db_round_trips(const char *method, uint64_t n)
{
    if (db_round_trips == NULL)
        return;
    metrics_inc(metrics_series1(db_round_trips, method), n);
}

void instrument_db_connection(int delta)
{
    metrics_gauge_add(db_open, delta);
}

void instrument_cache(enum instrument_cache what)
{
    metrics_inc(cache_events[what], 1);
}

void instrument_client_call(const char *method, int code, double seconds)
{
    if (client_calls == NULL)
        return;
    const char *labels[] = {method, err_code_name(code)};
    metrics_inc(metrics_series(client_calls, labels), 1);
    metrics_observe(metrics_series1(client_seconds, method), seconds);
}
