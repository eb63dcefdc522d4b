/* bench_workloads.c: the workloads of unic-load: a health check (the baseline), a cached
 * questionnaire read, a durable 18-answer save, a scorecard read, and the
 * questionnaire and the save again through unic-gateway, as Connect JSON and Connect binary
 * (libcurl, one keep-alive connection per worker, as a browser would hold). */
#include "bench_workloads.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "auth.h"
#include "bytes.h"
#include "db.h"
#include "grpc/health/v1/health.pb-c.h"
#include "mem.h"
#include "pbjson.h"
#include "pbuf.h"
#include "text.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "unic/responses/v1/responses.pb-c.h"
#include "unic/scoring/v1/scoring.pb-c.h"

void bench_ctx_open(struct bench_ctx *ctx)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ctx->c_catalog = rpc_client_new(ctx->catalog, 10000);
    ctx->c_responses = rpc_client_new(ctx->responses, 10000);
    ctx->c_scoring = rpc_client_new(ctx->scoring, 10000);
}

void bench_ctx_close(struct bench_ctx *ctx)
{
    rpc_client_free(ctx->c_catalog);
    rpc_client_free(ctx->c_responses);
    rpc_client_free(ctx->c_scoring);
    curl_global_cleanup();
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

int bench_save_questionnaire(struct bench_ctx *ctx, const char *path)
{
    Unic__Catalog__V1__GetQuestionnaireRequest req = UNIC__CATALOG__V1__GET_QUESTIONNAIRE_REQUEST__INIT;
    req.questionnaire_id = (char *)"cip-self-assessment";
    char authz[160];
    snprintf(authz, sizeof authz, "Bearer %s", ctx->operator_key);
    struct arena a;
    arena_init(&a);
    struct err e;
    size_t len, reply_len;
    uint8_t *bytes = pbuf_pack(&a, &req.base, &len), *reply;
    int rc = -1;
    if (rpc_call_bytes(ctx->c_catalog, (struct rpc_caller){authz, 0, NULL},
                       "/unic.catalog.v1.CatalogService/GetQuestionnaire", bytes, len, &a, &reply,
                       &reply_len, &e) < 0) {
        fprintf(stderr, "could not get the questionnaire: %s\n", e.msg);
        goto done;
    }
    FILE *f = fopen(path, "wb");
    bool written = f != NULL && fwrite(reply, 1, reply_len, f) == reply_len;
    if (f != NULL && fclose(f) != 0)
        written = false;
    if (!written) {
        fprintf(stderr, "could not write %s\n", path);
        goto done;
    }
    rc = 0;
done:
    arena_destroy(&a);
    return rc;
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
                     auth_key_store(&db, w->key, ROLE_STATE, code, "bench", NULL, e) >= 0
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

/* The next save's 18 answers, every one changed, into storage the caller holds. */
struct save_request {
    Unic__Responses__V1__SaveAnswersRequest req;
    Unic__Responses__V1__Answer answers[18], *ptrs[18];
    char ids[18][8];
};

static void save_request_fill(struct save_request *s, struct writer *w)
{
    w->round++;
    for (int i = 0; i < 18; i++) {
        Unic__Responses__V1__Answer a = UNIC__RESPONSES__V1__ANSWER__INIT;
        snprintf(s->ids[i], sizeof s->ids[i], "q%d", i + 1);
        a.question_id = s->ids[i];
        a.level_value_case = UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
        a.level = (w->round + i) % 6; /* every save changes every answer */
        s->answers[i] = a;
        s->ptrs[i] = &s->answers[i];
    }
    Unic__Responses__V1__SaveAnswersRequest req = UNIC__RESPONSES__V1__SAVE_ANSWERS_REQUEST__INIT;
    req.assessment_id = w->id;
    req.etag = w->etag;
    req.n_answers = 18;
    req.answers = s->ptrs;
    s->req = req;
}

static int writer_call(struct bench_ctx *ctx, void *state, struct err *e)
{
    struct writer *w = state;
    struct save_request s;
    save_request_fill(&s, w);
    Unic__Responses__V1__SaveAnswersRequest req = s.req;
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

/* ---- scorecard: read the score of one assessment (computed on every call: the scoring service
 * caches none) ---- */

static int scorecard_setup(struct bench_ctx *ctx, int worker, void **state, struct err *e)
{
    if (writer_setup(ctx, worker, state, e) < 0)
        return -1;
    return writer_call(ctx, *state, e); /* something to score */
}

static int scorecard_call(struct bench_ctx *ctx, void *state, struct err *e)
{
    struct writer *w = state;
    Unic__Scoring__V1__GetScorecardRequest req = UNIC__SCORING__V1__GET_SCORECARD_REQUEST__INIT;
    req.assessment_id = w->id;
    return call_as(ctx->c_scoring, &unic__scoring__v1__scoring_service__descriptor, w->key,
                   "GetScorecard", &req.base, NULL, e);
}


/* ---- the same calls through unic-gateway: Connect, JSON or binary ---- */

struct http_worker {
    CURL *curl;
    struct curl_slist *headers;
    struct bytes reply;
    struct writer *writer; /* the save workloads' assessment, else NULL */
};

static size_t http_collect(char *p, size_t size, size_t n, void *data)
{
    bytes_append(data, p, size * n);
    return size * n;
}

static struct http_worker *http_worker_new(const char *key, bool json)
{
    struct http_worker *h = xcalloc(1, sizeof *h);
    char authz[160];
    snprintf(authz, sizeof authz, "Authorization: Bearer %s", key);
    h->curl = curl_easy_init();
    h->headers = curl_slist_append(NULL, json ? "Content-Type: application/json"
                                              : "Content-Type: application/proto");
    h->headers = curl_slist_append(h->headers, "Connect-Protocol-Version: 1");
    h->headers = curl_slist_append(h->headers, authz);
    curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
    curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, http_collect);
    curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &h->reply);
    curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
    return h;
}

/* POSTs body to the gateway's path; 0 with the reply in h->reply when the status is 200. */
static int http_post(struct bench_ctx *ctx, struct http_worker *h, const char *path,
                     const void *body, size_t len, struct err *e)
{
    char url[300];
    snprintf(url, sizeof url, "%s%s", ctx->gateway, path);
    h->reply.len = 0;
    curl_easy_setopt(h->curl, CURLOPT_URL, url);
    curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE, (long)len);
    CURLcode rc = curl_easy_perform(h->curl);
    if (rc != CURLE_OK)
        return err_set(e, ERR_UNAVAILABLE, "POST %s: %s", path, curl_easy_strerror(rc));
    long status = 0;
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200)
        return err_set(e, ERR_UNKNOWN, "POST %s: HTTP %ld: %.200s", path, status,
                       h->reply.data ? (const char *)h->reply.data : "");
    return 0;
}

