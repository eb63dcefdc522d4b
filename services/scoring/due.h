/* due.h: a State's calendar (ListDue): what is due, when and with how many days left, from its
 * compliance report, its pending reachability round and the matches awaiting its answer. Pure C11:
 * no I/O and no clock (today is an input, in the State's zone), unit-tested in tests/unit/test_due_list.c.
 * Results live in the caller's arena and may point into the inputs. */
#ifndef UNIC_SCORING_DUE_H
#define UNIC_SCORING_DUE_H

#include <stddef.h>

#include "err.h"
#include "mem.h"
#include "unic/scoring/v1/scoring.pb-c.h"

typedef Unic__Scoring__V1__DueItem DueItem;

enum { DUE_MATCH_ARGS = 5 };

struct due_match {
    const char *id;
    const char *what; /* e.g. "TRAINING incident-response: 20 seats from FRA" */
    /* the same as the arguments of its title code: kind, topic, quantity, donor, recipient */
    const char *args[DUE_MATCH_ARGS];
};

struct due_input {
    const char *today; /* "YYYY-MM-DD" in the State's zone */
    const Unic__Scoring__V1__ComplianceReport *report;
    const char *round_id;     /* a pending reachability round, or "" */
    const char *round_closes; /* its last day to confirm, "YYYY-MM-DD" in the State's zone */
    const struct due_match *matches;
    size_t n_matches;
};

/* The items due, sorted by due date (dateless last), then ref. Each title is in English and as a
 * stable code with its arguments (DueItem.title_code/title_args; the portal's messages
 * "due.title.<code>", which test_web_static checks): "compliance-duty" [paragraph],
 * "annual-report" [year], "reachability" [], "match-answer" [the due_match's args]. Every duty of the report not met
 * (OPEN, OVERDUE, or UNKNOWN for want of answers) is one; paragraph 8's report of today's year is
 * one unless met, even for a State with no cycle yet. INVALID_ARGUMENT on a bad today. */
int due_list(struct arena *a, const struct due_input *in, DueItem ***out, size_t *n, struct err *e);

#endif
