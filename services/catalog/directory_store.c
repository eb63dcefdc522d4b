/* directory_store.c: the SQL of DirectoryService (sql/013_directory.sql). An entry's versions
 * are rows that are never updated, so the history is a plain read; the current version is the
 * one directory_entries names. Arrays travel joined with U+001F (see store.c: no stored text can
 * hold it). Columns by name, parameters only, results cleared on every path. Each write is one
 * function and one transaction: the idempotency key claimed first, the change, its audit event
 * (and its events for webhooks), the reply stored under the key, COMMIT. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit.h"
#include "catalog.h"
#include "directory.h"
#include "idem.h"
#include "notify.h"

#define RFC3339(col) "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
#define SEP "E'\\x1f'"

#define ENTRY_COLUMNS                                                                              \
    "v.state_code, v.version, v.unit, array_to_string(v.role_titles, " SEP ") AS role_titles,"     \
    " v.email, v.phone, v.secure_channel, array_to_string(v.languages, " SEP ") AS languages,"     \
    " v.hours, v.hours_time_zone, coalesce(to_char(v.established_on, 'YYYY-MM-DD'), '') AS established_on," \
    " " RFC3339("v.recorded_at") " AS updated_at, v.recorded_by AS updated_by,"                    \
    " " RFC3339("d.created_at") " AS created_at, " RFC3339("d.last_confirmed_at") " AS last_confirmed_at" \
    " FROM catalog.directory_versions v JOIN catalog.directory_entries d USING (state_code)"

static const char SQL_ENTRY_GET[] =
    "SELECT " ENTRY_COLUMNS " WHERE v.state_code = $1 AND v.version = d.version";
static const char SQL_ENTRY_LIST[] =
    "SELECT " ENTRY_COLUMNS " WHERE v.version = d.version AND v.state_code > $1"
    " ORDER BY v.state_code LIMIT $2::int";
static const char SQL_ENTRY_HISTORY[] =
    "SELECT " ENTRY_COLUMNS " WHERE v.state_code = $1 AND ($2::int = 0 OR v.version < $2::int)"
    " ORDER BY v.version DESC LIMIT $3::int";
/* The CERTs of a batch of (State, version) pairs, given as two parallel arrays. */
static const char SQL_CERTS[] =
    "SELECT c.state_code, c.version, c.name, c.first_member,"
    " coalesce(to_char(c.accreditation_date, 'YYYY-MM-DD'), '') AS accreditation_date,"
    " c.website, c.contact FROM catalog.directory_certs c"
    " JOIN unnest($1::text[], $2::int[]) AS k (s, v) ON c.state_code = k.s AND c.version = k.v"
    " ORDER BY c.state_code, c.version, c.position";

static const char SQL_ENTRY_CLAIM[] =
    "INSERT INTO catalog.directory_entries (state_code, version) VALUES ($1, 0)"
    " ON CONFLICT (state_code) DO NOTHING";
static const char SQL_ENTRY_LOCK[] =
    "SELECT version FROM catalog.directory_entries WHERE state_code = $1 FOR UPDATE";
static const char SQL_ENTRY_BUMP[] =
    "UPDATE catalog.directory_entries SET version = $2::int WHERE state_code = $1";
static const char SQL_VERSION_INSERT[] =
    "INSERT INTO catalog.directory_versions (state_code, version, unit, role_titles, email, phone,"
    " secure_channel, languages, hours, hours_time_zone, established_on, recorded_by)"
    " VALUES ($1, $2::int, $3, string_to_array($4, " SEP "), $5, $6, $7, string_to_array($8, " SEP "),"
    " $9, $10, NULLIF($11, '')::date, $12)";
static const char SQL_CERT_INSERT[] =
    "INSERT INTO catalog.directory_certs (state_code, version, position, name, first_member,"
    " accreditation_date, website, contact)"
    " VALUES ($1, $2::int, $3::int, $4, $5::boolean, NULLIF($6, '')::date, $7, $8)";

#define ROUND_COLUMNS                                                                              \
    "id, " RFC3339("started_at") " AS started_at, " RFC3339("closes_at") " AS closes_at,"           \
    " started_by, note, closes_at <= now() AS closed"
