/* test_client.c: the real libcurl client against the loopback test server. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rp.h"
#include "cfg.h"
#include "client.h"
#include "testserver.h"
#include "testutil.h"

#define BASE "/PersonalRichProfile/V1"
#define GRANTED \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<getPersonalRichProfileReturn><Data><UserAuthorizedData>" \
	"<Firstname>Am\xc3\xa9lie</Firstname><Lastname>Poulain</Lastname>" \
	"</UserAuthorizedData></Data></getPersonalRichProfileReturn>\n"
#define NAMES (RP_ATTR_BIT(RP_A_FIRSTNAME) | RP_ATTR_BIT(RP_A_LASTNAME))
#define SECRET "SeCrEt-T0ken-4711"

static struct ts_fixture fx;
static struct ts_server *srv;

static void
setup(void)
{
	ts_fixture_setup(&fx);
	srv = NULL;
}

static void
teardown(void)
{
	ts_fixture_teardown(&fx);
	ts_stop(srv);
}

/* A configuration for endpoint through the real loader; extra is more INI. */
static void
configure(const char *endpoint, const char *extra)
{
	ts_fixture_configure(&fx, endpoint, extra);
}

static void
answer(int status, const char *body)
{
	struct ts_scenario sc = { 0 };

	sc.status = status;
	sc.body = body;
	ts_set(srv, &sc);
}

/* Fetches NAMES for token; returns the profile, info in *fi. */
static struct rp_profile *
fetch(const char *token, size_t len, struct rp_fetch_info *fi)
{
	struct rp_profile *p = NULL;

	ck_assert_int_eq(rp_client_fetch(fx.cli, token, len, NAMES, &p, fi), RP_OK);
	ck_assert_ptr_nonnull(p);
	return p;
}

struct tee {
	char buf[1 << 16];
	size_t len, calls;
};

static void
tee_cb(void *arg, const char *buf, size_t len)
{
	struct tee *t = arg;

	t->calls++;
	if (len > sizeof(t->buf) - t->len)
		len = sizeof(t->buf) - t->len;
	memcpy(t->buf + t->len, buf, len);
	t->len += len;
}

/* Trace context headers go with the call that has them, and only it. */
START_TEST(trace_headers_only_for_their_call)
{
	struct rp_trace tr;
	struct rp_fetch_opts opts = { .trace = &tr };
	struct rp_profile *p = NULL;
	char *req;

	srv = ts_start(NULL);
	configure(ts_url(srv, BASE), NULL);
	answer(200, GRANTED);
	rp_trace_take(RP_TRACE_PROPAGATE,
	    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
	    "rojo=00f067aa0ba902b7", &tr);
	ck_assert_int_eq(rp_client_fetch_opts(fx.cli, "abc", 3, NAMES, &opts,
	    &p, NULL), RP_OK);
	rp_profile_free(p);
	ck_assert_int_eq(rp_client_fetch(fx.cli, "abc", 3, NAMES, &p, NULL),
	    RP_OK);
	rp_profile_free(p);
	ck_assert_ptr_nonnull(req = ts_request(srv, 0, NULL));
	ck_assert_msg(strstr(req, "\r\ntraceparent: 00-4bf92f3577b34da6a3ce929d"
	    "0e0e4736-00f067aa0ba902b7-01\r\n") != NULL, "%s", req);
	ck_assert_msg(strstr(req, "\r\ntracestate: rojo=00f067aa0ba902b7\r\n")
	    != NULL, "%s", req);
	ck_assert_msg(strstr(req, "\r\nAccept: application/xml") != NULL, "%s", req);
	free(req);
	ck_assert_ptr_nonnull(req = ts_request(srv, 1, NULL));
	ck_assert_msg(strstr(req, "trace") == NULL, "%s", req);
	ck_assert_msg(strstr(req, "\r\nAccept: application/xml") != NULL, "%s", req);
	free(req);
}
END_TEST

