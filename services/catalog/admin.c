/* admin.c: AdminService's handlers: who may manage whom and request checks; each change is one
 * admin_store.c call, written with its audit event in one transaction. Operators manage every identity and key; a State's
 * STATE_ADMIN creates and manages the STATE_DELEGATEs of its own State (and its own keys), and
 * reads its State's audit events. Anyone else, and anything of another State, is
 * PERMISSION_DENIED, whether or not it exists (docs/security.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "catalog.h"
#include "auth.h"
#include "page_token.h"
#include "text.h"

typedef Unic__Admin__V1__Role Role;

enum {
    NAME_MAX_BYTES = 80,       /* so that a principal's label never cuts one (common/auth.c) */
    EMAIL_MAX_BYTES = 100,
    LABEL_MAX_BYTES = 100,
    KEY_DEFAULT_DAYS = 365,
    GRACE_DEFAULT_SECONDS = 86400,
    GRACE_MAX_SECONDS = 7 * 86400,
    AUDIT_PAGE_DEFAULT = 100,
    AUDIT_PAGE_MAX = 1000,
};

static const char *role_name(Role r)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&unic__admin__v1__role__descriptor, (int)r);
    return v ? v->name : "ROLE_UNSPECIFIED";
}

static bool state_role(Role r)
{
    return r == UNIC__ADMIN__V1__ROLE__STATE_ADMIN || r == UNIC__ADMIN__V1__ROLE__STATE_DELEGATE;
}

static bool is_operator(const struct call *c)
{
    return c->principal.role == ROLE_OPERATOR;
}

static bool is_state_admin(const struct call *c)
{
    return c->principal.role == ROLE_STATE && c->principal.state_admin;
}

static int deny(const struct call *c, struct err *e, const char *what)
{
    if (!is_operator(c) && !is_state_admin(c))
        return err_set(e, ERR_PERMISSION_DENIED,
                       "could not %s: only operators and State administrators manage identities", what);
    return err_set(e, ERR_PERMISSION_DENIED, "could not %s: a State administrator manages the delegates"
                   " of State %s only", what, c->principal.state);
}

/* Operators manage everyone; a STATE_ADMIN its State's delegates and itself. */
static bool manages(const struct call *c, const Identity *who)
{
    if (is_operator(c))
        return true;
    if (!is_state_admin(c) || who == NULL || strcmp(who->state_code, c->principal.state) != 0)
        return false;
    return who->role == UNIC__ADMIN__V1__ROLE__STATE_DELEGATE ||
           strcmp(who->id, c->principal.identity_id) == 0;
}

/* The identity `id` if the caller manages it. A State administrator is told PERMISSION_DENIED
 * for one it does not manage and for one that does not exist alike. */
static int managed_identity(struct call *c, const char *id, const char *what, Identity **out,
                            struct err *e)
{
    *out = NULL;
    if (!is_operator(c) && !is_state_admin(c))
        return deny(c, e, what);
    if (admin_store_identity_get(c->db, &c->arena, id, out, e) < 0)
        return -1;
    if (!manages(c, *out))
        return deny(c, e, what);
    if (*out == NULL)
        return err_set(e, ERR_NOT_FOUND, "could not %s: no identity \"%s\"", what, id);
    return 0;
}

/* The key `id` and its identity, if the caller manages it. A key with no identity (issued by
 * unic-admin) is managed by operators only. */
static int managed_key(struct call *c, const char *id, const char *what, Key **key, Identity **who,
                       struct err *e)
{
    *who = NULL;
    if (!is_operator(c) && !is_state_admin(c))
        return deny(c, e, what);
    if (admin_store_key_get(c->db, &c->arena, id, key, e) < 0)
        return -1;
    if (*key && (*key)->identity_id[0] &&
        admin_store_identity_get(c->db, &c->arena, (*key)->identity_id, who, e) < 0)
        return -1;
    if (!is_operator(c) && !manages(c, *who))
        return deny(c, e, what);
    if (*key == NULL)
        return err_set(e, ERR_NOT_FOUND, "could not %s: no key \"%s\"", what, id);
    return 0;
}

static int check_text(const char *field, const char *v, size_t max, bool required, struct err *e)
{
    if (required && *v == '\0')
        return err_field(e, field, "is required");
    if (strlen(v) > max)
        return err_field(e, field, "longer than %zu bytes", max);
    if (!text_valid(v, false, NULL))
        return err_field(e, field, "not valid UTF-8 without control characters");
    return 0;
}

static int check_email(const char *v, struct err *e)
{
    if (check_text("email", v, EMAIL_MAX_BYTES, true, e) < 0)
        return -1;
    const char *at = strchr(v, '@');
    if (at == NULL || at == v || at[1] == '\0' || strchr(at + 1, '@') || strpbrk(v, " <>()\"") != NULL)
        return err_field(e, "email", "\"%s\" is not an address such as name@example.org", v);
    return 0;
}

