/* rpc_wire.c: the one place where protobuf-c bytes meet gRPC byte buffers; the reader pairs its
 * init with its destroy here so no caller has to. */
#include "rpc_wire.h"

#include <string.h>

#include <grpc/byte_buffer_reader.h>

grpc_byte_buffer *rpc_wire_bytes(const uint8_t *bytes, size_t len)
{
    grpc_slice s = grpc_slice_from_copied_buffer((const char *)bytes, len);
    grpc_byte_buffer *b = grpc_raw_byte_buffer_create(&s, 1);
    grpc_slice_unref(s);
    return b;
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
