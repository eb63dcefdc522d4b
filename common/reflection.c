/* reflection.c: an index of the embedded FileDescriptorSet (file names, the files each imports,
 * and the fully-qualified symbols each declares) and the answers of the reflection protocol.
 * descriptor.proto is not compiled into the suite, so the few fields needed are read off the
 * wire format directly: FileDescriptorSet.file = 1; FileDescriptorProto name = 1, package = 2,
 * dependency = 3, message_type = 4, enum_type = 5, service = 6; DescriptorProto name = 1,
 * nested_type = 3, enum_type = 4; ServiceDescriptorProto name = 1, method = 2; every *name = 1. */
#include "reflection.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct refl_file {
    const uint8_t *data; /* the serialized FileDescriptorProto, inside the set */
    size_t len;
    char *name;
    char **deps;
    size_t n_deps;
};

struct refl_symbol {
    char *name; /* fully qualified, without a leading dot */
    size_t file;
};

struct reflection {
    struct refl_file *files;
    size_t n_files;
    struct refl_symbol *symbols;
    size_t n_symbols, cap_symbols;
    char **services;
    size_t n_services;
};

/* ---- the wire format, just enough of it ---- */

struct wire {
    const uint8_t *p, *end;
};

static bool wire_varint(struct wire *w, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && w->p < w->end; shift += 7) {
        uint8_t b = *w->p++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

/* The next field: its number, and for length-delimited fields the bytes. Other wire types are
 * skipped over. Returns 0 at the end, 1 for a field, -1 when malformed. */
static int wire_next(struct wire *w, uint32_t *field, const uint8_t **data, size_t *len)
{
    for (;;) {
        if (w->p >= w->end)
            return 0;
        uint64_t key, v;
        if (!wire_varint(w, &key))
            return -1;
        *field = (uint32_t)(key >> 3);
        switch (key & 7) {
        case 0:
            if (!wire_varint(w, &v))
                return -1;
            break;
        case 1:
            if (w->end - w->p < 8)
                return -1;
            w->p += 8;
            break;
        case 5:
            if (w->end - w->p < 4)
                return -1;
            w->p += 4;
            break;
        case 2:
            if (!wire_varint(w, &v) || v > (uint64_t)(w->end - w->p))
                return -1;
            *data = w->p;
            *len = (size_t)v;
            w->p += v;
            return 1;
        default: /* groups are not used by any of our files */
            return -1;
        }
    }
}

static char *join(const char *scope, const uint8_t *name, size_t len)
{
    size_t sl = strlen(scope);
    char *s = xmalloc(sl + len + 2);
    if (sl) {
        memcpy(s, scope, sl);
        s[sl++] = '.';
    }
    memcpy(s + sl, name, len);
    s[sl + len] = '\0';
    return s;
}

/* The name (field 1) of a message of the descriptor family, as "scope.name". */
static char *named(const uint8_t *data, size_t len, const char *scope)
{
    struct wire w = {data, data + len};
    uint32_t f;
    const uint8_t *d;
    size_t l;
    int rc;
    while ((rc = wire_next(&w, &f, &d, &l)) == 1)
        if (f == 1)
            return join(scope, d, l);
    return NULL;
}

static void symbol_add(struct reflection *r, char *name, size_t file)
{
    if (r->n_symbols == r->cap_symbols) {
        r->cap_symbols = r->cap_symbols ? r->cap_symbols * 2 : 256;
        r->symbols = xrealloc(r->symbols, r->cap_symbols * sizeof *r->symbols);
    }
    r->symbols[r->n_symbols++] = (struct refl_symbol){name, file};
}

/* A message (fields nested_type = 3 and enum_type = 4 hold more symbols) or a service (method =
 * 2), or an enum (nothing inside that clients ask for). */
enum decl { DECL_MESSAGE, DECL_ENUM, DECL_SERVICE };

static int index_decl(struct reflection *r, size_t file, const uint8_t *data, size_t len,
                      const char *scope, enum decl kind)
{
    char *name = named(data, len, scope);
    if (name == NULL)
        return -1;
    symbol_add(r, name, file);
    struct wire w = {data, data + len};
    uint32_t f;
    const uint8_t *d;
    size_t l;
    int rc;
    while ((rc = wire_next(&w, &f, &d, &l)) == 1) {
        if (kind == DECL_MESSAGE && (f == 3 || f == 4)) {
            if (index_decl(r, file, d, l, name, f == 3 ? DECL_MESSAGE : DECL_ENUM) < 0)
                return -1;
        } else if (kind == DECL_SERVICE && f == 2) {
            char *method = named(d, l, name);
            if (method == NULL)
                return -1;
            symbol_add(r, method, file);
        }
    }
    return rc;
}

static int index_file(struct reflection *r, size_t i)
{
    struct refl_file *file = &r->files[i];
    char package[256] = "";
    struct wire w = {file->data, file->data + file->len};
    uint32_t f;
    const uint8_t *d;
    size_t l;
    int rc;
    /* The package comes before the declarations in protoc's output, but do not rely on it. */
    while ((rc = wire_next(&w, &f, &d, &l)) == 1) {
        if (f == 1) {
            file->name = join("", d, l);
        } else if (f == 2 && l < sizeof package) {
            memcpy(package, d, l);
            package[l] = '\0';
        } else if (f == 3) {
            file->deps = xrealloc(file->deps, (file->n_deps + 1) * sizeof *file->deps);
            file->deps[file->n_deps++] = join("", d, l);
        }
    }
    if (rc < 0 || file->name == NULL)
        return -1;
    w = (struct wire){file->data, file->data + file->len};
    while ((rc = wire_next(&w, &f, &d, &l)) == 1) {
        enum decl kind = f == 4 ? DECL_MESSAGE : f == 5 ? DECL_ENUM : DECL_SERVICE;
        if ((f == 4 || f == 5 || f == 6) && index_decl(r, i, d, l, package, kind) < 0)
            return -1;
    }
    return rc;
}

struct reflection *reflection_new(const uint8_t *set, size_t len, const char *const *services,
                                  size_t n, struct err *e)
{
    struct reflection *r = xcalloc(1, sizeof *r);
    struct wire w = {set, set + len};
    uint32_t f;
    const uint8_t *d;
    size_t l;
    int rc;
    while ((rc = wire_next(&w, &f, &d, &l)) == 1) {
        if (f != 1)
            continue;
        r->files = xrealloc(r->files, (r->n_files + 1) * sizeof *r->files);
        r->files[r->n_files++] = (struct refl_file){.data = d, .len = l};
        if (index_file(r, r->n_files - 1) < 0) {
            rc = -1;
            break;
        }
    }
    if (rc < 0) {
        reflection_free(r);
        err_set(e, ERR_INTERNAL, "could not index the embedded descriptor set: malformed");
        return NULL;
    }
    r->services = xcalloc(n ? n : 1, sizeof *r->services);
    for (size_t i = 0; i < n; i++)
        r->services[i] = xstrdup(services[i]);
    r->n_services = n;
    return r;
}

void reflection_free(struct reflection *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_files; i++) {
        free(r->files[i].name);
        for (size_t k = 0; k < r->files[i].n_deps; k++)
            free(r->files[i].deps[k]);
        free(r->files[i].deps);
    }
    for (size_t i = 0; i < r->n_symbols; i++)
        free(r->symbols[i].name);
    for (size_t i = 0; i < r->n_services; i++)
        free(r->services[i]);
    free(r->services);
    free(r->symbols);
    free(r->files);
    free(r);
}

