/* unic-admin: API keys straight in PostgreSQL (UNIC_DB_URL), for bootstrapping an empty database
 * and for break-glass access when no operator key works. Everyday identities and keys are managed
 * over AdminService (README, "Keys and roles"). A new key is printed once and stored only as a
 * hash; every change is written to the audit log like any other. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "auth.h"
#include "db.h"
#include "log.h"
#include "text.h"

static const char SQL_KEYS[] =
    "SELECT id, role, coalesce(state_code, '') AS state_code, label,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created,"
    " CASE WHEN revoked_at IS NULL THEN 'active' ELSE 'revoked' END AS status"
    " FROM auth.api_keys ORDER BY created_at, id";

/* unic-admin's changes in the audit log: the actor is the operating-system user who ran it. */
static int admin_audit(struct db *db, const char *command, const char *key_id, const char *state,
                       const char *code, const char *const *args, size_t n_args, struct err *e)
{
    char actor[160], method[64], resource[32];
    const char *user = getenv("USER");
    snprintf(actor, sizeof actor, "unic-admin run by %.64s (break-glass)", user && *user ? user : "an unknown user");
    snprintf(method, sizeof method, "unic-admin %s", command);
    snprintf(resource, sizeof resource, "key/%s", key_id);
    struct audit_event ev = {"unic-admin", NULL, key_id, actor, method, resource, state, NULL,
                             code, args, n_args};
    return audit_insert(db, &ev, e);
}

static int key_revoke(struct db *db, const char *id, struct err *e)
{
    if (db_begin(db, e) < 0)
        return -1;
    if (auth_key_revoke(db, id, e) < 0 ||
        admin_audit(db, "key revoke", id, NULL, "admin-key-revoked", AUDIT_ARGS(id), e) < 0 ||
        db_commit(db, e) < 0) {
        db_rollback(db);
        return -1;
    }
    return 0;
}

static void usage(void)
{
    fputs("unic-admin: for bootstrapping an empty database and break-glass access only;\n"
          "manage identities and keys over AdminService (see the README).\n"
          "usage:\n"
          "  unic-admin key create --role operator|state|service [--state ISO3] [--label TEXT]\n"
          "  unic-admin key revoke KEY_ID\n"
          "  unic-admin key list\n"
          "environment: UNIC_DB_URL (libpq conninfo or URI)\n",
          stderr);
}

static int key_create(struct db *db, int argc, char **argv, struct err *e)
{
    enum role role = ROLE_NONE;
    const char *state = NULL, *label = "";
    for (int i = 0; i < argc; i++) {
        if (i + 1 >= argc) {
            usage();
            return err_set(e, ERR_INVALID_ARGUMENT, "%s needs a value", argv[i]);
        }
        if (strcmp(argv[i], "--role") == 0 && auth_role_parse(argv[i + 1], &role) == 0)
            i++;
        else if (strcmp(argv[i], "--state") == 0)
            state = argv[++i];
        else if (strcmp(argv[i], "--label") == 0)
            label = argv[++i];
        else
            return err_set(e, ERR_INVALID_ARGUMENT, "unexpected argument \"%s\"", argv[i]);
    }
    if (role == ROLE_NONE)
        return err_set(e, ERR_INVALID_ARGUMENT, "--role must be operator, state or service");
    if ((role == ROLE_STATE) != (state != NULL))
        return err_set(e, ERR_INVALID_ARGUMENT, "--state is required for, and only for, --role state");
    if (state && !text_state_code_shape(state))
        return err_set(e, ERR_INVALID_ARGUMENT, "--state \"%s\" is not an ISO 3166-1 alpha-3 code", state);
    if (!text_valid(label, false, NULL))
        return err_set(e, ERR_INVALID_ARGUMENT, "--label must be printable UTF-8");
    char key[64], id[17];
    if (auth_key_generate(key, e) < 0 || db_begin(db, e) < 0)
        return -1;
    if (auth_key_store(db, key, role, state, label, id, e) < 0 ||
        admin_audit(db, "key create", id, state, "admin-key-created",
                    AUDIT_ARGS(auth_role_name(role), id, label), e) < 0 ||
        db_commit(db, e) < 0) {
        db_rollback(db);
        return -1;
    }
    printf("%s\n", key);
    fprintf(stderr, "key id %s (%s%s%s); the key is shown only now\n", id, auth_role_name(role),
            state ? " " : "", state ? state : "");
    return 0;
}

static int key_list(struct db *db, struct err *e)
{
    PGresult *r = db_query(db, e, SQL_KEYS, 0, NULL);
    if (r == NULL)
        return -1;
    printf("%-16s  %-8s  %-5s  %-7s  %-20s  %s\n", "ID", "ROLE", "STATE", "STATUS", "CREATED", "LABEL");
    for (int i = 0; i < PQntuples(r); i++)
        printf("%-16s  %-8s  %-5s  %-7s  %-20s  %s\n", db_get(r, i, "id"), db_get(r, i, "role"),
               db_get(r, i, "state_code"), db_get(r, i, "status"), db_get(r, i, "created"),
               db_get(r, i, "label"));
    PQclear(r);
    return 0;
}

int main(int argc, char **argv)
{
    struct err e;
    struct db db;
    int rc = 2;
    log_init("admin", LOG_WARN);
    if (argc < 3 || strcmp(argv[1], "key") != 0) {
        usage();
        return 2;
    }
    const char *url = getenv("UNIC_DB_URL");
    if (db_init(&db, url && *url ? url : "host=127.0.0.1 port=5432 dbname=unic user=unic", &e) < 0 ||
        db_migrate(&db, "auth", auth_migrations, auth_migrations_count, &e) < 0 ||
        db_migrate(&db, "audit", audit_migrations, audit_migrations_count, &e) < 0)
        goto done;
    if (strcmp(argv[2], "create") == 0)
        rc = key_create(&db, argc - 3, argv + 3, &e) < 0 ? 1 : 0;
    else if (strcmp(argv[2], "revoke") == 0 && argc == 4)
        rc = key_revoke(&db, argv[3], &e) < 0 ? 1 : 0;
    else if (strcmp(argv[2], "list") == 0)
        rc = key_list(&db, &e) < 0 ? 1 : 0;
    else
        usage();
done:
    if (rc == 1 || (rc == 2 && e.code != ERR_OK && e.msg[0]))
        fprintf(stderr, "unic-admin: %s\n", e.msg);
    db_destroy(&db);
    return rc;
}
