/* published.c: the catalog's process memory of published versions (published.h): a list of
 * packed entries that only grows, and a bounded list of resolutions that every change clears.
 * Both are small (questionnaires x versions x locales), so they are arrays searched in order
 * under a read-write lock: readers never wait for each other. */
#include "published.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "db_listen.h"
#include "log.h"
#include "mem.h"

/* Requests name locales freely (any well-formed tag), so resolutions are capped: past the cap,
 * a new one is resolved in the database each time, as every request was before. */
enum { RESOLUTIONS_MAX = 1024 };

struct resolution {
    char *id;
    int version;  /* as asked: 0 is the latest published */
    char *locale; /* as asked, normalised */
    const struct published_entry *entry;
};

struct published {
    pthread_rwlock_t lock;
    struct published_entry **entries;
    size_t n_entries;
    struct resolution *res;
    size_t n_res;
    uint64_t generation; /* under lock */
    struct db_listen *listen;
};

static void resolutions_clear(struct published *p)
{
    for (size_t i = 0; i < p->n_res; i++) {
        free(p->res[i].id);
        free(p->res[i].locale);
    }
    p->n_res = 0;
}

void published_forget(struct published *p)
{
    pthread_rwlock_wrlock(&p->lock);
    p->generation++;
    resolutions_clear(p);
    pthread_rwlock_unlock(&p->lock);
}

static void on_change(void *arg)
{
    published_forget(arg);
}

struct published *published_new(const char *db_url)
{
    struct published *p = xcalloc(1, sizeof *p);
    pthread_rwlock_init(&p->lock, NULL);
    p->res = xcalloc(RESOLUTIONS_MAX, sizeof *p->res);
    p->listen = db_listen_start(db_url, "unic_catalog_versions", on_change, p);
    return p;
}

void published_free(struct published *p)
{
    if (p == NULL)
        return;
    db_listen_stop(p->listen);
    resolutions_clear(p);
    free(p->res);
    for (size_t i = 0; i < p->n_entries; i++) {
        struct published_entry *e = p->entries[i];
        protobuf_c_message_free_unpacked((ProtobufCMessage *)e->msg, NULL);
        rpc_shared_free(e->bytes);
        free(e->id);
        free(e->locale);
        free(e->tag);
        free(e);
    }
    free(p->entries);
    pthread_rwlock_destroy(&p->lock);
    free(p);
}

const struct published_entry *published_find(struct published *p, const char *id, int version,
                                             const char *locale)
{
    const struct published_entry *found = NULL;
    if (!db_listen_live(p->listen))
        return NULL;
    pthread_rwlock_rdlock(&p->lock);
    for (size_t i = 0; i < p->n_res && !found; i++)
        if (p->res[i].version == version && strcmp(p->res[i].id, id) == 0 &&
            strcmp(p->res[i].locale, locale) == 0)
            found = p->res[i].entry;
    pthread_rwlock_unlock(&p->lock);
    return found;
}

uint64_t published_generation(struct published *p)
{
    pthread_rwlock_rdlock(&p->lock);
    uint64_t g = p->generation;
    pthread_rwlock_unlock(&p->lock);
    return g;
}

static const struct published_entry *entry_find(const struct published *p, const char *id,
                                                int version, const char *locale, const char *tag)
{
    for (size_t i = 0; i < p->n_entries; i++) {
        const struct published_entry *e = p->entries[i];
        if (e->version == version && strcmp(e->id, id) == 0 && strcmp(e->locale, locale) == 0 &&
            strcmp(e->tag, tag) == 0)
            return e;
    }
    return NULL;
}

const struct published_entry *published_get(struct published *p, const char *id, int version,
                                            const char *locale, const char *tag)
{
    pthread_rwlock_rdlock(&p->lock);
    const struct published_entry *e = entry_find(p, id, version, locale, tag);
    pthread_rwlock_unlock(&p->lock);
    return e;
}

const struct published_entry *published_add(struct published *p, const char *id, int version,
                                            const char *locale, const char *tag,
                                            const uint8_t *bytes, size_t len)
{
    ProtobufCMessage *msg =
        protobuf_c_message_unpack(&unic__catalog__v1__questionnaire__descriptor, NULL, len, bytes);
    if (msg == NULL)
        return NULL;
    pthread_rwlock_wrlock(&p->lock);
    const struct published_entry *found = entry_find(p, id, version, locale, tag);
    if (found == NULL) {
        struct published_entry *e = xcalloc(1, sizeof *e);
        e->id = xstrdup(id);
        e->version = version;
        e->locale = xstrdup(locale);
        e->tag = xstrdup(tag);
        e->bytes = rpc_shared_new(bytes, len);
        e->msg = (const Unic__Catalog__V1__Questionnaire *)msg;
        msg = NULL;
        p->entries = xrealloc(p->entries, (p->n_entries + 1) * sizeof *p->entries);
        p->entries[p->n_entries++] = e;
        found = e;
    }
    pthread_rwlock_unlock(&p->lock);
    if (msg) /* another thread stored the same first */
        protobuf_c_message_free_unpacked(msg, NULL);
    return found;
}

void published_remember(struct published *p, uint64_t generation, const char *id, int version,
                        const char *locale, const struct published_entry *entry)
{
    if (!db_listen_live(p->listen))
        return;
    pthread_rwlock_wrlock(&p->lock);
    bool known = false;
    for (size_t i = 0; i < p->n_res && !known; i++)
        known = p->res[i].version == version && strcmp(p->res[i].id, id) == 0 &&
                strcmp(p->res[i].locale, locale) == 0;
    if (!known && generation == p->generation && p->n_res < RESOLUTIONS_MAX) {
        struct resolution *r = &p->res[p->n_res++];
        r->id = xstrdup(id);
        r->version = version;
        r->locale = xstrdup(locale);
        r->entry = entry;
    }
    pthread_rwlock_unlock(&p->lock);
}
