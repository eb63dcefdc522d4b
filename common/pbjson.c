/* pbjson.c: the proto3 JSON mapping over protobuf-c descriptors (see pbjson.h for the rules).
 * JSON in is parsed by jansson and written straight to protobuf wire format, so no message
 * struct is built on the way in; JSON out walks the unpacked message. */
#include "pbjson.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bytes.h"
#include "mem.h"
#include "pbuf.h"

static void put_varint(struct bytes *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            tmp[n] |= 0x80;
        n++;
    } while (v);
    bytes_append(b, tmp, n);
}

static void put_fixed(struct bytes *b, uint64_t v, size_t bytes)
{
    uint8_t tmp[8];
    for (size_t i = 0; i < bytes; i++)
        tmp[i] = (uint8_t)(v >> (8 * i));
    bytes_append(b, tmp, bytes);
}

/* ---- Names and base64 ---- */

void pbjson_json_name(const char *proto_name, char *buf, size_t size)
{
    size_t n = 0;
    bool upper = false;
    for (const char *p = proto_name; *p && n + 1 < size; p++) {
        if (*p == '_') {
            upper = true;
            continue;
        }
        buf[n++] = upper && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
        upper = false;
    }
    buf[n] = '\0';
}

/* ---- JSON in: jansson values to wire format ---- */

struct dec {
    struct err *e;
    char path[480]; /* the field being decoded, e.g. "answers[2].level" */
    size_t path_len;
};

static size_t path_push_name(struct dec *d, const char *name)
{
    size_t saved = d->path_len;
    int n = snprintf(d->path + d->path_len, sizeof d->path - d->path_len, "%s%s",
                     d->path_len ? "." : "", name);
    if (n > 0)
        d->path_len = d->path_len + (size_t)n < sizeof d->path ? d->path_len + (size_t)n
                                                                : sizeof d->path - 1;
    return saved;
}

static size_t path_push_index(struct dec *d, size_t i)
{
    size_t saved = d->path_len;
    int n = snprintf(d->path + d->path_len, sizeof d->path - d->path_len, "[%zu]", i);
    if (n > 0)
        d->path_len = d->path_len + (size_t)n < sizeof d->path ? d->path_len + (size_t)n
                                                                : sizeof d->path - 1;
    return saved;
}

static void path_pop(struct dec *d, size_t saved)
{
    d->path_len = saved;
    d->path[saved] = '\0';
}

__attribute__((format(printf, 2, 3))) static int dec_fail(struct dec *d, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return err_set(d->e, ERR_INVALID_ARGUMENT, "field \"%s\": %s", d->path, what);
}

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a fractional number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a JSON value";
}

/* A decimal integer written as a JSON string: optional '-', digits, nothing else. */
static bool parse_decimal(const char *s, bool allow_minus, bool *neg, uint64_t *mag)
{
    *neg = false;
    if (*s == '-' && allow_minus) {
        *neg = true;
        s++;
    }
    if (*s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return false;
    *mag = v;
    return true;
}

static int get_signed(struct dec *d, const json_t *v, int64_t min, int64_t max, int64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < min || x > max)
            return dec_fail(d, "%lld is out of range (%lld to %lld)", (long long)x, (long long)min,
                            (long long)max);
        *out = (int64_t)x;
        return 0;
    }
    if (json_is_real(v)) {
        double x = json_real_value(v);
        if (x != floor(x) || x < (double)min || x >= -(double)min || x > (double)max)
            return dec_fail(d, "%g is not an integer from %lld to %lld", x, (long long)min,
                            (long long)max);
        *out = (int64_t)x;
        return 0;
    }
    if (json_is_string(v)) {
        bool neg;
        uint64_t mag;
        if (!parse_decimal(json_string_value(v), true, &neg, &mag) ||
            (neg ? mag > (uint64_t)max + 1 || -(int64_t)(mag - 1) - 1 < min : mag > (uint64_t)max))
            return dec_fail(d, "\"%s\" is not an integer from %lld to %lld", json_string_value(v),
                            (long long)min, (long long)max);
        *out = neg ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
        if (neg && mag == 0)
            *out = 0;
        return 0;
    }
    return dec_fail(d, "expected an integer, got %s", json_kind(v));
}

