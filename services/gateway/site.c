/* site.c: the static files the gateway serves (the portal, web/), read once at start-up: only
 * files found under the directory then can be served, so no URL reaches the file system. Text
 * is gzipped once here rather than per request. */
#include "gateway.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include "digest.h"
#include "log.h"
#include "mem.h"

#define SITE_MAX_FILE (16 * 1024 * 1024)
#define SITE_MAX_FILES 10000

const char *site_content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".txt", "text/plain; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff", "font/woff"},
        {".woff2", "font/woff2"},
        {".ttf", "font/ttf"},
        {".otf", "font/otf"},
        {".pdf", "application/pdf"},
        {".xml", "application/xml"},
        {".wasm", "application/wasm"},
    };
    const char *dot = strrchr(name, '.');
    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcasecmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

static bool compressible(const char *type)
{
    return strncmp(type, "text/", 5) == 0 || strstr(type, "json") || strstr(type, "xml") ||
           strcmp(type, "application/wasm") == 0 || strcmp(type, "font/ttf") == 0;
}

/* gzip of data, or NULL when it would not save a tenth. */
static uint8_t *gzip(const uint8_t *data, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, len);
    uint8_t *out = xmalloc(cap);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END || *out_len > len - len / 10) {
        free(out);
        return NULL;
    }
    return out;
}

static void etag_of(const uint8_t *data, size_t len, char etag[40])
{
    char hex[65];
    sha256_hex(data, len, hex);
    snprintf(etag, 40, "\"%.32s\"", hex);
}

static int read_file(const char *path, uint8_t **data, size_t *len, struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return err_set(e, ERR_INTERNAL, "could not open \"%s\": %s", path, strerror(errno));
    struct bytes b = {0};
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= SITE_MAX_FILE)
        bytes_append(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad || b.len > SITE_MAX_FILE) {
        bytes_destroy(&b);
        return err_set(e, ERR_INTERNAL, "could not read \"%s\": %s", path,
                       bad ? "read error" : "larger than 16 MiB");
    }
    *data = (uint8_t *)(char *)bytes_take(&b, len);
    return 0;
}

static void site_add(struct site *s, const char *url, uint8_t *data, size_t len)
{
    s->files = xrealloc(s->files, (s->n + 1) * sizeof *s->files);
    struct site_file *f = &s->files[s->n++];
    memset(f, 0, sizeof *f);
    f->path = xstrdup(url);
    f->type = site_content_type(url);
    f->data = data;
    f->len = len;
    etag_of(data, len, f->etag);
    if (compressible(f->type) && len > 256)
        f->gz = gzip(data, len, &f->gz_len);
    snprintf(f->etag_gz, sizeof f->etag_gz, "\"%.32s-gz\"", f->etag + 1);
}

/* Walks dir/rel recursively; `rel` is "" or "/sub". */
static int site_walk(struct site *s, const char *dir, const char *rel, int depth, struct err *e)
{
    char path[2048];
    snprintf(path, sizeof path, "%s%s", dir, rel);
    DIR *d = opendir(path);
    if (d == NULL)
        return err_set(e, ERR_INTERNAL, "could not open the static directory \"%s\": %s", path,
                       strerror(errno));
    int rc = 0;
    struct dirent *ent;
    while (rc == 0 && (ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue; /* ., .., and hidden files are never served */
        char sub[1024], full[3072];
        int n = snprintf(sub, sizeof sub, "%s/%s", rel, ent->d_name);
        if (n < 0 || (size_t)n >= sizeof sub)
            continue;
        snprintf(full, sizeof full, "%s%s", dir, sub);
        struct stat st;
        if (stat(full, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth < 16)
                rc = site_walk(s, dir, sub, depth + 1, e);
        } else if (S_ISREG(st.st_mode)) {
            if (s->n >= SITE_MAX_FILES) {
                rc = err_set(e, ERR_INTERNAL, "more than %d files under \"%s\"", SITE_MAX_FILES, dir);
                break;
            }
            uint8_t *data;
            size_t len;
            if ((rc = read_file(full, &data, &len, e)) == 0)
                site_add(s, sub, data, len);
        }
    }
    closedir(d);
    return rc;
}

static int file_cmp(const void *a, const void *b)
{
    return strcmp(((const struct site_file *)a)->path, ((const struct site_file *)b)->path);
}

int site_load(struct site *s, const char *dir, struct err *e)
{
    memset(s, 0, sizeof *s);
    if (site_walk(s, dir, "", 0, e) < 0) {
        site_destroy(s);
        return -1;
    }
    if (s->n)
        qsort(s->files, s->n, sizeof *s->files, file_cmp);
    return 0;
}

void site_destroy(struct site *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->files[i].path);
        free(s->files[i].data);
        free(s->files[i].gz);
    }
    free(s->files);
    memset(s, 0, sizeof *s);
}

static const struct site_file *site_exact(const struct site *s, const char *path)
{
    struct site_file key = {.path = (char *)path};
    return s->n ? bsearch(&key, s->files, s->n, sizeof *s->files, file_cmp) : NULL;
}

const struct site_file *site_find(const struct site *s, const char *path)
{
    char p[1024];
    size_t n = strlen(path);
    if (path[0] != '/' || n + sizeof "index.html" >= sizeof p || strstr(path, "/.") ||
        strstr(path, "//") || strchr(path, '\\'))
        return NULL;
    memcpy(p, path, n + 1);
    if (p[n - 1] == '/')
        memcpy(p + n, "index.html", sizeof "index.html");
    const struct site_file *f = site_exact(s, p);
    if (f)
        return f;
    /* the portal routes in the browser: a path like /assessments/KEN is the page, not a file */
    const char *last = strrchr(path, '/');
    if (strchr(last, '.') == NULL)
        return site_exact(s, "/index.html");
    return NULL;
}
