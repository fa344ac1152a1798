/* test_i18n.c: the message table and the choice of language. */
#include "config.h"

#include <string.h>

#include "i18n.h"
#include "testutil.h"

START_TEST(every_message_in_both_languages)
{
	enum rp_msg m;
	int i, j;

	for (i = 0; i < RP_MSG__COUNT; i++) {
		ck_assert_uint_gt(strlen(rp_msg((enum rp_msg)i, RP_LANG_FR)), 0);
		ck_assert_uint_gt(strlen(rp_msg((enum rp_msg)i, RP_LANG_EN)), 0);
		ck_assert_int_eq(rp_msg_lookup(rp_msg_key((enum rp_msg)i),
		    strlen(rp_msg_key((enum rp_msg)i)), &m), 0);
		ck_assert_int_eq(m, i);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(rp_msg_key((enum rp_msg)i), rp_msg_key((enum rp_msg)j));
	}
	ck_assert_str_eq(rp_msg(RP_MSG_SIGNIN_LINK, RP_LANG_FR), "Se connecter");
	ck_assert_str_eq(rp_msg(RP_MSG_SIGNIN_LINK, RP_LANG_EN), "Sign in");
	ck_assert_int_eq(rp_msg_lookup("signin_lin", 10, &m), -1);
	ck_assert_int_eq(rp_msg_lookup("nope", 4, &m), -1);
	ck_assert_int_eq(rp_msg_for_http(404), RP_MSG_NOT_FOUND);
	ck_assert_int_eq(rp_msg_for_http(500), RP_MSG_ERROR);
}
END_TEST

static int
tag(const char *t)
{
	enum rp_lang l;

	return rp_lang_parse(t, strlen(t), &l) == 0 ? (int)l : -1;
}

START_TEST(language_tags)
{
	ck_assert_int_eq(tag("fr"), RP_LANG_FR);
	ck_assert_int_eq(tag("FR"), RP_LANG_FR);
	ck_assert_int_eq(tag("fr-CA"), RP_LANG_FR);
	ck_assert_int_eq(tag("en_GB"), RP_LANG_EN);
	ck_assert_int_eq(tag("En"), RP_LANG_EN);
	ck_assert_int_eq(tag("e"), -1);
	ck_assert_int_eq(tag("french"), -1);
	ck_assert_int_eq(tag("de"), -1);
	ck_assert_int_eq(tag(""), -1);
	ck_assert_str_eq(rp_lang_code(RP_LANG_EN), "en");
}
END_TEST

static int
accept(const char *h)
{
	enum rp_lang l;

	return rp_lang_accept(h, &l) == 0 ? (int)l : -1;
}

START_TEST(accept_language)
{
	ck_assert_int_eq(accept("en-GB,en;q=0.9,fr;q=0.8"), RP_LANG_EN);
	ck_assert_int_eq(accept("fr;q=0.5, en;q=0.9"), RP_LANG_EN);
	ck_assert_int_eq(accept("de, fr;q=0.1"), RP_LANG_FR);
	ck_assert_int_eq(accept("de-DE,de"), -1);
	ck_assert_int_eq(accept(NULL), -1);
	ck_assert_int_eq(accept(""), -1);
	/* Ties go to the first listed. */
	ck_assert_int_eq(accept("en;q=0.8, fr;q=0.8"), RP_LANG_EN);
	ck_assert_int_eq(accept("fr-FR, en"), RP_LANG_FR);
	/* q=0 excludes; * gives its q to what is not named. */
	ck_assert_int_eq(accept("en;q=0, *"), RP_LANG_FR);
	ck_assert_int_eq(accept("fr;q=0, *;q=0.5"), RP_LANG_EN);
	ck_assert_int_eq(accept("fr;q=0,en;q=0"), -1);
	/* A malformed entry is skipped, not fatal. */
	ck_assert_int_eq(accept("en;q=abc, fr"), RP_LANG_FR);
	ck_assert_int_eq(accept("en;q=2, fr;q=0.1"), RP_LANG_FR);
	ck_assert_int_eq(accept("  en ; Q=0.7 ,fr;q=0.6"), RP_LANG_EN);
	ck_assert_int_eq(accept("en;level=1;q=0.9, fr;q=0.5"), RP_LANG_EN);
}
END_TEST

START_TEST(choice_order)
{
	ck_assert_int_eq(rp_lang_choose("EN", "fr", RP_LANG_FR), RP_LANG_EN);
	ck_assert_int_eq(rp_lang_choose(" fr-FR", "en", RP_LANG_EN), RP_LANG_FR);
	ck_assert_int_eq(rp_lang_choose("xx", "en;q=0.5", RP_LANG_FR), RP_LANG_EN);
	ck_assert_int_eq(rp_lang_choose(NULL, "de", RP_LANG_EN), RP_LANG_EN);
	ck_assert_int_eq(rp_lang_choose(NULL, NULL, RP_LANG_FR), RP_LANG_FR);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("i18n");
	TCase *tc = tcase_create("i18n");

	tcase_add_test(tc, every_message_in_both_languages);
	tcase_add_test(tc, language_tags);
	tcase_add_test(tc, accept_language);
	tcase_add_test(tc, choice_order);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
