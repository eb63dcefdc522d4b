/* rpc_server.c: the server half of the runtime: worker threads that all poll one completion
 * queue, registered methods pre-requested so each call arrives with its payload, and a generic
 * request kept outstanding so unknown methods get UNIMPLEMENTED at once.
 * Why one shared queue: gRPC core delivers every call of a connection to the queue that
 * connection is bound to, and handlers block (on PostgreSQL, on other services). With a queue per
 * thread, one blocked handler would stall every call behind it on its connection, including all
 * service-to-service calls, which share a channel, while other threads sat idle. */
#include "rpc.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>

#include "db_probe.h"
#include "digest.h"
#include "grpc/health/v1/health.pb-c.h"
#include "instrument.h"
#include "log.h"
#include "pbuf.h"
#include "rpc_listen.h"
#include "rpc_stream.h"
#include "rpc_wire.h"
#include "tls.h"
#include "wire_check.h"
#include "text.h"

enum { CALLS_OUTSTANDING = 64, GENERIC_OUTSTANDING = 2 };

static const char HEALTH_CHECK[] = "/grpc.health.v1.Health/Check";

struct method_entry {
    char path[256];
    void *registered;
    const ProtobufCMessageDescriptor *input;
    const struct rpc_method *row; /* NULL for the built-in health check */
    struct instrument_method inst; /* its metrics' series */
};

struct worker {
    struct rpc_server *srv;
    pthread_t thread;
    bool started;
    atomic_int in_call; /* 1 while a handler runs: its database work may need cancelling */
    struct db db;       /* this thread's connection: whatever call it takes uses it */
    struct cache cache;
};

struct rpc_server {
    const struct config *cfg;
    const struct rpc_service *svc;
    const struct rpc_service **svcs; /* svc, then those rpc_server_add added */
    size_t n_svcs;
    struct auth *auth;
    void *app;
    grpc_server *server;
    struct rpc_listener *listener;
    struct method_entry *methods;
    size_t n_methods;
    int per_method;
    struct worker *workers;
    int n_workers;
    grpc_completion_queue *cq; /* polled by every worker */
    bool drained;              /* cq has been shut down and emptied */
    atomic_int stopping;
    /* struct pending alive: while any is, some thread may still start an operation on cq, so
     * cq is shut down only once this is 0 (shutting it down earlier aborts in grpc_cq_begin_op) */
    atomic_int live;
    int64_t grace_end_ms;      /* past it, shutdown cancels the handlers' database work */
    struct rpc_streams *streams; /* bidirectional streams, reflection among them */
    atomic_int running;          /* rpc_server_run has started serving */
    atomic_int draining;         /* SIGTERM received: health says NOT_SERVING, calls still served */
    struct db_probe *probe;      /* whether the database answers, for health */
};

enum tag_kind { TAG_REGISTERED, TAG_GENERIC, TAG_DONE, TAG_CLOSED };

/* One call, from the moment it is requested until its reply has gone out and the client has
 * closed; it is its own tag, and close_tag is the tag of the early RECV_CLOSE_ON_SERVER. */
struct pending {
    enum tag_kind kind;
    enum tag_kind close_tag;  /* TAG_CLOSED */
    bool close_requested;     /* RECV_CLOSE_ON_SERVER started at the call's start */
    atomic_int refs;          /* the reply batch and the close batch each hold one */
    atomic_int client_gone;   /* the client cancelled: its transaction must not commit */
    struct rpc_server *srv;
    struct method_entry *m; /* NULL for generic calls */
    grpc_call *call;
    gpr_timespec deadline;
    grpc_metadata_array md;
    grpc_call_details details;
    grpc_byte_buffer *payload;
    grpc_byte_buffer *reply;
    grpc_slice status_details;
    int cancelled;
    int status;
    struct timespec start;
    char caller[sizeof ((struct principal *)0)->label];
    char request_id[LOG_REQUEST_ID_MAX]; /* x-request-id, or made up: in its log lines */
    char detail[512];
};

void rpc_block_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static struct pending *pending_new(struct rpc_server *s, enum tag_kind kind, struct method_entry *m)
{
    struct pending *p = xcalloc(1, sizeof *p);
    atomic_fetch_add(&s->live, 1);
    p->kind = kind;
    p->close_tag = TAG_CLOSED;
    atomic_init(&p->refs, 1);
    p->srv = s;
    p->m = m;
    grpc_metadata_array_init(&p->md);
    grpc_call_details_init(&p->details);
    p->status_details = grpc_empty_slice();
    return p;
}

