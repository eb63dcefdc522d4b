/* db_values.h: values as PostgreSQL text parameters and back: array literals of strings and
 * integers for `$n::text[]` / `$n::bigint[]` parameters, and the split of a column read as
 * array_to_string(col, chr(31)) (a separator that string validation keeps out of every value).
 * Everything is built in the caller's arena and lives as long as it does. */
#ifndef UNIC_DB_VALUES_H
#define UNIC_DB_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

/* The separator of db_list_split: the ASCII unit separator. */
#define DB_LIST_SEP '\x1f'

/* {"a","b\"c"}: every element quoted, '"' and '\' escaped; {} for n 0. */
char *db_text_array(struct arena *a, char *const *v, size_t n);
char *db_int_array(struct arena *a, const int *v, size_t n);
char *db_int64_array(struct arena *a, const int64_t *v, size_t n);
/* Splits `joined` at DB_LIST_SEP into *n arena strings; "" gives none (*out NULL). */
void db_list_split(struct arena *a, const char *joined, char ***out, size_t *n);
/* The inverse, for a string_to_array($n, chr(31)) parameter: the n strings joined by DB_LIST_SEP
 * (which validation keeps out of every one), in the arena; "" for none. */
char *db_list_join(struct arena *a, const char *const *v, size_t n);

#endif
