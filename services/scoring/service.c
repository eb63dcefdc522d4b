/* service.c: the scoring service's RPC handlers: validate the request, read the answers and the
 * questionnaire as the caller, score (card.c over score.c / compliance.c), reply.
 * Scorecards are cached in Redis under a key carrying what they are computed from (cache_key);
 * authorization is never skipped on a hit, since the assessment is always read first. */
#include "scoring.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "log.h"
#include "pbuf.h"
#include "score.h"
#include "text.h"

/* Bumped when the Scorecard message changes shape, so that bytes cached by an older build are
 * never served by a newer one. */
#define CARD_FORMAT 2
#define MAX_TOPICS 50

/* The only place a Redis key of this service is built. The cached Scorecard is a function of the
 * assessment at one revision (its answers, status, questionnaire version; a published
 * questionnaire never changes) and of the model, so a new revision or model is a new key and
 * nothing stale is ever served. The assessment's creation time and etag make the key unique to
 * this very revision even if an id is ever reused (a database restored or re-created, as each test
 * run does, under the same Redis). */
static void cache_key(char *buf, size_t size, const Assessment *as)
{
    snprintf(buf, size, "unic:scoring:scorecard:%d:%s:%s:%d:%s:%s", CARD_FORMAT,
             SCORE_MODEL_VERSION, as->id, as->revision, as->created_at, as->etag);
}

/* ---- validation ---- */

/* s as it may appear in an error message: client bytes that are not clean text are not echoed. */
static const char *shown(const char *s)
{
    return strlen(s) <= 64 && text_valid(s, false, NULL) ? s : "(not shown)";
}

static int check_cycle(int cycle, const char *field, struct err *e)
{
    int last = text_current_year() + 1;
    if (cycle < SCORING_FIRST_CYCLE || cycle > last)
        return err_set(e, ERR_INVALID_ARGUMENT, "%s %d is not a cycle: expected %d to %d", field,
                       cycle, SCORING_FIRST_CYCLE, last);
    return 0;
}

