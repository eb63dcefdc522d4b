/* service.c: the response service's RPC handlers: authorize from the caller's principal, validate,
 * then read or write through the store. Every write to an assessment runs in write_run: one
 * store_write call, one transaction holding the idempotency key, the row lock, the etag check
 * (write_decide, which store_write runs under the lock), the new head and its revision. The
 * table at the bottom maps each method of responses.proto to its handler. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "bytes.h"
#include "exchange.h"
#include "log.h"
#include "page_token.h"
#include "responses.h"
#include "text.h"
#include "pbuf.h"

typedef Unic__Responses__V1__CreateAssessmentRequest CreateRequest;
typedef Unic__Responses__V1__GetAssessmentRequest GetRequest;
typedef Unic__Responses__V1__ListAssessmentsRequest ListRequest;
typedef Unic__Responses__V1__SaveAnswersRequest SaveRequest;
typedef Unic__Responses__V1__SubmitAssessmentRequest SubmitRequest;
typedef Unic__Responses__V1__ReopenAssessmentRequest ReopenRequest;
typedef Unic__Responses__V1__SetVisibilityRequest VisibilityRequest;
typedef Unic__Responses__V1__ListRevisionsRequest RevisionsRequest;
typedef Unic__Responses__V1__GetRevisionRequest RevisionRequest;

enum {
    PAGE_DEFAULT = 50,
    PAGE_MAX = 500,
    ETAG_MAX_CHARS = 64,
};

#define STATUS_DRAFT UNIC__RESPONSES__V1__ASSESSMENT_STATUS__DRAFT
#define STATUS_SUBMITTED UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED

/* ---- Small shared steps ---- */

/* A new etag per write: the revision and 64 random bits, so that no two writes ever share one. */
static char *etag_new(struct arena *a, int revision)
{
    uint8_t r[8];
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t n = getrandom(r + got, sizeof r - got, 0);
        if (n > 0)
            got += (size_t)n;
    }
    return arena_printf(a, "%d-%s", revision, encode_hex(a, r, sizeof r));
}

/* Answers the same whether or not the target exists; the dispatcher logs it, once. */
static int deny(struct call *c, const char *verb, const char *target, struct err *e)
{
    (void)c;
    return err_set(e, ERR_PERMISSION_DENIED, "could not %s \"%s\": not permitted for this key", verb,
                   target);
}

static int parse_id(const char *id, char state[4], struct err *e)
{
    int cycle;
    char qid[72];
    if (!assessment_id_parse(id, state, &cycle, qid, sizeof qid))
        return err_field(e, "assessment_id",
                         "not an assessment id such as KEN-2025-cip-self-assessment");
    return 0;
}

static bool is_own(const struct call *c, const char *state)
{
    return c->principal.role == ROLE_STATE && strcmp(c->principal.state, state) == 0;
}

/* Whether the caller may read assessment `id`, whose head (found false: none the caller can
 * see) was just read: *shown is the revision it reads as the assessment, the head, or for a
 * compliance report read by UNIC while the State has reopened it, its last submitted revision
 * (access.c). For anyone but its own State, an assessment it may not see and one that does not
 * exist get the same PERMISSION_DENIED. */
static int head_access(struct call *c, const char *id, const char *state, const struct head *h,
                       bool found, int *shown, struct err *e)
{
    *shown = h->revision;
    if (is_own(c, state))
        return found ? 0 : err_set(e, ERR_NOT_FOUND, "assessment \"%s\" does not exist", id);
    if (!found)
        return deny(c, "read", id, e);
    if (access_may_read(&c->principal, h->state_code, h->visibility))
        return 0;
    if (access_reads_reports(&c->principal, h->questionnaire_id)) {
        if (store_last_submitted(c->db, id, shown, e) < 0)
            return -1;
        if (*shown > 0)
            return 0;
    }
    return deny(c, "read", id, e);
}

/* read_head, and with bytes not NULL the head revision's snapshot read by the same statement:
 * *bytes is it when the caller may read the assessment and reads it as its head, else NULL
 * (nothing of a denied read leaves the call's arena). */
static int read_head_with(struct call *c, const char *id, struct head *h, int *shown,
                          uint8_t **bytes, size_t *len, struct err *e)
{
    char state[4];
    bool found;
    memset(h, 0, sizeof *h);
    if (parse_id(id, state, e) < 0)
        return -1;
    if (bytes ? store_head_snapshot(c->db, &c->arena, id, h, bytes, len, &found, e) < 0
              : store_head(c->db, id, h, &found, e) < 0)
        return -1;
    int rc = head_access(c, id, state, h, found, shown, e);
    if (bytes && (rc < 0 || *shown != h->revision))
        *bytes = NULL;
    return rc;
}

int read_head(struct call *c, const char *id, struct head *h, int *shown, struct err *e)
{
    return read_head_with(c, id, h, shown, NULL, NULL, e);
}

static void maybe_purge(struct call *c)
{
    idem_purge_due(&((struct responses_app *)c->app)->purge_at_ms, c->db, &responses_idem_sql);
}

/* ---- Writes ---- */

