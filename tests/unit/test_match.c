/* test_match.c: unit tests of the matching solver (services/matching/match.c): the compatibility
 * rules, the benefit formula, exact optimality against brute force, determinism, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "match.h"

#define STRS(...) ((const char *const[]){__VA_ARGS__})
#define NSTRS(...) (sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
/* benefit in micro-units from a decimal written in thousandths */
#define MILLI(x) ((int64_t)(x) * 1000)

static const char *const en[] = {"en"};

/* An offer open to all States, in English, with no validity window, on one topic. */
static struct match_offer offer(const char *id, const char *donor, int kind, const char *topic,
                                int64_t remaining)
{
    static const char *const topics[] = {"cip", "strategy", "training", "awareness",
                                         "incident-response"};
    struct match_offer o = {0};
    o.id = id;
    o.donor_state = donor;
    o.kind = kind;
    o.topics = topics;
    o.n_topics = 1;
    for (size_t i = 0; i < sizeof topics / sizeof *topics; i++)
        if (strcmp(topics[i], topic) == 0)
            o.topics = &topics[i];
    o.remaining = remaining;
    o.languages = en;
    o.n_languages = 1;
    return o;
}

/* A request in English from a non-LDC State in Africa, with no gap recorded. */
static struct match_request request(const char *id, const char *recipient, int kind,
                                    const char *topic, int64_t remaining, int priority)
{
    struct match_request r = {0};
    r.id = id;
    r.recipient_state = recipient;
    r.region = "Africa";
    r.sub_region = "Sub-Saharan Africa";
    r.kind = kind;
    r.topic = topic;
    r.remaining = remaining;
    r.priority = priority;
    r.languages = en;
    r.n_languages = 1;
    return r;
}

static struct match_input input(struct match_offer *o, size_t n_o, struct match_request *r,
                                size_t n_r)
{
    return (struct match_input){o, n_o, r, n_r, "2025-03-01"};
}

static struct match_plan *solve_ok(const struct match_input *in)
{
    struct match_plan *p = NULL;
    struct err e = {0};
    int rc = match_solve(in, &p, &e);
    if (rc != 0)
        print_error("match_solve: %s\n", e.msg);
    assert_int_equal(rc, 0);
    assert_non_null(p);
    return p;
}

/* What a plan sends to request r, over all offers. */
static int64_t served(const struct match_plan *p, size_t r)
{
    int64_t q = 0;
    for (size_t i = 0; i < p->n_assignments; i++)
        if (p->assignments[i].request == r)
            q += p->assignments[i].quantity;
    return q;
}

static int64_t sent(const struct match_plan *p, size_t o, size_t r)
{
    for (size_t i = 0; i < p->n_assignments; i++)
        if (p->assignments[i].offer == o && p->assignments[i].request == r)
            return p->assignments[i].quantity;
    return 0;
}

static const struct match_unmet *unmet_of(const struct match_plan *p, size_t r)
{
    for (size_t i = 0; i < p->n_unmet; i++)
        if (p->unmet[i].request == r)
            return &p->unmet[i];
    return NULL;
}

/* Feasibility and bookkeeping any plan must satisfy. */
static void assert_plan_consistent(const struct match_input *in, const struct match_plan *p)
{
    int64_t total = 0;
    for (size_t i = 0; i < p->n_assignments; i++) {
        const struct match_assignment *a = &p->assignments[i];
        int64_t b;
        assert_true(a->quantity > 0);
        assert_true(match_compatible(in, a->offer, a->request, &b));
        assert_int_equal(a->unit_benefit, b);
        assert_int_equal(a->benefit, a->quantity * b);
        total += a->benefit;
        if (i > 0) {
            const struct match_assignment *prev = &p->assignments[i - 1];
            int c = strcmp(in->requests[prev->request].id, in->requests[a->request].id);
            assert_true(c < 0 || (c == 0 && strcmp(in->offers[prev->offer].id,
                                                   in->offers[a->offer].id) < 0));
        }
    }
    assert_int_equal(total, p->objective);
    for (size_t o = 0; o < in->n_offers; o++) {
        int64_t used = 0;
        for (size_t i = 0; i < p->n_assignments; i++)
            if (p->assignments[i].offer == o)
                used += p->assignments[i].quantity;
        assert_true(used <= in->offers[o].remaining);
    }
    for (size_t r = 0; r < in->n_requests; r++) {
        int64_t open = in->requests[r].remaining - served(p, r);
        const struct match_unmet *u = unmet_of(p, r);
        assert_true(open >= 0);
        if (open == 0) {
            assert_null(u);
            continue;
        }
        assert_non_null(u);
        assert_int_equal(u->quantity, open);
        bool any = false;
        for (size_t o = 0; o < in->n_offers; o++)
            any = any || match_compatible(in, o, r, NULL);
        assert_int_equal(u->reason, any ? MATCH_UNMET_CAPACITY_EXHAUSTED
                                        : MATCH_UNMET_NO_COMPATIBLE_OFFER);
    }
}

/* ---- a hand-solved instance ----------------------------------------------------------------- */

/* Three expertise offers on "cip", everything in English, one topic each (no fit penalty):
 *   A  DEU  5 expert-days  open to all
 *   B  FRA  3              open to all
 *   C  JPN  4              named States KEN and HTI only
 * Four requests, worth per unit priority x severity (x1.5 for an LDC):
 *   r1 KEN  4 wanted  priority 4, severity 2.0       8.0   (A, B, C)
 *   r2 HTI  6 wanted  priority 2, severity 2.0, LDC  6.0   (A, B, C)
 *   r3 BRA  5 wanted  priority 3, no gap             3.0   (A, B; C does not name BRA)
 *   r4 FRA  3 wanted  priority 5, severity 1.0       5.0   (A only: B is FRA's own)
 * 12 units of supply, 18 of demand. Ignoring who may serve whom, the best 12 units are r1's 4
 * at 8, r2's 6 at 6 and 2 of r4's at 5: 32 + 36 + 10 = 78. That is feasible (A gives r4 2 and
 * r1/r2 3; B and C give r1/r2 their 7), so 78.0 is the optimum; r3 gets nothing and r4 lacks 1. */
