/* pbjson.h: the proto3 JSON mapping, driven by protobuf-c descriptors, so that any message of the
 * suite turns into JSON and back with no per-message code (the gateway's Connect JSON dialect).
 *
 * Out: lowerCamelCase names, 64-bit integers as strings, enums by name (a number when the value
 * has no name), bytes as padded base64, NaN and infinities as "NaN" / "Infinity" / "-Infinity",
 * fields holding their default value omitted unless emit_defaults is set (a set oneof member is
 * always written: its presence is the information).
 * In: the lowerCamelCase or the proto name of each field; integers as numbers or strings; enums
 * by name or number; bytes in standard or URL-safe base64, padded or not; null means absent.
 * Anything else (unknown field, two spellings of one field, two members of one oneof, wrong type,
 * out of range, unknown enum name, bad base64, invalid UTF-8, nesting past PBJSON_MAX_DEPTH) is
 * INVALID_ARGUMENT naming the field by its path, e.g. `answers[2].level`.
 * Map fields are not mapped as JSON objects: no message of proto/ has one.
 *
 * Ownership: buffers returned through *out are the caller's, freed with free(). */
#ifndef UNIC_PBJSON_H
#define UNIC_PBJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "err.h"

#define PBJSON_MAX_DEPTH 32

/* JSON text (`len` bytes, not necessarily NUL-terminated) of a `desc` message to its protobuf
 * binary encoding. Returns 0 with *out (never NULL) and *out_len set, or -1 with *e set. */
int pbjson_to_binary(const ProtobufCMessageDescriptor *desc, const char *json, size_t len,
                     uint8_t **out, size_t *out_len, struct err *e);

/* A message to NUL-terminated JSON text (*out_len excludes the NUL). Cannot fail. */
void pbjson_from_message(const ProtobufCMessage *m, bool emit_defaults, char **out,
                         size_t *out_len);

/* The protobuf binary encoding of a `desc` message to JSON text. Returns -1 with *e set
 * (INVALID_ARGUMENT) when the bytes are not such a message. */
int pbjson_from_binary(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
                       bool emit_defaults, char **out, size_t *out_len, struct err *e);

/* The proto3 JSON name of a proto field name ("questionnaire_id" -> "questionnaireId") into buf;
 * always NUL-terminates. */
void pbjson_json_name(const char *proto_name, char *buf, size_t size);

#endif
