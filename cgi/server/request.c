/* request.c: one request of richprofile-fcgi, from environment to answer. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>

#include "clock.h"
#include "err.h"
#include "request.h"
#include "routes.h"
#include "metrics.h"
#include "netaddr.h"
#include "render.h"

/* Longest route name looked at; longer segments cannot match. */
#define ROUTE_NAME_MAX 64

const char *
rp_req_param(const struct rp_req *req, const char *name)
{
	return FCGX_GetParam(name, req->envp);
}

/*
 * Copies into out what path[0..n) names after prefix: the route name.
 * A path outside prefix, one with another '/' after it, and a name too
 * long for out all become "?", which names no route: they must not
 * shrink to "" and so reach the default route.
 */
static void
route_after_prefix(const char *path, size_t n, const char *prefix,
    char *out, size_t size)
{
	size_t plen = strlen(prefix);

	if (n < plen || memcmp(path, prefix, plen) != 0 ||
	    memchr(path + plen, '/', n - plen) != NULL || n - plen >= size) {
		snprintf(out, size, "?");
		return;
	}
	memcpy(out, path + plen, n - plen);
	out[n - plen] = '\0';
}

void
rp_request_route_name(char **envp, const char *prefix, char *out,
    size_t size)
{
	const char *script = FCGX_GetParam("SCRIPT_NAME", envp);
	const char *info = FCGX_GetParam("PATH_INFO", envp);
	const char *uri;
	char joined[1024];

	/*
	 * SCRIPT_NAME (+ PATH_INFO) is the path of this very request in
	 * both servers, SSI subrequests included.  DOCUMENT_URI is too in
	 * nginx, but Apache's mod_include sets it to the including page;
	 * REQUEST_URI is the page in both.  Hence this order.
	 */
	if ((script != NULL && *script != '\0') ||
	    (info != NULL && *info != '\0')) {
		int n = snprintf(joined, sizeof(joined), "%s%s",
		    script != NULL ? script : "", info != NULL ? info : "");

		if (n >= 0 && (size_t)n < sizeof(joined))
			route_after_prefix(joined, (size_t)n, prefix, out, size);
		else
			snprintf(out, size, "?");  /* longer than any route */
		return;
	}
	uri = FCGX_GetParam("DOCUMENT_URI", envp);
	if (uri != NULL && *uri != '\0') {
		route_after_prefix(uri, strlen(uri), prefix, out, size);
		return;
	}
	uri = FCGX_GetParam("REQUEST_URI", envp);
	if (uri == NULL)
		uri = "";
	route_after_prefix(uri, strcspn(uri, "?#"), prefix, out, size);
}

void
rp_req_error(struct rp_req *req, int http_status, int json)
{
	const struct rp_renderer *r = req->app->renderer;

	rp_resp_reset(&req->resp);
	req->resp.http_status = http_status;
	if (json) {
		req->resp.content_type = RP_CT_JSON;
		if (rp_render_error_json(r, http_status, req->accept_language,
		    &req->resp.body) == RP_OK)
			return;
	} else if (rp_render_error(r, http_status, req->accept_language,
	    &req->resp.body) == RP_OK) {
		return;
	}
	/* Out of memory: an empty body still says what happened. */
	rp_buf_reset(&req->resp.body);
}

/*
 * Whether this request may reach route, by the program's own rules: a
 * web-server snippet that forwards more than it should (a location
 * that sends every path under the prefix, a forgotten allow line)
 * still exposes nothing.  Logs why not.
 */
static int
access_ok(const struct rp_req *req, const struct rp_route *route)
{
	const char *addr;

	switch (route->access) {
	case RP_ACCESS_OPS:
		addr = rp_req_param(req, "REMOTE_ADDR");
		if (rp_net_match((const char *const *)
		    req->app->cfg->server.ops_allow, addr))
			return 1;
		rp_log(RP_LOG_WARN, "%s refused to client %.64s: not in "
		    "[server] ops_allow; add its address there to let it ask",
		    route->name, addr != NULL && *addr != '\0' ? addr :
		    "(no REMOTE_ADDR)");
		return 0;
	case RP_ACCESS_AUTH:
		if (req->authorizer ||
		    rp_req_param(req, RP_AUTH_REQUEST_PARAM) != NULL)
			return 1;
		rp_log(RP_LOG_WARN, "auth asked as a page, not by nginx's "
		    "auth_request or Apache's authorizer: answered 404; the "
		    "auth location must include fastcgi_param "
		    RP_AUTH_REQUEST_PARAM " 1 (see richprofile-auth.conf)");
		return 0;
	default:
		return 1;
	}
}

void
rp_request_handle(const struct rp_app *app, struct rp_client *client,
    char **envp, const struct rp_io *io, struct rp_req_times *times)
{
	struct rp_req req;
	const struct rp_route *route;
	const char *role;
	char name[ROUTE_NAME_MAX + 1];
	int forbidden = 0;
	long long t0 = rp_monotonic_us();

	memset(&req, 0, sizeof(req));
	req.app = app;
	req.client = client;
	req.envp = envp;
	req.method = FCGX_GetParam("REQUEST_METHOD", envp);
	req.head = req.method != NULL && strcmp(req.method, "HEAD") == 0;
	req.accept_language = FCGX_GetParam("HTTP_ACCEPT_LANGUAGE", envp);
	req.log.upstream_us = -1;
	rp_resp_init(&req.resp);

	rp_request_route_name(envp, app->cfg->server.prefix, name, sizeof(name));
	/*
	 * A FastCGI authorizer (Apache's mod_authnz_fcgi) is given the path
	 * and method of the request it guards: it can only mean auth.
	 */
	role = FCGX_GetParam("FCGI_ROLE", envp);
	req.authorizer = role != NULL && strcmp(role, "AUTHORIZER") == 0;
	if (req.authorizer)
		snprintf(name, sizeof(name), "auth");
	req.log.method = req.method;
	req.log.route = name;
	route = rp_route_find(name);
	if (route != NULL && !access_ok(&req, route)) {
		/* To a page request, auth is an unknown route, and counted so. */
		if (route->access == RP_ACCESS_AUTH)
			route = NULL;
		else
			forbidden = 1;
	}
	if (route == NULL) {
		rp_req_error(&req, 404, 0);
	} else if (forbidden) {
		rp_req_error(&req, 403, 0);
	} else if (!route->any_method && (req.method == NULL ||
	    (strcmp(req.method, "GET") != 0 &&
	    strcmp(req.method, "HEAD") != 0))) {
		rp_req_error(&req, 405, 0);
		rp_resp_header(&req.resp, "Allow", "GET, HEAD");
	} else {
		if (*route->name == '\0')
			req.log.route = "fragment";
		route->handle(&req);
	}
	/* A handler may log a status it does not send (auth under Apache). */
	if (req.log.status == NULL)
		req.log.status = req.resp.rp_status;
	req.log.http_status = req.resp.http_status;
	/*
	 * Counted before the answer leaves: a client that has its answer
	 * finds it in the next scrape.  An unknown route's name came from
	 * the URL: it is counted as "other".
	 */
	rp_metrics_request(route != NULL ? req.log.route : NULL,
	    req.log.status, req.log.http_status);
	if (rp_resp_send(&req.resp, req.head, io) != 0)
		req.log.note = "client_gone";
	req.log.total_us = (long)(rp_monotonic_us() - t0);
	rp_log_request(&req.log);
	rp_resp_free(&req.resp);
	if (times != NULL) {
		times->total_us = req.log.total_us;
		times->upstream_us = req.log.upstream_us > 0 ?
		    req.log.upstream_us : 0;
	}
}
