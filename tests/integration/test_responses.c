/* test_responses.c: the response service seen from outside, through the real catalog and
 * responses binaries over gRPC: access by role and visibility, validation naming the field, etags
 * and a race between two writers, idempotent retries, the draft/submit/reopen cycle, exact
 * history, caching that never serves a stale read, and writes surviving a SIGKILL. */
#include <pthread.h>
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

#include "db.h"
#include "harness.h"
#include "rpc_clients.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "unic/responses/v1/responses.pb-c.h"

typedef Unic__Responses__V1__Assessment Assessment;
typedef Unic__Responses__V1__Answer Answer;
typedef Unic__Responses__V1__Evidence Evidence;

#define CIP "cip-self-assessment"
#define PRIVATE UNIC__COMMON__V1__VISIBILITY__PRIVATE
#define UNIC UNIC__COMMON__V1__VISIBILITY__UNIC
#define PUBLIC UNIC__COMMON__V1__VISIBILITY__PUBLIC
#define DRAFT UNIC__RESPONSES__V1__ASSESSMENT_STATUS__DRAFT
#define SUBMITTED UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED

static struct harness H;
static char ken[64], ken2[64], fra[64], twn[64], svc[64], ner[64];
static const char *op; /* the bootstrap operator key */

/* ---- Calls ---- */

static Assessment *create(const char *key, const char *state, int cycle, const char *qid,
                          const char *request_id, int *code, char *msg)
{
    Unic__Responses__V1__CreateAssessmentRequest r = UNIC__RESPONSES__V1__CREATE_ASSESSMENT_REQUEST__INIT;
    r.state_code = (char *)state;
    r.cycle = cycle;
    r.questionnaire_id = (char *)qid;
    r.request_id = (char *)(request_id ? request_id : "");
    Assessment *out = NULL;
    *code = responses_create_assessment(&H, key, &r, &out, msg, msg ? 512 : 0);
    return out;
}

static Assessment *must_create(const char *key, const char *state, int cycle, const char *qid)
{
    int code;
    char msg[512];
    Assessment *a = create(key, state, cycle, qid, NULL, &code, msg);
    if (code != ERR_OK)
        print_message("create %s %d %s: %d %s\n", state, cycle, qid, code, msg);
    assert_int_equal(code, ERR_OK);
    return a;
}

static Assessment *get(const char *key, const char *id, int *code, char *msg)
{
    Unic__Responses__V1__GetAssessmentRequest r = UNIC__RESPONSES__V1__GET_ASSESSMENT_REQUEST__INIT;
    r.assessment_id = (char *)id;
    Assessment *out = NULL;
    *code = responses_get_assessment(&H, key, &r, &out, msg, msg ? 512 : 0);
    return out;
}

static int get_code(const char *key, const char *id)
{
    int code;
    harness_free(get(key, id, &code, NULL));
    return code;
}

/* Answers built on the heap; free with answers_free. */
static Answer *level_answer(const char *qid, int level)
{
    Answer *a = calloc(1, sizeof *a);
    unic__responses__v1__answer__init(a);
    a->question_id = (char *)qid;
    a->level_value_case = UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
    a->level = level;
    return a;
}

static Answer *yes_answer(const char *qid, bool yes)
{
    Answer *a = calloc(1, sizeof *a);
    unic__responses__v1__answer__init(a);
    a->question_id = (char *)qid;
    a->yes_value_case = UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES;
    a->yes = yes;
    return a;
}

static Answer *text_answer(const char *qid, const char *text)
{
    Answer *a = calloc(1, sizeof *a);
    unic__responses__v1__answer__init(a);
    a->question_id = (char *)qid;
    a->narrative = (char *)text;
    return a;
}

static void answers_free(Answer **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
}

static Assessment *save(const char *key, const char *id, const char *etag, Answer **answers,
                        size_t n, const char *request_id, int *code, char *msg)
{
    Unic__Responses__V1__SaveAnswersRequest r = UNIC__RESPONSES__V1__SAVE_ANSWERS_REQUEST__INIT;
    r.assessment_id = (char *)id;
    r.etag = (char *)etag;
    r.n_answers = n;
    r.answers = answers;
    r.request_id = (char *)(request_id ? request_id : "");
    Assessment *out = NULL;
    *code = responses_save_answers(&H, key, &r, &out, msg, msg ? 512 : 0);
    return out;
}

/* Saves one maturity level and returns the new assessment, which must come back. */
static Assessment *must_save_level(const char *key, const Assessment *a, const char *qid, int level)
{
    Answer *x[] = {level_answer(qid, level)};
    int code;
    char msg[512];
    Assessment *b = save(key, a->id, a->etag, x, 1, NULL, &code, msg);
    answers_free(x, 1);
    if (code != ERR_OK)
        print_message("save %s: %d %s\n", a->id, code, msg);
    assert_int_equal(code, ERR_OK);
    return b;
}

static Assessment *submit(const char *key, const char *id, const char *etag, int *code, char *msg)
{
    Unic__Responses__V1__SubmitAssessmentRequest r = UNIC__RESPONSES__V1__SUBMIT_ASSESSMENT_REQUEST__INIT;
    r.assessment_id = (char *)id;
    r.etag = (char *)etag;
    Assessment *out = NULL;
    *code = responses_submit_assessment(&H, key, &r, &out, msg, msg ? 512 : 0);
    return out;
}

static Assessment *reopen(const char *key, const char *id, const char *etag, const char *reason,
                          int *code, char *msg)
{
    Unic__Responses__V1__ReopenAssessmentRequest r = UNIC__RESPONSES__V1__REOPEN_ASSESSMENT_REQUEST__INIT;
    r.assessment_id = (char *)id;
    r.etag = (char *)etag;
    r.reason = (char *)reason;
    Assessment *out = NULL;
    *code = responses_reopen_assessment(&H, key, &r, &out, msg, msg ? 512 : 0);
    return out;
}

static Assessment *set_visibility(const char *key, const char *id, const char *etag, int v,
                                  int *code, char *msg)
{
    Unic__Responses__V1__SetVisibilityRequest r = UNIC__RESPONSES__V1__SET_VISIBILITY_REQUEST__INIT;
    r.assessment_id = (char *)id;
    r.etag = (char *)etag;
    r.visibility = v;
    Assessment *out = NULL;
    *code = responses_set_visibility(&H, key, &r, &out, msg, msg ? 512 : 0);
    return out;
}

static Unic__Responses__V1__ListRevisionsResponse *revisions(const char *key, const char *id, int *code)
{
    Unic__Responses__V1__ListRevisionsRequest r = UNIC__RESPONSES__V1__LIST_REVISIONS_REQUEST__INIT;
    r.assessment_id = (char *)id;
    Unic__Responses__V1__ListRevisionsResponse *out = NULL;
    *code = responses_list_revisions(&H, key, &r, &out, NULL, 0);
    return out;
}

static Assessment *get_revision(const char *key, const char *id, int rev, int *code)
{
    Unic__Responses__V1__GetRevisionRequest r = UNIC__RESPONSES__V1__GET_REVISION_REQUEST__INIT;
    r.assessment_id = (char *)id;
    r.revision = rev;
    Assessment *out = NULL;
    *code = responses_get_revision(&H, key, &r, &out, NULL, 0);
    return out;
}

static Unic__Responses__V1__ListAssessmentsResponse *list(const char *key, const char *state,
                                                          int page_size, const char *token, int *code)
{
    Unic__Responses__V1__ListAssessmentsRequest r = UNIC__RESPONSES__V1__LIST_ASSESSMENTS_REQUEST__INIT;
    r.state_code = (char *)(state ? state : "");
    r.page_size = page_size;
    r.page_token = (char *)(token ? token : "");
    Unic__Responses__V1__ListAssessmentsResponse *out = NULL;
    *code = responses_list_assessments(&H, key, &r, &out, NULL, 0);
    return out;
}

