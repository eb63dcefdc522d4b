/* model.c: the rules of the matching model (match.h): names of kinds, the compatibility rules,
 * the benefit of a unit, validation of an input, ranking by id, and the list of compatible arcs
 * found through an index of offers by (kind, topic). The solver (simplex.c) and the explanations
 * (explain.c) build on it through match_internal.h. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match_internal.h"
#include "mem.h"
#include "text.h"

/* One unit's benefit fits int32, which halves the memory of the cost array. */
_Static_assert(5 * MATCH_SEVERITY_MILLI_MAX * 3 * 1000 / 2 <= INT32_MAX,
               "the largest unit benefit must fit int32");

/* ---- memory ---------------------------------------------------------------------------------
 * Out of memory aborts in common/mem.c's wrapper, as everywhere in the project. Working memory
 * is counted here so that a solve can report its peak (match_stats.peak_bytes). */


/* Each counted block starts with its size, aligned for any type. */
union mem_header {
    max_align_t align;
    size_t size;
};

/* n elements of `size` bytes; a product that overflows is a bug, not a shortage of memory. */
void *match_alloc_array(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        abort();
    return xmalloc(n * size);
}

void *match_mem_resize(struct mem *m, void *p, size_t n, size_t size)
{
    if (size != 0 && n > (SIZE_MAX - sizeof(union mem_header)) / size)
        abort();
    size_t bytes = n * size;
    union mem_header *h = p == NULL ? NULL : (union mem_header *)p - 1;
    size_t old = h == NULL ? 0 : h->size;
    h = xrealloc(h, sizeof *h + bytes);
    h->size = bytes;
    m->cur = m->cur - old + bytes;
    if (m->cur > m->peak)
        m->peak = m->cur;
    return h + 1;
}

void *match_mem_alloc(struct mem *m, size_t n, size_t size)
{
    return match_mem_resize(m, NULL, n, size);
}

void match_mem_free(struct mem *m, void *p)
{
    if (p == NULL)
        return;
    union mem_header *h = (union mem_header *)p - 1;
    m->cur -= h->size;
    free(h);
}
/* ---- names and dates ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    const char *unit;     /* plural, as in the proto's Offer.unit */
    const char *unit_one; /* for a quantity of 1 */
    const char *what;     /* what the quantity is of, in an explanation */
} kinds[] = {
    [MATCH_KIND_EXPERTISE] = {"EXPERTISE", "expert-days", "expert-day", "of expertise"},
    [MATCH_KIND_FUNDS] = {"FUNDS", "thousand USD", "thousand USD", "of funding"},
    [MATCH_KIND_EQUIPMENT] = {"EQUIPMENT", "units", "unit", "of equipment"},
    [MATCH_KIND_TRAINING] = {"TRAINING", "seats", "seat", "of training"},
};

static bool kind_valid(int kind)
{
    return kind >= MATCH_KIND_EXPERTISE && kind <= MATCH_KIND_TRAINING;
}

int match_kind_from_name(const char *name)
{
    for (int k = MATCH_KIND_EXPERTISE; name != NULL && k <= MATCH_KIND_TRAINING; k++)
        if (strcmp(name, kinds[k].name) == 0)
            return k;
    return 0;
}

const char *match_kind_name(int kind)
{
    return kind_valid(kind) ? kinds[kind].name : NULL;
}

const char *match_kind_unit(int kind)
{
    return kind_valid(kind) ? kinds[kind].unit : NULL;
}

const char *match_kind_unit_one(int kind)
{
    return kind_valid(kind) ? kinds[kind].unit_one : NULL;
}

const char *match_kind_what(int kind)
{
    return kind_valid(kind) ? kinds[kind].what : NULL;
}

const char *match_unmet_reason_name(int reason)
{
    switch (reason) {
    case MATCH_UNMET_NO_COMPATIBLE_OFFER:
        return "NO_COMPATIBLE_OFFER";
    case MATCH_UNMET_CAPACITY_EXHAUSTED:
        return "CAPACITY_EXHAUSTED";
    default:
        return NULL;
    }
}

int match_unmet_reason_from_name(const char *name)
{
    for (int r = MATCH_UNMET_NO_COMPATIBLE_OFFER; r <= MATCH_UNMET_CAPACITY_EXHAUSTED; r++)
        if (name != NULL && strcmp(name, match_unmet_reason_name(r)) == 0)
            return r;
    return 0;
}

