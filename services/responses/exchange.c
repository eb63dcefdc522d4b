/* exchange.c: assessments as JSON and CSV files, and the reading of all three formats
 * (exchange.h; the XLSX workbook itself is xlsx.c). Every format goes through one row reader,
 * take_row, so a level, a date or a piece of evidence is judged the same way wherever it comes
 * from, and each bad cell is reported where it stands instead of stopping at the first. */
#include "exchange.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bytes.h"
#include "text.h"

typedef Unic__Catalog__V1__Questionnaire Questionnaire;
typedef Unic__Catalog__V1__Question Question;

const char *const exchange_column_names[COL_COUNT] = {
    "question_id", "section", "number", "question", "level", "target", "yes", "date",
    "narrative", "evidence",
};

const char *exchange_column_letter(struct arena *a, int col)
{
    char buf[8];
    int n = 0;
    char rev[8];
    for (col += 1; col > 0 && n < 7; col = (col - 1) / 26)
        rev[n++] = (char)('A' + (col - 1) % 26);
    for (int i = 0; i < n; i++)
        buf[i] = rev[n - 1 - i];
    buf[n] = '\0';
    return arena_strdup(a, buf);
}

int exchange_parse_level(const char *s)
{
    while (*s == ' ')
        s++;
    if (*s == '\0')
        return -1;
    if (*s < '0' || *s > '5')
        return -2;
    int level = *s - '0';
    s++;
    if (strncmp(s, ".0", 2) == 0) /* a number cell written by a spreadsheet */
        s += 2;
    /* After the digit: nothing, or a separator and the level's name ("3 Established"). */
    if (*s != '\0' && *s != ' ' && *s != '-' && strncmp(s, "\xe2\x80\x93", 3) != 0)
        return -2;
    return level;
}

/* ---- the answer of one row, judged cell by cell ---- */

struct reader {
    struct arena *a;
    const struct qdef *d;
    struct exchange_file *f;
    int *first_row; /* per question of d: the row it was read from, 0 = not yet */
    size_t cap_answers;
};

