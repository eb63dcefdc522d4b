/* match_gen.c: realistic, seeded matching instances (donors, gaps, requests derived from gaps,
 * offers) and the same instance solved by glpsol as an LP, for the benchmark and its test. */
#include "match_gen.h"
#include "bench_time.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

const struct match_gen_params match_gen_base = {20250301, 2000, 0.40, 0.50, "2025-03-01"};
const struct match_gen_params match_gen_stress = {20250301, 20000, 0.85, 2.30, "2025-03-01"};

/* Donors: States with mature capabilities (OECD members and other established providers of
 * cyber capacity building), none a least developed country. */
const char *const match_gen_donors[] = {
    "USA", "CAN", "GBR", "FRA", "DEU", "NLD", "BEL", "LUX", "CHE", "AUT", "DNK", "NOR",
    "SWE", "FIN", "ISL", "IRL", "ESP", "PRT", "ITA", "GRC", "EST", "LVA", "LTU", "POL",
    "CZE", "SVK", "SVN", "HUN", "JPN", "KOR", "AUS", "NZL", "ISR", "SGP", "ARE", "QAT",
    "SAU", "CHN", "IND", "BRA", "MEX", "CHL", "TUR", "ZAF", "MYS",
};
const size_t match_gen_n_donors = sizeof match_gen_donors / sizeof *match_gen_donors;

/* Topics of the 18 questions of the A/RES/64/211 self-assessment, as seeded by
 * services/catalog/sql/003_cip_self_assessment.sql. */
static const char *const question_topics[18][3] = {
    {"strategy", "cip"},
    {"strategy", "cip"},
    {"strategy", "cip"},
    {"strategy", "intl-cooperation"},
    {"governance", "awareness"},
    {"public-private", "governance"},
    {"governance", "public-private"},
    {"public-private", "incident-response"},
    {"public-private", "cip"},
    {"incident-response", "governance"},
    {"incident-response", "government-networks"},
    {"incident-response", "intl-cooperation"},
    {"cybercrime-law", "data-protection"},
    {"law-enforcement", "cybercrime-law", "training"},
    {"cybercrime-law"},
    {"law-enforcement", "intl-cooperation"},
    {"law-enforcement", "intl-cooperation"},
    {"awareness", "training", "government-networks"},
};

static const char *const topics[] = {
    "strategy", "governance", "public-private", "incident-response", "intl-cooperation",
    "cybercrime-law", "law-enforcement", "data-protection", "awareness", "training", "cip",
    "government-networks",
};
#define N_TOPICS (sizeof topics / sizeof *topics)

/* Regions and sub-regions offers restrict themselves to. */
static const char *const target_regions[] = {
    "Africa", "Sub-Saharan Africa", "Northern Africa", "Asia", "South-eastern Asia",
    "Southern Asia", "Western Asia", "Central Asia", "Oceania", "Melanesia", "Micronesia",
    "Polynesia", "Americas", "Latin America and the Caribbean", "Eastern Europe",
};
#define N_TARGET_REGIONS (sizeof target_regions / sizeof *target_regions)

/* Per kind (index = enum match_kind): share of offers and requests, request quantity and offer
 * capacity ranges (in the kind's unit) and the step they are rounded to. */
static const struct {
    double share;
    int q_min, q_max, cap_min, cap_max, step;
} kind_shape[] = {
    [MATCH_KIND_EXPERTISE] = {0.35, 10, 120, 10, 60, 5},
    [MATCH_KIND_FUNDS] = {0.20, 50, 800, 50, 400, 10},
    [MATCH_KIND_EQUIPMENT] = {0.15, 5, 60, 5, 30, 1},
    [MATCH_KIND_TRAINING] = {0.30, 5, 40, 5, 20, 1},
};

/* Languages, by State: the working language of its government where it is not English. */
static const struct {
    const char *lang;
    const char *codes;
} state_langs[] = {
    {"fr", "BEN BFA BDI CMR CAF TCD COM COG COD CIV DJI GAB GIN GNQ MDG MLI MRT NER RWA SEN SYC "
           "TGO HTI LBN VUT DZA MAR TUN MCO FRA BEL LUX CHE CAN"},
    {"pt", "AGO CPV GNB MOZ STP TLS BRA PRT"},
    {"ar", "DZA EGY LBY MAR SDN TUN MRT SOM DJI COM BHR IRQ JOR KWT LBN OMN QAT SAU SYR ARE YEM"},
    {"es", "ARG BOL CHL COL CRI CUB DOM ECU SLV GTM HND MEX NIC PAN PRY PER URY VEN GNQ ESP"},
    {"ru", "BLR RUS UKR MDA ARM AZE GEO KAZ KGZ TJK TKM UZB EST LVA LTU"},
    {"zh", "CHN"},
};

