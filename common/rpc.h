/* rpc.h: gRPC over the C core, driven by protobuf-c service descriptors, so that services write
 * typed handlers and never touch grpc_*.
 *
 * Server: rpc_server_new registers every method of a ProtobufCServiceDescriptor with a handler
 * from a table; the runtime authenticates the caller, unpacks the request, calls the handler on a
 * worker thread, packs the reply and sends the status. grpc.health.v1.Health/Check is built in.
 *
 * Client: struct rpc_stub is a ProtobufCService whose invoke makes a unary call on a shared
 * channel, so protobuf-c's generated stubs call other services; the caller's credentials and
 * deadline travel with the call.
 *
 * Ownership: a handler allocates its reply, and anything else it needs for the call, from
 * call->arena, which the runtime frees after the reply is sent. The request is the runtime's.
 * A reply handed to a client closure belongs to the closure's owner (free it with
 * protobuf_c_message_free_unpacked(msg, NULL)). */
#ifndef UNIC_RPC_H
#define UNIC_RPC_H

#include <stdbool.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "auth.h"
#include "cache.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "mem.h"

/* What a handler knows about the call it serves. */
struct call {
    struct arena arena;          /* per-call allocations, freed after the reply is sent */
    struct principal principal;  /* the authenticated end caller */
    struct db *db;               /* this worker thread's connection */
    struct cache *cache;         /* this worker thread's Redis connection */
    void *app;                   /* the service's shared state, given to rpc_server_new */
    const struct config *cfg;
    const char *method;          /* "/unic.catalog.v1.CatalogService/GetQuestionnaire" */
    const char *authorization;   /* the caller's authorization value, forwarded downstream */
    int64_t deadline_ms;         /* CLOCK_REALTIME milliseconds; INT64_MAX when none */
    void *grpc_call;             /* the server call, parent of downstream calls (runtime use) */
    const uint8_t *raw_reply;    /* set by rpc_reply_raw: bytes sent as the reply as they are */
    size_t raw_len;
};

/* Returns 0 with *reply set (allocated in call->arena, or via rpc_reply_raw), or -1 with *e set. */
typedef int (*rpc_handler)(struct call *call, const ProtobufCMessage *request,
                           ProtobufCMessage **reply, struct err *e);

struct rpc_method {
    const char *name;  /* as in the .proto, e.g. "GetQuestionnaire" */
    rpc_handler handler;
};

struct rpc_service {
    const ProtobufCServiceDescriptor *descriptor;
    const struct rpc_method *methods;
    size_t n_methods;
};

struct rpc_server;

/* Blocks SIGTERM and SIGINT in the calling thread; call first in main(), before grpc_init (inside
 * rpc_server_new), so every thread the runtime starts inherits the mask and the main thread
 * alone receives them in rpc_server_run. */
void rpc_block_signals(void);

/* Creates and binds the server (cfg->listen). Returns NULL with *e set on failure. `cfg`, `svc`
 * and `app` must outlive the server. */
struct rpc_server *rpc_server_new(const struct config *cfg, const struct rpc_service *svc,
                                  struct auth *auth, void *app, struct err *e);
/* Serves until SIGTERM or SIGINT, then: health NOT_SERVING, stop accepting, let calls in flight
 * finish within cfg->grace_seconds, cancel the rest, stop the workers. Returns 0. */
int rpc_server_run(struct rpc_server *s);
/* NULL-safe. */
void rpc_server_free(struct rpc_server *s);

/* Send `len` bytes, already a packed reply message, as the reply (e.g. a cached form). The bytes
 * must live until the call ends: allocate them in call->arena. */
void rpc_reply_raw(struct call *call, const void *bytes, size_t len);
bool rpc_deadline_passed(const struct call *call);

/* ---- Client ---- */

struct rpc_client;

/* A channel to `target` (host:port), shared by all threads. NULL-safe free. */
struct rpc_client *rpc_client_new(const char *target, int timeout_ms);
void rpc_client_free(struct rpc_client *c);

struct rpc_stub {
    ProtobufCService base;      /* pass &stub.base to the generated client functions */
    struct rpc_client *client;
    const char *authorization;  /* forwarded as is; NULL sends none */
    int64_t deadline_ms;        /* absolute, CLOCK_REALTIME */
    void *parent;               /* server call to propagate cancellation from, or NULL */
    struct err err;             /* status of the last call: code ERR_OK or the gRPC status */
};

/* Prepares a stub calling `desc` through `client` on behalf of `on_behalf` (its credentials,
 * its deadline capped by the client's timeout); on_behalf NULL means no credentials. */
void rpc_stub_init(struct rpc_stub *s, struct rpc_client *client,
                   const ProtobufCServiceDescriptor *desc, const struct call *on_behalf);

/* A closure for generated stubs that stores the reply (or NULL) in *(ProtobufCMessage **)data.
 * Use with the generated closure type: RPC_TAKE(Unic__Catalog__V1__Questionnaire). */
void rpc_take_reply(const ProtobufCMessage *reply, void *data);
#define RPC_TAKE(T) ((T##_Closure)rpc_take_reply)

/* Calls method `name` of the stub's service: 0 with *reply set (caller frees it), or -1 with *e
 * set to the remote status. A simpler entry point than the generated functions. */
int rpc_call(struct rpc_stub *s, const char *name, const ProtobufCMessage *req,
             ProtobufCMessage **reply, struct err *e);

#endif
