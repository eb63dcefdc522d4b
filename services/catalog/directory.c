/* directory.c: DirectoryService's handlers (directory.h). Every Member State key and UNIC reads
 * every entry: the point of the directory is that one State can reach another. Only the State
 * itself writes its own entry: another State's write, or an operator's, is PERMISSION_DENIED
 * (docs/directory.md says why operators do not write on a State's behalf). Every change keeps the previous version and is audited with the
 * person who made it, in its own transaction (common/audit.h); writes with a request_id are
 * idempotent (common/idem.h). docs/directory.md. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "catalog.h"
#include "directory.h"
#include "idem.h"
#include "page_token.h"
#include "text.h"
#include "tz.h"

enum {
    LIST_DEFAULT = 50,
    LIST_MAX = 200,
    HISTORY_DEFAULT = 20,
    HISTORY_MAX = 100,
    NOTE_MAX = 500,
};

int catalog_check_member(struct call *c, const char *field, const char *code, struct err *e)
{
    bool member = false;
    if (*code == '\0')
        return err_field(e, field, "is required (ISO 3166-1 alpha-3, see ListStates)");
    if (text_state_code_shape(code) && admin_store_state_member(c->db, code, &member, e) < 0)
        return -1;
    if (!member)
        return err_field(e, field, "\"%.8s\" is not a UN Member State (ISO 3166-1 alpha-3, see ListStates)", code);
    return 0;
}

int catalog_writable_state(struct call *c, const char *requested, const char *what, const char **out,
                           struct err *e)
{
    if (c->principal.role == ROLE_STATE) {
        if (*requested && strcmp(requested, c->principal.state) != 0)
            return err_set(e, ERR_PERMISSION_DENIED, "could not change %s of %.8s: a State changes "
                           "only its own (%s)", what, requested, c->principal.state);
        *out = c->principal.state;
        return 0;
    }
    *out = requested;
    return catalog_check_member(c, "state_code", requested, e);
}

static int check_page_size(int v, int def, int max, int *out, struct err *e)
{
    if (v < 0 || v > max)
        return err_field(e, "page_size", "must be 0 (%d) or 1 to %d, got %d", def, max, v);
    *out = v ? v : def;
    return 0;
}

static int get_entry(struct call *c, const Unic__Catalog__V1__GetDirectoryEntryRequest *r,
                     DirectoryEntry **out, struct err *e)
{
    if (catalog_check_member(c, "state_code", r->state_code, e) < 0 ||
        dir_store_get(c->db, &c->arena, r->state_code, out, e) < 0)
        return -1;
    if (*out == NULL)
        return err_set(e, ERR_NOT_FOUND, "could not find the directory entry of %s: it has recorded none",
                       r->state_code);
    char *closes = arena_alloc(&c->arena, 32);
    if (dir_store_round_pending(c->db, r->state_code, &(*out)->pending_round_id, closes, e) < 0)
        return -1;
    (*out)->pending_round_closes_at = closes;
    return 0;
}

static int list_entries(struct call *c, const Unic__Catalog__V1__ListDirectoryEntriesRequest *r,
                        Unic__Catalog__V1__ListDirectoryEntriesResponse **out, struct err *e)
{
    int limit = 0;
    const char *after = "";
    bool more = false;
    if (check_page_size(r->page_size, LIST_DEFAULT, LIST_MAX, &limit, e) < 0 ||
        page_token_position(c, "", r->page_token, &after, e) < 0)
        return -1;
    *out = ARENA_MSG(&c->arena, Unic__Catalog__V1__ListDirectoryEntriesResponse,
                     UNIC__CATALOG__V1__LIST_DIRECTORY_ENTRIES_RESPONSE__INIT);
    if (dir_store_list(c->db, &c->arena, after, limit, &(*out)->entries, &(*out)->n_entries, &more, e) < 0)
        return -1;
    if (more)
        (*out)->next_page_token = page_token_next(c, "", (*out)->entries[(*out)->n_entries - 1]->state_code);
    return 0;
}

static int list_history(struct call *c, const Unic__Catalog__V1__ListDirectoryHistoryRequest *r,
                        Unic__Catalog__V1__ListDirectoryHistoryResponse **out, struct err *e)
{
    int limit = 0, before = 0;
    const char *position = "";
    bool more = false;
    if (catalog_check_member(c, "state_code", r->state_code, e) < 0 ||
        check_page_size(r->page_size, HISTORY_DEFAULT, HISTORY_MAX, &limit, e) < 0)
        return -1;
    const char *filter = arena_printf(&c->arena, "state=%s", r->state_code);
    if (page_token_position(c, filter, r->page_token, &position, e) < 0)
        return -1;
    if (*position && (before = atoi(position)) <= 0)
        return err_field(e, "page_token", "not one ListDirectoryHistory returned");
    *out = ARENA_MSG(&c->arena, Unic__Catalog__V1__ListDirectoryHistoryResponse,
                     UNIC__CATALOG__V1__LIST_DIRECTORY_HISTORY_RESPONSE__INIT);
    if (dir_store_history(c->db, &c->arena, r->state_code, before, limit, &(*out)->versions,
                          &(*out)->n_versions, &more, e) < 0)
        return -1;
    if (more)
        (*out)->next_page_token = page_token_next(
            c, filter, arena_printf(&c->arena, "%d", (*out)->versions[(*out)->n_versions - 1]->version));
    return 0;
}

static int put_entry(struct call *c, const Unic__Catalog__V1__PutDirectoryEntryRequest *r,
                     DirectoryEntry **out, struct err *e)
{
    const char *state = NULL;
    struct idem kbuf, *k = NULL;
    if (catalog_writable_state(c, r->state_code, "the directory entry", &state, e) < 0 ||
        directory_entry_check(r->point_of_contact, r->certs, r->n_certs, e) < 0)
        return -1;
    if (r->expected_version < 0)
        return err_field(e, "expected_version", "must be 0 (any) or the version read, got %d", r->expected_version);
    const char *zone = r->point_of_contact->hours_time_zone;
    if (*zone) {
        struct tz *z = NULL;
        if (tz_load(zone, NULL, &z, e) < 0)
            return err_field(e, "point_of_contact.hours_time_zone", "\"%s\" is not a time zone of the IANA"
                             " database, such as \"Africa/Porto-Novo\"", zone);
        tz_free(z);
    }
    int rc = idem_begin(c, &catalog_idem_sql, r->request_id, &kbuf, &k, e);
    if (rc == 0)
        rc = dir_store_entry_write(c, k, state, r->point_of_contact, r->certs, r->n_certs,
                                   r->expected_version, out, e);
    return rc < 0 ? -1 : 0; /* 1: answered with the reply of the first call of this request_id */
}

