/* rpc_client.c: the client half of the runtime: one unary call over a shared channel, waited
 * for on a completion queue of the client's (one per call in flight, kept for the next call),
 * its reply unpacked into the caller's arena. */
#include "rpc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>

#include "instrument.h"
#include "log.h"
#include "pbuf.h"
#include "rpc_wire.h"
#include "text.h"
#include "tls.h"

/* Creating and destroying a completion queue for every call cost more than the call's own work
 * in a service calling another (issue 10's profile of GetScorecard): queues are kept. A call
 * takes one (or makes one) and gives it back empty, since it plucks its only tag.
 * Mutual TLS: a channel presents the certificate (and trusts the CA) this process held when the
 * channel was made. After SIGHUP re-read them (tls_generation moved on), the next call makes the
 * channel again, so that new connections to the services called present the new certificate;
 * replaced channels stay until rpc_client_free, since calls may still run on them (and SIGHUPs
 * are rare). */
enum { CQ_KEPT_MAX = 64 };

struct rpc_client {
    grpc_channel *channel; /* under lock */
    int timeout_ms;
    pthread_mutex_t lock;
    grpc_completion_queue *kept[CQ_KEPT_MAX]; /* idle queues, under lock */
    size_t n_kept;
    char *target;
    bool own_connection;
    int generation;        /* tls_generation() when channel was made, under lock */
    grpc_channel **retired; /* under lock */
    size_t n_retired;
};

static grpc_completion_queue *cq_take(struct rpc_client *c)
{
    grpc_completion_queue *cq = NULL;
    pthread_mutex_lock(&c->lock);
    if (c->n_kept > 0)
        cq = c->kept[--c->n_kept];
    pthread_mutex_unlock(&c->lock);
    return cq ? cq : grpc_completion_queue_create_for_pluck(NULL);
}

static void cq_destroy(grpc_completion_queue *cq)
{
    grpc_completion_queue_shutdown(cq);
    grpc_completion_queue_destroy(cq);
}

static void cq_give_back(struct rpc_client *c, grpc_completion_queue *cq)
{
    pthread_mutex_lock(&c->lock);
    bool kept = c->n_kept < CQ_KEPT_MAX;
    if (kept)
        c->kept[c->n_kept++] = cq;
    pthread_mutex_unlock(&c->lock);
    if (!kept)
        cq_destroy(cq);
}

static grpc_channel *channel_make(const char *target, bool own_connection)
{
    /* gRPC's default reconnect backoff grows to 120 s: after an outage of the service called,
     * this one kept answering UNAVAILABLE for 15 s after it was back. Services are on a private
     * network and few; trying again every second at most costs nothing. Not
     * GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC also takes it as the time a connection attempt
     * may last (20 s by default), and at 100 ms a loaded machine's handshakes timed out
     * ("connection attempt timed out before receiving SETTINGS frame"). */
    grpc_arg args[] = {
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, {.integer = 64 * 1024 * 1024}},
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, {.integer = 100}},
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, {.integer = 800}},
        /* Every address the target resolves to (a headless Service's pods), taken in turn:
         * gRPC's default, pick_first, would send everything to the first. */
        {GRPC_ARG_STRING, (char *)GRPC_ARG_SERVICE_CONFIG,
         {.string = (char *)"{\"loadBalancingConfig\": [{\"round_robin\": {}}]}"}},
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, {.integer = 1}},
    };
    grpc_channel_args cargs = {sizeof args / sizeof args[0] - (own_connection ? 0 : 1), args};
    grpc_channel_credentials *creds = tls_channel_credentials();
    grpc_channel *channel = grpc_channel_create(target, creds, &cargs);
    grpc_channel_credentials_release(creds);
    return channel;
}

static struct rpc_client *client_new(const char *target, int timeout_ms, bool own_connection)
{
    grpc_init();
    struct rpc_client *c = xcalloc(1, sizeof *c);
    c->timeout_ms = timeout_ms;
    c->target = xstrdup(target);
    c->own_connection = own_connection;
    pthread_mutex_init(&c->lock, NULL);
    c->generation = tls_generation();
    c->channel = channel_make(target, own_connection);
    return c;
}

