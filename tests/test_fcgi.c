/* test_fcgi.c: the request plumbing of richprofile-fcgi: routes and answers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fcgi_request.h"
#include "fcgi_response.h"
#include "fcgi_routes.h"
#include "testutil.h"

/* The route name the program derives from a set of parameters. */
static const char *
route(const char *const *env)
{
	static char out[65];

	rp_request_route_name((char **)env, out, sizeof(out));
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
	const char *doc[] = { "DOCUMENT_URI=/x/ping", NULL };
	const char *req[] = { "REQUEST_URI=/x/profile.json?view=a/b", NULL };
	const char *prefix[] = { "SCRIPT_NAME=/richprofile/", NULL };
	const char *none[] = { NULL };

	ck_assert_str_eq(route(nginx), "fragment");
	ck_assert_str_eq(route(apache), "profile.json");
	ck_assert_str_eq(route(split), "ping");
	ck_assert_str_eq(route(doc), "ping");
	ck_assert_str_eq(route(req), "profile.json");
	ck_assert_str_eq(route(prefix), "");
	ck_assert_str_eq(route(none), "");
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

static Suite *
suite(void)
{
	Suite *s = suite_create("fcgi");
	TCase *tc = tcase_create("fcgi");

	tcase_add_test(tc, route_from_nginx_and_apache_parameters);
	tcase_add_test(tc, overlong_segments_never_reach_the_default_route);
	tcase_add_test(tc, routes_table);
	tcase_add_test(tc, headers_cannot_be_split_or_set_cookies);
	tcase_add_test(tc, answer_bytes_get_and_head);
	tcase_add_test(tc, defaults_and_reasons);
	tcase_add_test(tc, a_gone_client_is_reported);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return rp_test_run(suite());
}