static void bad(struct reader *r, const char *sheet, int row, const char *column,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void bad(struct reader *r, const char *sheet, int row, const char *column,
                const char *fmt, ...)
{
    struct exchange_file *f = r->f;
    f->n_errors_total++;
    if (f->n_errors >= EXCHANGE_MAX_ERRORS)
        return;
    if (f->errors == NULL)
        f->errors = ARENA_ARRAY(r->a, struct exchange_error, EXCHANGE_MAX_ERRORS);
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    f->errors[f->n_errors++] = (struct exchange_error){arena_strdup(r->a, sheet), row,
                                                       arena_strdup(r->a, column),
                                                       arena_strdup(r->a, msg)};
}

/* A cell's text as it may appear in a message: long or unclean values are not echoed. */
static const char *shown(const char *s)
{
    return strlen(s) <= 40 && text_valid(s, false, NULL) ? s : "(not shown)";
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

/* s with "\r\n" as "\n", and surrounding white space removed when `trim`. */
static char *clean(struct arena *a, const char *s, bool trim)
{
    char *out = arena_strdup(a, s), *w = out;
    for (const char *p = s; *p; p++)
        if (!(p[0] == '\r' && p[1] == '\n'))
            *w++ = *p;
    *w = '\0';
    if (trim) {
        while (w > out && isspace((unsigned char)w[-1]))
            *--w = '\0';
        while (isspace((unsigned char)*out))
            out++;
    }
    return out;
}

/* Evidence cell: one per line, a URI and optionally a space and a title. */
static void take_evidence(struct reader *r, const char *sheet, int row, const char *column,
                          const char *cell, Answer *ans)
{
    char *text = clean(r->a, cell, true);
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    ans->evidence = ARENA_ARRAY(r->a, Evidence *, n + 1);
    int line = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        line++;
        l = clean(r->a, l, true);
        if (*l == '\0')
            continue;
        char *sp = strchr(l, ' ');
        const char *title = "";
        if (sp) {
            *sp = '\0';
            title = clean(r->a, sp + 1, true);
        }
        size_t chars;
        if (!text_http_uri_valid(l)) {
            bad(r, sheet, row, column, "evidence line %d: \"%s\" is not an http or https URI", line,
                shown(l));
            continue;
        }
        if (!text_valid(title, false, &chars) || chars > EVIDENCE_TITLE_MAX_CHARS) {
            bad(r, sheet, row, column,
                "evidence line %d: the title is not a line of text of at most %d characters",
                line, EVIDENCE_TITLE_MAX_CHARS);
            continue;
        }
        if (ans->n_evidence == EVIDENCE_MAX) {
            bad(r, sheet, row, column, "evidence: more than %d items", EVIDENCE_MAX);
            return;
        }
        Evidence *ev = ARENA_MSG(r->a, Evidence, UNIC__RESPONSES__V1__EVIDENCE__INIT);
        ev->uri = l;
        ev->title = (char *)title;
        ans->evidence[ans->n_evidence++] = ev;
    }
}

static bool parse_yes(const char *s, bool *yes)
{
    static const char *const yes_words[] = {"yes", "true", "1", "oui", "si", "sí"};
    static const char *const no_words[] = {"no", "false", "0", "non"};
    for (size_t i = 0; i < sizeof yes_words / sizeof *yes_words; i++)
        if (strcasecmp(s, yes_words[i]) == 0)
            return *yes = true;
    for (size_t i = 0; i < sizeof no_words / sizeof *no_words; i++)
        if (strcasecmp(s, no_words[i]) == 0) {
            *yes = false;
            return true;
        }
    return false;
}

/* One question's row: v[c] is the text of column c ("" when absent), col[c] its address. */
static void take_row(struct reader *r, const char *sheet, int row, const char *const *col,
                     const char *const *v)
{
    const char *qid = clean(r->a, v[COL_QUESTION_ID], true);
    bool empty = true;
    for (int c = COL_LEVEL; c < COL_COUNT; c++)
        empty = empty && blank(v[c]);
    if (qid[0] == '\0') {
        if (!empty)
            bad(r, sheet, row, col[COL_QUESTION_ID], "question_id: empty on a row with answers");
        return;
    }
    int qi = qdef_find(r->d, qid);
    if (qi < 0) {
        bad(r, sheet, row, col[COL_QUESTION_ID], "question_id \"%s\" is not a question of %s v%d",
            shown(qid), r->d->questionnaire_id, r->d->version);
        return;
    }
    if (r->first_row[qi]) {
        bad(r, sheet, row, col[COL_QUESTION_ID], "question \"%s\" is also on row %d", qid,
            r->first_row[qi]);
        return;
    }
    r->first_row[qi] = row;
    int type = r->d->q[qi].type;
    size_t errors_before = r->f->n_errors_total;
    Answer *ans = ARENA_MSG(r->a, Answer, UNIC__RESPONSES__V1__ANSWER__INIT);
    ans->question_id = r->d->q[qi].id;

    const int level_cols[] = {COL_LEVEL, COL_TARGET};
    for (size_t k = 0; k < 2; k++) {
        int c = level_cols[k];
        int level = exchange_parse_level(v[c]);
        if (level == -2)
            bad(r, sheet, row, col[c], "%s \"%s\" is not a level: expected 0 to 5, or empty",
                exchange_column_names[c], shown(v[c]));
        else if (level >= 0 && type != UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL)
            bad(r, sheet, row, col[c], "%s: question \"%s\" is not answered with a level",
                exchange_column_names[c], qid);
        else if (level >= 0 && c == COL_LEVEL) {
            ans->level_value_case = UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
            ans->level = level;
        } else if (level >= 0) {
            ans->target_level_value_case = UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL;
            ans->target_level = level;
        }
    }
    const char *yes = clean(r->a, v[COL_YES], true);
    bool y;
    if (yes[0] != '\0') {
        if (!parse_yes(yes, &y))
            bad(r, sheet, row, col[COL_YES], "yes \"%s\" is not yes, no, or empty", shown(yes));
        else if (type != UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO)
            bad(r, sheet, row, col[COL_YES], "yes: question \"%s\" is not answered yes or no", qid);
        else {
            ans->yes_value_case = UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES;
            ans->yes = y;
        }
    }
    const char *date = clean(r->a, v[COL_DATE], true);
    if (date[0] != '\0' && !text_date_valid(date))
        bad(r, sheet, row, col[COL_DATE], "date \"%s\" is not a date (YYYY-MM-DD)", shown(date));
    else
        ans->date = (char *)date;
    const char *narrative = clean(r->a, v[COL_NARRATIVE], false);
    size_t chars;
    if (!text_valid(narrative, true, &chars))
        bad(r, sheet, row, col[COL_NARRATIVE],
            "narrative: not UTF-8 text (control characters other than newline and tab)");
    else if (chars > NARRATIVE_MAX_CHARS)
        bad(r, sheet, row, col[COL_NARRATIVE], "narrative: %zu characters, at most %d", chars,
            NARRATIVE_MAX_CHARS);
    else
        ans->narrative = (char *)narrative;
    take_evidence(r, sheet, row, col[COL_EVIDENCE], v[COL_EVIDENCE], ans);

    if (r->f->n_errors_total != errors_before)
        return;
    if (r->f->n_answers == r->cap_answers) {
        size_t cap = r->cap_answers ? 2 * r->cap_answers : 64;
        Answer **grown = ARENA_ARRAY(r->a, Answer *, cap);
        if (r->f->n_answers)
            memcpy(grown, r->f->answers, r->f->n_answers * sizeof *grown);
        r->f->answers = grown;
        r->cap_answers = cap;
    }
    r->f->answers[r->f->n_answers++] = ans;
}

static void reader_init(struct reader *r, struct arena *a, const struct qdef *d,
                        struct exchange_file *f)
{
    memset(f, 0, sizeof *f);
    f->assessment_id = "";
    r->a = a;
    r->d = d;
    r->f = f;
    r->first_row = ARENA_ARRAY(a, int, d->n ? d->n : 1);
    r->cap_answers = 0;
}

/* ---- export ---- */

static const Answer *answer_of(const Assessment *as, const char *qid)
{
    for (size_t i = 0; i < as->n_answers; i++)
        if (strcmp(as->answers[i]->question_id, qid) == 0)
            return as->answers[i];
    return NULL;
}

void exchange_row_values(struct arena *a, const Unic__Catalog__V1__Section *s, const Question *q,
                       const Answer *ans, const char **v)
{
    v[COL_QUESTION_ID] = q->id;
    v[COL_SECTION] = s->id;
    v[COL_NUMBER] = arena_printf(a, "%d", q->number);
    v[COL_TEXT] = q->text;
    v[COL_LEVEL] = v[COL_TARGET] = v[COL_YES] = v[COL_DATE] = v[COL_NARRATIVE] = "";
    v[COL_EVIDENCE] = "";
    if (!ans)
        return;
    if (ans->level_value_case == UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL)
        v[COL_LEVEL] = arena_printf(a, "%d", ans->level);
    if (ans->target_level_value_case == UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL)
        v[COL_TARGET] = arena_printf(a, "%d", ans->target_level);
    if (ans->yes_value_case == UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES)
        v[COL_YES] = ans->yes ? "yes" : "no";
    v[COL_DATE] = ans->date;
    v[COL_NARRATIVE] = ans->narrative;
    struct bytes ev;
    bytes_init(&ev);
    for (size_t i = 0; i < ans->n_evidence; i++)
        bytes_printf(&ev, "%s%s%s%s", i ? "\n" : "", ans->evidence[i]->uri,
                     ans->evidence[i]->title[0] ? " " : "", ans->evidence[i]->title);
    v[COL_EVIDENCE] = arena_strdup(a, ev.data ? (const char *)ev.data : "");
    bytes_destroy(&ev);
}

static void csv_field(struct bytes *b, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ') {
        bytes_puts(b, s);
        return;
    }
    bytes_puts(b, "\"");
    for (; *s; s++) {
        if (*s == '"')
            bytes_puts(b, "\""); /* a quote inside a quoted field is doubled */
        bytes_append(b, s, 1);
    }
    bytes_puts(b, "\"");
}

