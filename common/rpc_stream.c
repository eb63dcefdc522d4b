/* rpc_stream.c: bidirectional streaming calls: each stream is a small state machine driven by
 * completions on the streams' own queue (read a message, run the handler, write what it sent,
 * read again; the client's half-close ends it with OK). Serves server reflection (v1, v1alpha)
 * in every service, from the descriptor set embedded at build time (common/reflection.c). */
#include "rpc_stream.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grpc/support/time.h>

#include "instrument.h"
#include "log.h"
#include "pbuf.h"
#include "reflection.h"
#include "rpc_wire.h"

enum { STREAMS_OUTSTANDING = 2, MAX_METHODS = 8, STREAM_MAX_OUT = 64 };

static const char REFLECTION_V1[] = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
static const char REFLECTION_V1ALPHA[] =
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

struct stream_entry {
    const struct rpc_stream_method *m;
    void *registered;
};

struct rpc_streams {
    grpc_server *server;
    const struct config *cfg;
    struct auth *auth;
    void *app;
    grpc_completion_queue *cq;
    pthread_t thread;
    bool started;
    atomic_int live; /* streams requested or running: the queue is shut down only at 0 */
    struct stream_entry methods[MAX_METHODS];
    size_t n_methods;
    struct db db; /* the streams thread's own connections, as each worker has */
    struct cache cache;
    struct reflection *reflection;
    struct rpc_stream_method reflection_methods[2];
};

enum stream_state { S_NEW, S_READ, S_WRITE, S_DONE };

struct rpc_stream {
    enum stream_state state;
    struct rpc_streams *ss;
    struct stream_entry *entry;
    grpc_call *call;
    gpr_timespec deadline;
    grpc_metadata_array md;
    grpc_byte_buffer *recv;
    grpc_byte_buffer *out[STREAM_MAX_OUT]; /* replies the handler sent, not yet written */
    size_t n_out, next_out;
    struct principal principal;
    char caller[sizeof ((struct principal *)0)->label];
    char request_id[LOG_REQUEST_ID_MAX];
    bool authenticated;
    int status;
    char detail[512];
    grpc_slice status_details;
    int cancelled;
    struct timespec start;
    unsigned messages;
};

/* ---- one stream ---- */

static void stream_request(struct rpc_streams *ss, struct stream_entry *entry)
{
    struct rpc_stream *st = xcalloc(1, sizeof *st);
    atomic_fetch_add(&ss->live, 1);
    st->ss = ss;
    st->entry = entry;
    st->state = S_NEW;
    grpc_metadata_array_init(&st->md);
    st->status_details = grpc_empty_slice();
    if (grpc_server_request_registered_call(ss->server, entry->registered, &st->call, &st->deadline,
                                            &st->md, NULL, ss->cq, ss->cq, st) != GRPC_CALL_OK) {
        log_error("could not request calls of %s", entry->m->path);
        grpc_metadata_array_destroy(&st->md);
        atomic_fetch_sub(&ss->live, 1);
        free(st);
    }
}

static void stream_free(struct rpc_stream *st)
{
    for (size_t i = st->next_out; i < st->n_out; i++)
        grpc_byte_buffer_destroy(st->out[i]);
    if (st->recv)
        grpc_byte_buffer_destroy(st->recv);
    grpc_metadata_array_destroy(&st->md);
    grpc_slice_unref(st->status_details);
    if (st->call)
        grpc_call_unref(st->call);
    atomic_fetch_sub(&st->ss->live, 1);
    free(st);
}

static void stream_batch(struct rpc_stream *st, enum stream_state next, grpc_op *ops, size_t n)
{
    st->state = next;
    if (grpc_call_start_batch(st->call, ops, n, st, NULL) != GRPC_CALL_OK) {
        log_error("%s: could not start a stream batch", st->entry->m->path);
        stream_free(st);
    }
}

static void stream_finish(struct rpc_stream *st, const struct err *e)
{
    grpc_op ops[2];
    memset(ops, 0, sizeof ops);
    st->status = e->code;
    snprintf(st->detail, sizeof st->detail, "%s", e->code == ERR_OK ? "" : e->msg);
    grpc_slice_unref(st->status_details);
    st->status_details = grpc_slice_from_copied_string(st->detail);
    ops[0].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[0].data.send_status_from_server.status = (grpc_status_code)e->code;
    ops[0].data.send_status_from_server.status_details = &st->status_details;
    ops[1].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[1].data.recv_close_on_server.cancelled = &st->cancelled;
    stream_batch(st, S_DONE, ops, 2);
}

static void stream_read(struct rpc_stream *st, bool with_initial_metadata)
{
    grpc_op ops[2];
    memset(ops, 0, sizeof ops);
    size_t n = 0;
    if (with_initial_metadata)
        ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[n].op = GRPC_OP_RECV_MESSAGE;
    ops[n++].data.recv_message.recv_message = &st->recv;
    stream_batch(st, S_READ, ops, n);
}

