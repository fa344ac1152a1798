/* test_cache.c: TTL, LRU, coalescing, stale-if-error, what is kept, who sees what. */
#include "config.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "cache.h"
#include "hash.h"
#include "testutil.h"

#define NAME RP_ATTR_BIT(RP_A_FIRSTNAME)
#define CARD (RP_ATTR_BIT(RP_A_FIRSTNAME) | RP_ATTR_BIT(RP_A_LASTNAME))

static long long fake_now;

static long long
fake_clock(void)
{
	return __atomic_load_n(&fake_now, __ATOMIC_SEQ_CST);
}

static void
advance_s(long s)
{
	__atomic_add_fetch(&fake_now, s * 1000LL, __ATOMIC_SEQ_CST);
}

/* A stand-in for the API: answers every call with the outcome set here. */
struct upstream {
	enum rp_outcome outcome;
	enum rp_err err;       /* for RP_OUT_UPSTREAM */
	int delay_ms;          /* sleep before answering */
	size_t pad;            /* bytes of Lastname, to make profiles large */
	int calls;             /* atomic */
	sem_t entered;         /* posted when a call starts */
};

struct call {
	struct upstream *up;
	const char *token;
	rp_attrset infos;
};

/* The profile carries the token as Firstname, so tests can tell whose it is. */
static enum rp_err
fetch(void *arg, struct rp_profile **out)
{
	struct call *call = arg;
	struct rp_profile *p;
	int rc;

	__atomic_add_fetch(&call->up->calls, 1, __ATOMIC_SEQ_CST);
	sem_post(&call->up->entered);
	if (call->up->delay_ms > 0)
		usleep((useconds_t)call->up->delay_ms * 1000);
	if (call->up->outcome == RP_OUT_UPSTREAM)
		return rp_profile_new_failure(call->infos, call->up->err, 0, out);
	if ((rc = rp_profile_new(call->infos, &p)) != RP_OK)
		return rc;
	p->outcome = call->up->outcome;
	if (p->outcome == RP_OUT_GRANTED || p->outcome == RP_OUT_PARTIAL) {
		rp_profile_value_mut(p, RP_A_FIRSTNAME)->text =
		    rp_profile_strdup(p, call->token, strlen(call->token));
		p->present = NAME;
	}
	if (call->up->pad > 0) {
		char *s = malloc(call->up->pad);

		if (s == NULL) {
			rp_profile_free(p);
			return RP_ENOMEM;
		}
		memset(s, 'p', call->up->pad);
		rp_profile_value_mut(p, RP_A_LASTNAME)->text =
		    rp_profile_strdup(p, s, call->up->pad);
		p->present |= RP_ATTR_BIT(RP_A_LASTNAME);
		free(s);
	}
	if (p->outcome == RP_OUT_ACCOUNT)
		p->code = 102;
	*out = p;
	return RP_OK;
}

static void
up_init(struct upstream *up, enum rp_outcome o)
{
	memset(up, 0, sizeof(*up));
	up->outcome = o;
	up->err = RP_ETIMEOUT;
	sem_init(&up->entered, 0, 0);
}

static int
calls(struct upstream *up)
{
	return __atomic_load_n(&up->calls, __ATOMIC_SEQ_CST);
}

/*
 * What every case works on: a Check fixture sets them up and tears them
 * down around each case.  Short names, as the cases use them on nearly
 * every line.
 */
static struct rp_cache *c;      /* from make(); teardown frees it */
static struct upstream u;       /* answers "granted" until told otherwise */
static struct rp_cache_info i;  /* what the last get() did */

static void
setup(void)
{
	c = NULL;
	memset(&i, 0, sizeof(i));
	up_init(&u, RP_OUT_GRANTED);
}

static void
teardown(void)
{
	rp_cache_free(c);
	c = NULL;
	sem_destroy(&u.entered);
}

/*
 * Gives the case a new cache c (freeing the one it had) bounded to
 * max_bytes (0: the default); resets the clock.
 */
static void
make_bytes(long ttl, long max, long stale, unsigned shards,
    struct rp_breaker *b, long max_bytes)
{
	struct rp_cache_opts o;

	rp_cache_free(c);
	c = NULL;
	memset(&o, 0, sizeof(o));
	o.ttl_s = ttl;
	o.max_entries = max;
	o.max_bytes = max_bytes;
	o.stale_s = stale;
	o.wait_ms = 2000;
	o.shards = shards;
	o.breaker = b;
	o.now_ms = fake_clock;
	fake_now = 1000000;
	ck_assert_int_eq(rp_cache_new(&o, &c), RP_OK);
}

/* The same, with the default bound of bytes (far above these profiles). */
static void
make(long ttl, long max, long stale, unsigned shards, struct rp_breaker *b)
{
	make_bytes(ttl, max, stale, shards, b, 0);
}

