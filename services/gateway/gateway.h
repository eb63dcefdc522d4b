/* gateway.h: unic-gateway, every RPC of the four services over plain HTTP/1.1 (Connect unary
 * with JSON or binary bodies, Connect GET for reads, gRPC-Web), the portal's static files, and a
 * health path. It holds no state: each request becomes one gRPC call with the caller's key,
 * deadline and request id. The modules, from the wire inwards:
 *   http.c      libmicrohttpd glue: limits, dispatch, CORS, headers, one log line per request
 *   protocol.c  pure rules of the dialects: codes and statuses, timeouts, gRPC-Web frames
 *   routes.c    "/package.Service/Method" -> method descriptor and backend, from protobuf-c
 *   backend.c   the one place that calls the client runtime of common/
 *   site.c      the static files, loaded once: types, ETags, gzip, the portal's fallback */
#ifndef UNIC_GATEWAY_H
#define UNIC_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "bytes.h"
#include "config.h"
#include "err.h"
#include "rpc.h"

/* ---- Configuration (UNIC_HTTP_* and the services' addresses) ---- */

struct gateway_config {
    struct config common;       /* UNIC_*_ADDR, UNIC_CALL_TIMEOUT_MS, UNIC_LOG_LEVEL */
    char listen[256];           /* UNIC_HTTP_LISTEN, default 127.0.0.1:8080 */
    char static_dir[1024];      /* UNIC_HTTP_STATIC, default the repository's web/; "off": none */
    char cors_origins[1024];    /* UNIC_HTTP_CORS_ORIGINS: comma-separated origins; empty: CORS off */
    int max_body_bytes;         /* UNIC_HTTP_MAX_BODY_BYTES, default 4 MiB */
    int max_connections;        /* UNIC_HTTP_MAX_CONNECTIONS, default 512 */
    int per_ip_connections;     /* UNIC_HTTP_PER_IP_CONNECTIONS, default 0 (no limit) */
    int timeout_seconds;        /* UNIC_HTTP_TIMEOUT_SECONDS: idle client connections, default 30 */
};

int gateway_config_load(struct gateway_config *c, config_getter get, struct err *e);

/* ---- The dialects (protocol.c, pure) ---- */

/* Connect's name of a gRPC status ("invalid_argument") into buf, and the HTTP status Connect
 * maps it to. */
void connect_code_name(int code, char *buf, size_t size);
int connect_http_status(int code);
/* Connect-Timeout-Ms (1-10 digits) and grpc-timeout (1-8 digits and a unit H M S m u n), as
 * milliseconds (at least 1). Return -1 when malformed. */
int connect_timeout_parse(const char *v, int64_t *ms);
int grpc_timeout_parse(const char *v, int64_t *ms);
/* The JSON body of a Connect error, into o. */
void connect_error_body(struct bytes *o, int code, const char *message);
/* The one message of a unary gRPC-Web request body (5-byte frame header, then the message).
 * Returns -1 with *e set when the body is not exactly one uncompressed data frame. */
int grpcweb_unframe(const uint8_t *body, size_t len, const uint8_t **msg, size_t *msg_len,
                    struct err *e);
/* A unary gRPC-Web reply body: the message's data frame when msg is not NULL, then the trailer
 * frame carrying grpc-status and the percent-encoded grpc-message. */
void grpcweb_reply(struct bytes *o, const uint8_t *msg, size_t msg_len, int code, const char *message);
/* True when the Accept-Encoding value accepts gzip (a q of 0 refuses it). */
bool accepts_gzip(const char *accept_encoding);
/* True when `origin` is one of the comma-separated `allowed`. */
bool origin_allowed(const char *allowed, const char *origin);

/* ---- Routes (routes.c) ---- */

enum backend_id { BACKEND_CATALOG, BACKEND_RESPONSES, BACKEND_SCORING, BACKEND_MATCHING, BACKEND_COUNT };