static void test_hand_solved_three_offers_four_requests(void **state)
{
    (void)state;
    struct match_offer o[3] = {
        offer("A", "DEU", MATCH_KIND_EXPERTISE, "cip", 5),
        offer("B", "FRA", MATCH_KIND_EXPERTISE, "cip", 3),
        offer("C", "JPN", MATCH_KIND_EXPERTISE, "cip", 4),
    };
    o[2].eligible_states = STRS("KEN", "HTI");
    o[2].n_eligible_states = 2;
    struct match_request r[4] = {
        request("r1", "KEN", MATCH_KIND_EXPERTISE, "cip", 4, 4),
        request("r2", "HTI", MATCH_KIND_EXPERTISE, "cip", 6, 2),
        request("r3", "BRA", MATCH_KIND_EXPERTISE, "cip", 5, 3),
        request("r4", "FRA", MATCH_KIND_EXPERTISE, "cip", 3, 5),
    };
    r[0].severity_milli = 2000;
    r[1].severity_milli = 2000;
    r[1].ldc = true;
    r[1].region = "Americas";
    r[1].sub_region = "Latin America and the Caribbean";
    r[2].region = "Americas";
    r[3].severity_milli = 1000;
    r[3].region = "Europe";
    struct match_input in = input(o, 3, r, 4);
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(p->objective, 78 * MATCH_BENEFIT_SCALE);
    assert_int_equal(served(p, 0), 4);
    assert_int_equal(served(p, 1), 6);
    assert_int_equal(served(p, 2), 0);
    assert_int_equal(served(p, 3), 2);
    assert_int_equal(sent(p, 0, 3), 2);
    assert_int_equal(p->stats.arcs, 9);
    assert_int_equal(p->stats.nodes, 7);
    assert_true(p->stats.pivots > 0);
    assert_true(p->stats.peak_bytes > 0);
    assert_int_equal(p->n_unmet, 2);
    assert_int_equal(p->unmet[0].request, 2);
    assert_int_equal(p->unmet[0].quantity, 5);
    assert_int_equal(p->unmet[0].reason, MATCH_UNMET_CAPACITY_EXHAUSTED);
    assert_int_equal(p->unmet[1].request, 3);
    assert_int_equal(p->unmet[1].quantity, 1);
    assert_plan_consistent(&in, p);
    match_plan_free(p);
}

/* ---- each compatibility rule ---------------------------------------------------------------- */

/* The pair of a fresh offer and request is compatible; after the test's change it must not be,
 * and the request is then unmet for lack of any compatible offer. */
static void assert_excluded(struct match_offer *o, struct match_request *r)
{
    struct match_input in = input(o, 1, r, 1);
    assert_false(match_compatible(&in, 0, 0, NULL));
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(p->n_assignments, 0);
    assert_int_equal(p->stats.arcs, 0);
    if (r->remaining > 0) {
        assert_int_equal(p->n_unmet, 1);
        assert_int_equal(p->unmet[0].reason, MATCH_UNMET_NO_COMPATIBLE_OFFER);
        assert_int_equal(p->unmet[0].quantity, r->remaining);
    }
    match_plan_free(p);
}

static void assert_admitted(struct match_offer *o, struct match_request *r)
{
    struct match_input in = input(o, 1, r, 1);
    assert_true(match_compatible(&in, 0, 0, NULL));
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(p->n_assignments, 1);
    assert_int_equal(p->assignments[0].quantity, r->remaining < o->remaining ? r->remaining
                                                                             : o->remaining);
    match_plan_free(p);
}

#define PAIR                                                                                    \
    struct match_offer o = offer("o", "DEU", MATCH_KIND_TRAINING, "cip", 10);                  \
    struct match_request r = request("r", "KEN", MATCH_KIND_TRAINING, "cip", 4, 3);            \
    (void)state

static void test_fresh_pair_is_compatible(void **state)
{
    PAIR;
    assert_admitted(&o, &r);
}

static void test_kind_mismatch_excludes_pair(void **state)
{
    PAIR;
    r.kind = MATCH_KIND_FUNDS;
    assert_excluded(&o, &r);
}

static void test_topic_not_offered_excludes_pair(void **state)
{
    PAIR;
    r.topic = "strategy";
    assert_excluded(&o, &r);
}

static void test_donor_cannot_serve_itself(void **state)
{
    PAIR;
    r.recipient_state = "DEU";
    assert_excluded(&o, &r);
}

static void test_state_not_named_excludes_pair(void **state)
{
    PAIR;
    o.eligible_states = STRS("GHA", "SEN");
    o.n_eligible_states = 2;
    assert_excluded(&o, &r);
    o.eligible_states = STRS("GHA", "KEN");
    assert_admitted(&o, &r);
}

static void test_region_not_listed_excludes_pair(void **state)
{
    PAIR;
    o.eligible_regions = STRS("Asia", "Oceania");
    o.n_eligible_regions = 2;
    assert_excluded(&o, &r);
    o.eligible_regions = STRS("Asia", "Africa");
    assert_admitted(&o, &r);
}

static void test_sub_region_admits_recipient(void **state)
{
    PAIR;
    o.eligible_regions = STRS("Sub-Saharan Africa");
    o.n_eligible_regions = 1;
    assert_admitted(&o, &r);
}

/* With both lists named, either admits: "these regions, plus these named States". */
static void test_named_state_or_listed_region_admits(void **state)
{
    PAIR;
    o.eligible_regions = STRS("Asia");
    o.n_eligible_regions = 1;
    o.eligible_states = STRS("KEN");
    o.n_eligible_states = 1;
    assert_admitted(&o, &r);
    o.eligible_states = STRS("GHA");
    assert_excluded(&o, &r);
    o.eligible_regions = STRS("Africa");
    assert_admitted(&o, &r);
}

static void test_languages_without_overlap_exclude_pair(void **state)
{
    PAIR;
    o.languages = STRS("fr", "es");
    o.n_languages = 2;
    assert_excluded(&o, &r);
    r.languages = STRS("ar", "es");
    r.n_languages = 2;
    assert_admitted(&o, &r);
}

static void test_unspecified_language_admits_pair(void **state)
{
    PAIR;
    o.n_languages = 0;
    assert_admitted(&o, &r);
    o.n_languages = 1;
    r.n_languages = 0;
    assert_admitted(&o, &r);
}

static void test_offer_outside_validity_window_excluded(void **state)
{
    PAIR;
    o.valid_from = "2025-03-02";
    assert_excluded(&o, &r);
    o.valid_from = "2024-01-01";
    o.valid_until = "2025-02-28";
    assert_excluded(&o, &r);
}

static void test_validity_bounds_are_inclusive(void **state)
{
    PAIR;
    o.valid_from = "2025-03-01";
    o.valid_until = "2025-03-01";
    assert_admitted(&o, &r);
    o.valid_from = "";
    o.valid_until = NULL;
    assert_admitted(&o, &r);
}

static void test_zero_capacity_excluded(void **state)
{
    PAIR;
    o.remaining = 0;
    assert_excluded(&o, &r);
}

static void test_fulfilled_request_is_neither_matched_nor_unmet(void **state)
{
    PAIR;
    r.remaining = 0;
    assert_excluded(&o, &r);
    struct match_input in = input(&o, 1, &r, 1);
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(p->n_unmet, 0);
    match_plan_free(p);
}

/* ---- benefit -------------------------------------------------------------------------------- */

/* match.h's example: 3 x 2.5 x 1.5 x (1 - 0.002) = 11.2275. */
static void test_benefit_is_exact_fixed_point(void **state)
{
    PAIR;
    o.topics = STRS("cip", "strategy");
    o.n_topics = 2;
    r.severity_milli = 2500;
    r.ldc = true;
    struct match_input in = input(&o, 1, &r, 1);
    int64_t b;
    assert_true(match_compatible(&in, 0, 0, &b));
    assert_int_equal(b, 11227500);
}

