/* breaker.h: a circuit breaker in front of the upstream API. */
#ifndef RP_BREAKER_H
#define RP_BREAKER_H

#include "clock.h"
#include "err.h"

/* Slots of the sliding window. */
#define RP_BREAKER_WINDOW_SLOTS 20

/*
 * When the API is down, asking it again on every page view only piles
 * up workers waiting for timeouts.  The breaker opens on evidence that
 * the API is down, not that one account is broken: within a sliding
 * window of window_ms, at least `failures` calls failed, from at least
 * min_users different users, and failures are at least half of the
 * window's calls.  One user whose account makes the API fail (or an
 * attacker sending a token the API rejects) cannot open it for the
 * others, however many times they try.  Open, for open_ms every call is
 * refused at once (RP_EBREAKER) and the page shows "unavailable" (or a
 * stale profile) without waiting.  Then exactly one call is let through
 * as a probe (half-open); its success closes the breaker and clears the
 * window, its failure reopens it for another open_ms.  Thread-safe: one
 * breaker per process.
 *
 * The window is counted in WINDOW_SLOTS slots of window_ms / WINDOW_SLOTS
 * each, so a call leaves it between window_ms - window_ms / WINDOW_SLOTS
 * and window_ms after it ended.  Users are told apart by a number the
 * caller derives from the token with a keyed hash (never the token).
 */
struct rp_breaker;

enum rp_breaker_state {
	RP_BREAKER_CLOSED,     /* calls go through */
	RP_BREAKER_OPEN,       /* calls refused until the open period ends */
	RP_BREAKER_HALF_OPEN   /* one probe is in flight; others refused */
};

struct rp_breaker_opts {
	long failures;         /* failed calls in the window that open it; 0: never opens */
	long open_ms;          /* how long it stays open before one probe */
	long window_ms;        /* the sliding window; 0: 10000 */
	long min_users;        /* different failing users needed; 0 or 1: any */
	/* Clock in milliseconds, for tests; NULL: CLOCK_MONOTONIC. */
	long long (*now_ms)(void);
};


/* Figures for metrics, read together under the breaker's lock. */
struct rp_breaker_stats {
	enum rp_breaker_state state;
	long consecutive;              /* failures since the last success */
	long window_calls;             /* calls that ended in the window */
	long window_failures;          /* of which failed */
	long window_users;             /* different users among the failed, up to min_users */
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

/*
 * The end of a call admitted by rp_breaker_enter; ok is 0 on failure.
 * user identifies whose call it was (rp_hash_user of the token); it matters only for failures.
 */
void rp_breaker_done(struct rp_breaker *b, int probe, int ok,
    unsigned long long user);

/* "closed", "open", "half_open": a metric label. */
const char *rp_breaker_state_name(enum rp_breaker_state s);

void rp_breaker_stats(struct rp_breaker *b, struct rp_breaker_stats *out);

#endif
