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
