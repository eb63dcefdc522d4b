/* catalog_ref.h: the catalog's reference data (topics, UN Member States with their M49 regions,
 * region names) as the other services need it, one client and one policy for all of them: asked
 * of the catalog with the caller's credentials, kept in process memory as an immutable snapshot
 * shared by every thread, fetched again once older than CATALOG_REF_TTL_SECONDS (or the
 * deployment's UNIC_CACHE_TTL_SECONDS if shorter). When the catalog cannot be reached, the
 * snapshot in hand is used, stale, rather than failing the call; with none, the call fails with
 * the catalog's status.
 * Ownership: struct catalog_refs is its owner's (init/destroy); a snapshot from catalog_ref_get
 * is the caller's until catalog_ref_put (reference counted: a refresh never frees one in use). */
#ifndef UNIC_CATALOG_REF_H
#define UNIC_CATALOG_REF_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "rpc.h"
#include "unic/catalog/v1/catalog.pb-c.h"

/* Reference data changes with a catalog release: a few minutes of staleness is harmless, and
 * saves the calls on every request that names a State or a topic. */
enum { CATALOG_REF_TTL_SECONDS = 300 };

/* One period of a State's membership of a UN country group: member on D when
 * since <= D < until, "" an open bound (catalog.proto GroupMembership). */
struct ref_period {
    char group[8];
    char since[11];
    char until[11];
};

struct ref_state {
    char code[4];
    const Unic__Catalog__V1__State *full; /* the catalog's whole record, in the snapshot */
    char *region;     /* M49 region, e.g. "Africa" */
    char *sub_region; /* M49 sub-region, e.g. "Sub-Saharan Africa" */
    char *intermediate_region; /* M49 intermediate region, e.g. "Western Africa", or "" */
    bool ldc;         /* today's LDC status, the snapshot a new request keeps */
    struct ref_period *periods; /* every membership, past, present and scheduled */
    size_t n_periods;
};

/* One snapshot: immutable once built. */
struct refdata {
    int refs;             /* guarded by catalog_refs.lock */
    int64_t fetched_ms;   /* CLOCK_MONOTONIC */
    char **topics;        /* sorted */
    size_t n_topics;
    struct ref_state *states; /* sorted by code */
    size_t n_states;
    char **regions;       /* region, sub-region and intermediate region names, sorted, unique */
    size_t n_regions;
    Unic__Catalog__V1__ListStatesResponse *states_msg; /* what `full` points into */
};

struct catalog_refs {
    struct rpc_client *catalog; /* not owned */
    pthread_mutex_t lock;
    struct refdata *ref;        /* the current snapshot, or NULL before the first fetch */
    int ttl_seconds;
};

void catalog_refs_init(struct catalog_refs *r, struct rpc_client *catalog, int cache_ttl_seconds);
/* Call once no call holds a snapshot. */
void catalog_refs_destroy(struct catalog_refs *r);

/* The current snapshot, fetched as `caller` when missing or stale. */
int catalog_ref_get(struct catalog_refs *r, struct rpc_caller caller, struct refdata **out,
                    struct err *e);
/* NULL-safe. */
void catalog_ref_put(struct catalog_refs *r, struct refdata *ref);
/* catalog_ref_get as the caller of `c`, given back when the call's arena is destroyed: for a
 * handler that hands pointers into the snapshot around until it returns. */
int catalog_ref_borrow(struct catalog_refs *r, struct call *c, struct refdata **out, struct err *e);

bool refdata_topic_known(const struct refdata *ref, const char *topic);
/* The State of ISO 3166-1 alpha-3 `code`, or NULL when it is not a UN Member State. */
const struct ref_state *refdata_state(const struct refdata *ref, const char *code);
bool refdata_region_known(const struct refdata *ref, const char *name);
/* The valid region names joined with ", " into buf (cut to fit): for the message that refuses
 * one. */
void refdata_region_names(const struct refdata *ref, char *buf, size_t size);

#endif
