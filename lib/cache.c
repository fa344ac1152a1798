/* cache.c: sharded LRU of parsed profiles with coalesced misses and stale-if-error. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "cache.h"
#include "hash.h"

#define DEFAULT_SHARDS 16u
#define MAX_SHARDS 256u
/* Below this many entries per shard, LRU order gets too coarse: fewer shards. */
#define MIN_PER_SHARD 8
#define MAX_BUCKETS ((size_t)1 << 20)

/*
 * One upstream call in progress.  The leader (the request that missed)
 * and every waiter hold a reference; all fields are guarded by the
 * shard's mutex.  It outlives its entry: waiters read the result after
 * the entry may already be gone.
 */
struct flight {
	pthread_cond_t cv;
	int refs;
	int done;
	int stale;                  /* result is the entry's expired profile */
	enum rp_err err;            /* failure class when the call failed */
	struct rp_profile *result;  /* owned; NULL when there is no profile */
};

struct entry {
	unsigned char key[RP_HASH_KEYLEN];
	struct entry *hnext;        /* bucket chain */
	struct entry *prev, *next;  /* LRU list, most recent first */
	struct rp_profile *prof;    /* kept GRANTED profile, owned; or NULL */
	long long expires;          /* prof is fresh before this (ms) */
	long long stale_until;      /* and servable on failure before this */
	long long refresh_at;       /* a hit after this refreshes prof (ms) */
	int refreshing;             /* handed to refresh(), not done yet */
	size_t bytes;               /* charged to shard.bytes; 0 unless kept */
	int marker;                 /* last answer was PARTIAL or REFUSED */
	int kept;                   /* counted in shard.kept */
	struct flight *flight;      /* call in progress, or NULL */
};

/*
 * What an entry costs beside its profile: the struct and malloc's share
 * of it.  A marker (PARTIAL or REFUSED) costs this alone.
 */
#define ENTRY_COST (sizeof(struct entry) + RP_MALLOC_OVERHEAD)

struct shard {
	pthread_mutex_t mu;
	struct entry **buckets;
	size_t mask;                /* buckets - 1 */
	struct entry lru;           /* sentinel: lru.next is the most recent */
	size_t kept, cap;           /* entries kept, and their bound */
	size_t bytes, bytes_cap;    /* heap of kept entries, and its bound */
	struct rp_cache_stats st;   /* counters of this shard */
};

struct rp_cache {
	struct rp_cache_opts o;
	int keep;                   /* whether anything is ever kept */
	unsigned nshards;
	struct shard *shards;
};

void
rp_cache_opts_from_cfg(const struct rp_cfg *cfg, struct rp_cache_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->ttl_s = cfg->cache.ttl_s;
	opts->max_entries = cfg->cache.max_entries;
	opts->max_bytes = cfg->cache.max_bytes;
	/*
	 * A profile holds at most the text of its answer, and a few
	 * hundred bytes of structure that the shards' rule of two largest
	 * per share leaves room for.
	 */
	opts->largest_entry = cfg->upstream.max_response_bytes;
	opts->stale_s = cfg->cache.stale_s;
	opts->refresh_s = cfg->cache.refresh_s;
	/*
	 * A waiter starts after its leader, whose call ends within
	 * timeout_ms (curl's total timeout includes connecting): waiting as
	 * long means a waiter never gives up on an answer about to come.
	 */
	opts->wait_ms = cfg->upstream.timeout_ms;
}

int
rp_cache_outcome_failed(enum rp_outcome o)
{
	return o == RP_OUT_UPSTREAM || o == RP_OUT_MALFORMED ||
	    o == RP_OUT_APIERROR;
}

static void
shard_destroy(struct shard *s)
{
	struct entry *e, *next;

	for (e = s->lru.next; e != NULL && e != &s->lru; e = next) {
		next = e->next;
		rp_profile_free(e->prof);
		free(e);
	}
	free(s->buckets);
	pthread_mutex_destroy(&s->mu);
}