static void stream_write_next(struct rpc_stream *st)
{
    if (st->next_out == st->n_out) {
        st->n_out = st->next_out = 0;
        stream_read(st, false);
        return;
    }
    grpc_op op;
    memset(&op, 0, sizeof op);
    op.op = GRPC_OP_SEND_MESSAGE;
    op.data.send_message.send_message = st->out[st->next_out];
    stream_batch(st, S_WRITE, &op, 1);
}

static const grpc_slice *md_find(const grpc_metadata_array *md, const char *key)
{
    for (size_t i = 0; i < md->count; i++)
        if (grpc_slice_str_cmp(md->metadata[i].key, key) == 0)
            return &md->metadata[i].value;
    return NULL;
}

static int64_t realtime_ms(gpr_timespec t)
{
    t = gpr_convert_clock_type(t, GPR_CLOCK_REALTIME);
    if (gpr_time_cmp(t, gpr_inf_future(GPR_CLOCK_REALTIME)) == 0)
        return INT64_MAX;
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* One message from the client: authenticate (once), unpack, run the handler. */
static void stream_message(struct rpc_stream *st)
{
    struct rpc_streams *ss = st->ss;
    const struct rpc_stream_method *m = st->entry->m;
    struct err e;
    err_clear(&e);
    struct call c;
    memset(&c, 0, sizeof c);
    arena_init(&c.arena);
    c.db = &ss->db;
    c.cache = &ss->cache;
    c.app = ss->app;
    c.cfg = ss->cfg;
    c.method = m->path;
    c.grpc_call = st->call;
    c.deadline_ms = realtime_ms(st->deadline);
    const grpc_slice *authz = md_find(&st->md, "authorization");
    if (authz)
        c.authorization = arena_strndup(&c.arena, (const char *)GRPC_SLICE_START_PTR(*authz),
                                        GRPC_SLICE_LENGTH(*authz));
    ProtobufCMessage *msg = NULL;
    if (!m->anonymous && !st->authenticated) {
        if (auth_authenticate(ss->auth, c.db, c.authorization,
                              c.authorization ? strlen(c.authorization) : 0, &st->principal, &e) < 0)
            goto done;
        st->authenticated = true;
        snprintf(st->caller, sizeof st->caller, "%s", st->principal.label);
    }
    c.principal = st->principal;
    uint8_t *body = NULL;
    size_t body_len = 0;
    if (rpc_wire_read(st->recv, &c.arena, &body, &body_len) == 0)
        msg = pbuf_unpack(&c.arena, m->input, body, body_len);
    if (msg == NULL) {
        err_set(&e, ERR_INVALID_ARGUMENT, "malformed request: not a valid %s message", m->input->name);
        goto done;
    }
    st->messages++;
    if (m->handler(&c, msg, st, &e) < 0 && e.code == ERR_OK)
        err_set(&e, ERR_INTERNAL, "stream handler failed without saying why");
done:
    grpc_byte_buffer_destroy(st->recv);
    st->recv = NULL;
    arena_destroy(&c.arena);
    if (e.code != ERR_OK)
        stream_finish(st, &e);
    else
        stream_write_next(st);
}

void rpc_stream_send(struct rpc_stream *st, const ProtobufCMessage *msg)
{
    if (st->n_out == STREAM_MAX_OUT) { /* a handler bug, not the client's doing */
        log_error("%s: more than %d replies to one message; the rest are dropped",
                  st->entry->m->path, STREAM_MAX_OUT);
        return;
    }
    st->out[st->n_out++] = rpc_wire_pack(msg);
}

void *rpc_stream_arg(const struct rpc_stream *st)
{
    return st->entry->m->arg;
}

static void stream_event(struct rpc_stream *st, bool ok)
{
    struct err e;
    switch (st->state) {
    case S_NEW:
        if (!ok) { /* the server is shutting down */
            stream_free(st);
            return;
        }
        stream_request(st->ss, st->entry); /* keep one waiting for the next client */
        clock_gettime(CLOCK_MONOTONIC, &st->start);
        rpc_wire_request_id(&st->md, st->request_id);
        instrument_call_arrived();
        stream_read(st, true);
        return;
    case S_READ:
        if (!ok || st->recv == NULL) { /* half-closed by the client, or the call is gone */
            err_clear(&e);
            if (!ok)
                err_set(&e, ERR_CANCELLED, "stream ended before the client closed it");
            stream_finish(st, &e);
            return;
        }
        log_request_id_set(st->request_id);
        stream_message(st);
        log_request_id_set(NULL);
        return;
    case S_WRITE:
        grpc_byte_buffer_destroy(st->out[st->next_out]);
        st->out[st->next_out++] = NULL;
        if (!ok) {
            err_set(&e, ERR_CANCELLED, "the client went away during a reply");
            stream_finish(st, &e);
            return;
        }
        stream_write_next(st);
        return;
    case S_DONE: {
        double seconds = instrument_seconds_since(&st->start);
        int status = st->cancelled && st->status == ERR_OK ? ERR_CANCELLED : st->status;
        char detail[600];
        snprintf(detail, sizeof detail, "%s%s%u messages", st->detail, st->detail[0] ? "; " : "",
                 st->messages);
        instrument_call_done(st->entry->m->path, status, seconds);
        log_request_id_set(st->request_id);
        log_call(st->entry->m->path, status, seconds * 1e3, st->caller[0] ? st->caller : "anonymous",
                 detail);
        log_request_id_set(NULL);
        stream_free(st);
        return;
    }
    }
}

static void *streams_main(void *arg)
{
    struct rpc_streams *ss = arg;
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(ss->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            break;
        if (ev.type == GRPC_OP_COMPLETE)
            stream_event(ev.tag, ev.success);
    }
    return NULL;
}

/* ---- reflection, the built-in streams ---- */

static int reflection_info(struct call *call, const ProtobufCMessage *msg, struct rpc_stream *st,
                           struct err *e)
{
    (void)e;
    const struct reflection *r = rpc_stream_arg(st);
    rpc_stream_send(st, &reflection_answer(r, (const void *)msg, &call->arena)->base);
    return 0;
}

/* ---- the set ---- */

void rpc_streams_add(struct rpc_streams *ss, const struct rpc_stream_method *m)
{
    if (ss->n_methods == MAX_METHODS) {
        log_error("more than %d stream methods: %s not served", MAX_METHODS, m->path);
        return;
    }
    struct stream_entry *entry = &ss->methods[ss->n_methods++];
    entry->m = m;
    entry->registered =
        grpc_server_register_method(ss->server, m->path, NULL, GRPC_SRM_PAYLOAD_NONE, 0);
}

struct rpc_streams *rpc_streams_new(grpc_server *server, const struct config *cfg,
                                    struct auth *auth, void *app, const char *service_name,
                                    struct err *e)
{
    const char *services[] = {service_name, "grpc.health.v1.Health",
                              "grpc.reflection.v1.ServerReflection",
                              "grpc.reflection.v1alpha.ServerReflection"};
    struct reflection *r = reflection_new(unic_descriptor_set, unic_descriptor_set_len, services,
                                          sizeof services / sizeof services[0], e);
    if (r == NULL)
        return NULL;
    struct rpc_streams *ss = xcalloc(1, sizeof *ss);
    ss->server = server;
    ss->cfg = cfg;
    ss->auth = auth;
    ss->app = app;
    ss->reflection = r;
    atomic_init(&ss->live, 0);
    ss->cq = grpc_completion_queue_create_for_next(NULL);
    grpc_server_register_completion_queue(server, ss->cq, NULL);
    struct err dberr;
    if (db_init(&ss->db, cfg->db_url, &dberr) < 0) /* not fatal: it reconnects on use */
        log_warn("streams: %s", dberr.msg);
    cache_init(&ss->cache, cfg->redis_host, cfg->redis_port, cfg->redis_timeout_ms);
    /* Reflection answers from the public contracts only, so it needs no key (as grpcurl and
     * buf curl expect); v1alpha has v1's wire format, so both share v1's messages. */
    const char *paths[2] = {REFLECTION_V1, REFLECTION_V1ALPHA};
    for (int i = 0; i < 2; i++) {
        ss->reflection_methods[i] = (struct rpc_stream_method){
            .path = paths[i],
            .input = &grpc__reflection__v1__server_reflection_request__descriptor,
            .handler = reflection_info,
            .arg = r,
            .anonymous = true,
        };
        rpc_streams_add(ss, &ss->reflection_methods[i]);
    }
    return ss;
}

void rpc_streams_start(struct rpc_streams *ss)
{
    for (size_t i = 0; i < ss->n_methods; i++)
        for (int k = 0; k < STREAMS_OUTSTANDING; k++)
            stream_request(ss, &ss->methods[i]);
    pthread_create(&ss->thread, NULL, streams_main, ss);
    ss->started = true;
}

bool rpc_streams_idle(struct rpc_streams *ss)
{
    return atomic_load(&ss->live) == 0;
}

void rpc_streams_stop(struct rpc_streams *ss)
{
    if (ss == NULL || !ss->started)
        return;
    /* The server's shutdown fails the waiting requests and has ended every stream; their last
     * completions may still be on their way to the thread. A queue shut down while an operation
     * can still start on it aborts, so wait for the last one (2 s at most). */
    for (int i = 0; i < 400 && atomic_load(&ss->live) > 0; i++)
        nanosleep(&(struct timespec){0, 5 * 1000000}, NULL);
    if (atomic_load(&ss->live) > 0) {
        log_error("%d streams still open after the server's shutdown: exiting without draining",
                  atomic_load(&ss->live));
        _exit(1);
    }
    grpc_completion_queue_shutdown(ss->cq);
    pthread_join(ss->thread, NULL);
    ss->started = false;
}

void rpc_streams_free(struct rpc_streams *ss)
{
    if (ss == NULL)
        return;
    if (!ss->started) { /* never served, or stopped: empty the queue */
        grpc_completion_queue_shutdown(ss->cq);
        while (grpc_completion_queue_next(ss->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
               GRPC_QUEUE_SHUTDOWN)
            ;
    }
    grpc_completion_queue_destroy(ss->cq);
    db_destroy(&ss->db);
    cache_destroy(&ss->cache);
    reflection_free(ss->reflection);
    free(ss);
}