/* ---- answers ---- */

static long file_by_name(const struct reflection *r, const char *name)
{
    for (size_t i = 0; i < r->n_files; i++)
        if (strcmp(r->files[i].name, name) == 0)
            return (long)i;
    return -1;
}

static long file_by_symbol(const struct reflection *r, const char *symbol)
{
    if (symbol[0] == '.') /* clients may send the descriptor form ".pkg.Type" */
        symbol++;
    for (size_t i = 0; i < r->n_symbols; i++)
        if (strcmp(r->symbols[i].name, symbol) == 0)
            return (long)r->symbols[i].file;
    return -1;
}

/* Appends file i, then the files it imports, each once (seen[] marks them). */
static void collect(const struct reflection *r, size_t i, bool *seen, ProtobufCBinaryData *out,
                    size_t *n)
{
    if (seen[i])
        return;
    seen[i] = true;
    out[(*n)++] = (ProtobufCBinaryData){r->files[i].len, (uint8_t *)r->files[i].data};
    for (size_t k = 0; k < r->files[i].n_deps; k++) {
        long dep = file_by_name(r, r->files[i].deps[k]);
        if (dep >= 0)
            collect(r, (size_t)dep, seen, out, n);
    }
}

static void answer_files(const struct reflection *r, long file,
                         Grpc__Reflection__V1__ServerReflectionResponse *resp, struct arena *a)
{
    Grpc__Reflection__V1__FileDescriptorResponse *fd =
        ARENA_MSG(a, Grpc__Reflection__V1__FileDescriptorResponse,
                  GRPC__REFLECTION__V1__FILE_DESCRIPTOR_RESPONSE__INIT);
    bool *seen = ARENA_ARRAY(a, bool, r->n_files);
    fd->file_descriptor_proto = ARENA_ARRAY(a, ProtobufCBinaryData, r->n_files);
    collect(r, (size_t)file, seen, fd->file_descriptor_proto, &fd->n_file_descriptor_proto);
    resp->message_response_case =
        GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_FILE_DESCRIPTOR_RESPONSE;
    resp->file_descriptor_response = fd;
}

