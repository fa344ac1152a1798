/* bench_cache.c: lock contention of the cache: hits per second, 1 shard vs many. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "hash.h"

#define KEYS 1000
#define RUN_MS 400

static char tokens[KEYS][16];
static volatile int stop;

static enum rp_err
fetch(void *arg, struct rp_profile **out)
{
	struct rp_profile *p;

	if (rp_profile_new(RP_ATTR_BIT(RP_A_FIRSTNAME), &p) != RP_OK)
		return RP_ENOMEM;
	p->outcome = RP_OUT_GRANTED;
	*out = p;
	return RP_OK;
}

struct worker {
	struct rp_cache *c;
	unsigned seed;
	unsigned long long ops;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct rp_cache_query q = { NULL, 0, RP_ATTR_BIT(RP_A_FIRSTNAME), fetch,
	    NULL, NULL, NULL, NULL };
	struct rp_profile *p;
	const char *t;

	while (!stop) {
		t = tokens[rand_r(&w->seed) % KEYS];
		q.token = t;
		q.len = strlen(t);
		if (rp_cache_get(w->c, &q, &p, NULL) != RP_OK)
			abort();
		rp_profile_free(p);
		w->ops++;
	}
	return NULL;
}

static double
run(unsigned shards, int nthreads)
{
	struct rp_cache_opts o = {
		.ttl_s = 3600, .max_entries = 2 * KEYS, .wait_ms = 1000,
		.shards = shards,
	};
	struct rp_cache *c;
	struct worker w[64];
	pthread_t t[64];
	struct timespec d = { RUN_MS / 1000, (RUN_MS % 1000) * 1000000L };
	unsigned long long ops = 0;
	int i;

	if (rp_cache_new(&o, &c) != RP_OK)
		abort();
	stop = 0;
	for (i = 0; i < nthreads; i++) {
		w[i].c = c;
		w[i].seed = (unsigned)i + 1;
		w[i].ops = 0;
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	nanosleep(&d, NULL);
	stop = 1;
	for (i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		ops += w[i].ops;
	}
	rp_cache_free(c);
	return (double)ops * 1000.0 / RUN_MS;
}

int
main(void)
{
	int threads[] = { 1, 2, 4, 8, 32 };
	size_t i;
	double one, many;

	if (rp_hash_init() != RP_OK)
		return 1;
	for (i = 0; i < KEYS; i++)
		snprintf(tokens[i], sizeof(tokens[i]), "user-%zu", i);
	printf("cache lookups per second (all hits, %d keys, %d ms per figure)\n",
	    KEYS, RUN_MS);
	printf("%8s %14s %14s %8s\n", "threads", "1 shard", "16 shards", "ratio");
	for (i = 0; i < sizeof(threads) / sizeof(threads[0]); i++) {
		one = run(1, threads[i]);
		many = run(16, threads[i]);
		printf("%8d %14.0f %14.0f %8.2f\n", threads[i], one, many, many / one);
	}
	return 0;
}
