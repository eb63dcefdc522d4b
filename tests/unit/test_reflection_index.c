/* test_reflection_index.c: unit tests of server reflection over the embedded descriptor set: listing
 * services, finding the file that declares a service, method, nested type or file name with the
 * files it imports, and the errors for what is not there. No I/O. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reflection.h"

static const char *const SERVICES[] = {"unic.catalog.v1.CatalogService", "grpc.health.v1.Health"};

static int setup(void **state)
{
    struct err e;
    *state = reflection_new(unic_descriptor_set, unic_descriptor_set_len, SERVICES, 2, &e);
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    reflection_free(*state);
    return 0;
}

/* Whether the serialized FileDescriptorProto starts with name = `name` (field 1, protoc writes
 * it first). */
static bool file_named(const ProtobufCBinaryData *f, const char *name)
{
    size_t n = strlen(name);
    return f->len > n + 2 && f->data[0] == 0x0a && f->data[1] == n && memcmp(f->data + 2, name, n) == 0;
}

static Grpc__Reflection__V1__ServerReflectionResponse *ask(void **state, struct arena *a, int which,
                                                           const char *what)
{
    Grpc__Reflection__V1__ServerReflectionRequest *req = ARENA_MSG(
        a, Grpc__Reflection__V1__ServerReflectionRequest,
        GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__INIT);
    req->message_request_case = which;
    req->file_by_filename = (char *)what; /* every case is a string in the same union */
    return reflection_answer(*state, req, a);
}

static void test_list_services_names_the_registered_services(void **state)
{
    struct arena a;
    arena_init(&a);
    Grpc__Reflection__V1__ServerReflectionResponse *r =
        ask(state, &a, GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_LIST_SERVICES, "*");
    assert_int_equal(r->message_response_case,
                     GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_LIST_SERVICES_RESPONSE);
    assert_int_equal(r->list_services_response->n_service, 2);
    assert_string_equal(r->list_services_response->service[0]->name, "unic.catalog.v1.CatalogService");
    assert_string_equal(r->list_services_response->service[1]->name, "grpc.health.v1.Health");
    assert_non_null(r->original_request);
    arena_destroy(&a);
}

static void assert_files(Grpc__Reflection__V1__ServerReflectionResponse *r, const char *first,
                         const char *also)
{
    assert_int_equal(r->message_response_case,
                     GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_FILE_DESCRIPTOR_RESPONSE);
    Grpc__Reflection__V1__FileDescriptorResponse *fd = r->file_descriptor_response;
    assert_true(fd->n_file_descriptor_proto >= 1);
    assert_true(file_named(&fd->file_descriptor_proto[0], first));
    bool found = also == NULL;
    for (size_t i = 0; i < fd->n_file_descriptor_proto; i++) {
        found = found || file_named(&fd->file_descriptor_proto[i], also);
        for (size_t k = 0; k < i; k++) /* each file once */
            assert_false(fd->file_descriptor_proto[k].data == fd->file_descriptor_proto[i].data);
    }
    assert_true(found);
}

static void test_symbol_finds_its_file_and_imports(void **state)
{
    struct arena a;
    arena_init(&a);
    const int sym = GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL;
    assert_files(ask(state, &a, sym, "unic.matching.v1.MatchingService"),
                 "unic/matching/v1/matching.proto", "unic/common/v1/common.proto");
    assert_files(ask(state, &a, sym, "unic.catalog.v1.CatalogService.GetQuestionnaire"),
                 "unic/catalog/v1/catalog.proto", NULL);
    assert_files(ask(state, &a, sym, ".grpc.health.v1.HealthCheckResponse.ServingStatus"),
                 "grpc/health/v1/health.proto", NULL);
    assert_files(ask(state, &a, sym, "grpc.reflection.v1alpha.ServerReflection"),
                 "grpc/reflection/v1alpha/reflection.proto", NULL);
    arena_destroy(&a);
}

static void test_file_by_name_brings_transitive_imports(void **state)
{
    struct arena a;
    arena_init(&a);
    /* scoring imports responses, which imports common */
    assert_files(ask(state, &a, GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_BY_FILENAME,
                     "unic/scoring/v1/scoring.proto"),
                 "unic/scoring/v1/scoring.proto", "unic/common/v1/common.proto");
    arena_destroy(&a);
}

static void test_unknown_names_get_not_found_naming_them(void **state)
{
    struct arena a;
    arena_init(&a);
    Grpc__Reflection__V1__ServerReflectionResponse *r = ask(
        state, &a, GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL,
        "unic.catalog.v1.Nope");
    assert_int_equal(r->message_response_case,
                     GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE);
    assert_int_equal(r->error_response->error_code, ERR_NOT_FOUND);
    assert_non_null(strstr(r->error_response->error_message, "\"unic.catalog.v1.Nope\""));
    r = ask(state, &a, GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST__NOT_SET, NULL);
    assert_int_equal(r->error_response->error_code, ERR_INVALID_ARGUMENT);
    arena_destroy(&a);
}

static void test_malformed_descriptor_set_is_refused(void **state)
{
    (void)state;
    static const uint8_t bad[] = {0x0a, 0x7f, 0x01}; /* a file of 127 bytes, 1 present */
    struct err e;
    assert_null(reflection_new(bad, sizeof bad, SERVICES, 2, &e));
    assert_non_null(strstr(e.msg, "descriptor set"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list_services_names_the_registered_services, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symbol_finds_its_file_and_imports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_by_name_brings_transitive_imports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_names_get_not_found_naming_them, setup, teardown),
        cmocka_unit_test(test_malformed_descriptor_set_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