static void export_csv(struct arena *a, const Assessment *as, const Questionnaire *q,
                       struct bytes *b)
{
    const char *v[COL_COUNT];
    bytes_puts(b, "\xef\xbb\xbf"); /* a UTF-8 byte order mark, so spreadsheets read UTF-8 */
    for (int c = 0; c < COL_COUNT; c++) {
        bytes_puts(b, c ? "," : "");
        bytes_puts(b, exchange_column_names[c]);
    }
    bytes_puts(b, "\r\n");
    for (size_t s = 0; s < q->n_sections; s++)
        for (size_t i = 0; i < q->sections[s]->n_questions; i++) {
            const Question *qq = q->sections[s]->questions[i];
            exchange_row_values(a, q->sections[s], qq, answer_of(as, qq->id), v);
            for (int c = 0; c < COL_COUNT; c++) {
                bytes_puts(b, c ? "," : "");
                csv_field(b, v[c]);
            }
            bytes_puts(b, "\r\n");
        }
}

static const char *answer_type_name(int t)
{
    switch (t) {
    case UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL: return "MATURITY_LEVEL";
    case UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO: return "YES_NO";
    case UNIC__CATALOG__V1__ANSWER_TYPE__TEXT: return "TEXT";
    default: return "UNSPECIFIED";
    }
}

