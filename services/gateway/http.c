/* http.c: the gateway's HTTP/1.1 side on libmicrohttpd. Each connection has its own thread, so
 * a request may block in its gRPC call; limits on connections, header memory, body size and
 * idle time keep slow or greedy clients from holding the process. Every request ends in one
 * JSON log line (never the key, never the query string, which may carry the message). */
#include "gateway.h"

#include <ctype.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "digest.h"
#include "instrument.h"
#include "log.h"
#include "mem.h"
#include "pbjson.h"
#include "size_limits.h"
#include "text.h"
#include "tls.h"

/* No inline script or style and no other origin: the portal is plain files from here. */
#define CSP                                                                                  \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "        \
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "            \
    "form-action 'self'; frame-ancestors 'none'"

struct request {
    struct arena arena;     /* the replies of the services, freed when the request completes */
    struct bytes body;
    size_t max_body;        /* body_limit of its path */
    bool too_large;
    struct timespec start;
    /* for the log line */
    const char *protocol;   /* "connect+json", "grpc-web", "static", ... */
    int http_status;
    int code;               /* the outcome as a gRPC status */
    size_t bytes_in, bytes_out;
    char request_id[72];
    char caller[24];        /* "key:" and the start of the key's SHA-256, or "" */
    char log_method[16];
    char log_path[400];     /* JSON-escaped, without the query */
    char detail[300];
};

/* ---- Replies ---- */

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static void add_cors(const struct gateway *g, struct MHD_Connection *c, struct MHD_Response *r)
{
    const char *origin = header(c, "Origin");
    if (!origin_allowed(g->cfg->cors_origins, origin))
        return;
    MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
    MHD_add_response_header(r, "Vary", "Origin");
    MHD_add_response_header(r, "Access-Control-Expose-Headers",
                            "grpc-status, grpc-message, x-request-id, content-encoding");
}

/* Queues a reply. `extra` is NULL or name/value pairs ending in NULL. `api`: an RPC's reply,
 * never stored by a cache (it may hold what only this caller may read). */
static enum MHD_Result reply(const struct gateway *g, struct MHD_Connection *c, struct request *rq,
                             int status, const char *type, void *data, size_t len,
                             enum MHD_ResponseMemoryMode mode, bool api, const char *const *extra)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, mode);
    if (r == NULL) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free(data);
        return MHD_NO;
    }
    if (type)
        MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    if (api) {
        MHD_add_response_header(r, "Cache-Control", "no-store");
        MHD_add_response_header(r, "X-Request-Id", rq->request_id);
    }
    for (size_t i = 0; extra && extra[i]; i += 2)
        MHD_add_response_header(r, extra[i], extra[i + 1]);
    add_cors(g, c, r);
    rq->http_status = status;
    rq->bytes_out = len;
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static void note(struct request *rq, int code, const char *detail)
{
    rq->code = code;
    /* The log line's detail: a longer message is cut, on purpose. */
    snprintf(rq->detail, sizeof rq->detail, "%.*s", (int)sizeof rq->detail - 1, detail ? detail : "");
}

/* A Connect error; http_status 0 means Connect's mapping of the code. */
static enum MHD_Result connect_error(const struct gateway *g, struct MHD_Connection *c,
                                     struct request *rq, int code, int http_status, const char *msg,
                                     const char *const *extra)
{
    struct bytes o = {0};
    connect_error_body(&o, code, msg);
    note(rq, code, msg);
    size_t len;
    char *body = (char *)bytes_take(&o, &len);
    return reply(g, c, rq, http_status ? http_status : connect_http_status(code), "application/json",
                 body, len, MHD_RESPMEM_MUST_FREE, true, extra);
}

static enum MHD_Result text_reply(const struct gateway *g, struct MHD_Connection *c,
                                  struct request *rq, int status, const char *text,
                                  const char *const *extra)
{
    return reply(g, c, rq, status, "text/plain; charset=utf-8", (void *)text, strlen(text),
                 MHD_RESPMEM_PERSISTENT, false, extra);
}

/* ---- What each request carries downstream ---- */

