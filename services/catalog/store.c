/* store.c: all SQL of the catalog service, as named constants, and the functions that run it.
 * Results are built in the caller's arena as protobuf-c messages ready to send. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "catalog.h"
#include "definition.h"
#include "membership.h"

static const char SQL_STATE_UPSERT[] =
    "INSERT INTO catalog.states (code, m49, name, region, sub_region, intermediate_region)"
    " VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT (code) DO UPDATE SET m49 = EXCLUDED.m49, name = EXCLUDED.name,"
    " region = EXCLUDED.region, sub_region = EXCLUDED.sub_region,"
    " intermediate_region = EXCLUDED.intermediate_region"
    " WHERE (catalog.states.m49, catalog.states.name, catalog.states.region,"
    " catalog.states.sub_region, catalog.states.intermediate_region) IS DISTINCT FROM"
    " (EXCLUDED.m49, EXCLUDED.name, EXCLUDED.region, EXCLUDED.sub_region,"
    " EXCLUDED.intermediate_region)";
static const char SQL_STATE_ZONE[] =
    "UPDATE catalog.states SET capital = $2, time_zone = $3 WHERE code = $1"
    " AND (capital, time_zone) IS DISTINCT FROM ($2, $3)";
static const char SQL_TOPICS[] =
    "SELECT id, title, description FROM catalog.topics ORDER BY position";
/* time_zone is the State's own, when it set one, else its capital's (sql/017). ldc is membership
 * of the LDC group today (UTC): the flag of State, for clients that need no other date; the
 * memberships themselves come with each State (membership_store.c). */
#define STATE_COLUMNS                                                                              \
    "s.code, s.m49, s.name, s.region, s.sub_region, s.intermediate_region, s.capital,"            \
    " coalesce(s.own_time_zone, s.time_zone) AS time_zone, s.time_zone AS capital_time_zone,"     \
    " EXISTS (SELECT 1 FROM catalog.group_memberships m"                                          \
    "  WHERE m.state_code = s.code AND m.group_id = 'LDC'"                                        \
    "  AND m.member_from <= (now() AT TIME ZONE 'UTC')::date"                                    \
    "  AND (m.member_until IS NULL OR (now() AT TIME ZONE 'UTC')::date < m.member_until)) AS ldc"
static const char SQL_STATES[] =
    "SELECT " STATE_COLUMNS " FROM catalog.states s ORDER BY s.code";
static const char SQL_STATE[] =
    "SELECT " STATE_COLUMNS " FROM catalog.states s WHERE s.code = $1";
static const char SQL_STATE_OWN_ZONE[] =
    "UPDATE catalog.states SET own_time_zone = NULLIF($2, '') WHERE code = $1";
static const char SQL_TOPIC_IDS[] = "SELECT id FROM catalog.topics";

/* Arrays travel as one string: elements joined with the unit separator U+001F, and, where each
 * row of a batch has an array of its own, rows joined with the record separator U+001E. Every
 * text the catalog stores was checked to hold no control character (definition.c; the seed by
 * its checker), so neither separator can occur inside an element. Reading, array_to_string gives
 * one column per array; writing, string_to_array and unnest turn a whole version into a handful
 * of statements instead of one per row, with no array-literal quoting. One quirk: PostgreSQL
 * splits '' into an empty array, so a one-element batch whose element is '' arrives as NULL
 * (unnest pads), which the statements coalesce back. */
#define SEP "E'\\x1f'"
#define RSEP "E'\\x1e'"
#define SPLIT(n) "string_to_array($" #n ", " SEP ")"

/* Version 0 means the latest published one. The locale served is the one asked for, else its
 * primary language, else "en" (every version has its texts in "en"). */
static const char SQL_RESOLVE[] =
    "SELECT v.version, v.state, v.cache_tag,"
    " (SELECT t.locale FROM catalog.version_texts t"
    "   WHERE t.questionnaire_id = v.questionnaire_id AND t.version = v.version"
    "     AND t.locale IN ($3, $4, 'en')"
    "   ORDER BY CASE t.locale WHEN $3 THEN 0 WHEN $4 THEN 1 ELSE 2 END LIMIT 1) AS locale"
    " FROM catalog.versions v"
    " WHERE v.questionnaire_id = $1"
    "   AND CASE WHEN $2::int = 0 THEN v.state = 'PUBLISHED' ELSE v.version = $2::int END"
    " ORDER BY v.version DESC LIMIT 1";
#define RFC3339(col) "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
static const char SQL_HEADER[] =
    "SELECT q.kind, v.state, v.source, " RFC3339("v.published_at") " AS published_at, t.title"
    " FROM catalog.versions v"
    " JOIN catalog.questionnaires q ON q.id = v.questionnaire_id"
    " JOIN catalog.version_texts t ON t.questionnaire_id = v.questionnaire_id"
    "  AND t.version = v.version AND t.locale = $3"
    " WHERE v.questionnaire_id = $1 AND v.version = $2::int";
static const char SQL_SECTIONS[] =
    "SELECT s.id, s.number, t.title"
    " FROM catalog.sections s"
    " JOIN catalog.section_texts t ON t.questionnaire_id = s.questionnaire_id"
    "  AND t.version = s.version AND t.section_id = s.id AND t.locale = $3"
    " WHERE s.questionnaire_id = $1 AND s.version = $2::int"
    " ORDER BY s.number";