static void http_teardown(struct bench_ctx *ctx, void *state)
{
    (void)ctx;
    struct http_worker *h = state;
    curl_slist_free_all(h->headers);
    curl_easy_cleanup(h->curl);
    bytes_destroy(&h->reply);
    free(h->writer);
    free(h);
}

static int http_json_setup(struct bench_ctx *ctx, int worker, void **state, struct err *e)
{
    (void)worker;
    (void)e;
    *state = http_worker_new(ctx->operator_key, true);
    return 0;
}

static int http_proto_setup(struct bench_ctx *ctx, int worker, void **state, struct err *e)
{
    (void)worker;
    (void)e;
    *state = http_worker_new(ctx->operator_key, false);
    return 0;
}

#define GET_QUESTIONNAIRE "/unic.catalog.v1.CatalogService/GetQuestionnaire"
#define SAVE_ANSWERS "/unic.responses.v1.ResponseService/SaveAnswers"

static int questionnaire_json_call(struct bench_ctx *ctx, void *state, struct err *e)
{
    static const char body[] = "{\"questionnaireId\":\"cip-self-assessment\"}";
    return http_post(ctx, state, GET_QUESTIONNAIRE, body, sizeof body - 1, e);
}

static int questionnaire_proto_call(struct bench_ctx *ctx, void *state, struct err *e)
{
    Unic__Catalog__V1__GetQuestionnaireRequest req = UNIC__CATALOG__V1__GET_QUESTIONNAIRE_REQUEST__INIT;
    req.questionnaire_id = (char *)"cip-self-assessment";
    uint8_t buf[64];
    size_t len = protobuf_c_message_pack(&req.base, buf);
    return http_post(ctx, state, GET_QUESTIONNAIRE, buf, len, e);
}