static void export_json(const Assessment *as, const Questionnaire *q, const struct exchange_docs *docs,
                        struct bytes *b)
{
    json_t *root = json_object(), *answers = json_array();
    json_object_set_new(root, "schema", json_string(EXCHANGE_SCHEMA));
    json_object_set_new(root, "assessment_id", json_string(as->id));
    json_object_set_new(root, "state_code", json_string(as->state_code));
    json_object_set_new(root, "cycle", json_integer(as->cycle));
    json_object_set_new(root, "questionnaire_id", json_string(as->questionnaire_id));
    json_object_set_new(root, "questionnaire_version", json_integer(as->questionnaire_version));
    json_object_set_new(root, "revision", json_integer(as->revision));
    json_object_set_new(root, "etag", json_string(as->etag));
    json_object_set_new(root, "locale", json_string(q->locale));
    for (size_t s = 0; s < q->n_sections; s++)
        for (size_t i = 0; i < q->sections[s]->n_questions; i++) {
            const Question *qq = q->sections[s]->questions[i];
            const Answer *ans = answer_of(as, qq->id);
            json_t *o = json_object(), *ev = json_array();
            json_object_set_new(o, "question_id", json_string(qq->id));
            json_object_set_new(o, "section_id", json_string(q->sections[s]->id));
            json_object_set_new(o, "number", json_integer(qq->number));
            json_object_set_new(o, "text", json_string(qq->text));
            json_object_set_new(o, "answer_type", json_string(answer_type_name(qq->answer_type)));
            bool lv = ans && ans->level_value_case == UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
            bool tg = ans && ans->target_level_value_case ==
                                 UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL;
            bool ys = ans && ans->yes_value_case == UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES;
            json_object_set_new(o, "level", lv ? json_integer(ans->level) : json_null());
            json_object_set_new(o, "target", tg ? json_integer(ans->target_level) : json_null());
            json_object_set_new(o, "yes", ys ? json_boolean(ans->yes) : json_null());
            json_object_set_new(o, "date", json_string(ans ? ans->date : ""));
            json_object_set_new(o, "narrative", json_string(ans ? ans->narrative : ""));
            for (size_t k = 0; ans && k < ans->n_evidence; k++)
                json_array_append_new(ev, json_pack("{s:s,s:s}", "uri", ans->evidence[k]->uri,
                                                    "title", ans->evidence[k]->title));
            json_object_set_new(o, "evidence", ev);
            json_t *files = json_array();
            for (size_t k = 0; docs && k < docs->n; k++) {
                const Unic__Responses__V1__EvidenceDocument *d = docs->v[k];
                if (strcmp(d->question_id, qq->id) == 0)
                    json_array_append_new(files, json_pack("{s:s,s:s,s:s,s:I,s:s}", "id", d->id,
                                                           "filename", d->filename, "content_type",
                                                           d->content_type, "size", (json_int_t)d->size,
                                                           "sha256", d->sha256));
            }
            json_object_set_new(o, "documents", files);
            json_array_append_new(answers, o);
        }
    json_object_set_new(root, "answers", answers);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    bytes_puts(b, text);
    bytes_puts(b, "\n");
    free(text);
    json_decref(root);
}