static void test_no_gap_counts_as_severity_one(void **state)
{
    PAIR;
    struct match_input in = input(&o, 1, &r, 1);
    int64_t b0, b1;
    assert_true(match_compatible(&in, 0, 0, &b0));
    r.severity_milli = 1000;
    assert_true(match_compatible(&in, 0, 0, &b1));
    assert_int_equal(b0, b1);
    assert_int_equal(b0, 3 * MATCH_BENEFIT_SCALE);
}

static void test_weak_fit_penalty_is_small_and_capped(void **state)
{
    PAIR;
    o.topics = STRS("cip", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m");
    o.n_topics = 14;
    o.n_languages = 0;
    struct match_input in = input(&o, 1, &r, 1);
    int64_t b;
    assert_true(match_compatible(&in, 0, 0, &b));
    /* 10 permille for the unknown language, 2 x 10 for the spread (13 extra topics, capped) */
    assert_int_equal(b, 3 * MATCH_BENEFIT_SCALE * 970 / 1000);
}

/* ---- choices the optimum makes -------------------------------------------------------------- */

static void test_ldc_recipient_wins_otherwise_equal_need(void **state)
{
    (void)state;
    struct match_offer o = offer("o", "DEU", MATCH_KIND_FUNDS, "cip", 1);
    struct match_request r[2] = {
        request("a-ghana", "GHA", MATCH_KIND_FUNDS, "cip", 1, 3),
        request("b-malawi", "MWI", MATCH_KIND_FUNDS, "cip", 1, 3),
    };
    r[1].ldc = true;
    struct match_input in = input(&o, 1, r, 2);
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(p->n_assignments, 1);
    assert_int_equal(p->assignments[0].request, 1);
    assert_int_equal(p->objective, MILLI(4500));
    assert_int_equal(p->unmet[0].reason, MATCH_UNMET_CAPACITY_EXHAUSTED);
    match_plan_free(p);
}

static void test_higher_priority_served_before_lower(void **state)
{
    (void)state;
    struct match_offer o = offer("o", "DEU", MATCH_KIND_EXPERTISE, "cip", 5);
    struct match_request r[2] = {
        request("low", "GHA", MATCH_KIND_EXPERTISE, "cip", 5, 2),
        request("high", "SEN", MATCH_KIND_EXPERTISE, "cip", 4, 5),
    };
    struct match_input in = input(&o, 1, r, 2);
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(served(p, 1), 4);
    assert_int_equal(served(p, 0), 1);
    assert_int_equal(p->objective, (4 * 5 + 1 * 2) * MATCH_BENEFIT_SCALE);
    match_plan_free(p);
}

static void test_capacity_splits_across_requests(void **state)
{
    (void)state;
    struct match_offer o = offer("o", "DEU", MATCH_KIND_TRAINING, "cip", 10);
    struct match_request r[3] = {
        request("r1", "GHA", MATCH_KIND_TRAINING, "cip", 4, 3),
        request("r2", "SEN", MATCH_KIND_TRAINING, "cip", 3, 3),
        request("r3", "TGO", MATCH_KIND_TRAINING, "cip", 2, 3),
    };
    struct match_input in = input(&o, 1, r, 3);
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(p->n_assignments, 3);
    assert_int_equal(p->objective, 9 * 3 * MATCH_BENEFIT_SCALE);
    assert_int_equal(p->n_unmet, 0);
    assert_plan_consistent(&in, p);
    match_plan_free(p);
}

/* A request draws on several offers when one is not enough. */
static void test_request_combines_offers(void **state)
{
    (void)state;
    struct match_offer o[2] = {
        offer("o1", "DEU", MATCH_KIND_EQUIPMENT, "cip", 3),
        offer("o2", "NOR", MATCH_KIND_EQUIPMENT, "cip", 3),
    };
    struct match_request r = request("r", "GHA", MATCH_KIND_EQUIPMENT, "cip", 5, 1);
    struct match_input in = input(o, 2, &r, 1);
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(served(p, 0), 5);
    assert_int_equal(p->n_unmet, 0);
    assert_plan_consistent(&in, p);
    match_plan_free(p);
}

static void test_targeted_offer_preferred_to_generic(void **state)
{
    (void)state;
    struct match_offer o[2] = {
        offer("a-generic", "DEU", MATCH_KIND_EXPERTISE, "cip", 1),
        offer("b-targeted", "NOR", MATCH_KIND_EXPERTISE, "cip", 1),
    };
    o[0].topics = STRS("cip", "strategy", "training", "awareness");
    o[0].n_topics = 4;
    struct match_request r = request("r", "GHA", MATCH_KIND_EXPERTISE, "cip", 1, 3);
    struct match_input in = input(o, 2, &r, 1);
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(p->n_assignments, 1);
    assert_int_equal(p->assignments[0].offer, 1);
    match_plan_free(p);
}

/* A unit is worth sending even at the lowest priority: capacity is not left idle. */
static void test_spare_capacity_serves_low_priority(void **state)
{
    (void)state;
    struct match_offer o = offer("o", "DEU", MATCH_KIND_EXPERTISE, "cip", 100);
    struct match_request r = request("r", "GHA", MATCH_KIND_EXPERTISE, "cip", 7, 1);
    struct match_input in = input(&o, 1, &r, 1);
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(served(p, 0), 7);
    match_plan_free(p);
}

static void test_unmet_reasons_tell_apart_no_offer_and_exhausted(void **state)
{
    (void)state;
    struct match_offer o = offer("o", "DEU", MATCH_KIND_EXPERTISE, "cip", 2);
    struct match_request r[3] = {
        request("r1", "GHA", MATCH_KIND_EXPERTISE, "cip", 5, 3),
        request("r2", "SEN", MATCH_KIND_FUNDS, "cip", 5, 3),
        request("r3", "TGO", MATCH_KIND_EXPERTISE, "cip", 1, 1),
    };
    struct match_input in = input(&o, 1, r, 3);
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(p->n_unmet, 3);
    assert_int_equal(p->unmet[0].request, 0);
    assert_int_equal(p->unmet[0].quantity, 3);
    assert_int_equal(p->unmet[0].reason, MATCH_UNMET_CAPACITY_EXHAUSTED);
    assert_int_equal(p->unmet[1].reason, MATCH_UNMET_NO_COMPATIBLE_OFFER);
    assert_int_equal(p->unmet[2].reason, MATCH_UNMET_CAPACITY_EXHAUSTED);
    assert_string_equal(match_unmet_reason_name(p->unmet[1].reason), "NO_COMPATIBLE_OFFER");
    match_plan_free(p);
}

static void test_empty_input_gives_empty_plan(void **state)
{
    (void)state;
    struct match_input in = {NULL, 0, NULL, 0, "2025-03-01"};
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(p->n_assignments, 0);
    assert_int_equal(p->n_unmet, 0);
    assert_int_equal(p->objective, 0);
    match_plan_free(p);
    match_plan_free(NULL);
    match_arcs_free(NULL);
}

/* ---- random instances ----------------------------------------------------------------------- */

#define MAX_O 48
#define MAX_R 48

struct rnd_instance {
    struct match_offer offers[MAX_O];
    struct match_request requests[MAX_R];
    char offer_ids[MAX_O][24];
    char request_ids[MAX_R][24];
    const char *offer_topics[MAX_O][2];
    const char *offer_states[MAX_O][2];
    const char *offer_regions[MAX_O][1];
    const char *offer_langs[MAX_O][2];
    const char *request_langs[MAX_R][1];
    struct match_input in;
};

static uint64_t rnd_state;

static uint32_t rnd(uint32_t n)
{
    /* xorshift64*: reproducible across platforms, unlike rand() */
    rnd_state ^= rnd_state >> 12;
    rnd_state ^= rnd_state << 25;
    rnd_state ^= rnd_state >> 27;
    return (uint32_t)((rnd_state * UINT64_C(2685821657736338717)) >> 33) % n;
}

/* A small world: 5 States in 2 regions, 2 kinds, 3 topics, 2 languages, dates around as_of.
 * Few distinct values make ties and every rule's both outcomes common. */
static void rnd_fill(struct rnd_instance *x, size_t n_o, size_t n_r, int64_t max_qty)
{
    static const char *const states[] = {"AAA", "BBB", "CCC", "DDD", "EEE"};
    static const char *const regions[] = {"North", "North", "South", "South", "South"};
    static const char *const topics[] = {"t1", "t2", "t3"};
    static const char *const langs[] = {"en", "fr"};
    static const char *const froms[] = {NULL, "2025-01-01", "2025-03-01", "2025-03-02"};
    static const char *const untils[] = {NULL, "2025-12-31", "2025-03-01", "2025-02-28"};
    memset(x, 0, sizeof *x);
    for (size_t i = 0; i < n_o; i++) {
        struct match_offer *o = &x->offers[i];
        snprintf(x->offer_ids[i], sizeof x->offer_ids[i], "o%02zu", i);
        o->id = x->offer_ids[i];
        o->donor_state = states[rnd(5)];
        o->kind = 1 + (int)rnd(2);
        size_t t0 = rnd(3);
        x->offer_topics[i][0] = topics[t0];
        x->offer_topics[i][1] = topics[(t0 + 1 + rnd(2)) % 3];
        o->topics = x->offer_topics[i];
        o->n_topics = 1 + rnd(2);
        o->remaining = rnd((uint32_t)max_qty + 1);
        switch (rnd(4)) {
        case 0:
            x->offer_states[i][0] = states[rnd(5)];
            x->offer_states[i][1] = states[rnd(5)];
            o->eligible_states = x->offer_states[i];
            o->n_eligible_states = x->offer_states[i][0] == x->offer_states[i][1] ? 1 : 2;
            break;
        case 1:
            x->offer_regions[i][0] = rnd(2) ? "North" : "South";
            o->eligible_regions = x->offer_regions[i];
            o->n_eligible_regions = 1;
            break;
        default:
            break;
        }
        x->offer_langs[i][0] = langs[rnd(2)];
        x->offer_langs[i][1] = langs[1] == x->offer_langs[i][0] ? langs[0] : langs[1];
        o->languages = x->offer_langs[i];
        o->n_languages = rnd(3);
        o->valid_from = rnd(3) ? froms[rnd(4)] : NULL;
        o->valid_until = rnd(3) ? untils[rnd(4)] : NULL;
        if (o->valid_from != NULL && o->valid_until != NULL
            && strcmp(o->valid_until, o->valid_from) < 0)
            o->valid_until = NULL;
    }
    for (size_t i = 0; i < n_r; i++) {
        struct match_request *r = &x->requests[i];
        snprintf(x->request_ids[i], sizeof x->request_ids[i], "r%02zu", i);
        r->id = x->request_ids[i];
        size_t s = rnd(5);
        r->recipient_state = states[s];
        r->region = regions[s];
        r->ldc = s >= 3;
        r->kind = 1 + (int)rnd(2);
        r->topic = topics[rnd(3)];
        r->remaining = rnd((uint32_t)max_qty + 1);
        r->priority = 1 + (int)rnd(5);
        r->severity_milli = 500 * rnd(5);
        x->request_langs[i][0] = langs[rnd(2)];
        r->languages = x->request_langs[i];
        r->n_languages = rnd(3) ? 1 : 0;
    }
    x->in = (struct match_input){x->offers, n_o, x->requests, n_r, "2025-03-01"};
}

struct brute {
    const struct match_input *in;
    size_t n;
    size_t offer[MAX_O * MAX_R];
    size_t request[MAX_O * MAX_R];
    int64_t benefit[MAX_O * MAX_R];
    int64_t cap[MAX_O];
    int64_t need[MAX_R];
};

/* The best total over arcs k.. given what is left: every integer flow is tried. */
static int64_t brute_best(struct brute *b, size_t k)
{
    if (k == b->n)
        return 0;
    size_t o = b->offer[k], r = b->request[k];
    int64_t top = b->cap[o] < b->need[r] ? b->cap[o] : b->need[r];
    int64_t best = 0;
    for (int64_t x = 0; x <= top; x++) {
        b->cap[o] -= x;
        b->need[r] -= x;
        int64_t v = x * b->benefit[k] + brute_best(b, k + 1);
        b->cap[o] += x;
        b->need[r] += x;
        if (v > best)
            best = v;
    }
    return best;
}

static void test_random_small_instances_match_brute_force(void **state)
{
    (void)state;
    static struct rnd_instance x;
    static struct brute b;
    rnd_state = 0x5eed1234abcdULL;
    for (int round = 0; round < 400; round++) {
        rnd_fill(&x, 1 + rnd(4), 1 + rnd(4), 3);
        b.in = &x.in;
        b.n = 0;
        for (size_t o = 0; o < x.in.n_offers; o++) {
            b.cap[o] = x.offers[o].remaining;
            for (size_t r = 0; r < x.in.n_requests; r++)
                if (match_compatible(&x.in, o, r, &b.benefit[b.n])) {
                    b.offer[b.n] = o;
                    b.request[b.n++] = r;
                }
        }
        for (size_t r = 0; r < x.in.n_requests; r++)
            b.need[r] = x.requests[r].remaining;
        struct match_plan *p = solve_ok(&x.in);
        assert_int_equal(p->objective, brute_best(&b, 0));
        assert_int_equal(p->stats.arcs, b.n);
        assert_plan_consistent(&x.in, p);
        match_plan_free(p);
    }
}

/* The index by (kind, topic) finds exactly the pairs the rules admit, in (request, offer) id
 * order. */
static void test_arc_index_finds_every_compatible_pair(void **state)
{
    (void)state;
    static struct rnd_instance x;
    rnd_state = 0xa5c0ffeeULL;
    for (int round = 0; round < 100; round++) {
        rnd_fill(&x, 1 + rnd(MAX_O), 1 + rnd(MAX_R), 5);
        struct match_arcs *arcs = NULL;
        struct err e = {0};
        assert_int_equal(match_arcs_new(&x.in, &arcs, &e), 0);
        size_t n = 0;
        for (size_t r = 0; r < x.in.n_requests; r++)
            for (size_t o = 0; o < x.in.n_offers; o++) {
                int64_t bnf;
                if (!match_compatible(&x.in, o, r, &bnf))
                    continue;
                /* ids are numbered in index order, so id order is index order here */
                assert_true(n < arcs->n);
                assert_int_equal(arcs->v[n].offer, o);
                assert_int_equal(arcs->v[n].request, r);
                assert_int_equal(arcs->v[n].unit_benefit, bnf);
                n++;
            }
        assert_int_equal(n, arcs->n);
        match_arcs_free(arcs);
    }
}

/* Medium instances checked for the optimality conditions a brute force cannot reach: no
 * augmenting path or cycle of positive benefit exists in the residual network. Checked by
 * Bellman-Ford for a positive cycle through a super node standing for "unused supply". */
static void assert_no_improvement(const struct match_input *in, const struct match_plan *p)
{
    size_t n_o = in->n_offers, n_r = in->n_requests;
    size_t n = n_o + n_r + 1, src = n - 1; /* src: spare capacity and spare need */
    static int64_t dist[MAX_O + MAX_R + 1];
    static int64_t flow[MAX_O][MAX_R];
    int64_t used[MAX_O] = {0}, got[MAX_R] = {0};
    memset(flow, 0, sizeof flow);
    for (size_t i = 0; i < p->n_assignments; i++) {
        const struct match_assignment *a = &p->assignments[i];
        flow[a->offer][a->request] = a->quantity;
        used[a->offer] += a->quantity;
        got[a->request] += a->quantity;
    }
    /* longest-path relaxation; an improvement shows as a relaxation still possible after n
     * rounds (a positive cycle) */
    for (size_t v = 0; v < n; v++)
        dist[v] = 0;
    bool changed = true;
    for (size_t round = 0; round <= n && changed; round++) {
        changed = false;
        for (size_t o = 0; o < n_o; o++) {
            /* src -> o: use spare capacity; o -> src: leave capacity unused */
            if (used[o] < in->offers[o].remaining && dist[src] > dist[o]) {
                dist[o] = dist[src];
                changed = true;
            }
            if (dist[o] > dist[src]) {
                dist[src] = dist[o];
                changed = true;
            }
            for (size_t r = 0; r < n_r; r++) {
                int64_t bnf;
                if (!match_compatible(in, o, r, &bnf))
                    continue;
                if (dist[o] + bnf > dist[n_o + r]) {
                    dist[n_o + r] = dist[o] + bnf;
                    changed = true;
                }
                if (flow[o][r] > 0 && dist[n_o + r] - bnf > dist[o]) {
                    dist[o] = dist[n_o + r] - bnf;
                    changed = true;
                }
            }
        }
        /* r -> src: serve spare need; src -> r: serve r less */
        for (size_t r = 0; r < n_r; r++) {
            if (got[r] < in->requests[r].remaining && dist[n_o + r] > dist[src]) {
                dist[src] = dist[n_o + r];
                changed = true;
            }
            if (got[r] > 0 && dist[src] > dist[n_o + r]) {
                dist[n_o + r] = dist[src];
                changed = true;
            }
        }
        assert_true(round < n || !changed);
    }
    assert_false(changed);
}

static void test_random_medium_instances_are_optimal(void **state)
{
    (void)state;
    static struct rnd_instance x;
    rnd_state = 0x0b7e55edULL;
    for (int round = 0; round < 200; round++) {
        rnd_fill(&x, 1 + rnd(MAX_O), 1 + rnd(MAX_R), 20);
        struct match_plan *p = solve_ok(&x.in);
        assert_plan_consistent(&x.in, p);
        assert_no_improvement(&x.in, p);
        match_plan_free(p);
    }
}

/* Fisher-Yates */
static void shuffle(void *base, size_t n, size_t size, size_t *perm)
{
    char tmp[sizeof(struct match_offer) > sizeof(struct match_request)
                 ? sizeof(struct match_offer)
                 : sizeof(struct match_request)];
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = rnd((uint32_t)i);
        char *a = (char *)base + (i - 1) * size, *b = (char *)base + j * size;
        memcpy(tmp, a, size);
        memcpy(a, b, size);
        memcpy(b, tmp, size);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

static void test_shuffled_input_gives_same_plan(void **state)
{
    (void)state;
    static struct rnd_instance x;
    static struct match_offer so[MAX_O];
    static struct match_request sr[MAX_R];
    size_t po[MAX_O], pr[MAX_R];
    rnd_state = 0xd00dfeedULL;
    for (int round = 0; round < 100; round++) {
        rnd_fill(&x, 1 + rnd(MAX_O), 1 + rnd(MAX_R), 6);
        struct match_plan *p = solve_ok(&x.in);
        memcpy(so, x.offers, sizeof so);
        memcpy(sr, x.requests, sizeof sr);
        shuffle(so, x.in.n_offers, sizeof *so, po);
        shuffle(sr, x.in.n_requests, sizeof *sr, pr);
        struct match_input in2 = {so, x.in.n_offers, sr, x.in.n_requests, x.in.as_of};
        struct match_plan *q = solve_ok(&in2);
        assert_int_equal(p->objective, q->objective);
        assert_int_equal(p->n_assignments, q->n_assignments);
        for (size_t i = 0; i < p->n_assignments; i++) {
            /* the same pairs, by original index, in the same (id-sorted) order */
            assert_int_equal(p->assignments[i].offer, po[q->assignments[i].offer]);
            assert_int_equal(p->assignments[i].request, pr[q->assignments[i].request]);
            assert_int_equal(p->assignments[i].quantity, q->assignments[i].quantity);
        }
        assert_int_equal(p->n_unmet, q->n_unmet);
        for (size_t i = 0; i < p->n_unmet; i++) {
            assert_int_equal(p->unmet[i].request, pr[q->unmet[i].request]);
            assert_int_equal(p->unmet[i].quantity, q->unmet[i].quantity);
            assert_int_equal(p->unmet[i].reason, q->unmet[i].reason);
        }
        match_plan_free(p);
        match_plan_free(q);
    }
}

/* ---- bad input ------------------------------------------------------------------------------ */

/* match_solve fails with code and a message containing needle; match_validate agrees unless the
 * fault only shows once the arcs are known (by_validate false). */
static void assert_refused(const struct match_input *in, int code, const char *needle,
                           bool by_validate)
{
    struct match_plan *p = (struct match_plan *)1;
    struct err e = {0};
    assert_int_equal(match_solve(in, &p, &e), -1);
    assert_null(p);
    assert_int_equal(e.code, code);
    if (strstr(e.msg, needle) == NULL)
        fail_msg("error \"%s\" does not name \"%s\"", e.msg, needle);
    e.code = 0;
    assert_int_equal(match_validate(in, &e), by_validate ? -1 : 0);
}

static void assert_rejected(const struct match_input *in, int code, const char *needle)
{
    assert_refused(in, code, needle, true);
}

static void test_capacity_above_limit_rejected(void **state)
{
    PAIR;
    struct match_input in = input(&o, 1, &r, 1);
    o.remaining = MATCH_QUANTITY_MAX + 1;
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "remaining 1000000001");
    o.remaining = -1;
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "remaining -1");
    o.remaining = MATCH_QUANTITY_MAX;
    r.remaining = MATCH_QUANTITY_MAX + 1;
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "request \"r\": remaining");
}

