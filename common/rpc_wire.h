/* rpc_wire.h: protobuf-c messages to and from gRPC byte buffers, for the server and client halves
 * of the runtime (internal to common/). Buffers returned are the caller's to destroy; messages
 * returned are freed with protobuf_c_message_free_unpacked(m, NULL). */
#ifndef UNIC_RPC_WIRE_H
#define UNIC_RPC_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <grpc/grpc.h>
#include <protobuf-c/protobuf-c.h>

grpc_byte_buffer *rpc_wire_pack(const ProtobufCMessage *m);
grpc_byte_buffer *rpc_wire_bytes(const uint8_t *bytes, size_t len);
/* NULL when the buffer is not a valid message of `desc`. */
ProtobufCMessage *rpc_wire_unpack(grpc_byte_buffer *buffer, const ProtobufCMessageDescriptor *desc);

#endif
