/* tz.c: IANA time zones from the system's TZif files (RFC 8536) and their POSIX TZ footer rule,
 * without the process-wide TZ that localtime_r reads. The contract is in tz.h. */
#include "tz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"

enum {
    TZIF_MAX_BYTES = 1 << 20, /* the largest zone in tzdata is a few kilobytes */
    HEADER_BYTES = 44,
    DAY = 86400,
};

/* When a POSIX rule changes time: Jn (1-365, 29 February never counted), n (0-365, counted), or
 * Mm.w.d (day d of week w of month m, w 5 = the last), at `secs` local time. */
struct rule_when {
    char kind; /* 'J', 'D' or 'M' */
    int n, m, w, d;
    int32_t secs;
};

struct rule {
    int32_t std_off; /* seconds east of UTC */
    bool has_dst;
    int32_t dst_off;
    struct rule_when start, end;
};

struct tz {
    char name[TZ_NAME_MAX + 1];
    size_t n_trans;
    int64_t *trans; /* ascending */
    uint8_t *idx;   /* the type in force from trans[i] */
    size_t n_types;
    int32_t *utoff;
    bool has_rule;
    struct rule rule;
};

/* ---- calendar ---- */

/* H. Hinnant's days_from_civil: exact for the whole proleptic Gregorian calendar. */
int64_t tz_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void tz_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* ---- the POSIX TZ rule of the footer ---- */

static const char *parse_name(const char *p)
{
    if (*p == '<') {
        const char *q = strchr(p, '>');
        return q && q > p + 1 ? q + 1 : NULL;
    }
    const char *q = p;
    while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z'))
        q++;
    return q - p >= 3 ? q : NULL;
}

/* [+-]hh[:mm[:ss]], hours up to max_hours; *secs signed as written. */
static const char *parse_hms(const char *p, int max_hours, int32_t *secs)
{
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    int part[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (i > 0) {
            if (*p != ':')
                break;
            p++;
        }
        if (*p < '0' || *p > '9')
            return NULL;
        int v = 0, digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 3) {
            v = v * 10 + (*p++ - '0');
            digits++;
        }
        part[i] = v;
    }
    if (part[0] > max_hours || part[1] > 59 || part[2] > 59)
        return NULL;
    *secs = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    return p;
}

static const char *parse_when(const char *p, struct rule_when *w)
{
    memset(w, 0, sizeof *w);
    w->secs = 2 * 3600;
    char *end;
    if (*p == 'M') {
        w->kind = 'M';
        long m = strtol(p + 1, &end, 10);
        if (*end != '.')
            return NULL;
        long wk = strtol(end + 1, &end, 10);
        if (*end != '.')
            return NULL;
        long d = strtol(end + 1, &end, 10);
        if (m < 1 || m > 12 || wk < 1 || wk > 5 || d < 0 || d > 6)
            return NULL;
        w->m = (int)m, w->w = (int)wk, w->d = (int)d;
    } else {
        w->kind = *p == 'J' ? 'J' : 'D';
        const char *q = *p == 'J' ? p + 1 : p;
        if (*q < '0' || *q > '9')
            return NULL;
        long n = strtol(q, &end, 10);
        if (w->kind == 'J' ? n < 1 || n > 365 : n < 0 || n > 365)
            return NULL;
        w->n = (int)n;
    }
    p = end;
    if (*p == '/') /* RFC 8536 extends the time to -167..167 hours */
        p = parse_hms(p + 1, 167, &w->secs);
    return p;
}

static bool rule_parse(const char *s, struct rule *r)
{
    int32_t off;
    memset(r, 0, sizeof *r);
    const char *p = parse_name(s);
    if (p == NULL || (p = parse_hms(p, 24, &off)) == NULL)
        return false;
    r->std_off = -off; /* POSIX offsets count west of Greenwich */
    if (*p == '\0')
        return true;
    if ((p = parse_name(p)) == NULL)
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*p != ',' && *p != '\0') {
        if ((p = parse_hms(p, 24, &off)) == NULL)
            return false;
        r->dst_off = -off;
    }
    if (*p == '\0') /* no rule: POSIX leaves it to the implementation; tzcode uses the US one */
        p = ",M3.2.0,M11.1.0";
    if (*p != ',' || (p = parse_when(p + 1, &r->start)) == NULL || *p != ',' ||
        (p = parse_when(p + 1, &r->end)) == NULL)
        return false;
    return *p == '\0';
}