static int http_save_setup(struct bench_ctx *ctx, int worker, void **state, bool json, struct err *e)
{
    void *w;
    if (writer_setup(ctx, worker, &w, e) < 0)
        return -1;
    struct http_worker *h = http_worker_new(((struct writer *)w)->key, json);
    h->writer = w;
    *state = h;
    return 0;
}

static int save_json_setup(struct bench_ctx *ctx, int worker, void **state, struct err *e)
{
    return http_save_setup(ctx, worker, state, true, e);
}

static int save_proto_setup(struct bench_ctx *ctx, int worker, void **state, struct err *e)
{
    return http_save_setup(ctx, worker, state, false, e);
}

static int save_json_call(struct bench_ctx *ctx, void *state, struct err *e)
{
    struct http_worker *h = state;
    struct save_request s;
    save_request_fill(&s, h->writer);
    char *body;
    size_t len;
    pbjson_from_message(&s.req.base, false, &body, &len);
    int rc = http_post(ctx, h, SAVE_ANSWERS, body, len, e);
    free(body);
    if (rc < 0)
        return -1;
    /* the next save needs the new etag, as a browser would read it */
    json_t *reply = json_loadb((const char *)h->reply.data, h->reply.len, 0, NULL);
    const char *etag = json_string_value(json_object_get(reply, "etag"));
    if (etag)
        snprintf(h->writer->etag, sizeof h->writer->etag, "%s", etag);
    json_decref(reply);
    return etag ? 0 : err_set(e, ERR_INTERNAL, "SaveAnswers answered without an etag");
}

static int save_proto_call(struct bench_ctx *ctx, void *state, struct err *e)
{
    struct http_worker *h = state;
    struct save_request s;
    save_request_fill(&s, h->writer);
    uint8_t *body = xmalloc(protobuf_c_message_get_packed_size(&s.req.base));
    size_t len = protobuf_c_message_pack(&s.req.base, body);
    int rc = http_post(ctx, h, SAVE_ANSWERS, body, len, e);
    free(body);
    if (rc < 0)
        return -1;
    Unic__Responses__V1__Assessment *a =
        unic__responses__v1__assessment__unpack(NULL, h->reply.len, h->reply.data);
    if (a == NULL)
        return err_set(e, ERR_INTERNAL, "SaveAnswers answered with bytes that are no Assessment");
    snprintf(h->writer->etag, sizeof h->writer->etag, "%s", a->etag);
    unic__responses__v1__assessment__free_unpacked(a, NULL);
    return 0;
}

static const struct workload workloads[] = {
    {"health", "grpc.health.v1.Health/Check on the catalog (the baseline)", NULL, NULL,
     health_call, NULL},
    {"questionnaire", "GetQuestionnaire cip-self-assessment (cached)", NULL, NULL,
     questionnaire_call, NULL},
    {"save", "SaveAnswers with 18 answers: one durable revision per call", NULL, writer_setup,
     writer_call, writer_teardown},
    {"scorecard", "GetScorecard of the assessment the worker saved (--scoring)", NULL,
     scorecard_setup, scorecard_call, writer_teardown},
    {"questionnaire-json", "GetQuestionnaire through the gateway, Connect JSON (--gateway)",
     "questionnaire", http_json_setup, questionnaire_json_call, http_teardown},
    {"questionnaire-bin", "GetQuestionnaire through the gateway, Connect binary (--gateway)",
     "questionnaire", http_proto_setup, questionnaire_proto_call, http_teardown},
    {"save-json", "SaveAnswers through the gateway, Connect JSON (--gateway)", "save",
     save_json_setup, save_json_call, http_teardown},
    {"save-bin", "SaveAnswers through the gateway, Connect binary (--gateway)", "save",
     save_proto_setup, save_proto_call, http_teardown},
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
