/* xlsx.c: the assessment as an Excel workbook, and workbooks read back (exchange.h).
 * Written with libxlsxwriter (Debian libxlsxwriter-dev), which in Debian 12's 1.1.4 writes only
 * to a named file: a temporary file, read back and removed. libxlsxwriter cannot read, so a
 * workbook is read with libzip (the OOXML package is a zip) and expat (its parts are XML), into
 * a small tree in the call's arena: the workbook's sheet list, its relationships, the shared
 * strings and each worksheet's cells. Expat rather than libxml2: it is the parser fontconfig
 * already brings, and libxml2 would bring ICU's 30 MB of data into the image for nothing.
 * Every part read is bounded in size (XLSX_PART_MAX), so a zip bomb stops at the bound, and a
 * part with a DTD is refused (OOXML has none), so no entity is ever expanded. */
#include "exchange.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <expat.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "bytes.h"
#include "text.h"

#define XLSX_PART_MAX (32u << 20)
#define XLSX_CELLS_MAX 200000
#define SHEET_NAME_MAX 31 /* characters, Excel's limit */
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

typedef Unic__Catalog__V1__Questionnaire Questionnaire;
typedef Unic__Catalog__V1__Question Question;

/* ---- writing ---- */

/* "3 Taking stock of cybersecurity…" within Excel's 31 characters, without the characters a
 * sheet name may not hold; the section number in front keeps names unique. */
static const char *sheet_name(struct arena *a, const Unic__Catalog__V1__Section *s)
{
    char *name = arena_printf(a, "%d %s", s->number, s->title);
    size_t chars = 0;
    char *p = name;
    for (; *p && chars < SHEET_NAME_MAX; chars++) {
        if (strchr("[]:*?/\\'", *p))
            *p = ' ';
        p++;
        while ((*p & 0xC0) == 0x80) /* the rest of a UTF-8 sequence */
            p++;
    }
    *p = '\0';
    while (p > name && p[-1] == ' ')
        *--p = '\0';
    return name;
}

/* A drop-down entry "3 Established": a digit first, which is what import reads; commas would
 * split the list, so they become spaces. */
static const char *level_choice(struct arena *a, const Question *q, int level)
{
    const char *name = "";
    for (size_t i = 0; i < q->n_levels; i++)
        if (q->levels[i]->level == level)
            name = q->levels[i]->name;
    char *s = arena_printf(a, "%d %.40s", level, name);
    for (char *p = s; *p; p++)
        if (*p == ',' || *p == '"')
            *p = ' ';
    return s;
}

static void put(lxw_worksheet *ws, int row, int col, const char *s, lxw_format *f)
{
    if (s[0] == '\0')
        worksheet_write_blank(ws, (lxw_row_t)row, (lxw_col_t)col, f);
    else
        worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, s, f);
}

static void about_sheet(lxw_workbook *wb, const Assessment *as, const Questionnaire *q,
                        lxw_format *bold, lxw_format *wrap)
{
    char buf[32];
    lxw_worksheet *ws = workbook_add_worksheet(wb, "About");
    worksheet_set_column(ws, 0, 0, 24, NULL);
    worksheet_set_column(ws, 1, 1, 90, wrap);
    const char *rows[][2] = {
        {"schema", EXCHANGE_SCHEMA},
        {"assessment_id", as->id},
        {"state_code", as->state_code},
        {"cycle", NULL},
        {"questionnaire_id", as->questionnaire_id},
        {"questionnaire_version", NULL},
        {"revision", NULL},
        {"etag", as->etag},
        {"locale", q->locale},
        {"title", q->title},
        {"how to fill in", "One sheet per section. Fill in the yellow columns only: level and "
                           "target from the drop-down (0-5), yes or no, date as YYYY-MM-DD, "
                           "narrative, and evidence as one URI per line, optionally followed by "
                           "a space and a title. Then import the file back into the platform."},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *v = rows[i][1];
        if (i == 3 || i == 5 || i == 6) {
            snprintf(buf, sizeof buf, "%d",
                     i == 3 ? as->cycle : i == 5 ? as->questionnaire_version : as->revision);
            v = buf;
        }
        worksheet_write_string(ws, (lxw_row_t)i, 0, rows[i][0], bold);
        put(ws, (int)i, 1, v, wrap);
    }
    worksheet_protect(ws, NULL, NULL);
}