/* Questions, their texts and their levels come in three single-table reads matched up in C, not
 * joins: right after a version is created its rows have no statistics yet, and the planner's
 * guess for a join (nested loops over sequential scans) took half a second for 500 questions. */
static const char SQL_QUESTIONS[] =
    "SELECT id, section_id, number, answer_type, weight, required,"
    " coalesce(to_char(deadline, 'YYYY-MM-DD'), '') AS deadline, recurrence,"
    " array_to_string(topics, " SEP ") AS topics"
    " FROM catalog.questions"
    " WHERE questionnaire_id = $1 AND version = $2::int"
    " ORDER BY number";
static const char SQL_QUESTION_TEXTS[] =
    "SELECT question_id, text, guidance, array_to_string(sub_items, " SEP ") AS sub_items"
    " FROM catalog.question_texts"
    " WHERE questionnaire_id = $1 AND version = $2::int AND locale = $3";
/* Each question's levels together, in level order (the primary key's order). */
static const char SQL_LEVELS[] =
    "SELECT question_id, level, name, description"
    " FROM catalog.level_texts"
    " WHERE questionnaire_id = $1 AND version = $2::int AND locale = $3"
    " ORDER BY question_id, level";

/* Keyset pagination over questionnaire ids: $1 the last id of the previous page ('' for the
 * first), $2 how many questionnaires, $3 whether drafts are visible. Without drafts, a
 * questionnaire with no published version is not listed, and a title never comes from a draft. */
static const char SQL_LIST[] =
    "SELECT q.id, q.kind,"
    " coalesce((SELECT t.title FROM catalog.version_texts t"
    "   JOIN catalog.versions tv ON tv.questionnaire_id = t.questionnaire_id AND tv.version = t.version"
    "   WHERE t.questionnaire_id = q.id AND t.locale = 'en' AND ($3::boolean OR tv.state = 'PUBLISHED')"
    "   ORDER BY tv.state = 'PUBLISHED' DESC, tv.version DESC LIMIT 1), '') AS title,"
    " v.version, v.state, " RFC3339("v.published_at") " AS published_at"
    " FROM (SELECT qq.id, qq.kind FROM catalog.questionnaires qq"
    "        WHERE qq.id > $1 AND ($3::boolean OR EXISTS (SELECT 1 FROM catalog.versions pv"
    "              WHERE pv.questionnaire_id = qq.id AND pv.state = 'PUBLISHED'))"
    "        ORDER BY qq.id LIMIT $2::int) q"
    " JOIN catalog.versions v ON v.questionnaire_id = q.id AND ($3::boolean OR v.state = 'PUBLISHED')"
    " ORDER BY q.id, v.version";

/* Creating a version: the questionnaire row is created if new, then locked, so that concurrent
 * creations (several replicas, several operators) take version numbers one after the other. */
static const char SQL_Q_INSERT[] =
    "INSERT INTO catalog.questionnaires (id, kind) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING";
static const char SQL_Q_LOCK[] = "SELECT kind FROM catalog.questionnaires WHERE id = $1 FOR UPDATE";
static const char SQL_NEXT_VERSION[] =
    "SELECT coalesce(max(version), 0) + 1 AS version FROM catalog.versions WHERE questionnaire_id = $1";
static const char SQL_VERSION_INSERT[] =
    "INSERT INTO catalog.versions (questionnaire_id, version, state, source, created_by)"
    " VALUES ($1, $2, 'DRAFT', $3, $4)";
static const char SQL_SECTIONS_INSERT[] =
    "INSERT INTO catalog.sections (questionnaire_id, version, id, number)"
    " SELECT $1, $2::int, s.id, s.number"
    " FROM unnest(" SPLIT(3) ", " SPLIT(4) "::int[]) AS s(id, number)";
static const char SQL_QUESTIONS_INSERT[] =
    "INSERT INTO catalog.questions (questionnaire_id, version, id, section_id, number, answer_type,"
    " weight, required, deadline, recurrence, topics)"
    " SELECT $1, $2::int, q.id, q.section_id, q.number, q.answer_type, q.weight, q.required,"
    "  NULLIF(q.deadline, '')::date, q.recurrence, coalesce(string_to_array(q.topics, " SEP "), '{}')"
    " FROM unnest(" SPLIT(3) ", " SPLIT(4) ", " SPLIT(5) "::int[], " SPLIT(6) ", " SPLIT(7) "::float8[],"
    "  " SPLIT(8) "::boolean[], " SPLIT(9) ", " SPLIT(10) ", string_to_array($11, " RSEP "))"
    " AS q(id, section_id, number, answer_type, weight, required, deadline, recurrence, topics)";
/* Every text row is checked against its question by a foreign key. Right after a batch of new
 * questions the planner has no statistics for them and checks each key by scanning the whole
 * version through the (questionnaire_id, version, number) index: quadratic, 1.7 s for the 6,000
 * level rows of 500 questions in two locales. Statistics taken inside the transaction (ANALYZE
 * counts its own uncommitted rows; a few milliseconds) make it an index lookup again: 60 ms. */
static const char SQL_ANALYZE_STRUCTURE[] = "ANALYZE catalog.sections, catalog.questions";
static const char SQL_VERSION_TEXT_INSERT[] =
    "INSERT INTO catalog.version_texts (questionnaire_id, version, locale, title) VALUES ($1, $2, $3, $4)";
