/* store_common.c: what the matching service's two stores share (store_internal.h): column
 * helpers, etags and page positions, the idempotency keys, the per-State quotas and the audit
 * event every change appends in its own transaction. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "store_internal.h"

const struct idem_sql matching_idem_sql = IDEM_SQL("matching.idempotency_keys", "principal");

/* ---- Rows ---- */

char *store_col(struct arena *a, const PGresult *r, int row, const char *name)
{
    return arena_strdup(a, db_get(r, row, name));
}

const char *store_etag_of(struct arena *a, int version)
{
    return arena_printf(a, "%d", version);
}

/* Compares a client's etag with the row's version: ABORTED when it is stale. */
int store_etag_check(const char *what, const char *id, const char *etag, int version,
                      struct err *e)
{
    char now[16];
    snprintf(now, sizeof now, "%d", version);
    if (strcmp(etag, now) != 0)
        return err_set(e, ERR_ABORTED, "%s %s has changed since etag %s (now %s): read it again",
                       what, id, etag, now);
    return 0;
}

/* ---- Quotas ---- */

/* Per State and kind, the count and the insert are serialised by a transaction-level advisory
 * lock, taken before the insert, so that concurrent creates cannot overshoot together. */
static const char SQL_QUOTA_LOCK[] =
    "SELECT pg_advisory_xact_lock(hashtext('unic.quota.' || $1 || '.' || $2)) AS locked";
static const char *const SQL_QUOTA_COUNT[QUOTA_KINDS] = {
    "SELECT count(*) AS n FROM matching.offers"
    " WHERE donor_state = $1 AND created_at > now() - interval '1 hour'",
    "SELECT count(*) AS n FROM matching.requests"
    " WHERE state_code = $1 AND created_at > now() - interval '1 hour'",
    /* created_by is the principal's label (common/auth.h): "state:KEN/<key id>" for a key of
     * no identity, "<name> <<e-mail>> (STATE_ADMIN KEN, key <key id>)" otherwise, whose tail
     * (anchored, so no name can fake it) says the State. */
    "SELECT count(*) AS n FROM matching.plans"
    " WHERE (created_by LIKE 'state:' || $1 || '/%'"
    "   OR created_by LIKE '% (STATE\\_ADMIN ' || $1 || ', key ________________)'"
    "   OR created_by LIKE '% (STATE\\_DELEGATE ' || $1 || ', key ________________)')"
    " AND created_at > now() - interval '1 hour'",
};
static const char *const QUOTA_NAME[QUOTA_KINDS] = {"offers", "requests", "plans"};
static const char *const QUOTA_VAR[QUOTA_KINDS] = {
    "UNIC_QUOTA_OFFERS_PER_HOUR", "UNIC_QUOTA_REQUESTS_PER_HOUR", "UNIC_QUOTA_PLANS_PER_HOUR"};

static bool quota_applies(const struct actor *who)
{
    return who->state && who->state[0];
}

/* In the creating transaction, before its insert. */
int store_quota_lock(struct db *db, const struct actor *who, enum quota_kind q, struct err *e)
{
    if (!quota_applies(who))
        return 0;
    const char *params[] = {QUOTA_NAME[q], who->state};
    PGresult *r = db_query(db, e, SQL_QUOTA_LOCK, 2, params);
    PQclear(r);
    return r ? 0 : -1;
}

/* In the same transaction, after its insert: RESOURCE_EXHAUSTED, naming the quota, when the
 * State now has more of `q` created in the last hour than it may. */
int store_quota_check(struct db *db, const struct actor *who, enum quota_kind q, struct err *e)
{
    if (!quota_applies(who))
        return 0;
    const char *params[] = {who->state};
    PGresult *r = db_query(db, e, SQL_QUOTA_COUNT[q], 1, params);
    if (r == NULL)
        return -1;
    long long n = db_get_int64(r, 0, "n");
    PQclear(r);
    if (n > who->quota[q])
        return err_set(e, ERR_RESOURCE_EXHAUSTED,
                       "quota %s exceeded: %s may create at most %d %s per hour; nothing was"
                       " created, retry later", QUOTA_VAR[q], who->state, who->quota[q],
                       QUOTA_NAME[q]);
    return 0;
}

bool store_gap_figures_visible(const struct actor *who, const char *state, int source_cycle)
{
    switch (access_gap_figures(source_cycle > 0, who->state, state)) {
    case GAP_SHOWN: return true;
    case GAP_IF_READABLE:
        return who->sources && peers_gap_source_readable(who->sources, state, source_cycle);
    default: return false;
    }
}

/* The audit event of a change to `what` `id` of State `state`, in the open transaction: summary
 * `code` with its args (audit.h). */
int store_audited(struct arena *a, const struct actor *who, const char *what, const char *id,
                  const char *state, const struct idem *k, const char *code, const char *const *args,
                  size_t n_args, struct err *e)
{
    return audit_append(who->call, arena_printf(a, "%s/%s", what, id), state,
                        k ? k->request_id : NULL, code, args, n_args, e);
}

/* The last row's sequence number when another page follows (n rows read for `limit`), ""
 * otherwise; the service seals it into a page token. */
static char *store_page_token(struct arena *a, const PGresult *r, size_t n, int limit)
{
    if (n <= (size_t)limit)
        return (char *)protobuf_c_empty_string;
    return store_col(a, r, limit - 1, "seq");
}

PGresult *store_page_query(struct db *db, struct arena *a, const char *sql,
                           const char *const *filters, size_t n_filters, int64_t after_seq,
                           int limit, size_t *rows, char **next, struct err *e)
{
    const char **params = ARENA_ARRAY(a, const char *, n_filters + 2);
    memcpy(params, filters, n_filters * sizeof *params);
    params[n_filters] = arena_printf(a, "%" PRId64, after_seq);
    params[n_filters + 1] = arena_printf(a, "%d", limit + 1);
    PGresult *r = db_query(db, e, sql, (int)n_filters + 2, params);
    if (r == NULL)
        return NULL;
    size_t n = (size_t)PQntuples(r);
    *rows = n > (size_t)limit ? (size_t)limit : n;
    *next = store_page_token(a, r, n, limit);
    return r;
}