/* One lookup; returns the profile (caller frees) and fills info. */
static struct rp_profile *
get(struct rp_cache *cache, struct upstream *up, const char *token,
    rp_attrset infos, struct rp_cache_info *info)
{
	struct call call = { up, token, infos };
	struct rp_cache_query q = { token, strlen(token), infos, fetch, &call,
	    NULL, NULL, NULL };
	struct rp_profile *p = NULL;

	ck_assert_int_eq(rp_cache_get(cache, &q, &p, info), RP_OK);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* Asserts p is token's granted profile. */
static void
is_of(const struct rp_profile *p, const char *token)
{
	ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
	ck_assert_ptr_nonnull(rp_profile_value(p, RP_A_FIRSTNAME)->text);
	ck_assert_str_eq(rp_profile_value(p, RP_A_FIRSTNAME)->text, token);
}

START_TEST(hit_after_miss)
{
	struct rp_cache_stats st;
	struct rp_profile *a, *b;

	make(60, 100, 0, 0, NULL);
	a = get(c, &u, "tok-alice", CARD, &i);
	ck_assert(i.fetched && i.stored && !i.hit);
	b = get(c, &u, "tok-alice", CARD, &i);
	ck_assert(i.hit && !i.fetched);
	ck_assert_int_eq(calls(&u), 1);
	ck_assert_ptr_eq(a, b);          /* the same immutable profile, shared */
	is_of(b, "tok-alice");
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.hits, 1);
	ck_assert_uint_eq(st.misses, 1);
	ck_assert_uint_eq(st.stored, 1);
	ck_assert_uint_eq(st.entries, 1);
	ck_assert_uint_ge(st.bytes, rp_profile_footprint(a));
	rp_profile_free(a);
	rp_profile_free(b);
}
END_TEST

START_TEST(ttl_expiry)
{
	make(30, 100, 0, 0, NULL);
	rp_profile_free(get(c, &u, "tok", NAME, &i));
	advance_s(29);
	rp_profile_free(get(c, &u, "tok", NAME, &i));
	ck_assert(i.hit);
	ck_assert_int_eq(calls(&u), 1);
	advance_s(1);
	rp_profile_free(get(c, &u, "tok", NAME, &i));
	ck_assert(!i.hit && i.fetched && i.stored);
	ck_assert_int_eq(calls(&u), 2);
	/* The new answer starts a new lifetime. */
	advance_s(29);
	rp_profile_free(get(c, &u, "tok", NAME, &i));
	ck_assert(i.hit);
	ck_assert_int_eq(calls(&u), 2);
}
END_TEST

START_TEST(lru_eviction_order)
{
	struct rp_cache_stats st;

	make(600, 3, 0, 1, NULL);
	rp_profile_free(get(c, &u, "A", NAME, &i));
	rp_profile_free(get(c, &u, "B", NAME, &i));
	rp_profile_free(get(c, &u, "C", NAME, &i));
	rp_profile_free(get(c, &u, "A", NAME, &i));  /* A is now the most recent */
	ck_assert(i.hit);
	rp_profile_free(get(c, &u, "D", NAME, &i));  /* evicts B, the least recent */
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.evictions, 1);
	ck_assert_uint_eq(st.entries, 3);
	ck_assert_int_eq(calls(&u), 4);
	rp_profile_free(get(c, &u, "A", NAME, &i));
	ck_assert(i.hit);
	rp_profile_free(get(c, &u, "C", NAME, &i));
	ck_assert(i.hit);
	rp_profile_free(get(c, &u, "D", NAME, &i));
	ck_assert(i.hit);
	rp_profile_free(get(c, &u, "B", NAME, &i));  /* gone: fetched again, evicts A */
	ck_assert(i.fetched);
	rp_profile_free(get(c, &u, "A", NAME, &i));
	ck_assert(i.fetched);
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.evictions, 3);
	ck_assert_uint_eq(st.entries, 3);
}
END_TEST

/* Sharded: the total stays within max_entries however keys fall. */
START_TEST(max_entries_sharded)
{
	struct rp_cache_stats st;
	char tok[32];
	int n;

	make(600, 100, 0, 16, NULL);
	for (n = 0; n < 1000; n++) {
		snprintf(tok, sizeof(tok), "user-%d", n);
		rp_profile_free(get(c, &u, tok, NAME, NULL));
	}
	rp_cache_stats(c, &st);
	ck_assert_uint_le(st.entries, 100);
	ck_assert_uint_ge(st.entries, 90);
	ck_assert_uint_eq(st.evictions, 1000 - st.entries);
}
END_TEST

/*
 * What keeping one profile of pad bytes costs the cache (st.bytes after
 * storing it alone), and in *overhead what of it is not the profile's
 * heap: the entry.  Leaves c empty of it (a fresh cache).
 */
static size_t
cost_of(size_t pad, size_t *overhead)
{
	struct rp_cache_stats st;
	struct rp_profile *p;
	size_t save = u.pad;

	make_bytes(600, 1000, 0, 1, NULL, 0);
	u.pad = pad;
	p = get(c, &u, "probe", CARD, &i);
	ck_assert(i.stored);
	rp_cache_stats(c, &st);
	ck_assert_uint_gt(st.bytes, rp_profile_heap_cost(p));
	if (overhead != NULL)
		*overhead = st.bytes - rp_profile_heap_cost(p);
	rp_profile_free(p);
	u.pad = save;
	u.calls = 0;
	return st.bytes;
}

/*
 * The real cost is charged: the profile's blocks (two here: the first
 * and the one its long value grew), malloc's share of each, and the
 * entry.
 */
START_TEST(bytes_charge_profile_and_entry)
{
	struct rp_cache_stats st;
	struct rp_profile *p;
	size_t over, cost;

	cost = cost_of(10000, &over);
	ck_assert_uint_ge(over, 64);       /* the entry: key, links, times */
	ck_assert_uint_le(over, 256);
	make_bytes(600, 1000, 0, 1, NULL, 0);
	u.pad = 10000;
	p = get(c, &u, "tok", CARD, &i);
	ck_assert_uint_gt(rp_profile_heap_cost(p), rp_profile_footprint(p) +
	    RP_MALLOC_OVERHEAD);              /* more than one block */
	ck_assert_uint_gt(rp_profile_footprint(p), 10000);
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.bytes, cost);
	ck_assert_uint_eq(st.max_bytes, RP_CACHE_DEFAULT_BYTES);
	rp_profile_free(p);
}
END_TEST

