/* compliance.c: Resolution #1 compliance statuses, item by item, as of a given date.
 * Pure computation; the rules and the edge cases decided are documented in compliance.h. */
#include "compliance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duties.h"
#include "mem.h"
#include "text.h"

/* A note the platform writes: its stable code (compliance.h) and its English text. */
struct note {
    const char *code, *text;
};

static void note_set(struct compliance_item *it, const struct note *n)
{
    it->note_code = n->code;
    it->note = n->text;
}

static bool has_date(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

const char *compliance_status_name(enum compliance_status s)
{
    switch (s) {
    case COMPLIANCE_MET: return "MET";
    case COMPLIANCE_MET_LATE: return "MET_LATE";
    case COMPLIANCE_OPEN: return "OPEN";
    case COMPLIANCE_OVERDUE: return "OVERDUE";
    case COMPLIANCE_UNKNOWN: return "UNKNOWN";
    case COMPLIANCE_NOT_APPLICABLE: return "NOT_APPLICABLE";
    }
    return "UNSPECIFIED";
}

/* An optional date: absent, or valid. list and field name it in the message, e.g.
 * "answers[2].date". */
static int date_check(const char *date, const char *list, size_t i, const char *field,
                      struct err *e)
{
    if (has_date(date) && !text_date_valid(date))
        return err_field_at(e, list, i, field, "\"%s\" is not a date (YYYY-MM-DD)", date);
    return 0;
}

static int input_check(const struct compliance_input *in, struct err *e)
{
    if (!text_date_valid(in->as_of))
        return err_field(e, "as_of", "\"%s\" is not a date (YYYY-MM-DD)",
                         in->as_of != NULL ? in->as_of : "");
    if (in->first_cycle < 0 || in->first_cycle > 9999)
        return err_field(e, "first_cycle", "%d is not a year", in->first_cycle);
    for (size_t i = 0; i < in->n_items; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(in->items[j].id, in->items[i].id) == 0)
                return err_field_at(e, "items", i, "id", "\"%s\" appears twice", in->items[i].id);
        if (date_check(in->items[i].deadline, "items", i, "deadline", e) != 0)
            return -1;
    }
    for (size_t i = 0; i < in->n_answers; i++) {
        const struct compliance_answer *a = &in->answers[i];
        size_t k = 0;
        while (k < in->n_items && strcmp(in->items[k].id, a->item_id) != 0)
            k++;
        if (k == in->n_items)
            return err_field_at(e, "answers", i, "item_id",
                                "\"%s\" is not a compliance item", a->item_id);
        for (size_t j = 0; j < i; j++)
            if (strcmp(in->answers[j].item_id, a->item_id) == 0)
                return err_field_at(e, "answers", i, "item_id",
                                    "\"%s\" was already answered in answers[%zu]", a->item_id, j);
        if (a->reply > COMPLIANCE_REPLY_YES)
            return err_field_at(e, "answers", i, "reply", "%d is not a reply", (int)a->reply);
        if (date_check(a->date, "answers", i, "date", e) != 0)
            return -1;
    }
    for (size_t i = 0; i < in->n_cycles; i++) {
        const struct compliance_cycle *c = &in->cycles[i];
        for (size_t j = 0; j < i; j++)
            if (in->cycles[j].cycle == c->cycle)
                return err_field_at(e, "cycles", i, "cycle", "%d appears twice", c->cycle);
        if (c->submitted && !has_date(c->submitted_date))
            return err_field_at(e, "cycles", i, "submitted_date",
                                "is required for a submitted cycle");
        if (c->submitted && date_check(c->submitted_date, "cycles", i, "submitted_date", e) != 0)
            return -1;
        if (date_check(c->report_date, "cycles", i, "report_date", e) != 0 ||
            date_check(c->answer_date, "cycles", i, "answer_date", e) != 0)
            return -1;
    }
    for (size_t i = 0; i < in->n_evidence; i++) {
        if (!has_date(in->evidence[i].date))
            return err_field_at(e, "evidence", i, "date", "is required");
        if (date_check(in->evidence[i].date, "evidence", i, "date", e) != 0)
            return -1;
    }
    return 0;
}

/* Paragraph 9 binds "each State with mature or highly developed ICT security capabilities" to
 * assist developing countries; a least developed country is not such a State (common/duties.h). */
static bool item_applies(const struct compliance_item_def *d, const struct compliance_input *in)
{
    return duty_binds(d->id, in->ldc);
}

