/* test_roles.c: the method table's roles, enforced by the dispatcher in every service that writes:
 * a write method called with a key of a role its row does not admit gets PERMISSION_DENIED from
 * the runtime, before the request is even unpacked, and the service logs that one line.
 * (scoring has no write method: every role reads it.) */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "unic/matching/v1/matching.pb-c.h"
#include "unic/responses/v1/responses.pb-c.h"

static struct harness H;
static char key_state[64], key_service[64];

static int setup(void **state)
{
    (void)state;
    if (harness_init(&H, "roles") < 0 || harness_start(&H, SVC_CATALOG, NULL) < 0 ||
        harness_start(&H, SVC_RESPONSES, NULL) < 0 || harness_start(&H, SVC_MATCHING, NULL) < 0 ||
        harness_key(&H, ROLE_STATE, "KEN", key_state) < 0 ||
        harness_key(&H, ROLE_SERVICE, NULL, key_service) < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    harness_destroy(&H);
    return 0;
}

/* Lines of service `id`'s log holding every needle given (NULL-terminated). */
static int log_lines(enum svc_id id, ...)
{
    FILE *f = fopen(H.svc[id].log, "r");
    if (f == NULL)
        return -1;
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        va_list ap;
        va_start(ap, id);
        bool all = true;
        for (const char *needle; (needle = va_arg(ap, const char *)) != NULL;)
            all = all && strstr(line, needle) != NULL;
        va_end(ap);
        n += all;
    }
    fclose(f);
    return n;
}

/* Calls `method` of service `id` with `key` and `req`, expects the dispatcher's denial naming the
 * roles, and exactly one log line about it: the call's, with its status and caller. */
static void expect_denied(enum svc_id id, const char *service, const char *method, const char *key,
                          const char *role, const char *allowed, const ProtobufCMessage *req)
{
    char path[200], method_field[260], msg[512], want[300];
    snprintf(path, sizeof path, "/%s/%s", service, method);
    snprintf(method_field, sizeof method_field, "\"method\":\"%s\"", path);
    snprintf(want, sizeof want, "permission denied for %s: %s keys may not call it, only %s keys",
             method, role, allowed);
    int before_call = log_lines(id, method_field, NULL);
    int before_denials = log_lines(id, "ermission denied", NULL);
    ProtobufCMessage *reply = NULL;
    int code = harness_call(&H, id, key, method, req, &reply, msg, sizeof msg);
    assert_null(reply);
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    assert_string_equal(msg, want);
    /* The line is written once the reply has gone out, so it may follow the reply by a moment. */
    for (int i = 0; i < 100 && log_lines(id, method_field, NULL) == before_call; i++)
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    assert_int_equal(log_lines(id, method_field, NULL), before_call + 1);
    assert_int_equal(log_lines(id, method_field, "\"status\":\"PERMISSION_DENIED\"", want, NULL),
                     before_call + 1);
    assert_int_equal(log_lines(id, "ermission denied", NULL), before_denials + 1);
}

static void test_catalog_write_with_a_state_key_is_denied_by_the_dispatcher(void **state)
{
    (void)state;
    Unic__Catalog__V1__PublishQuestionnaireVersionRequest req =
        UNIC__CATALOG__V1__PUBLISH_QUESTIONNAIRE_VERSION_REQUEST__INIT;
    req.questionnaire_id = (char *)"cip-self-assessment";
    req.version = 1;
    expect_denied(SVC_CATALOG, "unic.catalog.v1.CatalogService", "PublishQuestionnaireVersion",
                  key_state, "STATE", "OPERATOR", &req.base);
}

static void test_responses_write_with_an_operator_key_is_denied_by_the_dispatcher(void **state)
{
    (void)state;
    Unic__Responses__V1__SaveAnswersRequest req = UNIC__RESPONSES__V1__SAVE_ANSWERS_REQUEST__INIT;
    req.assessment_id = (char *)"KEN-2024-cip-self-assessment";
    req.etag = (char *)"1-0";
    expect_denied(SVC_RESPONSES, "unic.responses.v1.ResponseService", "SaveAnswers", H.operator_key,
                  "OPERATOR", "STATE", &req.base);
}

static void test_matching_writes_with_wrong_roles_are_denied_by_the_dispatcher(void **state)
{
    (void)state;
    Unic__Matching__V1__CommitMatchPlanRequest commit = UNIC__MATCHING__V1__COMMIT_MATCH_PLAN_REQUEST__INIT;
    commit.plan_id = (char *)"00000000-0000-0000-0000-000000000000";
    expect_denied(SVC_MATCHING, "unic.matching.v1.MatchingService", "CommitMatchPlan", key_state,
                  "STATE", "OPERATOR", &commit.base);
    Unic__Matching__V1__CreateOfferRequest offer = UNIC__MATCHING__V1__CREATE_OFFER_REQUEST__INIT;
    expect_denied(SVC_MATCHING, "unic.matching.v1.MatchingService", "CreateOffer", key_service,
                  "SERVICE", "OPERATOR or STATE", &offer.base);
}

/* Roles are checked before the body is read: bytes that are not the method's message still get
 * the denial, not INVALID_ARGUMENT, so a caller who may not call a method learns nothing more. */
static void test_role_is_checked_before_the_request_is_unpacked(void **state)
{
    (void)state;
    Unic__Catalog__V1__Topic t = UNIC__CATALOG__V1__TOPIC__INIT;
    t.id = (char *)"x";
    t.title = (char *)"not a version number";
    char msg[512];
    int code = harness_call_bytes(&H, SVC_CATALOG, key_state, "PublishQuestionnaireVersion", &t.base,
                                  msg, sizeof msg);
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    assert_non_null(strstr(msg, "permission denied for PublishQuestionnaireVersion"));
    /* An operator sending the same bytes gets the parse error: the check above was the role's. */
    code = harness_call_bytes(&H, SVC_CATALOG, H.operator_key, "PublishQuestionnaireVersion", &t.base,
                              msg, sizeof msg);
    assert_int_equal(code, ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "malformed request"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog_write_with_a_state_key_is_denied_by_the_dispatcher),
        cmocka_unit_test(test_responses_write_with_an_operator_key_is_denied_by_the_dispatcher),
        cmocka_unit_test(test_matching_writes_with_wrong_roles_are_denied_by_the_dispatcher),
        cmocka_unit_test(test_role_is_checked_before_the_request_is_unpacked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