int xlsx_export(struct arena *a, const Assessment *as, const Questionnaire *q, uint8_t **out,
                size_t *len, struct err *e)
{
    const char *dir = getenv("TMPDIR");
    char *path = arena_printf(a, "%s/unic-export-XXXXXX", dir && dir[0] ? dir : "/tmp");
    int fd = mkstemp(path);
    int rc = -1;
    FILE *f = NULL;
    if (fd < 0)
        return err_set(e, ERR_INTERNAL, "could not create a temporary file for the workbook: %s",
                       strerror(errno));
    close(fd);

    lxw_workbook *wb = workbook_new(path);
    if (wb == NULL) {
        err_set(e, ERR_INTERNAL, "could not start the workbook");
        goto done;
    }
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_text_wrap(bold);
    format_set_align(bold, LXW_ALIGN_VERTICAL_TOP);
    lxw_format *wrap = workbook_add_format(wb);
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    lxw_format *open = workbook_add_format(wb);
    format_set_unlocked(open);
    format_set_text_wrap(open);
    format_set_align(open, LXW_ALIGN_VERTICAL_TOP);
    format_set_bg_color(open, 0xFFF6C8);
    format_set_border(open, LXW_BORDER_THIN);
    about_sheet(wb, as, q, bold, wrap);

    static const double widths[COL_COUNT] = {12, 8, 7, 60, 16, 16, 8, 12, 50, 50};
    const char *yes_no[] = {"yes", "no", NULL};
    for (size_t s = 0; s < q->n_sections; s++) {
        const Unic__Catalog__V1__Section *sec = q->sections[s];
        lxw_worksheet *ws = workbook_add_worksheet(wb, sheet_name(a, sec));
        if (ws == NULL) {
            err_set(e, ERR_INTERNAL, "could not add the sheet of section \"%s\"", sec->id);
            workbook_close(wb);
            goto done;
        }
        if (strcmp(q->locale, "ar") == 0)
            worksheet_right_to_left(ws);
        for (int c = 0; c < COL_COUNT; c++) {
            worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
            worksheet_write_string(ws, 0, (lxw_col_t)c, exchange_column_names[c], bold);
        }
        for (int l = 0; l <= LEVEL_MAX; l++) {
            worksheet_set_column(ws, (lxw_col_t)(COL_COUNT + l), (lxw_col_t)(COL_COUNT + l), 36, NULL);
            worksheet_write_string(ws, 0, (lxw_col_t)(COL_COUNT + l),
                                   arena_printf(a, "level %d", l), bold);
        }
        worksheet_freeze_panes(ws, 1, 1);
        for (size_t i = 0; i < sec->n_questions; i++) {
            const Question *qq = sec->questions[i];
            int row = (int)i + 1;
            const char *v[COL_COUNT];
            const Answer *ans = NULL;
            for (size_t k = 0; k < as->n_answers && ans == NULL; k++)
                if (strcmp(as->answers[k]->question_id, qq->id) == 0)
                    ans = as->answers[k];
            exchange_row_values(a, sec, qq, ans, v);
            for (int c = 0; c < COL_COUNT; c++)
                put(ws, row, c, v[c], c >= COL_LEVEL ? open : wrap);
            if (qq->answer_type == UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL) {
                const char **choices = ARENA_ARRAY(a, const char *, LEVEL_MAX + 2);
                for (int l = 0; l <= LEVEL_MAX; l++)
                    choices[l] = level_choice(a, qq, l);
                lxw_data_validation dv = {.validate = LXW_VALIDATION_TYPE_LIST,
                                          .value_list = (char **)choices};
                worksheet_data_validation_range(ws, (lxw_row_t)row, COL_LEVEL, (lxw_row_t)row,
                                                COL_TARGET, &dv);
                /* a level already given is shown as its drop-down entry */
                if (v[COL_LEVEL][0])
                    put(ws, row, COL_LEVEL, level_choice(a, qq, atoi(v[COL_LEVEL])), open);
                if (v[COL_TARGET][0])
                    put(ws, row, COL_TARGET, level_choice(a, qq, atoi(v[COL_TARGET])), open);
            }
            if (qq->answer_type == UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO) {
                lxw_data_validation dv = {.validate = LXW_VALIDATION_TYPE_LIST,
                                          .value_list = (char **)yes_no};
                worksheet_data_validation_cell(ws, (lxw_row_t)row, COL_YES, &dv);
            }
            for (size_t l = 0; l < qq->n_levels; l++) {
                const Unic__Catalog__V1__LevelDescriptor *ld = qq->levels[l];
                if (ld->level >= 0 && ld->level <= LEVEL_MAX)
                    put(ws, row, COL_COUNT + ld->level,
                        arena_printf(a, "%d %s: %s", ld->level, ld->name, ld->description), wrap);
            }
        }
        /* Locked cells (ids, texts, descriptors) cannot be edited; the yellow ones can. */
        lxw_protection prot = {.format_columns = 1, .format_rows = 1};
        worksheet_protect(ws, NULL, &prot);
    }
    lxw_error we = workbook_close(wb);
    if (we != LXW_NO_ERROR) {
        err_set(e, ERR_INTERNAL, "could not write the workbook: %s", lxw_strerror(we));
        goto done;
    }
    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
        err_set(e, ERR_INTERNAL, "could not read the workbook back: %s", strerror(errno));
        goto done;
    }
    long size = ftell(f);
    rewind(f);
    *out = arena_alloc(a, size > 0 ? (size_t)size : 1);
    if (size < 0 || fread(*out, 1, (size_t)size, f) != (size_t)size) {
        err_set(e, ERR_INTERNAL, "could not read the workbook back");
        goto done;
    }
    *len = (size_t)size;
    rc = 0;