/* ---- the instance's storage: one bump arena for every string and array ----------------------- */

struct chunk {
    struct chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

struct match_gen {
    struct match_input in;
    struct chunk *chunks;
    uint64_t rng;
};

static void *gen_alloc(struct match_gen *g, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (g->chunks == NULL || g->chunks->size - g->chunks->used < size) {
        size_t cap = size > (1u << 20) ? size : (1u << 20);
        struct chunk *c = malloc(sizeof *c + cap);
        if (c == NULL)
            abort();
        c->next = g->chunks;
        c->used = 0;
        c->size = cap;
        g->chunks = c;
    }
    void *p = g->chunks->data + g->chunks->used;
    g->chunks->used += size;
    return p;
}

static const char *gen_strdup(struct match_gen *g, const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(gen_alloc(g, n), s, n);
}

/* splitmix64: small, fast, and the same sequence on every platform */
static uint64_t gen_next(struct match_gen *g)
{
    uint64_t z = (g->rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static size_t gen_below(struct match_gen *g, size_t n)
{
    return (size_t)(gen_next(g) % n);
}

static double gen_unit(struct match_gen *g)
{
    return (double)(gen_next(g) >> 11) * 0x1.0p-53;
}

static int64_t gen_range(struct match_gen *g, int lo, int hi, int step)
{
    return (int64_t)lo + (int64_t)gen_below(g, (size_t)((hi - lo) / step + 1)) * step;
}

static int gen_kind(struct match_gen *g)
{
    double x = gen_unit(g);
    for (int k = MATCH_KIND_EXPERTISE; k < MATCH_KIND_TRAINING; k++) {
        if (x < kind_shape[k].share)
            return k;
        x -= kind_shape[k].share;
    }
    return MATCH_KIND_TRAINING;
}

/* "YYYY-MM-DD" of day n after 1970-01-01 (Hinnant's civil_from_days). */
static void day_to_date(long n, char out[32])
{
    n += 719468;
    long era = n / 146097;
    long doe = n - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    long y = yoe + era * 400 + (m <= 2);
    snprintf(out, 32, "%04d-%02d-%02d", (int)(y % 10000), (int)(m % 100), (int)(d % 100));
}

/* The State's languages (up to 3), English when it has no other listed. */
static size_t langs_of(const char *code, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof state_langs / sizeof *state_langs && n < 3; i++)
        if (strstr(state_langs[i].codes, code) != NULL)
            out[n++] = state_langs[i].lang;
    if (n == 0)
        out[n++] = "en";
    return n;
}

static bool is_donor(const char *code, const char *const *donors, size_t n_donors)
{
    for (size_t i = 0; i < n_donors; i++)
        if (strcmp(donors[i], code) == 0)
            return true;
    return false;
}

/* ---- requests from gaps ----------------------------------------------------------------------- */

static void gen_requests(struct match_gen *g, const struct match_gen_params *p,
                         const struct match_gen_state *states, size_t n_states,
                         const char *const *donors, size_t n_donors)
{
    static const int64_t severities[] = {1000, 1500, 2000, 2500, 3000};
    static const int severity_weights[] = {30, 15, 30, 10, 15};
    /* at most 18 questions x 3 topics x 4 kinds per recipient */
    size_t cap = n_states * 18 * 3 * 4;
    struct match_request *req = malloc(cap * sizeof *req);
    if (req == NULL)
        abort();
    size_t n = 0;
    for (size_t s = 0; s < n_states; s++) {
        const struct match_gen_state *st = &states[s];
        if (is_donor(st->code, donors, n_donors))
            continue;
        const char *langs[3];
        size_t n_langs = langs_of(st->code, langs);
        const char **lang_copy = gen_alloc(g, sizeof langs);
        memcpy(lang_copy, langs, sizeof langs);
        const char *code = gen_strdup(g, st->code);
        const char *region = gen_strdup(g, st->region);
        const char *sub_region = gen_strdup(g, st->sub_region);
        double rate = st->ldc ? fmin(1.0, p->gap_rate * 1.3) : p->gap_rate;
        for (int q = 0; q < 18; q++) {
            if (gen_unit(g) >= rate)
                continue;
            int w = (int)gen_below(g, 100);
            size_t si = 0;
            while (w >= severity_weights[si])
                w -= severity_weights[si++];
            int64_t severity = severities[si];
            /* the State's own priority tracks the severity, with some disagreement */
            int priority = (int)(severity / 1000) + (int)gen_below(g, 3);
            priority = priority < 1 ? 1 : priority > 5 ? 5 : priority;
            char qid[8];
            snprintf(qid, sizeof qid, "q%d", q + 1);
            const char *question = gen_strdup(g, qid);
            for (int t = 0; t < 3 && question_topics[q][t] != NULL; t++)
                for (int k = MATCH_KIND_EXPERTISE; k <= MATCH_KIND_TRAINING; k++) {
                    if (gen_unit(g) >= p->kinds_per_topic * kind_shape[k].share)
                        continue;
                    struct match_request *r = &req[n++];
                    char id[96];
                    snprintf(id, sizeof id, "%s-%s-%s-%s", st->code, qid, question_topics[q][t],
                             match_kind_name(k));
                    memset(r, 0, sizeof *r);
                    r->id = gen_strdup(g, id);
                    r->recipient_state = code;
                    r->region = region;
                    r->sub_region = sub_region;
                    r->ldc = st->ldc;
                    r->kind = k;
                    r->topic = question_topics[q][t];
                    r->remaining = gen_range(g, kind_shape[k].q_min, kind_shape[k].q_max,
                                             kind_shape[k].step);
                    r->priority = priority;
                    r->severity_milli = severity;
                    r->source_question_id = question;
                    r->languages = lang_copy;
                    r->n_languages = gen_below(g, 100) < 15 ? 0 : n_langs;
                }
        }
    }
    struct match_request *kept = gen_alloc(g, n * sizeof *kept);
    memcpy(kept, req, n * sizeof *kept);
    free(req);
    g->in.requests = kept;
    g->in.n_requests = n;
}

/* ---- offers ----------------------------------------------------------------------------------- */

static void gen_offers(struct match_gen *g, const struct match_gen_params *p,
                       const struct match_gen_state *states, size_t n_states,
                       const char *const *donors, size_t n_donors)
{
    struct match_offer *offers = gen_alloc(g, p->n_offers * sizeof *offers);
    /* recipients and LDCs, for named eligibility lists */
    const char **recipients = gen_alloc(g, n_states * sizeof *recipients);
    const char **ldcs = gen_alloc(g, n_states * sizeof *ldcs);
    size_t n_recipients = 0, n_ldcs = 0;
    for (size_t s = 0; s < n_states; s++) {
        if (is_donor(states[s].code, donors, n_donors))
            continue;
        recipients[n_recipients++] = gen_strdup(g, states[s].code);
        if (states[s].ldc)
            ldcs[n_ldcs++] = recipients[n_recipients - 1];
    }
    const long first_day = 19723; /* 2024-01-01, in days since 1970-01-01 */
    for (size_t i = 0; i < p->n_offers; i++) {
        struct match_offer *o = &offers[i];
        memset(o, 0, sizeof *o);
        char id[32];
        snprintf(id, sizeof id, "offer-%06zu", i);
        o->id = gen_strdup(g, id);
        /* the first ten donors are the large programmes: three times the offers */
        size_t n_big = n_donors < 10 ? n_donors : 10;
        size_t d = gen_below(g, n_donors + 2 * n_big);
        d = d < 3 * n_big ? d / 3 : d - 2 * n_big;
        o->donor_state = donors[d];
        o->kind = gen_kind(g);

        size_t w = gen_below(g, 100);
        size_t n_topics = w < 40 ? 1 : w < 75 ? 2 : w < 93 ? 3 : 5;
        const char **t = gen_alloc(g, n_topics * sizeof *t);
        size_t first = gen_below(g, N_TOPICS);
        for (size_t k = 0; k < n_topics; k++)
            t[k] = topics[(first + k * 5) % N_TOPICS]; /* 5 is coprime with 12: distinct */
        o->topics = t;
        o->n_topics = n_topics;
        o->remaining = gen_range(g, kind_shape[o->kind].cap_min, kind_shape[o->kind].cap_max,
                                 kind_shape[o->kind].step);

        w = gen_below(g, 100);
        if (w >= 50 && w < 75) {
            size_t n_regions = 1 + gen_below(g, 2);
            const char **r = gen_alloc(g, n_regions * sizeof *r);
            r[0] = target_regions[gen_below(g, N_TARGET_REGIONS)];
            r[n_regions - 1] = target_regions[gen_below(g, N_TARGET_REGIONS)];
            o->eligible_regions = r;
            o->n_eligible_regions = r[0] == r[n_regions - 1] ? 1 : n_regions;
        } else if (w >= 75 && n_recipients > 0) {
            /* named States: half the lists are for least developed countries only */
            bool ldc_only = n_ldcs > 0 && gen_below(g, 2) == 0;
            const char **pool = ldc_only ? ldcs : recipients;
            size_t n_pool = ldc_only ? n_ldcs : n_recipients;
            size_t n_named = w < 92 ? 5 + gen_below(g, 16) : 3 + gen_below(g, 8);
            if (n_named > n_pool)
                n_named = n_pool;
            const char **s = gen_alloc(g, n_named * sizeof *s);
            size_t start = gen_below(g, n_pool);
            for (size_t k = 0; k < n_named; k++)
                s[k] = pool[(start + k) % n_pool];
            o->eligible_states = s;
            o->n_eligible_states = n_named;
            if (w >= 92) { /* and a region, either admits */
                const char **r = gen_alloc(g, sizeof *r);
                r[0] = target_regions[gen_below(g, N_TARGET_REGIONS)];
                o->eligible_regions = r;
                o->n_eligible_regions = 1;
            }
        }

        if (gen_below(g, 100) >= 25) {
            const char *langs[3];
            size_t n_langs = langs_of(o->donor_state, langs);
            const char **l = gen_alloc(g, 4 * sizeof *l);
            l[0] = langs[gen_below(g, n_langs)];
            size_t n_l = 1;
            if (strcmp(l[0], "en") != 0 && gen_below(g, 2) == 0)
                l[n_l++] = "en";
            else if (strcmp(l[0], "en") == 0 && gen_below(g, 5) == 0)
                l[n_l++] = gen_below(g, 2) ? "fr" : "es";
            o->languages = l;
            o->n_languages = n_l;
        }

        char from[32], until[32];
        long start_day = first_day + (long)gen_below(g, 540);
        day_to_date(start_day, from);
        day_to_date(start_day + 180 + (long)gen_below(g, 720), until);
        o->valid_from = gen_strdup(g, from);
        o->valid_until = gen_strdup(g, until);
    }
    g->in.offers = offers;
    g->in.n_offers = p->n_offers;
}

int match_gen_new(const struct match_gen_params *p, const struct match_gen_state *states,
                  size_t n_states, const char *const *donors, size_t n_donors,
                  struct match_gen **out, struct err *e)
{
    *out = NULL;
    for (size_t i = 0; i < n_donors; i++) {
        size_t s = 0;
        while (s < n_states && strcmp(states[s].code, donors[i]) != 0)
            s++;
        if (s == n_states)
            return err_set(e, ERR_INVALID_ARGUMENT, "could not generate an instance: donor %s "
                           "is not among the %zu States", donors[i], n_states);
    }
    struct match_gen *g = calloc(1, sizeof *g);
    if (g == NULL)
        abort();
    g->rng = p->seed;
    const char **donor_copy = gen_alloc(g, n_donors * sizeof *donor_copy);
    for (size_t i = 0; i < n_donors; i++)
        donor_copy[i] = gen_strdup(g, donors[i]);
    g->in.as_of = gen_strdup(g, p->as_of);
    gen_requests(g, p, states, n_states, donor_copy, n_donors);
    gen_offers(g, p, states, n_states, donor_copy, n_donors);
    *out = g;
    return 0;
}

const struct match_input *match_gen_input(const struct match_gen *g)
{
    return &g->in;
}

void match_gen_free(struct match_gen *g)
{
    if (g == NULL)
        return;
    while (g->chunks != NULL) {
        struct chunk *next = g->chunks->next;
        free(g->chunks);
        g->chunks = next;
    }
    free(g);
}

/* ---- reference data --------------------------------------------------------------------------- */

/* Splits a TSV line in place into at most `max` fields, empty ones kept; returns the count. */
static size_t tsv_fields(char *line, char **field, size_t max)
{
    size_t nf = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; nf < max;) {
        field[nf++] = p;
        p = strchr(p, '\t');
        if (p == NULL)
            break;
        *p++ = '\0';
    }
    return nf;
}

/* Marks the States of `v` that are LDCs on `as_of` by the LDC rows of the groups TSV. */
static int load_ldc(const char *path, const char *as_of, struct match_gen_state *v, size_t n,
                    struct err *e)
{
    char line[512];
    size_t lineno = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return err_set(e, ERR_NOT_FOUND, "could not open \"%s\": %s", path, strerror(errno));
    while (fgets(line, sizeof line, f) != NULL) {
        char *field[5];
        if (++lineno == 1)
            continue; /* header */
        if (tsv_fields(line, field, 5) != 5) {
            fclose(f);
            return err_set(e, ERR_INVALID_ARGUMENT, "could not read \"%s\" line %zu: expected group, "
                           "code, from, until, source", path, lineno);
        }
        bool on = (field[2][0] == '\0' || strcmp(field[2], as_of) <= 0) &&
                  (field[3][0] == '\0' || strcmp(as_of, field[3]) < 0);
        for (size_t i = 0; on && strcmp(field[0], "LDC") == 0 && i < n; i++)
            if (strcmp(v[i].code, field[1]) == 0)
                v[i].ldc = true;
    }
    fclose(f);
    return 0;
}

int match_gen_states_load(const char *path, const char *groups_path, const char *as_of,
                          struct match_gen_state **states, size_t *n, struct err *e)
{
    int rc = -1;
    char line[512];
    size_t cap = 256, count = 0, lineno = 0;
    struct match_gen_state *v = NULL;
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return err_set(e, ERR_NOT_FOUND, "could not open \"%s\": %s", path, strerror(errno));
    v = malloc(cap * sizeof *v);
    if (v == NULL)
        abort();
    while (fgets(line, sizeof line, f) != NULL) {
        char *field[6];
        if (++lineno == 1)
            continue; /* header */
        size_t nf = tsv_fields(line, field, 6);
        if (nf != 6 || strlen(field[0]) != 3 || strlen(field[3]) >= sizeof v->region
            || strlen(field[4]) >= sizeof v->sub_region) {
            err_set(e, ERR_INVALID_ARGUMENT, "could not read \"%s\" line %zu: expected code, m49, "
                    "name, region, sub_region, intermediate_region", path, lineno);
            goto done;
        }
        if (count == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            if (v == NULL)
                abort();
        }
        struct match_gen_state *s = &v[count++];
        memcpy(s->code, field[0], 4);
        memcpy(s->region, field[3], strlen(field[3]) + 1);
        memcpy(s->sub_region, field[4], strlen(field[4]) + 1);
        s->ldc = false;
    }
    if (load_ldc(groups_path, as_of, v, count, e) < 0)
        goto done;
    *states = v;
    *n = count;
    v = NULL;
    rc = 0;
done:
    free(v);
    fclose(f);
    return rc;
}

/* ---- glpsol ----------------------------------------------------------------------------------- */

static int write_lp(const struct match_input *in, const struct match_arcs *arcs, const char *path,
                    struct err *e)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return err_set(e, ERR_INTERNAL, "could not create \"%s\": %s", path, strerror(errno));
    /* arcs by offer: arcs come grouped by request, the offer rows need the other grouping */
    size_t *start = calloc(in->n_offers + 1, sizeof *start);
    size_t *by_offer = malloc((arcs->n + 1) * sizeof *by_offer);
    if (start == NULL || by_offer == NULL)
        abort();
    for (size_t i = 0; i < arcs->n; i++)
        start[arcs->v[i].offer + 1]++;
    for (size_t o = 0; o < in->n_offers; o++)
        start[o + 1] += start[o];
    for (size_t i = 0; i < arcs->n; i++)
        by_offer[start[arcs->v[i].offer]++] = i;
    for (size_t o = in->n_offers; o > 0; o--)
        start[o] = start[o - 1];
    start[0] = 0;