START_TEST(granted_answer_is_parsed_and_request_is_exact)
{
	struct rp_fetch_opts opts = { .tee = tee_cb };
	struct rp_fetch_info fi;
	struct rp_profile *p = NULL;
	struct tee *t = calloc(1, sizeof(*t));
	char *req, want[256];

	srv = ts_start(NULL);
	configure(ts_url(srv, BASE), NULL);
	answer(200, GRANTED);
	opts.tee_arg = t;
	ck_assert_int_eq(rp_client_fetch_opts(fx.cli, "abc", 3, NAMES, &opts, &p,
	    &fi), RP_OK);
	ck_assert_int_eq(fi.err, RP_OK);
	ck_assert_int_eq(fi.http_status, 200);
	ck_assert_int_eq(fi.new_connection, 1);
	ck_assert_int_gt(fi.elapsed_us, 0);
	ck_assert_str_eq(fi.detail, "");
	ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
	ck_assert_int_eq(p->err, RP_OK);
	ck_assert_int_eq(p->http_status, 200);
	ck_assert_str_eq(rp_profile_value(p, RP_A_FIRSTNAME)->text, "Am\xc3\xa9lie");
	ck_assert_str_eq(rp_profile_value(p, RP_A_LASTNAME)->text, "Poulain");
	/* The tee saw the body byte for byte. */
	ck_assert_uint_eq(t->len, strlen(GRANTED));
	ck_assert_int_eq(memcmp(t->buf, GRANTED, t->len), 0);
	rp_profile_free(p);

	ck_assert_ptr_nonnull(req = ts_request(srv, 0, NULL));
	snprintf(want, sizeof(want), "GET " BASE "?action=getPersonalRichProfile"
	    "&infos=Firstname,Lastname&token=abc HTTP/1.1\r\n");
	ck_assert_msg(strncmp(req, want, strlen(want)) == 0, "%s", req);
	ck_assert_ptr_nonnull(strstr(req, "\r\nUser-Agent: richprofile/"
	    PACKAGE_VERSION "\r\n"));
	free(req);
	free(t);
}
END_TEST

/* Tokens that would change the request if they were not encoded. */
static const struct {
	const char *tok;
	size_t len;
} hostile[] = {
	{ "a&action=delete&token=b", 23 },
	{ "x=y#fragment", 12 },
	{ "100%25%zz%", 10 },
	{ "space and+plus", 14 },
	{ "cr\r\nX-Injected: 1\r\n\r\nGET / HTTP/1.1", 36 },
	{ "caf\xc3\xa9-\xff\xfe-\x01\x7f", 12 },
	{ "nul\0inside", 10 },
	{ "/../?;,:@!$'()*[]{}|\\^`\"<>", 26 },
};

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ?
	    c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0..n) into out; returns the length, -1 if bad. */
static long
pct_decode(const char *s, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 >= n)
			return -1;
		if (hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
			return -1;
		out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
		i += 2;
	}
	return (long)o;
}

START_TEST(hostile_tokens_arrive_byte_for_byte)
{
	struct rp_fetch_info fi;
	struct rp_profile *p;
	char *req, *q, *sp, *amp, decoded[256];
	const char *params[8];
	size_t lens[8], np = 0;
	long n;

	srv = ts_start(NULL);
	configure(ts_url(srv, BASE), NULL);
	answer(200, GRANTED);
	p = fetch(hostile[_i].tok, hostile[_i].len, &fi);
	ck_assert_int_eq(fi.err, RP_OK);
	rp_profile_free(p);

	/* One request, one request line: "GET target HTTP/1.1". */
	ck_assert_uint_eq(ts_requests(srv), 1);
	ck_assert_ptr_nonnull(req = ts_request(srv, 0, NULL));
	ck_assert_msg(strncmp(req, "GET " BASE "?", 4 + strlen(BASE) + 1) == 0,
	    "%s", req);
	q = req + 4 + strlen(BASE) + 1;
	ck_assert_ptr_nonnull(sp = strchr(q, ' '));
	ck_assert_msg(strncmp(sp, " HTTP/1.1\r\n", 11) == 0, "%s", req);
	ck_assert_ptr_null(strstr(req, "\r\nX-Injected"));
	/* Exactly three parameters, in order; the token decodes to itself. */
	while (q < sp && np < 8) {
		amp = memchr(q, '&', (size_t)(sp - q));
		params[np] = q;
		lens[np++] = (size_t)((amp != NULL ? amp : sp) - q);
		q = amp != NULL ? amp + 1 : sp;
	}
	ck_assert_uint_eq(np, 3);
	ck_assert_int_eq(strncmp(params[0], "action=getPersonalRichProfile",
	    lens[0]), 0);
	ck_assert_int_eq(strncmp(params[1], "infos=Firstname,Lastname", lens[1]), 0);
	ck_assert_int_eq(strncmp(params[2], "token=", 6), 0);
	n = pct_decode(params[2] + 6, lens[2] - 6, decoded);
	ck_assert_int_eq(n, (long)hostile[_i].len);
	ck_assert_int_eq(memcmp(decoded, hostile[_i].tok, hostile[_i].len), 0);
	free(req);
}
END_TEST

