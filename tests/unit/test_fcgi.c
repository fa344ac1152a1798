/* test_fcgi.c: the request plumbing of richprofile-fcgi: routes and answers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "breaker.h"
#include "intake.h"
#include "request.h"
#include "response.h"
#include "routes.h"
#include "metrics.h"
#include "pace.h"
#include "testutil.h"

/* The route name the program derives from a set of parameters. */
static const char *
route(const char *const *env)
{
	static char out[65];

	rp_request_route_name((char **)env, "/richprofile/", out, sizeof(out));
	return out;
}

START_TEST(route_from_nginx_and_apache_parameters)
{
	/* nginx, SSI subrequest: REQUEST_URI is the page. */
	const char *nginx[] = { "SCRIPT_NAME=/richprofile/fragment",
	    "DOCUMENT_URI=/richprofile/fragment", "REQUEST_URI=/account.shtml",
	    NULL };
	/* Apache mod_include: DOCUMENT_URI and REQUEST_URI are the page. */
	const char *apache[] = { "DOCUMENT_URI=/account.shtml",
	    "REQUEST_URI=/account.shtml", "SCRIPT_NAME=/richprofile/profile.json",
	    NULL };
	const char *split[] = { "SCRIPT_NAME=/richprofile", "PATH_INFO=/ping", NULL };
	const char *doc[] = { "DOCUMENT_URI=/richprofile/ping", NULL };
	const char *req[] = { "REQUEST_URI=/richprofile/profile.json?view=a/b", NULL };
	const char *prefix[] = { "SCRIPT_NAME=/richprofile/", NULL };
	const char *none[] = { NULL };

	ck_assert_str_eq(route(nginx), "fragment");
	ck_assert_str_eq(route(apache), "profile.json");
	ck_assert_str_eq(route(split), "ping");
	ck_assert_str_eq(route(doc), "ping");
	ck_assert_str_eq(route(req), "profile.json");
	ck_assert_str_eq(route(prefix), "");
	/* No path at all names no route: nothing to guess from. */
	ck_assert_str_eq(route(none), "?");
}
END_TEST

/*
 * A route is the whole path after the prefix: a loopback-only route
 * reached through another segment, or spelled otherwise, names none.
 */