static int log_count(enum svc_id id, const char *needle)
{
    FILE *f = fopen(H.svc[id].log, "r");
    if (f == NULL)
        return -1;
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof line, f))
        n += strstr(line, needle) != NULL;
    fclose(f);
    return n;
}

/* ---- A questionnaire of our own, with every answer type and an optional question ---- */

static Unic__Catalog__V1__LevelDescriptor levels[6], *level_ptrs[6];

static void question_init(Unic__Catalog__V1__Question *q, const char *id, int number, int type,
                          bool required)
{
    unic__catalog__v1__question__init(q);
    q->id = (char *)id;
    q->number = number;
    q->text = (char *)"A question for the response service's tests";
    q->answer_type = type;
    q->required = required;
    if (type == UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL) {
        q->n_levels = 6;
        q->levels = level_ptrs;
    }
}

static int publish_test_questionnaire(void)
{
    static const char *const names[] = {"None", "Start-up", "Formative", "Established", "Strategic",
                                        "Dynamic"};
    for (int i = 0; i < 6; i++) {
        unic__catalog__v1__level_descriptor__init(&levels[i]);
        levels[i].level = i;
        levels[i].name = (char *)names[i];
        levels[i].description = (char *)"described";
        level_ptrs[i] = &levels[i];
    }
    Unic__Catalog__V1__Question q[4], *qp[4];
    question_init(&q[0], "m1", 1, UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL, true);
    question_init(&q[1], "y1", 2, UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO, true);
    question_init(&q[2], "t1", 3, UNIC__CATALOG__V1__ANSWER_TYPE__TEXT, true);
    question_init(&q[3], "t2", 4, UNIC__CATALOG__V1__ANSWER_TYPE__TEXT, false);
    for (int i = 0; i < 4; i++)
        qp[i] = &q[i];
    Unic__Catalog__V1__Section s = UNIC__CATALOG__V1__SECTION__INIT, *sp[] = {&s};
    s.id = (char *)"s1";
    s.number = 1;
    s.title = (char *)"Everything";
    s.n_questions = 4;
    s.questions = qp;
    Unic__Catalog__V1__Questionnaire def = UNIC__CATALOG__V1__QUESTIONNAIRE__INIT;
    def.id = (char *)"resp-test";
    def.title = (char *)"Response service test questionnaire";
    def.kind = UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__SELF_ASSESSMENT;
    def.n_sections = 1;
    def.sections = sp;
    Unic__Catalog__V1__CreateQuestionnaireVersionRequest cr =
        UNIC__CATALOG__V1__CREATE_QUESTIONNAIRE_VERSION_REQUEST__INIT;
    cr.definition = &def;
    Unic__Catalog__V1__Questionnaire *out = NULL;
    char msg[512];
    int code = catalog_create_questionnaire_version(&H, op, &cr, &out, msg, sizeof msg);
    if (code != ERR_OK) {
        fprintf(stderr, "could not create the test questionnaire: %d %s\n", code, msg);
        return -1;
    }
    int version = out->version;
    harness_free(out);
    Unic__Catalog__V1__PublishQuestionnaireVersionRequest pr =
        UNIC__CATALOG__V1__PUBLISH_QUESTIONNAIRE_VERSION_REQUEST__INIT;
    pr.questionnaire_id = (char *)"resp-test";
    pr.version = version;
    code = catalog_publish_questionnaire_version(&H, op, &pr, NULL, msg, sizeof msg);
    if (code != ERR_OK) {
        fprintf(stderr, "could not publish the test questionnaire: %d %s\n", code, msg);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    (void)state;
    if (harness_init(&H, "responses") < 0 || harness_start(&H, SVC_CATALOG, NULL) < 0 ||
        harness_start(&H, SVC_RESPONSES, NULL) < 0 || harness_key(&H, ROLE_STATE, "KEN", ken) < 0 ||
        harness_key(&H, ROLE_STATE, "KEN", ken2) < 0 || harness_key(&H, ROLE_STATE, "FRA", fra) < 0 ||
        harness_key(&H, ROLE_STATE, "TWN", twn) < 0 ||
        harness_key(&H, ROLE_STATE, "NER", ner) < 0 || harness_key(&H, ROLE_SERVICE, NULL, svc) < 0)
        return -1;
    op = H.operator_key;
    return publish_test_questionnaire();
}

static int teardown(void **state)
{
    (void)state;
    harness_destroy(&H);
    return 0;
}

/* ---- Create ---- */

static void test_create_returns_private_draft_at_revision_one(void **state)
{
    (void)state;
    Assessment *a = must_create(ken, "KEN", 2024, CIP);
    assert_string_equal(a->id, "KEN-2024-cip-self-assessment");
    assert_string_equal(a->state_code, "KEN");
    assert_int_equal(a->cycle, 2024);
    assert_int_equal(a->questionnaire_version, 1);
    assert_int_equal(a->status, DRAFT);
    assert_int_equal(a->visibility, PRIVATE);
    assert_int_equal(a->revision, 1);
    assert_true(strlen(a->etag) > 4);
    assert_int_equal(a->n_answers, 0);
    assert_float_equal(a->completeness, 0.0, 1e-12);
    assert_string_equal(a->created_at, a->updated_at);
    assert_string_equal(a->submitted_at, "");
    assert_non_null(strstr(a->updated_by, "state:KEN/"));
    harness_free(a);
}

static void test_create_twice_is_already_exists(void **state)
{
    (void)state;
    harness_free(must_create(ken, "KEN", 2023, CIP));
    int code;
    char msg[512];
    assert_null(create(ken2, "KEN", 2023, CIP, NULL, &code, msg));
    assert_int_equal(code, ERR_ALREADY_EXISTS);
    assert_non_null(strstr(msg, "KEN-2023-cip-self-assessment"));
}

static void test_create_for_another_state_is_denied_and_logged(void **state)
{
    (void)state;
    int code;
    const char *denied = "\"method\":\"/unic.responses.v1.ResponseService/CreateAssessment\","
                         "\"status\":\"PERMISSION_DENIED\"";
    int before = log_count(SVC_RESPONSES, denied);
    int before_row = log_count(SVC_RESPONSES, "KEN-2022-cip-self-assessment\\\": not permitted");
    int before_op = log_count(SVC_RESPONSES, "permission denied for CreateAssessment: OPERATOR keys");
    int before_svc = log_count(SVC_RESPONSES, "permission denied for CreateAssessment: SERVICE keys");
    assert_null(create(fra, "KEN", 2022, CIP, NULL, &code, NULL));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    assert_null(create(op, "KEN", 2022, CIP, NULL, &code, NULL));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    assert_null(create(svc, "KEN", 2022, CIP, NULL, &code, NULL));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    /* Lines are written once the reply has gone out, so they may follow it by a moment. */
    for (int i = 0; i < 100 && log_count(SVC_RESPONSES, denied) < before + 3; i++)
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    /* Each denial logged once, in the dispatcher's line for the call, with the caller: the role
     * rule of the method table for the operator and the service, the row rule (another State's
     * assessment) for France. */
    assert_int_equal(log_count(SVC_RESPONSES, denied), before + 3);
    assert_int_equal(log_count(SVC_RESPONSES, "KEN-2022-cip-self-assessment\\\": not permitted"), before_row + 1);
    assert_int_equal(log_count(SVC_RESPONSES, "permission denied for CreateAssessment: OPERATOR keys"), before_op + 1);
    assert_int_equal(log_count(SVC_RESPONSES, "permission denied for CreateAssessment: SERVICE keys"), before_svc + 1);
    assert_true(log_count(SVC_RESPONSES, "\"caller\":\"state:FRA/") >= 1);
}

static void test_create_validation_names_the_field(void **state)
{
    (void)state;
    int code;
    char msg[512];
    assert_null(create(ken, "KEN", 2009, CIP, NULL, &code, msg));
    assert_int_equal(code, ERR_INVALID_ARGUMENT);
    assert_true(strncmp(msg, "cycle:", 6) == 0);
    assert_null(create(ken, "KEN", 2100, CIP, NULL, &code, msg));
    assert_true(strncmp(msg, "cycle:", 6) == 0);
    assert_null(create(ken, "Ken", 2024, CIP, NULL, &code, msg));
    assert_int_equal(code, ERR_INVALID_ARGUMENT);
    assert_true(strncmp(msg, "state_code:", 11) == 0);
    assert_null(create(ken, "KEN", 2024, "Not An Id", NULL, &code, msg));
    assert_true(strncmp(msg, "questionnaire_id:", 17) == 0);
    assert_null(create(ken, "KEN", 2024, CIP, "bad\x01id", &code, msg));
    assert_true(strncmp(msg, "request_id:", 11) == 0);
    /* Taiwan holds a key but is not a UN Member State. */
    assert_null(create(twn, "TWN", 2024, CIP, NULL, &code, msg));
    assert_int_equal(code, ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "state_code: TWN is not a UN Member State"));
    /* A questionnaire the catalog does not know. */
    assert_null(create(ken, "KEN", 2024, "no-such-questionnaire", NULL, &code, msg));
    assert_int_equal(code, ERR_NOT_FOUND);
    assert_non_null(strstr(msg, "no-such-questionnaire"));
}

