/* encode.c: the text forms the store hands PostgreSQL through `$n` text parameters (array
 * literals, JSON), and the arena form of digest.h's hex encoder, for etags. Bytes (snapshots,
 * replies) travel as binary bytea parameters and results, never as text (store.c). */
#include <string.h>

#include "assessment.h"
#include "digest.h"

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
    char *s = arena_alloc(a, 2 * len + 1);
    hex_encode(s, p, len);
    return s;
}