int exchange_export(struct arena *a, enum exchange_format format, const Assessment *as,
                    const Questionnaire *q, const struct exchange_docs *docs, uint8_t **out,
                    size_t *len, struct err *e)
{
    if (format == EXCHANGE_XLSX)
        return xlsx_export(a, as, q, out, len, e);
    struct bytes b;
    bytes_init(&b);
    if (format == EXCHANGE_CSV)
        export_csv(a, as, q, &b);
    else
        export_json(as, q, docs, &b);
    *out = arena_memdup(a, b.data, b.len + 1);
    *len = b.len;
    bytes_destroy(&b);
    return 0;
}

/* ---- import: JSON ---- */

/* A JSON value as the text a cell would hold; *ok false when it has the wrong type. */
static const char *json_cell(struct arena *a, json_t *v, int c, bool *ok)
{
    *ok = true;
    if (v == NULL || json_is_null(v))
        return "";
    if (json_is_string(v))
        return arena_strdup(a, json_string_value(v));
    if (json_is_integer(v) && c != COL_YES && c != COL_EVIDENCE)
        return arena_printf(a, "%lld", (long long)json_integer_value(v));
    if (json_is_boolean(v) && c == COL_YES)
        return json_is_true(v) ? "yes" : "no";
    if (json_is_array(v) && c == COL_EVIDENCE) {
        struct bytes b;
        bytes_init(&b);
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            const char *uri = json_string_value(json_object_get(item, "uri"));
            const char *title = json_string_value(json_object_get(item, "title"));
            if (!json_is_object(item) || uri == NULL || strpbrk(uri, " \n") ||
                (title && strchr(title, '\n'))) {
                *ok = false;
                break;
            }
            bytes_printf(&b, "%s%s%s%s", i ? "\n" : "", uri, title && title[0] ? " " : "",
                         title ? title : "");
        }
        const char *s = arena_strdup(a, b.data ? (const char *)b.data : "");
        bytes_destroy(&b);
        return *ok ? s : "";
    }
    *ok = false;
    return "";
}