static int get_unsigned(struct dec *d, const json_t *v, uint64_t max, uint64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < 0 || (uint64_t)x > max)
            return dec_fail(d, "%lld is out of range (0 to %llu)", (long long)x,
                            (unsigned long long)max);
        *out = (uint64_t)x;
        return 0;
    }
    if (json_is_real(v)) {
        double x = json_real_value(v);
        if (x != floor(x) || x < 0 || x >= 18446744073709551616.0 || x > (double)max)
            return dec_fail(d, "%g is not an integer from 0 to %llu", x, (unsigned long long)max);
        *out = (uint64_t)x;
        return 0;
    }
    if (json_is_string(v)) {
        bool neg;
        uint64_t mag;
        if (!parse_decimal(json_string_value(v), false, &neg, &mag) || mag > max)
            return dec_fail(d, "\"%s\" is not an integer from 0 to %llu", json_string_value(v),
                            (unsigned long long)max);
        *out = mag;
        return 0;
    }
    return dec_fail(d, "expected an integer, got %s", json_kind(v));
}

static int get_double(struct dec *d, const json_t *v, bool is_float, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (strcmp(s, "NaN") == 0) {
            *out = NAN;
            return 0;
        }
        if (strcmp(s, "Infinity") == 0 || strcmp(s, "-Infinity") == 0) {
            *out = s[0] == '-' ? -INFINITY : INFINITY;
            return 0;
        }
        char *end;
        errno = 0;
        *out = strtod(s, &end);
        /* strtod also reads "inf", "nan" and hex: only JSON number syntax is a number here */
        if (*s == '\0' || *end != '\0' || errno == ERANGE || !isfinite(*out) ||
            strpbrk(s, "xXiInN") != NULL)
            return dec_fail(d, "\"%s\" is not a number", s);
    } else {
        return dec_fail(d, "expected a number, got %s", json_kind(v));
    }
    if (is_float && isfinite(*out) && fabs(*out) > FLT_MAX)
        return dec_fail(d, "%g is out of range for a float", *out);
    return 0;
}

static int enc_message(struct dec *d, const ProtobufCMessageDescriptor *desc, const json_t *obj,
                       struct bytes *out, int depth);

static unsigned wire_type(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT: return 5;
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: return 1;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE: return 2;
    default: return 0;
    }
}

static void enum_names(const ProtobufCEnumDescriptor *ed, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < ed->n_values && n < size; i++) {
        int w = snprintf(buf + n, size - n, "%s%s", i ? ", " : "", ed->values[i].name);
        if (w < 0)
            break;
        n += (size_t)w;
    }
}

/* Writes the value of one (non-repeated, or one element of a repeated) field with no tag.
 * *zero is set when the value is its type's default (proto3 omits those on the wire). */