done:
    if (f)
        fclose(f);
    unlink(path);
    return rc;
}

/* ---- reading ---- */

static int read_part(struct arena *a, zip_t *z, const char *name, bool required, char **out,
                     size_t *len, struct err *e)
{
    zip_stat_t st;
    zip_int64_t idx = zip_name_locate(z, name, 0);
    *out = NULL;
    *len = 0;
    if (idx < 0)
        return required ? err_field(e, "content",
                                    "not an XLSX workbook (no %s)", name)
                        : 0;
    if (zip_stat_index(z, (zip_uint64_t)idx, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE) ||
        st.size > XLSX_PART_MAX)
        return err_field(e, "content", "part %s is larger than %u bytes", name,
                         XLSX_PART_MAX);
    zip_file_t *zf = zip_fopen_index(z, (zip_uint64_t)idx, 0);
    if (zf == NULL)
        return err_field(e, "content", "part %s cannot be read: %s", name,
                         zip_strerror(z));
    char *buf = arena_alloc(a, st.size + 1);
    zip_uint64_t got = 0;
    while (got < st.size) {
        zip_int64_t n = zip_fread(zf, buf + got, st.size - got);
        if (n <= 0)
            break;
        got += (zip_uint64_t)n;
    }
    zip_fclose(zf);
    if (got != st.size)
        return err_field(e, "content", "part %s is damaged", name);
    *out = buf;
    *len = got;
    return 0;
}

/* An element of a part, in the call's arena: its name is "namespace|local" for a namespaced
 * name (expat's namespace processing), "local" otherwise. `text` holds its character data when
 * it has no child elements (the only text OOXML's cells and strings carry). */
struct xnode {
    const char *name;
    const char **attrs; /* name, value, ..., NULL */
    struct xnode *children, *last, *next, *parent;
    const char *text;
};

struct xparse {
    struct arena *a;
    XML_Parser p;
    struct xnode root; /* the document: its one child is the root element */
    struct xnode *at;  /* the element being read */
    struct bytes text; /* its character data so far */
    bool has_dtd;
};

/* Expat names an element of the default namespace "uri|local": the local name is what the
 * lookups below compare. */
static const char *local_name(const char *name)
{
    const char *bar = strrchr(name, '|');
    return bar ? bar + 1 : name;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    struct xparse *x = ud;
    struct xnode *n = ARENA_ARRAY(x->a, struct xnode, 1);
    size_t k = 0;
    while (attrs[k])
        k++;
    n->name = arena_strdup(x->a, name);
    n->attrs = ARENA_ARRAY(x->a, const char *, k + 1);
    for (size_t i = 0; i < k; i++)
        n->attrs[i] = arena_strdup(x->a, attrs[i]);
    n->parent = x->at;
    if (x->at->last)
        x->at->last->next = n;
    else
        x->at->children = n;
    x->at->last = n;
    x->at = n;
    x->text.len = 0;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct xparse *x = ud;
    (void)name;
    if (x->at->children == NULL)
        x->at->text = arena_strndup(x->a, x->text.data ? (const char *)x->text.data : "", x->text.len);
    x->text.len = 0;
    x->at = x->at->parent;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct xparse *x = ud;
    bytes_append(&x->text, s, (size_t)len);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    struct xparse *x = ud;
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    x->has_dtd = true;
    XML_StopParser(x->p, XML_FALSE);
}