static int import_json(struct reader *r, const uint8_t *data, size_t len, struct err *e)
{
    json_error_t je;
    json_t *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &je);
    int rc = -1;
    if (root == NULL) {
        err_field(e, "content", "not JSON: %s (line %d)", je.text, je.line);
        goto done;
    }
    const char *schema = json_string_value(json_object_get(root, "schema"));
    json_t *answers = json_object_get(root, "answers");
    if (schema == NULL || strcmp(schema, EXCHANGE_SCHEMA) != 0) {
        err_field(e, "content", "\"schema\" is not \"%s\"", EXCHANGE_SCHEMA);
        goto done;
    }
    if (!json_is_array(answers)) {
        err_field(e, "content", "\"answers\" is not an array");
        goto done;
    }
    const char *id = json_string_value(json_object_get(root, "assessment_id"));
    r->f->assessment_id = arena_strdup(r->a, id ? id : "");
    static const char *const keys[COL_COUNT] = {"question_id", "section_id", "number", "text",
                                                "level", "target", "yes", "date",
                                                "narrative", "evidence"};
    size_t i;
    json_t *o;
    json_array_foreach(answers, i, o) {
        const char *v[COL_COUNT];
        int row = (int)i + 1;
        bool all_ok = true;
        if (!json_is_object(o)) {
            bad(r, "", row, "answers", "entry %d is not an object", row);
            continue;
        }
        for (int c = 0; c < COL_COUNT; c++) {
            bool ok;
            v[c] = json_cell(r->a, json_object_get(o, keys[c]), c, &ok);
            if (!ok) {
                bad(r, "", row, keys[c], "%s: wrong type", keys[c]);
                all_ok = false;
            }
        }
        if (all_ok)
            take_row(r, "", row, keys, v);
    }
    rc = 0;
done:
    json_decref(root);
    return rc;
}

/* ---- import: CSV (RFC 4180) and the sheets of a workbook, both as rows of cells ---- */

/* Reads CSV text into cells (row 1 is the header), as a sheet would hold them. Quoted fields may
 * hold commas, quotes (doubled) and line breaks; a leading byte order mark is skipped. */
static int csv_cells(struct arena *a, const uint8_t *data, size_t len, struct xlsx_sheet *out,
                     struct err *e)
{
    size_t i = 0, cap = 256;
    int row = 1, col = 0;
    struct bytes field;
    memset(out, 0, sizeof *out);
    out->name = "";
    out->cells = ARENA_ARRAY(a, struct xlsx_cell, cap);
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    bytes_init(&field);
    while (i < len) {
        bool quoted = false;
        bytes_destroy(&field);
        bytes_init(&field);
        if (data[i] == '"') {
            quoted = true;
            i++;
            for (;;) {
                if (i >= len) {
                    bytes_destroy(&field);
                    return err_field(e, "content",
                                     "row %d: a quoted field is never closed", row);
                }
                if (data[i] == '"' && i + 1 < len && data[i + 1] == '"') {
                    bytes_append(&field, "\"", 1);
                    i += 2;
                } else if (data[i] == '"') {
                    i++;
                    break;
                } else
                    bytes_append(&field, &data[i++], 1);
            }
        }
        while (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
            if (quoted && data[i] != ' ') {
                bytes_destroy(&field);
                return err_field(e, "content",
                                 "row %d, column %d: text after a closing quote", row,
                                 col + 1);
            }
            bytes_append(&field, &data[i++], 1);
        }
        if (out->n_cells == cap) {
            struct xlsx_cell *grown = ARENA_ARRAY(a, struct xlsx_cell, 2 * cap);
            memcpy(grown, out->cells, cap * sizeof *grown);
            out->cells = grown;
            cap *= 2;
        }
        out->cells[out->n_cells++] = (struct xlsx_cell){
            row, col, arena_strndup(a, field.data ? (const char *)field.data : "", field.len)};
        if (i < len && data[i] == ',') {
            i++;
            col++;
            if (i == len) /* a trailing comma: one more empty field */
                continue;
        } else {
            if (i < len && data[i] == '\r')
                i++;
            if (i < len && data[i] == '\n')
                i++;
            row++;
            col = 0;
        }
    }
    bytes_destroy(&field);
    return 0;
}

static const char *cell_at(const struct xlsx_cell *cells, size_t n, int col)
{
    for (size_t i = 0; i < n; i++)
        if (cells[i].col == col)
            return cells[i].text;
    return "";
}

