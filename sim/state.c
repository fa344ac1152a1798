/* state.c: the simulator's shared state: its lock, the stop that cuts every wait short, and its release. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "sim.h"

struct sim sim;

void
sim_state_init(void)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&sim.lock, NULL);
	/* sim_sleep_ms sets its deadlines on the monotonic clock. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sim.wake, &ca);
	pthread_condattr_destroy(&ca);
}

int
sim_sleep_ms(long ms)
{
	struct timespec until;
	int stopped;

	if (ms == 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &until);
	if (ms > 0) {
		until.tv_sec += ms / 1000;
		until.tv_nsec += (ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&sim.lock);
	while (!sim.stopping) {
		if (ms < 0)
			pthread_cond_wait(&sim.wake, &sim.lock);
		else if (pthread_cond_timedwait(&sim.wake, &sim.lock, &until) ==
		    ETIMEDOUT)
			break;
	}
	stopped = sim.stopping;
	pthread_mutex_unlock(&sim.lock);
	return stopped;
}

void
sim_state_stop(void)
{
	pthread_mutex_lock(&sim.lock);
	sim.stopping = 1;
	pthread_cond_broadcast(&sim.wake);
	pthread_mutex_unlock(&sim.lock);
}

void
sim_state_free(void)
{
	size_t i;

	sim_users_free(&sim.users);
	for (i = 0; i < sim.nrules; i++)
		free(sim.rules[i].token);
	free(sim.rules);
	sim.rules = NULL;
	sim.nrules = 0;
	sim_counts_free();
	free(sim.public_url);
	free(sim.cookie);
	free(sim.photos);
	sim.public_url = sim.cookie = sim.photos = NULL;
}
