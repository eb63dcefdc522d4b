/* test_matching_rules.c: unit tests of the matching service's own rules (services/matching/rules.c):
 * the quantity rule turning gaps into requests, plan fingerprints, names and id shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "matching.h"

static void test_quantity_is_severity_times_unit_of_kind(void **state)
{
    (void)state;
    assert_int_equal(derive_quantity(MATCH_KIND_EXPERTISE, 1000), 10);
    assert_int_equal(derive_quantity(MATCH_KIND_TRAINING, 2000), 10);
    assert_int_equal(derive_quantity(MATCH_KIND_EQUIPMENT, 3000), 6);
    assert_int_equal(derive_quantity(MATCH_KIND_FUNDS, 3000), 75);
}

static void test_quantity_rounds_fractional_severity_up(void **state)
{
    (void)state;
    /* 1.5 x 5 seats = 7.5 -> 8; 0.1 x 2 units = 0.2 -> 1: a gap always asks for something */
    assert_int_equal(derive_quantity(MATCH_KIND_TRAINING, 1500), 8);
    assert_int_equal(derive_quantity(MATCH_KIND_EQUIPMENT, 100), 1);
    assert_int_equal(derive_quantity(MATCH_KIND_EXPERTISE, 2500), 25);
}

static void test_unknown_kind_has_no_unit(void **state)
{
    (void)state;
    assert_int_equal(derive_unit(0), 0);
    assert_int_equal(derive_unit(9), 0);
}

static void test_priority_is_ceiling_of_severity_clamped_to_one_to_five(void **state)
{
    (void)state;
    assert_int_equal(derive_priority(1), 1);
    assert_int_equal(derive_priority(1000), 1);
    assert_int_equal(derive_priority(1001), 2);
    assert_int_equal(derive_priority(3000), 3);
    assert_int_equal(derive_priority(4500), 5);
    assert_int_equal(derive_priority(12000), 5);
}

static void test_severity_converts_to_thousandths_and_caps(void **state)
{
    (void)state;
    assert_int_equal(severity_to_milli(2.0), 2000);
    assert_int_equal(severity_to_milli(1.2345), 1235);
    assert_int_equal(severity_to_milli(0.0), 0);
    assert_int_equal(severity_to_milli(-1.0), 0);
    assert_int_equal(severity_to_milli(1e9), MATCH_SEVERITY_MILLI_MAX);
    assert_int_equal(severity_to_milli(0.0001), 1);
}

static void test_fingerprint_ignores_input_order(void **state)
{
    (void)state;
    const char *o1[] = {"b", "a"}, *o2[] = {"a", "b"};
    int v1[] = {2, 1}, v2[] = {1, 2};
    const char *r1[] = {"x"};
    int rv[] = {7};
    char h1[65], h2[65];
    plan_fingerprint(o1, v1, 2, r1, rv, 1, h1);
    plan_fingerprint(o2, v2, 2, r1, rv, 1, h2);
    assert_string_equal(h1, h2);
    assert_int_equal(strlen(h1), 64);
}

static void test_fingerprint_changes_with_any_version(void **state)
{
    (void)state;
    const char *o[] = {"a", "b"}, *r[] = {"x"};
    int v[] = {1, 2}, bumped[] = {1, 3}, rv[] = {7}, rv2[] = {8};
    char h[65], h_offer[65], h_request[65];
    plan_fingerprint(o, v, 2, r, rv, 1, h);
    plan_fingerprint(o, bumped, 2, r, rv, 1, h_offer);
    plan_fingerprint(o, v, 2, r, rv2, 1, h_request);
    assert_string_not_equal(h, h_offer);
    assert_string_not_equal(h, h_request);
}

static void test_fingerprint_tells_offers_from_requests(void **state)
{
    (void)state;
    const char *ids[] = {"a"};
    int v[] = {1};
    char as_offer[65], as_request[65];
    plan_fingerprint(ids, v, 1, NULL, NULL, 0, as_offer);
    plan_fingerprint(NULL, NULL, 0, ids, v, 1, as_request);
    assert_string_not_equal(as_offer, as_request);
}