static bool request_id_ok(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 64)
        return false;
    for (const char *p = v; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return false;
    return true;
}

static void identify(struct MHD_Connection *c, struct request *rq)
{
    const char *id = header(c, "X-Request-Id");
    if (id && request_id_ok(id)) {
        snprintf(rq->request_id, sizeof rq->request_id, "%s", id);
    } else {
        uint8_t r[8] = {0};
        if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
            clock_gettime(CLOCK_MONOTONIC, (struct timespec *)(void *)r);
        for (int i = 0; i < 8; i++)
            snprintf(rq->request_id + 2 * i, 3, "%02x", r[i]);
    }
    /* the log names the key by its hash, as the services store it, never by the key */
    const char *auth = header(c, "Authorization");
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
        char hex[65];
        sha256_hex(auth + 7, strlen(auth + 7), hex);
        snprintf(rq->caller, sizeof rq->caller, "key:%.12s", hex);
    }
}

/* The deadline the caller gave in `name` (parsed by `parse`), or 0 for the configured one. */
static int deadline_from(struct MHD_Connection *c, const char *name,
                         int (*parse)(const char *, int64_t *), int64_t *deadline, struct err *e)
{
    const char *v = header(c, name);
    int64_t ms;
    *deadline = 0;
    if (v == NULL)
        return 0;
    if (parse(v, &ms) < 0)
        return err_set(e, ERR_INVALID_ARGUMENT, "%s \"%.40s\" is not a valid timeout", name, v);
    *deadline = clock_wall_ms() + (ms > 600000 ? 600000 : ms);
    return 0;
}

/* ---- Connect unary: POST with a body, or GET with the message in the query ---- */

/* A reply message that is a file: string content_type, string filename and bytes bytes, as
 * unic.scoring.v1.Document and ExportAssessmentResponse are. NULL fields when it is not one. */
struct file_fields {
    const ProtobufCFieldDescriptor *type, *name, *bytes;
};

static bool file_fields_of(const ProtobufCMessageDescriptor *d, struct file_fields *f)
{
    f->type = protobuf_c_message_descriptor_get_field_by_name(d, "content_type");
    f->name = protobuf_c_message_descriptor_get_field_by_name(d, "filename");
    f->bytes = protobuf_c_message_descriptor_get_field_by_name(d, "bytes");
    return f->type && f->name && f->bytes && f->type->type == PROTOBUF_C_TYPE_STRING &&
           f->name->type == PROTOBUF_C_TYPE_STRING && f->bytes->type == PROTOBUF_C_TYPE_BYTES &&
           f->type->label != PROTOBUF_C_LABEL_REPEATED &&
           f->name->label != PROTOBUF_C_LABEL_REPEATED &&
           f->bytes->label != PROTOBUF_C_LABEL_REPEATED;
}

/* The file a reply carries, sent as it is (`?download=1`): its bytes as the body, its type as
 * Content-Type and its name in Content-Disposition, so a browser link or `curl -OJ` saves it.
 * Header values come from our own services, and are still cleaned: printable ASCII only, and a
 * file name of letters, digits, '.', '-' and '_'. */
static enum MHD_Result file_reply(const struct gateway *g, struct MHD_Connection *c,
                                  struct request *rq, const struct file_fields *f,
                                  const ProtobufCMessageDescriptor *d, const uint8_t *rep,
                                  size_t rep_len)
{
    ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, rep_len, rep);
    if (m == NULL)
        return connect_error(g, c, rq, ERR_INTERNAL, 0, "the service's reply does not unpack", NULL);
    const char *type = *(char **)(void *)((char *)m + f->type->offset);
    const char *name = *(char **)(void *)((char *)m + f->name->offset);
    const ProtobufCBinaryData *body = (void *)((char *)m + f->bytes->offset);
    char ctype[128], disposition[200];
    size_t n = 0;
    for (const char *p = type; *p && n + 1 < sizeof ctype; p++)
        if (*p >= 0x20 && *p < 0x7f)
            ctype[n++] = *p;
    ctype[n] = '\0';
    n = (size_t)snprintf(disposition, sizeof disposition, "attachment; filename=\"");
    for (const char *p = name; *p && n + 3 < sizeof disposition; p++)
        disposition[n++] = (isalnum((unsigned char)*p) || strchr(".-_", *p)) ? *p : '_';
    disposition[n++] = '"';
    disposition[n] = '\0';
    const char *const extra[] = {"Content-Disposition", disposition, NULL};
    enum MHD_Result ret = reply(g, c, rq, 200, ctype[0] ? ctype : "application/octet-stream",
                                body->data, body->len, MHD_RESPMEM_MUST_COPY, true, extra);
    protobuf_c_message_free_unpacked(m, NULL);
    return ret;
}

