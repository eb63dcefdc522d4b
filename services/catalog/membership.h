/* membership.h: the catalog's rule for a change to a State's membership of a UN country group
 * (RecordGroupChange), pure so that it is unit-tested apart (tests/unit/test_catalog_groups.c),
 * and the store functions of the groups (membership_store.c). The rule reads and writes only the
 * caller's structs; store results live in the caller's arena. */
#ifndef UNIC_CATALOG_MEMBERSHIP_H
#define UNIC_CATALOG_MEMBERSHIP_H

#include <stddef.h>

#include "db.h"
#include "err.h"
#include "idem.h"
#include "mem.h"
#include "rpc.h"
#include "unic/catalog/v1/catalog.pb-c.h"

typedef Unic__Catalog__V1__GroupChange GroupChange;

/* One period of membership as stored: "" for an open bound, else "YYYY-MM-DD". */
struct group_period {
    const char *since;
    const char *until;
};

/* What a change does to the memberships: the period starting `since` ("" = the open start) gets
 * end `until` ("" = none); `insert` says it is a new period (an admission). previous_until is
 * the period's end before ("" for none or a new period). Strings point into the inputs. */
struct group_edit {
    bool insert;
    const char *since;
    const char *until;
    const char *previous_until;
};

/* Applies a change of `kind` taking effect on `effective` ("YYYY-MM-DD", or "" for a
 * postponement to a date not yet set) to the State's `n` periods of the group, ordered by
 * since (an open start first). FAILED_PRECONDITION saying why when the change does not fit the
 * memberships (GroupChangeKind in catalog.proto says what each kind requires); `state` and
 * `group` only name them in the message. */
int group_change_apply(const struct group_period *periods, size_t n,
                       Unic__Catalog__V1__GroupChangeKind kind, const char *effective,
                       const char *state, const char *group, struct group_edit *out,
                       struct err *e);
/* "ADMISSION", "GRADUATION", "POSTPONEMENT"; NULL for anything else. */
const char *group_change_kind_name(Unic__Catalog__V1__GroupChangeKind kind);
Unic__Catalog__V1__GroupChangeKind group_change_kind_parse(const char *name);

/* ---- membership_store.c ---- */

/* Loads data/country_groups.tsv's rows into catalog.group_memberships inside the caller's
 * transaction: new rows inserted, rows still as shipped (changed_by '') brought in step, rows an
 * operator changed left alone. */
int store_groups_load(struct db *db, const char *groups_tsv, struct err *e);
/* The memberships of every State (code NULL) or of one, ordered by State, group and start;
 * attached to the States of `states` (ordered by code, as the store lists them). */
int store_memberships_attach(struct db *db, struct arena *a, const char *code,
                             Unic__Catalog__V1__State **states, size_t n, struct err *e);
/* Every group with the members on `as_of` ("YYYY-MM-DD"). */
int store_country_groups(struct db *db, struct arena *a, const char *as_of,
                         Unic__Catalog__V1__CountryGroup ***out, size_t *n, struct err *e);

/* A validated change: the State (a shape already checked), group and kind known, the dates
 * valid, the reference and note clean text. */
struct group_change_in {
    const char *state_code, *group, *effective, *legal_reference, *note;
    Unic__Catalog__V1__GroupChangeKind kind;
};
/* Records the change in one transaction: locks the State, applies group_change_apply to its
 * memberships, writes the membership, the history row, the audit event (common/audit.h) with
 * call c's person, and the reply under k (common/idem.h; NULL: no key). INVALID_ARGUMENT naming state_code
 * when it is not a Member State. Returns 0, or 1 when a twin with the same key answered the call
 * (idem_claim), or -1. */
int store_group_change_record(struct call *c, const struct group_change_in *in,
                              const struct idem *k, GroupChange **out, struct err *e);
/* The recorded changes, newest first; group and state "" for all. */
int store_group_changes_list(struct db *db, struct arena *a, const char *group, const char *state,
                             GroupChange ***out, size_t *n, struct err *e);

#endif
