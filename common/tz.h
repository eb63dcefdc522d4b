/* tz.h: the civil time of an instant in an IANA time zone ("Africa/Porto-Novo"), read from the
 * system's compiled tz database (TZif files, RFC 8536, Debian's tzdata) and its POSIX TZ footer
 * rule for instants past the last listed transition.
 *
 * Why not localtime_r: it reads the process-wide TZ, and setenv("TZ") in a multithreaded server
 * races with every other thread's time calls. These functions touch no global state.
 *
 * Ownership: a struct tz is allocated by tz_load and freed by tz_free (NULL is a no-op); it is
 * immutable once loaded, so threads may share one. */
#ifndef UNIC_TZ_H
#define UNIC_TZ_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define TZ_NAME_MAX 64
#define TZ_DATE_LEN 10 /* "YYYY-MM-DD" */

struct tz;

/* Whether `name` has the shape of an IANA zone name: 1-64 characters of letters, digits, '/',
 * '_', '-' and '+', no leading '/', no "." component. Says nothing of whether it exists. */
bool tz_name_valid(const char *name);

/* Loads zone `name` from `dir` (NULL: /usr/share/zoneinfo, or $TZDIR when set). INVALID_ARGUMENT
 * for a name of the wrong shape or one the database does not hold ("time_zone: ..." is the
 * caller's to add), INTERNAL for a file that is not TZif. */
int tz_load(const char *name, const char *dir, struct tz **out, struct err *e);
void tz_free(struct tz *z);
const char *tz_name(const struct tz *z);

/* Seconds east of UTC in force at Unix time t (e.g. -36000 in Pacific/Honolulu). */
int32_t tz_offset(const struct tz *z, int64_t t);

/* The local calendar date at Unix time t, "YYYY-MM-DD" (years 0001-9999; false outside). */
bool tz_local_date(const struct tz *z, int64_t t, char out[TZ_DATE_LEN + 1]);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t tz_days_from_civil(int64_t y, unsigned m, unsigned d);
void tz_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#endif
