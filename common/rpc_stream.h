/* rpc_stream.h: the server's bidirectional streams (internal to common/; the public half is in
 * rpc.h). Streams have their own completion queue and thread, so a stream held open by a client
 * never occupies a worker, and the workers' unary path is untouched. rpc_server.c creates the
 * set before the server starts, starts it after, and stops it once the server has shut down.
 * struct rpc_streams owns its queue, thread, connections and the reflection index. */
#ifndef UNIC_RPC_STREAM_H
#define UNIC_RPC_STREAM_H

#include <grpc/grpc.h>

#include "rpc.h"

struct rpc_streams;

/* Registers the built-in reflection streams (v1 and v1alpha) for service `name`, and any added
 * with rpc_streams_add, on `server`, which must not have started. NULL with *e set on failure. */
struct rpc_streams *rpc_streams_new(grpc_server *server, const struct config *cfg,
                                    struct auth *auth, void *app, const char *service_name,
                                    struct err *e);
/* Before rpc_streams_start: another stream method; `m` must outlive the set. */
void rpc_streams_add(struct rpc_streams *ss, const struct rpc_stream_method *m);
/* After grpc_server_start: requests calls and starts the thread. */
void rpc_streams_start(struct rpc_streams *ss);
/* True when no stream is open and no request for one is waiting (after the shutdown fails them). */
bool rpc_streams_idle(struct rpc_streams *ss);
/* After the server's shutdown has completed (every call over): stops the thread. NULL-safe. */
void rpc_streams_stop(struct rpc_streams *ss);
void rpc_streams_free(struct rpc_streams *ss); /* NULL-safe; after grpc_server_destroy */

#endif