/* An empty or NULL bound is open: dates as "YYYY-MM-DD" compare as strings. */
static bool date_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}
/* ---- the rules of the model ----------------------------------------------------------------- */

bool match_strs_contain(const char *const *v, size_t n, const char *s)
{
    if (s == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

/* Rules 6 and 7 on the offer's side: valid on the plan date, capacity left. */
static bool offer_usable(const struct match_offer *o, const char *as_of)
{
    return o->remaining > 0 && (!date_set(o->valid_from) || strcmp(o->valid_from, as_of) <= 0)
        && (!date_set(o->valid_until) || strcmp(as_of, o->valid_until) <= 0);
}


static bool same(const char *a, const char *b)
{
    return b != NULL && strcmp(a, b) == 0;
}

/* Rule 4; *which is set to the matching eligible_regions or eligible_groups entry for
 * ELIGIBLE_REGION and ELIGIBLE_GROUP. */
enum eligibility match_eligible(const struct match_offer *o, const struct match_request *r,
                                const char **which)
{
    if (o->n_eligible_states == 0 && o->n_eligible_regions == 0 && o->n_eligible_groups == 0)
        return ELIGIBLE_ALL;
    if (match_strs_contain(o->eligible_states, o->n_eligible_states, r->recipient_state))
        return ELIGIBLE_NAMED;
    for (size_t i = 0; i < o->n_eligible_regions; i++) {
        const char *g = o->eligible_regions[i];
        if (same(g, r->region) || same(g, r->sub_region) || same(g, r->intermediate_region)) {
            *which = g;
            return ELIGIBLE_REGION;
        }
    }
    for (size_t i = 0; i < o->n_eligible_groups; i++)
        if (match_strs_contain(r->groups, r->n_groups, o->eligible_groups[i])) {
            *which = o->eligible_groups[i];
            return ELIGIBLE_GROUP;
        }
    return ELIGIBLE_NOT;
}

bool match_languages_known(const struct match_offer *o, const struct match_request *r)
{
    return o->n_languages > 0 && r->n_languages > 0;
}

/* Rule 5. */
static bool languages_overlap(const struct match_offer *o, const struct match_request *r)
{
    if (!match_languages_known(o, r))
        return true;
    for (size_t i = 0; i < r->n_languages; i++)
        if (match_strs_contain(o->languages, o->n_languages, r->languages[i]))
            return true;
    return false;
}

size_t request_n_topics(const struct match_request *r)
{
    return r->n_topics > 0 ? r->n_topics : 1;
}

const char *request_topic(const struct match_request *r, size_t i)
{
    return r->n_topics > 0 ? r->topics[i] : r->topic;
}

const char *match_shared_topic(const struct match_offer *o, const struct match_request *r)
{
    for (size_t t = 0; t < request_n_topics(r); t++)
        if (match_strs_contain(o->topics, o->n_topics, request_topic(r, t)))
            return request_topic(r, t);
    return NULL;
}

/* Rules 3 to 5: the ones an index by (kind, topic) of usable offers leaves to check. */
static bool pair_ok(const struct match_offer *o, const struct match_request *r)
{
    const char *region;
    return strcmp(o->donor_state, r->recipient_state) != 0
        && match_eligible(o, r, &region) != ELIGIBLE_NOT && languages_overlap(o, r);
}

static int64_t unit_benefit(const struct match_offer *o, const struct match_request *r)
{
    int64_t severity = r->severity_milli > 0 ? r->severity_milli : 1000;
    int64_t ldc_factor2 = r->ldc ? 3 : 2;
    size_t spread = o->n_topics > 1 ? o->n_topics - 1 : 0;
    if (spread > MATCH_PENALTY_TOPICS_MAX)
        spread = MATCH_PENALTY_TOPICS_MAX;
    int64_t weak_fit = MATCH_PENALTY_PER_TOPIC * (int64_t)spread
                     + (match_languages_known(o, r) ? 0 : MATCH_PENALTY_NO_LANGUAGE);
    return r->priority * severity * ldc_factor2 * (1000 - weak_fit) / 2;
}

bool match_compatible(const struct match_input *in, size_t offer, size_t request,
                      int64_t *benefit)
{
    const struct match_offer *o = &in->offers[offer];
    const struct match_request *r = &in->requests[request];
    bool ok = o->kind == r->kind && match_shared_topic(o, r) != NULL
           && offer_usable(o, in->as_of) && r->remaining > 0 && pair_ok(o, r);
    if (ok && benefit != NULL)
        *benefit = unit_benefit(o, r);
    return ok;
}
/* ---- validation and ranking by id ----------------------------------------------------------- */

struct keyed {
    const char *key;
    int32_t index;
};

static int keyed_cmp(const void *a, const void *b)
{
    return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}


static int check_strs(const char *what, const char *id, const char *field,
                      const char *const *v, size_t n, struct err *e)
{
    if (n > 0 && v == NULL)
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid %s \"%s\": %s is NULL with %zu entries",
                       what, id, field, n);
    for (size_t i = 0; i < n; i++)
        if (v[i] == NULL || v[i][0] == '\0')
            return err_set(e, ERR_INVALID_ARGUMENT, "invalid %s \"%s\": %s[%zu] is empty", what,
                           id, field, i);
    return 0;
}

static int check_quantity(const char *what, const char *id, const char *field, int64_t q,
                          struct err *e)
{
    if (q < 0 || q > MATCH_QUANTITY_MAX)
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid %s \"%s\": %s %lld is outside 0..%lld",
                       what, id, field, (long long)q, (long long)MATCH_QUANTITY_MAX);
    return 0;
}

