/* test_pbjson.c: the proto3 JSON codec (common/pbjson.c): round trips of every message type of
 * proto/ from generated samples, every scalar type through a hand-built descriptor, and each
 * rejection naming its field. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "grpc/health/v1/health.pb-c.h"
#include "pbjson.h"
#include "unic/catalog/v1/catalog.pb-c.h"
#include "unic/matching/v1/matching.pb-c.h"
#include "unic/responses/v1/responses.pb-c.h"
#include "unic/scoring/v1/scoring.pb-c.h"

/* ---- Every message type reachable from the services' descriptors ---- */

#define MAX_TYPES 256
static const ProtobufCMessageDescriptor *types[MAX_TYPES];
static size_t n_types;

static void collect(const ProtobufCMessageDescriptor *d)
{
    for (size_t i = 0; i < n_types; i++)
        if (types[i] == d)
            return;
    assert_true(n_types < MAX_TYPES);
    types[n_types++] = d;
    for (unsigned i = 0; i < d->n_fields; i++)
        if (d->fields[i].type == PROTOBUF_C_TYPE_MESSAGE)
            collect(d->fields[i].descriptor);
}

static void collect_all(void)
{
    static const ProtobufCServiceDescriptor *const services[] = {
        &grpc__health__v1__health__descriptor,
        &unic__catalog__v1__catalog_service__descriptor,
        &unic__responses__v1__response_service__descriptor,
        &unic__scoring__v1__scoring_service__descriptor,
        &unic__matching__v1__matching_service__descriptor,
    };
    n_types = 0;
    for (size_t s = 0; s < sizeof services / sizeof services[0]; s++)
        for (unsigned m = 0; m < services[s]->n_methods; m++) {
            collect(services[s]->methods[m].input);
            collect(services[s]->methods[m].output);
        }
}

/* Counts `message Name {` declarations in the .proto files, nested ones included. */
static size_t count_proto_messages(void)
{
    static const char *const files[] = {
        "grpc/health/v1/health.proto", "unic/common/v1/common.proto",
        "unic/catalog/v1/catalog.proto", "unic/responses/v1/responses.proto",
        "unic/scoring/v1/scoring.proto", "unic/matching/v1/matching.proto",
    };
    size_t count = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024], line[1024];
        snprintf(path, sizeof path, "%s/%s", UNIC_PROTO_DIR, files[i]);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        while (fgets(line, sizeof line, f)) {
            char name[128];
            if (sscanf(line, " message %127[A-Za-z0-9_] {", name) == 1)
                count++;
        }
        fclose(f);
    }
    return count;
}

/* ---- Canonical samples: every field set (one member per oneof), as the codec writes them ---- */

static const char *const sample_strings[] = {
    "Kenya", "Côte d'Ivoire – «test» \"quoted\" back\\slash", "line\nbreak\ttab", "中文 العربية русский",
};

static json_t *sample(const ProtobufCMessageDescriptor *d, unsigned variant, int depth);

static json_t *sample_value(const ProtobufCFieldDescriptor *f, unsigned variant, int depth)
{
    static const int32_t i32s[] = {42, -7, INT32_MAX, INT32_MIN};
    static const char *const i64s[] = {"9007199254740993", "-9223372036854775808",
                                       "9223372036854775807", "-1"};
    static const double doubles[] = {0.1, -2.5e-300, 1e21, 70.25};
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32: return json_integer(i32s[variant % 4]);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32: return json_integer(variant % 2 ? 4294967295LL : 17);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64: return json_string(i64s[variant % 4]);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return json_string(variant % 2 ? "18446744073709551615" : "12");
    case PROTOBUF_C_TYPE_FLOAT: return json_real(variant % 2 ? 0.5 : 1.25);
    case PROTOBUF_C_TYPE_DOUBLE: return json_real(doubles[variant % 4]);
    case PROTOBUF_C_TYPE_BOOL: return json_true();
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *ed = f->descriptor;
        assert_true(ed->n_values > 1);
        return json_string(ed->values[1 + variant % (ed->n_values - 1)].name);
    }
    case PROTOBUF_C_TYPE_STRING: return json_string(sample_strings[variant % 4]);
    case PROTOBUF_C_TYPE_BYTES: return json_string(variant % 2 ? "AAEC/w==" : "+/8=");
    case PROTOBUF_C_TYPE_MESSAGE:
        return depth >= 4 ? json_object() : sample(f->descriptor, variant + 1, depth + 1);
    }
    return json_null();
}