static int enc_value(struct dec *d, const ProtobufCFieldDescriptor *f, const json_t *v,
                     struct bytes *out, bool *zero, int depth)
{
    int64_t i;
    uint64_t u;
    double x;
    *zero = false;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        if (get_signed(d, v, INT32_MIN, INT32_MAX, &i) < 0)
            return -1;
        *zero = i == 0;
        if (f->type == PROTOBUF_C_TYPE_SINT32)
            put_varint(out, ((uint32_t)i << 1) ^ (uint32_t)-(int32_t)((uint32_t)i >> 31));
        else if (f->type == PROTOBUF_C_TYPE_SFIXED32)
            put_fixed(out, (uint32_t)i, 4);
        else
            put_varint(out, (uint64_t)i);
        return 0;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        if (get_signed(d, v, INT64_MIN, INT64_MAX, &i) < 0)
            return -1;
        *zero = i == 0;
        if (f->type == PROTOBUF_C_TYPE_SINT64)
            put_varint(out, ((uint64_t)i << 1) ^ (uint64_t)-(int64_t)((uint64_t)i >> 63));
        else if (f->type == PROTOBUF_C_TYPE_SFIXED64)
            put_fixed(out, (uint64_t)i, 8);
        else
            put_varint(out, (uint64_t)i);
        return 0;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        if (get_unsigned(d, v, UINT32_MAX, &u) < 0)
            return -1;
        *zero = u == 0;
        if (f->type == PROTOBUF_C_TYPE_FIXED32)
            put_fixed(out, u, 4);
        else
            put_varint(out, u);
        return 0;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        if (get_unsigned(d, v, UINT64_MAX, &u) < 0)
            return -1;
        *zero = u == 0;
        if (f->type == PROTOBUF_C_TYPE_FIXED64)
            put_fixed(out, u, 8);
        else
            put_varint(out, u);
        return 0;
    case PROTOBUF_C_TYPE_FLOAT: {
        if (get_double(d, v, true, &x) < 0)
            return -1;
        float fl = (float)x;
        uint32_t bits;
        memcpy(&bits, &fl, 4);
        *zero = bits == 0;
        put_fixed(out, bits, 4);
        return 0;
    }
    case PROTOBUF_C_TYPE_DOUBLE: {
        if (get_double(d, v, false, &x) < 0)
            return -1;
        uint64_t bits;
        memcpy(&bits, &x, 8);
        *zero = bits == 0;
        put_fixed(out, bits, 8);
        return 0;
    }
    case PROTOBUF_C_TYPE_BOOL:
        if (!json_is_boolean(v))
            return dec_fail(d, "expected true or false, got %s", json_kind(v));
        *zero = json_is_false(v);
        put_varint(out, json_is_true(v) ? 1 : 0);
        return 0;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *ed = f->descriptor;
        if (json_is_string(v)) {
            const ProtobufCEnumValue *ev =
                protobuf_c_enum_descriptor_get_value_by_name(ed, json_string_value(v));
            if (ev == NULL) {
                char names[300];
                enum_names(ed, names, sizeof names);
                return dec_fail(d, "\"%s\" is not a value of %s (valid values: %s)",
                                json_string_value(v), ed->name, names);
            }
            i = ev->value;
        } else if (json_is_integer(v)) {
            /* proto3 enums are open: a number with no name is kept, as on the wire */
            if (get_signed(d, v, INT32_MIN, INT32_MAX, &i) < 0)
                return -1;
        } else {
            return dec_fail(d, "expected the name of a %s value, got %s", ed->name, json_kind(v));
        }
        *zero = i == 0;
        put_varint(out, (uint64_t)i);
        return 0;
    }
    case PROTOBUF_C_TYPE_STRING: {
        if (!json_is_string(v))
            return dec_fail(d, "expected a string, got %s", json_kind(v));
        size_t n = json_string_length(v);
        *zero = n == 0;
        put_varint(out, n);
        bytes_append(out, json_string_value(v), n);
        return 0;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        if (!json_is_string(v))
            return dec_fail(d, "expected base64 text, got %s", json_kind(v));
        struct bytes raw = {0};
        if (bytes_unbase64(&raw, json_string_value(v), json_string_length(v)) < 0) {
            bytes_destroy(&raw);
            return dec_fail(d, "not valid base64");
        }
        *zero = raw.len == 0;
        put_varint(out, raw.len);
        bytes_append(out, raw.data, raw.len);
        bytes_destroy(&raw);
        return 0;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        if (!json_is_object(v))
            return dec_fail(d, "expected an object (%s), got %s",
                            ((const ProtobufCMessageDescriptor *)f->descriptor)->name, json_kind(v));
        struct bytes sub = {0};
        int rc = enc_message(d, f->descriptor, v, &sub, depth + 1);
        if (rc == 0) {
            put_varint(out, sub.len);
            bytes_append(out, sub.data, sub.len);
        }
        bytes_destroy(&sub);
        return rc;
    }
    }
    return dec_fail(d, "has an unsupported type");
}

static bool packable(ProtobufCType t)
{
    return t != PROTOBUF_C_TYPE_STRING && t != PROTOBUF_C_TYPE_BYTES && t != PROTOBUF_C_TYPE_MESSAGE;
}

