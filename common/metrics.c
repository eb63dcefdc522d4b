/* metrics.c: the registry, lock-free sharded series, the Prometheus text exposition (format 0.0.4:
 * "# HELP", "# TYPE", one sample per line) and its HTTP listener. */
#include "metrics.h"

#include <ctype.h>
#include <dirent.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "log.h"
#include "mem.h"

/* Threads beyond this many share shards (still correct: the cells are atomic). */
enum { SHARDS = 16, MAX_SERIES = 1024, CELLS_PER_LINE = 8 };

const double metrics_latency_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                         0.1,   0.25,   0.5,   1,    2.5,   5, 10};
const size_t metrics_latency_n_bounds = sizeof metrics_latency_bounds / sizeof(double);

struct metric_series {
    const struct metric_family *f;
    char *labels;                 /* rendered and escaped: a="x",b="y" (or "") */
    atomic_uint_least64_t *cells; /* SHARDS rows of the family's stride */
    atomic_int_least64_t gauge;   /* gauges are set, so they are not sharded */
};

struct metric_family {
    struct metric_family *next;
    enum metric_type type;
    char *name, *help;
    char *label_names[METRICS_MAX_LABELS];
    size_t n_labels;
    double *bounds;
    size_t n_bounds;
    size_t stride; /* cells per shard: 1 for a counter; buckets, +Inf and the sum in µs */
    metrics_gauge_fn fn;
    void *fn_arg;
    pthread_mutex_t lock; /* creation of series only */
    struct metric_series *series[MAX_SERIES];
    atomic_size_t n_series;
    atomic_int full_logged;
};

struct metrics {
    pthread_mutex_t lock;
    struct metric_family *head, **tail;
};

static atomic_uint next_shard;
static _Thread_local int my_shard = -1;

static int shard(void)
{
    if (my_shard < 0)
        my_shard = (int)(atomic_fetch_add_explicit(&next_shard, 1, memory_order_relaxed) % SHARDS);
    return my_shard;
}

/* ---- text ---- */

static void text_reserve(struct metrics_text *t, size_t more)
{
    if (t->len + more + 1 <= t->cap)
        return;
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + more + 1)
        cap *= 2;
    t->data = xrealloc(t->data, cap);
    t->cap = cap;
}

