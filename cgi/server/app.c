/* app.c: loading what every request of richprofile-fcgi shares. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "err.h"
#include "app.h"

/*
 * A stop waits for the slowest request there can be: one upstream call
 * bounded by [upstream] timeout_ms (which includes connecting), plus
 * this much for rendering and writing the answer.
 */
#define GRACE_EXTRA_MS 1000

/* The profile cache and the circuit breaker in front of the API. */
static int
app_cache(struct rp_app *app, char *err, size_t errlen)
{
	struct rp_breaker_opts bo = {
		.failures = app->cfg->breaker.failures,
		.open_ms = app->cfg->breaker.open_ms,
		.window_ms = app->cfg->breaker.window_ms,
		.min_users = app->cfg->breaker.min_users,
	};
	struct rp_cache_opts co;
	int rc;

	if ((rc = rp_breaker_new(&bo, &app->breaker)) != RP_OK) {
		snprintf(err, errlen, "%s: [breaker] rejected: %s", app->cfg->path,
		    rp_strerror(rc));
		return rc;
	}
	rp_cache_opts_from_cfg(app->cfg, &co);
	co.breaker = app->breaker;
	if (co.refresh_s > 0) {
		if ((rc = rp_refresher_new(app->cfg, &app->refresher)) != RP_OK) {
			snprintf(err, errlen, "out of memory");
			return rc;
		}
		co.refresh = rp_refresher_offer;
		co.refresh_ctx = app->refresher;
	}
	if ((rc = rp_cache_new(&co, &app->cache)) != RP_OK) {
		snprintf(err, errlen, "%s: [cache] rejected: %s", app->cfg->path,
		    rp_strerror(rc));
		return rc;
	}
	if (app->refresher != NULL)
		rp_refresher_bind(app->refresher, app->cache);
	/* Redis is not asked here: it may start later, and pages do without it. */
	if ((rc = rp_shared_from_cfg(app->cfg, &app->shared, err,
	    errlen)) != RP_OK)
		return rc;
	if (app->refresher != NULL)
		rp_refresher_share(app->refresher, app->shared);
	return RP_OK;
}

enum rp_err
rp_app_load(const char *path, struct rp_app **out, char *err, size_t errlen)
{
	struct rp_app *app;
	int rc;

	if ((app = calloc(1, sizeof(*app))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return RP_ENOMEM;
	}
	if ((rc = rp_cfg_load(path, &app->cfg, err, errlen)) != RP_OK)
		goto out;
	if (app->cfg->nviews == 0) {
		snprintf(err, errlen, "%s: no [view NAME] section: a request "
		    "has nothing to show; add one (see the sample "
		    "richprofile.conf)", app->cfg->path);
		rc = RP_ECONFIG;
		goto out;
	}
	/* The first view of the file is what a query without view= gets. */
	app->default_view = &app->cfg->views[0];
	/* The loader checked that [auth] view names a view. */
	app->auth_view = app->cfg->auth.view != NULL ?
	    rp_cfg_view(app->cfg, app->cfg->auth.view) : app->default_view;
	if ((rc = rp_renderer_new(app->cfg, &app->renderer, err,
	    errlen)) != RP_OK)
		goto out;
	app->grace_ms = app->cfg->upstream.timeout_ms + GRACE_EXTRA_MS;
	if ((rc = app_cache(app, err, errlen)) != RP_OK)
		goto out;
out:
	if (rc != RP_OK)
		rp_app_free(app);
	else
		*out = app;
	return rc;
}

void
rp_app_free(struct rp_app *app)
{
	if (app == NULL)
		return;
	/* Its threads use the cache: they stop first. */
	rp_refresher_free(app->refresher);
	rp_cache_free(app->cache);
	rp_shared_free(app->shared);
	rp_breaker_free(app->breaker);
	rp_renderer_free(app->renderer);
	rp_cfg_free(app->cfg);
	free(app);
}