static void pending_free(struct pending *p)
{
    grpc_metadata_array_destroy(&p->md);
    grpc_call_details_destroy(&p->details);
    if (p->payload)
        grpc_byte_buffer_destroy(p->payload);
    if (p->reply)
        grpc_byte_buffer_destroy(p->reply);
    grpc_slice_unref(p->status_details);
    if (p->call)
        grpc_call_unref(p->call);
    atomic_fetch_sub(&p->srv->live, 1);
    free(p);
}

static void finish(struct pending *p);

/* Drops one of the call's batches; the last one logs the call and frees it. */
static void pending_unref(struct pending *p)
{
    if (atomic_fetch_sub(&p->refs, 1) == 1)
        finish(p);
}

/* Learns as soon as the client cancels (or its deadline passes), not only once the reply is
 * sent, so that a transaction of a call already given up is rolled back, never committed. */
static void watch_close(struct pending *p)
{
    grpc_op op;
    memset(&op, 0, sizeof op);
    op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    op.data.recv_close_on_server.cancelled = &p->cancelled;
    atomic_fetch_add(&p->refs, 1);
    p->close_requested = true;
    if (grpc_call_start_batch(p->call, &op, 1, &p->close_tag, NULL) != GRPC_CALL_OK) {
        p->close_requested = false;
        atomic_fetch_sub(&p->refs, 1);
    }
}

static void request_registered(struct rpc_server *s, struct method_entry *m)
{
    struct pending *p = pending_new(s, TAG_REGISTERED, m);
    grpc_call_error rc = grpc_server_request_registered_call(
        s->server, m->registered, &p->call, &p->deadline, &p->md, &p->payload, s->cq, s->cq, p);
    if (rc != GRPC_CALL_OK) {
        log_error("could not request calls of %s: grpc error %d", m->path, rc);
        pending_free(p);
    }
}

static void request_generic(struct rpc_server *s)
{
    struct pending *p = pending_new(s, TAG_GENERIC, NULL);
    grpc_call_error rc =
        grpc_server_request_call(s->server, &p->call, &p->details, &p->md, s->cq, s->cq, p);
    if (rc != GRPC_CALL_OK) {
        log_error("could not request generic calls: grpc error %d", rc);
        pending_free(p);
    }
}

static const grpc_slice *metadata_find(const grpc_metadata_array *md, const char *key)
{
    for (size_t i = 0; i < md->count; i++)
        if (grpc_slice_str_cmp(md->metadata[i].key, key) == 0)
            return &md->metadata[i].value;
    return NULL;
}

static int64_t deadline_ms(gpr_timespec t)
{
    t = gpr_convert_clock_type(t, GPR_CLOCK_REALTIME);
    if (gpr_time_cmp(t, gpr_inf_future(GPR_CLOCK_REALTIME)) == 0)
        return INT64_MAX;
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

bool rpc_deadline_passed(const struct call *call)
{
    return call->deadline_ms != INT64_MAX && clock_wall_ms() >= call->deadline_ms;
}

void rpc_reply_raw(struct call *call, const void *bytes, size_t len)
{
    call->raw_reply = bytes;
    call->raw_len = len;
}

void rpc_reply_shared(struct call *call, const struct rpc_shared *s)
{
    call->shared_reply = s;
}

static int health_check(struct pending *p, const ProtobufCMessage *req, struct call *c,
                        ProtobufCMessage **reply, struct err *e)
{
    const Grpc__Health__V1__HealthCheckRequest *hr = (const void *)req;
    const struct rpc_server *s = p->srv;
    bool known = hr->service[0] == '\0';
    for (size_t i = 0; i < s->n_svcs && !known; i++)
        known = strcmp(hr->service, s->svcs[i]->descriptor->name) == 0;
    if (!known)
        return err_set(e, ERR_NOT_FOUND, "unknown service \"%s\"", hr->service);
    Grpc__Health__V1__HealthCheckResponse *r =
        ARENA_MSG(&c->arena, Grpc__Health__V1__HealthCheckResponse,
                  GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT);
    /* SERVING only while the database answers: without it nothing can be served. The probe's
     * last answer, not a query of this call's own (db_probe.h). */
    bool up = !atomic_load(&s->stopping) && !atomic_load(&s->draining) && db_probe_up(s->probe);
    r->status = up ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
                   : GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
    *reply = &r->base;
    return 0;
}

static void send_reply(struct pending *p, struct err *e)
{
    grpc_op ops[4];
    memset(ops, 0, sizeof ops);
    size_t n = 0;
    ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
    if (e->code == ERR_OK && p->reply) {
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n++].data.send_message.send_message = p->reply;
    }
    p->status = e->code;
    if (e->code == ERR_OK)
        p->detail[0] = '\0';
    else {
        size_t used = (size_t)snprintf(p->detail, sizeof p->detail, "%s", e->msg);
        if (e->hint[0] && used < sizeof p->detail)
            snprintf(p->detail + used, sizeof p->detail - used, "; %s", e->hint);
    }
    grpc_slice_unref(p->status_details);
    p->status_details = grpc_slice_from_copied_string(p->detail);
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.status = (grpc_status_code)e->code;
    ops[n++].data.send_status_from_server.status_details = &p->status_details;
    if (!p->close_requested) {
        ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
        ops[n++].data.recv_close_on_server.cancelled = &p->cancelled;
    }
    p->kind = TAG_DONE;
    grpc_call_error rc = grpc_call_start_batch(p->call, ops, n, p, NULL);
    if (rc != GRPC_CALL_OK) {
        log_error("could not send the reply of %s: grpc error %d", p->m ? p->m->path : "?", rc);
        pending_unref(p);
    }
}