static void test_sha256_of_abc_is_the_standard_vector(void **state)
{
    (void)state;
    char h[65];
    sha256_hex("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_status_names_round_trip(void **state)
{
    (void)state;
    for (int s = 1; s <= 3; s++) {
        assert_int_equal(offer_status_from_name(offer_status_name(s)), s);
        assert_int_equal(request_status_from_name(request_status_name(s)), s);
    }
    for (int s = 1; s <= 9; s++)
        assert_int_equal(match_status_from_name(match_status_name(s)), s);
    assert_null(offer_status_name(0));
    assert_null(match_status_name(10));
    assert_string_equal(match_status_name(MATCH_CANCELLED), "CANCELLED");
    assert_int_equal(match_status_from_name("NOPE"), 0);
    assert_string_equal(match_status_name(5), "SUPERSEDED");
}

static void test_uuid_shape_accepts_only_canonical_lower_case(void **state)
{
    (void)state;
    assert_true(uuid_shape("0b1e6a64-3c57-4f4e-9d5a-2f1c0e7b8a90"));
    assert_false(uuid_shape("0B1E6A64-3C57-4F4E-9D5A-2F1C0E7B8A90"));
    assert_false(uuid_shape("0b1e6a643c574f4e9d5a2f1c0e7b8a90"));
    assert_false(uuid_shape("0b1e6a64-3c57-4f4e-9d5a-2f1c0e7b8a9"));
    assert_false(uuid_shape("0b1e6a64-3c57-4f4e-9d5a-2f1c0e7b8a90x"));
    assert_false(uuid_shape("'; DROP TABLE x; --"));
    assert_false(uuid_shape(""));
}

/* ---- derive_rows: gaps into requests ---- */

static bool known_topic(const void *ctx, const char *topic)
{
    (void)ctx;
    return strcmp(topic, "unknown-topic") != 0;
}

static Unic__Scoring__V1__Gap gap_of(const char *question, double severity, char **topics,
                                     size_t n_topics)
{
    Unic__Scoring__V1__Gap g = UNIC__SCORING__V1__GAP__INIT;
    g.question_id = (char *)question;
    g.severity = severity;
    g.topics = topics;
    g.n_topics = n_topics;
    return g;
}

static struct derive_input input_of(const int *kinds, size_t n_kinds)
{
    struct derive_input in = {
        .state = "NER", .cycle = 2026, .ldc = true, .region = "Africa",
        .sub_region = "Sub-Saharan Africa", .kinds = kinds, .n_kinds = n_kinds,
        .topic_known = known_topic,
    };
    return in;
}

static void test_derive_files_the_rule_for_each_kind_asked(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char *topics[] = {"legal-frameworks"};
    Unic__Scoring__V1__Gap g = gap_of("q11", 2.0, topics, 1), *gaps[] = {&g};
    int kinds[] = {MATCH_KIND_FUNDS, MATCH_KIND_TRAINING};
    struct derive_input in = input_of(kinds, 2);
    struct request_row *rows;
    size_t skipped;
    assert_int_equal(derive_rows(&a, &in, gaps, 1, &rows, &skipped), 2);
    assert_int_equal(skipped, 0);
    assert_int_equal(rows[0].kind, MATCH_KIND_FUNDS);
    assert_int_equal(rows[0].quantity, 50);
    assert_int_equal(rows[1].kind, MATCH_KIND_TRAINING);
    assert_int_equal(rows[1].quantity, 10);
    assert_int_equal(rows[0].priority, 2);
    assert_int_equal(rows[0].severity_milli, 2000);
    assert_string_equal(rows[0].source_question_id, "q11");
    assert_int_equal(rows[0].source_cycle, 2026);
    assert_true(rows[0].ldc);
    assert_string_equal(rows[0].sub_region, "Sub-Saharan Africa");
    arena_destroy(&a);
}

static void test_derive_skips_gaps_without_question_or_severity(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char *topics[] = {"legal-frameworks"};
    Unic__Scoring__V1__Gap g1 = gap_of("", 2.0, topics, 1), g2 = gap_of("q2", 0.0, topics, 1),
                           g3 = gap_of("q3", -1.0, topics, 1), g4 = gap_of("q4", 1.0, topics, 1);
    Unic__Scoring__V1__Gap *gaps[] = {&g1, &g2, &g3, &g4};
    int kinds[] = {MATCH_KIND_EXPERTISE};
    struct derive_input in = input_of(kinds, 1);
    struct request_row *rows;
    size_t skipped;
    assert_int_equal(derive_rows(&a, &in, gaps, 4, &rows, &skipped), 1);
    assert_int_equal(skipped, 3);
    assert_string_equal(rows[0].source_question_id, "q4");
    assert_int_equal(rows[0].quantity, 10);
    arena_destroy(&a);
}

/* The example: one gap of severity 2 on a question with two topics asks for 50 thousand
 * USD once, carrying both topics, not 50 per topic. */
static void test_derive_files_one_request_per_gap_and_kind_never_per_topic(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    char *topics[] = {"strategy", "unknown-topic", "cip", "strategy"};
    char *none[] = {"unknown-topic"};
    Unic__Scoring__V1__Gap g = gap_of("q1", 2.0, topics, 4), bare = gap_of("q9", 3.0, none, 1);
    Unic__Scoring__V1__Gap *gaps[] = {&g, &bare};
    int kinds[] = {MATCH_KIND_FUNDS};
    struct derive_input in = input_of(kinds, 1);
    struct request_row *rows;
    size_t skipped;
    assert_int_equal(derive_rows(&a, &in, gaps, 2, &rows, &skipped), 1);
    assert_int_equal(skipped, 1); /* q9 has no topic the catalog knows */
    assert_int_equal(rows[0].quantity, 50);
    assert_int_equal(rows[0].n_topics, 2); /* known, each once, in the gap's order */
    assert_string_equal(rows[0].topics[0], "strategy");
    assert_string_equal(rows[0].topics[1], "cip");
    assert_string_equal(rows[0].topic, "strategy");
    arena_destroy(&a);
}

/* The life of a match: exactly the documented steps, each by its party; everything else says
 * what the match can become. */
static void test_match_steps_are_the_documented_ones(void **state)
{
    (void)state;
    static const struct { int from, to, party; bool reason; } legal[] = {
        {MATCH_ACCEPTED, MATCH_IN_DELIVERY, MATCH_PARTY_DONOR, false},
        {MATCH_IN_DELIVERY, MATCH_DELIVERED, MATCH_PARTY_DONOR, false},
        {MATCH_DELIVERED, MATCH_COMPLETED, MATCH_PARTY_RECIPIENT, false},
        {MATCH_ACCEPTED, MATCH_CANCELLED, MATCH_PARTY_EITHER, true},
        {MATCH_IN_DELIVERY, MATCH_CANCELLED, MATCH_PARTY_EITHER, true},
    };
    int n_legal = 0;
    for (int from = MATCH_PROPOSED; from <= MATCH_CANCELLED; from++)
        for (int to = MATCH_PROPOSED; to <= MATCH_CANCELLED; to++) {
            const struct match_step *step = NULL;
            struct err e;
            int rc = match_step_find(from, to, &step, &e);
            bool want = false;
            for (size_t i = 0; i < sizeof legal / sizeof *legal; i++)
                if (legal[i].from == from && legal[i].to == to) {
                    want = true;
                    assert_int_equal(rc, 0);
                    assert_int_equal(step->party, legal[i].party);
                    assert_int_equal(step->needs_reason, legal[i].reason);
                }
            if (!want) {
                assert_int_equal(rc, -1);
                assert_int_equal(e.code, ERR_FAILED_PRECONDITION);
            }
            n_legal += want;
        }
    assert_int_equal(n_legal, 5);
    const struct match_step *step;
    struct err e;
    match_step_find(MATCH_ACCEPTED, MATCH_COMPLETED, &step, &e);
    assert_string_equal(e.msg, "a match that is ACCEPTED cannot become COMPLETED (it can become "
                               "IN_DELIVERY or CANCELLED)");
    match_step_find(MATCH_COMPLETED, MATCH_CANCELLED, &step, &e);
    assert_non_null(strstr(e.msg, "it is final"));
    assert_true(match_step_target(MATCH_DELIVERED));
    assert_false(match_step_target(MATCH_ACCEPTED));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantity_is_severity_times_unit_of_kind),
        cmocka_unit_test(test_quantity_rounds_fractional_severity_up),
        cmocka_unit_test(test_unknown_kind_has_no_unit),
        cmocka_unit_test(test_priority_is_ceiling_of_severity_clamped_to_one_to_five),
        cmocka_unit_test(test_severity_converts_to_thousandths_and_caps),
        cmocka_unit_test(test_fingerprint_ignores_input_order),
        cmocka_unit_test(test_fingerprint_changes_with_any_version),
        cmocka_unit_test(test_fingerprint_tells_offers_from_requests),
        cmocka_unit_test(test_sha256_of_abc_is_the_standard_vector),
        cmocka_unit_test(test_status_names_round_trip),
        cmocka_unit_test(test_uuid_shape_accepts_only_canonical_lower_case),
        cmocka_unit_test(test_derive_files_the_rule_for_each_kind_asked),
        cmocka_unit_test(test_derive_skips_gaps_without_question_or_severity),
        cmocka_unit_test(test_derive_files_one_request_per_gap_and_kind_never_per_topic),
        cmocka_unit_test(test_match_steps_are_the_documented_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
