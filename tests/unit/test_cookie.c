/* test_cookie.c: Cookie header parsing and the session token. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cookie.h"
#include "err.h"
#include "testutil.h"

/* The token state for header, and the value when it is usable. */
static enum rp_token_state
token(const char *header, size_t max, char *out, size_t size)
{
	const char *v = NULL;
	size_t len = 0;
	enum rp_token_state st;

	st = rp_cookie_token(header, "rp_token", max, &v, &len);
	out[0] = '\0';
	if (st == RP_TOKEN_OK) {
		ck_assert_uint_lt(len, size);
		memcpy(out, v, len);
		out[len] = '\0';
	}
	return st;
}

START_TEST(among_many_cookies)
{
	char v[64];

	ck_assert_int_eq(token("a=1; rp_token=abc.DEF-123_x; b=2", 1024, v, sizeof(v)), RP_TOKEN_OK);
	ck_assert_str_eq(v, "abc.DEF-123_x");
	ck_assert_int_eq(token("rp_token=first", 1024, v, sizeof(v)), RP_TOKEN_OK);
	ck_assert_str_eq(v, "first");
	/* A name that merely contains ours, and case drift, are other cookies. */
	ck_assert_int_eq(token("xrp_token=a; rp_tokenx=b; RP_TOKEN=c", 1024, v, sizeof(v)),
	    RP_TOKEN_MISSING);
}
END_TEST

START_TEST(blanks_empty_pieces_and_quotes)
{
	char v[64];

	ck_assert_int_eq(token("  a = 1 ;;  rp_token =  tok%3D  ; ;", 1024, v, sizeof(v)), RP_TOKEN_OK);
	ck_assert_str_eq(v, "tok%3D");
	ck_assert_int_eq(token("rp_token=\"quoted\"", 1024, v, sizeof(v)), RP_TOKEN_OK);
	ck_assert_str_eq(v, "quoted");
	ck_assert_int_eq(token("rp_token=\"half", 1024, v, sizeof(v)), RP_TOKEN_BADCHAR);
	ck_assert_int_eq(token("novalue; rp_token=x=y", 1024, v, sizeof(v)), RP_TOKEN_OK);
	ck_assert_str_eq(v, "x=y");
}
END_TEST

START_TEST(missing_empty_long_badchar)
{
	char v[64];

	ck_assert_int_eq(token(NULL, 1024, v, sizeof(v)), RP_TOKEN_MISSING);
	ck_assert_int_eq(token("", 1024, v, sizeof(v)), RP_TOKEN_MISSING);
	ck_assert_int_eq(token("a=b", 1024, v, sizeof(v)), RP_TOKEN_MISSING);
	ck_assert_int_eq(token("rp_token=", 1024, v, sizeof(v)), RP_TOKEN_EMPTY);
	ck_assert_int_eq(token("rp_token=\"\"", 1024, v, sizeof(v)), RP_TOKEN_EMPTY);
	ck_assert_int_eq(token("rp_token=0123456789abcdefX", 16, v, sizeof(v)), RP_TOKEN_TOOLONG);
	ck_assert_int_eq(token("rp_token=0123456789abcdef", 16, v, sizeof(v)), RP_TOKEN_OK);
	ck_assert_int_eq(token("rp_token=a b", 1024, v, sizeof(v)), RP_TOKEN_BADCHAR);
	ck_assert_int_eq(token("rp_token=a,b", 1024, v, sizeof(v)), RP_TOKEN_BADCHAR);
	ck_assert_int_eq(token("rp_token=a\\b", 1024, v, sizeof(v)), RP_TOKEN_BADCHAR);
	ck_assert_int_eq(token("rp_token=a\"b", 1024, v, sizeof(v)), RP_TOKEN_BADCHAR);
	ck_assert_int_eq(token("rp_token=caf\xc3\xa9", 1024, v, sizeof(v)), RP_TOKEN_BADCHAR);
	ck_assert_int_eq(token("rp_token=a\x01" "b", 1024, v, sizeof(v)), RP_TOKEN_BADCHAR);
	ck_assert_str_eq(rp_token_state_name(RP_TOKEN_TOOLONG), "too_long");
	ck_assert_str_eq(rp_token_state_name(RP_TOKEN_OK), "ok");
}
END_TEST

