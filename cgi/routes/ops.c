/* ops.c: the status (metrics) and ready routes, for operators. */
#include "config.h"

#include "breaker.h"
#include "buf.h"
#include "cache.h"
#include "routes.h"
#include "metrics.h"
#include "shared.h"

/* The Prometheus text exposition format, version 0.0.4. */
#define CT_PROMETHEUS "text/plain; version=0.0.4; charset=utf-8"

/*
 * How long a successful API call keeps the service "ready" while the
 * circuit breaker is open: a load balancer should not drop an instance
 * that served real profiles a moment ago.
 */
#define READY_RECENT_MS 60000

/* Figures the cache and the breaker keep for themselves. */
static void
collect(const struct rp_req *req, struct rp_metrics_ext *x)
{
	struct rp_cache_stats cs;
	struct rp_breaker_stats bs;

	/* Per configuration: a reload starts a new cache and breaker. */
	if (req->app->cache != NULL) {
		rp_cache_stats(req->app->cache, &cs);
		x->have_cache = 1;
		x->cache_hits = cs.hits;
		x->cache_misses = cs.misses;
		x->cache_stale = cs.stale;
		x->cache_coalesced = cs.coalesced;
		x->cache_evictions = cs.evictions;
		x->cache_entries = cs.entries;
		x->cache_bytes = cs.bytes;
		x->cache_max_bytes = cs.max_bytes;
		x->cache_oversize = cs.oversize;
		x->cache_refreshes = cs.refreshes;
		x->cache_refresh_skipped = cs.refresh_skipped;
		x->cache_refresh_elsewhere = cs.refresh_elsewhere;
	}
	if (req->app->breaker != NULL) {
		rp_breaker_stats(req->app->breaker, &bs);
		x->have_breaker = 1;
		x->breaker_state = bs.state == RP_BREAKER_CLOSED ? 0 :
		    bs.state == RP_BREAKER_OPEN ? 1 : 2;
		x->breaker_opened = bs.opened;
		x->breaker_rejected = bs.rejected;
	}
}

void
rp_route_status(struct rp_req *req)
{
	struct rp_metrics_ext x = { 0 };

	collect(req, &x);
	req->resp.content_type = CT_PROMETHEUS;
	if (rp_metrics_format(&req->resp.body, &x) != RP_OK ||
	    (req->app->shared != NULL &&
	    rp_shared_metrics(req->app->shared, &req->resp.body) != RP_OK))
		rp_req_error(req, 500, 0);
}

/*
 * 200 when a request sent now would be served well: the configuration
 * is loaded (it is, or no request would reach here), a worker is free
 * for it, and the API is usable (breaker closed, or a call succeeded
 * recently).  503 with the reason otherwise, for load balancers and
 * orchestration; they read the status, a person reads the reason.
 */
void
rp_route_ready(struct rp_req *req)
{
	struct rp_metrics_ext x = { 0 };
	long workers = rp_metrics_workers_now();
	long long age;
	const char *why = NULL;

	collect(req, &x);
	req->resp.content_type = RP_CT_TEXT;
	/* This request holds one worker: with one worker that is normal. */
	if (workers > 1 && rp_metrics_busy_now() >= workers)
		why = "every worker is busy; raise [server] threads";
	else if (x.have_breaker && x.breaker_state != 0 &&
	    ((age = rp_metrics_upstream_ok_age_ms()) < 0 ||
	    age > READY_RECENT_MS))
		why = "the API is failing (circuit breaker open); see the log";
	if (why == NULL) {
		rp_buf_puts(&req->resp.body, "ready\n");
		/* Pages work without Redis: ready, and the operator is told. */
		if (req->app->shared != NULL &&
		    rp_shared_failing(req->app->shared))
			rp_buf_puts(&req->resp.body, "note: the shared tier "
			    "(Redis) is failing; pages are served without it "
			    "(see richprofile_shared_errors_total)\n");
		return;
	}
	req->resp.http_status = 503;
	rp_buf_appendf(&req->resp.body, "not ready: %s\n", why);
}

void
rp_routes_metrics_init(void)
{
	const char *names[RP_METRICS_ROUTES_MAX];
	size_t n = 0;

	/* "" is the fragment route under another name: counted as that. */
	for (const struct rp_route *r = rp_routes; r->name != NULL; r++)
		if (*r->name != '\0' && n < RP_METRICS_ROUTES_MAX)
			names[n++] = r->name;
	rp_metrics_init(names, n);
}
