/* harness.c: child processes, a per-test database and gRPC calls for the integration tests.
 * Services run as real binaries against the real PostgreSQL and Redis of the ctest fixture. */
#include "harness.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "grpc/health/v1/health.pb-c.h"
#include "pbuf.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "unic/matching/v1/matching.pb-c.h"
#include "unic/responses/v1/responses.pb-c.h"
#include "unic/scoring/v1/scoring.pb-c.h"

static const char *const svc_names[SVC_COUNT] = {"catalog", "responses", "scoring", "matching"};

static const ProtobufCServiceDescriptor *svc_descriptor(enum svc_id id)
{
    switch (id) {
    case SVC_CATALOG: return &unic__catalog__v1__catalog_service__descriptor;
    case SVC_RESPONSES: return &unic__responses__v1__response_service__descriptor;
    case SVC_SCORING: return &unic__scoring__v1__scoring_service__descriptor;
    default: return &unic__matching__v1__matching_service__descriptor;
    }
}

/* Reads KEY=VALUE (VALUE possibly in single quotes) from the fixture's env file. */
static int env_file_get(const char *path, const char *key, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char line[2048];
    int rc = -1;
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, key, klen) != 0 || line[klen] != '=')
            continue;
        char *v = line + klen + 1;
        size_t vlen = strlen(v);
        if (vlen >= 2 && v[0] == '\'' && v[vlen - 1] == '\'') {
            v[vlen - 1] = '\0';
            v++;
        }
        snprintf(out, size, "%s", v);
        rc = 0;
        break;
    }
    fclose(f);
    return rc;
}

int harness_sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int admin_exec(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    int rc = -1;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
            rc = 0;
        else
            fprintf(stderr, "harness: %s: %s", sql, PQerrorMessage(c));
        PQclear(r);
    } else {
        fprintf(stderr, "harness: %s", PQerrorMessage(c));
    }
    PQfinish(c);
    return rc;
}

int harness_init(struct harness *h, const char *name)
{
    memset(h, 0, sizeof *h);
    snprintf(h->name, sizeof h->name, "%s", name);
    const char *state = getenv("UNIC_TEST_STATE_DIR"), *bin = getenv("UNIC_BIN_DIR"),
               *base = getenv("UNIC_TEST_PORT_BASE");
    if (!state || !bin || !base) {
        fprintf(stderr, "harness: run through ctest (UNIC_TEST_STATE_DIR, UNIC_BIN_DIR, "
                        "UNIC_TEST_PORT_BASE are not set)\n");
        return -1;
    }
    snprintf(h->state_dir, sizeof h->state_dir, "%s", state);
    snprintf(h->bin_dir, sizeof h->bin_dir, "%s", bin);
    h->port_base = atoi(base);
    char env[700];
    snprintf(env, sizeof env, "%s/env", state);
    if (env_file_get(env, "UNIC_DB_URL", h->admin_url, sizeof h->admin_url) < 0 ||
        env_file_get(env, "UNIC_REDIS", h->redis, sizeof h->redis) < 0) {
        fprintf(stderr, "harness: %s missing: is the infra fixture up?\n", env);
        return -1;
    }
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS test_%s WITH (FORCE)", name);
    if (admin_exec(h->admin_url, sql) < 0)
        return -1;
    snprintf(sql, sizeof sql, "CREATE DATABASE test_%s", name);
    if (admin_exec(h->admin_url, sql) < 0)
        return -1;
    char admin[sizeof h->admin_url];
    memcpy(admin, h->admin_url, sizeof admin);
    char *db = strstr(admin, "dbname=unic");
    if (db == NULL)
        return -1;
    char url[sizeof h->db_url];
    snprintf(url, sizeof url, "%.*sdbname=test_%s%s", (int)(db - admin), admin, name,
             db + strlen("dbname=unic"));
    memcpy(h->db_url, url, sizeof url);
    struct err e;
    if (auth_key_generate(h->operator_key, &e) < 0)
        return -1;
    for (int i = 0; i < SVC_COUNT; i++) {
        char log[sizeof h->svc[i].log];
        snprintf(log, sizeof log, "%s/%s-%s.log", h->state_dir, name, svc_names[i]);
        memcpy(h->svc[i].log, log, sizeof log);
        unlink(h->svc[i].log); /* each run's logs only; a restart within the run appends */
        h->svc[i].port = h->port_base + i;
        snprintf(h->svc[i].addr, sizeof h->svc[i].addr, "127.0.0.1:%d", h->svc[i].port);
    }
    return 0;
}

