/* test_country_groups.c: the UN country groups (LDC, SIDS, LLDC) as memberships with dates,
 * through the real unic-catalog over gRPC: the shipped memberships and M49 intermediate regions,
 * the lookup on a date, an operator's postponement of a graduation (idempotent, audited, kept in
 * history, kept across a restart) and the errors that name the field and its valid values; and
 * through unic-matching, the LDC factor and eligibility by group on the plan's date. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "rpc_clients.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "unic/matching/v1/matching.pb-c.h"

typedef Unic__Catalog__V1__GroupMembershipAnswer Answer;
typedef Unic__Catalog__V1__GroupChange GroupChange;

static struct harness H;
static char state_key[64], bgd_key[64], deu_key[64], fra_key[64];

static void msg_free(void *m)
{
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
}

/* GetGroupMembership; the status, and the answer in *out on OK. */
static int membership(const char *state, const char *group, const char *as_of, Answer **out,
                      char *msg, size_t size)
{
    Unic__Catalog__V1__GetGroupMembershipRequest req = UNIC__CATALOG__V1__GET_GROUP_MEMBERSHIP_REQUEST__INIT;
    req.state_code = (char *)state;
    req.group = (char *)group;
    req.as_of = (char *)as_of;
    return catalog_get_group_membership(&H, state_key, &req, out, msg, size);
}

static bool member(const char *state, const char *group, const char *as_of)
{
    Answer *a = NULL;
    char msg[512];
    int rc = membership(state, group, as_of, &a, msg, sizeof msg);
    if (rc != 0)
        fail_msg("GetGroupMembership %s %s %s: %d %s", state, group, as_of, rc, msg);
    bool m = a->member;
    if (m != (a->membership != NULL))
        fail_msg("member and membership disagree");
    msg_free(a);
    return m;
}

static int record(const char *key, const char *request_id, const char *state, const char *group,
                  Unic__Catalog__V1__GroupChangeKind kind, const char *effective, const char *ref,
                  GroupChange **out, char *msg, size_t size)
{
    Unic__Catalog__V1__RecordGroupChangeRequest req = UNIC__CATALOG__V1__RECORD_GROUP_CHANGE_REQUEST__INIT;
    req.request_id = (char *)request_id;
    req.state_code = (char *)state;
    req.group = (char *)group;
    req.kind = kind;
    req.effective_date = (char *)effective;
    req.legal_reference = (char *)ref;
    req.note = "postponed at the State's request";
    return catalog_record_group_change(&H, key, &req, out, msg, size);
}

