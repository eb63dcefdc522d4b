/* service.c: the catalog's RPC handlers: validate the request, call the store, return the reply.
 * The table at the bottom maps each method of catalog.proto to its handler. */
#include "catalog.h"

static int list_topics(struct call *c, const ProtobufCMessage *m, ProtobufCMessage **out, struct err *e)
{
    (void)m;
    Unic__Catalog__V1__ListTopicsResponse *r = ARENA_MSG(
        &c->arena, Unic__Catalog__V1__ListTopicsResponse, UNIC__CATALOG__V1__LIST_TOPICS_RESPONSE__INIT);
    if (store_topics_list(c->db, &c->arena, &r->topics, &r->n_topics, e) < 0)
        return -1;
    *out = &r->base;
    return 0;
}

static int list_states(struct call *c, const ProtobufCMessage *m, ProtobufCMessage **out, struct err *e)
{
    (void)m;
    Unic__Catalog__V1__ListStatesResponse *r = ARENA_MSG(
        &c->arena, Unic__Catalog__V1__ListStatesResponse, UNIC__CATALOG__V1__LIST_STATES_RESPONSE__INIT);
    if (store_states_list(c->db, &c->arena, &r->states, &r->n_states, e) < 0)
        return -1;
    *out = &r->base;
    return 0;
}

static const struct rpc_method methods[] = {
    {"ListTopics", list_topics},
    {"ListStates", list_states},
};

const struct rpc_service catalog_rpc = {
    &unic__catalog__v1__catalog_service__descriptor, methods, sizeof methods / sizeof methods[0],
};