static int enc_field(struct dec *d, const ProtobufCFieldDescriptor *f, const json_t *v,
                     struct bytes *out, int depth)
{
    bool zero;
    uint64_t tag = (uint64_t)f->id << 3;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        if (!json_is_array(v))
            return dec_fail(d, "expected an array, got %s", json_kind(v));
        bool packed = (f->flags & PROTOBUF_C_FIELD_FLAG_PACKED) && packable(f->type);
        struct bytes elems = {0};
        int rc = 0;
        for (size_t i = 0; i < json_array_size(v) && rc == 0; i++) {
            const json_t *el = json_array_get(v, i);
            size_t saved = path_push_index(d, i);
            if (json_is_null(el)) {
                rc = dec_fail(d, "null is not allowed in a list");
            } else {
                if (!packed)
                    put_varint(out, tag | wire_type(f->type));
                rc = enc_value(d, f, el, packed ? &elems : out, &zero, depth);
            }
            path_pop(d, saved);
        }
        if (rc == 0 && packed && elems.len > 0) {
            put_varint(out, tag | 2);
            put_varint(out, elems.len);
            bytes_append(out, elems.data, elems.len);
        }
        bytes_destroy(&elems);
        return rc;
    }
    struct bytes val = {0};
    int rc = enc_value(d, f, v, &val, &zero, depth);
    /* proto3 leaves defaults off the wire, except where presence is the point (oneof, messages) */
    bool omit = zero && f->label == PROTOBUF_C_LABEL_NONE && !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
                f->type != PROTOBUF_C_TYPE_MESSAGE;
    if (rc == 0 && !omit) {
        put_varint(out, tag | wire_type(f->type));
        bytes_append(out, val.data, val.len);
    }
    bytes_destroy(&val);
    return rc;
}

static const ProtobufCFieldDescriptor *field_by_json_key(const ProtobufCMessageDescriptor *desc,
                                                         const char *key, unsigned *index)
{
    char json_name[256];
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (strcmp(f->name, key) != 0) {
            pbjson_json_name(f->name, json_name, sizeof json_name);
            if (strcmp(json_name, key) != 0)
                continue;
        }
        *index = i;
        return f;
    }
    return NULL;
}

/* Checks every key first, then writes the fields in descriptor order, so the bytes are the ones
 * protobuf-c itself would pack whatever the order of the JSON keys. */
static int enc_message(struct dec *d, const ProtobufCMessageDescriptor *desc, const json_t *obj,
                       struct bytes *out, int depth)
{
    if (depth > PBJSON_MAX_DEPTH)
        return dec_fail(d, "messages nested more than %d deep", PBJSON_MAX_DEPTH);
    unsigned n = desc->n_fields ? desc->n_fields : 1;
    const json_t **vals = xcalloc(n, sizeof *vals);
    const char **keys = xcalloc(n, sizeof *keys);
    int rc = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        unsigned idx;
        size_t saved = path_push_name(d, key);
        const ProtobufCFieldDescriptor *f = field_by_json_key(desc, key, &idx);
        if (f == NULL) {
            rc = err_set(d->e, ERR_INVALID_ARGUMENT, "field \"%s\" is not a field of %s", d->path,
                         desc->name);
            goto done;
        }
        if (keys[idx]) {
            rc = dec_fail(d, "given twice (as \"%s\" and \"%s\")", keys[idx], key);
            goto done;
        }
        keys[idx] = key;
        if (json_is_null(v)) /* null is the default: the field stays unset */
            continue;
        vals[idx] = v;
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            for (unsigned j = 0; j < desc->n_fields; j++) {
                const ProtobufCFieldDescriptor *g = &desc->fields[j];
                if (j != idx && vals[j] && (g->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
                    g->quantifier_offset == f->quantifier_offset) {
                    rc = dec_fail(d, "set together with \"%s\", but only one of them may be set",
                                  keys[j]);
                    goto done;
                }
            }
        }
        path_pop(d, saved);
    }
    for (unsigned i = 0; i < desc->n_fields; i++) {
        if (vals[i] == NULL)
            continue;
        size_t saved = path_push_name(d, keys[i]);
        if ((rc = enc_field(d, &desc->fields[i], vals[i], out, depth)) < 0)
            goto done;
        path_pop(d, saved);
    }
done:
    free(keys);
    free(vals);
    return rc;
}

