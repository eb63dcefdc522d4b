/* wire_check.c: a walk over the protobuf wire format guided by the message descriptors, which
 * still sees each string's true length. Counting occurrences of each repeated field gives the
 * index that names the offending element. */
#include "wire_check.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

enum { DEPTH_MAX = 32, FIELDS_MAX = 128 };

static bool varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            *out = v;
            return true;
        }
    }
    return false;
}

static int walk(const ProtobufCMessageDescriptor *desc, const uint8_t *p, const uint8_t *end,
                char *path, size_t plen, size_t psize, int depth, struct err *e)
{
    unsigned seen[FIELDS_MAX] = {0};
    if (depth > DEPTH_MAX)
        return 0; /* our messages are not recursive; leave the rest to the unpacker */
    while (p < end) {
        uint64_t key, len;
        if (!varint(&p, end, &key))
            return 0;
        unsigned wire = (unsigned)(key & 7);
        uint32_t number = (uint32_t)(key >> 3);
        if (wire == 0) {
            if (!varint(&p, end, &len))
                return 0;
            continue;
        }
        if (wire == 1 || wire == 5) {
            size_t n = wire == 1 ? 8 : 4;
            if ((size_t)(end - p) < n)
                return 0;
            p += n;
            continue;
        }
        if (wire != 2 || !varint(&p, end, &len) || len > (uint64_t)(end - p))
            return 0;
        const uint8_t *value = p;
        p += len;
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(desc, number);
        if (f == NULL || (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE))
            continue;
        size_t idx = (size_t)(f - desc->fields);
        unsigned nth = idx < FIELDS_MAX ? seen[idx]++ : 0;
        int w = f->label == PROTOBUF_C_LABEL_REPEATED
                    ? snprintf(path + plen, psize - plen, "%s%s[%u]", plen ? "." : "", f->name, nth)
                    : snprintf(path + plen, psize - plen, "%s%s", plen ? "." : "", f->name);
        size_t sub = w < 0 || (size_t)w >= psize - plen ? psize - 1 : plen + (size_t)w;
        if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            if (walk(f->descriptor, value, value + len, path, sub, psize, depth + 1, e) < 0)
                return -1;
        } else if (!text_valid_bytes(value, (size_t)len, true, NULL)) {
            bool nul = memchr(value, '\0', (size_t)len) != NULL;
            return err_field(e, path, "%s",
                             nul ? "contains a NUL byte"
                                 : "not valid UTF-8 without control characters (tab, newline"
                                   " and carriage return aside)");
        }
        path[plen] = '\0';
    }
    return 0;
}

int wire_check_strings(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
                       struct err *e)
{
    char path[256] = "";
    return walk(desc, buf, buf + len, path, 0, sizeof path, 0, e);
}
