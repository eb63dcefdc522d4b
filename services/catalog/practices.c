/* practices.c: PracticeService's handlers (practices.h). A State shares practices as itself,
 * UNIC operators for a State or an organisation; only operators curate and publish. What a caller
 * may see is decided in SQL from its key (struct practice_viewer), never from the request. Writes
 * are audited with the person and idempotent with request_id. docs/practices.md. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "directory.h"
#include "idem.h"
#include "page_token.h"
#include "practices.h"
#include "text.h"

enum {
    TITLE_MAX = 200,
    SUMMARY_MAX = 2000,
    BODY_MAX = 20000,
    LINK_MAX = 500,
    TOPICS_MAX = 10,
    QUERY_MAX = 200,
    REASON_MAX = 1000,
    SEARCH_DEFAULT = 20,
    SEARCH_MAX = 100,
};

static struct practice_viewer viewer_of(const struct call *c)
{
    return (struct practice_viewer){c->principal.role == ROLE_OPERATOR,
                                    c->principal.role == ROLE_OPERATOR || c->principal.role == ROLE_STATE,
                                    c->principal.role == ROLE_STATE ? c->principal.state : ""};
}

/* A topic id of the catalog's vocabulary (ListTopics). */
static int check_topic(struct call *c, const char *field, const char *topic, struct err *e)
{
    char **ids = NULL;
    size_t n = 0;
    if (store_topic_ids(c->db, &c->arena, &ids, &n, e) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], topic) == 0)
            return 0;
    return err_field(e, field, "\"%.40s\" is not a topic of the catalog (see ListTopics)", topic);
}

/* Who shares: a State key as its own State; an operator for a Member State or an organisation. */
static int check_source(struct call *c, Practice *p, struct err *e)
{
    if (c->principal.role == ROLE_STATE) {
        if (*p->state_code && strcmp(p->state_code, c->principal.state) != 0)
            return err_set(e, ERR_PERMISSION_DENIED, "could not share a practice for %.8s: a State "
                           "shares its own practices only (%s)", p->state_code, c->principal.state);
        if (*p->organisation)
            return err_field(e, "practice.organisation", "a State shares as itself: leave it empty");
        p->state_code = c->principal.state;
        return 0;
    }
    if ((*p->state_code != '\0') == (*p->organisation != '\0'))
        return err_field(e, "practice.state_code", "name either a State or an organisation (practice.organisation)");
    if (*p->state_code)
        return catalog_check_member(c, "practice.state_code", p->state_code, e);
    return catalog_text_check("practice.organisation", p->organisation, TITLE_MAX, true, false, e);
}

static int check_practice(struct call *c, Practice *p, struct err *e)
{
    if (catalog_text_check("practice.title", p->title, TITLE_MAX, true, false, e) < 0 ||
        catalog_text_check("practice.summary", p->summary, SUMMARY_MAX, true, true, e) < 0 ||
        catalog_text_check("practice.text", p->text, BODY_MAX, false, true, e) < 0 ||
        catalog_text_check("practice.link", p->link, LINK_MAX, false, false, e) < 0)
        return -1;
    if (*p->link && !text_http_uri_valid(p->link))
        return err_field(e, "practice.link", "must be an http:// or https:// address");
    if (*p->link == '\0' && *p->text == '\0')
        return err_field(e, "practice.text", "a practice needs its text or a link to it (practice.link)");
    if (!directory_language_valid(p->language))
        return err_field(e, "practice.language", "must be a language tag such as \"fr\" or \"es\"");
    if (!text_date_valid(p->date))
        return err_field(e, "practice.date", "must be a date YYYY-MM-DD");
    if (p->visibility < 0 || p->visibility > UNIC__CATALOG__V1__PRACTICE_VISIBILITY__PUBLIC)
        return err_field(e, "practice.visibility", "must be MEMBER_STATES or PUBLIC");
    if (p->n_topics == 0 || p->n_topics > TOPICS_MAX)
        return err_field(e, "practice.topics", "between 1 and %d topic ids (see ListTopics)", TOPICS_MAX);
    for (size_t i = 0; i < p->n_topics; i++) {
        char field[40];
        snprintf(field, sizeof field, "practice.topics[%zu]", i);
        if (check_topic(c, field, p->topics[i], e) < 0)
            return -1;
    }
    return check_source(c, p, e);
}

