/* test_common.c: unit tests of the runtime's pure parts: configuration parsing, string checks,
 * JSON escaping, the arena and key hashing. No I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth.h"
#include "config.h"
#include "digest.h"
#include "err.h"
#include "log.h"
#include "mem.h"
#include "text.h"
#include "unic/responses/v1/responses.pb-c.h"
#include "wire_check.h"

/* A fake environment: NULL-terminated pairs. */
static const char *const *fake_env;

static const char *fake_get(const char *name)
{
    for (const char *const *p = fake_env; p && *p; p += 2)
        if (strcmp(p[0], name) == 0)
            return p[1];
    return NULL;
}

static int load(struct config *c, struct err *e, const char *const *env)
{
    fake_env = env;
    return config_load(c, "test", 50051, fake_get, e);
}

static void test_config_defaults_apply_without_environment(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    assert_int_equal(load(&c, &e, NULL), 0);
    assert_string_equal(c.listen, "127.0.0.1:50051");
    assert_int_equal(c.max_recv_bytes, 4 * 1024 * 1024);
    /* responses receives the largest exchange file in one message (common/size_limits.h) */
    fake_env = NULL;
    struct config r;
    assert_int_equal(config_load(&r, "responses", 50052, fake_get, &e), 0);
    assert_int_equal(r.max_recv_bytes, 8 * 1024 * 1024 + 64 * 1024);
    assert_int_equal(c.grace_seconds, 10);
    assert_string_equal(c.redis_host, "127.0.0.1");
    assert_int_equal(c.redis_port, 6379);
    assert_true(c.workers >= 1);
    assert_string_equal(c.metrics_listen, ""); /* metrics are off unless asked for */
}

/* The default worker counts README's configuration table gives: the cores, and at least 16 for
 * the responses and scoring services; UNIC_WORKERS overrides them. */
static void test_config_default_workers_follow_the_service(void **state)
{
    (void)state;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = cores < 1 ? 2 : cores > 64 ? 64 : (int)cores;
    assert_int_equal(config_default_workers("catalog"), n);
    assert_int_equal(config_default_workers("matching"), n);
    assert_int_equal(config_default_workers("responses"), n > 16 ? n : 16);
    assert_int_equal(config_default_workers("scoring"), n > 16 ? n : 16);
    struct config c;
    struct err e;
    fake_env = NULL;
    assert_int_equal(config_load(&c, "responses", 50052, fake_get, &e), 0);
    assert_int_equal(c.workers, n > 16 ? n : 16);
    const char *env[] = {"UNIC_WORKERS", "3", NULL};
    fake_env = env;
    assert_int_equal(config_load(&c, "responses", 50052, fake_get, &e), 0);
    assert_int_equal(c.workers, 3);
}

static void test_config_metrics_listen_is_checked(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    const char *env[] = {"UNIC_METRICS_LISTEN", "127.0.0.1:9090", NULL};
    assert_int_equal(load(&c, &e, env), 0);
    assert_string_equal(c.metrics_listen, "127.0.0.1:9090");
    const char *env2[] = {"UNIC_METRICS_LISTEN", "9090", NULL};
    assert_int_equal(load(&c, &e, env2), -1);
    assert_non_null(strstr(e.msg, "UNIC_METRICS_LISTEN"));
    const char *env3[] = {"UNIC_METRICS_LISTEN", "off", NULL};
    assert_int_equal(load(&c, &e, env3), 0);
    assert_string_equal(c.metrics_listen, "");
}

static void test_config_drain_delay_is_bounded(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    assert_int_equal(load(&c, &e, NULL), 0);
    assert_int_equal(c.drain_delay_ms, 0); /* no delay unless a balancer needs one */
    const char *env[] = {"UNIC_DRAIN_DELAY_MS", "600", NULL};
    assert_int_equal(load(&c, &e, env), 0);
    assert_int_equal(c.drain_delay_ms, 600);
    const char *env2[] = {"UNIC_DRAIN_DELAY_MS", "60001", NULL};
    assert_int_equal(load(&c, &e, env2), -1);
    assert_non_null(strstr(e.msg, "UNIC_DRAIN_DELAY_MS"));
}

