/* assessment.h: the pure domain logic of the responses service, with no I/O: who may read or write
 * an assessment, what a valid request is, how answers merge into a new revision, and the text forms
 * PostgreSQL reads. Unit-tested in tests/unit/test_responses_*.c.
 * Ownership: results are allocated in the caller's arena; a struct qdef is the caller's, released
 * with qdef_free. */
#ifndef UNIC_RESPONSES_ASSESSMENT_H
#define UNIC_RESPONSES_ASSESSMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "err.h"
#include "mem.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "unic/responses/v1/responses.pb-c.h"

typedef Unic__Responses__V1__Answer Answer;
typedef Unic__Responses__V1__Assessment Assessment;
typedef Unic__Responses__V1__Evidence Evidence;

enum {
    CYCLE_FIRST = 2010,       /* the year after A/RES/64/211 */
    LEVEL_MAX = 5,            /* maturity levels run 0-5 */
    NARRATIVE_MAX_CHARS = 20000,
    EVIDENCE_MAX = 20,
    EVIDENCE_TITLE_MAX_CHARS = 500,
    QUESTION_ID_MAX_CHARS = 64,
    REQUEST_ID_MAX_CHARS = 128,
    REASON_MAX_CHARS = 2000,
    ANSWERS_MAX = 1000,       /* a guard before the questionnaire is known; it bounds it again */
    ASSESSMENT_ID_MAX = 3 + 1 + 4 + 1 + 64,
};

/* ---- Questionnaire definitions (from the catalog), reduced to what validation needs ---- */

struct qdef_question {
    char *id;
    int type; /* Unic__Catalog__V1__AnswerType */
    bool required;
};

struct qdef {
    char *questionnaire_id;
    int version;
    size_t n;                   /* questions in questionnaire order: sections, then questions */
    struct qdef_question *q;
    size_t n_required;
    int kind;                   /* Unic__Catalog__V1__QuestionnaireKind */
};

/* A heap copy of what `q` defines; NULL with *e set when the definition is unusable (no
 * questions, an unknown answer type, a repeated question id). */
struct qdef *qdef_new(const Unic__Catalog__V1__Questionnaire *q, struct err *e);
void qdef_free(struct qdef *d); /* NULL-safe */
/* `d` as it binds one State: for a least developed country, the compliance questions that do
 * not bind it (common/duties.h: paragraph 9) are not required. `d` itself when nothing changes,
 * else a copy in arena `a` sharing d's strings. */
const struct qdef *qdef_for_state(struct arena *a, const struct qdef *d, bool ldc);
/* Index of question `id` in d->q, or -1. */
int qdef_find(const struct qdef *d, const char *id);

/* ---- Identity and access (access.c) ----
 * The rules, decided from the authenticated principal, never from a state_code in a body:
 * - Writes (create, save, submit, reopen, set visibility): a STATE key, for its own State only.
 *   Operators and services never write: a State's answers are its own. Since the assessment id
 *   carries the State, a write is refused (PERMISSION_DENIED) before anything is looked up.
 * - Reads: PRIVATE, the State only (not even operators); UNIC, the State and operators; PUBLIC,
 *   any key. A reader other than the State gets PERMISSION_DENIED both for an assessment it may
 *   not see and for one that does not exist, so existence never leaks; the State itself gets
 *   NOT_FOUND for its own missing assessment.
 * - History: others see a revision only if both the assessment's current visibility and the
 *   revision's own allow it, so sharing an assessment does not share the drafts written while
 *   it was private.
 * - Compliance reports: Resolution #1 para 8 obliges each State "to report to the
 *   Secretary-General and UNIC ... on its compliance". A submitted unic-compliance revision is
 *   that report, so operators read it whatever the visibility; for it PRIVATE means "not other
 *   States". Drafts of the checklist stay the State's own; while the State has reopened its
 *   report, operators read its last submitted revision (docs/compliance-reports.md). */

/* The questionnaire whose submitted revisions are reports to UNIC. */
#define ACCESS_REPORT_QUESTIONNAIRE "unic-compliance"

/* The id of the assessment of (state, cycle, questionnaire): "KEN-2025-cip-self-assessment". */
void assessment_id_format(char *buf, size_t size, const char *state, int cycle, const char *qid);
/* Splits an id made by assessment_id_format; false when `id` is not of that shape. */
bool assessment_id_parse(const char *id, char state[4], int *cycle, char *qid, size_t qid_size);
bool questionnaire_id_shape(const char *s);

