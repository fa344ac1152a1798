/* metrics.c: the process's counters, in the Prometheus text format. */
#include "config.h"

#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "metrics.h"

/*
 * Outcomes a request may be counted under.  The first five are the
 * product's outcomes (X-RichProfile-Status); the others name an HTTP
 * answer of a route that has none.
 */
enum m_outcome {
	M_OK, M_PARTIAL, M_CONSENT, M_SIGNIN, M_UNAVAILABLE,
	M_BAD_REQUEST, M_FORBIDDEN, M_NOT_FOUND, M_METHOD, M_ERROR,
	M__OUTCOMES
};

static const char *const outcome_names[M__OUTCOMES] = {
	"ok", "partial", "consent", "signin", "unavailable",
	"bad_request", "forbidden", "not_found", "method_not_allowed", "error",
};

static const char *const dropped_names[RP_DROP__COUNT] = {
	"timeout", "too_large", "malformed", "overflow",
};

/*
 * Upper bounds of the latency histogram, in microseconds: from a
 * loopback simulator (a few ms) to the largest sane timeout_ms.
 */
static const long long bucket_us[] = {
	5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000,
};
#define NBUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

/* The last route slot is "other". */
#define M_ROUTES (RP_METRICS_ROUTES_MAX + 1)

/*
 * Every counter of the process.  Relaxed atomics: each counter is
 * exact, and a scrape may see one counter a request ahead of another,
 * which Prometheus tolerates by design.
 */
static struct {
	const char *route_names[RP_METRICS_ROUTES_MAX];
	size_t nroutes;
	atomic_ullong requests[M_ROUTES][M__OUTCOMES];
	atomic_ullong upstream[RP_ERR__COUNT];
	atomic_ullong hist[NBUCKETS + 1];      /* per bucket, +Inf last */
	atomic_ullong hist_sum_us;
	atomic_llong last_ok_ms;               /* monotonic; 0: never */
	atomic_long workers;
	atomic_long workers_active;
	atomic_long busy;
	atomic_ulong generation;
	atomic_ullong reload_failures;
	atomic_ullong dropped[RP_DROP__COUNT];
	atomic_long waiting;
	long long start_real_s;                /* written by init only */
} m;

/* +1 so that a clock reading 0 is not taken for "never". */
static long long
mono_ms(void)
{
	return rp_monotonic_ms() + 1;
}

void
rp_metrics_init(const char *const *routes, size_t n)
{
	if (n > RP_METRICS_ROUTES_MAX)
		n = RP_METRICS_ROUTES_MAX;
	for (size_t i = 0; i < n; i++)
		m.route_names[i] = routes[i];
	m.nroutes = n;
	m.start_real_s = (long long)time(NULL);
}

static size_t
route_index(const char *route)
{
	if (route != NULL)
		for (size_t i = 0; i < m.nroutes; i++)
			if (strcmp(m.route_names[i], route) == 0)
				return i;
	return RP_METRICS_ROUTES_MAX;
}

static enum m_outcome
outcome_index(const char *status, int http_status)
{
	if (status != NULL)
		for (int i = M_OK; i <= M_UNAVAILABLE; i++)
			if (strcmp(outcome_names[i], status) == 0)
				return (enum m_outcome)i;
	switch (http_status) {
	case 200: case 204: return M_OK;
	case 400: return M_BAD_REQUEST;
	case 403: return M_FORBIDDEN;
	case 404: return M_NOT_FOUND;
	case 405: return M_METHOD;
	case 503: return M_UNAVAILABLE;
	default: return M_ERROR;
	}
}

void
rp_metrics_request(const char *route, const char *status, int http_status)
{
	atomic_fetch_add_explicit(&m.requests[route_index(route)]
	    [outcome_index(status, http_status)], 1, memory_order_relaxed);
}

