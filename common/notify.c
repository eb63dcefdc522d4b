/* notify.c: writing events to the outbox (notify.h). The body a receiver gets is built once, in
 * SQL (NOTIFY_EVENTS_SQL): {"id", "type", "state_code", "occurred_at", "data"}; every attempt
 * posts those bytes. */
#include "notify.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "text.h"

static const char SQL_EVENT[] = NOTIFY_EVENTS_SQL(
    "SELECT DISTINCT unnest($1::text[]) AS state_code, $2::text AS kind, $3::jsonb AS data");

int notify_event(struct db *db, const char *const *states, size_t n, const char *kind,
                 const char *data_json, long *written, struct err *e)
{
    if (written)
        *written = 0;
    if (!db->in_tx)
        return err_set(e, ERR_INTERNAL, "could not write event %s outside the transaction of its change", kind);
    if (n == 0)
        return 0;
    if (n > NOTIFY_STATES_MAX)
        return err_set(e, ERR_INTERNAL, "could not write event %s for %zu States: at most %d", kind, n,
                       NOTIFY_STATES_MAX);
    /* An array literal {BEN,KEN}: codes of the shape [A-Z]{3} need no quoting; others are left out
     * (no endpoint can be registered under them). */
    char *list = xmalloc(4 * n + 3);
    size_t len = 0;
    list[len++] = '{';
    for (size_t i = 0; i < n; i++) {
        if (!text_state_code_shape(states[i]))
            continue;
        if (len > 1)
            list[len++] = ',';
        memcpy(list + len, states[i], 3);
        len += 3;
    }
    list[len++] = '}';
    list[len] = '\0';
    const char *params[] = {list, kind, data_json};
    int rc = db_command(db, e, SQL_EVENT, 3, params, written);
    free(list);
    return rc;
}
