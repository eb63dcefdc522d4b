/* err.c: filling struct err, and the names of gRPC status codes.
 * See err.h for the calling convention. */
#include "err.h"

#include <stdio.h>
#include <string.h>

int err_setv(struct err *e, int code, const char *fmt, va_list ap)
{
    if (e == NULL)
        return -1;
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    e->hint[0] = '\0';
    return -1;
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, code, fmt, ap);
    va_end(ap);
    return -1;
}

__attribute__((format(printf, 3, 0)))
static int err_fieldv(struct err *e, const char *field, const char *fmt, va_list ap)
{
    if (e == NULL)
        return -1;
    char what[sizeof e->msg];
    vsnprintf(what, sizeof what, fmt, ap);
    return err_set(e, ERR_INVALID_ARGUMENT, "%s: %s", field, what);
}

int err_field(struct err *e, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_fieldv(e, field, fmt, ap);
    va_end(ap);
    return -1;
}

int err_field_at(struct err *e, const char *list, size_t i, const char *member, const char *fmt,
                 ...)
{
    char field[160];
    snprintf(field, sizeof field, "%s[%zu]%s%s", list, i, member ? "." : "", member ? member : "");
    va_list ap;
    va_start(ap, fmt);
    err_fieldv(e, field, fmt, ap);
    va_end(ap);
    return -1;
}

int err_hint(struct err *e, const char *fmt, ...)
{
    if (e == NULL)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->hint, sizeof e->hint, fmt, ap);
    va_end(ap);
    return -1;
}

void err_clear(struct err *e)
{
    e->code = ERR_OK;
    e->msg[0] = '\0';
    e->hint[0] = '\0';
}

const char *err_code_name(int code)
{
    static const char *const names[] = {
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
        "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED",
    };
    if (code < 0 || code >= (int)(sizeof names / sizeof names[0]))
        return "UNKNOWN";
    return names[code];
}