static int setup(void **state)
{
    (void)state;
    if (harness_init(&H, "country_groups") < 0 || harness_start(&H, SVC_CATALOG, NULL) < 0 ||
        harness_start(&H, SVC_MATCHING, NULL) < 0 || harness_key(&H, ROLE_STATE, "NPL", state_key) < 0 ||
        harness_key(&H, ROLE_STATE, "BGD", bgd_key) < 0 || harness_key(&H, ROLE_STATE, "DEU", deu_key) < 0 ||
        harness_key(&H, ROLE_STATE, "FRA", fra_key) < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    harness_destroy(&H);
    return 0;
}

static const Unic__Catalog__V1__State *find_state(const Unic__Catalog__V1__ListStatesResponse *r,
                                                  const char *code)
{
    for (size_t i = 0; i < r->n_states; i++)
        if (strcmp(r->states[i]->code, code) == 0)
            return r->states[i];
    fail_msg("no State %s", code);
    return NULL;
}

static void test_states_carry_intermediate_regions_and_dated_memberships(void **state)
{
    (void)state;
    Unic__Catalog__V1__ListStatesRequest req = UNIC__CATALOG__V1__LIST_STATES_REQUEST__INIT;
    Unic__Catalog__V1__ListStatesResponse *r = NULL;
    assert_int_equal(catalog_list_states(&H, state_key, &req, &r, NULL, 0), 0);
    const Unic__Catalog__V1__State *ben = find_state(r, "BEN"), *npl = find_state(r, "NPL");
    assert_string_equal(ben->sub_region, "Sub-Saharan Africa");
    assert_string_equal(ben->intermediate_region, "Western Africa");
    assert_string_equal(find_state(r, "FRA")->intermediate_region, "");
    /* Nepal: an LDC until its graduation of 24 November 2026 (A/RES/76/8), and landlocked */
    assert_int_equal(npl->n_memberships, 2);
    assert_string_equal(npl->memberships[0]->group, "LDC");
    assert_string_equal(npl->memberships[0]->since, "");
    assert_string_equal(npl->memberships[0]->until, "2026-11-24");
    assert_non_null(strstr(npl->memberships[0]->source, "A/RES/76/8"));
    assert_string_equal(npl->memberships[1]->group, "LLDC");
    assert_string_equal(npl->memberships[1]->until, "");
    msg_free(r);
}

static void test_membership_follows_the_date(void **state)
{
    (void)state;
    assert_true(member("BGD", "LDC", "2026-11-23"));
    assert_false(member("BGD", "LDC", "2026-11-24"));
    assert_true(member("BTN", "LDC", "2023-12-12"));
    assert_false(member("BTN", "LDC", "2023-12-13"));
    assert_true(member("STP", "LDC", "2024-12-12"));
    assert_false(member("STP", "LDC", "2024-12-13"));
    assert_true(member("SLB", "LDC", "2025-06-30")); /* deferred to 2027 */
    assert_false(member("SSD", "LDC", "2012-01-01")); /* included in December 2012 */
    assert_true(member("SSD", "LDC", "2013-01-01"));
    assert_true(member("MDV", "SIDS", "2026-01-01"));
    assert_false(member("KEN", "SIDS", "2026-01-01"));
    Answer *a = NULL;
    assert_int_equal(membership("BGD", "LDC", "2026-01-01", &a, NULL, 0), 0);
    assert_string_equal(a->membership->until, "2026-11-24");
    assert_string_equal(a->as_of, "2026-01-01");
    msg_free(a);
}

static void test_groups_list_their_members_on_a_date(void **state)
{
    (void)state;
    Unic__Catalog__V1__ListCountryGroupsRequest req = UNIC__CATALOG__V1__LIST_COUNTRY_GROUPS_REQUEST__INIT;
    Unic__Catalog__V1__ListCountryGroupsResponse *r = NULL;
    req.as_of = "2025-06-30";
    assert_int_equal(catalog_list_country_groups(&H, state_key, &req, &r, NULL, 0), 0);
    assert_int_equal(r->n_groups, 3);
    assert_string_equal(r->groups[0]->id, "LDC");
    assert_int_equal(r->groups[0]->n_members, 44);
    assert_string_equal(r->groups[1]->id, "SIDS");
    assert_int_equal(r->groups[1]->n_members, 38);
    assert_string_equal(r->groups[2]->id, "LLDC");
    assert_int_equal(r->groups[2]->n_members, 32);
    msg_free(r);
    req.as_of = "2026-11-24";
    assert_int_equal(catalog_list_country_groups(&H, state_key, &req, &r, NULL, 0), 0);
    assert_int_equal(r->groups[0]->n_members, 41);
    for (size_t i = 0; i < r->groups[0]->n_members; i++)
        assert_true(strcmp(r->groups[0]->members[i], "NPL") != 0);
    msg_free(r);
}

static void test_unknown_group_is_invalid_argument_listing_the_groups(void **state)
{
    (void)state;
    Answer *a = NULL;
    char msg[512];
    assert_int_equal(membership("NPL", "G77", "2026-01-01", &a, msg, sizeof msg), 3);
    assert_non_null(strstr(msg, "group: \"G77\" is not a UN country group: must be LDC, SIDS or LLDC"));
    assert_int_equal(membership("NPL", "", "2026-01-01", &a, msg, sizeof msg), 3);
    assert_non_null(strstr(msg, "group: is required"));
    assert_int_equal(membership("NPL", "LDC", "2026-13-01", &a, msg, sizeof msg), 3);
    assert_non_null(strstr(msg, "as_of: must be a date"));
    assert_int_equal(membership("XYZ", "LDC", "", &a, msg, sizeof msg), 3);
    assert_non_null(strstr(msg, "state_code: \"XYZ\" is not a UN Member State"));
    GroupChange *g = NULL;
    assert_int_equal(record(H.operator_key, "", "NPL", "OECD",
                            UNIC__CATALOG__V1__GROUP_CHANGE_KIND__POSTPONEMENT, "2029-11-24", "x", &g,
                            msg, sizeof msg), 3);
    assert_non_null(strstr(msg, "group: \"OECD\" is not a UN country group: must be LDC, SIDS or LLDC"));
}

static void test_operator_records_a_postponement_and_the_lookup_follows_it(void **state)
{
    (void)state;
    GroupChange *g = NULL, *again = NULL;
    char msg[512];
    const Unic__Catalog__V1__GroupChangeKind postpone = UNIC__CATALOG__V1__GROUP_CHANGE_KIND__POSTPONEMENT;
    assert_false(member("NPL", "LDC", "2026-12-01"));
    /* a State may not, whatever the State */
    assert_int_equal(record(state_key, "", "NPL", "LDC", postpone, "2029-11-24", "A/RES/81/1", &g,
                            msg, sizeof msg), 7);
    /* every field checked, naming it */
    assert_int_equal(record(H.operator_key, "", "NPL", "LDC", postpone, "2029-11-24", "", &g, msg,
                            sizeof msg), 3);
    assert_non_null(strstr(msg, "legal_reference: is required"));
    assert_int_equal(record(H.operator_key, "", "NPL", "LDC",
                            UNIC__CATALOG__V1__GROUP_CHANGE_KIND__GRADUATION, "", "A/RES/81/1", &g, msg,
                            sizeof msg), 3);
    assert_non_null(strstr(msg, "effective_date: is required"));
    assert_int_equal(record(H.operator_key, "", "NPL", "LDC", 0, "2029-11-24", "A/RES/81/1", &g, msg,
                            sizeof msg), 3);
    assert_non_null(strstr(msg, "kind: must be ADMISSION, GRADUATION or POSTPONEMENT"));
    /* a postponement must move the date later */
    assert_int_equal(record(H.operator_key, "", "NPL", "LDC", postpone, "2026-01-01", "A/RES/81/1", &g,
                            msg, sizeof msg), 9);

    assert_int_equal(record(H.operator_key, "npl-postponed", "NPL", "LDC", postpone, "2029-11-24",
                            "A/RES/81/1", &g, msg, sizeof msg), 0);
    assert_string_equal(g->previous_until, "2026-11-24");
    assert_string_equal(g->effective_date, "2029-11-24");
    assert_string_equal(g->membership->until, "2029-11-24");
    assert_non_null(strstr(g->membership->source, "A/RES/81/1"));
    assert_true(g->recorded_by[0] != '\0');
    assert_true(member("NPL", "LDC", "2026-12-01"));
    assert_true(member("NPL", "LDC", "2029-11-23"));
    assert_false(member("NPL", "LDC", "2029-11-24"));
    assert_false(member("BGD", "LDC", "2026-12-01")); /* the others graduated as scheduled */

    /* the same request again: the same answer, nothing recorded twice */
    assert_int_equal(record(H.operator_key, "npl-postponed", "NPL", "LDC", postpone, "2029-11-24",
                            "A/RES/81/1", &again, msg, sizeof msg), 0);
    assert_int_equal(again->id, g->id);
    msg_free(again);
    assert_int_equal(record(H.operator_key, "npl-postponed", "NPL", "LDC", postpone, "2030-11-24",
                            "A/RES/81/1", &again, msg, sizeof msg), 3);
    assert_non_null(strstr(msg, "request_id"));

    /* kept in history, audited with the person */
    Unic__Catalog__V1__ListGroupChangesRequest lreq = UNIC__CATALOG__V1__LIST_GROUP_CHANGES_REQUEST__INIT;
    Unic__Catalog__V1__ListGroupChangesResponse *h = NULL;
    lreq.state_code = "NPL";
    assert_int_equal(catalog_list_group_changes(&H, state_key, &lreq, &h, NULL, 0), 0);
    assert_int_equal(h->n_changes, 1);
    assert_int_equal(h->changes[0]->id, g->id);
    assert_int_equal(h->changes[0]->kind, postpone);
    assert_string_equal(h->changes[0]->legal_reference, "A/RES/81/1");
    assert_string_equal(h->changes[0]->note, "postponed at the State's request");
    msg_free(h);
    assert_int_equal(harness_sql(&H, "DO $$ BEGIN IF (SELECT count(*) FROM audit.events"
                                     " WHERE resource = 'group/LDC/NPL' AND state_code = 'NPL'"
                                     " AND request_id = 'npl-postponed'"
                                     " AND method LIKE '%RecordGroupChange') <> 1"
                                     " THEN RAISE EXCEPTION 'audit event missing'; END IF; END $$"),
                     0);
    assert_int_equal(harness_sql(&H, "DELETE FROM catalog.group_changes"), -1); /* append-only */

    /* a graduation already decided is moved by postponements only */
    assert_int_equal(record(H.operator_key, "", "NPL", "LDC",
                            UNIC__CATALOG__V1__GROUP_CHANGE_KIND__GRADUATION, "2028-01-01", "A/RES/81/2",
                            &again, msg, sizeof msg), 9);
    assert_non_null(strstr(msg, "POSTPONEMENT"));

    /* the shipped file does not undo an operator's change on restart */
    assert_int_equal(harness_stop(&H, SVC_CATALOG, SIGTERM), 0);
    assert_int_equal(harness_start(&H, SVC_CATALOG, NULL), 0);
    assert_true(member("NPL", "LDC", "2026-12-01"));
    msg_free(g);
}

/* ---- Matching on the plan's date ---- */

typedef Unic__Matching__V1__Offer Offer;
typedef Unic__Matching__V1__MatchPlan MatchPlan;

static int create_offer(const char *key, const char *topic, char **groups, size_t n_groups,
                        char **regions, size_t n_regions, Offer **out, char *msg, size_t size)
{
    static char *en[] = {"en"};
    char *topics[] = {(char *)topic};
    Offer o = UNIC__MATCHING__V1__OFFER__INIT;
    o.kind = UNIC__COMMON__V1__SUPPORT_KIND__EXPERTISE;
    o.topics = topics;
    o.n_topics = 1;
    o.capacity = 10;
    o.languages = en;
    o.n_languages = 1;
    o.eligible_groups = groups;
    o.n_eligible_groups = n_groups;
    o.eligible_regions = regions;
    o.n_eligible_regions = n_regions;
    o.title = "incident handling, ten expert-days";
    Unic__Matching__V1__CreateOfferRequest req = UNIC__MATCHING__V1__CREATE_OFFER_REQUEST__INIT;
    req.offer = &o;
    return matching_create_offer(&H, key, &req, out, msg, size);
}

static void create_request(const char *topic)
{
    static char *en[] = {"en"};
    Unic__Matching__V1__Request r = UNIC__MATCHING__V1__REQUEST__INIT;
    r.kind = UNIC__COMMON__V1__SUPPORT_KIND__EXPERTISE;
    r.topic = (char *)topic;
    r.quantity = 10;
    r.priority = 2;
    r.languages = en;
    r.n_languages = 1;
    Unic__Matching__V1__CreateRequestRequest req = UNIC__MATCHING__V1__CREATE_REQUEST_REQUEST__INIT;
    req.request = &r;
    char msg[512];
    if (matching_create_request(&H, bgd_key, &req, NULL, msg, sizeof msg) != 0)
        fail_msg("CreateRequest: %s", msg);
}

static MatchPlan *propose_bgd(const char *as_of)
{
    char *codes[] = {"BGD"};
    Unic__Matching__V1__ProposeMatchesRequest req = UNIC__MATCHING__V1__PROPOSE_MATCHES_REQUEST__INIT;
    req.state_codes = codes;
    req.n_state_codes = 1;
    req.as_of = (char *)as_of;
    MatchPlan *p = NULL;
    char msg[512];
    if (matching_propose_matches(&H, H.operator_key, &req, &p, msg, sizeof msg) != 0)
        fail_msg("ProposeMatches: %s", msg);
    return p;
}

static const Unic__Matching__V1__Match *match_on(const MatchPlan *p, const char *offer)
{
    for (size_t i = 0; i < p->n_matches; i++)
        if (strcmp(p->matches[i]->offer_id, offer) == 0)
            return p->matches[i];
    return NULL;
}

/* Bangladesh graduated from the LDCs on 24 November 2026 (A/RES/76/8). Two offers of ten
 * expert-days: DEU's on incident response open to every State, FRA's on CIP open to the LDCs;
 * BGD asks ten of each at priority 2. The day before, both serve BGD and the x1.5 applies:
 * 2 x 1.0 x 1.5 x 10 = 30 each; on the day, only DEU's serves it, worth 2 x 1.0 x 10 = 20. */
static void test_plan_dated_before_a_graduation_gives_the_ldc_factor_and_group_offers(void **state)
{
    (void)state;
    char *ldc[] = {"LDC"};
    Offer *open = NULL, *to_ldcs = NULL;
    char msg[512];
    assert_int_equal(create_offer(deu_key, "incident-response", NULL, 0, NULL, 0, &open, msg, sizeof msg),
                     0);
    assert_int_equal(create_offer(fra_key, "cip", ldc, 1, NULL, 0, &to_ldcs, msg, sizeof msg), 0);
    assert_int_equal(to_ldcs->n_eligible_groups, 1);
    assert_string_equal(to_ldcs->eligible_groups[0], "LDC");
    create_request("incident-response");
    create_request("cip");

    MatchPlan *before = propose_bgd("2026-11-23");
    const Unic__Matching__V1__Match *a = match_on(before, open->id), *b = match_on(before, to_ldcs->id);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a->benefit == 30.0);
    assert_true(b->benefit == 30.0);
    assert_non_null(strstr(a->explanation, "least developed country on 2026-11-23"));
    assert_non_null(strstr(b->explanation, "BGD is eligible as a member of LDC on 2026-11-23"));

    MatchPlan *after = propose_bgd("2026-11-24");
    a = match_on(after, open->id);
    assert_non_null(a);
    assert_true(a->benefit == 20.0);
    assert_null(strstr(a->explanation, "least developed"));
    assert_null(match_on(after, to_ldcs->id));
    assert_int_equal(after->n_unmet, 1); /* the CIP request: no offer it is eligible for */
    assert_non_null(strstr(after->unmet[0]->reason, "eligibility"));
    msg_free(before);
    msg_free(after);
    msg_free(open);
    msg_free(to_ldcs);
}