static const char SQL_SECTION_TEXTS_INSERT[] =
    "INSERT INTO catalog.section_texts (questionnaire_id, version, section_id, locale, title)"
    " SELECT $1, $2::int, s.id, $3, s.title FROM unnest(" SPLIT(4) ", " SPLIT(5) ") AS s(id, title)";
static const char SQL_QUESTION_TEXTS_INSERT[] =
    "INSERT INTO catalog.question_texts (questionnaire_id, version, question_id, locale, text,"
    " guidance, sub_items)"
    " SELECT $1, $2::int, q.id, $3, q.text, coalesce(q.guidance, ''),"
    "  coalesce(string_to_array(q.sub_items, " SEP "), '{}')"
    " FROM unnest(" SPLIT(4) ", " SPLIT(5) ", " SPLIT(6) ", string_to_array($7, " RSEP "))"
    " AS q(id, text, guidance, sub_items)";
static const char SQL_LEVEL_TEXTS_INSERT[] =
    "INSERT INTO catalog.level_texts (questionnaire_id, version, question_id, locale, level, name,"
    " description)"
    " SELECT $1, $2::int, l.question_id, $3, l.level, l.name, coalesce(l.description, '')"
    " FROM unnest(" SPLIT(4) ", " SPLIT(5) "::int[], " SPLIT(6) ", " SPLIT(7) ")"
    " AS l(question_id, level, name, description)";

static const char SQL_VERSION_LOCK[] =
    "SELECT state FROM catalog.versions WHERE questionnaire_id = $1 AND version = $2::int FOR UPDATE";
static const char SQL_VERSION_PUBLISH[] =
    "UPDATE catalog.versions SET state = 'PUBLISHED', published_at = now()"
    " WHERE questionnaire_id = $1 AND version = $2::int AND state = 'DRAFT'";

int store_tsv_apply(struct db *db, const char *tsv, int fields, const char *sql, const char *what,
                    struct err *e)
{
    enum { FIELDS_MAX = 8 };
    const char *line = strchr(tsv, '\n'); /* skip the header */
    int count = 0;
    if (line == NULL || fields > FIELDS_MAX)
        return err_set(e, ERR_INTERNAL, "%s has no rows", what);
    for (line++; *line; count++) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char row[512], *p = row;
        const char *params[FIELDS_MAX];
        if (len >= sizeof row)
            goto bad;
        memcpy(row, line, len);
        row[len] = '\0';
        for (int i = 0; i < fields; i++) {
            params[i] = p;
            p = strchr(p, '\t');
            if ((p == NULL) != (i == fields - 1))
                goto bad;
            if (p)
                *p++ = '\0';
        }
        if (db_command(db, e, sql, fields, params, NULL) < 0)
            return -1;
        line = end ? end + 1 : line + len;
        continue;
    bad:
        return err_set(e, ERR_INTERNAL, "%s row %d is not %d tab-separated fields", what,
                       count + 2, fields);
    }
    return 0;
}

/* Replicas starting together each load the same rows: one at a time, or their upserts of the
 * same rows in three tables deadlock. The wait is start-up's, not a call's: no lock_timeout
 * (SET LOCAL, for this transaction only). */
static const char SQL_REFERENCE_NO_TIMEOUT[] = "SELECT set_config('lock_timeout', '0', true) AS lt";
static const char SQL_REFERENCE_LOCK[] =
    "SELECT pg_advisory_xact_lock(hashtext('unic.catalog.reference')) IS NULL AS locked";

static int reference_lock(struct db *db, struct err *e)
{
    PGresult *r = db_query(db, e, SQL_REFERENCE_NO_TIMEOUT, 0, NULL);
    if (r == NULL)
        return -1;
    PQclear(r);
    if ((r = db_query(db, e, SQL_REFERENCE_LOCK, 0, NULL)) == NULL)
        return -1;
    PQclear(r);
    return 0;
}

