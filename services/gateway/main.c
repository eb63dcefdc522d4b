/* main.c: unic-gateway, the suite over HTTP for browsers and curl (port 8080).
 * Configure, load the static files, connect to the services, serve until SIGTERM, close. */
#include <signal.h>
#include <stdlib.h>

#include "gateway.h"
#include "instrument.h"
#include "log.h"
#include "tls.h"

static const char *env(const char *name)
{
    return getenv(name);
}

/* /healthz on the metrics listener: the gateway is up between start and signal. */
static bool serving(void *g)
{
    (void)g;
    return true;
}

int main(void)
{
    struct gateway_config cfg;
    struct gateway g = {.cfg = &cfg};
    struct metrics *metrics = NULL;
    struct metrics_http *metrics_http = NULL;
    struct err e;
    int rc = 1;
    rpc_block_signals();
    signal(SIGPIPE, SIG_IGN);
    if (gateway_config_load(&cfg, env, &e) < 0) {
        log_init("gateway", LOG_INFO);
        log_error("bad configuration: %s", e.msg);
        return 1;
    }
    log_init("gateway", cfg.common.log_level);
    if (tls_init(&cfg.common, &e) < 0) { /* HTTPS, and mutual TLS to the services */
        log_error("bad TLS configuration: %s", e.msg);
        return 1;
    }
    if (instrument_start("gateway", cfg.common.metrics_listen, &metrics, &metrics_http, &e) < 0) {
        log_error("%s", e.msg);
        tls_shutdown();
        return 1;
    }
    routes_init(&g.routes);
    backends_init(&g.backends, &cfg.common);
    if (cfg.static_dir[0] && site_load(&g.site, cfg.static_dir, &e) < 0) {
        log_error("%s", e.msg);
        goto done;
    }
    if (gateway_start(&g, &e) < 0) {
        log_error("%s", e.msg);
        goto done;
    }
    log_info("serving %zu methods and %zu static files on %s://%s", g.routes.n, g.site.n,
             tls_enabled() ? "https" : "http", cfg.listen);
    metrics_http_health(metrics_http, serving, &g);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    int sig;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) /* new certificates, for new handshakes */
        if (tls_reload() == 0)
            gateway_reload_tls(&g);
    log_info("stopping on signal %d", sig);
    metrics_http_health(metrics_http, NULL, NULL);
    rc = 0;
done:
    gateway_stop(&g); /* waits for the requests in flight before the tables go */
    site_destroy(&g.site);
    backends_destroy(&g.backends);
    routes_destroy(&g.routes);
    instrument_stop(metrics, metrics_http);
    tls_shutdown();
    return rc;
}
