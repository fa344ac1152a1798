/* fcgi_routes.c: the routes table of richprofile-fcgi (cgit's cmd.c idea). */
#include "config.h"

#include <string.h>

#include "fcgi_routes.h"

const struct rp_route rp_routes[] = {
	{ "",             rp_route_fragment },  /* ".../richprofile/" */
	{ "fragment",     rp_route_fragment },
	{ "profile.json", rp_route_json },
	{ "ping",         rp_route_ping },
	{ "status",       rp_route_status },  /* fcgi_ops_routes.c */
	{ "ready",        rp_route_ready },
	{ "auth",         rp_route_auth },
	{ NULL, NULL }
};

const struct rp_route *
rp_route_find(const char *name)
{
	for (const struct rp_route *r = rp_routes; r->name != NULL; r++)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

/* Liveness, and the benchmark's baseline: never touches the upstream. */
void
rp_route_ping(struct rp_req *req)
{
	req->resp.content_type = RP_CT_TEXT;
	rp_buf_puts(&req->resp.body, "ok\n");
}
