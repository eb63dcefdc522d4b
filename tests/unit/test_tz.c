/* test_tz.c: unit tests of common/tz.c. The reference is glibc's own reading of the same tzdata
 * (localtime_r with TZ set: fine in this single-threaded test, not in a server), over zones with
 * no DST, northern and southern DST, negative DST (Dublin), half and quarter hours, and instants
 * from 1900 to 2100 (past the last transition the footer rule decides). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tz.h"

static const char *const zones[] = {
    "Pacific/Honolulu", "America/New_York", "Europe/Paris",     "Australia/Sydney",
    "Africa/Porto-Novo", "Asia/Kolkata",    "America/Sao_Paulo", "Pacific/Chatham",
    "Europe/Dublin",     "Asia/Tehran",     "America/St_Johns",  "Pacific/Kiritimati",
    "Africa/Casablanca", "America/Santiago", "Asia/Kathmandu",   "Europe/London",
    "UTC",
};

static void test_offsets_agree_with_the_c_library_from_1900_to_2100(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof zones / sizeof zones[0]; k++) {
        struct tz *z = NULL;
        struct err e = {0};
        if (tz_load(zones[k], NULL, &z, &e) < 0)
            fail_msg("tz_load %s: %s", zones[k], e.msg);
        setenv("TZ", zones[k], 1);
        tzset();
        /* Every 3 days and 7 hours: every phase of the day and every week of the year. */
        for (int64_t t = -2208988800LL; t < 4102444800LL; t += 3 * 86400 + 7 * 3600 + 13) {
            time_t tt = (time_t)t;
            struct tm tm;
            assert_non_null(localtime_r(&tt, &tm));
            int32_t mine = tz_offset(z, t);
            if (mine != tm.tm_gmtoff)
                fail_msg("%s at %lld: offset %d, the C library says %ld", zones[k], (long long)t,
                         mine, tm.tm_gmtoff);
            char date[16], ref[16];
            assert_true(tz_local_date(z, t, date));
            strftime(ref, sizeof ref, "%Y-%m-%d", &tm);
            assert_string_equal(date, ref);
        }
        tz_free(z);
    }
    unsetenv("TZ");
}

/* The case of issue 14: 23:00 on 31 December in UTC-10 is 09:00 on 1 January in UTC. */
static void test_late_evening_in_honolulu_is_still_the_31st(void **state)
{
    (void)state;
    struct tz *z = NULL;
    struct err e = {0};
    assert_int_equal(tz_load("Pacific/Honolulu", NULL, &z, &e), 0);
    int64_t t = tz_days_from_civil(2026, 1, 1) * 86400 + 9 * 3600;
    char date[16];
    assert_int_equal(tz_offset(z, t), -36000);
    assert_true(tz_local_date(z, t, date));
    assert_string_equal(date, "2025-12-31");
    assert_string_equal(tz_name(z), "Pacific/Honolulu");
    tz_free(z);
}

static void test_names_are_checked_before_any_file_is_opened(void **state)
{
    (void)state;
    assert_true(tz_name_valid("Africa/Porto-Novo"));
    assert_true(tz_name_valid("America/Argentina/Buenos_Aires"));
    assert_true(tz_name_valid("Etc/GMT+10"));
    assert_false(tz_name_valid(""));
    assert_false(tz_name_valid("/etc/passwd"));
    assert_false(tz_name_valid("Europe/../../etc/passwd"));
    assert_false(tz_name_valid("Europe/.hidden"));
    assert_false(tz_name_valid("Europe//Paris"));
    assert_false(tz_name_valid("Europe/Paris/"));
    assert_false(tz_name_valid("Europe/Par is"));
    struct tz *z = NULL;
    struct err e = {0};
    assert_int_equal(tz_load("Europe/../../etc/passwd", NULL, &z, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_null(z);
    assert_int_equal(tz_load("Mars/Olympus_Mons", NULL, &z, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(e.msg, "not a time zone of the tz database"));
    /* A file that is there but is no TZif. */
    assert_int_equal(tz_load("leapseconds", NULL, &z, &e), -1);
    assert_int_equal(e.code, ERR_INTERNAL);
    assert_null(z);
    tz_free(NULL);
}

/* Every State's default zone (its capital's) exists in the tz database. */
static void test_every_capital_time_zone_loads(void **state)
{
    (void)state;
    FILE *f = fopen(UNIC_DATA_DIR "/capital_time_zones.tsv", "r");
    assert_non_null(f);
    char line[256];
    int rows = 0;
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "code\tcapital\ttime_zone\n");
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        const char *zone = strrchr(line, '\t');
        assert_non_null(zone);
        struct tz *z = NULL;
        struct err e = {0};
        if (tz_load(zone + 1, NULL, &z, &e) < 0)
            fail_msg("%s: %s", line, e.msg);
        tz_free(z);
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, 193);
}

static void test_civil_days_round_trip(void **state)
{
    (void)state;
    assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tz_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(tz_days_from_civil(1969, 12, 31), -1);
    for (int64_t d = -800000; d < 800000; d += 97) {
        int64_t y;
        unsigned m, dd;
        tz_civil_from_days(d, &y, &m, &dd);
        assert_int_equal(tz_days_from_civil(y, m, dd), d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets_agree_with_the_c_library_from_1900_to_2100),
        cmocka_unit_test(test_late_evening_in_honolulu_is_still_the_31st),
        cmocka_unit_test(test_names_are_checked_before_any_file_is_opened),
        cmocka_unit_test(test_every_capital_time_zone_loads),
        cmocka_unit_test(test_civil_days_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
