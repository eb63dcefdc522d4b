/* test_db_values.c: unit tests of common/db_values.c: PostgreSQL array literals and the split
 * of a joined list column; and of bytea read in binary (common/db.h db_get_bytes), on a result
 * built in memory. No I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "db_values.h"

static void test_text_array_quotes_every_element_and_escapes(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char *v[] = {"a", "b\"c", "d\\e", ""};
    assert_string_equal(db_text_array(&a, v, 4), "{\"a\",\"b\\\"c\",\"d\\\\e\",\"\"}");
    assert_string_equal(db_text_array(&a, NULL, 0), "{}");
    arena_destroy(&a);
}

static void test_integer_arrays_hold_extremes(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    int iv[] = {0, -1, 2147483647};
    int64_t lv[] = {INT64_MIN, INT64_MAX};
    assert_string_equal(db_int_array(&a, iv, 3), "{0,-1,2147483647}");
    assert_string_equal(db_int64_array(&a, lv, 2),
                        "{-9223372036854775808,9223372036854775807}");
    assert_string_equal(db_int_array(&a, NULL, 0), "{}");
    arena_destroy(&a);
}

static void test_list_split_gives_each_element_and_none_for_empty(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char **out;
    size_t n;
    db_list_split(&a, "en\x1f" "fr\x1f" "pt-BR", &out, &n);
    assert_int_equal(n, 3);
    assert_string_equal(out[0], "en");
    assert_string_equal(out[2], "pt-BR");
    db_list_split(&a, "", &out, &n);
    assert_int_equal(n, 0);
    assert_null(out);
    db_list_split(&a, "x\x1f", &out, &n); /* a trailing empty element is kept, as stored */
    assert_int_equal(n, 2);
    assert_string_equal(out[1], "");
    arena_destroy(&a);
}

static void test_list_join_is_the_inverse_of_split(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char *const v[] = {"en", "fr", "pt-BR"};
    const char *joined = db_list_join(&a, v, 3);
    assert_string_equal(joined, "en\x1f" "fr\x1f" "pt-BR");
    char **out;
    size_t n;
    db_list_split(&a, joined, &out, &n);
    assert_int_equal(n, 3);
    assert_string_equal(out[1], "fr");
    assert_string_equal(db_list_join(&a, v, 0), "");
    arena_destroy(&a);
}

static void test_binary_bytea_reads_back_every_byte(void **state)
{
    (void)state;
    PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc col = {.name = "content", .format = 1, .typid = 17 /* bytea */, .typlen = -1,
                        .atttypmod = -1};
    assert_true(PQsetResultAttrs(r, 1, &col));
    const char bytes[] = {'%', 'P', 'D', 'F', 0, '\\', 'x', (char)0xff};
    assert_true(PQsetvalue(r, 0, 0, (char *)bytes, (int)sizeof bytes));
    size_t len = 0;
    const uint8_t *got = db_get_bytes(r, 0, "content", &len);
    assert_int_equal(len, sizeof bytes);
    assert_memory_equal(got, bytes, sizeof bytes);
    assert_true(PQsetvalue(r, 1, 0, "", 0));
    db_get_bytes(r, 1, "content", &len);
    assert_int_equal(len, 0);
    PQclear(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary_bytea_reads_back_every_byte),
        cmocka_unit_test(test_text_array_quotes_every_element_and_escapes),
        cmocka_unit_test(test_integer_arrays_hold_extremes),
        cmocka_unit_test(test_list_split_gives_each_element_and_none_for_empty),
        cmocka_unit_test(test_list_join_is_the_inverse_of_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
