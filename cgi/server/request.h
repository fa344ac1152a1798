/* request.h: one request of richprofile-fcgi, from environment to answer. */
#ifndef RP_FCGI_REQUEST_H
#define RP_FCGI_REQUEST_H

#include "client.h"
#include "app.h"
#include "response.h"
#include "hash.h"
#include "log.h"

/*
 * One request as the route handlers see it.  Lives on the worker's
 * stack for the length of the request; everything it points to is
 * borrowed from the worker (client), the program (app) or the
 * web server's parameters (envp).
 */
struct rp_req {
	const struct rp_app *app;
	struct rp_client *client;      /* this worker's; reused connection */
	char **envp;                   /* CGI/FastCGI parameters */
	const char *method;            /* REQUEST_METHOD */
	int head;                      /* HEAD: headers only */
	int authorizer;                /* FCGI_ROLE=AUTHORIZER (Apache's mod_authnz_fcgi) */
	const char *accept_language;   /* HTTP_ACCEPT_LANGUAGE or NULL */
	struct rp_resp resp;           /* what the handler answers */
	struct rp_log_request log;     /* what the log line says */
	char fingerprint[RP_FINGERPRINT_LEN + 1];
};

/* A request parameter ("HTTP_COOKIE", "QUERY_STRING"...), or NULL. */
const char *rp_req_param(const struct rp_req *req, const char *name);

/*
 * Answers the request described by envp through io: routes it, runs the
 * handler, sends the answer and writes the log line.  Never fails: what
 * goes wrong becomes an error answer and a log line.  times, when not
 * NULL, gets the request's wall time and the part of it spent waiting
 * for the API.
 */
struct rp_req_times {
	long total_us;
	long upstream_us;              /* 0 without an API call */
};

void rp_request_handle(const struct rp_app *app, struct rp_client *client,
    char **envp, const struct rp_io *io,
    struct rp_req_times *times);

/*
 * The route name of a request: its path with prefix ([server] prefix,
 * ending in '/') taken off.  The path is SCRIPT_NAME + PATH_INFO (what
 * nginx's fastcgi_params and Apache's mod_proxy_fcgi both set to the
 * decoded, normalised path of the request, or of the SSI subrequest),
 * else DOCUMENT_URI, else REQUEST_URI without its query.  Writes at
 * most size bytes (NUL included) into out: "" when the path is prefix
 * itself; "?", which names no route, when the path is outside prefix,
 * has another segment after it, or is too long to be a route.
 */
void rp_request_route_name(char **envp, const char *prefix, char *out,
    size_t size);

/*
 * Replaces the answer by the short error fragment (or JSON when json)
 * for http_status (400, 404, 405, 500) in the request's language.
 */
void rp_req_error(struct rp_req *req, int http_status, int json);

#endif