static void answer_error(Grpc__Reflection__V1__ServerReflectionResponse *resp, struct arena *a,
                         int code, char *msg)
{
    Grpc__Reflection__V1__ErrorResponse *er = ARENA_MSG(
        a, Grpc__Reflection__V1__ErrorResponse, GRPC__REFLECTION__V1__ERROR_RESPONSE__INIT);
    er->error_code = code;
    er->error_message = msg;
    resp->message_response_case =
        GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ERROR_RESPONSE;
    resp->error_response = er;
}

/* The file found (index `file`) with its imports, or NOT_FOUND naming the `what` asked for. */
static void answer_file(const struct reflection *r, long file, const char *what, const char *name,
                        Grpc__Reflection__V1__ServerReflectionResponse *resp, struct arena *a)
{
    if (file < 0)
        answer_error(resp, a, ERR_NOT_FOUND,
                     arena_printf(a, "no %s \"%s\" in this server's contracts", what, name));
    else
        answer_files(r, file, resp, a);
}

Grpc__Reflection__V1__ServerReflectionResponse *
reflection_answer(const struct reflection *r, const Grpc__Reflection__V1__ServerReflectionRequest *req,
                  struct arena *a)
{
    Grpc__Reflection__V1__ServerReflectionResponse *resp =
        ARENA_MSG(a, Grpc__Reflection__V1__ServerReflectionResponse,
                  GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__INIT);
    resp->valid_host = req->host;
    resp->original_request = (Grpc__Reflection__V1__ServerReflectionRequest *)req;
    switch (req->message_request_case) {
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_LIST_SERVICES: {
        Grpc__Reflection__V1__ListServiceResponse *ls =
            ARENA_MSG(a, Grpc__Reflection__V1__ListServiceResponse,
                      GRPC__REFLECTION__V1__LIST_SERVICE_RESPONSE__INIT);
        ls->service = ARENA_ARRAY(a, Grpc__Reflection__V1__ServiceResponse *, r->n_services);
        for (size_t i = 0; i < r->n_services; i++) {
            Grpc__Reflection__V1__ServiceResponse *sr =
                ARENA_MSG(a, Grpc__Reflection__V1__ServiceResponse,
                          GRPC__REFLECTION__V1__SERVICE_RESPONSE__INIT);
            sr->name = r->services[i];
            ls->service[ls->n_service++] = sr;
        }
        resp->message_response_case =
            GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_LIST_SERVICES_RESPONSE;
        resp->list_services_response = ls;
        break;
    }
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_BY_FILENAME:
        answer_file(r, file_by_name(r, req->file_by_filename), "file", req->file_by_filename,
                    resp, a);
        break;
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_SYMBOL:
        answer_file(r, file_by_symbol(r, req->file_containing_symbol), "symbol",
                    req->file_containing_symbol, resp, a);
        break;
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_ALL_EXTENSION_NUMBERS_OF_TYPE:
        if (file_by_symbol(r, req->all_extension_numbers_of_type) < 0) {
            answer_error(resp, a, ERR_NOT_FOUND,
                         arena_printf(a, "no type \"%s\" in this server's contracts",
                                      req->all_extension_numbers_of_type));
        } else { /* our contracts declare no extensions */
            Grpc__Reflection__V1__ExtensionNumberResponse *en =
                ARENA_MSG(a, Grpc__Reflection__V1__ExtensionNumberResponse,
                          GRPC__REFLECTION__V1__EXTENSION_NUMBER_RESPONSE__INIT);
            en->base_type_name = req->all_extension_numbers_of_type;
            resp->message_response_case =
                GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_ALL_EXTENSION_NUMBERS_RESPONSE;
            resp->all_extension_numbers_response = en;
        }
        break;
    case GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_FILE_CONTAINING_EXTENSION:
        answer_error(resp, a, ERR_NOT_FOUND,
                     arena_printf(a, "no extension of \"%s\": these contracts declare none",
                                  req->file_containing_extension &&
                                          req->file_containing_extension->containing_type
                                      ? req->file_containing_extension->containing_type
                                      : ""));
        break;
    default:
        answer_error(resp, a, ERR_INVALID_ARGUMENT,
                     arena_strdup(a, "empty request: set one of list_services, file_by_filename, "
                                     "file_containing_symbol, all_extension_numbers_of_type"));
        break;
    }
    return resp;
}