struct write_ctx {
    const Assessment *cur; /* as locked */
    Assessment *next;      /* starts as cur; the operation changes it */
    struct change ch;
    bool noop;             /* nothing changed: no revision */
    bool dry_run;          /* roll everything back and send the reply: nothing is written */
    ProtobufCMessage *reply; /* the reply when it is not the assessment (ImportAnswers), packed
                                after the new head is complete */
    char now[32];
};

struct write_op {
    const char *verb;   /* for messages: "save answers to" */
    const char *action; /* the revision's action */
    const char *assessment_id, *etag, *request_id;
    union { /* the request, as the handler received it */
        const SaveRequest *save;
        const SubmitRequest *submit;
        const ReopenRequest *reopen;
        const VisibilityRequest *visibility;
        const Unic__Responses__V1__ImportAnswersRequest *import;
    } req;
    /* Checks the request without looking anything up; runs after authorization. May be NULL. */
    int (*check)(const struct write_op *op, struct err *e);
    /* Turns w->cur into w->next, under the assessment's lock (store_write runs it). */
    int (*apply)(struct call *c, const struct write_op *op, struct write_ctx *w, struct err *e);
};

struct write_job {
    const struct write_op *op;
    struct write_ctx w;
};

/* The decision of a write, run by store_write under the assessment's lock (store_decide). */
static int write_decide(struct call *c, void *ctx, const struct locked *l, struct write_outcome *o,
                        struct err *e)
{
    struct write_job *j = ctx;
    const struct write_op *op = j->op;
    struct write_ctx *w = &j->w;
    const char *id = op->assessment_id;
    if (l == NULL)
        return err_set(e, ERR_NOT_FOUND, "assessment \"%s\" does not exist", id);
    if (strcmp(l->etag, op->etag) != 0)
        return err_set(e, ERR_ABORTED, "could not %s \"%s\": etag \"%s\" is stale, it is at revision %d",
                       op->verb, id, op->etag, l->revision);
    /* Read under the lock, so this is the revision the etag names. */
    Assessment *cur = (Assessment *)pbuf_unpack(
        &c->arena, &unic__responses__v1__assessment__descriptor, l->snapshot, l->snapshot_len);
    if (cur == NULL)
        return err_set(e, ERR_DATA_LOSS, "could not read revision %d of \"%s\"", l->revision, id);
    uint8_t *bytes = l->snapshot; /* the reply when nothing changes */
    size_t len = l->snapshot_len;
    w->cur = cur;
    w->next = assessment_copy_head(&c->arena, cur);
    w->next->n_answers = cur->n_answers;
    w->next->answers = cur->answers;
    w->ch.action = op->action;
    w->ch.reason = "";
    clock_rfc3339(w->now, sizeof w->now, clock_now_ms(), true) /* ms: the precision the store reads back */;
    if (op->apply(c, op, w, e) < 0)
        return -1;
    if (w->dry_run) {
        o->dry_run = true;
        o->reply = pbuf_pack(&c->arena, w->reply, &o->reply_len);
        return 0;
    }
    if (!w->noop) {
        w->next->revision = cur->revision + 1;
        w->next->etag = etag_new(&c->arena, w->next->revision);
        w->next->updated_at = w->now;
        w->next->updated_by = c->principal.label;
        w->ch.next = w->next;
        w->ch.snapshot = bytes = pbuf_pack(&c->arena, &w->next->base, &len);
        w->ch.snapshot_len = len;
        o->ch = &w->ch;
    }
    o->reply = bytes;
    o->reply_len = len;
    if (w->reply)
        o->reply = pbuf_pack(&c->arena, w->reply, &o->reply_len);
    return 0;
}

static int write_run(struct call *c, const struct write_op *op, struct err *e)
{
    const char *id = op->assessment_id;
    char state[4];
    struct idem kbuf, *k = NULL;
    struct write_job j = {.op = op};
    struct write_outcome o;
    if (parse_id(id, state, e) < 0)
        return -1;
    if (!access_may_write(&c->principal, state))
        return deny(c, op->verb, id, e);
    if (validate_token("etag", op->etag, ETAG_MAX_CHARS, e) < 0 ||
        validate_request_id(op->request_id, e) < 0 || (op->check && op->check(op, e) < 0))
        return -1;
    if (idem_key(c, &responses_idem_sql, op->request_id, &kbuf, &k, e) < 0)
        return -1;
    int answered = store_write(c, k, id, write_decide, &j, &o, e);
    if (answered != 0) /* 1: answered with the reply of the first call of this request_id */
        return answered < 0 ? -1 : 0;
    /* Acknowledged only now, after COMMIT returned. */
    if (k && !o.dry_run)
        maybe_purge(c);
    rpc_reply_raw(c, o.reply, o.reply_len);
    return 0;
}

/* The definition of questionnaire qid/version as it binds `state`: a least developed
 * country's compliance checklist does not require paragraph 9 (common/duties.h). */
int definition_for(struct call *c, const char *state, const char *qid, int version,
                   const struct qdef **out, struct err *e)
{
    struct defs *defs = &((struct responses_app *)c->app)->defs;
    bool member, ldc = false;
    if (defs_questionnaire(defs, c, qid, version, out, e) < 0)
        return -1;
    if ((*out)->kind == UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__COMPLIANCE &&
        defs_state(defs, c, state, &member, &ldc, e) < 0)
        return -1;
    *out = qdef_for_state(&c->arena, *out, ldc);
    return 0;
}

