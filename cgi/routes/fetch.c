/* fetch.c: how richprofile-fcgi obtains the profile of a request. */
#include "config.h"

#include "cache.h"
#include "client.h"
#include "cookie.h"
#include "err.h"
#include "fetch.h"
#include "hash.h"
#include "log.h"
#include "metrics.h"
#include "pace.h"
#include "shared.h"

/* One upstream call, as the cache asks for it on a miss. */
struct call {
	struct rp_req *req;
	const char *token;
	size_t len;
	rp_attrset infos;
	struct rp_shared_budget budget; /* what Redis may still take of this request */
	int no_keep;                    /* the shared tier said: grant once */
	int marked;                     /* this process saw a refusal last */
	int shared_hit;                 /* served from the shared tier */
};

/* On an in-process miss, the shared tier first (when configured). */
static enum rp_err
peek_shared(void *arg, struct rp_profile **out)
{
	struct call *c = arg;

	*out = NULL;
	if (rp_shared_get(c->req->app->shared, &c->budget, c->token, c->len,
	    c->infos, out))
		c->shared_hit = 1;
	return RP_OK;
}

static enum rp_err
call_api(void *arg, struct rp_profile **out)
{
	struct call *c = arg;
	struct rp_req *req = c->req;
	struct rp_fetch_info info = { 0 };
	struct rp_fetch_opts fo = { .trace = &req->trace };
	struct rp_profile *p = NULL;
	int rc;

	rp_pace_api_wait(+1);
	rc = rp_client_fetch_opts(req->client, c->token, c->len, c->infos,
	    &fo, &p, &info);
	rp_pace_api_wait(-1);
	if (rc == RP_OK)
		rp_metrics_upstream(info.err, info.elapsed_us);
	req->log.upstream = rp_errclass(info.err);
	req->log.upstream_status = info.http_status;
	req->log.upstream_us = info.elapsed_us;
	if (rc != RP_OK)
		return rc;
	req->log.upstream_code = p->code;
	/* Every server learns the answer, and whether it may be kept. */
	if (req->app->shared != NULL)
		c->no_keep = rp_shared_put(req->app->shared, &c->budget,
		    c->token, c->len, c->infos, p, c->marked);
	/* Failures name their cause once, where they are seen. */
	if (info.err != RP_OK)
		rp_log(RP_LOG_WARN, "upstream call failed (%s): %s%s%s; "
		    "answering unavailable", rp_errclass(info.err),
		    rp_strerror(info.err), info.detail[0] != '\0' ? ": " : "",
		    info.detail);
	else if (p->outcome == RP_OUT_MALFORMED)
		rp_log(RP_LOG_WARN, "upstream body rejected at line %lu, "
		    "column %lu: %s; answering unavailable", p->line,
		    p->column, p->reason != NULL ? p->reason : "malformed");
	else if (p->outcome == RP_OUT_APIERROR)
		rp_log(RP_LOG_WARN, "the API answered error code %ld; "
		    "answering unavailable", p->code);
	*out = p;
	return RP_OK;
}

enum rp_err
rp_fcgi_get_profile(struct rp_req *req, const char *token, size_t len,
    rp_attrset infos, struct rp_profile **out)
{
	struct call c = { req, token, len, infos, { 0, 0 }, 0, 0, 0 };
	struct rp_cache_query q = { token, len, infos, call_api, &c, NULL,
	    &c.no_keep, &c.marked };
	struct rp_cache_info ci;
	int rc;

	if (req->app->shared != NULL) {
		rp_shared_budget_init(req->app->shared, &c.budget);
		q.peek = peek_shared;
	}
	rc = rp_cache_get(req->app->cache, &q, out, &ci);
	if (req->app->shared != NULL)
		rp_shared_budget_done(req->app->shared, &c.budget);
	if (rc != RP_OK)
		return rc;
	/* Without a call of its own, the log line says where the answer came from. */
	if (ci.hit)
		req->log.note = "cache_hit";
	else if (c.shared_hit)
		req->log.note = "shared_hit";
	else if (c.no_keep)
		req->log.note = "grant_once";
	else if (ci.coalesced) {
		req->log.note = ci.wait_timeout ? "coalesced_timeout" : "coalesced";
		req->log.upstream = rp_errclass(ci.err);
	} else if (ci.err == RP_EBREAKER)
		req->log.upstream = rp_errclass(ci.err);
	if (ci.stale) {
		/* The API failed; an expired profile stands in, and says so. */
		req->log.note = "stale";
		if (rp_resp_header(&req->resp, "X-RichProfile-Stale", "1") != RP_OK)
			rp_log(RP_LOG_WARN, "cannot add X-RichProfile-Stale: out of memory");
	}
	return RP_OK;
}

enum rp_err
rp_fcgi_request_profile(struct rp_req *req, rp_attrset infos,
    struct rp_profile **out)
{
	const struct rp_cfg *cfg = req->app->cfg;
	enum rp_token_state ts;
	const char *token = NULL;
	size_t toklen = 0;

	ts = rp_cookie_token(rp_req_param(req, "HTTP_COOKIE"),
	    cfg->session.cookie, (size_t)cfg->session.max_token_bytes,
	    &token, &toklen);
	if (ts != RP_TOKEN_OK) {
		req->log.note = rp_token_state_name(ts);
		*out = NULL;
		return RP_OK;
	}
	rp_hash_fingerprint(token, toklen, req->fingerprint);
	req->log.fingerprint = req->fingerprint;
	return rp_fcgi_get_profile(req, token, toklen, infos, out);
}
