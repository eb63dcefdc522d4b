/* exchange.h: an assessment as a file and back, for delegations that work offline: JSON (the
 * versioned schema of docs/exchange.md), CSV (one row per question) and XLSX (one sheet per
 * section, drop-downs for the levels, the level descriptors beside each question, protected
 * columns). Reading a file returns every bad cell with its address, not only the first.
 * No database and no network: xlsx.c writes through a temporary file (libxlsxwriter 1.1.4 writes
 * only to a file) and reads the workbook from memory with libzip and libxml2.
 * Ownership: everything returned lives in the caller's arena; inputs are only read. */
#ifndef UNIC_RESPONSES_EXCHANGE_H
#define UNIC_RESPONSES_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "assessment.h"
#include "size_limits.h"
#include "mem.h"

#define EXCHANGE_SCHEMA "unic-assessment-exchange/1"
#define EXCHANGE_MAX_BYTES UNIC_EXCHANGE_MAX_BYTES /* larger is refused (common/size_limits.h) */
#define EXCHANGE_MAX_ERRORS 1000            /* errors beyond this many are counted, not listed */

/* Numbered as ExchangeFormat in responses.proto. */
enum exchange_format { EXCHANGE_JSON = 1, EXCHANGE_CSV = 2, EXCHANGE_XLSX = 3 };

/* The columns of a CSV file and of each section's sheet, in order. */
enum exchange_column {
    COL_QUESTION_ID, COL_SECTION, COL_NUMBER, COL_TEXT, COL_LEVEL, COL_TARGET, COL_YES, COL_DATE,
    COL_NARRATIVE, COL_EVIDENCE, COL_COUNT
};
extern const char *const exchange_column_names[COL_COUNT]; /* "question_id", "section", ... */

/* A bad cell: sheet ("" in CSV and JSON), row (1-based; in JSON the entry of "answers"), column
 * (a spreadsheet letter such as "E", or in JSON the field name) and what is wrong. */
struct exchange_error {
    const char *sheet;
    int row;
    const char *column;
    const char *message;
};

struct exchange_file {
    const char *assessment_id;   /* as the file names it; "" when it does not (CSV) */
    Answer **answers;            /* one per question row, whole, in file order; no updated_* */
    size_t n_answers;
    struct exchange_error *errors;
    size_t n_errors;             /* listed, at most EXCHANGE_MAX_ERRORS */
    size_t n_errors_total;
};

/* The evidence documents attached to the assessment's answers (docs/evidence.md), listed in the
 * JSON file beside each answer; CSV and XLSX keep their columns, which are read back. */
struct exchange_docs {
    Unic__Responses__V1__EvidenceDocument *const *v;
    size_t n;
};

/* `as` (with its answers) and the texts of its questionnaire `q` (same id and version, in the
 * locale wanted) as a file of `format`, with `docs` (may be NULL). INTERNAL when the XLSX writer
 * fails. */
int exchange_export(struct arena *a, enum exchange_format format, const Assessment *as,
                    const Unic__Catalog__V1__Questionnaire *q, const struct exchange_docs *docs,
                    uint8_t **out, size_t *len, struct err *e);

/* Reads a file of `format` against definition `d`. Returns 0 with *out filled, bad cells listed in
 * out->errors (none means every answer is valid for d); -1 with INVALID_ARGUMENT when the bytes
 * are not such a file at all (not JSON, another schema, no header row, not a workbook). */
int exchange_import(struct arena *a, enum exchange_format format, const uint8_t *data, size_t len,
                    const struct qdef *d, struct exchange_file *out, struct err *e);

/* ---- between exchange.c and xlsx.c ---- */

/* One cell of a worksheet, as text (numbers as Excel wrote them, e.g. "3"). */
struct xlsx_cell {
    int row, col; /* 1-based row, 0-based column */
    const char *text;
};
struct xlsx_sheet {
    const char *name;
    struct xlsx_cell *cells; /* in the order of the sheet's XML: row by row */
    size_t n_cells;
};

/* The sheets of a workbook, in workbook order. INVALID_ARGUMENT when it is not one. */
int xlsx_read(struct arena *a, const uint8_t *data, size_t len, struct xlsx_sheet **sheets,
              size_t *n, struct err *e);
int xlsx_export(struct arena *a, const Assessment *as, const Unic__Catalog__V1__Questionnaire *q,
                uint8_t **out, size_t *len, struct err *e);
/* The level (0-5) a cell states: "3", "3.0" or "3 Established"; -1 when empty, -2 when bad. */
int exchange_parse_level(const char *s);
/* The text of each column of question q's row, for answer `ans` (NULL: none): levels as digits,
 * evidence as lines of "uri title". */
void exchange_row_values(struct arena *a, const Unic__Catalog__V1__Section *s,
                         const Unic__Catalog__V1__Question *q, const Answer *ans, const char **v);
/* "A" for column 0, "AA" for 26. */
const char *exchange_column_letter(struct arena *a, int col);

#endif
