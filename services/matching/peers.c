/* peers.c: what the matching service asks of the other services: the catalog's topics, States
 * and M49 regions (kept in memory, shared by all workers, refreshed when stale) and the scoring
 * service's gaps. Every call goes out with the end caller's credentials and deadline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "groups.h"
#include "log.h"
#include "matching.h"
#include "text.h"

/* Reference data changes only with a catalog release; a few minutes of staleness is harmless
 * and saves two calls on every write. */
#define REF_TTL_MAX_SECONDS 300

static void refdata_free(struct refdata *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_topics; i++)
        free(r->topics[i]);
    for (size_t i = 0; i < r->n_states; i++) {
        free(r->states[i].region);
        free(r->states[i].sub_region);
        free(r->states[i].intermediate_region);
        free(r->states[i].periods);
    }
    for (size_t i = 0; i < r->n_regions; i++)
        free(r->regions[i]);
    free(r->topics);
    free(r->states);
    free(r->regions);
    free(r);
}

void matching_app_init(struct matching_app *app, const struct config *cfg)
{
    memset(app, 0, sizeof *app);
    app->catalog = rpc_client_new(cfg->catalog_addr, cfg->call_timeout_ms);
    app->scoring = rpc_client_new(cfg->scoring_addr, cfg->call_timeout_ms);
    app->responses = rpc_client_new(cfg->responses_addr, cfg->call_timeout_ms);
    pthread_mutex_init(&app->lock, NULL);
    app->ref_ttl_seconds =
        cfg->cache_ttl_seconds < REF_TTL_MAX_SECONDS ? cfg->cache_ttl_seconds : REF_TTL_MAX_SECONDS;
}