int pbjson_to_binary(const ProtobufCMessageDescriptor *desc, const char *json, size_t len,
                     uint8_t **out, size_t *out_len, struct err *e)
{
    struct dec d = {.e = e};
    struct bytes b = {0};
    json_error_t jerr;
    int rc = -1;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        err_set(e, ERR_INVALID_ARGUMENT, "could not parse the %s as JSON: %s (line %d, column %d)",
                desc->name, jerr.text, jerr.line, jerr.column);
        goto done;
    }
    if (!json_is_object(root)) {
        err_set(e, ERR_INVALID_ARGUMENT, "a %s must be a JSON object, not %s", desc->name,
                json_kind(root));
        goto done;
    }
    if (enc_message(&d, desc, root, &b, 0) < 0)
        goto done;
    *out = (uint8_t *)(char *)bytes_take(&b, out_len); /* never NULL, even for an empty message */
    rc = 0;
done:
    bytes_destroy(&b);
    json_decref(root);
    return rc;
}

/* ---- JSON out: walking an unpacked message ---- */

/* The length of the well-formed UTF-8 sequence of at most n bytes at p (no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t k = 1; k < len; k++)
        if ((p[k] & 0xc0) != 0x80)
            return 0;
    if (len == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
        return 0;
    if (len == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
        return 0;
    return len;
}

/* The escape of a byte that cannot appear in a JSON string as it is. */
static void emit_escape(struct bytes *o, uint8_t c)
{
    switch (c) {
    case '"': bytes_puts(o, "\\\""); return;
    case '\\': bytes_puts(o, "\\\\"); return;
    case '\n': bytes_puts(o, "\\n"); return;
    case '\t': bytes_puts(o, "\\t"); return;
    case '\r': bytes_puts(o, "\\r"); return;
    default:
        if (c >= 0x80) /* not part of a well-formed sequence */
            bytes_puts(o, "\\ufffd");
        else
            bytes_printf(o, "\\u%04x", c);
    }
}

/* JSON string; bytes that are not UTF-8 (protobuf-c does not check) become U+FFFD. Runs of
 * characters that need no escape are appended at once: questionnaires are mostly prose. */
static void emit_string(struct bytes *o, const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0, run = 0;
    bytes_putc(o, '"');
    while (i < n) {
        uint8_t c = p[i];
        size_t len = c >= 0x80 ? utf8_seq(p + i, n - i) : c >= 0x20 && c != 0x7f && c != '"' && c != '\\';
        if (len > 0) {
            i += len;
            continue;
        }
        bytes_append(o, p + run, i - run);
        emit_escape(o, c);
        run = ++i;
    }
    bytes_append(o, p + run, i - run);
    bytes_putc(o, '"');
}

/* A decimal integer, in quotes when `quoted` (64-bit values: JSON numbers lose precision). */
static void emit_integer(struct bytes *o, unsigned long long magnitude, bool negative, bool quoted)
{
    char tmp[24];
    char *q = tmp + sizeof tmp;
    if (quoted)
        *--q = '"';
    do {
        *--q = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (negative)
        *--q = '-';
    if (quoted)
        *--q = '"';
    bytes_append(o, q, (size_t)(tmp + sizeof tmp - q));
}

static void emit_signed(struct bytes *o, long long v, bool quoted)
{
    emit_integer(o, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v, v < 0, quoted);
}

/* The shortest decimal that reads back as the same value. */
static void emit_double(struct bytes *o, double x, bool is_float)
{
    if (isnan(x)) {
        bytes_puts(o, "\"NaN\"");
        return;
    }
    if (isinf(x)) {
        bytes_puts(o, x > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    char tmp[40];
    for (int prec = is_float ? 6 : 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, x);
        if (is_float ? strtof(tmp, NULL) == (float)x : strtod(tmp, NULL) == x)
            break;
    }
    bytes_puts(o, tmp);
}

static size_t elem_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE: return 8;
    case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
    default: return 4;
    }
}

static void emit_message(struct bytes *o, const ProtobufCMessage *m, bool defaults);