/* The root element of the part, or NULL with *e set when it is not well-formed XML. */
static struct xnode *parse_xml(struct arena *a, const char *data, size_t len, const char *name,
                               struct err *e)
{
    struct xparse x = {.a = a};
    x.at = &x.root;
    bytes_init(&x.text);
    x.p = XML_ParserCreateNS("UTF-8", '|');
    if (x.p == NULL) {
        err_set(e, ERR_RESOURCE_EXHAUSTED, "content: out of memory reading part %s", name);
        return NULL;
    }
    XML_SetUserData(x.p, &x);
    XML_SetElementHandler(x.p, on_start, on_end);
    XML_SetCharacterDataHandler(x.p, on_text);
    XML_SetStartDoctypeDeclHandler(x.p, on_doctype);
    enum XML_Status st = XML_Parse(x.p, data, (int)len, XML_TRUE);
    struct xnode *root = NULL;
    if (x.has_dtd)
        err_field(e, "content", "part %s has a DTD, which OOXML never has", name);
    else if (st != XML_STATUS_OK)
        err_field(e, "content", "part %s is not XML: %s at line %lu", name,
                  XML_ErrorString(XML_GetErrorCode(x.p)), (unsigned long)XML_GetCurrentLineNumber(x.p));
    else
        root = x.root.children;
    XML_ParserFree(x.p);
    bytes_destroy(&x.text);
    return root;
}

static bool is(const struct xnode *n, const char *name)
{
    return strcmp(local_name(n->name), name) == 0;
}

static struct xnode *child(const struct xnode *n, const char *name)
{
    for (struct xnode *c = n ? n->children : NULL; c; c = c->next)
        if (is(c, name))
            return c;
    return NULL;
}

/* All text of `t` elements under n, except phonetic runs (rPh). */
static void collect_text(const struct xnode *n, struct bytes *b)
{
    for (const struct xnode *c = n->children; c; c = c->next) {
        if (is(c, "rPh"))
            continue;
        if (is(c, "t"))
            bytes_puts(b, c->text ? c->text : "");
        else
            collect_text(c, b);
    }
}

/* The attribute `name` (in namespace `ns` when not NULL), or NULL. */
static const char *attr(const struct xnode *n, const char *name, const char *ns)
{
    size_t sl = ns ? strlen(ns) : 0;
    for (const char **p = n->attrs; p[0]; p += 2) {
        const char *k = p[0];
        if (ns ? strncmp(k, ns, sl) == 0 && k[sl] == '|' && strcmp(k + sl + 1, name) == 0
               : strcmp(k, name) == 0)
            return p[1];
    }
    return NULL;
}