/* A State role needs a UN Member State (the 193 of data/un_member_states.tsv); other roles none. */
static int check_state(struct call *c, Role role, const char *code, struct err *e)
{
    if (!state_role(role)) {
        if (*code)
            return err_field(e, "state_code", "only STATE_ADMIN and STATE_DELEGATE have one");
        return 0;
    }
    bool member = false;
    if (*code == '\0')
        return err_field(e, "state_code", "is required for %s", role_name(role));
    if (text_state_code_shape(code) && admin_store_state_member(c->db, code, &member, e) < 0)
        return -1;
    if (!member)
        return err_field(e, "state_code",
                         "\"%.8s\" is not a UN Member State (ISO 3166-1 alpha-3, see ListStates)", code);
    return 0;
}

static int check_days(const struct call *c, int days, int *out, struct err *e)
{
    int max = c->cfg->key_max_days;
    if (days < 0 || days > max)
        return err_field(e, "expires_in_days",
                         "must be 0 (%d days) or 1 to %d (UNIC_KEY_MAX_DAYS), got %d",
                         KEY_DEFAULT_DAYS < max ? KEY_DEFAULT_DAYS : max, max, days);
    *out = days ? days : KEY_DEFAULT_DAYS < max ? KEY_DEFAULT_DAYS : max;
    return 0;
}

static int check_key_id(const char *id, struct err *e)
{
    if (*id == '\0')
        return err_field(e, "key_id", "is required");
    if (strlen(id) != 16 || strspn(id, "0123456789abcdef") != 16)
        return err_field(e, "key_id", "must be the 16 hexadecimal digits ListKeys shows");
    return 0;
}

