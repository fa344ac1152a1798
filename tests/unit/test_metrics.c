/* test_metrics.c: counters move exactly, labels stay bounded, the text is valid Prometheus. */
#include "config.h"

#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "metrics.h"
#include "testutil.h"

static const char *const routes[] = { "fragment", "profile.json", "ping", "status", "ready" };

static void
setup(void)
{
	rp_metrics_init(routes, sizeof(routes) / sizeof(routes[0]));
	rp_metrics_reset();
}

/* The text of one scrape; caller frees with rp_buf_free. */
static void
scrape(struct rp_buf *b, const struct rp_metrics_ext *x)
{
	rp_buf_init(b, 0);
	ck_assert_int_eq(rp_metrics_format(b, x), 0);
}

/* The value of the sample line starting with series + " ", or -1. */
static double
sample(const struct rp_buf *b, const char *series)
{
	const char *s = rp_buf_str(b);
	size_t n = strlen(series);

	while ((s = strstr(s, series)) != NULL) {
		if ((s == rp_buf_str(b) || s[-1] == '\n') && s[n] == ' ')
			return strtod(s + n + 1, NULL);
		s += n;
	}
	return -1;
}

START_TEST(requests_by_route_and_outcome)
{
	struct rp_buf b;

	rp_metrics_request("fragment", "ok", 200);
	rp_metrics_request("fragment", "ok", 200);
	rp_metrics_request("fragment", "consent", 200);
	rp_metrics_request("profile.json", "signin", 401);
	rp_metrics_request("ping", NULL, 200);
	rp_metrics_request("fragment", NULL, 405);
	rp_metrics_request("ready", NULL, 503);
	scrape(&b, NULL);
	ck_assert_double_eq(sample(&b, "richprofile_requests_total{route=\"fragment\",outcome=\"ok\"}"), 2);
	ck_assert_double_eq(sample(&b, "richprofile_requests_total{route=\"fragment\",outcome=\"consent\"}"), 1);
	ck_assert_double_eq(sample(&b, "richprofile_requests_total{route=\"profile.json\",outcome=\"signin\"}"), 1);
	ck_assert_double_eq(sample(&b, "richprofile_requests_total{route=\"ping\",outcome=\"ok\"}"), 1);
	ck_assert_double_eq(sample(&b, "richprofile_requests_total{route=\"fragment\",outcome=\"method_not_allowed\"}"), 1);
	ck_assert_double_eq(sample(&b, "richprofile_requests_total{route=\"ready\",outcome=\"unavailable\"}"), 1);
	/* Series that never moved are not printed. */
	ck_assert_double_eq(sample(&b, "richprofile_requests_total{route=\"fragment\",outcome=\"partial\"}"), -1);
	rp_buf_free(&b);
}
END_TEST

/* A route name from the URL must not become a label: it could be anything. */
START_TEST(unknown_routes_count_as_other)
{
	struct rp_buf b;

	rp_metrics_request("<script>", NULL, 404);
	rp_metrics_request("x\"} 1\nevil 2", NULL, 404);
	rp_metrics_request(NULL, NULL, 404);
	rp_metrics_request("fragment", "made-up", 400);
	scrape(&b, NULL);
	ck_assert_double_eq(sample(&b, "richprofile_requests_total{route=\"other\",outcome=\"not_found\"}"), 3);
	ck_assert_double_eq(sample(&b, "richprofile_requests_total{route=\"fragment\",outcome=\"bad_request\"}"), 1);
	ck_assert_ptr_null(strstr(rp_buf_str(&b), "script"));
	ck_assert_ptr_null(strstr(rp_buf_str(&b), "evil"));
	rp_buf_free(&b);
}
END_TEST

