/* catalog_ref.c: the shared client of the catalog's reference data (catalog_ref.h): one
 * snapshot at a time, replaced when stale, freed when its last holder puts it back. */
#include "catalog_ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "text.h"
#include "unic/catalog/v1/catalog.pb-c.h"

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
    if (r->states_msg)
        protobuf_c_message_free_unpacked(&r->states_msg->base, NULL);
    free(r->topics);
    free(r->states);
    free(r->regions);
    free(r);
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
                                     Unic__Catalog__V1__ListStatesResponse *s)
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
        d->full = st;
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
    r->states_msg = s; /* the snapshot's from now on */
    return r;
}

/* Asks the catalog for both lists; NULL with *e set when either call fails. */
static struct refdata *refdata_fetch(struct catalog_refs *refs, struct rpc_caller caller,
                                     struct err *e)
{
    Unic__Catalog__V1__ListTopicsRequest tq = UNIC__CATALOG__V1__LIST_TOPICS_REQUEST__INIT;
    Unic__Catalog__V1__ListStatesRequest sq = UNIC__CATALOG__V1__LIST_STATES_REQUEST__INIT;
    ProtobufCMessage *topics = NULL, *states = NULL;
    struct refdata *r = NULL;
    struct err why;
    const ProtobufCServiceDescriptor *catalog = &unic__catalog__v1__catalog_service__descriptor;
    if (rpc_call(refs->catalog, caller, catalog, "ListTopics", &tq.base, NULL, &topics, &why) < 0) {
        err_set(e, why.code, "could not list the catalog's topics: %s", why.msg);
        goto done;
    }
    if (rpc_call(refs->catalog, caller, catalog, "ListStates", &sq.base, NULL, &states, &why) < 0) {
        err_set(e, why.code, "could not list the catalog's States: %s", why.msg);
        goto done;
    }
    r = refdata_build((const Unic__Catalog__V1__ListTopicsResponse *)topics,
                      (Unic__Catalog__V1__ListStatesResponse *)states);
    states = NULL;
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

int catalog_ref_get(struct catalog_refs *refs, struct rpc_caller caller, struct refdata **out,
                    struct err *e)
{
    pthread_mutex_lock(&refs->lock);
    struct refdata *r = refs->ref;
    bool fresh = r && clock_mono_ms() - r->fetched_ms < (int64_t)refs->ttl_seconds * 1000;
    if (fresh)
        r->refs++;
    pthread_mutex_unlock(&refs->lock);
    if (fresh) {
        *out = r;
        return 0;
    }

    /* Fetched outside the lock: a slow catalog must not stall the workers that hold a snapshot.
     * Two workers may fetch at once; the later one simply replaces the earlier. */
    struct err fe;
    struct refdata *n = refdata_fetch(refs, caller, &fe);
    pthread_mutex_lock(&refs->lock);
    if (n) {
        struct refdata *old = refs->ref;
        n->refs = 1; /* the cache's own reference */
        refs->ref = n;
        if (old && --old->refs == 0)
            refdata_free(old);
    } else if (refs->ref) {
        log_warn("using reference data older than %d s: %s", refs->ttl_seconds, fe.msg);
    }
    r = refs->ref;
    if (r)
        r->refs++;
    pthread_mutex_unlock(&refs->lock);
    if (r == NULL) {
        *e = fe;
        return -1;
    }
    *out = r;
    return 0;
}

void catalog_ref_put(struct catalog_refs *refs, struct refdata *ref)
{
    if (ref == NULL)
        return;
    pthread_mutex_lock(&refs->lock);
    bool last = --ref->refs == 0;
    pthread_mutex_unlock(&refs->lock);
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

void catalog_refs_init(struct catalog_refs *r, struct rpc_client *catalog, int cache_ttl_seconds)
{
    memset(r, 0, sizeof *r);
    r->catalog = catalog;
    pthread_mutex_init(&r->lock, NULL);
    r->ttl_seconds = cache_ttl_seconds < CATALOG_REF_TTL_SECONDS ? cache_ttl_seconds
                                                                 : CATALOG_REF_TTL_SECONDS;
}

void catalog_refs_destroy(struct catalog_refs *r)
{
    refdata_free(r->ref); /* every call has ended: no other reference is held */
    r->ref = NULL;
    pthread_mutex_destroy(&r->lock);
}

struct borrowed {
    struct catalog_refs *refs;
    struct refdata *ref;
};

static void give_back(void *arg)
{
    struct borrowed *b = arg;
    catalog_ref_put(b->refs, b->ref);
}

int catalog_ref_borrow(struct catalog_refs *r, struct call *c, struct refdata **out, struct err *e)
{
    if (catalog_ref_get(r, rpc_caller_of(c), out, e) < 0)
        return -1;
    struct borrowed *b = arena_alloc(&c->arena, sizeof *b);
    b->refs = r;
    b->ref = *out;
    arena_on_destroy(&c->arena, give_back, b);
    return 0;
}