/* Which member of the oneof at `offset` is set in this variant. */
static bool oneof_pick(const ProtobufCMessageDescriptor *d, unsigned field, unsigned variant)
{
    unsigned members = 0, position = 0;
    for (unsigned i = 0; i < d->n_fields; i++) {
        if ((d->fields[i].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            d->fields[i].quantifier_offset == d->fields[field].quantifier_offset) {
            if (i == field)
                position = members;
            members++;
        }
    }
    return variant % members == position;
}

static json_t *sample(const ProtobufCMessageDescriptor *d, unsigned variant, int depth)
{
    json_t *o = json_object();
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && !oneof_pick(d, i, variant))
            continue;
        char name[128];
        pbjson_json_name(f->name, name, sizeof name);
        json_t *v;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            v = json_array();
            json_array_append_new(v, sample_value(f, variant, depth));
            json_array_append_new(v, sample_value(f, variant + 1, depth));
        } else {
            v = sample_value(f, variant + i, depth);
        }
        json_object_set_new(o, name, v);
    }
    return o;
}

/* JSON equality where numbers compare by value (70.0 written as 70 reads back an integer). */
static bool same_json(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    if (json_typeof(a) != json_typeof(b))
        return false;
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)a, k, v) {
            const json_t *w = json_object_get(b, k);
            if (w == NULL || !same_json(v, w))
                return false;
        }
        return true;
    }
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same_json(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

/* JSON -> binary -> JSON must give the original; protobuf-c must read the bytes and pack them
 * back to the same bytes (our wire output is canonical). */
static void round_trip(const ProtobufCMessageDescriptor *d, const json_t *original)
{
    char *text = json_dumps(original, JSON_COMPACT);
    assert_non_null(text);
    struct err e = {0};
    uint8_t *bin = NULL;
    size_t bin_len = 0;
    if (pbjson_to_binary(d, text, strlen(text), &bin, &bin_len, &e) < 0)
        fail_msg("%s: %s\n%s", d->name, e.msg, text);

    ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, bin_len, bin);
    assert_non_null(m);
    size_t packed_len = protobuf_c_message_get_packed_size(m);
    uint8_t *packed = malloc(packed_len + 1);
    protobuf_c_message_pack(m, packed);
    assert_int_equal(packed_len, bin_len);
    assert_memory_equal(packed, bin, bin_len);

    char *back = NULL;
    size_t back_len = 0;
    assert_int_equal(pbjson_from_binary(d, packed, packed_len, false, &back, &back_len, &e), 0);
    json_error_t jerr;
    json_t *parsed = json_loadb(back, back_len, 0, &jerr);
    if (parsed == NULL || !same_json(original, parsed))
        fail_msg("%s: round trip differs\nin:  %s\nout: %s", d->name, text, back);

    json_decref(parsed);
    free(back);
    free(packed);
    protobuf_c_message_free_unpacked(m, NULL);
    free(bin);
    free(text);
}

static void test_every_message_type_of_proto_round_trips(void **state)
{
    (void)state;
    collect_all();
    /* every message declared in proto/ is reachable from some RPC, so this covers them all */
    assert_int_equal(n_types, count_proto_messages());
    for (size_t t = 0; t < n_types; t++)
        for (unsigned variant = 0; variant < 4; variant++) {
            json_t *s = sample(types[t], variant, 0);
            round_trip(types[t], s);
            json_decref(s);
        }
}

static void test_empty_message_is_an_empty_object(void **state)
{
    (void)state;
    collect_all();
    for (size_t t = 0; t < n_types; t++) {
        json_t *o = json_object();
        round_trip(types[t], o);
        json_decref(o);
    }
}

/* ---- A hand-built descriptor with every scalar type the .proto files do not use ---- */

typedef struct Kitchen Kitchen;
struct Kitchen {
    ProtobufCMessage base;
    int32_t small_int;
    int64_t big_int;
    uint32_t small_uint;
    uint64_t big_uint;
    int32_t zig32;
    int64_t zig64;
    uint32_t fix32;
    uint64_t fix64;
    int32_t sfix32;
    int64_t sfix64;
    float ratio;
    double amount;
    protobuf_c_boolean flag;
    char *label;
    ProtobufCBinaryData blob;
    int kind;
    size_t n_counts;
    int32_t *counts;
    size_t n_words;
    char **words;
    Kitchen *child;
    uint32_t pick_case;
    union {
        int64_t pick_number;
        char *pick_text;
    };
};

extern const ProtobufCMessageDescriptor kitchen_descriptor;

