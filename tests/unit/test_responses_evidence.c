/* test_responses_evidence.c: unit tests of the rules of evidence documents
 * (services/responses/evidence.c): types are told from the bytes, office documents from the
 * parts of their zip container; names and ids have the shapes the service relies on. The
 * upload, dedup, quota and privacy over a real database are in
 * tests/integration/test_evidence.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "assessment.h"
#include "evidence.h"

/* ---- A zip archive of empty, stored entries, written by hand (CRC-32 of nothing is 0) ---- */

struct buf {
    uint8_t b[4096];
    size_t n;
};

static void put16(struct buf *o, unsigned v)
{
    o->b[o->n++] = (uint8_t)v;
    o->b[o->n++] = (uint8_t)(v >> 8);
}

static void put32(struct buf *o, unsigned long v)
{
    put16(o, (unsigned)(v & 0xffff));
    put16(o, (unsigned)(v >> 16));
}

static void put_bytes(struct buf *o, const char *s)
{
    memcpy(o->b + o->n, s, strlen(s));
    o->n += strlen(s);
}

static void zip_of(struct buf *o, const char *const *names, size_t count)
{
    size_t offsets[8];
    o->n = 0;
    for (size_t i = 0; i < count; i++) {
        offsets[i] = o->n;
        put32(o, 0x04034b50);
        put16(o, 20), put16(o, 0), put16(o, 0), put16(o, 0), put16(o, 0x21);
        put32(o, 0), put32(o, 0), put32(o, 0);
        put16(o, (unsigned)strlen(names[i])), put16(o, 0);
        put_bytes(o, names[i]);
    }
    size_t cd = o->n;
    for (size_t i = 0; i < count; i++) {
        put32(o, 0x02014b50);
        put16(o, 20), put16(o, 20), put16(o, 0), put16(o, 0), put16(o, 0), put16(o, 0x21);
        put32(o, 0), put32(o, 0), put32(o, 0);
        put16(o, (unsigned)strlen(names[i])), put16(o, 0), put16(o, 0), put16(o, 0), put16(o, 0);
        put32(o, 0), put32(o, offsets[i]);
        put_bytes(o, names[i]);
    }
    size_t cd_size = o->n - cd;
    put32(o, 0x06054b50);
    put16(o, 0), put16(o, 0), put16(o, (unsigned)count), put16(o, (unsigned)count);
    put32(o, cd_size), put32(o, cd), put16(o, 0);
}

static const char *detect(const void *data, size_t len, struct err *e)
{
    const char *type = NULL;
    if (evidence_detect(data, len, &type, e) < 0)
        return NULL;
    return type;
}

