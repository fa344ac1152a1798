/* test_sim_parse.c: the simulator's answers, fetched with libcurl and read by the real parser (lib/parse.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <curl/curl.h>

#include "attr.h"
#include "parse.h"
#include "profile.h"
#include "testutil.h"
#include "simproc.h"

/* Asks the simulator for infos as token; parses the body whatever the status. */
static struct rp_profile *
ask(const char *infos, const char *token)
{
	struct rp_profile *p = NULL;
	rp_attrset set;
	char *etok, *body, path[1024];
	long status;

	ck_assert_int_eq(rp_attrset_parse(infos, &set, NULL, NULL), 0);
	etok = curl_easy_escape(NULL, token, 0);
	snprintf(path, sizeof(path), "/PersonalRichProfile/V1?action="
	    "getPersonalRichProfile&infos=%s&token=%s", infos, etok);
	curl_free(etok);
	body = sim_http(path, 0, &status);
	ck_assert_int_eq(rp_parse(set, NULL, body, strlen(body), &p), RP_OK);
	free(body);
	return p;
}

static const char *
text(const struct rp_profile *p, enum rp_attr_id id)
{
	return rp_profile_value(p, id)->text;
}

START_TEST(granted_every_attribute)
{
	char all[1024];
	struct rp_profile *p;

	ck_assert_int_ge(rp_attrset_format(RP_ATTRSET_ALL, all, sizeof(all)), 0);
	p = ask(all, "tok-amelie-2f9c61d04b");
	ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
	ck_assert_uint_eq(p->present, RP_ATTRSET_ALL);
	ck_assert_uint_eq(p->withheld, 0);
	ck_assert_uint_eq(p->unknown, 0);
	ck_assert_str_eq(text(p, RP_A_FIRSTNAME), "Amélie");
	ck_assert_str_eq(text(p, RP_A_PREFERREDLANGUAGE), "fr-FR");
	ck_assert_str_eq(rp_value_part(rp_profile_value(p, RP_A_HOMEADDRESS), RP_ADDR_STATE),
	    "Île-de-France");
	ck_assert_str_eq(rp_value_part(rp_profile_value(p, RP_A_OFFICEADDRESS), RP_ADDR_CITY),
	    "Issy-les-Moulineaux");
	ck_assert_ptr_null(rp_value_part(rp_profile_value(p, RP_A_OFFICEADDRESS), RP_ADDR_STREET2));
	ck_assert_uint_eq(rp_profile_value(p, RP_A_INTERESTS)->nitems, 4);
	ck_assert_str_eq(rp_profile_value(p, RP_A_INTERESTS)->items[3], "Musées");
	ck_assert_ptr_nonnull(strstr(text(p, RP_A_PICTURESMALL),
	    "/photos/amelie.png?size=small"));
	ck_assert_ptr_null(p->privacy_url);
	rp_profile_free(p);
}
END_TEST

START_TEST(interest_shapes)
{
	static const struct { const char *token; size_t n; const char *last; } c[] = {
		{ "tok-jb-9a1e7c33f0", 7, "Voile" },           /* comma */
		{ "tok-camille-5d2b8e4471", 3, "Cuisine vietnamienne" }, /* semicolon */
		{ "tok-mallory-13e8bb02aa", 4, "</li><li>injected" }, /* newline */
		{ "tok&sophie=1#x%41+y?z/6b", 2, "Lecture" },  /* elements */
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct rp_profile *p = ask("CentersOfInterests", c[i].token);

		ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
		ck_assert_uint_eq(rp_profile_value(p, RP_A_INTERESTS)->nitems, c[i].n);
		ck_assert_str_eq(rp_profile_value(p, RP_A_INTERESTS)->items[c[i].n - 1],
		    c[i].last);
		rp_profile_free(p);
	}
}
END_TEST

START_TEST(hostile_values_verbatim)
{
	struct rp_profile *p = ask("Firstname,Lastname,Displayname,DateOfBirth,"
	    "HomePhone,PictureTagTinyURL", "tok-mallory-13e8bb02aa");

	ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
	ck_assert_str_eq(text(p, RP_A_FIRSTNAME), "<script>alert(1)</script>");
	ck_assert_str_eq(text(p, RP_A_LASTNAME), "O'Brien & \"Fils\" <b>gras</b>");
	ck_assert_str_eq(text(p, RP_A_DATEOFBIRTH), "]]><!-- -->");
	ck_assert_str_eq(text(p, RP_A_HOMEPHONE), "&amp; &lt;not an entity&gt;");
	ck_assert_str_eq(text(p, RP_A_PICTURETINY), "javascript:alert(4)");
	rp_profile_free(p);
}
END_TEST

