/* evidence.c: what an evidence document may be (evidence.h). A type is read from the content's
 * own signature, since a name or a browser's declared type says only what the sender claims;
 * office documents are zip containers, told apart by the parts inside them (read with libzip,
 * which xlsx.c already uses for workbooks). */
#include "evidence.h"

#include <stdio.h>
#include <string.h>

#include <zip.h>

#include "assessment.h"
#include "text.h"

const char EVIDENCE_ALLOWED_TYPES[] =
    "PDF, PNG, JPEG, DOCX, XLSX or plain text (UTF-8)";

static const char TYPE_DOCX[] =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
static const char TYPE_XLSX[] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

static bool starts_with(const uint8_t *d, size_t len, const char *sig, size_t n)
{
    return len >= n && memcmp(d, sig, n) == 0;
}

/* An Office Open XML package names its parts in [Content_Types].xml; the main part tells a word
 * processing document from a workbook. */
static const char *office_type(const uint8_t *data, size_t len)
{
    const char *type = NULL;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
    if (z == NULL) {
        if (src)
            zip_source_free(src);
        goto done;
    }
    if (zip_name_locate(z, "[Content_Types].xml", 0) >= 0) {
        if (zip_name_locate(z, "word/document.xml", 0) >= 0)
            type = TYPE_DOCX;
        else if (zip_name_locate(z, "xl/workbook.xml", 0) >= 0)
            type = TYPE_XLSX;
    }
    zip_discard(z); /* frees the source too */
done:
    zip_error_fini(&ze);
    return type;
}

/* Text may end lines with CR LF and hold page breaks; text_valid_bytes refuses both, so each run
 * between them is checked on its own. */
static bool plain_text(const uint8_t *data, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || data[i] == '\r' || data[i] == '\f') {
            if (!text_valid_bytes(data + start, i - start, true, NULL))
                return false;
            start = i + 1;
        }
    }
    return true;
}

int evidence_detect(const uint8_t *data, size_t len, const char **content_type, struct err *e)
{
    const char *found = "content of another type";
    if (len == 0)
        return err_field(e, "content", "empty; expected %s", EVIDENCE_ALLOWED_TYPES);
    if (starts_with(data, len, "%PDF-", 5))
        *content_type = "application/pdf";
    else if (starts_with(data, len, "\x89PNG\r\n\x1a\n", 8))
        *content_type = "image/png";
    else if (starts_with(data, len, "\xff\xd8\xff", 3))
        *content_type = "image/jpeg";
    else if (starts_with(data, len, "PK\x03\x04", 4)) {
        *content_type = office_type(data, len);
        found = "a zip archive that is neither a DOCX nor an XLSX document";
    } else if (plain_text(data, len))
        *content_type = "text/plain; charset=utf-8";
    else
        *content_type = NULL;
    if (*content_type == NULL)
        return err_field(e, "content", "%s; expected %s", found,
                         EVIDENCE_ALLOWED_TYPES);
    return 0;
}

bool evidence_filename_valid(const char *name)
{
    size_t chars;
    if (!text_valid(name, false, &chars) || chars == 0 || chars > EVIDENCE_FILENAME_MAX_CHARS)
        return false;
    return strpbrk(name, "/\\") == NULL && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* The assessment id before the last '/', checked as one; `tail` points after the '/'. */
static bool split_id(const char *id, char *aid, size_t aid_size, const char **tail)
{
    const char *slash = strrchr(id, '/');
    char state[4], qid[72];
    int cycle;
    if (slash == NULL || strlen(id) > EVIDENCE_ID_MAX || (size_t)(slash - id) >= aid_size)
        return false;
    memcpy(aid, id, (size_t)(slash - id));
    aid[slash - id] = '\0';
    *tail = slash + 1;
    return assessment_id_parse(aid, state, &cycle, qid, sizeof qid);
}

bool evidence_document_id_parse(const char *id, char *aid, size_t aid_size, long long *seq)
{
    const char *tail;
    if (!split_id(id, aid, aid_size, &tail))
        return false;
    size_t n = strlen(tail);
    if (n == 0 || n > 18 || tail[0] == '0' || strspn(tail, "0123456789") != n)
        return false;
    *seq = 0;
    for (const char *p = tail; *p; p++)
        *seq = *seq * 10 + (*p - '0');
    return true;
}

bool evidence_upload_id_parse(const char *id, char *aid, size_t aid_size)
{
    const char *tail;
    if (!split_id(id, aid, aid_size, &tail))
        return false;
    return strncmp(tail, "u-", 2) == 0 && strlen(tail + 2) == EVIDENCE_UPLOAD_SECRET_HEX &&
           strspn(tail + 2, "0123456789abcdef") == EVIDENCE_UPLOAD_SECRET_HEX;
}

int evidence_quota_begin(const char *state, long long size, long long used, long long pending,
                         long long quota, struct err *e)
{
    if (used + pending + size <= quota)
        return 0;
    return err_set(e, ERR_RESOURCE_EXHAUSTED,
                   "could not begin an upload of %lld bytes: %s's evidence quota "
                   "(UNIC_EVIDENCE_QUOTA_BYTES) is %lld bytes, %lld used and %lld in open uploads",
                   size, state, quota, used, pending);
}

int evidence_quota_attach(const char *state, long long len, long long used, bool held,
                          long long quota, struct err *e)
{
    if (used + (held ? 0 : len) <= quota)
        return 0;
    return err_set(e, ERR_RESOURCE_EXHAUSTED,
                   "could not attach %lld bytes: %s's evidence quota (UNIC_EVIDENCE_QUOTA_BYTES) is "
                   "%lld bytes and %lld are used", len, state, quota, used);
}
