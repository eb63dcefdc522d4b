/* encode.c: the text forms the store hands PostgreSQL through `$n` text parameters (array
 * literals, JSON, hex for bytea), protobuf packing into the call's arena, and the request hash
 * that tells a retry from a different request under the same request_id. */
#include <string.h>

#include <openssl/sha.h>

#include "assessment.h"

/* A growing string in an arena; the old copy is left behind, which a call's arena tolerates. */
struct sbuf {
    struct arena *a;
    char *p;
    size_t len, cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = arena_alloc(b->a, cap);
        if (b->len)
            memcpy(p, b->p, b->len);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

char *encode_pg_array(struct arena *a, const char *const *items, size_t n)
{
    struct sbuf b = {a, NULL, 0, 0};
    sb_str(&b, "{");
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_str(&b, ",");
        if (items[i] == NULL) {
            sb_str(&b, "NULL");
            continue;
        }
        /* Quoted, with " and \ escaped, every element reads back as exactly itself. */
        sb_str(&b, "\"");
        for (const char *s = items[i]; *s; s++) {
            if (*s == '"' || *s == '\\')
                sb_str(&b, "\\");
            sb_put(&b, s, 1);
        }
        sb_str(&b, "\"");
    }
    sb_str(&b, "}");
    return b.p;
}

static void json_string(struct sbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    sb_str(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};
            sb_put(b, esc, 2);
        } else if (*p < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
            sb_put(b, esc, 6);
        } else {
            sb_put(b, (const char *)p, 1);
        }
    }
    sb_str(b, "\"");
}

char *encode_evidence_json(struct arena *a, Evidence *const *ev, size_t n)
{
    struct sbuf b = {a, NULL, 0, 0};
    sb_str(&b, "[");
    for (size_t i = 0; i < n; i++) {
        sb_str(&b, i ? ",{\"uri\":" : "{\"uri\":");
        json_string(&b, ev[i]->uri);
        sb_str(&b, ",\"title\":");
        json_string(&b, ev[i]->title);
        sb_str(&b, "}");
    }
    sb_str(&b, "]");
    return b.p;
}

char *encode_hex(struct arena *a, const uint8_t *p, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    char *s = arena_alloc(a, 2 * len + 1);
    for (size_t i = 0; i < len; i++) {
        s[2 * i] = hex[p[i] >> 4];
        s[2 * i + 1] = hex[p[i] & 15];
    }
    return s;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int encode_unhex(struct arena *a, const char *hex, uint8_t **out, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2)
        return -1;
    uint8_t *p = arena_alloc(a, n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        p[i] = (uint8_t)(hi << 4 | lo);
    }
    *out = p;
    *len = n / 2;
    return 0;
}

uint8_t *encode_pack(struct arena *a, const ProtobufCMessage *m, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(m);
    uint8_t *p = arena_alloc(a, *len + 1);
    protobuf_c_message_pack(m, p);
    return p;
}

static void *arena_pb_alloc(void *data, size_t size)
{
    return arena_alloc(data, size);
}

static void arena_pb_free(void *data, void *p)
{
    (void)data;
    (void)p; /* the arena frees everything at the end of the call */
}

ProtobufCMessage *encode_unpack(struct arena *a, const ProtobufCMessageDescriptor *desc,
                                const uint8_t *p, size_t len)
{
    ProtobufCAllocator alloc = {arena_pb_alloc, arena_pb_free, a};
    return protobuf_c_message_unpack(desc, &alloc, len, p);
}

void encode_request_hash(struct arena *a, const char *method, const ProtobufCMessage *req,
                         char hex[65])
{
    size_t len, mlen = strlen(method);
    uint8_t *body = encode_pack(a, req, &len);
    /* The method name and a NUL, then the body: the same request_id reused for another method
     * never matches. */
    uint8_t *all = arena_alloc(a, mlen + 1 + len);
    memcpy(all, method, mlen + 1);
    memcpy(all + mlen + 1, body, len);
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(all, mlen + 1 + len, md);
    char *h = encode_hex(a, md, sizeof md);
    memcpy(hex, h, 65);
}