/* Local seconds since the epoch at which `w` falls in year y. */
static int64_t when_local(const struct rule_when *w, int64_t y)
{
    int64_t jan1 = tz_days_from_civil(y, 1, 1), day;
    if (w->kind == 'J')
        day = jan1 + w->n - 1 + (leap(y) && w->n >= 60);
    else if (w->kind == 'D')
        day = jan1 + w->n;
    else {
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int64_t first = tz_days_from_civil(y, (unsigned)w->m, 1);
        int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
        int dom = 1 + (w->d - wd + 7) % 7 + (w->w - 1) * 7;
        int len = mdays[w->m - 1] + (w->m == 2 && leap(y));
        while (dom > len)
            dom -= 7;
        day = first + dom - 1;
    }
    return day * DAY + w->secs;
}

static int32_t rule_offset(const struct rule *r, int64_t t)
{
    if (!r->has_dst)
        return r->std_off;
    int64_t y;
    unsigned m, d;
    tz_civil_from_days(floor_div(t + r->std_off, DAY), &y, &m, &d);
    /* The start is written in standard time, the end in daylight time. */
    int64_t start = when_local(&r->start, y) - r->std_off;
    int64_t end = when_local(&r->end, y) - r->dst_off;
    bool dst = start < end ? t >= start && t < end : !(t >= end && t < start);
    return dst ? r->dst_off : r->std_off;
}

/* ---- TZif ---- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct counts {
    uint32_t isut, isstd, leap, time, type, chars;
};

static bool header(const uint8_t *p, size_t avail, struct counts *c)
{
    if (avail < HEADER_BYTES || memcmp(p, "TZif", 4) != 0)
        return false;
    c->isut = be32(p + 20), c->isstd = be32(p + 24), c->leap = be32(p + 28);
    c->time = be32(p + 32), c->type = be32(p + 36), c->chars = be32(p + 40);
    return c->type >= 1 && c->type <= 256 && c->time <= 100000 && c->leap <= 10000 &&
           c->chars <= 100000 && c->isut <= c->type && c->isstd <= c->type;
}

static size_t block_size(const struct counts *c, size_t time_bytes)
{
    return c->time * time_bytes + c->time + c->type * 6 + c->chars + c->leap * (time_bytes + 4) +
           c->isstd + c->isut;
}

static bool parse(struct tz *z, const uint8_t *buf, size_t len)
{
    struct counts c;
    if (!header(buf, len, &c))
        return false;
    size_t at = HEADER_BYTES, time_bytes = 4;
    bool v2 = buf[4] >= '2';
    if (v2) { /* skip the 32-bit block: the 64-bit one follows, then the footer */
        at += block_size(&c, 4);
        if (at > len || !header(buf + at, len - at, &c))
            return false;
        at += HEADER_BYTES;
        time_bytes = 8;
    }
    if (block_size(&c, time_bytes) > len - at)
        return false;
    const uint8_t *p = buf + at;
    z->n_trans = c.time;
    z->trans = xcalloc(c.time ? c.time : 1, sizeof *z->trans);
    z->idx = xcalloc(c.time ? c.time : 1, 1);
    z->n_types = c.type;
    z->utoff = xcalloc(c.type, sizeof *z->utoff);
    for (size_t i = 0; i < c.time; i++, p += time_bytes) {
        z->trans[i] = time_bytes == 8 ? be64(p) : (int64_t)(int32_t)be32(p);
        if (i > 0 && z->trans[i] <= z->trans[i - 1])
            return false;
    }
    for (size_t i = 0; i < c.time; i++, p++) {
        if (*p >= c.type)
            return false;
        z->idx[i] = *p;
    }
    for (size_t i = 0; i < c.type; i++, p += 6) {
        int32_t off = (int32_t)be32(p);
        if (off < -25 * 3600 || off > 26 * 3600)
            return false;
        z->utoff[i] = off;
    }
    p += c.chars + c.leap * (time_bytes + 4) + c.isstd + c.isut;
    if (!v2)
        return true;
    /* Footer: "\n" POSIX-TZ "\n"; an empty string means no rule past the last transition. */
    size_t rest = len - (size_t)(p - buf);
    if (rest < 2 || p[0] != '\n')
        return false;
    const uint8_t *nl = memchr(p + 1, '\n', rest - 1);
    if (nl == NULL || nl - p - 1 > 128)
        return false;
    char footer[130];
    memcpy(footer, p + 1, (size_t)(nl - p - 1));
    footer[nl - p - 1] = '\0';
    if (footer[0] == '\0')
        return true;
    z->has_rule = rule_parse(footer, &z->rule);
    return z->has_rule;
}

