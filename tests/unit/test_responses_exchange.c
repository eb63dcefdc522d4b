/* test_responses_exchange.c: unit tests of the exchange files (services/responses/exchange.c and
 * xlsx.c): each format exported and read back gives the same answers; bad cells are all reported
 * at their addresses; files that are not files of the format are refused. The workbook filled in
 * by another program (openpyxl) is tested in tests/integration/test_exchange_python.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "exchange.h"

typedef Unic__Catalog__V1__Question Question;
typedef Unic__Catalog__V1__Section Section;
typedef Unic__Catalog__V1__Questionnaire Questionnaire;
typedef Unic__Catalog__V1__LevelDescriptor Level;

#define LEVEL(N, NAME) {PROTOBUF_C_MESSAGE_INIT(&unic__catalog__v1__level_descriptor__descriptor), N, NAME, "What " NAME " means"}
static Level lv[6] = {LEVEL(0, "Not started"), LEVEL(1, "Start-up"), LEVEL(2, "Formative"),
                      LEVEL(3, "Established"), LEVEL(4, "Strategic"), LEVEL(5, "Dynamic")};
static Level *lvp[6] = {&lv[0], &lv[1], &lv[2], &lv[3], &lv[4], &lv[5]};

#define QUESTION(ID, NUM, TYPE, TEXT, SEC, NL)                                                   \
    {.base = PROTOBUF_C_MESSAGE_INIT(&unic__catalog__v1__question__descriptor), .id = ID,        \
     .number = NUM, .text = TEXT, .guidance = "", .answer_type = TYPE, .n_levels = NL,           \
     .levels = NL ? lvp : NULL, .weight = 1, .required = true, .deadline = "",                   \
     .recurrence = UNIC__CATALOG__V1__RECURRENCE__NONE, .section_id = SEC}

static Question q1 = QUESTION("q1", 1, UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL,
                              "Assess the role of ICTs, \"critical\" ones", "s1", 6);
static Question q2 = QUESTION("q2", 2, UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL,
                              "Identify stakeholders", "s1", 6);
static Question y1 = QUESTION("y1", 3, UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO,
                              "Has a national authority been designated?", "s2", 0);
static Question *s1q[] = {&q1, &q2};
static Question *s2q[] = {&y1};
static Section s1 = {PROTOBUF_C_MESSAGE_INIT(&unic__catalog__v1__section__descriptor), "s1", 1,
                     "Taking stock: needs [and] strategies", 2, s1q};
static Section s2 = {PROTOBUF_C_MESSAGE_INIT(&unic__catalog__v1__section__descriptor), "s2", 2,
                     "Institutions", 1, s2q};
static Section *secs[] = {&s1, &s2};

static Questionnaire quest(void)
{
    Questionnaire q = UNIC__CATALOG__V1__QUESTIONNAIRE__INIT;
    q.id = "qx";
    q.version = 2;
    q.title = "Test questionnaire";
    q.locale = "en";
    q.n_sections = 2;
    q.sections = secs;
    return q;
}

static struct qdef_question dq[] = {
    {"q1", UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL, true},
    {"q2", UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL, true},
    {"y1", UNIC__CATALOG__V1__ANSWER_TYPE__YES_NO, true},
};
static struct qdef def = {.questionnaire_id = "qx", .version = 2,
                          .kind = UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__SELF_ASSESSMENT, .n = 3,
                          .q = dq, .n_required = 3};

static Evidence ev1 = {PROTOBUF_C_MESSAGE_INIT(&unic__responses__v1__evidence__descriptor),
                       "https://example.org/strategy.pdf", "National strategy, 2024"};
static Evidence ev2 = {PROTOBUF_C_MESSAGE_INIT(&unic__responses__v1__evidence__descriptor),
                       "https://example.org/b", ""};
static Evidence *evs[] = {&ev1, &ev2};

/* q1 at level 3 with target 4, a narrative full of CSV's special characters and two pieces of
 * evidence; y1 answered yes with a date; q2 not answered. */
