/* text.h: checks and formats for strings that cross the service boundary: UTF-8 validity,
 * control characters, dates and timestamps. Pure functions, no allocation. */
#ifndef UNIC_TEXT_H
#define UNIC_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* True when s is valid UTF-8 with no NUL or control character; newline and tab are allowed only
 * when `free_text` is set. Counts code points into *chars when chars is not NULL. */
bool text_valid(const char *s, bool free_text, size_t *chars);
/* The same for `size` bytes that may hold a NUL, which is refused like any control character. */
bool text_valid_bytes(const uint8_t *s, size_t size, bool free_text, size_t *chars);
/* True for a real calendar date written "YYYY-MM-DD". */
bool text_date_valid(const char *s);
/* True for an absolute http:// or https:// URI with a host and no spaces or control chars. */
bool text_http_uri_valid(const char *s);
/* True for a 3-letter upper-case code (ISO 3166-1 alpha-3 shape; membership checked elsewhere). */
bool text_state_code_shape(const char *s);
/* Today's date in UTC, "YYYY-MM-DD" into buf (at least 11 bytes). */
void text_today(char *buf, size_t size);
/* The current year (UTC). */
int text_current_year(void);

#endif
