/* card.c: the scoring service's conversions between protobuf messages and the pure models:
 * questionnaire + answers -> Scorecard, compliance checklist -> ComplianceReport, trends, benchmarks.
 * No I/O and no clock (times are inputs), so the same inputs always give the same bytes. */
#include "scoring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compliance.h"
#include "duties.h"
#include "score.h"
#include "text.h"

/* ---- Scorecard ---- */

/* The MATURITY_LEVEL part of q as the model's input. Sections with no such question are left
 * out: they carry no level to score. */
static void model_from(struct arena *a, const Questionnaire *q, struct score_questionnaire *m)
{
    size_t n_questions = 0;
    for (size_t i = 0; i < q->n_sections; i++)
        n_questions += q->sections[i]->n_questions;
    struct score_section_def *sections = ARENA_ARRAY(a, struct score_section_def, q->n_sections);
    struct score_question_def *questions = ARENA_ARRAY(a, struct score_question_def, n_questions);
    m->sections = sections;
    m->questions = questions;
    m->n_sections = m->n_questions = 0;
    for (size_t i = 0; i < q->n_sections; i++) {
        const Unic__Catalog__V1__Section *s = q->sections[i];
        size_t before = m->n_questions;
        for (size_t j = 0; j < s->n_questions; j++) {
            const Unic__Catalog__V1__Question *qu = s->questions[j];
            if (qu->answer_type != UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL)
                continue;
            questions[m->n_questions++] = (struct score_question_def){
                .id = qu->id, .number = qu->number, .section_id = s->id, .weight = qu->weight,
                .topics = (const char *const *)qu->topics, .n_topics = qu->n_topics};
        }
        if (m->n_questions > before)
            sections[m->n_sections++] =
                (struct score_section_def){.id = s->id, .number = s->number, .title = s->title};
    }
}

static bool model_has(const struct score_questionnaire *m, const char *id)
{
    for (size_t i = 0; i < m->n_questions; i++)
        if (strcmp(m->questions[i].id, id) == 0)
            return true;
    return false;
}

/* Answers to questions of another type (text, yes/no) are not levels and are skipped; an answer
 * to a question the questionnaire lacks is passed on, so that score_compute refuses it. */
static size_t answers_from(struct arena *a, const Assessment *as, const Questionnaire *q,
                           const struct score_questionnaire *m, struct score_answer **out)
{
    struct score_answer *v = ARENA_ARRAY(a, struct score_answer, as->n_answers);
    size_t n = 0;
    for (size_t i = 0; i < as->n_answers; i++) {
        const Unic__Responses__V1__Answer *an = as->answers[i];
        if (!model_has(m, an->question_id)) {
            bool known = false;
            for (size_t s = 0; s < q->n_sections && !known; s++)
                for (size_t j = 0; j < q->sections[s]->n_questions && !known; j++)
                    known = strcmp(q->sections[s]->questions[j]->id, an->question_id) == 0;
            if (known)
                continue;
        }
        v[n++] = (struct score_answer){
            .question_id = an->question_id,
            .level = an->level_value_case == UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL
                         ? an->level
                         : SCORE_UNANSWERED,
            .target = an->target_level_value_case ==
                              UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL
                          ? an->target_level
                          : SCORE_NO_TARGET,
        };
    }
    *out = v;
    return n;
}

static char **strings_copy(struct arena *a, const char *const *v, size_t n)
{
    char **out = ARENA_ARRAY(a, char *, n);
    for (size_t i = 0; i < n; i++)
        out[i] = arena_strdup(a, v[i]);
    return out;
}

static Unic__Scoring__V1__Gap *gap_msg(struct arena *a, const struct score_gap *g)
{
    Unic__Scoring__V1__Gap *m = ARENA_MSG(a, Unic__Scoring__V1__Gap, UNIC__SCORING__V1__GAP__INIT);
    m->question_id = arena_strdup(a, g->question_id);
    m->section_id = arena_strdup(a, g->section_id);
    m->level = g->level;
    m->target = g->target;
    m->severity = g->severity;
    m->topics = strings_copy(a, g->topics, g->n_topics);
    m->n_topics = g->n_topics;
    m->question_number = g->number;
    return m;
}