static void test_field_errors_name_the_field(void **state)
{
    PAIR;
    struct match_input in = input(&o, 1, &r, 1);
    o.kind = 7;
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "kind 7");
    o.kind = MATCH_KIND_TRAINING;
    r.priority = 0;
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "priority 0");
    r.priority = 6;
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "priority 6");
    r.priority = 3;
    r.severity_milli = MATCH_SEVERITY_MILLI_MAX + 1;
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "severity_milli");
    r.severity_milli = 0;
    r.topic = "";
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "topic is empty");
    r.topic = "cip";
    o.id = NULL;
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "offer #0: id");
    o.id = "o";
    o.donor_state = "";
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "donor_state");
    o.donor_state = "DEU";
    o.topics = STRS("cip", "cip");
    o.n_topics = 2;
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "topic \"cip\" is listed twice");
    o.n_topics = 1;
    o.languages = STRS("en", NULL);
    o.n_languages = 2;
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "languages[1]");
    o.n_languages = 1;
    o.eligible_states = NULL;
    o.n_eligible_states = 1;
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "eligible_states is NULL");
}

static void test_bad_dates_rejected(void **state)
{
    PAIR;
    struct match_input in = input(&o, 1, &r, 1);
    in.as_of = "2025-02-30";
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "as_of");
    in.as_of = NULL;
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "as_of");
    in.as_of = "2025-03-01";
    o.valid_from = "2025-3-01";
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "valid_from");
    o.valid_from = "2025-06-01";
    o.valid_until = "2025-05-31";
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "valid_until 2025-05-31 is before valid_from");
}