#define KF(name_, id_, label_, type_, member, desc_, flags_)                                      \
    {name_, id_, PROTOBUF_C_LABEL_##label_, PROTOBUF_C_TYPE_##type_, 0, offsetof(Kitchen, member), \
     desc_, NULL, flags_, 0, NULL, NULL}
/* proto3 strings default to protobuf-c's shared empty string, which it never frees */
#define KS(name_, id_, member)                                                                    \
    {name_, id_, PROTOBUF_C_LABEL_NONE, PROTOBUF_C_TYPE_STRING, 0, offsetof(Kitchen, member), NULL, \
     &protobuf_c_empty_string, 0, 0, NULL, NULL}
#define KQ(name_, id_, label_, type_, quant, member, desc_, flags_)                               \
    {name_, id_, PROTOBUF_C_LABEL_##label_, PROTOBUF_C_TYPE_##type_, offsetof(Kitchen, quant),     \
     offsetof(Kitchen, member), desc_, NULL, flags_, 0, NULL, NULL}

static const ProtobufCFieldDescriptor kitchen_fields[] = {
    KF("small_int", 1, NONE, INT32, small_int, NULL, 0),
    KF("big_int", 2, NONE, INT64, big_int, NULL, 0),
    KF("small_uint", 3, NONE, UINT32, small_uint, NULL, 0),
    KF("big_uint", 4, NONE, UINT64, big_uint, NULL, 0),
    KF("zig32", 5, NONE, SINT32, zig32, NULL, 0),
    KF("zig64", 6, NONE, SINT64, zig64, NULL, 0),
    KF("fix32", 7, NONE, FIXED32, fix32, NULL, 0),
    KF("fix64", 8, NONE, FIXED64, fix64, NULL, 0),
    KF("sfix32", 9, NONE, SFIXED32, sfix32, NULL, 0),
    KF("sfix64", 10, NONE, SFIXED64, sfix64, NULL, 0),
    KF("ratio", 11, NONE, FLOAT, ratio, NULL, 0),
    KF("amount", 12, NONE, DOUBLE, amount, NULL, 0),
    KF("flag", 13, NONE, BOOL, flag, NULL, 0),
    KS("label", 14, label),
    KF("blob", 15, NONE, BYTES, blob, NULL, 0),
    KF("kind", 16, NONE, ENUM, kind, &unic__common__v1__support_kind__descriptor, 0),
    KQ("counts", 17, REPEATED, INT32, n_counts, counts, NULL, PROTOBUF_C_FIELD_FLAG_PACKED),
    KQ("words", 18, REPEATED, STRING, n_words, words, NULL, 0),
    KF("child", 19, NONE, MESSAGE, child, &kitchen_descriptor, 0),
    KQ("pick_number", 20, NONE, INT64, pick_case, pick_number, NULL, PROTOBUF_C_FIELD_FLAG_ONEOF),
    KQ("pick_text", 21, NONE, STRING, pick_case, pick_text, NULL, PROTOBUF_C_FIELD_FLAG_ONEOF),
};
static const unsigned kitchen_by_name[] = {11, 1, 3, 14, 18, 16, 6, 7, 12, 15, 13,
                                           19, 20, 10, 8, 9, 0, 2, 17, 4, 5};
static const ProtobufCIntRange kitchen_ranges[] = {{1, 0}, {0, 21}};

static void kitchen_init_message(ProtobufCMessage *m)
{
    Kitchen *k = (Kitchen *)m;
    memset(k, 0, sizeof *k);
    k->base.descriptor = &kitchen_descriptor;
    k->label = (char *)protobuf_c_empty_string;
}

const ProtobufCMessageDescriptor kitchen_descriptor = {
    PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC, "test.Kitchen", "Kitchen", "test_Kitchen", "test",
    sizeof(Kitchen), 21, kitchen_fields, kitchen_by_name, 1, kitchen_ranges,
    kitchen_init_message, NULL, NULL, NULL};