START_TEST(stalled_server_is_abandoned_within_timeout)
{
	struct ts_scenario sc = { 0 };
	struct rp_fetch_info fi;
	struct rp_profile *p;
	long t0, ms;

	srv = ts_start(NULL);
	configure(ts_url(srv, BASE), "connect_timeout_ms = 200\ntimeout_ms = 500\n"
	    "low_speed_limit = 0\n");
	/* Once on a fresh connection, once on a reused one. */
	answer(200, GRANTED);
	rp_profile_free(fetch("abc", 3, &fi));
	ck_assert_int_eq(fi.err, RP_OK);
	sc.action = TS_STALL;
	ts_set(srv, &sc);
	t0 = rp_test_now_ms();
	p = fetch(SECRET, strlen(SECRET), &fi);
	ms = rp_test_now_ms() - t0;
	ck_assert_msg(ms >= 500 && (ms < 500 + 200 || rp_test_slow_run()), "took %ld ms", ms);
	ck_assert_int_eq(fi.err, RP_ETIMEOUT);
	ck_assert_int_eq(fi.new_connection, 0);
	ck_assert_int_eq(p->outcome, RP_OUT_UPSTREAM);
	ck_assert_int_eq(p->err, RP_ETIMEOUT);
	ck_assert_ptr_null(strstr(fi.detail, SECRET));
	rp_profile_free(p);

	/* A fresh handle on a fresh connection: the same. */
	configure(ts_url(srv, BASE), "connect_timeout_ms = 200\ntimeout_ms = 500\n");
	t0 = rp_test_now_ms();
	p = fetch(SECRET, strlen(SECRET), &fi);
	ms = rp_test_now_ms() - t0;
	ck_assert_msg(ms >= 500 && (ms < 500 + 200 || rp_test_slow_run()), "took %ld ms", ms);
	ck_assert_int_eq(fi.err, RP_ETIMEOUT);
	rp_profile_free(p);
}
END_TEST

START_TEST(oversized_body_is_refused_without_reading_it_all)
{
	struct ts_scenario sc = { 0 };
	struct rp_fetch_opts opts = { .tee = tee_cb };
	struct rp_fetch_info fi;
	struct rp_profile *p = NULL;
	struct tee *t = calloc(1, sizeof(*t));
	const size_t flood = 64u << 20;

	srv = ts_start(NULL);
	configure(ts_url(srv, BASE), "max_response_bytes = 65536\n"
	    "timeout_ms = 10000\n");
	opts.tee_arg = t;

	/* No length announced: cut when the cap is passed. */
	sc.action = TS_FLOOD;
	sc.flood_bytes = flood;
	ts_set(srv, &sc);
	ck_assert_int_eq(rp_client_fetch_opts(fx.cli, "abc", 3, NAMES, &opts, &p,
	    &fi), RP_OK);
	ck_assert_int_eq(fi.err, RP_ETOOBIG);
	ck_assert_int_eq(p->err, RP_ETOOBIG);
	ck_assert_int_eq(p->outcome, RP_OUT_UPSTREAM);
	ck_assert_uint_le(t->len, 65536);
	rp_profile_free(p);
	/* The server could write only what the socket buffers held. */
	usleep(200000);
	ck_assert_msg(ts_body_sent(srv) < flood / 4, "server sent %zu",
	    ts_body_sent(srv));

	/* A length announced over the cap: refused before the body. */
	t->len = t->calls = 0;
	sc.flood_length = 1;
	ts_set(srv, &sc);
	ck_assert_int_eq(rp_client_fetch_opts(fx.cli, "abc", 3, NAMES, &opts, &p,
	    &fi), RP_OK);
	ck_assert_int_eq(fi.err, RP_ETOOBIG);
	ck_assert_uint_eq(t->calls, 0);
	rp_profile_free(p);
	usleep(200000);
	ck_assert_msg(ts_body_sent(srv) < flood / 4, "server sent %zu",
	    ts_body_sent(srv));
	free(t);
}
END_TEST

