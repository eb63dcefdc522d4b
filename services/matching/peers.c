/* peers.c: what the matching service asks of the other services: the catalog's topics, States
 * and M49 regions (common/catalog_ref.h: the one cache of them every service shares) and the
 * scoring service's gaps. Every call goes out with the end caller's credentials and deadline. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "groups.h"
#include "log.h"
#include "matching.h"
#include "text.h"

void matching_app_init(struct matching_app *app, const struct config *cfg)
{
    memset(app, 0, sizeof *app);
    app->catalog = rpc_client_new(cfg->catalog_addr, cfg->call_timeout_ms);
    app->scoring = rpc_client_new(cfg->scoring_addr, cfg->call_timeout_ms);
    app->responses = rpc_client_new(cfg->responses_addr, cfg->call_timeout_ms);
    catalog_refs_init(&app->refs, app->catalog, cfg->cache_ttl_seconds);
    atomic_init(&app->idem_purge_at_ms, 0);
}

void matching_app_destroy(struct matching_app *app)
{
    catalog_refs_destroy(&app->refs);
    rpc_client_free(app->responses);
    rpc_client_free(app->scoring);
    rpc_client_free(app->catalog);
}

int refdata_get(struct call *c, struct refdata **out, struct err *e)
{
    return catalog_ref_get(&((struct matching_app *)c->app)->refs, rpc_caller_of(c), out, e);
}

void refdata_put(struct matching_app *app, struct refdata *ref)
{
    catalog_ref_put(&app->refs, ref);
}

void refdata_date_requests(const struct refdata *ref, struct arena *a, const char *as_of,
                           struct match_request *requests, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct match_request *q = &requests[i];
        const struct ref_state *st = refdata_state(ref, q->recipient_state);
        if (st == NULL)
            continue; /* not a Member State any more: its snapshot stands */
        const char **groups = ARENA_ARRAY(a, const char *, country_groups_count);
        size_t n_groups = 0;
        q->ldc = false;
        for (size_t g = 0; g < country_groups_count; g++)
            for (size_t k = 0; k < st->n_periods; k++)
                if (strcmp(st->periods[k].group, country_groups[g]) == 0 &&
                    group_period_covers(st->periods[k].since, st->periods[k].until, as_of)) {
                    groups[n_groups++] = country_groups[g];
                    q->ldc = q->ldc || strcmp(country_groups[g], "LDC") == 0;
                    break;
                }
        q->groups = groups;
        q->n_groups = n_groups;
        q->intermediate_region = st->intermediate_region;
    }
}

int peers_gaps(struct call *c, const char *state, int cycle, Unic__Scoring__V1__GetGapsResponse **out,
               struct err *e)
{
    struct matching_app *app = c->app;
    Unic__Scoring__V1__GetGapsRequest req = UNIC__SCORING__V1__GET_GAPS_REQUEST__INIT;
    ProtobufCMessage *reply = NULL;
    struct err why;
    req.state_code = (char *)state;
    req.cycle = cycle;
    if (rpc_call(app->scoring, rpc_caller_of(c), &unic__scoring__v1__scoring_service__descriptor,
                 "GetGaps", &req.base, &c->arena, &reply, &why) < 0)
        return err_set(e, why.code, "could not get the gaps of %s for cycle %d from scoring: %s",
                       state, cycle, why.msg);
    *out = (Unic__Scoring__V1__GetGapsResponse *)reply;
    return 0;
}

/* Every self-assessment of `state` the caller may read, as summaries or with their answers. */
static int readable_assessments(struct call *c, const char *state, bool with_answers,
                                Unic__Responses__V1__Assessment ***out, size_t *n, struct err *e)
{
    struct matching_app *app = c->app;
    size_t cap = 8;
    *n = 0;
    *out = ARENA_ARRAY(&c->arena, Unic__Responses__V1__Assessment *, cap);
    const char *token = "";
    do {
        Unic__Responses__V1__ListAssessmentsRequest req =
            UNIC__RESPONSES__V1__LIST_ASSESSMENTS_REQUEST__INIT;
        ProtobufCMessage *reply = NULL;
        struct err why;
        req.state_code = (char *)state;
        req.questionnaire_id = MATCHING_SELF_ASSESSMENT;
        req.with_answers = with_answers;
        req.page_size = 500;
        req.page_token = (char *)token;
        if (rpc_call(app->responses, rpc_caller_of(c), &unic__responses__v1__response_service__descriptor,
                     "ListAssessments", &req.base, &c->arena, &reply, &why) < 0) {
            if (why.code == ERR_PERMISSION_DENIED || why.code == ERR_NOT_FOUND)
                return 0; /* nothing of this State the caller may read */
            return err_set(e, why.code, "could not list the assessments of %s from responses: %s",
                           state, why.msg);
        }
        Unic__Responses__V1__ListAssessmentsResponse *page =
            (Unic__Responses__V1__ListAssessmentsResponse *)reply;
        for (size_t i = 0; i < page->n_assessments; i++) {
            if (*n == cap) {
                Unic__Responses__V1__Assessment **grown =
                    ARENA_ARRAY(&c->arena, Unic__Responses__V1__Assessment *, 2 * cap);
                memcpy(grown, *out, cap * sizeof *grown);
                *out = grown;
                cap *= 2;
            }
            (*out)[(*n)++] = page->assessments[i];
        }
        token = page->next_page_token;
    } while (token[0]);
    return 0;
}

int peers_assessments(struct call *c, const char *state, Unic__Responses__V1__Assessment ***out,
                      size_t *n, struct err *e)
{
    return readable_assessments(c, state, true, out, n, e);
}

/* What one call learnt of one State: the cycles of its self-assessment the caller may read. */
struct gap_source {
    const char *state;
    int *cycles;
    size_t n_cycles;
    struct gap_source *next;
};

struct gap_sources *peers_gap_sources_new(struct call *c)
{
    struct gap_sources *s = ARENA_ARRAY(&c->arena, struct gap_sources, 1);
    s->call = c;
    return s;
}

bool peers_gap_source_readable(struct gap_sources *s, const char *state, int cycle)
{
    struct call *c = s->call;
    struct gap_source *g = s->list;
    while (g && strcmp(g->state, state) != 0)
        g = g->next;
    if (g == NULL) {
        Unic__Responses__V1__Assessment **as;
        size_t n;
        struct err e;
        g = ARENA_ARRAY(&c->arena, struct gap_source, 1);
        g->state = arena_strdup(&c->arena, state);
        if (readable_assessments(c, state, false, &as, &n, &e) < 0) {
            /* unknown is unreadable: the figures stay hidden, never shown by default */
            log_warn("figures derived from the self-assessments of %s hidden from %s: %s", state,
                     c->principal.label, e.msg);
            n = 0;
        }
        g->cycles = ARENA_ARRAY(&c->arena, int, n + 1);
        for (size_t i = 0; i < n; i++)
            if (strcmp(as[i]->state_code, state) == 0)
                g->cycles[g->n_cycles++] = as[i]->cycle;
        g->next = s->list;
        s->list = g;
    }
    for (size_t i = 0; i < g->n_cycles; i++)
        if (g->cycles[i] == cycle)
            return true;
    return false;
}
