/* cache.h: parsed profiles shared between page views, and one upstream call per miss. */
#ifndef RP_CACHE_H
#define RP_CACHE_H

#include <stddef.h>

#include "attr.h"
#include "breaker.h"
#include "cfg.h"
#include "err.h"
#include "profile.h"

/*
 * An in-process cache of parsed profiles (not HTML: every view and
 * language that asks for the same attributes shares an entry), keyed by
 * rp_hash_key(token, infos) -- a keyed hash, never the token.  Sharded
 * by key bits, a mutex and an LRU list per shard.
 *
 * Bounded twice: by entries (max_entries) and by the heap the entries
 * take (max_bytes: each profile's blocks and the entry itself, with
 * malloc's share of each), least recently used first beyond either.
 * Each shard holds an even share of both; a profile larger than its
 * shard's share of max_bytes is served but not kept.  There are fewer
 * shards when needed for a share to hold two of the largest profiles
 * expected (largest_entry), so with several shards no real profile is
 * refused, and with one the share is max_bytes itself.
 *
 * rp_cache_get is the one way to a profile: it serves a fresh entry, or
 * makes one upstream call for all concurrent requests of the same key
 * (the others wait, bounded by wait_ms), asks the breaker first, and
 * serves an expired entry (within stale_s) when the call fails.
 *
 * What is kept: GRANTED outcomes only.  PARTIAL and REFUSED must not
 * outlive a consent the user just gave; ACCOUNT (sign in again) and
 * failures are never kept.  "Grant once" on Orange's privacy page means
 * the data may be read once, and the API does not say which grant it
 * was: so a GRANTED answer that follows a PARTIAL or REFUSED one for the
 * same key is served but not kept, and only the next GRANTED answer
 * (the grant was permanent) is.
 */
struct rp_cache;

/* max_bytes when the options leave it 0, as [cache] max_bytes does. */
#define RP_CACHE_DEFAULT_BYTES (32L << 20)

struct rp_cache_opts {
	long ttl_s;            /* entry lifetime; 0: keep nothing (still coalesce) */
	long max_entries;      /* entries kept, LRU beyond; 0: keep nothing */
	long max_bytes;        /* heap of kept entries, LRU beyond; 0: 32 MiB */
	long largest_entry;    /* heap of the largest profile expected; 0: unknown */
	long stale_s;          /* serve expired entries this long on failure */
	long wait_ms;          /* how long a coalesced request waits (upstream timeout) */
	unsigned shards;       /* 0: default (16); rounded down to a power of two */
	/* Optional, borrowed: asked before every upstream call. */
	struct rp_breaker *breaker;
	/*
	 * Refresh-ahead (optional): a hit on an entry kept more than
	 * refresh_s seconds ago (0: never) calls refresh(refresh_ctx, ...)
	 * with the hit's token, at most once per entry until the refresh is
	 * done, without any cache lock held.  refresh must copy what it
	 * keeps, and return 0 when it will call rp_cache_refresh with that
	 * token (on another thread), non-zero when it will not.
	 */
	long refresh_s;
	int (*refresh)(void *ctx, const char *token, size_t len, rp_attrset infos);
	void *refresh_ctx;
	/* Clock in milliseconds, for tests; NULL: CLOCK_MONOTONIC. */
	long long (*now_ms)(void);
};

/*
 * Fills opts from cfg ([cache]; [upstream] timeout_ms as wait_ms, and
 * max_response_bytes as what the largest profile may take).
 */
void rp_cache_opts_from_cfg(const struct rp_cfg *cfg, struct rp_cache_opts *opts);

/*
 * A new empty cache; opts is copied (the breaker stays borrowed and must
 * outlive the cache).  RP_EINVAL for negative figures, RP_ENOMEM.
 * Caller frees with rp_cache_free, after every rp_cache_get returned.
 */
enum rp_err rp_cache_new(const struct rp_cache_opts *opts, struct rp_cache **out);
void rp_cache_free(struct rp_cache *c);

/*
 * The upstream call: on RP_OK writes a profile of any outcome to *out
 * (a transport failure is an RP_OUT_UPSTREAM profile, as rp_client_fetch
 * gives); any other return means no profile.  Called without any cache
 * lock held, on the thread of the request that missed.
 */
typedef enum rp_err (*rp_cache_fetch_fn)(void *arg, struct rp_profile **out);