static int
shard_init(struct shard *s, size_t cap, size_t bytes_cap)
{
	size_t n = 8;

	memset(s, 0, sizeof(*s));
	while (n < cap && n < MAX_BUCKETS)
		n <<= 1;
	if ((s->buckets = calloc(n, sizeof(*s->buckets))) == NULL)
		return RP_ENOMEM;
	if (pthread_mutex_init(&s->mu, NULL) != 0) {
		free(s->buckets);
		return RP_ENOMEM;
	}
	s->mask = n - 1;
	s->cap = cap;
	s->bytes_cap = bytes_cap;
	s->lru.next = s->lru.prev = &s->lru;
	return RP_OK;
}

enum rp_err
rp_cache_new(const struct rp_cache_opts *opts, struct rp_cache **out)
{
	struct rp_cache *c = NULL;
	unsigned n, i, ready = 0;
	size_t per, extra, bper, bextra, bytes;
	int rc = RP_ENOMEM;

	if (opts->ttl_s < 0 || opts->max_entries < 0 || opts->stale_s < 0 ||
	    opts->refresh_s < 0 ||
	    opts->wait_ms < 0 || opts->max_bytes < 0 || opts->largest_entry < 0)
		return RP_EINVAL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto out;
	c->o = *opts;
	if (c->o.now_ms == NULL)
		c->o.now_ms = rp_monotonic_ms;
	if (c->o.max_bytes == 0)
		c->o.max_bytes = RP_CACHE_DEFAULT_BYTES;
	bytes = (size_t)c->o.max_bytes;
	c->keep = opts->ttl_s > 0 && opts->max_entries > 0;
	n = opts->shards ? opts->shards : DEFAULT_SHARDS;
	if (n > MAX_SHARDS)
		n = MAX_SHARDS;
	while (n & (n - 1))
		n &= n - 1;
	while (n > 1 && opts->max_entries / n < MIN_PER_SHARD)
		n >>= 1;
	/*
	 * A profile larger than its shard's share is not kept: shares must
	 * hold two of the largest profiles, or one user's large answer
	 * would never be kept while the cache as a whole has room.
	 */
	while (n > 1 && bytes / n / 2 < (size_t)opts->largest_entry)
		n >>= 1;
	c->nshards = n;
	if ((c->shards = calloc(n, sizeof(*c->shards))) == NULL)
		goto out;
	/* Keys are uniform hashes, so an even split keeps shards even. */
	per = (size_t)opts->max_entries / n;
	extra = (size_t)opts->max_entries % n;
	bper = bytes / n;
	bextra = bytes % n;
	for (i = 0; i < n; i++, ready++)
		if (shard_init(&c->shards[i], per + (i < extra),
		    bper + (i < bextra)) != RP_OK)
			goto out;
	*out = c;
	c = NULL;
	rc = RP_OK;
out:
	if (c != NULL) {
		for (i = 0; i < ready; i++)
			shard_destroy(&c->shards[i]);
		free(c->shards);
		free(c);
	}
	return rc;
}

void
rp_cache_free(struct rp_cache *c)
{
	unsigned i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nshards; i++)
		shard_destroy(&c->shards[i]);
	free(c->shards);
	free(c);
}

static struct shard *
shard_of(struct rp_cache *c, const unsigned char *key)
{
	uint32_t v;

	memcpy(&v, key, sizeof(v));
	return &c->shards[v & (c->nshards - 1)];
}

static struct entry **
bucket_of(struct shard *s, const unsigned char *key)
{
	uint64_t v;

	/* Other bytes than the shard's, so buckets stay even within a shard. */
	memcpy(&v, key + RP_HASH_KEYLEN - sizeof(v), sizeof(v));
	return &s->buckets[v & s->mask];
}