static void test_duplicate_ids_rejected(void **state)
{
    (void)state;
    struct match_offer o[2] = {
        offer("same", "DEU", MATCH_KIND_TRAINING, "cip", 1),
        offer("same", "NOR", MATCH_KIND_TRAINING, "cip", 1),
    };
    struct match_request r[2] = {
        request("x", "GHA", MATCH_KIND_TRAINING, "cip", 1, 1),
        request("x", "SEN", MATCH_KIND_TRAINING, "cip", 1, 1),
    };
    struct match_input in = input(o, 2, r, 1);
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "offer \"same\": id is used twice");
    o[1].id = "other";
    in.n_requests = 2;
    assert_rejected(&in, ERR_INVALID_ARGUMENT, "request \"x\": id is used twice");
}

/* A plan whose total could pass 2^63 - 1 micro-units is refused rather than wrapped. */
static void test_overflowing_total_benefit_rejected(void **state)
{
    (void)state;
    enum { N = 16 };
    struct match_offer o[N];
    struct match_request r[N];
    char ids[2][N][8];
    for (int i = 0; i < N; i++) {
        snprintf(ids[0][i], sizeof ids[0][i], "o%d", i);
        snprintf(ids[1][i], sizeof ids[1][i], "r%d", i);
        o[i] = offer(ids[0][i], "DEU", MATCH_KIND_FUNDS, "cip", MATCH_QUANTITY_MAX);
        r[i] = request(ids[1][i], "HTI", MATCH_KIND_FUNDS, "cip", MATCH_QUANTITY_MAX, 5);
        r[i].severity_milli = MATCH_SEVERITY_MILLI_MAX;
        r[i].ldc = true;
    }
    struct match_input in = input(o, N, r, N);
    assert_refused(&in, ERR_INVALID_ARGUMENT, "overflow", false);
    /* the same quantities at a benefit that fits solve exactly */
    for (int i = 0; i < N; i++)
        r[i].severity_milli = 0;
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(p->objective, N * MATCH_QUANTITY_MAX * 15 * (MATCH_BENEFIT_SCALE / 2));
    match_plan_free(p);
}