/* Letters, digits, '-' and '_', as assessment ids are ("KEN-2025-cip-self-assessment"). */
static int check_id(const char *s, const char *field, struct err *e)
{
    size_t n = strlen(s);
    if (n == 0 || n > 128 || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789-_") != n)
        return err_set(e, ERR_INVALID_ARGUMENT, "%s \"%s\" is not an id", field, shown(s));
    return 0;
}

/* A catalog id: questionnaire ("cip-self-assessment") or topic ("incident-response"). */
static bool slug_valid(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n >= 2 && n <= max && s[0] >= 'a' && s[0] <= 'z' &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static int check_state_shape(const char *s, const char *field, struct err *e)
{
    if (!text_state_code_shape(s))
        return err_set(e, ERR_INVALID_ARGUMENT,
                       "%s \"%s\" is not an ISO 3166-1 alpha-3 code (three capital letters)",
                       field, shown(s));
    return 0;
}

/* The catalog's entry for State `code` (shape already checked); INVALID_ARGUMENT when it is not a
 * UN Member State. */
static int state_lookup(struct call *c, const char *code, const char *field,
                        const CatalogState **out, struct err *e)
{
    Unic__Catalog__V1__ListStatesResponse *states;
    if (upstream_list_states(c, &states, e) < 0)
        return -1;
    for (size_t i = 0; i < states->n_states; i++)
        if (strcmp(states->states[i]->code, code) == 0) {
            *out = states->states[i];
            return 0;
        }
    return err_set(e, ERR_INVALID_ARGUMENT, "%s \"%s\" is not a UN Member State", field, code);
}

/* ---- the scorecard, cached ---- */

static void now_rfc3339(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The scorecard of `as` at its revision, which the caller has just been allowed to read. From
 * Redis when cached (*raw and *raw_len, when raw is not NULL, then get the cached bytes, which
 * say from_cache); otherwise computed, and cached with from_cache set so that a hit can be sent
 * as it is. The computed card itself says from_cache false. */
static int scorecard_of(struct call *c, const Assessment *as, Scorecard **out, const char **raw,
                        size_t *raw_len, struct err *e)
{
    char key[512];
    char *val;
    size_t len;
    if (raw)
        *raw = NULL;
    cache_key(key, sizeof key, as);
    if (cache_get(c->cache, &c->arena, key, &val, &len)) {
        Scorecard *card = (Scorecard *)pbuf_unpack(&c->arena, &unic__scoring__v1__scorecard__descriptor,
                                                   (const uint8_t *)val, len);
        if (card && card->from_cache && strcmp(card->assessment_id, as->id) == 0 &&
            card->revision == as->revision &&
            strcmp(card->model_version, SCORE_MODEL_VERSION) == 0) {
            *out = card;
            if (raw) {
                *raw = val;
                *raw_len = len;
            }
            return 0;
        }
        log_warn("the scorecard cached under %s is not that assessment's; scoring afresh", key);
    }

    Questionnaire *q;
    char now[32];
    Scorecard *card;
    if (upstream_get_questionnaire(c, as->questionnaire_id, as->questionnaire_version, &q, e) < 0)
        return -1;
    now_rfc3339(now, sizeof now);
    if (card_scorecard(&c->arena, as, q, now, &card, e) < 0)
        return -1;
    if (c->cache->host[0] != '\0') { /* "" when caching is off (UNIC_REDIS=off) */
        card->from_cache = true;      /* as it will read when served from Redis */
        size_t n = protobuf_c_message_get_packed_size(&card->base);
        uint8_t *bytes = arena_alloc(&c->arena, n ? n : 1);
        protobuf_c_message_pack(&card->base, bytes);
        cache_set(c->cache, key, bytes, n, c->cfg->cache_ttl_seconds);
        card->from_cache = false;
    }
    *out = card;
    return 0;
}

/* The assessment a GetScorecard or GetGaps request names: by id, or the State's self-assessment
 * of a cycle. The responses service decides whether the caller may read it. */
static int assessment_of(struct call *c, const char *id, const char *state, int cycle,
                         Assessment **out, struct err *e)
{
    if (id[0] != '\0') {
        if (state[0] != '\0' || cycle != 0)
            return err_set(e, ERR_INVALID_ARGUMENT,
                           "assessment_id: give either assessment_id, or state_code and cycle");
        if (check_id(id, "assessment_id", e) < 0)
            return -1;
        return upstream_get_assessment(c, id, "", 0, "", out, e);
    }
    if (state[0] == '\0')
        return err_set(e, ERR_INVALID_ARGUMENT,
                       "state_code: give either assessment_id, or state_code and cycle");
    const CatalogState *st = NULL;
    if (check_state_shape(state, "state_code", e) < 0 || check_cycle(cycle, "cycle", e) < 0 ||
        state_lookup(c, state, "state_code", &st, e) < 0)
        return -1;
    return upstream_get_assessment(c, "", state, cycle, SCORING_SELF_ASSESSMENT, out, e);
}

/* ---- handlers ---- */

static int get_scorecard(struct call *c, const Unic__Scoring__V1__GetScorecardRequest *req, Unic__Scoring__V1__Scorecard **out, struct err *e)
{
    Assessment *as;
    Scorecard *card;
    const char *raw;
    size_t raw_len;
    if (assessment_of(c, req->assessment_id, req->state_code, req->cycle, &as, e) < 0 ||
        scorecard_of(c, as, &card, &raw, &raw_len, e) < 0)
        return -1;
    if (raw)
        rpc_reply_raw(c, raw, raw_len); /* already says from_cache */
    else
        *out = card;
    return 0;
}

static int get_gaps(struct call *c, const Unic__Scoring__V1__GetGapsRequest *req, Unic__Scoring__V1__GetGapsResponse **out, struct err *e)
{
    if (!isfinite(req->min_severity) || req->min_severity < 0)
        return err_set(e, ERR_INVALID_ARGUMENT, "min_severity %g is not a severity (0 or more)",
                       req->min_severity);
    if (req->n_topics > MAX_TOPICS)
        return err_set(e, ERR_INVALID_ARGUMENT, "topics: %zu given, at most %d", req->n_topics,
                       MAX_TOPICS);
    for (size_t i = 0; i < req->n_topics; i++)
        if (!slug_valid(req->topics[i], 40))
            return err_set(e, ERR_INVALID_ARGUMENT, "topics[%zu] \"%s\" is not a topic id", i,
                           shown(req->topics[i]));
    if (req->n_topics > 0) {
        Unic__Catalog__V1__ListTopicsResponse *known;
        if (upstream_list_topics(c, &known, e) < 0)
            return -1;
        for (size_t i = 0; i < req->n_topics; i++) {
            bool found = false;
            for (size_t k = 0; k < known->n_topics && !found; k++)
                found = strcmp(known->topics[k]->id, req->topics[i]) == 0;
            if (!found)
                return err_set(e, ERR_INVALID_ARGUMENT, "topics[%zu] \"%s\" is not a known topic",
                               i, req->topics[i]);
        }
    }
    Assessment *as;
    Scorecard *card;
    if (assessment_of(c, req->assessment_id, req->state_code, req->cycle, &as, e) < 0 ||
        scorecard_of(c, as, &card, NULL, NULL, e) < 0)
        return -1;
    *out = card_gaps(&c->arena, card, req->min_severity, req->topics, req->n_topics);
    return 0;
}

static int cmp_cycle_desc(const void *x, const void *y)
{
    const Assessment *const *a = x, *const *b = y;
    return ((*a)->cycle < (*b)->cycle) - ((*a)->cycle > (*b)->cycle);
}

static int get_compliance_report(struct call *c, const Unic__Scoring__V1__GetComplianceReportRequest *req,
                                 Unic__Scoring__V1__ComplianceReport **out, struct err *e)
{
    char today[16];
    const char *as_of = req->as_of;
    if (check_state_shape(req->state_code, "state_code", e) < 0)
        return -1;
    if (as_of[0] == '\0') {
        text_today(today, sizeof today);
        as_of = today;
    } else if (!text_date_valid(as_of)) {
        return err_set(e, ERR_INVALID_ARGUMENT, "as_of \"%s\" is not a date (YYYY-MM-DD)",
                       shown(as_of));
    }
    const CatalogState *st = NULL;
    if (state_lookup(c, req->state_code, "state_code", &st, e) < 0)
        return -1;

    /* The latest compliance form the State submitted: the newest cycle's, or, when that one is
     * a draft, its last submitted revision (a State reopening its report to correct it has not
     * withdrawn it), or else an older cycle's. */
    Assessment **forms, *submitted = NULL;
    size_t n_forms;
    if (upstream_list_assessments(c, req->state_code, 0, SCORING_COMPLIANCE,
                                  UNIC__RESPONSES__V1__ASSESSMENT_STATUS__ASSESSMENT_STATUS_UNSPECIFIED,
                                  true, &forms, &n_forms, e) < 0)
        return -1;
    qsort(forms, n_forms, sizeof *forms, cmp_cycle_desc);
    /* Each cycle's form as last submitted: the report of that year (paragraph 8). */
    Assessment **reports = ARENA_ARRAY(&c->arena, Assessment *, n_forms);
    size_t n_reports = 0;
    for (size_t i = 0; i < n_forms; i++) {
        Assessment *last;
        if (upstream_last_submitted(c, forms[i], &last, e) < 0)
            return -1;
        if (last != NULL)
            reports[n_reports++] = last;
    }
    if (n_reports > 0)
        submitted = reports[0];

    Questionnaire *q;
    Assessment **cycles;
    size_t n_cycles;
    Unic__Scoring__V1__ComplianceReport *r;
    if (upstream_get_questionnaire(c, SCORING_COMPLIANCE,
                                   submitted ? submitted->questionnaire_version : 0, &q, e) < 0 ||
        upstream_list_assessments(c, req->state_code, 0, SCORING_SELF_ASSESSMENT,
                                  UNIC__RESPONSES__V1__ASSESSMENT_STATUS__ASSESSMENT_STATUS_UNSPECIFIED,
                                  false, &cycles, &n_cycles, e) < 0 ||
        card_compliance(&c->arena, req->state_code, as_of, st->ldc, q, submitted, reports,
                        n_reports, cycles, n_cycles, &r, e) < 0)
        return -1;
    *out = r;
    return 0;
}

static int get_trend(struct call *c, const Unic__Scoring__V1__GetTrendRequest *req, Unic__Scoring__V1__Trend **out, struct err *e)
{
    int from = req->from_cycle ? req->from_cycle : SCORING_FIRST_CYCLE;
    int to = req->to_cycle ? req->to_cycle : text_current_year() + 1;
    const char *qid = req->questionnaire_id[0] ? req->questionnaire_id : SCORING_SELF_ASSESSMENT;
    if (check_state_shape(req->state_code, "state_code", e) < 0 ||
        check_cycle(from, "from_cycle", e) < 0 || check_cycle(to, "to_cycle", e) < 0)
        return -1;
    if (from > to)
        return err_set(e, ERR_INVALID_ARGUMENT, "from_cycle %d is after to_cycle %d", from, to);
    if (!slug_valid(qid, 64))
        return err_set(e, ERR_INVALID_ARGUMENT, "questionnaire_id \"%s\" is not a questionnaire id",
                       shown(qid));
    const CatalogState *st = NULL;
    Assessment **all;
    size_t n_all;
    if (state_lookup(c, req->state_code, "state_code", &st, e) < 0 ||
        upstream_list_assessments(c, req->state_code, 0, qid,
                                  UNIC__RESPONSES__V1__ASSESSMENT_STATUS__ASSESSMENT_STATUS_UNSPECIFIED,
                                  true, &all, &n_all, e) < 0)
        return -1;
    Scorecard **cards = ARENA_ARRAY(&c->arena, Scorecard *, n_all);
    size_t n_cards = 0;
    for (size_t i = 0; i < n_all; i++) {
        const Assessment *as = all[i];
        if (as->cycle < from || as->cycle > to || strcmp(as->state_code, req->state_code) != 0 ||
            strcmp(as->questionnaire_id, qid) != 0)
            continue;
        if (scorecard_of(c, as, &cards[n_cards], NULL, NULL, e) < 0)
            return -1;
        n_cards++;
    }
    Unic__Scoring__V1__Trend *t;
    if (card_trend(&c->arena, req->state_code, qid, cards, n_cards, &t, e) < 0)
        return -1;
    *out = t;
    return 0;
}

/* Whether State st belongs to benchmark group `group`. */
static bool in_group(const CatalogState *st, const char *group)
{
    if (strcmp(group, "ALL") == 0)
        return true;
    if (strcmp(group, "LDC") == 0)
        return st->ldc;
    return strcmp(st->region, group) == 0 || strcmp(st->sub_region, group) == 0;
}

static int get_benchmark(struct call *c, const Unic__Scoring__V1__GetBenchmarkRequest *req, Unic__Scoring__V1__Benchmark **out, struct err *e)
{
    size_t glen = strlen(req->group);
    if (glen == 0 || glen > 100 || !text_valid(req->group, false, NULL))
        return err_set(e, ERR_INVALID_ARGUMENT,
                       "group \"%s\" is not ALL, LDC or an M49 region or sub-region name",
                       shown(req->group));
    if (check_cycle(req->cycle, "cycle", e) < 0)
        return -1;
    Unic__Catalog__V1__ListStatesResponse *states;
    if (upstream_list_states(c, &states, e) < 0)
        return -1;
    bool known = false;
    for (size_t i = 0; i < states->n_states && !known; i++)
        known = in_group(states->states[i], req->group);
    if (!known)
        return err_set(e, ERR_INVALID_ARGUMENT,
                       "group \"%s\" is not ALL, LDC or an M49 region or sub-region name",
                       req->group);

    /* Submitted self-assessments of the cycle that the caller may see: the responses service
     * returns PUBLIC ones (and UNIC ones to operators, and the caller's own State's). */
    Assessment **all;
    size_t n_all;
    if (upstream_list_assessments(c, "", req->cycle, SCORING_SELF_ASSESSMENT,
                                  UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED, true, &all,
                                  &n_all, e) < 0)
        return -1;
    Scorecard **cards = ARENA_ARRAY(&c->arena, Scorecard *, n_all);
    size_t n_cards = 0;
    for (size_t i = 0; i < n_all; i++) {
        const Assessment *as = all[i];
        if (as->status != UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED ||
            as->cycle != req->cycle || strcmp(as->questionnaire_id, SCORING_SELF_ASSESSMENT) != 0)
            continue;
        const CatalogState *st = NULL;
        for (size_t k = 0; k < states->n_states && st == NULL; k++)
            if (strcmp(states->states[k]->code, as->state_code) == 0)
                st = states->states[k];
        bool seen = false;
        for (size_t k = 0; k < n_cards && !seen; k++)
            seen = strcmp(cards[k]->state_code, as->state_code) == 0;
        if (st == NULL || seen || !in_group(st, req->group))
            continue;
        if (scorecard_of(c, as, &cards[n_cards], NULL, NULL, e) < 0)
            return -1;
        n_cards++;
    }
    const char *own = c->principal.role == ROLE_STATE ? c->principal.state : NULL;
    Unic__Scoring__V1__Benchmark *b;
    if (card_benchmark(&c->arena, req->group, req->cycle, cards, n_cards, own, &b, e) < 0)
        return -1;
    *out = b;
    return 0;
}

RPC_HANDLER(get_scorecard, Unic__Scoring__V1__GetScorecardRequest, Unic__Scoring__V1__Scorecard);
RPC_HANDLER(get_gaps, Unic__Scoring__V1__GetGapsRequest, Unic__Scoring__V1__GetGapsResponse);
RPC_HANDLER(get_compliance_report, Unic__Scoring__V1__GetComplianceReportRequest, Unic__Scoring__V1__ComplianceReport);
RPC_HANDLER(get_trend, Unic__Scoring__V1__GetTrendRequest, Unic__Scoring__V1__Trend);
RPC_HANDLER(get_benchmark, Unic__Scoring__V1__GetBenchmarkRequest, Unic__Scoring__V1__Benchmark);

static const struct rpc_method methods[] = {
    RPC_ROW("GetScorecard", get_scorecard, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("GetGaps", get_gaps, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("GetComplianceReport", get_compliance_report, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("GetTrend", get_trend, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("GetBenchmark", get_benchmark, RPC_ANY_ROLE, RPC_READS),
};

const struct rpc_service scoring_rpc = {
    &unic__scoring__v1__scoring_service__descriptor, methods, sizeof methods / sizeof methods[0],
};
