/* defs.c: what the response service needs from the catalog, asked over gRPC on the caller's
 * behalf and kept in process memory: questionnaire definitions (a published version never
 * changes, so it is cached for good) and whether a code is a UN Member State (the shared reference
 * data, common/catalog_ref.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "responses.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "text.h"

enum {
    DEFS_MAX = 4096, /* a bound on published versions kept; past it, no caching */
};

static const char *env_get(const char *name)
{
    return getenv(name);
}

int responses_app_init(struct responses_app *app, const struct config *cfg, struct err *e)
{
    memset(app, 0, sizeof *app);
    pthread_mutex_init(&app->defs.lock, NULL);
    app->defs.catalog = rpc_client_new(cfg->catalog_addr, cfg->call_timeout_ms);
    catalog_refs_init(&app->defs.refs, app->defs.catalog, cfg->cache_ttl_seconds);
    atomic_init(&app->purge_at_ms, 0);
    /* 200 MiB a State by default: twenty full-size documents, or many more scans and texts. */
    int quota = 200 * 1024 * 1024;
    int rc = config_int(env_get, "UNIC_EVIDENCE_QUOTA_BYTES", &quota, 1, 2147483647, e);
    app->evidence_quota_bytes = quota;
    return rc;
}

void responses_app_destroy(struct responses_app *app)
{
    for (size_t i = 0; i < app->defs.n; i++)
        qdef_free(app->defs.items[i]);
    free(app->defs.items);
    catalog_refs_destroy(&app->defs.refs);
    rpc_client_free(app->defs.catalog);
    pthread_mutex_destroy(&app->defs.lock);
}

static const struct qdef *defs_find(struct defs *d, const char *qid, int version)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i]->version == version && strcmp(d->items[i]->questionnaire_id, qid) == 0)
            return d->items[i];
    return NULL;
}

/* Keeps `q` unless an equal definition got there first; returns the one kept. */
static const struct qdef *defs_keep(struct defs *d, struct qdef *q)
{
    const struct qdef *have = defs_find(d, q->questionnaire_id, q->version);
    if (have) {
        qdef_free(q);
        return have;
    }
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 16;
        d->items = xrealloc(d->items, d->cap * sizeof *d->items);
    }
    d->items[d->n++] = q;
    return q;
}

int defs_questionnaire(struct defs *d, const struct call *c, const char *qid, int version,
                       const struct qdef **out, struct err *e)
{
    if (version > 0) {
        pthread_mutex_lock(&d->lock);
        *out = defs_find(d, qid, version);
        pthread_mutex_unlock(&d->lock);
        if (*out)
            return 0;
    }
    /* Not under the lock: a slow catalog must not stall the other workers' cache hits. */
    Unic__Catalog__V1__GetQuestionnaireRequest req = UNIC__CATALOG__V1__GET_QUESTIONNAIRE_REQUEST__INIT;
    ProtobufCMessage *reply = NULL;
    struct qdef *q = NULL;
    int rc = -1;
    req.questionnaire_id = (char *)qid;
    req.version = version;
    if (rpc_call(d->catalog, rpc_caller_of(c), &unic__catalog__v1__catalog_service__descriptor,
                 "GetQuestionnaire", &req.base, NULL, &reply, e) < 0) {
        char why[sizeof e->msg];
        memcpy(why, e->msg, sizeof why);
        err_set(e, e->code == ERR_OK ? ERR_UNAVAILABLE : e->code,
                "could not load questionnaire \"%s\" v%d from the catalog: %s", qid, version, why);
        goto done;
    }
    const Unic__Catalog__V1__Questionnaire *qn = (const void *)reply;
    if (qn->state != UNIC__CATALOG__V1__VERSION_STATE__PUBLISHED || qn->version <= 0 ||
        strcmp(qn->id, qid) != 0 || (version > 0 && qn->version != version)) {
        err_set(e, ERR_FAILED_PRECONDITION, "questionnaire \"%s\" v%d is not published", qid,
                version ? version : qn->version);
        goto done;
    }
    q = qdef_new(qn, e);
    if (q == NULL)
        goto done;
    pthread_mutex_lock(&d->lock);
    if (d->n < DEFS_MAX) {
        *out = defs_keep(d, q);
        q = NULL;
    }
    pthread_mutex_unlock(&d->lock);
    if (q) {
        /* Over the bound: the definition cannot outlive this call, so it is refused rather than
         * handed out unowned. Reaching this needs thousands of published versions. */
        err_set(e, ERR_RESOURCE_EXHAUSTED, "too many questionnaire versions to keep (%d)", DEFS_MAX);
        goto done;
    }
    rc = 0;
done:
    qdef_free(q);
    if (reply)
        protobuf_c_message_free_unpacked(reply, NULL);
    return rc;
}

int defs_is_member(struct defs *d, const struct call *c, const char *code, bool *member,
                   struct err *e)
{
    bool ldc;
    return defs_state(d, c, code, member, &ldc, e);
}

int defs_state(struct defs *d, const struct call *c, const char *code, bool *member, bool *ldc,
               struct err *e)
{
    struct refdata *ref;
    struct err why;
    if (catalog_ref_get(&d->refs, rpc_caller_of(c), &ref, &why) < 0)
        return err_set(e, why.code, "could not load the UN Member States from the catalog: %s", why.msg);
    const struct ref_state *st = refdata_state(ref, code);
    *member = st != NULL;
    *ldc = st != NULL && st->ldc;
    catalog_ref_put(&d->refs, ref);
    return 0;
}

int defs_questionnaire_texts(struct defs *d, const struct call *c, struct arena *a,
                             const char *qid, int version, const char *locale,
                             const Unic__Catalog__V1__Questionnaire **out, struct err *e)
{
    Unic__Catalog__V1__GetQuestionnaireRequest req = UNIC__CATALOG__V1__GET_QUESTIONNAIRE_REQUEST__INIT;
    ProtobufCMessage *reply = NULL;
    req.questionnaire_id = (char *)qid;
    req.version = version;
    req.locale = (char *)locale;
    if (rpc_call(d->catalog, rpc_caller_of(c), &unic__catalog__v1__catalog_service__descriptor,
                 "GetQuestionnaire", &req.base, a, &reply, e) < 0) {
        char why[sizeof e->msg];
        memcpy(why, e->msg, sizeof why);
        return err_set(e, e->code == ERR_OK ? ERR_UNAVAILABLE : e->code,
                       "could not load questionnaire \"%s\" v%d in \"%s\" from the catalog: %s",
                       qid, version, locale, why);
    }
    *out = (const void *)reply;
    return 0;
}
