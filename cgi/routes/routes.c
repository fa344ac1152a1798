/* routes.c: the routes table of richprofile-fcgi (cgit's cmd.c idea). */
#include "config.h"

#include <string.h>

#include "routes.h"

const struct rp_route rp_routes[] = {
	{ "",             rp_route_fragment, 0, RP_ACCESS_ANY },  /* ".../richprofile/" */
	{ "fragment",     rp_route_fragment, 0, RP_ACCESS_ANY },
	{ "profile.json", rp_route_json, 0, RP_ACCESS_ANY },
	{ "ping",         rp_route_ping, 0, RP_ACCESS_ANY },
	/* They describe the service, not a user: for monitoring. */
	{ "status",       rp_route_status, 0, RP_ACCESS_OPS },  /* routes/ops.c */
	{ "ready",        rp_route_ready, 0, RP_ACCESS_OPS },
	/*
	 * auth reads no body and changes nothing, and nginx's auth_request
	 * and Apache pass on the method of the guarded request (a POST
	 * form, say).
	 */
	{ "auth",         rp_route_auth, 1, RP_ACCESS_AUTH },
	{ NULL, NULL, 0, RP_ACCESS_ANY }
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