static void test_clock_rfc3339_formats_utc(void **state)
{
    (void)state;
    char buf[32];
    clock_rfc3339(buf, sizeof buf, INT64_C(1740830400123), true);
    assert_string_equal(buf, "2025-03-01T12:00:00.123Z");
    clock_rfc3339(buf, sizeof buf, INT64_C(1740830400123), false);
    assert_string_equal(buf, "2025-03-01T12:00:00Z");
    int64_t a = clock_mono_ms(), b = clock_mono_ms();
    assert_true(b >= a);
    assert_true(clock_wall_ms() > INT64_C(1700000000000));
}

static void test_config_short_page_token_secret_is_refused(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    const char *short_env[] = {"UNIC_PAGE_TOKEN_SECRET", "too-short", NULL};
    assert_int_equal(load(&c, &e, short_env), -1);
    assert_non_null(strstr(e.msg, "UNIC_PAGE_TOKEN_SECRET"));
    const char *env[] = {"UNIC_PAGE_TOKEN_SECRET", "0123456789abcdef0123456789abcdef", NULL};
    assert_int_equal(load(&c, &e, env), 0);
    assert_string_equal(c.page_token_secret, "0123456789abcdef0123456789abcdef");
}

static void test_err_field_names_the_field_first(void **state)
{
    (void)state;
    struct err e;
    assert_int_equal(err_field(&e, "page_size", "must be 0 to %d, got %d", 100, -1), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_string_equal(e.msg, "page_size: must be 0 to 100, got -1");
    assert_string_equal(e.hint, "");
    assert_int_equal(err_field_at(&e, "answers", 2, "level", "%d is not a level 0-%d", 9, 5), -1);
    assert_string_equal(e.msg, "answers[2].level: 9 is not a level 0-5");
    err_field_at(&e, "topics", 0, NULL, "\"%s\" is not a topic id", "x y");
    assert_string_equal(e.msg, "topics[0]: \"x y\" is not a topic id");
    assert_int_equal(err_field_at(NULL, "topics", 0, NULL, "ignored"), -1);
}

static void test_config_bad_number_names_the_variable(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    const char *env[] = {"UNIC_WORKERS", "two", NULL};
    assert_int_equal(load(&c, &e, env), -1);
    assert_non_null(strstr(e.msg, "UNIC_WORKERS"));
    const char *env2[] = {"UNIC_GRACE_SECONDS", "-1", NULL};
    assert_int_equal(load(&c, &e, env2), -1);
    assert_non_null(strstr(e.msg, "UNIC_GRACE_SECONDS"));
}

static void test_config_bad_address_names_the_variable(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    const char *env[] = {"UNIC_LISTEN", "localhost", NULL};
    assert_int_equal(load(&c, &e, env), -1);
    assert_non_null(strstr(e.msg, "UNIC_LISTEN"));
    const char *env2[] = {"UNIC_REDIS", "127.0.0.1:99999", NULL};
    assert_int_equal(load(&c, &e, env2), -1);
    assert_non_null(strstr(e.msg, "UNIC_REDIS"));
}

static void test_config_redis_off_disables_cache(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    const char *env[] = {"UNIC_REDIS", "off", "UNIC_LOG_LEVEL", "debug", NULL};
    assert_int_equal(load(&c, &e, env), 0);
    assert_string_equal(c.redis_host, "");
    assert_int_equal(c.log_level, LOG_DEBUG);
}

static void test_config_short_bootstrap_key_is_refused(void **state)
{
    (void)state;
    struct config c;
    struct err e;
    const char *env[] = {"UNIC_BOOTSTRAP_KEY", "short", NULL};
    assert_int_equal(load(&c, &e, env), -1);
    assert_non_null(strstr(e.msg, "UNIC_BOOTSTRAP_KEY"));
    const char *env2[] = {"UNIC_BOOTSTRAP_KEY_FILE", "/nonexistent/key", NULL};
    assert_int_equal(load(&c, &e, env2), -1);
    assert_non_null(strstr(e.msg, "UNIC_BOOTSTRAP_KEY_FILE"));
}

static void test_text_rejects_invalid_utf8_and_controls(void **state)
{
    (void)state;
    size_t n = 0;
    assert_true(text_valid("Côte d’Ivoire", false, &n));
    assert_int_equal(n, 13);
    assert_false(text_valid("\xc3", false, NULL));             /* truncated sequence */
    assert_false(text_valid("\xc0\xaf", false, NULL));         /* overlong '/' */
    assert_false(text_valid("\xed\xa0\x80", false, NULL));     /* surrogate */
    assert_false(text_valid("a\x01" "b", false, NULL));        /* control character */
    assert_false(text_valid("line\nbreak", false, NULL));
    assert_true(text_valid("line\nbreak\ttab", true, NULL));   /* allowed in free text */
    assert_false(text_valid("\xc2\x85", true, NULL));          /* C1 control */
}

/* Packs `m`, then overwrites the first `marker` byte with `with`: strings protobuf-c cannot
 * write (it uses strlen), as an attacker sends them. */
static size_t pack_patched(const ProtobufCMessage *m, uint8_t *buf, char marker, uint8_t with)
{
    size_t n = protobuf_c_message_pack(m, buf);
    uint8_t *at = memchr(buf, marker, n);
    assert_non_null(at);
    *at = with;
    return n;
}

static void test_wire_check_names_the_field_holding_a_nul(void **state)
{
    (void)state;
    Unic__Responses__V1__Answer a0 = UNIC__RESPONSES__V1__ANSWER__INIT, a1 = a0;
    a0.question_id = (char *)"q1";
    a0.narrative = (char *)"tabs\tand\nnewlines\r\nare free text";
    a1.question_id = (char *)"q2";
    a1.narrative = (char *)"visible~HIDDEN";
    Unic__Responses__V1__Answer *answers[] = {&a0, &a1};
    Unic__Responses__V1__SaveAnswersRequest r = UNIC__RESPONSES__V1__SAVE_ANSWERS_REQUEST__INIT;
    r.assessment_id = (char *)"KEN-2025-cip-self-assessment";
    r.etag = (char *)"1-0123456789abcdef";
    r.n_answers = 2;
    r.answers = answers;
    const ProtobufCMessageDescriptor *d = &unic__responses__v1__save_answers_request__descriptor;
    uint8_t buf[512];
    struct err e;
    size_t n = protobuf_c_message_pack(&r.base, buf);
    assert_int_equal(wire_check_strings(d, buf, n, &e), 0);

    n = pack_patched(&r.base, buf, '~', 0);
    assert_int_equal(wire_check_strings(d, buf, n, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_string_equal(e.msg, "answers[1].narrative: contains a NUL byte");

    a1.narrative = (char *)"ok";
    r.etag = (char *)"1-0123456789abcdef~";
    n = pack_patched(&r.base, buf, '~', 0);
    assert_int_equal(wire_check_strings(d, buf, n, &e), -1);
    assert_string_equal(e.msg, "etag: contains a NUL byte");

    r.etag = (char *)"1-0123456789abcdef";
    r.request_id = (char *)"retry~1";
    n = pack_patched(&r.base, buf, '~', 0x1b); /* ESC */
    assert_int_equal(wire_check_strings(d, buf, n, &e), -1);
    assert_true(strncmp(e.msg, "request_id: not valid UTF-8", 27) == 0);

    r.request_id = (char *)"";
    a0.question_id = (char *)"q~";
    n = pack_patched(&r.base, buf, '~', 0xc3); /* a lead byte with no continuation */
    assert_int_equal(wire_check_strings(d, buf, n, &e), -1);
    assert_true(strncmp(e.msg, "answers[0].question_id: not valid UTF-8", 39) == 0);
}

static void test_text_dates_follow_the_calendar(void **state)
{
    (void)state;
    assert_true(text_date_valid("2015-12-31"));
    assert_true(text_date_valid("2024-02-29"));
    assert_false(text_date_valid("2023-02-29"));
    assert_false(text_date_valid("1900-02-29"));
    assert_false(text_date_valid("2015-13-01"));
    assert_false(text_date_valid("2015-1-01"));
    assert_false(text_date_valid("2015-12-31x"));
    /* The one validator of the suite (matching's and scoring's copies folded into it). */
    assert_true(text_date_valid("2000-02-29"));
    assert_true(text_date_valid("0001-01-01"));
    assert_false(text_date_valid("0000-01-01"));
    assert_false(text_date_valid("2024-04-31"));
    assert_false(text_date_valid("2024-00-10"));
    assert_false(text_date_valid("2024-01-00"));
    assert_false(text_date_valid("2024-1-01"));
    assert_false(text_date_valid("2024/01/01"));
    assert_false(text_date_valid("2024-01-01T00"));
    assert_false(text_date_valid("2024-0a-01"));
    assert_false(text_date_valid(""));
    assert_false(text_date_valid(NULL));
}

static void test_text_uri_must_be_absolute_http(void **state)
{
    (void)state;
    assert_true(text_http_uri_valid("https://www.first.org/members/teams/"));
    assert_true(text_http_uri_valid("http://example.org"));
    assert_false(text_http_uri_valid("ftp://example.org"));
    assert_false(text_http_uri_valid("https://"));
    assert_false(text_http_uri_valid("/relative/path"));
    assert_false(text_http_uri_valid("https://exa mple.org"));
    assert_false(text_http_uri_valid("javascript:alert(1)"));
}

static void test_log_escape_produces_valid_json_string(void **state)
{
    (void)state;
    char buf[64];
    log_json_escape(buf, sizeof buf, "a\"b\\c\nd\x01");
    assert_string_equal(buf, "a\\\"b\\\\c\\nd\\u0001");
    char small[4];
    log_json_escape(small, sizeof small, "\"\"\"");
    assert_string_equal(small, "\\\""); /* never cuts an escape in half */
}

static void test_arena_allocations_are_zeroed_and_aligned(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    for (int i = 1; i < 2000; i += 37) {
        unsigned char *p = arena_alloc(&a, (size_t)i);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        for (int j = 0; j < i; j++)
            assert_int_equal(p[j], 0);
        memset(p, 0xab, (size_t)i);
    }
    char *big = arena_alloc(&a, 100000); /* larger than a block */
    big[99999] = 'x';
    assert_string_equal(arena_printf(&a, "%s-%d", "q", 18), "q-18");
    arena_destroy(&a);
}

static void test_key_hash_is_sha256_hex(void **state)
{
    (void)state;
    char hex[65];
    auth_hash("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_hex_round_trips_bytes(void **state)
{
    (void)state;
    const uint8_t bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xab};
    char hex[2 * sizeof bytes + 1];
    hex_encode(hex, bytes, sizeof bytes);
    assert_string_equal(hex, "00017f80ffab");
    uint8_t back[sizeof bytes];
    size_t len;
    assert_int_equal(hex_decode(back, "00017F80FFab", &len), 0);
    assert_int_equal(len, sizeof bytes);
    assert_memory_equal(back, bytes, sizeof bytes);
    assert_int_equal(hex_decode(back, "abc", &len), -1);
    assert_int_equal(hex_decode(back, "zz", &len), -1);
    assert_int_equal(hex_decode(back, "", &len), 0);
    assert_int_equal(len, 0);
}

static void test_generated_keys_differ_and_have_the_prefix(void **state)
{
    (void)state;
    char a[64], b[64];
    struct err e;
    assert_int_equal(auth_key_generate(a, &e), 0);
    assert_int_equal(auth_key_generate(b, &e), 0);
    assert_int_equal(strlen(a), 48);
    assert_memory_equal(a, "unic_", 5);
    assert_string_not_equal(a, b);
    enum role r;
    assert_int_equal(auth_role_parse("state", &r), 0);
    assert_int_equal(r, ROLE_STATE);
    assert_int_equal(auth_role_parse("admin", &r), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults_apply_without_environment),
        cmocka_unit_test(test_config_default_workers_follow_the_service),
        cmocka_unit_test(test_err_field_names_the_field_first),
        cmocka_unit_test(test_config_bad_number_names_the_variable),
        cmocka_unit_test(test_config_short_page_token_secret_is_refused),
        cmocka_unit_test(test_clock_rfc3339_formats_utc),
        cmocka_unit_test(test_config_bad_address_names_the_variable),
        cmocka_unit_test(test_config_metrics_listen_is_checked),
        cmocka_unit_test(test_config_drain_delay_is_bounded),
        cmocka_unit_test(test_config_redis_off_disables_cache),
        cmocka_unit_test(test_config_short_bootstrap_key_is_refused),
        cmocka_unit_test(test_text_rejects_invalid_utf8_and_controls),
        cmocka_unit_test(test_wire_check_names_the_field_holding_a_nul),
        cmocka_unit_test(test_text_dates_follow_the_calendar),
        cmocka_unit_test(test_text_uri_must_be_absolute_http),
        cmocka_unit_test(test_log_escape_produces_valid_json_string),
        cmocka_unit_test(test_arena_allocations_are_zeroed_and_aligned),
        cmocka_unit_test(test_key_hash_is_sha256_hex),
        cmocka_unit_test(test_generated_keys_differ_and_have_the_prefix),
        cmocka_unit_test(test_hex_round_trips_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