/* Beyond max_bytes the least recently used go first, as many as it takes. */
START_TEST(bytes_evict_lru_by_size)
{
	struct rp_cache_stats st;
	size_t one = cost_of(10000, NULL), two = cost_of(20000, NULL);

	/* Room for three of one, not four; two is nearly twice one. */
	make_bytes(600, 1000, 0, 1, NULL, (long)(one * 7 / 2));
	u.pad = 10000;
	rp_profile_free(get(c, &u, "A", NAME, &i));
	rp_profile_free(get(c, &u, "B", NAME, &i));
	rp_profile_free(get(c, &u, "C", NAME, &i));
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.bytes, 3 * one);
	ck_assert_uint_eq(st.evictions, 0);
	rp_profile_free(get(c, &u, "A", NAME, &i));  /* A is now the most recent */
	ck_assert(i.hit);
	u.pad = 20000;
	rp_profile_free(get(c, &u, "D", NAME, &i));  /* evicts B, then C */
	ck_assert(i.stored);
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.evictions, 2);
	ck_assert_uint_eq(st.entries, 2);
	ck_assert_uint_eq(st.bytes, one + two);
	ck_assert_uint_le(st.bytes, st.max_bytes);
	rp_profile_free(get(c, &u, "A", NAME, &i));
	ck_assert(i.hit);
	rp_profile_free(get(c, &u, "D", NAME, &i));  /* D, then A: A is the LRU */
	ck_assert(i.hit);
	ck_assert_int_eq(calls(&u), 4);
	u.pad = 10000;
	rp_profile_free(get(c, &u, "C", NAME, &i));  /* gone: fetched, evicts A */
	ck_assert(i.fetched && i.stored);
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.evictions, 3);
	ck_assert_uint_eq(st.bytes, one + two);
	rp_profile_free(get(c, &u, "D", NAME, &i));
	ck_assert(i.hit);
	rp_profile_free(get(c, &u, "A", NAME, &i));
	ck_assert(i.fetched);
	rp_profile_free(get(c, &u, "B", NAME, &i));
	ck_assert(i.fetched);
	rp_cache_stats(c, &st);
	ck_assert_uint_le(st.bytes, st.max_bytes);
}
END_TEST

/* Expired and dropped, entries give their bytes back, to the last one. */
START_TEST(bytes_back_to_zero)
{
	struct rp_cache_stats st;
	struct rp_profile *p;
	size_t one = cost_of(10000, NULL), over;
	const char *toks[] = { "A", "B", "C" };
	size_t k;

	cost_of(0, &over);
	make_bytes(10, 1000, 30, 1, NULL, (long)(one * 10));
	u.pad = 10000;
	for (k = 0; k < 3; k++)
		rp_profile_free(get(c, &u, toks[k], NAME, &i));
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.bytes, 3 * one);
	advance_s(41);                      /* past ttl and the stale window */
	u.outcome = RP_OUT_UPSTREAM;
	for (k = 0; k < 3; k++) {
		p = get(c, &u, toks[k], NAME, &i);
		ck_assert(!i.stale);
		rp_profile_free(p);
		rp_cache_stats(c, &st);
		ck_assert_uint_eq(st.bytes, (2 - k) * one);
	}
	ck_assert_uint_eq(st.entries, 0);
	/* A refusal keeps a marker: its entry alone is charged ... */
	u.outcome = RP_OUT_REFUSED;
	rp_profile_free(get(c, &u, "A", NAME, &i));
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.entries, 1);
	ck_assert_uint_eq(st.bytes, over);
	/* ... until the grant after it, served and not kept, clears it. */
	u.outcome = RP_OUT_GRANTED;
	rp_profile_free(get(c, &u, "A", NAME, &i));
	ck_assert(!i.stored);
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.entries, 0);
	ck_assert_uint_eq(st.bytes, 0);
	/* A kept profile replaced by an account error: nothing left either. */
	rp_profile_free(get(c, &u, "B", NAME, &i));
	ck_assert(i.stored);
	advance_s(11);
	u.outcome = RP_OUT_ACCOUNT;
	rp_profile_free(get(c, &u, "B", NAME, &i));
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.entries, 0);
	ck_assert_uint_eq(st.bytes, 0);
}
END_TEST

/*
 * A profile larger than the whole bound is served, not kept, and
 * costs the entries already kept nothing.
 */
START_TEST(oversize_served_not_kept)
{
	struct rp_cache_stats st;
	struct rp_profile *p;
	size_t one = cost_of(1000, NULL);

	make_bytes(600, 1000, 0, 1, NULL, (long)(one * 4));
	u.pad = 1000;
	rp_profile_free(get(c, &u, "small-1", NAME, &i));
	rp_profile_free(get(c, &u, "small-2", NAME, &i));
	u.pad = one * 4;
	p = get(c, &u, "huge", NAME, &i);
	is_of(p, "huge");
	ck_assert_uint_eq(strlen(rp_profile_value(p, RP_A_LASTNAME)->text), one * 4);
	ck_assert(i.fetched && !i.stored);
	rp_profile_free(p);
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.oversize, 1);
	ck_assert_uint_eq(st.evictions, 0);
	ck_assert_uint_eq(st.entries, 2);
	ck_assert_uint_eq(st.bytes, 2 * one);
	rp_profile_free(get(c, &u, "huge", NAME, &i));  /* asked again */
	ck_assert(i.fetched && !i.stored);
	rp_profile_free(get(c, &u, "small-1", NAME, &i));
	ck_assert(i.hit);
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.oversize, 2);
	ck_assert_int_eq(calls(&u), 4);
}
END_TEST

