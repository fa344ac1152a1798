/* counts.c: how many API requests each token made, by fingerprint, for /_control/stats. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "sim.h"

/*
 * Per-token counters: an array in first-seen order (what stats lists) and
 * an open-addressing index over it, so that a run of fresh tokens (the
 * benchmark's cache misses) costs the simulator constant time per request
 * rather than a scan of every token seen.  A fingerprint is already a
 * keyed hash, so its leading hex digits place it.  Lock held.
 */
static size_t
count_home(const char *fp, size_t mask)
{
	return (size_t)strtoull(fp, NULL, 16) & mask;
}

struct sim_count *
sim_count_find(const char *fp)
{
	size_t mask = sim.nindex - 1, i;

	if (sim.nindex == 0)
		return NULL;
	for (i = count_home(fp, mask); sim.index[i] != 0; i = (i + 1) & mask)
		if (strcmp(sim.counts[sim.index[i] - 1].fp, fp) == 0)
			return &sim.counts[sim.index[i] - 1];
	return NULL;
}

/* Places count number i (0-based) in index v of n slots. */
static void
count_place(size_t *v, size_t n, size_t i)
{
	size_t j;

	for (j = count_home(sim.counts[i].fp, n - 1); v[j] != 0; j = (j + 1) & (n - 1))
		;
	v[j] = i + 1;
}

/* Room for one more count; the index stays at most half full. */
static int
count_reserve(void)
{
	size_t i, n;

	if (sim.ncounts == sim.capcounts) {
		struct sim_count *c;

		n = sim.capcounts ? sim.capcounts * 2 : 64;
		if ((c = realloc(sim.counts, n * sizeof(*c))) == NULL)
			return -1;
		sim.counts = c;
		sim.capcounts = n;
	}
	if (2 * (sim.ncounts + 1) > sim.nindex) {
		size_t *v;

		n = sim.nindex ? sim.nindex * 2 : 128;
		if ((v = calloc(n, sizeof(*v))) == NULL)
			return -1;
		for (i = 0; i < sim.ncounts; i++)
			count_place(v, n, i);
		free(sim.index);
		sim.index = v;
		sim.nindex = n;
	}
	return 0;
}

void
sim_count_token(const char *token, const struct sim_user *u, char *headers)
{
	char fp[RP_FINGERPRINT_LEN + 1];
	struct sim_count *c;

	rp_hash_fingerprint(token, strlen(token), fp);
	if ((c = sim_count_find(fp)) != NULL) {
		c->n++;
		free(c->headers);
		c->headers = headers;
		return;
	}
	if (count_reserve() != 0) {
		free(headers);
		return;
	}
	c = &sim.counts[sim.ncounts];
	memcpy(c->fp, fp, sizeof(fp));
	c->user = u != NULL ? u->id : NULL;
	c->n = 1;
	c->headers = headers;
	count_place(sim.index, sim.nindex, sim.ncounts++);
}

void
sim_counts_free(void)
{
	size_t i;

	for (i = 0; i < sim.ncounts; i++)
		free(sim.counts[i].headers);
	free(sim.counts);
	free(sim.index);
	sim.counts = NULL;
	sim.index = NULL;
	sim.ncounts = sim.capcounts = sim.nindex = 0;
}
