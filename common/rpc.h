/* rpc.h: gRPC over the C core, driven by protobuf-c service descriptors, so that services write
 * typed handlers and never touch grpc_*.
 *
 * Server: rpc_server_new registers every method of a ProtobufCServiceDescriptor with a handler
 * from a table; the runtime authenticates the caller, unpacks the request, calls the handler on a
 * worker thread, packs the reply and sends the status. grpc.health.v1.Health/Check is built in.
 *
 * The method table is the contract (docs/architecture.md): each row names the method, its typed
 * handler, the roles allowed and whether it writes; the dispatcher enforces the roles, logs every
 * call once (a failure with its status and message), and refuses to start when the table and the
 * descriptor disagree.
 *
 * Client: rpc_call makes one unary call on a shared channel; the caller's credentials and
 * deadline travel with it, and the reply is unpacked into the caller's arena.
 *
 * Ownership: a handler allocates its reply, and anything else it needs for the call, from
 * call->arena, which the runtime frees after the reply is sent. The request lives in the same
 * arena and is the runtime's. Owned by common/: the API is stable; extend it, don't change it. */
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
    char request_hash[65];       /* RPC_WRITES methods: hex SHA-256 of the method path, a NUL and
                                    the packed request, for the idempotency protocol; else "" */
    const uint8_t *raw_reply;    /* set by rpc_reply_raw: bytes sent as the reply as they are */
    size_t raw_len;
    const struct rpc_shared *shared_reply; /* set by rpc_reply_shared */
};

/* The roles a method admits: a mask of enum role bits. The dispatcher checks it after
 * authenticating and before unpacking, so a handler never sees a caller of a role it does not
 * serve; rules that depend on the row (ownership, visibility) stay in the service's access.c. */
enum rpc_roles {
    RPC_OPERATOR = 1u << ROLE_OPERATOR,
    RPC_STATE = 1u << ROLE_STATE,
    RPC_SERVICE = 1u << ROLE_SERVICE,
    RPC_ANY_ROLE = RPC_OPERATOR | RPC_STATE | RPC_SERVICE,
};

/* Whether a method changes state. A write's call carries the request hash its idempotency
 * protocol needs (call->request_hash); the gateway maps reads and writes to HTTP verbs. */
enum rpc_effect { RPC_READS = 0, RPC_WRITES = 1 };

/* The runtime's view of a handler; services write typed handlers and wrap them with
 * RPC_HANDLER, never by hand. Returns 0 with *reply set (allocated in call->arena, or via
 * rpc_reply_raw), or -1 with *e set. */
typedef int (*rpc_handler)(struct call *call, const ProtobufCMessage *request,
                           ProtobufCMessage **reply, struct err *e);

/* One row of a service's method table: the contract of one method. */
struct rpc_method {
    const char *name;        /* as in the .proto, e.g. "GetQuestionnaire" */
    rpc_handler handler;     /* RPC_HANDLER's wrapper */
    size_t request_size;     /* sizeof the handler's request and reply types, checked against */
    size_t reply_size;       /* the descriptor at start-up */
    unsigned roles;          /* enum rpc_roles */
    enum rpc_effect effect;
};

/* RPC_HANDLER(fn, Req, Reply) after `static int fn(struct call *, const Req *, Reply **,
 * struct err *)` defines the wrapper the table row names; RPC_ROW(name, fn, roles, effect) is
 * that row. A handler whose types are not the method's stops start-up (the sizes differ), as
 * does a row naming no method of the service or a method with no row. */
