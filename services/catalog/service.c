/* service.c: the catalog's RPC handlers: validate the request, call the store, return the reply.
 * The table at the bottom maps each method of catalog.proto to its handler. */
#include <string.h>
#include <time.h>

#include "admin.h"
#include "catalog.h"
#include "definition.h"
#include "duties.h"
#include "groups.h"
#include "directory.h"
#include "idem.h"
#include "log.h"
#include "membership.h"
#include "page_token.h"
#include "pbuf.h"
#include "published.h"
#include "text.h"
#include "tz.h"

typedef Unic__Catalog__V1__Questionnaire Questionnaire;

enum { PAGE_SIZE_DEFAULT = 50, PAGE_SIZE_MAX = 500 };

/* The one function that names the catalog's Redis keys. Only PUBLISHED versions are cached, and
 * they never change, so a key names exactly what it holds: the questionnaire, the version
 * (resolved: never 0, which moves), the locale actually served (so "es" and "en" share the "en"
 * entry) and the version's random tag (which keeps another database's "version 2" out; see
 * sql/005). No entry ever needs deleting; "v1" is the format of the value. */
static char *cache_key(struct arena *a, const char *id, const struct version_ref *v)
{
    return arena_printf(a, "unic:catalog:v1:q:%s:%d:%s:%s", id, v->version, v->locale, v->tag);
}

/* A questionnaire id in a request: required and clean text; one that cannot exist is not found
 * (no need to ask the database). */
static int check_questionnaire_id(const char *id, struct err *e)
{
    if (*id == '\0')
        return err_field(e, "questionnaire_id", "is required");
    if (!text_valid(id, false, NULL))
        return err_field(e, "questionnaire_id", "is not valid UTF-8 or holds a control character");
    if (!definition_questionnaire_id_valid(id))
        return err_set(e, ERR_NOT_FOUND, "could not find questionnaire \"%.64s\"", id);
    return 0;
}

static int check_version(int version, bool zero_ok, struct err *e)
{
    if (version < 0 || (version == 0 && !zero_ok))
        return err_field(e, "version", "must be %s, got %d",
                         zero_ok ? "0 (the latest published) or a version number" : "a version number (1 or more)",
                         version);
    return 0;
}

/* "" means "en"; anything else must look like a language tag. Readers are met halfway: "EN_us"
 * is read as "en-us". A well-formed tag the version has no texts for is not an error: the store
 * falls back to its language, then to "en". */