/* Completeness and the count of required questions left, both kept in every revision so a
 * reader sees how much of the tool was used. */
static void measure(struct arena *a, const struct qdef *d, Assessment *x)
{
    const char **missing;
    x->completeness = completeness(d, x->answers, x->n_answers);
    x->unanswered = (int32_t)required_missing(d, x->answers, x->n_answers, a, &missing);
}

static int save_check(const struct write_op *op, struct err *e)
{
    const SaveRequest *r = op->req.save;
    return validate_answers_shape(r->answers, r->n_answers, e);
}

/* SaveAnswers' step, shared with ImportAnswers: answers `in` merged into w->next, each replacing
 * its question's answer whole. */
static int merge_into(struct call *c, struct write_ctx *w, const struct qdef *d, Answer *const *in,
                      size_t n, struct merge *mg, struct err *e)
{
    const Assessment *cur = w->cur;
    int *index = ARENA_ARRAY(&c->arena, int, n ? n : 1);
    if (validate_answers_fit(d, in, n, index, e) < 0)
        return -1;
    answers_merge(&c->arena, d, cur->answers, cur->n_answers, in, n, index, w->now,
                  c->principal.label, mg);
    if (mg->n_changed == 0) {
        w->noop = true;
        return 0;
    }
    w->next->answers = mg->answers;
    w->next->n_answers = mg->n_answers;
    measure(&c->arena, d, w->next);
    w->ch.changed = mg->changed;
    w->ch.n_changed = mg->n_changed;
    w->ch.upserts = mg->upserts;
    w->ch.n_upserts = mg->n_upserts;
    w->ch.removed = mg->removed;
    w->ch.n_removed = mg->n_removed;
    return 0;
}

static int save_apply(struct call *c, const struct write_op *op, struct write_ctx *w, struct err *e)
{
    const SaveRequest *r = op->req.save;
    const Assessment *cur = w->cur;
    const struct qdef *d;
    struct merge mg;
    if (cur->status != STATUS_DRAFT)
        return err_set(e, ERR_FAILED_PRECONDITION,
                       "could not save answers to \"%s\": it is SUBMITTED; reopen it first", cur->id);
    if (definition_for(c, cur->state_code, cur->questionnaire_id, cur->questionnaire_version, &d,
                       e) < 0)
        return -1;
    return merge_into(c, w, d, r->answers, r->n_answers, &mg, e);
}

/* A self-assessment may be submitted in part (A/RES/64/211 annex, footnote a: the tool "may be
 * used by Member States, in part or in its entirety"); the reply says how many were left. The
 * compliance checklist may not: each of its questions is a duty of Resolution #1 that the report
 * must answer, yes or no. */
static int submit_apply(struct call *c, const struct write_op *op, struct write_ctx *w, struct err *e)
{
    (void)op;
    const Assessment *cur = w->cur;
    const struct qdef *d;
    const char **missing;
    if (cur->status != STATUS_DRAFT)
        return err_set(e, ERR_FAILED_PRECONDITION, "could not submit \"%s\": it is already SUBMITTED",
                       cur->id);
    if (definition_for(c, cur->state_code, cur->questionnaire_id, cur->questionnaire_version, &d,
                       e) < 0)
        return -1;
    size_t n = required_missing(d, cur->answers, cur->n_answers, &c->arena, &missing);
    if (n > 0 && d->kind == UNIC__CATALOG__V1__QUESTIONNAIRE_KIND__COMPLIANCE) {
        char list[400] = "";
        size_t used = 0, shown = 0;
        for (; shown < n; shown++) {
            int k = snprintf(list + used, sizeof list - used, "%s%s", shown ? ", " : "",
                             missing[shown]);
            if (k < 0 || (size_t)k >= sizeof list - used - 16)
                break; /* room is kept for " and N more" */
            used += (size_t)k;
        }
        if (shown < n)
            snprintf(list + used, sizeof list - used, " and %zu more", n - shown);
        return err_set(e, ERR_FAILED_PRECONDITION,
                       "could not submit \"%s\": the compliance checklist needs an answer to every "
                       "duty; unanswered: %s", cur->id, list);
    }
    measure(&c->arena, d, w->next);
    w->next->status = STATUS_SUBMITTED;
    w->next->submitted_at = w->now;
    return 0;
}

static int reopen_check(const struct write_op *op, struct err *e)
{
    const ReopenRequest *r = op->req.reopen;
    size_t chars;
    if (r->reason[0] == '\0')
        return err_field(e, "reason", "required");
    if (!text_valid(r->reason, true, &chars))
        return err_field(e, "reason", "not valid UTF-8 without control characters");
    if (chars > REASON_MAX_CHARS)
        return err_field(e, "reason", "longer than %d characters", REASON_MAX_CHARS);
    return 0;
}

static int reopen_apply(struct call *c, const struct write_op *op, struct write_ctx *w, struct err *e)
{
    (void)c;
    const ReopenRequest *r = op->req.reopen;
    if (w->cur->status != STATUS_SUBMITTED)
        return err_set(e, ERR_FAILED_PRECONDITION, "could not reopen \"%s\": it is a DRAFT", w->cur->id);
    w->next->status = STATUS_DRAFT;
    w->next->submitted_at = (char *)"";
    w->ch.reason = r->reason;
    return 0;
}

