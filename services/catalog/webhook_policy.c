/* webhook_policy.c: the signature, the backoff schedule and the URL rule of webhook deliveries
 * (webhooks.h), pure. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "mem.h"
#include "text.h"
#include "webhooks.h"

void webhook_signature(const char *secret, int64_t t, const char *body, size_t body_len,
                       char out[WEBHOOK_SIGNATURE_MAX])
{
    char stamp[24];
    int n = snprintf(stamp, sizeof stamp, "%" PRId64 ".", t);
    size_t len = (size_t)n + body_len;
    char *signed_part = xmalloc(len + 1);
    memcpy(signed_part, stamp, (size_t)n);
    memcpy(signed_part + n, body, body_len);
    uint8_t mac[DIGEST_SHA256_LEN];
    hmac_sha256(secret, strlen(secret), signed_part, len, mac);
    free(signed_part);
    char hex[2 * DIGEST_SHA256_LEN + 1];
    hex_encode(hex, mac, sizeof mac);
    snprintf(out, WEBHOOK_SIGNATURE_MAX, "t=%" PRId64 ",v1=%s", t, hex);
}

int64_t webhook_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms)
{
    int64_t wait = base_ms;
    for (int i = 1; i < attempt && wait < cap_ms; i++)
        wait *= 2;
    return wait < cap_ms ? wait : cap_ms;
}

int64_t webhook_next_ms(int attempt, int64_t age_ms, int64_t base_ms, int64_t cap_ms, int64_t window_ms)
{
    int64_t wait = webhook_backoff_ms(attempt, base_ms, cap_ms);
    return age_ms + wait > window_ms ? -1 : wait;
}

bool webhook_url_allowed(const char *url)
{
    if (strlen(url) > WEBHOOK_URL_MAX || !text_http_uri_valid(url))
        return false;
    if (strncmp(url, "https://", 8) == 0)
        return true;
    const char *host = url + 7; /* http:// */
    size_t n = strcspn(host, "/?#");
    const char *at = memchr(host, '@', n);
    if (at) /* no user information: http://127.0.0.1@example.org/ is example.org */
        return false;
    if (strncmp(host, "[::1]", 5) == 0)
        return n == 5 || host[5] == ':';
    size_t h = strcspn(host, ":/?#");
    if (h == 9 && strncmp(host, "localhost", 9) == 0)
        return true;
    /* 127.a.b.c, numbers only */
    if (h < 9 || strncmp(host, "127.", 4) != 0)
        return false;
    int dots = 0;
    for (size_t i = 4; i < h; i++) {
        if (host[i] == '.')
            dots++;
        else if (host[i] < '0' || host[i] > '9')
            return false;
    }
    return dots == 2 && host[h - 1] != '.';
}

int webhook_reminder_threshold(int days_left)
{
    static const int thresholds[] = {7, 30, 60}; /* the smallest reached is the one due */
    for (size_t i = 0; i < sizeof thresholds / sizeof thresholds[0]; i++)
        if (days_left >= 0 && days_left <= thresholds[i])
            return thresholds[i];
    return 0;
}
