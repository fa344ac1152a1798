/* test_buf.c: the bounded output buffer. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "err.h"
#include "testutil.h"

START_TEST(appends_and_grows)
{
	struct rp_buf b;
	int i;

	rp_buf_init(&b, 0);
	ck_assert_str_eq(rp_buf_str(&b), "");
	ck_assert_int_eq(rp_buf_puts(&b, "ab"), RP_OK);
	ck_assert_int_eq(rp_buf_putc(&b, 'c'), RP_OK);
	ck_assert_int_eq(rp_buf_append(&b, "dexx", 2), RP_OK);
	ck_assert_int_eq(rp_buf_appendf(&b, "-%d-%s", 42, "z"), RP_OK);
	ck_assert_str_eq(rp_buf_str(&b), "abcde-42-z");
	ck_assert_uint_eq(b.len, 10);
	/* Far past the first allocation. */
	for (i = 0; i < 10000; i++)
		ck_assert_int_eq(rp_buf_puts(&b, "0123456789"), RP_OK);
	ck_assert_uint_eq(b.len, 100010);
	ck_assert_uint_eq(strlen(rp_buf_str(&b)), 100010);
	rp_buf_free(&b);
	ck_assert_str_eq(rp_buf_str(&b), "");
	ck_assert_int_eq(rp_buf_puts(&b, "again"), RP_OK);
	ck_assert_str_eq(rp_buf_str(&b), "again");
	rp_buf_free(&b);
}
END_TEST

START_TEST(bound_is_kept_and_failure_sticks)
{
	struct rp_buf b;

	rp_buf_init(&b, 8);
	ck_assert_int_eq(rp_buf_puts(&b, "12345678"), RP_OK);
	ck_assert_int_eq(rp_buf_putc(&b, '9'), RP_ELIMIT);
	ck_assert_str_eq(rp_buf_str(&b), "12345678");
	ck_assert_int_eq(b.failed, RP_ELIMIT);
	/* Sticky: even a fitting append fails until reset. */
	rp_buf_reset(&b);
	ck_assert_str_eq(rp_buf_str(&b), "");
	ck_assert_int_eq(rp_buf_puts(&b, "abc"), RP_OK);
	ck_assert_int_eq(rp_buf_appendf(&b, "%s", "toolong"), RP_ELIMIT);
	ck_assert_int_eq(rp_buf_puts(&b, "x"), RP_ELIMIT);
	ck_assert_str_eq(rp_buf_str(&b), "abc");
	rp_buf_free(&b);
}
END_TEST

START_TEST(appendf_exactly_at_bound)
{
	struct rp_buf b;

	rp_buf_init(&b, 5);
	ck_assert_int_eq(rp_buf_appendf(&b, "%05d", 7), RP_OK);
	ck_assert_str_eq(rp_buf_str(&b), "00007");
	rp_buf_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("buf");

	tcase_add_test(tc, appends_and_grows);
	tcase_add_test(tc, bound_is_kept_and_failure_sticks);
	tcase_add_test(tc, appendf_exactly_at_bound);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
