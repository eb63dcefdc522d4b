/* render.c: the scorecard and compliance documents of render.h.
 * Pages are A4 in points. Text goes through one pango layout per document whose base direction
 * is the language's; in a right-to-left document every horizontal position is mirrored (column
 * order, alignment, the radar's sense of rotation), so Arabic reads as an Arabic page does. The
 * charts' geometry is computed once (radar_point, trend_x) and drawn either with cairo (PDF) or
 * written as SVG elements that name what they are (class="axis"), so a reader or a test can find
 * the seven axes; SVG text is left to the viewer to shape, which keeps it selectable. */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include "labels.h"

#define PAGE_W 595.0 /* A4, points */
#define PAGE_H 842.0
#define MARGIN 48.0
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define FOOTER_H 28.0
#define FONT_FAMILY "Noto Sans"
#define SVG_FONTS "Noto Sans, Noto Sans Arabic, Noto Sans CJK SC, sans-serif"

/* ---- chart geometry, shared by the PDF and SVG forms ---- */

/* Axis i of n, at value 0-100 of radius r around (cx, cy): the first axis points up, the others
 * follow clockwise, or counter-clockwise in a right-to-left document. */
static void radar_point(size_t i, size_t n, double value, bool rtl, double cx, double cy, double r,
                        double *x, double *y)
{
    double turn = 2.0 * M_PI * (double)i / (double)n;
    double a = -M_PI / 2.0 + (rtl ? -turn : turn);
    double v = value < 0 ? 0 : value > 100 ? 100 : value;
    *x = cx + r * v / 100.0 * cos(a);
    *y = cy + r * v / 100.0 * sin(a);
}

/* Point i of n across a plot of width w starting at x0; one point sits in the middle. */
static double trend_x(size_t i, size_t n, double x0, double w)
{
    return n < 2 ? x0 + w / 2 : x0 + w * (double)i / (double)(n - 1);
}

static double trend_y(double index, double y0, double h)
{
    double v = index < 0 ? 0 : index > 100 ? 100 : index;
    return y0 + h - h * v / 100.0;
}

/* ---- the PDF document: a cursor down the page, text through pango ---- */

struct doc {
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoLayout *layout; /* the text of the page */
    PangoLayout *foot;   /* the footer's, drawn while a paragraph is half laid out */
    PangoFontDescription *font;
    const char *locale;
    bool rtl;
    double y;
    int page;
    char footer[512];
};

static cairo_status_t write_bytes(void *closure, const unsigned char *data, unsigned int len)
{
    bytes_append(closure, data, len);
    return CAIRO_STATUS_SUCCESS;
}

/* x of a box of width w whose start edge is `start` from the page's start edge. */
static double phys(const struct doc *d, double start, double w)
{
    return d->rtl ? PAGE_W - start - w : start;
}