    /* one term a line: glpsol's reader limits line length. Columns are numbered in the order
     * they first appear, which the objective makes the arcs' order. */
    fprintf(f, "\\ matching instance: %zu offers, %zu requests, %zu arcs\nMaximize\n obj:",
            in->n_offers, in->n_requests, arcs->n);
    for (size_t i = 0; i < arcs->n; i++)
        fprintf(f, "\n + %lld x%zu", (long long)arcs->v[i].unit_benefit, i);
    fprintf(f, "\nSubject To\n");
    for (size_t o = 0; o < in->n_offers; o++) {
        if (start[o] == start[o + 1])
            continue;
        fprintf(f, " o%zu:", o);
        for (size_t k = start[o]; k < start[o + 1]; k++)
            fprintf(f, "\n + x%zu", by_offer[k]);
        fprintf(f, "\n <= %lld\n", (long long)in->offers[o].remaining);
    }
    for (size_t i = 0; i < arcs->n;) {
        size_t r = arcs->v[i].request;
        fprintf(f, " r%zu:", r);
        for (; i < arcs->n && arcs->v[i].request == r; i++)
            fprintf(f, "\n + x%zu", i);
        fprintf(f, "\n <= %lld\n", (long long)in->requests[r].remaining);
    }
    fprintf(f, "End\n");
    free(start);
    free(by_offer);
    if (fclose(f) != 0)
        return err_set(e, ERR_INTERNAL, "could not write \"%s\": %s", path, strerror(errno));
    return 0;
}

