/* tls_exit_probe: the exit of a process whose channel is retrying a TLS handshake, as a service's
 * when the service it calls refuses its certificate (test_tls). One client calls `target` once
 * (the handshake is refused), waits `wait_ms` while gRPC keeps reconnecting, is freed, and main
 * returns. An atexit() handler registered before any OpenSSL call runs after any OpenSSL would
 * register, and lingers `linger_ms`: the slow exit of a loaded machine, during which gRPC's
 * threads finish the attempt in flight. Exits 0; AddressSanitizer says if that attempt used
 * freed state. Usage: tls_exit_probe target wait_ms linger_ms (UNIC_TLS_* from the environment). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "grpc/health/v1/health.pb-c.h"
#include "log.h"
#include "rpc.h"
#include "tls.h"

static long linger_ms;

static void sleep_ms(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

static void linger(void)
{
    sleep_ms(linger_ms);
}

static const char *env_get(const char *name)
{
    return getenv(name);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: tls_exit_probe target wait_ms linger_ms\n");
        return 2;
    }
    long wait_ms = atol(argv[2]);
    linger_ms = atol(argv[3]);
    atexit(linger);
    log_init("tls_exit_probe", LOG_ERROR);
    struct config cfg;
    struct err e;
    if (config_load(&cfg, "tls_exit_probe", 50051, env_get, &e) < 0 || tls_init(&cfg, &e) < 0) {
        fprintf(stderr, "tls_exit_probe: %s\n", e.msg);
        return 1;
    }
    struct rpc_client *client = rpc_client_new(argv[1], 3000);
    Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    ProtobufCMessage *reply = NULL;
    int rc = rpc_call(client, (struct rpc_caller){NULL, 0, NULL}, &grpc__health__v1__health__descriptor,
                      "Check", &req.base, NULL, &reply, &e);
    if (rc == 0) {
        protobuf_c_message_free_unpacked(reply, NULL);
        fprintf(stderr, "tls_exit_probe: %s answered: its certificate was expected to be refused\n",
                argv[1]);
    }
    sleep_ms(wait_ms);
    rpc_client_free(client);
    tls_shutdown();
    return rc == 0 ? 1 : 0;
}