static enum MHD_Result connect_unary(struct gateway *g, struct MHD_Connection *c, struct request *rq,
                                     const struct route *r, bool json, bool download,
                                     const uint8_t *body, size_t len)
{
    struct err e = {0};
    const char *type = json ? "application/json" : "application/proto";
    rq->protocol = json ? "connect+json" : "connect+proto";
    uint8_t *req = NULL, *rep = NULL; /* req is ours, rep lives in the request's arena */
    size_t req_len = 0, rep_len = 0;
    enum MHD_Result ret;
    struct forward fw = {.authorization = header(c, "Authorization"), .request_id = rq->request_id};
    if (deadline_from(c, "Connect-Timeout-Ms", connect_timeout_parse, &fw.deadline_ms, &e) < 0)
        goto fail;
    if (json) {
        if (pbjson_to_binary(r->method->input, (const char *)body, len, &req, &req_len, &e) < 0)
            goto fail;
    }
    if (backends_call(&g->backends, r, json ? req : body, json ? req_len : len, &fw, &rq->arena,
                      &rep, &rep_len, &e) < 0)
        goto fail;
    note(rq, ERR_OK, NULL);
    if (download) {
        struct file_fields f;
        ret = file_fields_of(r->method->output, &f)
                  ? file_reply(g, c, rq, &f, r->method->output, rep, rep_len)
                  : connect_error(g, c, rq, ERR_INVALID_ARGUMENT, 0,
                                  "download=1: this method's reply is not a file", NULL);
        goto done;
    }
    if (!json) {
        ret = reply(g, c, rq, 200, type, rep, rep_len, MHD_RESPMEM_MUST_COPY, true, NULL);
        goto done;
    }
    char *out;
    size_t out_len;
    if (pbjson_from_binary(r->method->output, rep, rep_len, false, &out, &out_len, &e) < 0) {
        e.code = ERR_INTERNAL;
        goto fail;
    }
    ret = reply(g, c, rq, 200, type, out, out_len, MHD_RESPMEM_MUST_FREE, true, NULL);
    goto done;
fail:
    ret = connect_error(g, c, rq, e.code, 0, e.msg, NULL);
done:
    free(req);
    return ret;
}

