/* pace.c: how many workers take connections, from where their time goes. */
#include "config.h"

#include <limits.h>

#include "pace.h"

/* One process, one server: the count is the process's. */
static atomic_long api_waiting;

void
rp_pace_api_wait(int delta)
{
	atomic_fetch_add_explicit(&api_waiting, delta, memory_order_relaxed);
}

void
rp_pace_init(struct rp_pace *p, long threads, long ncpu)
{
	p->max = threads;
	p->ncpu = ncpu < 1 ? 1 : ncpu;
	p->floor = 2 * p->ncpu < 4 ? 4 : 2 * p->ncpu;
	if (p->floor > threads)
		p->floor = threads;
	atomic_init(&p->limit, threads);
	atomic_init(&p->n, 0);
	atomic_init(&p->wait_us, 0);
	atomic_init(&p->total_us, 0);
	atomic_init(&p->calls, 0);
	atomic_init(&p->wait_min_us, LLONG_MAX);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->grow, NULL);
}

void
rp_pace_destroy(struct rp_pace *p)
{
	pthread_cond_destroy(&p->grow);
	pthread_mutex_destroy(&p->mu);
}

void
rp_pace_account(struct rp_pace *p, long total_us, long wait_us)
{
	atomic_fetch_add_explicit(&p->n, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->total_us, total_us, memory_order_relaxed);
	if (wait_us > 0) {
		long long m = atomic_load_explicit(&p->wait_min_us,
		    memory_order_relaxed);

		atomic_fetch_add_explicit(&p->wait_us, wait_us,
		    memory_order_relaxed);
		atomic_fetch_add_explicit(&p->calls, 1, memory_order_relaxed);
		while (wait_us < m && !atomic_compare_exchange_weak_explicit(
		    &p->wait_min_us, &m, wait_us, memory_order_relaxed,
		    memory_order_relaxed))
			continue;
	}
}

long
rp_pace_tick(struct rp_pace *p)
{
	long long n = atomic_exchange(&p->n, 0);
	long long w = atomic_exchange(&p->wait_us, 0);
	long long t = atomic_exchange(&p->total_us, 0);
	long long calls = atomic_exchange(&p->calls, 0);
	long long wmin = atomic_exchange(&p->wait_min_us, LLONG_MAX);
	long old = atomic_load(&p->limit), target, next;
	long long c, wait;

	if (n < PACE_MIN_REQUESTS)
		target = p->max;
	else {
		/*
		 * C: a request's own time, the mean of wall time less the
		 * API's.  W: the API's least answer time, times the share of
		 * requests that called it -- the mean would count the time
		 * a worker waited for a CPU after its answer came, which more
		 * workers only lengthen.
		 */
		c = (t - w) / n;
		if (c < 1)
			c = 1;
		wait = calls > 0 ? wmin * calls / n : 0;
		target = wait / c >= p->max ? p->max :
		    (long)((p->ncpu * (c + wait) + c - 1) / c);
	}
	wait = atomic_load_explicit(&api_waiting, memory_order_relaxed);
	if (wait > 0 && target < p->floor + wait)
		target = p->floor + (long)wait;
	if (target > p->max)
		target = p->max;
	if (target < p->floor)
		target = p->floor;
	next = target >= old ? target : target > old - old / 4 ? target :
	    old - old / 4;
	if (next != old) {
		pthread_mutex_lock(&p->mu);
		atomic_store(&p->limit, next);
		if (next > old)
			pthread_cond_broadcast(&p->grow);
		pthread_mutex_unlock(&p->mu);
	}
	return next;
}

void
rp_pace_park(struct rp_pace *p, long id, int (*stopping)(void *ctx),
    void *ctx)
{
	pthread_mutex_lock(&p->mu);
	while (!rp_pace_allowed(p, id) && !stopping(ctx))
		pthread_cond_wait(&p->grow, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void
rp_pace_wake_all(struct rp_pace *p)
{
	pthread_mutex_lock(&p->mu);
	pthread_cond_broadcast(&p->grow);
	pthread_mutex_unlock(&p->mu);
}
