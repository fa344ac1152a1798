/* breaker.c: closed -> open -> half-open -> closed, under one mutex. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "breaker.h"
#include "log.h"

#define SLOTS RP_BREAKER_WINDOW_SLOTS
#define DEFAULT_WINDOW_MS 10000

/* Calls that ended during one slot of the window. */
struct slot {
	long long idx;                 /* now / slot_ms when it was counted */
	long calls, failures;
};

/* A user whose call failed, and when last. */
struct failer {
	unsigned long long user;
	long long last;                /* ms; 0: the place is empty */
};

struct rp_breaker {
	pthread_mutex_t mu;
	struct rp_breaker_opts o;
	long slot_ms;
	enum rp_breaker_state state;
	long long open_until;          /* ms on o.now_ms's clock */
	struct slot slots[SLOTS];
	/*
	 * The min_users users who failed most recently: if that many
	 * different users failed within the window, these are they.
	 */
	struct failer *failers;
	struct rp_breaker_stats st;
};

enum rp_err
rp_breaker_new(const struct rp_breaker_opts *opts, struct rp_breaker **out)
{
	struct rp_breaker *b;

	if (opts->failures < 0 || opts->open_ms < 0 || opts->window_ms < 0 ||
	    opts->min_users < 0 || opts->min_users > 1000000)
		return RP_EINVAL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return RP_ENOMEM;
	b->o = *opts;
	if (b->o.min_users < 1)
		b->o.min_users = 1;
	if (b->o.window_ms == 0)
		b->o.window_ms = DEFAULT_WINDOW_MS;
	b->slot_ms = b->o.window_ms / SLOTS > 0 ? b->o.window_ms / SLOTS : 1;
	if ((b->failers = calloc((size_t)b->o.min_users,
	    sizeof(*b->failers))) == NULL) {
		free(b);
		return RP_ENOMEM;
	}
	if (pthread_mutex_init(&b->mu, NULL) != 0) {
		free(b->failers);
		free(b);
		return RP_ENOMEM;
	}
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
	free(b->failers);
	free(b);
}

/* Under mu: the window's calls, failures and failing users at now. */
static void
window(struct rp_breaker *b, long long now)
{
	long long idx = now / b->slot_ms;
	long i;

	b->st.window_calls = b->st.window_failures = b->st.window_users = 0;
	for (i = 0; i < SLOTS; i++)
		if (b->slots[i].idx > idx - SLOTS && b->slots[i].idx <= idx) {
			b->st.window_calls += b->slots[i].calls;
			b->st.window_failures += b->slots[i].failures;
		}
	for (i = 0; i < b->o.min_users; i++)
		if (b->failers[i].last != 0 &&
		    b->failers[i].last > now - b->o.window_ms)
			b->st.window_users++;
}

/* Under mu: one call that ended at now, failed or not, by user. */
static void
count(struct rp_breaker *b, long long now, int ok, unsigned long long user)
{
	long long idx = now / b->slot_ms;
	struct slot *s = &b->slots[idx % SLOTS];
	struct failer *f = NULL;
	long i;

	if (s->idx != idx) {
		s->idx = idx;
		s->calls = s->failures = 0;
	}
	s->calls++;
	if (ok)
		return;
	s->failures++;
	/* The user's place, else the one of whoever failed longest ago. */
	for (i = 0; i < b->o.min_users; i++) {
		if (b->failers[i].last != 0 && b->failers[i].user == user) {
			f = &b->failers[i];
			break;
		}
		if (f == NULL || b->failers[i].last < f->last)
			f = &b->failers[i];
	}
	f->user = user;
	f->last = now > 0 ? now : 1;
}

/* Under mu: forgets the window (the API answered the probe). */
static void
clear(struct rp_breaker *b)
{
	memset(b->slots, 0, sizeof(b->slots));
	memset(b->failers, 0, (size_t)b->o.min_users * sizeof(*b->failers));
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
rp_breaker_done(struct rp_breaker *b, int probe, int ok,
    unsigned long long user)
{
	enum { SAME, OPENED, REOPENED, CLOSED } change = SAME;
	long long now;
	long calls = 0, fails = 0, users = 0;

	pthread_mutex_lock(&b->mu);
	now = b->o.now_ms();
	count(b, now, ok, user);
	if (ok) {
		/*
		 * Only the probe may close an open breaker: a success of a
		 * call admitted before it opened says little about now.
		 */
		if (probe) {
			b->state = RP_BREAKER_CLOSED;
			clear(b);
			change = CLOSED;
		}
		if (b->state == RP_BREAKER_CLOSED)
			b->st.consecutive = 0;
	} else {
		b->st.consecutive++;
		if (probe) {
			b->state = RP_BREAKER_OPEN;
			b->open_until = now + b->o.open_ms;
			change = REOPENED;
		} else if (b->state == RP_BREAKER_CLOSED && b->o.failures > 0) {
			window(b, now);
			calls = b->st.window_calls;
			fails = b->st.window_failures;
			users = b->st.window_users;
			/* Enough failures, from enough users, half the calls. */
			if (fails >= b->o.failures && users >= b->o.min_users &&
			    2 * fails >= calls) {
				b->state = RP_BREAKER_OPEN;
				b->open_until = now + b->o.open_ms;
				b->st.opened++;
				change = OPENED;
			}
		}
	}
	pthread_mutex_unlock(&b->mu);
	/* One line per change of state, never one per call. */
	if (change == OPENED)
		rp_log(RP_LOG_WARN, "circuit breaker open: %ld of %ld upstream "
		    "calls failed in the last %ld ms, from %ld users or more: "
		    "answering unavailable without asking the API for %ld ms "
		    "([breaker] open_ms), then one probe", fails, calls,
		    b->o.window_ms, users, b->o.open_ms);
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
	window(b, b->o.now_ms());
	*out = b->st;
	out->state = b->state;
	pthread_mutex_unlock(&b->mu);
}
