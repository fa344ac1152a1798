/*
 * test_client_sim.c: the real client (lib/client.c) against the real
 * simulator: outcomes and values, every demo user asked for every
 * attribute, connection reuse, the consent round trips, and every fault:
 * those that fail the call (the class reported, the time bounded, the
 * handle recovering) and those whose answer the client still reads (API
 * errors under any status, delays within the timeout, answers that close).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rp.h"
#include "cfg.h"
#include "client.h"
#include "simproc.h"
#include "testserver.h"
#include "testutil.h"

#define AMELIE "tok-amelie-2f9c61d04b"
#define CAMILLE "tok-camille-5d2b8e4471"
#define MAXIME "tok-maxime-c07d5a19e2"
#define NAMES (RP_ATTR_BIT(RP_A_FIRSTNAME) | RP_ATTR_BIT(RP_A_LASTNAME))
/* The client of the outcome, reuse and failure tests: a failure comes fast. */
#define TIMEOUT_MS 800
#define TIGHT "timeout_ms = 800\nconnect_timeout_ms = 500\nmax_response_bytes = 65536"
#define PHOTOS (RP_ATTR_BIT(RP_A_PICTURETINY) | RP_ATTR_BIT(RP_A_PICTURESMALL) | \
	RP_ATTR_BIT(RP_A_PICTUREMEDIUM) | RP_ATTR_BIT(RP_A_PICTURELARGE))

static struct ts_fixture fx;

static void
setup(void)
{
	long status;

	ts_fixture_setup(&fx);
	/* Consent choices and fault rules of earlier tests are forgotten. */
	free(sim_http("/_control/reset", 1, &status));
	ck_assert_int_eq(status, 200);
}

static void
teardown(void)
{
	ts_fixture_teardown(&fx);
}

/* A client for the simulator, through the real loader; extra: more [upstream]. */
static void
configure(const char *extra)
{
	char ep[256];

	snprintf(ep, sizeof(ep), "%s/PersonalRichProfile/V1", sim_url);
	ts_fixture_configure(&fx, ep, extra);
}