static struct entry *
find(struct shard *s, const unsigned char *key)
{
	struct entry *e;

	for (e = *bucket_of(s, key); e != NULL; e = e->hnext)
		if (memcmp(e->key, key, RP_HASH_KEYLEN) == 0)
			return e;
	return NULL;
}

static void
lru_unlink(struct entry *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
}

static void
lru_front(struct shard *s, struct entry *e)
{
	e->next = s->lru.next;
	e->prev = &s->lru;
	s->lru.next->prev = e;
	s->lru.next = e;
}

/*
 * Hands the entry's profile to *trash (freed by the caller unlocked);
 * account() then takes its bytes off the shard's.
 */
static void
drop_profile(struct entry *e, struct rp_profile **trash)
{
	if (e->prof == NULL)
		return;
	*trash = e->prof;
	e->prof = NULL;
}

/* What keeping p costs the heap, the entry included. */
static size_t
entry_cost(const struct rp_profile *p)
{
	return ENTRY_COST + (p != NULL ? rp_profile_heap_cost(p) : 0);
}

/* Keeps shard.kept and shard.bytes in step with what e holds. */
static void
account(struct shard *s, struct entry *e)
{
	int now = e->prof != NULL || e->marker;
	size_t bytes = now ? entry_cost(e->prof) : 0;

	if (now && !e->kept)
		s->kept++;
	else if (!now && e->kept)
		s->kept--;
	e->kept = now;
	s->bytes = s->bytes - e->bytes + bytes;
	e->bytes = bytes;
}

static void
remove_entry(struct shard *s, struct entry *e)
{
	struct entry **pp;

	for (pp = bucket_of(s, e->key); *pp != e; pp = &(*pp)->hnext)
		;
	*pp = e->hnext;
	lru_unlink(e);
	if (e->kept)
		s->kept--;
	s->bytes -= e->bytes;
	rp_profile_free(e->prof);
	free(e);
}

/*
 * Drops least recently used entries (never one in flight, never keep)
 * until the shard is within both of its bounds.
 */
static void
evict(struct shard *s, struct entry *keep)
{
	struct entry *e, *prev;

	for (e = s->lru.prev; (s->kept > s->cap || s->bytes > s->bytes_cap) &&
	    e != &s->lru; e = prev) {
		prev = e->prev;
		if (e == keep || e->flight != NULL || !e->kept)
			continue;
		remove_entry(s, e);
		s->st.evictions++;
	}
}

static struct flight *
flight_new(void)
{
	struct flight *f = calloc(1, sizeof(*f));
	pthread_condattr_t ca;

	if (f == NULL)
		return NULL;
	/* Waits are bounded on the monotonic clock: wall-clock jumps don't matter. */
	if (pthread_condattr_init(&ca) != 0) {
		free(f);
		return NULL;
	}
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_cond_init(&f->cv, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		free(f);
		return NULL;
	}
	pthread_condattr_destroy(&ca);
	f->refs = 1;
	return f;
}

/* Drops one reference under the shard lock; the last one frees the flight. */
static void
flight_release(struct flight *f, struct rp_profile **trash)
{
	if (--f->refs > 0)
		return;
	*trash = f->result;
	pthread_cond_destroy(&f->cv);
	free(f);
}

/* The answer of a finished (or abandoned) call, or a failure profile. */
static int
answer(struct rp_profile *result, rp_attrset infos, enum rp_err err,
    struct rp_profile **out)
{
	if (result != NULL) {
		*out = rp_profile_ref(result);
		return RP_OK;
	}
	return rp_profile_new_failure(infos, err, 0, out);
}

