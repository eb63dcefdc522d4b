/* test_responses_durability.c: acknowledged writes survive PostgreSQL crashing. Runs against a
 * PostgreSQL and Redis of its own (deploy/local/infra in the build tree), since stopping the
 * shared fixture's PostgreSQL in immediate mode would break the other tests running beside it.
 * Also: idempotency keys are kept 24 hours, then purged; no serving without synchronous_commit. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"
#include "rpc_clients.h"
#include "unic/responses/v1/responses.pb-c.h"

typedef Unic__Responses__V1__Assessment Assessment;
typedef Unic__Responses__V1__Answer Answer;

/* In the test's own port block (services/responses/CMakeLists.txt), below the ephemeral range. */
#define PG_PORT (harness_port_base() + 10)
#define REDIS_PORT (harness_port_base() + 11)

static struct harness H;
static char infra_dir[600], source_dir[512], ken[64];

static void sleep_ms(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000}, NULL);
}

static int setup(void **state)
{
    (void)state;
    const char *bin = getenv("UNIC_BIN_DIR"), *src = getenv("UNIC_SOURCE_DIR");
    if (bin == NULL || src == NULL) {
        fprintf(stderr, "run through ctest (UNIC_BIN_DIR, UNIC_SOURCE_DIR are not set)\n");
        return -1;
    }
    snprintf(source_dir, sizeof source_dir, "%s", src);
    snprintf(infra_dir, sizeof infra_dir, "%s/test-infra-responses-durability", bin);
    if (harness_sh("'%s/deploy/local/infra' start '%s' %d %d >/dev/null", source_dir, infra_dir,
                   PG_PORT, REDIS_PORT) != 0)
        return -1;
    /* The harness reads its PostgreSQL and Redis from the state directory it is pointed at. */
    setenv("UNIC_TEST_STATE_DIR", infra_dir, 1);
    if (harness_init(&H, "responses_durability") < 0 || harness_start(&H, SVC_CATALOG, NULL) < 0 ||
        harness_start(&H, SVC_RESPONSES, NULL) < 0 || harness_key(&H, ROLE_STATE, "KEN", ken) < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    harness_destroy(&H);
    harness_sh("'%s/deploy/local/infra' stop '%s'", source_dir, infra_dir);
    return 0;
}

static Assessment *create(int cycle)
{
    Unic__Responses__V1__CreateAssessmentRequest r = UNIC__RESPONSES__V1__CREATE_ASSESSMENT_REQUEST__INIT;
    r.state_code = (char *)"KEN";
    r.cycle = cycle;
    r.questionnaire_id = (char *)"cip-self-assessment";
    Assessment *out = NULL;
    char msg[512];
    int code = responses_create_assessment(&H, ken, &r, &out, msg, sizeof msg);
    if (code != ERR_OK)
        print_message("create: %d %s\n", code, msg);
    assert_int_equal(code, ERR_OK);
    return out;
}

/* One SaveAnswers of level `level` on q1; the status, and the reply on OK. */
static int save(struct rpc_client *client, const Assessment *a, int level, const char *request_id,
                Assessment **reply, char *msg, size_t size)
{
    char authz[128];
    snprintf(authz, sizeof authz, "Bearer %s", ken);
    Answer x = UNIC__RESPONSES__V1__ANSWER__INIT, *xs[] = {&x};
    x.question_id = (char *)"q1";
    x.level_value_case = UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
    x.level = level;
    Unic__Responses__V1__SaveAnswersRequest r = UNIC__RESPONSES__V1__SAVE_ANSWERS_REQUEST__INIT;
    r.assessment_id = a->id;
    r.etag = a->etag;
    r.n_answers = 1;
    r.answers = xs;
    r.request_id = (char *)request_id;
    struct err e;
    ProtobufCMessage *out = NULL;
    err_clear(&e);
    rpc_call(client, (struct rpc_caller){authz, 0, NULL}, &unic__responses__v1__response_service__descriptor,
             "SaveAnswers", &r.base, NULL, &out, &e);
    snprintf(msg, size, "%s", e.msg);
    *reply = (Assessment *)out;
    return e.code;
}

static void test_idempotency_keys_are_kept_24_hours_then_purged(void **state)
{
    (void)state;
    assert_int_equal(harness_sql(&H,
        "INSERT INTO responses.idempotency (key_id, request_id, method, request_hash, response,"
        " created_at) VALUES"
        " ('k', 'old', 'm', repeat('0', 64), '\\x00', now() - interval '25 hours'),"
        " ('k', 'recent', 'm', repeat('0', 64), '\\x00', now() - interval '23 hours')"), 0);
    /* The first write with a request_id after start-up sweeps. */
    assert_int_equal(harness_stop(&H, SVC_RESPONSES, SIGTERM), 0);
    assert_int_equal(harness_start(&H, SVC_RESPONSES, NULL), 0);
    Assessment *a = create(2024), *b = NULL;
    char msg[512];
    struct rpc_client *client = rpc_client_new(H.svc[SVC_RESPONSES].addr, 10000);
    assert_int_equal(save(client, a, 2, "sweep", &b, msg, sizeof msg), ERR_OK);
    rpc_client_free(client);
    assert_int_equal(harness_sql(&H,
        "DO $$ BEGIN"
        " IF EXISTS (SELECT 1 FROM responses.idempotency WHERE request_id = 'old')"
        "  THEN RAISE EXCEPTION 'a key older than 24 h survived'; END IF;"
        " IF NOT EXISTS (SELECT 1 FROM responses.idempotency WHERE request_id = 'recent')"
        "  THEN RAISE EXCEPTION 'a key younger than 24 h was purged'; END IF;"
        " IF NOT EXISTS (SELECT 1 FROM responses.idempotency WHERE request_id = 'sweep')"
        "  THEN RAISE EXCEPTION 'the new key is missing'; END IF;"
        " END $$"), 0);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    protobuf_c_message_free_unpacked(&b->base, NULL);
}

/* ---- A writer that keeps writing while PostgreSQL crashes under it ---- */

enum { ACKS_MAX = 4096 };

struct writer {
    pthread_t thread;
    Assessment *head;            /* the last acknowledged state */
    Assessment *acked[ACKS_MAX]; /* every acknowledged reply, in order */
    atomic_int n_acked;
    atomic_int stop;
    int retries, failures;
    char last_error[600];
};

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    struct rpc_client *client = rpc_client_new(H.svc[SVC_RESPONSES].addr, 5000);
    for (int i = 0; !atomic_load(&w->stop) && i < ACKS_MAX; i++) {
        char rid[32], msg[512];
        snprintf(rid, sizeof rid, "write-%d", i);
        Assessment *reply = NULL;
        /* Until acknowledged, the same request again: the outcome of a write cut off by the
         * crash is unknown to the client, and the request_id makes the retry safe. */
        for (;;) {
            int code = save(client, w->head, w->head->answers && w->head->n_answers ?
                                                 (w->head->answers[0]->level + 1) % 6 : 1,
                            rid, &reply, msg, sizeof msg);
            if (code == ERR_OK)
                break;
            if (code != ERR_UNAVAILABLE && code != ERR_DEADLINE_EXCEEDED) {
                w->failures++;
                snprintf(w->last_error, sizeof w->last_error, "%d %s", code, msg);
                goto done;
            }
            w->retries++;
            sleep_ms(50);
        }
        w->acked[atomic_load(&w->n_acked)] = reply;
        w->head = reply;
        atomic_fetch_add(&w->n_acked, 1);
    }
done:
    rpc_client_free(client);
    return NULL;
}