/* The roles of a mask, for messages: "operator or state". */
static void roles_text(unsigned mask, char *buf, size_t size)
{
    static const enum role all[] = {ROLE_OPERATOR, ROLE_STATE, ROLE_SERVICE};
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (mask & (1u << all[i]))
            used += (size_t)snprintf(buf + used, size > used ? size - used : 0, "%s%s",
                                     used ? " or " : "", auth_role_name(all[i]));
}

/* The table's role rule; the denial is logged once, by finish(), with the caller. */
static int check_role(const struct method_entry *m, const struct principal *who, struct err *e)
{
    if (m->row->roles & (1u << who->role))
        return 0;
    char allowed[64];
    roles_text(m->row->roles, allowed, sizeof allowed);
    return err_set(e, ERR_PERMISSION_DENIED, "permission denied for %s: %s keys may not call it, only %s keys",
                   m->row->name, auth_role_name(who->role), allowed);
}

/* Hex SHA-256 of the method path, a NUL and the request as it was packed: the same request_id
 * reused for another method or another body never matches. */
static void request_hash(struct arena *a, const char *path, const uint8_t *body, size_t len,
                         char hex[65])
{
    size_t plen = strlen(path);
    uint8_t *all = arena_alloc(a, plen + 1 + len);
    memcpy(all, path, plen + 1);
    memcpy(all + plen + 1, body, len);
    sha256_hex(all, plen + 1 + len, hex);
}

/* A call begins: its request id (from the client or new) tags this thread's log lines. */
static void call_arrived(struct pending *p)
{
    rpc_wire_request_id(&p->md, p->request_id);
    log_request_id_set(p->request_id);
    instrument_call_arrived();
}

