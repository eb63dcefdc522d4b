/* digest.c: SHA-256, HMAC-SHA-256 and hex, in one place, over OpenSSL's EVP API (the low-level
 * SHA256() is deprecated in OpenSSL 3). */
#include "digest.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

void hex_encode(char *out, const uint8_t *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
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

int hex_decode(uint8_t *out, const char *hex, size_t *n)
{
    size_t len = strlen(hex);
    if (len % 2)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *n = len / 2;
    return 0;
}

/* SHA-256 fetched once (EVP_sha256() is looked up again by every EVP_Digest), and a digest
 * context per thread, reset for each digest instead of allocated and freed (EVP_Digest does):
 * the API key of every call is hashed (common/auth.c). The process keeps the algorithm; a
 * thread's context is freed when the thread ends. */
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static pthread_key_t sha256_key;
static EVP_MD *sha256_md;
static _Thread_local EVP_MD_CTX *sha256_ctx;

static void sha256_ctx_free(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void sha256_setup(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (sha256_md == NULL || pthread_key_create(&sha256_key, sha256_ctx_free) != 0)
        abort(); /* only an allocation failure gets here */
}

void sha256_hex(const void *data, size_t len, char hex[65])
{
    pthread_once(&sha256_once, sha256_setup);
    if (sha256_ctx == NULL) {
        if ((sha256_ctx = EVP_MD_CTX_new()) == NULL)
            abort();
        pthread_setspecific(sha256_key, sha256_ctx);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_DigestInit_ex2(sha256_ctx, sha256_md, NULL) != 1 ||
        EVP_DigestUpdate(sha256_ctx, data, len) != 1 ||
        EVP_DigestFinal_ex(sha256_ctx, md, &mdlen) != 1 || mdlen != DIGEST_SHA256_LEN)
        abort(); /* only an allocation failure inside OpenSSL gets here */
    hex_encode(hex, md, DIGEST_SHA256_LEN);
}

void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                 uint8_t out[DIGEST_SHA256_LEN])
{
    unsigned int mdlen = 0;
    if (HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &mdlen) == NULL ||
        mdlen != DIGEST_SHA256_LEN)
        abort(); /* as above */
}

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t base64url_encode(char *out, const uint8_t *bytes, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)bytes[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)bytes[i + 1] << 8;
        if (i + 2 < n)
            v |= bytes[i + 2];
        out[o++] = B64URL[(v >> 18) & 63];
        out[o++] = B64URL[(v >> 12) & 63];
        if (i + 1 < n)
            out[o++] = B64URL[(v >> 6) & 63];
        if (i + 2 < n)
            out[o++] = B64URL[v & 63];
    }
    out[o] = '\0';
    return o;
}

static int b64url_value(char c)
{
    const char *p = c ? strchr(B64URL, c) : NULL;
    return p ? (int)(p - B64URL) : -1;
}

int base64url_decode(uint8_t *out, size_t size, const char *s, size_t *n)
{
    size_t len = strlen(s), o = 0;
    if (len % 4 == 1)
        return -1;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t v = 0;
        size_t k;
        for (k = 0; k < 4 && i + k < len; k++) {
            int d = b64url_value(s[i + k]);
            if (d < 0)
                return -1;
            v |= (uint32_t)d << (18 - 6 * k);
        }
        size_t bytes = k - 1; /* 4 characters carry 3 bytes, 3 carry 2, 2 carry 1 */
        if (o + bytes > size)
            return -1;
        for (size_t b = 0; b < bytes; b++)
            out[o++] = (uint8_t)(v >> (16 - 8 * b));
    }
    *n = o;
    return 0;
}