START_TEST(redirect_is_refused_not_followed)
{
	struct ts_scenario sc = { 0 };
	struct rp_fetch_info fi;
	struct rp_profile *p;
	char loc[256];

	srv = ts_start(NULL);
	configure(ts_url(srv, BASE), NULL);
	snprintf(loc, sizeof(loc), "%s", ts_url(srv, "/elsewhere"));
	sc.status = 302;
	sc.location = loc;
	sc.body = GRANTED;   /* even a usable body does not make it an answer */
	ts_set(srv, &sc);
	p = fetch("abc", 3, &fi);
	ck_assert_int_eq(fi.err, RP_EREDIRECT);
	ck_assert_int_eq(fi.http_status, 302);
	ck_assert_int_eq(p->outcome, RP_OUT_UPSTREAM);
	rp_profile_free(p);
	/* An empty 301 too. */
	sc.status = 301;
	sc.body = "";
	ts_set(srv, &sc);
	p = fetch("abc", 3, &fi);
	ck_assert_int_eq(fi.err, RP_EREDIRECT);
	rp_profile_free(p);
	/* Nothing went to the Location. */
	usleep(100000);
	ck_assert_uint_eq(ts_requests(srv), 2);
}
END_TEST

START_TEST(fifty_calls_use_one_connection)
{
	struct rp_fetch_info fi;
	int i;

	srv = ts_start(NULL);
	configure(ts_url(srv, BASE), NULL);
	answer(200, GRANTED);
	for (i = 0; i < 50; i++) {
		struct rp_profile *p = fetch("abc", 3, &fi);

		ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
		ck_assert_int_eq(fi.new_connection, i == 0);
		rp_profile_free(p);
	}
	ck_assert_uint_eq(ts_requests(srv), 50);
	ck_assert_uint_eq(ts_connections(srv), 1);
}
END_TEST

/*
 * libcurl keeps a URL in its handle between calls.  Each call must send
 * its own token, and no earlier user's token may stay there (libcurl up
 * to 8.11 keeps the first URL given as CURLU for the handle's life; from
 * 8.12 it keeps each call's URL until the next call, as with a string).
 */
START_TEST(no_earlier_token_stays_in_the_handle)
{
	static const char *const toks[] = { "first-user-AAAA", "second-user-BBBB",
	    "third-user-CCCC" };
	struct rp_fetch_info fi;
	const char *kept;
	char *req;
	size_t i, j;

	srv = ts_start(NULL);
	configure(ts_url(srv, BASE), NULL);
	answer(200, GRANTED);
	for (i = 0; i < 3; i++) {
		struct rp_profile *p = fetch(toks[i], strlen(toks[i]), &fi);

		ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
		rp_profile_free(p);
		ck_assert_ptr_nonnull(req = ts_request(srv, i, NULL));
		ck_assert_msg(strstr(req, toks[i]) != NULL, "call %zu sent: %s", i, req);
		free(req);
		kept = rp_client_last_url(fx.cli);
		ck_assert_ptr_nonnull(kept);
		for (j = 0; j < i; j++)
			ck_assert_msg(strstr(kept, toks[j]) == NULL, "kept: %s", kept);
	}
}
END_TEST

/* A TLS server with cert/key from the test PKI; endpoint for host. */
static void
tls_server(const char *leaf)
{
	struct ts_options o;
	char cert[400], key[400];

	ts_make_certs(fx.dir);
	snprintf(cert, sizeof(cert), "%s/%s.pem", fx.dir, leaf);
	snprintf(key, sizeof(key), "%s/%s.key", fx.dir, leaf);
	o.cert_file = cert;
	o.key_file = key;
	srv = ts_start(&o);
	answer(200, GRANTED);
}

