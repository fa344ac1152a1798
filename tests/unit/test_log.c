/* test_log.c: log lines are whole, filtered by level, and cannot be forged. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "testutil.h"

static char path[64];

static void
setup(void)
{
	int fd;
	char err[256];

	snprintf(path, sizeof(path), "/tmp/rp-test-log-XXXXXX");
	ck_assert_int_ge(fd = mkstemp(path), 0);
	close(fd);
	ck_assert_int_eq(rp_log_open(path, RP_LOG_INFO, err, sizeof(err)), 0);
}

static void
teardown(void)
{
	rp_log_close();
	unlink(path);
}

static char *
contents(void)
{
	return rp_test_slurp(path, NULL);
}

static unsigned
count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

START_TEST(levels_filter)
{
	char *s;

	rp_log(RP_LOG_DEBUG, "hidden %d", 1);
	rp_log(RP_LOG_INFO, "shown %d", 2);
	rp_log(RP_LOG_ERROR, "shown %d", 3);
	ck_assert(rp_log_enabled(RP_LOG_WARN));
	ck_assert(!rp_log_enabled(RP_LOG_DEBUG));
	s = contents();
	ck_assert_ptr_null(strstr(s, "hidden"));
	ck_assert_ptr_nonnull(strstr(s, " info shown 2\n"));
	ck_assert_ptr_nonnull(strstr(s, " error shown 3\n"));
	ck_assert_uint_eq(count_lines(s), 2);
	/* "2026-11-27T07:45:12.345Z info ..." */
	ck_assert_int_eq(s[4], '-');
	ck_assert_int_eq(s[10], 'T');
	ck_assert_int_eq(s[23], 'Z');
	free(s);
}
END_TEST

START_TEST(control_bytes_cannot_forge_a_line)
{
	char *s;

	rp_log(RP_LOG_WARN, "value %s end", "a\nX info request forged\r\x1b[2J");
	s = contents();
	ck_assert_uint_eq(count_lines(s), 1);
	ck_assert_ptr_nonnull(strstr(s, "value a?X info request forged??[2J end\n"));
	free(s);
}
END_TEST

START_TEST(request_line_fields)
{
	struct rp_log_request r = {
		.method = "GET", .route = "fragment", .view = "card",
		.status = "ok", .http_status = 200, .upstream = "ok",
		.upstream_status = 200, .upstream_code = 0,
		.upstream_us = 12345, .total_us = 13050,
		.fingerprint = "0123456789ab",
	};
	char *s;

	rp_log_request(&r);
	s = contents();
	ck_assert_ptr_nonnull(strstr(s, " info request method=GET "
	    "route=fragment view=card status=ok http=200 upstream=ok "
	    "upstream_http=200 upstream_code=- upstream_ms=12.3 "
	    "total_ms=13.0 token=0123456789ab\n"));
	free(s);
}
END_TEST

START_TEST(request_fields_from_outside_are_sanitised)
{
	struct rp_log_request r = {
		.method = "GE T", .route = "a=b\"c\nd", .status = NULL,
		.http_status = 404, .upstream_us = -1, .total_us = 5,
		.upstream_code = 102,
	};
	char long_route[300];
	char *s;

	rp_log_request(&r);
	memset(long_route, 'x', sizeof(long_route) - 1);
	long_route[sizeof(long_route) - 1] = '\0';
	r.route = long_route;
	r.method = "GET";
	rp_log_request(&r);
	s = contents();
	ck_assert_uint_eq(count_lines(s), 2);
	ck_assert_ptr_nonnull(strstr(s, "method=GE?T route=a?b?c?d view=- "
	    "status=- http=404 upstream=- upstream_http=- upstream_code=102 "
	    "upstream_ms=- total_ms=0.0 token=-\n"));
	/* At most 64 bytes of any one field. */
	ck_assert_ptr_null(strstr(s, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
	free(s);
}
END_TEST

START_TEST(long_lines_are_cut)
{
	char big[5000];
	char *s;

	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rp_log(RP_LOG_ERROR, "%s", big);
	s = contents();
	ck_assert_uint_eq(count_lines(s), 1);
	ck_assert_uint_le(strlen(s), 2049);
	ck_assert_ptr_nonnull(strstr(s, "yyy...\n"));
	free(s);
}
END_TEST

#define THREADS 8
#define LINES 500

static void *
writer(void *arg)
{
	long id = (long)arg;

	for (int i = 0; i < LINES; i++)
		rp_log(RP_LOG_INFO, "thread=%ld line=%d %s", id, i,
		    "padding-padding-padding-padding-padding-padding");
	return NULL;
}

START_TEST(threads_never_interleave)
{
	pthread_t t[THREADS];
	char *s, *line, *save = NULL;
	unsigned n = 0;

	for (long i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, writer, (void *)i), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	s = contents();
	for (line = strtok_r(s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		ck_assert_ptr_nonnull(strstr(line, " info thread="));
		ck_assert_int_eq(strcmp(line + strlen(line) - 8, "-padding"), 0);
		n++;
	}
	ck_assert_uint_eq(n, THREADS * LINES);
	free(s);
}
END_TEST

START_TEST(reopen_switches_file_and_bad_path_keeps_old)
{
	char err[256], path2[64], *s;
	int fd;

	snprintf(path2, sizeof(path2), "/tmp/rp-test-log2-XXXXXX");
	ck_assert_int_ge(fd = mkstemp(path2), 0);
	close(fd);
	rp_log(RP_LOG_INFO, "before");
	ck_assert_int_ne(rp_log_open("/nonexistent-dir/x.log", RP_LOG_INFO,
	    err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x.log"));
	ck_assert_ptr_nonnull(strstr(err, "log_file"));
	rp_log(RP_LOG_INFO, "still first");
	ck_assert_int_eq(rp_log_open(path2, RP_LOG_DEBUG, err, sizeof(err)), 0);
	rp_log(RP_LOG_DEBUG, "second");
	s = contents();
	ck_assert_ptr_nonnull(strstr(s, "before"));
	ck_assert_ptr_nonnull(strstr(s, "still first"));
	ck_assert_ptr_null(strstr(s, "second"));
	free(s);
	s = rp_test_slurp(path2, NULL);
	ck_assert_ptr_nonnull(strstr(s, " debug second\n"));
	free(s);
	unlink(path2);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, levels_filter);
	tcase_add_test(tc, control_bytes_cannot_forge_a_line);
	tcase_add_test(tc, request_line_fields);
	tcase_add_test(tc, request_fields_from_outside_are_sanitised);
	tcase_add_test(tc, long_lines_are_cut);
	tcase_add_test(tc, threads_never_interleave);
	tcase_add_test(tc, reopen_switches_file_and_bad_path_keeps_old);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return rp_test_run(suite());
}