void harness_destroy(struct harness *h)
{
    for (int i = 0; i < SVC_COUNT; i++) {
        if (h->svc[i].pid)
            harness_stop(h, (enum svc_id)i, SIGKILL);
        rpc_client_free(h->svc[i].client);
        h->svc[i].client = NULL;
    }
}

static struct rpc_client *svc_client(struct harness *h, enum svc_id id)
{
    if (h->svc[id].client == NULL)
        h->svc[id].client = rpc_client_new(h->svc[id].addr, 10000);
    return h->svc[id].client;
}

/* Whether the log, from byte `from` on, holds `needle`. */
static bool log_has(const char *path, long from, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    char line[4096];
    bool found = false;
    if (fseek(f, from, SEEK_SET) == 0)
        while (!found && fgets(line, sizeof line, f))
            found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

static long log_size(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n < 0 ? 0 : n;
}

/* One attempt: 0 SERVING, -1 failed, 1 the port was taken (on a shared machine an outgoing
 * connection may hold it for a moment: try again). */
static int start_once(struct harness *h, enum svc_id id, const char *const *extra_env)
{
    struct svc_proc *p = &h->svc[id];
    char exe[700];
    snprintf(exe, sizeof exe, "%s/services/%s/unic-%s", h->bin_dir, svc_names[id], svc_names[id]);
    long from = log_size(p->log);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char v[8][1100];
        snprintf(v[0], sizeof v[0], "127.0.0.1:%d", p->port);
        setenv("UNIC_LISTEN", v[0], 1);
        setenv("UNIC_DB_URL", h->db_url, 1);
        setenv("UNIC_REDIS", h->redis, 1);
        setenv("UNIC_BOOTSTRAP_KEY", h->operator_key, 1);
        setenv("UNIC_WORKERS", "2", 1);
        /* The default 200 ms Redis timeout is a production choice; the suite runs under ASan
         * with dozens of processes on two cores, where a 29 KB GET can take longer and the
         * caching checks would then see an empty cache. Tests that stop Redis get refused
         * connections, never timeouts, so they are unaffected. */
        setenv("UNIC_REDIS_TIMEOUT_MS", "2000", 1);
        /* One secret for every service and restart of a test, as a deployment has. */
        setenv("UNIC_PAGE_TOKEN_SECRET", "test-page-token-secret-0123456789abcdef", 1);
        for (int i = 0; i < SVC_COUNT; i++) {
            static const char *const vars[SVC_COUNT] = {"UNIC_CATALOG_ADDR", "UNIC_RESPONSES_ADDR",
                                                        "UNIC_SCORING_ADDR", NULL};
            if (vars[i])
                setenv(vars[i], h->svc[i].addr, 1);
        }
        for (const char *const *kv = extra_env; kv && *kv; kv++) {
            const char *eq = strchr(*kv, '=');
            if (eq == NULL)
                continue;
            snprintf(v[1], sizeof v[1], "%.*s", (int)(eq - *kv), *kv);
            setenv(v[1], eq + 1, 1);
        }
        if (freopen(p->log, "a", stderr) == NULL)
            _exit(126);
        execl(exe, exe, (char *)NULL);
        fprintf(stderr, "exec %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    p->pid = pid;
    /* A channel to an earlier instance of this service is in reconnect backoff: start afresh. */
    rpc_client_free(p->client);
    p->client = NULL;
    /* Probe only once the port is bound: a channel that finds nothing listening backs off for a
     * second or more before trying again, which is most of what a start would cost. */
    bool bound = false;
    for (int i = 0; i < 1500; i++) { /* up to 30 s: migrations, and ASan makes start-up slow */
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            p->pid = 0;
            if (log_has(p->log, from, "could not listen on"))
                return 1;
            fprintf(stderr, "harness: %s exited during start-up; see %s\n", svc_names[id], p->log);
            return -1;
        }
        bound = bound || log_has(p->log, from, "listening on");
        if (bound && harness_health(h, id) == 1)
            return 0;
        nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    }
    fprintf(stderr, "harness: %s not SERVING after 30 s; see %s\n", svc_names[id], p->log);
    return -1;
}

int harness_start(struct harness *h, enum svc_id id, const char *const *extra_env)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        int rc = start_once(h, id, extra_env);
        if (rc <= 0)
            return rc;
        fprintf(stderr, "harness: port %d of %s is taken; trying again\n", h->svc[id].port,
                svc_names[id]);
        nanosleep(&(struct timespec){0, 500 * 1000 * 1000}, NULL);
    }
    fprintf(stderr, "harness: port %d of %s stayed taken\n", h->svc[id].port, svc_names[id]);
    return -1;
}