static void test_every_scalar_type_round_trips(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "{\"smallInt\":-2147483648,\"bigInt\":\"-9223372036854775808\",\"smallUint\":4294967295,"
        "\"bigUint\":\"18446744073709551615\",\"zig32\":-5,\"zig64\":\"-6\",\"fix32\":7,"
        "\"fix64\":\"8\",\"sfix32\":-9,\"sfix64\":\"-10\",\"ratio\":0.1,\"amount\":-1.5e-300,"
        "\"flag\":true,\"label\":\"é\\u0001\",\"blob\":\"AAEC/w==\",\"kind\":\"TRAINING\","
        "\"counts\":[1,-2,300000],\"words\":[\"a\",\"\"],\"child\":{\"child\":{}},\"pickNumber\":\"0\"}",
        "{\"amount\":\"NaN\",\"ratio\":\"-Infinity\",\"pickText\":\"\"}",
        "{\"amount\":\"Infinity\",\"kind\":7,\"child\":{\"smallInt\":1}}",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_error_t jerr;
        json_t *o = json_loads(cases[i], 0, &jerr);
        assert_non_null(o);
        round_trip(&kitchen_descriptor, o);
        json_decref(o);
    }
}

/* Decodes `json` as a Kitchen into *k (freed by the caller with free_unpacked), or fails. */
static Kitchen *kitchen_from(const char *json)
{
    struct err e = {0};
    uint8_t *bin;
    size_t len;
    if (pbjson_to_binary(&kitchen_descriptor, json, strlen(json), &bin, &len, &e) < 0)
        fail_msg("%s: %s", json, e.msg);
    Kitchen *k = (Kitchen *)protobuf_c_message_unpack(&kitchen_descriptor, NULL, len, bin);
    free(bin);
    assert_non_null(k);
    return k;
}

static void test_other_spellings_are_accepted_in(void **state)
{
    (void)state;
    Kitchen *k = kitchen_from("{\"small_int\":\"12\",\"big_int\":-3,\"big_uint\":5,\"zig64\":1e3,"
                              "\"kind\":2,\"blob\":\"AAEC_w\",\"ratio\":\"2.5\",\"amount\":\"-1e2\","
                              "\"pick_text\":\"x\",\"label\":null,\"words\":null,\"child\":null}");
    assert_int_equal(k->small_int, 12);
    assert_int_equal(k->big_int, -3);
    assert_int_equal(k->big_uint, 5);
    assert_int_equal(k->zig64, 1000);
    assert_int_equal(k->kind, UNIC__COMMON__V1__SUPPORT_KIND__FUNDS);
    assert_int_equal(k->blob.len, 4);
    assert_int_equal(k->blob.data[3], 0xff);
    assert_true(k->ratio == 2.5f);
    assert_true(k->amount == -100.0);
    assert_int_equal(k->pick_case, 21);
    assert_string_equal(k->pick_text, "x");
    assert_int_equal(k->n_words, 0);
    assert_null(k->child);
    protobuf_c_message_free_unpacked(&k->base, NULL);
}

static void test_defaults_are_omitted_unless_asked(void **state)
{
    (void)state;
    Kitchen k;
    kitchen_init_message(&k.base);
    char *out;
    size_t len;
    pbjson_from_message(&k.base, false, &out, &len);
    assert_string_equal(out, "{}");
    free(out);
    pbjson_from_message(&k.base, true, &out, &len);
    assert_string_equal(out,
                        "{\"smallInt\":0,\"bigInt\":\"0\",\"smallUint\":0,\"bigUint\":\"0\",\"zig32\":0,"
                        "\"zig64\":\"0\",\"fix32\":0,\"fix64\":\"0\",\"sfix32\":0,\"sfix64\":\"0\","
                        "\"ratio\":0,\"amount\":0,\"flag\":false,\"label\":\"\",\"blob\":\"\","
                        "\"kind\":\"SUPPORT_KIND_UNSPECIFIED\",\"counts\":[],\"words\":[]}");
    free(out);
    /* a oneof member at its default is still written: it is set */
    k.pick_case = 20;
    k.pick_number = 0;
    pbjson_from_message(&k.base, false, &out, &len);
    assert_string_equal(out, "{\"pickNumber\":\"0\"}");
    free(out);
}

static void test_invalid_utf8_from_the_wire_is_replaced(void **state)
{
    (void)state;
    Kitchen k;
    kitchen_init_message(&k.base);
    char bad[] = {'o', 'k', (char)0xff, (char)0xc3, 0};
    k.label = bad;
    char *out;
    size_t len;
    pbjson_from_message(&k.base, false, &out, &len);
    assert_string_equal(out, "{\"label\":\"ok\\ufffd\\ufffd\"}");
    free(out);
}

