/* rpc_wire.h: protobuf-c messages to and from gRPC byte buffers, for the server and client halves
 * of the runtime (internal to common/). Buffers returned are the caller's to destroy; bytes read
 * belong to the arena given. */
#ifndef UNIC_RPC_WIRE_H
#define UNIC_RPC_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <grpc/grpc.h>
#include <protobuf-c/protobuf-c.h>

#include "mem.h"

struct rpc_shared;

grpc_byte_buffer *rpc_wire_pack(const ProtobufCMessage *m);
grpc_byte_buffer *rpc_wire_bytes(const uint8_t *bytes, size_t len);
/* A buffer over the shared bytes of `s`, referencing them, not copying (rpc.h). */
grpc_byte_buffer *rpc_wire_shared(const struct rpc_shared *s);
/* The buffer's bytes, copied into arena `a` (one spare byte, so never NULL). -1 when the buffer
 * cannot be read (a compressed payload it cannot inflate). */
int rpc_wire_read(grpc_byte_buffer *buffer, struct arena *a, uint8_t **bytes, size_t *len);

/* The call's request id: the client's x-request-id when it is 1 to 64 letters, digits, '-', '_'
 * or '.', else a new random one (32 hex digits). `out` holds LOG_REQUEST_ID_MAX bytes. */
void rpc_wire_request_id(const grpc_metadata_array *md, char *out);

#endif
