/* page_token.c: encoding and decoding of ListQuestionnaires page tokens ("q1:" + last id, in
 * unpadded base64url, so tokens are URL- and JSON-safe and clients don't parse them). */
#include "page_token.h"

#include <stdio.h>
#include <string.h>

#include "definition.h"

static const char TAG[] = "q1:";
static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void page_token_encode(const char *last_id, char *out, size_t size)
{
    char raw[PAGE_TOKEN_MAX];
    int n = snprintf(raw, sizeof raw, "%s%s", TAG, last_id);
    size_t len = n < 0 ? 0 : (size_t)n >= sizeof raw ? sizeof raw - 1 : (size_t)n, o = 0;
    for (size_t i = 0; i < len && o + 5 < size; i += 3) {
        unsigned v = (unsigned char)raw[i] << 16;
        if (i + 1 < len)
            v |= (unsigned char)raw[i + 1] << 8;
        if (i + 2 < len)
            v |= (unsigned char)raw[i + 2];
        out[o++] = B64[(v >> 18) & 63];
        out[o++] = B64[(v >> 12) & 63];
        if (i + 1 < len)
            out[o++] = B64[(v >> 6) & 63];
        if (i + 2 < len)
            out[o++] = B64[v & 63];
    }
    out[o] = '\0';
}

int page_token_decode(const char *token, char *id, size_t size)
{
    char raw[PAGE_TOKEN_MAX];
    size_t n = strlen(token), o = 0;
    unsigned v = 0;
    int bits = 0;
    if (n == 0 || n >= PAGE_TOKEN_MAX || n % 4 == 1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *p = token[i] ? strchr(B64, token[i]) : NULL;
        if (p == NULL)
            return -1;
        v = (v << 6) | (unsigned)(p - B64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            raw[o++] = (char)((v >> bits) & 0xff);
        }
    }
    /* Leftover bits must be zero, or two tokens would decode to the same id. */
    if (v & ((1u << bits) - 1))
        return -1;
    raw[o] = '\0';
    if (o < sizeof TAG - 1 || memcmp(raw, TAG, sizeof TAG - 1) != 0)
        return -1;
    const char *last = raw + sizeof TAG - 1;
    if (strlen(last) != o - (sizeof TAG - 1) || !definition_questionnaire_id_valid(last) ||
        strlen(last) >= size)
        return -1;
    memcpy(id, last, strlen(last) + 1);
    return 0;
}
