/* db_probe.c: the database's health, probed in the background. Health/Check used to run
 * SELECT 1 on the worker's own connection for every call: a health check cost a database round
 * trip, and a balancer checking often loaded the database it was checking. */
#include "db_probe.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "mem.h"
#include "text.h"

struct db_probe {
    struct db db;
    int interval_ms, stall_ms;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock; /* guards stop, for the timed wait */
    pthread_cond_t wake;
    bool stop;
    atomic_bool ok;            /* the last ping's answer */
    atomic_llong since_ms;     /* monotonic start of the ping in flight; 0 between pings */
};

static void ping(struct db_probe *p)
{
    atomic_store(&p->since_ms, clock_mono_ms());
    bool ok = db_ping(&p->db);
    atomic_store(&p->since_ms, 0);
    if (ok != atomic_load(&p->ok))
        log_info(ok ? "database answers again: health SERVING"
                    : "database does not answer: health NOT_SERVING");
    atomic_store(&p->ok, ok);
}

static void *probe_main(void *arg)
{
    struct db_probe *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)p->interval_ms * 1000000;
        until.tv_sec += until.tv_nsec / 1000000000;
        until.tv_nsec %= 1000000000;
        pthread_cond_timedwait(&p->wake, &p->lock, &until);
        if (p->stop)
            break;
        pthread_mutex_unlock(&p->lock);
        ping(p);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

struct db_probe *db_probe_start(const char *conninfo, int interval_ms, int stall_ms)
{
    struct db_probe *p = xcalloc(1, sizeof *p);
    p->interval_ms = interval_ms;
    p->stall_ms = stall_ms;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    struct err e;
    if (db_init(&p->db, conninfo, &e) < 0) /* not fatal: each ping reconnects */
        log_warn("health probe: %s", e.msg);
    /* One statement at a time, each short: a ping that waits longer is a stall, not an answer. */
    db_set_limits(&p->db, stall_ms, stall_ms, 0);
    atomic_store(&p->ok, db_ping(&p->db));
    p->started = pthread_create(&p->thread, NULL, probe_main, p) == 0;
    if (!p->started)
        log_error("health probe: could not start its thread; health follows the first ping only");
    return p;
}

bool db_probe_up(struct db_probe *p)
{
    int64_t since = atomic_load(&p->since_ms);
    if (since != 0 && clock_mono_ms() - since > p->stall_ms)
        return false;
    return atomic_load(&p->ok);
}

void db_probe_stop(struct db_probe *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    if (p->started) {
        db_cancel(&p->db); /* a ping stuck on a silent server returns at once */
        pthread_join(p->thread, NULL);
    }
    db_destroy(&p->db);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
