/* render.h: the scoring service's documents, drawn with cairo and laid out with pango: the
 * scorecard report (PDF), its charts alone (SVG), and the annual compliance report under
 * paragraph 8 of resolution #1 (PDF), in ar, zh, en, fr, ru or es (labels.h). Arabic is shaped
 * and laid out right to left (pages mirrored), Chinese set in Noto Sans CJK SC.
 * Pure: no I/O but fontconfig reading the installed fonts; what a document shows is entirely
 * its input, so the caller decides (and has checked) what the reader may see.
 * Ownership: inputs are the caller's and only read; the document is appended to the caller's
 * struct bytes. Safe to call from several threads at once (pango's font map is per thread). */
#ifndef UNIC_RENDER_H
#define UNIC_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "bytes.h"
#include "err.h"

enum render_format { RENDER_PDF, RENDER_SVG };

struct render_section {
    const char *id;
    int number;
    const char *title;   /* in the document's language when the catalog has it */
    double score;        /* published figure, 0-100 */
    int stage;           /* 0-5 */
    bool has_previous;   /* the previous cycle scored this section */
    double previous;
};

struct render_gap {
    const char *question_id;
    int number;
    const char *text;    /* the question */
    int level, target;
    double severity;
};

struct render_point {
    int cycle;
    double index;
};

struct render_evidence {
    const char *question_id;
    const char *title;   /* may be "" */
    const char *uri;
};

enum render_visibility { RENDER_PRIVATE = 1, RENDER_UNIC = 2, RENDER_PUBLIC = 3 };

struct render_scorecard {
    const char *locale;               /* one of labels_locale_valid's */
    const char *state_name, *state_code;
    int cycle;
    int previous_cycle;               /* 0: no previous cycle to compare with */
    const char *questionnaire_id;
    int questionnaire_version;
    const char *model_version;
    double index;                     /* published figure */
    int stage;
    double completeness;              /* 0-1 */
    const struct render_section *sections; /* in number order */
    size_t n_sections;
    const struct render_gap *gaps;    /* in the order to show: severity first */
    size_t n_gaps;
    const char *const *assessment_needed; /* question ids */
    size_t n_assessment_needed;
    const struct render_point *trend; /* cycle ascending; may be empty */
    size_t n_trend;
    const struct render_evidence *evidence;
    size_t n_evidence;
    enum render_visibility visibility;
    const char *generated_on;         /* "YYYY-MM-DD" */
    int revision;
};

/* The ComplianceStatus of scoring.proto: 1 MET .. 6 NOT_APPLICABLE. */
struct render_duty {
    const char *paragraph;            /* "4(a)" */
    const char *text;                 /* the duty as the checklist words it */
    const char *deadline;             /* "YYYY-MM-DD" or "" */
    int answer;                       /* 1 yes, 0 no, -1 not answered */
    const char *date, *narrative;     /* the State's, or "" */
    int status;
};

struct render_compliance {
    const char *locale;
    const char *state_name, *state_code;
    int year;
    const char *as_of;                /* "YYYY-MM-DD" */
    const struct render_duty *duties;
    size_t n_duties;
    const struct render_evidence *evidence;
    size_t n_evidence;
    const char *generated_on;
    int revision;                     /* of the compliance form read; 0 when none */
};

/* The scorecard as a PDF report, or (RENDER_SVG) its two charts alone: the radar of the sections
 * (one axis per section, this cycle against the previous) and the trend of the index. Appends to
 * *out. INVALID_ARGUMENT for a locale not among the six; INTERNAL when cairo fails. */
int render_scorecard(const struct render_scorecard *in, enum render_format format,
                     struct bytes *out, struct err *e);
/* The compliance report as a PDF, ready to transmit. Appends to *out; errors as above. */
int render_compliance(const struct render_compliance *in, struct bytes *out, struct err *e);

#endif
