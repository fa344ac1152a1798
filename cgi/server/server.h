/* server.h: worker threads, accept loop, signals, graceful stop. */
#ifndef RP_FCGI_SERVER_H
#define RP_FCGI_SERVER_H

#include "app.h"
#include "live.h"
#include "listen.h"

/*
 * Serves FastCGI requests on l->fd with `threads` workers until SIGTERM
 * or SIGINT, then stops accepting, lets requests in flight finish for at
 * most app->grace_ms, and returns the process exit status (0 on a clean
 * stop, 1 when the listener failed).  SIGPIPE is ignored for the whole
 * process: a web server that hangs up costs only that request.
 */
int rp_server_run(struct rp_live *live, const struct rp_listener *l,
    long threads);

/*
 * Plain CGI: answers the one request described by the environment on
 * stdout and returns the exit status.
 */
int rp_server_run_cgi(const struct rp_app *app);

#endif
