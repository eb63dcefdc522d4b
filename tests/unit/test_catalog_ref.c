/* test_catalog_ref.c: unit tests of the shared, cached client of the catalog's reference data
 * (common/catalog_ref.h): the snapshot it builds (sorted, looked up, regions unique), its one TTL
 * policy, stale data served while the catalog is down, and snapshots outliving a refresh while
 * held. The catalog's two calls are answered here: the test links with --wrap=rpc_call, so
 * catalog_ref.c's calls land in __wrap_rpc_call below, which replies with messages made by the
 * test (packed and unpacked, as the runtime hands them over) and counts them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog_ref.h"
#include "err.h"
#include "rpc.h"
#include "text.h"

/* ---- the catalog, as the test makes it answer ---- */

static struct {
    int calls;          /* ListTopics and ListStates answered (or refused) */
    bool down;          /* every call UNAVAILABLE */
    bool no_topics;     /* ListTopics answers an empty list */
    const char *first_state; /* the code of the first State listed ("BEN" unless set) */
} catalog;

int __wrap_rpc_call(struct rpc_client *client, struct rpc_caller caller,
                    const ProtobufCServiceDescriptor *service, const char *method,
                    const ProtobufCMessage *req, struct arena *a, ProtobufCMessage **reply,
                    struct err *e);

static ProtobufCMessage *round_trip(const ProtobufCMessage *m)
{
    size_t len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(len + 1);
    protobuf_c_message_pack(m, buf);
    ProtobufCMessage *out = protobuf_c_message_unpack(m->descriptor, NULL, len, buf);
    free(buf);
    return out;
}

static ProtobufCMessage *topics_reply(void)
{
    Unic__Catalog__V1__Topic t[3] = {UNIC__CATALOG__V1__TOPIC__INIT, UNIC__CATALOG__V1__TOPIC__INIT,
                                     UNIC__CATALOG__V1__TOPIC__INIT};
    Unic__Catalog__V1__Topic *tp[3] = {&t[0], &t[1], &t[2]};
    t[0].id = "incident-response";
    t[1].id = "cip";
    t[2].id = "legal";
    Unic__Catalog__V1__ListTopicsResponse r = UNIC__CATALOG__V1__LIST_TOPICS_RESPONSE__INIT;
    r.n_topics = catalog.no_topics ? 0 : 3;
    r.topics = tp;
    return round_trip(&r.base);
}

static ProtobufCMessage *states_reply(void)
{
    Unic__Catalog__V1__GroupMembership m[3] = {UNIC__CATALOG__V1__GROUP_MEMBERSHIP__INIT,
                                               UNIC__CATALOG__V1__GROUP_MEMBERSHIP__INIT,
                                               UNIC__CATALOG__V1__GROUP_MEMBERSHIP__INIT};
    Unic__Catalog__V1__GroupMembership *mp[3] = {&m[0], &m[1], &m[2]};
    m[0].group = "LDC";
    m[0].since = "1971-11-18";
    m[0].until = "";
    m[1].group = "SIDS";
    m[1].since = "";
    m[1].until = "2030-01-01";
    m[2].group = "A-GROUP-NAME-TOO-LONG"; /* no group the catalog writes: not a period */
    m[2].since = "";
    m[2].until = "";
    Unic__Catalog__V1__State s[4] = {UNIC__CATALOG__V1__STATE__INIT, UNIC__CATALOG__V1__STATE__INIT,
                                     UNIC__CATALOG__V1__STATE__INIT, UNIC__CATALOG__V1__STATE__INIT};
    Unic__Catalog__V1__State *sp[4] = {&s[0], &s[1], &s[2], &s[3]};
    s[0].code = (char *)(catalog.first_state ? catalog.first_state : "BEN");
    s[0].name = "Benin";
    s[0].region = "Africa";
    s[0].sub_region = "Sub-Saharan Africa";
    s[0].intermediate_region = "Western Africa";
    s[0].ldc = true;
    s[0].n_memberships = 3;
    s[0].memberships = mp;
    s[1].code = "AUT";
    s[1].name = "Austria";
    s[1].region = "Europe";
    s[1].sub_region = "Western Europe";
    s[1].intermediate_region = "";
    s[2].code = "KEN";
    s[2].name = "Kenya";
    s[2].region = "Africa";
    s[2].sub_region = "Sub-Saharan Africa";
    s[2].intermediate_region = "Eastern Africa";
    s[3].code = "XX"; /* not an alpha-3 code: left out of the snapshot */
    s[3].region = "Nowhere";
    Unic__Catalog__V1__ListStatesResponse r = UNIC__CATALOG__V1__LIST_STATES_RESPONSE__INIT;
    r.n_states = 4;
    r.states = sp;
    return round_trip(&r.base);
}

