/* fcgi_routes.h: the routes of richprofile-fcgi and their handlers. */
#ifndef RP_FCGI_ROUTES_H
#define RP_FCGI_ROUTES_H

#include "fcgi_request.h"

/* A handler fills req->resp (and req->log); it never writes itself. */
typedef void (*rp_route_fn)(struct rp_req *req);

struct rp_route {
	const char *name;      /* last path segment; "" is the default route */
	rp_route_fn handle;
	int any_method;        /* else GET and HEAD only (405 otherwise) */
};

/* The table, ended by a NULL name.  An unknown name is 404. */
extern const struct rp_route rp_routes[];

/* The route called name (exact), or NULL. */
const struct rp_route *rp_route_find(const char *name);

/* Handlers, one per route (each in the file of its concern). */
void rp_route_fragment(struct rp_req *req);     /* fcgi_profile_routes.c */
void rp_route_json(struct rp_req *req);         /* fcgi_profile_routes.c */
void rp_route_ping(struct rp_req *req);         /* fcgi_routes.c */
void rp_route_status(struct rp_req *req);       /* fcgi_ops_routes.c */
void rp_route_ready(struct rp_req *req);        /* fcgi_ops_routes.c */
void rp_route_auth(struct rp_req *req);         /* fcgi_auth.c */

/* Registers the route names as metric labels; once, before threads. */
void rp_routes_metrics_init(void);              /* fcgi_ops_routes.c */

#endif
