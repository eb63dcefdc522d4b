/* upstream.c: the scoring service's reads from the responses and catalog services, always on the
 * caller's behalf, so that those services decide what the caller may see and nothing here can
 * widen it. Every reply is copied into the call's arena, so handlers hold no heap memory; only
 * published questionnaire versions, which never change, are kept for the process (scoring_app). */
#include "scoring.h"

#include "pbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_PAGE_SIZE 500 /* ListAssessments' maximum */
#define LIST_MAX_PAGES 1000

static struct scoring_app *app_of(struct call *c)
{
    return c->app;
}

/* The remote status passes through as it is: a denial or a not-found is the remote service's
 * decision, in its words. A failure to get an answer at all says where. Returns -1. */
static int call_failed(struct err *e, bool responses, const char *method)
{
    if (e->code == ERR_UNAVAILABLE || e->code == ERR_DEADLINE_EXCEEDED ||
        e->code == ERR_INTERNAL || e->code == ERR_UNKNOWN) {
        char why[sizeof e->msg];
        snprintf(why, sizeof why, "%s", e->msg);
        err_set(e, e->code, "could not call %s of the %s service: %s", method,
                responses ? "responses" : "catalog", why);
    }
    return -1;
}

/* One call to `method` of the responses (responses true) or catalog service, as the caller. */
static int call(struct call *c, bool responses, const char *method, const ProtobufCMessage *req,
                void **out, struct err *e)
{
    struct scoring_app *app = app_of(c);
    ProtobufCMessage *reply = NULL;
    /* Unpacked into the call's arena: its lifetime is the call's. */
    if (rpc_call(responses ? app->responses : app->catalog, rpc_caller_of(c),
                 responses ? &unic__responses__v1__response_service__descriptor
                           : &unic__catalog__v1__catalog_service__descriptor,
                 method, req, &c->arena, &reply, e) < 0)
        return call_failed(e, responses, method);
    *out = reply;
    return 0;
}

int upstream_get_assessment(struct call *c, const char *id, const char *state, int cycle,
                            const char *questionnaire_id, Assessment **out, struct err *e)
{
    Unic__Responses__V1__GetAssessmentRequest req =
        UNIC__RESPONSES__V1__GET_ASSESSMENT_REQUEST__INIT;
    req.assessment_id = (char *)id;
    if (id[0] == '\0') {
        req.state_code = (char *)state;
        req.cycle = cycle;
        req.questionnaire_id = (char *)questionnaire_id;
    }
    return call(c, true, "GetAssessment", &req.base, (void **)out, e);
}

int upstream_evidence_documents(struct call *c, const char *assessment_id,
                                Unic__Responses__V1__ListEvidenceDocumentsResponse **out,
                                struct err *e)
{
    Unic__Responses__V1__ListEvidenceDocumentsRequest req =
        UNIC__RESPONSES__V1__LIST_EVIDENCE_DOCUMENTS_REQUEST__INIT;
    req.assessment_id = (char *)assessment_id;
    req.question_id = "";
    return call(c, true, "ListEvidenceDocuments", &req.base, (void **)out, e);
}

int upstream_list_assessments(struct call *c, const char *state, int cycle,
                              const char *questionnaire_id,
                              Unic__Responses__V1__AssessmentStatus status, bool with_answers,
                              Assessment ***out, size_t *n, struct err *e)
{
    Unic__Responses__V1__ListAssessmentsRequest req =
        UNIC__RESPONSES__V1__LIST_ASSESSMENTS_REQUEST__INIT;
    req.state_code = (char *)state;
    req.cycle = cycle;
    req.questionnaire_id = (char *)questionnaire_id;
    req.status = status;
    req.page_size = LIST_PAGE_SIZE;
    req.with_answers = with_answers;
    req.page_token = "";
    size_t count = 0, cap = 8;
    Assessment **all = ARENA_ARRAY(&c->arena, Assessment *, cap); /* never NULL, even if empty */
    for (int page = 0;; page++) {
        if (page == LIST_MAX_PAGES)
            return err_set(e, ERR_RESOURCE_EXHAUSTED,
                           "could not list assessments: more than %d pages", LIST_MAX_PAGES);
        Unic__Responses__V1__ListAssessmentsResponse *r;
        if (call(c, true, "ListAssessments", &req.base, (void **)&r, e) < 0)
            return -1;
        if (count + r->n_assessments > cap) {
            cap = 2 * (count + r->n_assessments);
            Assessment **grown = ARENA_ARRAY(&c->arena, Assessment *, cap);
            if (count)
                memcpy(grown, all, count * sizeof *all);
            all = grown;
        }
        for (size_t i = 0; i < r->n_assessments; i++)
            all[count++] = r->assessments[i];
        if (r->next_page_token == NULL || r->next_page_token[0] == '\0')
            break;
        req.page_token = r->next_page_token;
    }
    *out = all;
    *n = count;
    return 0;
}

