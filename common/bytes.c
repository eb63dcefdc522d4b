/* bytes.c: the growable byte buffer of bytes.h.
 * Doubling keeps appends amortized O(1) for documents of a few hundred kilobytes. */
#include "bytes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

void bytes_init(struct bytes *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void bytes_destroy(struct bytes *b)
{
    free(b->data);
    bytes_init(b);
}

static void reserve(struct bytes *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void bytes_append(struct bytes *b, const void *p, size_t n)
{
    reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void bytes_putc(struct bytes *b, char c)
{
    reserve(b, 1);
    b->data[b->len++] = (unsigned char)c;
    b->data[b->len] = '\0';
}

void bytes_puts(struct bytes *b, const char *s)
{
    bytes_append(b, s, strlen(s));
}

void bytes_printf(struct bytes *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void bytes_xml_escaped(struct bytes *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': bytes_puts(b, "&amp;"); break;
        case '<': bytes_puts(b, "&lt;"); break;
        case '>': bytes_puts(b, "&gt;"); break;
        case '"': bytes_puts(b, "&quot;"); break;
        case '\'': bytes_puts(b, "&apos;"); break;
        default: bytes_append(b, s, 1);
        }
    }
}

unsigned char *bytes_take(struct bytes *b, size_t *len)
{
    reserve(b, 0);
    unsigned char *d = b->data;
    *len = b->len;
    bytes_init(b);
    return d;
}

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void bytes_base64(struct bytes *o, const void *data, size_t n)
{
    const unsigned char *p = data;
    reserve(o, (n + 2) / 3 * 4);
    for (size_t i = 0; i < n; i += 3) {
        unsigned long v = (unsigned long)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned long)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char q[4] = {b64_std[(v >> 18) & 63], b64_std[(v >> 12) & 63],
                     i + 1 < n ? b64_std[(v >> 6) & 63] : '=', i + 2 < n ? b64_std[v & 63] : '='};
        bytes_append(o, q, 4);
    }
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

int bytes_unbase64(struct bytes *out, const char *s, size_t n)
{
    for (int pad = 0; pad < 2 && n > 0 && s[n - 1] == '='; pad++)
        n--;
    if (n % 4 == 1)
        return -1;
    reserve(out, n / 4 * 3 + 2);
    unsigned long acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(s[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned long)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bytes_putc(out, (char)((acc >> bits) & 0xff));
        }
    }
    return 0;
}