/* Waits for the call of f (shard locked); returns with the lock held. */
static void
wait_flight(struct rp_cache *c, struct shard *s, struct entry *e,
    struct flight *f, struct rp_profile **res, enum rp_err *err,
    struct rp_cache_info *info)
{
	struct timespec dl;
	long long now;

	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += c->o.wait_ms / 1000;
	dl.tv_nsec += (c->o.wait_ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	f->refs++;
	s->st.coalesced++;
	info->coalesced = 1;
	while (!f->done)
		if (pthread_cond_timedwait(&f->cv, &s->mu, &dl) == ETIMEDOUT)
			break;
	if (f->done) {
		*res = f->result;
		*err = f->err;
		info->stale = f->stale;
		if (f->stale)
			s->st.stale++;
		return;
	}
	/* Still in flight, so e is still there: its expired profile may do. */
	s->st.wait_timeouts++;
	info->wait_timeout = 1;
	*err = RP_ETIMEOUT;
	now = c->o.now_ms();
	if (e->prof != NULL && now < e->stale_until) {
		*res = e->prof;
		info->stale = 1;
		s->st.stale++;
	}
}

/* Makes the upstream call through the breaker; never holds a lock. */
static struct rp_profile *
call_upstream(struct rp_cache *c, const struct rp_cache_query *q,
    enum rp_err *err, int *rejected)
{
	struct rp_profile *r = NULL;
	int probe = 0, rc, failed;

	*rejected = 0;
	if (q->peek != NULL && q->peek(q->arg, &r) == RP_OK && r != NULL) {
		*err = RP_OK;
		return r;
	}
	r = NULL;
	if (c->o.breaker != NULL &&
	    rp_breaker_enter(c->o.breaker, &probe) != RP_OK) {
		*rejected = 1;
		*err = RP_EBREAKER;
		return NULL;
	}
	if ((rc = q->fetch(q->arg, &r)) != RP_OK) {
		r = NULL;
		*err = rc;
	} else
		*err = r->err != RP_OK ? r->err : RP_EUPSTREAM;
	failed = r == NULL || rp_cache_outcome_failed(r->outcome);
	if (!failed)
		*err = RP_OK;
	/* Only a failure needs to know whose it was: the hash costs nothing else. */
	if (c->o.breaker != NULL)
		rp_breaker_done(c->o.breaker, probe, !failed,
		    failed ? rp_hash_user(q->token, q->len) : 0);
	return r;
}

/*
 * Decides what the entry keeps after a call answered r (shard locked),
 * and returns the profile to serve (owned reference, may be NULL).
 */
static struct rp_profile *
settle(struct rp_cache *c, struct shard *s, struct entry *e,
    struct rp_profile *r, struct flight *f, struct rp_profile **trash,
    int no_keep)
{
	long long now = c->o.now_ms();

	if (r == NULL || rp_cache_outcome_failed(r->outcome)) {
		if (e->prof != NULL && now < e->stale_until) {
			/* (A failed refresh: the entry, fresh or not, stays.) */
			f->stale = now >= e->expires;
			s->st.stale += (unsigned)f->stale;
			trash[0] = r;
			return rp_profile_ref(e->prof);
		}
		drop_profile(e, &trash[0]);
		return r;
	}
	switch (r->outcome) {
	case RP_OUT_GRANTED:
		drop_profile(e, &trash[0]);
		if (!c->keep)
			break;
		if (e->marker || no_keep) {
			/* Maybe a grant for one reading: serve, don't keep. */
			e->marker = 0;
			s->st.grant_once++;
			break;
		}
		if (entry_cost(r) > s->bytes_cap) {
			/* Keeping it would empty the shard, and still not fit. */
			s->st.oversize++;
			break;
		}
		e->prof = rp_profile_ref(r);
		e->expires = now + c->o.ttl_s * 1000LL;
		e->refresh_at = c->o.refresh_s > 0 ?
		    now + c->o.refresh_s * 1000LL : e->expires;
		e->stale_until = e->expires + c->o.stale_s * 1000LL;
		s->st.stored++;
		break;
	case RP_OUT_PARTIAL:
	case RP_OUT_REFUSED:
		drop_profile(e, &trash[0]);
		e->marker = c->keep;
		break;
	default:
		/* ACCOUNT: the token is no longer good; keep nothing of it. */
		drop_profile(e, &trash[0]);
		break;
	}
	return r;
}

/*
 * The end of a call (shard locked): f gets its result for the waiters,
 * which are woken, and e is accounted, then kept (within the shard's
 * bounds) or removed -- e must not be used after this.
 */
static void
land(struct shard *s, struct entry *e, struct flight *f,
    struct rp_profile *res, enum rp_err err)
{
	f->result = res;
	f->err = err;
	f->done = 1;
	e->flight = NULL;
	account(s, e);
	if (!e->kept)
		remove_entry(s, e);
	else
		evict(s, e);
	pthread_cond_broadcast(&f->cv);
}

enum rp_err
rp_cache_get(struct rp_cache *c, const struct rp_cache_query *q,
    struct rp_profile **out, struct rp_cache_info *info)
{
	unsigned char key[RP_HASH_KEYLEN];
	struct rp_cache_info dummy;
	struct rp_profile *trash[3] = { NULL, NULL, NULL }, *res = NULL, *r;
	struct shard *s;
	struct entry *e;
	struct flight *f;
	enum rp_err err = RP_OK;
	long long now;
	int rc, rejected, i, refresh;

	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	rp_hash_key(q->token, q->len, q->infos, key);
	s = shard_of(c, key);

