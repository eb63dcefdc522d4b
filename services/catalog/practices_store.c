/* practices_store.c: the SQL of PracticeService (sql/016_practices.sql). Search runs in each
 * practice's own text search configuration (catalog.practice_config): a query is parsed with the
 * configuration of the practice it is matched against, so French words meet French stems.
 * Columns by name, parameters only, results cleared on every path. Each write is one function
 * and one transaction: the idempotency key claimed first, the change, its audit event, the reply
 * stored under the key, COMMIT. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "catalog.h"
#include "practices.h"

#define RFC3339(col) "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
#define SEP "E'\\x1f'"

#define PRACTICE_COLUMNS                                                                           \
    "p.id, p.title, p.summary, array_to_string(p.topics, " SEP ") AS topics,"                      \
    " coalesce(p.state_code, '') AS state_code, p.organisation, p.language, p.link, p.body,"      \
    " to_char(p.dated, 'YYYY-MM-DD') AS dated, p.visibility, p.status, p.rejection_reason,"       \
    " p.submitted_by, " RFC3339("p.submitted_at") " AS submitted_at,"                              \
    " coalesce(p.curated_by, '') AS curated_by, " RFC3339("p.curated_at") " AS curated_at"
/* The viewer ($op, $member, $own) may see the row. */
#define VISIBLE(op, member, own)                                                                   \
    "(" op "::boolean OR (p.status = 'ACCEPTED' AND (p.visibility = 'PUBLIC' OR " member           \
    "::boolean)) OR (" own " <> '' AND p.state_code = " own "))"

static const char SQL_INSERT[] =
    "INSERT INTO catalog.practices AS p (title, summary, topics, state_code, organisation, language,"
    " link, body, dated, visibility, submitted_by)"
    " VALUES ($1, $2, string_to_array($3, " SEP "), NULLIF($4, ''), $5, $6, $7, $8, $9::date, $10, $11)"
    " RETURNING " PRACTICE_COLUMNS;
static const char SQL_CURATE[] =
    "UPDATE catalog.practices AS p SET status = $2, rejection_reason = $3, curated_by = $4,"
    " curated_at = now() WHERE p.id = $1::bigint AND p.status = 'SUBMITTED' RETURNING " PRACTICE_COLUMNS;
static const char SQL_STATUS[] = "SELECT status FROM catalog.practices WHERE id = $1::bigint";
static const char SQL_GET[] =
    "SELECT " PRACTICE_COLUMNS " FROM catalog.practices p WHERE p.id = $1::bigint AND "
    VISIBLE("$2", "$3", "$4");
static const char SQL_SEARCH[] =
    "SELECT * FROM (SELECT " PRACTICE_COLUMNS ", CASE WHEN $1 = '' THEN 0::real ELSE"
    "   ts_rank_cd(p.search, websearch_to_tsquery(catalog.practice_config(p.language), $1)) END AS rank"
    " FROM catalog.practices p"
    " WHERE ($1 = '' OR p.search @@ websearch_to_tsquery(catalog.practice_config(p.language), $1))"
    "   AND ($2 = '' OR $2 = ANY (p.topics))"
    "   AND ($3 = '' OR split_part(lower(p.language), '-', 1) = split_part(lower($3), '-', 1))"
    "   AND p.status = $4 AND " VISIBLE("$5", "$6", "$7") ") s"
    " WHERE $8::bigint = 0 OR s.rank < $9::real OR (s.rank = $9::real AND s.id < $8::bigint)"
    " ORDER BY s.rank DESC, s.id DESC LIMIT $10::int";
static const char SQL_PUBLISH[] =
    "INSERT INTO catalog.compilations (year, topic, edition, published_by)"
    " SELECT $1::int, $2, coalesce(max(edition), 0) + 1, $3 FROM catalog.compilations"
    " WHERE year = $1::int AND topic = $2 RETURNING edition";