/* Reads glpsol's plain-text solution (-w): "c Status: OPTIMAL", "s bas ROWS COLS P D OBJ", then
 * "j COL STAT VALUE DUAL" per column. */
static int read_solution(const char *path, const struct match_arcs *arcs, struct match_glpsol *out,
                         struct err *e)
{
    char line[256];
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return err_set(e, ERR_INTERNAL, "could not open glpsol's solution \"%s\": %s", path,
                       strerror(errno));
    out->optimal = false;
    out->objective = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
        size_t col;
        double value;
        char stat[4];
        if (strncmp(line, "c Status:", 9) == 0)
            out->optimal = strstr(line, "OPTIMAL") != NULL;
        else if (strncmp(line, "s bas", 5) == 0)
            sscanf(line, "s bas %*d %*d %*c %*c %lf", &out->reported);
        else if (sscanf(line, "j %zu %3s %lf", &col, stat, &value) == 3) {
            double x = floor(value + 0.5);
            if (col < 1 || col > arcs->n || fabs(value - x) > 1e-6)
                rc = err_set(e, ERR_INTERNAL, "glpsol's solution has column %zu = %.9g, not an "
                             "integer of a known column", col, value);
            else
                out->objective += (int64_t)x * arcs->v[col - 1].unit_benefit;
        }
    }
    fclose(f);
    return rc;
}