/* Rule 4 by group: an offer open to the least developed countries serves a recipient that is
 * one on the plan date (its groups, as the service computes them from the catalog), not one that
 * graduated or never was; the explanation says so. */
static void test_group_eligibility_follows_the_recipients_groups_on_the_date(void **state)
{
    (void)state;
    struct match_offer o = offer("o", "DEU", MATCH_KIND_EXPERTISE, "cip", 30);
    o.eligible_groups = STRS("LDC");
    o.n_eligible_groups = 1;
    struct match_request r[3] = {request("r1", "NPL", MATCH_KIND_EXPERTISE, "cip", 10, 3),
                                 request("r2", "BGD", MATCH_KIND_EXPERTISE, "cip", 10, 3),
                                 request("r3", "MDV", MATCH_KIND_EXPERTISE, "cip", 10, 3)};
    r[0].groups = STRS("LDC", "LLDC");
    r[0].n_groups = 2;
    r[0].ldc = true;
    r[2].groups = STRS("SIDS");
    r[2].n_groups = 1;
    struct match_input in = input(&o, 1, r, 3);
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(served(p, 0), 10);
    assert_int_equal(served(p, 1), 0); /* no group on the date */
    assert_int_equal(served(p, 2), 0); /* SIDS only */
    char buf[512];
    match_explain(&in, &p->assignments[0], buf, sizeof buf);
    assert_non_null(strstr(buf, "NPL is eligible as a member of LDC on 2025-03-01"));
    match_plan_free(p);

    /* a named State or a region still admits: the lists are alternatives */
    o.eligible_states = STRS("BGD");
    o.n_eligible_states = 1;
    p = solve_ok(&in);
    assert_int_equal(served(p, 0), 10);
    assert_int_equal(served(p, 1), 10);
    assert_int_equal(served(p, 2), 0);
    match_plan_free(p);
}

/* An M49 intermediate region ("Western Africa") is a region entry like the others. */
static void test_intermediate_region_admits_its_states(void **state)
{
    (void)state;
    struct match_offer o = offer("o", "FRA", MATCH_KIND_TRAINING, "cip", 20);
    o.eligible_regions = STRS("Western Africa");
    o.n_eligible_regions = 1;
    struct match_request r[2] = {request("r1", "BEN", MATCH_KIND_TRAINING, "cip", 5, 2),
                                 request("r2", "KEN", MATCH_KIND_TRAINING, "cip", 5, 2)};
    r[0].intermediate_region = "Western Africa";
    r[1].intermediate_region = "Eastern Africa";
    struct match_input in = input(&o, 1, r, 2);
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(served(p, 0), 5);
    assert_int_equal(served(p, 1), 0);
    char buf[512];
    match_explain(&in, &p->assignments[0], buf, sizeof buf);
    assert_non_null(strstr(buf, "BEN is eligible by region Western Africa"));
    match_plan_free(p);
}

/* ---- explanation and helpers ---------------------------------------------------------------- */

