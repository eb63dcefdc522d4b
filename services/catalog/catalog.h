/* catalog.h: what the catalog service's files share: its RPC table, its store functions and the
 * embedded migrations and reference data. The store functions allocate results in the caller's
 * arena; nothing here owns heap memory beyond a call. */
#ifndef UNIC_CATALOG_H
#define UNIC_CATALOG_H

#include <stddef.h>

#include "db.h"
#include "err.h"
#include "mem.h"
#include "rpc.h"
#include "unic/catalog/v1/catalog.pb-c.h"

extern const struct rpc_service catalog_rpc;

extern const struct migration catalog_migrations[];
extern const size_t catalog_migrations_count;
extern const char catalog_states_tsv[];
extern const size_t catalog_states_tsv_len;

/* Upserts the UN Member States from the embedded data/un_member_states.tsv in one transaction. */
int store_states_load(struct db *db, const char *tsv, struct err *e);

int store_topics_list(struct db *db, struct arena *a, Unic__Catalog__V1__Topic ***out, size_t *n,
                      struct err *e);
int store_states_list(struct db *db, struct arena *a, Unic__Catalog__V1__State ***out, size_t *n,
                      struct err *e);

#endif