/*
 * Sharded, the total stays within max_bytes however keys fall; and
 * with the largest profile known, shards are few enough for one to be
 * kept (a shard's share holds two), where sixteen shares would not.
 */
START_TEST(bytes_sharded)
{
	struct rp_cache_opts o;
	struct rp_cache_stats st;
	char tok[32];
	int n;

	make_bytes(600, 100000, 0, 16, NULL, 1L << 20);
	for (n = 0; n < 400; n++) {
		u.pad = (size_t)(n % 7) * 3000;
		snprintf(tok, sizeof(tok), "user-%d", n);
		rp_profile_free(get(c, &u, tok, NAME, NULL));
		rp_cache_stats(c, &st);
		ck_assert_uint_le(st.bytes, 1u << 20);
	}
	ck_assert_uint_gt(st.evictions, 0);
	ck_assert_uint_ge(st.bytes, (1u << 20) * 3 / 4);
	ck_assert_uint_eq(st.oversize, 0);

	/* 300 KiB: over a sixteenth of 1 MiB, under a half. */
	u.pad = 300 * 1024;
	rp_profile_free(get(c, &u, "large", NAME, &i));
	ck_assert(!i.stored);
	rp_cache_free(c);
	c = NULL;
	memset(&o, 0, sizeof(o));
	o.ttl_s = 600;
	o.max_entries = 100000;
	o.max_bytes = 1L << 20;
	o.largest_entry = 256 * 1024;
	o.shards = 16;
	o.wait_ms = 2000;
	ck_assert_int_eq(rp_cache_new(&o, &c), RP_OK);
	rp_profile_free(get(c, &u, "large", NAME, &i));
	ck_assert(i.stored);
}
END_TEST

#define HAMMER 32

struct hammer {
	struct rp_cache *c;
	struct upstream *u;
	pthread_barrier_t *bar;
	struct rp_profile *p;
	struct rp_cache_info i;
};

static void *
hammer_one(void *arg)
{
	struct hammer *h = arg;
	struct call call = { h->u, "tok-shared", CARD };
	struct rp_cache_query q = { "tok-shared", 10, CARD, fetch, &call,
	    NULL, NULL, NULL };

	pthread_barrier_wait(h->bar);
	if (rp_cache_get(h->c, &q, &h->p, &h->i) != RP_OK)
		h->p = NULL;
	return NULL;
}

/* Runs HAMMER threads at one key against up; returns how many fetched. */
static int
hammer(struct rp_cache *cache, struct upstream *up, struct hammer *h)
{
	pthread_barrier_t bar;
	pthread_t t[HAMMER];
	int k, fetched = 0;

	pthread_barrier_init(&bar, NULL, HAMMER);
	for (k = 0; k < HAMMER; k++) {
		h[k].c = cache;
		h[k].u = up;
		h[k].bar = &bar;
		h[k].p = NULL;
		ck_assert_int_eq(pthread_create(&t[k], NULL, hammer_one, &h[k]), 0);
	}
	for (k = 0; k < HAMMER; k++) {
		pthread_join(t[k], NULL);
		ck_assert_ptr_nonnull(h[k].p);
		fetched += h[k].i.fetched;
	}
	pthread_barrier_destroy(&bar);
	return fetched;
}

START_TEST(many_threads_one_fetch)
{
	struct hammer h[HAMMER];
	struct rp_cache_stats st;
	int k;

	make(60, 100, 0, 0, NULL);
	u.delay_ms = 300;
	ck_assert_int_eq(hammer(c, &u, h), 1);
	ck_assert_int_eq(calls(&u), 1);
	for (k = 0; k < HAMMER; k++) {
		is_of(h[k].p, "tok-shared");
		ck_assert_ptr_eq(h[k].p, h[0].p);
		rp_profile_free(h[k].p);
	}
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.misses, 1);
	ck_assert_uint_eq(st.coalesced + st.hits, HAMMER - 1);
	ck_assert_uint_ge(st.coalesced, 1);
}
END_TEST

/* Nothing kept (ttl 0), and answers that are never kept: still one call. */
START_TEST(coalesce_without_keeping)
{
	struct hammer h[HAMMER];
	struct rp_cache_stats st;
	int k;

	make(0, 100, 0, 0, NULL);
	u.outcome = RP_OUT_UPSTREAM;
	u.delay_ms = 300;
	ck_assert_int_eq(hammer(c, &u, h), 1);
	ck_assert_int_eq(calls(&u), 1);
	for (k = 0; k < HAMMER; k++) {
		ck_assert_int_eq(h[k].p->outcome, RP_OUT_UPSTREAM);
		ck_assert_int_eq(h[k].p->err, RP_ETIMEOUT);
		rp_profile_free(h[k].p);
	}
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.coalesced, HAMMER - 1);
	ck_assert_uint_eq(st.entries, 0);
}
END_TEST

struct leader {
	struct rp_cache *c;
	struct upstream *u;
	struct rp_profile *p;
};

static void *
lead(void *arg)
{
	struct leader *l = arg;

	l->p = get(l->c, l->u, "tok-slow", NAME, NULL);
	return NULL;
}