static void text_printf(struct metrics_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void text_printf(struct metrics_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    text_reserve(t, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void metrics_text_free(struct metrics_text *t)
{
    free(t->data);
    memset(t, 0, sizeof *t);
}

static void text_append(struct metrics_text *t, const char *s, size_t n)
{
    text_reserve(t, n);
    memcpy(t->data + t->len, s, n);
    t->len += n;
}

/* Label values escape backslash, double quote and newline; HELP escapes backslash and newline.
 * Runs without those are copied as they are: a series is looked up by its rendered labels, on
 * every call of a hook that names them (one vsnprintf a character cost a call tens of
 * thousands of instructions). */
static void text_escaped(struct metrics_text *t, const char *s, bool quote)
{
    const char *special = quote ? "\\\n\"" : "\\\n";
    while (*s) {
        size_t run = strcspn(s, special);
        text_append(t, s, run);
        s += run;
        if (*s == '\0')
            break;
        text_append(t, *s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\", 2);
        s++;
    }
}

/* ---- registry ---- */

static bool valid_name(const char *s)
{
    if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

struct metrics *metrics_new(void)
{
    struct metrics *m = xcalloc(1, sizeof *m);
    pthread_mutex_init(&m->lock, NULL);
    m->tail = &m->head;
    return m;
}

static void series_free(struct metric_series *s)
{
    free(s->labels);
    free(s->cells);
    free(s);
}

void metrics_free(struct metrics *m)
{
    if (m == NULL)
        return;
    for (struct metric_family *f = m->head, *next; f; f = next) {
        next = f->next;
        for (size_t i = 0; i < atomic_load(&f->n_series); i++)
            series_free(f->series[i]);
        for (size_t i = 0; i < f->n_labels; i++)
            free(f->label_names[i]);
        free(f->name);
        free(f->help);
        free(f->bounds);
        pthread_mutex_destroy(&f->lock);
        free(f);
    }
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static struct metric_family *family_add(struct metrics *m, enum metric_type type, const char *name,
                                        const char *help, const char *labels, const double *bounds,
                                        size_t n_bounds)
{
    if (m == NULL)
        return NULL;
    if (!valid_name(name)) {
        log_error("metric name \"%s\" is not valid: letters, digits and underscores", name);
        abort(); /* a programming error, found by the first test that starts a service */
    }
    pthread_mutex_lock(&m->lock);
    struct metric_family *f;
    for (f = m->head; f; f = f->next)
        if (strcmp(f->name, name) == 0)
            goto done;
    f = xcalloc(1, sizeof *f);
    f->type = type;
    f->name = xstrdup(name);
    f->help = xstrdup(help);
    if (labels) {
        char *copy = xstrdup(labels), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok && f->n_labels < METRICS_MAX_LABELS;
             tok = strtok_r(NULL, ",", &save))
            f->label_names[f->n_labels++] = xstrdup(tok);
        free(copy);
    }
    if (type == METRIC_HISTOGRAM) {
        f->bounds = xcalloc(n_bounds ? n_bounds : 1, sizeof *f->bounds);
        memcpy(f->bounds, bounds, n_bounds * sizeof *bounds);
        f->n_bounds = n_bounds;
    }
    size_t cells = type == METRIC_HISTOGRAM ? n_bounds + 2 : 1;
    f->stride = (cells + CELLS_PER_LINE - 1) / CELLS_PER_LINE * CELLS_PER_LINE;
    pthread_mutex_init(&f->lock, NULL);
    *m->tail = f;
    m->tail = &f->next;
done:
    pthread_mutex_unlock(&m->lock);
    return f;
}

struct metric_family *metrics_family(struct metrics *m, enum metric_type type, const char *name,
                                     const char *help, const char *labels, const double *bounds,
                                     size_t n_bounds)
{
    return family_add(m, type, name, help, labels, bounds, n_bounds);
}

void metrics_gauge_callback(struct metrics *m, const char *name, const char *help,
                            metrics_gauge_fn fn, void *arg)
{
    struct metric_family *f = family_add(m, METRIC_GAUGE, name, help, NULL, NULL, 0);
    if (f) {
        f->fn = fn;
        f->fn_arg = arg;
    }
}

static void labels_render(const struct metric_family *f, const char *const *values,
                          struct metrics_text *t)
{
    for (size_t i = 0; i < f->n_labels; i++) {
        if (i)
            text_append(t, ",", 1);
        text_append(t, f->label_names[i], strlen(f->label_names[i]));
        text_append(t, "=\"", 2);
        text_escaped(t, values[i] ? values[i] : "", true);
        text_append(t, "\"", 1);
    }
    text_reserve(t, 0);
    t->data[t->len] = '\0';
}

struct metric_series *metrics_series(struct metric_family *f, const char *const *values)
{
    if (f == NULL)
        return NULL;
    struct metrics_text key = {0};
    labels_render(f, values, &key);
    struct metric_series *found = NULL;
    size_t n = atomic_load_explicit(&f->n_series, memory_order_acquire);
    for (size_t i = 0; i < n && !found; i++)
        if (strcmp(f->series[i]->labels, key.data) == 0)
            found = f->series[i];
    if (found)
        goto done;
    pthread_mutex_lock(&f->lock);
    n = atomic_load_explicit(&f->n_series, memory_order_relaxed);
    for (size_t i = 0; i < n && !found; i++) /* another thread may have just made it */
        if (strcmp(f->series[i]->labels, key.data) == 0)
            found = f->series[i];
    if (!found && n < MAX_SERIES) {
        found = xcalloc(1, sizeof *found);
        found->f = f;
        found->labels = xstrdup(key.data);
        size_t bytes = SHARDS * f->stride * sizeof *found->cells;
        found->cells = aligned_alloc(64, bytes);
        if (found->cells == NULL)
            abort();
        for (size_t i = 0; i < SHARDS * f->stride; i++)
            atomic_init(&found->cells[i], 0);
        atomic_init(&found->gauge, 0);
        f->series[n] = found;
        atomic_store_explicit(&f->n_series, n + 1, memory_order_release);
    }
    pthread_mutex_unlock(&f->lock);
    if (!found && atomic_exchange(&f->full_logged, 1) == 0)
        log_error("metric %s has %d series already: further label values are not counted",
                  f->name, MAX_SERIES);
done:
    metrics_text_free(&key);
    return found;
}

struct metric_series *metrics_series0(struct metric_family *f)
{
    return metrics_series(f, NULL);
}

struct metric_series *metrics_series1(struct metric_family *f, const char *value)
{
    const char *values[1] = {value};
    return metrics_series(f, values);
}

static atomic_uint_least64_t *my_row(struct metric_series *s)
{
    return s->cells + (size_t)shard() * s->f->stride;
}

void metrics_inc(struct metric_series *s, uint64_t n)
{
    if (s)
        atomic_fetch_add_explicit(my_row(s), n, memory_order_relaxed);
}

void metrics_gauge_add(struct metric_series *s, int64_t delta)
{
    if (s)
        atomic_fetch_add_explicit(&s->gauge, delta, memory_order_relaxed);
}

void metrics_gauge_set(struct metric_series *s, int64_t value)
{
    if (s)
        atomic_store_explicit(&s->gauge, value, memory_order_relaxed);
}

void metrics_observe(struct metric_series *s, double seconds)
{
    if (s == NULL)
        return;
    const struct metric_family *f = s->f;
    atomic_uint_least64_t *row = my_row(s);
    size_t b = 0;
    while (b < f->n_bounds && seconds > f->bounds[b])
        b++;
    atomic_fetch_add_explicit(&row[b], 1, memory_order_relaxed);
    uint64_t us = seconds > 0 ? (uint64_t)(seconds * 1e6 + 0.5) : 0;
    atomic_fetch_add_explicit(&row[f->n_bounds + 1], us, memory_order_relaxed);
}

/* The sum over shards of cell `i`. */
static uint64_t cell_sum(const struct metric_series *s, size_t i)
{
    uint64_t sum = 0;
    for (size_t k = 0; k < SHARDS; k++)
        sum += atomic_load_explicit(&s->cells[k * s->f->stride + i], memory_order_relaxed);
    return sum;
}

int64_t metrics_value(const struct metric_series *s)
{
    if (s == NULL)
        return 0;
    switch (s->f->type) {
    case METRIC_GAUGE:
        return atomic_load(&s->gauge);
    case METRIC_COUNTER:
        return (int64_t)cell_sum(s, 0);
    case METRIC_HISTOGRAM: {
        uint64_t n = 0;
        for (size_t b = 0; b <= s->f->n_bounds; b++)
            n += cell_sum(s, b);
        return (int64_t)n;
    }
    }
    return 0;
}

/* ---- exposition ---- */

static const char *const type_names[] = {"counter", "gauge", "histogram"};

static void header(struct metrics_text *t, const char *name, const char *help, const char *type)
{
    text_printf(t, "# HELP %s ", name);
    text_escaped(t, help, false);
    text_printf(t, "\n# TYPE %s %s\n", name, type);
}

static void sample(struct metrics_text *t, const char *name, const char *suffix,
                   const char *labels, const char *extra, const char *value)
{
    bool any = labels[0] || extra[0];
    text_printf(t, "%s%s%s%s%s%s%s %s\n", name, suffix, any ? "{" : "", labels,
                labels[0] && extra[0] ? "," : "", extra, any ? "}" : "", value);
}

static void render_family(const struct metric_family *f, struct metrics_text *t)
{
    header(t, f->name, f->help, type_names[f->type]);
    char v[64];
    if (f->fn) {
        snprintf(v, sizeof v, "%.17g", f->fn(f->fn_arg));
        sample(t, f->name, "", "", "", v);
        return;
    }
    size_t n = atomic_load_explicit(&f->n_series, memory_order_acquire);
    for (size_t i = 0; i < n; i++) {
        const struct metric_series *s = f->series[i];
        if (f->type != METRIC_HISTOGRAM) {
            snprintf(v, sizeof v, "%lld", (long long)metrics_value(s));
            sample(t, f->name, "", s->labels, "", v);
            continue;
        }
        uint64_t cumulative = 0;
        char le[48];
        for (size_t b = 0; b <= f->n_bounds; b++) {
            cumulative += cell_sum(s, b);
            if (b < f->n_bounds)
                snprintf(le, sizeof le, "le=\"%g\"", f->bounds[b]);
            else
                snprintf(le, sizeof le, "le=\"+Inf\"");
            snprintf(v, sizeof v, "%llu", (unsigned long long)cumulative);
            sample(t, f->name, "_bucket", s->labels, le, v);
        }
        snprintf(v, sizeof v, "%.6f", (double)cell_sum(s, f->n_bounds + 1) / 1e6);
        sample(t, f->name, "_sum", s->labels, "", v);
        snprintf(v, sizeof v, "%llu", (unsigned long long)cumulative);
        sample(t, f->name, "_count", s->labels, "", v);
    }
}

/* process_* as the Prometheus client libraries name them, from /proc/self. */
static void render_process(struct metrics_text *t)
{
    long ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    char buf[2048];
    FILE *f = fopen("/proc/self/stat", "r");
    size_t len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[len] = '\0';
    /* Fields after the command name, which is in parentheses and may hold spaces. */
    const char *p = strrchr(buf, ')');
    unsigned long long utime = 0, stime = 0, start = 0, vsize = 0;
    long long rss = 0;
    if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d "
                                   "%*d %*d %*d %*d %llu %llu %lld",
                            &utime, &stime, &start, &vsize, &rss) != 5)
        return;
    double boot = 0;
    f = fopen("/proc/stat", "r");
    while (f && fgets(buf, sizeof buf, f))
        if (sscanf(buf, "btime %lf", &boot) == 1)
            break;
    if (f)
        fclose(f);
    int fds = 0;
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *de; d && (de = readdir(d));)
        fds += de->d_name[0] != '.';
    if (d)
        closedir(d);
    struct rlimit lim = {0};
    getrlimit(RLIMIT_NOFILE, &lim);

    header(t, "process_cpu_seconds_total", "user and system CPU time spent, in seconds", "counter");
    text_printf(t, "process_cpu_seconds_total %.2f\n", (double)(utime + stime) / (double)ticks);
    header(t, "process_resident_memory_bytes", "resident memory size, in bytes", "gauge");
    text_printf(t, "process_resident_memory_bytes %lld\n", rss * page);
    header(t, "process_virtual_memory_bytes", "virtual memory size, in bytes", "gauge");
    text_printf(t, "process_virtual_memory_bytes %llu\n", vsize);
    header(t, "process_open_fds", "open file descriptors", "gauge");
    text_printf(t, "process_open_fds %d\n", fds - (d ? 1 : 0)); /* less opendir's own */
    header(t, "process_max_fds", "limit of open file descriptors", "gauge");
    text_printf(t, "process_max_fds %llu\n", (unsigned long long)lim.rlim_cur);
    header(t, "process_start_time_seconds", "start time since the Unix epoch, in seconds", "gauge");
    text_printf(t, "process_start_time_seconds %.2f\n", boot + (double)start / (double)ticks);
}

void metrics_render(struct metrics *m, struct metrics_text *out)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->lock); /* against a family being appended while we walk */
    for (const struct metric_family *f = m->head; f; f = f->next)
        render_family(f, out);
    pthread_mutex_unlock(&m->lock);
    render_process(out);
    text_reserve(out, 0);
    out->data[out->len] = '\0';
}