	pthread_mutex_lock(&s->mu);
	e = find(s, key);
	if (e != NULL && e->prof != NULL && (now = c->o.now_ms()) < e->expires) {
		s->st.hits++;
		info->hit = 1;
		lru_unlink(e);
		lru_front(s, e);
		*out = rp_profile_ref(e->prof);
		refresh = c->o.refresh != NULL && c->o.refresh_s > 0 &&
		    now >= e->refresh_at && !e->refreshing && e->flight == NULL;
		if (refresh)
			e->refreshing = 1;
		pthread_mutex_unlock(&s->mu);
		if (refresh && c->o.refresh(c->o.refresh_ctx, q->token, q->len,
		    q->infos) == 0) {
			info->refresh = 1;
			return RP_OK;
		}
		if (refresh) {
			/* Turned down (too many waiting): a later hit may try. */
			pthread_mutex_lock(&s->mu);
			s->st.refresh_skipped++;
			if ((e = find(s, key)) != NULL)
				e->refreshing = 0;
			pthread_mutex_unlock(&s->mu);
		}
		return RP_OK;
	}
	if (e != NULL && e->flight != NULL) {
		f = e->flight;
		wait_flight(c, s, e, f, &res, &err, info);
		rc = answer(res, q->infos, err, out);
		flight_release(f, &trash[0]);
		pthread_mutex_unlock(&s->mu);
		goto out;
	}
	if ((f = flight_new()) == NULL) {
		pthread_mutex_unlock(&s->mu);
		return RP_ENOMEM;
	}
	if (e == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL) {
			pthread_mutex_unlock(&s->mu);
			pthread_cond_destroy(&f->cv);
			free(f);
			return RP_ENOMEM;
		}
		memcpy(e->key, key, sizeof(key));
		e->hnext = *bucket_of(s, key);
		*bucket_of(s, key) = e;
	} else
		lru_unlink(e);
	lru_front(s, e);
	e->flight = f;
	info->fetched = 1;
	if (q->marked != NULL)
		*q->marked = e->marker;
	pthread_mutex_unlock(&s->mu);

	r = call_upstream(c, q, &err, &rejected);

