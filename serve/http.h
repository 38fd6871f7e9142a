/* The HTTP side (libmicrohttpd): routes, request bodies, answers. */
#ifndef VNN_SERVE_HTTP_H
#define VNN_SERVE_HTTP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "serve/metrics.h"
#include "serve/registry.h"

struct http_opts {
    const char *host; /* IPv4 address to bind */
    int port;         /* 0: an ephemeral port */
    size_t max_body;
    int64_t deadline_ms;
    unsigned connections; /* simultaneous connections, at most */
};

struct server {
    struct http_opts opts;
    struct registry *registry;
    struct server_metrics metrics;
    struct MHD_Daemon *daemon;
    atomic_int draining;
    atomic_long in_flight; /* requests begun and not yet answered */
    int port;              /* the bound port */
};

/* 0, or -1 with a message in err. */
int server_start(struct server *s, const struct http_opts *o, struct registry *r, char *err,
                 size_t errlen);
/* Stops accepting connections and reports not ready; in-flight requests
 * go on. */
void server_quiesce(struct server *s);
void server_stop(struct server *s);

#endif