#define RPC_HANDLER(fn, Req, Reply)                                                             \
    static int fn##_rpc(struct call *call_, const ProtobufCMessage *req_, ProtobufCMessage **out_, \
                        struct err *e_)                                                         \
    {                                                                                           \
        Reply *typed_ = NULL;                                                                   \
        int rc_ = fn(call_, (const Req *)(const void *)req_, &typed_, e_);                       \
        if (typed_ != NULL)                                                                     \
            *out_ = &typed_->base;                                                              \
        return rc_;                                                                             \
    }                                                                                           \
    enum { fn##_rpc_request_size = sizeof(Req), fn##_rpc_reply_size = sizeof(Reply) }
#define RPC_ROW(name, fn, roles, effect)                                                        \
    {name, fn##_rpc, fn##_rpc_request_size, fn##_rpc_reply_size, roles, effect}

struct rpc_service {
    const ProtobufCServiceDescriptor *descriptor;
    const struct rpc_method *methods;
    size_t n_methods;
};

/* Checks that `svc`'s table and descriptor match one to one (every row names a method of the
 * descriptor, every method has one row, the handler's types fit, a row admits some role).
 * -1 with *e naming the service, the row and the methods when not. rpc_server_new calls it
 * first; tests call it directly. */
int rpc_service_check(const struct rpc_service *svc, struct err *e);

struct rpc_server;

/* Blocks SIGTERM, SIGINT and SIGHUP in the calling thread; call first in main(), before grpc_init
 * (inside rpc_server_new), so every thread the runtime starts inherits the mask and the main
 * thread alone receives them in rpc_server_run (SIGHUP: re-read the TLS certificates, tls.h). */
void rpc_block_signals(void);

/* Creates and binds the server (cfg->listen). Returns NULL with *e set on failure. `cfg`, `svc`
 * and `app` must outlive the server. */
struct rpc_server *rpc_server_new(const struct config *cfg, const struct rpc_service *svc,
                                  struct auth *auth, void *app, struct err *e);
/* Serves `svc` too, on the same port with the same workers; call before rpc_server_run. */
int rpc_server_add(struct rpc_server *s, const struct rpc_service *svc, struct err *e);
/* Serves until SIGTERM or SIGINT (re-reading the certificates on each SIGHUP), then: health
 * NOT_SERVING, stop accepting, let calls in flight finish within cfg->grace_seconds, cancel the
 * rest, stop the workers. Returns 0. */
int rpc_server_run(struct rpc_server *s);
/* NULL-safe. */
void rpc_server_free(struct rpc_server *s);
/* True from the start of rpc_server_run until SIGTERM or SIGINT: the server accepts calls.
 * Safe from any thread. (gRPC health also says NOT_SERVING while the database is down.) */
bool rpc_server_serving(struct rpc_server *s);

/* Send `len` bytes, already a packed reply message, as the reply (e.g. a cached form). The bytes
 * must live until the call ends: allocate them in call->arena. */
void rpc_reply_raw(struct call *call, const void *bytes, size_t len);
bool rpc_deadline_passed(const struct call *call);

/* A packed reply kept for many calls (a published questionnaire): immutable bytes, reference
 * counted, sent by every reply that names them without being copied again. rpc_shared_new
 * copies `bytes` once; rpc_shared_free drops the creator's reference, and replies still being
 * sent keep theirs. Safe to use from any thread. */
struct rpc_shared;
struct rpc_shared *rpc_shared_new(const void *bytes, size_t len);
size_t rpc_shared_len(const struct rpc_shared *s);
/* NULL-safe. */
void rpc_shared_free(struct rpc_shared *s);
/* Sends `s` as the reply; it must outlive the handler's return (the reply takes a reference). */
void rpc_reply_shared(struct call *call, const struct rpc_shared *s);

/* ---- Bidirectional streams ----
 * A stream method's handler is called once for each message the client sends, in order, and may
 * answer with any number of messages (rpc_stream_send); returning -1 ends the stream with *e's
 * status, and the client's half-close ends it with OK. Handlers run on the streams' own thread
 * (common/rpc_stream.c), which has its own PostgreSQL and Redis connections: a stream held open
 * never occupies a worker. Every service serves reflection this way. */
struct rpc_stream;
typedef int (*rpc_stream_handler)(struct call *call, const ProtobufCMessage *msg,
                                  struct rpc_stream *st, struct err *e);

struct rpc_stream_method {
    const char *path;                       /* "/pkg.Service/Method" */
    const ProtobufCMessageDescriptor *input; /* the type of the messages the client sends */
    rpc_stream_handler handler;
    void *arg;                              /* for the handler: rpc_stream_arg */
    bool anonymous;                         /* served without credentials (reflection) */
};

/* Adds a stream method; call before rpc_server_run. `m` must outlive the server. */
void rpc_server_add_stream(struct rpc_server *s, const struct rpc_stream_method *m);
/* Queues `msg` (packed at once: it may live in call->arena) as the next reply of the stream. */
void rpc_stream_send(struct rpc_stream *st, const ProtobufCMessage *msg);
void *rpc_stream_arg(const struct rpc_stream *st);

/* ---- Client ---- */

struct rpc_client;

/* A channel to `target` (host:port), shared by all threads. NULL-safe free. */
struct rpc_client *rpc_client_new(const char *target, int timeout_ms);
/* The same with a TCP connection of its own, never shared with other channels to `target`. */
struct rpc_client *rpc_client_new_private(const char *target, int timeout_ms);
void rpc_client_free(struct rpc_client *c);

/* Who a downstream call speaks for. */
struct rpc_caller {
    const char *authorization;  /* the authorization value, sent as is; NULL sends none */
    int64_t deadline_ms;        /* absolute CLOCK_REALTIME ms, capped by the client's timeout;
                                   0: the client's timeout from now */
    void *parent;               /* server call whose cancellation propagates, or NULL */
};

/* The end caller of server call `c`: its credentials, its deadline, c as parent. */
struct rpc_caller rpc_caller_of(const struct call *c);

/* The one client entry point: calls `method` of `service` through `client` as `caller`.
 * 0 with *reply unpacked into arena `a` (freed with it; NULL `a` means the heap, freed with
 * protobuf_c_message_free_unpacked), or -1 with *e set to the remote status. A request that is
 * not the method's input message is INTERNAL and never sent. */
int rpc_call(struct rpc_client *client, struct rpc_caller caller,
             const ProtobufCServiceDescriptor *service, const char *method,
             const ProtobufCMessage *req, struct arena *a, ProtobufCMessage **reply, struct err *e);

/* The transport under rpc_call, for callers that hold packed bytes (the gateway): one unary
 * call to `path` ("/pkg.Service/Method"). 0 with the reply's bytes in arena `a`, or -1 with *e
 * set to the remote status. */
int rpc_call_bytes(struct rpc_client *client, struct rpc_caller caller, const char *path,
                   const uint8_t *req, size_t req_len, struct arena *a, uint8_t **reply,
                   size_t *reply_len, struct err *e);
/* rpc_call_bytes that also sends `request_id` as x-request-id (NULL sends none), for a caller
 * relaying a request that came with one (the gateway). */
int rpc_forward_bytes(struct rpc_client *client, struct rpc_caller caller, const char *request_id,
                      const char *path, const uint8_t *req, size_t req_len, struct arena *a,
                      uint8_t **reply, size_t *reply_len, struct err *e);

#endif