/* A waiter gives up after wait_ms, however long the call takes. */
START_TEST(waiters_bounded_by_timeout)
{
	struct rp_cache_opts o;
	struct leader l;
	struct rp_profile *p;
	pthread_t t;
	long long t0, took;

	memset(&o, 0, sizeof(o));
	o.ttl_s = 60;
	o.max_entries = 10;
	o.wait_ms = 150;
	ck_assert_int_eq(rp_cache_new(&o, &c), RP_OK);
	u.delay_ms = 1500;
	l.c = c;
	l.u = &u;
	ck_assert_int_eq(pthread_create(&t, NULL, lead, &l), 0);
	sem_wait(&u.entered);                      /* the leader is calling */
	t0 = rp_monotonic_ms();
	p = get(c, &u, "tok-slow", NAME, &i);
	took = rp_monotonic_ms() - t0;
	ck_assert(i.coalesced && i.wait_timeout && !i.fetched);
	ck_assert_int_eq(p->outcome, RP_OUT_UPSTREAM);
	ck_assert_int_eq(p->err, RP_ETIMEOUT);
	ck_assert_int_eq(i.err, RP_ETIMEOUT);
	ck_assert_int_ge(took, 140);
	ck_assert_int_lt(took, 150 + 100);
	rp_profile_free(p);
	pthread_join(t, NULL);
	is_of(l.p, "tok-slow");                     /* the leader still got it */
	rp_profile_free(l.p);
	ck_assert_int_eq(calls(&u), 1);
}
END_TEST

START_TEST(stale_if_error)
{
	struct rp_cache_stats st;
	struct rp_profile *p;
	enum rp_outcome fails[] = { RP_OUT_UPSTREAM, RP_OUT_MALFORMED, RP_OUT_APIERROR };
	size_t k;

	make(10, 100, 30, 0, NULL);
	rp_profile_free(get(c, &u, "tok", NAME, &i));
	advance_s(15);                      /* expired, within the stale window */
	for (k = 0; k < sizeof(fails) / sizeof(fails[0]); k++) {
		u.outcome = fails[k];
		p = get(c, &u, "tok", NAME, &i);
		ck_assert(i.fetched && i.stale && !i.stored);
		ck_assert_int_ne(i.err, RP_OK);
		is_of(p, "tok");                  /* the outcome as it was */
		rp_profile_free(p);
	}
	ck_assert_int_eq(calls(&u), 4);
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.stale, 3);
	advance_s(25);                      /* 40 s: past ttl + stale */
	u.outcome = RP_OUT_UPSTREAM;
	p = get(c, &u, "tok", NAME, &i);
	ck_assert(!i.stale);
	ck_assert_int_eq(p->outcome, RP_OUT_UPSTREAM);
	rp_profile_free(p);
	/* And once the stale copy is gone, it does not come back. */
	advance_s(-20);
	p = get(c, &u, "tok", NAME, &i);
	ck_assert(!i.stale);
	rp_profile_free(p);
}
END_TEST

/* A success while stale replaces the entry; without a window, no stale. */
START_TEST(stale_replaced_and_window_zero)
{
	struct rp_profile *p;

	make(10, 100, 30, 0, NULL);
	rp_profile_free(get(c, &u, "tok", NAME, &i));
	advance_s(12);
	rp_profile_free(get(c, &u, "tok", NAME, &i));
	ck_assert(i.fetched && i.stored && !i.stale);
	advance_s(9);
	rp_profile_free(get(c, &u, "tok", NAME, &i));
	ck_assert(i.hit);

	make(10, 100, 0, 0, NULL);
	rp_profile_free(get(c, &u, "tok", NAME, &i));
	advance_s(10);
	u.outcome = RP_OUT_UPSTREAM;
	p = get(c, &u, "tok", NAME, &i);
	ck_assert(!i.stale);
	ck_assert_int_eq(p->outcome, RP_OUT_UPSTREAM);
	rp_profile_free(p);
}
END_TEST

START_TEST(never_keeps_other_outcomes)
{
	enum rp_outcome o[] = { RP_OUT_PARTIAL, RP_OUT_REFUSED, RP_OUT_ACCOUNT,
	    RP_OUT_APIERROR, RP_OUT_MALFORMED, RP_OUT_UPSTREAM };
	struct rp_cache_stats st;
	struct rp_profile *p;
	size_t k, marker;
	int n;

	cost_of(0, &marker);
	for (k = 0; k < sizeof(o) / sizeof(o[0]); k++) {
		make(60, 100, 60, 0, NULL);
		up_init(&u, o[k]);
		for (n = 1; n <= 3; n++) {
			p = get(c, &u, "tok", CARD, &i);
			ck_assert_int_eq(p->outcome, o[k]);
			ck_assert(i.fetched && !i.stored && !i.hit && !i.stale);
			rp_profile_free(p);
			ck_assert_int_eq(calls(&u), n);
		}
		rp_cache_stats(c, &st);
		ck_assert_uint_eq(st.stored, 0);
		/* No profile: PARTIAL and REFUSED leave a marker, charged its entry. */
		ck_assert_uint_eq(st.bytes, o[k] == RP_OUT_PARTIAL ||
		    o[k] == RP_OUT_REFUSED ? marker : 0);
	}
}
END_TEST