static const char SQL_ROUND_INSERT[] =
    "INSERT INTO catalog.reachability_rounds (closes_at, started_by, note)"
    " VALUES (now() + make_interval(days => $1::int), $2, $3) RETURNING " ROUND_COLUMNS;
static const char SQL_ROUND_ASK[] =
    "INSERT INTO catalog.reachability_asked (round_id, state_code)"
    " SELECT $1::bigint, state_code FROM catalog.directory_entries WHERE version > 0";
static const char SQL_ROUND_GET[] =
    "SELECT " ROUND_COLUMNS " FROM catalog.reachability_rounds"
    " WHERE $1::bigint = 0 OR id = $1::bigint ORDER BY id DESC LIMIT 1";
static const char SQL_ROUND_ASKED[] =
    "SELECT state_code, " RFC3339("confirmed_at") " AS confirmed_at,"
    " coalesce(confirmed_by, '') AS confirmed_by FROM catalog.reachability_asked"
    " WHERE round_id = $1::bigint ORDER BY confirmed_at NULLS LAST, state_code";
static const char SQL_ROUND_CAN_CONFIRM[] =
    "SELECT r.closes_at <= now() AS closed, " RFC3339("r.closes_at") " AS closes_at,"
    " a.state_code IS NOT NULL AS asked FROM catalog.reachability_rounds r"
    " LEFT JOIN catalog.reachability_asked a ON a.round_id = r.id AND a.state_code = $2"
    " WHERE r.id = $1::bigint";
static const char SQL_ROUND_CONFIRM[] =
    "UPDATE catalog.reachability_asked SET confirmed_at = coalesce(confirmed_at, now()),"
    " confirmed_by = coalesce(confirmed_by, $3) WHERE round_id = $1::bigint AND state_code = $2"
    " RETURNING " RFC3339("confirmed_at") " AS confirmed_at, confirmed_by";
static const char SQL_ENTRY_CONFIRMED[] =
    "UPDATE catalog.directory_entries d SET last_confirmed_at = greatest(d.last_confirmed_at, a.confirmed_at)"
    " FROM catalog.reachability_asked a"
    " WHERE a.round_id = $1::bigint AND a.state_code = $2 AND d.state_code = a.state_code";
static const char SQL_ROUND_PENDING[] =
    "SELECT r.id, " RFC3339("r.closes_at") " AS closes_at FROM catalog.reachability_rounds r"
    " JOIN catalog.reachability_asked a ON a.round_id = r.id"
    " WHERE a.state_code = $1 AND a.confirmed_at IS NULL AND r.closes_at > now()"
    " ORDER BY r.closes_at LIMIT 1";

static DirectoryEntry *entry_row(struct arena *a, const PGresult *r, int row)
{
    DirectoryEntry *x = ARENA_MSG(a, DirectoryEntry, UNIC__CATALOG__V1__DIRECTORY_ENTRY__INIT);
    PointOfContact *p = ARENA_MSG(a, PointOfContact, UNIC__CATALOG__V1__POINT_OF_CONTACT__INIT);
    x->state_code = arena_strdup(a, db_get(r, row, "state_code"));
    x->version = db_get_int(r, row, "version");
    x->updated_at = arena_strdup(a, db_get(r, row, "updated_at"));
    x->updated_by = arena_strdup(a, db_get(r, row, "updated_by"));
    x->created_at = arena_strdup(a, db_get(r, row, "created_at"));
    x->last_confirmed_at = arena_strdup(a, db_get(r, row, "last_confirmed_at"));
    p->unit = arena_strdup(a, db_get(r, row, "unit"));
    db_list_split(a, db_get(r, row, "role_titles"), &p->role_titles, &p->n_role_titles);
    p->email = arena_strdup(a, db_get(r, row, "email"));
    p->phone = arena_strdup(a, db_get(r, row, "phone"));
    p->secure_channel = arena_strdup(a, db_get(r, row, "secure_channel"));
    db_list_split(a, db_get(r, row, "languages"), &p->languages, &p->n_languages);
    p->hours = arena_strdup(a, db_get(r, row, "hours"));
    p->hours_time_zone = arena_strdup(a, db_get(r, row, "hours_time_zone"));
    p->established_on = arena_strdup(a, db_get(r, row, "established_on"));
    x->point_of_contact = p;
    return x;
}