static int check_offer(const struct match_offer *o, size_t i, struct err *e)
{
    if (o->id == NULL || o->id[0] == '\0')
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid offer #%zu: id is empty", i);
    const char *id = o->id;
    if (o->donor_state == NULL || o->donor_state[0] == '\0')
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid offer \"%s\": donor_state is empty", id);
    if (!kind_valid(o->kind))
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid offer \"%s\": kind %d is unknown", id,
                       o->kind);
    if (check_quantity("offer", id, "remaining", o->remaining, e) != 0
        || check_strs("offer", id, "topics", o->topics, o->n_topics, e) != 0
        || check_strs("offer", id, "eligible_states", o->eligible_states, o->n_eligible_states,
                      e) != 0
        || check_strs("offer", id, "eligible_regions", o->eligible_regions,
                      o->n_eligible_regions, e) != 0
        || check_strs("offer", id, "eligible_groups", o->eligible_groups, o->n_eligible_groups,
                      e) != 0
        || check_strs("offer", id, "languages", o->languages, o->n_languages, e) != 0)
        return -1;
    /* Quadratic, but an offer names a handful of the twelve topics. */
    for (size_t t = 1; t < o->n_topics; t++)
        if (match_strs_contain(o->topics, t, o->topics[t]))
            return err_set(e, ERR_INVALID_ARGUMENT, "invalid offer \"%s\": topic \"%s\" is "
                           "listed twice", id, o->topics[t]);
    if (date_set(o->valid_from) && !text_date_valid(o->valid_from))
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid offer \"%s\": valid_from \"%s\" is not "
                       "a YYYY-MM-DD date", id, o->valid_from);
    if (date_set(o->valid_until) && !text_date_valid(o->valid_until))
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid offer \"%s\": valid_until \"%s\" is "
                       "not a YYYY-MM-DD date", id, o->valid_until);
    if (date_set(o->valid_from) && date_set(o->valid_until)
        && strcmp(o->valid_until, o->valid_from) < 0)
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid offer \"%s\": valid_until %s is before "
                       "valid_from %s", id, o->valid_until, o->valid_from);
    return 0;
}

static int check_request(const struct match_request *r, size_t i, struct err *e)
{
    if (r->id == NULL || r->id[0] == '\0')
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid request #%zu: id is empty", i);
    const char *id = r->id;
    if (r->recipient_state == NULL || r->recipient_state[0] == '\0')
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid request \"%s\": recipient_state is "
                       "empty", id);
    if (!kind_valid(r->kind))
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid request \"%s\": kind %d is unknown", id,
                       r->kind);
    if (r->topic == NULL || r->topic[0] == '\0')
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid request \"%s\": topic is empty", id);
    if (check_strs("request", id, "topics", r->topics, r->n_topics, e) != 0)
        return -1;
    for (size_t t = 1; t < r->n_topics; t++)
        if (match_strs_contain(r->topics, t, r->topics[t]))
            return err_set(e, ERR_INVALID_ARGUMENT, "invalid request \"%s\": topic \"%s\" is "
                           "listed twice", id, r->topics[t]);
    if (r->priority < 1 || r->priority > 5)
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid request \"%s\": priority %d is outside "
                       "1..5", id, r->priority);
    if (r->severity_milli < 0 || r->severity_milli > MATCH_SEVERITY_MILLI_MAX)
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid request \"%s\": severity_milli %lld is "
                       "outside 0..%lld", id, (long long)r->severity_milli,
                       (long long)MATCH_SEVERITY_MILLI_MAX);
    if (check_quantity("request", id, "remaining", r->remaining, e) != 0
        || check_strs("request", id, "languages", r->languages, r->n_languages, e) != 0)
        return -1;
    return 0;
}