int card_scorecard(struct arena *a, const Assessment *as, const Questionnaire *q,
                   const char *computed_at, Scorecard **out, struct err *e)
{
    struct score_result *r = NULL;
    struct err why;
    int rc = -1;

    if (strcmp(as->questionnaire_id, q->id) != 0 || as->questionnaire_version != q->version) {
        err_set(e, ERR_INTERNAL,
                "could not score assessment %s: it answers \"%s\" v%d, the catalog sent \"%s\" v%d",
                as->id, as->questionnaire_id, as->questionnaire_version, q->id, q->version);
        goto done;
    }
    struct score_questionnaire m;
    model_from(a, q, &m);
    if (m.n_questions == 0) {
        err_set(e, ERR_FAILED_PRECONDITION,
                "could not score assessment %s: questionnaire \"%s\" v%d has no maturity questions",
                as->id, q->id, q->version);
        goto done;
    }
    struct score_answer *answers;
    size_t n_answers = answers_from(a, as, q, &m, &answers);
    if (score_compute(&m, answers, n_answers, &r, &why) < 0) {
        err_set(e, ERR_INTERNAL, "could not score assessment %s: %s", as->id, why.msg);
        goto done;
    }

    Scorecard *c = ARENA_MSG(a, Scorecard, UNIC__SCORING__V1__SCORECARD__INIT);
    c->assessment_id = arena_strdup(a, as->id);
    c->state_code = arena_strdup(a, as->state_code);
    c->cycle = as->cycle;
    c->revision = as->revision;
    c->model_version = SCORE_MODEL_VERSION;
    c->overall_index = r->overall_index;
    c->overall_stage = r->overall_stage;
    c->overall_stage_name = (char *)score_stage_name(r->overall_stage);
    c->sections = ARENA_ARRAY(a, Unic__Scoring__V1__SectionScore *, r->n_sections);
    for (size_t i = 0; i < r->n_sections; i++) {
        const struct score_section *s = &r->sections[i];
        Unic__Scoring__V1__SectionScore *m2 = ARENA_MSG(a, Unic__Scoring__V1__SectionScore,
                                                        UNIC__SCORING__V1__SECTION_SCORE__INIT);
        m2->section_id = arena_strdup(a, s->id);
        m2->title = arena_strdup(a, s->title);
        m2->score = s->score;
        m2->stage = s->stage;
        m2->stage_name = (char *)score_stage_name(s->stage);
        m2->answered = s->answered;
        m2->total = s->total;
        c->sections[c->n_sections++] = m2;
    }
    c->gaps = ARENA_ARRAY(a, Unic__Scoring__V1__Gap *, r->n_gaps);
    for (size_t i = 0; i < r->n_gaps; i++)
        c->gaps[c->n_gaps++] = gap_msg(a, &r->gaps[i]);
    c->completeness = r->completeness;
    c->computed_at = arena_strdup(a, computed_at);
    c->status = as->status;
    c->assessment_needed = strings_copy(a, r->assessment_needed, r->n_assessment_needed);
    c->n_assessment_needed = r->n_assessment_needed;
    c->unanswered = (int32_t)r->n_assessment_needed;
    c->questionnaire_id = arena_strdup(a, q->id);
    c->questionnaire_version = q->version;
    *out = c;
    rc = 0;
done:
    score_result_free(r);
    return rc;
}

/* A Gap message back in the model's form, for score_gap_matches. */
static struct score_gap gap_model(const Unic__Scoring__V1__Gap *g)
{
    return (struct score_gap){.question_id = g->question_id, .section_id = g->section_id,
                              .number = g->question_number, .level = g->level,
                              .target = g->target, .severity = g->severity,
                              .topics = (const char *const *)g->topics, .n_topics = g->n_topics};
}

Unic__Scoring__V1__GetGapsResponse *card_gaps(struct arena *a, const Scorecard *card,
                                               double min_severity, char *const *topics,
                                               size_t n_topics)
{
    Unic__Scoring__V1__GetGapsResponse *r = ARENA_MSG(
        a, Unic__Scoring__V1__GetGapsResponse, UNIC__SCORING__V1__GET_GAPS_RESPONSE__INIT);
    r->assessment_id = card->assessment_id;
    r->revision = card->revision;
    r->gaps = ARENA_ARRAY(a, Unic__Scoring__V1__Gap *, card->n_gaps);
    for (size_t i = 0; i < card->n_gaps; i++) {
        struct score_gap g = gap_model(card->gaps[i]);
        if (score_gap_matches(&g, min_severity, (const char *const *)topics, n_topics))
            r->gaps[r->n_gaps++] = card->gaps[i]; /* the scorecard keeps them in order */
    }
    r->assessment_needed = card->assessment_needed;
    r->n_assessment_needed = card->n_assessment_needed;
    return r;
}

