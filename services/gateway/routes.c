/* routes.c: the gateway's table of RPCs, built from the protobuf-c service descriptors of the
 * four services (and AdminService, beside the catalog), so a method added to a .proto is served
 * with no code here. */
#include "gateway.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "unic/admin/v1/admin.pb-c.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "unic/catalog/v1/directory.pb-c.h"
#include "unic/catalog/v1/notifications.pb-c.h"
#include "unic/catalog/v1/practices.pb-c.h"
#include "unic/matching/v1/matching.pb-c.h"
#include "unic/responses/v1/responses.pb-c.h"
#include "unic/scoring/v1/scoring.pb-c.h"

static const ProtobufCServiceDescriptor *const services[BACKEND_COUNT] = {
    [BACKEND_CATALOG] = &unic__catalog__v1__catalog_service__descriptor,
    [BACKEND_RESPONSES] = &unic__responses__v1__response_service__descriptor,
    [BACKEND_SCORING] = &unic__scoring__v1__scoring_service__descriptor,
    [BACKEND_MATCHING] = &unic__matching__v1__matching_service__descriptor,
};

/* Services a backend serves beside its own, on the same port: AdminService in the catalog. */
static const struct {
    const ProtobufCServiceDescriptor *service;
    enum backend_id backend;
} beside[] = {
    {&unic__admin__v1__admin_service__descriptor, BACKEND_CATALOG},
    {&unic__catalog__v1__directory_service__descriptor, BACKEND_CATALOG},
    {&unic__catalog__v1__practice_service__descriptor, BACKEND_CATALOG},
    {&unic__catalog__v1__notification_service__descriptor, BACKEND_CATALOG},
};
enum { N_BESIDE = sizeof beside / sizeof beside[0] };

const char *backend_name(enum backend_id id)
{
    static const char *const names[BACKEND_COUNT] = {"catalog", "responses", "scoring", "matching"};
    return id < BACKEND_COUNT ? names[id] : "unknown";
}

/* Whether a method only reads, and so may be called with GET (a link that can be shared): its
 * service's method table says so. A method with no row is taken to write. */
static bool method_reads_only(enum backend_id backend, const char *name)
{
    for (size_t i = 0; i < method_effects_count; i++)
        if (method_effects[i].backend == backend && strcmp(method_effects[i].method, name) == 0)
            return !method_effects[i].writes;
    return false;
}

static int route_cmp(const void *a, const void *b)
{
    return strcmp(((const struct route *)a)->path, ((const struct route *)b)->path);
}

static void routes_add(struct routes *r, const ProtobufCServiceDescriptor *svc, enum backend_id b)
{
    for (unsigned m = 0; m < svc->n_methods; m++) {
        const ProtobufCMethodDescriptor *md = &svc->methods[m];
        struct route *rt = &r->v[r->n++];
        snprintf(rt->path, sizeof rt->path, "/%s/%s", svc->name, md->name);
        rt->method = md;
        rt->backend = b;
        rt->read_only = method_reads_only(b, md->name);
    }
}

void routes_init(struct routes *r)
{
    size_t total = 0;
    for (int s = 0; s < BACKEND_COUNT; s++)
        total += services[s]->n_methods;
    for (int s = 0; s < N_BESIDE; s++)
        total += beside[s].service->n_methods;
    r->v = xcalloc(total, sizeof *r->v);
    r->n = 0;
    for (int s = 0; s < BACKEND_COUNT; s++)
        routes_add(r, services[s], (enum backend_id)s);
    for (int s = 0; s < N_BESIDE; s++)
        routes_add(r, beside[s].service, beside[s].backend);
    qsort(r->v, r->n, sizeof *r->v, route_cmp);
}

void routes_destroy(struct routes *r)
{
    free(r->v);
    r->v = NULL;
    r->n = 0;
}

const struct route *routes_find(const struct routes *r, const char *path)
{
    struct route key;
    if (strlen(path) >= sizeof key.path)
        return NULL;
    strcpy(key.path, path);
    return bsearch(&key, r->v, r->n, sizeof *r->v, route_cmp);
}

bool routes_is_rpc_path(const char *path)
{
    if (path[0] != '/')
        return false;
    const char *slash = strchr(path + 1, '/');
    if (slash == NULL || slash == path + 1 || slash[1] == '\0' || strchr(slash + 1, '/'))
        return false;
    const char *dot = memchr(path + 1, '.', (size_t)(slash - path - 1));
    return dot != NULL && slash[1] >= 'A' && slash[1] <= 'Z';
}