/* Offers may name M49 intermediate regions; an unknown region or group is refused naming the
 * field with the valid values. */
static void test_offer_regions_and_groups_are_checked_naming_the_valid_values(void **state)
{
    (void)state;
    char *west[] = {"Western Africa"}, *typo[] = {"Westren Africa"}, *g77[] = {"G77"};
    Offer *o = NULL;
    char msg[512];
    assert_int_equal(create_offer(deu_key, "training", NULL, 0, west, 1, &o, msg, sizeof msg), 0);
    assert_string_equal(o->eligible_regions[0], "Western Africa");
    msg_free(o);
    assert_int_equal(create_offer(deu_key, "training", NULL, 0, typo, 1, &o, msg, sizeof msg), 3);
    assert_non_null(strstr(msg, "offer.eligible_regions[0]: must be one of: Africa, Americas"));
    assert_non_null(strstr(msg, "Western Africa"));
    assert_non_null(strstr(msg, "Sub-Saharan Africa"));
    assert_non_null(strstr(msg, "Western Europe"));
    assert_int_equal(create_offer(deu_key, "training", g77, 1, NULL, 0, &o, msg, sizeof msg), 3);
    assert_non_null(strstr(msg, "offer.eligible_groups[0]: \"G77\" is not a UN country group: "
                                "must be LDC, SIDS or LLDC"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_states_carry_intermediate_regions_and_dated_memberships),
        cmocka_unit_test(test_membership_follows_the_date),
        cmocka_unit_test(test_groups_list_their_members_on_a_date),
        cmocka_unit_test(test_unknown_group_is_invalid_argument_listing_the_groups),
        cmocka_unit_test(test_plan_dated_before_a_graduation_gives_the_ldc_factor_and_group_offers),
        cmocka_unit_test(test_offer_regions_and_groups_are_checked_naming_the_valid_values),
        cmocka_unit_test(test_operator_records_a_postponement_and_the_lookup_follows_it),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