/* ---- Compliance ---- */

bool card_local_date(const char *ts, const struct tz *zone, char out[11])
{
    int y, mo, d, h, mi, s, n = 0;
    if (ts == NULL || sscanf(ts, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 ||
        n != 19)
        return false;
    const char *p = ts + n;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    long offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om, m = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || m != 5 || oh > 23 || om > 59)
            return false;
        offset = (*p == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
        p += 6;
    } else {
        return false;
    }
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return false;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi, .tm_sec = s};
    time_t t = timegm(&tm) - offset;
    char date[32];
    if (zone != NULL) {
        if (!tz_local_date(zone, (int64_t)t, date))
            return false;
    } else {
        struct tm utc;
        if (gmtime_r(&t, &utc) == NULL)
            return false;
        snprintf(date, sizeof date, "%04d-%02d-%02d", utc.tm_year + 1900, utc.tm_mon + 1,
                 utc.tm_mday);
    }
    if (!text_date_valid(date)) /* a year beyond 9999 after the offset, say */
        return false;
    memcpy(out, date, 11);
    return true;
}

bool card_utc_date(const char *ts, char out[11])
{
    return card_local_date(ts, NULL, out);
}

const char *card_paragraph(struct arena *a, const char *item_id)
{
    if (strncmp(item_id, "para", 4) != 0 || item_id[4] < '0' || item_id[4] > '9')
        return item_id;
    const char *p = item_id + 4;
    size_t digits = strspn(p, "0123456789");
    char letter = p[digits];
    if (letter >= 'a' && letter <= 'z' && (p[digits + 1] == '\0' || p[digits + 1] == '-'))
        return arena_printf(a, "%.*s(%c)", (int)digits, p, letter);
    return arena_strndup(a, p, digits);
}

static int cmp_question_number(const void *x, const void *y)
{
    const Unic__Catalog__V1__Question *const *a = x, *const *b = y;
    return ((*a)->number > (*b)->number) - ((*a)->number < (*b)->number);
}

/* Paragraph 6 from the directory: the point of contact since the date the State gave (or since
 * it was first recorded there), the CERT since its earliest FIRST accreditation. */
static size_t directory_evidence(struct arena *a, const DirectoryEntry *dir, const struct tz *zone,
                                 struct compliance_evidence out[2])
{
    size_t n = 0;
    if (dir == NULL || dir->point_of_contact == NULL)
        return 0;
    const PointOfContact *p = dir->point_of_contact;
    char *recorded = arena_alloc(a, 11);
    char *version = arena_printf(a, "%d", dir->version);
    if (text_date_valid(p->established_on))
        out[n++] = (struct compliance_evidence){
            DUTY_PARA6_POC, p->established_on,
            arena_printf(a, "met, from the points-of-contact directory: %s, designated on the date the "
                         "State gave (entry version %s)", p->unit, version),
            "directory-designated", {p->unit, version}, 2};
    else if (card_local_date(dir->created_at, zone, recorded))
        out[n++] = (struct compliance_evidence){
            DUTY_PARA6_POC, recorded,
            arena_printf(a, "met, from the points-of-contact directory: %s, recorded there on that "
                         "date (entry version %s)", p->unit, version),
            "directory-recorded", {p->unit, version}, 2};
    const Cert *best = NULL;
    for (size_t i = 0; i < dir->n_certs; i++) {
        const Cert *c = dir->certs[i];
        if (c->first_member && text_date_valid(c->accreditation_date) &&
            (best == NULL || strcmp(c->accreditation_date, best->accreditation_date) < 0))
            best = c;
    }
    if (best != NULL)
        out[n++] = (struct compliance_evidence){
            DUTY_PARA6_CERT, best->accreditation_date,
            arena_printf(a, "met, from the points-of-contact directory: %s, accredited by FIRST on that "
                         "date", best->name),
            "directory-first", {best->name}, 1};
    return n;
}