static void wait_acks(struct writer *w, int n)
{
    for (int i = 0; i < 600 && atomic_load(&w->n_acked) < n && w->failures == 0; i++)
        sleep_ms(50);
}

static void test_acknowledged_writes_survive_an_immediate_postgres_restart(void **state)
{
    (void)state;
    static struct writer w;
    memset(&w, 0, sizeof w);
    Assessment *start = create(2025);
    w.head = start;
    pthread_create(&w.thread, NULL, writer_main, &w);
    wait_acks(&w, 30);
    int before = atomic_load(&w.n_acked);
    /* Immediate mode: no checkpoint, no clean shutdown; recovery replays the WAL. */
    assert_int_equal(harness_sh("cd /tmp && if [ \"$(id -u)\" = 0 ]; then run='runuser -u postgres --'; else run=''; fi;"
                                " $run \"${UNIC_PGBIN:-/usr/lib/postgresql/15/bin}/pg_ctl\" -D '%s/pg/data'"
                                " -l '%s/pg/postgres.log' -m immediate -w -t 60 restart >/dev/null",
                                infra_dir, infra_dir), 0);
    wait_acks(&w, before + 30);
    atomic_store(&w.stop, 1);
    pthread_join(w.thread, NULL);
    if (w.failures)
        print_message("writer failed: %s\n", w.last_error);
    assert_int_equal(w.failures, 0);
    int n = atomic_load(&w.n_acked);
    print_message("%d writes acknowledged (%d before the crash), %d retried\n", n, before, w.retries);
    assert_true(n >= before + 30);

    /* Every acknowledged write is there, byte for byte, at the revision it was given. */
    char authz[128];
    snprintf(authz, sizeof authz, "Bearer %s", ken);
    for (int i = 0; i < n; i++) {
        Unic__Responses__V1__GetRevisionRequest r = UNIC__RESPONSES__V1__GET_REVISION_REQUEST__INIT;
        r.assessment_id = start->id;
        r.revision = w.acked[i]->revision;
        Assessment *out = NULL;
        assert_int_equal(responses_get_revision(&H, ken, &r, &out, NULL, 0), ERR_OK);
        assert_true(harness_packed_equal(&w.acked[i]->base, &out->base));
        harness_free(out);
        if (i > 0)
            assert_int_equal(w.acked[i]->revision, w.acked[i - 1]->revision + 1);
    }
    Unic__Responses__V1__GetAssessmentRequest g = UNIC__RESPONSES__V1__GET_ASSESSMENT_REQUEST__INIT;
    g.assessment_id = start->id;
    Assessment *out = NULL;
    assert_int_equal(responses_get_assessment(&H, ken, &g, &out, NULL, 0), ERR_OK);
    assert_true(harness_packed_equal(&w.acked[n - 1]->base, &out->base));
    assert_int_equal(out->revision, 1 + n);
    harness_free(out);
    for (int i = 0; i < n; i++)
        protobuf_c_message_free_unpacked(&w.acked[i]->base, NULL);
    protobuf_c_message_free_unpacked(&start->base, NULL);
}

static void test_refuses_to_serve_without_synchronous_commit(void **state)
{
    (void)state;
    assert_int_equal(harness_stop(&H, SVC_RESPONSES, SIGTERM), 0);
    char url[1200];
    snprintf(url, sizeof url, "UNIC_DB_URL=%s options='-c synchronous_commit=off'", H.db_url);
    const char *env[] = {url, NULL};
    assert_int_equal(harness_start(&H, SVC_RESPONSES, env), -1);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "grep -q 'refusing to serve: database not durable: synchronous_commit is off' '%s'",
             H.svc[SVC_RESPONSES].log);
    assert_int_equal(harness_sh("%s", cmd), 0);
    /* With the default it serves again. */
    assert_int_equal(harness_start(&H, SVC_RESPONSES, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idempotency_keys_are_kept_24_hours_then_purged),
        cmocka_unit_test(test_acknowledged_writes_survive_an_immediate_postgres_restart),
        cmocka_unit_test(test_refuses_to_serve_without_synchronous_commit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
