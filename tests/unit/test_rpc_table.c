/* test_rpc_table.c: the method table is the contract: a row that names no method of the service,
 * a method with no row, or a handler of the wrong types stops start-up with a message naming them.
 * Uses grpc.health.v1.Health cut to its unary method, Check, as the service. No I/O: rpc_server_new checks the
 * table before it starts gRPC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "grpc/health/v1/health.pb-c.h"
#include "rpc.h"
#include "unic/catalog/v1/catalog.pb-c.h"

typedef Grpc__Health__V1__HealthCheckRequest CheckRequest;
typedef Grpc__Health__V1__HealthCheckResponse CheckResponse;

static int check(struct call *c, const CheckRequest *req, CheckResponse **out, struct err *e)
{
    (void)c;
    (void)req;
    (void)out;
    return err_set(e, ERR_UNIMPLEMENTED, "not served by this test");
}
RPC_HANDLER(check, CheckRequest, CheckResponse);

/* A handler written for another method's messages. */
static int list_states(struct call *c, const Unic__Catalog__V1__ListStatesRequest *req,
                       Unic__Catalog__V1__ListStatesResponse **out, struct err *e)
{
    (void)c;
    (void)req;
    (void)out;
    return err_set(e, ERR_UNIMPLEMENTED, "not served by this test");
}
RPC_HANDLER(list_states, Unic__Catalog__V1__ListStatesRequest, Unic__Catalog__V1__ListStatesResponse);

/* Health without Watch (a stream): its methods are sorted by name, so the first is Check. */
static ProtobufCServiceDescriptor health_check_only;

static struct rpc_service service_of(const struct rpc_method *rows, size_t n)
{
    health_check_only = grpc__health__v1__health__descriptor;
    health_check_only.n_methods = 1;
    assert_string_equal(health_check_only.methods[0].name, "Check");
    return (struct rpc_service){&health_check_only, rows, n};
}

static void test_table_matching_the_descriptor_is_accepted(void **state)
{
    (void)state;
    static const struct rpc_method rows[] = {RPC_ROW("Check", check, RPC_ANY_ROLE, RPC_READS)};
    struct rpc_service svc = service_of(rows, 1);
    struct err e;
    err_clear(&e);
    assert_int_equal(rpc_service_check(&svc, &e), 0);
}

static void test_misspelled_row_stops_start_up_naming_row_and_method(void **state)
{
    (void)state;
    static const struct rpc_method rows[] = {RPC_ROW("Chek", check, RPC_ANY_ROLE, RPC_READS)};
    struct rpc_service svc = service_of(rows, 1);
    struct config cfg;
    struct auth auth;
    struct err e;
    memset(&cfg, 0, sizeof cfg);
    memset(&auth, 0, sizeof auth);
    err_clear(&e);
    assert_null(rpc_server_new(&cfg, &svc, &auth, NULL, &e));
    assert_string_equal(e.msg, "method table of grpc.health.v1.Health: row \"Chek\" names no method "
                               "of the service; methods with no row: Check");
    struct err again;
    assert_int_equal(rpc_service_check(&svc, &again), -1);
    assert_string_equal(again.msg, e.msg);
}

static void test_method_without_row_stops_start_up(void **state)
{
    (void)state;
    struct rpc_service svc = service_of(NULL, 0);
    struct err e;
    assert_int_equal(rpc_service_check(&svc, &e), -1);
    assert_string_equal(e.msg, "method table of grpc.health.v1.Health: methods with no row: Check");
}

static void test_handler_of_other_messages_stops_start_up(void **state)
{
    (void)state;
    static const struct rpc_method rows[] = {RPC_ROW("Check", list_states, RPC_ANY_ROLE, RPC_READS)};
    struct rpc_service svc = service_of(rows, 1);
    struct err e;
    assert_int_equal(rpc_service_check(&svc, &e), -1);
    assert_non_null(strstr(e.msg, "the handler of Check does not take grpc.health.v1.HealthCheckRequest"));
}

static void test_two_rows_for_one_method_stop_start_up(void **state)
{
    (void)state;
    static const struct rpc_method rows[] = {RPC_ROW("Check", check, RPC_ANY_ROLE, RPC_READS),
                                             RPC_ROW("Check", check, RPC_OPERATOR, RPC_READS)};
    struct rpc_service svc = service_of(rows, 2);
    struct err e;
    assert_int_equal(rpc_service_check(&svc, &e), -1);
    assert_non_null(strstr(e.msg, "method Check has two rows"));
}

static void test_row_admitting_no_role_stops_start_up(void **state)
{
    (void)state;
    static const struct rpc_method rows[] = {RPC_ROW("Check", check, 0, RPC_READS)};
    struct rpc_service svc = service_of(rows, 1);
    struct err e;
    assert_int_equal(rpc_service_check(&svc, &e), -1);
    assert_non_null(strstr(e.msg, "row Check admits no role"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_matching_the_descriptor_is_accepted),
        cmocka_unit_test(test_misspelled_row_stops_start_up_naming_row_and_method),
        cmocka_unit_test(test_method_without_row_stops_start_up),
        cmocka_unit_test(test_handler_of_other_messages_stops_start_up),
        cmocka_unit_test(test_two_rows_for_one_method_stop_start_up),
        cmocka_unit_test(test_row_admitting_no_role_stops_start_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