static bool content_type_is(const char *ctype, const char *want)
{
    size_t n = strlen(want);
    return ctype && strncasecmp(ctype, want, n) == 0 && (ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ');
}

static enum MHD_Result connect_post(struct gateway *g, struct MHD_Connection *c, struct request *rq,
                                    const struct route *r, const char *ctype)
{
    bool json = content_type_is(ctype, "application/json");
    rq->protocol = json ? "connect+json" : "connect+proto";
    if (!json && !content_type_is(ctype, "application/proto")) {
        static const char *const accept[] = {"Accept-Post", "application/json, application/proto, "
                                             "application/grpc-web+proto, application/grpc-web-text+proto",
                                             NULL};
        char msg[200];
        snprintf(msg, sizeof msg, "content type \"%.60s\" is not served: use application/json, "
                 "application/proto or application/grpc-web+proto", ctype ? ctype : "");
        return connect_error(g, c, rq, ERR_INVALID_ARGUMENT, 415, msg, accept);
    }
    const char *version = header(c, "Connect-Protocol-Version");
    if (version && strcmp(version, "1") != 0)
        return connect_error(g, c, rq, ERR_INVALID_ARGUMENT, 0,
                             "Connect-Protocol-Version must be 1", NULL);
    const char *enc = header(c, "Content-Encoding");
    if (enc && strcasecmp(enc, "identity") != 0)
        return connect_error(g, c, rq, ERR_UNIMPLEMENTED, 0,
                             "compressed request bodies are not supported: send identity", NULL);
    if (r == NULL)
        return connect_error(g, c, rq, ERR_UNIMPLEMENTED, 404, "no such method", NULL);
    return connect_unary(g, c, rq, r, json, false, rq->body.data, rq->body.len);
}

static enum MHD_Result connect_get(struct gateway *g, struct MHD_Connection *c, struct request *rq,
                                   const struct route *r)
{
    rq->protocol = "connect+get";
    if (!r->read_only) {
        static const char *const allow[] = {"Allow", "POST", NULL};
        return connect_error(g, c, rq, ERR_UNIMPLEMENTED, 405,
                             "this method changes data: call it with POST", allow);
    }
    const char *encoding = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "encoding");
    const char *b64 = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "base64");
    const char *compression = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "compression");
    /* Not Connect's: the reply's file itself rather than the message holding it. */
    const char *dl = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "download");
    bool download = dl && strcmp(dl, "1") == 0;
    const char *message = NULL;
    size_t len = 0;
    MHD_lookup_connection_value_n(c, MHD_GET_ARGUMENT_KIND, "message", 7, &message, &len);
    bool json = encoding && strcmp(encoding, "json") == 0;
    if (!json && !(encoding && strcmp(encoding, "proto") == 0))
        return connect_error(g, c, rq, ERR_INVALID_ARGUMENT, 0,
                             "query parameter encoding must be json or proto", NULL);
    if (compression && *compression && strcmp(compression, "identity") != 0)
        return connect_error(g, c, rq, ERR_UNIMPLEMENTED, 0,
                             "compressed messages are not supported: send identity", NULL);
    if (message == NULL) {
        message = "";
        len = 0;
    }
    if (b64 && strcmp(b64, "1") == 0) {
        struct bytes raw = {0};
        enum MHD_Result ret;
        if (bytes_unbase64(&raw, message, len) < 0)
            ret = connect_error(g, c, rq, ERR_INVALID_ARGUMENT, 0,
                                "query parameter message is not valid base64", NULL);
        else
            ret = connect_unary(g, c, rq, r, json, download,
                                raw.data ? raw.data : (const uint8_t *)"", raw.len);
        bytes_destroy(&raw);
        return ret;
    }
    return connect_unary(g, c, rq, r, json, download, (const uint8_t *)message, len);
}

/* ---- gRPC-Web: framed binary, or the same as base64 text ---- */

static enum MHD_Result grpc_web(struct gateway *g, struct MHD_Connection *c, struct request *rq,
                                const struct route *r, const char *ctype)
{
    bool text = strncasecmp(ctype, "application/grpc-web-text", 25) == 0;
    const char *sub = ctype + (text ? 25 : 20);
    rq->protocol = text ? "grpc-web-text" : "grpc-web";
    if (!(*sub == '\0' || *sub == ';' || strncasecmp(sub, "+proto", 6) == 0)) {
        char msg[160];
        snprintf(msg, sizeof msg, "content type \"%.60s\" is not served: gRPC-Web here is +proto", ctype);
        return connect_error(g, c, rq, ERR_INVALID_ARGUMENT, 415, msg, NULL);
    }
    struct err e = {0};
    struct bytes raw = {0}, out = {0};
    const uint8_t *body = rq->body.data ? rq->body.data : (const uint8_t *)"";
    size_t body_len = rq->body.len;
    const uint8_t *msg = NULL;
    size_t msg_len = 0;
    uint8_t *rep = NULL;
    size_t rep_len = 0;
    struct forward fw = {.authorization = header(c, "Authorization"), .request_id = rq->request_id};
    if (text) {
        if (bytes_unbase64(&raw, (const char *)body, body_len) < 0) {
            err_set(&e, ERR_INVALID_ARGUMENT, "gRPC-Web text body is not valid base64");
            goto reply;
        }
        body = raw.data ? raw.data : (const uint8_t *)"";
        body_len = raw.len;
    }
    if (r == NULL) {
        err_set(&e, ERR_UNIMPLEMENTED, "no such method");
        goto reply;
    }
    if (grpcweb_unframe(body, body_len, &msg, &msg_len, &e) < 0 ||
        deadline_from(c, "grpc-timeout", grpc_timeout_parse, &fw.deadline_ms, &e) < 0)
        goto reply;
    backends_call(&g->backends, r, msg, msg_len, &fw, &rq->arena, &rep, &rep_len, &e);
reply:
    note(rq, e.code, e.msg);
    {
        struct bytes frames = {0};
        grpcweb_reply(&frames, e.code == ERR_OK ? rep : NULL, rep_len, e.code, e.msg);
        if (text) {
            bytes_base64(&out, frames.data, frames.len);
            bytes_destroy(&frames);
        } else {
            out = frames;
        }
    }
    bytes_destroy(&raw);
    size_t len;
    char *data = (char *)bytes_take(&out, &len);
    return reply(g, c, rq, 200, text ? "application/grpc-web-text+proto" : "application/grpc-web+proto",
                 data, len, MHD_RESPMEM_MUST_FREE, true, NULL);
}