static void test_explanation_names_gap_topic_donor_and_reasons(void **state)
{
    (void)state;
    struct match_offer o = offer("o", "DEU", MATCH_KIND_EXPERTISE, "incident-response", 40);
    o.eligible_regions = STRS("Africa");
    o.n_eligible_regions = 1;
    o.languages = STRS("en", "fr");
    o.n_languages = 2;
    struct match_request r = request("r", "KEN", MATCH_KIND_EXPERTISE, "incident-response", 40,
                                     4);
    r.source_question_id = "q11";
    r.severity_milli = 2000;
    r.ldc = true;
    struct match_input in = input(&o, 1, &r, 1);
    struct match_plan *p = solve_ok(&in);
    char buf[512];
    int n = match_explain(&in, &p->assignments[0], buf, sizeof buf);
    assert_string_equal(buf, "KEN's gap on q11 (severity 2.0) in incident-response is served by "
                             "DEU: 40 expert-days of expertise in shared language en; KEN is "
                             "eligible by region Africa; least developed country on "
                             "2025-03-01: priority \u00d71.5 applied.");
    assert_int_equal(n, (int)strlen(buf));
    match_plan_free(p);
}

static void test_explanation_without_gap_or_languages(void **state)
{
    (void)state;
    struct match_offer o = offer("o", "JPN", MATCH_KIND_TRAINING, "cip", 1);
    o.eligible_states = STRS("GHA", "TGO");
    o.n_eligible_states = 2;
    o.languages = STRS("fr", "en", "es");
    o.n_languages = 3;
    struct match_request r = request("r", "TGO", MATCH_KIND_TRAINING, "cip", 1, 2);
    r.languages = STRS("es", "fr", "en");
    r.n_languages = 3;
    struct match_assignment a = {0, 0, 1, 0, 0};
    struct match_input in = input(&o, 1, &r, 1);
    char buf[512];
    match_explain(&in, &a, buf, sizeof buf);
    assert_string_equal(buf, "TGO's request (severity not assessed, counted as 1.0) in cip is "
                             "served by JPN: 1 seat of training in shared languages es, fr and "
                             "en; TGO is named as eligible.");
    o.n_eligible_states = 0;
    o.n_languages = 0;
    r.severity_milli = 2125;
    a.quantity = 250;
    o.kind = r.kind = MATCH_KIND_FUNDS;
    match_explain(&in, &a, buf, sizeof buf);
    assert_string_equal(buf, "TGO's request (severity 2.125) in cip is served by JPN: 250 "
                             "thousand USD of funding with no language constraint; the offer is "
                             "open to all States.");
}

static void test_explanation_truncates_like_snprintf(void **state)
{
    PAIR;
    struct match_input in = input(&o, 1, &r, 1);
    struct match_assignment a = {0, 0, 4, 0, 0};
    char full[512], small[16];
    int n = match_explain(&in, &a, full, sizeof full);
    assert_int_equal(match_explain(&in, &a, small, sizeof small), n);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, full, sizeof small - 1);
    assert_int_equal(match_explain(&in, &a, NULL, 0), n);
}

/* The grounds are the explanation's facts, one for one: a gap with its severity, shared
 * languages in the request's order, how the recipient is eligible, the LDC priority. */
static void test_grounds_give_the_explanations_facts(void **state)
{
    (void)state;
    struct match_offer o = offer("o", "DEU", MATCH_KIND_EXPERTISE, "incident-response", 40);
    o.eligible_regions = STRS("Asia", "Africa");
    o.n_eligible_regions = 2;
    o.languages = STRS("en", "fr", "ar");
    o.n_languages = 3;
    struct match_request r = request("r", "KEN", MATCH_KIND_EXPERTISE, "incident-response", 40,
                                     4);
    r.source_question_id = "q11";
    r.severity_milli = 2125;
    r.ldc = true;
    r.languages = STRS("ar", "sw", "en");
    r.n_languages = 3;
    struct match_input in = input(&o, 1, &r, 1);
    struct match_assignment a = {0, 0, 40, 0, 0};
    const char *langs[3] = {0};
    struct match_grounds g;
    match_grounds(&in, &a, langs, &g);
    assert_string_equal(g.question_id, "q11");
    assert_int_equal(g.severity_milli, 2125);
    assert_ptr_equal(g.languages, langs);
    assert_int_equal(g.n_languages, 2);
    assert_string_equal(g.languages[0], "ar");
    assert_string_equal(g.languages[1], "en");
    assert_int_equal(g.eligibility, MATCH_ELIGIBLE_REGION);
    assert_string_equal(g.eligible_by, "Africa");
    assert_true(g.ldc);
    char buf[512];
    match_explain(&in, &a, buf, sizeof buf);
    assert_non_null(strstr(buf, "severity 2.125"));
    assert_non_null(strstr(buf, "in shared languages ar and en;"));

    /* no gap, no language on one side, named: NULL question, no languages, no region */
    r.source_question_id = "";
    r.severity_milli = 0;
    r.ldc = false;
    o.n_languages = 0;
    o.eligible_states = STRS("KEN");
    o.n_eligible_states = 1;
    match_grounds(&in, &a, langs, &g);
    assert_null(g.question_id);
    assert_int_equal(g.severity_milli, 0);
    assert_int_equal(g.n_languages, 0);
    assert_int_equal(g.eligibility, MATCH_ELIGIBLE_NAMED);
    assert_null(g.eligible_by);
    assert_false(g.ldc);

    /* by group on the plan date, and open to all; a request naming no language needs no room */
    o.n_eligible_states = 0;
    o.n_eligible_regions = 0;
    o.eligible_groups = STRS("SIDS", "LDC");
    o.n_eligible_groups = 2;
    r.groups = STRS("LDC");
    r.n_groups = 1;
    r.n_languages = 0;
    match_grounds(&in, &a, NULL, &g);
    assert_int_equal(g.eligibility, MATCH_ELIGIBLE_GROUP);
    assert_string_equal(g.eligible_by, "LDC");
    assert_int_equal(g.n_languages, 0);
    o.n_eligible_groups = 0;
    match_grounds(&in, &a, NULL, &g);
    assert_int_equal(g.eligibility, MATCH_ELIGIBLE_ALL);
    assert_null(g.eligible_by);
    match_explain(&in, &a, buf, sizeof buf);
    assert_non_null(strstr(buf, "the offer is open to all States"));
}

static void test_eligibility_and_reason_names_round_trip(void **state)
{
    (void)state;
    static const char *const names[] = {"ALL", "NAMED", "REGION", "GROUP"};
    for (int k = MATCH_ELIGIBLE_ALL; k <= MATCH_ELIGIBLE_GROUP; k++) {
        assert_string_equal(match_eligibility_name(k), names[k - 1]);
        assert_int_equal(match_eligibility_from_name(names[k - 1]), k);
    }
    assert_null(match_eligibility_name(0));
    assert_null(match_eligibility_name(5));
    assert_int_equal(match_eligibility_from_name("all"), 0);
    assert_int_equal(match_eligibility_from_name(NULL), 0);
    assert_int_equal(match_unmet_reason_from_name("NO_COMPATIBLE_OFFER"),
                     MATCH_UNMET_NO_COMPATIBLE_OFFER);
    assert_int_equal(match_unmet_reason_from_name("CAPACITY_EXHAUSTED"),
                     MATCH_UNMET_CAPACITY_EXHAUSTED);
    assert_int_equal(match_unmet_reason_from_name("UNMET"), 0);
    assert_int_equal(match_unmet_reason_from_name(NULL), 0);
}