static void
configure_ca(const char *host, const char *ca)
{
	char ep[256], extra[512];

	snprintf(ep, sizeof(ep), "https://%s:%u" BASE, host, ts_port(srv));
	/*
	 * Loading the system store is slow under sanitizers on a busy
	 * machine, and very slow under valgrind (20 s and more).
	 */
	snprintf(extra, sizeof(extra), "connect_timeout_ms = %d\n"
	    "timeout_ms = %d\n", rp_test_slow_run() ? 60000 : 8000,
	    rp_test_slow_run() ? 120000 : 10000);
	if (ca != NULL)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
		    "ca_file = %s/%s\n", fx.dir, ca);
	configure(ep, extra);
}

START_TEST(https_with_the_right_ca_works)
{
	struct rp_fetch_info fi;
	struct rp_profile *p;
	int i;

	tls_server("server");
	configure_ca("127.0.0.1", "ca.pem");
	for (i = 0; i < 3; i++) {
		p = fetch("abc", 3, &fi);
		ck_assert_msg(fi.err == RP_OK, "%s: %s", rp_errclass(fi.err),
		    fi.detail);
		ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
		rp_profile_free(p);
	}
	ck_assert_uint_eq(ts_connections(srv), 1);
	configure_ca("localhost", "ca.pem");
	p = fetch("abc", 3, &fi);
	ck_assert_msg(fi.err == RP_OK, "%s", fi.detail);
	rp_profile_free(p);
}
END_TEST

/* Each way TLS must fail closed: no request ever reaches the server. */
static const struct {
	const char *leaf, *host, *ca;
} tls_bad[] = {
	{ "server", "127.0.0.1", "other-ca.pem" },   /* unrelated CA */
	{ "server", "127.0.0.1", NULL },             /* the system store */
	{ "wronghost", "127.0.0.1", "ca.pem" },      /* right CA, wrong name */
};

START_TEST(https_fails_closed)
{
	struct rp_fetch_info fi;
	struct rp_profile *p;

	tls_server(tls_bad[_i].leaf);
	configure_ca(tls_bad[_i].host, tls_bad[_i].ca);
	p = fetch(SECRET, strlen(SECRET), &fi);
	ck_assert_msg(fi.err == RP_ETLS, "%s: %s", rp_errclass(fi.err), fi.detail);
	ck_assert_int_eq(p->outcome, RP_OUT_UPSTREAM);
	ck_assert_int_eq(p->err, RP_ETLS);
	ck_assert_str_ne(fi.detail, "");
	ck_assert_ptr_null(strstr(fi.detail, SECRET));
	rp_profile_free(p);
	usleep(50000);
	ck_assert_uint_eq(ts_requests(srv), 0);
}
END_TEST

START_TEST(proxy_is_used_and_environment_is_not)
{
	struct rp_fetch_info fi;
	struct rp_profile *p;
	char proxy[256], *req;

	srv = ts_start(NULL);
	answer(200, GRANTED);
	/* The environment's proxy is ignored: it would refuse. */
	snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%u", ts_refused_port());
	setenv("http_proxy", proxy, 1);
	setenv("HTTPS_PROXY", proxy, 1);
	configure(ts_url(srv, BASE), NULL);
	p = fetch("abc", 3, &fi);
	ck_assert_msg(fi.err == RP_OK, "%s", fi.detail);
	rp_profile_free(p);
	unsetenv("http_proxy");
	unsetenv("HTTPS_PROXY");

	/* [upstream] proxy is: the test server plays the proxy. */
	snprintf(proxy, sizeof(proxy), "proxy = http://127.0.0.1:%u\n",
	    ts_port(srv));
	configure("http://api.example.invalid" BASE, proxy);
	p = fetch("abc", 3, &fi);
	ck_assert_msg(fi.err == RP_OK, "%s", fi.detail);
	ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
	rp_profile_free(p);
	ck_assert_ptr_nonnull(req = ts_request(srv, 1, NULL));
	ck_assert_msg(strncmp(req, "GET http://api.example.invalid" BASE
	    "?action=", 30 + strlen(BASE)) == 0, "%s", req);
	free(req);
}
END_TEST

