/* text.h: checks and formats for strings that cross the service boundary (UTF-8 validity,
 * control characters, dates and timestamps) and the suite's clocks: the one date validator, the
 * one RFC 3339 formatter, the one monotonic and the one wall clock. No allocation: buffers are
 * the caller's. Owned by common/: stable API. */
#ifndef UNIC_TEXT_H
#define UNIC_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdint.h>
#include <time.h>

/* True when s is valid UTF-8 with no NUL or control character; newline and tab are allowed only
 * when `free_text` is set. Counts code points into *chars when chars is not NULL. */
bool text_valid(const char *s, bool free_text, size_t *chars);
/* The same for `size` bytes that may hold a NUL, which is refused like any control character. */
bool text_valid_bytes(const uint8_t *s, size_t size, bool free_text, size_t *chars);
/* True for a real calendar date written "YYYY-MM-DD" (year 0001-9999, the Gregorian calendar's
 * leap years); false for NULL. As strings, such dates compare in date order. */
bool text_date_valid(const char *s);
/* True for an absolute http:// or https:// URI with a host and no spaces or control chars. */
bool text_http_uri_valid(const char *s);
/* True for a 3-letter upper-case code (ISO 3166-1 alpha-3 shape; membership checked elsewhere). */
bool text_state_code_shape(const char *s);
/* Today's date in UTC, "YYYY-MM-DD" into buf (at least 11 bytes). */
void text_today(char *buf, size_t size);
/* The current year (UTC). */
int text_current_year(void);

/* Milliseconds of CLOCK_MONOTONIC: for durations and intervals, never for dates. */
int64_t clock_mono_ms(void);
/* Milliseconds since the epoch (CLOCK_REALTIME): for deadlines and timestamps. */
int64_t clock_wall_ms(void);
/* The time things happen at, as the suite records and reports them (when an assessment is
 * submitted, what "today" is for a report or ListDue): the wall clock, unless the process was
 * started with UNIC_FIXED_CLOCK (clock_fix), when it is that instant. Deadlines and durations
 * never read it. Milliseconds since the epoch. */
int64_t clock_now_ms(void);
/* Fixes clock_now_ms at `utc`, "YYYY-MM-DDTHH:MM:SSZ"; -1 when it is not such a time. Called
 * once at start-up, before any thread, by config_load: a facility for tests of dates around a
 * deadline (tests/integration/test_due.py), never set in production. */
int clock_fix(const char *utc);
/* wall_ms as RFC 3339 in UTC, "2025-03-01T12:00:00Z", or with milliseconds,
 * "2025-03-01T12:00:00.123Z", into buf (at least 25 bytes). */
void clock_rfc3339(char *buf, size_t size, int64_t wall_ms, bool millis);

#endif
