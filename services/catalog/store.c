/* store.c: all SQL of the catalog service, as named constants, and the functions that run it.
 * Results are built in the caller's arena as protobuf-c messages ready to send. */
#include <stdio.h>
#include <string.h>

#include "catalog.h"

static const char SQL_STATE_UPSERT[] =
    "INSERT INTO catalog.states (code, m49, name, region, sub_region, ldc)"
    " VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT (code) DO UPDATE SET m49 = EXCLUDED.m49, name = EXCLUDED.name,"
    " region = EXCLUDED.region, sub_region = EXCLUDED.sub_region, ldc = EXCLUDED.ldc"
    " WHERE (catalog.states.m49, catalog.states.name, catalog.states.region,"
    " catalog.states.sub_region, catalog.states.ldc) IS DISTINCT FROM"
    " (EXCLUDED.m49, EXCLUDED.name, EXCLUDED.region, EXCLUDED.sub_region, EXCLUDED.ldc)";
static const char SQL_TOPICS[] =
    "SELECT id, title, description FROM catalog.topics ORDER BY position";
static const char SQL_STATES[] =
    "SELECT code, m49, name, region, sub_region, ldc FROM catalog.states ORDER BY code";

int store_states_load(struct db *db, const char *tsv, struct err *e)
{
    enum { FIELDS = 6 };
    const char *line = strchr(tsv, '\n'); /* skip the header */
    int count = 0;
    if (line == NULL)
        return err_set(e, ERR_INTERNAL, "reference data has no rows");
    if (db_begin(db, e) < 0)
        return -1;
    for (line++; *line; count++) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char row[512], *fields[FIELDS];
        if (len >= sizeof row)
            goto bad;
        memcpy(row, line, len);
        row[len] = '\0';
        char *p = row;
        for (int i = 0; i < FIELDS; i++) {
            fields[i] = p;
            p = strchr(p, '\t');
            if ((p == NULL) != (i == FIELDS - 1))
                goto bad;
            if (p)
                *p++ = '\0';
        }
        const char *params[] = {fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]};
        if (db_command(db, e, SQL_STATE_UPSERT, FIELDS, params, NULL) < 0) {
            db_rollback(db);
            return -1;
        }
        line = end ? end + 1 : line + len;
        continue;
    bad:
        db_rollback(db);
        return err_set(e, ERR_INTERNAL, "reference data row %d is not 6 tab-separated fields",
                       count + 2);
    }
    return db_commit(db, e);
}

int store_topics_list(struct db *db, struct arena *a, Unic__Catalog__V1__Topic ***out, size_t *n,
                      struct err *e)
{
    PGresult *r = db_query(db, e, SQL_TOPICS, 0, NULL);
    if (r == NULL)
        return -1;
    *n = (size_t)PQntuples(r);
    *out = ARENA_ARRAY(a, Unic__Catalog__V1__Topic *, *n);
    for (size_t i = 0; i < *n; i++) {
        Unic__Catalog__V1__Topic *t = ARENA_MSG(a, Unic__Catalog__V1__Topic, UNIC__CATALOG__V1__TOPIC__INIT);
        t->id = arena_strdup(a, db_get(r, (int)i, "id"));
        t->title = arena_strdup(a, db_get(r, (int)i, "title"));
        t->description = arena_strdup(a, db_get(r, (int)i, "description"));
        (*out)[i] = t;
    }
    PQclear(r);
    return 0;
}

int store_states_list(struct db *db, struct arena *a, Unic__Catalog__V1__State ***out, size_t *n,
                      struct err *e)
{
    PGresult *r = db_query(db, e, SQL_STATES, 0, NULL);
    if (r == NULL)
        return -1;
    *n = (size_t)PQntuples(r);
    *out = ARENA_ARRAY(a, Unic__Catalog__V1__State *, *n);
    for (size_t i = 0; i < *n; i++) {
        int row = (int)i;
        Unic__Catalog__V1__State *s = ARENA_MSG(a, Unic__Catalog__V1__State, UNIC__CATALOG__V1__STATE__INIT);
        s->code = arena_strdup(a, db_get(r, row, "code"));
        s->m49 = db_get_int(r, row, "m49");
        s->name = arena_strdup(a, db_get(r, row, "name"));
        s->region = arena_strdup(a, db_get(r, row, "region"));
        s->sub_region = arena_strdup(a, db_get(r, row, "sub_region"));
        s->ldc = db_get_bool(r, row, "ldc");
        (*out)[i] = s;
    }
    PQclear(r);
    return 0;
}