static const char SQL_PUBLISH_PRACTICES[] =
    "INSERT INTO catalog.compilation_practices (year, topic, edition, practice_id)"
    " SELECT $1::int, $2, $3::int, id FROM catalog.practices"
    " WHERE status = 'ACCEPTED' AND $2 = ANY (topics) AND extract(year FROM dated) = $1::int";
static const char SQL_COMPILATION[] =
    "SELECT year, topic, edition, " RFC3339("published_at") " AS published_at, published_by"
    " FROM catalog.compilations WHERE year = $1::int AND topic = $2 ORDER BY edition DESC LIMIT 1";
static const char SQL_COMPILATION_PRACTICES[] =
    "SELECT " PRACTICE_COLUMNS " FROM catalog.practices p"
    " JOIN catalog.compilation_practices c ON c.practice_id = p.id"
    " WHERE c.year = $1::int AND c.topic = $2 AND c.edition = $3::int AND " VISIBLE("$4", "$5", "$6")
    " ORDER BY p.dated, p.id";

static int enum_value(const ProtobufCEnumDescriptor *d, const char *name)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value_by_name(d, name);
    return v ? v->value : 0;
}

static Practice *practice_row(struct arena *a, const PGresult *r, int row)
{
    Practice *p = ARENA_MSG(a, Practice, UNIC__CATALOG__V1__PRACTICE__INIT);
    p->id = db_get_int64(r, row, "id");
    p->title = arena_strdup(a, db_get(r, row, "title"));
    p->summary = arena_strdup(a, db_get(r, row, "summary"));
    db_list_split(a, db_get(r, row, "topics"), &p->topics, &p->n_topics);
    p->state_code = arena_strdup(a, db_get(r, row, "state_code"));
    p->organisation = arena_strdup(a, db_get(r, row, "organisation"));
    p->language = arena_strdup(a, db_get(r, row, "language"));
    p->link = arena_strdup(a, db_get(r, row, "link"));
    p->text = arena_strdup(a, db_get(r, row, "body"));
    p->date = arena_strdup(a, db_get(r, row, "dated"));
    p->visibility = (Unic__Catalog__V1__PracticeVisibility)enum_value(
        &unic__catalog__v1__practice_visibility__descriptor, db_get(r, row, "visibility"));
    p->status = (Unic__Catalog__V1__PracticeStatus)enum_value(
        &unic__catalog__v1__practice_status__descriptor, db_get(r, row, "status"));
    p->rejection_reason = arena_strdup(a, db_get(r, row, "rejection_reason"));
    p->submitted_by = arena_strdup(a, db_get(r, row, "submitted_by"));
    p->submitted_at = arena_strdup(a, db_get(r, row, "submitted_at"));
    p->curated_by = arena_strdup(a, db_get(r, row, "curated_by"));
    p->curated_at = arena_strdup(a, db_get(r, row, "curated_at"));
    return p;
}

/* The one row a statement returned, or *out NULL for none. */
static int one(struct db *db, struct arena *a, const char *sql, int n, const char *const *params,
               Practice **out, struct err *e)
{
    PGresult *r = db_query(db, e, sql, n, params);
    if (r == NULL)
        return -1;
    *out = PQntuples(r) == 1 ? practice_row(a, r, 0) : NULL;
    PQclear(r);
    return 0;
}

/* Inserts a validated practice (p->state_code or p->organisation set) as SUBMITTED. */
static int practice_insert(struct db *db, struct arena *a, const Practice *p, const char *by,
                           Practice **out, struct err *e)
{
    const char *vis = p->visibility == UNIC__CATALOG__V1__PRACTICE_VISIBILITY__PUBLIC ? "PUBLIC" : "MEMBER_STATES";
    const char *params[] = {p->title, p->summary,
                            db_list_join(a, (const char *const *)p->topics, p->n_topics), p->state_code,
                            p->organisation, p->language, p->link, p->text, p->date, vis, by};
    if (one(db, a, SQL_INSERT, 11, params, out, e) < 0)
        return -1;
    return *out ? 0 : err_set(e, ERR_INTERNAL, "could not read back the practice just shared");
}