/* Sorts the n keys (ids) into ranks: (*out)[rank] = index. A duplicate id shows up as two equal
 * neighbours. Frees k. */
static int rank_ids(struct mem *m, const char *what, struct keyed *k, size_t n, int32_t **out,
                    struct err *e)
{
    int rc = -1;
    qsort(k, n, sizeof *k, keyed_cmp);
    for (size_t i = 1; i < n; i++)
        if (strcmp(k[i - 1].key, k[i].key) == 0) {
            err_set(e, ERR_INVALID_ARGUMENT, "invalid %s \"%s\": id is used twice", what,
                    k[i].key);
            goto done;
        }
    *out = match_mem_alloc(m, n, sizeof **out);
    for (size_t i = 0; i < n; i++)
        (*out)[i] = k[i].index;
    rc = 0;
done:
    match_mem_free(m, k);
    return rc;
}

/* match_validate, keeping the ranks for the solver; on failure *ord holds nothing. */
int match_prepare(const struct match_input *in, struct mem *m, struct order *ord, struct err *e)
{
    ord->offer = ord->request = NULL;
    if (in == NULL)
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid matching input: it is NULL");
    if (!text_date_valid(in->as_of))
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid as_of \"%s\": not a YYYY-MM-DD date",
                       in->as_of == NULL ? "" : in->as_of);
    if ((in->n_offers > 0 && in->offers == NULL) || (in->n_requests > 0 && in->requests == NULL))
        return err_set(e, ERR_INVALID_ARGUMENT, "invalid matching input: an array is NULL with "
                       "entries");
    /* Ranks and node numbers are int32; arcs would exhaust memory long before. */
    if (in->n_offers >= INT32_MAX / 2 || in->n_requests >= INT32_MAX / 2)
        return err_set(e, ERR_RESOURCE_EXHAUSTED, "could not match %zu offers with %zu requests: "
                       "too many", in->n_offers, in->n_requests);
    for (size_t i = 0; i < in->n_offers; i++)
        if (check_offer(&in->offers[i], i, e) != 0)
            return -1;
    for (size_t i = 0; i < in->n_requests; i++)
        if (check_request(&in->requests[i], i, e) != 0)
            return -1;
    struct keyed *k = match_mem_alloc(m, in->n_offers, sizeof *k);
    for (size_t i = 0; i < in->n_offers; i++)
        k[i] = (struct keyed){in->offers[i].id, (int32_t)i};
    if (rank_ids(m, "offer", k, in->n_offers, &ord->offer, e) != 0)
        return -1;
    k = match_mem_alloc(m, in->n_requests, sizeof *k);
    for (size_t i = 0; i < in->n_requests; i++)
        k[i] = (struct keyed){in->requests[i].id, (int32_t)i};
    if (rank_ids(m, "request", k, in->n_requests, &ord->request, e) != 0) {
        match_mem_free(m, ord->offer);
        ord->offer = NULL;
        return -1;
    }
    return 0;
}

int match_validate(const struct match_input *in, struct err *e)
{
    struct mem m = {0, 0};
    struct order ord;
    if (match_prepare(in, &m, &ord, e) != 0)
        return -1;
    match_mem_free(&m, ord.offer);
    match_mem_free(&m, ord.request);
    return 0;
}
/* ---- compatible arcs ------------------------------------------------------------------------ */

static int rank_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* One (kind, topic) of a usable offer, so that a request finds its candidates by binary search. */
struct topic_entry {
    int kind;
    const char *topic;
    int32_t offer; /* rank */
};

static int topic_entry_cmp(const void *a, const void *b)
{
    const struct topic_entry *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    int c = strcmp(x->topic, y->topic);
    if (c != 0)
        return c;
    return (x->offer > y->offer) - (x->offer < y->offer);
}