START_TEST(xml_error_with_error_status_is_parsed)
{
	struct rp_fetch_info fi;
	struct rp_profile *p;

	srv = ts_start(NULL);
	configure(ts_url(srv, BASE), NULL);
	answer(401, "<?xml version=\"1.0\"?><error><code>103</code>"
	    "<detail>token expired</detail></error>");
	p = fetch("abc", 3, &fi);
	ck_assert_int_eq(fi.err, RP_OK);
	ck_assert_int_eq(fi.http_status, 401);
	ck_assert_int_eq(p->outcome, RP_OUT_ACCOUNT);
	ck_assert_int_eq(p->code, 103);
	ck_assert_int_eq(p->http_status, 401);
	rp_profile_free(p);

	answer(500, "<error><code>-3</code><detail>PrivacyAccessDeniedException"
	    "</detail><url>http://privacy.orange.fr/urm-gui/interaction.do?"
	    "familly=x&amp;serviceId=y</url></error>");
	p = fetch("abc", 3, &fi);
	ck_assert_int_eq(fi.err, RP_OK);
	ck_assert_int_eq(p->outcome, RP_OUT_REFUSED);
	ck_assert_str_eq(p->privacy_url, "http://privacy.orange.fr/urm-gui/"
	    "interaction.do?familly=x&serviceId=y");
	rp_profile_free(p);
}
END_TEST

/* Every failure class, as the caller and the logs see it. */
enum setup_kind { S_SERVER, S_DNS, S_REFUSED, S_BLACKHOLE };

static const struct {
	const char *name;
	enum setup_kind kind;
	struct ts_scenario sc;
	const char *extra;
	enum rp_err want;
	enum rp_outcome outcome;
	long max_ms;
} classes[] = {
	{ "dns", S_DNS, { 0 }, "connect_timeout_ms = 3000\n", RP_EDNS, RP_OUT_UPSTREAM, 3500 },
	{ "refused", S_REFUSED, { 0 }, NULL, RP_ECONNREFUSED, RP_OUT_UPSTREAM, 1000 },
	{ "connect timeout", S_BLACKHOLE, { 0 }, "connect_timeout_ms = 300\n",
	  RP_ECONNTIMEOUT, RP_OUT_UPSTREAM, 300 + 200 },
	{ "timeout", S_SERVER, { .action = TS_STALL },
	  "connect_timeout_ms = 200\ntimeout_ms = 400\n",
	  RP_ETIMEOUT, RP_OUT_UPSTREAM, 400 + 200 },
	{ "too large", S_SERVER, { .action = TS_FLOOD, .flood_bytes = 1 << 20 },
	  "max_response_bytes = 4096\n", RP_ETOOBIG, RP_OUT_UPSTREAM, 1000 },
	{ "redirect", S_SERVER, { .status = 307, .location = "http://x/" }, NULL,
	  RP_EREDIRECT, RP_OUT_UPSTREAM, 1000 },
	{ "http status", S_SERVER, { .status = 503, .body = "<html><body>Busy"
	  "</body>", .content_type = "text/html" }, NULL, RP_EBADSTATUS,
	  RP_OUT_UPSTREAM, 1000 },
	{ "http status, empty", S_SERVER, { .status = 404 }, NULL, RP_EBADSTATUS,
	  RP_OUT_UPSTREAM, 1000 },
	{ "malformed", S_SERVER, { .status = 200, .body = "Service OK" }, NULL,
	  RP_EMALFORMED, RP_OUT_MALFORMED, 1000 },
	{ "malformed xml", S_SERVER, { .status = 200, .body = "<a><b></a>" },
	  NULL, RP_EMALFORMED, RP_OUT_MALFORMED, 1000 },
	{ "reset", S_SERVER, { .action = TS_RESET, .body = GRANTED,
	  .reset_after = 40 }, NULL, RP_ERESET, RP_OUT_UPSTREAM, 1000 },
	{ "hang-up", S_SERVER, { .action = TS_HANGUP }, NULL, RP_ERESET,
	  RP_OUT_UPSTREAM, 1000 },
	{ "slow", S_SERVER, { .action = TS_TRICKLE, .body = GRANTED,
	  .trickle_ms = 200 }, "timeout_ms = 20000\nlow_speed_limit = 100\n"
	  "low_speed_time_ms = 1000\n", RP_ESLOW, RP_OUT_UPSTREAM, 3000 },
};

