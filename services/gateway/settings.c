/* settings.c: the gateway's configuration: the services' addresses and call timeout as every
 * process reads them (common/config.c), and its own UNIC_HTTP_* variables. */
#include "gateway.h"

#include <stdio.h>
#include <string.h>

#ifndef UNIC_DEFAULT_STATIC
#define UNIC_DEFAULT_STATIC "web"
#endif

int gateway_config_load(struct gateway_config *c, config_getter get, struct err *e)
{
    memset(c, 0, sizeof *c);
    /* the gRPC listen address of config_load is unused: the gateway listens on UNIC_HTTP_LISTEN */
    if (config_load(&c->common, "gateway", 8080, get, e) < 0)
        return -1;
    snprintf(c->listen, sizeof c->listen, "127.0.0.1:8080");
    snprintf(c->static_dir, sizeof c->static_dir, "%s", UNIC_DEFAULT_STATIC);
    c->max_body_bytes = 4 * 1024 * 1024;
    c->max_connections = 512;
    c->per_ip_connections = 0;
    c->timeout_seconds = 30;
    if (config_str(get, "UNIC_HTTP_LISTEN", c->listen, sizeof c->listen, e) < 0 ||
        config_addr("UNIC_HTTP_LISTEN", c->listen, e) < 0 ||
        config_str(get, "UNIC_HTTP_STATIC", c->static_dir, sizeof c->static_dir, e) < 0 ||
        config_str(get, "UNIC_HTTP_CORS_ORIGINS", c->cors_origins, sizeof c->cors_origins, e) < 0 ||
        config_int(get, "UNIC_HTTP_MAX_BODY_BYTES", &c->max_body_bytes, 1024, 64 * 1024 * 1024, e) < 0 ||
        config_int(get, "UNIC_HTTP_MAX_CONNECTIONS", &c->max_connections, 1, 100000, e) < 0 ||
        config_int(get, "UNIC_HTTP_PER_IP_CONNECTIONS", &c->per_ip_connections, 0, 100000, e) < 0 ||
        config_int(get, "UNIC_HTTP_TIMEOUT_SECONDS", &c->timeout_seconds, 1, 3600, e) < 0)
        return -1;
    if (strcmp(c->static_dir, "off") == 0)
        c->static_dir[0] = '\0';
    return 0;
}
