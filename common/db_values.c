/* db_values.c: array literals for PostgreSQL text parameters and the split of a joined list
 * column (db_values.h). Pure: no connection involved. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "db_values.h"

char *db_text_array(struct arena *a, char *const *v, size_t n)
{
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += 2 * strlen(v[i]) + 3;
    char *out = arena_alloc(a, len), *p = out;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (const char *s = v[i]; *s; s++) {
            if (*s == '"' || *s == '\\')
                *p++ = '\\';
            *p++ = *s;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return out;
}

char *db_int64_array(struct arena *a, const int64_t *v, size_t n)
{
    char *out = arena_alloc(a, n * 21 + 3), *p = out;
    *p++ = '{';
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%" PRId64, i ? "," : "", v[i]);
    *p++ = '}';
    *p = '\0';
    return out;
}

char *db_int_array(struct arena *a, const int *v, size_t n)
{
    char *out = arena_alloc(a, n * 12 + 3), *p = out;
    *p++ = '{';
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%d", i ? "," : "", v[i]);
    *p++ = '}';
    *p = '\0';
    return out;
}

void db_list_split(struct arena *a, const char *joined, char ***out, size_t *n)
{
    *n = 0;
    *out = NULL;
    if (joined[0] == '\0')
        return;
    size_t count = 1;
    for (const char *p = joined; *p; p++)
        count += *p == DB_LIST_SEP;
    *out = ARENA_ARRAY(a, char *, count);
    const char *start = joined;
    for (;;) {
        const char *end = strchr(start, DB_LIST_SEP);
        size_t len = end ? (size_t)(end - start) : strlen(start);
        (*out)[(*n)++] = arena_strndup(a, start, len);
        if (end == NULL)
            break;
        start = end + 1;
    }
}

char *db_list_join(struct arena *a, const char *const *v, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(v[i]) + 1;
    char *out = arena_alloc(a, len), *p = out;
    *p = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = DB_LIST_SEP;
        p = stpcpy(p, v[i]);
    }
    return out;
}