int upstream_last_submitted(struct call *c, const Assessment *as, Assessment **out,
                            struct err *e)
{
    *out = NULL;
    if (as->status == UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED) {
        *out = (Assessment *)as;
        return 0;
    }
    Unic__Responses__V1__ListRevisionsRequest lr = UNIC__RESPONSES__V1__LIST_REVISIONS_REQUEST__INIT;
    lr.assessment_id = as->id;
    Unic__Responses__V1__ListRevisionsResponse *revs;
    if (call(c, true, "ListRevisions", &lr.base, (void **)&revs, e) < 0)
        return -1;
    int last = 0;
    for (size_t i = 0; i < revs->n_revisions; i++)
        if (revs->revisions[i]->status == UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED &&
            revs->revisions[i]->revision > last)
            last = revs->revisions[i]->revision;
    if (last == 0)
        return 0;
    Unic__Responses__V1__GetRevisionRequest gr = UNIC__RESPONSES__V1__GET_REVISION_REQUEST__INIT;
    gr.assessment_id = as->id;
    gr.revision = last;
    return call(c, true, "GetRevision", &gr.base, (void **)out, e);
}

void scoring_app_init(struct scoring_app *app, const struct config *cfg)
{
    memset(app, 0, sizeof *app);
    pthread_mutex_init(&app->lock, NULL);
    app->catalog = rpc_client_new(cfg->catalog_addr, cfg->call_timeout_ms);
    app->responses = rpc_client_new(cfg->responses_addr, cfg->call_timeout_ms);
    app->matching = rpc_client_new(cfg->matching_addr, cfg->call_timeout_ms);
    catalog_refs_init(&app->refs, app->catalog, cfg->cache_ttl_seconds);
}

void scoring_app_destroy(struct scoring_app *app)
{
    for (size_t i = 0; i < app->n_published; i++)
        protobuf_c_message_free_unpacked(&app->published[i]->base, NULL);
    free(app->published);
    for (size_t i = 0; i < app->n_zones; i++)
        tz_free(app->zones[i]);
    free(app->zones);
    rpc_client_free(app->matching);
    catalog_refs_destroy(&app->refs);
    rpc_client_free(app->responses);
    rpc_client_free(app->catalog);
    pthread_mutex_destroy(&app->lock);
}

int upstream_zone(struct call *c, const char *name, const struct tz **out, struct err *e)
{
    enum { ZONES_MAX = 600 }; /* tzdata has fewer than 600 names */
    struct scoring_app *app = c->app;
    struct tz *z = NULL;
    struct err why;
    pthread_mutex_lock(&app->lock);
    for (size_t i = 0; i < app->n_zones && z == NULL; i++)
        if (strcmp(tz_name(app->zones[i]), name) == 0)
            z = app->zones[i];
    pthread_mutex_unlock(&app->lock);
    if (z != NULL) {
        *out = z;
        return 0;
    }
    if (tz_load(name, NULL, &z, &why) < 0)
        return err_set(e, ERR_INTERNAL, "could not load time zone \"%.64s\": %s", name, why.msg);
    struct tz *kept = NULL;
    pthread_mutex_lock(&app->lock);
    for (size_t i = 0; i < app->n_zones && kept == NULL; i++)
        if (strcmp(tz_name(app->zones[i]), name) == 0)
            kept = app->zones[i]; /* another thread got there first */
    if (kept == NULL && app->n_zones < ZONES_MAX) {
        app->zones = xrealloc(app->zones, (app->n_zones + 1) * sizeof *app->zones);
        app->zones[app->n_zones++] = kept = z;
        z = NULL;
    }
    pthread_mutex_unlock(&app->lock);
    tz_free(z);
    if (kept == NULL)
        return err_set(e, ERR_INTERNAL, "could not keep time zone \"%s\": %d already loaded",
                       name, ZONES_MAX);
    *out = kept;
    return 0;
}

