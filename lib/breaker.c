/* breaker.c: closed -> open -> half-open -> closed, under one mutex. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "breaker.h"
#include "log.h"

struct rp_breaker {
	pthread_mutex_t mu;
	struct rp_breaker_opts o;
	enum rp_breaker_state state;
	long long open_until;          /* ms on o.now_ms's clock */
	struct rp_breaker_stats st;
};

enum rp_err
rp_breaker_new(const struct rp_breaker_opts *opts, struct rp_breaker **out)
{
	struct rp_breaker *b;

	if (opts->failures < 0 || opts->open_ms < 0)
		return RP_EINVAL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return RP_ENOMEM;
	if (pthread_mutex_init(&b->mu, NULL) != 0) {
		free(b);
		return RP_ENOMEM;
	}
	b->o = *opts;
	if (b->o.now_ms == NULL)
		b->o.now_ms = rp_monotonic_ms;
	b->state = RP_BREAKER_CLOSED;
	*out = b;
	return RP_OK;
}

void
rp_breaker_free(struct rp_breaker *b)
{
	if (b == NULL)
		return;
	pthread_mutex_destroy(&b->mu);
	free(b);
}

enum rp_err
rp_breaker_enter(struct rp_breaker *b, int *probe)
{
	int rc = RP_OK;

	*probe = 0;
	pthread_mutex_lock(&b->mu);
	switch (b->state) {
	case RP_BREAKER_CLOSED:
		break;
	case RP_BREAKER_OPEN:
		if (b->o.now_ms() >= b->open_until) {
			/* The first caller after the pause is the one probe. */
			b->state = RP_BREAKER_HALF_OPEN;
			b->st.probes++;
			*probe = 1;
			break;
		}
		/* FALLTHROUGH */
	case RP_BREAKER_HALF_OPEN:
		b->st.rejected++;
		rc = RP_EBREAKER;
		break;
	}
	pthread_mutex_unlock(&b->mu);
	return rc;
}

void
rp_breaker_done(struct rp_breaker *b, int probe, int ok)
{
	enum { SAME, OPENED, REOPENED, CLOSED } change = SAME;
	long n;

	pthread_mutex_lock(&b->mu);
	if (ok) {
		/*
		 * Only the probe may close an open breaker: a success of a
		 * call admitted before it opened says little about now.
		 */
		if (probe) {
			b->state = RP_BREAKER_CLOSED;
			change = CLOSED;
		}
		if (b->state == RP_BREAKER_CLOSED)
			b->st.consecutive = 0;
	} else {
		b->st.consecutive++;
		if (probe) {
			b->state = RP_BREAKER_OPEN;
			b->open_until = b->o.now_ms() + b->o.open_ms;
			change = REOPENED;
		} else if (b->state == RP_BREAKER_CLOSED && b->o.failures > 0 &&
		    b->st.consecutive >= b->o.failures) {
			b->state = RP_BREAKER_OPEN;
			b->open_until = b->o.now_ms() + b->o.open_ms;
			b->st.opened++;
			change = OPENED;
		}
	}
	n = b->st.consecutive;
	pthread_mutex_unlock(&b->mu);
	/* One line per change of state, never one per call. */
	if (change == OPENED)
		rp_log(RP_LOG_WARN, "circuit breaker open after %ld consecutive "
		    "upstream failures: answering unavailable without asking the "
		    "API for %ld ms ([breaker] open_ms), then one probe", n,
		    b->o.open_ms);
	else if (change == REOPENED)
		rp_log(RP_LOG_WARN, "circuit breaker probe failed: open again "
		    "for %ld ms", b->o.open_ms);
	else if (change == CLOSED)
		rp_log(RP_LOG_INFO, "circuit breaker closed: the API answered "
		    "the probe");
}

const char *
rp_breaker_state_name(enum rp_breaker_state s)
{
	switch (s) {
	case RP_BREAKER_CLOSED:
		return "closed";
	case RP_BREAKER_OPEN:
		return "open";
	case RP_BREAKER_HALF_OPEN:
		return "half_open";
	}
	return "unknown";
}

void
rp_breaker_stats(struct rp_breaker *b, struct rp_breaker_stats *out)
{
	pthread_mutex_lock(&b->mu);
	*out = b->st;
	out->state = b->state;
	pthread_mutex_unlock(&b->mu);
}
