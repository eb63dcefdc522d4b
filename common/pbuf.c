/* pbuf.c: the one protobuf-c allocator over the per-call arena, and packing into it.
 * See pbuf.h for ownership. */
#include "pbuf.h"

static void *pbuf_alloc(void *data, size_t size)
{
    return arena_alloc(data, size);
}

static void pbuf_free(void *data, void *p)
{
    (void)data;
    (void)p; /* the arena frees every block at once */
}

ProtobufCAllocator pbuf_allocator(struct arena *a)
{
    return (ProtobufCAllocator){.alloc = pbuf_alloc, .free = pbuf_free, .allocator_data = a};
}

uint8_t *pbuf_pack(struct arena *a, const ProtobufCMessage *m, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(m);
    uint8_t *p = arena_alloc(a, *len + 1);
    protobuf_c_message_pack(m, p);
    return p;
}

ProtobufCMessage *pbuf_unpack(struct arena *a, const ProtobufCMessageDescriptor *desc,
                              const uint8_t *bytes, size_t len)
{
    ProtobufCAllocator al = pbuf_allocator(a);
    return protobuf_c_message_unpack(desc, &al, len, bytes);
}
