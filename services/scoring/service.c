/* service.c: the scoring service's RPC handlers: validate the request, read the answers and the
 * questionnaire as the caller, score (card.c over score.c / compliance.c), reply.
 * Nothing is cached but the published questionnaires (upstream.c): a scorecard is computed on
 * every call from the assessment the responses service has just let the caller read. A Redis
 * cache of scorecards was measured slower than computing them (bench/run) and removed. */
#include "scoring.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "bytes.h"
#include "due.h"
#include "groups.h"
#include "labels.h"
#include "log.h"
#include "pbuf.h"
#include "render.h"
#include "score.h"
#include "text.h"

#define MAX_TOPICS 50

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
        return err_field(e, field, "%d is not a cycle: expected %d to %d",
                         cycle, SCORING_FIRST_CYCLE, last);
    return 0;
}

/* Letters, digits, '-' and '_', as assessment ids are ("KEN-2025-cip-self-assessment"). */
static int check_id(const char *s, const char *field, struct err *e)
{
    size_t n = strlen(s);
    if (n == 0 || n > 128 || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789-_") != n)
        return err_field(e, field, "\"%s\" is not an id", shown(s));
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
        return err_field(e, field,
                         "\"%s\" is not an ISO 3166-1 alpha-3 code (three capital letters)",
                         shown(s));
    return 0;
}

/* The catalog's entry for State `code` (shape already checked), from the shared reference data
 * (common/catalog_ref.h), valid until the call ends; INVALID_ARGUMENT when it is not a UN Member
 * State. */
static int state_lookup(struct call *c, const char *code, const char *field,
                        const CatalogState **out, struct err *e)
{
    struct refdata *ref;
    if (catalog_ref_borrow(&((struct scoring_app *)c->app)->refs, c, &ref, e) < 0)
        return -1;
    const struct ref_state *st = refdata_state(ref, code);
    if (st == NULL)
        return err_field(e, field, "\"%s\" is not a UN Member State", code);
    *out = st->full;
    return 0;
}

/* ---- the scorecard ---- */

/* The scorecard of `as` at its revision, which the caller has just been allowed to read. */
static int scorecard_of(struct call *c, const Assessment *as, Scorecard **out, struct err *e)
{
    Questionnaire *q;
    char now[32];
    if (upstream_get_questionnaire(c, as->questionnaire_id, as->questionnaire_version, &q, e) < 0)
        return -1;
    clock_rfc3339(now, sizeof now, clock_wall_ms(), false);
    return card_scorecard(&c->arena, as, q, now, out, e);
}

/* The assessment a GetScorecard or GetGaps request names: by id, or the State's self-assessment
 * of a cycle. The responses service decides whether the caller may read it. */
static int assessment_of(struct call *c, const char *id, const char *state, int cycle,
                         Assessment **out, struct err *e)
{
    if (id[0] != '\0') {
        if (state[0] != '\0' || cycle != 0)
            return err_field(e, "assessment_id",
                             "give either assessment_id, or state_code and cycle");
        if (check_id(id, "assessment_id", e) < 0)
            return -1;
        return upstream_get_assessment(c, id, "", 0, "", out, e);
    }
    if (state[0] == '\0')
        return err_field(e, "state_code",
                         "give either assessment_id, or state_code and cycle");
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
    if (assessment_of(c, req->assessment_id, req->state_code, req->cycle, &as, e) < 0)
        return -1;
    return scorecard_of(c, as, out, e);
}

static int get_gaps(struct call *c, const Unic__Scoring__V1__GetGapsRequest *req, Unic__Scoring__V1__GetGapsResponse **out, struct err *e)
{
    if (!isfinite(req->min_severity) || req->min_severity < 0)
        return err_field(e, "min_severity", "%g is not a severity (0 or more)",
                         req->min_severity);
    if (req->n_topics > MAX_TOPICS)
        return err_field(e, "topics", "%zu given, at most %d", req->n_topics,
                         MAX_TOPICS);
    for (size_t i = 0; i < req->n_topics; i++)
        if (!slug_valid(req->topics[i], 40))
            return err_field_at(e, "topics", i, NULL, "\"%s\" is not a topic id",
                                shown(req->topics[i]));
    if (req->n_topics > 0) {
        struct refdata *ref;
        if (catalog_ref_borrow(&((struct scoring_app *)c->app)->refs, c, &ref, e) < 0)
            return -1;
        for (size_t i = 0; i < req->n_topics; i++)
            if (!refdata_topic_known(ref, req->topics[i]))
                return err_field_at(e, "topics", i, NULL, "\"%s\" is not a known topic",
                                    req->topics[i]);
    }
    Assessment *as;
    Scorecard *card;
    if (assessment_of(c, req->assessment_id, req->state_code, req->cycle, &as, e) < 0 ||
        scorecard_of(c, as, &card, e) < 0)
        return -1;
    *out = card_gaps(&c->arena, card, req->min_severity, req->topics, req->n_topics);
    return 0;
}

static int cmp_cycle_desc(const void *x, const void *y)
{
    const Assessment *const *a = x, *const *b = y;
    return ((*a)->cycle < (*b)->cycle) - ((*a)->cycle > (*b)->cycle);
}

/* What a compliance report is made of: the State, the date, the form read and the report. */
struct compliance_view {
    const CatalogState *state;
    const char *as_of;
    Assessment *submitted; /* the State's latest submitted compliance form, or NULL */
    Questionnaire *q;      /* the checklist it answers */
    const DirectoryEntry *directory; /* the State's points-of-contact entry, or NULL */
    Unic__Scoring__V1__ComplianceReport *report;
};

/* The report of v->state as of v->as_of from its compliance forms (with answers) and its
 * self-assessments: the rest of *v. Dates are the State's, in its own time zone. */
static int compliance_compute(struct call *c, struct compliance_view *v, const struct tz *zone,
                              Assessment **forms, size_t n_forms, Assessment *const *cycles,
                              size_t n_cycles, struct err *e)
{
    /* The latest compliance form the State submitted: the newest cycle's, or, when that one is
     * a draft, its last submitted revision (a State reopening its report to correct it has not
     * withdrawn it), or else an older cycle's. */
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
    v->submitted = n_reports > 0 ? reports[0] : NULL;
    if (upstream_get_questionnaire(c, SCORING_COMPLIANCE,
                                   v->submitted ? v->submitted->questionnaire_version : 0, &v->q,
                                   e) < 0)
        return -1;
    /* Paragraph 9 binds by LDC status on the report's date, not today's (common/groups.h). */
    return card_compliance(&c->arena, v->state->code, v->as_of,
                           state_member_on(v->state, "LDC", v->as_of), zone, v->directory, v->q,
                           v->submitted, reports, n_reports, cycles, n_cycles, &v->report, e);
}

/* The compliance forms (with answers) and self-assessments of State `state` as the caller may
 * see them; state "" lists every State's. */
static int compliance_inputs(struct call *c, const char *state, Assessment ***forms, size_t *n_forms,
                             Assessment ***cycles, size_t *n_cycles, struct err *e)
{
    if (upstream_list_assessments(c, state, 0, SCORING_COMPLIANCE,
                                  UNIC__RESPONSES__V1__ASSESSMENT_STATUS__ASSESSMENT_STATUS_UNSPECIFIED,
                                  true, forms, n_forms, e) < 0)
        return -1;
    return upstream_list_assessments(c, state, 0, SCORING_SELF_ASSESSMENT,
                                     UNIC__RESPONSES__V1__ASSESSMENT_STATUS__ASSESSMENT_STATUS_UNSPECIFIED,
                                     false, cycles, n_cycles, e);
}

/* v->state's time zone (the catalog has its capital's), and v->as_of: `as_of`, or "" for today
 * there. */
static int state_zone_date(struct call *c, struct compliance_view *v, const char *as_of,
                           const struct tz **zone, struct err *e)
{
    if (upstream_zone(c, v->state->time_zone[0] ? v->state->time_zone : "UTC", zone, e) < 0)
        return -1;
    if (as_of[0] == '\0') {
        char *today = arena_alloc(&c->arena, 16);
        if (!tz_local_date(*zone, clock_now_ms() / 1000, today))
            return err_set(e, ERR_INTERNAL, "could not tell today's date in %s", tz_name(*zone));
        as_of = today;
    }
    v->as_of = as_of;
    return 0;
}

static int check_as_of(const char *as_of, struct err *e)
{
    if (as_of[0] != '\0' && !text_date_valid(as_of))
        return err_field(e, "as_of", "\"%s\" is not a date (YYYY-MM-DD)",
                         shown(as_of));
    return 0;
}

/* GetComplianceReport's computation, shared with RenderComplianceReport so that a rendered report
 * says what GetComplianceReport says for the same date. Dates are the State's, in its own time
 * zone; as_of "" means today there. */
static int compliance_of(struct call *c, const char *state_code, const char *as_of,
                         struct compliance_view *v, struct err *e)
{
    const struct tz *zone;
    Assessment **forms, **cycles;
    size_t n_forms, n_cycles;
    DirectoryEntry *dir = NULL;
    if (check_state_shape(state_code, "state_code", e) < 0 || check_as_of(as_of, e) < 0 ||
        state_lookup(c, state_code, "state_code", &v->state, e) < 0 ||
        state_zone_date(c, v, as_of, &zone, e) < 0 ||
        upstream_directory_entry(c, state_code, &dir, e) < 0 ||
        compliance_inputs(c, state_code, &forms, &n_forms, &cycles, &n_cycles, e) < 0)
        return -1;
    v->directory = dir;
    return compliance_compute(c, v, zone, forms, n_forms, cycles, n_cycles, e);
}

static int get_compliance_report(struct call *c,
                                 const Unic__Scoring__V1__GetComplianceReportRequest *req,
                                 Unic__Scoring__V1__ComplianceReport **out, struct err *e)
{
    struct compliance_view v;
    if (compliance_of(c, req->state_code, req->as_of, &v, e) < 0)
        return -1;
    *out = v.report;
    return 0;
}

/* The assessments of `all` that are State `code`'s, in a new arena array. */
static Assessment **of_state(struct arena *a, Assessment **all, size_t n_all, const char *code, size_t *n)
{
    Assessment **out = ARENA_ARRAY(a, Assessment *, n_all + 1);
    *n = 0;
    for (size_t i = 0; i < n_all; i++)
        if (strcmp(all[i]->state_code, code) == 0)
            out[(*n)++] = all[i];
    return out;
}

/* Every Member State's report, counted by status: the operators' table of 193 States in one
 * call. Each State is read as GetComplianceReport reads it, as the same caller. */
static int list_compliance_summaries(struct call *c,
                                     const Unic__Scoring__V1__ListComplianceSummariesRequest *req,
                                     Unic__Scoring__V1__ListComplianceSummariesResponse **out,
                                     struct err *e)
{
    const Unic__Catalog__V1__ListStatesResponse *states;
    /* Two lists for all States rather than two per State: the same assessments the caller would
     * get State by State (the responses service filters by visibility, not by the filter). */
    Assessment **all_forms, **all_cycles;
    size_t n_all_forms, n_all_cycles, n_dir = 0;
    DirectoryEntry **dir = NULL;
    if (check_as_of(req->as_of, e) < 0 || upstream_list_states(c, &states, e) < 0 ||
        upstream_directory_all(c, &dir, &n_dir, e) < 0 ||
        compliance_inputs(c, "", &all_forms, &n_all_forms, &all_cycles, &n_all_cycles, e) < 0)
        return -1;
    Unic__Scoring__V1__ListComplianceSummariesResponse *r =
        ARENA_MSG(&c->arena, Unic__Scoring__V1__ListComplianceSummariesResponse,
                  UNIC__SCORING__V1__LIST_COMPLIANCE_SUMMARIES_RESPONSE__INIT);
    r->as_of = req->as_of;
    r->summaries = ARENA_ARRAY(&c->arena, Unic__Scoring__V1__ComplianceSummary *, states->n_states);
    for (size_t i = 0; i < states->n_states; i++) {
        struct compliance_view v;
        const struct tz *zone;
        size_t n_forms, n_cycles;
        if (rpc_deadline_passed(c))
            return err_set(e, ERR_DEADLINE_EXCEEDED,
                           "could not summarise compliance: the deadline passed after %zu of %zu States",
                           i, states->n_states);
        v.state = states->states[i];
        v.directory = NULL;
        for (size_t k = 0; k < n_dir && v.directory == NULL; k++)
            if (strcmp(dir[k]->state_code, v.state->code) == 0)
                v.directory = dir[k];
        Assessment **forms = of_state(&c->arena, all_forms, n_all_forms, v.state->code, &n_forms);
        Assessment **cycles = of_state(&c->arena, all_cycles, n_all_cycles, v.state->code, &n_cycles);
        if (state_zone_date(c, &v, req->as_of, &zone, e) < 0 ||
            compliance_compute(c, &v, zone, forms, n_forms, cycles, n_cycles, e) < 0)
            return -1;
        Unic__Scoring__V1__ComplianceSummary *s = ARENA_MSG(
            &c->arena, Unic__Scoring__V1__ComplianceSummary, UNIC__SCORING__V1__COMPLIANCE_SUMMARY__INIT);
        s->state_code = v.report->state_code;
        s->assessment_id = v.report->assessment_id;
        for (size_t k = 0; k < v.report->n_items; k++) {
            switch (v.report->items[k]->status) {
            case UNIC__SCORING__V1__COMPLIANCE_STATUS__MET: s->met++; break;
            case UNIC__SCORING__V1__COMPLIANCE_STATUS__MET_LATE: s->met_late++; break;
            case UNIC__SCORING__V1__COMPLIANCE_STATUS__OPEN: s->open++; break;
            case UNIC__SCORING__V1__COMPLIANCE_STATUS__OVERDUE: s->overdue++; break;
            case UNIC__SCORING__V1__COMPLIANCE_STATUS__NOT_APPLICABLE: s->not_applicable++; break;
            default: s->unknown++; break;
            }
        }
        r->summaries[r->n_summaries++] = s;
    }
    *out = r;
    return 0;
}

/* The trend of a State's scorecards of questionnaire qid from cycle `from` to `to`, as GetTrend
 * gives it (every assessment the caller may read). */
static int trend_of(struct call *c, const char *state, const char *qid, int from, int to,
                    Unic__Scoring__V1__Trend **out, struct err *e)
{
    Assessment **all;
    size_t n_all;
    if (upstream_list_assessments(c, state, 0, qid,
                                  UNIC__RESPONSES__V1__ASSESSMENT_STATUS__ASSESSMENT_STATUS_UNSPECIFIED,
                                  true, &all, &n_all, e) < 0)
        return -1;
    Scorecard **cards = ARENA_ARRAY(&c->arena, Scorecard *, n_all);
    size_t n_cards = 0;
    for (size_t i = 0; i < n_all; i++) {
        const Assessment *as = all[i];
        if (as->cycle < from || as->cycle > to || strcmp(as->state_code, state) != 0 ||
            strcmp(as->questionnaire_id, qid) != 0)
            continue;
        if (scorecard_of(c, as, &cards[n_cards], e) < 0)
            return -1;
        n_cards++;
    }
    return card_trend(&c->arena, state, qid, cards, n_cards, out, e);
}

static int get_trend(struct call *c, const Unic__Scoring__V1__GetTrendRequest *req,
                     Unic__Scoring__V1__Trend **out, struct err *e)
{
    int from = req->from_cycle ? req->from_cycle : SCORING_FIRST_CYCLE;
    int to = req->to_cycle ? req->to_cycle : text_current_year() + 1;
    const char *qid = req->questionnaire_id[0] ? req->questionnaire_id : SCORING_SELF_ASSESSMENT;
    if (check_state_shape(req->state_code, "state_code", e) < 0 ||
        check_cycle(from, "from_cycle", e) < 0 || check_cycle(to, "to_cycle", e) < 0)
        return -1;
    if (from > to)
        return err_field(e, "from_cycle", "%d is after to_cycle %d", from, to);
    if (!slug_valid(qid, 64))
        return err_field(e, "questionnaire_id", "\"%s\" is not a questionnaire id",
                         shown(qid));
    const CatalogState *st = NULL;
    Unic__Scoring__V1__Trend *t;
    if (state_lookup(c, req->state_code, "state_code", &st, e) < 0 ||
        trend_of(c, req->state_code, qid, from, to, &t, e) < 0)
        return -1;
    *out = t;
    return 0;
}

/* Whether State st belongs to benchmark group `group`: ALL, a UN country group on `date` (the
 * cycle's last day: a State that graduated in the cycle's year is no longer counted an LDC), or
 * an M49 region, sub-region or intermediate region. */
static bool in_group(const CatalogState *st, const char *group, const char *date)
{
    if (strcmp(group, "ALL") == 0)
        return true;
    if (country_group_known(group))
        return state_member_on(st, group, date);
    return strcmp(st->region, group) == 0 || strcmp(st->sub_region, group) == 0 ||
           strcmp(st->intermediate_region, group) == 0;
}

static int get_benchmark(struct call *c, const Unic__Scoring__V1__GetBenchmarkRequest *req, Unic__Scoring__V1__Benchmark **out, struct err *e)
{
    size_t glen = strlen(req->group);
    if (glen == 0 || glen > 100 || !text_valid(req->group, false, NULL))
        return err_field(e, "group",
                         "\"%s\" is not ALL, " COUNTRY_GROUPS_VALID " or an M49 region,"
                         " sub-region or intermediate region name", shown(req->group));
    if (check_cycle(req->cycle, "cycle", e) < 0)
        return -1;
    const Unic__Catalog__V1__ListStatesResponse *states;
    if (upstream_list_states(c, &states, e) < 0)
        return -1;
    char cycle_end[16];
    snprintf(cycle_end, sizeof cycle_end, "%04d-12-31", (int)req->cycle);
    bool known = country_group_known(req->group);
    for (size_t i = 0; i < states->n_states && !known; i++)
        known = in_group(states->states[i], req->group, cycle_end);
    if (!known)
        return err_field(e, "group",
                         "\"%s\" is not ALL, " COUNTRY_GROUPS_VALID " or an M49 region,"
                         " sub-region or intermediate region name", req->group);

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
        if (st == NULL || seen || !in_group(st, req->group, cycle_end))
            continue;
        if (scorecard_of(c, as, &cards[n_cards], e) < 0)
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

/* ---- documents: the scorecard and compliance reports (render.c), open data ---- */

typedef Unic__Scoring__V1__Document Document;

static int document_locale(const char *locale, const char **out, struct err *e)
{
    *out = locale[0] ? locale : "en";
    if (!labels_locale_valid(*out))
        return err_field(e, "locale",
                         "\"%s\" is not one of ar, zh, en, fr, ru, es", shown(locale));
    return 0;
}

/* The reply: `b`'s bytes copied into the call's arena. */
static Document *document(struct arena *a, const char *content_type, char *filename,
                          const struct bytes *b)
{
    Document *d = ARENA_MSG(a, Document, UNIC__SCORING__V1__DOCUMENT__INIT);
    d->content_type = (char *)content_type;
    d->filename = filename;
    d->bytes.len = b->len;
    d->bytes.data = arena_memdup(a, b->data ? b->data : (const unsigned char *)"", b->len + 1);
    return d;
}

static const Unic__Catalog__V1__Question *question_in(const Questionnaire *q, const char *id)
{
    for (size_t s = 0; s < q->n_sections; s++)
        for (size_t i = 0; i < q->sections[s]->n_questions; i++)
            if (strcmp(q->sections[s]->questions[i]->id, id) == 0)
                return q->sections[s]->questions[i];
    return NULL;
}

static const Unic__Responses__V1__Answer *answer_in(const Assessment *as, const char *qid)
{
    for (size_t i = 0; as && i < as->n_answers; i++)
        if (strcmp(as->answers[i]->question_id, qid) == 0)
            return as->answers[i];
    return NULL;
}

/* Every piece of evidence of `as`, in the questionnaire's order: its links, then the documents
 * attached to each answer (named by file and content hash, since a PDF cannot carry them). */
static int evidence_of(struct call *c, const Assessment *as, const Questionnaire *q,
                       struct render_evidence **out, size_t *n, struct err *e)
{
    struct arena *a = &c->arena;
    Unic__Responses__V1__ListEvidenceDocumentsResponse *docs = NULL;
    size_t total = 0;
    if (as && upstream_evidence_documents(c, as->id, &docs, e) < 0)
        return -1;
    for (size_t i = 0; as && i < as->n_answers; i++)
        total += as->answers[i]->n_evidence;
    total += docs ? docs->n_documents : 0;
    struct render_evidence *ev = ARENA_ARRAY(a, struct render_evidence, total ? total : 1);
    *n = 0;
    for (size_t s = 0; s < q->n_sections; s++)
        for (size_t i = 0; i < q->sections[s]->n_questions; i++) {
            const char *qid = q->sections[s]->questions[i]->id;
            const Unic__Responses__V1__Answer *ans = answer_in(as, qid);
            for (size_t k = 0; ans && k < ans->n_evidence && *n < total; k++)
                ev[(*n)++] = (struct render_evidence){ans->question_id, ans->evidence[k]->title,
                                                      ans->evidence[k]->uri};
            for (size_t k = 0; docs && k < docs->n_documents && *n < total; k++)
                if (strcmp(docs->documents[k]->question_id, qid) == 0)
                    ev[(*n)++] = (struct render_evidence){
                        docs->documents[k]->question_id, docs->documents[k]->filename,
                        arena_printf(a, "SHA-256 %.16s…", docs->documents[k]->sha256)};
        }
    *out = ev;
    return 0;
}

static int get_scorecard_document(struct call *c,
                                  const Unic__Scoring__V1__RenderScorecardRequest *req,
                                  Document **out, struct err *e)
{
    enum render_format format;
    const char *locale;
    if (req->format == UNIC__SCORING__V1__DOCUMENT_FORMAT__DOCUMENT_FORMAT_UNSPECIFIED ||
        req->format == UNIC__SCORING__V1__DOCUMENT_FORMAT__PDF)
        format = RENDER_PDF;
    else if (req->format == UNIC__SCORING__V1__DOCUMENT_FORMAT__SVG)
        format = RENDER_SVG;
    else
        return err_field(e, "format", "expected PDF or SVG");
    if (document_locale(req->locale, &locale, e) < 0)
        return -1;
    /* The assessment is read as the caller first: the responses service decides who may see it,
     * and everything else in the document is computed from what it returned. */
    Assessment *as;
    Scorecard *card;
    Questionnaire *qt;
    const CatalogState *st = NULL;
    Unic__Scoring__V1__Trend *t;
    if (assessment_of(c, req->assessment_id, req->state_code, req->cycle, &as, e) < 0 ||
        scorecard_of(c, as, &card, e) < 0 ||
        upstream_get_questionnaire_texts(c, as->questionnaire_id, as->questionnaire_version,
                                         locale, &qt, e) < 0 ||
        state_lookup(c, as->state_code, "state_code", &st, e) < 0 ||
        trend_of(c, as->state_code, as->questionnaire_id, SCORING_FIRST_CYCLE, as->cycle, &t, e) < 0)
        return -1;

    struct arena *a = &c->arena;
    const Unic__Scoring__V1__TrendPoint *prev = NULL;
    struct render_point *points = ARENA_ARRAY(a, struct render_point, t->n_points + 1);
    size_t n_points = 0;
    for (size_t i = 0; i < t->n_points; i++) {
        points[n_points++] = (struct render_point){t->points[i]->cycle, t->points[i]->overall_index};
        if (t->points[i]->cycle < as->cycle && (prev == NULL || t->points[i]->cycle > prev->cycle))
            prev = t->points[i];
    }
    struct render_section *secs = ARENA_ARRAY(a, struct render_section, card->n_sections + 1);
    for (size_t i = 0; i < card->n_sections; i++) {
        const Unic__Scoring__V1__SectionScore *sc = card->sections[i];
        struct render_section *r = &secs[i];
        *r = (struct render_section){sc->section_id, (int)i + 1, sc->title, sc->score, sc->stage,
                                     false, 0};
        for (size_t k = 0; k < qt->n_sections; k++)
            if (strcmp(qt->sections[k]->id, sc->section_id) == 0) {
                r->number = qt->sections[k]->number;
                r->title = qt->sections[k]->title;
            }
        for (size_t k = 0; prev && k < prev->n_sections; k++)
            if (strcmp(prev->sections[k]->section_id, sc->section_id) == 0) {
                r->has_previous = true;
                r->previous = prev->sections[k]->score;
            }
    }
    struct render_gap *gaps = ARENA_ARRAY(a, struct render_gap, card->n_gaps + 1);
    for (size_t i = 0; i < card->n_gaps; i++) {
        const Unic__Scoring__V1__Gap *g = card->gaps[i];
        const Unic__Catalog__V1__Question *q = question_in(qt, g->question_id);
        gaps[i] = (struct render_gap){g->question_id, g->question_number, q ? q->text : "",
                                      g->level, g->target, g->severity};
    }
    char today[16];
    text_today(today, sizeof today);
    struct render_scorecard in = {
        .locale = locale, .state_name = st->name, .state_code = as->state_code,
        .cycle = as->cycle, .previous_cycle = prev ? prev->cycle : 0,
        .questionnaire_id = as->questionnaire_id,
        .questionnaire_version = as->questionnaire_version, .model_version = card->model_version,
        .index = card->overall_index, .stage = card->overall_stage,
        .completeness = card->completeness, .sections = secs, .n_sections = card->n_sections,
        .gaps = gaps, .n_gaps = card->n_gaps,
        .assessment_needed = (const char *const *)card->assessment_needed,
        .n_assessment_needed = card->n_assessment_needed, .trend = points, .n_trend = n_points,
        .visibility = (enum render_visibility)as->visibility, .generated_on = today,
        .revision = as->revision};
    struct render_evidence *ev;
    if (evidence_of(c, as, qt, &ev, &in.n_evidence, e) < 0)
        return -1;
    in.evidence = ev;
    struct bytes b;
    bytes_init(&b);
    int rc = render_scorecard(&in, format, &b, e);
    if (rc == 0)
        *out = document(a, format == RENDER_SVG ? "image/svg+xml" : "application/pdf",
                        arena_printf(a, "%s-%d-scorecard-%s.%s", as->state_code, as->cycle, locale,
                                     format == RENDER_SVG ? "svg" : "pdf"),
                        &b);
    bytes_destroy(&b);
    return rc;
}

/* The question of an item of the compliance report: paragraph 8's items are one per year,
 * "<question id>-<year>". */
static const Unic__Catalog__V1__Question *duty_question(struct arena *a, const Questionnaire *q,
                                                        const char *item_id, bool *yearly)
{
    const Unic__Catalog__V1__Question *found = question_in(q, item_id);
    size_t n = strlen(item_id);
    *yearly = false;
    if (found == NULL && n > 5 && item_id[n - 5] == '-') {
        found = question_in(q, arena_strndup(a, item_id, n - 5));
        *yearly = found != NULL;
    }
    return found;
}

static int get_compliance_document(struct call *c,
                                   const Unic__Scoring__V1__RenderComplianceReportRequest *req,
                                   Document **out, struct err *e)
{
    const char *locale;
    struct compliance_view v;
    Questionnaire *qt;
    if (req->format != UNIC__SCORING__V1__DOCUMENT_FORMAT__DOCUMENT_FORMAT_UNSPECIFIED &&
        req->format != UNIC__SCORING__V1__DOCUMENT_FORMAT__PDF)
        return err_field(e, "format", "expected PDF");
    if (document_locale(req->locale, &locale, e) < 0 ||
        compliance_of(c, req->state_code, req->as_of, &v, e) < 0 ||
        upstream_get_questionnaire_texts(c, SCORING_COMPLIANCE, v.q->version, locale, &qt, e) < 0)
        return -1;
    struct arena *a = &c->arena;
    const Unic__Scoring__V1__ComplianceReport *r = v.report;
    struct render_duty *duties = ARENA_ARRAY(a, struct render_duty, r->n_items + 1);
    for (size_t i = 0; i < r->n_items; i++) {
        const Unic__Scoring__V1__ComplianceItem *it = r->items[i];
        bool yearly;
        const Unic__Catalog__V1__Question *q = duty_question(a, qt, it->item_id, &yearly);
        const Unic__Responses__V1__Answer *ans = q ? answer_in(v.submitted, q->id) : NULL;
        bool yes_set = ans && ans->yes_value_case == UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES;
        /* A yearly item's narrative is the State's one answer to the duty: shown once, with the
         * year of the report. */
        bool narrate = ans && (!yearly || strncmp(it->item_id + strlen(it->item_id) - 4,
                                                  v.as_of, 4) == 0);
        duties[i] = (struct render_duty){it->paragraph, q ? q->text : it->item_id, it->deadline,
                                         yes_set ? (ans->yes ? 1 : 0) : -1, it->date,
                                         narrate ? ans->narrative : "", (int)it->status};
    }
    char today[16];
    text_today(today, sizeof today);
    struct render_compliance in = {
        .locale = locale, .state_name = v.state->name, .state_code = v.state->code,
        .year = atoi(v.as_of), .as_of = v.as_of, .duties = duties, .n_duties = r->n_items,
        .generated_on = today, .revision = v.submitted ? v.submitted->revision : 0};
    struct render_evidence *ev;
    if (evidence_of(c, v.submitted, qt, &ev, &in.n_evidence, e) < 0)
        return -1;
    in.evidence = ev;
    struct bytes b;
    bytes_init(&b);
    int rc = render_compliance(&in, &b, e);
    if (rc == 0)
        *out = document(a, "application/pdf",
                        arena_printf(a, "%s-%.4s-compliance-report-%s.pdf", v.state->code, v.as_of,
                                     locale),
                        &b);
    bytes_destroy(&b);
    return rc;
}

static int cmp_card_state(const void *x, const void *y)
{
    const Scorecard *const *a = x, *const *b = y;
    return strcmp((*a)->state_code, (*b)->state_code);
}

/* The open data file of `cards` (by State code): CSV with one column per section id (in order of
 * first appearance), or JSON (schema "unic-open-data/1"). */
static void open_data(struct arena *a, bool json, int cycle, Scorecard **cards, size_t n,
                      const Unic__Catalog__V1__ListStatesResponse *states, struct bytes *b)
{
    const char **ids = NULL;
    size_t n_ids = 0, cap = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < cards[i]->n_sections; k++) {
            const char *id = cards[i]->sections[k]->section_id;
            bool seen = false;
            for (size_t j = 0; j < n_ids && !seen; j++)
                seen = strcmp(ids[j], id) == 0;
            if (seen)
                continue;
            if (n_ids == cap) {
                cap = cap ? 2 * cap : 16;
                const char **grown = ARENA_ARRAY(a, const char *, cap);
                if (n_ids)
                    memcpy(grown, ids, n_ids * sizeof *ids);
                ids = grown;
            }
            ids[n_ids++] = id;
        }
    json_t *root = json ? json_object() : NULL, *list = json ? json_array() : NULL;
    char today[16];
    text_today(today, sizeof today);
    if (json) {
        json_object_set_new(root, "schema", json_string("unic-open-data/1"));
        json_object_set_new(root, "cycle", json_integer(cycle));
        json_object_set_new(root, "model_version", json_string(SCORE_MODEL_VERSION));
        json_object_set_new(root, "generated_on", json_string(today));
    } else {
        bytes_puts(b, "state_code,state_name,cycle,questionnaire_id,questionnaire_version,"
                      "model_version,revision,overall_index,overall_stage,completeness");
        for (size_t j = 0; j < n_ids; j++)
            bytes_printf(b, ",%s", ids[j]);
        bytes_puts(b, "\r\n");
    }
    for (size_t i = 0; i < n; i++) {
        const Scorecard *sc = cards[i];
        const char *name = "";
        for (size_t k = 0; k < states->n_states; k++)
            if (strcmp(states->states[k]->code, sc->state_code) == 0)
                name = states->states[k]->name;
        if (json) {
            json_t *o = json_object(), *secs = json_array();
            json_object_set_new(o, "state_code", json_string(sc->state_code));
            json_object_set_new(o, "state_name", json_string(name));
            json_object_set_new(o, "questionnaire_id", json_string(sc->questionnaire_id));
            json_object_set_new(o, "questionnaire_version", json_integer(sc->questionnaire_version));
            json_object_set_new(o, "model_version", json_string(sc->model_version));
            json_object_set_new(o, "revision", json_integer(sc->revision));
            json_object_set_new(o, "overall_index", json_real(sc->overall_index));
            json_object_set_new(o, "overall_stage", json_integer(sc->overall_stage));
            json_object_set_new(o, "completeness", json_real(sc->completeness));
            for (size_t k = 0; k < sc->n_sections; k++)
                json_array_append_new(secs, json_pack("{s:s,s:f,s:i}", "section_id",
                                                      sc->sections[k]->section_id, "score",
                                                      sc->sections[k]->score, "stage",
                                                      sc->sections[k]->stage));
            json_object_set_new(o, "sections", secs);
            json_array_append_new(list, o);
            continue;
        }
        /* State names hold commas ("Congo, Democratic Republic of the"): always quoted. */
        bytes_printf(b, "%s,\"", sc->state_code);
        for (const char *p = name; *p; p++)
            bytes_puts(b, *p == '"' ? "\"\"" : (char[2]){*p, '\0'});
        bytes_printf(b, "\",%d,%s,%d,%s,%d,%.2f,%d,%.4f", cycle, sc->questionnaire_id,
                     sc->questionnaire_version, sc->model_version, sc->revision,
                     sc->overall_index, sc->overall_stage, sc->completeness);
        for (size_t j = 0; j < n_ids; j++) {
            bytes_puts(b, ",");
            for (size_t k = 0; k < sc->n_sections; k++)
                if (strcmp(sc->sections[k]->section_id, ids[j]) == 0)
                    bytes_printf(b, "%.2f", sc->sections[k]->score);
        }
        bytes_puts(b, "\r\n");
    }
    if (json) {
        json_object_set_new(root, "scorecards", list);
        char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
        bytes_puts(b, text);
        bytes_puts(b, "\n");
        free(text);
        json_decref(root);
    }
}

static int export_open_data(struct call *c, const Unic__Scoring__V1__ExportOpenDataRequest *req,
                            Document **out, struct err *e)
{
    bool json;
    if (req->format == UNIC__SCORING__V1__DOCUMENT_FORMAT__DOCUMENT_FORMAT_UNSPECIFIED ||
        req->format == UNIC__SCORING__V1__DOCUMENT_FORMAT__CSV)
        json = false;
    else if (req->format == UNIC__SCORING__V1__DOCUMENT_FORMAT__JSON)
        json = true;
    else
        return err_field(e, "format", "expected CSV or JSON");
    if (check_cycle(req->cycle, "cycle", e) < 0)
        return -1;
    const Unic__Catalog__V1__ListStatesResponse *states;
    Assessment **all;
    size_t n_all;
    if (upstream_list_states(c, &states, e) < 0 ||
        upstream_list_assessments(c, "", req->cycle, SCORING_SELF_ASSESSMENT,
                                  UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED, true, &all,
                                  &n_all, e) < 0)
        return -1;
    /* The caller may be allowed more (its own State's, or UNIC ones for an operator): open data
     * is only what States made PUBLIC, whoever asks. */
    Scorecard **cards = ARENA_ARRAY(&c->arena, Scorecard *, n_all + 1);
    size_t n = 0;
    for (size_t i = 0; i < n_all; i++) {
        const Assessment *as = all[i];
        if (as->visibility != UNIC__COMMON__V1__VISIBILITY__PUBLIC ||
            as->status != UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED ||
            as->cycle != req->cycle || strcmp(as->questionnaire_id, SCORING_SELF_ASSESSMENT) != 0)
            continue;
        if (scorecard_of(c, as, &cards[n], e) < 0)
            return -1;
        n++;
    }
    qsort(cards, n, sizeof *cards, cmp_card_state);
    struct bytes b;
    bytes_init(&b);
    open_data(&c->arena, json, req->cycle, cards, n, states, &b);
    *out = document(&c->arena, json ? "application/json" : "text/csv; charset=utf-8",
                    arena_printf(&c->arena, "unic-open-data-%d.%s", req->cycle, json ? "json" : "csv"),
                    &b);
    bytes_destroy(&b);
    return 0;
}

/* A State's calendar (docs/calendar.md): its compliance report as of today in its own zone, the
 * reachability round awaiting its confirmation, the matches awaiting its answer. */
static int list_due(struct call *c, const Unic__Scoring__V1__ListDueRequest *req,
                    Unic__Scoring__V1__ListDueResponse **out, struct err *e)
{
    const char *state = req->state_code;
    if (c->principal.role == ROLE_STATE) {
        if (*state && strcmp(state, c->principal.state) != 0)
            return err_set(e, ERR_PERMISSION_DENIED, "could not list what is due for %.8s: a State reads "
                           "only its own calendar (%s)", state, c->principal.state);
        state = c->principal.state;
    } else if (*state == '\0') {
        return err_field(e, "state_code", "is required: the State whose calendar to list");
    }
    struct compliance_view v;
    const struct tz *zone;
    Unic__Matching__V1__Match **matches = NULL;
    size_t n_matches = 0;
    if (compliance_of(c, state, "", &v, e) < 0 ||
        upstream_zone(c, v.state->time_zone[0] ? v.state->time_zone : "UTC", &zone, e) < 0 ||
        upstream_matches_awaiting(c, state, &matches, &n_matches, e) < 0)
        return -1;
    struct due_match *dm = ARENA_ARRAY(&c->arena, struct due_match, n_matches + 1);
    for (size_t i = 0; i < n_matches; i++) {
        const Unic__Matching__V1__Match *m = matches[i];
        const ProtobufCEnumValue *kind =
            protobuf_c_enum_descriptor_get_value(&unic__common__v1__support_kind__descriptor, (int)m->kind);
        const char *quantity = arena_printf(&c->arena, "%lld", (long long)m->quantity);
        dm[i] = (struct due_match){m->id,
                                   arena_printf(&c->arena, "%s %s, %s from %s to %s",
                                                kind ? kind->name : "SUPPORT", m->topic, quantity,
                                                m->donor_state, m->recipient_state),
                                   {kind ? kind->name : "SUPPORT", m->topic, quantity,
                                    m->donor_state, m->recipient_state}};
    }
    struct due_input in = {.today = v.as_of, .report = v.report, .round_id = "", .round_closes = "",
                           .matches = dm, .n_matches = n_matches};
    if (v.directory && v.directory->pending_round_id) {
        char *closes = arena_alloc(&c->arena, 11);
        in.round_id = arena_printf(&c->arena, "%lld", (long long)v.directory->pending_round_id);
        if (card_local_date(v.directory->pending_round_closes_at, zone, closes))
            in.round_closes = closes;
    }
    Unic__Scoring__V1__ListDueResponse *r = ARENA_MSG(&c->arena, Unic__Scoring__V1__ListDueResponse,
                                                      UNIC__SCORING__V1__LIST_DUE_RESPONSE__INIT);
    r->state_code = arena_strdup(&c->arena, state);
    r->time_zone = v.report->time_zone;
    r->today = (char *)v.as_of;
    if (due_list(&c->arena, &in, &r->items, &r->n_items, e) < 0)
        return -1;
    *out = r;
    return 0;
}

RPC_HANDLER(list_due, Unic__Scoring__V1__ListDueRequest, Unic__Scoring__V1__ListDueResponse);
RPC_HANDLER(get_scorecard, Unic__Scoring__V1__GetScorecardRequest, Unic__Scoring__V1__Scorecard);
RPC_HANDLER(get_gaps, Unic__Scoring__V1__GetGapsRequest, Unic__Scoring__V1__GetGapsResponse);
RPC_HANDLER(get_compliance_report, Unic__Scoring__V1__GetComplianceReportRequest, Unic__Scoring__V1__ComplianceReport);
RPC_HANDLER(list_compliance_summaries, Unic__Scoring__V1__ListComplianceSummariesRequest,
            Unic__Scoring__V1__ListComplianceSummariesResponse);
RPC_HANDLER(get_trend, Unic__Scoring__V1__GetTrendRequest, Unic__Scoring__V1__Trend);
RPC_HANDLER(get_benchmark, Unic__Scoring__V1__GetBenchmarkRequest, Unic__Scoring__V1__Benchmark);
RPC_HANDLER(get_scorecard_document, Unic__Scoring__V1__RenderScorecardRequest, Document);
RPC_HANDLER(get_compliance_document, Unic__Scoring__V1__RenderComplianceReportRequest, Document);
RPC_HANDLER(export_open_data, Unic__Scoring__V1__ExportOpenDataRequest, Document);

static const struct rpc_method methods[] = {
    RPC_ROW("GetScorecard", get_scorecard, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("GetGaps", get_gaps, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("GetComplianceReport", get_compliance_report, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("ListComplianceSummaries", list_compliance_summaries, RPC_OPERATOR, RPC_READS),
    RPC_ROW("GetTrend", get_trend, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("GetBenchmark", get_benchmark, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("RenderScorecard", get_scorecard_document, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("RenderComplianceReport", get_compliance_document, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("ExportOpenData", export_open_data, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("ListDue", list_due, RPC_OPERATOR | RPC_STATE, RPC_READS),               /* a State: its own */
};

const struct rpc_service scoring_rpc = {
    &unic__scoring__v1__scoring_service__descriptor, methods, sizeof methods / sizeof methods[0],
};
