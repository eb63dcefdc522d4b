/* labels.h: the words of the rendered documents (scorecard, compliance report) in the six official
 * languages of the United Nations: ar, zh, en, fr, ru, es. Questionnaire texts (section titles,
 * questions) are not here: they come from the catalog in the locale it serves.
 * Ownership: every string returned is static. */
#ifndef UNIC_LABELS_H
#define UNIC_LABELS_H

#include <stdbool.h>
#include <stddef.h>

enum label {
    L_SCORECARD_TITLE,
    L_STATE,
    L_CYCLE,
    L_QUESTIONNAIRE,
    L_VERSION,
    L_MODEL,
    L_INDEX,
    L_STAGE,
    L_COMPLETENESS,
    L_SECTIONS,
    L_SECTION,
    L_SCORE,
    L_PREVIOUS,
    L_RADAR_TITLE,
    L_THIS_CYCLE,
    L_PREVIOUS_CYCLE,
    L_GAPS,
    L_NO_GAPS,
    L_QUESTION,
    L_LEVEL,
    L_TARGET,
    L_SEVERITY,
    L_ASSESSMENT_NEEDED,
    L_TREND,
    L_EVIDENCE,
    L_NONE,
    L_VISIBILITY,
    L_VIS_PRIVATE,
    L_VIS_UNIC,
    L_VIS_PUBLIC,
    L_FOOTER,            /* pattern: {1} the date, {2} the revision */
    L_STAGE_0,           /* L_STAGE_0 + n is the name of stage n, 0-5 */
    L_STAGE_1,
    L_STAGE_2,
    L_STAGE_3,
    L_STAGE_4,
    L_STAGE_5,
    L_COMPLIANCE_TITLE,  /* pattern: {1} the State, {2} the year */
    L_PARAGRAPH,
    L_DUTY,
    L_DEADLINE,
    L_ANSWER,
    L_DATE,
    L_NARRATIVE,
    L_STATUS_AS_OF,      /* pattern: {1} the report date */
    L_YES,
    L_NO,
    L_UNANSWERED,
    L_ST_MET,            /* L_ST_MET + (ComplianceStatus - 1), for MET .. NOT_APPLICABLE */
    L_ST_MET_LATE,
    L_ST_OPEN,
    L_ST_OVERDUE,
    L_ST_UNKNOWN,
    L_ST_NOT_APPLICABLE,
    L_TRANSMITTAL,
    L_COMPLIANCE_FOOTER, /* pattern: {1} the date; when no compliance form was read */
    L_COUNT
};

/* True for one of the six locales: "ar", "zh", "en", "fr", "ru", "es". */
bool labels_locale_valid(const char *locale);
/* True when the locale's script is written right to left (Arabic). */
bool labels_rtl(const char *locale);
/* The word or phrase `l` in `locale`; English when the locale is not one of the six. */
const char *labels_get(const char *locale, enum label l);
/* Pattern `l` with {1} and {2} replaced by arg1 and arg2 (NULL for none), into buf, always
 * NUL-terminated; returns the length the whole text needs, as snprintf does. Placeholders, not
 * printf conversions, so that a translation may reorder them. */
size_t labels_fill(char *buf, size_t size, const char *locale, enum label l, const char *arg1,
                   const char *arg2);

#endif