static int visibility_check(const struct write_op *op, struct err *e)
{
    const VisibilityRequest *r = op->req.visibility;
    if (visibility_name(r->visibility) == NULL)
        return err_field(e, "visibility", "must be PRIVATE, UNIC or PUBLIC");
    return 0;
}

static int visibility_apply(struct call *c, const struct write_op *op, struct write_ctx *w,
                            struct err *e)
{
    (void)c;
    (void)e;
    const VisibilityRequest *r = op->req.visibility;
    if ((int)w->cur->visibility == (int)r->visibility) {
        w->noop = true;
        return 0;
    }
    w->next->visibility = r->visibility;
    /* Who may read an assessment is a change the audit log must show (docs/security.md). */
    w->ch.audit = "visibility-changed";
    w->ch.audit_args[0] = w->cur->id;
    w->ch.audit_args[1] = visibility_name(w->cur->visibility);
    w->ch.audit_args[2] = visibility_name(r->visibility);
    w->ch.n_audit_args = 3;
    return 0;
}

/* ---- Handlers ---- */

static int create_assessment(struct call *c, const Unic__Responses__V1__CreateAssessmentRequest *r, Unic__Responses__V1__Assessment **out, struct err *e)
{
    (void)out;
    struct responses_app *app = c->app;
    const struct qdef *d;
    char id[ASSESSMENT_ID_MAX + 1], now[32];
    bool member;
    if (!text_state_code_shape(r->state_code))
        return err_field(e, "state_code", "not an ISO 3166-1 alpha-3 code such as KEN");
    if (validate_cycle(r->cycle, text_current_year(), e) < 0)
        return -1;
    if (!questionnaire_id_shape(r->questionnaire_id))
        return err_field(e, "questionnaire_id", "not a questionnaire id");
    if (r->questionnaire_version < 0)
        return err_field(e, "questionnaire_version",
                         "must be 0 (the latest published) or a version");
    if (validate_request_id(r->request_id, e) < 0)
        return -1;
    assessment_id_format(id, sizeof id, r->state_code, r->cycle, r->questionnaire_id);
    if (!access_may_write(&c->principal, r->state_code))
        return deny(c, "create", id, e);
    if (defs_is_member(&app->defs, c, r->state_code, &member, e) < 0)
        return -1;
    if (!member)
        return err_field(e, "state_code", "%s is not a UN Member State", r->state_code);
    if (definition_for(c, r->state_code, r->questionnaire_id, r->questionnaire_version, &d, e) < 0)
        return -1;

    clock_rfc3339(now, sizeof now, clock_now_ms(), true) /* ms: the precision the store reads back */;
    Assessment *a = ARENA_MSG(&c->arena, Assessment, UNIC__RESPONSES__V1__ASSESSMENT__INIT);
    a->id = id;
    a->state_code = r->state_code;
    a->cycle = r->cycle;
    a->questionnaire_id = r->questionnaire_id;
    a->questionnaire_version = d->version;
    a->status = STATUS_DRAFT;
    a->visibility = UNIC__COMMON__V1__VISIBILITY__PRIVATE;
    a->revision = 1;
    a->etag = etag_new(&c->arena, 1);
    measure(&c->arena, d, a);
    a->created_at = a->updated_at = now;
    a->updated_by = c->principal.label;
    struct change ch = {.next = a, .action = "CREATE", .reason = ""};
    ch.snapshot = pbuf_pack(&c->arena, &a->base, &ch.snapshot_len);

    struct idem kbuf, *k = NULL;
    int answered = idem_begin(c, &responses_idem_sql, r->request_id, &kbuf, &k, e);
    if (answered == 0)
        answered = store_create(c, k, &ch, e);
    if (answered != 0) /* 1: answered with the reply of the first call of this request_id */
        return answered < 0 ? -1 : 0;
    if (k)
        maybe_purge(c);
    rpc_reply_raw(c, ch.snapshot, ch.snapshot_len);
    return 0;
}

static int get_assessment(struct call *c, const Unic__Responses__V1__GetAssessmentRequest *r, Unic__Responses__V1__Assessment **out, struct err *e)
{
    (void)out;
    char built[ASSESSMENT_ID_MAX + 1];
    const char *id = r->assessment_id;
    struct head h;
    int shown;
    if (id[0] == '\0') {
        if (!text_state_code_shape(r->state_code))
            return err_field(e, "state_code",
                             "not an ISO 3166-1 alpha-3 code (or give assessment_id)");
        if (validate_cycle(r->cycle, text_current_year(), e) < 0)
            return -1;
        if (!questionnaire_id_shape(r->questionnaire_id))
            return err_field(e, "questionnaire_id", "not a questionnaire id");
        assessment_id_format(built, sizeof built, r->state_code, r->cycle, r->questionnaire_id);
        id = built;
    }
    /* One round trip: the head and its snapshot together, access decided on the head as it is
     * now. Only an earlier revision shown (a reopened report, to UNIC) is read apart. */
    uint8_t *bytes;
    size_t len;
    if (read_head_with(c, id, &h, &shown, &bytes, &len, e) < 0)
        return -1;
    if (bytes == NULL) {
        int visibility;
        bool found;
        if (store_snapshot(c->db, &c->arena, id, shown, &bytes, &len, &visibility, NULL, &found,
                           e) < 0)
            return -1;
        if (!found)
            return err_set(e, ERR_INTERNAL, "revision %d of \"%s\" is missing", shown, id);
    }
    rpc_reply_raw(c, bytes, len);
    return 0;
}

