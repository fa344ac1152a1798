/* test_consent.c: privacy URL checks, the consent link, return paths. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "consent.h"
#include "err.h"
#include "testutil.h"

static char *const orange[] = { "privacy.orange.fr", NULL };
static char *const sim[] = { "127.0.0.1:8081", "Privacy.Example.COM", NULL };

static int
ok(const char *url, char *const *hosts)
{
	const char *why = NULL;
	int rc = rp_consent_check(url, hosts, &why);

	if (rc != RP_OK)
		ck_assert_ptr_nonnull(why);
	return rc == RP_OK;
}

START_TEST(accepted_privacy_urls)
{
	ck_assert(ok("http://privacy.orange.fr/urm-gui/interaction.do?familly=F&serviceId=S&attributes=Firstname", orange));
	ck_assert(ok("HTTPS://PRIVACY.ORANGE.FR/x", orange));
	ck_assert(ok("http://privacy.orange.fr:8443/x", orange));   /* "host": any port */
	ck_assert(ok("http://privacy.orange.fr", orange));
	ck_assert(ok("http://127.0.0.1:8081/urm-gui/interaction.do?a=1", sim));
	ck_assert(ok("https://privacy.example.com/", sim));
}
END_TEST

START_TEST(rejected_privacy_urls)
{
	static const char *const bad[] = {
		"http://privacy.orange.fr@evil.com/",
		"http://user:pw@privacy.orange.fr/",
		"http://evil.com/?next=privacy.orange.fr",
		"http://evil.com/privacy.orange.fr",
		"http://privacy.orange.fr.evil.com/",
		"http://evilprivacy.orange.fr/",
		"http://privacy.orange.fr./",
		"http://privacy.orange.fr\\@evil.com/",
		"javascript:alert(1)//privacy.orange.fr",
		"ftp://privacy.orange.fr/",
		"//privacy.orange.fr/",
		"privacy.orange.fr/x",
		"http://privacy.orange.fr/ x",
		"http://privacy.orange.fr/\r\nX: y",
		"http://privacy.orange.fr/\"><script>",
		"http://privacy.orange.fr:99999/",
		"http://privacy.orange.fr:0/",
		"http://privacy.orange.fr:/",
		"http://privacy.orange.fr:80x/",
		"http://[::1]/",
		"http:///x",
		"http://privacy.orange.fr/caf\xc3\xa9",
		"",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!ok(bad[i], orange), "%s accepted", bad[i]);
	ck_assert(!ok(NULL, orange));
	ck_assert(!ok("http://privacy.orange.fr/", NULL));
}
END_TEST

START_TEST(host_port_entries)
{
	/* "host:port" admits that port only, not the default one. */
	ck_assert(!ok("http://127.0.0.1/x", sim));
	ck_assert(!ok("http://127.0.0.1:8082/x", sim));
	ck_assert(!ok("http://127.0.0.1:08081/x", sim));
	ck_assert(ok("http://127.0.0.1:8081/x", sim));
}
END_TEST

/* The consent link for url and return path, or "" with *why when refused. */
static const char *
link(const char *url, const char *site, const char *ret, const char **why)
{
	static char out[2048];
	struct rp_buf b;
	int rc;

	rp_buf_init(&b, 0);
	rc = rp_consent_link(&b, url, sim, site, ret, why);
	strcpy(out, rc == RP_OK ? rp_buf_str(&b) : "");
	if (rc != RP_OK)
		ck_assert_uint_eq(b.len, 0);
	rp_buf_free(&b);
	return out;
}

START_TEST(consent_links)
{
	const char *why = NULL;

	ck_assert_str_eq(link("http://127.0.0.1:8081/urm-gui/interaction.do?familly=F&serviceId=S",
	    "http://127.0.0.1:8080", "/account.html", &why),
	    "http://127.0.0.1:8081/urm-gui/interaction.do?familly=F&serviceId=S"
	    "&urlRetour=http%3A%2F%2F127.0.0.1%3A8080%2Faccount.html");
	ck_assert_str_eq(link("https://privacy.example.com/consent", "https://www.example.com/",
	    "/a?b=c&d=é", &why),
	    "https://privacy.example.com/consent?urlRetour="
	    "https%3A%2F%2Fwww.example.com%2Fa%3Fb%3Dc%26d%3D%C3%A9");
	/* A fragment would swallow urlRetour: it is dropped. */
	ck_assert_str_eq(link("https://privacy.example.com/c?x=1#top", "https://s", "/r", &why),
	    "https://privacy.example.com/c?x=1&urlRetour=https%3A%2F%2Fs%2Fr");
	ck_assert_str_eq(link("https://privacy.example.com/c?", "https://s", "/r", &why),
	    "https://privacy.example.com/c?urlRetour=https%3A%2F%2Fs%2Fr");
	why = NULL;
	ck_assert_str_eq(link("https://evil.com/c", "https://s", "/r", &why), "");
	ck_assert_str_eq(why, "privacy URL host is not in [site] privacy_hosts");
	why = NULL;
	ck_assert_str_eq(link("https://privacy.example.com/c", "https://s", "//evil.com", &why), "");
	ck_assert_ptr_nonnull(why);
}
END_TEST

