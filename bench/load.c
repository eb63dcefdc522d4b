/* load.c: unary-call load over loopback against running UNIC services: calls per second and
 * p50/p99 latency per workload at several concurrencies, printed as a table with each figure as a
 * ratio to Health/Check measured in the same run. Prints; never asserts on time.
 *   unic-load --key KEY [--seconds S] [--concurrency 1,16,64] [--workloads health,questionnaire]
 *             [--catalog ADDR] [--responses ADDR] [--scoring ADDR]
 *             [--db-url CONNINFO]   (to issue the State keys the write workloads need)
 *             [--gateway http://HOST:PORT]   (unic-gateway, for the Connect workloads)
 *             [--baseline no]   (no Health/Check first)   [--raw yes]   (one RESULT line a cell)
 *   unic-load --key KEY --catalog ADDR --save-questionnaire FILE
 *             (writes the packed GetQuestionnaire reply the questionnaire workload gets, for
 *             bench/ref_server.cc to send)
 * A workload through the gateway is also shown as a ratio to the same call over direct gRPC,
 * when that ran earlier in the same run. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "bench_time.h"
#include "bench_workloads.h"
#include "log.h"
#include "mem.h"

struct worker {
    pthread_t thread;
    const struct workload *w;
    struct bench_ctx *ctx;
    int index;
    void *state;
    double *lat;      /* seconds, one per completed call */
    size_t n, cap;
    long errors;
    long completed; /* every call that succeeded, warm-up included: the server's CPU covers them */
    int last_error;
    char last_msg[sizeof(((struct err *)0)->msg)];
    atomic_int *phase; /* 0 warm-up, 1 measure, 2 stop */
};

static void *worker_main(void *arg)
{
    struct worker *k = arg;
    while (atomic_load(k->phase) < 2) {
        struct err e;
        err_clear(&e);
        double t0 = (bench_now_ms() / 1e3);
        int rc = k->w->call(k->ctx, k->state, &e);
        double dt = (bench_now_ms() / 1e3) - t0;
        if (rc == 0)
            k->completed++;
        if (atomic_load(k->phase) != 1)
            continue;
        if (rc < 0) {
            k->errors++;
            k->last_error = e.code;
            snprintf(k->last_msg, sizeof k->last_msg, "%s", e.msg);
            continue;
        }
        if (k->n == k->cap) {
            k->cap = k->cap ? k->cap * 2 : 4096;
            k->lat = xrealloc(k->lat, k->cap * sizeof *k->lat);
        }
        k->lat[k->n++] = dt;
    }
    return NULL;
}

struct result {
    double calls_per_s, p50_ms, p99_ms;
    long errors, completed;
};

static int run_cell(const struct workload *w, struct bench_ctx *ctx, int conc, double seconds,
                    struct result *out)
{
    struct worker *k = xcalloc((size_t)conc, sizeof *k);
    atomic_int phase = 0;
    int rc = 0;
    for (int i = 0; i < conc; i++) {
        k[i].w = w;
        k[i].ctx = ctx;
        k[i].index = i;
        k[i].phase = &phase;
        struct err e;
        if (w->setup && w->setup(ctx, i, &k[i].state, &e) < 0) {
            fprintf(stderr, "%s: setup of worker %d failed: %s\n", w->name, i, e.msg);
            conc = i;
            rc = -1;
            goto done;
        }
    }
    for (int i = 0; i < conc; i++)
        pthread_create(&k[i].thread, NULL, worker_main, &k[i]);
    nanosleep(&(struct timespec){0, 300 * 1000 * 1000}, NULL); /* warm-up: connections, caches */
    double t0 = (bench_now_ms() / 1e3);
    atomic_store(&phase, 1);
    nanosleep(&(struct timespec){(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)}, NULL);
    atomic_store(&phase, 2);
    double elapsed = (bench_now_ms() / 1e3) - t0;
    size_t total = 0;
    for (int i = 0; i < conc; i++) {
        pthread_join(k[i].thread, NULL);
        total += k[i].n;
    }
    double *all = xmalloc((total ? total : 1) * sizeof *all);
    size_t n = 0;
    out->errors = 0;
    out->completed = 0;
    for (int i = 0; i < conc; i++) {
        out->completed += k[i].completed;
        memcpy(all + n, k[i].lat, k[i].n * sizeof *all);
        n += k[i].n;
        out->errors += k[i].errors;
        if (k[i].errors && i == 0)
            fprintf(stderr, "%s: %ld errors, last: %s: %s\n", w->name, k[i].errors,
                    err_code_name(k[i].last_error), k[i].last_msg);
    }
    qsort(all, n, sizeof *all, bench_cmp_double);
    out->calls_per_s = (double)n / elapsed;
    out->p50_ms = n ? all[n / 2] * 1e3 : 0;
    out->p99_ms = n ? all[(size_t)((double)(n - 1) * 0.99)] * 1e3 : 0;
    free(all);
done:
    for (int i = 0; i < conc; i++) {
        if (w->teardown)
            w->teardown(ctx, k[i].state);
        free(k[i].lat);
    }
    free(k);
    return rc;
}

static void usage(void)
{
    fputs("usage: unic-load --key KEY [--seconds S] [--concurrency 1,16,64] [--workloads a,b]\n"
          "       [--catalog ADDR] [--responses ADDR] [--scoring ADDR]\n"
          "       [--db-url CONNINFO] [--gateway http://HOST:PORT] [--baseline no] [--raw yes]\n"
          "       unic-load --key KEY --catalog ADDR --save-questionnaire FILE\n",
          stderr);
    bench_workloads_list(stderr);
}