static int list_assessments(struct call *c, const Unic__Responses__V1__ListAssessmentsRequest *r, Unic__Responses__V1__ListAssessmentsResponse **out, struct err *e)
{
    if (r->state_code[0] && !text_state_code_shape(r->state_code))
        return err_field(e, "state_code", "not an ISO 3166-1 alpha-3 code");
    if (r->cycle < 0)
        return err_field(e, "cycle", "must be 0 (any) or a year");
    if (r->questionnaire_id[0] && !questionnaire_id_shape(r->questionnaire_id))
        return err_field(e, "questionnaire_id", "not a questionnaire id");
    if (r->status != 0 && status_name(r->status) == NULL)
        return err_field(e, "status", "must be DRAFT or SUBMITTED");
    if (r->page_size < 0)
        return err_field(e, "page_size", "must not be negative");
    /* The filter a token is bound to; with_answers only shapes the page, so it may change. */
    char *filter = arena_printf(&c->arena, "state=%s;cycle=%d;questionnaire=%s;status=%d",
                                r->state_code, (int)r->cycle, r->questionnaire_id, (int)r->status);
    const char *after;
    if (page_token_position(c, filter, r->page_token, &after, e) < 0)
        return -1;
    int page = r->page_size == 0 ? PAGE_DEFAULT : r->page_size > PAGE_MAX ? PAGE_MAX : r->page_size;
    struct list_filter f = {
        .state_code = r->state_code,
        .cycle = r->cycle,
        .questionnaire_id = r->questionnaire_id,
        .status = r->status ? status_name(r->status) : "",
        .own_state = c->principal.role == ROLE_STATE ? c->principal.state : "",
        .visible = access_visible_array(&c->principal),
        .reports = access_report_questionnaire(&c->principal),
        .after = after,
        .limit = page + 1, /* one more tells whether another page follows */
        .with_answers = r->with_answers,
    };
    Unic__Responses__V1__ListAssessmentsResponse *resp =
        ARENA_MSG(&c->arena, Unic__Responses__V1__ListAssessmentsResponse,
                  UNIC__RESPONSES__V1__LIST_ASSESSMENTS_RESPONSE__INIT);
    if (store_list(c->db, &c->arena, &f, &resp->assessments, &resp->n_assessments, e) < 0)
        return -1;
    if (resp->n_assessments > (size_t)page) {
        resp->n_assessments = (size_t)page;
        resp->next_page_token = page_token_next(c, filter, resp->assessments[page - 1]->id);
    }
    *out = resp;
    return 0;
}

static int save_answers(struct call *c, const Unic__Responses__V1__SaveAnswersRequest *r, Unic__Responses__V1__Assessment **out, struct err *e)
{
    (void)out;
    const struct write_op op = {"save answers to", "SAVE", r->assessment_id, r->etag, r->request_id,
                                {.save = r}, save_check, save_apply};
    return write_run(c, &op, e);
}

static int submit_assessment(struct call *c, const Unic__Responses__V1__SubmitAssessmentRequest *r, Unic__Responses__V1__Assessment **out, struct err *e)
{
    (void)out;
    const struct write_op op = {"submit", "SUBMIT", r->assessment_id, r->etag, r->request_id,
                                {.submit = r}, NULL, submit_apply};
    return write_run(c, &op, e);
}

static int reopen_assessment(struct call *c, const Unic__Responses__V1__ReopenAssessmentRequest *r, Unic__Responses__V1__Assessment **out, struct err *e)
{
    (void)out;
    const struct write_op op = {"reopen", "REOPEN", r->assessment_id, r->etag, r->request_id,
                                {.reopen = r}, reopen_check, reopen_apply};
    return write_run(c, &op, e);
}

static int set_visibility(struct call *c, const Unic__Responses__V1__SetVisibilityRequest *r, Unic__Responses__V1__Assessment **out, struct err *e)
{
    (void)out;
    const struct write_op op = {"set the visibility of", "VISIBILITY", r->assessment_id, r->etag,
                                r->request_id, {.visibility = r}, visibility_check, visibility_apply};
    return write_run(c, &op, e);
}