/* The first of n sorted entries not below key. */
static size_t topic_lower_bound(const struct topic_entry *idx, size_t n,
                                const struct topic_entry *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (topic_entry_cmp(&idx[mid], key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}


void match_arclist_free(struct mem *m, struct arclist *a)
{
    match_mem_free(m, a->offer);
    match_mem_free(m, a->benefit);
    match_mem_free(m, a->first);
}

void match_arcs_build(const struct match_input *in, const struct order *ord, struct mem *m,
                       struct arclist *a)
{
    size_t n_entries = 0;
    for (size_t k = 0; k < in->n_offers; k++) {
        const struct match_offer *o = &in->offers[ord->offer[k]];
        if (offer_usable(o, in->as_of))
            n_entries += o->n_topics;
    }
    struct topic_entry *idx = match_mem_alloc(m, n_entries, sizeof *idx);
    size_t n = 0;
    for (size_t k = 0; k < in->n_offers; k++) {
        const struct match_offer *o = &in->offers[ord->offer[k]];
        if (offer_usable(o, in->as_of))
            for (size_t t = 0; t < o->n_topics; t++)
                idx[n++] = (struct topic_entry){o->kind, o->topics[t], (int32_t)k};
    }
    qsort(idx, n_entries, sizeof *idx, topic_entry_cmp);

    size_t cap = 1024, scratch_cap = 64;
    a->offer = match_mem_alloc(m, cap, sizeof *a->offer);
    a->benefit = match_mem_alloc(m, cap, sizeof *a->benefit);
    a->first = match_mem_alloc(m, in->n_requests + 1, sizeof *a->first);
    int32_t *scratch = match_mem_alloc(m, scratch_cap, sizeof *scratch);
    a->n = 0;
    for (size_t k = 0; k < in->n_requests; k++) {
        const struct match_request *r = &in->requests[ord->request[k]];
        a->first[k] = a->n;
        if (r->remaining == 0)
            continue;
        /* the candidates of each topic: entries from (kind, topic, rank -1) to (kind, topic,
         * rank max), already in rank order; a request on several topics merges them */
        size_t n_cand = 0, n_topics = request_n_topics(r);
        for (size_t t = 0; t < n_topics; t++) {
            const char *topic = request_topic(r, t);
            struct topic_entry from = {r->kind, topic, -1}, to = {r->kind, topic, INT32_MAX};
            size_t end = topic_lower_bound(idx, n_entries, &to);
            for (size_t i = topic_lower_bound(idx, n_entries, &from); i < end; i++) {
                if (n_cand == scratch_cap) {
                    scratch_cap *= 2;
                    scratch = match_mem_resize(m, scratch, scratch_cap, sizeof *scratch);
                }
                scratch[n_cand++] = idx[i].offer;
            }
        }
        if (n_topics > 1)
            qsort(scratch, n_cand, sizeof *scratch, rank_cmp);
        for (size_t i = 0; i < n_cand; i++) {
            if (i > 0 && scratch[i] == scratch[i - 1])
                continue; /* an offer on two of the request's topics is one candidate */
            const struct match_offer *o = &in->offers[ord->offer[scratch[i]]];
            if (!pair_ok(o, r))
                continue;
            if (a->n == cap) {
                cap *= 2;
                a->offer = match_mem_resize(m, a->offer, cap, sizeof *a->offer);
                a->benefit = match_mem_resize(m, a->benefit, cap, sizeof *a->benefit);
            }
            a->offer[a->n] = scratch[i];
            a->benefit[a->n] = (int32_t)unit_benefit(o, r);
            a->n++;
        }
    }
    match_mem_free(m, scratch);
    a->first[in->n_requests] = a->n;
    match_mem_free(m, idx);
}

int match_arcs_new(const struct match_input *in, struct match_arcs **out, struct err *e)
{
    struct mem m = {0, 0};
    struct order ord;
    struct arclist a;
    *out = NULL;
    if (match_prepare(in, &m, &ord, e) != 0)
        return -1;
    match_arcs_build(in, &ord, &m, &a);
    struct match_arcs *arcs = match_alloc_array(1, sizeof *arcs);
    arcs->v = match_alloc_array(a.n, sizeof *arcs->v);
    arcs->n = a.n;
    for (size_t k = 0; k < in->n_requests; k++)
        for (size_t i = a.first[k]; i < a.first[k + 1]; i++)
            arcs->v[i] = (struct match_arc){(size_t)ord.offer[a.offer[i]],
                                            (size_t)ord.request[k], a.benefit[i]};
    match_arclist_free(&m, &a);
    match_mem_free(&m, ord.offer);
    match_mem_free(&m, ord.request);
    *out = arcs;
    return 0;
}

void match_arcs_free(struct match_arcs *arcs)
{
    if (arcs == NULL)
        return;
    free(arcs->v);
    free(arcs);
}
