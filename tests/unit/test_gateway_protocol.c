/* test_gateway_protocol.c: the gateway's pure rules (services/gateway/protocol.c, routes.c,
 * site.c): Connect codes and statuses, timeouts, gRPC-Web frames, negotiation, the route table
 * built from the descriptors, and which URL paths reach which static file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gateway.h"
#include "unic/admin/v1/admin.pb-c.h"
#include "unic/catalog/v1/directory.pb-c.h"
#include "unic/catalog/v1/notifications.pb-c.h"
#include "unic/catalog/v1/practices.pb-c.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "unic/matching/v1/matching.pb-c.h"
#include "unic/responses/v1/responses.pb-c.h"
#include "unic/scoring/v1/scoring.pb-c.h"

static void test_connect_codes_and_http_statuses(void **state)
{
    (void)state;
    static const struct {
        int code;
        const char *name;
        int http;
    } table[] = {
        {ERR_CANCELLED, "canceled", 499},          {ERR_UNKNOWN, "unknown", 500},
        {ERR_INVALID_ARGUMENT, "invalid_argument", 400}, {ERR_DEADLINE_EXCEEDED, "deadline_exceeded", 504},
        {ERR_NOT_FOUND, "not_found", 404},         {ERR_ALREADY_EXISTS, "already_exists", 409},
        {ERR_PERMISSION_DENIED, "permission_denied", 403}, {ERR_RESOURCE_EXHAUSTED, "resource_exhausted", 429},
        {ERR_FAILED_PRECONDITION, "failed_precondition", 412}, {ERR_ABORTED, "aborted", 409},
        {ERR_OUT_OF_RANGE, "out_of_range", 400},   {ERR_UNIMPLEMENTED, "unimplemented", 501},
        {ERR_INTERNAL, "internal", 500},           {ERR_UNAVAILABLE, "unavailable", 503},
        {ERR_DATA_LOSS, "data_loss", 500},         {ERR_UNAUTHENTICATED, "unauthenticated", 401},
    };
    char name[32];
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        connect_code_name(table[i].code, name, sizeof name);
        assert_string_equal(name, table[i].name);
        assert_int_equal(connect_http_status(table[i].code), table[i].http);
    }
    connect_code_name(99, name, sizeof name);
    assert_string_equal(name, "unknown");
    struct bytes o = {0};
    connect_error_body(&o, ERR_NOT_FOUND, "no questionnaire \"x\"");
    bytes_putc(&o, '\0');
    assert_string_equal((char *)o.data, "{\"code\":\"not_found\",\"message\":\"no questionnaire \\\"x\\\"\"}");
    bytes_destroy(&o);
}

static void test_timeouts(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(connect_timeout_parse("2500", &ms), 0);
    assert_int_equal(ms, 2500);
    assert_int_equal(connect_timeout_parse("0", &ms), 0);
    assert_int_equal(ms, 1);
    assert_int_equal(connect_timeout_parse("12345678901", &ms), -1); /* 11 digits */
    assert_int_equal(connect_timeout_parse("-5", &ms), -1);
    assert_int_equal(connect_timeout_parse("", &ms), -1);
    assert_int_equal(grpc_timeout_parse("3S", &ms), 0);
    assert_int_equal(ms, 3000);
    assert_int_equal(grpc_timeout_parse("2M", &ms), 0);
    assert_int_equal(ms, 120000);
    assert_int_equal(grpc_timeout_parse("1H", &ms), 0);
    assert_int_equal(ms, 3600000);
    assert_int_equal(grpc_timeout_parse("250m", &ms), 0);
    assert_int_equal(ms, 250);
    assert_int_equal(grpc_timeout_parse("5000000u", &ms), 0);
    assert_int_equal(ms, 5000);
    assert_int_equal(grpc_timeout_parse("10n", &ms), 0);
    assert_int_equal(ms, 1);
    assert_int_equal(grpc_timeout_parse("123456789S", &ms), -1); /* 9 digits */
    assert_int_equal(grpc_timeout_parse("5s", &ms), -1);
    assert_int_equal(grpc_timeout_parse("S", &ms), -1);
}