static int list_revisions(struct call *c, const Unic__Responses__V1__ListRevisionsRequest *r, Unic__Responses__V1__ListRevisionsResponse **out, struct err *e)
{
    struct head h;
    int shown;
    Unic__Responses__V1__Revision **all;
    size_t n;
    if (read_head(c, r->assessment_id, &h, &shown, e) < 0 ||
        store_revisions(c->db, &c->arena, r->assessment_id, &all, &n, e) < 0)
        return -1;
    Unic__Responses__V1__ListRevisionsResponse *resp =
        ARENA_MSG(&c->arena, Unic__Responses__V1__ListRevisionsResponse,
                  UNIC__RESPONSES__V1__LIST_REVISIONS_RESPONSE__INIT);
    resp->revisions = ARENA_ARRAY(&c->arena, Unic__Responses__V1__Revision *, n);
    /* Sharing an assessment now does not share the drafts written while it was private; a
     * compliance report read by UNIC shows its submitted revisions only. */
    bool whole = is_own(c, h.state_code) || access_may_read(&c->principal, h.state_code, h.visibility);
    for (size_t i = 0; i < n; i++)
        if (whole ? access_may_read(&c->principal, h.state_code, all[i]->visibility)
                  : all[i]->status == STATUS_SUBMITTED)
            resp->revisions[resp->n_revisions++] = all[i];
    *out = resp;
    return 0;
}

static int get_revision(struct call *c, const Unic__Responses__V1__GetRevisionRequest *r, Unic__Responses__V1__Assessment **out, struct err *e)
{
    (void)out;
    struct head h;
    uint8_t *bytes;
    size_t len;
    int visibility, status, shown;
    bool found;
    if (read_head(c, r->assessment_id, &h, &shown, e) < 0)
        return -1;
    if (r->revision <= 0)
        return err_field(e, "revision", "must be 1 or more");
    if (store_snapshot(c->db, &c->arena, r->assessment_id, r->revision, &bytes, &len, &visibility,
                       &status, &found, e) < 0)
        return -1;
    bool own = is_own(c, h.state_code);
    if (!own && (!found || !access_may_read_revision(&c->principal, h.state_code,
                                                     h.questionnaire_id, visibility, status)))
        return deny(c, "read", r->assessment_id, e);
    if (!found)
        return err_set(e, ERR_NOT_FOUND, "revision %d of \"%s\" does not exist", r->revision,
                       r->assessment_id);
    rpc_reply_raw(c, bytes, len);
    return 0;
}

/* ---- Exchange files (exchange.c): the assessment out, answers in ---- */

typedef Unic__Responses__V1__ExportAssessmentRequest ExportRequest;
typedef Unic__Responses__V1__ImportAnswersRequest ImportRequest;
typedef Unic__Responses__V1__ImportAnswersResponse ImportResponse;

static const struct {
    const char *content_type, *ext;
} formats[] = {
    [EXCHANGE_JSON] = {"application/json", "json"},
    [EXCHANGE_CSV] = {"text/csv; charset=utf-8", "csv"},
    [EXCHANGE_XLSX] = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
};

static int exchange_format_of(int f, enum exchange_format *out, struct err *e)
{
    if (f == UNIC__RESPONSES__V1__EXCHANGE_FORMAT__EXCHANGE_FORMAT_UNSPECIFIED)
        f = UNIC__RESPONSES__V1__EXCHANGE_FORMAT__JSON;
    if (f < EXCHANGE_JSON || f > EXCHANGE_XLSX)
        return err_field(e, "format", "expected JSON, CSV or XLSX");
    *out = (enum exchange_format)f;
    return 0;
}

static int export_assessment(struct call *c, const ExportRequest *r,
                             Unic__Responses__V1__ExportAssessmentResponse **out, struct err *e)
{
    enum exchange_format format = EXCHANGE_JSON;
    const char *locale = r->locale[0] ? r->locale : "en";
    size_t n = strlen(locale);
    if (exchange_format_of(r->format, &format, e) < 0)
        return -1;
    if (n < 2 || n > 16 || strspn(locale, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != n)
        return err_field(e, "locale", "not a language tag such as \"fr\"");
    struct head h;
    int shown, visibility;
    uint8_t *bytes;
    size_t len;
    bool found;
    const Unic__Catalog__V1__Questionnaire *q;
    if (read_head(c, r->assessment_id, &h, &shown, e) < 0 ||
        store_snapshot(c->db, &c->arena, r->assessment_id, shown, &bytes, &len, &visibility, NULL,
                       &found, e) < 0)
        return -1;
    Assessment *as = found ? (Assessment *)pbuf_unpack(
                                 &c->arena, &unic__responses__v1__assessment__descriptor, bytes, len)
                           : NULL;
    if (as == NULL)
        return err_set(e, ERR_DATA_LOSS, "could not read revision %d of \"%s\"", shown,
                       r->assessment_id);
    /* The documents the reader may see with this revision (evidence_service.c's rule). */
    Unic__Responses__V1__EvidenceDocument **docs;
    struct exchange_docs files = {NULL, 0};
    if (store_evidence_documents(c->db, &c->arena, r->assessment_id, "", shown, &docs, &files.n,
                                 e) < 0)
        return -1;
    files.v = docs;
    if (defs_questionnaire_texts(&((struct responses_app *)c->app)->defs, c, &c->arena,
                                 as->questionnaire_id, as->questionnaire_version, locale, &q, e) < 0 ||
        exchange_export(&c->arena, format, as, q, &files, &bytes, &len, e) < 0)
        return -1;
    Unic__Responses__V1__ExportAssessmentResponse *resp =
        ARENA_MSG(&c->arena, Unic__Responses__V1__ExportAssessmentResponse,
                  UNIC__RESPONSES__V1__EXPORT_ASSESSMENT_RESPONSE__INIT);
    resp->content_type = (char *)formats[format].content_type;
    resp->filename = arena_printf(&c->arena, "%s-r%d.%s", as->id, as->revision, formats[format].ext);
    resp->bytes.data = bytes;
    resp->bytes.len = len;
    resp->revision = as->revision;
    resp->etag = as->etag;
    *out = resp;
    return 0;
}

static int import_check(const struct write_op *op, struct err *e)
{
    const ImportRequest *r = op->req.import;
    enum exchange_format format = EXCHANGE_JSON;
    if (exchange_format_of(r->format, &format, e) < 0)
        return -1;
    if (r->content.len == 0)
        return err_field(e, "content", "empty");
    if (r->content.len > EXCHANGE_MAX_BYTES)
        return err_set(e, ERR_RESOURCE_EXHAUSTED, "content: %zu bytes, at most %u (the largest"
                       " exchange file)", r->content.len, EXCHANGE_MAX_BYTES);
    return 0;
}

/* "'1 Taking stock'!E3" in a workbook, "E3" in CSV, "answers[2].level" in JSON. */
static const char *cell_address(struct arena *a, enum exchange_format f,
                                const struct exchange_error *x)
{
    if (f == EXCHANGE_JSON)
        return arena_printf(a, "answers[%d].%s", x->row - 1, x->column);
    if (x->sheet[0])
        return arena_printf(a, "'%s'!%s%d", x->sheet, x->column, x->row);
    return arena_printf(a, "%s%d", x->column, x->row);
}

static const Answer *answer_of(Answer *const *list, size_t n, const char *qid)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i]->question_id, qid) == 0)
            return list[i];
    return NULL;
}