int store_states_load(struct db *db, const char *states_tsv, const char *zones_tsv,
                      const char *groups_tsv, struct err *e)
{
    if (db_begin(db, e) < 0)
        return -1;
    if (reference_lock(db, e) < 0 ||
        store_tsv_apply(db, states_tsv, 6, SQL_STATE_UPSERT, "reference data", e) < 0 ||
        store_tsv_apply(db, zones_tsv, 3, SQL_STATE_ZONE, "capital time zones", e) < 0 ||
        store_groups_load(db, groups_tsv, e) < 0) {
        db_rollback(db);
        return -1;
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

static Unic__Catalog__V1__State *state_row(struct arena *a, PGresult *r, int row)
{
    Unic__Catalog__V1__State *s = ARENA_MSG(a, Unic__Catalog__V1__State, UNIC__CATALOG__V1__STATE__INIT);
    s->code = arena_strdup(a, db_get(r, row, "code"));
    s->m49 = db_get_int(r, row, "m49");
    s->name = arena_strdup(a, db_get(r, row, "name"));
    s->region = arena_strdup(a, db_get(r, row, "region"));
    s->sub_region = arena_strdup(a, db_get(r, row, "sub_region"));
    s->intermediate_region = arena_strdup(a, db_get(r, row, "intermediate_region"));
    s->ldc = db_get_bool(r, row, "ldc");
    s->capital = arena_strdup(a, db_get(r, row, "capital"));
    s->time_zone = arena_strdup(a, db_get(r, row, "time_zone"));
    s->capital_time_zone = arena_strdup(a, db_get(r, row, "capital_time_zone"));
    return s;
}

int store_states_list(struct db *db, struct arena *a, Unic__Catalog__V1__State ***out, size_t *n,
                      struct err *e)
{
    PGresult *r = db_query(db, e, SQL_STATES, 0, NULL);
    if (r == NULL)
        return -1;
    *n = (size_t)PQntuples(r);
    *out = ARENA_ARRAY(a, Unic__Catalog__V1__State *, *n);
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = state_row(a, r, (int)i);
    PQclear(r);
    return store_memberships_attach(db, a, NULL, *out, *n, e);
}

int store_state_time_zone_set(struct call *c, const struct idem *k, const char *code, const char *zone,
                              Unic__Catalog__V1__State **out, struct err *e)
{
    const char *params[] = {code, zone};
    int claimed = idem_tx_begin(c, k, e); /* the request_id first (common/idem.h) */
    if (claimed != 0)
        return claimed;
    bool ok = db_command(c->db, e, SQL_STATE_OWN_ZONE, 2, params, NULL) == 0 &&
              store_state_get(c->db, &c->arena, code, out, e) == 0 &&
              audit_append(c, arena_printf(&c->arena, "state/%s", code), code, k ? k->request_id : NULL,
                           "time-zone-set", AUDIT_ARGS(code, (*out)->time_zone), e) == 0 &&
              idem_save(c, k, &(*out)->base, e) == 0;
    return catalog_tx_end(c->db, ok, e);
}

int store_state_get(struct db *db, struct arena *a, const char *code, Unic__Catalog__V1__State **out,
                    struct err *e)
{
    const char *params[] = {code};
    PGresult *r = db_query(db, e, SQL_STATE, 1, params);
    if (r == NULL)
        return -1;
    int rc = 0;
    if (PQntuples(r) == 1)
        *out = state_row(a, r, 0);
    else
        rc = err_set(e, ERR_NOT_FOUND, "could not find State \"%.8s\" among the UN Member States", code);
    PQclear(r);
    return rc < 0 ? rc : store_memberships_attach(db, a, code, out, 1, e);
}

int store_topic_ids(struct db *db, struct arena *a, char ***ids, size_t *n, struct err *e)
{
    PGresult *r = db_query(db, e, SQL_TOPIC_IDS, 0, NULL);
    if (r == NULL)
        return -1;
    *n = (size_t)PQntuples(r);
    *ids = ARENA_ARRAY(a, char *, *n);
    for (size_t i = 0; i < *n; i++)
        (*ids)[i] = arena_strdup(a, db_get(r, (int)i, "id"));
    PQclear(r);
    return 0;
}

int catalog_tx_end(struct db *db, bool ok, struct err *e)
{
    if (ok && db_commit(db, e) == 0)
        return 0;
    db_rollback(db);
    return -1;
}

const struct idem_sql catalog_idem_sql = IDEM_SQL("catalog.idempotency_keys", "principal");

/* ---- Reading a version ---- */

/* Runs a statement expected to find its row: NOT_FOUND, saying `fmt`, when it returns none. */
static PGresult *query_found(struct db *db, struct err *e, const char *sql, int n,
                             const char *const *params, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static PGresult *query_found(struct db *db, struct err *e, const char *sql, int n,
                             const char *const *params, const char *fmt, ...)
{
    PGresult *r = db_query(db, e, sql, n, params);
    if (r == NULL || PQntuples(r) > 0)
        return r;
    PQclear(r);
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, ERR_NOT_FOUND, fmt, ap);
    va_end(ap);
    return NULL;
}

int store_version_resolve(struct db *db, const char *id, int version, const char *locale,
                          struct version_ref *out, struct err *e)
{
    char ver[16], lang[40];
    snprintf(ver, sizeof ver, "%d", version);
    definition_locale_language(locale, lang, sizeof lang);
    const char *params[] = {id, ver, locale, lang};
    PGresult *r;
    int rc = -1;
    if (version == 0)
        r = query_found(db, e, SQL_RESOLVE, 4, params,
                        "could not find a published version of questionnaire \"%s\"", id);
    else
        r = query_found(db, e, SQL_RESOLVE, 4, params,
                        "could not find questionnaire \"%s\" version %d", id, version);
    if (r == NULL)
        return -1;
    out->version = db_get_int(r, 0, "version");
    if (db_isnull(r, 0, "locale")) {
        err_set(e, ERR_INTERNAL, "questionnaire \"%s\" version %d has no texts in \"%s\"", id,
                out->version, DEFINITION_BASE_LOCALE);
        goto done;
    }
    out->state = definition_state_parse(db_get(r, 0, "state"));
    snprintf(out->locale, sizeof out->locale, "%s", db_get(r, 0, "locale"));
    snprintf(out->tag, sizeof out->tag, "%s", db_get(r, 0, "cache_tag"));
    rc = 0;
done:
    PQclear(r);
    return rc;
}

static int load_header(struct db *db, struct arena *a, const char *const *params,
                       Unic__Catalog__V1__Questionnaire *q, struct err *e)
{
    PGresult *r = query_found(db, e, SQL_HEADER, 3, params,
                              "could not find questionnaire \"%s\" version %s in \"%s\"", params[0],
                              params[1], params[2]);
    if (r == NULL)
        return -1;
    q->kind = definition_kind_parse(db_get(r, 0, "kind"));
    q->state = definition_state_parse(db_get(r, 0, "state"));
    q->source = arena_strdup(a, db_get(r, 0, "source"));
    q->published_at = arena_strdup(a, db_get(r, 0, "published_at"));
    q->title = arena_strdup(a, db_get(r, 0, "title"));
    PQclear(r);
    return 0;
}

static int load_sections(struct db *db, struct arena *a, const char *const *params,
                         Unic__Catalog__V1__Questionnaire *q, struct err *e)
{
    PGresult *r = db_query(db, e, SQL_SECTIONS, 3, params);
    if (r == NULL)
        return -1;
    q->n_sections = (size_t)PQntuples(r);
    q->sections = ARENA_ARRAY(a, Unic__Catalog__V1__Section *, q->n_sections);
    for (size_t i = 0; i < q->n_sections; i++) {
        int row = (int)i;
        Unic__Catalog__V1__Section *s =
            ARENA_MSG(a, Unic__Catalog__V1__Section, UNIC__CATALOG__V1__SECTION__INIT);
        s->id = arena_strdup(a, db_get(r, row, "id"));
        s->number = db_get_int(r, row, "number");
        s->title = arena_strdup(a, db_get(r, row, "title"));
        q->sections[i] = s;
    }
    PQclear(r);
    return 0;
}

static Unic__Catalog__V1__Section *section_find(Unic__Catalog__V1__Questionnaire *q, const char *id)
{
    for (size_t i = 0; i < q->n_sections; i++)
        if (strcmp(q->sections[i]->id, id) == 0)
            return q->sections[i];
    return NULL;
}

/* Questions by id, to match text and level rows to them. */
struct question_index {
    const char *id;
    Unic__Catalog__V1__Question *q;
};

static int question_index_cmp(const void *x, const void *y)
{
    return strcmp(((const struct question_index *)x)->id, ((const struct question_index *)y)->id);
}

static Unic__Catalog__V1__Question *question_index_find(const struct question_index *idx, size_t n,
                                                        const char *id)
{
    struct question_index key = {id, NULL};
    const struct question_index *hit = bsearch(&key, idx, n, sizeof *idx, question_index_cmp);
    return hit ? hit->q : NULL;
}

/* Fills each section's questions, ordered by number, and `idx` (sorted by id) with them all. */
static int load_questions(struct db *db, struct arena *a, const char *const *params,
                          Unic__Catalog__V1__Questionnaire *q, struct question_index **idx, size_t *n_idx,
                          struct err *e)
{
    PGresult *r = db_query(db, e, SQL_QUESTIONS, 2, params);
    int rc = -1;
    if (r == NULL)
        return -1;
    int rows = PQntuples(r);
    for (int row = 0; row < rows; row++) {
        Unic__Catalog__V1__Section *s = section_find(q, db_get(r, row, "section_id"));
        if (s == NULL) {
            err_set(e, ERR_INTERNAL, "could not load question \"%s\" of questionnaire \"%s\" version %s: "
                    "its section has no text in \"%s\"", db_get(r, row, "id"), params[0], params[1], params[2]);
            goto done;
        }
        s->n_questions++;
    }
    for (size_t i = 0; i < q->n_sections; i++) {
        q->sections[i]->questions = ARENA_ARRAY(a, Unic__Catalog__V1__Question *, q->sections[i]->n_questions);
        q->sections[i]->n_questions = 0;
    }
    *idx = ARENA_ARRAY(a, struct question_index, rows);
    *n_idx = (size_t)rows;
    for (int row = 0; row < rows; row++) {
        Unic__Catalog__V1__Question *x =
            ARENA_MSG(a, Unic__Catalog__V1__Question, UNIC__CATALOG__V1__QUESTION__INIT);
        x->id = arena_strdup(a, db_get(r, row, "id"));
        x->section_id = arena_strdup(a, db_get(r, row, "section_id"));
        x->number = db_get_int(r, row, "number");
        x->answer_type = definition_answer_type_parse(db_get(r, row, "answer_type"));
        x->weight = db_get_double(r, row, "weight");
        x->required = db_get_bool(r, row, "required");
        x->deadline = arena_strdup(a, db_get(r, row, "deadline"));
        x->recurrence = definition_recurrence_parse(db_get(r, row, "recurrence"));
        db_list_split(a, db_get(r, row, "topics"), &x->topics, &x->n_topics);
        x->text = NULL; /* set by load_question_texts, which checks none is left */
        Unic__Catalog__V1__Section *s = section_find(q, x->section_id);
        s->questions[s->n_questions++] = x;
        (*idx)[row] = (struct question_index){x->id, x};
    }
    qsort(*idx, *n_idx, sizeof **idx, question_index_cmp);
    rc = 0;
done:
    PQclear(r);
    return rc;
}

static int load_question_texts(struct db *db, struct arena *a, const char *const *params,
                               const struct question_index *idx, size_t n_idx, struct err *e)
{
    PGresult *r = db_query(db, e, SQL_QUESTION_TEXTS, 3, params);
    int rc = -1;
    if (r == NULL)
        return -1;
    int rows = PQntuples(r);
    for (int row = 0; row < rows; row++) {
        Unic__Catalog__V1__Question *x = question_index_find(idx, n_idx, db_get(r, row, "question_id"));
        if (x == NULL)
            continue; /* cannot happen: the foreign key ties texts to questions */
        x->text = arena_strdup(a, db_get(r, row, "text"));
        x->guidance = arena_strdup(a, db_get(r, row, "guidance"));
        db_list_split(a, db_get(r, row, "sub_items"), &x->sub_items, &x->n_sub_items);
    }
    for (size_t i = 0; i < n_idx; i++) {
        if (idx[i].q->text == NULL) {
            err_set(e, ERR_INTERNAL, "could not load question \"%s\" of questionnaire \"%s\" version %s: "
                    "it has no text in \"%s\"", idx[i].id, params[0], params[1], params[2]);
            goto done;
        }
    }
    rc = 0;
done:
    PQclear(r);
    return rc;
}

/* Level rows come grouped by question, in level order. */
static int load_levels(struct db *db, struct arena *a, const char *const *params,
                       const struct question_index *idx, size_t n_idx, struct err *e)
{
    PGresult *r = db_query(db, e, SQL_LEVELS, 3, params);
    if (r == NULL)
        return -1;
    int rows = PQntuples(r);
    for (int row = 0; row < rows;) {
        const char *qid = db_get(r, row, "question_id");
        int end = row;
        while (end < rows && strcmp(db_get(r, end, "question_id"), qid) == 0)
            end++;
        Unic__Catalog__V1__Question *x = question_index_find(idx, n_idx, qid);
        if (x) { /* always: the foreign key ties levels to questions */
            x->n_levels = (size_t)(end - row);
            x->levels = ARENA_ARRAY(a, Unic__Catalog__V1__LevelDescriptor *, x->n_levels);
            for (int k = row; k < end; k++) {
                Unic__Catalog__V1__LevelDescriptor *l = ARENA_MSG(
                    a, Unic__Catalog__V1__LevelDescriptor, UNIC__CATALOG__V1__LEVEL_DESCRIPTOR__INIT);
                l->level = db_get_int(r, k, "level");
                l->name = arena_strdup(a, db_get(r, k, "name"));
                l->description = arena_strdup(a, db_get(r, k, "description"));
                x->levels[k - row] = l;
            }
        }
        row = end;
    }
    PQclear(r);
    return 0;
}

/* Five statements outside a transaction: a version's content is written in one transaction and
 * never changed after, so they all see the same content; only the state can move (DRAFT to
 * PUBLISHED), and it is read once, by the first. */
int store_questionnaire_load(struct db *db, struct arena *a, const char *id, int version,
                             const char *locale, Unic__Catalog__V1__Questionnaire **out, struct err *e)
{
    char ver[16];
    snprintf(ver, sizeof ver, "%d", version);
    const char *params[] = {id, ver, locale};
    struct question_index *idx = NULL;
    size_t n_idx = 0;
    Unic__Catalog__V1__Questionnaire *q =
        ARENA_MSG(a, Unic__Catalog__V1__Questionnaire, UNIC__CATALOG__V1__QUESTIONNAIRE__INIT);
    q->id = arena_strdup(a, id);
    q->version = version;
    q->locale = arena_strdup(a, locale);
    if (load_header(db, a, params, q, e) < 0 || load_sections(db, a, params, q, e) < 0 ||
        load_questions(db, a, params, q, &idx, &n_idx, e) < 0 ||
        load_question_texts(db, a, params, idx, n_idx, e) < 0 || load_levels(db, a, params, idx, n_idx, e) < 0)
        return -1;
    *out = q;
    return 0;
}

/* ---- Listing ---- */

int store_questionnaires_list(struct db *db, struct arena *a, const char *after, int limit,
                              bool drafts, Unic__Catalog__V1__QuestionnaireSummary ***out, size_t *n,
                              bool *more, struct err *e)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit + 1); /* one more tells whether a next page exists */
    const char *params[] = {after, lim, drafts ? "true" : "false"};
    PGresult *r = db_query(db, e, SQL_LIST, 3, params);
    if (r == NULL)
        return -1;
    int rows = PQntuples(r);
    size_t distinct = 0;
    for (int row = 0; row < rows; row++)
        distinct += row == 0 || strcmp(db_get(r, row, "id"), db_get(r, row - 1, "id")) != 0;
    *out = ARENA_ARRAY(a, Unic__Catalog__V1__QuestionnaireSummary *, distinct);
    *n = 0;
    *more = false;
    for (int row = 0; row < rows;) {
        int end = row;
        while (end < rows && strcmp(db_get(r, end, "id"), db_get(r, row, "id")) == 0)
            end++;
        if (*n == (size_t)limit) {
            *more = true;
            break;
        }
        Unic__Catalog__V1__QuestionnaireSummary *s = ARENA_MSG(
            a, Unic__Catalog__V1__QuestionnaireSummary, UNIC__CATALOG__V1__QUESTIONNAIRE_SUMMARY__INIT);
        s->id = arena_strdup(a, db_get(r, row, "id"));
        s->title = arena_strdup(a, db_get(r, row, "title"));
        s->kind = definition_kind_parse(db_get(r, row, "kind"));
        s->n_versions = (size_t)(end - row);
        s->versions = ARENA_ARRAY(a, Unic__Catalog__V1__VersionInfo *, s->n_versions);
        for (int v = row; v < end; v++) {
            Unic__Catalog__V1__VersionInfo *vi =
                ARENA_MSG(a, Unic__Catalog__V1__VersionInfo, UNIC__CATALOG__V1__VERSION_INFO__INIT);
            vi->version = db_get_int(r, v, "version");
            vi->state = definition_state_parse(db_get(r, v, "state"));
            vi->published_at = arena_strdup(a, db_get(r, v, "published_at"));
            s->versions[v - row] = vi;
        }
        (*out)[(*n)++] = s;
        row = end;
    }
    PQclear(r);
    return 0;
}

