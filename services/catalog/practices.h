/* practices.h: PracticeService inside the catalog: best practices shared by States and UNIC,
 * curated by UNIC, searched in full text in each practice's own language, and compiled per year
 * and topic (A/RES/64/211 op. 2; docs/practices.md). SQL in practices_store.c, handlers in
 * practices.c. Store results live in the caller's arena. */
#ifndef UNIC_CATALOG_PRACTICES_H
#define UNIC_CATALOG_PRACTICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "idem.h"
#include "mem.h"
#include "rpc.h"
#include "unic/catalog/v1/practices.pb-c.h"

extern const struct rpc_service practice_rpc;

typedef Unic__Catalog__V1__Practice Practice;
typedef Unic__Catalog__V1__Compilation Compilation;

/* What a caller may see: operators everything; Member States' keys (and operators) accepted
 * practices of either visibility; other keys accepted PUBLIC ones; a State also its own. */
struct practice_viewer {
    bool op;
    bool member;
    const char *own; /* the caller's State, or "" */
};

struct practice_search {
    const char *query, *topic, *language, *status;
    double after_rank; /* keyset: rank and id of the last row of the previous page */
    const char *after_rank_text;
    int64_t after_id;  /* 0: the first page */
    int limit;
};

/* The writes, one transaction each: key k claimed first (common/idem.h; NULL for none), the
 * change, its audit event, the reply stored under k, COMMIT. 0 when committed, 1 when a twin's
 * reply answered the call, -1 with *e set and nothing written. */
/* Shares a validated practice (p->state_code or p->organisation set) as SUBMITTED. */
int practice_store_share(struct call *c, const struct idem *k, const Practice *p, Practice **out,
                         struct err *e);
/* SUBMITTED -> ACCEPTED or REJECTED with `reason`; NOT_FOUND, or FAILED_PRECONDITION when
 * curated already. */
int practice_store_curate(struct call *c, const struct idem *k, int64_t id, bool accept,
                          const char *reason, Practice **out, struct err *e);
/* The next edition of year/topic's compilation; *out: that edition, with every practice in it. */
int practice_store_publish(struct call *c, const struct idem *k, int year, const char *topic,
                           Compilation **out, struct err *e);
/* *out NULL when there is no such practice or `v` may not see it. */
int practice_store_get(struct db *db, struct arena *a, int64_t id, const struct practice_viewer *v,
                       Practice **out, struct err *e);
/* Up to s->limit practices `v` may see, best match first; *more when another page follows;
 * (*out)[i]->rank is the match, *rank_text[i] its exact text for a page token. */
int practice_store_search(struct db *db, struct arena *a, const struct practice_search *s,
                          const struct practice_viewer *v, Practice ***out, char ***rank_text,
                          size_t *n, bool *more, struct err *e);
/* The latest edition of year/topic with the practices `v` may see; NOT_FOUND when unpublished. */
int practice_store_compilation(struct db *db, struct arena *a, int year, const char *topic,
                               const struct practice_viewer *v, Compilation **out, struct err *e);

#endif