	pthread_mutex_lock(&s->mu);
	if (rejected)
		s->st.breaker_rejected++;
	else
		s->st.misses++;
	res = settle(c, s, e, r, f, trash, q->no_keep != NULL && *q->no_keep);
	info->stale = f->stale;
	info->stored = !f->stale && e->prof != NULL && e->prof == res;
	land(s, e, f, res, err);
	rc = answer(res, q->infos, err, out);
	flight_release(f, &trash[1]);
	pthread_mutex_unlock(&s->mu);
out:
	info->err = err;
	/* Profiles are freed unlocked: an arena free is not free of cost. */
	for (i = 0; i < 3; i++)
		rp_profile_free(trash[i]);
	return rc;
}

enum rp_err
rp_cache_refresh(struct rp_cache *c, const struct rp_cache_query *q)
{
	unsigned char key[RP_HASH_KEYLEN];
	struct rp_profile *trash[3] = { NULL, NULL, NULL }, *res, *r;
	struct shard *s;
	struct entry *e;
	struct flight *f;
	enum rp_err err = RP_OK;
	int rejected, i, failed;

	rp_hash_key(q->token, q->len, q->infos, key);
	s = shard_of(c, key);
	pthread_mutex_lock(&s->mu);
	e = find(s, key);
	if (e == NULL || e->prof == NULL || e->flight != NULL ||
	    (f = flight_new()) == NULL) {
		/* Evicted, dropped, or a miss's call already on its way. */
		if (e != NULL)
			e->refreshing = 0;
		pthread_mutex_unlock(&s->mu);
		return RP_OK;
	}
	/* Requests that find it expired meanwhile wait for this call. */
	e->flight = f;
	s->st.refreshes++;
	pthread_mutex_unlock(&s->mu);

	r = call_upstream(c, q, &err, &rejected);

	failed = r == NULL || rp_cache_outcome_failed(r->outcome);
	pthread_mutex_lock(&s->mu);
	if (rejected)
		s->st.breaker_rejected++;
	res = settle(c, s, e, r, f, trash, q->no_keep != NULL && *q->no_keep);
	e->refreshing = 0;
	/* Failed: no more tries for this entry; it expires as without refresh. */
	if (failed && e->prof != NULL)
		e->refresh_at = e->expires;
	land(s, e, f, res, err);
	flight_release(f, &trash[1]);
	pthread_mutex_unlock(&s->mu);
	/* The flight owned res: its last reference (maybe ours) freed it. */
	for (i = 0; i < 3; i++)
		rp_profile_free(trash[i]);
	return RP_OK;
}

void
rp_cache_refresh_skip(struct rp_cache *c, const struct rp_cache_query *q)
{
	unsigned char key[RP_HASH_KEYLEN];
	struct shard *s;
	struct entry *e;

	rp_hash_key(q->token, q->len, q->infos, key);
	s = shard_of(c, key);
	pthread_mutex_lock(&s->mu);
	if ((e = find(s, key)) != NULL) {
		e->refreshing = 0;
		if (e->prof != NULL)
			e->refresh_at = e->expires;
	}
	s->st.refresh_elsewhere++;
	pthread_mutex_unlock(&s->mu);
}

void
rp_cache_stats(struct rp_cache *c, struct rp_cache_stats *out)
{
	unsigned i;
	struct shard *s;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < c->nshards; i++) {
		s = &c->shards[i];
		pthread_mutex_lock(&s->mu);
		out->hits += s->st.hits;
		out->misses += s->st.misses;
		out->stale += s->st.stale;
		out->coalesced += s->st.coalesced;
		out->wait_timeouts += s->st.wait_timeouts;
		out->evictions += s->st.evictions;
		out->stored += s->st.stored;
		out->grant_once += s->st.grant_once;
		out->breaker_rejected += s->st.breaker_rejected;
		out->oversize += s->st.oversize;
		out->refreshes += s->st.refreshes;
		out->refresh_skipped += s->st.refresh_skipped;
		out->refresh_elsewhere += s->st.refresh_elsewhere;
		out->entries += s->kept;
		out->bytes += s->bytes;
		pthread_mutex_unlock(&s->mu);
	}
	out->max_bytes = (size_t)c->o.max_bytes;
}
