/* routes.h: the routes of richprofile-fcgi and their handlers. */
#ifndef RP_FCGI_ROUTES_H
#define RP_FCGI_ROUTES_H

#include "request.h"

/* A handler fills req->resp (and req->log); it never writes itself. */
typedef void (*rp_route_fn)(struct rp_req *req);

/* Who may reach a route, whatever the web server's configuration says. */
enum rp_access {
	RP_ACCESS_ANY,       /* every client */
	RP_ACCESS_OPS,       /* REMOTE_ADDR in [server] ops_allow, else 403 */
	RP_ACCESS_AUTH       /* an authorizer, or an auth subrequest, else 404 */
};

struct rp_route {
	const char *name;      /* the path after [server] prefix; "" is the default route */
	rp_route_fn handle;
	int any_method;        /* else GET and HEAD only (405 otherwise) */
	enum rp_access access;
};

/*
 * The parameter that nginx's auth location (conf/nginx/richprofile-auth.conf)
 * sets: a responder request without it is no auth subrequest.  A
 * browser cannot send it: its headers reach the program as HTTP_*.
 */
#define RP_AUTH_REQUEST_PARAM "RICHPROFILE_AUTH_REQUEST"

/* The table, ended by a NULL name.  An unknown name is 404. */
extern const struct rp_route rp_routes[];

/* The route called name (exact), or NULL. */
const struct rp_route *rp_route_find(const char *name);

/* Handlers, one per route (each in the file of its concern). */
void rp_route_fragment(struct rp_req *req);     /* routes/profile.c */
void rp_route_json(struct rp_req *req);         /* routes/profile.c */
void rp_route_ping(struct rp_req *req);         /* routes/routes.c */
void rp_route_status(struct rp_req *req);       /* routes/ops.c */
void rp_route_ready(struct rp_req *req);        /* routes/ops.c */
void rp_route_auth(struct rp_req *req);         /* routes/auth.c */

/* Registers the route names as metric labels; once, before threads. */
void rp_routes_metrics_init(void);              /* routes/ops.c */

#endif
