/* pbuf.h: protobuf-c messages in a per-call arena. One ProtobufCAllocator over struct arena, so a
 * message unpacked here lives exactly as long as the arena and is never freed on its own.
 * Ownership: everything returned belongs to the arena `a`; nothing here touches the heap.
 * Owned by common/ (the runtime); services and the gateway use it as it is. */
#ifndef UNIC_PBUF_H
#define UNIC_PBUF_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "mem.h"

/* An allocator whose blocks come from `a` and whose free does nothing (arena_destroy frees). */
ProtobufCAllocator pbuf_allocator(struct arena *a);
/* Packs m into the arena; *len gets the size. The buffer has one spare byte, so an empty message
 * still gets a non-NULL pointer. */
uint8_t *pbuf_pack(struct arena *a, const ProtobufCMessage *m, size_t *len);
/* Unpacks `len` bytes as a `desc` message in the arena; NULL when they are not one. */
ProtobufCMessage *pbuf_unpack(struct arena *a, const ProtobufCMessageDescriptor *desc,
                              const uint8_t *bytes, size_t len);

#endif
