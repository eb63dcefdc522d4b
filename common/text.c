/* text.c: validation of incoming strings. protobuf-c accepts invalid UTF-8 and cuts strings at an
 * embedded NUL, and PostgreSQL rejects such bytes, so everything is checked here first. */
#include "text.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

bool text_valid(const char *s, bool free_text, size_t *chars)
{
    return text_valid_bytes((const uint8_t *)s, strlen(s), free_text, chars);
}

bool text_valid_bytes(const uint8_t *s, size_t size, bool free_text, size_t *chars)
{
    const unsigned char *p = s, *end = s + size;
    size_t n = 0;
    while (p < end) {
        unsigned c = *p;
        size_t len;
        unsigned cp;
        if (c < 0x80) {
            if ((c < 0x20 && !(free_text && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f)
                return false;
            len = 1;
            cp = c;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - p) < len)
            return false;
        for (size_t i = 1; i < len; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        /* Reject overlong forms, surrogates and values past U+10FFFF. */
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return false;
        /* C1 controls are as unwelcome as C0 ones. */
        if (cp >= 0x80 && cp < 0xa0)
            return false;
        p += len;
        n++;
    }
    if (chars)
        *chars = n;
    return true;
}

bool text_date_valid(const char *s)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

bool text_http_uri_valid(const char *s)
{
    const char *rest;
    if (strncmp(s, "https://", 8) == 0)
        rest = s + 8;
    else if (strncmp(s, "http://", 7) == 0)
        rest = s + 7;
    else
        return false;
    if (*rest == '\0' || *rest == '/' || *rest == '?' || *rest == '#')
        return false;
    if (strlen(s) > 2048)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return false;
    return true;
}

bool text_state_code_shape(const char *s)
{
    return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
           s[2] >= 'A' && s[2] <= 'Z';
}

void text_today(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, size, "%Y-%m-%d", &tm);
}

int text_current_year(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return tm.tm_year + 1900;
}

int64_t clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Written once before any thread starts (clock_fix), then only read. */
static int64_t fixed_now_ms;

int64_t clock_now_ms(void)
{
    return fixed_now_ms ? fixed_now_ms : clock_wall_ms();
}

int clock_fix(const char *utc)
{
    struct tm tm = {0};
    char date[11], z = 0;
    int n = 0;
    if (strlen(utc) != 20 || sscanf(utc, "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &tm.tm_year, &tm.tm_mon,
                                    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z, &n) != 7 ||
        n != 20 || z != 'Z' || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
        return -1;
    memcpy(date, utc, 10);
    date[10] = '\0';
    if (!text_date_valid(date))
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    fixed_now_ms = (int64_t)timegm(&tm) * 1000;
    return 0;
}

void clock_rfc3339(char *buf, size_t size, int64_t wall_ms, bool millis)
{
    time_t secs = (time_t)(wall_ms / 1000);
    struct tm tm;
    char when[32];
    gmtime_r(&secs, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    if (millis)
        snprintf(buf, size, "%.19s.%03dZ", when, (int)(wall_ms % 1000));
    else
        snprintf(buf, size, "%.19sZ", when);
}
