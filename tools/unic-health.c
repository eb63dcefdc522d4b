/* unic-health: asks a service's grpc.health.v1 Check and exits 0 only when it is SERVING.
 * For start-up scripts and container health checks, where no other gRPC client is installed.
 * With UNIC_TLS_CERT set (the service's own environment) it speaks TLS like the service. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc/health/v1/health.pb-c.h"
#include "log.h"
#include "rpc.h"
#include "tls.h"

static const char *env_get(const char *name)
{
    return getenv(name);
}

int main(int argc, char **argv)
{
    /* Default: this container's own service, as configured by UNIC_LISTEN (0.0.0.0 → loopback). */
    char target[300];
    const char *listen = getenv("UNIC_LISTEN");
    if (argc > 1)
        snprintf(target, sizeof target, "%s", argv[1]);
    else if (listen && strncmp(listen, "0.0.0.0:", 8) == 0)
        snprintf(target, sizeof target, "127.0.0.1:%s", listen + 8);
    else
        snprintf(target, sizeof target, "%s", listen ? listen : "127.0.0.1:50051");
    log_init("health", LOG_ERROR);
    struct config cfg;
    struct err e;
    if (config_load(&cfg, "health", 50051, env_get, &e) < 0 || tls_init(&cfg, &e) < 0) {
        fprintf(stderr, "unic-health: %s\n", e.msg);
        return 1;
    }

    struct rpc_client *client = rpc_client_new(target, 3000);
    Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    ProtobufCMessage *reply = NULL;
    int rc = 1;
    if (rpc_call(client, (struct rpc_caller){NULL, 0, NULL}, &grpc__health__v1__health__descriptor,
                 "Check", &req.base, NULL, &reply, &e) < 0) {
        fprintf(stderr, "%s: %s: %s\n", target, err_code_name(e.code), e.msg);
        goto done;
    }
    int status = ((Grpc__Health__V1__HealthCheckResponse *)reply)->status;
    printf("%s %s\n", target, status == 1 ? "SERVING" : "NOT_SERVING");
    rc = status == 1 ? 0 : 1;
    protobuf_c_message_free_unpacked(reply, NULL);
done:
    rpc_client_free(client);
    tls_shutdown();
    return rc;
}