/* ---- Writing a version ---- */

/* The `n` strings joined with `sep` (see SEP). */
static char *join_sep(struct arena *a, char *const *items, size_t n, char sep)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + 1;
    char *out = arena_alloc(a, len), *p = out;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            *p++ = sep;
        size_t l = strlen(items[i]);
        memcpy(p, items[i], l);
        p += l;
    }
    *p = '\0';
    return out;
}

static char *join(struct arena *a, char *const *items, size_t n)
{
    return join_sep(a, items, n, '\x1f');
}

static char *join_rows(struct arena *a, char *const *rows, size_t n)
{
    return join_sep(a, rows, n, '\x1e');
}

/* One batch statement that must insert exactly `rows` rows. */
static int insert_batch(struct db *db, const char *sql, int nparams, const char *const *params,
                        size_t rows, struct err *e)
{
    long affected = 0;
    if (db_command(db, e, sql, nparams, params, &affected) < 0)
        return -1;
    if ((size_t)affected != rows)
        return err_set(e, ERR_INTERNAL, "could not store questionnaire \"%s\" version %s: %ld rows stored, %zu expected",
                       params[0], params[1], affected, rows);
    return 0;
}

static size_t questions_total(const Unic__Catalog__V1__Questionnaire *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_sections; i++)
        n += d->sections[i]->n_questions;
    return n;
}

