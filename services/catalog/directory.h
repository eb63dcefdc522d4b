/* directory.h: DirectoryService inside the catalog: each State's national point of contact and
 * CERTs (Resolution #1 para 6) with every version kept, and the reachability rounds in which
 * UNIC checks that the contacts answer (docs/directory.md). The checks of an entry are pure
 * (directory_check.c, unit-tested); the SQL is in directory_store.c; the handlers and who may
 * write what in directory.c. Store results live in the caller's arena. */
#ifndef UNIC_CATALOG_DIRECTORY_H
#define UNIC_CATALOG_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "idem.h"
#include "mem.h"
#include "rpc.h"
#include "unic/catalog/v1/directory.pb-c.h"

extern const struct rpc_service directory_rpc;

typedef Unic__Catalog__V1__DirectoryEntry DirectoryEntry;
typedef Unic__Catalog__V1__PointOfContact PointOfContact;
typedef Unic__Catalog__V1__Cert Cert;
typedef Unic__Catalog__V1__ReachabilityRound ReachabilityRound;
typedef Unic__Catalog__V1__ReachabilityConfirmation ReachabilityConfirmation;
typedef Unic__Catalog__V1__ReachabilityReport ReachabilityReport;

enum {
    DIRECTORY_CERTS_MAX = 10,
    DIRECTORY_LIST_MAX = 10,        /* role titles, languages */
    DIRECTORY_ROUND_WINDOW_DAYS = 14,
    DIRECTORY_ROUND_WINDOW_MAX = 90,
};

/* ---- Pure checks (directory_check.c) ---- */

/* Checks an entry as a State would write it: INVALID_ARGUMENT naming the field
 * ("point_of_contact.email", "certs[1].accreditation_date") and what is accepted. Time zones are
 * checked for shape here; the handler also loads them. */
int directory_entry_check(const PointOfContact *poc, Cert *const *certs, size_t n_certs,
                          struct err *e);
/* A request's text field: required or not, at most `max` bytes, valid UTF-8 with no control
 * character (newline and tab allowed in free text); INVALID_ARGUMENT naming `field` otherwise. */
int catalog_text_check(const char *field, const char *v, size_t max, bool required, bool free_text,
                       struct err *e);
/* True for an e-mail address such as name@example.org (one '@', no spaces or brackets). */
bool directory_email_valid(const char *s);
/* True for a phone number in E.164 style: '+', then digits, spaces or '-' (8 to 32 bytes). */
bool directory_phone_valid(const char *s);
/* True for a BCP 47 language tag such as "fr" or "pt-BR". */
bool directory_language_valid(const char *s);

/* A UN Member State code from a request; INVALID_ARGUMENT naming `field` otherwise. */
int catalog_check_member(struct call *c, const char *field, const char *code, struct err *e);

/* The State whose data the caller changes: a State key its own ("" or its code; another is
 * PERMISSION_DENIED naming `what`), an operator any Member State it names. */
int catalog_writable_state(struct call *c, const char *requested, const char *what, const char **out,
                           struct err *e);

/* ---- Store (directory_store.c): each function one statement or one transaction ---- */

/* The current entry of `state`; *out NULL when it has recorded none. */
int dir_store_get(struct db *db, struct arena *a, const char *state, DirectoryEntry **out,
                  struct err *e);
/* Up to `limit` current entries of States after `after` ("" for the first), by code. */
int dir_store_list(struct db *db, struct arena *a, const char *after, int limit,
                   DirectoryEntry ***out, size_t *n, bool *more, struct err *e);
/* Up to `limit` versions of `state`'s entry older than `before` (0: from the newest). */
int dir_store_history(struct db *db, struct arena *a, const char *state, int before, int limit,
                      DirectoryEntry ***out, size_t *n, bool *more, struct err *e);
/* The writes, one transaction each: key k claimed first (common/idem.h; NULL for none), the
 * change, its audit event, the reply stored under k, COMMIT. 0 when committed, 1 when a twin's
 * reply answered the call, -1 with *e set and nothing written. */
/* The next version of `state`'s entry, recorded by the caller. ABORTED when expected_version is
 * not 0 and not the current version. *out is the entry as stored. */
int dir_store_entry_write(struct call *c, const struct idem *k, const char *state,
                          const PointOfContact *poc, Cert *const *certs, size_t n_certs,
                          int expected_version, DirectoryEntry **out, struct err *e);
/* A round open `days` days, asking every State with an entry, each told by its webhook. */
int dir_store_round_start(struct call *c, const struct idem *k, int days, const char *note,
                          ReachabilityRound **out, struct err *e);
/* `state`'s confirmation of round `id` (the first one's time is kept). NOT_FOUND for no such
 * round, FAILED_PRECONDITION when the State was not asked or the window has closed. */
int dir_store_round_confirm(struct call *c, const struct idem *k, int64_t id, const char *state,
                            ReachabilityConfirmation **out, struct err *e);
/* The report of round `id` (0: the latest); NOT_FOUND when there is none. */
int dir_store_round_report(struct db *db, struct arena *a, int64_t id, ReachabilityReport **out,
                           struct err *e);
/* The open round that asked `state` and has no confirmation from it: *round 0 when none. */
int dir_store_round_pending(struct db *db, const char *state, int64_t *round, char closes_at[32],
                            struct err *e);

#endif
