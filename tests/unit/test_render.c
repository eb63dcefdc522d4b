/* test_render.c: unit tests of the scoring service's documents (services/scoring/render.c and
 * labels.c): every label exists in the six languages, PDFs are whole documents in each language,
 * long text flows onto more pages, and the SVG charts are XML with one axis per section.
 * What the PDFs say is read back with pdftotext in tests/integration/test_reports.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "labels.h"
#include "render.h"

static const char *const locales[] = {"ar", "zh", "en", "fr", "ru", "es"};

static const struct render_section sections[] = {
    {"s1", 1, "Taking stock of cybersecurity needs and strategies", 70, 2, true, 60},
    {"s2", 2, "Stakeholder roles and responsibilities", 20, 1, true, 20},
    {"s3", 3, "Policy processes and participation", 20, 1, false, 0},
    {"s4", 4, "Public-private cooperation", 60, 3, true, 40},
    {"s5", 5, "Incident management and recovery", 40, 2, true, 40},
    {"s6", 6, "Legal frameworks & <courts>", 60, 3, true, 55},
    {"s7", 7, "Developing a global culture of cybersecurity", 0, 0, true, 0},
};
static const struct render_gap gaps[] = {
    {"q5", 5, "Identify the key stakeholders with a role in cybersecurity.", 1, 4, 3},
    {"q11", 11, "Identify the mechanisms for incident response.", 2, 3, 1},
};
static const char *const needed[] = {"q18"};
static const struct render_point trend[] = {{2024, 36.43}, {2025, 38.57}};
static const struct render_evidence evidence[] = {
    {"q1", "National cybersecurity strategy", "https://example.org/strategy.pdf"},
};

static struct render_scorecard card(const char *locale)
{
    return (struct render_scorecard){
        .locale = locale, .state_name = "Kenya", .state_code = "KEN", .cycle = 2025,
        .previous_cycle = 2024, .questionnaire_id = "cip-self-assessment",
        .questionnaire_version = 1, .model_version = "cmm-v1", .index = 38.57, .stage = 0,
        .completeness = 0.94, .sections = sections, .n_sections = 7, .gaps = gaps, .n_gaps = 2,
        .assessment_needed = needed, .n_assessment_needed = 1, .trend = trend, .n_trend = 2,
        .evidence = evidence, .n_evidence = 1, .visibility = RENDER_PUBLIC,
        .generated_on = "2026-12-01", .revision = 7};
}

static size_t count(const struct bytes *b, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (size_t i = 0; i + k <= b->len; i++)
        n += memcmp(b->data + i, needle, k) == 0;
    return n;
}

static bool is_pdf(const struct bytes *b)
{
    return b->len > 1000 && memcmp(b->data, "%PDF-", 5) == 0 && count(b, "%%EOF") == 1;
}

/* Whether `in` renders as a whole PDF. */
static bool renders_pdf(const struct render_scorecard *in)
{
    struct bytes b;
    struct err e = {0};
    bytes_init(&b);
    bool ok = render_scorecard(in, RENDER_PDF, &b, &e) == 0 && is_pdf(&b);
    bytes_destroy(&b);
    return ok;
}

static void test_every_label_exists_in_six_languages_with_its_placeholders(void **state)
{
    (void)state;
    for (int l = 0; l < L_COUNT; l++) {
        const char *en = labels_get("en", (enum label)l);
        assert_non_null(en);
        assert_true(en[0] != '\0');
        for (size_t i = 0; i < 6; i++) {
            const char *t = labels_get(locales[i], (enum label)l);
            assert_non_null(t);
            assert_true(t[0] != '\0');
            assert_int_equal(strstr(en, "{1}") != NULL, strstr(t, "{1}") != NULL);
            assert_int_equal(strstr(en, "{2}") != NULL, strstr(t, "{2}") != NULL);
        }
    }
    assert_true(labels_rtl("ar"));
    assert_false(labels_rtl("zh"));
    assert_false(labels_locale_valid("de"));
    assert_false(labels_locale_valid(""));
}

static void test_labels_fill_replaces_placeholders_and_truncates(void **state)
{
    (void)state;
    char buf[64];
    size_t n = labels_fill(buf, sizeof buf, "en", L_FOOTER, "2026-12-01", "7");
    assert_string_equal(buf, "Generated on 2026-12-01 from revision 7");
    assert_int_equal(n, strlen(buf));
    n = labels_fill(buf, 10, "fr", L_COMPLIANCE_TITLE, "Kenya", "2026");
    assert_int_equal(strlen(buf), 9);
    assert_true(n > 9);
    labels_fill(buf, sizeof buf, "zh", L_COMPLIANCE_TITLE, "Kenya", "2026");
    assert_non_null(strstr(buf, "Kenya"));
    assert_non_null(strstr(buf, "2026"));
}

static void test_scorecard_pdf_is_a_whole_document_in_each_language(void **state)
{
    (void)state;
    for (size_t i = 0; i < 6; i++) {
        struct render_scorecard in = card(locales[i]);
        assert_true(renders_pdf(&in));
    }
}

static void test_scorecard_without_previous_cycle_or_trend_renders(void **state)
{
    (void)state;
    struct render_scorecard in = card("en");
    in.previous_cycle = 0;
    in.n_trend = 0;
    in.n_gaps = 0;
    in.n_evidence = 0;
    in.n_assessment_needed = 0;
    assert_true(renders_pdf(&in));
}