/* A refusal after a kept profile drops it: a revoked consent is honoured. */
START_TEST(refusal_drops_kept_profile)
{
	struct rp_profile *p;

	make(10, 100, 60, 0, NULL);
	rp_profile_free(get(c, &u, "tok", NAME, &i));
	advance_s(11);
	u.outcome = RP_OUT_REFUSED;
	p = get(c, &u, "tok", NAME, &i);
	ck_assert_int_eq(p->outcome, RP_OUT_REFUSED);
	rp_profile_free(p);
	/* Upstream now fails: the old profile must not come back as stale. */
	u.outcome = RP_OUT_UPSTREAM;
	p = get(c, &u, "tok", NAME, &i);
	ck_assert(!i.stale);
	ck_assert_int_eq(p->outcome, RP_OUT_UPSTREAM);
	rp_profile_free(p);
}
END_TEST

START_TEST(grant_once_rule)
{
	enum rp_outcome before[] = { RP_OUT_REFUSED, RP_OUT_PARTIAL };
	struct rp_cache_stats st;
	struct rp_profile *p;
	size_t k;

	for (k = 0; k < 2; k++) {
		make(60, 100, 60, 0, NULL);
		up_init(&u, before[k]);
		p = get(c, &u, "tok", CARD, &i);
		ck_assert_int_eq(p->outcome, before[k]);
		rp_profile_free(p);
		/* Back from the privacy page: fresh data, served, not kept. */
		u.outcome = RP_OUT_GRANTED;
		p = get(c, &u, "tok", CARD, &i);
		is_of(p, "tok");
		ck_assert(i.fetched && !i.stored);
		rp_profile_free(p);
		/* The grant was once: the next view asks again and is refused. */
		u.outcome = before[k];
		p = get(c, &u, "tok", CARD, &i);
		ck_assert(i.fetched);
		ck_assert_int_eq(p->outcome, before[k]);
		rp_profile_free(p);
		/* Granted again, then still granted: permanent, now kept. */
		u.outcome = RP_OUT_GRANTED;
		rp_profile_free(get(c, &u, "tok", CARD, &i));
		ck_assert(i.fetched && !i.stored);
		rp_profile_free(get(c, &u, "tok", CARD, &i));
		ck_assert(i.fetched && i.stored);
		rp_profile_free(get(c, &u, "tok", CARD, &i));
		ck_assert(i.hit);
		ck_assert_int_eq(calls(&u), 5);
		rp_cache_stats(c, &st);
		ck_assert_uint_eq(st.grant_once, 2);
		ck_assert_uint_eq(st.stored, 1);
	}
}
END_TEST

/* The marker is per key: another user's refusal changes nothing for us. */
START_TEST(grant_once_is_per_key)
{
	make(60, 100, 60, 0, NULL);
	u.outcome = RP_OUT_REFUSED;
	rp_profile_free(get(c, &u, "tok-bob", CARD, &i));
	u.outcome = RP_OUT_GRANTED;
	rp_profile_free(get(c, &u, "tok-alice", CARD, &i));
	ck_assert(i.stored);
	rp_profile_free(get(c, &u, "tok-bob", NAME, &i));   /* other infos: other key */
	ck_assert(i.stored);
}
END_TEST

START_TEST(tokens_never_mixed)
{
	struct rp_profile *p;
	/* Near-identical tokens, and one that is a prefix of another. */
	const char *toks[] = { "tok", "tok2", "tok ", "Tok", "tok\n", "to", "k" };
	size_t k, r;

	make(60, 1000, 0, 0, NULL);
	for (r = 0; r < 3; r++)
		for (k = 0; k < sizeof(toks) / sizeof(toks[0]); k++) {
			p = get(c, &u, toks[k], CARD, &i);
			is_of(p, toks[k]);
			ck_assert(r == 0 ? i.fetched : i.hit);
			rp_profile_free(p);
		}
}
END_TEST

#define MIXERS 8
#define USERS 64

static void *
mixer(void *arg)
{
	struct rp_cache *cache = arg;
	struct upstream up;              /* each thread its own */
	struct rp_profile *p;
	char tok[32];
	unsigned seed = (unsigned)(uintptr_t)&up;
	int n, bad = 0;

	up_init(&up, RP_OUT_GRANTED);
	for (n = 0; n < 20000; n++) {
		snprintf(tok, sizeof(tok), "user-%d", rand_r(&seed) % USERS);
		p = get(cache, &up, tok, n % 3 ? CARD : NAME, NULL);
		if (strcmp(rp_profile_value(p, RP_A_FIRSTNAME)->text, tok) != 0)
			bad++;
		rp_profile_free(p);
	}
	return (void *)(intptr_t)bad;
}

/* Threads, shared keys, evictions and expiry: every answer is the asker's. */
START_TEST(tokens_never_mixed_under_threads)
{
	struct rp_cache_stats st;
	pthread_t t[MIXERS];
	void *bad;
	int k, total = 0;

	make(5, 40, 5, 4, NULL);
	for (k = 0; k < MIXERS; k++)
		ck_assert_int_eq(pthread_create(&t[k], NULL, mixer, c), 0);
	for (k = 0; k < 50; k++) {
		advance_s(1);
		usleep(2000);
	}
	for (k = 0; k < MIXERS; k++) {
		pthread_join(t[k], &bad);
		total += (int)(intptr_t)bad;
	}
	ck_assert_int_eq(total, 0);
	rp_cache_stats(c, &st);
	ck_assert_uint_le(st.entries, 40);
	ck_assert_uint_gt(st.hits, 0);
	ck_assert_uint_gt(st.evictions, 0);
}
END_TEST

