/* test_resilience.c: dependencies failing under a running service. Redis stopped: calls keep
 * succeeding uncached; back: the cache fills again. PostgreSQL stopped: UNAVAILABLE and
 * NOT_SERVING within 2 s (health's background probe), never a crash; back: SERVING again and
 * calls succeed with no service restart. Uses a private
 * PostgreSQL and Redis, since it stops them. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"
#include "rpc_clients.h"
#include "unic/catalog/v1/catalog.pb-c.h"

/* In the test's own port block (tests/CMakeLists.txt), below the ephemeral range: at 55470 and
 * 56420 (plus the tree's offset) an outgoing connection of any process could hold the port, and
 * Redis or PostgreSQL then never started. */
#define PG_PORT (harness_port_base() + 8)
#define REDIS_PORT (harness_port_base() + 9)

static struct harness H;
static char infra[600];
static char source[512];

static void sleep_ms(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000}, NULL);
}

static int infra_sh(const char *verb)
{
    return harness_sh("%s/deploy/local/infra %s %s %d %d >/dev/null", source, verb, infra, PG_PORT,
                      REDIS_PORT);
}

static int setup(void **state)
{
    (void)state;
    snprintf(source, sizeof source, "%s", getenv("UNIC_SOURCE_DIR") ? getenv("UNIC_SOURCE_DIR") : ".");
    snprintf(infra, sizeof infra, "%s/test-infra-resilience", getenv("UNIC_BIN_DIR") ? getenv("UNIC_BIN_DIR") : ".");
    if (infra_sh("start") != 0)
        return -1;
    setenv("UNIC_TEST_STATE_DIR", infra, 1);
    return harness_init(&H, "resilience") == 0 && harness_start(&H, SVC_CATALOG, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    int status = harness_stop(&H, SVC_CATALOG, SIGTERM);
    harness_destroy(&H);
    harness_sh("%s/deploy/local/infra stop %s", source, infra);
    assert_int_equal(status, 0);
    return 0;
}

/* GetQuestionnaire of `id` in `locale`: a version and locale not asked before are read from
 * Redis or PostgreSQL once, then served from the catalog's memory. */
static int get_questionnaire_in(const char *id, const char *locale)
{
    Unic__Catalog__V1__GetQuestionnaireRequest req = UNIC__CATALOG__V1__GET_QUESTIONNAIRE_REQUEST__INIT;
    req.questionnaire_id = (char *)id;
    req.locale = (char *)locale;
    Unic__Catalog__V1__Questionnaire *reply = NULL;
    int code = catalog_get_questionnaire(&H, H.operator_key, &req, &reply, NULL, 0);
    if (reply)
        assert_int_equal(reply->n_sections, strcmp(id, "cip-self-assessment") == 0 ? 7 : 5);
    harness_free(reply);
    return code;
}

static int get_questionnaire(void)
{
    return get_questionnaire_in("cip-self-assessment", "");
}

static int list_topics(void)
{
    Unic__Catalog__V1__ListTopicsRequest req = UNIC__CATALOG__V1__LIST_TOPICS_REQUEST__INIT;
    return catalog_list_topics(&H, H.operator_key, &req, NULL, NULL, 0);
}

/* Polls health every 50 ms until it says `want`, for at most `bound_ms`: true when it did.
 * Health follows the database through a background probe (common/db_probe.h), so it changes
 * shortly after the database does, not at the next call. */
static bool health_becomes(int want, long bound_ms)
{
    for (long waited = 0; waited <= bound_ms; waited += 50) {
        if (harness_health(&H, SVC_CATALOG) == want)
            return true;
        sleep_ms(50);
    }
    return false;
}

/* The number of keys in the private Redis (up to 254), or 255 when it does not answer. */
static int redis_keys(void)
{
    return harness_sh("exit $(redis-cli -p %d dbsize 2>/dev/null || echo 255)", REDIS_PORT);
}

static void test_calls_succeed_with_redis_down_and_caching_resumes(void **state)
{
    (void)state;
    /* The first read loads the version from PostgreSQL and caches it in Redis: one key, the
     * catalog's only one; the second is served from the catalog's memory. */
    assert_int_equal(get_questionnaire(), ERR_OK);
    assert_int_equal(redis_keys(), 1);
    assert_int_equal(get_questionnaire(), ERR_OK);
    assert_int_equal(redis_keys(), 1);

    assert_int_equal(harness_sh("redis-cli -p %d shutdown nosave >/dev/null 2>&1; sleep 0.2", REDIS_PORT), 0);
    assert_int_equal(redis_keys(), 255); /* gone */
    for (int i = 0; i < 20; i++)
        assert_int_equal(get_questionnaire(), ERR_OK);

    /* Versions not yet in the catalog's memory: read from PostgreSQL, Redis being down. */
    assert_int_equal(get_questionnaire_in("cip-self-assessment", "fr"), ERR_OK);
    assert_int_equal(get_questionnaire_in("cip-self-assessment", "es"), ERR_OK);

    assert_int_equal(infra_sh("start"), 0);
    assert_int_equal(redis_keys(), 0); /* a new, empty Redis */
    /* The service reconnects after a backoff; the cache must fill again by itself, with the
     * versions it has not served yet (each is read once: then it is in memory). Nine reads over
     * two workers: one worker reads twice at least, the first finding its old connection dead. */
    static const char *const fresh[][2] = {
        {"cip-self-assessment", "ru"}, {"cip-self-assessment", "zh"}, {"cip-self-assessment", "ar"},
        {"unic-compliance", "en"}, {"unic-compliance", "fr"}, {"unic-compliance", "es"},
        {"unic-compliance", "ru"}, {"unic-compliance", "zh"}, {"unic-compliance", "ar"},
    };
    int keys = 0;
    for (size_t i = 0; i < sizeof fresh / sizeof fresh[0] && keys == 0; i++) {
        assert_int_equal(get_questionnaire_in(fresh[i][0], fresh[i][1]), ERR_OK);
        keys = redis_keys();
        sleep_ms(300);
    }
    assert_int_equal(keys, 1); /* the read that found Redis back, cached */
}

static void test_postgres_down_is_unavailable_and_back_needs_no_restart(void **state)
{
    (void)state;
    char pgdata[700];
    snprintf(pgdata, sizeof pgdata, "%s/pg/data", infra);
    assert_int_equal(list_topics(), ERR_OK);
    assert_int_equal(harness_sh("runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D %s "
                                "-m immediate -w stop >/dev/null", pgdata),
                     0);
    /* Down: health NOT_SERVING within 2 s with no other call made (the probe notices, not a
     * caller), a clear UNAVAILABLE, and the process stays up. */
    assert_true(health_becomes(2, 2000));
    assert_int_equal(list_topics(), ERR_UNAVAILABLE);
    assert_int_equal(harness_health(&H, SVC_CATALOG), 2);
    assert_int_equal(infra_sh("start"), 0);
    /* Back: SERVING again by itself, and the very next calls succeed on fresh connections. */
    assert_true(health_becomes(1, 5000));
    for (int i = 0; i < 10; i++)
        assert_int_equal(list_topics(), ERR_OK);

    /* A restart while the connections are idle is noticed before the next statement is sent. */
    assert_int_equal(harness_sh("runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D %s "
                                "-m fast -w restart >/dev/null", pgdata),
                     0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(list_topics(), ERR_OK);
    assert_int_equal(get_questionnaire(), ERR_OK);
}

/* Every process of the private PostgreSQL, by id: the postmaster (first line of its pid file)
 * and its children. SIGSTOP makes a server that accepts but never answers, as a hung host does. */
static int postgres_signal(const char *sig)
{
    return harness_sh("pm=$(head -1 %s/pg/data/postmaster.pid) && kill -%s $pm $(ps -o pid= --ppid $pm)",
                      infra, sig);
}

static void test_postgres_that_stops_answering_is_not_serving_and_health_still_answers(void **state)
{
    (void)state;
    assert_int_equal(harness_health(&H, SVC_CATALOG), 1);
    assert_int_equal(postgres_signal("STOP"), 0);
    /* Health never waits on the database: it answers, and says NOT_SERVING once the probe's
     * ping has gone unanswered for longer than its bound. */
    bool down = health_becomes(2, 2000);
    assert_int_equal(postgres_signal("CONT"), 0);
    assert_true(down);
    assert_true(health_becomes(1, 5000));
    assert_int_equal(list_topics(), ERR_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calls_succeed_with_redis_down_and_caching_resumes),
        cmocka_unit_test(test_postgres_that_stops_answering_is_not_serving_and_health_still_answers),
        cmocka_unit_test(test_postgres_down_is_unavailable_and_back_needs_no_restart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