static int as_of_year(const struct compliance_input *in)
{
    return digits(in->as_of, 4);
}

/* Whether d becomes one report item per year (paragraph 8) rather than a single item. */
static bool item_per_year(const struct compliance_item_def *d, const struct compliance_input *in)
{
    return d->recurrence == COMPLIANCE_ANNUAL && item_applies(d, in) && in->first_cycle != 0;
}

static size_t item_count(const struct compliance_item_def *d, const struct compliance_input *in)
{
    if (!item_per_year(d, in))
        return 1;
    int years = as_of_year(in) - in->first_cycle + 1;
    return years > 0 ? (size_t)years : 0;
}

/* An item evaluated once: a duty with or without a deadline, or an ANNUAL one whose years are
 * not known. */
static void item_once(struct compliance_item *it, const struct compliance_item_def *d,
                      const struct compliance_input *in)
{
    /* Why an item is not met [answered no, not answered, dated after as_of] and its timing
     * [deadline passed, not yet due, no deadline]. */
    static const struct note not_met[3][3] = {
        {{"no-overdue", "answered no, and the deadline has passed"},
         {"no-open", "answered no; not yet due"},
         {"no-undated", "answered no; this duty has no deadline"}},
        {{"unanswered-overdue", "not answered, and the deadline has passed"},
         {"unanswered-open", "not answered; not yet due"},
         {"unanswered-undated", "not answered; this duty has no deadline"}},
        {{"future-overdue", "the date given is after as_of, and the deadline has passed"},
         {"future-open", "the date given is after as_of; not yet due"},
         {"future-undated", "the date given is after as_of; this duty has no deadline"}},
    };
    static const struct note ldc = {
        "ldc", "not asked of a least developed country: paragraph 9 binds States with mature or "
               "highly developed ICT security capabilities to assist developing countries"},
        no_cycle = {"no-cycle", "the State has no cycle, so the years owed are not known"},
        no_answers = {"no-answers", "the State has submitted no compliance answers"},
        met_undated_duty = {"met-no-deadline", "met; this duty has no deadline"},
        met_undated = {"met-undated", "met; no date was given, so timeliness could not be checked"},
        met_on_time = {"met-on-time", "met by the deadline"},
        met_late = {"met-late", "met after the deadline"};
    const struct compliance_answer *a = NULL;
    for (size_t i = 0; i < in->n_answers && a == NULL; i++)
        if (strcmp(in->answers[i].item_id, d->id) == 0)
            a = &in->answers[i];
    bool deadline = d->recurrence == COMPLIANCE_ONCE && has_date(d->deadline);

    it->item_id = xstrdup(d->id);
    it->paragraph = d->paragraph;
    if (deadline)
        memcpy(it->deadline, d->deadline, sizeof it->deadline);
    if (!item_applies(d, in)) {
        it->status = COMPLIANCE_NOT_APPLICABLE;
        note_set(it, &ldc);
        return;
    }
    const struct compliance_evidence *ev = NULL;
    for (size_t i = 0; i < in->n_evidence && ev == NULL; i++)
        if (strcmp(in->evidence[i].item_id, d->id) == 0 && strcmp(in->evidence[i].date, in->as_of) <= 0)
            ev = &in->evidence[i];
    if (ev != NULL && d->recurrence == COMPLIANCE_ONCE) {
        memcpy(it->date, ev->date, sizeof it->date);
        it->status = !deadline || strcmp(ev->date, d->deadline) <= 0 ? COMPLIANCE_MET : COMPLIANCE_MET_LATE;
        it->note = ev->note;
        it->note_code = ev->note_code;
        it->note_args = ev->note_args;
        it->n_note_args = ev->n_note_args;
        return;
    }
    if (d->recurrence == COMPLIANCE_ANNUAL) {
        it->status = COMPLIANCE_UNKNOWN;
        note_set(it, &no_cycle);
        return;
    }
    if (!in->has_answers) {
        it->status = COMPLIANCE_UNKNOWN;
        note_set(it, &no_answers);
        return;
    }
    bool dated = a != NULL && has_date(a->date);
    if (dated)
        memcpy(it->date, a->date, sizeof it->date);
    bool yes = a != NULL && a->reply == COMPLIANCE_REPLY_YES;
    bool future = yes && dated && strcmp(a->date, in->as_of) > 0;
    if (yes && !future) {
        if (!deadline) {
            it->status = COMPLIANCE_MET;
            note_set(it, &met_undated_duty);
        } else if (!dated) {
            it->status = COMPLIANCE_MET;
            note_set(it, &met_undated);
        } else if (strcmp(a->date, d->deadline) <= 0) {
            it->status = COMPLIANCE_MET;
            note_set(it, &met_on_time);
        } else {
            it->status = COMPLIANCE_MET_LATE;
            note_set(it, &met_late);
        }
        return;
    }
    bool passed = deadline && strcmp(d->deadline, in->as_of) < 0;
    int why = future ? 2 : a != NULL && a->reply == COMPLIANCE_REPLY_NO ? 0 : 1;
    it->status = passed ? COMPLIANCE_OVERDUE : COMPLIANCE_OPEN;
    note_set(it, &not_met[why][passed ? 0 : deadline ? 1 : 2]);
}