START_TEST(breaker_in_front_of_upstream)
{
	/* One failing user may open it here: what matters is the cache's part. */
	struct rp_breaker_opts bo = { .failures = 3, .open_ms = 20000,
	    .window_ms = 10000, .min_users = 1, .now_ms = fake_clock };
	struct rp_breaker *b = NULL;
	struct rp_cache_stats st;
	struct rp_profile *p;
	int n;

	ck_assert_int_eq(rp_breaker_new(&bo, &b), RP_OK);
	make(10, 100, 60, 0, b);
	rp_profile_free(get(c, &u, "kept", NAME, &i));
	u.outcome = RP_OUT_UPSTREAM;
	for (n = 0; n < 3; n++)
		rp_profile_free(get(c, &u, "other", NAME, &i));
	ck_assert_int_eq(calls(&u), 4);
	/* Open: answered at once, upstream not asked. */
	p = get(c, &u, "other", NAME, &i);
	ck_assert_int_eq(p->outcome, RP_OUT_UPSTREAM);
	ck_assert_int_eq(p->err, RP_EBREAKER);
	ck_assert_int_eq(i.err, RP_EBREAKER);
	rp_profile_free(p);
	ck_assert_int_eq(calls(&u), 4);
	/* A fresh entry is still served... */
	rp_profile_free(get(c, &u, "kept", NAME, &i));
	ck_assert(i.hit);
	/* ... and an expired one as stale while the breaker stays open. */
	advance_s(11);
	p = get(c, &u, "kept", NAME, &i);
	ck_assert(i.stale);
	ck_assert_int_eq(i.err, RP_EBREAKER);
	is_of(p, "kept");
	rp_profile_free(p);
	ck_assert_int_eq(calls(&u), 4);
	/* After open_ms one probe goes through; it succeeds and closes. */
	advance_s(10);
	u.outcome = RP_OUT_GRANTED;
	rp_profile_free(get(c, &u, "other", NAME, &i));
	ck_assert(i.fetched && i.stored);
	rp_profile_free(get(c, &u, "kept", NAME, &i));
	ck_assert(i.fetched && i.stored);
	ck_assert_int_eq(calls(&u), 6);
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.breaker_rejected, 2);
	ck_assert_uint_eq(st.misses, 6);     /* calls made, refusals apart */
	rp_cache_free(c);                   /* before the breaker it borrows */
	c = NULL;
	rp_breaker_free(b);
}
END_TEST

/* Refresh-ahead: what the cache hands over, recorded for the case to run. */
static struct {
	int offers;
	int refuse;            /* answer "turned down" */
	char token[64];
	rp_attrset infos;
} rf;

static int
offer(void *ctx, const char *token, size_t len, rp_attrset infos)
{
	(void)ctx;
	rf.offers++;
	if (rf.refuse)
		return -1;
	ck_assert_uint_lt(len, sizeof(rf.token));
	memcpy(rf.token, token, len);
	rf.token[len] = '\0';
	rf.infos = infos;
	return 0;
}

/* A cache of ttl_s 60 and refresh_s 45 whose refreshes go to offer(). */
static void
make_refresh(long stale)
{
	struct rp_cache_opts o;

	rp_cache_free(c);
	c = NULL;
	memset(&o, 0, sizeof(o));
	memset(&rf, 0, sizeof(rf));
	o.ttl_s = 60;
	o.max_entries = 100;
	o.stale_s = stale;
	o.wait_ms = 2000;
	o.refresh_s = 45;
	o.refresh = offer;
	o.now_ms = fake_clock;
	fake_now = 1000000;
	ck_assert_int_eq(rp_cache_new(&o, &c), RP_OK);
}

/* The refresher's part: the job handed over, run now on this thread. */
static void
run_refresh(struct upstream *up)
{
	struct call call = { up, rf.token, rf.infos };
	struct rp_cache_query q = { rf.token, strlen(rf.token), rf.infos,
	    fetch, &call, NULL, NULL, NULL };

	ck_assert_int_eq(rp_cache_refresh(c, &q), RP_OK);
}

START_TEST(refresh_ahead_renews_a_viewed_entry)
{
	struct rp_cache_stats st;
	struct rp_profile *p;

	make_refresh(0);
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	advance_s(44);
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	ck_assert(i.hit && !i.refresh);
	ck_assert_int_eq(rf.offers, 0);
	/* Older than refresh_s: served at once, one refresh handed over. */
	advance_s(1);
	p = get(c, &u, "tok", CARD, &i);
	ck_assert(i.hit && i.refresh);
	is_of(p, "tok");
	rp_profile_free(p);
	ck_assert_int_eq(rf.offers, 1);
	ck_assert_str_eq(rf.token, "tok");
	ck_assert_uint_eq(rf.infos, CARD);
	/* Never two at a time for one entry. */
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	ck_assert(i.hit && !i.refresh);
	ck_assert_int_eq(rf.offers, 1);
	ck_assert_int_eq(calls(&u), 1);
	run_refresh(&u);
	ck_assert_int_eq(calls(&u), 2);
	/* The refreshed entry lives ttl_s from its refresh: no view waits. */
	advance_s(44);
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	ck_assert(i.hit && !i.refresh);
	advance_s(1);
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	ck_assert(i.hit && i.refresh);
	ck_assert_int_eq(rf.offers, 2);
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.refreshes, 1);
	ck_assert_uint_eq(st.misses, 1);
}
END_TEST