int harness_stop(struct harness *h, enum svc_id id, int sig)
{
    struct svc_proc *p = &h->svc[id];
    if (p->pid == 0)
        return -1;
    kill(p->pid, sig);
    int st = 0;
    while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
        ;
    p->pid = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int harness_key(struct harness *h, enum role role, const char *state, char key[64])
{
    struct db db;
    struct err e;
    int rc = -1;
    if (db_init(&db, h->db_url, &e) == 0 &&
        db_migrate(&db, "auth", auth_migrations, auth_migrations_count, &e) == 0 &&
        auth_key_generate(key, &e) == 0 && auth_key_store(&db, key, role, state, h->name, NULL, &e) >= 0)
        rc = 0;
    else
        fprintf(stderr, "harness: could not issue a key: %s\n", e.msg);
    db_destroy(&db);
    return rc;
}

int harness_revoke(struct harness *h, const char *key)
{
    struct db db;
    struct err e;
    char hash[65];
    auth_hash(key, strlen(key), hash);
    hash[16] = '\0';
    int rc = db_init(&db, h->db_url, &e) == 0 ? auth_key_revoke(&db, hash, &e) : -1;
    db_destroy(&db);
    return rc;
}

int harness_sql(struct harness *h, const char *sql)
{
    return admin_exec(h->db_url, sql);
}

int harness_call(struct harness *h, enum svc_id id, const char *key, const char *method,
                 const ProtobufCMessage *req, ProtobufCMessage **reply, char *msg, size_t msg_size)
{
    return harness_rpc(h, id, svc_descriptor(id), key, method, req, reply, msg, msg_size);
}

void harness_free(void *msg)
{
    if (msg)
        protobuf_c_message_free_unpacked(msg, NULL);
}

int harness_rpc(struct harness *h, enum svc_id id, const ProtobufCServiceDescriptor *service,
                const char *key, const char *method, const ProtobufCMessage *req,
                ProtobufCMessage **reply, char *msg, size_t msg_size)
{
    struct err e;
    char authz[128];
    struct rpc_caller as = {NULL, 0, NULL};
    if (key) {
        snprintf(authz, sizeof authz, "Bearer %s", key);
        as.authorization = authz;
    }
    *reply = NULL;
    err_clear(&e);
    rpc_call(svc_client(h, id), as, service, method, req, NULL, reply, &e);
    if (msg)
        snprintf(msg, msg_size, "%s", e.msg);
    return e.code;
}

int harness_call_bytes(struct harness *h, enum svc_id id, const char *key, const char *method,
                       const ProtobufCMessage *req, char *msg, size_t msg_size)
{
    struct err e;
    struct arena a;
    char authz[128], path[256];
    size_t len, reply_len;
    uint8_t *reply;
    arena_init(&a);
    snprintf(authz, sizeof authz, "Bearer %s", key ? key : "");
    snprintf(path, sizeof path, "/%s/%s", svc_descriptor(id)->name, method);
    uint8_t *bytes = pbuf_pack(&a, req, &len);
    err_clear(&e);
    rpc_call_bytes(svc_client(h, id), (struct rpc_caller){key ? authz : NULL, 0, NULL}, path, bytes,
                   len, &a, &reply, &reply_len, &e);
    arena_destroy(&a);
    if (msg)
        snprintf(msg, msg_size, "%s", e.msg);
    return e.code;
}

int harness_health(struct harness *h, enum svc_id id)
{
    struct err e;
    Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    ProtobufCMessage *reply = NULL;
    if (rpc_call(svc_client(h, id), (struct rpc_caller){NULL, 0, NULL}, &grpc__health__v1__health__descriptor,
                 "Check", &req.base, NULL, &reply, &e) < 0)
        return -e.code;
    int status = ((Grpc__Health__V1__HealthCheckResponse *)reply)->status;
    protobuf_c_message_free_unpacked(reply, NULL);
    return status;
}

bool harness_packed_equal(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
    size_t la = protobuf_c_message_get_packed_size(a), lb = protobuf_c_message_get_packed_size(b);
    if (la != lb)
        return false;
    uint8_t *pa = malloc(la + 1), *pb = malloc(lb + 1);
    protobuf_c_message_pack(a, pa);
    protobuf_c_message_pack(b, pb);
    bool same = memcmp(pa, pb, la) == 0;
    free(pa);
    free(pb);
    return same;
}

int harness_port_base(void)
{
    const char *v = getenv("UNIC_TEST_PORT_BASE");
    return v ? atoi(v) : 0;
}