/* The paragraph 8 report owed for one calendar year. */
static void item_year(struct compliance_item *it, const struct compliance_item_def *d,
                      const struct compliance_input *in, int year)
{
    size_t n = strlen(d->id) + sizeof "-YYYY";
    it->item_id = xcalloc(n, 1);
    it->paragraph = d->paragraph;
    /* year is 1-9999 (input_check); the modulo tells the compiler so, which otherwise refuses
     * the build at -O2 (-Werror=format-truncation). */
    unsigned y4 = (unsigned)year % 10000u;
    snprintf(it->item_id, n, "%s-%04u", d->id, y4);
    snprintf(it->deadline, sizeof it->deadline, "%04u-12-31", y4);

    const struct compliance_cycle *c = NULL;
    for (size_t i = 0; i < in->n_cycles && c == NULL; i++)
        if (in->cycles[i].cycle == year)
            c = &in->cycles[i];
    /* The earliest evidence of the year's report, as of as_of; the order breaks ties. */
    static const struct note notes[3][2] = {
        {{"report-on-time", "compliance report submitted to UNIC by 31 December"},
         {"report-late", "compliance report submitted to UNIC after 31 December"}},
        {{"reported-on-time", "reported by 31 December, on the date the State gave"},
         {"reported-late", "reported after 31 December, on the date the State gave"}},
        {{"assessment-on-time", "self-assessment submitted by 31 December"},
         {"assessment-late", "self-assessment submitted after 31 December"}},
    };
    static const struct note missing = {"year-missing", "no report for this year: no compliance "
                                                        "report or self-assessment submitted"},
                             open = {"year-open", "the year has not ended"};
    const char *dates[3] = {NULL, NULL, NULL};
    if (c != NULL) {
        dates[0] = c->report_date;
        dates[1] = c->answer_date;
        dates[2] = c->submitted ? c->submitted_date : NULL;
    }
    int best = -1;
    for (int k = 0; k < 3; k++)
        if (has_date(dates[k]) && strcmp(dates[k], in->as_of) <= 0 &&
            (best < 0 || strcmp(dates[k], dates[best]) < 0))
            best = k;
    if (best >= 0) {
        memcpy(it->date, dates[best], sizeof it->date);
        bool on_time = strcmp(dates[best], it->deadline) <= 0;
        it->status = on_time ? COMPLIANCE_MET : COMPLIANCE_MET_LATE;
        note_set(it, &notes[best][on_time ? 0 : 1]);
    } else if (strcmp(it->deadline, in->as_of) < 0) {
        it->status = COMPLIANCE_OVERDUE;
        note_set(it, &missing);
    } else {
        it->status = COMPLIANCE_OPEN;
        note_set(it, &open);
    }
}

int compliance_evaluate(const struct compliance_input *in, struct compliance_report **out,
                        struct err *e)
{
    *out = NULL;
    if (input_check(in, e) != 0)
        return -1;

    size_t n = 0;
    for (size_t i = 0; i < in->n_items; i++)
        n += item_count(&in->items[i], in);
    struct compliance_report *r = xcalloc(1, sizeof *r);
    r->items = xcalloc(n, sizeof *r->items);
    for (size_t i = 0; i < in->n_items; i++) {
        const struct compliance_item_def *d = &in->items[i];
        if (!item_per_year(d, in))
            item_once(&r->items[r->n_items++], d, in);
        else
            for (int year = in->first_cycle; year <= as_of_year(in); year++)
                item_year(&r->items[r->n_items++], d, in, year);
    }
    *out = r;
    return 0;
}

void compliance_report_free(struct compliance_report *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_items; i++)
        free(r->items[i].item_id);
    free(r->items);
    free(r);
}
