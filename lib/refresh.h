/* refresh.h: refresh-ahead, a few threads renewing cache entries in the background. */
#ifndef RP_REFRESH_H
#define RP_REFRESH_H

#include <stddef.h>

#include "attr.h"
#include "cache.h"
#include "cfg.h"
#include "err.h"

/*
 * The other half of rp_cache_opts.refresh: jobs (a token copy and the
 * attributes) wait in a queue of RP_REFRESH_QUEUE, and RP_REFRESH_THREADS
 * threads, started at the first job, each with its own API client made
 * from the configuration, run rp_cache_refresh for them.  A token is
 * wiped as soon as its refresh is done (or dropped), and never logged.
 * A full queue turns a job down: the entry expires as it would have.
 */
#define RP_REFRESH_THREADS 4
#define RP_REFRESH_QUEUE 256

struct rp_refresher;

/* cfg is borrowed and must outlive the refresher.  RP_ENOMEM. */
enum rp_err rp_refresher_new(const struct rp_cfg *cfg, struct rp_refresher **out);

/* The cache the jobs refresh (borrowed); before the first job. */
void rp_refresher_bind(struct rp_refresher *r, struct rp_cache *cache);

/*
 * The shared tier (borrowed, may be NULL; before the first job): every
 * refreshed answer is written to it as a miss's is, so that the other
 * servers get the renewed profile and the consent memory.
 */
struct rp_shared;
void rp_refresher_share(struct rp_refresher *r, struct rp_shared *shared);

/* rp_cache_opts.refresh, with the refresher as ctx: 0 when queued. */
int rp_refresher_offer(void *ctx, const char *token, size_t len, rp_attrset infos);

/*
 * Stops the threads (a refresh under way finishes first, bounded by the
 * upstream timeout) and wipes the tokens still waiting.  Before the
 * cache is freed.
 */
void rp_refresher_free(struct rp_refresher *r);

#endif