/* The copy of published questionnaire id/version kept by the app, or NULL. Call with the lock. */
static Questionnaire *published_find(struct scoring_app *app, const char *id, int version)
{
    for (size_t i = 0; i < app->n_published; i++)
        if (app->published[i]->version == version && strcmp(app->published[i]->id, id) == 0)
            return app->published[i];
    return NULL;
}

int upstream_get_questionnaire(struct call *c, const char *id, int version, Questionnaire **out,
                               struct err *e)
{
    struct scoring_app *app = app_of(c);
    if (version > 0) {
        pthread_mutex_lock(&app->lock);
        *out = published_find(app, id, version);
        pthread_mutex_unlock(&app->lock);
        if (*out)
            return 0;
    }
    Unic__Catalog__V1__GetQuestionnaireRequest req =
        UNIC__CATALOG__V1__GET_QUESTIONNAIRE_REQUEST__INIT;
    req.questionnaire_id = (char *)id;
    req.version = version;
    req.locale = "en";
    ProtobufCMessage *reply = NULL;
    /* On the heap: a published version is kept for the process (a draft only for this call). */
    if (rpc_call(app->catalog, rpc_caller_of(c), &unic__catalog__v1__catalog_service__descriptor,
                 "GetQuestionnaire", &req.base, NULL, &reply, e) < 0)
        return call_failed(e, false, "GetQuestionnaire");
    Questionnaire *q = (Questionnaire *)reply;
    if (q->state != UNIC__CATALOG__V1__VERSION_STATE__PUBLISHED) {
        /* a draft may still change: a copy in this call's arena only */
        size_t len;
        uint8_t *bytes = pbuf_pack(&c->arena, reply, &len);
        protobuf_c_message_free_unpacked(reply, NULL);
        *out = (Questionnaire *)pbuf_unpack(&c->arena, &unic__catalog__v1__questionnaire__descriptor, bytes, len);
        if (*out == NULL) /* bytes protobuf-c just packed always unpack */
            abort();
        return 0;
    }
    pthread_mutex_lock(&app->lock);
    *out = published_find(app, q->id, q->version); /* another thread may have been first */
    if (*out == NULL) {
        if (app->n_published == app->cap_published) {
            app->cap_published = app->cap_published ? 2 * app->cap_published : 8;
            app->published = xrealloc(app->published, app->cap_published * sizeof *app->published);
        }
        app->published[app->n_published++] = q;
        *out = q;
        q = NULL;
    }
    pthread_mutex_unlock(&app->lock);
    if (q)
        protobuf_c_message_free_unpacked(&q->base, NULL);
    return 0;
}

/* One call to `method` of the catalog's DirectoryService, as the caller. */
static int directory_call(struct call *c, const char *method, const ProtobufCMessage *req,
                          void **out, struct err *e)
{
    ProtobufCMessage *reply = NULL;
    if (rpc_call(app_of(c)->catalog, rpc_caller_of(c), &unic__catalog__v1__directory_service__descriptor,
                 method, req, &c->arena, &reply, e) < 0)
        return call_failed(e, false, method);
    *out = reply;
    return 0;
}

