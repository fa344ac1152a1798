/* metrics.h: the process's counters, in the Prometheus text format. */
#ifndef RP_METRICS_H
#define RP_METRICS_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/*
 * One set of counters per process (a FastCGI process is one service
 * instance, as Prometheus client libraries' default registry assumes):
 * every worker thread updates them with relaxed atomic additions, no
 * lock, and the `status` route formats them.  Counters only grow; they
 * survive a configuration reload.
 *
 * Label values come from fixed sets, never from the request: a URL of
 * the attacker's choosing must not create a new series.
 */

#define RP_METRICS_ROUTES_MAX 16

/*
 * Registers the route names that may appear as the "route" label, in
 * the order given (names borrowed for the life of the process; at most
 * RP_METRICS_ROUTES_MAX, later ones are counted as "other"), and marks
 * the process start.  Call once, before threads start.
 */
void rp_metrics_init(const char *const *routes, size_t n);

/*
 * One request answered.  route: its name (an unregistered or NULL name
 * counts as "other"); status: the outcome ("ok", "partial", "consent",
 * "signin", "unavailable") or NULL for routes without one, in which case
 * the HTTP status names the outcome ("ok", "bad_request", "not_found",
 * "method_not_allowed", "unavailable", "error", "forbidden").
 */
void rp_metrics_request(const char *route, const char *status,
    int http_status);

/*
 * One call to the API made, with its result (RP_OK or the failure
 * class, as rp_errclass names it) and its wall time.  Records the time
 * of the last successful call for rp_metrics_upstream_ok_age_ms.
 */
void rp_metrics_upstream(enum rp_err result, long elapsed_us);

/* Milliseconds since the last successful API call; -1 if none yet. */
long long rp_metrics_upstream_ok_age_ms(void);

/* Worker threads: how many run, and one more (+1) or fewer (-1) busy. */
void rp_metrics_workers(long total);
/* Workers taking connections now (cgi/server/pace.h). */
void rp_metrics_workers_active(long n);
void rp_metrics_busy(int delta);
long rp_metrics_busy_now(void);
long rp_metrics_workers_now(void);

/* Why a FastCGI connection was closed before its request was served. */
enum rp_drop {
	RP_DROP_TIMEOUT,     /* its records did not arrive in time */
	RP_DROP_TOO_LARGE,   /* its parameters passed the cap */
	RP_DROP_MALFORMED,   /* not a FastCGI request this program serves */
	RP_DROP_OVERFLOW,    /* too many connections waiting already */
	RP_DROP__COUNT
};

/* One connection closed unserved, for the reason given. */
void rp_metrics_dropped(enum rp_drop why);

/* One more (+1) or fewer (-1) connection waiting for its request. */
void rp_metrics_waiting(int delta);

/* A configuration went into service (start, reload), or a reload was refused. */
void rp_metrics_config_loaded(void);
void rp_metrics_config_failed(void);
unsigned long rp_metrics_config_generation(void);

/*
 * Figures the metrics module does not own, collected by the caller
 * just before formatting (the cache and the breaker count for
 * themselves).  A part whose have_ flag is 0 is left out.
 */
struct rp_metrics_ext {
	int have_cache;
	unsigned long long cache_hits;
	unsigned long long cache_misses;
	unsigned long long cache_stale;
	unsigned long long cache_coalesced;
	unsigned long long cache_evictions;
	unsigned long long cache_entries;
	unsigned long long cache_bytes;
	unsigned long long cache_max_bytes;
	unsigned long long cache_oversize;
	unsigned long long cache_refreshes;
	unsigned long long cache_refresh_skipped;
	unsigned long long cache_refresh_elsewhere;
	int have_breaker;
	int breaker_state;      /* 0 closed, 1 open, 2 half-open */
	unsigned long long breaker_opened;
	unsigned long long breaker_rejected;
};

/*
 * Appends every metric to b in the Prometheus text exposition format
 * 0.0.4 (content type "text/plain; version=0.0.4; charset=utf-8").
 * ext may be NULL.  Returns RP_OK or the buffer's error (RP_ENOMEM,
 * RP_ELIMIT).
 */
enum rp_err rp_metrics_format(struct rp_buf *b, const struct rp_metrics_ext *ext);

/* Zeroes every counter; for tests only, with no other thread running. */
void rp_metrics_reset(void);

#endif
