/* rpc_listen.c: accept() in our hands. Caps are counted over the connections handed to gRPC;
 * gRPC closes them without telling us, so an entry is known closed when its descriptor no longer
 * names the same socket (fstat's inode), checked only when a cap would refuse a connection.
 * On EMFILE the spare descriptor kept for the purpose is closed, the waiting connection accepted
 * and closed at once (the client sees a clean refusal, not a hang), and the spare taken back. */
#include "rpc_listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <grpc/grpc_posix.h>
#include <grpc/grpc_security.h>

#include "grpc/health/v1/health.pb-c.h"
#include "log.h"
#include "mem.h"
#include "rpc.h"

struct conn {
    int fd;
    ino_t ino;
    dev_t dev;
    char peer[INET6_ADDRSTRLEN];
};

struct rpc_listener {
    int fd;
    int spare; /* a descriptor given up when the table is full, so accept() can still drain */
    int port;
    char target[300]; /* where the watchdog connects */
    struct rpc_listen_limits lim;
    grpc_server *server;
    struct conn *conns;
    int n_conns;
    pthread_t acceptor, watchdog;
    bool running, watching;
    atomic_int stop;
    atomic_llong last_accept_ms; /* the acceptor's last accept() that showed it alive, for the watchdog */
    atomic_int accept_errno;     /* the last error that did not, 0 since one that did */
};

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000}, NULL);
}

/* "host:port", "[v6]:port" into its parts. */
static int split_addr(const char *addr, char *host, size_t hsize, char *port, size_t psize)
{
    const char *colon = strrchr(addr, ':');
    if (colon == NULL)
        return -1;
    const char *h = addr;
    size_t hlen = (size_t)(colon - addr);
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    if (hlen >= hsize || strlen(colon + 1) >= psize)
        return -1;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    snprintf(port, psize, "%s", colon + 1);
    return 0;
}

/* Descriptors: as many as the hard limit allows, since every connection costs one. */
static long raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max == RLIM_INFINITY ? 1048576 : rl.rlim_max;
        struct rlimit up = {want, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &up) == 0)
            rl.rlim_cur = want;
    }
    return rl.rlim_cur == RLIM_INFINITY ? 1048576 : (long)rl.rlim_cur;
}

struct rpc_listener *rpc_listener_new(const char *addr, struct rpc_listen_limits limits,
                                      int reserve, struct err *e)
{
    char host[256], port[16];
    if (split_addr(addr, host, sizeof host, port, sizeof port) < 0) {
        err_set(e, ERR_INVALID_ARGUMENT, "could not listen on %s: expected host:port", addr);
        return NULL;
    }
    long nofile = raise_nofile();
    long room = nofile - reserve;
    if (room < 16) {
        err_set(e, ERR_RESOURCE_EXHAUSTED,
                "could not listen on %s: %ld descriptors allowed (RLIMIT_NOFILE), %d needed besides"
                " connections", addr, nofile, reserve);
        return NULL;
    }
    if (limits.max_connections > room) {
        log_warn("%d connections would exceed the %ld descriptors allowed: capped at %ld",
                 limits.max_connections, nofile, room);
        limits.max_connections = (int)room;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (rc != 0) {
        err_set(e, ERR_INVALID_ARGUMENT, "could not listen on %s: %s", addr, gai_strerror(rc));
        return NULL;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1024) < 0) {
        err_set(e, ERR_UNAVAILABLE, "could not listen on %s: %s", addr, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return NULL;
    }
    bool v6 = ai->ai_family == AF_INET6;
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);

    struct rpc_listener *l = xcalloc(1, sizeof *l);
    l->fd = fd;
    l->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
    l->lim = limits;
    l->port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
    /* The watchdog comes in the way clients do, over loopback when bound to every address. */
    bool any = host[0] == '\0' || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0;
    if (v6)
        snprintf(l->target, sizeof l->target, "[%s]:%d", any ? "::1" : host, l->port);
    else
        snprintf(l->target, sizeof l->target, "%s:%d", any ? "127.0.0.1" : host, l->port);
    l->conns = xcalloc((size_t)limits.max_connections, sizeof *l->conns);
    return l;
}