struct rp_cache_query {
	const char *token;     /* the user's token, len bytes; only hashed */
	size_t len;
	rp_attrset infos;      /* attributes asked for */
	rp_cache_fetch_fn fetch;
	void *arg;             /* passed to fetch (and peek) */
	/*
	 * Optional, the shared tier: asked on a miss by the request that
	 * leads the call, before the breaker and fetch.  RP_OK with a
	 * GRANTED profile in *out serves (and keeps) it without an upstream
	 * call; anything else goes on to fetch.
	 */
	rp_cache_fetch_fn peek;
	/*
	 * Optional: peek or fetch sets *no_keep non-zero to have a GRANTED
	 * answer served but not kept (grant once, remembered elsewhere).
	 */
	int *no_keep;
	/*
	 * Optional: set before fetch is called to whether this process's
	 * last answer for the key was PARTIAL or REFUSED (a grant that
	 * follows must not be kept anywhere, Redis included).
	 */
	int *marked;
};

/* How one rp_cache_get was answered, for logs, headers and tests. */
struct rp_cache_info {
	int hit;               /* a fresh entry: no upstream call */
	int fetched;           /* this request led the call (or the breaker refused it) */
	int coalesced;         /* waited for another request's call */
	int stale;             /* an expired entry served because the call failed */
	int stored;            /* the answer was kept */
	int wait_timeout;      /* gave up waiting after wait_ms */
	int refresh;           /* a hit that started a refresh of its entry */
	enum rp_err err;       /* why the call failed (RP_EBREAKER...); RP_OK if not */
};

/*
 * The profile of q->token for q->infos.  Always writes a profile to *out
 * unless memory runs out (RP_ENOMEM): a failure without a stale entry
 * gives an RP_OUT_UPSTREAM profile (err RP_EBREAKER when the breaker
 * refused, RP_ETIMEOUT when waiting for another call timed out).
 * info may be NULL.  Caller frees *out with rp_profile_free; the profile
 * may be shared with other threads and must not be changed.
 */
enum rp_err rp_cache_get(struct rp_cache *c, const struct rp_cache_query *q,
    struct rp_profile **out, struct rp_cache_info *info);

/*
 * Refresh-ahead, on the thread refresh() handed the job to: one upstream
 * call for q's entry (through the breaker, as a miss's), unless the
 * entry is gone or another call for it is in flight.  Requests that find
 * the entry expired meanwhile wait for this call.  Its answer is kept or
 * dropped by the rules of a miss: GRANTED replaces the entry, PARTIAL or
 * REFUSED drop it for a marker, ACCOUNT drops it, a failure keeps it.
 * RP_OK, or RP_ENOMEM.
 */
enum rp_err rp_cache_refresh(struct rp_cache *c, const struct rp_cache_query *q);

/*
 * The refresh handed over for q's entry will not be made (another
 * server makes it): the entry is served until it expires, with no
 * further refresh, and is counted in refresh_elsewhere.
 */
void rp_cache_refresh_skip(struct rp_cache *c, const struct rp_cache_query *q);

/* Whether an outcome counts as an upstream failure (breaker, stale-if-error). */
int rp_cache_outcome_failed(enum rp_outcome o);

/* Figures for metrics; counters only grow, entries is the current count. */
struct rp_cache_stats {
	unsigned long long hits;
	unsigned long long misses;       /* upstream calls made */
	unsigned long long stale;        /* expired entries served on failure */
	unsigned long long coalesced;    /* requests that waited for another's call */
	unsigned long long wait_timeouts;
	unsigned long long evictions;    /* entries dropped for room (LRU) */
	unsigned long long stored;
	unsigned long long grant_once;   /* GRANTED answers served but not kept */
	unsigned long long breaker_rejected; /* calls the breaker refused */
	unsigned long long oversize;     /* answers too large to keep (served) */
	unsigned long long refreshes;    /* refresh-ahead calls made */
	unsigned long long refresh_skipped; /* refreshes refresh() turned down */
	unsigned long long refresh_elsewhere; /* left to another server (shared tier) */
	size_t entries;                  /* entries now, profiles and markers */
	size_t bytes;                    /* heap of kept entries, profiles included */
	size_t max_bytes;                /* the bound of bytes */
};

void rp_cache_stats(struct rp_cache *c, struct rp_cache_stats *out);

#endif
