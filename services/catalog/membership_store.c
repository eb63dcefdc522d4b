/* membership_store.c: the SQL of the UN country groups: memberships loaded from
 * data/country_groups.tsv, read with the States and per date, changed by RecordGroupChange with
 * its history, audit event and idempotency key. Columns by name, parameters only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "catalog.h"
#include "groups.h"
#include "membership.h"

#define RFC3339(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* A period's bounds as the API writes them: "" for an open one. */
#define SINCE(col) "CASE WHEN isfinite(" col ") THEN to_char(" col ", 'YYYY-MM-DD') ELSE '' END"
#define UNTIL(col) "coalesce(to_char(" col ", 'YYYY-MM-DD'), '')"
#define FROM_PARAM(n) "coalesce(NULLIF($" #n ", '')::date, '-infinity')"
/* Groups in the order the API lists them (common/groups.c). */
#define GROUP_ORDER(col) "array_position(ARRAY['LDC', 'SIDS', 'LLDC'], " col "::text)"

static const char SQL_MEMBERSHIP_UPSERT[] =
    "INSERT INTO catalog.group_memberships AS m (group_id, state_code, member_from, member_until,"
    " source) VALUES ($1, $2, " FROM_PARAM(3) ", NULLIF($4, '')::date, $5)"
    " ON CONFLICT (group_id, state_code, member_from) DO UPDATE"
    " SET member_until = EXCLUDED.member_until, source = EXCLUDED.source"
    " WHERE m.changed_by = '' AND (m.member_until, m.source) IS DISTINCT FROM"
    " (EXCLUDED.member_until, EXCLUDED.source)";
static const char SQL_MEMBERSHIPS[] =
    "SELECT state_code, group_id, " SINCE("member_from") " AS since, " UNTIL("member_until")
    " AS until, source FROM catalog.group_memberships"
    " WHERE $1::text IS NULL OR state_code = $1::text"
    " ORDER BY state_code, " GROUP_ORDER("group_id") ", member_from";
static const char SQL_GROUPS_ON[] =
    "SELECT g.id, g.name, g.source,"
    " coalesce(string_agg(DISTINCT m.state_code::text, ',' ORDER BY m.state_code::text), '')"
    " AS members"
    " FROM catalog.country_groups g"
    " LEFT JOIN catalog.group_memberships m ON m.group_id = g.id AND m.member_from <= $1::date"
    "  AND (m.member_until IS NULL OR $1::date < m.member_until)"
    " GROUP BY g.id ORDER BY " GROUP_ORDER("g.id");

static const char SQL_STATE_LOCK[] = "SELECT code FROM catalog.states WHERE code = $1 FOR UPDATE";
static const char SQL_PERIODS[] =
    "SELECT " SINCE("member_from") " AS since, " UNTIL("member_until") " AS until"
    " FROM catalog.group_memberships WHERE group_id = $1 AND state_code = $2"
    " ORDER BY member_from FOR UPDATE";
static const char SQL_PERIOD_INSERT[] =
    "INSERT INTO catalog.group_memberships (group_id, state_code, member_from, member_until,"
    " source, changed_by) VALUES ($1, $2, " FROM_PARAM(3) ", NULLIF($4, '')::date, $5, $6)"
    " RETURNING group_id, " SINCE("member_from") " AS since, " UNTIL("member_until") " AS until,"
    " source";
/* The legal act of each change is added to the period's source, so a membership served with a
 * State cites what decided its dates. */
static const char SQL_PERIOD_UPDATE[] =
    "UPDATE catalog.group_memberships SET member_until = NULLIF($4, '')::date,"
    " source = source || '; ' || $5, changed_by = $6"
    " WHERE group_id = $1 AND state_code = $2 AND member_from = " FROM_PARAM(3)
    " RETURNING group_id, " SINCE("member_from") " AS since, " UNTIL("member_until") " AS until,"
    " source";
#define CHANGE_COLUMNS                                                                             \
    "id, state_code, group_id, kind, coalesce(to_char(effective, 'YYYY-MM-DD'), '') AS effective," \
    " " UNTIL("previous_until") " AS previous_until, legal_reference, note, recorded_by, "         \
    RFC3339("recorded_at") " AS recorded_at"
static const char SQL_CHANGE_INSERT[] =
    "INSERT INTO catalog.group_changes (group_id, state_code, kind, effective, previous_until,"
    " member_from, legal_reference, note, recorded_by, request_id)"
    " VALUES ($1, $2, $3, NULLIF($4, '')::date, NULLIF($5, '')::date, " FROM_PARAM(6) ", $7, $8,"
    " $9, $10) RETURNING " CHANGE_COLUMNS;
