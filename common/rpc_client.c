/* rpc_client.c: the client half of the runtime: a ProtobufCService whose invoke makes one unary
 * call over a shared channel and waits for it on a private completion queue. */
#include "rpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>

#include "log.h"
#include "rpc_wire.h"

struct rpc_client {
    grpc_channel *channel;
    int timeout_ms;
};

struct rpc_client *rpc_client_new(const char *target, int timeout_ms)
{
    grpc_init();
    struct rpc_client *c = xcalloc(1, sizeof *c);
    c->timeout_ms = timeout_ms;
    grpc_arg args[] = {
        {GRPC_ARG_INTEGER, (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, {.integer = 64 * 1024 * 1024}},
    };
    grpc_channel_args cargs = {sizeof args / sizeof args[0], args};
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    c->channel = grpc_channel_create(target, creds, &cargs);
    grpc_channel_credentials_release(creds);
    return c;
}

void rpc_client_free(struct rpc_client *c)
{
    if (c == NULL)
        return;
    grpc_channel_destroy(c->channel);
    free(c);
    grpc_shutdown();
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static gpr_timespec timespec_from_ms(int64_t ms)
{
    gpr_timespec t = {.tv_sec = ms / 1000, .tv_nsec = (int32_t)(ms % 1000) * 1000000,
                      .clock_type = GPR_CLOCK_REALTIME};
    return t;
}

/* One unary call; fills s->err with its status and returns the reply or NULL. */
static ProtobufCMessage *stub_unary(struct rpc_stub *s, const ProtobufCMethodDescriptor *md,
                                    const ProtobufCMessage *input)
{
    ProtobufCMessage *out = NULL;
    char path[256];
    snprintf(path, sizeof path, "/%s/%s", s->base.descriptor->name, md->name);
    err_clear(&s->err);

    grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
    grpc_slice method = grpc_slice_from_copied_string(path);
    grpc_call *call = grpc_channel_create_call(s->client->channel, s->parent, GRPC_PROPAGATE_DEFAULTS,
                                               cq, method, NULL, timespec_from_ms(s->deadline_ms), NULL);
    grpc_slice_unref(method);

    grpc_byte_buffer *request = rpc_wire_pack(input);

    grpc_metadata md_auth;
    memset(&md_auth, 0, sizeof md_auth);
    md_auth.key = grpc_slice_from_static_string("authorization");
    md_auth.value = grpc_slice_from_copied_string(s->authorization ? s->authorization : "");

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
    ops[0].data.send_initial_metadata.count = s->authorization ? 1 : 0;
    ops[0].data.send_initial_metadata.metadata = &md_auth;
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

    grpc_call_error rc = grpc_call_start_batch(call, ops, 6, s, NULL);
    if (rc != GRPC_CALL_OK) {
        err_set(&s->err, ERR_INTERNAL, "could not start a call to %s: grpc error %d", path, rc);
        goto done;
    }
    grpc_completion_queue_pluck(cq, s, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (status != GRPC_STATUS_OK) {
        err_set(&s->err, (int)status, "%.*s", (int)GRPC_SLICE_LENGTH(details),
                (const char *)GRPC_SLICE_START_PTR(details));
        goto done;
    }
    if (response == NULL) {
        err_set(&s->err, ERR_INTERNAL, "%s answered OK without a message", path);
        goto done;
    }
    out = rpc_wire_unpack(response, md->output);
    if (out == NULL)
        err_set(&s->err, ERR_INTERNAL, "malformed reply from %s", path);
done:
    if (error_string)
        gpr_free((void *)error_string);
    grpc_slice_unref(details);
    grpc_metadata_array_destroy(&initial);
    grpc_metadata_array_destroy(&trailing);
    if (response)
        grpc_byte_buffer_destroy(response);
    grpc_byte_buffer_destroy(request);
    grpc_slice_unref(md_auth.value);
    grpc_call_unref(call);
    grpc_completion_queue_shutdown(cq);
    grpc_completion_queue_destroy(cq);
    return out;
}

static void stub_invoke(ProtobufCService *service, unsigned method_index, const ProtobufCMessage *input,
                        ProtobufCClosure closure, void *closure_data)
{
    struct rpc_stub *s = (struct rpc_stub *)service;
    closure(stub_unary(s, &service->descriptor->methods[method_index], input), closure_data);
}

static void stub_destroy(ProtobufCService *service)
{
    (void)service; /* stubs live on the caller's stack */
}

void rpc_stub_init(struct rpc_stub *s, struct rpc_client *client, const ProtobufCServiceDescriptor *desc,
                   const struct call *on_behalf)
{
    memset(s, 0, sizeof *s);
    s->base.descriptor = desc;
    s->base.invoke = stub_invoke;
    s->base.destroy = stub_destroy;
    s->client = client;
    s->deadline_ms = now_ms() + client->timeout_ms;
    if (on_behalf) {
        s->authorization = on_behalf->authorization;
        s->parent = on_behalf->grpc_call;
        if (on_behalf->deadline_ms < s->deadline_ms)
            s->deadline_ms = on_behalf->deadline_ms;
    }
}

void rpc_take_reply(const ProtobufCMessage *reply, void *data)
{
    *(ProtobufCMessage **)data = (ProtobufCMessage *)reply;
}

int rpc_call(struct rpc_stub *s, const char *name, const ProtobufCMessage *req, ProtobufCMessage **reply,
             struct err *e)
{
    const ProtobufCMethodDescriptor *md = protobuf_c_service_descriptor_get_method_by_name(s->base.descriptor, name);
    if (md == NULL)
        return err_set(e, ERR_INTERNAL, "%s has no method %s", s->base.descriptor->name, name);
    *reply = stub_unary(s, md, req);
    *e = s->err; /* ERR_OK on success, so callers may read e->code either way */
    return *reply == NULL ? -1 : 0;
}