static int share(struct call *c, const Unic__Catalog__V1__SharePracticeRequest *r, Practice **out,
                 struct err *e)
{
    struct idem kbuf, *k = NULL;
    if (r->practice == NULL)
        return err_field(e, "practice", "is required");
    Practice p = *r->practice;
    if (check_practice(c, &p, e) < 0)
        return -1;
    int rc = idem_begin(c, &catalog_idem_sql, r->request_id, &kbuf, &k, e);
    if (rc == 0)
        rc = practice_store_share(c, k, &p, out, e);
    return rc < 0 ? -1 : 0; /* 1: answered with the reply of the first call of this request_id */
}

static int curate(struct call *c, const Unic__Catalog__V1__CuratePracticeRequest *r, Practice **out,
                  struct err *e)
{
    struct idem kbuf, *k = NULL;
    if (r->id <= 0)
        return err_field(e, "id", "is required: the practice's id");
    bool accept = r->decision == UNIC__CATALOG__V1__CURATION_DECISION__ACCEPT;
    if (!accept && r->decision != UNIC__CATALOG__V1__CURATION_DECISION__REJECT)
        return err_field(e, "decision", "must be ACCEPT or REJECT");
    if (catalog_text_check("reason", r->reason, REASON_MAX, !accept, true, e) < 0)
        return -1;
    if (accept && *r->reason)
        return err_field(e, "reason", "only a rejection has one");
    int rc = idem_begin(c, &catalog_idem_sql, r->request_id, &kbuf, &k, e);
    if (rc == 0)
        rc = practice_store_curate(c, k, r->id, accept, r->reason, out, e);
    return rc < 0 ? -1 : 0; /* 1: answered with the reply of the first call of this request_id */
}

static int get(struct call *c, const Unic__Catalog__V1__GetPracticeRequest *r, Practice **out,
               struct err *e)
{
    struct practice_viewer v = viewer_of(c);
    if (r->id <= 0)
        return err_field(e, "id", "is required: the practice's id");
    if (practice_store_get(c->db, &c->arena, r->id, &v, out, e) < 0)
        return -1;
    if (*out == NULL) /* not shown to this caller, or none: the same answer */
        return err_set(e, ERR_NOT_FOUND, "could not find practice %" PRId64, r->id);
    return 0;
}

static const char *status_name(Unic__Catalog__V1__PracticeStatus s)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&unic__catalog__v1__practice_status__descriptor, (int)s);
    return v ? v->name : NULL;
}