static int import_apply(struct call *c, const struct write_op *op, struct write_ctx *w,
                        struct err *e)
{
    const ImportRequest *r = op->req.import;
    const Assessment *cur = w->cur;
    const struct qdef *d;
    enum exchange_format format = EXCHANGE_JSON;
    struct exchange_file f;
    struct arena *a = &c->arena;
    if (cur->status != STATUS_DRAFT)
        return err_set(e, ERR_FAILED_PRECONDITION,
                       "could not import answers into \"%s\": it is SUBMITTED; reopen it first",
                       cur->id);
    if (exchange_format_of(r->format, &format, e) < 0 ||
        definition_for(c, cur->state_code, cur->questionnaire_id, cur->questionnaire_version, &d,
                       e) < 0 ||
        exchange_import(a, format, r->content.data, r->content.len, d, &f, e) < 0)
        return -1;
    if (f.assessment_id[0] && strcmp(f.assessment_id, cur->id) != 0)
        return err_field(e, "content", "the file is of assessment \"%s\", not \"%s\"",
                         text_valid(f.assessment_id, false, NULL) && strlen(f.assessment_id) < 80
                           ? f.assessment_id
                           : "(not shown)",
                         cur->id);
    ImportResponse *resp = ARENA_MSG(a, ImportResponse, UNIC__RESPONSES__V1__IMPORT_ANSWERS_RESPONSE__INIT);
    resp->assessment = (Assessment *)cur;
    w->reply = &resp->base;
    if (f.n_errors_total > 0) {
        resp->error_count = (int32_t)f.n_errors_total;
        resp->errors = ARENA_ARRAY(a, Unic__Responses__V1__CellError *, f.n_errors);
        for (size_t i = 0; i < f.n_errors; i++) {
            Unic__Responses__V1__CellError *x = ARENA_MSG(a, Unic__Responses__V1__CellError,
                                                          UNIC__RESPONSES__V1__CELL_ERROR__INIT);
            x->sheet = (char *)f.errors[i].sheet;
            x->row = f.errors[i].row;
            x->column = (char *)f.errors[i].column;
            x->message = (char *)f.errors[i].message;
            resp->errors[resp->n_errors++] = x;
        }
        if (r->validate_only) {
            w->dry_run = true;
            return 0;
        }
        struct bytes list;
        bytes_init(&list);
        for (size_t i = 0; i < f.n_errors && list.len < sizeof e->msg; i++)
            bytes_printf(&list, "%s%s: %s", i ? "; " : "", cell_address(a, format, &f.errors[i]),
                         f.errors[i].message);
        err_field(e, "content",
                  "%zu bad cell%s, nothing written (validate_only lists them all): %s",
                  f.n_errors_total, f.n_errors_total == 1 ? "" : "s", (const char *)list.data);
        bytes_destroy(&list);
        return -1;
    }
    struct merge mg;
    if (validate_answers_shape(f.answers, f.n_answers, e) < 0 ||
        merge_into(c, w, d, f.answers, f.n_answers, &mg, e) < 0)
        return -1;
    resp->valid = true;
    resp->changes = ARENA_ARRAY(a, Unic__Responses__V1__AnswerChange *, mg.n_changed + 1);
    for (size_t i = 0; !w->noop && i < mg.n_changed; i++) {
        Unic__Responses__V1__AnswerChange *ch = ARENA_MSG(
            a, Unic__Responses__V1__AnswerChange, UNIC__RESPONSES__V1__ANSWER_CHANGE__INIT);
        ch->question_id = (char *)mg.changed[i];
        ch->before = (Answer *)answer_of(cur->answers, cur->n_answers, mg.changed[i]);
        ch->after = (Answer *)answer_of(mg.answers, mg.n_answers, mg.changed[i]);
        resp->changes[resp->n_changes++] = ch;
    }
    if (r->validate_only) {
        w->dry_run = true;
        return 0;
    }
    resp->written = !w->noop;
    resp->assessment = w->next;
    return 0;
}

