/* backend.c: the gateway's only use of the client runtime of common/: one channel per service,
 * unary calls with raw bytes, and the services' health. */
#include "gateway.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "grpc/health/v1/health.pb-c.h"
#include "text.h"

void backends_init(struct backends *b, const struct config *cfg)
{
    const char *addr[BACKEND_COUNT] = {cfg->catalog_addr, cfg->responses_addr, cfg->scoring_addr,
                                       cfg->matching_addr};
    for (int i = 0; i < BACKEND_COUNT; i++)
        b->client[i] = rpc_client_new(addr[i], cfg->call_timeout_ms);
}

void backends_destroy(struct backends *b)
{
    for (int i = 0; i < BACKEND_COUNT; i++) {
        rpc_client_free(b->client[i]);
        b->client[i] = NULL;
    }
}

int backends_call(struct backends *b, const struct route *r, const uint8_t *req, size_t req_len,
                  const struct forward *fw, struct arena *a, uint8_t **reply, size_t *reply_len,
                  struct err *e)
{
    struct rpc_caller caller = {fw->authorization, fw->deadline_ms, NULL};
    if (rpc_forward_bytes(b->client[r->backend], caller, fw->request_id, r->path, req, req_len, a,
                          reply, reply_len, e) == 0)
        return 0;
    if (e->code == ERR_UNAVAILABLE) { /* gRPC's own words do not say which service is down */
        char detail[sizeof e->msg];
        snprintf(detail, sizeof detail, "%s", e->msg);
        err_set(e, ERR_UNAVAILABLE, "the %s service is unavailable: %.400s", backend_name(r->backend),
                detail);
    }
    return -1;
}

int backends_health(struct backends *b, int timeout_ms, bool serving[BACKEND_COUNT])
{
    struct rpc_caller caller = {NULL, clock_wall_ms() + timeout_ms, NULL};
    int n = 0;
    for (int i = 0; i < BACKEND_COUNT; i++) {
        struct arena a;
        arena_init(&a);
        uint8_t *reply = NULL;
        size_t len = 0;
        struct err e;
        serving[i] = false;
        /* an empty HealthCheckRequest: the whole server */
        if (rpc_call_bytes(b->client[i], caller, "/grpc.health.v1.Health/Check", (const uint8_t *)"", 0,
                           &a, &reply, &len, &e) == 0) {
            Grpc__Health__V1__HealthCheckResponse *r =
                grpc__health__v1__health_check_response__unpack(NULL, len, reply);
            serving[i] = r && r->status == GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
            if (r)
                grpc__health__v1__health_check_response__free_unpacked(r, NULL);
        }
        arena_destroy(&a);
        n += serving[i];
    }
    return n;
}