int rpc_listener_port(const struct rpc_listener *l)
{
    return l->port;
}

int rpc_listener_max_connections(const struct rpc_listener *l)
{
    return l->lim.max_connections;
}

/* Forgets the connections gRPC has closed since. */
static void sweep(struct rpc_listener *l)
{
    int kept = 0;
    for (int i = 0; i < l->n_conns; i++) {
        struct stat st;
        struct conn *c = &l->conns[i];
        if (fstat(c->fd, &st) == 0 && st.st_ino == c->ino && st.st_dev == c->dev)
            l->conns[kept++] = *c;
    }
    l->n_conns = kept;
}

static int peer_count(const struct rpc_listener *l, const char *peer)
{
    int n = 0;
    for (int i = 0; i < l->n_conns; i++)
        n += strcmp(l->conns[i].peer, peer) == 0;
    return n;
}

/* Warnings about refusals at most every 10 s, with how many there were. */
static void refused(const char *why, const char *peer, long long *last_log, long *count)
{
    (*count)++;
    long long now = now_ms();
    if (now - *last_log < 10000)
        return;
    log_warn("refused %ld connection(s) in the last 10 s (last from %s): %s", *count, peer, why);
    *last_log = now;
    *count = 0;
}

static void admit(struct rpc_listener *l, int fd, const struct sockaddr_storage *ss,
                  long long *last_log, long *n_refused)
{
    char peer[INET6_ADDRSTRLEN] = "?";
    if (ss->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, peer, sizeof peer);
    else if (ss->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, peer, sizeof peer);
    if (l->n_conns >= l->lim.max_connections || peer_count(l, peer) >= l->lim.max_per_peer)
        sweep(l);
    const char *why = l->n_conns >= l->lim.max_connections ? "UNIC_MAX_CONNECTIONS reached"
                      : peer_count(l, peer) >= l->lim.max_per_peer
                          ? "UNIC_MAX_CONNECTIONS_PER_PEER reached"
                          : NULL;
    struct stat st;
    if (why == NULL && fstat(fd, &st) < 0)
        why = "could not inspect the socket";
    if (why) {
        refused(why, peer, last_log, n_refused);
        close(fd);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = &l->conns[l->n_conns++];
    c->fd = fd;
    c->ino = st.st_ino;
    c->dev = st.st_dev;
    snprintf(c->peer, sizeof c->peer, "%s", peer);
    grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
    grpc_server_add_channel_from_fd(l->server, fd, creds);
    grpc_server_credentials_release(creds);
}

/* An accept() error that says nothing against the listening socket: the connection waiting went
 * away (or hit a network error, which Linux passes on from accept, see accept(2)), or nothing was
 * waiting after all. Any other error (EINVAL once the socket is shut down, EBADF, ENOTSOCK,
 * ENOBUFS, ENOMEM, EPERM...) is the listener failing: the watchdog is not told it is alive, and
 * after three failed health checks the process exits. EMFILE and ENFILE are handled apart. */
static bool accept_error_transient(int err)
{
    switch (err) {
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case ENETUNREACH:
        return true;
    default:
        return false;
    }
}

static void *acceptor_main(void *arg)
{
    struct rpc_listener *l = arg;
    long long last_log = 0, last_error_log = 0;
    long n_refused = 0, n_errors = 0;
    while (!atomic_load(&l->stop)) {
        struct pollfd pfd = {.fd = l->fd, .events = POLLIN};
        if (poll(&pfd, 1, 200) <= 0)
            continue;
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
        int err = fd < 0 ? errno : 0;
        if (fd >= 0 || err == EMFILE || err == ENFILE || accept_error_transient(err)) {
            atomic_store(&l->last_accept_ms, now_ms());
            atomic_store(&l->accept_errno, 0);
        }
        if (fd >= 0) {
            admit(l, fd, &ss, &last_log, &n_refused);
        } else if (err == EMFILE || err == ENFILE) {
            /* Out of descriptors: refuse the waiting connection cleanly and keep listening. */
            if (l->spare >= 0) {
                close(l->spare);
                int drop = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
                if (drop >= 0)
                    close(drop);
                l->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
            }
            refused("out of descriptors (RLIMIT_NOFILE)", "?", &last_log, &n_refused);
            sleep_ms(10);
        } else if (!accept_error_transient(err)) {
            /* Logged at most every 10 s: a failing socket fails at every try. */
            atomic_store(&l->accept_errno, err);
            n_errors++;
            long long now = now_ms();
            if (now - last_error_log >= 10000) {
                log_warn("accept failed %ld time(s) in the last 10 s: %s; the watchdog exits if no"
                         " connection gets through", n_errors, strerror(err));
                last_error_log = now;
                n_errors = 0;
            }
            sleep_ms(100);
        }
    }
    return NULL;
}

/* One health check through a connection of its own; true when any reply came back. */
static bool answers(const char *target)
{
    struct rpc_client *c = rpc_client_new_private(target, 2000);
    struct rpc_caller nobody = {NULL, 0, NULL};
    Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    ProtobufCMessage *reply = NULL;
    struct err e;
    struct arena a;
    arena_init(&a);
    int rc = rpc_call(c, nobody, &grpc__health__v1__health__descriptor, "Check", &req.base, &a,
                      &reply, &e);
    arena_destroy(&a);
    rpc_client_free(c);
    /* NOT_SERVING or any status from the server means the listener and the server work. */
    return rc == 0 || (e.code != ERR_UNAVAILABLE && e.code != ERR_DEADLINE_EXCEEDED);
}

static void *watchdog_main(void *arg)
{
    struct rpc_listener *l = arg;
    int failures = 0;
    long long next = now_ms() + (long long)l->lim.watchdog_seconds * 1000;
    while (!atomic_load(&l->stop)) {
        if (now_ms() < next) {
            sleep_ms(100);
            continue;
        }
        long long start = now_ms();
        bool ok = answers(l->target);
        /* Refused by a cap is alive: accept() returned while we waited. */
        if (!ok && atomic_load(&l->last_accept_ms) >= start)
            ok = true;
        failures = ok ? 0 : failures + 1;
        if (failures > 0)
            log_warn("watchdog: no answer through a fresh connection to %s (%d in a row)", l->target,
                     failures);
        if (failures >= 3 && !atomic_load(&l->stop)) {
            int err = atomic_load(&l->accept_errno);
            log_error("listener dead: %s accepts no connection (3 health checks through fresh"
                      " connections failed%s%s); exiting so that the supervisor restarts the"
                      " process", l->target, err ? ", accept() failing: " : "",
                      err ? strerror(err) : "");
            _exit(3);
        }
        next = now_ms() + (long long)l->lim.watchdog_seconds * 1000;
    }
    return NULL;
}

void rpc_listener_start(struct rpc_listener *l, grpc_server *server)
{
    l->server = server;
    atomic_store(&l->last_accept_ms, now_ms());
    l->running = pthread_create(&l->acceptor, NULL, acceptor_main, l) == 0;
    if (l->lim.watchdog_seconds > 0)
        l->watching = pthread_create(&l->watchdog, NULL, watchdog_main, l) == 0;
}

void rpc_listener_stop(struct rpc_listener *l)
{
    atomic_store(&l->stop, 1);
    if (l->running)
        pthread_join(l->acceptor, NULL);
    if (l->watching)
        pthread_join(l->watchdog, NULL);
    l->running = l->watching = false;
    if (l->fd >= 0)
        close(l->fd); /* connections still waiting in the backlog are refused */
    l->fd = -1;
}

void rpc_listener_free(struct rpc_listener *l)
{
    if (l == NULL)
        return;
    rpc_listener_stop(l);
    if (l->spare >= 0)
        close(l->spare);
    free(l->conns);
    free(l);
}
