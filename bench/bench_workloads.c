/* bench_workloads.c: the workloads of unic-load: a health check (the baseline), a cached
 * questionnaire read, a durable 18-answer save, and a scorecard read warm and cold. */
#include "bench_workloads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "db.h"
#include "grpc/health/v1/health.pb-c.h"
#include "mem.h"
#include "text.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "unic/responses/v1/responses.pb-c.h"
#include "unic/scoring/v1/scoring.pb-c.h"

void bench_ctx_open(struct bench_ctx *ctx)
{
    ctx->c_catalog = rpc_client_new(ctx->catalog, 10000);
    ctx->c_responses = rpc_client_new(ctx->responses, 10000);
    ctx->c_scoring = rpc_client_new(ctx->scoring, 10000);
    if (ctx->scoring_cold[0])
        ctx->c_scoring_cold = rpc_client_new(ctx->scoring_cold, 10000);
}

void bench_ctx_close(struct bench_ctx *ctx)
{
    rpc_client_free(ctx->c_catalog);
    rpc_client_free(ctx->c_responses);
    rpc_client_free(ctx->c_scoring);
    rpc_client_free(ctx->c_scoring_cold);
}

/* One call as the holder of `key`; the reply is freed unless the caller wants it. */
static int call_as(struct rpc_client *client, const ProtobufCServiceDescriptor *desc, const char *key,
                   const char *method, const ProtobufCMessage *req, ProtobufCMessage **keep,
                   struct err *e)
{
    char authz[160];
    ProtobufCMessage *reply = NULL;
    snprintf(authz, sizeof authz, "Bearer %s", key);
    if (rpc_call(client, (struct rpc_caller){authz, 0, NULL}, desc, method, req, NULL, &reply, e) < 0)
        return -1;
    if (keep)
        *keep = reply;
    else
        protobuf_c_message_free_unpacked(reply, NULL);
    return 0;
}

/* ---- health: the baseline ---- */

static int health_call(struct bench_ctx *ctx, void *state, struct err *e)
{
    (void)state;
    Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    return call_as(ctx->c_catalog, &grpc__health__v1__health__descriptor, "", "Check", &req.base,
                   NULL, e);
}

/* ---- questionnaire: the self-assessment, served from Redis after the first read ---- */

static int questionnaire_call(struct bench_ctx *ctx, void *state, struct err *e)
{
    (void)state;
    Unic__Catalog__V1__GetQuestionnaireRequest req = UNIC__CATALOG__V1__GET_QUESTIONNAIRE_REQUEST__INIT;
    req.questionnaire_id = (char *)"cip-self-assessment";
    return call_as(ctx->c_catalog, &unic__catalog__v1__catalog_service__descriptor, ctx->operator_key,
                   "GetQuestionnaire", &req.base, NULL, e);
}

/* ---- save: one durable revision of 18 answers per call, each worker its own State ---- */

struct writer {
    char key[64];
    char id[64];
    char etag[128];
    int round;
};

static int writer_setup(struct bench_ctx *ctx, int worker, void **state, struct err *e)
{
    if (ctx->db_url[0] == '\0')
        return err_set(e, ERR_INVALID_ARGUMENT, "--db-url is needed to issue State keys");
    /* Worker n writes for the n-th Member State, in a cycle no test uses. */
    Unic__Catalog__V1__ListStatesRequest lreq = UNIC__CATALOG__V1__LIST_STATES_REQUEST__INIT;
    ProtobufCMessage *reply = NULL;
    if (call_as(ctx->c_catalog, &unic__catalog__v1__catalog_service__descriptor, ctx->operator_key,
                "ListStates", &lreq.base, &reply, e) < 0)
        return -1;
    Unic__Catalog__V1__ListStatesResponse *states = (void *)reply;
    char code[4];
    snprintf(code, sizeof code, "%s", states->states[(size_t)worker % states->n_states]->code);
    protobuf_c_message_free_unpacked(reply, NULL);

    struct writer *w = xcalloc(1, sizeof *w);
    struct db db;
    int rc = db_init(&db, ctx->db_url, e) == 0 && auth_key_generate(w->key, e) == 0 &&
                     auth_key_store(&db, w->key, ROLE_STATE, code, "bench", NULL, e) == 0
                 ? 0
                 : -1;
    db_destroy(&db);
    if (rc < 0) {
        free(w);
        return -1;
    }
    /* The bench's own cycle: this year + 1, so a rerun finds and reuses the assessment. */
    Unic__Responses__V1__CreateAssessmentRequest creq = UNIC__RESPONSES__V1__CREATE_ASSESSMENT_REQUEST__INIT;
    creq.state_code = code;
    creq.cycle = text_current_year() + 1;
    creq.questionnaire_id = (char *)"cip-self-assessment";
    if (call_as(ctx->c_responses, &unic__responses__v1__response_service__descriptor, w->key,
                "CreateAssessment", &creq.base, &reply, e) < 0) {
        if (e->code != ERR_ALREADY_EXISTS) {
            free(w);
            return -1;
        }
        Unic__Responses__V1__GetAssessmentRequest greq = UNIC__RESPONSES__V1__GET_ASSESSMENT_REQUEST__INIT;
        greq.state_code = code;
        greq.cycle = creq.cycle;
        greq.questionnaire_id = creq.questionnaire_id;
        if (call_as(ctx->c_responses, &unic__responses__v1__response_service__descriptor, w->key,
                    "GetAssessment", &greq.base, &reply, e) < 0) {
            free(w);
            return -1;
        }
    }
    Unic__Responses__V1__Assessment *a = (void *)reply;
    snprintf(w->id, sizeof w->id, "%s", a->id);
    snprintf(w->etag, sizeof w->etag, "%s", a->etag);
    protobuf_c_message_free_unpacked(reply, NULL);
    *state = w;
    return 0;
}

