/* log.c: JSON-lines logger. Each line is formatted into one buffer and written with a single
 * write(2), so lines from concurrent threads never interleave. */
#include "log.h"

#include "err.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *log_service = "unic";
static enum log_level log_min = LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

static _Thread_local char request_id[LOG_REQUEST_ID_MAX];

void log_request_id_set(const char *id)
{
    size_t n = id ? strnlen(id, sizeof request_id - 1) : 0;
    if (n)
        memcpy(request_id, id, n);
    request_id[n] = '\0';
}

const char *log_request_id(void)
{
    return request_id;
}

void log_init(const char *service, enum log_level min_level)
{
    log_service = service;
    log_min = min_level;
}

int log_level_parse(const char *name, enum log_level *out)
{
    for (int i = LOG_DEBUG; i <= LOG_ERROR; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

size_t log_json_escape(char *buf, size_t size, const char *s)
{
    size_t n = 0;
    if (size == 0)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char tmp[8];
        size_t len;
        if (*p == '"' || *p == '\\') {
            tmp[0] = '\\';
            tmp[1] = (char)*p;
            len = 2;
        } else if (*p == '\n') {
            memcpy(tmp, "\\n", 2);
            len = 2;
        } else if (*p == '\t') {
            memcpy(tmp, "\\t", 2);
            len = 2;
        } else if (*p < 0x20) {
            len = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", *p);
        } else {
            tmp[0] = (char)*p;
            len = 1;
        }
        if (n + len >= size)
            break;
        memcpy(buf + n, tmp, len);
        n += len;
    }
    buf[n] = '\0';
    return n;
}

/* Appends `"ts":...,"level":...,"service":...` to buf. */
static size_t log_head(char *buf, size_t size, enum log_level level)
{
    char when[32];
    clock_rfc3339(when, sizeof when, clock_wall_ms(), true);
    /* The id was checked when the call arrived: letters, digits, '-', '_' and '.' only. */
    return (size_t)snprintf(buf, size,
                            "{\"ts\":\"%s\",\"level\":\"%s\",\"service\":\"%s\"%s%s%s",
                            when, level_names[level], log_service,
                            request_id[0] ? ",\"request_id\":\"" : "", request_id,
                            request_id[0] ? "\"" : "");
}

static void log_write(char *line, size_t n, size_t size)
{
    if (n >= size - 3)
        n = size - 3;
    line[n++] = '}';
    line[n++] = '\n';
    /* Best effort: a log line that cannot be written has nowhere else to go. */
    ssize_t w = write(STDERR_FILENO, line, n);
    (void)w;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level < log_min)
        return;
    char msg[2048], esc[4096], line[4608];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_json_escape(esc, sizeof esc, msg);
    size_t n = log_head(line, sizeof line, level);
    n += (size_t)snprintf(line + n, sizeof line - n, ",\"msg\":\"%s\"", esc);
    log_write(line, n, sizeof line);
}

void log_call(const char *method, int status, double duration_ms, const char *caller,
              const char *detail)
{
    enum log_level level = status == 0 ? LOG_INFO : status == 13 || status == 2 ? LOG_ERROR : LOG_WARN;
    if (level < log_min)
        return;
    char m[512], c[256], d[1024], line[2560];
    log_json_escape(m, sizeof m, method);
    log_json_escape(c, sizeof c, caller ? caller : "");
    log_json_escape(d, sizeof d, detail ? detail : "");
    size_t n = log_head(line, sizeof line, level);
    n += (size_t)snprintf(line + n, sizeof line - n,
                          ",\"msg\":\"call\",\"method\":\"%s\",\"status\":\"%s\","
                          "\"duration_ms\":%.3f,\"caller\":\"%s\"",
                          m, err_code_name(status), duration_ms, c);
    if (detail && *detail && n < sizeof line)
        n += (size_t)snprintf(line + n, sizeof line - n, ",\"detail\":\"%s\"", d);
    log_write(line, n < sizeof line ? n : sizeof line - 1, sizeof line);
}

void log_fields(enum log_level level, const char *msg, const char *fields)
{
    if (level < log_min)
        return;
    char m[512], line[4608];
    log_json_escape(m, sizeof m, msg);
    size_t n = log_head(line, sizeof line, level);
    n += (size_t)snprintf(line + n, sizeof line - n, ",\"msg\":\"%s\"%s%s", m,
                          fields && *fields ? "," : "", fields ? fields : "");
    log_write(line, n < sizeof line ? n : sizeof line - 1, sizeof line);
}
