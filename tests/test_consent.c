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
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