/* The channel for a new call: made again first when the process's certificates changed. */
static grpc_channel *channel_current(struct rpc_client *c)
{
    int generation = tls_generation();
    pthread_mutex_lock(&c->lock);
    if (generation != c->generation) {
        c->retired = xrealloc(c->retired, (c->n_retired + 1) * sizeof *c->retired);
        c->retired[c->n_retired++] = c->channel;
        c->channel = channel_make(c->target, c->own_connection);
        c->generation = generation;
    }
    grpc_channel *channel = c->channel;
    pthread_mutex_unlock(&c->lock);
    return channel;
}

struct rpc_client *rpc_client_new(const char *target, int timeout_ms)
{
    return client_new(target, timeout_ms, false);
}

struct rpc_client *rpc_client_new_private(const char *target, int timeout_ms)
{
    return client_new(target, timeout_ms, true);
}

void rpc_client_free(struct rpc_client *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n_kept; i++)
        cq_destroy(c->kept[i]);
    pthread_mutex_destroy(&c->lock);
    grpc_channel_destroy(c->channel);
    for (size_t i = 0; i < c->n_retired; i++)
        grpc_channel_destroy(c->retired[i]);
    free(c->retired);
    free(c->target);
    free(c);
    grpc_shutdown();
}

static gpr_timespec timespec_from_ms(int64_t ms)
{
    gpr_timespec t = {.tv_sec = ms / 1000, .tv_nsec = (int32_t)(ms % 1000) * 1000000,
                      .clock_type = GPR_CLOCK_REALTIME};
    return t;
}

struct rpc_caller rpc_caller_of(const struct call *c)
{
    return (struct rpc_caller){c->authorization, c->deadline_ms, c->grpc_call};
}

int rpc_call_bytes(struct rpc_client *client, struct rpc_caller caller, const char *path,
                   const uint8_t *req, size_t req_len, struct arena *a, uint8_t **reply,
                   size_t *reply_len, struct err *e)
{
    return rpc_forward_bytes(client, caller, NULL, path, req, req_len, a, reply, reply_len, e);
}