/* Escapes between and around runs of plain text, and multi-byte characters kept as they are. */
static void test_escapes_inside_runs_of_text(void **state)
{
    (void)state;
    Kitchen k;
    kitchen_init_message(&k.base);
    char text[] = "say \"hi\"\\ now\n\tthen\r\x7f\x1f" "\xd9\x85\xd8\xb1 \xe4\xb8\xad\xf0\x9f\x98\x80";
    k.label = text;
    k.small_int = -7;
    char *out;
    size_t len;
    pbjson_from_message(&k.base, false, &out, &len);
    assert_string_equal(out, "{\"smallInt\":-7,\"label\":\"say \\\"hi\\\"\\\\ now\\n\\tthen\\r\\u007f\\u001f"
                             "\xd9\x85\xd8\xb1 \xe4\xb8\xad\xf0\x9f\x98\x80\"}");
    assert_int_equal(len, strlen(out));
    free(out);
}

static void test_bytes_that_are_no_message_are_rejected(void **state)
{
    (void)state;
    struct err e = {0};
    char *out = NULL;
    size_t len;
    const uint8_t junk[] = {0x0a, 0x7f, 0x01};
    assert_int_equal(pbjson_from_binary(&kitchen_descriptor, junk, sizeof junk, false, &out, &len, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(e.msg, "test.Kitchen"));
    assert_null(out);
}

/* ---- Rejections: each names the field and what is wrong ---- */

static void expect_rejected(const ProtobufCMessageDescriptor *d, const char *json, const char *needle)
{
    struct err e = {0};
    uint8_t *bin = NULL;
    size_t len = 0;
    if (pbjson_to_binary(d, json, strlen(json), &bin, &len, &e) == 0)
        fail_msg("accepted: %s", json);
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    if (strstr(e.msg, needle) == NULL)
        fail_msg("%s: message \"%s\" lacks \"%s\"", json, e.msg, needle);
    assert_null(bin);
}

static void test_each_bad_input_is_rejected_naming_the_field(void **state)
{
    (void)state;
    static const struct {
        const char *json, *needle;
    } cases[] = {
        {"{\"nope\":1}", "field \"nope\" is not a field of test.Kitchen"},
        {"{\"child\":{\"child\":{\"nope\":1}}}", "field \"child.child.nope\" is not a field"},
        {"{\"smallInt\":2147483648}", "field \"smallInt\": 2147483648 is out of range"},
        {"{\"smallInt\":1.5}", "field \"smallInt\": 1.5 is not an integer"},
        {"{\"smallInt\":\"12a\"}", "field \"smallInt\": \"12a\" is not an integer"},
        {"{\"smallInt\":\" 12\"}", "\" 12\" is not an integer"},
        {"{\"smallInt\":true}", "expected an integer, got a boolean"},
        {"{\"bigInt\":\"9223372036854775808\"}", "field \"bigInt\""},
        {"{\"bigInt\":\"-9223372036854775809\"}", "field \"bigInt\""},
        {"{\"smallUint\":-1}", "field \"smallUint\": -1 is out of range"},
        {"{\"bigUint\":\"-1\"}", "field \"bigUint\""},
        {"{\"bigUint\":\"18446744073709551616\"}", "field \"bigUint\""},
        {"{\"ratio\":1e39}", "field \"ratio\": 1e+39 is out of range for a float"},
        {"{\"amount\":\"inf\"}", "field \"amount\": \"inf\" is not a number"},
        {"{\"amount\":\"0x10\"}", "\"0x10\" is not a number"},
        {"{\"amount\":[]}", "expected a number, got an array"},
        {"{\"flag\":\"true\"}", "field \"flag\": expected true or false, got a string"},
        {"{\"label\":5}", "field \"label\": expected a string, got an integer"},
        {"{\"blob\":\"!!!!\"}", "field \"blob\": not valid base64"},
        {"{\"blob\":\"A\"}", "field \"blob\": not valid base64"},
        {"{\"kind\":\"BOOKS\"}",
         "\"BOOKS\" is not a value of unic.common.v1.SupportKind (valid values: "
         "SUPPORT_KIND_UNSPECIFIED, EXPERTISE, FUNDS, EQUIPMENT, TRAINING)"},
        {"{\"kind\":{}}", "field \"kind\": expected the name of a unic.common.v1.SupportKind value"},
        {"{\"counts\":5}", "field \"counts\": expected an array, got an integer"},
        {"{\"counts\":[1,null]}", "field \"counts[1]\": null is not allowed in a list"},
        {"{\"words\":[\"a\",3]}", "field \"words[1]\": expected a string"},
        {"{\"child\":[]}", "field \"child\": expected an object (test.Kitchen), got an array"},
        {"{\"pickNumber\":\"1\",\"pickText\":\"a\"}", "only one of them may be set"},
        {"{\"small_int\":1,\"smallInt\":2}", "field \"smallInt\": given twice"},
        {"{\"label\":\"a\",\"label\":\"b\"}", "duplicate object key"},
        {"{\"label\":\"nul\\u0000\"}", "could not parse the test.Kitchen as JSON"},
        {"{\"label\":\"\xc3\x28\"}", "could not parse the test.Kitchen as JSON"},
        {"{\"label\":", "could not parse the test.Kitchen as JSON"},
        {"[]", "a test.Kitchen must be a JSON object, not an array"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_rejected(&kitchen_descriptor, cases[i].json, cases[i].needle);
}

static void test_nesting_past_the_limit_is_rejected(void **state)
{
    (void)state;
    char json[4096] = "";
    for (int i = 0; i < PBJSON_MAX_DEPTH + 2; i++)
        strcat(json, "{\"child\":");
    strcat(json, "{}");
    for (int i = 0; i < PBJSON_MAX_DEPTH + 2; i++)
        strcat(json, "}");
    expect_rejected(&kitchen_descriptor, json, "nested more than 32 deep");
}

static void test_real_messages_name_nested_fields(void **state)
{
    (void)state;
    const ProtobufCMessageDescriptor *save = &unic__responses__v1__save_answers_request__descriptor;
    expect_rejected(save, "{\"assessmentId\":\"a\",\"answers\":[{\"questionId\":\"q1\"},{\"levl\":3}]}",
                    "field \"answers[1].levl\" is not a field of unic.responses.v1.Answer");
    expect_rejected(save, "{\"answers\":[{\"level\":3,\"targetLevel\":\"x\"}]}",
                    "field \"answers[0].targetLevel\": \"x\" is not an integer");

    /* both spellings in, lowerCamelCase out */
    const ProtobufCMessageDescriptor *get = &unic__catalog__v1__get_questionnaire_request__descriptor;
    const char *in = "{\"questionnaire_id\":\"cip-self-assessment\",\"locale\":\"fr\"}";
    struct err e = {0};
    uint8_t *bin;
    size_t len;
    assert_int_equal(pbjson_to_binary(get, in, strlen(in), &bin, &len, &e), 0);
    char *out;
    size_t out_len;
    assert_int_equal(pbjson_from_binary(get, bin, len, false, &out, &out_len, &e), 0);
    assert_string_equal(out, "{\"questionnaireId\":\"cip-self-assessment\",\"locale\":\"fr\"}");
    free(out);
    free(bin);

    /* a oneof member set to its default stays set: level 0 is an answer, absence is none */
    const char *answer = "{\"answers\":[{\"questionId\":\"q1\",\"level\":0}]}";
    assert_int_equal(pbjson_to_binary(save, answer, strlen(answer), &bin, &len, &e), 0);
    Unic__Responses__V1__SaveAnswersRequest *r =
        unic__responses__v1__save_answers_request__unpack(NULL, len, bin);
    assert_non_null(r);
    assert_int_equal(r->n_answers, 1);
    assert_int_equal(r->answers[0]->level_value_case, UNIC__RESPONSES__V1__ANSWER__LEVEL_VALUE_LEVEL);
    unic__responses__v1__save_answers_request__free_unpacked(r, NULL);
    free(bin);
}

static void test_json_names(void **state)
{
    (void)state;
    char buf[64];
    pbjson_json_name("questionnaire_id", buf, sizeof buf);
    assert_string_equal(buf, "questionnaireId");
    pbjson_json_name("n_2_x", buf, sizeof buf);
    assert_string_equal(buf, "n2X");
    pbjson_json_name("plain", buf, sizeof buf);
    assert_string_equal(buf, "plain");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_message_type_of_proto_round_trips),
        cmocka_unit_test(test_empty_message_is_an_empty_object),
        cmocka_unit_test(test_every_scalar_type_round_trips),
        cmocka_unit_test(test_other_spellings_are_accepted_in),
        cmocka_unit_test(test_defaults_are_omitted_unless_asked),
        cmocka_unit_test(test_invalid_utf8_from_the_wire_is_replaced),
        cmocka_unit_test(test_escapes_inside_runs_of_text),
        cmocka_unit_test(test_bytes_that_are_no_message_are_rejected),
        cmocka_unit_test(test_each_bad_input_is_rejected_naming_the_field),
        cmocka_unit_test(test_nesting_past_the_limit_is_rejected),
        cmocka_unit_test(test_real_messages_name_nested_fields),
        cmocka_unit_test(test_json_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
