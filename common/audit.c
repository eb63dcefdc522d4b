/* audit.c: appending to the audit log. Summaries are formatted from validated request fields,
 * cut at a UTF-8 boundary when long, so PostgreSQL never sees a broken sequence. */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_values.h"
#include "mem.h"

static const char SQL_APPEND[] =
    "INSERT INTO audit.events (service, identity_id, key_id, actor, method, resource, state_code,"
    " summary, request_id, summary_code, summary_args)"
    " VALUES ($1, NULLIF($2, ''), $3, $4, $5, $6, NULLIF($7, ''), $8, $9, $10, $11::text[])";

/* Every summary code and its English form; {0}, {1}... are the arguments. The portal's messages
 * "audit.<code>" say the same in each language (test_web_static reads this table). */
static const struct {
    const char *code, *english;
} TEXTS[] = {
    /* catalog */
    {"identity-created", "created identity {0} <{1}> as {2}"},
    {"identity-created-for-state", "created identity {0} <{1}> as {2} of {3}"},
    {"key-created", "created key {0} \"{1}\" for {2} <{3}>, expiring {4}"},
    {"key-revoked", "revoked key {0} \"{1}\" of {2}"},
    {"key-rotated", "rotated key {0} of {1} <{2}> to key {3}; the old key stays valid {4} s"},
    {"time-zone-set", "set the time zone of {0} to {1}"},
    {"webhook-set", "set the webhook of {0} to {1}, with a new secret"},
    {"membership-recorded", "recorded {0} of {1} in {2}, effective {3} ({4}): member from {5} until {6}"},
    {"directory-recorded",
     "recorded version {0} of the directory entry of {1}: point of contact {2} <{3}>, CERTs: {4}"},
    {"round-started", "started reachability round {0}, open until {2}; States asked: {1}"},
    {"round-confirmed", "{0} confirmed its point of contact in reachability round {1}"},
    {"practice-shared", "shared practice {0} \"{1}\" ({2})"},
    {"practice-accepted", "accepted practice {0}"},
    {"practice-rejected", "rejected practice {0}: {1}"},
    {"compilation-published", "published edition {0} of the {1} compilation of {2}; practices: {3}"},
    /* responses */
    {"visibility-changed", "visibility of assessment {0}: {1} to {2}"},
    {"evidence-attached", "attached \"{0}\" ({1}, {2} bytes, sha256 {3}) to question {4} of {5}"},
    {"evidence-deleted", "deleted \"{0}\" from question {1} of {2}"},
    /* matching */
    {"offer-created", "created offer {0} of {1} ({2}, now {3})"},
    {"offer-updated", "updated offer {0} of {1} ({2}, now {3})"},
    {"offer-withdrawn", "withdrew offer {0} of {1} ({2}, now {3})"},
    {"request-created", "created request {0} of {1} ({2}, now {3})"},
    {"request-withdrawn", "withdrew request {0} of {1} ({2}, now {3})"},
    {"requests-derived", "derived requests of {1} from the gaps of cycle {2}: {0}"},
    {"plan-proposed", "proposed plan {0} as of {1}: matches {2}, requests left unmet {3}"},
    {"plan-committed", "committed plan {0}: offers drawn on {1}, requests drawn on {2}"},
    {"match-advanced", "match {0} {1} -> {2} as {3} {4}"},
    {"match-advanced-returned", "match {0} {1} -> {2} as {3} {4}; returned to offer and request: {5}"},
    {"match-advanced-by-operator", "match {0} {1} -> {2} as {3} {4} (by an operator: {5})"},
    {"match-advanced-by-operator-returned",
     "match {0} {1} -> {2} as {3} {4} (by an operator: {5}); returned to offer and request: {6}"},
    /* start-up and unic-admin */
    {"operator-key-stored", "stored the {0} operator key given to this service"},
    {"admin-key-created", "created {0} key {1} \"{2}\" with unic-admin"},
    {"admin-key-revoked", "revoked key {0} with unic-admin"},
};

/* After the text was cut short at out[size - 1]: drops a last UTF-8 sequence left incomplete. */
static void utf8_trim_tail(char *s)
{
    size_t len = strlen(s), j = len;
    while (j > 0 && ((unsigned char)s[j - 1] & 0xC0) == 0x80)
        j--;
    if (j == 0)
        return;
    unsigned char lead = (unsigned char)s[j - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (len - (j - 1) < need)
        s[j - 1] = '\0';
}

static const char *english_of(const char *code)
{
    for (size_t i = 0; code && i < sizeof TEXTS / sizeof TEXTS[0]; i++)
        if (strcmp(TEXTS[i].code, code) == 0)
            return TEXTS[i].english;
    return NULL;
}

int audit_summary(const char *code, const char *const *args, size_t n_args, char *out, size_t size)
{
    const char *form = english_of(code);
    if (form == NULL || size == 0)
        return -1;
    size_t len = 0;
    bool cut = false;
    for (const char *p = form; *p && !cut; p++) {
        const char *piece = p, *close = NULL;
        size_t n = 1;
        if (*p == '{' && p[1] >= '0' && p[1] <= '9' && (close = strchr(p, '}')) != NULL) {
            size_t i = (size_t)strtoul(p + 1, NULL, 10);
            if (i >= n_args || args[i] == NULL)
                return -1;
            piece = *args[i] ? args[i] : "\xE2\x80\x94"; /* — */
            n = strlen(piece);
            p = close;
        }
        if (len + n >= size) {
            n = size - 1 - len;
            cut = true;
        }
        memcpy(out + len, piece, n);
        len += n;
    }
    out[len] = '\0';
    if (cut)
        utf8_trim_tail(out);
    return 0;
}

int audit_append(struct call *c, const char *resource, const char *state, const char *request_id,
                 const char *code, const char *const *args, size_t n_args, struct err *e)
{
    if (!c->db->in_tx)
        return err_set(e, ERR_INTERNAL, "audit event for %s outside the transaction of its change",
                       resource);
    struct audit_event ev = {c->cfg->service, c->principal.identity_id, c->principal.key_id,
                             c->principal.label, c->method, resource, state, request_id,
                             code, args, n_args};
    return audit_insert(c->db, &ev, e);
}

int audit_insert(struct db *db, const struct audit_event *ev, struct err *e)
{
    char summary[1024];
    if (ev->n_args > AUDIT_ARGS_MAX ||
        audit_summary(ev->code, ev->args, ev->n_args, summary, sizeof summary) < 0)
        return err_set(e, ERR_INTERNAL, "audit event for %s: summary code \"%s\" unknown or its"
                       " arguments missing", ev->resource, ev->code ? ev->code : "");
    struct arena a;
    arena_init(&a);
    char *args[AUDIT_ARGS_MAX];
    for (size_t i = 0; i < ev->n_args; i++)
        args[i] = (char *)ev->args[i];
    const char *params[] = {ev->service, ev->identity_id ? ev->identity_id : "", ev->key_id,
                            ev->actor, ev->method, ev->resource, ev->state ? ev->state : "",
                            summary, ev->request_id ? ev->request_id : "", ev->code,
                            db_text_array(&a, args, ev->n_args)};
    int rc = db_command(db, e, SQL_APPEND, 11, params, NULL);
    arena_destroy(&a);
    return rc;
}
