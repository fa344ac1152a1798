/* pace.h: how many workers take connections, from where their time goes. */
#ifndef RP_FCGI_PACE_H
#define RP_FCGI_PACE_H

#include <pthread.h>
#include <stdatomic.h>

/*
 * [server] threads workers can each wait for the API at the same time:
 * 128 let 128 views wait on a slow API at once.  But when the API
 * answers at once and the load is heavy, every extra worker in flight
 * only costs: more context switches, and each worker's stack, API
 * connection and parser pushed out of the CPU caches by the others --
 * measured, 8 workers served an uncached view for 140 us of CPU where
 * 128 took 190.  So, under load, only the workers with id < limit take
 * connections, with limit the classic size of a pool that waits:
 *
 *     limit = CPUs * (1 + W / C)
 *
 * where, over the last tick (100 ms), C is a request's own time (its
 * wall time less the API's) and W its wait for the API: the quickest
 * API answer of the tick times the share of requests that asked the
 * API (the mean answer time would count the time a worker waited for a
 * CPU once its answer was there, which more workers only lengthen);
 * between a floor of
 * 2 * CPUs (at least 4) and threads.  With fewer than
 * PACE_MIN_REQUESTS requests in a tick (a light load, or every worker
 * stuck on an API that stopped answering) every worker may take
 * connections.  The limit grows at once (a slow API
 * shows in the next tick) and shrinks by a quarter per tick at most.
 * The others park on a condition variable, costing nothing.  And never
 * fewer than the workers waiting for the API right now plus the floor:
 * a few users whose calls hang (a slow account, a timeout) must not hold
 * all the workers the quick ones were given.
 */
struct rp_pace {
	atomic_long limit;           /* workers with id < limit take connections */
	long max;                    /* [server] threads */
	long floor;
	long ncpu;
	atomic_llong n, wait_us, total_us;   /* since the last tick */
	atomic_llong calls, wait_min_us;     /* requests that called the API */
	pthread_mutex_t mu;
	pthread_cond_t grow;         /* broadcast when limit grows, and to stop */
};

/* Requests in a tick below which every worker may serve. */
#define PACE_MIN_REQUESTS 20
/* The main thread ticks this often. */
#define PACE_TICK_MS 100

void rp_pace_init(struct rp_pace *p, long threads, long ncpu);
void rp_pace_destroy(struct rp_pace *p);

/* Workers waiting for the API now: +1 before a call, -1 after it. */
void rp_pace_api_wait(int delta);

/* A request is done: its wall time, and the part spent waiting for the API. */
void rp_pace_account(struct rp_pace *p, long total_us, long wait_us);

/* The figures of the last tick turned into a new limit, which it returns. */
long rp_pace_tick(struct rp_pace *p);

/* Whether worker id may take connections now. */
static inline int
rp_pace_allowed(struct rp_pace *p, long id)
{
	return id < atomic_load_explicit(&p->limit, memory_order_relaxed);
}

/*
 * Parks worker id until it may take connections, or stopping(ctx) is
 * true (checked at every rp_pace_wake_all).
 */
void rp_pace_park(struct rp_pace *p, long id, int (*stopping)(void *ctx),
    void *ctx);

/* Wakes every parked worker (to stop). */
void rp_pace_wake_all(struct rp_pace *p);

#endif