static int import_answers(struct call *c, const ImportRequest *r, ImportResponse **out,
                          struct err *e)
{
    (void)out; /* write_run sends the reply */
    const struct write_op op = {"import answers into", "SAVE", r->assessment_id, r->etag,
                                r->request_id, {.import = r}, import_check, import_apply};
    return write_run(c, &op, e);
}

RPC_HANDLER(create_assessment, Unic__Responses__V1__CreateAssessmentRequest, Unic__Responses__V1__Assessment);
RPC_HANDLER(get_assessment, Unic__Responses__V1__GetAssessmentRequest, Unic__Responses__V1__Assessment);
RPC_HANDLER(list_assessments, Unic__Responses__V1__ListAssessmentsRequest, Unic__Responses__V1__ListAssessmentsResponse);
RPC_HANDLER(save_answers, Unic__Responses__V1__SaveAnswersRequest, Unic__Responses__V1__Assessment);
RPC_HANDLER(submit_assessment, Unic__Responses__V1__SubmitAssessmentRequest, Unic__Responses__V1__Assessment);
RPC_HANDLER(reopen_assessment, Unic__Responses__V1__ReopenAssessmentRequest, Unic__Responses__V1__Assessment);
RPC_HANDLER(set_visibility, Unic__Responses__V1__SetVisibilityRequest, Unic__Responses__V1__Assessment);
RPC_HANDLER(list_revisions, Unic__Responses__V1__ListRevisionsRequest, Unic__Responses__V1__ListRevisionsResponse);
RPC_HANDLER(get_revision, Unic__Responses__V1__GetRevisionRequest, Unic__Responses__V1__Assessment);
RPC_HANDLER(export_assessment, ExportRequest, Unic__Responses__V1__ExportAssessmentResponse);
RPC_HANDLER(import_answers, ImportRequest, ImportResponse);
RPC_HANDLER(begin_evidence_upload, Unic__Responses__V1__BeginEvidenceUploadRequest, Unic__Responses__V1__EvidenceUpload);
RPC_HANDLER(put_evidence_chunk, Unic__Responses__V1__PutEvidenceChunkRequest, Unic__Responses__V1__EvidenceUpload);
RPC_HANDLER(get_evidence_upload, Unic__Responses__V1__GetEvidenceUploadRequest, Unic__Responses__V1__EvidenceUpload);
RPC_HANDLER(commit_evidence_upload, Unic__Responses__V1__CommitEvidenceUploadRequest, Unic__Responses__V1__EvidenceDocument);
RPC_HANDLER(list_evidence_documents, Unic__Responses__V1__ListEvidenceDocumentsRequest, Unic__Responses__V1__ListEvidenceDocumentsResponse);
RPC_HANDLER(get_evidence_content, Unic__Responses__V1__GetEvidenceContentRequest, Unic__Responses__V1__EvidenceContent);
RPC_HANDLER(delete_evidence_document, Unic__Responses__V1__DeleteEvidenceDocumentRequest, Unic__Responses__V1__EvidenceDocument);

static const struct rpc_method methods[] = {
    RPC_ROW("CreateAssessment", create_assessment, RPC_STATE, RPC_WRITES),
    RPC_ROW("GetAssessment", get_assessment, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("ListAssessments", list_assessments, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("SaveAnswers", save_answers, RPC_STATE, RPC_WRITES),
    RPC_ROW("SubmitAssessment", submit_assessment, RPC_STATE, RPC_WRITES),
    RPC_ROW("ReopenAssessment", reopen_assessment, RPC_STATE, RPC_WRITES),
    RPC_ROW("SetVisibility", set_visibility, RPC_STATE, RPC_WRITES),
    RPC_ROW("ListRevisions", list_revisions, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("GetRevision", get_revision, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("ExportAssessment", export_assessment, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("ImportAnswers", import_answers, RPC_STATE, RPC_WRITES),
    RPC_ROW("BeginEvidenceUpload", begin_evidence_upload, RPC_STATE, RPC_WRITES),
    RPC_ROW("PutEvidenceChunk", put_evidence_chunk, RPC_STATE, RPC_WRITES),
    RPC_ROW("GetEvidenceUpload", get_evidence_upload, RPC_STATE, RPC_READS),
    RPC_ROW("CommitEvidenceUpload", commit_evidence_upload, RPC_STATE, RPC_WRITES),
    RPC_ROW("ListEvidenceDocuments", list_evidence_documents, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("GetEvidenceContent", get_evidence_content, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("DeleteEvidenceDocument", delete_evidence_document, RPC_STATE, RPC_WRITES),
};

const struct rpc_service responses_rpc = {
    &unic__responses__v1__response_service__descriptor, methods, sizeof methods / sizeof methods[0],
};