static Assessment assessment(Answer *a1, Answer *a3, Answer **list)
{
    Answer init = UNIC__RESPONSES__V1__ANSWER__INIT;
    *a1 = init;
    a1->question_id = "q1";
    a1->level_value_case = UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL;
    a1->level = 3;
    a1->target_level_value_case = UNIC__RESPONSES__V1__ANSWER__TARGET_LEVEL_VALUE_TARGET_LEVEL;
    a1->target_level = 4;
    a1->narrative = "Said \"yes\", then: a, b\nand a second line\tindented; Zürich, 東京, القاهرة";
    a1->n_evidence = 2;
    a1->evidence = evs;
    *a3 = init;
    a3->question_id = "y1";
    a3->yes_value_case = UNIC__RESPONSES__V1__ANSWER__YES_VALUE_YES;
    a3->yes = true;
    a3->date = "2025-03-01";
    list[0] = a1;
    list[1] = a3;
    Assessment as = UNIC__RESPONSES__V1__ASSESSMENT__INIT;
    as.id = "KEN-2025-qx";
    as.state_code = "KEN";
    as.cycle = 2025;
    as.questionnaire_id = "qx";
    as.questionnaire_version = 2;
    as.revision = 4;
    as.etag = "4-0011223344556677";
    as.n_answers = 2;
    as.answers = list;
    return as;
}

static const Answer *find(const struct exchange_file *f, const char *qid)
{
    for (size_t i = 0; i < f->n_answers; i++)
        if (strcmp(f->answers[i]->question_id, qid) == 0)
            return f->answers[i];
    return NULL;
}

static void roundtrip(enum exchange_format format)
{
    struct arena a;
    arena_init(&a);
    Answer a1, a3, *list[2];
    Assessment as = assessment(&a1, &a3, list);
    Questionnaire q = quest();
    uint8_t *bytes;
    size_t len;
    struct err e = {0};
    struct exchange_file f;
    assert_int_equal(exchange_export(&a, format, &as, &q, NULL, &bytes, &len, &e), 0);
    assert_true(len > 0);
    assert_int_equal(exchange_import(&a, format, bytes, len, &def, &f, &e), 0);
    for (size_t i = 0; i < f.n_errors; i++)
        print_error("%s!%s%d: %s\n", f.errors[i].sheet, f.errors[i].column, f.errors[i].row,
                    f.errors[i].message);
    assert_int_equal(f.n_errors_total, 0);
    assert_int_equal(f.n_answers, 3); /* every question has its row, q2's empty */
    assert_true(answer_same(find(&f, "q1"), &a1));
    assert_true(answer_same(find(&f, "y1"), &a3));
    assert_true(answer_is_empty(find(&f, "q2")));
    if (format != EXCHANGE_CSV)
        assert_string_equal(f.assessment_id, "KEN-2025-qx");
    arena_destroy(&a);
}

static void test_json_export_reads_back_the_same_answers(void **state)
{
    (void)state;
    roundtrip(EXCHANGE_JSON);
}

/* The documents attached to answers are listed beside each in JSON, and reading the file back
 * ignores them (they are not answers). */
static void test_json_export_lists_each_answers_documents(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    Answer a1, a3, *list[2];
    Assessment as = assessment(&a1, &a3, list);
    Questionnaire q = quest();
    Unic__Responses__V1__EvidenceDocument d = UNIC__RESPONSES__V1__EVIDENCE_DOCUMENT__INIT;
    d.id = "KEN-2025-cip-self-assessment/7";
    d.question_id = "q2";
    d.filename = "Loi n° 2022-12.pdf";
    d.content_type = "application/pdf";
    d.size = 123456;
    d.sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    Unic__Responses__V1__EvidenceDocument *dv[] = {&d};
    struct exchange_docs docs = {dv, 1};
    uint8_t *bytes;
    size_t len;
    struct err e = {0};
    struct exchange_file f;
    assert_int_equal(exchange_export(&a, EXCHANGE_JSON, &as, &q, &docs, &bytes, &len, &e), 0);
    char *text = arena_strndup(&a, (const char *)bytes, len);
    const char *row = strstr(text, "\"question_id\": \"q2\"");
    const char *doc = strstr(text, "\"filename\": \"Loi n° 2022-12.pdf\"");
    assert_non_null(row);
    assert_non_null(doc);
    assert_true(doc > row);                                      /* under q2 ... */
    assert_null(strstr(doc, "\"question_id\": \"q2\""));          /* ... and no later */
    assert_non_null(strstr(text, "\"size\": 123456"));
    assert_int_equal(exchange_import(&a, EXCHANGE_JSON, bytes, len, &def, &f, &e), 0);
    assert_int_equal(f.n_errors_total, 0);
    arena_destroy(&a);
}

static void test_csv_export_reads_back_the_same_answers(void **state)
{
    (void)state;
    roundtrip(EXCHANGE_CSV);
}

static void test_xlsx_export_reads_back_the_same_answers(void **state)
{
    (void)state;
    roundtrip(EXCHANGE_XLSX);
}

