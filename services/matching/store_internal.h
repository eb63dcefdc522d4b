/* store_internal.h: what store_items.c and store_plans.c share and nothing else includes: the
 * column helpers, etags, page positions, idempotency keys, quotas and the audit event
 * (store_common.c). Every function here runs inside the caller's transaction when it writes;
 * strings it returns live in the caller's arena; results it returns are the caller's to PQclear. */
#ifndef UNIC_MATCHING_STORE_INTERNAL_H
#define UNIC_MATCHING_STORE_INTERNAL_H

#include "audit.h"
#include "db_values.h"
#include "store.h"

/* A timestamp column as RFC 3339 UTC text. */
#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* Lists come back joined by the unit separator, a control character that validation keeps out
 * of every element, so splitting (db_list_split) needs no parser for PostgreSQL's array syntax. */
#define LIST(col) "array_to_string(" col ", chr(31))"

/* Column `name` of row `row`, copied into the arena. */
char *store_col(struct arena *a, const PGresult *r, int row, const char *name);
/* The etag of a row: its version. */
const char *store_etag_of(struct arena *a, int version);
/* Compares a client's etag with the row's version: ABORTED when it is stale. */
int store_etag_check(const char *what, const char *id, const char *etag, int version,
                     struct err *e);
/* One page of a list: runs `sql`, whose parameters are the n_filters `filters`, then the
 * sequence number after which to read and one row more than `limit`; *rows is how many rows of
 * the result (the caller's to PQclear) make the page, *next the position of the next page ("" on
 * the last). */
PGresult *store_page_query(struct db *db, struct arena *a, const char *sql,
                           const char *const *filters, size_t n_filters, int64_t after_seq,
                           int limit, size_t *rows, char **next, struct err *e);

/* Whether `who` sees the figures computed from a gap of cycle `source_cycle` (0: none, so not
 * derived) of State `state`'s self-assessment: access_gap_figures decides, and for an operator
 * responses does, asked once per State and call (peers_gap_source_readable). That question may
 * be asked inside a transaction (a plan or a match step builds its reply before committing): it
 * costs one call to responses, which never waits on matching, bounded by the call's deadline. */
bool store_gap_figures_visible(const struct actor *who, const char *state, int source_cycle);

/* In the creating transaction, before its insert: serialises the creates of one State. */
int store_quota_lock(struct db *db, const struct actor *who, enum quota_kind q, struct err *e);
/* In the same transaction, after its insert: RESOURCE_EXHAUSTED, naming the quota, when the
 * State now has more of `q` created in the last hour than it may. */
int store_quota_check(struct db *db, const struct actor *who, enum quota_kind q, struct err *e);

/* The audit event of a change to `what` `id` of State `state`, in the open transaction: summary
 * `code` with its args (audit.h). */
int store_audited(struct arena *a, const struct actor *who, const char *what, const char *id,
                  const char *state, const struct idem *k, const char *code, const char *const *args,
                  size_t n_args, struct err *e);

#endif