/* Serves one registered call on worker thread w, then starts sending its reply. */
static void handle(struct pending *p, struct worker *w)
{
    struct rpc_server *s = w->srv;
    struct err e;
    err_clear(&e);
    ProtobufCMessage *req = NULL, *reply = NULL;
    struct call c;
    uint8_t *body = NULL;
    size_t body_len = 0;
    memset(&c, 0, sizeof c);
    arena_init(&c.arena);
    c.db = &w->db;
    c.cache = &w->cache;
    c.app = s->app;
    c.cfg = s->cfg;
    c.method = p->m->path;
    c.grpc_call = p->call;
    c.deadline_ms = deadline_ms(p->deadline);
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    call_arrived(p);

    const grpc_slice *authz = metadata_find(&p->md, "authorization");
    if (authz)
        c.authorization = arena_strndup(&c.arena, (const char *)GRPC_SLICE_START_PTR(*authz),
                                        GRPC_SLICE_LENGTH(*authz));
    /* Authenticate and authorize before parsing: a caller who may not call the method must not
     * make us do work. Health checks need no credentials. */
    bool health = p->m->row == NULL;
    if (!health) {
        if (rpc_deadline_passed(&c)) {
            err_set(&e, ERR_DEADLINE_EXCEEDED, "deadline passed before the call was served");
            goto done;
        }
        if (auth_authenticate(s->auth, c.db, c.authorization,
                              c.authorization ? strlen(c.authorization) : 0, &c.principal, &e) < 0)
            goto done;
        snprintf(p->caller, sizeof p->caller, "%s", c.principal.label);
        if (check_role(p->m, &c.principal, &e) < 0)
            goto done;
        /* A SERVICE key is a machine of the suite: with mutual TLS it must come with the suite's
         * certificate, so a leaked key alone is not enough. */
        if (c.principal.role == ROLE_SERVICE && tls_mutual() && !tls_peer_is_suite(p->call)) {
            err_set(&e, ERR_PERMISSION_DENIED,
                    "a SERVICE key is accepted only over mutual TLS with a certificate of the suite");
            goto done;
        }
    }
    if (p->payload == NULL) {
        err_set(&e, ERR_INVALID_ARGUMENT, "request message missing");
        goto done;
    }
    /* protobuf-c would cut a string at a NUL without a word: every string is checked on the
     * wire first (wire_check.h), and the field named. */
    bool readable = rpc_wire_read(p->payload, &c.arena, &body, &body_len) == 0;
    if (readable && wire_check_strings(p->m->input, body, body_len, &e) < 0)
        goto done;
    if (!readable || (req = pbuf_unpack(&c.arena, p->m->input, body, body_len)) == NULL) {
        err_set(&e, ERR_INVALID_ARGUMENT, "malformed request: not a valid %s message",
                p->m->input->name);
        goto done;
    }
    if (health) {
        health_check(p, req, &c, &reply, &e);
        goto done;
    }
    if (p->m->row->effect == RPC_WRITES)
        request_hash(&c.arena, p->m->path, body, body_len, c.request_hash);
    watch_close(p);
    db_call_limits(c.db, c.deadline_ms, &p->client_gone);
    db_call_scope(c.db, auth_role_name(c.principal.role), c.principal.state);
    atomic_store(&w->in_call, 1);
    instrument_worker_busy(1);
    uint64_t trips = c.db->round_trips;
    int rc = p->m->row->handler(&c, req, &reply, &e);
    instrument_method_round_trips(&p->m->inst, p->m->path, c.db->round_trips - trips);
    instrument_worker_busy(-1);
    atomic_store(&w->in_call, 0);
    db_call_limits(c.db, INT64_MAX, NULL);
    db_call_scope(c.db, "", "");
    if (rc < 0) {
        if (e.code == ERR_OK)
            err_set(&e, ERR_INTERNAL, "handler failed without saying why");
    } else if (reply == NULL && c.raw_reply == NULL && c.shared_reply == NULL) {
        err_set(&e, ERR_INTERNAL, "handler returned no reply");
    }
    if (w->db.in_tx) {
        log_error("%s left a transaction open; rolled back", p->m->path);
        db_rollback(&w->db);
    }
done:
    if (e.code == ERR_OK)
        p->reply = c.shared_reply ? rpc_wire_shared(c.shared_reply)
                   : c.raw_reply  ? rpc_wire_bytes(c.raw_reply, c.raw_len)
                                  : rpc_wire_pack(reply);
    arena_destroy(&c.arena);
    send_reply(p, &e);
    log_request_id_set(NULL);
}