/* Reads the entries of `sql` and attaches their CERTs, with one more query for all of them. */
static int entries_read(struct db *db, struct arena *a, const char *sql, int nparams,
                        const char *const *params, DirectoryEntry ***out, size_t *n, struct err *e)
{
    PGresult *r = db_query(db, e, sql, nparams, params);
    if (r == NULL)
        return -1;
    *n = (size_t)PQntuples(r);
    *out = ARENA_ARRAY(a, DirectoryEntry *, *n + 1);
    char *states = arena_alloc(a, 5 * *n + 3), *versions = arena_alloc(a, 12 * *n + 3);
    char *ps = states, *pv = versions;
    *ps++ = '{';
    *pv++ = '{';
    for (size_t i = 0; i < *n; i++) {
        (*out)[i] = entry_row(a, r, (int)i);
        ps += sprintf(ps, "%s%s", i ? "," : "", (*out)[i]->state_code); /* [A-Z]{3}: no quoting */
        pv += sprintf(pv, "%s%d", i ? "," : "", (*out)[i]->version);
    }
    strcpy(ps, "}");
    strcpy(pv, "}");
    PQclear(r);
    if (*n == 0)
        return 0;
    const char *cparams[] = {states, versions};
    if ((r = db_query(db, e, SQL_CERTS, 2, cparams)) == NULL)
        return -1;
    int rows = PQntuples(r);
    for (size_t i = 0; i < *n; i++) {
        DirectoryEntry *x = (*out)[i];
        x->certs = ARENA_ARRAY(a, Cert *, DIRECTORY_CERTS_MAX);
        for (int k = 0; k < rows && x->n_certs < DIRECTORY_CERTS_MAX; k++) {
            if (strcmp(db_get(r, k, "state_code"), x->state_code) != 0 ||
                db_get_int(r, k, "version") != x->version)
                continue;
            Cert *c = ARENA_MSG(a, Cert, UNIC__CATALOG__V1__CERT__INIT);
            c->name = arena_strdup(a, db_get(r, k, "name"));
            c->first_member = db_get_bool(r, k, "first_member");
            c->accreditation_date = arena_strdup(a, db_get(r, k, "accreditation_date"));
            c->website = arena_strdup(a, db_get(r, k, "website"));
            c->contact = arena_strdup(a, db_get(r, k, "contact"));
            x->certs[x->n_certs++] = c;
        }
    }
    PQclear(r);
    return 0;
}

int dir_store_get(struct db *db, struct arena *a, const char *state, DirectoryEntry **out,
                  struct err *e)
{
    DirectoryEntry **v = NULL;
    size_t n = 0;
    const char *params[] = {state};
    if (entries_read(db, a, SQL_ENTRY_GET, 1, params, &v, &n, e) < 0)
        return -1;
    *out = n == 1 ? v[0] : NULL;
    return 0;
}

/* One more row than asked says whether another page follows. */
static void page_trim(size_t *n, int limit, bool *more)
{
    *more = *n > (size_t)limit;
    if (*more)
        *n = (size_t)limit;
}

int dir_store_list(struct db *db, struct arena *a, const char *after, int limit,
                   DirectoryEntry ***out, size_t *n, bool *more, struct err *e)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit + 1);
    const char *params[] = {after, lim};
    if (entries_read(db, a, SQL_ENTRY_LIST, 2, params, out, n, e) < 0)
        return -1;
    page_trim(n, limit, more);
    return 0;
}

int dir_store_history(struct db *db, struct arena *a, const char *state, int before, int limit,
                      DirectoryEntry ***out, size_t *n, bool *more, struct err *e)
{
    char lim[16], bef[16];
    snprintf(lim, sizeof lim, "%d", limit + 1);
    snprintf(bef, sizeof bef, "%d", before);
    const char *params[] = {state, bef, lim};
    if (entries_read(db, a, SQL_ENTRY_HISTORY, 3, params, out, n, e) < 0)
        return -1;
    page_trim(n, limit, more);
    return 0;
}