START_TEST(partial_photo_withheld)
{
	struct rp_profile *p = ask("Firstname,PictureTagSmallURL,PictureTagLargeURL",
	    "tok-camille-5d2b8e4471");
	char want[256];

	ck_assert_int_eq(p->outcome, RP_OUT_PARTIAL);
	ck_assert_uint_eq(p->present, RP_ATTR_BIT(RP_A_FIRSTNAME));
	ck_assert_uint_eq(p->withheld,
	    RP_ATTR_BIT(RP_A_PICTURESMALL) | RP_ATTR_BIT(RP_A_PICTURELARGE));
	snprintf(want, sizeof(want), "%s/urm-gui/interaction.do?familly=RichProfile"
	    "&serviceId=", sim_url);
	ck_assert_ptr_nonnull(p->privacy_url);
	ck_assert_int_eq(strncmp(p->privacy_url, want, strlen(want)), 0);
	ck_assert_ptr_nonnull(strstr(p->privacy_url,
	    "&attributes=PictureTagSmallURL,PictureTagLargeURL&ctx="));
	rp_profile_free(p);
}
END_TEST

START_TEST(refused_minus_3)
{
	struct rp_profile *p = ask("Firstname,Lastname", "tok-maxime-c07d5a19e2");

	ck_assert_int_eq(p->outcome, RP_OUT_REFUSED);
	ck_assert_int_eq(p->code, -3);
	ck_assert_str_eq(p->detail, "PrivacyAccessDeniedException");
	ck_assert_ptr_nonnull(p->privacy_url);
	ck_assert_ptr_nonnull(strstr(p->privacy_url, "&attributes=Firstname,Lastname&"));
	rp_profile_free(p);
}
END_TEST

/* An <error> answer: its outcome and code as the parser reads them. */
static void
expect_error(const char *token, enum rp_outcome outcome, long code)
{
	struct rp_profile *p = ask("Firstname", token);

	ck_assert_int_eq(p->outcome, outcome);
	ck_assert_int_eq(p->code, code);
	rp_profile_free(p);
}

START_TEST(account_errors)
{
	expect_error("no-such-token", RP_OUT_ACCOUNT, 102);
	expect_error("tok-paul-expired-0000", RP_OUT_ACCOUNT, 103);
}
END_TEST

START_TEST(api_errors)
{
	expect_error("fault:code=504", RP_OUT_APIERROR, 504);
	expect_error("fault:code=900", RP_OUT_APIERROR, 900);
	expect_error("", RP_OUT_APIERROR, 201);
}
END_TEST

START_TEST(broken_bodies_malformed)
{
	static const char *const faults[] = {
		"fault:notxml", "fault:truncate", "fault:status=503",
	};
	size_t i;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		struct rp_profile *p = ask("Firstname", faults[i]);

		ck_assert_msg(p->outcome == RP_OUT_MALFORMED, "%s", faults[i]);
		rp_profile_free(p);
	}
}
END_TEST

START_TEST(oversize_too_big)
{
	/* 300 KiB: over the parser's default cap of 256 KiB. */
	struct rp_profile *p = ask("Firstname", "fault:oversize=307200");

	ck_assert_int_eq(p->outcome, RP_OUT_MALFORMED);
	ck_assert_int_eq(p->err, RP_ETOOBIG);
	rp_profile_free(p);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("sim+parse");
	TCase *tc = tcase_create("answers");

	tcase_add_unchecked_fixture(tc, sim_start, sim_stop);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, granted_every_attribute);
	tcase_add_test(tc, interest_shapes);
	tcase_add_test(tc, hostile_values_verbatim);
	tcase_add_test(tc, partial_photo_withheld);
	tcase_add_test(tc, refused_minus_3);
	tcase_add_test(tc, account_errors);
	tcase_add_test(tc, api_errors);
	tcase_add_test(tc, broken_bodies_malformed);
	tcase_add_test(tc, oversize_too_big);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return rp_test_run(suite());
}
