/* metrics.h: a process's Prometheus metrics: counters, gauges and fixed-bucket histograms with
 * labels, rendered in the text exposition format 0.0.4 (docs/operations.md lists the metrics)
 * and served over HTTP by metrics_http_start. Debian 12 packages no Prometheus client for C.
 *
 * Updates are lock-free: each series keeps one row of atomic cells per shard, a thread writes
 * only its own shard's row (so workers never contend on a cache line), and a scrape sums them.
 * Creating a series takes the family's lock once; looking one up afterwards does not.
 *
 * Ownership: the registry owns its families and their series; pointers to them stay valid until
 * metrics_free. Every function accepts NULL for a family or series and then does nothing, so code
 * instrumented for metrics runs unchanged when metrics are off. */
#ifndef UNIC_METRICS_H
#define UNIC_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum { METRICS_MAX_LABELS = 3 };

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

struct metrics;
struct metric_family;
struct metric_series;

/* A growable text, for rendering. */
struct metrics_text {
    char *data;
    size_t len, cap;
};
void metrics_text_free(struct metrics_text *t);

/* A registry with the process collectors (process_* from /proc/self) already in it. */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* A family: `labels` is a comma-separated list of label names ("method,code") or NULL for none.
 * Histograms take `n_bounds` ascending upper bounds (seconds); +Inf is implied. Registering a
 * name twice returns the first family. */
struct metric_family *metrics_family(struct metrics *m, enum metric_type type, const char *name,
                                     const char *help, const char *labels, const double *bounds,
                                     size_t n_bounds);
/* Latency bounds shared by the runtime's histograms: 1 ms to 10 s. */
extern const double metrics_latency_bounds[];
extern const size_t metrics_latency_n_bounds;

/* The series of `f` with these label values (as many as the family has label names), created
 * on first use. NULL when the family is full (then the update is dropped, logged once). */
struct metric_series *metrics_series(struct metric_family *f, const char *const *values);
/* Shorthand for a family without labels, or with one. */
struct metric_series *metrics_series0(struct metric_family *f);
struct metric_series *metrics_series1(struct metric_family *f, const char *value);

void metrics_inc(struct metric_series *s, uint64_t n);         /* counters */
void metrics_gauge_add(struct metric_series *s, int64_t delta); /* gauges */
void metrics_gauge_set(struct metric_series *s, int64_t value);
void metrics_observe(struct metric_series *s, double seconds); /* histograms */

/* A gauge computed at scrape time: fn returns its value. */
typedef double (*metrics_gauge_fn)(void *arg);
void metrics_gauge_callback(struct metrics *m, const char *name, const char *help,
                            metrics_gauge_fn fn, void *arg);

/* Appends the exposition of every family to *out (which the caller frees). */
void metrics_render(struct metrics *m, struct metrics_text *out);

/* The sum over shards of a counter or gauge, or a histogram's count: for tests and tools. */
int64_t metrics_value(const struct metric_series *s);

/* ---- HTTP: GET /metrics (and /healthz) on `listen` ("host:port"), served by libmicrohttpd's own thread ---- */
struct metrics_http;
struct metrics_http *metrics_http_start(struct metrics *m, const char *listen, struct err *e);
void metrics_http_stop(struct metrics_http *h); /* NULL-safe */
/* GET /healthz on the same listener: 200 "SERVING" while fn(arg) is true, else 503
 * "NOT_SERVING" (also before fn is set), for balancers that check over HTTP/1.1, such as
 * haproxy's httpchk. fn NULL clears it; after that returns, fn is never called again. */
typedef bool (*metrics_health_fn)(void *arg);
void metrics_http_health(struct metrics_http *h, metrics_health_fn fn, void *arg);

#endif
