/* log.h: structured logging, one JSON object per line on stderr.
 * Thread-safe; every line carries ts, level, service and msg, plus the fields a caller adds. */
#ifndef UNIC_LOG_H
#define UNIC_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Names the service in every later line; `service` must outlive all logging (a literal). */
void log_init(const char *service, enum log_level min_level);
int log_level_parse(const char *name, enum log_level *out);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* One line for a finished call: method, status name, duration and caller (a principal label,
 * never a key). `detail` (may be NULL) is the status message. */
void log_call(const char *method, int status, double duration_ms, const char *caller,
              const char *detail);

/* One line with `msg` and `fields`: members already written as JSON (`"k":1,"j":"v"`, no
 * leading comma), for lines with fields of their own (the gateway's HTTP requests). */
void log_fields(enum log_level level, const char *msg, const char *fields);

/* Writes `s` JSON-escaped (without quotes) into buf; always NUL-terminates; returns the length. */
size_t log_json_escape(char *buf, size_t size, const char *s);

#endif