/* Sections and questions: the language-independent structure, two statements. */
static int insert_structure(struct db *db, struct arena *a, const Unic__Catalog__V1__Questionnaire *d,
                            const char *ver, struct err *e)
{
    size_t ns = d->n_sections, nq = questions_total(d), k = 0;
    char **sid = ARENA_ARRAY(a, char *, ns), **snum = ARENA_ARRAY(a, char *, ns);
    char **id = ARENA_ARRAY(a, char *, nq), **qsid = ARENA_ARRAY(a, char *, nq), **num = ARENA_ARRAY(a, char *, nq),
         **type = ARENA_ARRAY(a, char *, nq), **weight = ARENA_ARRAY(a, char *, nq),
         **req = ARENA_ARRAY(a, char *, nq), **deadline = ARENA_ARRAY(a, char *, nq),
         **rec = ARENA_ARRAY(a, char *, nq), **topics = ARENA_ARRAY(a, char *, nq);
    for (size_t i = 0; i < ns; i++) {
        const Unic__Catalog__V1__Section *s = d->sections[i];
        sid[i] = s->id;
        snum[i] = arena_printf(a, "%d", (int)s->number);
        for (size_t j = 0; j < s->n_questions; j++, k++) {
            const Unic__Catalog__V1__Question *q = s->questions[j];
            id[k] = q->id;
            qsid[k] = s->id;
            num[k] = arena_printf(a, "%d", (int)q->number);
            type[k] = (char *)definition_answer_type_name(q->answer_type);
            weight[k] = arena_printf(a, "%.17g", definition_weight(q));
            req[k] = q->required ? "true" : "false";
            deadline[k] = q->deadline;
            rec[k] = (char *)definition_recurrence_name(q->recurrence);
            topics[k] = join(a, q->topics, q->n_topics);
        }
    }
    const char *sp[] = {d->id, ver, join(a, sid, ns), join(a, snum, ns)};
    const char *qp[] = {d->id, ver, join(a, id, nq), join(a, qsid, nq), join(a, num, nq), join(a, type, nq),
                        join(a, weight, nq), join(a, req, nq), join(a, deadline, nq), join(a, rec, nq),
                        join_rows(a, topics, nq)};
    if (insert_batch(db, SQL_SECTIONS_INSERT, 4, sp, ns, e) < 0 ||
        insert_batch(db, SQL_QUESTIONS_INSERT, 11, qp, nq, e) < 0)
        return -1;
    return 0;
}

