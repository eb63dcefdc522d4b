/* compliance.h: a State's compliance with Resolution #1 (68th session), item by item, as of a
 * given date. Pure C11: no I/O and no clock (the date is an input), so reports are reproducible.
 *
 * Statuses of an item with no recurrence, given the State's latest SUBMITTED compliance answers:
 *   NOT_APPLICABLE  the duty does not fall on this State: paragraph 9 (assistance to developing
 *                   countries, owed by States with mature capabilities) for a least developed
 *                   country. Decided before anything else.
 *   UNKNOWN         the State has no submitted compliance answers at all.
 *   MET             answered yes, dated on or before the deadline, or the item has no deadline.
 *                   Yes with a deadline but no date is MET too, with a note that timeliness could
 *                   not be checked: lateness cannot be shown, and OPEN or OVERDUE would deny an
 *                   enactment the State reports.
 *   MET_LATE        answered yes, dated after the deadline.
 *   OVERDUE         answered no or not answered, and the deadline is before as_of.
 *   OPEN            answered no or not answered, and the deadline is on or after as_of, or the item
 *                   has no deadline.
 *   A yes dated after as_of counts as not yet met (OPEN or OVERDUE): the report is as of as_of.
 * Evidence from outside the checklist comes first when it is dated on or before as_of: paragraph
 * 6's point of contact and CERT recorded in the directory (docs/directory.md) make their items MET
 * (or MET_LATE) on the date the directory gives, whatever the checklist answered, with the
 * evidence's own note saying so; UNKNOWN is then never shown for them.
 *
 * An ANNUAL item (paragraph 8: "report to the Secretary-General and UNIC by the end of each
 * calendar year on its compliance") is expanded into one item per year, from the State's first
 * cycle to as_of's year, with id "<item id>-<year>" (e.g. "para8-report-2024") and deadline
 * 31 December of that year. A year's report is shown by the earliest of, on or before as_of:
 *   - the compliance checklist of that cycle, submitted (it is the report to UNIC itself);
 *   - that checklist's answer to the item: yes, with the date the State reported (to the
 *     Secretary-General, say); a yes without a date shows nothing about timeliness and is not
 *     used, a yes dated after as_of is not yet a report;
 *   - a self-assessment of that cycle, submitted.
 *   MET       that date is on or before 31 December; the note names which of the three it was;
 *   MET_LATE  after 31 December;
 *   OVERDUE   none by as_of, and 31 December of that year is before as_of;
 *   OPEN      none yet, and the year has not ended.
 * A State with no first cycle (self-assessment or checklist) gets one item "<item id>", UNKNOWN:
 * the years owed are not known; one whose first cycle is after as_of's year owes none yet.
 * Cycles are calendar years.
 *
 * Dates are "YYYY-MM-DD" strings (proleptic Gregorian), compared as strings once validated; NULL
 * or "" means none; other strings must be non-NULL. Ownership: the report is allocated by compliance_evaluate and freed by
 * compliance_report_free (NULL is a no-op); it owns its item ids, while paragraph points into the
 * caller's items, which must outlive the report. */
#ifndef UNIC_COMPLIANCE_H
#define UNIC_COMPLIANCE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define COMPLIANCE_DATE_LEN 10 /* strlen("YYYY-MM-DD") */

/* Numbered in the order of issue #5, from 1, so a proto enum with 0 = UNSPECIFIED maps 1:1. */
enum compliance_status {
    COMPLIANCE_MET = 1,
    COMPLIANCE_MET_LATE = 2,
    COMPLIANCE_OPEN = 3,
    COMPLIANCE_OVERDUE = 4,
    COMPLIANCE_UNKNOWN = 5,
    COMPLIANCE_NOT_APPLICABLE = 6,
};

enum compliance_recurrence {
    COMPLIANCE_ONCE = 0,   /* catalog recurrence NONE */
    COMPLIANCE_ANNUAL = 1, /* catalog recurrence ANNUAL */
};

enum compliance_reply {
    COMPLIANCE_REPLY_NONE = 0, /* the question was left unanswered */
    COMPLIANCE_REPLY_NO = 1,
    COMPLIANCE_REPLY_YES = 2,
};

struct compliance_item_def {
    const char *id;        /* e.g. "para4-laws" */
    const char *paragraph; /* e.g. "4(a)" */
    const char *deadline;  /* "YYYY-MM-DD", or NULL/"" for none; ignored when ANNUAL */
    enum compliance_recurrence recurrence;
};

struct compliance_answer {
    const char *item_id;
    enum compliance_reply reply;
    const char *date; /* when the duty was met, e.g. a law's enactment; NULL/"" if not given */
};

/* A duty shown met from another source than the checklist (the directory, for paragraph 6). */
enum { COMPLIANCE_NOTE_ARGS = 2 };

struct compliance_evidence {
    const char *item_id;
    const char *date; /* "YYYY-MM-DD" the duty was met */
    const char *note; /* why, for the report, in English; must outlive it */
    /* The same as a note code and its arguments (see struct compliance_item); must outlive it. */
    const char *note_code;
    const char *note_args[COMPLIANCE_NOTE_ARGS];
    size_t n_note_args;
};

/* One cycle of the State, for paragraph 8. */
struct compliance_cycle {
    int cycle; /* the calendar year */
    bool submitted;             /* a self-assessment of the cycle was submitted */
    const char *submitted_date; /* required when submitted */
    const char *report_date;    /* the cycle's compliance checklist submitted, or NULL/"" */
    const char *answer_date;    /* its annual item answered yes with this date, or NULL/"" */
};

struct compliance_input {
    const struct compliance_item_def *items; /* the report lists them in this order */
    size_t n_items;
    bool has_answers; /* false: the State never submitted compliance answers */
    const struct compliance_answer *answers;
    size_t n_answers;
    bool ldc; /* on the UN list of least developed countries */
    const char *as_of;
    const struct compliance_cycle *cycles;
    size_t n_cycles;
    int first_cycle; /* the State's first self-assessment cycle; 0 when it has none */
    const struct compliance_evidence *evidence; /* items of no recurrence only; may be NULL */
    size_t n_evidence;
};

struct compliance_item {
    char *item_id;
    const char *paragraph;
    enum compliance_status status;
    char deadline[COMPLIANCE_DATE_LEN + 1]; /* "" when none */
    char date[COMPLIANCE_DATE_LEN + 1];     /* when met or submitted; "" when none */
    const char *note; /* a short plain-language reason in English, static text */
    /* The note as a stable code and its arguments, so that a reader's language can say it:
     * the portal's messages hold "cnote.<code>" in each language, with {0}, {1} standing for the
     * arguments (web/messages/<lang>.json; test_web_static checks every code has them). */
    const char *note_code;
    const char *const *note_args;
    size_t n_note_args;
};

struct compliance_report {
    struct compliance_item *items;
    size_t n_items;
};

/* Evaluates every item as of in->as_of. Fails with ERR_INVALID_ARGUMENT, naming the field
 * (e.g. "answers[2].date"), on an invalid date, an item or cycle listed twice, an answer to an
 * unknown item or answered twice, or a submitted cycle without its date. */
int compliance_evaluate(const struct compliance_input *in, struct compliance_report **out,
                        struct err *e);
void compliance_report_free(struct compliance_report *r);

/* "MET", "MET_LATE", "OPEN", "OVERDUE", "UNKNOWN", "NOT_APPLICABLE"; "UNSPECIFIED" otherwise. */
const char *compliance_status_name(enum compliance_status s);


#endif