/* Each change with its membership as it stands now. */
static const char SQL_CHANGES[] =
    "SELECT c.id, c.state_code, c.group_id, c.kind,"
    " coalesce(to_char(c.effective, 'YYYY-MM-DD'), '') AS effective,"
    " " UNTIL("c.previous_until") " AS previous_until, c.legal_reference, c.note, c.recorded_by,"
    " " RFC3339("c.recorded_at") " AS recorded_at,"
    " " SINCE("m.member_from") " AS since, " UNTIL("m.member_until") " AS until,"
    " m.source"
    " FROM catalog.group_changes c"
    " LEFT JOIN catalog.group_memberships m ON m.group_id = c.group_id"
    "  AND m.state_code = c.state_code AND m.member_from = c.member_from"
    " WHERE ($1 = '' OR c.group_id = $1) AND ($2 = '' OR c.state_code = $2)"
    " ORDER BY c.id DESC";

int store_groups_load(struct db *db, const char *groups_tsv, struct err *e)
{
    return store_tsv_apply(db, groups_tsv, 5, SQL_MEMBERSHIP_UPSERT, "country groups", e);
}

static Unic__Catalog__V1__GroupMembership *membership_row(struct arena *a, const PGresult *r,
                                                          int row, const char *group_col)
{
    Unic__Catalog__V1__GroupMembership *m = ARENA_MSG(a, Unic__Catalog__V1__GroupMembership,
                                                      UNIC__CATALOG__V1__GROUP_MEMBERSHIP__INIT);
    m->group = arena_strdup(a, db_get(r, row, group_col));
    m->since = arena_strdup(a, db_get(r, row, "since"));
    m->until = arena_strdup(a, db_get(r, row, "until"));
    m->source = arena_strdup(a, db_get(r, row, "source"));
    return m;
}

int store_memberships_attach(struct db *db, struct arena *a, const char *code,
                             Unic__Catalog__V1__State **states, size_t n, struct err *e)
{
    const char *params[] = {code};
    PGresult *r = db_query(db, e, SQL_MEMBERSHIPS, 1, params);
    if (r == NULL)
        return -1;
    /* Both are ordered by State code: one walk pairs them. */
    int rows = PQntuples(r), row = 0;
    for (size_t i = 0; i < n; i++) {
        Unic__Catalog__V1__State *s = states[i];
        while (row < rows && strcmp(db_get(r, row, "state_code"), s->code) < 0)
            row++;
        int end = row;
        while (end < rows && strcmp(db_get(r, end, "state_code"), s->code) == 0)
            end++;
        s->n_memberships = (size_t)(end - row);
        s->memberships = ARENA_ARRAY(a, Unic__Catalog__V1__GroupMembership *, s->n_memberships);
        for (int k = row; k < end; k++)
            s->memberships[k - row] = membership_row(a, r, k, "group_id");
        row = end;
    }
    PQclear(r);
    return 0;
}

/* "A,B,C" into a fresh array of the arena. */
static char **split_codes(struct arena *a, const char *s, size_t *n)
{
    *n = 0;
    if (*s == '\0')
        return NULL;
    size_t count = 1;
    for (const char *p = s; *p; p++)
        count += *p == ',';
    char **out = ARENA_ARRAY(a, char *, count);
    for (const char *p = s;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        out[(*n)++] = arena_strndup(a, p, len);
        if (end == NULL)
            break;
        p = end + 1;
    }
    return out;
}

int store_country_groups(struct db *db, struct arena *a, const char *as_of,
                         Unic__Catalog__V1__CountryGroup ***out, size_t *n, struct err *e)
{
    const char *params[] = {as_of};
    PGresult *r = db_query(db, e, SQL_GROUPS_ON, 1, params);
    if (r == NULL)
        return -1;
    *n = (size_t)PQntuples(r);
    *out = ARENA_ARRAY(a, Unic__Catalog__V1__CountryGroup *, *n);
    for (size_t i = 0; i < *n; i++) {
        Unic__Catalog__V1__CountryGroup *g = ARENA_MSG(a, Unic__Catalog__V1__CountryGroup,
                                                       UNIC__CATALOG__V1__COUNTRY_GROUP__INIT);
        g->id = arena_strdup(a, db_get(r, (int)i, "id"));
        g->name = arena_strdup(a, db_get(r, (int)i, "name"));
        g->source = arena_strdup(a, db_get(r, (int)i, "source"));
        g->members = split_codes(a, db_get(r, (int)i, "members"), &g->n_members);
        (*out)[i] = g;
    }
    PQclear(r);
    return 0;
}

/* ---- Changes ---- */