START_TEST(every_failure_class)
{
	struct rp_fetch_info fi;
	struct rp_profile *p;
	char ep[256];
	int bh[4];
	long t0, ms;

	switch (classes[_i].kind) {
	case S_SERVER:
		srv = ts_start(NULL);
		ts_set(srv, &classes[_i].sc);
		snprintf(ep, sizeof(ep), "%s", ts_url(srv, BASE));
		break;
	case S_DNS:
		snprintf(ep, sizeof(ep), "http://no-such-host.invalid" BASE);
		break;
	case S_REFUSED:
		snprintf(ep, sizeof(ep), "http://127.0.0.1:%u" BASE,
		    ts_refused_port());
		break;
	case S_BLACKHOLE:
		snprintf(ep, sizeof(ep), "http://127.0.0.1:%u" BASE,
		    ts_blackhole(bh));
		break;
	default:
		ck_abort_msg("classes[%d]: unknown kind", _i);
	}
	configure(ep, classes[_i].extra);
	t0 = rp_test_now_ms();
	p = fetch(SECRET, strlen(SECRET), &fi);
	ms = rp_test_now_ms() - t0;
	if (classes[_i].kind == S_BLACKHOLE)
		ts_blackhole_close(bh);
	ck_assert_msg(fi.err == classes[_i].want, "%s: got %s (%s)",
	    classes[_i].name, rp_errclass(fi.err), fi.detail);
	ck_assert_int_eq(p->err, classes[_i].want);
	ck_assert_int_eq(p->outcome, classes[_i].outcome);
	ck_assert_msg(ms < classes[_i].max_ms || rp_test_slow_run(), "%s took %ld ms",
	    classes[_i].name, ms);
	/* Something to log, and never the token. */
	ck_assert_str_ne(fi.detail, "");
	ck_assert_ptr_null(strstr(fi.detail, SECRET));
	ck_assert_ptr_null(strstr(fi.detail, "T0ken"));
	rp_profile_free(p);
}
END_TEST

START_TEST(global_init_is_counted_and_warns_only_without_async_dns)
{
	/* setup() initialised once; a second pair must not tear down the first. */
	ck_assert_int_eq(rp_client_global_init(), RP_OK);
	rp_client_global_cleanup();
	srv = ts_start(NULL);
	configure(ts_url(srv, BASE), NULL);
	answer(200, GRANTED);
	rp_profile_free(fetch("abc", 3, &(struct rp_fetch_info){ 0 }));
	/* Debian's libcurl has the threaded resolver: no warning. */
	ck_assert_ptr_null(rp_client_global_warning());
}
END_TEST

static Suite *
client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("client");

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, granted_answer_is_parsed_and_request_is_exact);
	tcase_add_test(tc, trace_headers_only_for_their_call);
	tcase_add_loop_test(tc, hostile_tokens_arrive_byte_for_byte, 0,
	    (int)(sizeof(hostile) / sizeof(hostile[0])));
	tcase_add_test(tc, stalled_server_is_abandoned_within_timeout);
	tcase_add_test(tc, oversized_body_is_refused_without_reading_it_all);
	tcase_add_test(tc, redirect_is_refused_not_followed);
	tcase_add_test(tc, fifty_calls_use_one_connection);
	tcase_add_test(tc, no_earlier_token_stays_in_the_handle);
	tcase_add_test(tc, https_with_the_right_ca_works);
	tcase_add_loop_test(tc, https_fails_closed, 0,
	    (int)(sizeof(tls_bad) / sizeof(tls_bad[0])));
	tcase_add_test(tc, proxy_is_used_and_environment_is_not);
	tcase_add_test(tc, xml_error_with_error_status_is_parsed);
	tcase_add_loop_test(tc, every_failure_class, 0,
	    (int)(sizeof(classes) / sizeof(classes[0])));
	tcase_add_test(tc, global_init_is_counted_and_warns_only_without_async_dns);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return rp_test_run(client_suite());
}