static void test_csv_bad_cells_are_all_reported_with_their_address(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char *csv =
        "question_id,section,number,question,level,target,yes,date,narrative,evidence\r\n"
        "q1,s1,1,text,7,,,,,\r\n"                                  /* row 2: level E */
        "q9,s1,2,text,1,,,,,\r\n"                                  /* row 3: unknown A */
        "y1,s2,3,text,2,,maybe,2025-02-30,,ftp://x\r\n"            /* row 4: E, G, H, J */
        "q1,s1,1,text,1,,,,,\r\n"                                  /* row 5: twice A */
        ",,,,,,,,,\r\n";                                           /* row 6: blank, fine */
    struct exchange_file f;
    struct err e = {0};
    assert_int_equal(exchange_import(&a, EXCHANGE_CSV, (const uint8_t *)csv, strlen(csv), &def,
                                     &f, &e), 0);
    struct { int row; const char *col, *needle; } want[] = {
        {2, "E", "level \"7\" is not a level"},
        {3, "A", "\"q9\" is not a question of qx v2"},
        {4, "E", "not answered with a level"},
        {4, "G", "yes \"maybe\""},
        {4, "H", "date \"2025-02-30\""},
        {4, "J", "not an http or https URI"},
        {5, "A", "also on row 2"},
    };
    assert_int_equal(f.n_errors, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < f.n_errors; i++) {
        assert_int_equal(f.errors[i].row, want[i].row);
        assert_string_equal(f.errors[i].column, want[i].col);
        assert_string_equal(f.errors[i].sheet, "");
        assert_non_null(strstr(f.errors[i].message, want[i].needle));
    }
    arena_destroy(&a);
}

static void test_json_bad_fields_name_the_entry_and_field(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    const char *json = "{\"schema\":\"" EXCHANGE_SCHEMA "\",\"answers\":["
                       "{\"question_id\":\"q1\",\"level\":3},"
                       "{\"question_id\":\"q2\",\"level\":\"high\"},"
                       "{\"question_id\":\"y1\",\"yes\":3}]}";
    struct exchange_file f;
    struct err e = {0};
    assert_int_equal(exchange_import(&a, EXCHANGE_JSON, (const uint8_t *)json, strlen(json),
                                     &def, &f, &e), 0);
    assert_int_equal(f.n_errors, 2);
    assert_int_equal(f.errors[0].row, 2);
    assert_string_equal(f.errors[0].column, "level");
    assert_int_equal(f.errors[1].row, 3);
    assert_string_equal(f.errors[1].column, "yes");
    assert_int_equal(f.n_answers, 1);
    assert_int_equal(f.answers[0]->level, 3);
    arena_destroy(&a);
}

