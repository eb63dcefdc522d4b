/* due.c: the calendar of a State (due.h). */
#include "due.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "tz.h"

static int64_t day_number(const char *date)
{
    return tz_days_from_civil(atoi(date), (unsigned)atoi(date + 5), (unsigned)atoi(date + 8));
}

static DueItem *item(struct arena *a, const char *today, Unic__Scoring__V1__DueKind kind, const char *ref,
                     const char *title, const char *due, const char *note, const char *code,
                     const char *const *args, size_t n_args)
{
    DueItem *d = ARENA_MSG(a, DueItem, UNIC__SCORING__V1__DUE_ITEM__INIT);
    d->kind = kind;
    d->ref = arena_strdup(a, ref);
    d->title = arena_strdup(a, title);
    d->title_code = arena_strdup(a, code);
    d->n_title_args = n_args;
    d->title_args = ARENA_ARRAY(a, char *, n_args + 1);
    for (size_t i = 0; i < n_args; i++)
        d->title_args[i] = arena_strdup(a, args[i] ? args[i] : "");
    d->due_date = arena_strdup(a, due && text_date_valid(due) ? due : "");
    d->note = arena_strdup(a, note ? note : "");
    if (*d->due_date) {
        d->days_left = (int32_t)(day_number(d->due_date) - day_number(today));
        d->overdue = d->days_left < 0;
    }
    return d;
}

static int cmp_due(const void *x, const void *y)
{
    const DueItem *a = *(DueItem *const *)x, *b = *(DueItem *const *)y;
    if ((*a->due_date == '\0') != (*b->due_date == '\0'))
        return *a->due_date == '\0' ? 1 : -1;
    int c = strcmp(a->due_date, b->due_date);
    return c ? c : strcmp(a->ref, b->ref);
}

static bool met(Unic__Scoring__V1__ComplianceStatus s)
{
    return s == UNIC__SCORING__V1__COMPLIANCE_STATUS__MET || s == UNIC__SCORING__V1__COMPLIANCE_STATUS__MET_LATE ||
           s == UNIC__SCORING__V1__COMPLIANCE_STATUS__NOT_APPLICABLE;
}

int due_list(struct arena *a, const struct due_input *in, DueItem ***out, size_t *n, struct err *e)
{
    if (!text_date_valid(in->today))
        return err_field(e, "today", "\"%s\" is not a date (YYYY-MM-DD)",
                         in->today ? in->today : "");
    const Unic__Scoring__V1__ComplianceReport *r = in->report;
    size_t cap = (r ? r->n_items : 0) + in->n_matches + 2;
    DueItem **v = ARENA_ARRAY(a, DueItem *, cap);
    size_t k = 0;
    char this_year[32];
    snprintf(this_year, sizeof this_year, "para8-report-%.4s", in->today);
    bool year_seen = false;
    for (size_t i = 0; r && i < r->n_items; i++) {
        const Unic__Scoring__V1__ComplianceItem *it = r->items[i];
        bool annual = strncmp(it->item_id, "para8-report", 12) == 0;
        year_seen |= strcmp(it->item_id, this_year) == 0;
        if (met(it->status) || strcmp(it->item_id, "para8-report") == 0) /* years not known: below */
            continue;
        const char *title = annual ? arena_printf(a, "Report on compliance for %s (paragraph 8)",
                                                  it->item_id + 13)
                                   : arena_printf(a, "Paragraph %s of resolution #1", it->paragraph);
        const char *arg = annual ? it->item_id + 13 : it->paragraph;
        v[k++] = item(a, in->today, annual ? UNIC__SCORING__V1__DUE_KIND__ANNUAL_REPORT
                                           : UNIC__SCORING__V1__DUE_KIND__COMPLIANCE_DUTY,
                      it->item_id, title, it->deadline, it->note,
                      annual ? "annual-report" : "compliance-duty", &arg, 1);
    }
    if (!year_seen) { /* a State with no cycle yet owes this year's report all the same */
        const char *year = arena_printf(a, "%.4s", in->today);
        v[k++] = item(a, in->today, UNIC__SCORING__V1__DUE_KIND__ANNUAL_REPORT, this_year,
                      arena_printf(a, "Report on compliance for %s (paragraph 8)", year),
                      arena_printf(a, "%s-12-31", year),
                      "no report for this year yet: submit the compliance checklist or a self-assessment",
                      "annual-report", &year, 1);
    }
    if (in->round_id && *in->round_id)
        v[k++] = item(a, in->today, UNIC__SCORING__V1__DUE_KIND__REACHABILITY_CONFIRMATION, in->round_id,
                      "Confirm the point of contact in UNIC's reachability round", in->round_closes,
                      "one call: ConfirmReachability", "reachability", NULL, 0);
    for (size_t i = 0; i < in->n_matches; i++)
        v[k++] = item(a, in->today, UNIC__SCORING__V1__DUE_KIND__MATCH_ANSWER, in->matches[i].id,
                      arena_printf(a, "Answer the match offered: %s", in->matches[i].what), NULL,
                      "accept or decline with RespondToMatch", "match-answer", in->matches[i].args,
                      DUE_MATCH_ARGS);
    qsort(v, k, sizeof *v, cmp_due);
    *out = v;
    *n = k;
    return 0;
}
