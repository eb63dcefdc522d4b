/* rpc_wire.c: the one place where protobuf-c bytes meet gRPC byte buffers; the reader pairs its
 * init with its destroy here so no caller has to. */
#include "rpc_wire.h"

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

ProtobufCMessage *rpc_wire_unpack(grpc_byte_buffer *buffer, const ProtobufCMessageDescriptor *desc)
{
    grpc_byte_buffer_reader reader;
    if (!grpc_byte_buffer_reader_init(&reader, buffer))
        return NULL;
    grpc_slice all = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, GRPC_SLICE_LENGTH(all),
                                                    GRPC_SLICE_START_PTR(all));
    grpc_slice_unref(all);
    return m;
}