static void test_kind_names_round_trip(void **state)
{
    (void)state;
    static const char *const names[] = {"EXPERTISE", "FUNDS", "EQUIPMENT", "TRAINING"};
    static const char *const units[] = {"expert-days", "thousand USD", "units", "seats"};
    for (int k = 1; k <= 4; k++) {
        assert_int_equal(match_kind_from_name(names[k - 1]), k);
        assert_string_equal(match_kind_name(k), names[k - 1]);
        assert_string_equal(match_kind_unit(k), units[k - 1]);
    }
    assert_int_equal(match_kind_from_name("expertise"), 0);
    assert_int_equal(match_kind_from_name(NULL), 0);
    assert_null(match_kind_name(0));
    assert_null(match_kind_unit(5));
    assert_null(match_unmet_reason_name(0));
}

/* A request derived from a gap carries every topic of the gap's question: an offer on any one of
 * them serves it, and an offer on two of them is still one candidate. */
static void test_a_request_on_several_topics_meets_an_offer_on_any(void **state)
{
    (void)state;
    static const char *const cip_ir[] = {"cip", "incident-response"};
    struct match_offer o[] = {offer("o1", "FRA", MATCH_KIND_TRAINING, "incident-response", 4),
                              offer("o2", "JPN", MATCH_KIND_TRAINING, "cip", 4),
                              offer("o3", "DEU", MATCH_KIND_TRAINING, "awareness", 4)};
    o[1].topics = cip_ir; /* JPN covers both of the request's topics */
    o[1].n_topics = 2;
    struct match_request r[] = {request("r1", "KEN", MATCH_KIND_TRAINING, "cip", 10, 1)};
    r[0].topics = cip_ir;
    r[0].n_topics = 2;
    struct match_input in = input(o, 3, r, 1);
    struct match_arcs *arcs = NULL;
    struct err e;
    assert_int_equal(match_arcs_new(&in, &arcs, &e), 0);
    assert_int_equal(arcs->n, 2);
    assert_int_equal(arcs->v[0].offer, 0); /* by offer id: o1, then o2 once */
    assert_int_equal(arcs->v[1].offer, 1);
    match_arcs_free(arcs);
    assert_true(match_compatible(&in, 0, 0, NULL));
    assert_false(match_compatible(&in, 2, 0, NULL));
    struct match_plan *p = solve_ok(&in);
    assert_int_equal(p->n_assignments, 2);
    assert_int_equal(p->assignments[0].quantity + p->assignments[1].quantity, 8);
    char buf[512];
    match_explain(&in, &p->assignments[0], buf, sizeof buf);
    assert_non_null(strstr(buf, "in incident-response is served by FRA"));
    match_plan_free(p);

    r[0].remaining = 20; /* more than both offers: the rest is unmet, in both topics' words */
    p = solve_ok(&in);
    assert_int_equal(p->n_unmet, 1);
    assert_int_equal(p->unmet[0].quantity, 12);
    match_plan_free(p);
    struct match_input none = input(o + 2, 1, r, 1);
    p = solve_ok(&none);
    match_explain_unmet(&none, &p->unmet[0], buf, sizeof buf);
    assert_non_null(strstr(buf, "NO_COMPATIBLE_OFFER: no open offer of TRAINING on cip or "
                                "incident-response can serve KEN"));
    match_plan_free(p);
}

static void test_a_request_listing_a_topic_twice_is_invalid(void **state)
{
    (void)state;
    static const char *const twice[] = {"cip", "cip"};
    struct match_request r[] = {request("r1", "KEN", MATCH_KIND_TRAINING, "cip", 10, 1)};
    r[0].topics = twice;
    r[0].n_topics = 2;
    struct match_input in = input(NULL, 0, r, 1);
    struct err e;
    assert_int_equal(match_validate(&in, &e), -1);
    assert_non_null(strstr(e.msg, "listed twice"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_solved_three_offers_four_requests),
        cmocka_unit_test(test_fresh_pair_is_compatible),
        cmocka_unit_test(test_kind_mismatch_excludes_pair),
        cmocka_unit_test(test_topic_not_offered_excludes_pair),
        cmocka_unit_test(test_donor_cannot_serve_itself),
        cmocka_unit_test(test_state_not_named_excludes_pair),
        cmocka_unit_test(test_region_not_listed_excludes_pair),
        cmocka_unit_test(test_sub_region_admits_recipient),
        cmocka_unit_test(test_named_state_or_listed_region_admits),
        cmocka_unit_test(test_languages_without_overlap_exclude_pair),
        cmocka_unit_test(test_unspecified_language_admits_pair),
        cmocka_unit_test(test_offer_outside_validity_window_excluded),
        cmocka_unit_test(test_validity_bounds_are_inclusive),
        cmocka_unit_test(test_zero_capacity_excluded),
        cmocka_unit_test(test_fulfilled_request_is_neither_matched_nor_unmet),
        cmocka_unit_test(test_benefit_is_exact_fixed_point),
        cmocka_unit_test(test_no_gap_counts_as_severity_one),
        cmocka_unit_test(test_weak_fit_penalty_is_small_and_capped),
        cmocka_unit_test(test_ldc_recipient_wins_otherwise_equal_need),
        cmocka_unit_test(test_higher_priority_served_before_lower),
        cmocka_unit_test(test_capacity_splits_across_requests),
        cmocka_unit_test(test_request_combines_offers),
        cmocka_unit_test(test_targeted_offer_preferred_to_generic),
        cmocka_unit_test(test_spare_capacity_serves_low_priority),
        cmocka_unit_test(test_unmet_reasons_tell_apart_no_offer_and_exhausted),
        cmocka_unit_test(test_empty_input_gives_empty_plan),
        cmocka_unit_test(test_random_small_instances_match_brute_force),
        cmocka_unit_test(test_arc_index_finds_every_compatible_pair),
        cmocka_unit_test(test_random_medium_instances_are_optimal),
        cmocka_unit_test(test_shuffled_input_gives_same_plan),
        cmocka_unit_test(test_capacity_above_limit_rejected),
        cmocka_unit_test(test_field_errors_name_the_field),
        cmocka_unit_test(test_bad_dates_rejected),
        cmocka_unit_test(test_duplicate_ids_rejected),
        cmocka_unit_test(test_overflowing_total_benefit_rejected),
        cmocka_unit_test(test_group_eligibility_follows_the_recipients_groups_on_the_date),
        cmocka_unit_test(test_intermediate_region_admits_its_states),
        cmocka_unit_test(test_explanation_names_gap_topic_donor_and_reasons),
        cmocka_unit_test(test_explanation_without_gap_or_languages),
        cmocka_unit_test(test_explanation_truncates_like_snprintf),
        cmocka_unit_test(test_grounds_give_the_explanations_facts),
        cmocka_unit_test(test_eligibility_and_reason_names_round_trip),
        cmocka_unit_test(test_kind_names_round_trip),
        cmocka_unit_test(test_a_request_on_several_topics_meets_an_offer_on_any),
        cmocka_unit_test(test_a_request_listing_a_topic_twice_is_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
