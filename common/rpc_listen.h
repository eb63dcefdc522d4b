/* rpc_listen.h: the listening socket of a service, owned by us rather than by gRPC 1.51, whose own
 * listener stops accepting for good after one accept4() EMFILE (CVE-2023-4785) and has no
 * connection limit. An acceptor thread admits connections within a global cap and a cap per peer
 * address and hands each to the gRPC server; a watchdog checks, through a fresh connection, that
 * the service still answers, and exits the process when it does not (internal to common/).
 * struct rpc_listener owns its socket and threads; connections handed over are gRPC's. */
#ifndef UNIC_RPC_LISTEN_H
#define UNIC_RPC_LISTEN_H

#include <grpc/grpc.h>

#include "err.h"

struct rpc_listener;

struct rpc_listen_limits {
    int max_connections;      /* open at once, all peers together */
    int max_per_peer;         /* open at once from one IP address */
    int watchdog_seconds;     /* between checks; 0 disables the watchdog */
};

/* Raises RLIMIT_NOFILE to its hard limit, caps max_connections below it (leaving `reserve`
 * descriptors for the database, Redis, other services and gRPC itself), binds and listens on
 * `addr` (host:port). NULL with *e set on failure. */
struct rpc_listener *rpc_listener_new(const char *addr, struct rpc_listen_limits limits,
                                      int reserve, struct err *e);
/* The port bound (useful when addr asked for port 0), and the connection cap in force. */
int rpc_listener_port(const struct rpc_listener *l);
int rpc_listener_max_connections(const struct rpc_listener *l);
/* Starts the acceptor and the watchdog; `server` must be started and outlive the listener's
 * threads (rpc_listener_stop). */
void rpc_listener_start(struct rpc_listener *l, grpc_server *server);
/* Stops accepting and joins the threads; connections already handed over stay open. */
void rpc_listener_stop(struct rpc_listener *l);
/* Stops if needed and closes the socket. NULL-safe. */
void rpc_listener_free(struct rpc_listener *l);

#endif