static void layout_text(struct doc *d, PangoLayout *l, const char *s, double size, bool bold,
                        double w, bool end)
{
    pango_font_description_set_absolute_size(d->font, size * PANGO_SCALE);
    pango_font_description_set_weight(d->font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, d->font);
    pango_layout_set_width(l, (int)(w * PANGO_SCALE));
    /* Each paragraph takes the direction of its first strong character (an English question in
     * an Arabic report reads left to right), and pango mirrors the alignment of a paragraph that
     * runs against the context's direction; so such a paragraph asks for the other edge. */
    bool right = d->rtl != end;
    pango_layout_set_alignment(l, right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    pango_layout_set_text(l, s, -1);
    /* Laid out once when the paragraph runs the document's way, twice otherwise. */
    PangoLayoutLine *first = pango_layout_get_line_readonly(l, 0);
    bool para_rtl = first ? first->resolved_dir == PANGO_DIRECTION_RTL : d->rtl;
    if (para_rtl != d->rtl)
        pango_layout_set_alignment(l, right ? PANGO_ALIGN_LEFT : PANGO_ALIGN_RIGHT);
}

static void set_text(struct doc *d, const char *s, double size, bool bold, double w, bool end)
{
    layout_text(d, d->layout, s, size, bold, w, end);
}

static double text_height(struct doc *d, const char *s, double size, bool bold, double w)
{
    int pw, ph;
    set_text(d, s, size, bold, w, false);
    pango_layout_get_size(d->layout, &pw, &ph);
    return (double)ph / PANGO_SCALE;
}

/* Draws s in the box [start, start + w) at height y; `end` aligns it to the box's end edge. */
static double text_at(struct doc *d, double start, double y, double w, const char *s, double size,
                      bool bold, bool end)
{
    int pw, ph;
    set_text(d, s, size, bold, w, end);
    pango_layout_get_size(d->layout, &pw, &ph);
    cairo_move_to(d->cr, phys(d, start, w), y);
    pango_cairo_show_layout(d->cr, d->layout);
    return (double)ph / PANGO_SCALE;
}

static void footer_text(struct doc *d, double w, const char *s, bool end)
{
    layout_text(d, d->foot, s, 8, false, w, end);
    cairo_move_to(d->cr, phys(d, MARGIN, w), PAGE_H - MARGIN + 6);
    pango_cairo_show_layout(d->cr, d->foot);
}

static void finish_page(struct doc *d)
{
    char num[16];
    cairo_set_source_rgb(d->cr, 0.35, 0.35, 0.35);
    snprintf(num, sizeof num, "%d", d->page);
    footer_text(d, TEXT_W - 40, d->footer, false);
    footer_text(d, TEXT_W, num, true);
    cairo_set_source_rgb(d->cr, 0, 0, 0);
    cairo_show_page(d->cr);
}

/* Starts a new page when h more points do not fit above the footer. */
static void need(struct doc *d, double h)
{
    if (d->y + h <= PAGE_H - MARGIN - FOOTER_H)
        return;
    finish_page(d);
    d->page++;
    d->y = MARGIN;
}

/* A paragraph across the text width, with `after` points below it, line by line so that a long
 * one (a narrative may run to 20,000 characters) flows onto the next pages. */
static void para(struct doc *d, const char *s, double size, bool bold, double after)
{
    set_text(d, s, size, bold, TEXT_W, false);
    PangoLayoutIter *it = pango_layout_get_iter(d->layout);
    double base = d->y; /* where the layout's top is on this page */
    do {
        PangoRectangle lg;
        pango_layout_iter_get_line_extents(it, NULL, &lg);
        double top = lg.y / (double)PANGO_SCALE, h = lg.height / (double)PANGO_SCALE;
        if (base + top + h > PAGE_H - MARGIN - FOOTER_H && base + top > MARGIN) {
            finish_page(d);
            d->page++;
            base = MARGIN - top;
        }
        double baseline = pango_layout_iter_get_baseline(it) / (double)PANGO_SCALE;
        cairo_move_to(d->cr, phys(d, MARGIN, TEXT_W) + lg.x / (double)PANGO_SCALE, base + baseline);
        pango_cairo_show_layout_line(d->cr, pango_layout_iter_get_line_readonly(it));
        d->y = base + top + h;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    d->y += after;
}

static void heading(struct doc *d, enum label l)
{
    need(d, 40);
    d->y += 8;
    para(d, labels_get(d->locale, l), 13, true, 4);
}

/* One row of a table: cells[i] in a column starting at start[i] of width w[i]; numeric columns
 * (end[i]) align to their end edge. */
static void row(struct doc *d, size_t n, const char *const *cells, const double *start,
                const double *w, const bool *end, double size, bool bold)
{
    double h = 0;
    for (size_t i = 0; i < n; i++) {
        double hi = text_height(d, cells[i], size, bold, w[i]);
        h = hi > h ? hi : h;
    }
    need(d, h + 3);
    for (size_t i = 0; i < n; i++)
        text_at(d, MARGIN + start[i], d->y, w[i], cells[i], size, bold, end[i]);
    d->y += h + 3;
}

static int doc_begin(struct doc *d, const char *locale, struct bytes *out, const char *title,
                     struct err *e)
{
    memset(d, 0, sizeof *d);
    if (!labels_locale_valid(locale))
        return err_field(e, "locale",
                         "\"%s\" is not one of ar, zh, en, fr, ru, es", locale);
    d->locale = locale;
    d->rtl = labels_rtl(locale);
    d->surface = cairo_pdf_surface_create_for_stream(write_bytes, out, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATOR, "UNIC platform");
    d->cr = cairo_create(d->surface);
    PangoLayout **layouts[] = {&d->layout, &d->foot};
    for (size_t i = 0; i < 2; i++) {
        PangoLayout *l = *layouts[i] = pango_cairo_create_layout(d->cr);
        PangoContext *ctx = pango_layout_get_context(l);
        pango_cairo_context_set_resolution(ctx, 72); /* sizes are points, as cairo's PDF units */
        pango_context_set_language(ctx, pango_language_from_string(locale));
        pango_context_set_base_dir(ctx, d->rtl ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
        pango_layout_context_changed(l);
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    }
    d->font = pango_font_description_from_string(FONT_FAMILY);
    d->y = MARGIN;
    d->page = 1;
    return 0;
}

/* Ends the last page and the document; -1 with *e when cairo failed anywhere. */
static int doc_end(struct doc *d, const char *what, struct err *e)
{
    int rc = 0;
    if (d->cr) {
        finish_page(d);
        cairo_status_t st = cairo_status(d->cr);
        cairo_surface_finish(d->surface);
        if (st == CAIRO_STATUS_SUCCESS)
            st = cairo_surface_status(d->surface);
        if (st != CAIRO_STATUS_SUCCESS)
            rc = err_set(e, ERR_INTERNAL, "could not render the %s: %s", what,
                         cairo_status_to_string(st));
    }
    if (d->font)
        pango_font_description_free(d->font);
    if (d->layout)
        g_object_unref(d->layout);
    if (d->foot)
        g_object_unref(d->foot);
    if (d->cr)
        cairo_destroy(d->cr);
    if (d->surface)
        cairo_surface_destroy(d->surface);
    return rc;
}

/* A date or a paragraph number kept in its order: in a right-to-left paragraph the bidi
 * algorithm would show 2026-06-30 as 30-06-2026 and 4(a) as (a)4, so it goes inside a
 * left-to-right isolate (U+2066 ... U+2069). */
static const char *ltr(const struct doc *d, char *buf, size_t size, const char *s)
{
    if (!d->rtl || s[0] == '\0')
        return s;
    snprintf(buf, size, "\xe2\x81\xa6%s\xe2\x81\xa9", s);
    return buf;
}

static const char *stage_label(const char *locale, int stage)
{
    return stage >= 0 && stage <= 5 ? labels_get(locale, (enum label)(L_STAGE_0 + stage)) : "";
}

/* "Label: value" as one string (arena-free: into buf). */
static const char *pair(char *buf, size_t size, const char *locale, enum label l, const char *v)
{
    snprintf(buf, size, "%s: %s", labels_get(locale, l), v);
    return buf;
}

/* ---- charts drawn with cairo ---- */

static void cairo_polygon(cairo_t *cr, const struct render_scorecard *in, bool rtl, bool previous,
                          double cx, double cy, double r)
{
    for (size_t i = 0; i < in->n_sections; i++) {
        double x, y;
        const struct render_section *s = &in->sections[i];
        radar_point(i, in->n_sections, previous ? s->previous : s->score, rtl, cx, cy, r, &x, &y);
        if (i == 0)
            cairo_move_to(cr, x, y);
        else
            cairo_line_to(cr, x, y);
    }
    cairo_close_path(cr);
}

static bool has_previous(const struct render_scorecard *in)
{
    if (in->previous_cycle == 0)
        return false;
    for (size_t i = 0; i < in->n_sections; i++)
        if (in->sections[i].has_previous)
            return true;
    return false;
}

static void legend(struct doc *d, double start, double y, double r, double g, double b,
                   bool dashed, const char *text)
{
    double x = phys(d, start, 18);
    cairo_save(d->cr);
    cairo_set_source_rgb(d->cr, r, g, b);
    cairo_set_line_width(d->cr, 2);
    if (dashed) {
        double dash[] = {4, 3};
        cairo_set_dash(d->cr, dash, 2, 0);
    }
    cairo_move_to(d->cr, x, y + 6);
    cairo_line_to(d->cr, x + 18, y + 6);
    cairo_stroke(d->cr);
    cairo_restore(d->cr);
    text_at(d, start + 24, y, 200, text, 9, false, false);
}

static void pdf_radar(struct doc *d, const struct render_scorecard *in)
{
    const double r = 120, h = 2 * r + 70;
    char buf[128];
    need(d, h + 20);
    d->y += text_at(d, MARGIN, d->y, TEXT_W, labels_get(d->locale, L_RADAR_TITLE), 11, true,
                    false) + 6;
    double cx = PAGE_W / 2, cy = d->y + r + 16;
    cairo_t *cr = d->cr;
    size_t n = in->n_sections;
    cairo_save(cr);
    cairo_set_line_width(cr, 0.5);
    cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
    for (int ring = 20; ring <= 100; ring += 20) {
        for (size_t i = 0; i < n; i++) {
            double x, y;
            radar_point(i, n, ring, d->rtl, cx, cy, r, &x, &y);
            if (i == 0)
                cairo_move_to(cr, x, y);
            else
                cairo_line_to(cr, x, y);
        }
        cairo_close_path(cr);
        cairo_stroke(cr);
    }
    cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
    for (size_t i = 0; i < n; i++) { /* the axes, one per section */
        double x, y;
        radar_point(i, n, 100, d->rtl, cx, cy, r, &x, &y);
        cairo_move_to(cr, cx, cy);
        cairo_line_to(cr, x, y);
        cairo_stroke(cr);
    }
    if (has_previous(in)) {
        double dash[] = {4, 3};
        cairo_set_dash(cr, dash, 2, 0);
        cairo_set_line_width(cr, 1.5);
        cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
        cairo_polygon(cr, in, d->rtl, true, cx, cy, r);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
    cairo_polygon(cr, in, d->rtl, false, cx, cy, r);
    cairo_set_source_rgba(cr, 0.0, 0.36, 0.67, 0.25);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.0, 0.36, 0.67);
    cairo_set_line_width(cr, 2);
    cairo_stroke(cr);
    cairo_restore(cr);
    for (size_t i = 0; i < n; i++) { /* section numbers beyond the axes' ends */
        double x, y;
        radar_point(i, n, 100, d->rtl, cx, cy, r + 14, &x, &y);
        snprintf(buf, sizeof buf, "%d", in->sections[i].number);
        cairo_move_to(cr, x - 10, y - 6);
        set_text(d, buf, 9, true, 20, false);
        pango_layout_set_alignment(d->layout, PANGO_ALIGN_CENTER);
        pango_cairo_show_layout(cr, d->layout);
    }
    double ly = cy + r + 26;
    snprintf(buf, sizeof buf, "%s (%d)", labels_get(d->locale, L_THIS_CYCLE), in->cycle);
    legend(d, MARGIN + 60, ly, 0.0, 0.36, 0.67, false, buf);
    if (has_previous(in)) {
        snprintf(buf, sizeof buf, "%s (%d)", labels_get(d->locale, L_PREVIOUS_CYCLE),
                 in->previous_cycle);
        legend(d, MARGIN + 280, ly, 0.55, 0.55, 0.55, true, buf);
    }
    d->y = ly + 22;
}

static void pdf_trend(struct doc *d, const struct render_scorecard *in)
{
    const double h = 150, w = TEXT_W - 60;
    char buf[32];
    need(d, h + 50);
    double x0 = MARGIN + 40, y0 = d->y + 10;
    cairo_t *cr = d->cr;
    cairo_save(cr);
    cairo_set_line_width(cr, 0.5);
    for (int v = 0; v <= 100; v += 25) {
        double y = trend_y(v, y0, h);
        cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
        cairo_move_to(cr, x0, y);
        cairo_line_to(cr, x0 + w, y);
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%d", v);
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        set_text(d, buf, 8, false, 30, false);
        pango_layout_set_alignment(d->layout, PANGO_ALIGN_RIGHT);
        cairo_move_to(cr, x0 - 36, y - 6);
        pango_cairo_show_layout(cr, d->layout);
    }
    cairo_set_source_rgb(cr, 0.0, 0.36, 0.67);
    cairo_set_line_width(cr, 2);
    for (size_t i = 0; i < in->n_trend; i++) {
        double x = trend_x(i, in->n_trend, x0 + 20, w - 40), y = trend_y(in->trend[i].index, y0, h);
        if (i == 0)
            cairo_move_to(cr, x, y);
        else
            cairo_line_to(cr, x, y);
    }
    cairo_stroke(cr);
    for (size_t i = 0; i < in->n_trend; i++) {
        double x = trend_x(i, in->n_trend, x0 + 20, w - 40), y = trend_y(in->trend[i].index, y0, h);
        cairo_set_source_rgb(cr, 0.0, 0.36, 0.67);
        cairo_arc(cr, x, y, 3, 0, 2 * M_PI);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        snprintf(buf, sizeof buf, "%.2f", in->trend[i].index);
        set_text(d, buf, 8, false, 60, false);
        pango_layout_set_alignment(d->layout, PANGO_ALIGN_CENTER);
        cairo_move_to(cr, x - 30, y - 16);
        pango_cairo_show_layout(cr, d->layout);
        snprintf(buf, sizeof buf, "%d", in->trend[i].cycle);
        set_text(d, buf, 8, false, 60, false);
        pango_layout_set_alignment(d->layout, PANGO_ALIGN_CENTER);
        cairo_move_to(cr, x - 30, y0 + h + 4);
        pango_cairo_show_layout(cr, d->layout);
    }
    cairo_restore(cr);
    d->y = y0 + h + 24;
}

static void evidence_list(struct doc *d, const struct render_evidence *ev, size_t n)
{
    heading(d, L_EVIDENCE);
    if (n == 0) {
        para(d, labels_get(d->locale, L_NONE), 9, false, 2);
        return;
    }
    const double start[] = {0, 50, 230}, w[] = {46, 176, TEXT_W - 230};
    const bool end[] = {false, false, false};
    for (size_t i = 0; i < n; i++) {
        const char *cells[] = {ev[i].question_id, ev[i].title, ev[i].uri};
        row(d, 3, cells, start, w, end, 9, false);
    }
}

/* ---- the scorecard ---- */

static int scorecard_pdf(const struct render_scorecard *in, struct bytes *out, struct err *e)
{
    struct doc d;
    char buf[1024], v[1200], n1[32], n2[32];
    const char *loc = in->locale;
    int rc = -1;
    if (doc_begin(&d, loc, out, labels_get(loc, L_SCORECARD_TITLE), e) < 0)
        goto done;
    const enum label vis = in->visibility == RENDER_PUBLIC ? L_VIS_PUBLIC
                           : in->visibility == RENDER_UNIC ? L_VIS_UNIC
                                                           : L_VIS_PRIVATE;
    char generated[256];
    snprintf(n1, sizeof n1, "%d", in->revision);
    char day[32];
    labels_fill(generated, sizeof generated, loc, L_FOOTER,
                ltr(&d, day, sizeof day, in->generated_on), n1);
    snprintf(d.footer, sizeof d.footer, "%s: %s · %s", labels_get(loc, L_VISIBILITY),
             labels_get(loc, vis), generated);

    para(&d, labels_get(loc, L_SCORECARD_TITLE), 18, true, 6);
    snprintf(buf, sizeof buf, "%s (%s)", in->state_name, in->state_code);
    para(&d, pair(v, sizeof v, loc, L_STATE, buf), 14, true, 4);
    snprintf(n1, sizeof n1, "%d", in->cycle);
    snprintf(buf, sizeof buf, "%s: %s · %s: %s, %s %d · %s: %s", labels_get(loc, L_CYCLE), n1,
             labels_get(loc, L_QUESTIONNAIRE), in->questionnaire_id, labels_get(loc, L_VERSION),
             in->questionnaire_version, labels_get(loc, L_MODEL), in->model_version);
    para(&d, buf, 10, false, 8);
    snprintf(n1, sizeof n1, "%.2f", in->index);
    snprintf(n2, sizeof n2, "%.0f%%", in->completeness * 100.0);
    snprintf(buf, sizeof buf, "%s: %s · %s: %d %s · %s: %s", labels_get(loc, L_INDEX), n1,
             labels_get(loc, L_STAGE), in->stage, stage_label(loc, in->stage),
             labels_get(loc, L_COMPLETENESS), n2);
    para(&d, buf, 13, true, 10);

    if (in->n_sections >= 3)
        pdf_radar(&d, in);

    heading(&d, L_SECTIONS);
    {
        const double start[] = {0, 26, 330, 390, 450};
        const double w[] = {22, 300, 56, 56, TEXT_W - 450};
        const bool end[] = {false, false, true, true, false};
        const char *head[] = {"", labels_get(loc, L_SECTION), labels_get(loc, L_SCORE),
                              labels_get(loc, L_PREVIOUS), labels_get(loc, L_STAGE)};
        row(&d, 5, head, start, w, end, 9, true);
        for (size_t i = 0; i < in->n_sections; i++) {
            const struct render_section *s = &in->sections[i];
            char num[16], sc[32], prev[32], st[96];
            snprintf(num, sizeof num, "%d", s->number);
            snprintf(sc, sizeof sc, "%.2f", s->score);
            if (s->has_previous)
                snprintf(prev, sizeof prev, "%.2f", s->previous);
            else
                snprintf(prev, sizeof prev, "–");
            snprintf(st, sizeof st, "%d %s", s->stage, stage_label(loc, s->stage));
            const char *cells[] = {num, s->title, sc, prev, st};
            row(&d, 5, cells, start, w, end, 9, false);
        }
    }

    heading(&d, L_GAPS);
    if (in->n_gaps == 0)
        para(&d, labels_get(loc, L_NO_GAPS), 9, false, 2);
    else {
        const double start[] = {0, 40, 340, 390, 440};
        const double w[] = {36, 296, 46, 46, TEXT_W - 440};
        const bool end[] = {false, false, true, true, true};
        const char *head[] = {labels_get(loc, L_QUESTION), "", labels_get(loc, L_LEVEL),
                              labels_get(loc, L_TARGET), labels_get(loc, L_SEVERITY)};
        row(&d, 5, head, start, w, end, 9, true);
        for (size_t i = 0; i < in->n_gaps; i++) {
            const struct render_gap *g = &in->gaps[i];
            char lv[16], tg[16], sv[32];
            snprintf(lv, sizeof lv, "%d", g->level);
            snprintf(tg, sizeof tg, "%d", g->target);
            snprintf(sv, sizeof sv, "%.2f", g->severity);
            const char *cells[] = {g->question_id, g->text, lv, tg, sv};
            row(&d, 5, cells, start, w, end, 9, false);
        }
    }
    if (in->n_assessment_needed > 0) {
        heading(&d, L_ASSESSMENT_NEEDED);
        struct bytes ids;
        bytes_init(&ids);
        for (size_t i = 0; i < in->n_assessment_needed; i++) {
            bytes_puts(&ids, i ? ", " : "");
            bytes_puts(&ids, in->assessment_needed[i]);
        }
        para(&d, (const char *)ids.data, 9, false, 2);
        bytes_destroy(&ids);
    }

    heading(&d, L_TREND);
    pdf_trend(&d, in);
    evidence_list(&d, in->evidence, in->n_evidence);
    rc = 0;
done:
    if (doc_end(&d, "scorecard", rc < 0 ? NULL : e) < 0)
        rc = -1;
    return rc;
}

/* ---- the charts as SVG ---- */

static void svg_text(struct bytes *b, double x, double y, const char *anchor, double size,
                     const char *cls, const char *s)
{
    bytes_printf(b, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%.0f\">",
                 cls, x, y, anchor, size);
    bytes_xml_escaped(b, s);
    bytes_puts(b, "</text>\n");
}

static void svg_polygon(struct bytes *b, const struct render_scorecard *in, bool rtl,
                        bool previous, double cx, double cy, double r, const char *attrs)
{
    bytes_printf(b, "<polygon %s points=\"", attrs);
    for (size_t i = 0; i < in->n_sections; i++) {
        double x, y;
        const struct render_section *s = &in->sections[i];
        radar_point(i, in->n_sections, previous ? s->previous : s->score, rtl, cx, cy, r, &x, &y);
        bytes_printf(b, "%s%.1f,%.1f", i ? " " : "", x, y);
    }
    bytes_puts(b, "\"/>\n");
}

static int scorecard_svg(const struct render_scorecard *in, struct bytes *b, struct err *e)
{
    const char *loc = in->locale;
    if (!labels_locale_valid(loc))
        return err_field(e, "locale",
                         "\"%s\" is not one of ar, zh, en, fr, ru, es", loc);
    bool rtl = labels_rtl(loc);
    const double W = 860, H = 440, r = 140, cx = rtl ? 640 : 220, cy = 230;
    const double tx0 = rtl ? 60 : 470, tw = 330, ty0 = 80, th = 260;
    const char *start = rtl ? "end" : "start";
    char buf[256];
    size_t n = in->n_sections;
    bytes_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                    "viewBox=\"0 0 %.0f %.0f\" xml:lang=\"%s\" direction=\"%s\" font-family=\"%s\">\n",
                 W, H, W, H, loc, rtl ? "rtl" : "ltr", SVG_FONTS);
    bytes_puts(b, "<title>");
    snprintf(buf, sizeof buf, "%s: %s (%s), %d", labels_get(loc, L_SCORECARD_TITLE),
             in->state_name, in->state_code, in->cycle);
    bytes_xml_escaped(b, buf);
    bytes_puts(b, "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    svg_text(b, rtl ? W - 20 : 20, 30, start, 16, "heading", buf);

    bytes_puts(b, "<g id=\"radar\">\n");
    svg_text(b, cx, 62, "middle", 12, "chart-title", labels_get(loc, L_RADAR_TITLE));
    for (int ring = 20; ring <= 100; ring += 20) {
        bytes_puts(b, "<polygon class=\"ring\" fill=\"none\" stroke=\"#bfbfbf\" stroke-width=\"0.5\" points=\"");
        for (size_t i = 0; i < n; i++) {
            double x, y;
            radar_point(i, n, ring, rtl, cx, cy, r, &x, &y);
            bytes_printf(b, "%s%.1f,%.1f", i ? " " : "", x, y);
        }
        bytes_puts(b, "\"/>\n");
    }
    for (size_t i = 0; i < n; i++) {
        double x, y, lx, ly;
        radar_point(i, n, 100, rtl, cx, cy, r, &x, &y);
        radar_point(i, n, 100, rtl, cx, cy, r + 16, &lx, &ly);
        bytes_printf(b, "<line class=\"axis\" data-section=\"");
        bytes_xml_escaped(b, in->sections[i].id);
        bytes_printf(b, "\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#737373\" "
                        "stroke-width=\"0.75\"><title>",
                     cx, cy, x, y);
        bytes_xml_escaped(b, in->sections[i].title);
        bytes_puts(b, "</title></line>\n");
        snprintf(buf, sizeof buf, "%d", in->sections[i].number);
        svg_text(b, lx, ly + 4, "middle", 11, "axis-label", buf);
    }
    if (has_previous(in))
        svg_polygon(b, in, rtl, true, cx, cy, r,
                    "class=\"previous-cycle\" fill=\"none\" stroke=\"#8c8c8c\" "
                    "stroke-width=\"1.5\" stroke-dasharray=\"4 3\"");
    svg_polygon(b, in, rtl, false, cx, cy, r,
                "class=\"this-cycle\" fill=\"#005cab\" fill-opacity=\"0.25\" stroke=\"#005cab\" "
                "stroke-width=\"2\"");
    snprintf(buf, sizeof buf, "%s (%d)", labels_get(loc, L_THIS_CYCLE), in->cycle);
    svg_text(b, cx, cy + r + 40, "middle", 11, "legend this-cycle", buf);
    if (has_previous(in)) {
        snprintf(buf, sizeof buf, "%s (%d)", labels_get(loc, L_PREVIOUS_CYCLE), in->previous_cycle);
        svg_text(b, cx, cy + r + 56, "middle", 11, "legend previous-cycle", buf);
    }
    bytes_puts(b, "</g>\n<g id=\"trend\">\n");
    svg_text(b, tx0 + tw / 2, 62, "middle", 12, "chart-title", labels_get(loc, L_TREND));
    for (int v = 0; v <= 100; v += 25) {
        double y = trend_y(v, ty0, th);
        bytes_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                        "stroke=\"#cccccc\" stroke-width=\"0.5\"/>\n",
                     tx0, y, tx0 + tw, y);
        snprintf(buf, sizeof buf, "%d", v);
        svg_text(b, tx0 - 6, y + 4, "end", 10, "grid-label", buf);
    }
    if (in->n_trend > 0) {
        bytes_puts(b, "<polyline class=\"index\" fill=\"none\" stroke=\"#005cab\" stroke-width=\"2\" points=\"");
        for (size_t i = 0; i < in->n_trend; i++)
            bytes_printf(b, "%s%.1f,%.1f", i ? " " : "",
                         trend_x(i, in->n_trend, tx0 + 20, tw - 40),
                         trend_y(in->trend[i].index, ty0, th));
        bytes_puts(b, "\"/>\n");
    }
    for (size_t i = 0; i < in->n_trend; i++) {
        double x = trend_x(i, in->n_trend, tx0 + 20, tw - 40), y = trend_y(in->trend[i].index, ty0, th);
        bytes_printf(b, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#005cab\"/>\n", x, y);
        snprintf(buf, sizeof buf, "%.2f", in->trend[i].index);
        svg_text(b, x, y - 8, "middle", 10, "value", buf);
        snprintf(buf, sizeof buf, "%d", in->trend[i].cycle);
        svg_text(b, x, ty0 + th + 16, "middle", 10, "cycle", buf);
    }
    bytes_puts(b, "</g>\n</svg>\n");
    return 0;
}

int render_scorecard(const struct render_scorecard *in, enum render_format format,
                     struct bytes *out, struct err *e)
{
    return format == RENDER_SVG ? scorecard_svg(in, out, e) : scorecard_pdf(in, out, e);
}

/* ---- the compliance report ---- */

static enum label status_label(int status)
{
    return status >= 1 && status <= 6 ? (enum label)(L_ST_MET + status - 1) : L_ST_UNKNOWN;
}

int render_compliance(const struct render_compliance *in, struct bytes *out, struct err *e)
{
    struct doc d;
    char buf[1024], v[512], n1[32];
    const char *loc = in->locale;
    int rc = -1;
    snprintf(n1, sizeof n1, "%d", in->year);
    labels_fill(buf, sizeof buf, loc, L_COMPLIANCE_TITLE, in->state_name, n1);
    if (doc_begin(&d, loc, out, buf, e) < 0)
        goto done;
    char day[32], day2[32];
    const char *generated = ltr(&d, day, sizeof day, in->generated_on);
    snprintf(n1, sizeof n1, "%d", in->revision);
    if (in->revision > 0)
        labels_fill(d.footer, sizeof d.footer, loc, L_FOOTER, generated, n1);
    else
        labels_fill(d.footer, sizeof d.footer, loc, L_COMPLIANCE_FOOTER, generated, NULL);

    para(&d, buf, 17, true, 6);
    para(&d, pair(v, sizeof v, loc, L_STATE, in->state_name), 11, false, 2);
    labels_fill(buf, sizeof buf, loc, L_STATUS_AS_OF, ltr(&d, day2, sizeof day2, in->as_of),
                NULL);
    para(&d, buf, 11, true, 10);

    for (size_t i = 0; i < in->n_duties; i++) {
        const struct render_duty *t = &in->duties[i];
        need(&d, 90);
        d.y += 6;
        snprintf(buf, sizeof buf, "%s %s — %s", labels_get(loc, L_PARAGRAPH),
                 ltr(&d, day, sizeof day, t->paragraph),
                 labels_get(loc, status_label(t->status)));
        para(&d, buf, 11, true, 2);
        para(&d, t->text, 9.5, false, 3);
        const char *answer = t->answer > 0    ? labels_get(loc, L_YES)
                             : t->answer == 0 ? labels_get(loc, L_NO)
                                              : labels_get(loc, L_UNANSWERED);
        snprintf(buf, sizeof buf, "%s: %s · %s: %s · %s: %s", labels_get(loc, L_DEADLINE),
                 t->deadline[0] ? ltr(&d, day, sizeof day, t->deadline)
                                : labels_get(loc, L_NONE),
                 labels_get(loc, L_ANSWER), answer, labels_get(loc, L_DATE),
                 t->date[0] ? ltr(&d, day2, sizeof day2, t->date) : "–");
        para(&d, buf, 9, false, 2);
        if (t->narrative[0]) {
            struct bytes nb;
            bytes_init(&nb);
            /* The State's own words, in whatever direction they are written: isolated (FSI
             * ... PDI) so an English narrative in an Arabic report keeps its final period. */
            bytes_printf(&nb, "%s: \xe2\x81\xa8%s\xe2\x81\xa9", labels_get(loc, L_NARRATIVE),
                         t->narrative);
            para(&d, (const char *)nb.data, 9, false, 2);
            bytes_destroy(&nb);
        }
    }
    evidence_list(&d, in->evidence, in->n_evidence);
    d.y += 10;
    para(&d, labels_get(loc, L_TRANSMITTAL), 10, true, 2);
    rc = 0;
done:
    if (doc_end(&d, "compliance report", rc < 0 ? NULL : e) < 0)
        rc = -1;
    return rc;
}