/* The next version of `state`'s entry, recorded by `by`. ABORTED when expected_version is not 0
 * and not the current version. *out is the entry as stored. */
static int entry_put(struct db *db, struct arena *a, const char *state, const PointOfContact *poc,
                     Cert *const *certs, size_t n_certs, int expected_version, const char *by,
                     DirectoryEntry **out, struct err *e)
{
    const char *p1[] = {state};
    if (db_command(db, e, SQL_ENTRY_CLAIM, 1, p1, NULL) < 0)
        return -1;
    PGresult *r = db_query(db, e, SQL_ENTRY_LOCK, 1, p1);
    if (r == NULL)
        return -1;
    int current = db_get_int(r, 0, "version");
    PQclear(r);
    if (expected_version != 0 && expected_version != current)
        return err_set(e, ERR_ABORTED,
                       "could not change the directory entry of %s: it is at version %d, not %d"
                       " (read it again)", state, current, expected_version);
    char version[16];
    snprintf(version, sizeof version, "%d", current + 1);
    const char *bump[] = {state, version};
    const char *row[] = {state, version, poc->unit,
                         db_list_join(a, (const char *const *)poc->role_titles, poc->n_role_titles),
                         poc->email, poc->phone, poc->secure_channel,
                         db_list_join(a, (const char *const *)poc->languages, poc->n_languages), poc->hours,
                         poc->hours_time_zone, poc->established_on, by};
    if (db_command(db, e, SQL_ENTRY_BUMP, 2, bump, NULL) < 0 ||
        db_command(db, e, SQL_VERSION_INSERT, 12, row, NULL) < 0)
        return -1;
    for (size_t i = 0; i < n_certs; i++) {
        char pos[24];
        snprintf(pos, sizeof pos, "%zu", i + 1);
        const Cert *c = certs[i];
        const char *cp[] = {state, version, pos, c->name, c->first_member ? "true" : "false",
                            c->accreditation_date, c->website, c->contact};
        if (db_command(db, e, SQL_CERT_INSERT, 8, cp, NULL) < 0)
            return -1;
    }
    if (dir_store_get(db, a, state, out, e) < 0)
        return -1;
    if (*out == NULL)
        return err_set(e, ERR_INTERNAL, "could not read back the directory entry of %s", state);
    return 0;
}

static ReachabilityRound *round_row(struct arena *a, const PGresult *r)
{
    ReachabilityRound *x = ARENA_MSG(a, ReachabilityRound, UNIC__CATALOG__V1__REACHABILITY_ROUND__INIT);
    x->id = db_get_int64(r, 0, "id");
    x->started_at = arena_strdup(a, db_get(r, 0, "started_at"));
    x->closes_at = arena_strdup(a, db_get(r, 0, "closes_at"));
    x->started_by = arena_strdup(a, db_get(r, 0, "started_by"));
    x->note = arena_strdup(a, db_get(r, 0, "note"));
    return x;
}

/* The States asked in round x into x->states and, when rep is not NULL, who confirmed (by time)
 * and who did not (by code) into rep. */
static int round_asked(struct db *db, struct arena *a, ReachabilityRound *x, ReachabilityReport *rep,
                       struct err *e)
{
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, x->id);
    const char *params[] = {id};
    PGresult *r = db_query(db, e, SQL_ROUND_ASKED, 1, params);
    if (r == NULL)
        return -1;
    size_t n = (size_t)PQntuples(r);
    x->states = ARENA_ARRAY(a, char *, n);
    if (rep) {
        rep->confirmed = ARENA_ARRAY(a, ReachabilityConfirmation *, n);
        rep->unconfirmed = ARENA_ARRAY(a, char *, n);
    }
    for (size_t i = 0; i < n; i++) {
        const char *state = db_get(r, (int)i, "state_code");
        x->states[x->n_states++] = arena_strdup(a, state);
        if (rep == NULL)
            continue;
        if (db_isnull(r, (int)i, "confirmed_at") || *db_get(r, (int)i, "confirmed_at") == '\0') {
            rep->unconfirmed[rep->n_unconfirmed++] = arena_strdup(a, state);
            continue;
        }
        ReachabilityConfirmation *c = ARENA_MSG(a, ReachabilityConfirmation,
                                                UNIC__CATALOG__V1__REACHABILITY_CONFIRMATION__INIT);
        c->round_id = x->id;
        c->state_code = arena_strdup(a, state);
        c->confirmed_at = arena_strdup(a, db_get(r, (int)i, "confirmed_at"));
        c->confirmed_by = arena_strdup(a, db_get(r, (int)i, "confirmed_by"));
        rep->confirmed[rep->n_confirmed++] = c;
    }
    PQclear(r);
    return 0;
}

