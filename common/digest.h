/* digest.h: the one SHA-256, HMAC-SHA-256, hex and base64url codec of the suite (OpenSSL's EVP API).
 * Pure functions into caller-owned buffers. Owned by common/: stable API. */
#ifndef UNIC_DIGEST_H
#define UNIC_DIGEST_H

#include <stddef.h>
#include <stdint.h>

enum { DIGEST_SHA256_LEN = 32 };

/* Lower-case hex SHA-256 of `len` bytes into hex (65 bytes with the NUL). */
void sha256_hex(const void *data, size_t len, char hex[65]);
/* HMAC-SHA-256 of `len` bytes under `key`. */
void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                 uint8_t out[DIGEST_SHA256_LEN]);
/* Lower-case hex of `n` bytes into out (2n + 1 bytes with the NUL). */
void hex_encode(char *out, const uint8_t *bytes, size_t n);
/* Decodes `2n` hex digits (either case) of `hex` into n bytes of out; -1 when hex is not exactly
 * that (odd length, a non-hex character). `n` is strlen(hex) / 2. */
int hex_decode(uint8_t *out, const char *hex, size_t *n);

/* Unpadded base64url (RFC 4648 section 5) of n bytes into out (4n/3 + 3 bytes with the NUL);
 * returns the length written. */
size_t base64url_encode(char *out, const uint8_t *bytes, size_t n);
/* Decodes unpadded base64url into at most `size` bytes of out; -1 when s holds another character,
 * has an impossible length or does not fit. */
int base64url_decode(uint8_t *out, size_t size, const char *s, size_t *n);

#endif
