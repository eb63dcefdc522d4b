/* test_page_token.c: the one page-token format: a sealed position opens again under the same
 * secret and binding, and under no other; a token reveals nothing of its position; a changed
 * character, another secret, another binding or a made-up token is refused. Pure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "digest.h"
#include "page_token.h"

static const char SECRET[] = "0123456789abcdef0123456789abcdef-test-secret";
static const char BIND[] = "/unic.matching.v1.MatchingService/ListOffers\nkey1\nkind=2";

static void test_sealed_position_opens_under_the_same_binding(void **state)
{
    (void)state;
    char token[PAGE_TOKEN_MAX], pos[PAGE_POSITION_MAX + 1];
    size_t n = page_token_seal(SECRET, BIND, "KEN-2024-cip-self-assessment", token);
    assert_int_equal(n, strlen(token));
    assert_int_equal(strncmp(token, "p1.", 3), 0);
    assert_int_equal(page_token_open(SECRET, BIND, token, pos), 0);
    assert_string_equal(pos, "KEN-2024-cip-self-assessment");
    /* Deterministic: the same position and binding give the same token. */
    char again[PAGE_TOKEN_MAX];
    page_token_seal(SECRET, BIND, "KEN-2024-cip-self-assessment", again);
    assert_string_equal(again, token);
}

static void test_token_reveals_no_part_of_its_position(void **state)
{
    (void)state;
    char token[PAGE_TOKEN_MAX], b64[PAGE_TOKEN_MAX];
    page_token_seal(SECRET, BIND, "KEN-2024-cip-self-assessment", token);
    assert_null(strstr(token, "KEN"));
    base64url_encode(b64, (const uint8_t *)"KEN-2024", 8);
    assert_null(strstr(token, b64));
    /* Two positions differing in one character give unrelated tokens. */
    char t1[PAGE_TOKEN_MAX], t2[PAGE_TOKEN_MAX];
    page_token_seal(SECRET, BIND, "1000", t1);
    page_token_seal(SECRET, BIND, "1001", t2);
    size_t same = 0;
    for (size_t i = 3; t1[i] && t2[i]; i++)
        same += t1[i] == t2[i];
    assert_true(same < 6);
}

static void test_changed_character_is_refused(void **state)
{
    (void)state;
    char token[PAGE_TOKEN_MAX], pos[PAGE_POSITION_MAX + 1];
    page_token_seal(SECRET, BIND, "42", token);
    for (size_t i = 3; token[i]; i++) {
        char forged[PAGE_TOKEN_MAX];
        memcpy(forged, token, sizeof forged);
        forged[i] = forged[i] == 'A' ? 'B' : 'A';
        assert_int_equal(page_token_open(SECRET, BIND, forged, pos), -1);
    }
}

static void test_other_secret_or_binding_is_refused(void **state)
{
    (void)state;
    char token[PAGE_TOKEN_MAX], pos[PAGE_POSITION_MAX + 1];
    page_token_seal(SECRET, BIND, "42", token);
    assert_int_equal(page_token_open("another-deployment-secret-of-32-chars!!", BIND, token, pos), -1);
    assert_int_equal(page_token_open(SECRET, "/unic.matching.v1.MatchingService/ListOffers\nkey2\nkind=2",
                                     token, pos), -1);
    assert_int_equal(page_token_open(SECRET, "/unic.matching.v1.MatchingService/ListOffers\nkey1\nkind=3",
                                     token, pos), -1);
    assert_int_equal(page_token_open(SECRET, "/unic.matching.v1.MatchingService/ListRequests\nkey1\nkind=2",
                                     token, pos), -1);
}

static void test_made_up_tokens_are_refused(void **state)
{
    (void)state;
    char pos[PAGE_POSITION_MAX + 1], longest[PAGE_TOKEN_MAX + 10];
    const char *junk[] = {"", "42", "p1.", "p1.AAAA", "p1.!!!!", "q1:a2Vu", "p1.A"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        assert_int_equal(page_token_open(SECRET, BIND, junk[i], pos), -1);
    memset(longest, 'A', sizeof longest - 1);
    memcpy(longest, "p1.", 3);
    longest[sizeof longest - 1] = '\0';
    assert_int_equal(page_token_open(SECRET, BIND, longest, pos), -1);
}

static void test_longest_position_round_trips(void **state)
{
    (void)state;
    char position[PAGE_POSITION_MAX + 1], token[PAGE_TOKEN_MAX], pos[PAGE_POSITION_MAX + 1];
    memset(position, 'x', PAGE_POSITION_MAX);
    position[PAGE_POSITION_MAX] = '\0';
    page_token_seal(SECRET, BIND, position, token);
    assert_int_equal(page_token_open(SECRET, BIND, token, pos), 0);
    assert_string_equal(pos, position);
}

static void test_base64url_round_trips_every_length(void **state)
{
    (void)state;
    uint8_t bytes[40], back[40];
    char text[64];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (uint8_t)(i * 37 + 250);
    for (size_t n = 0; n <= sizeof bytes; n++) {
        size_t len = base64url_encode(text, bytes, n), got = 99;
        assert_int_equal(len, (4 * n + 2) / 3);
        assert_int_equal(base64url_decode(back, sizeof back, text, &got), 0);
        assert_int_equal(got, n);
        assert_memory_equal(back, bytes, n);
    }
    size_t got;
    assert_int_equal(base64url_decode(back, sizeof back, "ab+/", &got), -1);
    assert_int_equal(base64url_decode(back, sizeof back, "abcde", &got), -1);
    assert_int_equal(base64url_decode(back, 2, "AAAA", &got), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sealed_position_opens_under_the_same_binding),
        cmocka_unit_test(test_token_reveals_no_part_of_its_position),
        cmocka_unit_test(test_changed_character_is_refused),
        cmocka_unit_test(test_other_secret_or_binding_is_refused),
        cmocka_unit_test(test_made_up_tokens_are_refused),
        cmocka_unit_test(test_longest_position_round_trips),
        cmocka_unit_test(test_base64url_round_trips_every_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