static struct rp_profile *
fetch(const char *token, rp_attrset infos, struct rp_fetch_info *fi)
{
	struct rp_profile *p = NULL;

	ck_assert_int_eq(rp_client_fetch(fx.cli, token, strlen(token), infos, &p,
	    fi), RP_OK);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* Every demo user of conf/sim-users.conf, asked for every attribute. */
static const struct {
	const char *token;
	enum rp_outcome outcome;
	rp_attrset withheld;
	long code;
	enum rp_attr_id attr;     /* one value to check ... */
	const char *value;        /* ... NULL: just present */
} users[] = {
	{ AMELIE, RP_OUT_GRANTED, 0, 0, RP_A_FIRSTNAME, "Am\xc3\xa9lie" },
	{ "tok-jb-9a1e7c33f0", RP_OUT_GRANTED, 0, 0, RP_A_FIRSTNAME, NULL },
	{ CAMILLE, RP_OUT_PARTIAL, PHOTOS, 0, RP_A_LASTNAME, "Nguy\xe1\xbb\x85n" },
	{ MAXIME, RP_OUT_REFUSED, 0, -3, RP_ATTR__COUNT, NULL },
	{ "tok-mallory-13e8bb02aa", RP_OUT_GRANTED, 0, 0, RP_A_FIRSTNAME, NULL },
	{ "tok-john-e4a90f6d17", RP_OUT_PARTIAL, RP_ATTR_BIT(RP_A_HOMEPHONE) |
	  RP_ATTR_BIT(RP_A_MOBILEPHONE) | RP_ATTR_BIT(RP_A_HOMEADDRESS) |
	  RP_ATTR_BIT(RP_A_OFFICEADDRESS), 0, RP_A_FIRSTNAME, NULL },
	{ "tok&sophie=1#x%41+y?z/6b", RP_OUT_GRANTED, 0, 0, RP_A_FIRSTNAME, NULL },
	{ "tok-paul-expired-0000", RP_OUT_ACCOUNT, 0, 103, RP_ATTR__COUNT, NULL },
	{ "tok-nobody-at-all", RP_OUT_ACCOUNT, 0, 102, RP_ATTR__COUNT, NULL },
};

START_TEST(every_user)
{
	struct rp_fetch_info fi;
	struct rp_profile *p;

	configure(NULL);
	p = fetch(users[_i].token, RP_ATTRSET_ALL, &fi);
	ck_assert_msg(fi.err == RP_OK, "%s", fi.detail);
	ck_assert_int_eq(fi.http_status, 200);
	ck_assert_msg(p->outcome == users[_i].outcome, "%s: %s",
	    users[_i].token, rp_outcome_name(p->outcome));
	ck_assert_uint_eq(p->withheld, users[_i].withheld);
	ck_assert_int_eq(p->code, users[_i].code);
	/* Anything short of a full grant comes with the consent page, or not. */
	if (p->outcome == RP_OUT_PARTIAL || p->outcome == RP_OUT_REFUSED)
		ck_assert_ptr_nonnull(strstr(p->privacy_url, "/urm-gui/interaction.do?"));
	if (users[_i].attr != RP_ATTR__COUNT)
		ck_assert(rp_profile_has(p, users[_i].attr));
	if (users[_i].value != NULL)
		ck_assert_str_eq(rp_profile_value(p, users[_i].attr)->text, users[_i].value);
	rp_profile_free(p);
}
END_TEST

START_TEST(outcomes)
{
	static const struct {
		const char *token;
		rp_attrset infos;
		enum rp_outcome outcome;
		long code;
	} c[] = {
		{ "tok-amelie-2f9c61d04b", NAMES, RP_OUT_GRANTED, 0 },
		/* & # % + = ? / in the token: the client must encode it. */
		{ "tok&sophie=1#x%41+y?z/6b", NAMES, RP_OUT_GRANTED, 0 },
		{ "tok-camille-5d2b8e4471", NAMES | RP_ATTR_BIT(RP_A_PICTURESMALL),
		    RP_OUT_PARTIAL, 0 },
		{ "tok-maxime-c07d5a19e2", NAMES, RP_OUT_REFUSED, -3 },
		{ "no-such-token", NAMES, RP_OUT_ACCOUNT, 102 },
		{ "tok-paul-expired-0000", NAMES, RP_OUT_ACCOUNT, 103 },
		{ "fault:code=504", NAMES, RP_OUT_APIERROR, 504 },
	};
	size_t i;

	configure(TIGHT);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct rp_fetch_info fi;
		struct rp_profile *p = fetch(c[i].token, c[i].infos, &fi);

		ck_assert_msg(p->outcome == c[i].outcome, "case %zu: outcome %s",
		    i, rp_outcome_name(p->outcome));
		ck_assert_int_eq(p->code, c[i].code);
		ck_assert_int_eq(fi.err, RP_OK);
		ck_assert_int_eq(fi.http_status, 200);
		rp_profile_free(p);
	}
}
END_TEST

START_TEST(granted_values)
{
	struct rp_profile *p;

	configure(TIGHT);
	p = fetch("tok&sophie=1#x%41+y?z/6b", NAMES, NULL);
	ck_assert_str_eq(rp_profile_value(p, RP_A_FIRSTNAME)->text, "Sophie");
	ck_assert_str_eq(rp_profile_value(p, RP_A_LASTNAME)->text, "Martin");
	rp_profile_free(p);
}
END_TEST

START_TEST(connection_reuse)
{
	const char *tok = "tok-amelie-2f9c61d04b";
	char q[128];
	int i;

	configure(TIGHT);
	for (i = 0; i < 5; i++) {
		struct rp_fetch_info fi;
		struct rp_profile *p = fetch(tok, NAMES, &fi);

		ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
		ck_assert_int_eq(fi.new_connection, i == 0);
		rp_profile_free(p);
	}
	/* The simulator saw five calls on one connection (+1: this query's). */
	ck_assert_int_eq(sim_stat("", "connections"), 2);
	snprintf(q, sizeof(q), "?token=%s", tok);
	ck_assert_int_eq(sim_stat(q, "requests"), 5);
}
END_TEST

START_TEST(hostile_values_arrive_verbatim)
{
	struct rp_fetch_info fi;
	struct rp_profile *p;
	int i, angle = 0;

	configure(NULL);
	p = fetch("tok-mallory-13e8bb02aa", RP_ATTRSET_ALL, &fi);
	ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
	/* The client hands markup on as text: escaping is the renderer's job. */
	for (i = 0; i < RP_ATTR__COUNT; i++)
		if (rp_profile_value(p, i)->text != NULL && strchr(rp_profile_value(p, i)->text, '<'))
			angle++;
	ck_assert_int_gt(angle, 0);
	rp_profile_free(p);
}
END_TEST