/* ---- Health, static files, preflight ---- */

static enum MHD_Result health(struct gateway *g, struct MHD_Connection *c, struct request *rq)
{
    rq->protocol = "health";
    bool serving[BACKEND_COUNT];
    int n = backends_health(&g->backends, 1000, serving);
    struct bytes o = {0};
    bytes_printf(&o, "{\"status\":\"%s\",\"services\":{", n == BACKEND_COUNT ? "SERVING" : "NOT_SERVING");
    for (int i = 0; i < BACKEND_COUNT; i++)
        bytes_printf(&o, "%s\"%s\":\"%s\"", i ? "," : "", backend_name((enum backend_id)i),
                   serving[i] ? "SERVING" : "NOT_SERVING");
    bytes_puts(&o, "}}");
    note(rq, n == BACKEND_COUNT ? ERR_OK : ERR_UNAVAILABLE, NULL);
    size_t len;
    char *body = (char *)bytes_take(&o, &len);
    return reply(g, c, rq, n == BACKEND_COUNT ? 200 : 503, "application/json", body, len,
                 MHD_RESPMEM_MUST_FREE, true, NULL);
}

static enum MHD_Result static_file(struct gateway *g, struct MHD_Connection *c, struct request *rq,
                                   const char *url)
{
    rq->protocol = "static";
    const struct site_file *f = site_find(&g->site, url);
    if (f == NULL) {
        note(rq, ERR_NOT_FOUND, NULL);
        return text_reply(g, c, rq, 404, "not found\n", NULL);
    }
    bool gz = f->gz && accepts_gzip(header(c, "Accept-Encoding"));
    const char *etag = gz ? f->etag_gz : f->etag;
    const char *inm = header(c, "If-None-Match");
    const char *extra[] = {"ETag", etag, "Cache-Control", "no-cache",
                           f->gz ? "Vary" : NULL, "Accept-Encoding",
                           gz ? "Content-Encoding" : NULL, "gzip", NULL};
    if (!f->gz) /* the list ends early when there is one form only */
        extra[4] = NULL;
    note(rq, ERR_OK, NULL);
    if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0))
        return reply(g, c, rq, 304, NULL, NULL, 0, MHD_RESPMEM_PERSISTENT, false, extra);
    return reply(g, c, rq, 200, f->type, gz ? f->gz : f->data, gz ? f->gz_len : f->len,
                 MHD_RESPMEM_PERSISTENT, false, extra);
}

static enum MHD_Result preflight(struct gateway *g, struct MHD_Connection *c, struct request *rq)
{
    rq->protocol = "cors";
    note(rq, ERR_OK, NULL);
    if (!origin_allowed(g->cfg->cors_origins, header(c, "Origin"))) {
        note(rq, ERR_PERMISSION_DENIED, "origin not in UNIC_HTTP_CORS_ORIGINS");
        return text_reply(g, c, rq, 403, "origin not allowed\n", NULL);
    }
    static const char *const extra[] = {
        "Access-Control-Allow-Methods", "GET, POST",
        "Access-Control-Allow-Headers",
        "authorization, content-type, connect-protocol-version, connect-timeout-ms, "
        "grpc-timeout, x-grpc-web, x-user-agent, x-request-id",
        "Access-Control-Max-Age", "7200", NULL};
    return reply(g, c, rq, 204, NULL, NULL, 0, MHD_RESPMEM_PERSISTENT, false, extra);
}