static int search(struct call *c, const Unic__Catalog__V1__SearchPracticesRequest *r,
                  Unic__Catalog__V1__SearchPracticesResponse **out, struct err *e)
{
    struct practice_viewer v = viewer_of(c);
    struct practice_search s = {r->query, r->topic, r->language, "ACCEPTED", 0, "0", 0, 0};
    if (catalog_text_check("query", r->query, QUERY_MAX, false, false, e) < 0 ||
        (*r->topic && check_topic(c, "topic", r->topic, e) < 0))
        return -1;
    if (*r->language && !directory_language_valid(r->language))
        return err_field(e, "language", "must be a language tag such as \"fr\", or empty for all");
    if (r->status != UNIC__CATALOG__V1__PRACTICE_STATUS__PRACTICE_STATUS_UNSPECIFIED &&
        (s.status = status_name(r->status)) == NULL)
        return err_field(e, "status", "must be SUBMITTED, ACCEPTED or REJECTED");
    if (r->page_size < 0 || r->page_size > SEARCH_MAX)
        return err_field(e, "page_size", "must be 0 (%d) or 1 to %d, got %d", SEARCH_DEFAULT, SEARCH_MAX,
                         r->page_size);
    s.limit = r->page_size ? r->page_size : SEARCH_DEFAULT;
    const char *filter = arena_printf(&c->arena, "q=%s;topic=%s;lang=%s;status=%s", r->query, r->topic,
                                      r->language, s.status);
    const char *position = "";
    if (page_token_position(c, filter, r->page_token, &position, e) < 0)
        return -1;
    if (*position) { /* "<rank>/<id>", as this method wrote it */
        const char *slash = strchr(position, '/');
        char *end = NULL;
        s.after_id = slash ? strtoll(slash + 1, &end, 10) : 0;
        if (s.after_id <= 0 || *end != '\0')
            return err_field(e, "page_token", "not one SearchPractices returned");
        s.after_rank_text = arena_strndup(&c->arena, position, (size_t)(slash - position));
    }
    char **ranks = NULL;
    bool more = false;
    *out = ARENA_MSG(&c->arena, Unic__Catalog__V1__SearchPracticesResponse,
                     UNIC__CATALOG__V1__SEARCH_PRACTICES_RESPONSE__INIT);
    if (practice_store_search(c->db, &c->arena, &s, &v, &(*out)->practices, &ranks, &(*out)->n_practices,
                              &more, e) < 0)
        return -1;
    size_t last = (*out)->n_practices - 1;
    if (more)
        (*out)->next_page_token = page_token_next(
            c, filter, arena_printf(&c->arena, "%s/%" PRId64, ranks[last], (*out)->practices[last]->id));
    return 0;
}

static int check_year_topic(struct call *c, int year, const char *topic, struct err *e)
{
    if (year < 2000 || year > 9999)
        return err_field(e, "year", "must be a year from 2000, got %d", year);
    if (*topic == '\0')
        return err_field(e, "topic", "is required (see ListTopics)");
    return check_topic(c, "topic", topic, e);
}

static int publish(struct call *c, const Unic__Catalog__V1__PublishCompilationRequest *r,
                   Compilation **out, struct err *e)
{
    struct idem kbuf, *k = NULL;
    if (check_year_topic(c, r->year, r->topic, e) < 0)
        return -1;
    int rc = idem_begin(c, &catalog_idem_sql, r->request_id, &kbuf, &k, e);
    if (rc == 0)
        rc = practice_store_publish(c, k, r->year, r->topic, out, e);
    return rc < 0 ? -1 : 0; /* 1: answered with the reply of the first call of this request_id */
}

static int compilation(struct call *c, const Unic__Catalog__V1__GetCompilationRequest *r,
                       Compilation **out, struct err *e)
{
    struct practice_viewer v = viewer_of(c);
    if (check_year_topic(c, r->year, r->topic, e) < 0)
        return -1;
    return practice_store_compilation(c->db, &c->arena, r->year, r->topic, &v, out, e);
}

RPC_HANDLER(share, Unic__Catalog__V1__SharePracticeRequest, Practice);
RPC_HANDLER(curate, Unic__Catalog__V1__CuratePracticeRequest, Practice);
RPC_HANDLER(get, Unic__Catalog__V1__GetPracticeRequest, Practice);
RPC_HANDLER(search, Unic__Catalog__V1__SearchPracticesRequest, Unic__Catalog__V1__SearchPracticesResponse);
RPC_HANDLER(publish, Unic__Catalog__V1__PublishCompilationRequest, Compilation);
RPC_HANDLER(compilation, Unic__Catalog__V1__GetCompilationRequest, Compilation);

static const struct rpc_method methods[] = {
    RPC_ROW("SharePractice", share, RPC_OPERATOR | RPC_STATE, RPC_WRITES), /* a State: as itself */
    RPC_ROW("CuratePractice", curate, RPC_OPERATOR, RPC_WRITES),
    RPC_ROW("GetPractice", get, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("SearchPractices", search, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("PublishCompilation", publish, RPC_OPERATOR, RPC_WRITES),
    RPC_ROW("GetCompilation", compilation, RPC_ANY_ROLE, RPC_READS),
};

const struct rpc_service practice_rpc = {
    &unic__catalog__v1__practice_service__descriptor, methods, sizeof methods / sizeof methods[0],
};