/*
 * The site's side of a consent: the privacy page of p, then the user's
 * choice posted as the page's form would.  Returns the 303's Location.
 */
static void
choose(const struct rp_profile *p, const char *choice, const char *attr,
    char *loc, size_t locsize)
{
	char link[2048], body[8192], form[1024];
	const char *ctx, *ret = "http%3A%2F%2F127.0.0.1%3A8080%2Faccount";

	ck_assert_ptr_nonnull(p->privacy_url);
	snprintf(link, sizeof(link), "%s&urlRetour=%s", p->privacy_url, ret);
	ck_assert_int_eq(ts_http(link, NULL, body, sizeof(body), NULL, 0), 200);
	snprintf(form, sizeof(form), "<li data-attribute=\"%s\">", attr);
	ck_assert_msg(strstr(body, form) != NULL, "%s not on the page", attr);
	ck_assert_ptr_nonnull(ctx = strstr(p->privacy_url, "ctx="));
	snprintf(form, sizeof(form), "%.*s&attributes=%s&urlRetour=%s&choice=%s",
	    (int)strcspn(ctx, "&"), ctx, attr, ret, choice);
	snprintf(link, sizeof(link), "%s/urm-gui/interaction.do", sim_url);
	ck_assert_int_eq(ts_http(link, form, NULL, 0, loc, locsize), 303);
}

START_TEST(consent_round_trip_grant_once)
{
	struct rp_fetch_info fi;
	struct rp_profile *p;
	rp_attrset infos = RP_ATTR_BIT(RP_A_FIRSTNAME) |
	    RP_ATTR_BIT(RP_A_PICTURESMALL);
	char loc[512];

	configure(NULL);
	/* Refused ... */
	p = fetch(CAMILLE, infos, &fi);
	ck_assert_int_eq(p->outcome, RP_OUT_PARTIAL);
	ck_assert_uint_eq(p->withheld, RP_ATTR_BIT(RP_A_PICTURESMALL));
	/* ... the privacy page, grant once, back to the site ... */
	choose(p, "once", "PictureTagSmallURL", loc, sizeof(loc));
	ck_assert_str_eq(loc, "http://127.0.0.1:8080/account");
	rp_profile_free(p);
	/* ... granted, once ... */
	p = fetch(CAMILLE, infos, &fi);
	ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
	ck_assert_ptr_nonnull(strstr(rp_profile_value(p, RP_A_PICTURESMALL)->text,
	    "/photos/camille.png"));
	rp_profile_free(p);
	/* ... and refused again. */
	p = fetch(CAMILLE, infos, &fi);
	ck_assert_int_eq(p->outcome, RP_OUT_PARTIAL);
	ck_assert_uint_eq(p->withheld, RP_ATTR_BIT(RP_A_PICTURESMALL));
	rp_profile_free(p);
}
END_TEST

START_TEST(consent_grant_always_and_refuse)
{
	struct rp_fetch_info fi;
	struct rp_profile *p;
	rp_attrset infos = RP_ATTR_BIT(RP_A_FIRSTNAME);
	char loc[512];
	int i;

	configure(NULL);
	p = fetch(MAXIME, infos, &fi);
	ck_assert_int_eq(p->outcome, RP_OUT_REFUSED);
	choose(p, "always", "Firstname", loc, sizeof(loc));
	rp_profile_free(p);
	for (i = 0; i < 3; i++) {
		p = fetch(MAXIME, infos, &fi);
		ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
		rp_profile_free(p);
	}
	/* Refusing on the same page takes it back. */
	p = fetch(MAXIME, infos | RP_ATTR_BIT(RP_A_LASTNAME), &fi);
	ck_assert_int_eq(p->outcome, RP_OUT_PARTIAL);
	choose(p, "refuse", "Lastname", loc, sizeof(loc));
	rp_profile_free(p);
	p = fetch(MAXIME, infos | RP_ATTR_BIT(RP_A_LASTNAME), &fi);
	ck_assert_int_eq(p->outcome, RP_OUT_PARTIAL);
	rp_profile_free(p);
}
END_TEST