int match_gen_glpsol(const struct match_input *in, const struct match_arcs *arcs, const char *dir,
                     int tmlim_sec, struct match_glpsol *out, struct err *e)
{
    int rc = -1;
    bool keep_files = false;
    char lp[4096], sol[4096], log[4096], tmlim[32];
    posix_spawn_file_actions_t fa;
    snprintf(lp, sizeof lp, "%s/instance.lp", dir);
    snprintf(sol, sizeof sol, "%s/solution.txt", dir);
    snprintf(log, sizeof log, "%s/glpsol.log", dir);
    snprintf(tmlim, sizeof tmlim, "%d", tmlim_sec);
    if (write_lp(in, arcs, lp, e) != 0)
        goto done;
    char *argv[] = {"glpsol", "--lp", lp, "-w", sol, "--tmlim", tmlim, NULL};
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    double t0 = bench_now_ms();
    pid_t pid;
    int status, spawn = posix_spawnp(&pid, "glpsol", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (spawn != 0) {
        err_set(e, ERR_UNAVAILABLE, "could not run glpsol: %s", strerror(spawn));
        goto done;
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    out->ms = bench_now_ms() - t0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        err_set(e, ERR_INTERNAL, "glpsol failed (status %d): see %s", status, log);
        keep_files = true; /* for a look */
        goto done;
    }
    if (read_solution(sol, arcs, out, e) != 0)
        goto done;
    rc = 0;
done:
    if (!keep_files) {
        unlink(lp);
        unlink(sol);
        unlink(log);
    }
    return rc;
}
