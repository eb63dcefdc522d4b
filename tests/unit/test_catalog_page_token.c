/* test_catalog_page_token.c: ListQuestionnaires page tokens (services/catalog/page_token.c) decode
 * to the id they were made from, and anything else is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "page_token.h"

static void test_token_round_trips_to_the_last_id(void **state)
{
    (void)state;
    static const char *const ids[] = {"ab", "cip-self-assessment", "unic-compliance", "q1",
                                      "a123456789012345678901234567890123456789012345678901234567890123"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char token[PAGE_TOKEN_MAX], id[65];
        page_token_encode(ids[i], token, sizeof token);
        assert_true(strlen(token) > 0);
        assert_null(strpbrk(token, "+/=:"));
        assert_int_equal(page_token_decode(token, id, sizeof id), 0);
        assert_string_equal(id, ids[i]);
    }
}

static void test_token_does_not_show_the_id_in_clear(void **state)
{
    (void)state;
    char token[PAGE_TOKEN_MAX];
    page_token_encode("unic-compliance", token, sizeof token);
    assert_null(strstr(token, "unic-compliance"));
}

static void test_foreign_or_damaged_tokens_are_refused(void **state)
{
    (void)state;
    char id[65], token[PAGE_TOKEN_MAX];
    assert_int_equal(page_token_decode("", id, sizeof id), -1);
    assert_int_equal(page_token_decode("not a token!", id, sizeof id), -1);
    assert_int_equal(page_token_decode("dW5pYy1jb21wbGlhbmNl", id, sizeof id), -1); /* no tag */
    assert_int_equal(page_token_decode("cTE6", id, sizeof id), -1);                 /* tag only */
    assert_int_equal(page_token_decode("cTE6QUJD", id, sizeof id), -1);             /* "q1:ABC" */
    assert_int_equal(page_token_decode("cTE6YWIA", id, sizeof id), -1);             /* NUL inside */
    page_token_encode("cip-self-assessment", token, sizeof token);
    token[strlen(token) - 1] ^= 1; /* leftover bits no longer zero, or a different id */
    char other[65] = "";
    int rc = page_token_decode(token, other, sizeof other);
    assert_true(rc == -1 || strcmp(other, "cip-self-assessment") != 0);
    char big[300];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(page_token_decode(big, id, sizeof id), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_round_trips_to_the_last_id),
        cmocka_unit_test(test_token_does_not_show_the_id_in_clear),
        cmocka_unit_test(test_foreign_or_damaged_tokens_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
