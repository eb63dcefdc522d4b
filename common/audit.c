/* audit.c: appending to the audit log. Summaries are formatted from validated request fields,
 * cut at a UTF-8 boundary when long, so PostgreSQL never sees a broken sequence. */
#include "audit.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char SQL_APPEND[] =
    "INSERT INTO audit.events (service, identity_id, key_id, actor, method, resource, state_code,"
    " summary, request_id) VALUES ($1, NULLIF($2, ''), $3, $4, $5, $6, NULLIF($7, ''), $8, $9)";

/* After vsnprintf cut s short: drops a last UTF-8 sequence left incomplete. */
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

int audit_append(struct call *c, const char *resource, const char *state, const char *request_id,
                 struct err *e, const char *fmt, ...)
{
    if (!c->db->in_tx)
        return err_set(e, ERR_INTERNAL, "audit event for %s outside the transaction of its change",
                       resource);
    char summary[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(summary, sizeof summary, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof summary)
        utf8_trim_tail(summary);
    struct audit_event ev = {c->cfg->service, c->principal.identity_id, c->principal.key_id,
                             c->principal.label, c->method, resource, state, summary, request_id};
    return audit_insert(c->db, &ev, e);
}

int audit_insert(struct db *db, const struct audit_event *ev, struct err *e)
{
    const char *params[] = {ev->service, ev->identity_id ? ev->identity_id : "", ev->key_id,
                            ev->actor, ev->method, ev->resource, ev->state ? ev->state : "",
                            ev->summary, ev->request_id ? ev->request_id : ""};
    return db_command(db, e, SQL_APPEND, 9, params, NULL);
}
