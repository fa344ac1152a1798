/* test_security_consent.c: attacks on the consent link that unit tests of consent.c leave out. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "consent.h"
#include "err.h"
#include "testutil.h"

static char *const hosts[] = { "privacy.orange.fr", NULL };

static int
accepted(const char *url)
{
	const char *why = NULL;
	int rc = rp_consent_check(url, hosts, &why);

	if (rc != RP_OK)
		ck_assert_ptr_nonnull(why);
	return rc == RP_OK;
}

/*
 * A privacy URL that names its own urlRetour would let the privacy page
 * send the user to whatever the API said, not to the site: refused,
 * however the name is spelled or encoded.
 */
START_TEST(preset_url_retour_refused)
{
	static const char *const bad[] = {
		"http://privacy.orange.fr/x?urlRetour=https://evil.example/",
		"http://privacy.orange.fr/x?a=1&urlRetour=https%3A%2F%2Fevil.example%2F",
		"http://privacy.orange.fr/x?a=1&URLRETOUR=x",
		"http://privacy.orange.fr/x?a=1&urlretour",
		"http://privacy.orange.fr/x?a=1;urlRetour=x",
		"http://privacy.orange.fr/x?a=1&url%52etour=x",
		"http://privacy.orange.fr/x?a=1&%75%72%6C%52%65%74%6F%75%72=x",
		"https://privacy.orange.fr/x?&&urlRetour=&b=2",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!accepted(bad[i]), "accepted: %s", bad[i]);
}
END_TEST

START_TEST(lookalike_names_accepted)
{
	static const char *const good[] = {
		"http://privacy.orange.fr/x?myurlRetour=1&urlRetourX=2",
		"http://privacy.orange.fr/urlRetour?a=1",
		"http://privacy.orange.fr/x?a=urlRetour",
		"http://privacy.orange.fr/x?a=1#urlRetour=x",
		"http://privacy.orange.fr/x?a=%zz&b=1",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(accepted(good[i]), "refused: %s", good[i]);
}
END_TEST

/* The link built from an accepted URL goes back to the site, and only there. */
START_TEST(link_goes_back_to_the_site)
{
	struct rp_buf b;
	const char *why = NULL;

	rp_buf_init(&b, 0);
	ck_assert_int_eq(rp_consent_link(&b, "http://privacy.orange.fr/x?a=1#frag",
	    hosts, "https://site.example/", "/back?x=1&y=2", &why), RP_OK);
	ck_assert_str_eq(rp_buf_str(&b), "http://privacy.orange.fr/x?a=1"
	    "&urlRetour=https%3A%2F%2Fsite.example%2Fback%3Fx%3D1%26y%3D2");
	rp_buf_reset(&b);
	ck_assert_int_eq(rp_consent_link(&b, "http://privacy.orange.fr/x?urlRetour=https://evil.example/",
	    hosts, "https://site.example", "/back", &why), RP_EINVAL);
	ck_assert_ptr_nonnull(why);
	ck_assert_uint_eq(b.len, 0);
	rp_buf_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("security_consent");
	TCase *tc = tcase_create("consent");

	tcase_add_test(tc, preset_url_retour_refused);
	tcase_add_test(tc, lookalike_names_accepted);
	tcase_add_test(tc, link_goes_back_to_the_site);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
