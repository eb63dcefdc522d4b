/* published.h: the published questionnaire versions this replica has served, held in its memory.
 * A published version never changes (sql/001_schema.sql, sql/008_published_locales.sql), so
 * each (version, locale) is packed once and every later reply sends those bytes, shared, with no
 * SQL, no Redis and no copy. What a request resolves to (version 0 is the latest published; a
 * locale falls back to its language, then "en") can change, so resolutions are remembered only
 * while this replica listens for the catalog's changes (sql/015_version_notify.sql) and are
 * forgotten at each one.
 * Ownership: published_new returns main's; entries live until published_free, so a pointer to
 * one stays valid for the life of the server. Safe from any thread. */
#ifndef UNIC_CATALOG_PUBLISHED_H
#define UNIC_CATALOG_PUBLISHED_H

#include <stddef.h>
#include <stdint.h>

#include "rpc.h"
#include "unic/catalog/v1/catalog.pb-c.h"

struct published_entry {
    char *id;
    int version;
    char *locale; /* the locale served */
    char *tag;    /* the version's cache tag: which database it came from (sql/005) */
    struct rpc_shared *bytes;                 /* the packed Questionnaire */
    const Unic__Catalog__V1__Questionnaire *msg; /* the same, unpacked; read-only */
};

struct published;

struct published *published_new(const char *db_url);
/* NULL-safe; call once no call can be running. */
void published_free(struct published *p);

/* What request (id, version, locale) resolved to, when it is known and still true; else NULL. */
const struct published_entry *published_find(struct published *p, const char *id, int version,
                                             const char *locale);
/* The generation of resolutions: read it before resolving in the database, and give it to
 * published_remember, which then ignores a resolution that a change may have overtaken. */
uint64_t published_generation(struct published *p);
/* The entry of a resolved (id, version, locale, tag), or NULL when not loaded yet. */
const struct published_entry *published_get(struct published *p, const char *id, int version,
                                            const char *locale, const char *tag);
/* Stores the packed form of a resolved version (copied) and returns its entry (the one already
 * there, if another thread stored it first), or NULL when `bytes` are not a Questionnaire. */
const struct published_entry *published_add(struct published *p, const char *id, int version,
                                            const char *locale, const char *tag,
                                            const uint8_t *bytes, size_t len);
/* Remembers that request (id, version, locale) resolves to `entry`, unless the generation moved
 * since `generation` was read or the replica is not listening. */
void published_remember(struct published *p, uint64_t generation, const char *id, int version,
                        const char *locale, const struct published_entry *entry);
/* Forgets every resolution (after this replica published, or when told of a change). */
void published_forget(struct published *p);

#endif