int main(int argc, char **argv)
{
    struct bench_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    snprintf(ctx.catalog, sizeof ctx.catalog, "127.0.0.1:50051");
    snprintf(ctx.responses, sizeof ctx.responses, "127.0.0.1:50052");
    snprintf(ctx.scoring, sizeof ctx.scoring, "127.0.0.1:50053");
    const char *conc_list = "1,16,64", *workloads = "health,questionnaire";
    double seconds = 3;
    bool baseline = true, raw = false;
    const char *save_to = NULL;
    for (int i = 1; i < argc; i += 2) { /* "--name value" pairs */
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) {
            usage();
            return 2;
        }
        if (strcmp(argv[i], "--key") == 0)
            snprintf(ctx.operator_key, sizeof ctx.operator_key, "%s", v);
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = atof(v);
        else if (strcmp(argv[i], "--concurrency") == 0)
            conc_list = v;
        else if (strcmp(argv[i], "--workloads") == 0)
            workloads = v;
        else if (strcmp(argv[i], "--catalog") == 0)
            snprintf(ctx.catalog, sizeof ctx.catalog, "%s", v);
        else if (strcmp(argv[i], "--responses") == 0)
            snprintf(ctx.responses, sizeof ctx.responses, "%s", v);
        else if (strcmp(argv[i], "--scoring") == 0)
            snprintf(ctx.scoring, sizeof ctx.scoring, "%s", v);
        else if (strcmp(argv[i], "--db-url") == 0)
            snprintf(ctx.db_url, sizeof ctx.db_url, "%s", v);
        else if (strcmp(argv[i], "--gateway") == 0)
            snprintf(ctx.gateway, sizeof ctx.gateway, "%s", v);
        else if (strcmp(argv[i], "--baseline") == 0)
            baseline = strcmp(v, "no") != 0;
        else if (strcmp(argv[i], "--raw") == 0)
            raw = strcmp(v, "yes") == 0;
        else if (strcmp(argv[i], "--save-questionnaire") == 0)
            save_to = v;
        else {
            usage();
            return 2;
        }
    }
    if (ctx.operator_key[0] == '\0' || seconds <= 0) {
        usage();
        return 2;
    }
    log_init("bench", LOG_ERROR);
    bench_ctx_open(&ctx);
    if (save_to) {
        int saved = bench_save_questionnaire(&ctx, save_to);
        bench_ctx_close(&ctx);
        return saved < 0 ? 1 : 0;
    }

    int concs[8], nconc = 0;
    for (const char *p = conc_list; *p && nconc < 8; p += strcspn(p, ","), p += *p == ',')
        if ((concs[nconc] = atoi(p)) > 0)
            nconc++;

    /* Health/Check always runs first: it is the baseline every ratio is taken against. */
    char list[512];
    snprintf(list, sizeof list, "%s%s", baseline ? "health," : "", workloads);
    double base[8] = {0};
    struct measured {
        const struct workload *w;
        double calls_per_s[8];
    } done[32];
    size_t n_done = 0;
    if (!raw)
        printf("%-18s %5s %11s %9s %9s %9s %7s %8s\n", "workload", "conc", "calls/s", "p50 ms",
               "p99 ms", "vs health", "errors", "vs gRPC");
    int rc = 0;
    char *save = NULL;
    for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        if (strcmp(name, "health") == 0 && base[0] > 0)
            continue;
        const struct workload *w = bench_workload_find(name);
        if (w == NULL) {
            fprintf(stderr, "unknown workload \"%s\"\n", name);
            rc = 2;
            continue;
        }
        const struct measured *direct = NULL;
        for (size_t i = 0; w->direct && i < n_done; i++)
            if (strcmp(done[i].w->name, w->direct) == 0)
                direct = &done[i];
        struct measured *m = n_done < sizeof done / sizeof done[0] ? &done[n_done++] : NULL;
        if (m)
            m->w = w;
        for (int c = 0; c < nconc; c++) {
            struct result r;
            if (run_cell(w, &ctx, concs[c], seconds, &r) < 0) {
                rc = 1;
                break;
            }
            if (w == bench_workload_find("health"))
                base[c] = r.calls_per_s;
            if (m)
                m->calls_per_s[c] = r.calls_per_s;
            char vs_direct[16] = "";
            if (direct && direct->calls_per_s[c] > 0)
                snprintf(vs_direct, sizeof vs_direct, "%.2f", r.calls_per_s / direct->calls_per_s[c]);
            if (raw)
                printf("RESULT workload=%s conc=%d calls_per_s=%.1f calls=%ld errors=%ld p50_ms=%.3f"
                       " p99_ms=%.3f\n", w->name, concs[c], r.calls_per_s, r.completed, r.errors,
                       r.p50_ms, r.p99_ms);
            else
            printf("%-18s %5d %11.0f %9.3f %9.3f %9.2f %7ld %8s\n", w->name, concs[c], r.calls_per_s,
                   r.p50_ms, r.p99_ms, base[c] > 0 ? r.calls_per_s / base[c] : 0, r.errors, vs_direct);
            fflush(stdout);
        }
    }
    bench_ctx_close(&ctx);
    return rc;
}
