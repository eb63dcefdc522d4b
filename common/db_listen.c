/* db_listen.c: one connection that LISTENs, polled by a thread; a notification or a reconnection
 * calls the owner back. The connection is pinged every few seconds: a server or a network that
 * went silent sends no error, and a listener that cannot hear must say so (db_listen_live). */
#include "db_listen.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "log.h"
#include "mem.h"
#include "text.h"

enum { POLL_MS = 200, PING_EVERY_MS = 3000, RETRY_MS = 500, PING_LIMIT_MS = 2000 };

struct db_listen {
    struct db db;
    char listen_sql[80]; /* LISTEN <channel>: an identifier cannot be a $1 parameter */
    void (*on_change)(void *arg);
    void *arg;
    pthread_t thread;
    bool started;
    atomic_bool stop;
    atomic_bool live;
};

/* Connects and LISTENs; on success tells the owner to forget (it may have missed changes). */
static bool subscribe(struct db_listen *l)
{
    struct err e;
    if (db_command(&l->db, &e, l->listen_sql, 0, NULL, NULL) < 0) {
        log_debug("could not listen for changes: %s", e.msg);
        return false;
    }
    l->on_change(l->arg);
    atomic_store(&l->live, true);
    return true;
}

/* Hands every notification that has arrived to the owner; false when the connection broke. */
static bool drain(struct db_listen *l)
{
    PGconn *conn = l->db.conn;
    if (conn == NULL || !PQconsumeInput(conn))
        return false;
    bool any = false;
    for (PGnotify *n; (n = PQnotifies(conn)) != NULL; PQfreemem(n))
        any = true;
    if (any)
        l->on_change(l->arg);
    return true;
}

static void *listen_main(void *arg)
{
    struct db_listen *l = arg;
    int64_t next_ping = clock_mono_ms() + PING_EVERY_MS;
    while (!atomic_load(&l->stop)) {
        if (!atomic_load(&l->live)) {
            if (!subscribe(l)) {
                nanosleep(&(struct timespec){0, RETRY_MS * 1000000L}, NULL);
                continue;
            }
            next_ping = clock_mono_ms() + PING_EVERY_MS;
        }
        struct pollfd pfd = {PQsocket(l->db.conn), POLLIN, 0};
        int ready = pfd.fd < 0 ? -1 : poll(&pfd, 1, POLL_MS);
        bool ok = ready >= 0 && (ready == 0 || drain(l));
        if (ok && clock_mono_ms() >= next_ping) {
            /* db.c replaces a connection that has bytes waiting before it sends a statement
             * (a notification that just came, here): a new connection no longer listens. */
            PGconn *before = l->db.conn;
            int pid = PQbackendPID(before);
            ok = db_ping(&l->db) && l->db.conn == before && PQbackendPID(l->db.conn) == pid &&
                 drain(l);
            next_ping = clock_mono_ms() + PING_EVERY_MS;
        }
        if (!ok) {
            atomic_store(&l->live, false);
            log_warn("lost the database connection that listens for changes: reconnecting");
        }
    }
    return NULL;
}

struct db_listen *db_listen_start(const char *conninfo, const char *channel,
                                  void (*on_change)(void *arg), void *arg)
{
    struct db_listen *l = xcalloc(1, sizeof *l);
    snprintf(l->listen_sql, sizeof l->listen_sql, "LISTEN %s", channel);
    l->on_change = on_change;
    l->arg = arg;
    struct err e;
    if (db_init(&l->db, conninfo, &e) < 0)
        log_warn("could not listen for changes yet: %s", e.msg);
    db_set_limits(&l->db, PING_LIMIT_MS, PING_LIMIT_MS, 0);
    subscribe(l);
    l->started = pthread_create(&l->thread, NULL, listen_main, l) == 0;
    if (!l->started) {
        log_error("could not start the thread that listens for changes: caches stay off");
        atomic_store(&l->live, false);
    }
    return l;
}

bool db_listen_live(struct db_listen *l)
{
    return atomic_load(&l->live);
}

void db_listen_stop(struct db_listen *l)
{
    if (l == NULL)
        return;
    atomic_store(&l->stop, true);
    if (l->started) {
        db_cancel(&l->db);
        pthread_join(l->thread, NULL);
    }
    db_destroy(&l->db);
    free(l);
}
