/* harness.h: what integration tests stand on: the PostgreSQL and Redis started by the ctest
 * fixture (deploy/local/infra), a fresh database per test program, the real service binaries
 * started as child processes, and calls to them over gRPC with a chosen key.
 * struct harness owns its client channels; harness_destroy stops any service still running. */
#ifndef UNIC_HARNESS_H
#define UNIC_HARNESS_H

#include <stdbool.h>
#include <sys/types.h>

#include <protobuf-c/protobuf-c.h>

#include "auth.h"
#include "err.h"
#include "rpc.h"

enum svc_id { SVC_CATALOG, SVC_RESPONSES, SVC_SCORING, SVC_MATCHING, SVC_COUNT };

struct svc_proc {
    pid_t pid;             /* 0 when not running */
    int port;
    char addr[64];         /* "127.0.0.1:port" */
    char log[600];         /* the service's stderr */
    struct rpc_client *client;
};

struct harness {
    char name[64];
    char state_dir[512];   /* the fixture's infra directory */
    char bin_dir[512];     /* the build tree */
    char admin_url[1024];  /* conninfo of the fixture's "unic" database (role unic, CREATEDB) */
    char db_url[1024];     /* conninfo of this test's own database */
    char redis[64];        /* host:port; the services' UNIC_REDIS */
    int port_base;         /* services listen on port_base + svc_id */
    char operator_key[64]; /* bootstrap key of every service started here */
    struct svc_proc svc[SVC_COUNT];
};

/* Reads UNIC_TEST_STATE_DIR/env, UNIC_BIN_DIR and UNIC_TEST_PORT_BASE, and creates the database
 * test_<name> afresh. Returns -1 with a message on stderr when the fixture is missing. */
int harness_init(struct harness *h, const char *name);
void harness_destroy(struct harness *h);

/* Starts a service binary with this harness's configuration plus `extra_env` ("K=V" strings,
 * NULL-terminated, may be NULL), and waits until its health check says SERVING. */
int harness_start(struct harness *h, enum svc_id id, const char *const *extra_env);
/* Sends `sig` and waits for the process; returns its exit status (128+n if killed by n). */
int harness_stop(struct harness *h, enum svc_id id, int sig);

/* Issues a new key of `role` (state: ISO3 for ROLE_STATE) directly in the test database. */
int harness_key(struct harness *h, enum role role, const char *state, char key[64]);
int harness_revoke(struct harness *h, const char *key);

/* One unary call to service `id` as the holder of `key` (NULL: no credentials). Returns the gRPC
 * status code; on OK *reply holds the answer (free with protobuf_c_message_free_unpacked).
 * The status message is copied to msg (may be NULL). */
int harness_call(struct harness *h, enum svc_id id, const char *key, const char *method,
                 const ProtobufCMessage *req, ProtobufCMessage **reply, char *msg, size_t msg_size);
/* harness_call to `service`, one of the services process `id` serves (the catalog's process also
 * serves AdminService, DirectoryService and PracticeService). Tests call it through the typed
 * functions of the generated rpc_clients.h (tests/integration/gen_rpc_clients.c). */
int harness_rpc(struct harness *h, enum svc_id id, const ProtobufCServiceDescriptor *service,
                const char *key, const char *method, const ProtobufCMessage *req,
                ProtobufCMessage **reply, char *msg, size_t msg_size);
/* Frees a reply (protobuf_c_message_free_unpacked); NULL does nothing. */
void harness_free(void *msg);
/* The same, sending `req` packed as it is whatever message `method` takes: for tests of what the
 * server does with bytes no well-typed client sends. The reply is not unpacked. */
int harness_call_bytes(struct harness *h, enum svc_id id, const char *key, const char *method,
                       const ProtobufCMessage *req, char *msg, size_t msg_size);
/* grpc.health.v1 status of service `id` (1 SERVING, 2 NOT_SERVING), or -gRPC status on error. */
int harness_health(struct harness *h, enum svc_id id);

/* True when a and b pack to the same bytes: "read back exactly". */
bool harness_packed_equal(const ProtobufCMessage *a, const ProtobufCMessage *b);

/* Runs `sql` (no parameters) on the test database as the unic role; for fixtures and checks. */
int harness_sql(struct harness *h, const char *sql);
/* UNIC_TEST_PORT_BASE: the first port of the test's block, offset per build tree and shifted
 * below Linux's ephemeral range (CMakeLists.txt), so that neither another tree's test nor an
 * outgoing connection's local port can hold it. The services take +0..+3; a test that starts a
 * PostgreSQL and Redis of its own puts them in its block too (its CMake entry says where). */
int harness_port_base(void);
/* Runs a shell command, returning its exit status. */
int harness_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
