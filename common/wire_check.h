/* wire_check.h: every string of an incoming message checked on the wire, before protobuf-c
 * unpacks it: protobuf-c cuts a string at an embedded NUL without a word ("visible\0HIDDEN"
 * becomes "visible") and accepts invalid UTF-8, which PostgreSQL would then refuse. Pure, no
 * allocation. */
#ifndef UNIC_WIRE_CHECK_H
#define UNIC_WIRE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "err.h"

/* 0 when every string field of the message in buf (nested and repeated ones too) is valid UTF-8
 * with no NUL or other control character but tab, newline and carriage return; else -1 with
 * INVALID_ARGUMENT naming the field as a path ("answers[2].narrative"). Bytes that are not a
 * message of `desc` are left for the unpacker to refuse. Field-specific rules (no newline in
 * an identifier) stay with the handlers' validation. */
int wire_check_strings(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
                       struct err *e);

#endif