/* SUBMITTED -> `status` with `reason`; NOT_FOUND, or FAILED_PRECONDITION when curated already. */
static int practice_curate(struct db *db, struct arena *a, int64_t id, const char *status,
                           const char *reason, const char *by, Practice **out, struct err *e)
{
    char sid[24];
    snprintf(sid, sizeof sid, "%" PRId64, id);
    const char *params[] = {sid, status, reason, by};
    if (one(db, a, SQL_CURATE, 4, params, out, e) < 0)
        return -1;
    if (*out)
        return 0;
    PGresult *r = db_query(db, e, SQL_STATUS, 1, params);
    if (r == NULL)
        return -1;
    if (PQntuples(r) == 0)
        err_set(e, ERR_NOT_FOUND, "could not curate practice %" PRId64 ": no such practice", id);
    else
        err_set(e, ERR_FAILED_PRECONDITION, "could not curate practice %" PRId64 ": it is %s already",
                id, db_get(r, 0, "status"));
    PQclear(r);
    return -1;
}

int practice_store_get(struct db *db, struct arena *a, int64_t id, const struct practice_viewer *v,
                       Practice **out, struct err *e)
{
    char sid[24];
    snprintf(sid, sizeof sid, "%" PRId64, id);
    const char *params[] = {sid, v->op ? "true" : "false", v->member ? "true" : "false", v->own};
    return one(db, a, SQL_GET, 4, params, out, e);
}

int practice_store_search(struct db *db, struct arena *a, const struct practice_search *s,
                          const struct practice_viewer *v, Practice ***out, char ***rank_text,
                          size_t *n, bool *more, struct err *e)
{
    char after[24], limit[16];
    snprintf(after, sizeof after, "%" PRId64, s->after_id);
    snprintf(limit, sizeof limit, "%d", s->limit + 1); /* one more says whether a page follows */
    const char *params[] = {s->query, s->topic, s->language, s->status, v->op ? "true" : "false",
                            v->member ? "true" : "false", v->own, after,
                            s->after_id ? s->after_rank_text : "0", limit};
    PGresult *r = db_query(db, e, SQL_SEARCH, 10, params);
    if (r == NULL)
        return -1;
    size_t rows = (size_t)PQntuples(r);
    *more = rows > (size_t)s->limit;
    *n = *more ? (size_t)s->limit : rows;
    *out = ARENA_ARRAY(a, Practice *, *n + 1);
    *rank_text = ARENA_ARRAY(a, char *, *n + 1);
    for (size_t i = 0; i < *n; i++) {
        (*out)[i] = practice_row(a, r, (int)i);
        (*rank_text)[i] = arena_strdup(a, db_get(r, (int)i, "rank"));
        (*out)[i]->rank = (float)db_get_double(r, (int)i, "rank");
    }
    PQclear(r);
    return 0;
}

/* The next edition of year/topic's compilation. */
static int edition_publish(struct db *db, int year, const char *topic, const char *by, int *edition,
                           struct err *e)
{
    char y[16], ed[16];
    snprintf(y, sizeof y, "%d", year);
    const char *params[] = {y, topic, by};
    PGresult *r = db_query(db, e, SQL_PUBLISH, 3, params);
    if (r == NULL) {
        if (e->code == ERR_ALREADY_EXISTS) /* a concurrent publication took the number */
            err_set(e, ERR_ABORTED, "could not publish the %d compilation of %s: another edition was"
                    " published at the same moment; try again", year, topic);
        return -1;
    }
    *edition = db_get_int(r, 0, "edition");
    PQclear(r);
    snprintf(ed, sizeof ed, "%d", *edition);
    const char *p2[] = {y, topic, ed};
    return db_command(db, e, SQL_PUBLISH_PRACTICES, 3, p2, NULL);
}

