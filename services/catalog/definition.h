/* definition.h: the rules a questionnaire definition must satisfy before it is stored, and the
 * names the catalog's enums have in its tables. Pure: no I/O; allocations are freed before return.
 * Every check failing reports INVALID_ARGUMENT with a message that starts with the path of the
 * offending field, e.g. "definition.sections[0].questions[2].levels: ...". */
#ifndef UNIC_CATALOG_DEFINITION_H
#define UNIC_CATALOG_DEFINITION_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "unic/catalog/v1/catalog.pb-c.h"

enum {
    DEFINITION_MAX_QUESTIONS = 500,      /* per version, over all sections */
    DEFINITION_MAX_TEXT_CHARS = 20000,   /* code points in any one text */
    DEFINITION_MAX_TRANSLATIONS = 20,
    DEFINITION_MAX_SUB_ITEMS = 100,      /* per question */
    DEFINITION_MAX_TOPICS = 20,          /* per question */
    DEFINITION_MAX_ID_CHARS = 64,
    DEFINITION_LEVELS = 6,               /* MATURITY_LEVEL: levels 0..5 */
};
#define DEFINITION_MAX_WEIGHT 1000.0

/* The locale everything falls back to; every version must have its texts in it. */
#define DEFINITION_BASE_LOCALE "en"

/* Checks a whole CreateQuestionnaireVersion request: the definition's structure and texts, and
 * that each translation carries texts for exactly the definition's sections, questions, sub-items
 * and levels. `topics` lists the known topic ids (any order). Kind against an existing
 * questionnaire is the store's to check, under its lock. */
int definition_validate(const Unic__Catalog__V1__CreateQuestionnaireVersionRequest *req,
                        const char *const *topics, size_t n_topics, struct err *e);

/* Ids of questionnaires, sections and questions: a lower-case letter, then up to 63 lower-case
 * letters, digits or '-'. Questionnaire ids need at least 2 characters (the table's check). */
bool definition_id_valid(const char *s);
bool definition_questionnaire_id_valid(const char *s);
/* A BCP 47-shaped tag: 2-3 lower-case letters, then "-" subtags of 2-8 letters or digits. */
bool definition_locale_valid(const char *s);
/* The primary language of a locale tag into buf ("fr-CA" -> "fr"). */
void definition_locale_language(const char *locale, char *buf, size_t size);

/* Defaults the service applies to what a definition leaves out. */
const char *definition_locale(const Unic__Catalog__V1__Questionnaire *q); /* "" -> "en" */
double definition_weight(const Unic__Catalog__V1__Question *q);          /* 0 -> 1 */

/* Enum <-> table text. The *_name functions return NULL for a value with no name; the *_parse
 * functions return the UNSPECIFIED value (0) for an unknown name. */
const char *definition_kind_name(Unic__Catalog__V1__QuestionnaireKind k);
Unic__Catalog__V1__QuestionnaireKind definition_kind_parse(const char *s);
const char *definition_answer_type_name(Unic__Catalog__V1__AnswerType t);
Unic__Catalog__V1__AnswerType definition_answer_type_parse(const char *s);
const char *definition_recurrence_name(Unic__Catalog__V1__Recurrence r); /* UNSPECIFIED -> "NONE" */
Unic__Catalog__V1__Recurrence definition_recurrence_parse(const char *s);
Unic__Catalog__V1__VersionState definition_state_parse(const char *s);

#endif