/* A State's key writes its own State's assessments; operators and services never write. */
bool access_may_write(const struct principal *p, const char *state_code);
/* PRIVATE: the State only; UNIC: the State and operators; PUBLIC: any key. */
bool access_may_read(const struct principal *p, const char *state_code, int visibility);
/* Whether `p` reads submitted revisions of questionnaire `qid` as reports to UNIC, whatever
 * their visibility (operators, for unic-compliance). */
bool access_reads_reports(const struct principal *p, const char *qid);
/* One revision of state_code's assessment of questionnaire `qid`, with its visibility and status:
 * access_may_read, or a submitted report read by UNIC. */
bool access_may_read_revision(const struct principal *p, const char *state_code, const char *qid,
                              int visibility, int status);
/* The questionnaire whose submitted assessments `p` reads as reports beyond its visibilities,
 * or "" (for the list query). */
const char *access_report_questionnaire(const struct principal *p);
/* The visibility names a principal may read beyond its own State's, as a PostgreSQL array
 * literal ("{UNIC,PUBLIC}" for an operator). */
const char *access_visible_array(const struct principal *p);

const char *visibility_name(int v);           /* "PRIVATE"; NULL when not one of the three */
int visibility_parse(const char *name);       /* 0 when unknown */
const char *status_name(int s);               /* "DRAFT"; NULL when not a status */
int status_parse(const char *name);           /* 0 when unknown */

/* ---- Request validation (validate.c): INVALID_ARGUMENT naming the field ---- */

/* cycle within 2010 .. current_year + 1. */
int validate_cycle(int cycle, int current_year, struct err *e);
/* Optional idempotency key: empty, or printable UTF-8 of at most 128 characters. */
int validate_request_id(const char *s, struct err *e);
/* Required single-line text (`field` names it in the error). */
int validate_token(const char *field, const char *s, size_t max_chars, struct err *e);
/* Everything about each answer that holds whatever the questionnaire: levels 0-5, date, narrative
 * text and length, evidence count, URIs and titles. */
int validate_answers_shape(Answer *const *answers, size_t n, struct err *e);
/* Against the definition: each question exists, once, and the answer fits its type. Fills
 * index[i] (n entries, caller's) with answer i's question index in d. */
int validate_answers_fit(const struct qdef *d, Answer *const *answers, size_t n, int *index,
                         struct err *e);

/* ---- Revisions (revision.c) ---- */

/* Whether `a` answers a question of type `type`: a level, a yes/no, or a narrative with text. */
bool answer_is_answered(int type, const Answer *a);
/* Whether `a` carries anything at all; an empty answer in a save removes the stored one. */
bool answer_is_empty(const Answer *a);
/* Same content, ignoring updated_at and updated_by. */
bool answer_same(const Answer *a, const Answer *b);

/* Share of required questions answered, 0-1 (1 when nothing is required). */
double completeness(const struct qdef *d, Answer *const *answers, size_t n);
/* Ids of the required questions without an answer, in questionnaire order. */
size_t required_missing(const struct qdef *d, Answer *const *answers, size_t n, struct arena *a,
                        const char ***ids);

struct merge {
    Answer **answers;         /* the new current answers, in questionnaire order */
    size_t n_answers;
    const char **changed;     /* question ids whose answer changed, in questionnaire order */
    size_t n_changed;
    const Answer **upserts;   /* changed answers still present (for responses.answers) */
    size_t n_upserts;
    const char **removed;     /* changed answers now empty */
    size_t n_removed;
};

/* Applies `in` (validated; index[] from validate_answers_fit) on top of `cur`: an incoming
 * answer replaces the stored one whole, an empty one removes it, an identical one changes
 * nothing. Changed answers get `now` and `author`. */
void answers_merge(struct arena *a, const struct qdef *d, Answer *const *cur, size_t n_cur,
                   Answer *const *in, size_t n_in, const int *index, const char *now,
                   const char *author, struct merge *out);

/* A deep copy in `a` of `src` without its answers (the caller sets them). */
Assessment *assessment_copy_head(struct arena *a, const Assessment *src);

/* ---- Encodings (encode.c) ---- */

/* PostgreSQL array literal of `n` strings, NULL entries as SQL NULL: {"a","b\"c",NULL}. */
char *encode_pg_array(struct arena *a, const char *const *items, size_t n);
/* JSON array of the evidence: [{"uri":"...","title":"..."}]. */
char *encode_evidence_json(struct arena *a, Evidence *const *ev, size_t n);
/* Lower-case hex of `len` bytes (an etag's random part). */
char *encode_hex(struct arena *a, const uint8_t *p, size_t len);

#endif