static void emit_value(struct bytes *o, const ProtobufCFieldDescriptor *f, const void *p, bool defaults)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: emit_signed(o, *(const int32_t *)p, false); return;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: emit_integer(o, *(const uint32_t *)p, false, false); return;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: emit_signed(o, *(const int64_t *)p, true); return;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: emit_integer(o, *(const uint64_t *)p, false, true); return;
    case PROTOBUF_C_TYPE_FLOAT: emit_double(o, *(const float *)p, true); return;
    case PROTOBUF_C_TYPE_DOUBLE: emit_double(o, *(const double *)p, false); return;
    case PROTOBUF_C_TYPE_BOOL: bytes_puts(o, *(const protobuf_c_boolean *)p ? "true" : "false"); return;
    case PROTOBUF_C_TYPE_ENUM: {
        int v = *(const int *)p;
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, v);
        if (ev)
            emit_string(o, ev->name, strlen(ev->name));
        else
            emit_signed(o, v, false);
        return;
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(const char *const *)p;
        emit_string(o, s ? s : "", s ? strlen(s) : 0);
        return;
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = p;
        bytes_putc(o, '"');
        bytes_base64(o, b->data, b->len);
        bytes_putc(o, '"');
        return;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)p;
        if (sub)
            emit_message(o, sub, defaults);
        else
            bytes_puts(o, "{}");
        return;
    }
    }
}

static bool value_is_default(const ProtobufCFieldDescriptor *f, const void *p)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(const char *const *)p;
        return s == NULL || s[0] == '\0';
    }
    case PROTOBUF_C_TYPE_BYTES: return ((const ProtobufCBinaryData *)p)->len == 0;
    case PROTOBUF_C_TYPE_MESSAGE: return *(const ProtobufCMessage *const *)p == NULL;
    default: {
        static const uint8_t zeros[8];
        return memcmp(p, zeros, elem_size(f->type)) == 0;
    }
    }
}

static void emit_message(struct bytes *o, const ProtobufCMessage *m, bool defaults)
{
    const ProtobufCMessageDescriptor *desc = m->descriptor;
    const char *base = (const char *)m;
    bool first = true;
    char name[256];
    bytes_putc(o, '{');
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        const void *member = base + f->offset;
        size_t count = 1;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            count = *(const size_t *)(base + f->quantifier_offset);
            if (count == 0 && !defaults)
                continue;
        } else if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            if (*(const uint32_t *)(base + f->quantifier_offset) != f->id)
                continue;
        } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            if (*(const ProtobufCMessage *const *)member == NULL)
                continue;
        } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset) {
            if (!*(const protobuf_c_boolean *)(base + f->quantifier_offset) && !defaults)
                continue;
        } else if (f->label == PROTOBUF_C_LABEL_NONE && !defaults && value_is_default(f, member)) {
            continue;
        }
        if (!first)
            bytes_putc(o, ',');
        first = false;
        pbjson_json_name(f->name, name, sizeof name);
        emit_string(o, name, strlen(name));
        bytes_putc(o, ':');
        if (f->label != PROTOBUF_C_LABEL_REPEATED) {
            emit_value(o, f, member, defaults);
            continue;
        }
        const char *arr = *(const char *const *)member;
        size_t size = elem_size(f->type);
        bytes_putc(o, '[');
        for (size_t k = 0; k < count; k++) {
            if (k)
                bytes_putc(o, ',');
            emit_value(o, f, arr + k * size, defaults);
        }
        bytes_putc(o, ']');
    }
    bytes_putc(o, '}');
}

void pbjson_from_message(const ProtobufCMessage *m, bool emit_defaults, char **out, size_t *out_len)
{
    struct bytes o = {0};
    emit_message(&o, m, emit_defaults);
    *out = (char *)bytes_take(&o, out_len);
}

int pbjson_from_binary(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
                       bool emit_defaults, char **out, size_t *out_len, struct err *e)
{
    struct arena a; /* one block for the whole message, not a malloc per field */
    arena_init(&a);
    ProtobufCMessage *m = pbuf_unpack(&a, desc, data, len);
    int rc = 0;
    if (m == NULL)
        rc = err_set(e, ERR_INVALID_ARGUMENT, "%zu bytes are not a valid %s message", len,
                     desc->name);
    else
        pbjson_from_message(m, emit_defaults, out, out_len);
    arena_destroy(&a);
    return rc;
}