static void test_signatures_give_pdf_png_and_jpeg(void **state)
{
    (void)state;
    struct err e;
    assert_string_equal(detect("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", 15, &e), "application/pdf");
    assert_string_equal(detect("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, &e), "image/png");
    assert_string_equal(detect("\xff\xd8\xff\xe0\0\x10JFIF", 10, &e), "image/jpeg");
}

static void test_a_name_is_never_the_type(void **state)
{
    (void)state;
    struct err e;
    /* An executable stays one whatever it is called; the message lists what is accepted. */
    assert_null(detect("\x7f" "ELF\x02\x01\x01\0\0\0", 10, &e));
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(e.msg, "PDF, PNG, JPEG, DOCX, XLSX or plain text"));
    assert_null(detect("GIF89a\x01\0\x01\0\x80\0", 12, &e));
    assert_null(detect("", 0, &e));
    assert_non_null(strstr(e.msg, "empty"));
}

static void test_office_documents_by_their_main_part(void **state)
{
    (void)state;
    struct buf z;
    struct err e;
    const char *docx[] = {"[Content_Types].xml", "_rels/.rels", "word/document.xml"};
    zip_of(&z, docx, 3);
    assert_string_equal(detect(z.b, z.n, &e),
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    const char *xlsx[] = {"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"};
    zip_of(&z, xlsx, 3);
    assert_string_equal(detect(z.b, z.n, &e),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

static void test_other_zip_archives_are_refused(void **state)
{
    (void)state;
    struct buf z;
    struct err e;
    const char *plain[] = {"notes.txt", "word/document.xml"}; /* no [Content_Types].xml */
    zip_of(&z, plain, 2);
    assert_null(detect(z.b, z.n, &e));
    assert_non_null(strstr(e.msg, "neither a DOCX nor an XLSX"));
    /* A zip signature on bytes that are no archive. */
    assert_null(detect("PK\x03\x04garbage that is not a zip file", 34, &e));
}

static void test_plain_text_is_utf8_without_controls(void **state)
{
    (void)state;
    struct err e;
    const char *text = "Loi n\xc2\xb0 2022-12 sur la cybers\xc3\xa9" "curit\xc3\xa9\r\n\tArticle 1\f\n";
    assert_string_equal(detect(text, strlen(text), &e), "text/plain; charset=utf-8");
    assert_null(detect("caf\xc3", 4, &e));         /* a cut sequence */
    assert_null(detect("a\0b", 3, &e));            /* NUL: binary */
    assert_null(detect("bell \x07 here", 11, &e)); /* a control character */
}

static void test_file_names(void **state)
{
    (void)state;
    assert_true(evidence_filename_valid("Stratégie nationale 2024.pdf"));
    assert_true(evidence_filename_valid("قانون.docx"));
    assert_false(evidence_filename_valid(""));
    assert_false(evidence_filename_valid("../etc/passwd"));
    assert_false(evidence_filename_valid("a\\b.pdf"));
    assert_false(evidence_filename_valid(".."));
    assert_false(evidence_filename_valid("line\nbreak.pdf"));
    char longname[EVIDENCE_FILENAME_MAX_CHARS + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_false(evidence_filename_valid(longname));
    longname[sizeof longname - 2] = '\0';
    assert_true(evidence_filename_valid(longname));
}

static void test_ids_carry_their_assessment(void **state)
{
    (void)state;
    char aid[ASSESSMENT_ID_MAX + 1];
    long long seq;
    assert_true(evidence_document_id_parse("KEN-2025-cip-self-assessment/7", aid, sizeof aid, &seq));
    assert_string_equal(aid, "KEN-2025-cip-self-assessment");
    assert_int_equal(seq, 7);
    assert_false(evidence_document_id_parse("KEN-2025-cip-self-assessment/07", aid, sizeof aid, &seq));
    assert_false(evidence_document_id_parse("KEN-2025-cip-self-assessment/", aid, sizeof aid, &seq));
    assert_false(evidence_document_id_parse("ken-2025-cip-self-assessment/7", aid, sizeof aid, &seq));
    assert_false(evidence_document_id_parse("7", aid, sizeof aid, &seq));
    assert_true(evidence_upload_id_parse(
        "BEN-2026-unic-compliance/u-0123456789abcdef0123456789abcdef", aid, sizeof aid));
    assert_string_equal(aid, "BEN-2026-unic-compliance");
    assert_false(evidence_upload_id_parse(
        "BEN-2026-unic-compliance/u-0123456789ABCDEF0123456789abcdef", aid, sizeof aid));
    assert_false(evidence_upload_id_parse("BEN-2026-unic-compliance/u-0123", aid, sizeof aid));
    assert_false(evidence_upload_id_parse("BEN-2026-unic-compliance/7", aid, sizeof aid));
}

/* The quota is what the store decides under the State's lock: room left counts the open
 * uploads when one begins, and content the State holds already costs nothing when attached. */
static void test_quota_counts_open_uploads_and_stored_content_once(void **state)
{
    (void)state;
    struct err e = {0};
    assert_int_equal(evidence_quota_begin("KEN", 40, 50, 10, 100, &e), 0);
    assert_int_equal(evidence_quota_begin("KEN", 41, 50, 10, 100, &e), -1);
    assert_int_equal(e.code, ERR_RESOURCE_EXHAUSTED);
    assert_non_null(strstr(e.msg, "UNIC_EVIDENCE_QUOTA_BYTES"));
    assert_non_null(strstr(e.msg, "KEN's evidence quota"));
    assert_non_null(strstr(e.msg, "50 used and 10 in open uploads"));
    e = (struct err){0};
    assert_int_equal(evidence_quota_attach("KEN", 50, 50, false, 100, &e), 0);
    assert_int_equal(evidence_quota_attach("KEN", 51, 50, false, 100, &e), -1);
    assert_int_equal(e.code, ERR_RESOURCE_EXHAUSTED);
    assert_non_null(strstr(e.msg, "could not attach 51 bytes"));
    e = (struct err){0};
    assert_int_equal(evidence_quota_attach("KEN", 51, 100, true, 100, &e), 0);
    assert_int_equal(e.code, ERR_OK);
    assert_int_equal(evidence_quota_attach("KEN", 1, 101, true, 100, &e), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signatures_give_pdf_png_and_jpeg),
        cmocka_unit_test(test_a_name_is_never_the_type),
        cmocka_unit_test(test_office_documents_by_their_main_part),
        cmocka_unit_test(test_other_zip_archives_are_refused),
        cmocka_unit_test(test_plain_text_is_utf8_without_controls),
        cmocka_unit_test(test_file_names),
        cmocka_unit_test(test_ids_carry_their_assessment),
        cmocka_unit_test(test_quota_counts_open_uploads_and_stored_content_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