struct route {
    char path[192];                          /* "/unic.catalog.v1.CatalogService/GetQuestionnaire" */
    const ProtobufCMethodDescriptor *method; /* its input and output message types */
    enum backend_id backend;
    bool read_only;                          /* callable with GET: its table row says RPC_READS */
};

/* Every method of the four services' descriptors, sorted by path. The table owns its rows. */
struct routes {
    struct route *v;
    size_t n;
};

/* A row of a service's method table, as far as the gateway needs it: generated at build time
 * from the services' RPC_ROW lines (cmake/method_effects.cmake). */
struct method_effect {
    enum backend_id backend;
    const char *method; /* "GetQuestionnaire" */
    bool writes;
};
extern const struct method_effect method_effects[];
extern const size_t method_effects_count;

void routes_init(struct routes *r);
void routes_destroy(struct routes *r);
const struct route *routes_find(const struct routes *r, const char *path);
/* True for a path shaped like "/package.Service/Method", known or not. */
bool routes_is_rpc_path(const char *path);
const char *backend_name(enum backend_id id);

/* ---- Backends (backend.c) ---- */

struct backends {
    struct rpc_client *client[BACKEND_COUNT];
};

/* What the caller's request carries downstream. */
struct forward {
    const char *authorization; /* the Authorization header as sent, or NULL */
    const char *request_id;    /* x-request-id */
    int64_t deadline_ms;       /* absolute CLOCK_REALTIME, capped by UNIC_CALL_TIMEOUT_MS; 0: that */
};

void backends_init(struct backends *b, const struct config *cfg);
void backends_destroy(struct backends *b);
/* One unary call of route r with packed request bytes. 0 with *reply in arena `a`, or -1 with
 * *e the remote status (UNAVAILABLE naming the service when it cannot be reached). */
int backends_call(struct backends *b, const struct route *r, const uint8_t *req, size_t req_len,
                  const struct forward *fw, struct arena *a, uint8_t **reply, size_t *reply_len,
                  struct err *e);
/* grpc.health.v1 Check of each service: serving[i] true when it answered SERVING. Returns the
 * number serving. */
int backends_health(struct backends *b, int timeout_ms, bool serving[BACKEND_COUNT]);

/* ---- Static files (site.c) ---- */

struct site_file {
    char *path;         /* "/index.html" */
    const char *type;   /* Content-Type */
    uint8_t *data;
    size_t len;
    uint8_t *gz;        /* gzip form when it is worth it, else NULL */
    size_t gz_len;
    char etag[40];      /* "\"<hash>\""; the gzip form adds -gz inside the quotes */
    char etag_gz[44];
};

/* Every regular file under a directory, in memory, sorted by path. Owns its files. */
struct site {
    struct site_file *files;
    size_t n;
};

/* Loads `dir` (dotfiles skipped). Returns -1 with *e set when it cannot be read. */
int site_load(struct site *s, const char *dir, struct err *e);
void site_destroy(struct site *s);
/* The file for a URL path: "/" and "/dir/" mean their index.html; a path whose last segment has
 * no dot is a portal route and gets /index.html. NULL when none (or the path is unsafe). */
const struct site_file *site_find(const struct site *s, const char *path);
/* The Content-Type of a file name, by extension. */
const char *site_content_type(const char *name);

/* ---- The HTTP server (http.c) ---- */

/* The caller fills cfg, routes, backends and site, then starts; it destroys them after stop. */
struct gateway {
    const struct gateway_config *cfg;
    struct routes routes;
    struct backends backends;
    struct site site;
    struct MHD_Daemon *daemon;
};

/* Starts listening on cfg->listen; returns -1 with *e set on failure. */
int gateway_start(struct gateway *g, struct err *e);
/* SIGHUP: HTTPS handshakes from now on use the certificate common/tls.c has (re)loaded; open
 * connections keep theirs. A set GnuTLS cannot read is logged and the one in use kept. */
int gateway_reload_tls(struct gateway *g);
/* Stops accepting and waits for requests in flight. NULL-safe on a gateway never started. */
void gateway_stop(struct gateway *g);

#endif