void
rp_metrics_upstream(enum rp_err result, long elapsed_us)
{
	size_t b = 0;

	if ((unsigned)result >= RP_ERR__COUNT)
		result = RP_EUPSTREAM;
	if (elapsed_us < 0)
		elapsed_us = 0;
	atomic_fetch_add_explicit(&m.upstream[result], 1, memory_order_relaxed);
	while (b < NBUCKETS && elapsed_us > bucket_us[b])
		b++;
	atomic_fetch_add_explicit(&m.hist[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m.hist_sum_us, (unsigned long long)elapsed_us,
	    memory_order_relaxed);
	if (result == RP_OK)
		atomic_store_explicit(&m.last_ok_ms, mono_ms(),
		    memory_order_relaxed);
}

long long
rp_metrics_upstream_ok_age_ms(void)
{
	long long t = atomic_load_explicit(&m.last_ok_ms, memory_order_relaxed);

	return t == 0 ? -1 : mono_ms() - t;
}

void
rp_metrics_workers(long total)
{
	atomic_store_explicit(&m.workers, total, memory_order_relaxed);
}

void
rp_metrics_workers_active(long n)
{
	atomic_store_explicit(&m.workers_active, n, memory_order_relaxed);
}

void
rp_metrics_busy(int delta)
{
	atomic_fetch_add_explicit(&m.busy, delta, memory_order_relaxed);
}

long
rp_metrics_busy_now(void)
{
	return atomic_load_explicit(&m.busy, memory_order_relaxed);
}

long
rp_metrics_workers_now(void)
{
	return atomic_load_explicit(&m.workers, memory_order_relaxed);
}

void
rp_metrics_dropped(enum rp_drop why)
{
	if ((unsigned)why < RP_DROP__COUNT)
		atomic_fetch_add_explicit(&m.dropped[why], 1,
		    memory_order_relaxed);
}

void
rp_metrics_waiting(int delta)
{
	atomic_fetch_add_explicit(&m.waiting, delta, memory_order_relaxed);
}

void
rp_metrics_config_loaded(void)
{
	atomic_fetch_add_explicit(&m.generation, 1, memory_order_relaxed);
}

void
rp_metrics_config_failed(void)
{
	atomic_fetch_add_explicit(&m.reload_failures, 1, memory_order_relaxed);
}

unsigned long
rp_metrics_config_generation(void)
{
	return atomic_load_explicit(&m.generation, memory_order_relaxed);
}

void
rp_metrics_reset(void)
{
	const char *names[RP_METRICS_ROUTES_MAX];
	size_t n = m.nroutes;

	memcpy(names, m.route_names, sizeof(names));
	memset(&m, 0, sizeof(m));
	rp_metrics_init(names, n);
}

static unsigned long long
get(atomic_ullong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* "# HELP" and "# TYPE" of one family. */
static void
family(struct rp_buf *b, const char *name, const char *type, const char *help)
{
	rp_buf_appendf(b, "# HELP richprofile_%s %s\n# TYPE richprofile_%s %s\n",
	    name, help, name, type);
}

static void
format_requests(struct rp_buf *b)
{
	family(b, "requests_total", "counter",
	    "Requests answered, by route and outcome.");
	for (size_t r = 0; r < M_ROUTES; r++) {
		const char *rn = r < m.nroutes ? m.route_names[r] : "other";

		if (r >= m.nroutes && r != RP_METRICS_ROUTES_MAX)
			continue;
		for (int o = 0; o < M__OUTCOMES; o++) {
			unsigned long long v = get(&m.requests[r][o]);

			/* Series appear once they move: 9 outcomes x every route is noise. */
			if (v != 0)
				rp_buf_appendf(b, "richprofile_requests_total"
				    "{route=\"%s\",outcome=\"%s\"} %llu\n", rn,
				    outcome_names[o], v);
		}
	}
}

static void
format_upstream(struct rp_buf *b)
{
	unsigned long long cum = 0, total = 0;

	family(b, "upstream_requests_total", "counter",
	    "Calls to the RichProfile API, by result class.");
	for (int e = 0; e < RP_ERR__COUNT; e++) {
		unsigned long long v = get(&m.upstream[e]);

		if (v != 0 || e == RP_OK)
			rp_buf_appendf(b, "richprofile_upstream_requests_total"
			    "{result=\"%s\"} %llu\n", rp_errclass((enum rp_err)e),
			    v);
	}
	family(b, "upstream_duration_seconds", "histogram",
	    "Wall time of calls to the RichProfile API.");
	for (size_t i = 0; i <= NBUCKETS; i++)
		total += get(&m.hist[i]);
	for (size_t i = 0; i < NBUCKETS; i++) {
		cum += get(&m.hist[i]);
		rp_buf_appendf(b, "richprofile_upstream_duration_seconds_bucket"
		    "{le=\"%g\"} %llu\n", (double)bucket_us[i] / 1e6, cum);
	}
	rp_buf_appendf(b, "richprofile_upstream_duration_seconds_bucket"
	    "{le=\"+Inf\"} %llu\n", total);
	rp_buf_appendf(b, "richprofile_upstream_duration_seconds_sum %.6f\n",
	    (double)get(&m.hist_sum_us) / 1e6);
	rp_buf_appendf(b, "richprofile_upstream_duration_seconds_count %llu\n",
	    total);
}

/* The figures of struct rp_metrics_ext, one family each. */
struct ext_family {
	int breaker;            /* 0: a cache figure, 1: a breaker figure */
	const char *name, *type, *help;
	size_t off;             /* of an unsigned long long in the struct */
};

#define EXT(b, n, t, f, h) { b, n, t, h, offsetof(struct rp_metrics_ext, f) }
static const struct ext_family ext_families[] = {
	EXT(0, "cache_hits_total", "counter", cache_hits,
	    "Profiles served from the cache without calling the API."),
	EXT(0, "cache_misses_total", "counter", cache_misses,
	    "Look-ups that led a call to the API."),
	EXT(0, "cache_stale_total", "counter", cache_stale,
	    "Expired profiles served because the API failed."),
	EXT(0, "cache_coalesced_total", "counter", cache_coalesced,
	    "Requests that waited for another request's API call."),
	EXT(0, "cache_evictions_total", "counter", cache_evictions,
	    "Profiles dropped to make room (least recently used, "
	    "max_entries or max_bytes)."),
	EXT(0, "cache_entries", "gauge", cache_entries,
	    "Profiles in the cache now."),
	EXT(0, "cache_bytes", "gauge", cache_bytes,
	    "Heap the cache's entries and their profiles take now, in bytes."),
	EXT(0, "cache_max_bytes", "gauge", cache_max_bytes,
	    "The bound of cache_bytes: [cache] max_bytes."),
	EXT(0, "cache_oversize_total", "counter", cache_oversize,
	    "Profiles served but not kept: larger than a cache shard's "
	    "share of max_bytes."),
	EXT(0, "cache_refreshes_total", "counter", cache_refreshes,
	    "Refresh-ahead API calls: entries renewed in the background "
	    "because a view found them older than refresh_s."),
	EXT(0, "cache_refresh_skipped_total", "counter", cache_refresh_skipped,
	    "Refreshes not made: too many were already waiting."),
	EXT(0, "cache_refresh_elsewhere_total", "counter", cache_refresh_elsewhere,
	    "Refreshes left to another server, which held the shared "
	    "tier's lock for the entry."),
	EXT(1, "breaker_opened_total", "counter", breaker_opened,
	    "Times the circuit breaker opened."),
	EXT(1, "breaker_rejected_total", "counter", breaker_rejected,
	    "Requests answered without calling the API (breaker open)."),
};
#undef EXT

static void
format_ext(struct rp_buf *b, const struct rp_metrics_ext *x)
{
	if (x == NULL)
		return;
	if (x->have_breaker) {
		family(b, "breaker_state", "gauge",
		    "Circuit breaker: 0 closed, 1 open, 2 half-open.");
		rp_buf_appendf(b, "richprofile_breaker_state %d\n",
		    x->breaker_state);
	}
	for (size_t i = 0; i < sizeof(ext_families) / sizeof(ext_families[0]); i++) {
		const struct ext_family *f = &ext_families[i];
		unsigned long long v;

		if (!(f->breaker ? x->have_breaker : x->have_cache))
			continue;
		memcpy(&v, (const char *)x + f->off, sizeof(v));
		family(b, f->name, f->type, f->help);
		rp_buf_appendf(b, "richprofile_%s %llu\n", f->name, v);
	}
}

enum rp_err
rp_metrics_format(struct rp_buf *b, const struct rp_metrics_ext *ext)
{
	format_requests(b);
	format_upstream(b);
	format_ext(b, ext);
	family(b, "workers", "gauge", "Worker threads.");
	rp_buf_appendf(b, "richprofile_workers %ld\n", rp_metrics_workers_now());
	family(b, "workers_active", "gauge", "Worker threads that take "
	    "connections now: fewer than workers under a heavy load that "
	    "waits little for the API (more would only cost CPU).");
	rp_buf_appendf(b, "richprofile_workers_active %ld\n",
	    atomic_load_explicit(&m.workers_active, memory_order_relaxed));
	family(b, "workers_busy", "gauge", "Worker threads serving a request "
	    "now, or waiting for the records of one.");
	rp_buf_appendf(b, "richprofile_workers_busy %ld\n", rp_metrics_busy_now());
	family(b, "fcgi_connections_waiting", "gauge", "FastCGI connections "
	    "accepted whose request has not arrived whole yet.");
	rp_buf_appendf(b, "richprofile_fcgi_connections_waiting %ld\n",
	    atomic_load_explicit(&m.waiting, memory_order_relaxed));
	family(b, "fcgi_connections_dropped_total", "counter",
	    "FastCGI connections closed unserved: records late "
	    "([server] request_timeout_ms), parameters too large "
	    "([server] max_params_bytes), not FastCGI, or too many waiting.");
	for (int i = 0; i < RP_DROP__COUNT; i++)
		rp_buf_appendf(b, "richprofile_fcgi_connections_dropped_total"
		    "{reason=\"%s\"} %llu\n", dropped_names[i],
		    get(&m.dropped[i]));
	family(b, "config_generation", "gauge",
	    "Configurations put in service: 1 at start, +1 per reload.");
	rp_buf_appendf(b, "richprofile_config_generation %lu\n",
	    rp_metrics_config_generation());
	family(b, "config_reload_failures_total", "counter",
	    "Reloads refused because the new configuration did not load.");
	rp_buf_appendf(b, "richprofile_config_reload_failures_total %llu\n",
	    get(&m.reload_failures));
	family(b, "start_time_seconds", "gauge",
	    "Start of the process, seconds since the Unix epoch.");
	rp_buf_appendf(b, "richprofile_start_time_seconds %lld\n",
	    m.start_real_s);
	family(b, "build_info", "gauge", "Always 1; the labels name the build.");
	rp_buf_appendf(b, "richprofile_build_info{version=\"%s\"} 1\n",
	    PACKAGE_VERSION);
	return b->failed != 0 ? b->failed : RP_OK;
}
