/* err.h: the error a function reports to its caller, as a gRPC status code, a message and an
 * optional hint. Functions return 0 on success, or -1 after filling the caller's struct err with
 * err_set() or err_field(). Only the dispatcher (rpc_server.c) turns it into a reply and logs it.
 * struct err is plain data, owned by whoever declares it. Owned by common/: stable API. */
#ifndef UNIC_ERR_H
#define UNIC_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* gRPC status codes, numbered as in grpc/status.h, so pure modules need not include gRPC. */
enum err_code {
    ERR_OK = 0,
    ERR_CANCELLED = 1,
    ERR_UNKNOWN = 2,
    ERR_INVALID_ARGUMENT = 3,
    ERR_DEADLINE_EXCEEDED = 4,
    ERR_NOT_FOUND = 5,
    ERR_ALREADY_EXISTS = 6,
    ERR_PERMISSION_DENIED = 7,
    ERR_RESOURCE_EXHAUSTED = 8,
    ERR_FAILED_PRECONDITION = 9,
    ERR_ABORTED = 10,
    ERR_OUT_OF_RANGE = 11,
    ERR_UNIMPLEMENTED = 12,
    ERR_INTERNAL = 13,
    ERR_UNAVAILABLE = 14,
    ERR_DATA_LOSS = 15,
    ERR_UNAUTHENTICATED = 16,
};

struct err {
    int code;       /* enum err_code; ERR_OK when nothing failed */
    char msg[512];  /* lower case, no final period: what was attempted and why */
    char hint[256]; /* what would be accepted (e.g. the valid values), or "" */
};

/* Fills *e (which may be NULL) and returns -1, so callers can write `return err_set(...)`. */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int err_setv(struct err *e, int code, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
/* INVALID_ARGUMENT for request field `field` (its proto name, dotted for nested fields:
 * "answers[2].level"): the message reads "field: <what is wrong, what is allowed>". Every
 * INVALID_ARGUMENT about a request field is made here, so all read alike. Returns -1. */
int err_field(struct err *e, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* err_field for an element of a repeated field, or a member of one: the field reads
 * "<list>[<i>]" or, when member is not NULL, "<list>[<i>].<member>" ("answers[2].level"). */
int err_field_at(struct err *e, const char *list, size_t i, const char *member, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));
/* Adds a hint to an error already set (a list of valid values too long for the message).
 * Returns -1. */
int err_hint(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);
/* The canonical name of a status code, e.g. "INVALID_ARGUMENT". */
const char *err_code_name(int code);

#endif