static void finish(struct pending *p)
{
    double seconds = instrument_seconds_since(&p->start);
    int status = p->cancelled && p->status == ERR_OK ? ERR_CANCELLED : p->status;
    if (p->m)
        instrument_method_done(&p->m->inst, p->m->path, status, seconds);
    if (p->m && p->m->row == NULL && p->status == ERR_OK) {
        pending_free(p); /* health checks are too frequent to log */
        return;
    }
    char unknown[256];
    const char *path = unknown;
    if (p->m) {
        path = p->m->path;
    } else {
        size_t len = GRPC_SLICE_LENGTH(p->details.method);
        snprintf(unknown, sizeof unknown, "%.*s", (int)(len < 255 ? len : 255),
                 (const char *)GRPC_SLICE_START_PTR(p->details.method));
        /* Unknown methods count under one label: their names are the caller's to choose. */
        instrument_call_done("unknown", status, seconds);
    }
    log_request_id_set(p->request_id);
    log_call(path, status, seconds * 1e3, p->caller, p->detail);
    log_request_id_set(NULL);
    pending_free(p);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct rpc_server *s = w->srv;
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            break;
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        enum tag_kind *tag = ev.tag;
        if (*tag == TAG_CLOSED) {
            struct pending *p = (void *)((char *)tag - offsetof(struct pending, close_tag));
            atomic_store(&p->client_gone, p->cancelled);
            pending_unref(p);
            continue;
        }
        struct pending *p = ev.tag;
        switch (p->kind) {
        case TAG_REGISTERED:
            if (!ev.success) { /* the server is shutting down */
                pending_free(p);
                break;
            }
            if (!atomic_load(&s->stopping))
                request_registered(s, p->m);
            handle(p, w);
            break;
        case TAG_GENERIC: {
            if (!ev.success) {
                pending_free(p);
                break;
            }
            if (!atomic_load(&s->stopping))
                request_generic(s);
            clock_gettime(CLOCK_MONOTONIC, &p->start);
            call_arrived(p);
            struct err e;
            size_t len = GRPC_SLICE_LENGTH(p->details.method);
            err_set(&e, ERR_UNIMPLEMENTED, "unknown method %.*s", (int)(len < 200 ? len : 200),
                    (const char *)GRPC_SLICE_START_PTR(p->details.method));
            send_reply(p, &e);
            log_request_id_set(NULL);
            break;
        }
        case TAG_DONE:
            pending_unref(p);
            break;
        case TAG_CLOSED:
            break;
        }
    }
    return NULL;
}

static void method_add(struct rpc_server *s, const char *path, const ProtobufCMessageDescriptor *in,
                       const struct rpc_method *row)
{
    s->methods = xrealloc(s->methods, (s->n_methods + 1) * sizeof *s->methods);
    struct method_entry *m = &s->methods[s->n_methods++];
    memset(m, 0, sizeof *m);
    snprintf(m->path, sizeof m->path, "%s", path);
    m->input = in;
    m->row = row;
    m->registered = grpc_server_register_method(s->server, m->path, NULL,
                                                GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
}

static const struct rpc_method *row_of(const struct rpc_service *svc, const char *name)
{
    for (size_t j = 0; j < svc->n_methods; j++)
        if (strcmp(svc->methods[j].name, name) == 0)
            return &svc->methods[j];
    return NULL;
}

/* The descriptor's methods that no row names, for the message: "GetQuestionnaire, ListTopics". */
static void unmatched_methods(const struct rpc_service *svc, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < svc->descriptor->n_methods; i++)
        if (row_of(svc, svc->descriptor->methods[i].name) == NULL)
            used += (size_t)snprintf(buf + used, size > used ? size - used : 0, "%s%s",
                                     used ? ", " : "", svc->descriptor->methods[i].name);
}

int rpc_service_check(const struct rpc_service *svc, struct err *e)
{
    const ProtobufCServiceDescriptor *d = svc->descriptor;
    char missing[300];
    unmatched_methods(svc, missing, sizeof missing);
    for (size_t j = 0; j < svc->n_methods; j++) {
        const struct rpc_method *row = &svc->methods[j];
        const ProtobufCMethodDescriptor *md = protobuf_c_service_descriptor_get_method_by_name(d, row->name);
        if (md == NULL)
            return err_set(e, ERR_INTERNAL,
                           "method table of %s: row \"%s\" names no method of the service%s%s", d->name,
                           row->name, missing[0] ? "; methods with no row: " : "", missing);
        if (row_of(svc, row->name) != row)
            return err_set(e, ERR_INTERNAL, "method table of %s: method %s has two rows", d->name,
                           row->name);
        if (row->handler == NULL || row->request_size != md->input->sizeof_message ||
            row->reply_size != md->output->sizeof_message)
            return err_set(e, ERR_INTERNAL,
                           "method table of %s: the handler of %s does not take %s and return %s",
                           d->name, row->name, md->input->name, md->output->name);
        if ((row->roles & RPC_ANY_ROLE) == 0)
            return err_set(e, ERR_INTERNAL, "method table of %s: row %s admits no role", d->name,
                           row->name);
    }
    if (missing[0])
        return err_set(e, ERR_INTERNAL, "method table of %s: methods with no row: %s", d->name, missing);
    return 0;
}