START_TEST(duplicates)
{
	char v[64];

	/* RFC 6265 sends the most specific path first: the first one wins. */
	ck_assert_int_eq(token("rp_token=first; rp_token=second", 1024, v, sizeof(v)), RP_TOKEN_OK);
	ck_assert_str_eq(v, "first");
	/* The first one unusable means no token: a later one (another path's,
	 * or one a sibling host planted) is never used instead. */
	ck_assert_int_eq(token("rp_token=; rp_token=good", 1024, v, sizeof(v)), RP_TOKEN_EMPTY);
	ck_assert_int_eq(token("rp_token=bad val; rp_token=good", 1024, v, sizeof(v)), RP_TOKEN_BADCHAR);
	ck_assert_int_eq(token("rp_token=\"half; rp_token=good", 1024, v, sizeof(v)), RP_TOKEN_BADCHAR);
	ck_assert_int_eq(token("rp_token=0123456789abcdefX; rp_token=good", 16, v, sizeof(v)),
	    RP_TOKEN_TOOLONG);
	ck_assert_int_eq(token("a=1; rp_token=\"\"; b=2; rp_token=good", 1024, v, sizeof(v)),
	    RP_TOKEN_EMPTY);
	/* None usable: the first one says why. */
	ck_assert_int_eq(token("rp_token=bad val; rp_token=", 1024, v, sizeof(v)), RP_TOKEN_BADCHAR);
	ck_assert_int_eq(token("rp_token=; rp_token=bad val", 1024, v, sizeof(v)), RP_TOKEN_EMPTY);
	/* Other names and pieces before it do not count. */
	ck_assert_int_eq(token("rp_tokenx=; noeq; =x; rp_token=good", 1024, v, sizeof(v)), RP_TOKEN_OK);
	ck_assert_str_eq(v, "good");
}
END_TEST

START_TEST(first_one_beyond_the_kept_pairs)
{
	char h[4096], v[64];
	size_t i;

	/* More malformed pairs than struct rp_cookies keeps, then an
	 * unusable token, then a usable one: the first still decides. */
	h[0] = '\0';
	for (i = 0; i < RP_COOKIE_MAX + 5; i++)
		sprintf(h + strlen(h), "b%zu=x y; ", i);
	strcat(h, "rp_token=bad val; rp_token=good");
	ck_assert_int_eq(token(h, 1024, v, sizeof(v)), RP_TOKEN_BADCHAR);
}
END_TEST

START_TEST(accepted_and_rejected_apart)
{
	struct rp_cookies c;
	const struct rp_cookie *k;

	rp_cookie_parse("a=1; b=x y; c=3; noeq; bad name=4", &c);
	ck_assert_uint_eq(c.nok, 2);
	ck_assert_uint_eq(c.nbad, 2);
	ck_assert_uint_eq(c.skipped, 1);
	ck_assert_int_eq(c.truncated, 0);
	k = rp_cookie_find(&c, "c");
	ck_assert_ptr_nonnull(k);
	ck_assert_uint_eq(k->valuelen, 1);
	ck_assert_int_eq(k->value[0], '3');
	/* A rejected pair is never found as if it were accepted. */
	ck_assert_ptr_null(rp_cookie_find(&c, "b"));
	ck_assert_uint_eq(c.bad[0].namelen, 1);
	ck_assert_int_eq(c.bad[0].name[0], 'b');
}
END_TEST

START_TEST(huge_header_and_many_cookies)
{
	size_t n = RP_COOKIE_HEADER_MAX + 4096, i;
	char *h = malloc(n + 64), v[64];
	struct rp_cookies c;

	/* The token beyond the header bound is never read. */
	memset(h, 'x', n);
	memcpy(h, "pad=", 4);
	strcpy(h + n, "; rp_token=late");
	ck_assert_int_eq(token(h, 1024, v, sizeof(v)), RP_TOKEN_MISSING);
	rp_cookie_parse(h, &c);
	ck_assert_int_eq(c.truncated, 1);
	ck_assert_uint_eq(c.nok, 0);
	/* A value over RP_COOKIE_VALUE_MAX is rejected, not cut. */
	memset(h, 'y', n);
	memcpy(h, "rp_token=", 9);
	h[9 + RP_COOKIE_VALUE_MAX + 1] = '\0';
	ck_assert_int_eq(token(h, 0, v, sizeof(v)), RP_TOKEN_TOOLONG);
	/* More pairs than kept: counted, the first ones still there. */
	h[0] = '\0';
	for (i = 0; i < RP_COOKIE_MAX + 10; i++)
		sprintf(h + strlen(h), "c%zu=%zu; ", i, i);
	rp_cookie_parse(h, &c);
	ck_assert_uint_eq(c.nok, RP_COOKIE_MAX);
	ck_assert_uint_eq(c.skipped, 10);
	ck_assert_ptr_nonnull(rp_cookie_find(&c, "c0"));
	free(h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cookie");
	TCase *tc = tcase_create("cookie");

	tcase_add_test(tc, among_many_cookies);
	tcase_add_test(tc, blanks_empty_pieces_and_quotes);
	tcase_add_test(tc, missing_empty_long_badchar);
	tcase_add_test(tc, duplicates);
	tcase_add_test(tc, first_one_beyond_the_kept_pairs);
	tcase_add_test(tc, accepted_and_rejected_apart);
	tcase_add_test(tc, huge_header_and_many_cookies);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