int __wrap_rpc_call(struct rpc_client *client, struct rpc_caller caller,
                    const ProtobufCServiceDescriptor *service, const char *method,
                    const ProtobufCMessage *req, struct arena *a, ProtobufCMessage **reply,
                    struct err *e)
{
    (void)client, (void)caller, (void)req;
    assert_ptr_equal(service, &unic__catalog__v1__catalog_service__descriptor);
    assert_null(a); /* the snapshot outlives any call: unpacked with the default allocator */
    catalog.calls++;
    if (catalog.down)
        return err_set(e, ERR_UNAVAILABLE, "connection refused");
    if (strcmp(method, "ListTopics") == 0)
        *reply = topics_reply();
    else if (strcmp(method, "ListStates") == 0)
        *reply = states_reply();
    else
        fail_msg("unexpected call %s", method);
    return 0;
}

/* ---- tests ---- */

static struct rpc_caller nobody = {NULL, 0, NULL};

static int reset(void **state)
{
    (void)state;
    memset(&catalog, 0, sizeof catalog);
    return 0;
}

static void test_snapshot_is_sorted_and_answers_lookups(void **state)
{
    (void)state;
    struct catalog_refs refs;
    struct refdata *r;
    struct err e;
    catalog_refs_init(&refs, NULL, 86400);
    assert_int_equal(catalog_ref_get(&refs, nobody, &r, &e), 0);
    assert_int_equal(catalog.calls, 2);
    assert_int_equal(r->n_topics, 3);
    assert_string_equal(r->topics[0], "cip");
    assert_string_equal(r->topics[2], "legal");
    assert_true(refdata_topic_known(r, "incident-response"));
    assert_false(refdata_topic_known(r, "incident"));
    /* sorted by code, the non-alpha-3 one left out */
    assert_int_equal(r->n_states, 3);
    assert_string_equal(r->states[0].code, "AUT");
    assert_string_equal(r->states[2].code, "KEN");
    const struct ref_state *ben = refdata_state(r, "BEN");
    assert_non_null(ben);
    assert_true(ben->ldc);
    assert_string_equal(ben->full->name, "Benin");
    assert_string_equal(ben->intermediate_region, "Western Africa");
    assert_int_equal(ben->n_periods, 2); /* the overlong group is no period */
    assert_string_equal(ben->periods[0].group, "LDC");
    assert_string_equal(ben->periods[0].since, "1971-11-18");
    assert_string_equal(ben->periods[1].until, "2030-01-01");
    assert_null(refdata_state(r, "FRA"));
    assert_null(refdata_state(r, "XX"));
    assert_null(refdata_state(r, "BENIN"));
    /* every region, sub-region and intermediate region once, sorted, "" not a region */
    const char *regions[] = {"Africa", "Eastern Africa", "Europe", "Sub-Saharan Africa",
                             "Western Africa", "Western Europe"};
    assert_int_equal(r->n_regions, 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(r->regions[i], regions[i]);
    assert_true(refdata_region_known(r, "Western Europe"));
    assert_false(refdata_region_known(r, ""));
    assert_false(refdata_region_known(r, "Nowhere"));
    char names[200], cut[16];
    refdata_region_names(r, names, sizeof names);
    assert_string_equal(names, "Africa, Eastern Africa, Europe, Sub-Saharan Africa, Western Africa, Western Europe");
    refdata_region_names(r, cut, sizeof cut); /* cut to fit, terminated */
    assert_string_equal(cut, "Africa, Eastern");
    catalog_ref_put(&refs, r);
    catalog_refs_destroy(&refs);
}

static void test_a_fresh_snapshot_is_served_without_asking_the_catalog(void **state)
{
    (void)state;
    struct catalog_refs refs;
    struct refdata *a, *b;
    struct err e;
    catalog_refs_init(&refs, NULL, 86400);
    assert_int_equal(catalog_ref_get(&refs, nobody, &a, &e), 0);
    assert_int_equal(catalog_ref_get(&refs, nobody, &b, &e), 0);
    assert_ptr_equal(a, b);
    assert_int_equal(catalog.calls, 2);
    assert_int_equal(a->refs, 3); /* the cache's own and two holders */
    catalog_ref_put(&refs, a);
    catalog_ref_put(&refs, b);
    catalog_ref_put(&refs, NULL); /* nothing */
    catalog_refs_destroy(&refs);
}

static void test_one_ttl_the_shorter_of_five_minutes_and_the_deployments(void **state)
{
    (void)state;
    struct catalog_refs refs;
    catalog_refs_init(&refs, NULL, 86400);
    assert_int_equal(refs.ttl_seconds, CATALOG_REF_TTL_SECONDS);
    catalog_refs_destroy(&refs);
    catalog_refs_init(&refs, NULL, 20);
    assert_int_equal(refs.ttl_seconds, 20);
    catalog_refs_destroy(&refs);
}

static void test_a_stale_snapshot_is_replaced_and_one_held_outlives_it(void **state)
{
    (void)state;
    struct catalog_refs refs;
    struct refdata *old, *now;
    struct err e;
    catalog_refs_init(&refs, NULL, 60);
    assert_int_equal(catalog_ref_get(&refs, nobody, &old, &e), 0);
    old->fetched_ms = clock_mono_ms() - 61 * 1000; /* a minute and a second ago */
    catalog.first_state = "BFA";
    assert_int_equal(catalog_ref_get(&refs, nobody, &now, &e), 0);
    assert_int_equal(catalog.calls, 4);
    assert_ptr_not_equal(now, old);
    assert_non_null(refdata_state(now, "BFA"));
    assert_null(refdata_state(now, "BEN"));
    /* the caller still holding the old snapshot reads it whole (ASan would see a free) */
    assert_non_null(refdata_state(old, "BEN"));
    assert_int_equal(old->refs, 1);
    catalog_ref_put(&refs, old); /* its last holder frees it */
    catalog_ref_put(&refs, now);
    catalog_refs_destroy(&refs);
}

static void test_the_catalog_down_serves_the_stale_snapshot_or_fails_without_one(void **state)
{
    (void)state;
    struct catalog_refs refs;
    struct refdata *r, *stale;
    struct err e;
    catalog_refs_init(&refs, NULL, 60);
    catalog.down = true;
    assert_int_equal(catalog_ref_get(&refs, nobody, &r, &e), -1);
    assert_int_equal(e.code, ERR_UNAVAILABLE);
    assert_string_equal(e.msg, "could not list the catalog's topics: connection refused");
    catalog.down = false;
    assert_int_equal(catalog_ref_get(&refs, nobody, &r, &e), 0);
    r->fetched_ms -= 61 * 1000;
    catalog.down = true;
    int calls = catalog.calls;
    assert_int_equal(catalog_ref_get(&refs, nobody, &stale, &e), 0);
    assert_ptr_equal(stale, r); /* stale, rather than failing the call */
    assert_int_equal(catalog.calls, calls + 1);
    catalog_ref_put(&refs, stale);
    catalog_ref_put(&refs, r);
    catalog_refs_destroy(&refs);
}

static void test_a_catalog_listing_no_topics_is_unavailable(void **state)
{
    (void)state;
    struct catalog_refs refs;
    struct refdata *r = NULL;
    struct err e;
    catalog_refs_init(&refs, NULL, 60);
    catalog.no_topics = true;
    assert_int_equal(catalog_ref_get(&refs, nobody, &r, &e), -1);
    assert_int_equal(e.code, ERR_UNAVAILABLE);
    assert_string_equal(e.msg, "could not load reference data: the catalog lists no topics");
    assert_null(refs.ref);
    catalog_refs_destroy(&refs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_snapshot_is_sorted_and_answers_lookups, reset),
        cmocka_unit_test_setup(test_a_fresh_snapshot_is_served_without_asking_the_catalog, reset),
        cmocka_unit_test_setup(test_one_ttl_the_shorter_of_five_minutes_and_the_deployments, reset),
        cmocka_unit_test_setup(test_a_stale_snapshot_is_replaced_and_one_held_outlives_it, reset),
        cmocka_unit_test_setup(test_the_catalog_down_serves_the_stale_snapshot_or_fails_without_one, reset),
        cmocka_unit_test_setup(test_a_catalog_listing_no_topics_is_unavailable, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
