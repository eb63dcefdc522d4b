/* main.c: unic-gateway, the suite over HTTP for browsers and curl (port 8080).
 * Configure, load the static files, connect to the services, serve until SIGTERM, close. */
#include <signal.h>
#include <stdlib.h>

#include "gateway.h"
#include "log.h"

static const char *env(const char *name)
{
    return getenv(name);
}

int main(void)
{
    struct gateway_config cfg;
    struct gateway g = {.cfg = &cfg};
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
    log_info("serving %zu methods and %zu static files on http://%s", g.routes.n, g.site.n,
             cfg.listen);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig;
    sigwait(&set, &sig);
    log_info("stopping on signal %d", sig);
    rc = 0;
done:
    gateway_stop(&g); /* waits for the requests in flight before the tables go */
    site_destroy(&g.site);
    backends_destroy(&g.backends);
    routes_destroy(&g.routes);
    return rc;
}