/* Registers every method of `svc` (its table checked) before the server starts. */
static void services_add(struct rpc_server *s, const struct rpc_service *svc)
{
    s->svcs = xrealloc(s->svcs, (s->n_svcs + 1) * sizeof *s->svcs);
    s->svcs[s->n_svcs++] = svc;
    for (unsigned i = 0; i < svc->descriptor->n_methods; i++) {
        const ProtobufCMethodDescriptor *md = &svc->descriptor->methods[i];
        char path[256];
        snprintf(path, sizeof path, "/%s/%s", svc->descriptor->name, md->name);
        method_add(s, path, md->input, row_of(svc, md->name));
    }
    s->per_method = CALLS_OUTSTANDING / (int)s->n_methods;
    if (s->per_method < 4)
        s->per_method = 4;
}

int rpc_server_add(struct rpc_server *s, const struct rpc_service *svc, struct err *e)
{
    if (rpc_service_check(svc, e) < 0)
        return -1;
    services_add(s, svc);
    log_info("%s served on the same port", svc->descriptor->name);
    return 0;
}

struct rpc_server *rpc_server_new(const struct config *cfg, const struct rpc_service *svc,
                                  struct auth *auth, void *app, struct err *e)
{
    if (rpc_service_check(svc, e) < 0)
        return NULL;
    grpc_init();
    struct rpc_server *s = xcalloc(1, sizeof *s);
    s->cfg = cfg;
    s->svc = svc;
    s->auth = auth;
    s->app = app;

    /* gRPC 1.51 carries open HTTP/2 denial-of-service issues (docs/hardening.md): bound what
     * one connection can hold (streams x metadata), how long an idle or old one stays, how
     * often a peer may ping; rpc_listen.c bounds the connections. Its resource quota is not
     * enforced on connections added from a descriptor, as ours are, and did not cap the HPACK
     * flood anyway: it is not relied upon. */
    grpc_arg args[] = {
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, {.integer = cfg->max_recv_bytes}},
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_MAX_CONCURRENT_STREAMS, {.integer = cfg->max_streams}},
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_MAX_METADATA_SIZE, {.integer = cfg->max_metadata_bytes}},
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_HTTP2_MAX_PING_STRIKES, {.integer = 2}},
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, {.integer = 10000}},
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_KEEPALIVE_TIME_MS, {.integer = 60000}},
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_KEEPALIVE_TIMEOUT_MS, {.integer = 20000}},
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_MAX_CONNECTION_IDLE_MS, {.integer = cfg->max_connection_idle_s * 1000}},
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_MAX_CONNECTION_AGE_MS, {.integer = cfg->max_connection_age_s * 1000}},
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, {.integer = 30000}},
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, {.integer = 5000}},
        /* gRPC's own listener (with TLS) binds with SO_REUSEPORT by default, which lets another
         * process on the port take a share of the connections: a port is one service's. */
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_ALLOW_REUSEPORT, {.integer = 0}},
    };
    grpc_channel_args cargs = {sizeof args / sizeof args[0], args};
    s->server = grpc_server_create(&cargs, NULL);

    method_add(s, HEALTH_CHECK, &grpc__health__v1__health_check_request__descriptor, NULL);
    services_add(s, svc);

    s->cq = grpc_completion_queue_create_for_next(NULL);
    grpc_server_register_completion_queue(s->server, s->cq, NULL);
    s->n_workers = cfg->workers;
    s->workers = xcalloc((size_t)s->n_workers, sizeof *s->workers);
    for (int i = 0; i < s->n_workers; i++) {
        struct worker *w = &s->workers[i];
        w->srv = s;
        struct err dberr;
        if (db_init(&w->db, cfg->db_url, &dberr) < 0) /* not fatal: it reconnects on use */
            log_warn("worker %d: %s", i, dberr.msg);
        db_set_limits(&w->db, cfg->statement_timeout_ms, cfg->lock_timeout_ms,
                      cfg->commit_margin_ms);
        cache_init(&w->cache, cfg->redis_host, cfg->redis_port, cfg->redis_timeout_ms);
        cache_auth(&w->cache, cfg->redis_user, cfg->redis_password);
    }

    s->probe = db_probe_start(cfg->db_url, DB_PROBE_INTERVAL_MS, DB_PROBE_STALL_MS);

    s->streams = rpc_streams_new(s->server, cfg, auth, app, svc->descriptor->name, e);
    if (s->streams == NULL) {
        rpc_server_free(s);
        return NULL;
    }

    if (tls_enabled()) {
        /* gRPC 1.51 takes connections handed over by fd only in plaintext: with TLS its own
         * listener accepts, without rpc_listen.c's caps (docs/security.md, "TLS"). */
        grpc_server_credentials *creds = tls_server_credentials();
        int port = grpc_server_add_http2_port(s->server, cfg->listen, creds);
        grpc_server_credentials_release(creds);
        if (port == 0) {
            err_set(e, ERR_UNAVAILABLE, "could not listen on %s", cfg->listen);
            rpc_server_free(s);
            return NULL;
        }
        log_info("%s listening on %s (port %d, %d workers, %s)", svc->descriptor->name, cfg->listen,
                 port, s->n_workers, tls_mutual() ? "mutual TLS" : "TLS");
        return s;
    }
    /* Descriptors kept back from connections: each worker's PostgreSQL and Redis, channels to
     * other services, gRPC's own (epoll, wakeup pipes), logs. */
    struct rpc_listen_limits lim = {cfg->max_connections, cfg->max_connections_per_peer,
                                    cfg->watchdog_seconds};
    s->listener = rpc_listener_new(cfg->listen, lim, 64 + 4 * s->n_workers, e);
    if (s->listener == NULL) {
        rpc_server_free(s);
        return NULL;
    }
    int port = rpc_listener_port(s->listener);
    log_info("%s listening on %s (port %d, %d workers, at most %d connections, %d per peer)",
             svc->descriptor->name, cfg->listen, port, s->n_workers,
             rpc_listener_max_connections(s->listener), cfg->max_connections_per_peer);
    return s;
}