/* ---- Dispatch ---- */

/* The largest body a request to `url` may carry: UNIC_HTTP_MAX_BODY_BYTES, and for the upload of
 * an assessment exchange file at least what the largest file the documentation allows takes in
 * Connect JSON (base64; binary and gRPC-Web take less), so that every file responses accepts
 * passes here in either encoding (common/size_limits.h). */
#define IMPORT_PATH "/unic.responses.v1.ResponseService/ImportAnswers"

static size_t body_limit(const struct gateway *g, const char *url)
{
    size_t limit = (size_t)g->cfg->max_body_bytes;
    if (strcmp(url, IMPORT_PATH) == 0 && limit < UNIC_EXCHANGE_JSON_BYTES)
        limit = UNIC_EXCHANGE_JSON_BYTES;
    return limit;
}

static enum MHD_Result dispatch(struct gateway *g, struct MHD_Connection *c, struct request *rq,
                                const char *url, const char *method)
{
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    bool post = strcmp(method, "POST") == 0;
    if (strcmp(method, "OPTIONS") == 0)
        return preflight(g, c, rq);
    if (rq->too_large) {
        char msg[160];
        if (strcmp(url, IMPORT_PATH) == 0)
            snprintf(msg, sizeof msg, "request body larger than %zu bytes (an exchange file of at"
                     " most %u bytes, in JSON as base64)", rq->max_body, UNIC_EXCHANGE_MAX_BYTES);
        else
            snprintf(msg, sizeof msg, "request body larger than %zu bytes", rq->max_body);
        rq->protocol = "connect";
        return connect_error(g, c, rq, ERR_RESOURCE_EXHAUSTED, 413, msg, NULL);
    }
    if (get && strcmp(url, "/healthz") == 0)
        return health(g, c, rq);
    if (get && strcmp(url, "/livez") == 0) {
        rq->protocol = "health";
        note(rq, ERR_OK, NULL);
        return text_reply(g, c, rq, 200, "ok\n", NULL);
    }
    const struct route *r = routes_find(&g->routes, url);
    const char *ctype = header(c, "Content-Type");
    if (post) {
        if (ctype && strncasecmp(ctype, "application/grpc-web", 20) == 0)
            return grpc_web(g, c, rq, r, ctype);
        return connect_post(g, c, rq, r, ctype);
    }
    if (get && r)
        return connect_get(g, c, rq, r);
    if (get && routes_is_rpc_path(url)) {
        rq->protocol = "connect+get";
        return connect_error(g, c, rq, ERR_UNIMPLEMENTED, 404, "no such method", NULL);
    }
    if (get)
        return static_file(g, c, rq, url);
    static const char *const allow[] = {"Allow", "GET, HEAD, POST, OPTIONS", NULL};
    rq->protocol = "http";
    note(rq, ERR_UNIMPLEMENTED, "method not allowed");
    return text_reply(g, c, rq, 405, "method not allowed\n", allow);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    struct gateway *g = cls;
    struct request *rq = *con_cls;
    if (rq == NULL) {
        rq = xcalloc(1, sizeof *rq);
        arena_init(&rq->arena);
        clock_gettime(CLOCK_MONOTONIC, &rq->start);
        instrument_call_arrived();
        rq->protocol = "http";
        log_json_escape(rq->log_method, sizeof rq->log_method, method);
        log_json_escape(rq->log_path, sizeof rq->log_path, url);
        identify(c, rq);
        *con_cls = rq;
        rq->max_body = body_limit(g, url);
        /* refuse a declared oversized body before reading it */
        const char *cl = header(c, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > (unsigned long long)rq->max_body) {
            rq->too_large = true;
            return dispatch(g, c, rq, url, method);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        rq->bytes_in += *upload_size;
        if (rq->body.len + *upload_size > rq->max_body) {
            rq->too_large = true; /* keep reading, keep nothing: the reply says why */
            bytes_destroy(&rq->body);
        } else if (!rq->too_large) {
            bytes_append(&rq->body, upload, *upload_size);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return dispatch(g, c, rq, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    struct request *rq = *con_cls;
    if (rq == NULL)
        return;
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ms = (double)(end.tv_sec - rq->start.tv_sec) * 1e3 + (double)(end.tv_nsec - rq->start.tv_nsec) / 1e6;
    char detail[700], fields[1400];
    log_json_escape(detail, sizeof detail, rq->detail);
    int status = rq->http_status ? rq->http_status : 0;
    snprintf(fields, sizeof fields,
             "\"http_method\":\"%s\",\"path\":\"%s\",\"protocol\":\"%s\",\"http_status\":%d,"
             "\"status\":\"%s\",\"duration_ms\":%.3f,\"request_id\":\"%s\",\"caller\":\"%s\","
             "\"bytes_in\":%zu,\"bytes_out\":%zu%s%s%s%s",
             rq->log_method, rq->log_path, rq->protocol, status, err_code_name(rq->code), ms,
             rq->request_id, rq->caller, rq->bytes_in, rq->bytes_out,
             rq->detail[0] ? ",\"detail\":\"" : "", detail, rq->detail[0] ? "\"" : "",
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : ",\"aborted\":true");
    /* as the services log calls: failures of ours are errors, the caller's or a dependency's warn */
    enum log_level level = rq->code == ERR_INTERNAL || rq->code == ERR_UNKNOWN || rq->code == ERR_DATA_LOSS
                               ? LOG_ERROR
                           : rq->code != ERR_OK || status >= 400 || status == 0 ? LOG_WARN
                                                                                 : LOG_INFO;
    log_fields(level, "http", fields);
    /* Paths that matched nothing are the caller's to choose: one label for all of them. */
    instrument_call_done(status == 404 ? "unknown" : rq->log_path, rq->code, ms / 1e3);
    bytes_destroy(&rq->body);
    arena_destroy(&rq->arena);
    free(rq);
    *con_cls = NULL;
}

/* ---- HTTPS ----
 * With UNIC_TLS_CERT set the gateway speaks HTTPS only. libmicrohttpd (GnuTLS) asks
 * https_certificate at every handshake, so gateway_reload_tls swaps the certificate without
 * restarting the listener: open connections and their requests carry on. A replaced set stays
 * allocated until the gateway stops, as a handshake begun before the swap may still hold it. */

struct https_cert {
    gnutls_pcert_st pcerts[8]; /* the chain, leaf first */
    unsigned n;
    gnutls_privkey_t key;
    struct https_cert *older;
};

static pthread_mutex_t https_lock = PTHREAD_MUTEX_INITIALIZER;
static struct https_cert *https_current; /* the set new handshakes get */

static void https_cert_free(struct https_cert *c)
{
    while (c) {
        struct https_cert *older = c->older;
        for (unsigned i = 0; i < c->n; i++)
            gnutls_pcert_deinit(&c->pcerts[i]);
        if (c->key)
            gnutls_privkey_deinit(c->key);
        free(c);
        c = older;
    }
}

/* The PEMs of common/tls.c (checked there already) as GnuTLS objects. */
static struct https_cert *https_cert_load(struct err *e)
{
    char *cert = NULL, *key = NULL;
    if (tls_pem(&cert, &key) < 0) {
        err_set(e, ERR_INTERNAL, "no TLS certificate to serve HTTPS with");
        return NULL;
    }
    struct https_cert *c = xcalloc(1, sizeof *c);
    gnutls_datum_t cd = {(unsigned char *)cert, (unsigned)strlen(cert)};
    gnutls_datum_t kd = {(unsigned char *)key, (unsigned)strlen(key)};
    c->n = sizeof c->pcerts / sizeof c->pcerts[0];
    int rc = gnutls_pcert_list_import_x509_raw(c->pcerts, &c->n, &cd, GNUTLS_X509_FMT_PEM, 0);
    if (rc < 0) {
        c->n = 0;
        err_set(e, ERR_INVALID_ARGUMENT, "UNIC_TLS_CERT: GnuTLS could not read it: %s", gnutls_strerror(rc));
    } else if ((rc = gnutls_privkey_init(&c->key)) < 0 ||
               (rc = gnutls_privkey_import_x509_raw(c->key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
        err_set(e, ERR_INVALID_ARGUMENT, "UNIC_TLS_KEY: GnuTLS could not read it: %s", gnutls_strerror(rc));
    }
    free(cert);
    free(key);
    if (rc < 0) {
        https_cert_free(c);
        return NULL;
    }
    return c;
}

static int https_certificate(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                             const gnutls_pk_algorithm_t *algos, int nalgos, gnutls_pcert_st **pcert,
                             unsigned int *pcert_length, gnutls_privkey_t *key)
{
    (void)session;
    (void)req_ca_dn;
    (void)nreqs;
    (void)algos;
    (void)nalgos;
    pthread_mutex_lock(&https_lock);
    *pcert = https_current->pcerts;
    *pcert_length = https_current->n;
    *key = https_current->key;
    pthread_mutex_unlock(&https_lock);
    return 0;
}

int gateway_reload_tls(struct gateway *g)
{
    struct err e;
    if (g->daemon == NULL || !tls_enabled())
        return 0;
    struct https_cert *c = https_cert_load(&e);
    if (c == NULL) {
        log_error("HTTPS certificate not reloaded, the one in use stays: %s", e.msg);
        return -1;
    }
    pthread_mutex_lock(&https_lock);
    c->older = https_current;
    https_current = c;
    pthread_mutex_unlock(&https_lock);
    log_info("HTTPS certificate reloaded");
    return 0;
}

/* ---- Start and stop ---- */

/* libmicrohttpd hands its own format string: the callback's type cannot carry the attribute. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    log_warn("http server: %s", msg);
}

int gateway_start(struct gateway *g, struct err *e)
{
    const struct gateway_config *cfg = g->cfg;
    char host[256];
    const char *colon = strrchr(cfg->listen, ':');
    size_t hn = (size_t)(colon - cfg->listen);
    memcpy(host, cfg->listen, hn);
    host[hn] = '\0';
    if (host[0] == '[' && hn >= 2 && host[hn - 1] == ']') {
        memmove(host, host + 1, hn - 2);
        host[hn - 2] = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    int gai = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &ai);
    if (gai != 0)
        return err_set(e, ERR_INVALID_ARGUMENT, "UNIC_HTTP_LISTEN=\"%s\": %s", cfg->listen,
                       gai_strerror(gai));
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
                     MHD_USE_ERROR_LOG | (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    struct MHD_OptionItem https[] = {{MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL}};
    if (tls_enabled()) {
        if (MHD_is_feature_supported(MHD_FEATURE_HTTPS_CERT_CALLBACK) != MHD_YES) {
            freeaddrinfo(ai);
            return err_set(e, ERR_FAILED_PRECONDITION,
                           "UNIC_TLS_CERT is set but this libmicrohttpd cannot serve HTTPS");
        }
        if ((https_current = https_cert_load(e)) == NULL) {
            freeaddrinfo(ai);
            return -1;
        }
        flags |= MHD_USE_TLS;
        https[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_CERT_CALLBACK, 0, (void *)https_certificate};
    }
    g->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, g,
        MHD_OPTION_ARRAY, https,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout_seconds,
        /* request line and headers live in this pool: it caps them (431 past it) */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, g,
        MHD_OPTION_END);
    freeaddrinfo(ai);
    if (g->daemon == NULL)
        return err_set(e, ERR_UNAVAILABLE, "could not listen on %s (UNIC_HTTP_LISTEN)", cfg->listen);
    return 0;
}

void gateway_stop(struct gateway *g)
{
    if (g->daemon)
        MHD_stop_daemon(g->daemon);
    g->daemon = NULL;
    https_cert_free(https_current);
    https_current = NULL;
}