static GroupChange *change_row(struct arena *a, const PGresult *r, int row)
{
    GroupChange *g = ARENA_MSG(a, GroupChange, UNIC__CATALOG__V1__GROUP_CHANGE__INIT);
    g->id = db_get_int64(r, row, "id");
    g->state_code = arena_strdup(a, db_get(r, row, "state_code"));
    g->group = arena_strdup(a, db_get(r, row, "group_id"));
    g->kind = group_change_kind_parse(db_get(r, row, "kind"));
    g->effective_date = arena_strdup(a, db_get(r, row, "effective"));
    g->previous_until = arena_strdup(a, db_get(r, row, "previous_until"));
    g->legal_reference = arena_strdup(a, db_get(r, row, "legal_reference"));
    g->note = arena_strdup(a, db_get(r, row, "note"));
    g->recorded_by = arena_strdup(a, db_get(r, row, "recorded_by"));
    g->recorded_at = arena_strdup(a, db_get(r, row, "recorded_at"));
    return g;
}

/* The State's periods of the group, locked, and the edit the change makes of them. */
static int plan_edit(struct db *db, struct arena *a, const struct group_change_in *in,
                     struct group_edit *edit, struct err *e)
{
    const char *params[] = {in->group, in->state_code};
    PGresult *r = db_query(db, e, SQL_PERIODS, 2, params);
    if (r == NULL)
        return -1;
    size_t n = (size_t)PQntuples(r);
    struct group_period *p = ARENA_ARRAY(a, struct group_period, n);
    for (size_t i = 0; i < n; i++) {
        p[i].since = arena_strdup(a, db_get(r, (int)i, "since"));
        p[i].until = arena_strdup(a, db_get(r, (int)i, "until"));
    }
    PQclear(r);
    return group_change_apply(p, n, in->kind, in->effective, in->state_code, in->group, edit, e);
}

int store_group_change_record(struct call *c, const struct group_change_in *in,
                              const struct idem *k, GroupChange **out, struct err *e)
{
    struct db *db = c->db;
    struct arena *a = &c->arena;
    const char *kind = group_change_kind_name(in->kind);
    const char *request_id = k ? k->request_id : "";
    PGresult *r = NULL;
    struct group_edit edit;
    int rc = -1;
    int claimed = idem_tx_begin(c, k, e);
    if (claimed != 0)
        return claimed;
    const char *sp[] = {in->state_code};
    if ((r = db_query(db, e, SQL_STATE_LOCK, 1, sp)) == NULL)
        goto done;
    if (PQntuples(r) != 1) {
        err_field(e, "state_code", "\"%s\" is not a UN Member State", in->state_code);
        goto done;
    }
    PQclear(r);
    r = NULL;
    if (plan_edit(db, a, in, &edit, e) < 0)
        goto done;
    char *cite = arena_printf(a, "%s %s%s (%s)", kind, in->effective[0] ? "on " : "to a date not yet set",
                              in->effective, in->legal_reference);
    const char *mp[] = {in->group, in->state_code, edit.since, edit.until,
                        edit.insert ? in->legal_reference : cite, c->principal.label};
    if ((r = db_query(db, e, edit.insert ? SQL_PERIOD_INSERT : SQL_PERIOD_UPDATE, 6, mp)) == NULL)
        goto done;
    if (PQntuples(r) != 1) {
        err_set(e, ERR_INTERNAL, "could not change the membership of %s in %s: %d rows", in->state_code,
                in->group, PQntuples(r));
        goto done;
    }
    Unic__Catalog__V1__GroupMembership *m = membership_row(a, r, 0, "group_id");
    PQclear(r);
    r = NULL;
    const char *cp[] = {in->group, in->state_code, kind, in->effective, edit.previous_until, edit.since,
                        in->legal_reference, in->note, c->principal.label, request_id};
    if ((r = db_query(db, e, SQL_CHANGE_INSERT, 10, cp)) == NULL)
        goto done;
    GroupChange *g = change_row(a, r, 0);
    g->membership = m;
    if (audit_append(c, arena_printf(a, "group/%s/%s", in->group, in->state_code), in->state_code,
                     request_id, "membership-recorded",
                     AUDIT_ARGS(kind, in->state_code, in->group, in->effective, in->legal_reference,
                                m->since, m->until), e) < 0 ||
        idem_save(c, k, &g->base, e) < 0)
        goto done;
    rc = db_commit(db, e);
    if (rc == 0)
        *out = g;
done:
    PQclear(r);
    if (rc < 0)
        db_rollback(db);
    return rc;
}

int store_group_changes_list(struct db *db, struct arena *a, const char *group, const char *state,
                             GroupChange ***out, size_t *n, struct err *e)
{
    const char *params[] = {group, state};
    PGresult *r = db_query(db, e, SQL_CHANGES, 2, params);
    if (r == NULL)
        return -1;
    *n = (size_t)PQntuples(r);
    *out = ARENA_ARRAY(a, GroupChange *, *n);
    for (size_t i = 0; i < *n; i++) {
        GroupChange *g = change_row(a, r, (int)i);
        if (!db_isnull(r, (int)i, "source"))
            g->membership = membership_row(a, r, (int)i, "group_id");
        (*out)[i] = g;
    }
    PQclear(r);
    return 0;
}