/* Each fault that fails the call, and the failure class the client must report. */
static const struct {
	const char *token;
	enum rp_err err;
	enum rp_outcome outcome;
} failures[] = {
	{ "fault:delay=3000", RP_ETIMEOUT, RP_OUT_UPSTREAM },
	{ "fault:stall", RP_ETIMEOUT, RP_OUT_UPSTREAM },
	{ "fault:stallbody", RP_ETIMEOUT, RP_OUT_UPSTREAM },
	{ "fault:status=503", RP_EBADSTATUS, RP_OUT_UPSTREAM },
	{ "fault:notxml", RP_EMALFORMED, RP_OUT_MALFORMED },
	{ "fault:truncate", RP_EMALFORMED, RP_OUT_MALFORMED },
	{ "fault:short", RP_ERESET, RP_OUT_UPSTREAM },
	{ "fault:reset", RP_ERESET, RP_OUT_UPSTREAM },
	{ "fault:drop", RP_ERESET, RP_OUT_UPSTREAM },
	{ "fault:redirect", RP_EREDIRECT, RP_OUT_UPSTREAM },
	{ "fault:oversize", RP_ETOOBIG, RP_OUT_UPSTREAM },
};

START_TEST(each_failure)
{
	struct rp_fetch_info fi;
	struct rp_profile *p;

	configure(TIGHT);
	p = fetch(failures[_i].token, NAMES, &fi);
	ck_assert_msg(fi.err == failures[_i].err, "%s: %s (%s)", failures[_i].token,
	    rp_errclass(fi.err), fi.detail);
	ck_assert_msg(p->outcome == failures[_i].outcome || (failures[_i].err ==
	    RP_ETOOBIG && p->outcome == RP_OUT_MALFORMED), "%s: outcome %s",
	    failures[_i].token, rp_outcome_name(p->outcome));
	/* Bounded: a failure never outlasts timeout_ms by much. */
	if (getenv("RP_UNDER_VALGRIND") == NULL)
		ck_assert_msg(fi.elapsed_us < (TIMEOUT_MS + 300) * 1000L,
		    "%s took %ld us", failures[_i].token, fi.elapsed_us);
	rp_profile_free(p);
	/* The next call is answered normally: the handle recovered. */
	p = fetch("tok-amelie-2f9c61d04b", NAMES, &fi);
	ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
	rp_profile_free(p);
}
END_TEST

START_TEST(slow_sender)
{
	struct rp_fetch_info fi;
	struct rp_profile *p;

	/* libcurl's low-speed check counts whole seconds. */
	configure("timeout_ms = 5000\nlow_speed_limit = 1000\nlow_speed_time_ms = 1000");
	p = fetch("fault:slow=100,oversize=20000", NAMES, &fi);
	ck_assert_msg(fi.err == RP_ESLOW, "%s (%s)", rp_errclass(fi.err), fi.detail);
	ck_assert_int_lt(fi.elapsed_us, 4000 * 1000L);
	rp_profile_free(p);
}
END_TEST

START_TEST(control_rules)
{
	struct rp_fetch_info fi;
	struct rp_profile *p;
	long status;

	configure(TIGHT);
	free(sim_http("/_control/fault?mode=status%3D500&for=all&count=2", 1,
	    &status));
	ck_assert_int_eq(status, 200);
	p = fetch("tok-amelie-2f9c61d04b", NAMES, &fi);
	ck_assert_int_eq(fi.err, RP_EBADSTATUS);
	rp_profile_free(p);
	p = fetch("tok-john-e4a90f6d17", NAMES, &fi);
	ck_assert_int_eq(fi.err, RP_EBADSTATUS);
	rp_profile_free(p);
	p = fetch("tok-amelie-2f9c61d04b", NAMES, &fi);
	ck_assert_int_eq(fi.err, RP_OK);
	ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
	rp_profile_free(p);
}
END_TEST

/*
 * Faults whose answer the client still reads, or whose status it
 * reports: what an API error looks like through each transport.
 */
