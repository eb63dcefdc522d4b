/* page_token.c: sealing and opening page tokens: a deterministic authenticated encryption (an
 * HMAC-SHA-256 synthetic IV, as SIV modes do) so that equal positions under equal bindings give
 * equal tokens and nothing random is needed. See page_token.h for the contract. */
#include "page_token.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "digest.h"

enum { IV_LEN = 16, BODY_MAX = IV_LEN + PAGE_POSITION_MAX };

static const char PREFIX[] = "p1.";

/* One key per use, derived from the secret, so the IV and the keystream never share a key. */
static void subkey(const char *secret, const char *use, uint8_t out[DIGEST_SHA256_LEN])
{
    hmac_sha256(secret, strlen(secret), use, strlen(use), out);
}

static void synthetic_iv(const char *secret, const char *binding, const char *position, size_t n,
                         uint8_t iv[IV_LEN])
{
    uint8_t key[DIGEST_SHA256_LEN], mac[DIGEST_SHA256_LEN];
    size_t blen = strlen(binding);
    uint8_t msg[1024 + PAGE_POSITION_MAX + 1];
    size_t used = blen < 1024 ? blen : 1024; /* bindings are short; a longer one is cut, still bound */
    subkey(secret, "unic page token iv", key);
    memcpy(msg, binding, used);
    msg[used++] = 0; /* the NUL keeps binding and position apart */
    memcpy(msg + used, position, n);
    hmac_sha256(key, sizeof key, msg, used + n, mac);
    memcpy(iv, mac, IV_LEN);
}

/* XORs n bytes of data with the keystream of iv: HMAC(key, iv || block number). */
static void keystream_xor(const char *secret, const uint8_t iv[IV_LEN], uint8_t *data, size_t n)
{
    uint8_t key[DIGEST_SHA256_LEN], block[DIGEST_SHA256_LEN], msg[IV_LEN + 1];
    subkey(secret, "unic page token stream", key);
    memcpy(msg, iv, IV_LEN);
    for (size_t off = 0, i = 0; off < n; off += sizeof block, i++) {
        msg[IV_LEN] = (uint8_t)i;
        hmac_sha256(key, sizeof key, msg, sizeof msg, block);
        for (size_t k = 0; k < sizeof block && off + k < n; k++)
            data[off + k] ^= block[k];
    }
}

size_t page_token_seal(const char *secret, const char *binding, const char *position,
                       char out[PAGE_TOKEN_MAX])
{
    uint8_t body[BODY_MAX];
    size_t n = strnlen(position, PAGE_POSITION_MAX);
    synthetic_iv(secret, binding, position, n, body);
    memcpy(body + IV_LEN, position, n);
    keystream_xor(secret, body, body + IV_LEN, n);
    memcpy(out, PREFIX, sizeof PREFIX - 1);
    return sizeof PREFIX - 1 + base64url_encode(out + sizeof PREFIX - 1, body, IV_LEN + n);
}

int page_token_open(const char *secret, const char *binding, const char *token,
                    char out[PAGE_POSITION_MAX + 1])
{
    uint8_t body[BODY_MAX + 2], iv[IV_LEN];
    size_t n;
    if (strncmp(token, PREFIX, sizeof PREFIX - 1) != 0 ||
        strlen(token) > PAGE_TOKEN_MAX - 1 ||
        base64url_decode(body, sizeof body, token + sizeof PREFIX - 1, &n) < 0 || n <= IV_LEN ||
        n > BODY_MAX)
        return -1;
    n -= IV_LEN;
    memcpy(out, body + IV_LEN, n);
    keystream_xor(secret, body, (uint8_t *)out, n);
    out[n] = '\0';
    synthetic_iv(secret, binding, out, n, iv);
    if (memchr(out, '\0', n) != NULL || CRYPTO_memcmp(iv, body, IV_LEN) != 0) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

/* The method, the caller's key and the filter: what a token may not be replayed under. */
static char *binding_of(struct call *c, const char *filter)
{
    return arena_printf(&c->arena, "%s\n%s\n%s", c->method, c->principal.key_id, filter);
}

char *page_token_next(struct call *c, const char *filter, const char *position)
{
    char *token = arena_alloc(&c->arena, PAGE_TOKEN_MAX);
    page_token_seal(c->cfg->page_token_secret, binding_of(c, filter), position, token);
    return token;
}

int page_token_position(struct call *c, const char *filter, const char *token,
                        const char **position, struct err *e)
{
    char *out = arena_alloc(&c->arena, PAGE_POSITION_MAX + 1);
    *position = out;
    if (token[0] == '\0')
        return 0;
    if (page_token_open(c->cfg->page_token_secret, binding_of(c, filter), token, out) < 0)
        return err_field(e, "page_token",
                         "not a token this list gave this key for this filter; start again with an "
                         "empty page_token");
    return 0;
}