static void test_grpc_web_frames(void **state)
{
    (void)state;
    struct err e = {0};
    const uint8_t *msg;
    size_t len;
    const uint8_t ok[] = {0, 0, 0, 0, 2, 0x0a, 0x00};
    assert_int_equal(grpcweb_unframe(ok, sizeof ok, &msg, &len, &e), 0);
    assert_int_equal(len, 2);
    assert_ptr_equal(msg, ok + 5);
    const uint8_t empty[] = {0, 0, 0, 0, 0};
    assert_int_equal(grpcweb_unframe(empty, sizeof empty, &msg, &len, &e), 0);
    assert_int_equal(len, 0);
    const uint8_t two[] = {0, 0, 0, 0, 1, 0x08, 0, 0, 0, 0, 0};
    assert_int_equal(grpcweb_unframe(two, sizeof two, &msg, &len, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    const uint8_t gz[] = {1, 0, 0, 0, 0};
    assert_int_equal(grpcweb_unframe(gz, sizeof gz, &msg, &len, &e), -1);
    assert_int_equal(e.code, ERR_UNIMPLEMENTED);
    assert_int_equal(grpcweb_unframe(ok, 3, &msg, &len, &e), -1);

    struct bytes o = {0};
    grpcweb_reply(&o, (const uint8_t *)"\x08\x01", 2, 0, NULL);
    static const char want[] = "\x00\x00\x00\x00\x02\x08\x01"
                               "\x80\x00\x00\x00\x1e" "grpc-status:0\r\ngrpc-message:\r\n";
    assert_int_equal(o.len, sizeof want - 1);
    assert_memory_equal(o.data, want, sizeof want - 1);
    bytes_destroy(&o);
    grpcweb_reply(&o, NULL, 0, ERR_NOT_FOUND, "no «x» 100%");
    static const char err_want[] = "grpc-status:5\r\ngrpc-message:no %C2%ABx%C2%BB 100%25\r\n";
    assert_int_equal(o.data[0], 0x80);
    assert_int_equal(o.len, 5 + sizeof err_want - 1);
    assert_memory_equal(o.data + 5, err_want, sizeof err_want - 1);
    bytes_destroy(&o);
}

static void test_negotiation(void **state)
{
    (void)state;
    assert_true(accepts_gzip("gzip, deflate, br"));
    assert_true(accepts_gzip("br;q=1.0, gzip;q=0.8"));
    assert_true(accepts_gzip("*"));
    assert_false(accepts_gzip("gzip;q=0"));
    assert_false(accepts_gzip("deflate, br"));
    assert_false(accepts_gzip("xgzip"));
    assert_false(accepts_gzip(NULL));
    assert_true(origin_allowed("https://a.example, https://b.example", "https://b.example"));
    assert_true(origin_allowed("https://a.example", "https://a.example"));
    assert_false(origin_allowed("https://a.example", "https://a.example.evil"));
    assert_false(origin_allowed("https://a.example.evil", "https://a.example"));
    assert_false(origin_allowed("", "https://a.example"));
    assert_false(origin_allowed("https://a.example", NULL));
}

static void test_every_method_of_the_four_services_has_a_route(void **state)
{
    (void)state;
    struct routes r;
    routes_init(&r);
    /* The four services, and AdminService, DirectoryService, PracticeService and NotificationService, beside the catalog on its port. */
    const struct {
        const ProtobufCServiceDescriptor *service;
        enum backend_id backend;
    } services[] = {
        {&unic__catalog__v1__catalog_service__descriptor, BACKEND_CATALOG},
        {&unic__responses__v1__response_service__descriptor, BACKEND_RESPONSES},
        {&unic__scoring__v1__scoring_service__descriptor, BACKEND_SCORING},
        {&unic__matching__v1__matching_service__descriptor, BACKEND_MATCHING},
        {&unic__admin__v1__admin_service__descriptor, BACKEND_CATALOG},
        {&unic__catalog__v1__directory_service__descriptor, BACKEND_CATALOG},
        {&unic__catalog__v1__practice_service__descriptor, BACKEND_CATALOG},
        {&unic__catalog__v1__notification_service__descriptor, BACKEND_CATALOG},
    };
    size_t total = 0;
    for (size_t s = 0; s < sizeof services / sizeof services[0]; s++) {
        const ProtobufCServiceDescriptor *d = services[s].service;
        for (unsigned m = 0; m < d->n_methods; m++, total++) {
            char path[256];
            snprintf(path, sizeof path, "/%s/%s", d->name, d->methods[m].name);
            const struct route *rt = routes_find(&r, path);
            assert_non_null(rt);
            assert_int_equal(rt->backend, services[s].backend);
            assert_ptr_equal(rt->method, &d->methods[m]);
            assert_true(routes_is_rpc_path(path));
        }
    }
    assert_int_equal(r.n, total);
    /* every method has its row in its service's table, and reads are exactly the RPC_READS rows */
    assert_int_equal(method_effects_count, total);
    for (size_t i = 0; i < method_effects_count; i++) {
        const struct route *rt = NULL;
        for (size_t k = 0; k < r.n && rt == NULL; k++)
            if (r.v[k].backend == method_effects[i].backend &&
                strcmp(r.v[k].method->name, method_effects[i].method) == 0)
                rt = &r.v[k];
        assert_non_null(rt);
        assert_int_equal(rt->read_only, !method_effects[i].writes);
    }
    assert_false(routes_find(&r, "/unic.admin.v1.AdminService/CreateKey")->read_only);
    assert_true(routes_find(&r, "/unic.admin.v1.AdminService/ListAuditEvents")->read_only);
    assert_true(routes_find(&r, "/unic.catalog.v1.CatalogService/WhoAmI")->read_only);
    assert_true(routes_find(&r, "/unic.catalog.v1.CatalogService/GetQuestionnaire")->read_only);
    assert_true(routes_find(&r, "/unic.matching.v1.MatchingService/ListOffers")->read_only);
    assert_false(routes_find(&r, "/unic.responses.v1.ResponseService/SaveAnswers")->read_only);
    assert_false(routes_find(&r, "/unic.matching.v1.MatchingService/ProposeMatches")->read_only);
    assert_null(routes_find(&r, "/unic.catalog.v1.CatalogService/Nope"));
    assert_null(routes_find(&r, "/grpc.health.v1.Health/Check"));
    assert_false(routes_is_rpc_path("/"));
    assert_false(routes_is_rpc_path("/assessments/KEN"));
    assert_false(routes_is_rpc_path("/style.css"));
    assert_false(routes_is_rpc_path("/a.b/C/d"));
    routes_destroy(&r);
}

static void test_static_paths(void **state)
{
    (void)state;
    struct site_file files[] = {
        {.path = "/app/main.js"}, {.path = "/docs/index.html"}, {.path = "/index.html"},
    };
    struct site s = {.files = files, .n = 3};
    assert_ptr_equal(site_find(&s, "/"), &files[2]);
    assert_ptr_equal(site_find(&s, "/app/main.js"), &files[0]);
    assert_ptr_equal(site_find(&s, "/docs/"), &files[1]);
    assert_ptr_equal(site_find(&s, "/assessments/KEN-2025"), &files[2]); /* a portal route */
    assert_null(site_find(&s, "/app/missing.js"));
    assert_null(site_find(&s, "/../etc/passwd"));
    assert_null(site_find(&s, "/app/../index.html"));
    assert_null(site_find(&s, "//index.html"));
    assert_null(site_find(&s, "/.git/config"));
    assert_null(site_find(&s, "relative"));
    assert_string_equal(site_content_type("/a/b.JS"), "text/javascript; charset=utf-8");
    assert_string_equal(site_content_type("/x.woff2"), "font/woff2");
    assert_string_equal(site_content_type("/x.svg"), "image/svg+xml");
    assert_string_equal(site_content_type("/noext"), "application/octet-stream");
    assert_string_equal(site_content_type("/dir.d/noext"), "application/octet-stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_codes_and_http_statuses),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_grpc_web_frames),
        cmocka_unit_test(test_negotiation),
        cmocka_unit_test(test_every_method_of_the_four_services_has_a_route),
        cmocka_unit_test(test_static_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
