/* tls.h: TLS on every listener and channel of a process, from UNIC_TLS_CERT, UNIC_TLS_KEY and
 * UNIC_TLS_CA (config.h). With a certificate set, a service listens with TLS only (plaintext is
 * refused) and calls other services over TLS; with UNIC_TLS_CA as well, TLS is mutual between
 * services: each presents its own certificate, peers' certificates are verified against the CA,
 * and a SERVICE key is accepted only from a peer holding one (docs/security.md).
 * The PEM files are read at start-up and again by tls_reload (on SIGHUP): new handshakes use
 * the new certificate, connections already open and their calls carry on; the runtime's client
 * channels are made again when tls_generation moves (common/rpc_client.c).
 * The state is process-wide, owned here, set up by tls_init and released by tls_shutdown. */
#ifndef UNIC_TLS_H
#define UNIC_TLS_H

#include <stdbool.h>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>

#include "config.h"
#include "err.h"

/* Reads and checks the configured files (the key must match the certificate). Without
 * UNIC_TLS_CERT it only records that TLS is off. -1 with *e naming the file when one is bad. */
int tls_init(const struct config *cfg, struct err *e);
void tls_shutdown(void);

/* Re-reads the files; a bad set is logged and the one in use kept. Returns 0 when the new set
 * is in use. Safe from any thread. */
int tls_reload(void);

bool tls_enabled(void);  /* UNIC_TLS_CERT is set */
bool tls_mutual(void);   /* UNIC_TLS_CA is set too */

/* Credentials for a listener or a channel (insecure when TLS is off). The caller releases them. */
grpc_server_credentials *tls_server_credentials(void);
grpc_channel_credentials *tls_channel_credentials(void);
/* How many certificate sets have been loaded; a channel made before a change can be remade. */
int tls_generation(void);

/* Copies of the certificate and key in use, PEM, for a listener not built on gRPC (the gateway's
 * HTTPS); the caller frees both. -1 when TLS is off. */
int tls_pem(char **cert, char **key);

/* True when the peer of server call `call` presented a certificate the suite's CA signed. */
bool tls_peer_is_suite(grpc_call *call);

#endif