static bool same_name(const char *cell, const char *name)
{
    while (isspace((unsigned char)*cell))
        cell++;
    size_t n = strlen(name);
    if (strncasecmp(cell, name, n) != 0)
        return false;
    for (cell += n; *cell; cell++)
        if (!isspace((unsigned char)*cell))
            return false;
    return true;
}

/* Reads the answers of one sheet (or CSV) whose first row names the columns. Returns false when
 * that row has no question_id column: not a sheet of answers. */
static bool import_sheet(struct reader *r, const struct xlsx_sheet *sh)
{
    size_t i = 0, n = sh->n_cells;
    if (n == 0)
        return false;
    int head_row = sh->cells[0].row;
    size_t head_end = 0;
    while (head_end < n && sh->cells[head_end].row == head_row)
        head_end++;
    int at[COL_COUNT];
    const char *letter[COL_COUNT];
    for (int c = 0; c < COL_COUNT; c++) {
        at[c] = -1;
        for (size_t k = 0; k < head_end && at[c] < 0; k++)
            if (same_name(sh->cells[k].text, exchange_column_names[c]))
                at[c] = sh->cells[k].col;
        letter[c] = at[c] >= 0 ? exchange_column_letter(r->a, at[c]) : exchange_column_names[c];
    }
    if (at[COL_QUESTION_ID] < 0)
        return false;
    for (i = head_end; i < n;) {
        size_t end = i;
        while (end < n && sh->cells[end].row == sh->cells[i].row)
            end++;
        const char *v[COL_COUNT];
        for (int c = 0; c < COL_COUNT; c++)
            v[c] = at[c] >= 0 ? cell_at(&sh->cells[i], end - i, at[c]) : "";
        take_row(r, sh->name, sh->cells[i].row, letter, v);
        i = end;
    }
    return true;
}

/* The value beside `key` in column A of a sheet such as the workbook's "About". */
static const char *about_value(const struct xlsx_sheet *sh, const char *key)
{
    for (size_t i = 0; i < sh->n_cells; i++)
        if (sh->cells[i].col == 0 && strcmp(sh->cells[i].text, key) == 0)
            for (size_t k = i + 1; k < sh->n_cells && sh->cells[k].row == sh->cells[i].row; k++)
                if (sh->cells[k].col == 1)
                    return sh->cells[k].text;
    return NULL;
}

int exchange_import(struct arena *a, enum exchange_format format, const uint8_t *data, size_t len,
                    const struct qdef *d, struct exchange_file *out, struct err *e)
{
    struct reader r;
    reader_init(&r, a, d, out);
    if (len > EXCHANGE_MAX_BYTES)
        return err_set(e, ERR_RESOURCE_EXHAUSTED, "content: %zu bytes, at most %u", len,
                       EXCHANGE_MAX_BYTES);
    if (format == EXCHANGE_JSON)
        return import_json(&r, data, len, e);
    if (format == EXCHANGE_CSV) {
        struct xlsx_sheet sh;
        if (csv_cells(a, data, len, &sh, e) < 0)
            return -1;
        if (!import_sheet(&r, &sh))
            return err_field(e, "content",
                             "no \"question_id\" column in the header row");
        return 0;
    }
    struct xlsx_sheet *sheets;
    size_t n;
    bool any = false;
    if (xlsx_read(a, data, len, &sheets, &n, e) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *schema = about_value(&sheets[i], "schema");
        if (schema && strcmp(schema, EXCHANGE_SCHEMA) == 0) {
            const char *id = about_value(&sheets[i], "assessment_id");
            out->assessment_id = id ? id : "";
            continue;
        }
        any = import_sheet(&r, &sheets[i]) || any;
    }
    if (!any)
        return err_field(e, "content",
                         "no sheet has a \"question_id\" column in its first row");
    return 0;
}
