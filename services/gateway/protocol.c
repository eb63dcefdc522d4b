/* protocol.c: the rules of the gateway's HTTP dialects that need no I/O: Connect's error codes
 * and HTTP statuses, timeout headers, gRPC-Web framing, content negotiation. Unit-tested in
 * tests/unit/test_gateway_protocol.c. */
#include "gateway.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void connect_code_name(int code, char *buf, size_t size)
{
    /* gRPC's names in lower case, except that Connect spells CANCELLED "canceled" */
    const char *name = code == ERR_CANCELLED ? "canceled" : err_code_name(code);
    size_t n = 0;
    for (; name[n] && n + 1 < size; n++)
        buf[n] = (char)tolower((unsigned char)name[n]);
    buf[n] = '\0';
}

int connect_http_status(int code)
{
    /* The Connect protocol's table of error codes, with failed_precondition as 412 (the statuses
     * issue 11 asks for, and the table's first edition; later editions say 400). Connect clients
     * take the code from the JSON body, so both interoperate; 412 tells a plain HTTP client what
     * kind of refusal it met: the state it asked to change does not allow it. */
    switch (code) {
    case ERR_OK: return 200;
    case ERR_CANCELLED: return 499;
    case ERR_INVALID_ARGUMENT: return 400;
    case ERR_DEADLINE_EXCEEDED: return 504;
    case ERR_NOT_FOUND: return 404;
    case ERR_ALREADY_EXISTS: return 409;
    case ERR_PERMISSION_DENIED: return 403;
    case ERR_RESOURCE_EXHAUSTED: return 429;
    case ERR_FAILED_PRECONDITION: return 412;
    case ERR_ABORTED: return 409;
    case ERR_OUT_OF_RANGE: return 400;
    case ERR_UNIMPLEMENTED: return 501;
    case ERR_UNAVAILABLE: return 503;
    case ERR_UNAUTHENTICATED: return 401;
    default: return 500; /* unknown, internal, data_loss */
    }
}

static bool all_digits(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)v[i]))
            return false;
    return n > 0;
}

int connect_timeout_parse(const char *v, int64_t *ms)
{
    size_t n = strlen(v);
    if (n > 10 || !all_digits(v, n))
        return -1;
    *ms = strtoll(v, NULL, 10);
    if (*ms < 1)
        *ms = 1;
    return 0;
}

int grpc_timeout_parse(const char *v, int64_t *ms)
{
    size_t n = strlen(v);
    if (n < 2 || n > 9 || !all_digits(v, n - 1))
        return -1;
    int64_t x = strtoll(v, NULL, 10);
    switch (v[n - 1]) {
    case 'H': x *= 3600000; break;
    case 'M': x *= 60000; break;
    case 'S': x *= 1000; break;
    case 'm': break;
    case 'u': x /= 1000; break;
    case 'n': x /= 1000000; break;
    default: return -1;
    }
    *ms = x < 1 ? 1 : x;
    return 0;
}

void connect_error_body(struct bytes *o, int code, const char *message)
{
    char esc[2048], name[32];
    log_json_escape(esc, sizeof esc, message ? message : "");
    connect_code_name(code, name, sizeof name);
    bytes_printf(o, "{\"code\":\"%s\",\"message\":\"%s\"}", name, esc);
}

int grpcweb_unframe(const uint8_t *body, size_t len, const uint8_t **msg, size_t *msg_len,
                    struct err *e)
{
    if (len < 5)
        return err_set(e, ERR_INVALID_ARGUMENT, "gRPC-Web request body of %zu bytes has no frame", len);
    if (body[0] & 0x80)
        return err_set(e, ERR_INVALID_ARGUMENT, "gRPC-Web request starts with a trailer frame");
    if (body[0] & 0x01)
        return err_set(e, ERR_UNIMPLEMENTED, "compressed gRPC-Web messages are not supported");
    size_t n = (size_t)body[1] << 24 | (size_t)body[2] << 16 | (size_t)body[3] << 8 | body[4];
    if (n != len - 5)
        return err_set(e, ERR_INVALID_ARGUMENT,
                       "gRPC-Web frame says %zu bytes but %zu follow: a unary call has one message",
                       n, len - 5);
    *msg = body + 5;
    *msg_len = n;
    return 0;
}

static void frame_header(struct bytes *o, uint8_t flags, size_t n)
{
    uint8_t h[5] = {flags, (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    bytes_append(o, h, 5);
}

void grpcweb_reply(struct bytes *o, const uint8_t *msg, size_t msg_len, int code, const char *message)
{
    if (msg) {
        frame_header(o, 0, msg_len);
        bytes_append(o, msg, msg_len);
    }
    struct bytes t = {0};
    bytes_printf(&t, "grpc-status:%d\r\ngrpc-message:", code);
    /* grpc-message is percent-encoded UTF-8 (the gRPC HTTP/2 spec) */
    for (const unsigned char *p = (const unsigned char *)(message ? message : ""); *p; p++) {
        if (*p >= 0x20 && *p <= 0x7e && *p != '%')
            bytes_putc(&t, (char)*p);
        else
            bytes_printf(&t, "%%%02X", *p);
    }
    bytes_puts(&t, "\r\n");
    frame_header(o, 0x80, t.len);
    bytes_append(o, t.data, t.len);
    bytes_destroy(&t);
}

bool accepts_gzip(const char *v)
{
    if (v == NULL)
        return false;
    const char *p = v;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *tok = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ')
            p++;
        size_t n = (size_t)(p - tok);
        bool gzip = (n == 4 && strncasecmp(tok, "gzip", 4) == 0) || (n == 1 && *tok == '*');
        double q = 1;
        while (*p && *p != ',') {
            if (*p == ';') {
                const char *qs = p + 1;
                while (*qs == ' ')
                    qs++;
                if ((qs[0] == 'q' || qs[0] == 'Q') && qs[1] == '=')
                    q = strtod(qs + 2, NULL);
            }
            p++;
        }
        if (gzip)
            return q > 0;
    }
    return false;
}

bool origin_allowed(const char *allowed, const char *origin)
{
    if (allowed == NULL || origin == NULL || *origin == '\0')
        return false;
    size_t n = strlen(origin);
    for (const char *p = allowed; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',' && *p != ' ')
            p++;
        if ((size_t)(p - start) == n && n > 0 && memcmp(start, origin, n) == 0)
            return true;
    }
    return false;
}
