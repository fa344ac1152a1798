/* test_err.c: every error has a message, a class, and the right family. */
#include "config.h"

#include <string.h>

#include "rp.h"
#include "testutil.h"

START_TEST(every_error_named)
{
	int e, f;

	for (e = 0; e < RP_ERR__COUNT; e++) {
		ck_assert_str_ne(rp_strerror((enum rp_err)e), "unknown error");
		ck_assert_str_ne(rp_errclass((enum rp_err)e), "unknown");
		/* Classes are metric labels: distinct ones. */
		for (f = 0; f < e; f++)
			ck_assert_str_ne(rp_errclass((enum rp_err)e), rp_errclass((enum rp_err)f));
	}
	ck_assert_str_eq(rp_strerror(RP_ERR__COUNT), "unknown error");
	ck_assert_str_eq(rp_strerror((enum rp_err)-1), "unknown error");
}
END_TEST

START_TEST(upstream_family)
{
	ck_assert(rp_err_is_upstream(RP_ETIMEOUT));
	ck_assert(rp_err_is_upstream(RP_EMALFORMED));
	ck_assert(rp_err_is_upstream(RP_ETLS));
	ck_assert(!rp_err_is_upstream(RP_OK));
	ck_assert(!rp_err_is_upstream(RP_ECONFIG));
	ck_assert(!rp_err_is_upstream(RP_ENOMEM));
}
END_TEST

START_TEST(failure_profile)
{
	struct rp_profile *p = NULL;

	ck_assert_int_eq(rp_profile_new_failure(RP_ATTR_BIT(RP_A_NDP), RP_ETIMEOUT, 0, &p), RP_OK);
	ck_assert_int_eq(p->outcome, RP_OUT_UPSTREAM);
	ck_assert_str_eq(rp_status_name(rp_status_of(p)), "unavailable");
	ck_assert_ptr_nonnull(p->reason);
	rp_profile_ref(p);
	rp_profile_free(p);
	rp_profile_free(p);
	rp_profile_free(NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("err");

	tcase_add_test(tc, every_error_named);
	tcase_add_test(tc, upstream_family);
	tcase_add_test(tc, failure_profile);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