int card_compliance(struct arena *a, const char *state, const char *as_of, bool ldc,
                    const struct tz *zone, const DirectoryEntry *dir, const Questionnaire *q,
                    const Assessment *submitted,
                    Assessment *const *reports, size_t n_reports,
                    Assessment *const *cycles, size_t n_cycles,
                    Unic__Scoring__V1__ComplianceReport **out, struct err *e)
{
    struct compliance_report *rep = NULL;
    struct err why;
    int rc = -1;

    size_t n_all = 0;
    for (size_t i = 0; i < q->n_sections; i++)
        n_all += q->sections[i]->n_questions;
    const Unic__Catalog__V1__Question **qs = ARENA_ARRAY(a, const Unic__Catalog__V1__Question *, n_all);
    size_t n_items = 0;
    for (size_t i = 0; i < q->n_sections; i++)
        for (size_t j = 0; j < q->sections[i]->n_questions; j++)
            if (q->sections[i]->questions[j]->answer_type == UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO)
                qs[n_items++] = q->sections[i]->questions[j];
    qsort(qs, n_items, sizeof *qs, cmp_question_number);

    struct compliance_item_def *items = ARENA_ARRAY(a, struct compliance_item_def, n_items);
    for (size_t i = 0; i < n_items; i++)
        items[i] = (struct compliance_item_def){
            .id = qs[i]->id, .paragraph = card_paragraph(a, qs[i]->id), .deadline = qs[i]->deadline,
            .recurrence = qs[i]->recurrence == UNIC__CATALOG__V1__RECURRENCE__ANNUAL
                              ? COMPLIANCE_ANNUAL
                              : COMPLIANCE_ONCE};

    size_t n_answers = 0;
    struct compliance_answer *answers =
        ARENA_ARRAY(a, struct compliance_answer, submitted ? submitted->n_answers : 0);
    for (size_t i = 0; submitted && i < submitted->n_answers; i++) {
        const Unic__Responses__V1__Answer *an = submitted->answers[i];
        bool item = false;
        for (size_t k = 0; k < n_items && !item; k++)
            item = strcmp(items[k].id, an->question_id) == 0;
        if (!item)
            continue; /* a text question, say: not a duty */
        answers[n_answers++] = (struct compliance_answer){
            .item_id = an->question_id,
            .reply = an->yes_value_case != UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES ? COMPLIANCE_REPLY_NONE
                     : an->yes                                                        ? COMPLIANCE_REPLY_YES
                                                                                      : COMPLIANCE_REPLY_NO,
            .date = an->date};
    }

    struct compliance_cycle *cy = ARENA_ARRAY(a, struct compliance_cycle, n_cycles + n_reports);
    size_t n_cy = 0;
    int first = 0;
    for (size_t i = 0; i < n_cycles + n_reports; i++) {
        const Assessment *as = i < n_cycles ? cycles[i] : reports[i - n_cycles];
        bool report = i >= n_cycles;
        struct compliance_cycle *c = NULL;
        for (size_t k = 0; k < n_cy && c == NULL; k++)
            if (cy[k].cycle == as->cycle)
                c = &cy[k];
        if (c != NULL && !report)
            continue; /* one self-assessment per cycle; a repeat adds nothing */
        if (c == NULL) {
            c = &cy[n_cy++];
            c->cycle = as->cycle;
        }
        if (first == 0 || as->cycle < first)
            first = as->cycle;
        if (as->status != UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED)
            continue;
        char *date = arena_alloc(a, 11);
        if (!card_local_date(as->submitted_at, zone, date)) {
            err_set(e, ERR_INTERNAL, "could not read assessment %s: submitted_at \"%s\" is not "
                    "an RFC 3339 time", as->id, as->submitted_at);
            goto done;
        }
        if (!report) {
            c->submitted = true;
            c->submitted_date = date;
            continue;
        }
        c->report_date = date;
        /* The State's own answer to the annual item: yes, and the date it reported. */
        for (size_t k = 0; k < as->n_answers; k++) {
            const Unic__Responses__V1__Answer *an = as->answers[k];
            for (size_t j = 0; j < n_items; j++)
                if (items[j].recurrence == COMPLIANCE_ANNUAL &&
                    strcmp(items[j].id, an->question_id) == 0 &&
                    an->yes_value_case == UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES && an->yes &&
                    text_date_valid(an->date))
                    c->answer_date = an->date;
        }
    }

    struct compliance_input in = {
        .items = items, .n_items = n_items, .has_answers = submitted != NULL, .answers = answers,
        .n_answers = n_answers, .ldc = ldc, .as_of = as_of, .cycles = cy, .n_cycles = n_cy,
        .first_cycle = first};
    struct compliance_evidence evidence[2];
    in.n_evidence = directory_evidence(a, dir, zone, evidence);
    in.evidence = evidence;
    if (compliance_evaluate(&in, &rep, &why) < 0) {
        err_set(e, ERR_INTERNAL, "could not evaluate the compliance of %s: %s", state, why.msg);
        goto done;
    }
    Unic__Scoring__V1__ComplianceReport *r = ARENA_MSG(
        a, Unic__Scoring__V1__ComplianceReport, UNIC__SCORING__V1__COMPLIANCE_REPORT__INIT);
    r->state_code = arena_strdup(a, state);
    r->as_of = arena_strdup(a, as_of);
    r->time_zone = arena_strdup(a, zone != NULL ? tz_name(zone) : "UTC");
    if (submitted) {
        r->assessment_id = arena_strdup(a, submitted->id);
        r->revision = submitted->revision;
    }
    r->items = ARENA_ARRAY(a, Unic__Scoring__V1__ComplianceItem *, rep->n_items);
    for (size_t i = 0; i < rep->n_items; i++) {
        const struct compliance_item *it = &rep->items[i];
        Unic__Scoring__V1__ComplianceItem *m = ARENA_MSG(a, Unic__Scoring__V1__ComplianceItem,
                                                         UNIC__SCORING__V1__COMPLIANCE_ITEM__INIT);
        m->item_id = arena_strdup(a, it->item_id);
        m->paragraph = arena_strdup(a, it->paragraph);
        m->status = (Unic__Scoring__V1__ComplianceStatus)it->status; /* numbered 1:1 */
        m->deadline = arena_strdup(a, it->deadline);
        m->date = arena_strdup(a, it->date);
        m->note = arena_strdup(a, it->note);
        m->note_code = arena_strdup(a, it->note_code ? it->note_code : "");
        m->n_note_args = it->n_note_args;
        m->note_args = ARENA_ARRAY(a, char *, it->n_note_args + 1);
        for (size_t k = 0; k < it->n_note_args; k++)
            m->note_args[k] = arena_strdup(a, it->note_args[k]);
        r->items[r->n_items++] = m;
    }
    *out = r;
    rc = 0;
done:
    compliance_report_free(rep);
    return rc;
}