/* The texts of locale `locale`, taken from `t` (the definition itself or a translation, which
 * mirrors its structure); `d` says which questions have levels. Four statements. */
static int insert_texts(struct db *db, struct arena *a, const Unic__Catalog__V1__Questionnaire *d,
                        const Unic__Catalog__V1__Questionnaire *t, const char *locale, const char *ver,
                        struct err *e)
{
    size_t ns = d->n_sections, nq = questions_total(d), nl = 0, k = 0;
    for (size_t i = 0; i < ns; i++)
        for (size_t j = 0; j < d->sections[i]->n_questions; j++)
            nl += d->sections[i]->questions[j]->answer_type == UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL
                      ? t->sections[i]->questions[j]->n_levels
                      : 0;
    char **sid = ARENA_ARRAY(a, char *, ns), **stitle = ARENA_ARRAY(a, char *, ns);
    char **id = ARENA_ARRAY(a, char *, nq), **text = ARENA_ARRAY(a, char *, nq),
         **guidance = ARENA_ARRAY(a, char *, nq), **subs = ARENA_ARRAY(a, char *, nq);
    char **lq = ARENA_ARRAY(a, char *, nl), **level = ARENA_ARRAY(a, char *, nl),
         **name = ARENA_ARRAY(a, char *, nl), **desc = ARENA_ARRAY(a, char *, nl);
    size_t l = 0;
    for (size_t i = 0; i < ns; i++) {
        const Unic__Catalog__V1__Section *ds = d->sections[i], *ts = t->sections[i];
        sid[i] = ds->id;
        stitle[i] = ts->title;
        for (size_t j = 0; j < ds->n_questions; j++, k++) {
            const Unic__Catalog__V1__Question *dq = ds->questions[j], *tq = ts->questions[j];
            id[k] = dq->id;
            text[k] = tq->text;
            guidance[k] = tq->guidance;
            subs[k] = join(a, tq->sub_items, tq->n_sub_items);
            if (dq->answer_type != UNIC__CATALOG__V1__ANSWER_TYPE__MATURITY_LEVEL)
                continue;
            for (size_t m = 0; m < tq->n_levels; m++, l++) {
                lq[l] = dq->id;
                level[l] = arena_printf(a, "%d", (int)tq->levels[m]->level);
                name[l] = tq->levels[m]->name;
                desc[l] = tq->levels[m]->description;
            }
        }
    }
    const char *vp[] = {d->id, ver, locale, t->title};
    const char *sp[] = {d->id, ver, locale, join(a, sid, ns), join(a, stitle, ns)};
    const char *qp[] = {d->id, ver, locale, join(a, id, nq), join(a, text, nq), join(a, guidance, nq),
                        join_rows(a, subs, nq)};
    const char *lp[] = {d->id, ver, locale, join(a, lq, nl), join(a, level, nl), join(a, name, nl),
                        join(a, desc, nl)};
    if (insert_batch(db, SQL_VERSION_TEXT_INSERT, 4, vp, 1, e) < 0 ||
        insert_batch(db, SQL_SECTION_TEXTS_INSERT, 5, sp, ns, e) < 0 ||
        insert_batch(db, SQL_QUESTION_TEXTS_INSERT, 7, qp, nq, e) < 0 ||
        (nl > 0 && insert_batch(db, SQL_LEVEL_TEXTS_INSERT, 7, lp, nl, e) < 0))
        return -1;
    return 0;
}

