/* refresh.c: refresh-ahead, a few threads renewing cache entries in the background. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "log.h"
#include "metrics.h"
#include "refresh.h"
#include "shared.h"

struct job {
	char *token;                /* owned copy, wiped before it is freed */
	size_t len;
	rp_attrset infos;
};

struct rp_refresher {
	const struct rp_cfg *cfg;
	struct rp_cache *cache;
	struct rp_shared *shared;   /* borrowed; NULL without [shared] */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job q[RP_REFRESH_QUEUE];
	size_t head, count;
	int stopping;
	int nthreads;               /* started */
	pthread_t threads[RP_REFRESH_THREADS];
};

/* One thread's upstream call, as rp_cache_refresh asks for it. */
struct call {
	struct rp_client *client;
	const struct job *job;
	struct rp_shared *shared;
	int no_keep;                /* the shared tier said: grant once */
};

static void
job_wipe(struct job *j)
{
	if (j->token != NULL) {
		explicit_bzero(j->token, j->len);
		free(j->token);
	}
	memset(j, 0, sizeof(*j));
}

static enum rp_err
call_api(void *arg, struct rp_profile **out)
{
	struct call *c = arg;
	struct rp_fetch_info info;
	int rc;

	rc = rp_client_fetch(c->client, c->job->token, c->job->len,
	    c->job->infos, out, &info);
	if (rc != RP_OK)
		return rc;
	/* No page waits here: each Redis operation gets the whole timeout_ms. */
	if (c->shared != NULL)
		c->no_keep = rp_shared_put(c->shared, NULL, c->job->token,
		    c->job->len, c->job->infos, *out, 0);
	rp_metrics_upstream(info.err, info.elapsed_us);
	if (info.err != RP_OK)
		rp_log(RP_LOG_WARN, "cache refresh: upstream call failed (%s): "
		    "%s%s%s; the cached profile stays until it expires",
		    rp_errclass(info.err), rp_strerror(info.err),
		    info.detail[0] != '\0' ? ": " : "", info.detail);
	else
		rp_log(RP_LOG_DEBUG, "cache refresh: upstream answered in %ld us",
		    info.elapsed_us);
	return RP_OK;
}

/*
 * With the shared tier, whether another server refreshes this entry
 * now: the lock lasts refresh_s (at least the API's timeout), so across
 * servers an entry is refreshed about once per refresh_s, and the
 * others find the refreshed profile in Redis when theirs expires.
 * Redis failing: refresh here, as without a shared tier.
 */
static int
elsewhere(struct rp_refresher *r, const struct job *j)
{
	long hold = r->cfg->cache.refresh_s * 1000;

	if (r->shared == NULL)
		return 0;
	if (hold < r->cfg->upstream.timeout_ms)
		hold = r->cfg->upstream.timeout_ms;
	return rp_shared_refresh_lock(r->shared, j->token, j->len, j->infos,
	    hold) == 0;
}

static void *
run(void *arg)
{
	struct rp_refresher *r = arg;
	struct rp_client *client = NULL;
	struct job j;
	int rc;

	/* Its client now, not at its first job: memory that stays put. */
	if ((rc = rp_client_new(r->cfg, &client)) != RP_OK) {
		rp_log(RP_LOG_ERROR, "cache refresh: cannot create an HTTP "
		    "client: %s; entries expire as without refresh_s",
		    rp_strerror(rc));
		client = NULL;
	}
	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (r->count == 0 && !r->stopping)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->stopping)
			break;
		j = r->q[r->head];
		memset(&r->q[r->head], 0, sizeof(r->q[r->head]));
		r->head = (r->head + 1) % RP_REFRESH_QUEUE;
		r->count--;
		pthread_mutex_unlock(&r->mu);
		if (client != NULL) {
			struct call c = { client, &j, r->shared, 0 };
			struct rp_cache_query q = { j.token, j.len, j.infos,
			    call_api, &c, NULL, &c.no_keep, NULL };

			if (elsewhere(r, &j)) {
				/* Another server refreshes it: serve ours. */
				rp_cache_refresh_skip(r->cache, &q);
			} else if (rp_cache_refresh(r->cache, &q) != RP_OK)
				rp_log(RP_LOG_WARN, "cache refresh: out of memory; "
				    "the entry expires as without refresh_s");
		}
		job_wipe(&j);
		pthread_mutex_lock(&r->mu);
	}
	pthread_mutex_unlock(&r->mu);
	rp_client_free(client);
	return NULL;
}

enum rp_err
rp_refresher_new(const struct rp_cfg *cfg, struct rp_refresher **out)
{
	struct rp_refresher *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return RP_ENOMEM;
	r->cfg = cfg;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	*out = r;
	return RP_OK;
}

void
rp_refresher_share(struct rp_refresher *r, struct rp_shared *shared)
{
	r->shared = shared;
}

void
rp_refresher_bind(struct rp_refresher *r, struct rp_cache *cache)
{
	r->cache = cache;
}

int
rp_refresher_offer(void *ctx, const char *token, size_t len, rp_attrset infos)
{
	struct rp_refresher *r = ctx;
	struct job *j;
	char *copy;

	if (r->cache == NULL || (copy = malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, token, len);
	copy[len] = '\0';
	pthread_mutex_lock(&r->mu);
	if (r->stopping || r->count == RP_REFRESH_QUEUE) {
		pthread_mutex_unlock(&r->mu);
		explicit_bzero(copy, len);
		free(copy);
		return -1;
	}
	/*
	 * All the threads start with the first job (none without refreshes):
	 * the memory they take is there from then on, not added by a later
	 * burst.
	 */
	while (r->nthreads < RP_REFRESH_THREADS &&
	    pthread_create(&r->threads[r->nthreads], NULL, run, r) == 0)
		r->nthreads++;
	if (r->nthreads == 0) {
		pthread_mutex_unlock(&r->mu);
		explicit_bzero(copy, len);
		free(copy);
		return -1;
	}
	j = &r->q[(r->head + r->count) % RP_REFRESH_QUEUE];
	j->token = copy;
	j->len = len;
	j->infos = infos;
	r->count++;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

void
rp_refresher_free(struct rp_refresher *r)
{
	int i;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	r->stopping = 1;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	for (i = 0; i < r->nthreads; i++)
		pthread_join(r->threads[i], NULL);
	while (r->count > 0) {
		job_wipe(&r->q[r->head]);
		r->head = (r->head + 1) % RP_REFRESH_QUEUE;
		r->count--;
	}
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r);
}
