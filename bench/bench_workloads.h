/* bench_workloads.h: the calls unic-load can measure. A workload may prepare per-worker state
 * (keys, an assessment to write to) in setup; call makes one unary call and reports its status.
 * struct bench_ctx owns one channel per service, shared by every worker. */
#ifndef UNIC_BENCH_WORKLOADS_H
#define UNIC_BENCH_WORKLOADS_H

#include <stdio.h>

#include "err.h"
#include "rpc.h"

struct bench_ctx {
    char catalog[128], responses[128], scoring[128];
    char gateway[128];  /* http://host:port of unic-gateway, for the Connect workloads */
    char operator_key[128];
    char db_url[1024];
    struct rpc_client *c_catalog, *c_responses, *c_scoring;
};

struct workload {
    const char *name;
    const char *what;
    const char *direct;  /* for a workload through the gateway: the same call over gRPC, or NULL */
    int (*setup)(struct bench_ctx *ctx, int worker, void **state, struct err *e);
    int (*call)(struct bench_ctx *ctx, void *state, struct err *e);
    void (*teardown)(struct bench_ctx *ctx, void *state);
};

void bench_ctx_open(struct bench_ctx *ctx);
void bench_ctx_close(struct bench_ctx *ctx);
const struct workload *bench_workload_find(const char *name);
void bench_workloads_list(FILE *f);
/* Writes the packed reply of the questionnaire workload's call to `path`: 0, or -1 with a
 * message on stderr. */
int bench_save_questionnaire(struct bench_ctx *ctx, const char *path);

#endif