START_TEST(refresh_ahead_keeps_the_consent_rules)
{
	struct rp_profile *p;

	make_refresh(300);
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	advance_s(46);
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	ck_assert(i.refresh);
	/* The user withdrew consent: the refresh drops the entry. */
	u.outcome = RP_OUT_REFUSED;
	run_refresh(&u);
	u.outcome = RP_OUT_GRANTED;
	p = get(c, &u, "tok", CARD, &i);
	ck_assert(!i.hit && i.fetched && !i.stored);   /* grant once */
	is_of(p, "tok");
	rp_profile_free(p);
	/* A failed refresh keeps a fresh entry, and counts no stale answer. */
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	ck_assert(i.stored);
	advance_s(46);
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	ck_assert(i.refresh);
	u.outcome = RP_OUT_UPSTREAM;
	run_refresh(&u);
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	ck_assert(i.hit && !i.stale);
	/* ... and no second try for it: it expires as without refresh. */
	ck_assert(!i.refresh);
	advance_s(13);
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	ck_assert(i.hit && !i.refresh);
	ck_assert_int_eq(rf.offers, 2);
	/* A token the API no longer takes: nothing of it stays. */
	u.outcome = RP_OUT_GRANTED;
	advance_s(7);
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	ck_assert(i.fetched && i.stored);
	advance_s(46);
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	ck_assert(i.refresh);
	u.outcome = RP_OUT_ACCOUNT;
	run_refresh(&u);
	p = get(c, &u, "tok", CARD, &i);
	ck_assert(i.fetched);
	ck_assert_int_eq(p->outcome, RP_OUT_ACCOUNT);
	rp_profile_free(p);
}
END_TEST

START_TEST(refresh_ahead_turned_down_and_gone)
{
	struct rp_cache_stats st;

	make_refresh(0);
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	advance_s(46);
	rf.refuse = 1;
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	ck_assert(i.hit && !i.refresh);
	/* Turned down: the next view tries again. */
	rf.refuse = 0;
	rp_profile_free(get(c, &u, "tok", CARD, &i));
	ck_assert(i.hit && i.refresh);
	ck_assert_int_eq(rf.offers, 2);
	rp_cache_stats(c, &st);
	ck_assert_uint_eq(st.refresh_skipped, 1);
	/* The entry expired before the job ran, and a miss renewed it: the
	 * job finds a fresh entry and renews it once more, harmlessly; an
	 * entry that is gone makes no call. */
	advance_s(15);
	rp_profile_free(get(c, &u, "other", CARD, &i));
	make_refresh(0);
	strcpy(rf.token, "nobody");
	rf.infos = CARD;
	run_refresh(&u);
	ck_assert_int_eq(calls(&u), 2);
}
END_TEST

START_TEST(options)
{
	struct rp_cache_opts o;
	struct rp_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.cache.ttl_s = 60;
	cfg.cache.max_entries = 10000;
	cfg.cache.max_bytes = 5L << 20;
	cfg.cache.stale_s = 300;
	cfg.upstream.timeout_ms = 2500;
	cfg.upstream.max_response_bytes = 262144;
	rp_cache_opts_from_cfg(&cfg, &o);
	ck_assert_int_eq(o.ttl_s, 60);
	ck_assert_int_eq(o.max_entries, 10000);
	ck_assert_int_eq(o.max_bytes, 5L << 20);
	ck_assert_int_eq(o.largest_entry, 262144);
	ck_assert_int_eq(o.stale_s, 300);
	ck_assert_int_eq(o.wait_ms, 2500);
	ck_assert_ptr_null(o.breaker);
	o.ttl_s = -1;
	ck_assert_int_eq(rp_cache_new(&o, &c), RP_EINVAL);
	ck_assert_ptr_null(c);
	o.ttl_s = 1;
	o.max_bytes = -1;
	ck_assert_int_eq(rp_cache_new(&o, &c), RP_EINVAL);
	ck_assert_ptr_null(c);
	o.max_bytes = 5L << 20;
	o.ttl_s = 1;
	o.shards = 1000;                    /* clamped, not refused */
	ck_assert_int_eq(rp_cache_new(&o, &c), RP_OK);
	rp_cache_free(NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("cache");

	if (rp_hash_init() != RP_OK) {
		fprintf(stderr, "test_cache: libsodium failed to initialise\n");
		return 1;
	}
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, hit_after_miss);
	tcase_add_test(tc, ttl_expiry);
	tcase_add_test(tc, lru_eviction_order);
	tcase_add_test(tc, max_entries_sharded);
	tcase_add_test(tc, bytes_charge_profile_and_entry);
	tcase_add_test(tc, bytes_evict_lru_by_size);
	tcase_add_test(tc, bytes_back_to_zero);
	tcase_add_test(tc, oversize_served_not_kept);
	tcase_add_test(tc, bytes_sharded);
	tcase_add_test(tc, many_threads_one_fetch);
	tcase_add_test(tc, coalesce_without_keeping);
	tcase_add_test(tc, waiters_bounded_by_timeout);
	tcase_add_test(tc, stale_if_error);
	tcase_add_test(tc, stale_replaced_and_window_zero);
	tcase_add_test(tc, never_keeps_other_outcomes);
	tcase_add_test(tc, refusal_drops_kept_profile);
	tcase_add_test(tc, grant_once_rule);
	tcase_add_test(tc, grant_once_is_per_key);
	tcase_add_test(tc, tokens_never_mixed);
	tcase_add_test(tc, tokens_never_mixed_under_threads);
	tcase_add_test(tc, breaker_in_front_of_upstream);
	tcase_add_test(tc, refresh_ahead_renews_a_viewed_entry);
	tcase_add_test(tc, refresh_ahead_keeps_the_consent_rules);
	tcase_add_test(tc, refresh_ahead_turned_down_and_gone);
	tcase_add_test(tc, options);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