static int writer_call(struct bench_ctx *ctx, void *state, struct err *e)
{
    struct writer *w = state;
    Unic__Responses__V1__Answer answers[18], *ptrs[18];
    char ids[18][8];
    w->round++;
    for (int i = 0; i < 18; i++) {
        Unic__Responses__V1__Answer a = UNIC__RESPONSES__V1__ANSWER__INIT;
        snprintf(ids[i], sizeof ids[i], "q%d", i + 1);
        a.question_id = ids[i];
        a.level_value_case = UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
        a.level = (w->round + i) % 6; /* every save changes every answer */
        answers[i] = a;
        ptrs[i] = &answers[i];
    }
    Unic__Responses__V1__SaveAnswersRequest req = UNIC__RESPONSES__V1__SAVE_ANSWERS_REQUEST__INIT;
    req.assessment_id = w->id;
    req.etag = w->etag;
    req.n_answers = 18;
    req.answers = ptrs;
    ProtobufCMessage *reply = NULL;
    if (call_as(ctx->c_responses, &unic__responses__v1__response_service__descriptor, w->key,
                "SaveAnswers", &req.base, &reply, e) < 0)
        return -1;
    snprintf(w->etag, sizeof w->etag, "%s", ((Unic__Responses__V1__Assessment *)reply)->etag);
    protobuf_c_message_free_unpacked(reply, NULL);
    return 0;
}

static void writer_teardown(struct bench_ctx *ctx, void *state)
{
    (void)ctx;
    free(state);
}

/* ---- scorecard: read the score of one assessment, warm (Redis) and cold (a scoring instance
 * started with UNIC_REDIS=off, so every call reads answers and computes) ---- */

static int scorecard_setup(struct bench_ctx *ctx, int worker, void **state, struct err *e)
{
    if (writer_setup(ctx, worker, state, e) < 0)
        return -1;
    return writer_call(ctx, *state, e); /* something to score */
}

static int scorecard(struct bench_ctx *ctx, struct rpc_client *client, void *state, struct err *e)
{
    struct writer *w = state;
    if (client == NULL)
        return err_set(e, ERR_INVALID_ARGUMENT, "no scoring instance for this workload");
    Unic__Scoring__V1__GetScorecardRequest req = UNIC__SCORING__V1__GET_SCORECARD_REQUEST__INIT;
    req.assessment_id = w->id;
    (void)ctx;
    return call_as(client, &unic__scoring__v1__scoring_service__descriptor, w->key, "GetScorecard",
                   &req.base, NULL, e);
}

static int scorecard_warm_call(struct bench_ctx *ctx, void *state, struct err *e)
{
    return scorecard(ctx, ctx->c_scoring, state, e);
}

static int scorecard_cold_call(struct bench_ctx *ctx, void *state, struct err *e)
{
    return scorecard(ctx, ctx->c_scoring_cold, state, e);
}

static const struct workload workloads[] = {
    {"health", "grpc.health.v1.Health/Check on the catalog (the baseline)", NULL, health_call, NULL},
    {"questionnaire", "GetQuestionnaire cip-self-assessment (cached)", NULL, questionnaire_call, NULL},
    {"save", "SaveAnswers with 18 answers: one durable revision per call", writer_setup, writer_call,
     writer_teardown},
    {"scorecard-warm", "GetScorecard served from Redis", scorecard_setup, scorecard_warm_call,
     writer_teardown},
    {"scorecard-cold", "GetScorecard computed every time (--scoring-cold: UNIC_REDIS=off)",
     scorecard_setup, scorecard_cold_call, writer_teardown},
};

const struct workload *bench_workload_find(const char *name)
{
    for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
        if (strcmp(workloads[i].name, name) == 0)
            return &workloads[i];
    return NULL;
}

void bench_workloads_list(FILE *f)
{
    fputs("workloads:\n", f);
    for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
        fprintf(f, "  %-15s %s\n", workloads[i].name, workloads[i].what);
}