int upstream_directory_entry(struct call *c, const char *state, DirectoryEntry **out, struct err *e)
{
    Unic__Catalog__V1__GetDirectoryEntryRequest req = UNIC__CATALOG__V1__GET_DIRECTORY_ENTRY_REQUEST__INIT;
    req.state_code = (char *)state;
    *out = NULL;
    if (directory_call(c, "GetDirectoryEntry", &req.base, (void **)out, e) == 0)
        return 0;
    if (e->code != ERR_NOT_FOUND)
        return -1;
    err_clear(e);
    *out = NULL;
    return 0;
}

int upstream_matches_awaiting(struct call *c, const char *state, Unic__Matching__V1__Match ***out,
                              size_t *n, struct err *e)
{
    Unic__Matching__V1__ListMatchesRequest req = UNIC__MATCHING__V1__LIST_MATCHES_REQUEST__INIT;
    req.state_code = (char *)state;
    req.status = UNIC__MATCHING__V1__MATCH_STATUS__OFFERED;
    req.page_size = 100;
    *n = 0;
    *out = NULL;
    for (;;) {
        ProtobufCMessage *reply = NULL;
        if (rpc_call(app_of(c)->matching, rpc_caller_of(c), &unic__matching__v1__matching_service__descriptor,
                     "ListMatches", &req.base, &c->arena, &reply, e) < 0) {
            if (e->code == ERR_UNAVAILABLE || e->code == ERR_DEADLINE_EXCEEDED) {
                char why[sizeof e->msg];
                snprintf(why, sizeof why, "%s", e->msg);
                err_set(e, e->code, "could not call ListMatches of the matching service: %s", why);
            }
            return -1;
        }
        Unic__Matching__V1__ListMatchesResponse *r = (Unic__Matching__V1__ListMatchesResponse *)reply;
        Unic__Matching__V1__Match **grown = ARENA_ARRAY(&c->arena, Unic__Matching__V1__Match *, *n + r->n_matches + 1);
        if (*n)
            memcpy(grown, *out, *n * sizeof *grown);
        *out = grown;
        for (size_t i = 0; i < r->n_matches; i++) {
            Unic__Matching__V1__Match *m = r->matches[i];
            if ((strcmp(m->donor_state, state) == 0 && m->donor_responded_by[0] == '\0') ||
                (strcmp(m->recipient_state, state) == 0 && m->recipient_responded_by[0] == '\0'))
                (*out)[(*n)++] = m;
        }
        if (r->next_page_token[0] == '\0')
            return 0;
        req.page_token = r->next_page_token;
    }
}

int upstream_directory_all(struct call *c, DirectoryEntry ***out, size_t *n, struct err *e)
{
    Unic__Catalog__V1__ListDirectoryEntriesRequest req =
        UNIC__CATALOG__V1__LIST_DIRECTORY_ENTRIES_REQUEST__INIT;
    req.page_size = 200; /* more than the 193 Member States: one page */
    Unic__Catalog__V1__ListDirectoryEntriesResponse *r = NULL;
    if (directory_call(c, "ListDirectoryEntries", &req.base, (void **)&r, e) < 0)
        return -1;
    *out = r->entries;
    *n = r->n_entries;
    return 0;
}

int upstream_list_states(struct call *c, const Unic__Catalog__V1__ListStatesResponse **out,
                         struct err *e)
{
    struct refdata *ref;
    if (catalog_ref_borrow(&((struct scoring_app *)c->app)->refs, c, &ref, e) < 0)
        return -1;
    *out = ref->states_msg;
    return 0;
}

int upstream_get_questionnaire_texts(struct call *c, const char *id, int version,
                                     const char *locale, Questionnaire **out, struct err *e)
{
    if (strcmp(locale, "en") == 0)
        return upstream_get_questionnaire(c, id, version, out, e);
    Unic__Catalog__V1__GetQuestionnaireRequest req =
        UNIC__CATALOG__V1__GET_QUESTIONNAIRE_REQUEST__INIT;
    req.questionnaire_id = (char *)id;
    req.version = version;
    req.locale = (char *)locale;
    return call(c, false, "GetQuestionnaire", &req.base, (void **)out, e);
}