/* "D5" -> col 3, row 5; false when it is not a cell reference. */
static bool cell_ref(const char *r, int *col, int *row)
{
    int c = 0, rw = 0;
    const char *p = r;
    for (; *p >= 'A' && *p <= 'Z' && p - r < 3; p++)
        c = c * 26 + (*p - 'A' + 1);
    if (c == 0 || *p < '1' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9' && rw < 10000000; p++)
        rw = rw * 10 + (*p - '0');
    if (*p != '\0')
        return false;
    *col = c - 1;
    *row = rw;
    return true;
}

struct strings {
    char **s;
    size_t n;
};

static int shared_strings(struct arena *a, zip_t *z, struct strings *out, struct err *e)
{
    char *data;
    size_t len;
    out->s = NULL;
    out->n = 0;
    if (read_part(a, z, "xl/sharedStrings.xml", false, &data, &len, e) < 0)
        return -1;
    if (data == NULL)
        return 0;
    struct xnode *root = parse_xml(a, data, len, "xl/sharedStrings.xml", e);
    if (root == NULL)
        return -1;
    size_t n = 0;
    for (struct xnode *c = root->children; c; c = c->next)
        n += is(c, "si");
    out->s = ARENA_ARRAY(a, char *, n ? n : 1);
    for (struct xnode *c = root->children; c; c = c->next)
        if (is(c, "si")) {
            struct bytes b;
            bytes_init(&b);
            collect_text(c, &b);
            out->s[out->n++] = arena_strdup(a, b.data ? (const char *)b.data : "");
            bytes_destroy(&b);
        }
    return 0;
}

static int read_sheet(struct arena *a, zip_t *z, const char *part, const struct strings *ss,
                      struct xlsx_sheet *sh, size_t *budget, struct err *e)
{
    char *data;
    size_t len;
    if (read_part(a, z, part, true, &data, &len, e) < 0)
        return -1;
    struct xnode *root = parse_xml(a, data, len, part, e);
    if (root == NULL)
        return -1;
    int rc = -1;
    struct xnode *rows = child(root, "sheetData");
    size_t cap = 64;
    sh->cells = ARENA_ARRAY(a, struct xlsx_cell, cap);
    sh->n_cells = 0;
    for (struct xnode *r = rows ? rows->children : NULL; r; r = r->next) {
        if (!is(r, "row"))
            continue;
        for (struct xnode *c = r->children; c; c = c->next) {
            if (!is(c, "c"))
                continue;
            int col, row;
            const char *ref = attr(c, "r", NULL), *t = attr(c, "t", NULL);
            if (ref == NULL || !cell_ref(ref, &col, &row)) {
                err_field(e, "content", "sheet \"%s\": a cell without a valid "
                          "reference", sh->name);
                goto done;
            }
            const char *text = "";
            struct bytes b;
            bytes_init(&b);
            if (t && strcmp(t, "inlineStr") == 0) {
                struct xnode *is_node = child(c, "is");
                if (is_node)
                    collect_text(is_node, &b);
                text = arena_strdup(a, b.data ? (const char *)b.data : "");
            } else if (child(c, "v")) {
                const char *v = child(c, "v")->text;
                text = v ? v : "";
                if (t && strcmp(t, "s") == 0) {
                    char *end;
                    unsigned long k = strtoul(text, &end, 10);
                    if (*end != '\0' || k >= ss->n) {
                        bytes_destroy(&b);
                        err_field(e, "content",
                                  "sheet \"%s\" cell %s names no shared string",
                                  sh->name, ref);
                        goto done;
                    }
                    text = ss->s[k];
                }
            }
            bytes_destroy(&b);
            if (*budget == 0) {
                err_field(e, "content", "more than %d cells", XLSX_CELLS_MAX);
                goto done;
            }
            (*budget)--;
            if (sh->n_cells == cap) {
                struct xlsx_cell *grown = ARENA_ARRAY(a, struct xlsx_cell, 2 * cap);
                memcpy(grown, sh->cells, cap * sizeof *grown);
                sh->cells = grown;
                cap *= 2;
            }
            sh->cells[sh->n_cells++] = (struct xlsx_cell){row, col, text};
        }
    }
    rc = 0;
done:
    return rc;
}

int xlsx_read(struct arena *a, const uint8_t *data, size_t len, struct xlsx_sheet **sheets,
              size_t *n, struct err *e)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    struct xnode *wb = NULL, *rels = NULL;
    int rc = -1;
    *sheets = NULL;
    *n = 0;
    if (z == NULL) {
        err_field(e, "content", "not an XLSX workbook: %s", zip_error_strerror(&ze));
        if (src)
            zip_source_free(src);
        zip_error_fini(&ze);
        return -1;
    }
    zip_error_fini(&ze);
    char *part;
    size_t plen;
    struct strings ss;
    if (read_part(a, z, "xl/workbook.xml", true, &part, &plen, e) < 0 ||
        (wb = parse_xml(a, part, plen, "xl/workbook.xml", e)) == NULL ||
        read_part(a, z, "xl/_rels/workbook.xml.rels", true, &part, &plen, e) < 0 ||
        (rels = parse_xml(a, part, plen, "xl/_rels/workbook.xml.rels", e)) == NULL ||
        shared_strings(a, z, &ss, e) < 0)
        goto done;
    struct xnode *list = child(wb, "sheets");
    size_t count = 0, budget = XLSX_CELLS_MAX;
    for (struct xnode *s = list ? list->children : NULL; s; s = s->next)
        count += is(s, "sheet");
    *sheets = ARENA_ARRAY(a, struct xlsx_sheet, count ? count : 1);
    for (struct xnode *s = list ? list->children : NULL; s; s = s->next) {
        if (!is(s, "sheet"))
            continue;
        const char *name = attr(s, "name", NULL), *rid = attr(s, "id", NS_REL);
        const char *target = NULL;
        for (struct xnode *r = rels->children; r && rid && !target; r = r->next)
            if (is(r, "Relationship")) {
                const char *id = attr(r, "Id", NULL);
                if (id && strcmp(id, rid) == 0)
                    target = attr(r, "Target", NULL);
            }
        if (name == NULL || target == NULL) {
            err_field(e, "content", "a sheet of the workbook has no part");
            goto done;
        }
        struct xlsx_sheet *sh = &(*sheets)[(*n)++];
        sh->name = name;
        const char *path = target[0] == '/' ? target + 1 : arena_printf(a, "xl/%s", target);
        if (read_sheet(a, z, path, &ss, sh, &budget, e) < 0)
            goto done;
    }
    rc = 0;
done:
    zip_discard(z);
    return rc;
}