int store_version_create(struct db *db, struct arena *a,
                         const Unic__Catalog__V1__CreateQuestionnaireVersionRequest *req,
                         const char *created_by, int *version, struct err *e)
{
    const Unic__Catalog__V1__Questionnaire *d = req->definition;
    const char *kind = definition_kind_name(d->kind);
    PGresult *r = NULL;
    int rc = -1;
    char ver[16];
    if (db_begin(db, e) < 0)
        return -1;
    const char *qp[] = {d->id, kind};
    if (db_command(db, e, SQL_Q_INSERT, 2, qp, NULL) < 0)
        goto done;
    if ((r = db_query(db, e, SQL_Q_LOCK, 1, qp)) == NULL)
        goto done;
    if (PQntuples(r) != 1) {
        err_set(e, ERR_INTERNAL, "could not lock questionnaire \"%s\": row missing", d->id);
        goto done;
    }
    if (strcmp(db_get(r, 0, "kind"), kind) != 0) {
        err_field(e, "definition.kind", "questionnaire \"%s\" is %s, not %s", d->id,
                  db_get(r, 0, "kind"), kind);
        goto done;
    }
    PQclear(r);
    r = NULL;
    if ((r = db_query(db, e, SQL_NEXT_VERSION, 1, qp)) == NULL)
        goto done;
    *version = db_get_int(r, 0, "version");
    snprintf(ver, sizeof ver, "%d", *version);
    const char *vp[] = {d->id, ver, d->source, created_by};
    if (db_command(db, e, SQL_VERSION_INSERT, 4, vp, NULL) < 0 ||
        insert_structure(db, a, d, ver, e) < 0 || db_command(db, e, SQL_ANALYZE_STRUCTURE, 0, NULL, NULL) < 0 ||
        insert_texts(db, a, d, d, definition_locale(d), ver, e) < 0)
        goto done;
    for (size_t k = 0; k < req->n_translations; k++)
        if (insert_texts(db, a, d, req->translations[k], req->translations[k]->locale, ver, e) < 0)
            goto done;
    rc = db_commit(db, e);
done:
    PQclear(r);
    if (rc < 0)
        db_rollback(db);
    return rc;
}

int store_version_publish(struct db *db, const char *id, int version, struct err *e)
{
    char ver[16];
    snprintf(ver, sizeof ver, "%d", version);
    const char *params[] = {id, ver};
    PGresult *r = NULL;
    int rc = -1;
    long affected = 0;
    if (db_begin(db, e) < 0)
        return -1;
    if ((r = query_found(db, e, SQL_VERSION_LOCK, 2, params,
                         "could not find questionnaire \"%s\" version %d", id, version)) == NULL)
        goto done;
    if (definition_state_parse(db_get(r, 0, "state")) != UNIC__CATALOG__V1__VERSION_STATE__DRAFT) {
        err_set(e, ERR_FAILED_PRECONDITION,
                "could not publish questionnaire \"%s\" version %d: already published; a published version never changes",
                id, version);
        goto done;
    }
    if (db_command(db, e, SQL_VERSION_PUBLISH, 2, params, &affected) < 0)
        goto done;
    if (affected != 1) {
        err_set(e, ERR_INTERNAL, "could not publish questionnaire \"%s\" version %d: %ld rows changed", id,
                version, affected);
        goto done;
    }
    rc = db_commit(db, e);
done:
    PQclear(r);
    if (rc < 0)
        db_rollback(db);
    return rc;
}
