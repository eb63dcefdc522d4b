/* rules.c: the matching service's own pure rules, apart from the solver: how gaps become
 * requests (derive_rows, the quantity rule documented in matching.h), status names, id shapes,
 * and plan fingerprints. No I/O: tests/unit/test_matching_rules.c covers it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matching.h"
#include "text.h"

int64_t derive_unit(int kind)
{
    switch (kind) {
    case MATCH_KIND_EXPERTISE: return DERIVE_UNIT_EXPERTISE;
    case MATCH_KIND_FUNDS: return DERIVE_UNIT_FUNDS;
    case MATCH_KIND_EQUIPMENT: return DERIVE_UNIT_EQUIPMENT;
    case MATCH_KIND_TRAINING: return DERIVE_UNIT_TRAINING;
    default: return 0;
    }
}

int64_t derive_quantity(int kind, int64_t severity_milli)
{
    /* ceil(severity_milli * unit / 1000) in integers: no floating-point dust in the quantity */
    return (severity_milli * derive_unit(kind) + 999) / 1000;
}

int derive_priority(int64_t severity_milli)
{
    int64_t p = (severity_milli + 999) / 1000;
    return p < 1 ? 1 : p > 5 ? 5 : (int)p;
}

int64_t severity_to_milli(double severity)
{
    if (!isfinite(severity) || severity <= 0)
        return 0;
    if (severity >= (double)MATCH_SEVERITY_MILLI_MAX / 1000.0)
        return MATCH_SEVERITY_MILLI_MAX;
    int64_t milli = (int64_t)llround(severity * 1000.0);
    return milli < 1 ? 1 : milli;
}

static const char *const offer_statuses[] = {NULL, "OPEN", "WITHDRAWN", "EXHAUSTED"};
static const char *const request_statuses[] = {NULL, "OPEN", "WITHDRAWN", "FULFILLED"};
static const char *const match_statuses[] = {NULL, "PROPOSED", "OFFERED", "ACCEPTED", "DECLINED",
                                             "SUPERSEDED", "IN_DELIVERY", "DELIVERED",
                                             "COMPLETED", "CANCELLED"};

static const char *name_of(const char *const *names, size_t n, int v)
{
    return v > 0 && (size_t)v < n ? names[v] : NULL;
}