static int check_locale(struct call *c, const char *locale, const char **out, struct err *e)
{
    if (*locale == '\0') {
        *out = DEFINITION_BASE_LOCALE;
        return 0;
    }
    char *norm = arena_strdup(&c->arena, locale);
    for (char *p = norm; *p && *p != '-' && *p != '_'; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    for (char *p = norm; *p; p++)
        if (*p == '_')
            *p = '-';
    if (!text_valid(locale, false, NULL) || !definition_locale_valid(norm))
        return err_field(e, "locale", "must be a language tag such as \"en\" or \"fr-CA\"");
    *out = norm;
    return 0;
}

/* A questionnaire as served: the process's shared bytes and message when the version is
 * PUBLISHED (published.h), or the message of a draft, loaded for this call. */
struct fetched {
    const Questionnaire *msg;
    const struct rpc_shared *bytes; /* NULL for a draft */
};

/* A PUBLISHED version resolved to `v`, from process memory, else from Redis (another replica
 * may have packed it), else from PostgreSQL; then kept in memory (and Redis) for good. */
static const struct published_entry *published_load(struct call *c, const char *id,
                                                    const struct version_ref *v, struct err *e)
{
    struct published *pub = ((struct catalog_app *)c->app)->published;
    const struct published_entry *entry = published_get(pub, id, v->version, v->locale, v->tag);
    if (entry)
        return entry;
    char *key = cache_key(&c->arena, id, v), *val;
    size_t len;
    if (cache_get(c->cache, &c->arena, key, &val, &len)) {
        entry = published_add(pub, id, v->version, v->locale, v->tag, (const uint8_t *)val, len);
        if (entry)
            return entry;
        log_warn("cached %s does not unpack; reading it from the database", key);
    }
    Questionnaire *q;
    if (store_questionnaire_load(c->db, &c->arena, id, v->version, v->locale, &q, e) < 0)
        return NULL;
    uint8_t *buf = pbuf_pack(&c->arena, &q->base, &len);
    cache_set(c->cache, key, buf, len, c->cfg->cache_ttl_seconds);
    entry = published_add(pub, id, v->version, v->locale, v->tag, buf, len);
    if (entry == NULL)
        err_set(e, ERR_INTERNAL, "could not keep questionnaire \"%s\" version %d: it does not unpack",
                id, v->version);
    return entry;
}

/* Serves a published version from process memory when this request's resolution is known (the
 * hot path: no SQL, no Redis); else resolves the version in one small query (version 0 moves
 * whenever a replica publishes) and loads it. A DRAFT is visible to operators only; to anyone
 * else it does not exist, and it is never kept. */
static int questionnaire_fetch(struct call *c, const char *id, int version, const char *locale,
                               struct fetched *out, struct err *e)
{
    struct published *pub = ((struct catalog_app *)c->app)->published;
    memset(out, 0, sizeof *out);
    const struct published_entry *entry = published_find(pub, id, version, locale);
    if (entry == NULL) {
        struct version_ref v;
        uint64_t generation = published_generation(pub);
        if (store_version_resolve(c->db, id, version, locale, &v, e) < 0)
            return -1;
        if (v.state != UNIC__CATALOG__V1__VERSION_STATE__PUBLISHED) {
            if (c->principal.role != ROLE_OPERATOR)
                return err_set(e, ERR_NOT_FOUND, "could not find questionnaire \"%s\" version %d",
                               id, version);
            Questionnaire *q;
            if (store_questionnaire_load(c->db, &c->arena, id, v.version, v.locale, &q, e) < 0)
                return -1;
            out->msg = q; /* a draft, for an operator: loaded for this call only */
            return 0;
        }
        if ((entry = published_load(c, id, &v, e)) == NULL)
            return -1;
        published_remember(pub, generation, id, version, locale, entry);
    }
    out->msg = entry->msg;
    out->bytes = entry->bytes;
    return 0;
}

/* The compliance checklist as a least developed country is asked it: without the questions that
 * do not bind it (common/duties.h: paragraph 9), and without a section left empty. A shallow
 * copy in arena `a`; `q` is not changed (it may be the process's cached copy). */
static Questionnaire *questionnaire_for_ldc(struct arena *a, const Questionnaire *q)
{
    Questionnaire *v = arena_memdup(a, q, sizeof *q);
    v->sections = ARENA_ARRAY(a, Unic__Catalog__V1__Section *, q->n_sections);
    v->n_sections = 0;
    for (size_t i = 0; i < q->n_sections; i++) {
        const Unic__Catalog__V1__Section *s = q->sections[i];
        Unic__Catalog__V1__Section *t = arena_memdup(a, s, sizeof *s);
        t->questions = ARENA_ARRAY(a, Unic__Catalog__V1__Question *, s->n_questions);
        t->n_questions = 0;
        for (size_t k = 0; k < s->n_questions; k++)
            if (duty_binds(s->questions[k]->id, true))
                t->questions[t->n_questions++] = s->questions[k];
        if (t->n_questions > 0)
            v->sections[v->n_sections++] = t;
    }
    return v;
}

/* Sends a fetched questionnaire: a published one as its shared bytes, never packed again. */
static void reply_questionnaire(struct call *c, const struct fetched *f, Questionnaire **out)
{
    if (f->bytes)
        rpc_reply_shared(c, f->bytes);
    else
        *out = (Questionnaire *)f->msg;
}

static int list_questionnaires(struct call *c, const Unic__Catalog__V1__ListQuestionnairesRequest *req, Unic__Catalog__V1__ListQuestionnairesResponse **out, struct err *e)
{
    const char *after;
    int size = req->page_size == 0 ? PAGE_SIZE_DEFAULT : req->page_size;
    if (size < 0)
        return err_field(e, "page_size", "must not be negative, got %d", size);
    if (size > PAGE_SIZE_MAX)
        size = PAGE_SIZE_MAX;
    if (page_token_position(c, "", req->page_token, &after, e) < 0) /* no filter fields */
        return -1;
    Unic__Catalog__V1__ListQuestionnairesResponse *r = ARENA_MSG(
        &c->arena, Unic__Catalog__V1__ListQuestionnairesResponse,
        UNIC__CATALOG__V1__LIST_QUESTIONNAIRES_RESPONSE__INIT);
    bool more;
    if (store_questionnaires_list(c->db, &c->arena, after, size, c->principal.role == ROLE_OPERATOR,
                                  &r->questionnaires, &r->n_questionnaires, &more, e) < 0)
        return -1;
    if (more) {
        r->next_page_token = page_token_next(c, "", r->questionnaires[r->n_questionnaires - 1]->id);
    }
    *out = r;
    return 0;
}

static int get_questionnaire(struct call *c, const Unic__Catalog__V1__GetQuestionnaireRequest *req, Unic__Catalog__V1__Questionnaire **out, struct err *e)
{
    const char *locale = DEFINITION_BASE_LOCALE;
    struct fetched f;
    Unic__Catalog__V1__State *st = NULL;
    if (check_questionnaire_id(req->questionnaire_id, e) < 0 || check_version(req->version, true, e) < 0 ||
        check_locale(c, req->locale, &locale, e) < 0)
        return -1;
    if (req->state_code[0] != '\0') {
        if (!text_state_code_shape(req->state_code))
            return err_field(e, "state_code",
                             "not an ISO 3166-1 alpha-3 code such as KEN");
        if (store_state_get(c->db, &c->arena, req->state_code, &st, e) < 0) {
            if (e->code == ERR_NOT_FOUND)
                e->code = ERR_INVALID_ARGUMENT;
            return -1;
        }
    }
    bool view = st != NULL && st->ldc;
    if (questionnaire_fetch(c, req->questionnaire_id, req->version, locale, &f, e) < 0)
        return -1;
    if (view && f.msg->kind == UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__COMPLIANCE) {
        *out = questionnaire_for_ldc(&c->arena, f.msg);
        return 0;
    }
    reply_questionnaire(c, &f, out);
    return 0;
}

static int get_question(struct call *c, const Unic__Catalog__V1__GetQuestionRequest *req, Unic__Catalog__V1__Question **out, struct err *e)
{
    const char *locale = DEFINITION_BASE_LOCALE;
    struct fetched f;
    if (check_questionnaire_id(req->questionnaire_id, e) < 0 || check_version(req->version, true, e) < 0 ||
        check_locale(c, req->locale, &locale, e) < 0)
        return -1;
    if (*req->question_id == '\0')
        return err_field(e, "question_id", "is required");
    if (!text_valid(req->question_id, false, NULL))
        return err_field(e, "question_id", "is not valid UTF-8 or holds a control character");
    if (questionnaire_fetch(c, req->questionnaire_id, req->version, locale, &f, e) < 0)
        return -1;
    for (size_t i = 0; i < f.msg->n_sections; i++) {
        const Unic__Catalog__V1__Section *s = f.msg->sections[i];
        for (size_t j = 0; j < s->n_questions; j++) {
            if (strcmp(s->questions[j]->id, req->question_id) == 0) {
                *out = s->questions[j];
                return 0;
            }
        }
    }
    return err_set(e, ERR_NOT_FOUND, "could not find question \"%.64s\" in questionnaire \"%s\" version %d",
                   req->question_id, f.msg->id, (int)f.msg->version);
}

static int create_questionnaire_version(struct call *c, const Unic__Catalog__V1__CreateQuestionnaireVersionRequest *req, Unic__Catalog__V1__Questionnaire **out, struct err *e)
{
    char **topics;
    size_t n_topics;
    int version;
    Questionnaire *q;
    if (store_topic_ids(c->db, &c->arena, &topics, &n_topics, e) < 0 ||
        definition_validate(req, (const char *const *)topics, n_topics, e) < 0 ||
        store_version_create(c->db, &c->arena, req, c->principal.label, &version, e) < 0 ||
        store_questionnaire_load(c->db, &c->arena, req->definition->id, version,
                                 definition_locale(req->definition), &q, e) < 0)
        return -1;
    log_info("questionnaire \"%s\" version %d created as a draft by %s", q->id, version, c->principal.label);
    *out = q;
    return 0;
}

static int publish_questionnaire_version(struct call *c, const Unic__Catalog__V1__PublishQuestionnaireVersionRequest *req, Unic__Catalog__V1__Questionnaire **out, struct err *e)
{
    struct fetched f;
    if (check_questionnaire_id(req->questionnaire_id, e) < 0 || check_version(req->version, false, e) < 0 ||
        store_version_publish(c->db, req->questionnaire_id, req->version, e) < 0)
        return -1;
    log_info("questionnaire \"%s\" version %d published by %s", req->questionnaire_id, (int)req->version,
             c->principal.label);
    /* This replica learns of it at once; the others when the commit's notification reaches them. */
    published_forget(((struct catalog_app *)c->app)->published);
    if (questionnaire_fetch(c, req->questionnaire_id, req->version, DEFINITION_BASE_LOCALE, &f, e) < 0)
        return -1;
    reply_questionnaire(c, &f, out);
    return 0;
}

static int list_topics(struct call *c, const Unic__Catalog__V1__ListTopicsRequest *req, Unic__Catalog__V1__ListTopicsResponse **out, struct err *e)
{
    (void)req;
    Unic__Catalog__V1__ListTopicsResponse *r = ARENA_MSG(
        &c->arena, Unic__Catalog__V1__ListTopicsResponse, UNIC__CATALOG__V1__LIST_TOPICS_RESPONSE__INIT);
    if (store_topics_list(c->db, &c->arena, &r->topics, &r->n_topics, e) < 0)
        return -1;
    *out = r;
    return 0;
}

static int list_states(struct call *c, const Unic__Catalog__V1__ListStatesRequest *req, Unic__Catalog__V1__ListStatesResponse **out, struct err *e)
{
    (void)req;
    Unic__Catalog__V1__ListStatesResponse *r = ARENA_MSG(
        &c->arena, Unic__Catalog__V1__ListStatesResponse, UNIC__CATALOG__V1__LIST_STATES_RESPONSE__INIT);
    if (store_states_list(c->db, &c->arena, &r->states, &r->n_states, e) < 0)
        return -1;
    *out = r;
    return 0;
}

static char *rfc3339(struct arena *a, time_t t)
{
    struct tm tm;
    char *buf = arena_alloc(a, 32);
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

static int who_am_i(struct call *c, const Unic__Catalog__V1__WhoAmIRequest *req,
                    Unic__Catalog__V1__WhoAmIResponse **out, struct err *e)
{
    (void)req;
    static const Unic__Catalog__V1__Role roles[] = {
        [ROLE_NONE] = UNIC__CATALOG__V1__ROLE__ROLE_UNSPECIFIED,
        [ROLE_OPERATOR] = UNIC__CATALOG__V1__ROLE__ROLE_OPERATOR,
        [ROLE_STATE] = UNIC__CATALOG__V1__ROLE__ROLE_STATE,
        [ROLE_SERVICE] = UNIC__CATALOG__V1__ROLE__ROLE_SERVICE,
    };
    Unic__Catalog__V1__WhoAmIResponse *r = ARENA_MSG(
        &c->arena, Unic__Catalog__V1__WhoAmIResponse, UNIC__CATALOG__V1__WHO_AM_IRESPONSE__INIT);
    r->role = roles[c->principal.role];
    r->key_id = arena_strdup(&c->arena, c->principal.key_id);
    if (c->principal.role == ROLE_STATE && store_state_get(c->db, &c->arena, c->principal.state, &r->state, e) < 0)
        return -1;
    Unic__Admin__V1__Identity *who = NULL;
    if (c->principal.identity_id[0] &&
        admin_store_identity_get(c->db, &c->arena, c->principal.identity_id, &who, e) < 0)
        return -1;
    if (who) {
        r->identity_id = who->id;
        r->display_name = who->display_name;
        r->email = who->email;
    }
    r->state_admin = c->principal.state_admin;
    if (c->principal.expires > 0)
        r->expires_at = rfc3339(&c->arena, (time_t)c->principal.expires);
    *out = r;
    return 0;
}

/* ---- UN country groups ---- */

enum { LEGAL_REFERENCE_MAX = 200, NOTE_MAX = 2000 };

/* as_of "" is today (UTC); anything else must be a date. *out is the date to use. */
static int check_date(struct call *c, const char *field, const char *as_of, const char **out,
                      struct err *e)
{
    if (as_of[0] == '\0') {
        char *today = arena_alloc(&c->arena, 16);
        text_today(today, 16);
        *out = today;
        return 0;
    }
    if (!text_date_valid(as_of))
        return err_field(e, field, "must be a date written YYYY-MM-DD");
    *out = as_of;
    return 0;
}

/* A State named in field `field`: a Member State, with its memberships. */
static int member_state(struct call *c, const char *field, const char *code,
                        Unic__Catalog__V1__State **out, struct err *e)
{
    if (!text_state_code_shape(code))
        return err_field(e, field, "not an ISO 3166-1 alpha-3 code such as KEN");
    if (store_state_get(c->db, &c->arena, code, out, e) < 0) {
        if (e->code == ERR_NOT_FOUND)
            err_field(e, field, "\"%s\" is not a UN Member State", code);
        return -1;
    }
    return 0;
}

/* Clean text of at most `max` characters; required or not. */
static int check_text(const char *field, const char *s, bool required, size_t max, bool free_text,
                      struct err *e)
{
    size_t chars = 0;
    if (required && s[0] == '\0')
        return err_field(e, field, "is required");
    if (!text_valid(s, free_text, &chars))
        return err_field(e, field, "is not valid UTF-8 or holds a control character");
    if (chars > max)
        return err_field(e, field, "is %zu characters long, at most %zu are accepted", chars, max);
    return 0;
}

static int list_country_groups(struct call *c, const Unic__Catalog__V1__ListCountryGroupsRequest *req,
                               Unic__Catalog__V1__ListCountryGroupsResponse **out, struct err *e)
{
    Unic__Catalog__V1__ListCountryGroupsResponse *r = ARENA_MSG(
        &c->arena, Unic__Catalog__V1__ListCountryGroupsResponse,
        UNIC__CATALOG__V1__LIST_COUNTRY_GROUPS_RESPONSE__INIT);
    const char *as_of = NULL;
    if (check_date(c, "as_of", req->as_of, &as_of, e) < 0 ||
        store_country_groups(c->db, &c->arena, as_of, &r->groups, &r->n_groups, e) < 0)
        return -1;
    r->as_of = (char *)as_of;
    *out = r;
    return 0;
}

static int get_group_membership(struct call *c, const Unic__Catalog__V1__GetGroupMembershipRequest *req,
                                Unic__Catalog__V1__GroupMembershipAnswer **out, struct err *e)
{
    Unic__Catalog__V1__State *st;
    const char *as_of = NULL;
    if (country_group_check("group", req->group, e) < 0 || check_date(c, "as_of", req->as_of, &as_of, e) < 0 ||
        member_state(c, "state_code", req->state_code, &st, e) < 0)
        return -1;
    Unic__Catalog__V1__GroupMembershipAnswer *r = ARENA_MSG(
        &c->arena, Unic__Catalog__V1__GroupMembershipAnswer,
        UNIC__CATALOG__V1__GROUP_MEMBERSHIP_ANSWER__INIT);
    r->state_code = st->code;
    r->group = arena_strdup(&c->arena, req->group);
    r->as_of = (char *)as_of;
    r->membership = (Unic__Catalog__V1__GroupMembership *)state_membership_on(st, req->group, as_of);
    r->member = r->membership != NULL;
    *out = r;
    return 0;
}

static int record_group_change(struct call *c, const Unic__Catalog__V1__RecordGroupChangeRequest *req,
                               Unic__Catalog__V1__GroupChange **out, struct err *e)
{
    bool postpone = req->kind == UNIC__CATALOG__V1__GROUP_CHANGE_KIND__POSTPONEMENT;
    if (country_group_check("group", req->group, e) < 0)
        return -1;
    if (!text_state_code_shape(req->state_code))
        return err_field(e, "state_code", "not an ISO 3166-1 alpha-3 code such as KEN");
    if (group_change_kind_name(req->kind) == NULL)
        return err_field(e, "kind", "must be ADMISSION, GRADUATION or POSTPONEMENT");
    if (req->effective_date[0] == '\0' && !postpone)
        return err_field(e, "effective_date", "is required for %s (only a POSTPONEMENT may leave "
                         "it empty, for a date not yet set)", group_change_kind_name(req->kind));
    if (req->effective_date[0] != '\0' && !text_date_valid(req->effective_date))
        return err_field(e, "effective_date", "must be a date written YYYY-MM-DD");
    if (check_text("legal_reference", req->legal_reference, true, LEGAL_REFERENCE_MAX, false, e) < 0 ||
        check_text("note", req->note, false, NOTE_MAX, true, e) < 0)
        return -1;
    struct idem kbuf, *k = NULL;
    int found = idem_begin(c, &catalog_idem_sql, req->request_id, &kbuf, &k, e);
    if (found != 0)
        return found < 0 ? -1 : 0;
    struct group_change_in in = {req->state_code, req->group, req->effective_date,
                                 req->legal_reference, req->note, req->kind};
    int rc = store_group_change_record(c, &in, k, out, e);
    if (rc != 0)
        return rc < 0 ? -1 : 0; /* 1: a twin's reply answered */
    log_info("%s of %s in %s (%s) recorded by %s", group_change_kind_name(req->kind), req->state_code,
             req->group, req->legal_reference, c->principal.label);
    return 0;
}

static int list_group_changes(struct call *c, const Unic__Catalog__V1__ListGroupChangesRequest *req,
                              Unic__Catalog__V1__ListGroupChangesResponse **out, struct err *e)
{
    if (req->group[0] != '\0' && country_group_check("group", req->group, e) < 0)
        return -1;
    if (req->state_code[0] != '\0' && !text_state_code_shape(req->state_code))
        return err_field(e, "state_code", "not an ISO 3166-1 alpha-3 code such as KEN");
    Unic__Catalog__V1__ListGroupChangesResponse *r = ARENA_MSG(
        &c->arena, Unic__Catalog__V1__ListGroupChangesResponse,
        UNIC__CATALOG__V1__LIST_GROUP_CHANGES_RESPONSE__INIT);
    if (store_group_changes_list(c->db, &c->arena, req->group, req->state_code, &r->changes,
                                 &r->n_changes, e) < 0)
        return -1;
    *out = r;
    return 0;
}

/* A State's deadlines are met in its own time zone (docs/calendar.md): by default its capital's;
 * the State (or an operator for it) may choose another, for a State whose administration keeps
 * another zone than its capital's, or one spread over several. */
static int set_state_time_zone(struct call *c, const Unic__Catalog__V1__SetStateTimeZoneRequest *r,
                               Unic__Catalog__V1__State **out, struct err *e)
{
    const char *state = NULL;
    struct idem kbuf, *k = NULL;
    if (catalog_writable_state(c, r->state_code, "the time zone", &state, e) < 0)
        return -1;
    if (*r->time_zone) {
        struct tz *z = NULL;
        if (tz_load(r->time_zone, NULL, &z, e) < 0)
            return err_field(e, "time_zone", "\"%.64s\" is not a time zone of the IANA database, such as "
                             "\"Pacific/Honolulu\"; \"\" restores the capital's", r->time_zone);
        tz_free(z);
    }
    int rc = idem_begin(c, &catalog_idem_sql, r->request_id, &kbuf, &k, e);
    if (rc == 0)
        rc = store_state_time_zone_set(c, k, state, r->time_zone, out, e);
    return rc < 0 ? -1 : 0; /* 1: answered with the reply of the first call of this request_id */
}

RPC_HANDLER(list_questionnaires, Unic__Catalog__V1__ListQuestionnairesRequest, Unic__Catalog__V1__ListQuestionnairesResponse);
RPC_HANDLER(get_questionnaire, Unic__Catalog__V1__GetQuestionnaireRequest, Unic__Catalog__V1__Questionnaire);
RPC_HANDLER(get_question, Unic__Catalog__V1__GetQuestionRequest, Unic__Catalog__V1__Question);
RPC_HANDLER(create_questionnaire_version, Unic__Catalog__V1__CreateQuestionnaireVersionRequest, Unic__Catalog__V1__Questionnaire);
RPC_HANDLER(publish_questionnaire_version, Unic__Catalog__V1__PublishQuestionnaireVersionRequest, Unic__Catalog__V1__Questionnaire);
RPC_HANDLER(list_topics, Unic__Catalog__V1__ListTopicsRequest, Unic__Catalog__V1__ListTopicsResponse);
RPC_HANDLER(list_states, Unic__Catalog__V1__ListStatesRequest, Unic__Catalog__V1__ListStatesResponse);
RPC_HANDLER(who_am_i, Unic__Catalog__V1__WhoAmIRequest, Unic__Catalog__V1__WhoAmIResponse);
RPC_HANDLER(list_country_groups, Unic__Catalog__V1__ListCountryGroupsRequest, Unic__Catalog__V1__ListCountryGroupsResponse);
RPC_HANDLER(get_group_membership, Unic__Catalog__V1__GetGroupMembershipRequest, Unic__Catalog__V1__GroupMembershipAnswer);
RPC_HANDLER(record_group_change, Unic__Catalog__V1__RecordGroupChangeRequest, Unic__Catalog__V1__GroupChange);
RPC_HANDLER(list_group_changes, Unic__Catalog__V1__ListGroupChangesRequest, Unic__Catalog__V1__ListGroupChangesResponse);
RPC_HANDLER(set_state_time_zone, Unic__Catalog__V1__SetStateTimeZoneRequest, Unic__Catalog__V1__State);

static const struct rpc_method methods[] = {
    RPC_ROW("ListQuestionnaires", list_questionnaires, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("GetQuestionnaire", get_questionnaire, RPC_ANY_ROLE, RPC_READS),        /* any key; drafts: operators only */
    RPC_ROW("GetQuestion", get_question, RPC_ANY_ROLE, RPC_READS),                  /* any key; drafts: operators only */
    RPC_ROW("CreateQuestionnaireVersion", create_questionnaire_version, RPC_OPERATOR, RPC_WRITES), /* operators */
    RPC_ROW("PublishQuestionnaireVersion", publish_questionnaire_version, RPC_OPERATOR, RPC_WRITES), /* operators */
    RPC_ROW("ListTopics", list_topics, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("ListStates", list_states, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("WhoAmI", who_am_i, RPC_ANY_ROLE, RPC_READS),                   /* its role, key id and State */
    RPC_ROW("ListCountryGroups", list_country_groups, RPC_ANY_ROLE, RPC_READS),   /* members on a date */
    RPC_ROW("GetGroupMembership", get_group_membership, RPC_ANY_ROLE, RPC_READS), /* member on a date? */
    RPC_ROW("RecordGroupChange", record_group_change, RPC_OPERATOR, RPC_WRITES),  /* operators; audited */
    RPC_ROW("ListGroupChanges", list_group_changes, RPC_ANY_ROLE, RPC_READS),     /* the history */
    RPC_ROW("SetStateTimeZone", set_state_time_zone, RPC_OPERATOR | RPC_STATE, RPC_WRITES), /* a State: its own */
};

const struct rpc_service catalog_rpc = {
    &unic__catalog__v1__catalog_service__descriptor, methods, sizeof methods / sizeof methods[0],
};