bool tz_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
        return false;
    const char *part = name;
    for (size_t i = 0; i <= n; i++) {
        char ch = name[i];
        if (ch == '/' || ch == '\0') {
            size_t len = (size_t)(name + i - part);
            if (len == 0 || (part[0] == '.'))
                return false;
            part = name + i + 1;
            continue;
        }
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-' || ch == '+'))
            return false;
    }
    return true;
}

int tz_load(const char *name, const char *dir, struct tz **out, struct err *e)
{
    *out = NULL;
    if (!tz_name_valid(name))
        return err_set(e, ERR_INVALID_ARGUMENT,
                       "not an IANA time zone name such as Africa/Porto-Novo");
    if (dir == NULL)
        dir = getenv("TZDIR") ? getenv("TZDIR") : "/usr/share/zoneinfo";
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = -1, fd = open(path, O_RDONLY | O_CLOEXEC);
    uint8_t *buf = NULL;
    struct tz *z = NULL;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        err_set(e, ERR_INVALID_ARGUMENT, "\"%s\" is not a time zone of the tz database", name);
        goto done;
    }
    if (st.st_size > TZIF_MAX_BYTES) {
        err_set(e, ERR_INTERNAL, "could not load time zone \"%s\": file too large", name);
        goto done;
    }
    size_t len = (size_t)st.st_size, got = 0;
    buf = xmalloc(len ? len : 1);
    while (got < len) {
        ssize_t k = read(fd, buf + got, len - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            err_set(e, ERR_INTERNAL, "could not read time zone \"%s\": %s", name,
                    k < 0 ? strerror(errno) : "short file");
            goto done;
        }
        got += (size_t)k;
    }
    z = xcalloc(1, sizeof *z);
    snprintf(z->name, sizeof z->name, "%s", name);
    if (!parse(z, buf, len)) {
        err_set(e, ERR_INTERNAL, "could not load time zone \"%s\": not a TZif file", name);
        goto done;
    }
    *out = z;
    z = NULL;
    rc = 0;
done:
    if (fd >= 0)
        close(fd);
    free(buf);
    tz_free(z);
    return rc;
}

void tz_free(struct tz *z)
{
    if (z == NULL)
        return;
    free(z->trans);
    free(z->idx);
    free(z->utoff);
    free(z);
}

const char *tz_name(const struct tz *z)
{
    return z->name;
}

int32_t tz_offset(const struct tz *z, int64_t t)
{
    if (z->n_trans == 0)
        return z->has_rule ? rule_offset(&z->rule, t) : z->utoff[0];
    if (t < z->trans[0])
        return z->utoff[0];
    if (t >= z->trans[z->n_trans - 1] && z->has_rule)
        return rule_offset(&z->rule, t);
    size_t lo = 0, hi = z->n_trans; /* the last transition at or before t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->utoff[z->idx[lo]];
}

bool tz_local_date(const struct tz *z, int64_t t, char out[TZ_DATE_LEN + 1])
{
    int64_t y;
    unsigned m, d;
    tz_civil_from_days(floor_div(t + tz_offset(z, t), DAY), &y, &m, &d);
    if (y < 1 || y > 9999)
        return false;
    snprintf(out, TZ_DATE_LEN + 1, "%04u-%02u-%02u", (unsigned)y % 10000u, m % 100u, d % 100u);
    return true;
}