static int name_find(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 1; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *offer_status_name(int status)
{
    return name_of(offer_statuses, COUNT(offer_statuses), status);
}

int offer_status_from_name(const char *name)
{
    return name_find(offer_statuses, COUNT(offer_statuses), name);
}

const char *request_status_name(int status)
{
    return name_of(request_statuses, COUNT(request_statuses), status);
}

int request_status_from_name(const char *name)
{
    return name_find(request_statuses, COUNT(request_statuses), name);
}

const char *match_status_name(int status)
{
    return name_of(match_statuses, COUNT(match_statuses), status);
}

int match_status_from_name(const char *name)
{
    return name_find(match_statuses, COUNT(match_statuses), name);
}

bool uuid_shape(const char *s)
{
    static const char pattern[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (s == NULL || strlen(s) != sizeof pattern - 1)
        return false;
    for (size_t i = 0; pattern[i]; i++) {
        char ch = s[i];
        if (pattern[i] == '-' ? ch != '-' : !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return false;
    }
    return true;
}

struct id_version {
    const char *id;
    int version;
};

static int cmp_id_version(const void *a, const void *b)
{
    return strcmp(((const struct id_version *)a)->id, ((const struct id_version *)b)->id);
}

/* Appends "<tag>:<id>:<version>\n" for each entry, sorted by id, to buf at *len. */
static void fingerprint_lines(char *buf, size_t *len, char tag, const char *const *ids,
                              const int *versions, size_t n)
{
    struct id_version *v = xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (struct id_version){ids[i], versions[i]};
    qsort(v, n, sizeof *v, cmp_id_version);
    for (size_t i = 0; i < n; i++)
        *len += (size_t)sprintf(buf + *len, "%c:%s:%d\n", tag, v[i].id, v[i].version);
    free(v);
}

void plan_fingerprint(const char *const *offer_ids, const int *offer_versions, size_t n_offers,
                      const char *const *request_ids, const int *request_versions,
                      size_t n_requests, char hex[65])
{
    size_t size = 1;
    for (size_t i = 0; i < n_offers; i++)
        size += strlen(offer_ids[i]) + 16;
    for (size_t i = 0; i < n_requests; i++)
        size += strlen(request_ids[i]) + 16;
    char *buf = xmalloc(size);
    size_t len = 0;
    buf[0] = '\0';
    fingerprint_lines(buf, &len, 'o', offer_ids, offer_versions, n_offers);
    fingerprint_lines(buf, &len, 'r', request_ids, request_versions, n_requests);
    sha256_hex(buf, len, hex);
    free(buf);
}

size_t derive_rows(struct arena *a, const struct derive_input *in,
                   Unic__Scoring__V1__Gap *const *gaps, size_t n_gaps, struct request_row **out,
                   size_t *skipped)
{
    size_t n = 0;
    *skipped = 0;
    struct request_row *rows = ARENA_ARRAY(a, struct request_row, n_gaps * in->n_kinds + 1);
    for (size_t g = 0; g < n_gaps; g++) {
        const Unic__Scoring__V1__Gap *gap = gaps[g];
        int64_t severity = severity_to_milli(gap->severity);
        /* the gap's topics the catalog knows, each once, in the gap's order */
        char **topics = ARENA_ARRAY(a, char *, gap->n_topics + 1);
        size_t n_topics = 0;
        for (size_t t = 0; t < gap->n_topics; t++) {
            char *topic = gap->topics[t];
            bool seen = false;
            for (size_t u = 0; u < n_topics; u++)
                seen |= strcmp(topics[u], topic) == 0;
            if (!seen && text_valid(topic, false, NULL) && in->topic_known(in->topic_ctx, topic))
                topics[n_topics++] = topic;
        }
        if (severity == 0 || n_topics == 0 || !text_valid(gap->question_id, false, NULL) ||
            gap->question_id[0] == '\0' || strlen(gap->question_id) > 64) {
            ++*skipped;
            continue;
        }
        for (size_t k = 0; k < in->n_kinds; k++)
            rows[n++] = (struct request_row){
                .state_code = in->state, .kind = in->kinds[k], .topic = topics[0],
                .topics = topics, .n_topics = n_topics,
                .quantity = derive_quantity(in->kinds[k], severity),
                .priority = derive_priority(severity), .source_question_id = gap->question_id,
                .source_cycle = in->cycle, .severity_milli = severity, .ldc = in->ldc,
                .region = in->region, .sub_region = in->sub_region,
                .languages = in->languages, .n_languages = in->n_languages,
            };
    }
    *out = rows;
    return n;
}

/* The steps of AdvanceMatch (matching.h, THE LIFE OF A MATCH): one row per legal transition. */
static const struct match_step match_steps[] = {
    {MATCH_ACCEPTED, MATCH_IN_DELIVERY, MATCH_PARTY_DONOR, false},
    {MATCH_IN_DELIVERY, MATCH_DELIVERED, MATCH_PARTY_DONOR, false},
    {MATCH_DELIVERED, MATCH_COMPLETED, MATCH_PARTY_RECIPIENT, false},
    {MATCH_ACCEPTED, MATCH_CANCELLED, MATCH_PARTY_EITHER, true},
    {MATCH_IN_DELIVERY, MATCH_CANCELLED, MATCH_PARTY_EITHER, true},
};

bool match_step_target(int status)
{
    for (size_t i = 0; i < COUNT(match_steps); i++)
        if (match_steps[i].to == status)
            return true;
    return false;
}

int match_step_find(int from, int to, const struct match_step **out, struct err *e)
{
    char next[96] = "";
    size_t len = 0;
    for (size_t i = 0; i < COUNT(match_steps); i++) {
        if (match_steps[i].from != from)
            continue;
        if (match_steps[i].to == to) {
            *out = &match_steps[i];
            return 0;
        }
        len += (size_t)snprintf(next + len, sizeof next - len, "%s%s", len ? " or " : "",
                                match_status_name(match_steps[i].to));
    }
    const char *name = match_status_name(from);
    return err_set(e, ERR_FAILED_PRECONDITION, "a match that is %s cannot become %s (%s%s)",
                   name ? name : "?", match_status_name(to),
                   len ? "it can become " : "it is final", next);
}