/* ---- Trends and benchmarks ---- */

static struct score_section_value *values_of(struct arena *a, const Scorecard *c)
{
    struct score_section_value *v = ARENA_ARRAY(a, struct score_section_value, c->n_sections);
    for (size_t i = 0; i < c->n_sections; i++)
        v[i] = (struct score_section_value){.section_id = c->sections[i]->section_id,
                                            .score = c->sections[i]->score};
    return v;
}

int card_trend(struct arena *a, const char *state, const char *questionnaire_id,
               Scorecard *const *cards, size_t n_cards, Unic__Scoring__V1__Trend **out,
               struct err *e)
{
    struct score_trend *t = NULL;
    struct err why;
    int rc = -1;
    struct score_trend_point *pts = ARENA_ARRAY(a, struct score_trend_point, n_cards);
    for (size_t i = 0; i < n_cards; i++)
        pts[i] = (struct score_trend_point){
            .cycle = cards[i]->cycle, .questionnaire_id = cards[i]->questionnaire_id,
            .questionnaire_version = cards[i]->questionnaire_version,
            .overall_index = cards[i]->overall_index, .sections = values_of(a, cards[i]),
            .n_sections = cards[i]->n_sections};
    if (score_trend_compute(pts, n_cards, questionnaire_id, &t, &why) < 0) {
        err_set(e, ERR_INTERNAL, "could not compute the trend of %s: %s", state, why.msg);
        goto done;
    }
    Unic__Scoring__V1__Trend *r = ARENA_MSG(a, Unic__Scoring__V1__Trend, UNIC__SCORING__V1__TREND__INIT);
    r->state_code = arena_strdup(a, state);
    r->questionnaire_id = arena_strdup(a, questionnaire_id);
    r->points = ARENA_ARRAY(a, Unic__Scoring__V1__TrendPoint *, t->n_cycles);
    for (size_t k = 0; k < t->n_cycles; k++) {
        const struct score_trend_cycle *tc = &t->cycles[k];
        const Scorecard *card = NULL;
        for (size_t i = 0; i < n_cards && card == NULL; i++)
            if (cards[i]->cycle == tc->cycle &&
                strcmp(cards[i]->questionnaire_id, questionnaire_id) == 0)
                card = cards[i];
        Unic__Scoring__V1__TrendPoint *p = ARENA_MSG(a, Unic__Scoring__V1__TrendPoint,
                                                     UNIC__SCORING__V1__TREND_POINT__INIT);
        p->cycle = tc->cycle;
        p->assessment_id = card->assessment_id;
        p->questionnaire_version = tc->questionnaire_version;
        p->version_changed = tc->version_changed;
        p->overall_index = tc->overall_index;
        p->delta = tc->has_delta ? tc->overall_delta : 0;
        p->status = card->status;
        p->sections = ARENA_ARRAY(a, Unic__Scoring__V1__SectionDelta *, tc->n_sections);
        for (size_t j = 0; j < tc->n_sections; j++) {
            Unic__Scoring__V1__SectionDelta *d = ARENA_MSG(a, Unic__Scoring__V1__SectionDelta,
                                                           UNIC__SCORING__V1__SECTION_DELTA__INIT);
            d->section_id = arena_strdup(a, tc->sections[j].section_id);
            d->score = tc->sections[j].score;
            d->delta = tc->sections[j].has_delta ? tc->sections[j].delta : 0;
            p->sections[p->n_sections++] = d;
        }
        r->points[r->n_points++] = p;
    }
    *out = r;
    rc = 0;
done:
    score_trend_free(t);
    return rc;
}