int practice_store_compilation(struct db *db, struct arena *a, int year, const char *topic,
                               const struct practice_viewer *v, Compilation **out, struct err *e)
{
    char y[16], ed[16];
    snprintf(y, sizeof y, "%d", year);
    const char *params[] = {y, topic};
    PGresult *r = db_query(db, e, SQL_COMPILATION, 2, params);
    if (r == NULL)
        return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return err_set(e, ERR_NOT_FOUND, "could not find the %d compilation of %s: it was not published",
                       year, topic);
    }
    Compilation *c = ARENA_MSG(a, Compilation, UNIC__CATALOG__V1__COMPILATION__INIT);
    c->year = year;
    c->topic = arena_strdup(a, topic);
    c->edition = db_get_int(r, 0, "edition");
    c->published_at = arena_strdup(a, db_get(r, 0, "published_at"));
    c->published_by = arena_strdup(a, db_get(r, 0, "published_by"));
    PQclear(r);
    snprintf(ed, sizeof ed, "%d", c->edition);
    const char *p2[] = {y, topic, ed, v->op ? "true" : "false", v->member ? "true" : "false", v->own};
    if ((r = db_query(db, e, SQL_COMPILATION_PRACTICES, 6, p2)) == NULL)
        return -1;
    c->n_practices = (size_t)PQntuples(r);
    c->practices = ARENA_ARRAY(a, Practice *, c->n_practices + 1);
    for (size_t i = 0; i < c->n_practices; i++)
        c->practices[i] = practice_row(a, r, (int)i);
    PQclear(r);
    *out = c;
    return 0;
}

/* ---- The writes: one function, one transaction each ---- */

int practice_store_share(struct call *c, const struct idem *k, const Practice *p, Practice **out,
                         struct err *e)
{
    int claimed = idem_tx_begin(c, k, e); /* the request_id first (common/idem.h) */
    if (claimed != 0)
        return claimed;
    bool ok = practice_insert(c->db, &c->arena, p, c->principal.label, out, e) == 0 &&
              audit_append(c, arena_printf(&c->arena, "practice/%" PRId64, (*out)->id), p->state_code,
                           k ? k->request_id : NULL, "practice-shared",
                           AUDIT_ARGS(arena_printf(&c->arena, "%" PRId64, (*out)->id), p->title,
                                      *p->state_code ? p->state_code : p->organisation), e) == 0 &&
              idem_save(c, k, &(*out)->base, e) == 0;
    return catalog_tx_end(c->db, ok, e);
}

int practice_store_curate(struct call *c, const struct idem *k, int64_t id, bool accept,
                          const char *reason, Practice **out, struct err *e)
{
    int claimed = idem_tx_begin(c, k, e);
    if (claimed != 0)
        return claimed;
    bool ok = practice_curate(c->db, &c->arena, id, accept ? "ACCEPTED" : "REJECTED", reason,
                              c->principal.label, out, e) == 0 &&
              audit_append(c, arena_printf(&c->arena, "practice/%" PRId64, id), (*out)->state_code,
                           k ? k->request_id : NULL, accept ? "practice-accepted" : "practice-rejected",
                           AUDIT_ARGS(arena_printf(&c->arena, "%" PRId64, id), reason), e) == 0 &&
              idem_save(c, k, &(*out)->base, e) == 0;
    return catalog_tx_end(c->db, ok, e);
}

int practice_store_publish(struct call *c, const struct idem *k, int year, const char *topic,
                           Compilation **out, struct err *e)
{
    struct practice_viewer everything = {true, true, ""};
    int edition = 0;
    int claimed = idem_tx_begin(c, k, e);
    if (claimed != 0)
        return claimed;
    bool ok = edition_publish(c->db, year, topic, c->principal.label, &edition, e) == 0 &&
              practice_store_compilation(c->db, &c->arena, year, topic, &everything, out, e) == 0 &&
              audit_append(c, arena_printf(&c->arena, "compilation/%d/%s", year, topic), NULL,
                           k ? k->request_id : NULL, "compilation-published",
                           AUDIT_ARGS(arena_printf(&c->arena, "%d", edition), arena_printf(&c->arena, "%d", year),
                                      topic, arena_printf(&c->arena, "%zu", (*out)->n_practices)), e) == 0 &&
              idem_save(c, k, &(*out)->base, e) == 0;
    return catalog_tx_end(c->db, ok, e);
}