static int
rpath(const char *p)
{
	return rp_return_path_ok(p, strlen(p));
}

START_TEST(return_paths)
{
	ck_assert(rpath("/"));
	ck_assert(rpath("/account?tab=1#x"));
	ck_assert(rpath("/caf\xc3\xa9"));
	ck_assert(!rpath(""));
	ck_assert(!rpath("account"));
	ck_assert(!rpath("//evil.com"));
	ck_assert(!rpath("/\\evil.com"));
	ck_assert(!rpath("/a\\b"));
	ck_assert(!rpath("https://evil.com"));
	ck_assert(!rpath("/a\r\nb"));
	ck_assert(!rpath("/\t/evil.com"));
	ck_assert(!rpath("/a\x7f"));
	ck_assert(!rpath("/\xff"));
	ck_assert(!rp_return_path_ok("/a\0b", 3));
}
END_TEST

/* Attacks on the consent link (found by the security review). */

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
		/* A decoded NUL: C-string readers cut the name there. */
		"http://privacy.orange.fr/x?a=1&urlRetour%00=https://evil.example/",
		"http://privacy.orange.fr/x?urlRetour%00x=1",
		"http://privacy.orange.fr/x?url%52etour%00=1",
		"http://privacy.orange.fr/x?%75rlRetour=x",
		"http://privacy.orange.fr/x?%75rl%72etour%00%00=x",
		/* A malformed escape: decoders disagree on what it means. */
		"http://privacy.orange.fr/x?urlRetour%=x",
		"http://privacy.orange.fr/x?urlRetour%0=x",
		"http://privacy.orange.fr/x?url%zzRetour=x",
		/* Encoded twice: a double decoder still reads urlRetour. */
		"http://privacy.orange.fr/x?url%2552etour=x",
		"http://privacy.orange.fr/x?urlRetour%2500=x",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!ok(bad[i], orange), "accepted: %s", bad[i]);
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
		"http://privacy.orange.fr/x?a=%00&b=urlRetour%00",
		"http://privacy.orange.fr/x?fam%69lly=1&serviceId=2&a%20b=3&x%2541=4",
		"http://privacy.orange.fr/x?urlRetou%72X=1&%2575rlRetourX=2",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(ok(good[i], orange), "refused: %s", good[i]);
}
END_TEST

/* The link built from an accepted URL goes back to the site, and only there. */
START_TEST(link_goes_back_to_the_site)
{
	struct rp_buf b;
	const char *why = NULL;

	rp_buf_init(&b, 0);
	ck_assert_int_eq(rp_consent_link(&b, "http://privacy.orange.fr/x?a=1#frag",
	    orange, "https://site.example/", "/back?x=1&y=2", &why), RP_OK);
	ck_assert_str_eq(rp_buf_str(&b), "http://privacy.orange.fr/x?a=1"
	    "&urlRetour=https%3A%2F%2Fsite.example%2Fback%3Fx%3D1%26y%3D2");
	rp_buf_reset(&b);
	ck_assert_int_eq(rp_consent_link(&b, "http://privacy.orange.fr/x?urlRetour=https://evil.example/",
	    orange, "https://site.example", "/back", &why), RP_EINVAL);
	ck_assert_ptr_nonnull(why);
	ck_assert_uint_eq(b.len, 0);
	rp_buf_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("consent");
	TCase *tc = tcase_create("consent");

	tcase_add_test(tc, accepted_privacy_urls);
	tcase_add_test(tc, rejected_privacy_urls);
	tcase_add_test(tc, host_port_entries);
	tcase_add_test(tc, consent_links);
	tcase_add_test(tc, return_paths);
	tcase_add_test(tc, preset_url_retour_refused);
	tcase_add_test(tc, lookalike_names_accepted);
	tcase_add_test(tc, link_goes_back_to_the_site);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
