/* test_webhook_policy.c: the signature, the backoff schedule and the URL rule of webhook
 * deliveries, and the paragraph 8 reminders' thresholds (services/catalog/webhook_policy.c). The expected HMAC was computed independently,
 * with Python's hmac module, over "1767258000." followed by the body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "webhooks.h"

static void test_signature_is_hmac_sha256_of_time_dot_body(void **state)
{
    (void)state;
    char sig[WEBHOOK_SIGNATURE_MAX];
    const char *body = "{\"id\":\"x\"}";
    webhook_signature("whsec_test", 1767258000, body, strlen(body), sig);
    assert_string_equal(sig, "t=1767258000,v1=8dde554bb8f636499dabd28330092dce3044585584be99a53cf143bb83a482ec");
    char other[WEBHOOK_SIGNATURE_MAX];
    webhook_signature("whsec_test", 1767258001, body, strlen(body), other); /* the time is signed */
    assert_string_not_equal(strchr(sig, ','), strchr(other, ','));
    webhook_signature("whsec_other", 1767258000, body, strlen(body), other); /* and the key counts */
    assert_string_not_equal(sig, other);
}

static void test_backoff_doubles_up_to_the_cap(void **state)
{
    (void)state;
    assert_int_equal(webhook_backoff_ms(1, 30000, 3600000), 30000);
    assert_int_equal(webhook_backoff_ms(2, 30000, 3600000), 60000);
    assert_int_equal(webhook_backoff_ms(5, 30000, 3600000), 480000);
    assert_int_equal(webhook_backoff_ms(8, 30000, 3600000), 3600000); /* 3840000, capped */
    assert_int_equal(webhook_backoff_ms(100000, 30000, 3600000), 3600000);
}

/* With the defaults (30 s doubled up to 1 h, for 24 h), an event that never gets through is tried
 * 30 times over 23 hours, and then dead-lettered. */
static void test_the_default_schedule_retries_for_24_hours_then_stops(void **state)
{
    (void)state;
    const int64_t day = 86400000;
    int64_t age = 0;
    int attempts = 1;
    for (;;) {
        int64_t wait = webhook_next_ms(attempts, age, 30000, 3600000, day);
        if (wait < 0)
            break;
        assert_true(wait >= 30000 && wait <= 3600000);
        age += wait;
        attempts++;
    }
    assert_int_equal(attempts, 30);
    assert_true(age <= day && age > day - 3600000);
    assert_int_equal(webhook_next_ms(1, day - 29999, 30000, 3600000, day), -1);
    assert_int_equal(webhook_next_ms(1, day - 30000, 30000, 3600000, day), 30000);
}

static void test_https_anywhere_http_only_to_loopback(void **state)
{
    (void)state;
    assert_true(webhook_url_allowed("https://hooks.example.bj/unic"));
    assert_true(webhook_url_allowed("http://127.0.0.1:8080/hook"));
    assert_true(webhook_url_allowed("http://127.9.0.1/hook"));
    assert_true(webhook_url_allowed("http://localhost:9/x"));
    assert_true(webhook_url_allowed("http://[::1]:8080/x"));
    assert_false(webhook_url_allowed("http://hooks.example.bj/unic"));
    assert_false(webhook_url_allowed("http://127.0.0.1.example.org/x"));
    assert_false(webhook_url_allowed("http://127.0.0.1@example.org/x"));
    assert_false(webhook_url_allowed("http://localhost.example.org/x"));
    assert_false(webhook_url_allowed("http://10.0.0.1/x"));
    assert_false(webhook_url_allowed("ftp://127.0.0.1/x"));
    assert_false(webhook_url_allowed("https://"));
    assert_false(webhook_url_allowed("https://example.org/a b"));
}

static void test_reminders_at_60_30_and_7_days_each_until_the_next(void **state)
{
    (void)state;
    assert_int_equal(webhook_reminder_threshold(61), 0);
    assert_int_equal(webhook_reminder_threshold(60), 60);
    assert_int_equal(webhook_reminder_threshold(31), 60); /* missed on the day: still sent */
    assert_int_equal(webhook_reminder_threshold(30), 30);
    assert_int_equal(webhook_reminder_threshold(8), 30);
    assert_int_equal(webhook_reminder_threshold(7), 7);
    assert_int_equal(webhook_reminder_threshold(0), 7);  /* 31 December itself */
    assert_int_equal(webhook_reminder_threshold(-1), 0); /* overdue: ListDue says so */
    assert_int_equal(webhook_reminder_threshold(365), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_is_hmac_sha256_of_time_dot_body),
        cmocka_unit_test(test_backoff_doubles_up_to_the_cap),
        cmocka_unit_test(test_the_default_schedule_retries_for_24_hours_then_stops),
        cmocka_unit_test(test_https_anywhere_http_only_to_loopback),
        cmocka_unit_test(test_reminders_at_60_30_and_7_days_each_until_the_next),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