static const struct {
	const char *spec;
	enum rp_err err;
	enum rp_outcome outcome;
	long code;          /* API code of an <error> answer */
	int status;         /* HTTP status expected */
	long min_ms, max_ms;
} faults[] = {
	/* Slow but within timeout_ms: an answer, not a failure. */
	{ "delay=300", RP_OK, RP_OUT_GRANTED, 0, 200, 300, 1500 },
	{ "code=501", RP_OK, RP_OUT_APIERROR, 501, 200, 0, 1500 },
	{ "code=103", RP_OK, RP_OUT_ACCOUNT, 103, 200, 0, 1500 },
	{ "code=-3", RP_OK, RP_OUT_REFUSED, -3, 200, 0, 1500 },
	/* An XML <error> under an error status is read, as the contract says. */
	{ "status=503,code=503", RP_OK, RP_OUT_APIERROR, 503, 503, 0, 1500 },
	{ "status=401,code=102", RP_OK, RP_OUT_ACCOUNT, 102, 401, 0, 1500 },
	/* Without XML, the status is the failure. */
	{ "status=404", RP_EBADSTATUS, RP_OUT_UPSTREAM, 0, 404, 0, 1500 },
	{ "close", RP_OK, RP_OUT_GRANTED, 0, 200, 0, 1500 },
};

START_TEST(every_fault)
{
	struct rp_fetch_info fi;
	struct rp_profile *p;
	char token[128];
	long t0, ms;

	snprintf(token, sizeof(token), "fault:%s@" AMELIE, faults[_i].spec);
	configure(NULL);
	t0 = rp_test_now_ms();
	p = fetch(token, RP_ATTR_BIT(RP_A_FIRSTNAME), &fi);
	ms = rp_test_now_ms() - t0;
	ck_assert_msg(fi.err == faults[_i].err, "%s: got %s (%s)", faults[_i].spec,
	    rp_errclass(fi.err), fi.detail);
	ck_assert_int_eq(p->err, faults[_i].err);
	ck_assert_msg(p->outcome == faults[_i].outcome, "%s: outcome %s",
	    faults[_i].spec, rp_outcome_name(p->outcome));
	ck_assert_int_eq(p->code, faults[_i].code);
	ck_assert_int_eq(fi.http_status, faults[_i].status);
	ck_assert_msg(ms >= faults[_i].min_ms, "%s took %ld ms", faults[_i].spec, ms);
	if (!rp_test_slow_run())
		ck_assert_msg(ms < faults[_i].max_ms, "%s took %ld ms",
		    faults[_i].spec, ms);
	ck_assert_ptr_null(strstr(fi.detail, "tok-amelie"));
	rp_profile_free(p);
}
END_TEST

START_TEST(an_api_that_closes_costs_a_connection_per_call)
{
	struct rp_fetch_info fi;
	long before, after;
	int i;

	configure(NULL);
	before = sim_stat("", "connections");
	for (i = 0; i < 5; i++) {
		struct rp_profile *p = fetch("fault:close@" AMELIE,
		    RP_ATTR_BIT(RP_A_FIRSTNAME), &fi);

		ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
		ck_assert_int_eq(fi.new_connection, 1);
		rp_profile_free(p);
	}
	/* Five calls, and this second look at the counters. */
	after = sim_stat("", "connections");
	ck_assert_int_eq(after - before, 5 + 1);
}
END_TEST

static Suite *
sim_suite(void)
{
	Suite *s = suite_create("client+sim");
	TCase *tc = tcase_create("client+sim");

	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, sim_start, sim_stop);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, outcomes);
	tcase_add_test(tc, granted_values);
	tcase_add_loop_test(tc, every_user, 0, (int)(sizeof(users) / sizeof(users[0])));
	tcase_add_test(tc, hostile_values_arrive_verbatim);
	tcase_add_test(tc, connection_reuse);
	tcase_add_test(tc, consent_round_trip_grant_once);
	tcase_add_test(tc, consent_grant_always_and_refuse);
	tcase_add_loop_test(tc, each_failure, 0,
	    (int)(sizeof(failures) / sizeof(failures[0])));
	tcase_add_test(tc, slow_sender);
	tcase_add_test(tc, control_rules);
	tcase_add_loop_test(tc, every_fault, 0, (int)(sizeof(faults) / sizeof(faults[0])));
	tcase_add_test(tc, an_api_that_closes_costs_a_connection_per_call);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return rp_test_run(sim_suite());
}