static void test_unknown_locale_is_invalid_argument(void **state)
{
    (void)state;
    struct bytes b;
    struct err e = {0};
    bytes_init(&b);
    struct render_scorecard in = card("de");
    assert_int_equal(render_scorecard(&in, RENDER_PDF, &b, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(e.msg, "ar, zh, en, fr, ru, es"));
    assert_int_equal(render_scorecard(&in, RENDER_SVG, &b, &e), -1);
    struct render_compliance c = {.locale = "xx", .state_name = "Kenya", .as_of = "2026-01-01",
                                  .generated_on = "2026-01-01"};
    assert_int_equal(render_compliance(&c, &b, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    bytes_destroy(&b);
}

/* The SVG parsed by libxml2: one <line class="axis"> per section, named by its id. */
static void test_scorecard_svg_is_xml_with_one_axis_per_section(void **state)
{
    (void)state;
    for (size_t i = 0; i < 6; i++) {
        struct bytes b;
        struct err e = {0};
        bytes_init(&b);
        struct render_scorecard in = card(locales[i]);
        assert_int_equal(render_scorecard(&in, RENDER_SVG, &b, &e), 0);
        xmlDocPtr doc = xmlReadMemory((const char *)b.data, (int)b.len, "card.svg", "UTF-8",
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        assert_non_null(doc);
        xmlXPathContextPtr x = xmlXPathNewContext(doc);
        xmlXPathRegisterNs(x, (const xmlChar *)"s", (const xmlChar *)"http://www.w3.org/2000/svg");
        xmlXPathObjectPtr axes = xmlXPathEvalExpression(
            (const xmlChar *)"//s:line[@class='axis']", x);
        assert_int_equal(xmlXPathNodeSetGetLength(axes->nodesetval), 7);
        xmlXPathObjectPtr s6 = xmlXPathEvalExpression(
            (const xmlChar *)"string(//s:line[@data-section='s6']/s:title)", x);
        assert_string_equal((const char *)s6->stringval, "Legal frameworks & <courts>");
        xmlXPathFreeObject(s6);
        xmlXPathFreeObject(axes);
        xmlXPathFreeContext(x);
        xmlFreeDoc(doc);
        bytes_destroy(&b);
    }
}

static void test_compliance_report_long_narrative_flows_onto_more_pages(void **state)
{
    (void)state;
    char *narrative = malloc(20001);
    for (size_t i = 0; i < 20000; i++)
        narrative[i] = i % 7 == 6 ? ' ' : 'a' + (char)(i % 26);
    narrative[20000] = '\0';
    struct render_duty duties[] = {
        {"4(a)", "Designate a national cybersecurity authority.", "2026-06-30", 1, "2026-05-01",
         "The authority was created by decree.", 1},
        {"8", "Report on compliance by the end of the year.", "2026-12-31", -1, "", narrative, 3},
    };
    static const char *const scripts[] = {"en", "ar", "zh"}; /* Latin, Arabic, CJK */
    for (size_t i = 0; i < 3; i++) {
        struct bytes b;
        struct err e = {0};
        bytes_init(&b);
        struct render_compliance c = {.locale = scripts[i], .state_name = "Kenya",
                                      .state_code = "KEN", .year = 2026, .as_of = "2026-12-01",
                                      .duties = duties, .n_duties = 2, .evidence = evidence,
                                      .n_evidence = 1, .generated_on = "2026-12-01",
                                      .revision = 3};
        assert_int_equal(render_compliance(&c, &b, &e), 0);
        assert_true(is_pdf(&b));
        assert_true(count(&b, "/Type /Page\n") + count(&b, "/Type /Page ") +
                        count(&b, "/Type /Page>") >= 3);
        bytes_destroy(&b);
    }
    free(narrative);
}

/* Set when the font map has been finalized, on whichever thread that happened. */
static atomic_bool map_finalized;

static void on_map_finalized(gpointer data)
{
    (void)data;
    atomic_store(&map_finalized, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_label_exists_in_six_languages_with_its_placeholders),
        cmocka_unit_test(test_labels_fill_replaces_placeholders_and_truncates),
        cmocka_unit_test(test_scorecard_pdf_is_a_whole_document_in_each_language),
        cmocka_unit_test(test_scorecard_without_previous_cycle_or_trend_renders),
        cmocka_unit_test(test_unknown_locale_is_invalid_argument),
        cmocka_unit_test(test_scorecard_svg_is_xml_with_one_axis_per_section),
        cmocka_unit_test(test_compliance_report_long_narrative_flows_onto_more_pages),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    /* The font caches live as long as the thread's font map: released here, so that a leak
     * report can only be ours. Pango initialises fontconfig on a thread of its own whose task
     * holds the font map until that thread lets it go, maybe after the tests are done: then the
     * map is disposed and finalized on that thread. cairo's caches may be reset only once that
     * is over (resetting them with a font still alive aborts in cairo-hash.c, "live_entries ==
     * 0"). A weak reference is not enough to tell: GObject clears it before dispose, so the
     * other thread may still be releasing fonts. The map's data is destroyed last, at the end of
     * its finalization, wherever it runs: that is the moment waited for. */
    PangoFontMap *map = pango_cairo_font_map_get_default();
    g_object_set_data_full(G_OBJECT(map), "test-render-finalized", &map_finalized, on_map_finalized);
    pango_cairo_font_map_set_default(NULL); /* map: no longer ours */
    for (int i = 0; i < 1000 && !atomic_load(&map_finalized); i++)
        g_usleep(10 * 1000);
    if (atomic_load(&map_finalized)) {
        cairo_debug_reset_static_data();
        FcFini();
    } else {
        fprintf(stderr, "the font map outlived the tests by 10 s: cairo's caches not reset\n");
        rc = 1;
    }
    return rc;
}