/* A round open `days` days, asking every State with an entry. */
static int round_insert(struct db *db, struct arena *a, int days, const char *note, const char *by,
                        ReachabilityRound **out, struct err *e)
{
    char d[16], id[24];
    snprintf(d, sizeof d, "%d", days);
    const char *params[] = {d, by, note};
    PGresult *r = db_query(db, e, SQL_ROUND_INSERT, 3, params);
    if (r == NULL)
        return -1;
    *out = round_row(a, r);
    PQclear(r);
    snprintf(id, sizeof id, "%" PRId64, (*out)->id);
    const char *ask[] = {id};
    if (db_command(db, e, SQL_ROUND_ASK, 1, ask, NULL) < 0)
        return -1;
    return round_asked(db, a, *out, NULL, e);
}

/* `state`'s confirmation of round `id` (the first one's time is kept). */
static int round_confirm(struct db *db, struct arena *a, int64_t id, const char *state, const char *by,
                         ReachabilityConfirmation **out, struct err *e)
{
    char rid[24];
    snprintf(rid, sizeof rid, "%" PRId64, id);
    const char *params[] = {rid, state, by};
    PGresult *r = db_query(db, e, SQL_ROUND_CAN_CONFIRM, 2, params);
    if (r == NULL)
        return -1;
    int rc = -1;
    if (PQntuples(r) == 0)
        err_set(e, ERR_NOT_FOUND, "could not confirm reachability: no round %" PRId64, id);
    else if (!db_get_bool(r, 0, "asked"))
        err_set(e, ERR_FAILED_PRECONDITION, "could not confirm reachability: round %" PRId64
                " did not ask %s (it had no directory entry when the round started)", id, state);
    else if (db_get_bool(r, 0, "closed"))
        err_set(e, ERR_FAILED_PRECONDITION, "could not confirm reachability: round %" PRId64
                " closed at %s", id, db_get(r, 0, "closes_at"));
    else
        rc = 0;
    PQclear(r);
    if (rc < 0 || (r = db_query(db, e, SQL_ROUND_CONFIRM, 3, params)) == NULL)
        return -1;
    *out = ARENA_MSG(a, ReachabilityConfirmation, UNIC__CATALOG__V1__REACHABILITY_CONFIRMATION__INIT);
    (*out)->round_id = id;
    (*out)->state_code = arena_strdup(a, state);
    (*out)->confirmed_at = arena_strdup(a, db_get(r, 0, "confirmed_at"));
    (*out)->confirmed_by = arena_strdup(a, db_get(r, 0, "confirmed_by"));
    PQclear(r);
    return db_command(db, e, SQL_ENTRY_CONFIRMED, 2, params, NULL);
}

int dir_store_round_report(struct db *db, struct arena *a, int64_t id, ReachabilityReport **out,
                           struct err *e)
{
    char rid[24];
    snprintf(rid, sizeof rid, "%" PRId64, id);
    const char *params[] = {rid};
    PGresult *r = db_query(db, e, SQL_ROUND_GET, 1, params);
    if (r == NULL)
        return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return id ? err_set(e, ERR_NOT_FOUND, "could not report on round %" PRId64 ": no such round", id)
                  : err_set(e, ERR_NOT_FOUND, "could not report on the latest round: none was started");
    }
    *out = ARENA_MSG(a, ReachabilityReport, UNIC__CATALOG__V1__REACHABILITY_REPORT__INIT);
    (*out)->round = round_row(a, r);
    (*out)->closed = db_get_bool(r, 0, "closed");
    PQclear(r);
    return round_asked(db, a, (*out)->round, *out, e);
}

