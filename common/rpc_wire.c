/* rpc_wire.c: the one place where protobuf-c bytes meet gRPC byte buffers; the reader pairs its
 * init with its destroy here so no caller has to. */
#include "rpc_wire.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <grpc/byte_buffer_reader.h>

#include "digest.h"
#include "log.h"
#include "rpc.h"

grpc_byte_buffer *rpc_wire_bytes(const uint8_t *bytes, size_t len)
{
    grpc_slice s = grpc_slice_from_copied_buffer((const char *)bytes, len);
    grpc_byte_buffer *b = grpc_raw_byte_buffer_create(&s, 1);
    grpc_slice_unref(s);
    return b;
}

struct rpc_shared {
    grpc_slice slice; /* refcounted: each reply's byte buffer holds a reference of its own */
};

struct rpc_shared *rpc_shared_new(const void *bytes, size_t len)
{
    struct rpc_shared *s = xcalloc(1, sizeof *s);
    s->slice = grpc_slice_from_copied_buffer((const char *)bytes, len);
    return s;
}

size_t rpc_shared_len(const struct rpc_shared *s)
{
    return GRPC_SLICE_LENGTH(s->slice);
}

void rpc_shared_free(struct rpc_shared *s)
{
    if (s == NULL)
        return;
    grpc_slice_unref(s->slice);
    free(s);
}

grpc_byte_buffer *rpc_wire_shared(const struct rpc_shared *s)
{
    grpc_slice slice = s->slice; /* grpc_raw_byte_buffer_create takes its own reference */
    return grpc_raw_byte_buffer_create(&slice, 1);
}

grpc_byte_buffer *rpc_wire_pack(const ProtobufCMessage *m)
{
    size_t len = protobuf_c_message_get_packed_size(m);
    grpc_slice s = grpc_slice_malloc(len);
    protobuf_c_message_pack(m, GRPC_SLICE_START_PTR(s));
    grpc_byte_buffer *b = grpc_raw_byte_buffer_create(&s, 1);
    grpc_slice_unref(s);
    return b;
}

int rpc_wire_read(grpc_byte_buffer *buffer, struct arena *a, uint8_t **bytes, size_t *len)
{
    grpc_byte_buffer_reader reader;
    if (!grpc_byte_buffer_reader_init(&reader, buffer))
        return -1;
    grpc_slice all = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    *len = GRPC_SLICE_LENGTH(all);
    *bytes = arena_alloc(a, *len + 1);
    memcpy(*bytes, GRPC_SLICE_START_PTR(all), *len);
    grpc_slice_unref(all);
    return 0;
}

static bool request_id_ok(const grpc_slice *v)
{
    size_t n = GRPC_SLICE_LENGTH(*v);
    const uint8_t *p = GRPC_SLICE_START_PTR(*v);
    if (n == 0 || n >= LOG_REQUEST_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
              (p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '_' || p[i] == '.'))
            return false;
    return true;
}

/* 16 random bytes for a request id. They come from getrandom(2) 1 KiB at a time, kept per
 * thread: one system call per 64 calls instead of one per call, and the ids as random. */
static void request_id_random(uint8_t r[16])
{
    static _Thread_local uint8_t pool[1024];
    static _Thread_local size_t pos, end;
    if (end - pos < 16) {
        ssize_t n = getrandom(pool, sizeof pool, 0);
        pos = 0;
        end = n > 0 ? (size_t)n & ~(size_t)15 : 0;
    }
    if (end - pos < 16) { /* never on Linux 3.17+; still unique */
        static _Atomic unsigned long counter;
        memset(r, 0, 16);
        snprintf((char *)r, 16, "%lx", (unsigned long)++counter);
        return;
    }
    memcpy(r, pool + pos, 16);
    memset(pool + pos, 0, 16); /* an id handed out is not kept */
    pos += 16;
}

void rpc_wire_request_id(const grpc_metadata_array *md, char *out)
{
    for (size_t i = 0; i < md->count; i++) {
        const grpc_metadata *m = &md->metadata[i];
        if (grpc_slice_str_cmp(m->key, "x-request-id") == 0 && request_id_ok(&m->value)) {
            size_t n = GRPC_SLICE_LENGTH(m->value); /* < LOG_REQUEST_ID_MAX: request_id_ok */
            memcpy(out, GRPC_SLICE_START_PTR(m->value), n);
            out[n] = '\0';
            return;
        }
    }
    uint8_t r[16];
    request_id_random(r);
    hex_encode(out, r, sizeof r);
}
