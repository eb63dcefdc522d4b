/* mem.h: allocation that cannot fail (out of memory aborts in one place), and the per-call arena.
 * An arena owns every block it hands out; arena_destroy frees them all at once. */
#ifndef UNIC_MEM_H
#define UNIC_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

struct arena_block;
struct arena_cleanup;
struct arena {
    struct arena_block *head;
    struct arena_cleanup *cleanups;
};

void arena_init(struct arena *a);
void arena_destroy(struct arena *a);
/* Zeroed, aligned for any type; lives until arena_destroy. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *arena_memdup(struct arena *a, const void *p, size_t n);
/* Runs fn(arg) when the arena is destroyed, before its memory is freed, the last registered
 * first: for what a call borrows that is not the arena's (a shared snapshot to give back). */
void arena_on_destroy(struct arena *a, void (*fn)(void *arg), void *arg);
/* An array of `count` elements of `type`, zeroed. */
#define ARENA_ARRAY(a, type, count) ((type *)arena_alloc((a), sizeof(type) * (size_t)(count)))
/* A protobuf-c message in the arena: ARENA_MSG(a, Unic__Catalog__V1__Topic, UNIC__..._INIT). */
#define ARENA_MSG(a, T, INIT) ((T *)arena_memdup((a), &(T)INIT, sizeof(T)))

#endif