static void test_create_with_latest_version_resolves_it(void **state)
{
    (void)state;
    Assessment *a = must_create(fra, "FRA", 2024, "unic-compliance");
    assert_int_equal(a->questionnaire_version, 1);
    assert_string_equal(a->id, "FRA-2024-unic-compliance");
    harness_free(a);
}

/* ---- Access ---- */

static void test_two_states_neither_reads_nor_writes_the_others_private_assessment(void **state)
{
    (void)state;
    Assessment *k = must_create(ken, "KEN", 2021, CIP), *f = must_create(fra, "FRA", 2021, CIP);
    int code;
    char msg[512];
    assert_int_equal(get_code(fra, k->id), ERR_PERMISSION_DENIED);
    assert_int_equal(get_code(ken, f->id), ERR_PERMISSION_DENIED);
    /* The same answer for an assessment that does not exist: existence does not leak. */
    assert_int_equal(get_code(fra, "KEN-2012-cip-self-assessment"), ERR_PERMISSION_DENIED);
    /* Its own State gets NOT_FOUND for its own missing one. */
    assert_int_equal(get_code(ken, "KEN-2012-cip-self-assessment"), ERR_NOT_FOUND);

    Answer *x[] = {level_answer("q1", 5)};
    assert_null(save(fra, k->id, k->etag, x, 1, NULL, &code, msg));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    assert_null(save(ken, f->id, f->etag, x, 1, NULL, &code, msg));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    assert_null(save(fra, "KEN-2012-cip-self-assessment", "1-x", x, 1, NULL, &code, msg));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    answers_free(x, 1);
    assert_null(submit(fra, k->id, k->etag, &code, NULL));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    assert_null(set_visibility(fra, k->id, k->etag, PUBLIC, &code, NULL));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    harness_free(revisions(fra, k->id, &code));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    harness_free(get_revision(fra, k->id, 1, &code));
    assert_int_equal(code, ERR_PERMISSION_DENIED);

    /* Nothing changed on either side. */
    Assessment *k2 = get(ken, k->id, &code, NULL);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(k2->revision, 1);
    assert_int_equal(k2->n_answers, 0);
    /* And neither sees the other's in a listing. */
    Unic__Responses__V1__ListAssessmentsResponse *l = list(fra, "KEN", 0, NULL, &code);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(l->n_assessments, 0);
    harness_free(l);
    harness_free(k2);
    harness_free(k);
    harness_free(f);
}

static void test_operators_and_services_never_write(void **state)
{
    (void)state;
    Assessment *a = must_create(ken, "KEN", 2020, CIP);
    int code;
    Answer *x[] = {level_answer("q1", 1)};
    assert_null(save(op, a->id, a->etag, x, 1, NULL, &code, NULL));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    assert_null(save(svc, a->id, a->etag, x, 1, NULL, &code, NULL));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    answers_free(x, 1);
    assert_null(set_visibility(op, a->id, a->etag, PUBLIC, &code, NULL));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    harness_free(a);
}

