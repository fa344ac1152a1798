/* shared.h: the shared tier: sealed profiles and consent memory on Redis. */
#ifndef RP_SHARED_H
#define RP_SHARED_H

#include <stddef.h>

#include "attr.h"
#include "buf.h"
#include "cfg.h"
#include "err.h"
#include "profile.h"
#include "seal.h"

/*
 * A site on several servers (or several processes on one) shares, on
 * Redis, what a user's next view depends on: fully granted profiles,
 * and the memory of a partial or refused answer that keeps "grant once"
 * honest on every server.  In front of it stays each process's own
 * cache; this tier is asked only on an in-process miss.
 *
 * Entries are named <prefix>p:<hash> (profile) and <prefix>c:<hash>
 * (consent memory), the hash keyed by the shared key (seal.h); values
 * are sealed with their name as associated data and their expiry
 * inside, so a value moved, altered, expired or sealed under another
 * key is a miss.  Redis' own expiry (PX) is ttl_s + stale_s.
 *
 * Redis is an optimisation, never a dependency of a page: every
 * operation (connecting included) is bounded by timeout_ms, and a
 * request spends at most that much on Redis in all (struct
 * rp_shared_budget); nothing is retried; a failure is a miss.  A breaker
 * of its own stops asking after `failures` consecutive failures and
 * lets one probe through every open_ms.  Connections are kept in a small
 * locked pool, one per operation in progress, and closed after any
 * failure.  Thread-safe.
 */
struct rp_shared;

struct rp_shared_opts {
	const char *redis;        /* "tcp:HOST:PORT" or "unix:/PATH" (copied) */
	long database;            /* SELECT n; 0: none sent */
	const char *password;     /* AUTH: "password" or "user password"; NULL: none */
	const unsigned char *key; /* RP_SEAL_KEYLEN bytes (copied) */
	long timeout_ms;          /* budget of one operation, connect included */
	const char *prefix;       /* of every Redis key (copied) */
	long ttl_s;               /* a profile is fresh this long */
	long stale_s;             /* and kept by Redis this much longer */
	long failures;            /* breaker: consecutive failures; 0: 3 */
	long open_ms;             /* breaker: pause before a probe; 0: 5000 */
	size_t max_value;         /* largest answer read; 0: 1 MiB */
	/* Wall clock in milliseconds, for tests; NULL: CLOCK_REALTIME. */
	long long (*wall_ms)(void);
};

/*
 * A new tier (no connection yet: the first operation opens one).
 * RP_EINVAL for a bad address or figures, RP_ENOMEM.  Caller frees
 * with rp_shared_free, after every other call returned.
 */
enum rp_err rp_shared_new(const struct rp_shared_opts *o, struct rp_shared **out);
void rp_shared_free(struct rp_shared *s);

/*
 * The tier [shared] describes: *out is NULL when [shared] redis is
 * empty (no shared tier).  Reads the key file (refusing a
 * world-readable one) and the password file.  On error writes "what
 * failed and what to do" into err and returns RP_ECONFIG, RP_EIO or
 * RP_ENOMEM.  Caller frees with rp_shared_free.
 */
enum rp_err rp_shared_from_cfg(const struct rp_cfg *cfg, struct rp_shared **out,
    char *err, size_t errlen);

/*
 * What one request may still spend on Redis, in microseconds: start it
 * with rp_shared_budget_init and pass it to every call of the request,
 * so that Redis adds at most timeout_ms to a page however many
 * operations the request makes.  A failed operation spends it all.
 */
struct rp_shared_budget {
	long long left_us;
	long long spent_us;    /* what the request's operations took */
};

void rp_shared_budget_init(const struct rp_shared *s, struct rp_shared_budget *b);

/*
 * The end of a request that used b: records the time it spent on Redis
 * (the largest is a metric: what Redis added to the slowest page).
 */
void rp_shared_budget_done(struct rp_shared *s, const struct rp_shared_budget *b);

/*
 * The fresh profile kept for (token, infos): 1 and *out (caller frees
 * with rp_profile_free), or 0 for a miss (absent, expired, does not
 * open, Redis failing or out of budget).
 */
int rp_shared_get(struct rp_shared *s, struct rp_shared_budget *b,
    const char *token, size_t len, rp_attrset infos, struct rp_profile **out);

/*
 * Records what the API answered for (token, infos), as the in-process
 * cache does: a GRANTED profile is kept, unless a partial or refused
 * answer came before it (on any server), in which case the consent
 * memory is consumed and 1 is returned: serve the profile, keep it
 * nowhere (it may be a grant for one reading).  marked: this process
 * remembers such an answer itself (Redis may have missed it while it
 * was down): the granted profile is not written either, and 1 is
 * returned.  PARTIAL and REFUSED
 * write the consent memory and drop the kept profile.  Other outcomes
 * change nothing.  0 otherwise, Redis failing included.
 */
int rp_shared_put(struct rp_shared *s, struct rp_shared_budget *b,
    const char *token, size_t len, rp_attrset infos,
    const struct rp_profile *p, int marked);

/*
 * Refresh-ahead across servers: SET <prefix>r:<name> NX PX hold_ms, so
 * one server refreshes an entry and the others keep serving theirs (and
 * find the refreshed profile in Redis when theirs expires).  1: this
 * server took the lock, refresh; 0: another server holds it, do not;
 * -1: Redis failing, refresh as without a shared tier.
 */
int rp_shared_refresh_lock(struct rp_shared *s, const char *token, size_t len,
    rp_attrset infos, long hold_ms);

/*
 * PING within timeout_ms, outside the breaker (for -t and check-config).
 * RP_OK, or RP_EIO with "what failed and what to do" in err.
 */
enum rp_err rp_shared_ping(struct rp_shared *s, char *err, size_t errlen);

/* Non-zero while Redis is failing: breaker not closed, or the last operation failed. */
int rp_shared_failing(struct rp_shared *s);

/* The tier's metrics in the Prometheus text format (status route). */
enum rp_err rp_shared_metrics(struct rp_shared *s, struct rp_buf *b);

/* Failure classes of an operation, a metric label each. */
enum rp_shared_errclass {
	RP_SE_NONE,       /* no failure (0, so a class is also a truth value) */
	RP_SE_CONNECT,    /* refused, unreachable, AUTH or SELECT rejected */
	RP_SE_TIMEOUT,    /* no answer within the budget */
	RP_SE_CLOSED,     /* connection closed or reset */
	RP_SE_PROTOCOL,   /* not the Redis protocol, or an unexpected type */
	RP_SE_REPLY,      /* Redis answered an error (OOM, WRONGTYPE, NOAUTH...) */
	RP_SE_TOOBIG,     /* an answer larger than max_value */
	RP_SE_SEAL,       /* a value that does not open: altered, moved, another key */
	RP_SE__COUNT
};

/* Counters, for tests and benchmarks. */
struct rp_shared_stats {
	unsigned long long hits, misses, stored, grant_once, consent_marks;
	unsigned long long skipped;        /* operations the breaker or budget refused */
	unsigned long long errors[RP_SE__COUNT];
	unsigned long long ops;
	long long request_max_us;          /* most one request spent on Redis */
	int breaker_state;                 /* 0 closed, 1 open, 2 half-open */
	unsigned long long breaker_opened;
};

void rp_shared_stats(struct rp_shared *s, struct rp_shared_stats *out);

#endif
