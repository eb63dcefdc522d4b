/* reflection.h: gRPC server reflection (grpc.reflection.v1 and v1alpha, the same wire format)
 * answered from a FileDescriptorSet that protoc writes at build time and the runtime embeds
 * (unic_descriptor_set, every contract under proto/), so clients such as buf curl and grpcurl
 * need no .proto files. The rpc runtime serves it as a bidirectional stream on every service.
 *
 * Ownership: struct reflection keeps pointers into the descriptor set, which must outlive it;
 * reflection_free releases the index. Replies are allocated in the caller's arena. */
#ifndef UNIC_REFLECTION_H
#define UNIC_REFLECTION_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "grpc/reflection/v1/reflection.pb-c.h"
#include "mem.h"

extern const unsigned char unic_descriptor_set[];
extern const size_t unic_descriptor_set_len;

struct reflection;

/* Indexes `set` (a serialized google.protobuf.FileDescriptorSet) and remembers the `n` service
 * names list_services reports. NULL with *e set when the set is malformed. */
struct reflection *reflection_new(const uint8_t *set, size_t len, const char *const *services,
                                  size_t n, struct err *e);
void reflection_free(struct reflection *r); /* NULL-safe */

/* The answer to one request of the stream: a list of services, a file with the files it imports
 * (transitively, the asked-for file first), or an error_response naming what was not found. */
Grpc__Reflection__V1__ServerReflectionResponse *
reflection_answer(const struct reflection *r, const Grpc__Reflection__V1__ServerReflectionRequest *req,
                  struct arena *a);

#endif
