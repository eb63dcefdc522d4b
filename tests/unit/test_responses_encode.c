/* test_responses_encode.c: unit tests of the text forms handed to PostgreSQL (array literals,
 * JSON, hex), of packing into an arena and of the request hash used for idempotency. No I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "assessment.h"
#include "pbuf.h"

static struct arena A;

static int setup(void **state)
{
    (void)state;
    arena_init(&A);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_destroy(&A);
    return 0;
}

static void test_array_literal_quotes_and_escapes_every_element(void **state)
{
    (void)state;
    const char *items[] = {"q1", "with \"quote\"", "back\\slash", NULL, "", "{brace},comma"};
    assert_string_equal(encode_pg_array(&A, items, 6),
                        "{\"q1\",\"with \\\"quote\\\"\",\"back\\\\slash\",NULL,\"\",\"{brace},comma\"}");
    assert_string_equal(encode_pg_array(&A, NULL, 0), "{}");
}

static void test_array_literal_grows_past_its_first_buffer(void **state)
{
    (void)state;
    static char big[5000];
    memset(big, 'x', sizeof big - 1);
    const char *items[] = {big, big};
    char *s = encode_pg_array(&A, items, 2);
    assert_int_equal(strlen(s), 2 * (sizeof big - 1) + 2 * 2 + 1 + 2);
}

static void test_evidence_json_escapes_strings(void **state)
{
    (void)state;
    Evidence a = UNIC__RESPONSES__V1__EVIDENCE__INIT, b = UNIC__RESPONSES__V1__EVIDENCE__INIT;
    a.uri = (char *)"https://example.org/a?x=\"1\"";
    a.title = (char *)"Act \\ 2019 é";
    b.uri = (char *)"http://b.example";
    Evidence *list[] = {&a, &b};
    assert_string_equal(encode_evidence_json(&A, list, 2),
                        "[{\"uri\":\"https://example.org/a?x=\\\"1\\\"\",\"title\":\"Act \\\\ 2019 é\"},"
                        "{\"uri\":\"http://b.example\",\"title\":\"\"}]");
    assert_string_equal(encode_evidence_json(&A, NULL, 0), "[]");
}

/* The etag's random part (service.c); decoding is digest.h's, tested with it. */
static void test_hex_encodes_bytes_lower_case(void **state)
{
    (void)state;
    const uint8_t bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xab};
    assert_string_equal(encode_hex(&A, bytes, sizeof bytes), "00017f80ffab");
    assert_string_equal(encode_hex(&A, bytes, 0), "");
}

static void test_packed_assessment_unpacks_into_the_arena_identically(void **state)
{
    (void)state;
    Assessment a = UNIC__RESPONSES__V1__ASSESSMENT__INIT;
    Answer x = UNIC__RESPONSES__V1__ANSWER__INIT, *xs[] = {&x};
    a.id = (char *)"KEN-2025-cip-self-assessment";
    a.revision = 4;
    a.completeness = 0.5;
    a.n_answers = 1;
    a.answers = xs;
    x.question_id = (char *)"q1";
    x.level_value_case = UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
    x.level = 0; /* present, and zero: presence must survive the round trip */
    size_t len, len2;
    uint8_t *p = pbuf_pack(&A, &a.base, &len);
    Assessment *b = (Assessment *)pbuf_unpack(&A, &unic__responses__v1__assessment__descriptor, p, len);
    assert_non_null(b);
    assert_string_equal(b->id, a.id);
    assert_int_equal(b->revision, 4);
    assert_int_equal(b->n_answers, 1);
    assert_int_equal(b->answers[0]->level_value_case, UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL);
    assert_int_equal(b->answers[0]->level, 0);
    uint8_t *p2 = pbuf_pack(&A, &b->base, &len2);
    assert_int_equal(len, len2);
    assert_memory_equal(p, p2, len);
    const uint8_t junk[] = {0xff, 0xff, 0xff};
    assert_null(pbuf_unpack(&A, &unic__responses__v1__assessment__descriptor, junk, sizeof junk));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_array_literal_quotes_and_escapes_every_element),
        cmocka_unit_test(test_array_literal_grows_past_its_first_buffer),
        cmocka_unit_test(test_evidence_json_escapes_strings),
        cmocka_unit_test(test_hex_encodes_bytes_lower_case),
        cmocka_unit_test(test_packed_assessment_unpacks_into_the_arena_identically),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