/* Until `end_ms`: waits for every call's handler to return and its last batch to complete,
 * cancelling the database work of running handlers (again every 100 ms, since a cancel that
 * lands between two statements finds nothing to cancel). True when none is left. */
static bool wait_handlers(struct rpc_server *s, int64_t end_ms)
{
    for (int round = 0; atomic_load(&s->live) > 0; round++) {
        if (clock_wall_ms() >= end_ms)
            return false;
        if (round % 20 == 0 && clock_wall_ms() >= s->grace_end_ms)
            for (int i = 0; i < s->n_workers; i++)
                if (atomic_load(&s->workers[i].in_call))
                    db_cancel(&s->workers[i].db);
        nanosleep(&(struct timespec){0, 5 * 1000000}, NULL);
    }
    return true;
}

bool rpc_server_serving(struct rpc_server *s)
{
    return atomic_load(&s->running) && !atomic_load(&s->draining);
}

void rpc_server_add_stream(struct rpc_server *s, const struct rpc_stream_method *m)
{
    rpc_streams_add(s->streams, m);
}

/* Behind a balancer that health-checks (haproxy, a Kubernetes Service without a preStop hook),
 * report NOT_SERVING but keep serving for UNIC_DRAIN_DELAY_MS, so that the balancer stops
 * sending calls before the server stops taking them: a call sent in the moment between would
 * be refused. */
static void drain_delay(struct rpc_server *s)
{
    atomic_store(&s->draining, 1);
    int ms = s->cfg->drain_delay_ms;
    if (ms > 0)
        nanosleep(&(struct timespec){ms / 1000, (long)(ms % 1000) * 1000000}, NULL);
}

/* Waits until end_ms for the shutdown to complete. gRPC completes it only once every connection
 * has closed, and an idle client reads the GOAWAY only when its own poller next runs (its backup
 * poller: up to 5 s later). Once no call has been left for 100 ms (every request waiting for a
 * call failed by the shutdown, every call ended, and time for the streams a client sent before
 * it read the GOAWAY to arrive), what remains are idle connections: drop them. True when the
 * shutdown completed. */