START_TEST(only_the_path_after_the_prefix_names_a_route)
{
	static const struct { const char *script, *want; } cases[] = {
		{ "SCRIPT_NAME=/richprofile/status", "status" },
		{ "SCRIPT_NAME=/richprofile/x/status", "?" },
		{ "SCRIPT_NAME=/richprofile//status", "?" },
		{ "SCRIPT_NAME=/richprofile/status/", "?" },
		{ "SCRIPT_NAME=/richprofile/./status", "?" },
		{ "SCRIPT_NAME=/richprofile/x/../auth", "?" },
		{ "SCRIPT_NAME=/richprofile/status;a=b", "status;a=b" },
		{ "SCRIPT_NAME=/richprofile/STATUS", "STATUS" },
		{ "SCRIPT_NAME=/richprofile", "?" },
		{ "SCRIPT_NAME=/other/ready", "?" },
		{ "SCRIPT_NAME=/x/richprofile/ready", "?" },
		{ "DOCUMENT_URI=/x/ping", "?" },
		{ "REQUEST_URI=/x/auth?y=/richprofile/auth", "?" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *env[] = { cases[i].script, NULL };

		ck_assert_msg(strcmp(route(env), cases[i].want) == 0,
		    "%s: route \"%s\", want \"%s\"", cases[i].script,
		    route(env), cases[i].want);
	}
	ck_assert_ptr_null(rp_route_find("status;a=b"));
	ck_assert_ptr_null(rp_route_find("STATUS"));
}
END_TEST

START_TEST(overlong_segments_never_reach_the_default_route)
{
	char script[300] = "SCRIPT_NAME=/richprofile/";
	const char *env[] = { script, NULL };

	memset(script + strlen(script), 'a', 200);
	script[sizeof(script) - 1] = '\0';
	ck_assert_str_eq(route(env), "?");
	ck_assert_ptr_null(rp_route_find(route(env)));
}
END_TEST

/* Appends one FastCGI record of type t with content c[0..n) to b at *o. */
static void
record(unsigned char *b, size_t *o, int type, const void *c, size_t n,
    int pad)
{
	unsigned char h[8] = { 1, (unsigned char)type, 0, 1,
	    (unsigned char)(n >> 8), (unsigned char)n, (unsigned char)pad, 0 };

	memcpy(b + *o, h, 8);
	memcpy(b + *o + 8, c, n);
	memset(b + *o + 8 + n, 0, (size_t)pad);
	*o += 8 + n + (size_t)pad;
}

/* A responder request: begin, one parameter record of n bytes, end. */
static size_t
request(unsigned char *b, size_t n, int role)
{
	unsigned char begin[8] = { 0, (unsigned char)role, 0 };
	static unsigned char params[65535];
	size_t o = 0;

	memset(params, 'p', sizeof(params));
	record(b, &o, 1, begin, 8, 0);
	record(b, &o, 4, params, n, 3);
	record(b, &o, 4, "", 0, 0);
	record(b, &o, 5, "", 0, 0);     /* empty stdin */
	return o;
}

START_TEST(intake_scan_knows_a_whole_request)
{
	static unsigned char b[70000];
	size_t n = request(b, 500, 1), k;

	ck_assert_int_eq(rp_intake_scan(b, n, 65536), RP_INTAKE_COMPLETE);
	/* Every shorter prefix asks for more, never decides early. */
	for (k = 0; k < n - 8; k++)
		ck_assert_int_eq(rp_intake_scan(b, k, 65536), RP_INTAKE_MORE);
	/* The authorizer role is served; the filter role is not. */
	n = request(b, 10, 2);
	ck_assert_int_eq(rp_intake_scan(b, n, 65536), RP_INTAKE_COMPLETE);
	n = request(b, 10, 3);
	ck_assert_int_eq(rp_intake_scan(b, n, 65536), RP_INTAKE_MALFORMED);
	/* Not FastCGI at all: an HTTP request sent to the socket. */
	ck_assert_int_eq(rp_intake_scan((const unsigned char *)
	    "GET / HTTP/1.1\r\n\r\n", 18, 65536), RP_INTAKE_MALFORMED);
	/* Parameters before any begin record. */
	n = request(b, 10, 1);
	ck_assert_int_eq(rp_intake_scan(b + 16, n - 16, 65536),
	    RP_INTAKE_MALFORMED);
}
END_TEST

START_TEST(intake_scan_caps_the_parameters)
{
	static unsigned char b[70000];
	size_t n = request(b, 60000, 1);

	ck_assert_int_eq(rp_intake_scan(b, n, 65536), RP_INTAKE_COMPLETE);
	ck_assert_int_eq(rp_intake_scan(b, n, 4096), RP_INTAKE_TOO_LARGE);
	/* What a peek of cap bytes sees of a larger start: too large. */
	ck_assert_int_eq(rp_intake_scan(b, 4096, 4096), RP_INTAKE_TOO_LARGE);
}
END_TEST

/* Writes b[0..n) to fd in pieces of step bytes, every ms milliseconds. */
static void
trickle(int fd, const unsigned char *b, size_t n, size_t step, int ms)
{
	for (size_t o = 0; o < n; o += step) {
		size_t k = n - o < step ? n - o : step;

		ck_assert_int_eq(write(fd, b + o, k), (ssize_t)k);
		usleep((useconds_t)ms * 1000);
	}
}

/* Waits up to ms for the room to hand a connection over. */
static int
take_within(struct rp_room *room, int ms)
{
	struct pollfd pfd = { rp_room_ready_fd(room), POLLIN, 0 };
	long long end = rp_monotonic_ms() + ms;
	int fd;

	while ((fd = rp_room_take(room)) < 0 && rp_monotonic_ms() < end)
		poll(&pfd, 1, 50);
	return fd;
}

/*
 * Whether the peer of fd closed it within ms: EOF, or ECONNRESET when
 * it closed with bytes of ours unread.
 */
static int
closed_within(int fd, int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char c;
	ssize_t r;

	if (poll(&pfd, 1, ms) != 1)
		return 0;
	r = read(fd, &c, 1);
	return r == 0 || (r < 0 && errno == ECONNRESET);
}

/* The metric line of one drop reason, from a fresh formatting. */
static unsigned long long
dropped(const char *reason)
{
	struct rp_buf b;
	char key[128];
	const char *p;
	unsigned long long v = 0;

	rp_buf_init(&b, 0);
	ck_assert_int_eq(rp_metrics_format(&b, NULL), RP_OK);
	snprintf(key, sizeof(key), "richprofile_fcgi_connections_dropped_total"
	    "{reason=\"%s\"} ", reason);
	if ((p = strstr(rp_buf_str(&b), key)) != NULL)
		v = strtoull(p + strlen(key), NULL, 10);
	rp_buf_free(&b);
	return v;
}

START_TEST(room_drops_silent_and_half_sent_connections_at_the_deadline)
{
	static unsigned char req[70000];
	struct rp_room *room = NULL;
	int a[2], b[2];
	unsigned long long t0 = dropped("timeout");
	long long start;

	ck_assert_int_eq(rp_room_new(8, &room), RP_OK);
	request(req, 900, 1);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
	ck_assert_int_eq(write(b[1], req, 20), 20);      /* half sent */
	start = rp_monotonic_ms();
	rp_room_park(room, a[0], start + 300, 65536, 0);
	rp_room_park(room, b[0], start + 300, 65536, 0);
	ck_assert_int_eq(rp_room_waiting(room), 2);
	ck_assert_int_eq(rp_room_take(room), -1);
	ck_assert(closed_within(a[1], 2000));
	ck_assert(closed_within(b[1], 2000));
	ck_assert_int_ge(rp_monotonic_ms() - start, 290);
	ck_assert_int_lt(rp_monotonic_ms() - start, 1500);
	ck_assert_int_eq(rp_room_waiting(room), 0);
	ck_assert_int_eq(dropped("timeout") - t0, 2);
	close(a[1]);
	close(b[1]);
	rp_room_free(room);
}
END_TEST

START_TEST(room_hands_over_a_trickled_request_untouched)
{
	static unsigned char req[70000], got[70000];
	struct rp_room *room = NULL;
	size_t n = request(req, 900, 1);
	int sv[2], fd;
	pid_t pid;

	ck_assert_int_eq(rp_room_new(8, &room), RP_OK);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	if ((pid = fork()) == 0) {
		close(sv[0]);
		trickle(sv[1], req, n, 100, 20);
		pause();
		_exit(0);
	}
	rp_room_park(room, sv[0], rp_monotonic_ms() + 5000, 65536, 0);
	fd = take_within(room, 5000);
	ck_assert_int_eq(fd, sv[0]);
	ck_assert_int_eq(recv(fd, got, sizeof(got), MSG_DONTWAIT), (ssize_t)n);
	ck_assert_int_eq(memcmp(got, req, n), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(sv[0]);
	close(sv[1]);
	rp_room_free(room);
}
END_TEST

START_TEST(room_refuses_endless_parameters_and_gives_up_on_the_quitters)
{
	static unsigned char chunk[65536], pairs[1000];
	unsigned char begin[8] = { 0, 1, 0 };
	struct rp_room *room = NULL;
	int sv[2], q[2], k[2];
	size_t o = 0;
	unsigned long long big = dropped("too_large"), bad = dropped("malformed"),
	    late = dropped("timeout");

	ck_assert_int_eq(rp_room_new(8, &room), RP_OK);
	/* Parameter records without end, past a 16 KiB cap. */
	record(chunk, &o, 1, begin, 8, 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(write(sv[1], chunk, o), (ssize_t)o);
	rp_room_park(room, sv[0], rp_monotonic_ms() + 5000, 16384, 0);
	o = 0;
	memset(pairs, 'p', sizeof(pairs));
	while (o + 1008 < sizeof(chunk))
		record(chunk, &o, 4, pairs, sizeof(pairs), 0);
	ck_assert_int_eq(write(sv[1], chunk, o), (ssize_t)o);
	ck_assert(closed_within(sv[1], 2000));
	ck_assert_int_eq(dropped("too_large") - big, 1);
	/* Half sent, then the client gives up: closed at once. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, q), 0);
	rp_room_park(room, q[0], rp_monotonic_ms() + 5000, 65536, 0);
	ck_assert_int_eq(write(q[1], chunk, 30), 30);
	shutdown(q[1], SHUT_WR);
	ck_assert(closed_within(q[1], 1000));
	ck_assert_int_eq(dropped("malformed") - bad, 1);
	/* A kept-open connection idle to its deadline: closed, not counted. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, k), 0);
	rp_room_park(room, k[0], rp_monotonic_ms() + 200, 65536, 1);
	ck_assert(closed_within(k[1], 2000));
	ck_assert_int_eq(dropped("timeout") - late, 0);
	ck_assert_int_eq(rp_room_waiting(room), 0);
	close(sv[1]);
	close(q[1]);
	close(k[1]);
	rp_room_free(room);
}
END_TEST

START_TEST(room_overflow_closes_the_newcomer)
{
	struct rp_room *room = NULL;
	int sv[3][2], i;
	unsigned long long over = dropped("overflow");

	ck_assert_int_eq(rp_room_new(2, &room), RP_OK);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
		rp_room_park(room, sv[i][0], rp_monotonic_ms() + 5000, 65536, 0);
	}
	ck_assert_int_eq(rp_room_waiting(room), 2);
	ck_assert(closed_within(sv[2][1], 500));
	ck_assert_int_eq(dropped("overflow") - over, 1);
	rp_room_free(room);         /* closes the two still waiting */
	ck_assert(closed_within(sv[0][1], 500));
	ck_assert(closed_within(sv[1][1], 500));
	for (i = 0; i < 3; i++)
		close(sv[i][1]);
}
END_TEST

START_TEST(routes_table)
{
	ck_assert_ptr_nonnull(rp_route_find(""));
	ck_assert_ptr_eq(rp_route_find("")->handle, rp_route_fragment);
	ck_assert_ptr_eq(rp_route_find("fragment")->handle, rp_route_fragment);
	ck_assert_ptr_eq(rp_route_find("profile.json")->handle, rp_route_json);
	ck_assert_ptr_eq(rp_route_find("ping")->handle, rp_route_ping);
	ck_assert_ptr_null(rp_route_find("Fragment"));
	ck_assert_ptr_null(rp_route_find("fragment.html"));
	ck_assert_ptr_null(rp_route_find("?"));
}
END_TEST

START_TEST(headers_cannot_be_split_or_set_cookies)
{
	struct rp_resp r;

	rp_resp_init(&r);
	ck_assert_int_eq(rp_resp_header(&r, "X-Ok", "a value\twith tab"), 0);
	ck_assert_int_ne(rp_resp_header(&r, "X-Bad", "a\r\nSet-Cookie: x=1"), 0);
	ck_assert_int_ne(rp_resp_header(&r, "X-Bad", "a\nb"), 0);
	ck_assert_int_ne(rp_resp_header(&r, "X Bad", "a"), 0);
	ck_assert_int_ne(rp_resp_header(&r, "X-Bad:", "a"), 0);
	ck_assert_int_ne(rp_resp_header(&r, "", "a"), 0);
	ck_assert_int_ne(rp_resp_header(&r, "set-cookie", "a=1"), 0);
	ck_assert_str_eq(rp_buf_str(&r.headers), "X-Ok: a value\twith tab\r\n");
	rp_resp_free(&r);
}
END_TEST

/* Collects what rp_resp_send writes. */
static int
collect(void *ctx, const char *buf, size_t len)
{
	return rp_buf_append(ctx, buf, len);
}

START_TEST(answer_bytes_get_and_head)
{
	struct rp_resp r;
	struct rp_buf out;
	struct rp_io io = { collect, &out, NULL };
	const char *want =
	    "Status: 403 Forbidden\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: 4\r\n"
	    "Cache-Control: private, no-store\r\n"
	    "Vary: Cookie\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-RichProfile-Status: consent\r\n"
	    "X-Extra: 1\r\n"
	    "\r\n";

	rp_buf_init(&out, 0);
	rp_resp_init(&r);
	r.http_status = 403;
	r.content_type = RP_CT_JSON;
	r.rp_status = "consent";
	rp_resp_header(&r, "X-Extra", "1");
	rp_buf_puts(&r.body, "{}\r\n");
	ck_assert_int_eq(rp_resp_send(&r, 0, &io), 0);
	ck_assert_uint_eq(out.len, strlen(want) + 4);
	ck_assert_int_eq(memcmp(out.data, want, strlen(want)), 0);
	ck_assert_str_eq(out.data + strlen(want), "{}\r\n");

	rp_buf_reset(&out);
	ck_assert_int_eq(rp_resp_send(&r, 1, &io), 0);
	ck_assert_str_eq(rp_buf_str(&out), want);   /* HEAD: same headers, no body */
	rp_resp_free(&r);
	rp_buf_free(&out);
}
END_TEST

START_TEST(defaults_and_reasons)
{
	struct rp_resp r;

	rp_resp_init(&r);
	ck_assert_int_eq(r.http_status, 200);
	ck_assert_str_eq(r.content_type, "text/html; charset=utf-8");
	ck_assert_ptr_null(r.rp_status);
	rp_resp_free(&r);
	ck_assert_str_eq(rp_http_reason(404), "Not Found");
	ck_assert_str_eq(rp_http_reason(405), "Method Not Allowed");
	ck_assert_str_eq(rp_http_reason(503), "Service Unavailable");
	ck_assert_str_eq(rp_http_reason(299), "Unknown");
}
END_TEST

/* A web server that hung up: the answer stops, nothing else happens. */
static int
broken(void *ctx, const char *buf, size_t len)
{
	(void)ctx; (void)buf; (void)len;
	return -1;
}

START_TEST(a_gone_client_is_reported)
{
	struct rp_resp r;
	struct rp_io io = { broken, NULL, NULL };

	rp_resp_init(&r);
	rp_buf_puts(&r.body, "x");
	ck_assert_int_eq(rp_resp_send(&r, 0, &io), -1);
	rp_resp_free(&r);
}
END_TEST

/* n requests of total_us each, of which calls asked the API, waiting wait_us. */
static void
load(struct rp_pace *p, int n, long total_us, int calls, long wait_us)
{
	for (int i = 0; i < n; i++)
		rp_pace_account(p, total_us + (i < calls ? wait_us : 0),
		    i < calls ? wait_us : 0);
}

static int
no_stop(void *ctx)
{
	(void)ctx;
	return 0;
}

START_TEST(pace_follows_where_the_time_goes)
{
	struct rp_pace p;
	long l;
	int i;

	rp_pace_init(&p, 128, 2);
	/* Idle or light: every worker. */
	ck_assert_int_eq(rp_pace_tick(&p), 128);
	load(&p, 10, 50, 10, 100);
	ck_assert_int_eq(rp_pace_tick(&p), 128);
	/* Heavy, an instant API (100 us, requests 50 us of their own):
	 * 2 * (1 + 100/50) = 6, reached by quarters. */
	for (i = 0, l = 128; i < 20; i++) {
		long prev = l;

		load(&p, 500, 50, 500, 100);
		l = rp_pace_tick(&p);
		ck_assert_int_le(l, prev);
		ck_assert_int_ge(l, prev - prev / 4);
	}
	ck_assert_int_eq(l, 6);
	ck_assert(!rp_pace_allowed(&p, 6));
	ck_assert(rp_pace_allowed(&p, 5));
	/* The mean wait is inflated by CPU queueing; the quickest is not. */
	load(&p, 499, 50, 499, 5000);
	load(&p, 1, 50, 1, 100);
	ck_assert_int_eq(rp_pace_tick(&p), 6);
	/* Mostly cache hits: the floor, 2 * CPUs (4). */
	for (i = 0; i < 5; i++) {
		load(&p, 500, 50, 10, 100);
		l = rp_pace_tick(&p);
	}
	ck_assert_int_eq(l, 4);
	/* Ten workers stuck on calls that hang: ten more than the floor. */
	for (i = 0; i < 10; i++)
		rp_pace_api_wait(+1);
	load(&p, 500, 50, 10, 100);
	ck_assert_int_eq(rp_pace_tick(&p), 14);
	for (i = 0; i < 10; i++)
		rp_pace_api_wait(-1);
	/* The API slows to 50 ms: all of them at the next tick. */
	load(&p, 40, 50, 40, 50000);
	ck_assert_int_eq(rp_pace_tick(&p), 128);
	/* An API that stopped answering: nothing finishes, all of them. */
	for (i = 0; i < 10; i++) {
		load(&p, 500, 50, 500, 100);
		l = rp_pace_tick(&p);
	}
	ck_assert_int_lt(l, 128);
	ck_assert_int_eq(rp_pace_tick(&p), 128);
	rp_pace_destroy(&p);
}
END_TEST

/* A parked worker comes back when the limit grows. */
static struct rp_pace *park_pace;
static atomic_int unparked;

static void *
parked(void *arg)
{
	rp_pace_park(park_pace, (long)(intptr_t)arg, no_stop, NULL);
	atomic_store(&unparked, 1);
	return NULL;
}

START_TEST(pace_parks_and_wakes)
{
	struct rp_pace p;
	pthread_t t;
	int i;

	rp_pace_init(&p, 16, 1);
	park_pace = &p;
	for (i = 0; i < 30; i++) {
		load(&p, 500, 50, 500, 50);
		rp_pace_tick(&p);
	}
	ck_assert_int_eq(atomic_load(&p.limit), 4);
	ck_assert_int_eq(pthread_create(&t, NULL, parked, (void *)(intptr_t)10), 0);
	usleep(50000);
	ck_assert_int_eq(atomic_load(&unparked), 0);
	load(&p, 40, 50, 40, 50000);
	ck_assert_int_eq(rp_pace_tick(&p), 16);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(atomic_load(&unparked), 1);
	rp_pace_destroy(&p);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("fcgi");
	TCase *tc = tcase_create("fcgi");

	tcase_add_test(tc, route_from_nginx_and_apache_parameters);
	tcase_add_test(tc, overlong_segments_never_reach_the_default_route);
	tcase_add_test(tc, only_the_path_after_the_prefix_names_a_route);
	tcase_add_test(tc, intake_scan_knows_a_whole_request);
	tcase_add_test(tc, intake_scan_caps_the_parameters);
	tcase_add_test(tc, room_drops_silent_and_half_sent_connections_at_the_deadline);
	tcase_add_test(tc, room_hands_over_a_trickled_request_untouched);
	tcase_add_test(tc, room_refuses_endless_parameters_and_gives_up_on_the_quitters);
	tcase_add_test(tc, room_overflow_closes_the_newcomer);
	tcase_add_test(tc, routes_table);
	tcase_add_test(tc, headers_cannot_be_split_or_set_cookies);
	tcase_add_test(tc, answer_bytes_get_and_head);
	tcase_add_test(tc, defaults_and_reasons);
	tcase_add_test(tc, a_gone_client_is_reported);
	tcase_add_test(tc, pace_follows_where_the_time_goes);
	tcase_add_test(tc, pace_parks_and_wakes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return rp_test_run(suite());
}
