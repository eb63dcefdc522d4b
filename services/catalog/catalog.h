/* catalog.h: what the catalog service's files share: its RPC table, its store functions and the
 * embedded migrations and reference data. The store functions allocate results in the caller's
 * arena; nothing here owns heap memory beyond a call. */
#ifndef UNIC_CATALOG_H
#define UNIC_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "db_values.h"
#include "err.h"
#include "idem.h"
#include "mem.h"
#include "rpc.h"
#include "unic/catalog/v1/catalog.pb-c.h"

extern const struct rpc_service catalog_rpc;

/* The catalog's state shared by its workers (main's). */
struct catalog_app {
    struct published *published; /* published.h */
};

extern const struct migration catalog_migrations[];
extern const size_t catalog_migrations_count;
extern const char catalog_states_tsv[];
extern const size_t catalog_states_tsv_len;
extern const char catalog_zones_tsv[];
extern const size_t catalog_zones_tsv_len;
extern const char catalog_groups_tsv[];
extern const size_t catalog_groups_tsv_len;

/* Upserts the UN Member States (data/un_member_states.tsv), their capitals' time zones
 * (data/capital_time_zones.tsv) and their country groups (data/country_groups.tsv, see
 * store_groups_load) in one transaction. */
int store_states_load(struct db *db, const char *states_tsv, const char *zones_tsv,
                      const char *groups_tsv, struct err *e);
/* Runs `sql` once per data row of `tsv` (after its header), the row's `fields` tab-separated
 * fields as $1..$n, inside the caller's transaction. `what` names the data in messages. */
int store_tsv_apply(struct db *db, const char *tsv, int fields, const char *sql, const char *what,
                    struct err *e);

/* For the store files: ends the transaction of a change, committed when every step of it
 * succeeded (ok), else rolled back. 0 when committed. */
int catalog_tx_end(struct db *db, bool ok, struct err *e);

/* The statements of the catalog's idempotency keys (sql/013, common/idem.h). */
extern const struct idem_sql catalog_idem_sql;

/* Arrays travel as one U+001F-joined string: common/db_values.h db_list_split and db_list_join. */

/* The topic ids, for validating definitions. */
int store_topic_ids(struct db *db, struct arena *a, char ***ids, size_t *n, struct err *e);

/* A version as resolved for a read. */
struct version_ref {
    int version;                          /* the number (never 0) */
    Unic__Catalog__V1__VersionState state;
    char locale[40];                      /* the locale to serve: asked, its language, or "en" */
    char tag[40];                         /* this database's random tag of the version (cache keys) */
};

/* Resolves `version` of questionnaire `id` (0: the latest PUBLISHED one) and the locale to serve
 * for `locale` (a valid tag): itself if the version has it, else its primary language, else "en".
 * NOT_FOUND when there is no such version. One small indexed query. */
int store_version_resolve(struct db *db, const char *id, int version, const char *locale,
                          struct version_ref *out, struct err *e);
/* Loads a version with its texts in `locale` (one it has) into the arena: sections by number,
 * each with its questions by number, section_id filled, levels by level. */
int store_questionnaire_load(struct db *db, struct arena *a, const char *id, int version,
                             const char *locale, Unic__Catalog__V1__Questionnaire **out, struct err *e);
/* Up to `limit` questionnaires with ids after `after` ("" for the first page), by id, each with
 * its versions; `drafts` false hides DRAFT versions and questionnaires with no published one.
 * *more says whether another page follows. */
int store_questionnaires_list(struct db *db, struct arena *a, const char *after, int limit,
                              bool drafts, Unic__Catalog__V1__QuestionnaireSummary ***out, size_t *n,
                              bool *more, struct err *e);
/* Stores a validated definition (definition_validate) and its translations as the next version
 * of its questionnaire, a DRAFT, in one transaction; creates the questionnaire if new.
 * INVALID_ARGUMENT naming definition.kind when it differs from the existing questionnaire's. */
int store_version_create(struct db *db, struct arena *a,
                         const Unic__Catalog__V1__CreateQuestionnaireVersionRequest *req,
                         const char *created_by, int *version, struct err *e);
/* DRAFT -> PUBLISHED. NOT_FOUND for no such version, FAILED_PRECONDITION when already published. */
int store_version_publish(struct db *db, const char *id, int version, struct err *e);

int store_topics_list(struct db *db, struct arena *a, Unic__Catalog__V1__Topic ***out, size_t *n,
                      struct err *e);
int store_states_list(struct db *db, struct arena *a, Unic__Catalog__V1__State ***out, size_t *n,
                      struct err *e);
/* One transaction: key k claimed first (common/idem.h; NULL for none), the State's own time zone
 * set (a loaded IANA name, or "" for its capital's again), the audit event, the State as it now
 * is into *out and stored under k as the reply, COMMIT. 0 when committed, 1 when a twin's reply
 * answered the call, -1 with *e set and nothing written. */
int store_state_time_zone_set(struct call *c, const struct idem *k, const char *code, const char *zone,
                              Unic__Catalog__V1__State **out, struct err *e);
/* One State by ISO 3166-1 alpha-3 code; NOT_FOUND when it is not a UN Member State. */
int store_state_get(struct db *db, struct arena *a, const char *code, Unic__Catalog__V1__State **out,
                    struct err *e);

#endif