START_TEST(upstream_classes_and_histogram)
{
	struct rp_buf b;

	ck_assert(rp_metrics_upstream_ok_age_ms() == -1);
	rp_metrics_upstream(RP_OK, 3000);        /* 3 ms: first bucket */
	rp_metrics_upstream(RP_OK, 40000);       /* 40 ms */
	rp_metrics_upstream(RP_ETIMEOUT, 3000000);
	rp_metrics_upstream(RP_ETLS, 20000000);  /* past every bound: +Inf */
	scrape(&b, NULL);
	ck_assert_double_eq(sample(&b, "richprofile_upstream_requests_total{result=\"ok\"}"), 2);
	ck_assert_double_eq(sample(&b, "richprofile_upstream_requests_total{result=\"timeout\"}"), 1);
	ck_assert_double_eq(sample(&b, "richprofile_upstream_requests_total{result=\"tls\"}"), 1);
	ck_assert_double_eq(sample(&b, "richprofile_upstream_duration_seconds_bucket{le=\"0.005\"}"), 1);
	ck_assert_double_eq(sample(&b, "richprofile_upstream_duration_seconds_bucket{le=\"0.05\"}"), 2);
	ck_assert_double_eq(sample(&b, "richprofile_upstream_duration_seconds_bucket{le=\"2.5\"}"), 2);
	ck_assert_double_eq(sample(&b, "richprofile_upstream_duration_seconds_bucket{le=\"5\"}"), 3);
	ck_assert_double_eq(sample(&b, "richprofile_upstream_duration_seconds_bucket{le=\"10\"}"), 3);
	ck_assert_double_eq(sample(&b, "richprofile_upstream_duration_seconds_bucket{le=\"+Inf\"}"), 4);
	ck_assert_double_eq(sample(&b, "richprofile_upstream_duration_seconds_count"), 4);
	ck_assert_double_eq_tol(sample(&b, "richprofile_upstream_duration_seconds_sum"), 23.043, 1e-6);
	ck_assert(rp_metrics_upstream_ok_age_ms() >= 0);
	ck_assert(rp_metrics_upstream_ok_age_ms() < 1000);
	rp_buf_free(&b);
}
END_TEST

START_TEST(workers_config_and_external_figures)
{
	struct rp_buf b;
	struct rp_metrics_ext x;

	memset(&x, 0, sizeof(x));
	rp_metrics_workers(8);
	rp_metrics_busy(+1);
	rp_metrics_busy(+1);
	rp_metrics_busy(-1);
	rp_metrics_config_loaded();
	rp_metrics_config_loaded();
	rp_metrics_config_failed();
	x.have_cache = 1;
	x.cache_hits = 7;
	x.cache_misses = 3;
	x.cache_stale = 1;
	x.cache_coalesced = 2;
	x.cache_entries = 5;
	x.cache_bytes = 123456;
	x.cache_max_bytes = 33554432;
	x.cache_oversize = 6;
	x.have_breaker = 1;
	x.breaker_state = 1;
	x.breaker_opened = 4;
	scrape(&b, &x);
	ck_assert_double_eq(sample(&b, "richprofile_workers"), 8);
	ck_assert_double_eq(sample(&b, "richprofile_workers_busy"), 1);
	ck_assert_double_eq(sample(&b, "richprofile_config_generation"), 2);
	ck_assert_double_eq(sample(&b, "richprofile_config_reload_failures_total"), 1);
	ck_assert_double_eq(sample(&b, "richprofile_cache_hits_total"), 7);
	ck_assert_double_eq(sample(&b, "richprofile_cache_misses_total"), 3);
	ck_assert_double_eq(sample(&b, "richprofile_cache_stale_total"), 1);
	ck_assert_double_eq(sample(&b, "richprofile_cache_coalesced_total"), 2);
	ck_assert_double_eq(sample(&b, "richprofile_cache_entries"), 5);
	ck_assert_double_eq(sample(&b, "richprofile_cache_bytes"), 123456);
	ck_assert_double_eq(sample(&b, "richprofile_cache_max_bytes"), 33554432);
	ck_assert_double_eq(sample(&b, "richprofile_cache_oversize_total"), 6);
	ck_assert_double_eq(sample(&b, "richprofile_breaker_state"), 1);
	ck_assert_double_eq(sample(&b, "richprofile_breaker_opened_total"), 4);
	ck_assert_double_eq(sample(&b, "richprofile_build_info{version=\"" PACKAGE_VERSION "\"}"), 1);
	rp_buf_free(&b);
	/* Without them, the families are left out rather than shown as 0. */
	scrape(&b, NULL);
	ck_assert_ptr_null(strstr(rp_buf_str(&b), "richprofile_cache_"));
	ck_assert_ptr_null(strstr(rp_buf_str(&b), "richprofile_breaker_"));
	rp_buf_free(&b);
}
END_TEST