static void test_files_not_of_the_format_are_invalid_argument(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct exchange_file f;
    struct err e = {0};
    const char *junk = "this is not a workbook";
    assert_int_equal(exchange_import(&a, EXCHANGE_XLSX, (const uint8_t *)junk, strlen(junk), &def,
                                     &f, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_int_equal(exchange_import(&a, EXCHANGE_JSON, (const uint8_t *)"{\"schema\":\"x/9\"}",
                                     16, &def, &f, &e), -1);
    assert_non_null(strstr(e.msg, EXCHANGE_SCHEMA));
    assert_int_equal(exchange_import(&a, EXCHANGE_JSON, (const uint8_t *)"[1,", 3, &def, &f, &e),
                     -1);
    assert_int_equal(exchange_import(&a, EXCHANGE_CSV, (const uint8_t *)"a,b\r\n1,2\r\n", 10,
                                     &def, &f, &e), -1);
    assert_non_null(strstr(e.msg, "question_id"));
    assert_int_equal(exchange_import(&a, EXCHANGE_CSV, (const uint8_t *)"question_id\r\n\"q1", 17,
                                     &def, &f, &e), -1);
    assert_non_null(strstr(e.msg, "never closed"));
    arena_destroy(&a);
}

/* A zip of the named parts (name, content, ..., NULL), as a workbook a hostile client could send;
 * *len gets its size. The caller frees the bytes. */
static uint8_t *package(const char *const *parts, size_t *len)
{
    char path[] = "/tmp/unic-xlsx-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    int zerr;
    zip_t *z = zip_open(path, ZIP_TRUNCATE, &zerr);
    assert_non_null(z);
    for (size_t i = 0; parts[i]; i += 2) {
        zip_source_t *src = zip_source_buffer(z, parts[i + 1], strlen(parts[i + 1]), 0);
        assert_true(zip_file_add(z, parts[i], src, ZIP_FL_ENC_UTF_8) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *buf = malloc(1 << 16);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    unlink(path);
    return buf;
}

#define WB_NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
              "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
static const char WORKBOOK[] = "<?xml version=\"1.0\"?><workbook " WB_NS "><sheets>"
                               "<sheet name=\"One\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char RELS[] = "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats."
                           "org/package/2006/relationships\"><Relationship Id=\"rId1\" Target=\"ws/1.xml\" "
                           "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                           "worksheet\"/></Relationships>";

/* The reader itself, on packages no spreadsheet program writes: shared and inline strings, phonetic
 * runs left out, namespaced relationship ids; a DTD (the way to an entity bomb) and a part that
 * is not XML refused, naming the part. */
static void test_workbook_parts_are_read_and_hostile_ones_refused(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    struct err e = {0};
    struct xlsx_sheet *sheets;
    size_t n, len;
    const char *good[] = {
        "xl/workbook.xml", WORKBOOK, "xl/_rels/workbook.xml.rels", RELS,
        "xl/sharedStrings.xml", "<sst " WB_NS "><si><t>first</t></si><si><r><t>se</t></r><r><t>cond</t>"
                                "</r><rPh><t>x</t></rPh></si></sst>",
        "xl/ws/1.xml", "<worksheet " WB_NS "><sheetData><row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c>"
                       "<c r=\"B2\" t=\"inlineStr\"><is><t>in &amp; line</t></is></c><c r=\"C2\"><v>4</v>"
                       "</c></row></sheetData></worksheet>",
        NULL};
    uint8_t *zip = package(good, &len);
    assert_int_equal(xlsx_read(&a, zip, len, &sheets, &n, &e), 0);
    free(zip);
    assert_int_equal(n, 1);
    assert_string_equal(sheets[0].name, "One");
    assert_int_equal(sheets[0].n_cells, 3);
    assert_string_equal(sheets[0].cells[0].text, "second");
    assert_int_equal(sheets[0].cells[0].row, 2);
    assert_int_equal(sheets[0].cells[0].col, 0);
    assert_string_equal(sheets[0].cells[1].text, "in & line");
    assert_string_equal(sheets[0].cells[2].text, "4");

    const char *bomb[] = {
        "xl/workbook.xml", "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                           "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
                           "<workbook " WB_NS "><sheets><sheet name=\"&lol2;\" r:id=\"rId1\"/>"
                           "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels", RELS, NULL};
    zip = package(bomb, &len);
    assert_int_equal(xlsx_read(&a, zip, len, &sheets, &n, &e), -1);
    free(zip);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(e.msg, "xl/workbook.xml has a DTD"));

    const char *broken[] = {"xl/workbook.xml", "<workbook " WB_NS "><sheets>", NULL};
    zip = package(broken, &len);
    assert_int_equal(xlsx_read(&a, zip, len, &sheets, &n, &e), -1);
    free(zip);
    assert_non_null(strstr(e.msg, "part xl/workbook.xml is not XML"));
    arena_destroy(&a);
}

static void test_level_cells_read_digit_number_or_dropdown_entry(void **state)
{
    (void)state;
    assert_int_equal(exchange_parse_level(""), -1);
    assert_int_equal(exchange_parse_level("  "), -1);
    assert_int_equal(exchange_parse_level("3"), 3);
    assert_int_equal(exchange_parse_level("3.0"), 3);
    assert_int_equal(exchange_parse_level("0 Not started"), 0);
    assert_int_equal(exchange_parse_level("5 Dynamic"), 5);
    assert_int_equal(exchange_parse_level("6"), -2);
    assert_int_equal(exchange_parse_level("35"), -2);
    assert_int_equal(exchange_parse_level("3.5"), -2);
    assert_int_equal(exchange_parse_level("high"), -2);
}

static void test_column_letters_follow_spreadsheets(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a);
    assert_string_equal(exchange_column_letter(&a, 0), "A");
    assert_string_equal(exchange_column_letter(&a, 25), "Z");
    assert_string_equal(exchange_column_letter(&a, 26), "AA");
    assert_string_equal(exchange_column_letter(&a, 701), "ZZ");
    arena_destroy(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_export_reads_back_the_same_answers),
        cmocka_unit_test(test_json_export_lists_each_answers_documents),
        cmocka_unit_test(test_csv_export_reads_back_the_same_answers),
        cmocka_unit_test(test_xlsx_export_reads_back_the_same_answers),
        cmocka_unit_test(test_csv_bad_cells_are_all_reported_with_their_address),
        cmocka_unit_test(test_json_bad_fields_name_the_entry_and_field),
        cmocka_unit_test(test_files_not_of_the_format_are_invalid_argument),
        cmocka_unit_test(test_level_cells_read_digit_number_or_dropdown_entry),
        cmocka_unit_test(test_column_letters_follow_spreadsheets),
        cmocka_unit_test(test_workbook_parts_are_read_and_hostile_ones_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