int card_benchmark(struct arena *a, const char *group, int cycle, Scorecard *const *cards,
                   size_t n_cards, const char *own, Unic__Scoring__V1__Benchmark **out,
                   struct err *e)
{
    struct score_benchmark *b = NULL;
    struct err why;
    int rc = -1;
    struct score_benchmark_entry *en = ARENA_ARRAY(a, struct score_benchmark_entry, n_cards);
    for (size_t i = 0; i < n_cards; i++)
        en[i] = (struct score_benchmark_entry){
            .state = cards[i]->state_code, .overall_index = cards[i]->overall_index,
            .sections = values_of(a, cards[i]), .n_sections = cards[i]->n_sections};
    if (score_benchmark_compute(en, n_cards, own, &b, &why) < 0) {
        err_set(e, why.code == ERR_FAILED_PRECONDITION ? ERR_FAILED_PRECONDITION : ERR_INTERNAL,
                "could not benchmark group \"%s\" in cycle %d: %s", group, cycle, why.msg);
        goto done;
    }
    Unic__Scoring__V1__Benchmark *r =
        ARENA_MSG(a, Unic__Scoring__V1__Benchmark, UNIC__SCORING__V1__BENCHMARK__INIT);
    r->group = arena_strdup(a, group);
    r->cycle = cycle;
    r->state_count = (int32_t)b->count;
    r->overall_average = b->overall_average;
    r->sections = ARENA_ARRAY(a, Unic__Scoring__V1__SectionAverage *, b->n_sections);
    for (size_t j = 0; j < b->n_sections; j++) {
        Unic__Scoring__V1__SectionAverage *s = ARENA_MSG(a, Unic__Scoring__V1__SectionAverage,
                                                         UNIC__SCORING__V1__SECTION_AVERAGE__INIT);
        s->section_id = arena_strdup(a, b->sections[j].section_id);
        s->average = b->sections[j].average;
        /* The title as the first State in code order that has the section gives it. */
        const char *title = NULL, *best = NULL;
        for (size_t i = 0; i < n_cards; i++)
            for (size_t k = 0; k < cards[i]->n_sections; k++)
                if (strcmp(cards[i]->sections[k]->section_id, s->section_id) == 0 &&
                    (best == NULL || strcmp(cards[i]->state_code, best) < 0)) {
                    best = cards[i]->state_code;
                    title = cards[i]->sections[k]->title;
                }
        s->title = arena_strdup(a, title ? title : "");
        r->sections[r->n_sections++] = s;
    }
    if (b->has_position) {
        Unic__Scoring__V1__Position *p =
            ARENA_MSG(a, Unic__Scoring__V1__Position, UNIC__SCORING__V1__POSITION__INIT);
        p->state_code = arena_strdup(a, own);
        for (size_t i = 0; i < n_cards; i++)
            if (strcmp(cards[i]->state_code, own) == 0)
                p->overall_index = cards[i]->overall_index;
        p->rank = b->rank;
        p->percentile = b->percentile;
        r->own = p;
    }
    *out = r;
    rc = 0;
done:
    score_benchmark_free(b);
    return rc;
}