/*
 * The exposition format, line by line: HELP and TYPE once per family,
 * before its samples; samples "name{label="value",...} number".
 */
START_TEST(valid_exposition_format)
{
	struct rp_buf b;
	struct rp_metrics_ext x = { .have_cache = 1, .have_breaker = 1 };
	regex_t sample_re, type_re;
	char *text, *line, *save = NULL;
	char family[128] = "";
	int nsamples = 0;

	rp_metrics_request("fragment", "ok", 200);
	rp_metrics_upstream(RP_OK, 1000);
	ck_assert_int_eq(regcomp(&sample_re, "^[a-z_]+(\\{[a-z_]+=\"[^\"\\\\\n]*\"(,[a-z_]+=\"[^\"\\\\\n]*\")*\\})? [-+0-9.e]+$", REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_int_eq(regcomp(&type_re, "^# TYPE [a-z_]+ (counter|gauge|histogram)$", REG_EXTENDED | REG_NOSUB), 0);
	scrape(&b, &x);
	ck_assert(b.len > 0 && b.data[b.len - 1] == '\n');
	text = strdup(rp_buf_str(&b));
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if (strncmp(line, "# TYPE ", 7) == 0) {
			ck_assert_msg(regexec(&type_re, line, 0, NULL, 0) == 0, "bad TYPE line: %s", line);
			snprintf(family, sizeof(family), "%.*s", (int)strcspn(line + 7, " "), line + 7);
			continue;
		}
		ck_assert_msg(regexec(&sample_re, line, 0, NULL, 0) == 0, "bad sample line: %s", line);
		/* Every sample belongs to the family declared last. */
		ck_assert_msg(family[0] != '\0' && strncmp(line, family, strlen(family)) == 0,
		    "sample %s outside its family %s", line, family);
		nsamples++;
	}
	ck_assert_int_gt(nsamples, 20);
	free(text);
	regfree(&sample_re);
	regfree(&type_re);
	rp_buf_free(&b);
}
END_TEST

#define THREADS 4
#define PER_THREAD 50000

static void *
hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < PER_THREAD; i++) {
		rp_metrics_busy(+1);
		rp_metrics_request("fragment", "ok", 200);
		rp_metrics_upstream(RP_OK, 1000);
		rp_metrics_busy(-1);
	}
	return NULL;
}

/* No lock, yet no increment is lost under concurrent workers. */
START_TEST(concurrent_counts_are_exact)
{
	pthread_t t[THREADS];
	struct rp_buf b;

	for (int i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, NULL), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	scrape(&b, NULL);
	ck_assert_double_eq(sample(&b, "richprofile_requests_total{route=\"fragment\",outcome=\"ok\"}"), THREADS * PER_THREAD);
	ck_assert_double_eq(sample(&b, "richprofile_upstream_duration_seconds_count"), THREADS * PER_THREAD);
	ck_assert_double_eq(sample(&b, "richprofile_workers_busy"), 0);
	rp_buf_free(&b);
}
END_TEST

/* A scrape larger than the buffer's bound fails cleanly, it does not truncate silently. */
START_TEST(bounded_buffer_fails_cleanly)
{
	struct rp_buf b;

	rp_buf_init(&b, 64);
	ck_assert_int_ne(rp_metrics_format(&b, NULL), 0);
	rp_buf_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, requests_by_route_and_outcome);
	tcase_add_test(tc, unknown_routes_count_as_other);
	tcase_add_test(tc, upstream_classes_and_histogram);
	tcase_add_test(tc, workers_config_and_external_figures);
	tcase_add_test(tc, valid_exposition_format);
	tcase_add_test(tc, concurrent_counts_are_exact);
	tcase_add_test(tc, bounded_buffer_fails_cleanly);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