/* ---- HTTP ---- */

struct metrics_http {
    struct metrics *m;
    struct MHD_Daemon *daemon;
    pthread_mutex_t lock; /* the health callback against its clearing */
    metrics_health_fn health;
    void *health_arg;
};

void metrics_http_health(struct metrics_http *h, metrics_health_fn fn, void *arg)
{
    if (h == NULL)
        return;
    pthread_mutex_lock(&h->lock);
    h->health = fn;
    h->health_arg = arg;
    pthread_mutex_unlock(&h->lock);
}

static bool healthy(struct metrics_http *h)
{
    pthread_mutex_lock(&h->lock);
    bool up = h->health && h->health(h->health_arg);
    pthread_mutex_unlock(&h->lock);
    return up;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_size, void **req_cls)
{
    (void)version;
    (void)upload_data;
    (void)upload_size;
    (void)req_cls;
    struct metrics_http *h = cls;
    struct MHD_Response *r;
    unsigned status;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        static const char msg[] = "only GET is served here\n";
        r = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Allow", "GET, HEAD");
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
    } else if (strcmp(url, "/healthz") == 0) {
        static const char up[] = "SERVING\n", down[] = "NOT_SERVING\n";
        bool ok = healthy(h);
        r = MHD_create_response_from_buffer(ok ? sizeof up - 1 : sizeof down - 1,
                                            (void *)(ok ? up : down), MHD_RESPMEM_PERSISTENT);
        status = ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE;
    } else if (strcmp(url, "/metrics") != 0) {
        static const char msg[] = "not found: metrics are at /metrics, health at /healthz\n";
        r = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_NOT_FOUND;
    } else {
        struct metrics_text t = {0};
        metrics_render(h->m, &t);
        r = MHD_create_response_from_buffer(t.len, t.data, MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        status = MHD_HTTP_OK;
    }
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

struct metrics_http *metrics_http_start(struct metrics *m, const char *listen, struct err *e)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || colon == listen || (size_t)(colon - listen) >= sizeof host)
        return err_set(e, ERR_INVALID_ARGUMENT, "metrics address \"%s\" is not host:port", listen),
               NULL;
    size_t hl = (size_t)(colon - listen);
    if (listen[0] == '[' && hl >= 2 && listen[hl - 1] == ']') /* [::1]:9090 */
        snprintf(host, sizeof host, "%.*s", (int)(hl - 2), listen + 1);
    else
        snprintf(host, sizeof host, "%.*s", (int)hl, listen);
    struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo(host, colon + 1, &hints, &ai);
    if (rc != 0)
        return err_set(e, ERR_INVALID_ARGUMENT, "metrics address \"%s\": %s", listen,
                       gai_strerror(rc)),
               NULL;
    struct metrics_http *h = xcalloc(1, sizeof *h);
    h->m = m;
    pthread_mutex_init(&h->lock, NULL);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* A scraper needs few connections; bounding them keeps this port from being a way in. */
    h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, answer, h, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                                 MHD_OPTION_CONNECTION_LIMIT, 32u, MHD_OPTION_CONNECTION_TIMEOUT,
                                 10u, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (h->daemon == NULL) {
        pthread_mutex_destroy(&h->lock);
        free(h);
        return err_set(e, ERR_UNAVAILABLE, "could not listen for metrics on %s", listen), NULL;
    }
    return h;
}

void metrics_http_stop(struct metrics_http *h)
{
    if (h == NULL)
        return;
    MHD_stop_daemon(h->daemon);
    pthread_mutex_destroy(&h->lock);
    free(h);
}