static int start_round(struct call *c, const Unic__Catalog__V1__StartReachabilityRoundRequest *r,
                       ReachabilityRound **out, struct err *e)
{
    struct idem kbuf, *k = NULL;
    if (r->window_days < 0 || r->window_days > DIRECTORY_ROUND_WINDOW_MAX)
        return err_field(e, "window_days", "must be 0 (%d days) or 1 to %d, got %d",
                         DIRECTORY_ROUND_WINDOW_DAYS, DIRECTORY_ROUND_WINDOW_MAX, r->window_days);
    if (strlen(r->note) > NOTE_MAX || !text_valid(r->note, true, NULL))
        return err_field(e, "note", "must be text of at most %d bytes", NOTE_MAX);
    int days = r->window_days ? r->window_days : DIRECTORY_ROUND_WINDOW_DAYS;
    int rc = idem_begin(c, &catalog_idem_sql, r->request_id, &kbuf, &k, e);
    if (rc == 0)
        rc = dir_store_round_start(c, k, days, r->note, out, e);
    return rc < 0 ? -1 : 0; /* 1: answered with the reply of the first call of this request_id */
}

static int confirm(struct call *c, const Unic__Catalog__V1__ConfirmReachabilityRequest *r,
                   ReachabilityConfirmation **out, struct err *e)
{
    struct idem kbuf, *k = NULL;
    if (r->round_id <= 0)
        return err_field(e, "round_id", "is required: the id of the round (ReachabilityRound.id)");
    const char *state = c->principal.state;
    int rc = idem_begin(c, &catalog_idem_sql, r->request_id, &kbuf, &k, e);
    if (rc == 0)
        rc = dir_store_round_confirm(c, k, r->round_id, state, out, e);
    return rc < 0 ? -1 : 0; /* 1: answered with the reply of the first call of this request_id */
}

static int report(struct call *c, const Unic__Catalog__V1__GetReachabilityReportRequest *r,
                  ReachabilityReport **out, struct err *e)
{
    if (r->round_id < 0)
        return err_field(e, "round_id", "must be 0 (the latest round) or a round's id");
    return dir_store_round_report(c->db, &c->arena, r->round_id, out, e);
}

RPC_HANDLER(get_entry, Unic__Catalog__V1__GetDirectoryEntryRequest, DirectoryEntry);
RPC_HANDLER(list_entries, Unic__Catalog__V1__ListDirectoryEntriesRequest, Unic__Catalog__V1__ListDirectoryEntriesResponse);
RPC_HANDLER(put_entry, Unic__Catalog__V1__PutDirectoryEntryRequest, DirectoryEntry);
RPC_HANDLER(list_history, Unic__Catalog__V1__ListDirectoryHistoryRequest, Unic__Catalog__V1__ListDirectoryHistoryResponse);
RPC_HANDLER(start_round, Unic__Catalog__V1__StartReachabilityRoundRequest, ReachabilityRound);
RPC_HANDLER(confirm, Unic__Catalog__V1__ConfirmReachabilityRequest, ReachabilityConfirmation);
RPC_HANDLER(report, Unic__Catalog__V1__GetReachabilityReportRequest, ReachabilityReport);

static const struct rpc_method methods[] = {
    RPC_ROW("GetDirectoryEntry", get_entry, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("ListDirectoryEntries", list_entries, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("PutDirectoryEntry", put_entry, RPC_STATE, RPC_WRITES),                /* its own State only */
    RPC_ROW("ListDirectoryHistory", list_history, RPC_ANY_ROLE, RPC_READS),
    RPC_ROW("StartReachabilityRound", start_round, RPC_OPERATOR, RPC_WRITES),
    RPC_ROW("ConfirmReachability", confirm, RPC_STATE, RPC_WRITES),                 /* its own State */
    RPC_ROW("GetReachabilityReport", report, RPC_OPERATOR, RPC_READS),
};

const struct rpc_service directory_rpc = {
    &unic__catalog__v1__directory_service__descriptor, methods, sizeof methods / sizeof methods[0],
};
