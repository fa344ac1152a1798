/* test_query.c: query string parsing and its validators. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "query.h"
#include "testutil.h"

static struct rp_query
parse(const char *qs)
{
	struct rp_query q;

	ck_assert_int_eq(rp_query_parse(qs, &q), RP_OK);
	return q;
}

START_TEST(view_and_return)
{
	struct rp_query q = parse("view=card&return=%2Faccount%3Ftab%3D1");

	ck_assert_int_eq(q.view_state, RP_Q_OK);
	ck_assert_str_eq(q.view, "card");
	ck_assert_int_eq(q.return_state, RP_Q_OK);
	ck_assert_str_eq(q.return_path, "/account?tab=1");
	q = parse("return=/a+b/c");
	ck_assert_str_eq(q.return_path, "/a+b/c");
	ck_assert_int_eq(q.view_state, RP_Q_ABSENT);
	q = parse(NULL);
	ck_assert_int_eq(q.view_state, RP_Q_ABSENT);
	ck_assert_int_eq(q.return_state, RP_Q_ABSENT);
	q = parse("");
	ck_assert_int_eq(q.view_state, RP_Q_ABSENT);
}
END_TEST

START_TEST(bad_views_are_rejected)
{
	static const char *const bad[] = {
		"view=", "view", "view=%3Cscript%3E", "view=<b>", "view=a.b",
		"view=a%2Fb", "view=caf%C3%A9", "view=a%00",
		"view=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"view=%zz", "view=%4",
	};
	struct rp_query q;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		q = parse(bad[i]);
		ck_assert_msg(q.view_state == RP_Q_REJECTED, "%s accepted", bad[i]);
		ck_assert_str_eq(q.view, "");
	}
	q = parse("view=Card_2-b");
	ck_assert_int_eq(q.view_state, RP_Q_OK);
}
END_TEST

START_TEST(return_must_be_site_local)
{
	static const char *const bad[] = {
		"return=//evil.com", "return=%2F%2Fevil.com", "return=/\\evil.com",
		"return=/%5Cevil.com", "return=http://evil.com/", "return=javascript:alert(1)",
		"return=/a%0D%0ASet-Cookie:x=1", "return=/a%09b", "return=/a%7Fb",
		"return=", "return=account", "return=%2F%C3", "return=/%00",
	};
	struct rp_query q;
	char *big;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		q = parse(bad[i]);
		ck_assert_msg(q.return_state == RP_Q_REJECTED, "%s accepted", bad[i]);
		ck_assert_str_eq(q.return_path, "");
	}
	/* One byte over the bound. */
	big = malloc(RP_RETURN_PATH_MAX + 16);
	strcpy(big, "return=/");
	memset(big + 8, 'a', RP_RETURN_PATH_MAX);
	big[8 + RP_RETURN_PATH_MAX] = '\0';
	q = parse(big);
	ck_assert_int_eq(q.return_state, RP_Q_REJECTED);
	big[8 + RP_RETURN_PATH_MAX - 1] = '\0';
	q = parse(big);
	ck_assert_int_eq(q.return_state, RP_Q_OK);
	free(big);
	q = parse("return=/caf%C3%A9");
	ck_assert_str_eq(q.return_path, "/café");
}
END_TEST

START_TEST(first_wins_unknown_counted)
{
	struct rp_query q = parse("a=1&&view=one&view=two;x&return=%2Fbad%0A&return=/good");

	ck_assert_str_eq(q.view, "one");
	/* The first return was bad: a later one does not replace it. */
	ck_assert_int_eq(q.return_state, RP_Q_REJECTED);
	ck_assert_uint_eq(q.unknown, 2);
}
END_TEST

START_TEST(too_long_query)
{
	char *qs = malloc(RP_QUERY_MAX + 2);
	struct rp_query q;

	memset(qs, 'a', RP_QUERY_MAX + 1);
	memcpy(qs, "view=card&x=", 12);
	qs[RP_QUERY_MAX + 1] = '\0';
	ck_assert_int_eq(rp_query_parse(qs, &q), RP_EINVAL);
	ck_assert_int_eq(q.view_state, RP_Q_ABSENT);
	free(qs);
}
END_TEST

START_TEST(percent_decoding)
{
	char out[8];
	size_t n;

	ck_assert_int_eq(rp_pct_decode("a%41%c3%A9", 10, out, sizeof(out), &n), RP_OK);
	ck_assert_str_eq(out, "aA\xc3\xa9");
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(rp_pct_decode("%", 1, out, sizeof(out), &n), RP_EINVAL);
	ck_assert_int_eq(rp_pct_decode("%4", 2, out, sizeof(out), &n), RP_EINVAL);
	ck_assert_int_eq(rp_pct_decode("%g1", 3, out, sizeof(out), &n), RP_EINVAL);
	ck_assert_int_eq(rp_pct_decode("%00", 3, out, sizeof(out), &n), RP_EINVAL);
	ck_assert_int_eq(rp_pct_decode("12345678", 8, out, sizeof(out), &n), RP_EINVAL);
	ck_assert_int_eq(rp_pct_decode("1234567", 7, out, sizeof(out), &n), RP_OK);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("query");
	TCase *tc = tcase_create("query");

	tcase_add_test(tc, view_and_return);
	tcase_add_test(tc, bad_views_are_rejected);
	tcase_add_test(tc, return_must_be_site_local);
	tcase_add_test(tc, first_wins_unknown_counted);
	tcase_add_test(tc, too_long_query);
	tcase_add_test(tc, percent_decoding);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
