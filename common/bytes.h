/* bytes.h: a growable byte buffer, for documents and files built piece by piece (PDF, SVG, CSV,
 * JSON, XLSX) and for the wire formats of the gateway (protobuf, JSON, gRPC-Web, base64). Appends cannot fail: out of memory aborts in mem.c.
 * Ownership: the buffer owns data; bytes_destroy frees it, or bytes_take hands it to the caller,
 * who frees it with free(). */
#ifndef UNIC_BYTES_H
#define UNIC_BYTES_H

#include <stddef.h>

struct bytes {
    unsigned char *data; /* NUL-terminated after every append, so text can be read as a string */
    size_t len, cap;
};

void bytes_init(struct bytes *b);
void bytes_destroy(struct bytes *b);
void bytes_append(struct bytes *b, const void *p, size_t n);
void bytes_puts(struct bytes *b, const char *s);
void bytes_printf(struct bytes *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bytes_putc(struct bytes *b, char c);
/* p in standard base64, padded. */
void bytes_base64(struct bytes *b, const void *p, size_t n);
/* Appends the bytes that s (n characters of standard or URL-safe base64, padding optional)
 * stands for. Returns -1 on any other character or an impossible length. */
int bytes_unbase64(struct bytes *b, const char *s, size_t n);
/* s with & < > " ' written as XML character references. */
void bytes_xml_escaped(struct bytes *b, const char *s);
/* The data (never NULL; its length in *len), now the caller's; b is left empty. */
unsigned char *bytes_take(struct bytes *b, size_t *len);

#endif
