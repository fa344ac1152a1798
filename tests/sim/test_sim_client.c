/* test_sim_client.c: the real HTTP client (lib/client.c) against the simulator: outcomes, connection reuse, every fault. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>

#include "attr.h"
#include "cfg.h"
#include "client.h"
#include "profile.h"
#include "testutil.h"
#include "simproc.h"

#define NAMES (RP_ATTR_BIT(RP_A_FIRSTNAME) | RP_ATTR_BIT(RP_A_LASTNAME))
#define TIMEOUT_MS 800

static char dir[256];
static struct rp_cfg *cfg;
static struct rp_client *cli;

/* A client through the real configuration loader; extra is more [upstream] INI. */
static void
client(const char *extra)
{
	char path[400], err[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sim.conf", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "[site]\nurl = http://127.0.0.1:8080\n[upstream]\n"
	    "endpoint = %s/PersonalRichProfile/V1\n%s\n", sim_url, extra);
	ck_assert_int_eq(fclose(f), 0);
	rp_client_free(cli);
	rp_cfg_free(cfg);
	cli = NULL;
	ck_assert_msg(rp_cfg_load(path, &cfg, err, sizeof(err)) == RP_OK, "%s", err);
	ck_assert_int_eq(rp_client_new(cfg, &cli), RP_OK);
}

static void
setup(void)
{
	long status;

	snprintf(dir, sizeof(dir), "%s/rpsimclientXXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(rp_client_global_init(), RP_OK);
	free(sim_http("/_control/reset", 1, &status));
	ck_assert_int_eq(status, 200);
	cfg = NULL;
	cli = NULL;
	client("timeout_ms = 800\nconnect_timeout_ms = 500\n"
	    "max_response_bytes = 65536");
}

static void
teardown(void)
{
	char path[400];

	rp_client_free(cli);
	rp_cfg_free(cfg);
	rp_client_global_cleanup();
	snprintf(path, sizeof(path), "%s/sim.conf", dir);
	unlink(path);
	rmdir(dir);
}

static struct rp_profile *
fetch(const char *token, rp_attrset infos, struct rp_fetch_info *fi)
{
	struct rp_profile *p = NULL;

	ck_assert_int_eq(rp_client_fetch(cli, token, strlen(token), infos, &p,
	    fi), RP_OK);
	ck_assert_ptr_nonnull(p);
	return p;
}

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
	struct rp_profile *p = fetch("tok&sophie=1#x%41+y?z/6b", NAMES, NULL);

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

/* Each fault token and the failure class the client must report. */
static const struct {
	const char *token;
	enum rp_err err;
	enum rp_outcome outcome;
} faults[] = {
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

START_TEST(each_fault)
{
	struct rp_fetch_info fi;
	struct rp_profile *p = fetch(faults[_i].token, NAMES, &fi);

	ck_assert_msg(fi.err == faults[_i].err, "%s: %s (%s)", faults[_i].token,
	    rp_errclass(fi.err), fi.detail);
	ck_assert_msg(p->outcome == faults[_i].outcome || (faults[_i].err ==
	    RP_ETOOBIG && p->outcome == RP_OUT_MALFORMED), "%s: outcome %s",
	    faults[_i].token, rp_outcome_name(p->outcome));
	/* Bounded: a failure never outlasts timeout_ms by much. */
	if (getenv("RP_UNDER_VALGRIND") == NULL)
		ck_assert_msg(fi.elapsed_us < (TIMEOUT_MS + 300) * 1000L,
		    "%s took %ld us", faults[_i].token, fi.elapsed_us);
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
	client("timeout_ms = 5000\nlow_speed_limit = 1000\nlow_speed_time_ms = 1000");
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

static Suite *
suite(void)
{
	Suite *s = suite_create("sim+client");
	TCase *tc = tcase_create("client");

	tcase_add_unchecked_fixture(tc, sim_start, sim_stop);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, outcomes);
	tcase_add_test(tc, granted_values);
	tcase_add_test(tc, connection_reuse);
	tcase_add_loop_test(tc, each_fault, 0, sizeof(faults) / sizeof(faults[0]));
	tcase_add_test(tc, slow_sender);
	tcase_add_test(tc, control_rules);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return rp_test_run(suite());
}
