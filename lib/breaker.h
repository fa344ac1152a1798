/* breaker.h: a circuit breaker in front of the upstream API. */
#ifndef RP_BREAKER_H
#define RP_BREAKER_H

#include "clock.h"
#include "err.h"

/*
 * When the API is down, asking it again on every page view only piles
 * up workers waiting for timeouts.  After `failures` consecutive failed
 * calls the breaker opens: for open_ms every call is refused at once
 * (RP_EBREAKER) and the page shows "unavailable" (or a stale profile)
 * without waiting.  Then exactly one call is let through as a probe
 * (half-open); its success closes the breaker, its failure reopens it
 * for another open_ms.  Thread-safe: one breaker per process.
 */
struct rp_breaker;

enum rp_breaker_state {
	RP_BREAKER_CLOSED,     /* calls go through */
	RP_BREAKER_OPEN,       /* calls refused until the open period ends */
	RP_BREAKER_HALF_OPEN   /* one probe is in flight; others refused */
};

struct rp_breaker_opts {
	long failures;         /* consecutive failures that open it; 0: never opens */
	long open_ms;          /* how long it stays open before one probe */
	/* Clock in milliseconds, for tests; NULL: CLOCK_MONOTONIC. */
	long long (*now_ms)(void);
};


/* Figures for metrics, read together under the breaker's lock. */
struct rp_breaker_stats {
	enum rp_breaker_state state;
	long consecutive;              /* failures since the last success */
	unsigned long long opened;     /* times it went from closed to open */
	unsigned long long rejected;   /* calls answered RP_EBREAKER */
	unsigned long long probes;     /* half-open probes let through */
};

/*
 * A new closed breaker; opts is copied.  RP_EINVAL for negative
 * figures, RP_ENOMEM.  Caller frees with rp_breaker_free.
 */
enum rp_err rp_breaker_new(const struct rp_breaker_opts *opts, struct rp_breaker **out);
void rp_breaker_free(struct rp_breaker *b);

/*
 * Asks whether one upstream call may be made now.  RP_OK: make it, and
 * report its end with rp_breaker_done, passing back *probe.  RP_EBREAKER:
 * do not call upstream (and do not call rp_breaker_done).
 */
enum rp_err rp_breaker_enter(struct rp_breaker *b, int *probe);

/* The end of a call admitted by rp_breaker_enter; ok is 0 on failure. */
void rp_breaker_done(struct rp_breaker *b, int probe, int ok);

/* "closed", "open", "half_open": a metric label. */
const char *rp_breaker_state_name(enum rp_breaker_state s);

void rp_breaker_stats(struct rp_breaker *b, struct rp_breaker_stats *out);

#endif