static bool wait_shutdown(struct rpc_server *s, grpc_completion_queue *done, int64_t end_ms)
{
    bool dropped = false;
    int64_t quiet_from = clock_wall_ms() + 100; /* streams sent before the GOAWAY arrived: served */
    for (;;) {
        int64_t now = clock_wall_ms();
        if (now >= end_ms)
            return false;
        int64_t until = now + 20 < end_ms ? now + 20 : end_ms;
        if (grpc_completion_queue_pluck(done, s, gpr_time_from_millis(until, GPR_CLOCK_REALTIME),
                                        NULL).type == GRPC_OP_COMPLETE)
            return true;
        if (atomic_load(&s->live) > 0 || !rpc_streams_idle(s->streams)) {
            quiet_from = now + 100;
        } else if (!dropped && now >= quiet_from) {
            grpc_server_cancel_all_calls(s->server);
            dropped = true;
        }
    }
}

int rpc_server_run(struct rpc_server *s)
{
    grpc_server_start(s->server);
    rpc_streams_start(s->streams);
    atomic_store(&s->running, 1);
    for (size_t m = 0; m < s->n_methods; m++)
        for (int k = 0; k < s->per_method; k++)
            request_registered(s, &s->methods[m]);
    for (int k = 0; k < GENERIC_OUTSTANDING; k++)
        request_generic(s);
    for (int i = 0; i < s->n_workers; i++) {
        pthread_create(&s->workers[i].thread, NULL, worker_main, &s->workers[i]);
        s->workers[i].started = true;
    }
    if (s->listener)
        rpc_listener_start(s->listener, s->server);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    int sig = 0;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) /* new certificates for new handshakes */
        tls_reload();
    log_info("received %s: draining calls (grace period %d s)", sig == SIGTERM ? "SIGTERM" : "SIGINT",
             s->cfg->grace_seconds);

    drain_delay(s);
    atomic_store(&s->stopping, 1);
    if (s->listener)
        rpc_listener_stop(s->listener);
    grpc_completion_queue *done = grpc_completion_queue_create_for_pluck(NULL);
    grpc_server_shutdown_and_notify(s->server, done, s);
    int64_t grace_end = clock_wall_ms() + (int64_t)s->cfg->grace_seconds * 1000;
    s->grace_end_ms = grace_end;
    /* After the grace period, 2 s at most: cancel the handlers' database work, wait for them to
     * roll back and reply, and only then cancel what is left (calls waiting on other services),
     * so that no client is told of a failure its transaction then outlives. */
    int64_t hard_end = grace_end + 1800;
    if (!wait_shutdown(s, done, grace_end)) {
        log_warn("grace period over: cancelling the database work of the calls still running");
        wait_handlers(s, grace_end + 1000);
        grpc_server_cancel_all_calls(s->server);
        if (grpc_completion_queue_pluck(done, s, gpr_time_from_millis(hard_end, GPR_CLOCK_REALTIME),
                                        NULL).type == GRPC_QUEUE_TIMEOUT)
            log_warn("calls still open 1.8 s after the grace period");
    }
    grpc_completion_queue_shutdown(done);
    grpc_completion_queue_destroy(done);
    rpc_streams_stop(s->streams);
    /* Every call is over for gRPC, but a handler may still be about to send its reply. */
    if (!wait_handlers(s, hard_end)) {
        log_error("%d calls still running 2 s after the grace period: exiting without draining",
                  atomic_load(&s->live));
        _exit(1);
    }

    grpc_completion_queue_shutdown(s->cq); /* every worker sees GRPC_QUEUE_SHUTDOWN and returns */
    for (int i = 0; i < s->n_workers; i++) {
        pthread_join(s->workers[i].thread, NULL);
        s->workers[i].started = false;
    }
    s->drained = true;
    log_info("stopped");
    return 0;
}

void rpc_server_free(struct rpc_server *s)
{
    if (s == NULL)
        return;
    rpc_listener_free(s->listener);
    if (s->server)
        grpc_server_destroy(s->server);
    rpc_streams_free(s->streams);
    db_probe_stop(s->probe);
    if (s->cq && !s->drained) { /* never served: empty it here */
        grpc_completion_queue_shutdown(s->cq);
        while (grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
               GRPC_QUEUE_SHUTDOWN)
            ;
    }
    if (s->cq)
        grpc_completion_queue_destroy(s->cq);
    for (int i = 0; i < s->n_workers; i++) {
        db_destroy(&s->workers[i].db);
        cache_destroy(&s->workers[i].cache);
    }
    free(s->workers);
    free(s->methods);
    free(s->svcs);
    free(s);
    grpc_shutdown();
}
