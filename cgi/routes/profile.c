/* profile.c: the fragment and profile.json routes. */
#include "config.h"

#include "err.h"
#include "fetch.h"
#include "routes.h"
#include "log.h"
#include "query.h"
#include "render.h"

/*
 * Both routes do the same work and differ only in the renderer and in
 * the HTTP status: a fragment is included into a page, so it answers
 * 200 whatever the outcome (an include must never break the page around
 * it); JSON carries the outcome in its status too (200, 401, 403, 503).
 */
static void
serve(struct rp_req *req, int json)
{
	const struct rp_app *app = req->app;
	const struct rp_cfg *cfg = app->cfg;
	const struct rp_view *view;
	struct rp_query q;
	struct rp_profile *profile = NULL;
	struct rp_render_req rr;
	struct rp_render_res res;
	int rc;

	/* Input first: a bad query is the caller's error, before any call. */
	if (rp_query_parse(rp_req_param(req, "QUERY_STRING"), &q) != RP_OK) {
		rp_log(RP_LOG_DEBUG, "query string longer than %d bytes: 400",
		    RP_QUERY_MAX);
		rp_req_error(req, 400, json);
		goto out;
	}
	if (q.view_state == RP_Q_REJECTED) {
		rp_req_error(req, 400, json);
		goto out;
	}
	view = q.view_state == RP_Q_OK ? rp_cfg_view(cfg, q.view) :
	    app->default_view;
	if (view == NULL) {
		/* q.view passed its validator: safe to log. */
		rp_log(RP_LOG_INFO, "unknown view \"%s\": 400; the views are "
		    "the [view NAME] sections of %s", q.view, cfg->path);
		rp_req_error(req, 400, json);
		goto out;
	}
	req->log.view = view->name;
	if (q.return_state == RP_Q_REJECTED)
		rp_log(RP_LOG_DEBUG, "return= is not a site-local path; the "
		    "consent flow comes back to [site] return_path");

	/* No usable token, no upstream call: the user is asked to sign in. */
	rc = rp_fcgi_request_profile(req, view->infos, &profile);
	if (rc != RP_OK) {
		rp_log(RP_LOG_ERROR, "cannot obtain a profile: %s",
		    rp_strerror(rc));
		rp_req_error(req, 500, json);
		goto out;
	}

	rr.view = view;
	rr.profile = profile;
	rr.accept_language = req->accept_language;
	rr.return_path = q.return_state == RP_Q_OK ? q.return_path : NULL;
	if (json) {
		req->resp.content_type = RP_CT_JSON;
		rc = rp_render_json(app->renderer, &rr, &req->resp.body, &res);
	} else {
		rc = rp_render_fragment(app->renderer, &rr, &req->resp.body,
		    &res);
	}
	if (rc != RP_OK) {
		rp_log(RP_LOG_ERROR, "rendering view %s failed: %s",
		    view->name, rp_strerror(rc));
		rp_req_error(req, 500, json);
		goto out;
	}
	if (res.consent_problem != NULL)
		rp_log(RP_LOG_WARN, "consent link left out: the privacy URL "
		    "from the API was rejected (%s); if that host is Orange's "
		    "privacy service, add it to [site] privacy_hosts",
		    res.consent_problem);
	req->resp.http_status = json ? res.http_status : 200;
	req->resp.rp_status = rp_status_name(res.status);
out:
	rp_profile_free(profile);
}

void
rp_route_fragment(struct rp_req *req)
{
	serve(req, 0);
}

void
rp_route_json(struct rp_req *req)
{
	serve(req, 1);
}