int rpc_forward_bytes(struct rpc_client *client, struct rpc_caller caller, const char *request_id,
                      const char *path, const uint8_t *req, size_t req_len, struct arena *a,
                      uint8_t **reply, size_t *reply_len, struct err *e)
{
    int rc = -1;
    int64_t deadline = clock_wall_ms() + client->timeout_ms;
    if (caller.deadline_ms > 0 && caller.deadline_ms < deadline)
        deadline = caller.deadline_ms;

    grpc_completion_queue *cq = cq_take(client);
    grpc_slice method = grpc_slice_from_copied_string(path);
    grpc_call *call = grpc_channel_create_call(channel_current(client), caller.parent, GRPC_PROPAGATE_DEFAULTS,
                                               cq, method, NULL, timespec_from_ms(deadline), NULL);
    grpc_slice_unref(method);

    grpc_byte_buffer *request = rpc_wire_bytes(req, req_len);

    /* The caller's credentials, and the request id (the gateway's, or that of the call this
     * thread serves), so the downstream service's log lines carry the same id. */
    grpc_metadata md[2];
    memset(md, 0, sizeof md);
    size_t n_md = 0;
    if (caller.authorization) {
        md[n_md].key = grpc_slice_from_static_string("authorization");
        md[n_md++].value = grpc_slice_from_copied_string(caller.authorization);
    }
    if (request_id == NULL && log_request_id()[0])
        request_id = log_request_id();
    if (request_id) {
        md[n_md].key = grpc_slice_from_static_string("x-request-id");
        md[n_md++].value = grpc_slice_from_copied_string(request_id);
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    grpc_metadata_array initial, trailing;
    grpc_metadata_array_init(&initial);
    grpc_metadata_array_init(&trailing);
    grpc_byte_buffer *response = NULL;
    grpc_status_code status = GRPC_STATUS_UNKNOWN;
    grpc_slice details = grpc_empty_slice();
    const char *error_string = NULL;

    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[0].data.send_initial_metadata.count = n_md;
    ops[0].data.send_initial_metadata.metadata = md;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = request;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &response;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &trailing;
    ops[5].data.recv_status_on_client.status = &status;
    ops[5].data.recv_status_on_client.status_details = &details;
    ops[5].data.recv_status_on_client.error_string = &error_string;

    grpc_call_error started = grpc_call_start_batch(call, ops, 6, cq, NULL);
    if (started != GRPC_CALL_OK) {
        err_set(e, ERR_INTERNAL, "could not start a call to %s: grpc error %d", path, started);
        goto done;
    }
    grpc_completion_queue_pluck(cq, cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (status != GRPC_STATUS_OK) {
        err_set(e, (int)status, "%.*s", (int)GRPC_SLICE_LENGTH(details),
                (const char *)GRPC_SLICE_START_PTR(details));
        goto done;
    }
    if (response == NULL) {
        err_set(e, ERR_INTERNAL, "%s answered OK without a message", path);
        goto done;
    }
    if (rpc_wire_read(response, a, reply, reply_len) < 0) {
        err_set(e, ERR_INTERNAL, "could not read the reply of %s", path);
        goto done;
    }
    err_clear(e);
    rc = 0;
done:
    if (error_string)
        gpr_free((void *)error_string);
    grpc_slice_unref(details);
    grpc_metadata_array_destroy(&initial);
    grpc_metadata_array_destroy(&trailing);
    if (response)
        grpc_byte_buffer_destroy(response);
    grpc_byte_buffer_destroy(request);
    for (size_t i = 0; i < n_md; i++)
        grpc_slice_unref(md[i].value);
    instrument_client_call(path, rc == 0 ? ERR_OK : e ? e->code : ERR_UNKNOWN,
                           instrument_seconds_since(&t0));
    grpc_call_unref(call);
    cq_give_back(client, cq); /* empty: the call's one tag was plucked, or never queued */
    return rc;
}

int rpc_call(struct rpc_client *client, struct rpc_caller caller,
             const ProtobufCServiceDescriptor *service, const char *method,
             const ProtobufCMessage *req, struct arena *a, ProtobufCMessage **reply, struct err *e)
{
    const ProtobufCMethodDescriptor *md = protobuf_c_service_descriptor_get_method_by_name(service, method);
    *reply = NULL;
    if (md == NULL)
        return err_set(e, ERR_INTERNAL, "could not call %s.%s: the service has no such method",
                       service->name, method);
    if (req->descriptor != md->input)
        return err_set(e, ERR_INTERNAL, "could not call %s.%s: the request is a %s, not a %s",
                       service->name, method, req->descriptor->name, md->input->name);
    char path[256];
    snprintf(path, sizeof path, "/%s/%s", service->name, md->name);
    /* The request is packed into, and the reply's bytes read into, a scratch arena when the
     * caller wants the reply on the heap; else into the caller's, which frees them with the rest. */
    struct arena scratch;
    arena_init(&scratch);
    struct arena *bytes_in = a ? a : &scratch;
    size_t req_len, reply_len;
    uint8_t *req_bytes = pbuf_pack(bytes_in, req, &req_len), *reply_bytes;
    int rc = -1;
    if (rpc_call_bytes(client, caller, path, req_bytes, req_len, bytes_in, &reply_bytes, &reply_len, e) < 0)
        goto done;
    ProtobufCAllocator al = a ? pbuf_allocator(a) : (ProtobufCAllocator){0};
    *reply = protobuf_c_message_unpack(md->output, a ? &al : NULL, reply_len, reply_bytes);
    if (*reply == NULL) {
        err_set(e, ERR_INTERNAL, "malformed reply from %s", path);
        goto done;
    }
    rc = 0;
done:
    arena_destroy(&scratch);
    return rc;
}
