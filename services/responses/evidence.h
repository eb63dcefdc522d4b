/* evidence.h: the pure rules of evidence documents (docs/evidence.md): which contents are
 * accepted, judged from their bytes and never from their names; the shape of file names; and the
 * ids of documents and uploads, which carry their assessment's id so that a caller's right is
 * decided before anything is looked up. No I/O; nothing here owns memory. */
#ifndef UNIC_EVIDENCE_H
#define UNIC_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum {
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024, /* one document (issue 13: up to 10 MiB each) */
    EVIDENCE_CHUNK_MAX_BYTES = 1024 * 1024, /* one chunk: base64 in JSON stays under the gateway's
                                               4 MiB body, and a lost chunk costs little to resend */
    EVIDENCE_FILENAME_MAX_CHARS = 200,
    EVIDENCE_UPLOAD_SECRET_HEX = 32, /* 128 random bits name an upload */
    EVIDENCE_ID_MAX = 160,
};

/* The accepted types, for messages: what INVALID_ARGUMENT lists. */
extern const char EVIDENCE_ALLOWED_TYPES[];

/* The type of `len` bytes: a PDF, PNG or JPEG by its signature, a DOCX or XLSX by the parts of
 * its zip container, or plain text (valid UTF-8 without control characters other than tab,
 * newline, carriage return and form feed). Sets *content_type (a static string) or returns -1
 * with INVALID_ARGUMENT naming what was found and the allowed types. */
int evidence_detect(const uint8_t *data, size_t len, const char **content_type, struct err *e);

/* A file name as shown and offered back on download: 1-200 characters of valid UTF-8, no
 * control characters, no slash or backslash, not "." or "..". */
bool evidence_filename_valid(const char *name);

/* The State's evidence quota (UNIC_EVIDENCE_QUOTA_BYTES), decided by the store under the State's
 * lock from the usage it read there. An upload of `size` bytes may begin while the documents held
 * (`used`) and the uploads open (`pending`) leave room for it: refused before a byte is sent.
 * Attaching `len` bytes may not take `used` past the quota, unless the State holds the same
 * content already (`held`): stored once, it costs nothing more. RESOURCE_EXHAUSTED naming the
 * setting and the figures otherwise. */
int evidence_quota_begin(const char *state, long long size, long long used, long long pending,
                         long long quota, struct err *e);
int evidence_quota_attach(const char *state, long long len, long long used, bool held,
                          long long quota, struct err *e);

/* "KEN-2025-cip-self-assessment/7" -> the assessment id (into aid, ASSESSMENT_ID_MAX + 1 bytes)
 * and 7. False when `id` is not of that shape. */
bool evidence_document_id_parse(const char *id, char *aid, size_t aid_size, long long *seq);
/* "KEN-2025-cip-self-assessment/u-<32 hex>" -> the assessment id. False otherwise. */
bool evidence_upload_id_parse(const char *id, char *aid, size_t aid_size);

#endif