int dir_store_round_pending(struct db *db, const char *state, int64_t *round, char closes_at[32],
                            struct err *e)
{
    const char *params[] = {state};
    PGresult *r = db_query(db, e, SQL_ROUND_PENDING, 1, params);
    if (r == NULL)
        return -1;
    *round = 0;
    closes_at[0] = '\0';
    if (PQntuples(r) == 1) {
        *round = db_get_int64(r, 0, "id");
        snprintf(closes_at, 32, "%s", db_get(r, 0, "closes_at"));
    }
    PQclear(r);
    return 0;
}

/* ---- The writes: one function, one transaction each ---- */

int dir_store_entry_write(struct call *c, const struct idem *k, const char *state,
                          const PointOfContact *poc, Cert *const *certs, size_t n_certs,
                          int expected_version, DirectoryEntry **out, struct err *e)
{
    int claimed = idem_tx_begin(c, k, e); /* the request_id first (common/idem.h) */
    if (claimed != 0)
        return claimed;
    bool ok = entry_put(c->db, &c->arena, state, poc, certs, n_certs, expected_version, c->principal.label,
                        out, e) == 0 &&
              audit_append(c, arena_printf(&c->arena, "directory/%s", state), state, k ? k->request_id : NULL,
                           "directory-recorded",
                           AUDIT_ARGS(arena_printf(&c->arena, "%d", (*out)->version), state, poc->unit,
                                      poc->email, arena_printf(&c->arena, "%zu", n_certs)), e) == 0 &&
              idem_save(c, k, &(*out)->base, e) == 0;
    return catalog_tx_end(c->db, ok, e);
}

/* The event "reachability_round.started" for every State the round asks (those with an endpoint
 * get it), in the round's transaction (common/notify.h). */
static int round_notify(struct call *c, const ReachabilityRound *r, struct err *e)
{
    json_t *data = json_pack("{sIssssss}", "round_id", (json_int_t)r->id, "closes_at", r->closes_at,
                             "note", r->note, "confirm_with", "unic.catalog.v1.DirectoryService/ConfirmReachability");
    char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    if (text == NULL)
        return err_set(e, ERR_INTERNAL, "could not write the event of reachability round %" PRId64, r->id);
    int rc = notify_event(c->db, (const char *const *)r->states, r->n_states, "reachability_round.started",
                          text, NULL, e);
    free(text);
    return rc;
}

int dir_store_round_start(struct call *c, const struct idem *k, int days, const char *note,
                          ReachabilityRound **out, struct err *e)
{
    int claimed = idem_tx_begin(c, k, e);
    if (claimed != 0)
        return claimed;
    bool ok = round_insert(c->db, &c->arena, days, note, c->principal.label, out, e) == 0 &&
              audit_append(c, arena_printf(&c->arena, "reachability-round/%" PRId64, (*out)->id), NULL,
                           k ? k->request_id : NULL, "round-started",
                           AUDIT_ARGS(arena_printf(&c->arena, "%" PRId64, (*out)->id),
                                      arena_printf(&c->arena, "%zu", (*out)->n_states), (*out)->closes_at),
                           e) == 0 &&
              round_notify(c, *out, e) == 0 && idem_save(c, k, &(*out)->base, e) == 0;
    return catalog_tx_end(c->db, ok, e);
}

int dir_store_round_confirm(struct call *c, const struct idem *k, int64_t id, const char *state,
                            ReachabilityConfirmation **out, struct err *e)
{
    int claimed = idem_tx_begin(c, k, e);
    if (claimed != 0)
        return claimed;
    bool ok = round_confirm(c->db, &c->arena, id, state, c->principal.label, out, e) == 0 &&
              audit_append(c, arena_printf(&c->arena, "reachability-round/%" PRId64, id), state,
                           k ? k->request_id : NULL, "round-confirmed",
                           AUDIT_ARGS(state, arena_printf(&c->arena, "%" PRId64, id)), e) == 0 &&
              idem_save(c, k, &(*out)->base, e) == 0;
    return catalog_tx_end(c->db, ok, e);
}