void matching_app_destroy(struct matching_app *app)
{
    refdata_free(app->ref); /* every call has ended: no other reference is held */
    pthread_mutex_destroy(&app->lock);
    rpc_client_free(app->responses);
    rpc_client_free(app->scoring);
    rpc_client_free(app->catalog);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_state(const void *a, const void *b)
{
    return strcmp(((const struct ref_state *)a)->code, ((const struct ref_state *)b)->code);
}

/* Builds a snapshot from the catalog's two answers. */
static struct refdata *refdata_build(const Unic__Catalog__V1__ListTopicsResponse *t,
                                     const Unic__Catalog__V1__ListStatesResponse *s)
{
    struct refdata *r = xcalloc(1, sizeof *r);
    r->fetched_ms = clock_mono_ms();
    r->topics = xcalloc(t->n_topics + 1, sizeof *r->topics);
    for (size_t i = 0; i < t->n_topics; i++)
        r->topics[r->n_topics++] = xstrdup(t->topics[i]->id);
    qsort(r->topics, r->n_topics, sizeof *r->topics, cmp_str);

    r->states = xcalloc(s->n_states + 1, sizeof *r->states);
    char **names = xcalloc(3 * s->n_states + 1, sizeof *names);
    size_t n_names = 0;
    for (size_t i = 0; i < s->n_states; i++) {
        const Unic__Catalog__V1__State *st = s->states[i];
        if (strlen(st->code) != 3)
            continue;
        struct ref_state *d = &r->states[r->n_states++];
        memcpy(d->code, st->code, 4);
        d->region = xstrdup(st->region);
        d->sub_region = xstrdup(st->sub_region);
        d->intermediate_region = xstrdup(st->intermediate_region);
        d->ldc = st->ldc;
        d->periods = xcalloc(st->n_memberships + 1, sizeof *d->periods);
        for (size_t k = 0; k < st->n_memberships; k++) {
            const Unic__Catalog__V1__GroupMembership *m = st->memberships[k];
            struct ref_period *p = &d->periods[d->n_periods];
            /* the catalog writes dates and group ids; anything else would not fit and is no period */
            if (strlen(m->group) >= sizeof p->group || strlen(m->since) >= sizeof p->since ||
                strlen(m->until) >= sizeof p->until)
                continue;
            strcpy(p->group, m->group);
            strcpy(p->since, m->since);
            strcpy(p->until, m->until);
            d->n_periods++;
        }
        names[n_names++] = d->region;
        names[n_names++] = d->sub_region;
        names[n_names++] = d->intermediate_region;
    }
    qsort(r->states, r->n_states, sizeof *r->states, cmp_state);
    qsort(names, n_names, sizeof *names, cmp_str);
    r->regions = xcalloc(n_names + 1, sizeof *r->regions);
    for (size_t i = 0; i < n_names; i++)
        if (names[i][0] && (r->n_regions == 0 || strcmp(r->regions[r->n_regions - 1], names[i]) != 0))
            r->regions[r->n_regions++] = xstrdup(names[i]);
    free(names);
    return r;
}

/* Asks the catalog for both lists; NULL with *e set when either call fails. */
static struct refdata *refdata_fetch(struct call *c, struct err *e)
{
    struct matching_app *app = c->app;
    Unic__Catalog__V1__ListTopicsRequest tq = UNIC__CATALOG__V1__LIST_TOPICS_REQUEST__INIT;
    Unic__Catalog__V1__ListStatesRequest sq = UNIC__CATALOG__V1__LIST_STATES_REQUEST__INIT;
    ProtobufCMessage *topics = NULL, *states = NULL;
    struct refdata *r = NULL;
    struct err why;
    const ProtobufCServiceDescriptor *catalog = &unic__catalog__v1__catalog_service__descriptor;
    if (rpc_call(app->catalog, rpc_caller_of(c), catalog, "ListTopics", &tq.base, NULL, &topics, &why) < 0) {
        err_set(e, why.code, "could not list the catalog's topics: %s", why.msg);
        goto done;
    }
    if (rpc_call(app->catalog, rpc_caller_of(c), catalog, "ListStates", &sq.base, NULL, &states, &why) < 0) {
        err_set(e, why.code, "could not list the catalog's States: %s", why.msg);
        goto done;
    }
    r = refdata_build((const Unic__Catalog__V1__ListTopicsResponse *)topics,
                      (const Unic__Catalog__V1__ListStatesResponse *)states);
    if (r->n_topics == 0 || r->n_states == 0) {
        err_set(e, ERR_UNAVAILABLE, "could not load reference data: the catalog lists no %s",
                r->n_topics == 0 ? "topics" : "States");
        refdata_free(r);
        r = NULL;
    }
done:
    if (topics)
        protobuf_c_message_free_unpacked(topics, NULL);
    if (states)
        protobuf_c_message_free_unpacked(states, NULL);
    return r;
}

int refdata_get(struct call *c, struct refdata **out, struct err *e)
{
    struct matching_app *app = c->app;
    pthread_mutex_lock(&app->lock);
    struct refdata *r = app->ref;
    bool fresh = r && clock_mono_ms() - r->fetched_ms < (int64_t)app->ref_ttl_seconds * 1000;
    if (fresh)
        r->refs++;
    pthread_mutex_unlock(&app->lock);
    if (fresh) {
        *out = r;
        return 0;
    }

    /* Fetched outside the lock: a slow catalog must not stall the workers that hold a snapshot.
     * Two workers may fetch at once; the later one simply replaces the earlier. */
    struct err fe;
    struct refdata *n = refdata_fetch(c, &fe);
    pthread_mutex_lock(&app->lock);
    if (n) {
        struct refdata *old = app->ref;
        n->refs = 1; /* the app's own reference */
        app->ref = n;
        if (old && --old->refs == 0)
            refdata_free(old);
    } else if (app->ref) {
        log_warn("using reference data older than %d s: %s", app->ref_ttl_seconds, fe.msg);
    }
    r = app->ref;
    if (r)
        r->refs++;
    pthread_mutex_unlock(&app->lock);
    if (r == NULL) {
        *e = fe;
        return -1;
    }
    *out = r;
    return 0;
}

void refdata_put(struct matching_app *app, struct refdata *ref)
{
    if (ref == NULL)
        return;
    pthread_mutex_lock(&app->lock);
    bool last = --ref->refs == 0;
    pthread_mutex_unlock(&app->lock);
    if (last)
        refdata_free(ref);
}

bool refdata_topic_known(const struct refdata *ref, const char *topic)
{
    return bsearch(&topic, ref->topics, ref->n_topics, sizeof *ref->topics, cmp_str) != NULL;
}

const struct ref_state *refdata_state(const struct refdata *ref, const char *code)
{
    struct ref_state key;
    if (strlen(code) != 3)
        return NULL;
    memcpy(key.code, code, 4);
    return bsearch(&key, ref->states, ref->n_states, sizeof *ref->states, cmp_state);
}

bool refdata_region_known(const struct refdata *ref, const char *name)
{
    return bsearch(&name, ref->regions, ref->n_regions, sizeof *ref->regions, cmp_str) != NULL;
}

void refdata_region_names(const struct refdata *ref, char *buf, size_t size)
{
    size_t len = 0;
    if (size > 0)
        buf[0] = '\0';
    for (size_t i = 0; i < ref->n_regions && len + 1 < size; i++) {
        int n = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", ref->regions[i]);
        len = n < 0 || (size_t)n >= size - len ? size - 1 : len + (size_t)n;
    }
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