/* "YYYY-MM-DDTHH:MM:SS", optional fraction, then "Z" or "+HH:MM" / "-HH:MM". */
static bool rfc3339_valid(const char *s)
{
    char date[11];
    if (strlen(s) < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return false;
    memcpy(date, s, 10);
    date[10] = '\0';
    const char *p = s + 11;
    for (int i = 0; i < 8; i++)
        if (i % 3 != 2 && (p[i] < '0' || p[i] > '9'))
            return false;
    if (!text_date_valid(date) || (p[0] - '0') * 10 + p[1] - '0' > 23 || (p[3] - '0') * 10 + p[4] - '0' > 59 ||
        (p[6] - '0') * 10 + p[7] - '0' > 60)
        return false;
    p += 8;
    if (*p == '.') {
        size_t digits = strspn(p + 1, "0123456789");
        if (digits == 0 || digits > 9)
            return false;
        p += 1 + digits;
    }
    if (strcmp(p, "Z") == 0)
        return true;
    return (p[0] == '+' || p[0] == '-') && strlen(p) == 6 && p[3] == ':' &&
           strspn(p + 1, "0123456789") == 2 && strspn(p + 4, "0123456789") == 2;
}

static int create_identity(struct call *c, const Unic__Admin__V1__CreateIdentityRequest *r,
                           Identity **out, struct err *e)
{
    const char *what = "create an identity";
    if (!is_operator(c) && !(is_state_admin(c) && r->role == UNIC__ADMIN__V1__ROLE__STATE_DELEGATE &&
                             (r->state_code[0] == '\0' || strcmp(r->state_code, c->principal.state) == 0)))
        return deny(c, e, what);
    const char *state = is_operator(c) ? r->state_code : c->principal.state;
    if (r->role < UNIC__ADMIN__V1__ROLE__OPERATOR || r->role > UNIC__ADMIN__V1__ROLE__SERVICE)
        return err_field(e, "role", "must be OPERATOR, STATE_ADMIN, STATE_DELEGATE or SERVICE");
    if (check_text("display_name", r->display_name, NAME_MAX_BYTES, true, e) < 0 ||
        check_email(r->email, e) < 0 || check_state(c, r->role, state, e) < 0)
        return -1;
    return admin_store_identity_create(c, r->display_name, r->email, role_name(r->role), state, out, e);
}

static int list_identities(struct call *c, const Unic__Admin__V1__ListIdentitiesRequest *r,
                           Unic__Admin__V1__ListIdentitiesResponse **out, struct err *e)
{
    const char *state = r->state_code;
    if (!is_operator(c)) {
        if (!is_state_admin(c) || (*state && strcmp(state, c->principal.state) != 0))
            return deny(c, e, "list identities");
        state = c->principal.state;
    } else if (*state && check_text("state_code", state, 3, false, e) < 0) {
        return -1;
    }
    *out = ARENA_MSG(&c->arena, Unic__Admin__V1__ListIdentitiesResponse,
                     UNIC__ADMIN__V1__LIST_IDENTITIES_RESPONSE__INIT);
    return admin_store_identities_list(c->db, &c->arena, state, &(*out)->identities,
                                       &(*out)->n_identities, e);
}

/* The reply of CreateKey and RotateKey: the key, and its secret (shown this once). */
static Unic__Admin__V1__CreatedKey *created(struct call *c, Key *key, const char *secret)
{
    Unic__Admin__V1__CreatedKey *k = ARENA_MSG(&c->arena, Unic__Admin__V1__CreatedKey,
                                               UNIC__ADMIN__V1__CREATED_KEY__INIT);
    k->key = key;
    k->secret = arena_strdup(&c->arena, secret);
    return k;
}

static int create_key(struct call *c, const Unic__Admin__V1__CreateKeyRequest *r,
                      Unic__Admin__V1__CreatedKey **out, struct err *e)
{
    const char *what = "create a key";
    Identity *who = NULL;
    int days = 0;
    if (check_text("identity_id", r->identity_id, 36, true, e) < 0 ||
        managed_identity(c, r->identity_id, what, &who, e) < 0 ||
        check_text("label", r->label, LABEL_MAX_BYTES, false, e) < 0 ||
        check_days(c, r->expires_in_days, &days, e) < 0)
        return -1;
    char secret[64];
    Key *key = NULL;
    if (auth_key_generate(secret, e) < 0 || admin_store_key_create(c, secret, who, r->label, days, &key, e) < 0)
        return -1;
    *out = created(c, key, secret);
    return 0;
}

static int list_keys(struct call *c, const Unic__Admin__V1__ListKeysRequest *r,
                     Unic__Admin__V1__ListKeysResponse **out, struct err *e)
{
    Identity *who = NULL;
    if (*r->identity_id && (check_text("identity_id", r->identity_id, 36, false, e) < 0 ||
                            managed_identity(c, r->identity_id, "list keys", &who, e) < 0))
        return -1;
    if (!is_operator(c) && !is_state_admin(c))
        return deny(c, e, "list keys");
    Key **keys = NULL;
    size_t n = 0;
    if (admin_store_keys_list(c->db, &c->arena, r->identity_id, is_operator(c) ? "" : c->principal.state,
                              &keys, &n, e) < 0)
        return -1;
    *out = ARENA_MSG(&c->arena, Unic__Admin__V1__ListKeysResponse, UNIC__ADMIN__V1__LIST_KEYS_RESPONSE__INIT);
    (*out)->keys = ARENA_ARRAY(&c->arena, Key *, n);
    for (size_t i = 0; i < n; i++) /* a State administrator sees the keys it manages */
        if (is_operator(c) || keys[i]->role == UNIC__ADMIN__V1__ROLE__STATE_DELEGATE ||
            strcmp(keys[i]->identity_id, c->principal.identity_id) == 0)
            (*out)->keys[(*out)->n_keys++] = keys[i];
    return 0;
}

static int revoke_key(struct call *c, const Unic__Admin__V1__RevokeKeyRequest *r, Key **out,
                      struct err *e)
{
    Key *key = NULL;
    Identity *who = NULL;
    if (check_key_id(r->key_id, e) < 0 || managed_key(c, r->key_id, "revoke the key", &key, &who, e) < 0)
        return -1;
    return admin_store_key_revoke(c, key, who, out, e);
}

static int rotate_key(struct call *c, const Unic__Admin__V1__RotateKeyRequest *r,
                      Unic__Admin__V1__CreatedKey **out, struct err *e)
{
    Key *key = NULL;
    Identity *who = NULL;
    int days = 0, grace = r->grace_seconds ? r->grace_seconds : GRACE_DEFAULT_SECONDS;
    if (check_key_id(r->key_id, e) < 0 || managed_key(c, r->key_id, "rotate the key", &key, &who, e) < 0)
        return -1;
    if (who == NULL)
        return err_set(e, ERR_FAILED_PRECONDITION,
                       "could not rotate key %s: it belongs to no identity (create one, then CreateKey)", key->id);
    if (r->grace_seconds < 0 || r->grace_seconds > GRACE_MAX_SECONDS)
        return err_field(e, "grace_seconds", "must be 0 (%d) or 1 to %d, got %d",
                         GRACE_DEFAULT_SECONDS, GRACE_MAX_SECONDS, r->grace_seconds);
    const char *label = *r->label ? r->label : key->label;
    if (check_text("label", r->label, LABEL_MAX_BYTES, false, e) < 0 ||
        check_days(c, r->expires_in_days, &days, e) < 0)
        return -1;
    char secret[64];
    Key *fresh = NULL;
    if (auth_key_generate(secret, e) < 0 ||
        admin_store_key_rotate(c, key, who, secret, label, days, grace, &fresh, e) < 0)
        return -1;
    *out = created(c, fresh, secret);
    return 0;
}

static int list_audit_events(struct call *c, const Unic__Admin__V1__ListAuditEventsRequest *r,
                             Unic__Admin__V1__ListAuditEventsResponse **out, struct err *e)
{
    if (!is_operator(c) && !is_state_admin(c))
        return err_set(e, ERR_PERMISSION_DENIED,
                       "could not list audit events: only operators and State administrators read them");
    struct audit_filter f = {r->since, r->until, r->identity_id, r->resource,
                             is_operator(c) ? "" : c->principal.state, 0, r->page_size};
    if (*r->since && !rfc3339_valid(r->since))
        return err_field(e, "since", "must be an RFC 3339 time such as 2026-01-31T09:00:00Z");
    if (*r->until && !rfc3339_valid(r->until))
        return err_field(e, "until", "must be an RFC 3339 time such as 2026-01-31T09:00:00Z");
    if (check_text("identity_id", r->identity_id, 36, false, e) < 0 ||
        check_text("resource", r->resource, 200, false, e) < 0)
        return -1;
    if (r->page_size < 0 || r->page_size > AUDIT_PAGE_MAX)
        return err_field(e, "page_size", "must be 0 (%d) or 1 to %d, got %d",
                         AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX, r->page_size);
    if (f.limit == 0)
        f.limit = AUDIT_PAGE_DEFAULT;
    /* Keyset by event id, in a token bound to these filters (common/page_token.h). */
    const char *filter = arena_printf(&c->arena, "since=%s;until=%s;identity=%s;resource=%s", r->since,
                                      r->until, r->identity_id, r->resource);
    const char *position = "";
    if (page_token_position(c, filter, r->page_token, &position, e) < 0)
        return -1;
    if (*position) {
        char *end = NULL;
        f.before_id = strtoll(position, &end, 10);
        if (f.before_id <= 0 || *end != '\0')
            return err_field(e, "page_token", "not one ListAuditEvents returned");
    }
    bool more = false;
    *out = ARENA_MSG(&c->arena, Unic__Admin__V1__ListAuditEventsResponse,
                     UNIC__ADMIN__V1__LIST_AUDIT_EVENTS_RESPONSE__INIT);
    if (admin_store_audit_list(c->db, &c->arena, &f, &(*out)->events, &(*out)->n_events, &more, e) < 0)
        return -1;
    if (more)
        (*out)->next_page_token = page_token_next(
            c, filter, arena_printf(&c->arena, "%lld", (long long)(*out)->events[(*out)->n_events - 1]->id));
    return 0;
}

RPC_HANDLER(create_identity, Unic__Admin__V1__CreateIdentityRequest, Identity);
RPC_HANDLER(list_identities, Unic__Admin__V1__ListIdentitiesRequest, Unic__Admin__V1__ListIdentitiesResponse);
RPC_HANDLER(create_key, Unic__Admin__V1__CreateKeyRequest, Unic__Admin__V1__CreatedKey);
RPC_HANDLER(list_keys, Unic__Admin__V1__ListKeysRequest, Unic__Admin__V1__ListKeysResponse);
RPC_HANDLER(revoke_key, Unic__Admin__V1__RevokeKeyRequest, Key);
RPC_HANDLER(rotate_key, Unic__Admin__V1__RotateKeyRequest, Unic__Admin__V1__CreatedKey);
RPC_HANDLER(list_audit_events, Unic__Admin__V1__ListAuditEventsRequest, Unic__Admin__V1__ListAuditEventsResponse);

/* STATE keys reach the handlers, which let only a State's administrator through (manages()). */
static const struct rpc_method methods[] = {
    RPC_ROW("CreateIdentity", create_identity, RPC_OPERATOR | RPC_STATE, RPC_WRITES),
    RPC_ROW("ListIdentities", list_identities, RPC_OPERATOR | RPC_STATE, RPC_READS),
    RPC_ROW("CreateKey", create_key, RPC_OPERATOR | RPC_STATE, RPC_WRITES),
    RPC_ROW("ListKeys", list_keys, RPC_OPERATOR | RPC_STATE, RPC_READS),
    RPC_ROW("RevokeKey", revoke_key, RPC_OPERATOR | RPC_STATE, RPC_WRITES),
    RPC_ROW("RotateKey", rotate_key, RPC_OPERATOR | RPC_STATE, RPC_WRITES),
    RPC_ROW("ListAuditEvents", list_audit_events, RPC_OPERATOR | RPC_STATE, RPC_READS),
};

const struct rpc_service admin_rpc = {
    &unic__admin__v1__admin_service__descriptor, methods, sizeof methods / sizeof methods[0],
};