static void test_visibility_decides_who_reads(void **state)
{
    (void)state;
    Assessment *a = must_create(ken, "KEN", 2019, CIP);
    int code;
    char msg[512];
    /* PRIVATE: KEN only; not even an operator. */
    assert_int_equal(get_code(ken2, a->id), ERR_OK);
    assert_int_equal(get_code(op, a->id), ERR_PERMISSION_DENIED);
    assert_int_equal(get_code(svc, a->id), ERR_PERMISSION_DENIED);
    /* UNIC: KEN and operators. */
    Assessment *b = set_visibility(ken, a->id, a->etag, UNIC, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(b->visibility, UNIC);
    assert_int_equal(b->revision, 2);
    assert_int_equal(get_code(op, a->id), ERR_OK);
    assert_int_equal(get_code(fra, a->id), ERR_PERMISSION_DENIED);
    assert_int_equal(get_code(svc, a->id), ERR_PERMISSION_DENIED);
    /* PUBLIC: any key. */
    Assessment *c = set_visibility(ken, a->id, b->etag, PUBLIC, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(get_code(op, a->id), ERR_OK);
    assert_int_equal(get_code(fra, a->id), ERR_OK);
    assert_int_equal(get_code(svc, a->id), ERR_OK);
    /* The history shared is the part written while shared: revision 1 was private. */
    Unic__Responses__V1__ListRevisionsResponse *r = revisions(fra, a->id, &code);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(r->n_revisions, 1);
    assert_int_equal(r->revisions[0]->revision, 3);
    harness_free(r);
    harness_free(get_revision(fra, a->id, 1, &code));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    harness_free(get_revision(fra, a->id, 3, &code));
    assert_int_equal(code, ERR_OK);
    /* Back to PRIVATE: gone for others at once (the read checks the row as it is now). */
    Assessment *d = set_visibility(ken, a->id, c->etag, PRIVATE, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(get_code(fra, a->id), ERR_PERMISSION_DENIED);
    assert_int_equal(get_code(op, a->id), ERR_PERMISSION_DENIED);
    /* A visibility it already has changes nothing. */
    Assessment *e = set_visibility(ken, a->id, d->etag, PRIVATE, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(e->revision, d->revision);
    assert_null(set_visibility(ken, a->id, d->etag, 7, &code, msg));
    assert_int_equal(code, ERR_INVALID_ARGUMENT);
    assert_true(strncmp(msg, "visibility:", 11) == 0);
    harness_free(a);
    harness_free(b);
    harness_free(c);
    harness_free(d);
    harness_free(e);
}

static void test_list_returns_only_what_the_caller_may_see_in_pages(void **state)
{
    (void)state;
    int code;
    /* Five of Djibouti's, two of them public. */
    char key[64];
    assert_int_equal(harness_key(&H, ROLE_STATE, "DJI", key), 0);
    for (int y = 2015; y < 2020; y++) {
        Assessment *a = must_create(key, "DJI", y, CIP);
        if (y % 2 == 0) {
            Assessment *b = set_visibility(key, a->id, a->etag, PUBLIC, &code, NULL);
            assert_int_equal(code, ERR_OK);
            harness_free(b);
        }
        harness_free(a);
    }
    Unic__Responses__V1__ListAssessmentsResponse *l = list(key, "DJI", 2, NULL, &code);
    assert_int_equal(code, ERR_OK);
    size_t seen = 0;
    char token[128];
    while (l) {
        seen += l->n_assessments;
        for (size_t i = 0; i < l->n_assessments; i++)
            assert_string_equal(l->assessments[i]->state_code, "DJI");
        if (l->next_page_token[0] == '\0') {
            harness_free(l);
            break;
        }
        assert_int_equal(l->n_assessments, 2);
        snprintf(token, sizeof token, "%s", l->next_page_token);
        harness_free(l);
        l = list(key, "DJI", 2, token, &code);
        assert_int_equal(code, ERR_OK);
    }
    assert_int_equal(seen, 5);
    l = list(fra, "DJI", 0, NULL, &code);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(l->n_assessments, 2);
    for (size_t i = 0; i < l->n_assessments; i++)
        assert_int_equal(l->assessments[i]->visibility, PUBLIC);
    harness_free(l);
    l = list(svc, "DJI", 0, NULL, &code);
    assert_int_equal(l->n_assessments, 2);
    harness_free(l);
    harness_free(list(fra, NULL, 0, "not a token", &code));
    assert_int_equal(code, ERR_INVALID_ARGUMENT);
}

/* ---- Saving answers ---- */

static void test_save_makes_a_revision_naming_changed_questions(void **state)
{
    (void)state;
    Assessment *a = must_create(ken, "KEN", 2018, CIP);
    Answer *x[] = {level_answer("q1", 3), level_answer("q2", 2)};
    Evidence ev = UNIC__RESPONSES__V1__EVIDENCE__INIT, *evp[] = {&ev};
    ev.uri = (char *)"https://example.go.ke/strategy.pdf";
    ev.title = (char *)"National Cybersecurity Strategy";
    x[0]->n_evidence = 1;
    x[0]->evidence = evp;
    x[0]->narrative = (char *)"Adopted in 2014,\nrevised 2022.";
    x[0]->target_level_value_case = UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL;
    x[0]->target_level = 4;
    int code;
    char msg[512];
    Assessment *b = save(ken, a->id, a->etag, x, 2, NULL, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(b->revision, 2);
    assert_string_not_equal(b->etag, a->etag);
    assert_int_equal(b->n_answers, 2);
    assert_string_equal(b->answers[0]->question_id, "q1");
    assert_int_equal(b->answers[0]->level, 3);
    assert_int_equal(b->answers[0]->target_level, 4);
    assert_string_equal(b->answers[0]->evidence[0]->uri, ev.uri);
    assert_string_equal(b->answers[0]->narrative, x[0]->narrative);
    assert_string_equal(b->answers[0]->updated_by, b->updated_by);
    assert_float_equal(b->completeness, 2.0 / 18.0, 1e-9);
    /* Level 0 is an answer. */
    Assessment *c = must_save_level(ken, b, "q3", 0);
    assert_float_equal(c->completeness, 3.0 / 18.0, 1e-9);
    assert_int_equal(c->answers[2]->level_value_case, UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL);
    assert_int_equal(c->answers[2]->level, 0);
    /* The relational mirror holds the same three answers. */
    char sql[512];
    snprintf(sql, sizeof sql,
             "DO $$ BEGIN IF (SELECT count(*) FROM responses.answers WHERE assessment_id = '%s'"
             " AND level IS NOT NULL) <> 3 OR NOT EXISTS (SELECT 1 FROM responses.answers"
             " WHERE assessment_id = '%s' AND question_id = 'q1' AND target_level = 4"
             " AND evidence->0->>'uri' = 'https://example.go.ke/strategy.pdf')"
             " THEN RAISE EXCEPTION 'mirror differs'; END IF; END $$",
             a->id, a->id);
    assert_int_equal(harness_sql(&H, sql), 0);
    Unic__Responses__V1__ListRevisionsResponse *r = revisions(ken, a->id, &code);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(r->n_revisions, 3);
    assert_string_equal(r->revisions[0]->action, "CREATE");
    assert_string_equal(r->revisions[1]->action, "SAVE");
    assert_int_equal(r->revisions[1]->n_changed_questions, 2);
    assert_string_equal(r->revisions[1]->changed_questions[0], "q1");
    assert_string_equal(r->revisions[1]->changed_questions[1], "q2");
    assert_int_equal(r->revisions[2]->n_changed_questions, 1);
    assert_string_equal(r->revisions[2]->changed_questions[0], "q3");
    assert_non_null(strstr(r->revisions[1]->author, "state:KEN/"));
    assert_true(strlen(r->revisions[1]->created_at) == 24);
    harness_free(r);
    /* Saving the same again changes nothing and makes no revision. */
    Answer *same[] = {level_answer("q3", 0)};
    Assessment *d = save(ken, a->id, c->etag, same, 1, NULL, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(d->revision, c->revision);
    assert_string_equal(d->etag, c->etag);
    answers_free(same, 1);
    x[0]->n_evidence = 0;
    answers_free(x, 2);
    harness_free(a);
    harness_free(b);
    harness_free(c);
    harness_free(d);
}

static void expect_invalid(const Assessment *a, Answer **x, size_t n, const char *field)
{
    int code;
    char msg[512];
    assert_null(save(ken, a->id, a->etag, x, n, NULL, &code, msg));
    if (code != ERR_INVALID_ARGUMENT || strncmp(msg, field, strlen(field)) != 0)
        print_message("expected INVALID_ARGUMENT on %s, got %d: %s\n", field, code, msg);
    assert_int_equal(code, ERR_INVALID_ARGUMENT);
    assert_true(strncmp(msg, field, strlen(field)) == 0);
}

static void test_save_validation_names_the_field_and_writes_nothing(void **state)
{
    (void)state;
    Assessment *a = must_create(ken, "KEN", 2017, CIP);
    Answer *x[] = {level_answer("q1", 1), level_answer("q2", 1), level_answer("q3", 1),
                   level_answer("q4", 7)};
    expect_invalid(a, x, 4, "answers[3].level:");
    x[3]->level = 4;
    x[3]->target_level_value_case = UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL;
    x[3]->target_level = -1;
    expect_invalid(a, x, 4, "answers[3].target_level:");
    x[3]->target_level = 5;

    Evidence ev[21], *evp[21];
    for (int i = 0; i < 21; i++) {
        unic__responses__v1__evidence__init(&ev[i]);
        ev[i].uri = (char *)"https://example.org/a";
        evp[i] = &ev[i];
    }
    ev[2].uri = (char *)"ftp://example.org/a";
    x[0]->n_evidence = 3;
    x[0]->evidence = evp;
    expect_invalid(a, x, 1, "answers[0].evidence[2].uri:");
    ev[2].uri = (char *)"https://example.org/c";
    x[0]->n_evidence = 21;
    expect_invalid(a, x, 1, "answers[0].evidence:");
    x[0]->n_evidence = 0;

    char *big = malloc(20002);
    memset(big, 'a', 20001);
    big[20001] = '\0';
    x[1]->narrative = big;
    expect_invalid(a, x, 2, "answers[1].narrative:");
    big[20000] = '\0';
    x[1]->narrative = (char *)"caf\xc3";
    expect_invalid(a, x, 2, "answers[1].narrative:");
    x[1]->narrative = (char *)"nul\x1b escape";
    expect_invalid(a, x, 2, "answers[1].narrative:");
    x[1]->narrative = big; /* exactly 20,000: fine */
    x[2]->date = (char *)"2023-13-01";
    expect_invalid(a, x, 3, "answers[2].date:");
    x[2]->date = (char *)"";

    Answer *unknown[] = {level_answer("q1", 1), level_answer("q99", 1)};
    expect_invalid(a, unknown, 2, "answers[1].question_id:");
    Answer *twice[] = {level_answer("q5", 1), level_answer("q5", 2)};
    expect_invalid(a, twice, 2, "answers[1].question_id:");
    Answer *yes_on_level[] = {yes_answer("q1", true)};
    expect_invalid(a, yes_on_level, 1, "answers[0].yes:");

    /* Nothing of all that was written. */
    int code;
    Assessment *b = get(ken, a->id, &code, NULL);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(b->revision, 1);
    assert_int_equal(b->n_answers, 0);
    harness_free(b);
    /* The valid remainder goes through, 20,000-character narrative included. */
    b = save(ken, a->id, a->etag, x, 4, NULL, &code, NULL);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(strlen(b->answers[1]->narrative), 20000);
    harness_free(b);
    free(big);
    answers_free(x, 4);
    answers_free(unknown, 2);
    answers_free(twice, 2);
    answers_free(yes_on_level, 1);
    harness_free(a);
}

static void test_answer_types_of_a_questionnaire_with_text_and_optional_questions(void **state)
{
    (void)state;
    Assessment *a = must_create(ken, "KEN", 2024, "resp-test");
    int code;
    char msg[512];
    Answer *wrong[] = {level_answer("t1", 2)};
    expect_invalid(a, wrong, 1, "answers[0].level:");
    Answer *wrong2[] = {text_answer("y1", "yes, with narrative only")};
    Assessment *b = save(ken, a->id, a->etag, wrong2, 1, NULL, &code, msg);
    assert_int_equal(code, ERR_OK); /* a narrative on YES_NO is allowed, but it is no answer */
    assert_float_equal(b->completeness, 0.0, 1e-12);
    Answer *x[] = {level_answer("m1", 2), yes_answer("y1", false), text_answer("t2", "optional")};
    Assessment *c = save(ken, a->id, b->etag, x, 3, NULL, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_float_equal(c->completeness, 2.0 / 3.0, 1e-9);
    /* t1 (required TEXT) is still missing: a self-assessment is submitted in part all the same
     * (A/RES/64/211 annex), and says how much was left. */
    Assessment *d = submit(ken, a->id, c->etag, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(d->status, SUBMITTED);
    assert_int_equal(d->unanswered, 1);
    assert_float_equal(d->completeness, 2.0 / 3.0, 1e-9);
    Assessment *d2 = reopen(ken, a->id, d->etag, "t1 now has an answer", &code, msg);
    assert_int_equal(code, ERR_OK);
    Answer *t[] = {text_answer("t1", "  \n ")};
    Assessment *e = save(ken, a->id, d2->etag, t, 1, NULL, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_float_equal(e->completeness, 2.0 / 3.0, 1e-9); /* whitespace answers nothing */
    t[0]->narrative = (char *)"The national CERT coordinates.";
    Assessment *f = save(ken, a->id, e->etag, t, 1, NULL, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_float_equal(f->completeness, 1.0, 1e-12);
    Assessment *g = submit(ken, a->id, f->etag, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(g->status, SUBMITTED);
    assert_int_equal(g->unanswered, 0);
    harness_free(d);
    harness_free(d2);
    answers_free(wrong, 1);
    answers_free(wrong2, 1);
    answers_free(x, 3);
    answers_free(t, 1);
    harness_free(a);
    harness_free(b);
    harness_free(c);
    harness_free(e);
    harness_free(f);
    harness_free(g);
}

/* ---- Concurrency ---- */

static void test_stale_etag_is_aborted_and_writes_nothing(void **state)
{
    (void)state;
    Assessment *a = must_create(ken, "KEN", 2016, CIP);
    Assessment *b = must_save_level(ken, a, "q1", 1);
    Answer *x[] = {level_answer("q2", 5)};
    int code;
    char msg[512];
    assert_null(save(ken2, a->id, a->etag, x, 1, NULL, &code, msg));
    assert_int_equal(code, ERR_ABORTED);
    assert_non_null(strstr(msg, "stale"));
    assert_null(submit(ken, a->id, a->etag, &code, NULL));
    assert_int_equal(code, ERR_ABORTED);
    assert_null(save(ken, a->id, "", x, 1, NULL, &code, msg));
    assert_int_equal(code, ERR_INVALID_ARGUMENT);
    assert_true(strncmp(msg, "etag:", 5) == 0);
    Assessment *c = get(ken, a->id, &code, NULL);
    assert_int_equal(c->revision, 2);
    assert_int_equal(c->n_answers, 1);
    assert_true(harness_packed_equal(&b->base, &c->base));
    answers_free(x, 1);
    harness_free(a);
    harness_free(b);
    harness_free(c);
}

struct racer {
    pthread_t thread;
    pthread_barrier_t *go;
    struct rpc_client *client;
    const char *key, *id, *etag, *request_id, *qid;
    int level;
    int code;
    Assessment *reply;
};

static void *racer_main(void *arg)
{
    struct racer *r = arg;
    char authz[128];
    snprintf(authz, sizeof authz, "Bearer %s", r->key);
    Answer *x[] = {level_answer(r->qid, r->level)};
    Unic__Responses__V1__SaveAnswersRequest req = UNIC__RESPONSES__V1__SAVE_ANSWERS_REQUEST__INIT;
    req.assessment_id = (char *)r->id;
    req.etag = (char *)r->etag;
    req.n_answers = 1;
    req.answers = x;
    req.request_id = (char *)(r->request_id ? r->request_id : "");
    struct err e;
    ProtobufCMessage *out = NULL;
    pthread_barrier_wait(r->go);
    r->code = rpc_call(r->client, (struct rpc_caller){authz, 0, NULL},
                       &unic__responses__v1__response_service__descriptor, "SaveAnswers", &req.base,
                       NULL, &out, &e) == 0 ? ERR_OK : e.code;
    r->reply = (Assessment *)out;
    if (r->code != ERR_OK && r->code != ERR_ABORTED)
        print_message("racer: %d %s\n", e.code, e.msg);
    answers_free(x, 1);
    return NULL;
}

/* Two writers at once with the same etag, each saving a level on question `qid`, on
 * connections of their own; a `retry_id` makes the second a retry of the first (same key, same
 * request_id, same body). Fills r[] with the outcomes. */
static void race(const char *id, const char *etag, const char *qid, const char *retry_id,
                 struct racer r[2])
{
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, 2);
    for (int i = 0; i < 2; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].go = &go;
        r[i].client = rpc_client_new(H.svc[SVC_RESPONSES].addr, 10000);
        r[i].key = i && !retry_id ? ken2 : ken;
        r[i].id = id;
        r[i].etag = etag;
        r[i].qid = qid;
        r[i].request_id = retry_id;
        r[i].level = retry_id ? 1 : i + 1;
    }
    for (int i = 0; i < 2; i++)
        pthread_create(&r[i].thread, NULL, racer_main, &r[i]);
    for (int i = 0; i < 2; i++) {
        pthread_join(r[i].thread, NULL);
        rpc_client_free(r[i].client);
    }
    pthread_barrier_destroy(&go);
}

static void test_two_writers_with_the_same_etag_exactly_one_wins(void **state)
{
    (void)state;
    Assessment *a = must_create(ken, "KEN", 2015, CIP);
    enum { ROUNDS = 18 };
    int code;
    for (int round = 0; round < ROUNDS; round++) {
        /* A question not answered yet: both writes are real changes. */
        char qid[8];
        snprintf(qid, sizeof qid, "q%d", round + 1);
        struct racer r[2];
        race(a->id, a->etag, qid, NULL, r);
        int ok = (r[0].code == ERR_OK) + (r[1].code == ERR_OK);
        if (ok != 1)
            print_message("round %d: %d %d\n", round, r[0].code, r[1].code);
        int aborted = (r[0].code == ERR_ABORTED) + (r[1].code == ERR_ABORTED);
        assert_int_equal(ok, 1);
        assert_int_equal(aborted, 1);
        Assessment *winner = r[0].code == ERR_OK ? r[0].reply : r[1].reply;
        assert_int_equal(winner->revision, a->revision + 1);
        /* What is stored is the winner's write, whole. */
        Assessment *now = get(ken, a->id, &code, NULL);
        assert_true(harness_packed_equal(&winner->base, &now->base));
        harness_free(a);
        a = now;
        harness_free(r[0].reply);
        harness_free(r[1].reply);
    }
    assert_int_equal(a->revision, 1 + ROUNDS);
    Unic__Responses__V1__ListRevisionsResponse *rv = revisions(ken, a->id, &code);
    assert_int_equal(rv->n_revisions, 1 + ROUNDS);
    harness_free(rv);
    harness_free(a);
}

struct blocked_save {
    pthread_t thread;
    const Assessment *a;
    int code;
    char msg[512];
};

static void *blocked_save_main(void *arg)
{
    struct blocked_save *b = arg;
    Answer *x[] = {level_answer("q9", 2)};
    harness_free(save(ken, b->a->id, b->a->etag, x, 1, NULL, &b->code, b->msg));
    answers_free(x, 1);
    return NULL;
}

static void test_writer_queued_behind_another_commit_gets_aborted(void **state)
{
    (void)state;
    /* Another transaction holds the row, then commits a new revision while the service's write
     * waits for the lock: the waiter must find the etag moved on, not the assessment gone. */
    Assessment *a = must_create(ken, "KEN", 2026, CIP);
    struct db db;
    struct err e;
    assert_int_equal(db_init(&db, H.db_url, &e), 0);
    const char *id[] = {a->id};
    assert_int_equal(db_begin(&db, &e), 0);
    PGresult *r = db_query(&db, &e, "SELECT 1 FROM responses.assessments WHERE id = $1 FOR UPDATE", 1, id);
    assert_non_null(r);
    PQclear(r);
    struct blocked_save b = {.a = a};
    pthread_create(&b.thread, NULL, blocked_save_main, &b);
    nanosleep(&(struct timespec){0, 300 * 1000 * 1000}, NULL);
    assert_int_equal(db_command(&db, &e,
        "INSERT INTO responses.revisions (assessment_id, revision, created_at, author, action,"
        " status, visibility, snapshot) SELECT assessment_id, revision + 1, now(), 'test', 'SAVE',"
        " status, visibility, snapshot FROM responses.revisions WHERE assessment_id = $1", 1, id, NULL), 0);
    assert_int_equal(db_command(&db, &e,
        "UPDATE responses.assessments SET revision = 2, etag = '2-concurrent' WHERE id = $1", 1, id,
        NULL), 0);
    assert_int_equal(db_commit(&db, &e), 0);
    pthread_join(b.thread, NULL);
    db_destroy(&db);
    if (b.code != ERR_ABORTED)
        print_message("queued writer: %d %s\n", b.code, b.msg);
    assert_int_equal(b.code, ERR_ABORTED);
    assert_non_null(strstr(b.msg, "stale"));
    harness_free(a);
}

/* ---- Idempotency ---- */

static void test_retried_request_id_returns_the_first_result_and_no_second_revision(void **state)
{
    (void)state;
    Assessment *a = must_create(ken, "KEN", 2014, CIP);
    Answer *x[] = {level_answer("q1", 4)};
    int code;
    char msg[512];
    Assessment *first = save(ken, a->id, a->etag, x, 1, "save-1", &code, msg);
    assert_int_equal(code, ERR_OK);
    Assessment *again = save(ken, a->id, a->etag, x, 1, "save-1", &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_true(harness_packed_equal(&first->base, &again->base));
    /* Even after a later write made the etag stale, the retry gets the first result. */
    Assessment *later = must_save_level(ken, first, "q2", 2);
    Assessment *third = save(ken, a->id, a->etag, x, 1, "save-1", &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_true(harness_packed_equal(&first->base, &third->base));
    Unic__Responses__V1__ListRevisionsResponse *rv = revisions(ken, a->id, &code);
    assert_int_equal(rv->n_revisions, 3);
    harness_free(rv);
    /* The same id with another body is refused. */
    x[0]->level = 5;
    assert_null(save(ken, a->id, a->etag, x, 1, "save-1", &code, msg));
    assert_int_equal(code, ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "request_id"));
    /* Request ids are per key: another key of the same State may use the same id. */
    Assessment *other = save(ken2, a->id, later->etag, x, 1, "save-1", &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(other->revision, 4);
    /* Create is idempotent too. */
    Assessment *c1 = create(ken, "KEN", 2013, CIP, "create-1", &code, msg);
    assert_int_equal(code, ERR_OK);
    Assessment *c2 = create(ken, "KEN", 2013, CIP, "create-1", &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_true(harness_packed_equal(&c1->base, &c2->base));
    answers_free(x, 1);
    harness_free(a);
    harness_free(first);
    harness_free(again);
    harness_free(later);
    harness_free(third);
    harness_free(other);
    harness_free(c1);
    harness_free(c2);
}

static void test_concurrent_retries_of_one_request_id_make_one_revision(void **state)
{
    (void)state;
    int code;
    for (int round = 0; round < 10; round++) {
        Assessment *a = must_create(ken2, "KEN", 2010 + round, "resp-test");
        char rid[32];
        snprintf(rid, sizeof rid, "retried-%d", round);
        struct racer r[2];
        race(a->id, a->etag, "m1", rid, r);
        /* The second waited for the first's transaction and got its reply. */
        assert_int_equal(r[0].code, ERR_OK);
        assert_int_equal(r[1].code, ERR_OK);
        assert_true(harness_packed_equal(&r[0].reply->base, &r[1].reply->base));
        Unic__Responses__V1__ListRevisionsResponse *rv = revisions(ken, a->id, &code);
        assert_int_equal(rv->n_revisions, 2);
        harness_free(rv);
        harness_free(r[0].reply);
        harness_free(r[1].reply);
        harness_free(a);
    }
}

/* ---- Submit, reopen, history ---- */

static void test_self_assessment_submitted_in_part_says_how_many_were_left(void **state)
{
    (void)state;
    Assessment *a = must_create(ken, "KEN", 2011, CIP);
    Answer *x[16];
    char ids[16][8];
    for (int i = 0; i < 16; i++) {
        snprintf(ids[i], sizeof ids[i], "q%d", i + 1);
        x[i] = level_answer(ids[i], i % 6);
    }
    int code;
    char msg[512];
    Assessment *b = save(ken, a->id, a->etag, x, 16, NULL, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(b->unanswered, 2);
    Assessment *c = submit(ken, a->id, b->etag, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(c->status, SUBMITTED);
    assert_int_equal(c->unanswered, 2); /* q17 and q18 */
    assert_float_equal(c->completeness, 16.0 / 18.0, 1e-9);
    Assessment *d = get(ken, a->id, &code, NULL);
    assert_int_equal(d->status, SUBMITTED);
    assert_int_equal(d->unanswered, 2);
    answers_free(x, 16);
    harness_free(a);
    harness_free(b);
    harness_free(c);
    harness_free(d);
}

/* The compliance checklist is not the voluntary tool: each question is a duty of Resolution #1,
 * so it is submitted only with every duty answered. */
static void test_compliance_checklist_with_duties_unanswered_is_refused_and_lists_them(void **state)
{
    (void)state;
    Assessment *a = must_create(ken, "KEN", 2011, "unic-compliance");
    Answer *x[] = {yes_answer("para4a", true), yes_answer("para4b", false)};
    int code;
    char msg[512];
    Assessment *b = save(ken, a->id, a->etag, x, 2, NULL, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(b->unanswered, 9);
    assert_null(submit(ken, a->id, b->etag, &code, msg));
    assert_int_equal(code, ERR_FAILED_PRECONDITION);
    assert_non_null(strstr(msg, "unanswered: para5a, para5b"));
    Assessment *c = get(ken, a->id, &code, NULL);
    assert_int_equal(c->status, DRAFT);
    assert_int_equal(c->revision, 2);
    answers_free(x, 2);
    harness_free(a);
    harness_free(b);
    harness_free(c);
}

/* The duties of unic-compliance in question order; paragraph 9 last. */
static const char *const duties[] = {"para4a", "para4b", "para5a", "para5b", "para5c", "para5d",
                                     "para5e", "para6-cert", "para6-poc", "para8-report",
                                     "para9-assistance"};

/* Answers every duty of unic-compliance (all yes) and submits; the result is the caller's. */
static Assessment *compliance_submitted(const char *key, const char *state, int cycle)
{
    Answer *x[11];
    for (int i = 0; i < 11; i++)
        x[i] = yes_answer(duties[i], true);
    int code;
    char msg[512];
    Assessment *a = must_create(key, state, cycle, "unic-compliance");
    Assessment *b = save(key, a->id, a->etag, x, 11, NULL, &code, msg);
    assert_int_equal(code, ERR_OK);
    Assessment *c = submit(key, a->id, b->etag, &code, msg);
    assert_int_equal(code, ERR_OK);
    answers_free(x, 11);
    harness_free(a);
    harness_free(b);
    return c;
}

/* Paragraph 9 does not bind a least developed country: Niger submits its checklist without it,
 * complete; Kenya may not. */
static void test_least_developed_country_submits_its_checklist_without_paragraph_9(void **state)
{
    (void)state;
    Answer *x[10]; /* every duty but the last, paragraph 9 */
    for (int i = 0; i < 10; i++)
        x[i] = yes_answer(duties[i], i % 2 == 0);
    int code;
    char msg[512];
    Assessment *a = must_create(ner, "NER", 2015, "unic-compliance");
    assert_int_equal(a->unanswered, 10);
    Assessment *b = save(ner, a->id, a->etag, x, 10, NULL, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(b->unanswered, 0);
    assert_float_equal(b->completeness, 1.0, 1e-12);
    Assessment *c = submit(ner, a->id, b->etag, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(c->status, SUBMITTED);

    Assessment *k = must_create(ken, "KEN", 2015, "unic-compliance");
    Assessment *k2 = save(ken, k->id, k->etag, x, 10, NULL, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(k2->unanswered, 1);
    assert_null(submit(ken, k->id, k2->etag, &code, msg));
    assert_int_equal(code, ERR_FAILED_PRECONDITION);
    assert_non_null(strstr(msg, "unanswered: para9-assistance"));
    answers_free(x, 10);
    harness_free(a);
    harness_free(b);
    harness_free(c);
    harness_free(k);
    harness_free(k2);
}

/* Resolution #1 para 8: the compliance report goes to UNIC. PRIVATE keeps it from other States,
 * not from UNIC operators; drafts stay the State's own, and while it is reopened operators read
 * the last submitted revision. */
static void test_private_compliance_report_reaches_unic_but_not_other_states(void **state)
{
    (void)state;
    int code;
    char msg[512];
    Assessment *a = compliance_submitted(fra, "FRA", 2013);
    assert_int_equal(a->visibility, PRIVATE);
    Assessment *seen = get(op, a->id, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(seen->revision, a->revision);
    assert_int_equal(seen->n_answers, 11);
    assert_null(get(ken, a->id, &code, NULL));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    assert_null(get(svc, a->id, &code, NULL));
    assert_int_equal(code, ERR_PERMISSION_DENIED);

    Unic__Responses__V1__ListAssessmentsResponse *l = list(op, "FRA", 50, NULL, &code);
    assert_int_equal(code, ERR_OK);
    bool listed = false;
    for (size_t i = 0; i < l->n_assessments; i++)
        listed |= strcmp(l->assessments[i]->id, a->id) == 0;
    assert_true(listed);
    harness_free(l);
    l = list(ken, "FRA", 50, NULL, &code);
    for (size_t i = 0; i < l->n_assessments; i++)
        assert_string_not_equal(l->assessments[i]->id, a->id);
    harness_free(l);

    /* Reopened and changed: operators still read the report as submitted, never the draft. */
    Assessment *b = reopen(fra, a->id, a->etag, "correcting para 5", &code, msg);
    assert_int_equal(code, ERR_OK);
    Answer *x[] = {yes_answer("para5a", false)};
    Assessment *c = save(fra, a->id, b->etag, x, 1, NULL, &code, msg);
    assert_int_equal(code, ERR_OK);
    Assessment *again = get(op, a->id, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(again->revision, a->revision);
    assert_int_equal(again->status, SUBMITTED);
    Unic__Responses__V1__ListRevisionsResponse *rv = revisions(op, a->id, &code);
    assert_int_equal(code, ERR_OK);
    for (size_t i = 0; i < rv->n_revisions; i++)
        assert_int_equal(rv->revisions[i]->status, SUBMITTED);
    assert_null(get_revision(op, a->id, c->revision, &code));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    Assessment *r = get_revision(op, a->id, a->revision, &code);
    assert_int_equal(code, ERR_OK);
    harness_free(rv);

    /* A checklist never submitted is the State's alone, even for operators. */
    Assessment *d = must_create(fra, "FRA", 2014, "unic-compliance");
    assert_null(get(op, d->id, &code, NULL));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    assert_null(revisions(op, d->id, &code));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    answers_free(x, 1);
    harness_free(a);
    harness_free(seen);
    harness_free(b);
    harness_free(c);
    harness_free(again);
    harness_free(r);
    harness_free(d);
}

/* Answers every question of cip-self-assessment and returns the result. */
static Assessment *answer_all(const char *key, const Assessment *a)
{
    Answer *x[18];
    char ids[18][8];
    for (int i = 0; i < 18; i++) {
        snprintf(ids[i], sizeof ids[i], "q%d", i + 1);
        x[i] = level_answer(ids[i], (i * 7) % 6);
    }
    int code;
    char msg[512];
    Assessment *b = save(key, a->id, a->etag, x, 18, NULL, &code, msg);
    if (code != ERR_OK)
        print_message("answer_all: %d %s\n", code, msg);
    assert_int_equal(code, ERR_OK);
    answers_free(x, 18);
    return b;
}

static void test_submit_freezes_and_reopen_thaws_as_a_new_revision(void **state)
{
    (void)state;
    Assessment *a = must_create(ken, "KEN", 2010, CIP);
    Assessment *b = answer_all(ken, a);
    assert_float_equal(b->completeness, 1.0, 1e-12);
    int code;
    char msg[512];
    Assessment *c = submit(ken, a->id, b->etag, &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(c->status, SUBMITTED);
    assert_int_equal(c->revision, 3);
    assert_true(strlen(c->submitted_at) == 24);
    /* Read-only now. */
    Answer *x[] = {level_answer("q1", 5)};
    assert_null(save(ken, a->id, c->etag, x, 1, NULL, &code, msg));
    assert_int_equal(code, ERR_FAILED_PRECONDITION);
    assert_non_null(strstr(msg, "SUBMITTED"));
    assert_null(submit(ken, a->id, c->etag, &code, NULL));
    assert_int_equal(code, ERR_FAILED_PRECONDITION);
    /* Reopen needs a reason, and a submitted assessment. */
    assert_null(reopen(ken, a->id, c->etag, "", &code, msg));
    assert_int_equal(code, ERR_INVALID_ARGUMENT);
    assert_true(strncmp(msg, "reason:", 7) == 0);
    Assessment *d = reopen(ken, a->id, c->etag, "The 2022 strategy revision was missed", &code, msg);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(d->status, DRAFT);
    assert_int_equal(d->revision, 4);
    assert_string_equal(d->submitted_at, "");
    assert_int_equal(d->n_answers, 18);
    assert_null(reopen(ken, a->id, d->etag, "again", &code, NULL));
    assert_int_equal(code, ERR_FAILED_PRECONDITION);
    Assessment *e = save(ken, a->id, d->etag, x, 1, NULL, &code, msg);
    assert_int_equal(code, ERR_OK);
    Unic__Responses__V1__ListRevisionsResponse *rv = revisions(ken, a->id, &code);
    assert_int_equal(rv->n_revisions, 5);
    assert_string_equal(rv->revisions[2]->action, "SUBMIT");
    assert_int_equal(rv->revisions[2]->status, SUBMITTED);
    assert_string_equal(rv->revisions[3]->action, "REOPEN");
    assert_string_equal(rv->revisions[3]->reason, "The 2022 strategy revision was missed");
    assert_int_equal(rv->revisions[3]->status, DRAFT);
    harness_free(rv);
    answers_free(x, 1);
    harness_free(a);
    harness_free(b);
    harness_free(c);
    harness_free(d);
    harness_free(e);
}

static void test_every_revision_reads_back_exactly(void **state)
{
    (void)state;
    enum { N = 8 };
    Assessment *w[N + 1];
    int code;
    char msg[512];
    w[0] = must_create(ken2, "KEN", 2025, CIP);
    for (int i = 1; i < N; i++)
        w[i] = must_save_level(i % 2 ? ken : ken2, w[i - 1], i % 3 ? "q1" : "q7", i % 6);
    w[N] = set_visibility(ken, w[0]->id, w[N - 1]->etag, UNIC, &code, msg);
    assert_int_equal(code, ERR_OK);
    for (int i = 0; i <= N; i++) {
        Assessment *r = get_revision(ken, w[0]->id, i + 1, &code);
        assert_int_equal(code, ERR_OK);
        assert_true(harness_packed_equal(&w[i]->base, &r->base));
        harness_free(r);
    }
    harness_free(get_revision(ken, w[0]->id, N + 2, &code));
    assert_int_equal(code, ERR_NOT_FOUND);
    harness_free(get_revision(ken, w[0]->id, 0, &code));
    assert_int_equal(code, ERR_INVALID_ARGUMENT);
    /* The operator sees the revision written while UNIC, and none before it. */
    harness_free(get_revision(op, w[0]->id, N + 1, &code));
    assert_int_equal(code, ERR_OK);
    harness_free(get_revision(op, w[0]->id, N, &code));
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    for (int i = 0; i <= N; i++)
        harness_free(w[i]);
}

static void test_history_is_append_only_in_the_database(void **state)
{
    (void)state;
    harness_free(must_create(ken, "KEN", 2020, "unic-compliance"));
    assert_int_equal(harness_sql(&H, "UPDATE responses.revisions SET reason = 'rewritten'"), -1);
    assert_int_equal(harness_sql(&H, "DELETE FROM responses.revisions"), -1);
    assert_int_equal(harness_sql(&H, "TRUNCATE responses.revisions CASCADE"), -1);
}

/* ---- Reads ---- */

static void test_get_by_state_cycle_and_questionnaire(void **state)
{
    (void)state;
    Unic__Responses__V1__GetAssessmentRequest r = UNIC__RESPONSES__V1__GET_ASSESSMENT_REQUEST__INIT;
    r.state_code = (char *)"KEN";
    r.cycle = 2024;
    r.questionnaire_id = (char *)CIP;
    Assessment *out = NULL;
    char msg[512];
    assert_int_equal(responses_get_assessment(&H, ken, &r, &out, msg, sizeof msg), ERR_OK);
    assert_string_equal(out->id, "KEN-2024-cip-self-assessment");
    harness_free(out);
    assert_int_equal(responses_get_assessment(&H, fra, &r, NULL, msg, sizeof msg),
                     ERR_PERMISSION_DENIED);
    r.cycle = 1999;
    assert_int_equal(responses_get_assessment(&H, ken, &r, NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_true(strncmp(msg, "cycle:", 6) == 0);
    r.state_code = (char *)"";
    assert_int_equal(responses_get_assessment(&H, ken, &r, NULL, msg, sizeof msg),
                     ERR_INVALID_ARGUMENT);
    assert_true(strncmp(msg, "state_code:", 11) == 0);
}

/* A read is the revision as it is now, whoever reads it next: the head and its snapshot come
 * from one statement, with no copy of an older revision anywhere to serve instead. */
static void test_reads_follow_the_revision_and_are_never_stale(void **state)
{
    (void)state;
    Assessment *a = must_create(ken, "KEN", 2022, CIP);
    int code;
    Assessment *g1 = get(ken, a->id, &code, NULL);
    assert_int_equal(code, ERR_OK);
    assert_true(harness_packed_equal(&a->base, &g1->base));
    Assessment *b = must_save_level(ken, a, "q5", 3);
    Assessment *g2 = get(ken, a->id, &code, NULL);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(g2->revision, 2);
    assert_true(harness_packed_equal(&b->base, &g2->base));
    Assessment *g3 = get(ken2, a->id, &code, NULL); /* another key of the State */
    assert_int_equal(code, ERR_OK);
    assert_true(harness_packed_equal(&b->base, &g3->base));
    assert_null(get(fra, a->id, &code, NULL)); /* PRIVATE: not another State's */
    assert_int_equal(code, ERR_PERMISSION_DENIED);
    harness_free(a);
    harness_free(b);
    harness_free(g1);
    harness_free(g2);
    harness_free(g3);
}

/* ---- Durability ---- */

static void test_acknowledged_writes_survive_sigkill(void **state)
{
    (void)state;
    enum { N = 40 };
    Assessment *a = must_create(fra, "FRA", 2023, CIP);
    for (int i = 0; i < N; i++) {
        Answer *x[] = {level_answer("q1", i % 6), level_answer("q2", (i + 1) % 6)};
        int code;
        char msg[512];
        Assessment *b = save(fra, a->id, a->etag, x, 2, NULL, &code, msg);
        answers_free(x, 2);
        assert_int_equal(code, ERR_OK);
        harness_free(a);
        a = b;
    }
    /* Killed right after the last acknowledgement: no drain, no goodbye. */
    assert_int_equal(harness_stop(&H, SVC_RESPONSES, SIGKILL), 128 + SIGKILL);
    assert_int_equal(harness_start(&H, SVC_RESPONSES, NULL), 0);
    int code;
    Assessment *b = get(fra, a->id, &code, NULL);
    assert_int_equal(code, ERR_OK);
    assert_int_equal(b->revision, 1 + N);
    assert_true(harness_packed_equal(&a->base, &b->base));
    Unic__Responses__V1__ListRevisionsResponse *rv = revisions(fra, a->id, &code);
    assert_int_equal(rv->n_revisions, 1 + N);
    for (int i = 0; i < 1 + N; i++)
        assert_int_equal(rv->revisions[i]->revision, i + 1);
    harness_free(rv);
    harness_free(a);
    harness_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_returns_private_draft_at_revision_one),
        cmocka_unit_test(test_create_twice_is_already_exists),
        cmocka_unit_test(test_create_for_another_state_is_denied_and_logged),
        cmocka_unit_test(test_create_validation_names_the_field),
        cmocka_unit_test(test_create_with_latest_version_resolves_it),
        cmocka_unit_test(test_two_states_neither_reads_nor_writes_the_others_private_assessment),
        cmocka_unit_test(test_operators_and_services_never_write),
        cmocka_unit_test(test_visibility_decides_who_reads),
        cmocka_unit_test(test_list_returns_only_what_the_caller_may_see_in_pages),
        cmocka_unit_test(test_save_makes_a_revision_naming_changed_questions),
        cmocka_unit_test(test_save_validation_names_the_field_and_writes_nothing),
        cmocka_unit_test(test_answer_types_of_a_questionnaire_with_text_and_optional_questions),
        cmocka_unit_test(test_stale_etag_is_aborted_and_writes_nothing),
        cmocka_unit_test(test_two_writers_with_the_same_etag_exactly_one_wins),
        cmocka_unit_test(test_writer_queued_behind_another_commit_gets_aborted),
        cmocka_unit_test(test_retried_request_id_returns_the_first_result_and_no_second_revision),
        cmocka_unit_test(test_concurrent_retries_of_one_request_id_make_one_revision),
        cmocka_unit_test(test_self_assessment_submitted_in_part_says_how_many_were_left),
        cmocka_unit_test(test_compliance_checklist_with_duties_unanswered_is_refused_and_lists_them),
        cmocka_unit_test(test_private_compliance_report_reaches_unic_but_not_other_states),
        cmocka_unit_test(test_least_developed_country_submits_its_checklist_without_paragraph_9),
        cmocka_unit_test(test_submit_freezes_and_reopen_thaws_as_a_new_revision),
        cmocka_unit_test(test_every_revision_reads_back_exactly),
        cmocka_unit_test(test_history_is_append_only_in_the_database),
        cmocka_unit_test(test_get_by_state_cycle_and_questionnaire),
        cmocka_unit_test(test_reads_follow_the_revision_and_are_never_stale),
        cmocka_unit_test(test_acknowledged_writes_survive_sigkill),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
