/* test_render.c: every outcome to a fragment and to JSON, with the shipped templates. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "render.h"
#include "render_fixture.h"
#include "testutil.h"

static struct rp_cfg *cfg;
static struct rp_renderer *rdr;

static void
setup(void)
{
	char err[512];

	cfg = fx_cfg(NULL);
	/* The sample allows privacy.orange.fr; the simulator's host is added. */
	ck_assert_msg(rp_renderer_new(cfg, &rdr, err, sizeof(err)) == RP_OK, "%s", err);
}

static void
teardown(void)
{
	rp_renderer_free(rdr);
	rp_cfg_free(cfg);
}

/* A granted card profile with a hostile display name. */
static struct rp_profile *
card(enum rp_outcome outcome)
{
	static const char *const interests[] = { "jazz", "échecs", NULL };
	struct rp_profile *p = fx_profile(outcome, rp_cfg_view(cfg, "card")->infos);

	fx_set(p, RP_A_DISPLAYNAME, "<script>alert('x')</script>Ada");
	fx_set(p, RP_A_PICTUREMEDIUM, "https://photos.example.com/ada.png");
	fx_set(p, RP_A_PICTURESMALL, "javascript:alert(1)");
	fx_list(p, RP_A_INTERESTS, interests);
	return p;
}

struct out {
	char *html;
	struct rp_render_res res;
};

typedef enum rp_err (*render_fn)(const struct rp_renderer *, const struct rp_render_req *,
    struct rp_buf *, struct rp_render_res *);

static struct out
run(render_fn f, const char *view, const struct rp_profile *p, const char *accept,
    const char *ret)
{
	struct rp_render_req req = { rp_cfg_view(cfg, view), p, accept, ret };
	struct out o;
	struct rp_buf b;

	rp_buf_init(&b, 0);
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(f(rdr, &req, &b, &o.res), RP_OK);
	o.html = strdup(rp_buf_str(&b));
	rp_buf_free(&b);
	return o;
}

/* Whether any tag of html carries an event-handler attribute (on...=). */
static int
has_handler(const char *html)
{
	const char *p;
	char quote = 0;
	int intag = 0;

	for (p = html; *p != '\0'; p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
		} else if (!intag)
			intag = *p == '<';
		else if (*p == '>')
			intag = 0;
		else if (*p == '"' || *p == '\'')
			quote = *p;
		else if ((*p == ' ' || *p == '\n' || *p == '\t') &&
		    (p[1] == 'o' || p[1] == 'O') && (p[2] == 'n' || p[2] == 'N'))
			return 1;
	}
	return 0;
}

static struct out
fragment(const char *view, const struct rp_profile *p, const char *accept,
    const char *ret)
{
	struct out o = run(rp_render_fragment, view, p, accept, ret);

	/* Every fragment works under a strict Content-Security-Policy. */
	ck_assert_ptr_null(strstr(o.html, "<script"));
	ck_assert_ptr_null(strstr(o.html, "<style"));
	ck_assert_ptr_null(strstr(o.html, "style="));
	ck_assert_msg(!has_handler(o.html), "event handler in %s", o.html);
	return o;
}

static struct out
json(const char *view, const struct rp_profile *p, const char *accept)
{
	return run(rp_render_json, view, p, accept, NULL);
}

#define HAS(o, s) ck_assert_msg(strstr((o).html, (s)) != NULL, "missing %s in\n%s", (s), (o).html)
#define HASNT(o, s) ck_assert_msg(strstr((o).html, (s)) == NULL, "unexpected %s in\n%s", (s), (o).html)

START_TEST(ok_card)
{
	struct rp_profile *p = card(RP_OUT_GRANTED);
	struct out o = fragment("card", p, NULL, NULL);

	ck_assert_int_eq(o.res.status, RP_ST_OK);
	ck_assert_int_eq(o.res.http_status, 200);
	ck_assert_int_eq(o.res.lang, RP_LANG_FR);
	ck_assert_ptr_null(o.res.consent_problem);
	HAS(o, "<div class=\"rp rp-ok\" lang=\"fr\">");
	HAS(o, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;Ada");
	HAS(o, "<img class=\"rp-photo\" src=\"https://photos.example.com/ada.png\" alt=\"Photo de profil\"");
	HAS(o, "<li class=\"rp-tag\">jazz</li><li class=\"rp-tag\">échecs</li>");
	HAS(o, "aria-label=\"Centres d&#39;intérêt\"");
	HASNT(o, "javascript");
	free(o.html);
	rp_profile_free(p);
}
END_TEST

START_TEST(ok_card_fallbacks)
{
	struct rp_profile *p = fx_profile(RP_OUT_GRANTED, rp_cfg_view(cfg, "card")->infos);
	struct out o;

	fx_set(p, RP_A_FIRSTNAME, "Ada");
	fx_set(p, RP_A_LASTNAME, "Lovelace");
	fx_set(p, RP_A_PICTURESMALL, "http://127.0.0.1:8081/photos/ada.png");
	o = fragment("card", p, NULL, NULL);
	HAS(o, "<p class=\"rp-name\">Ada Lovelace</p>");
	HAS(o, "src=\"http://127.0.0.1:8081/photos/ada.png\"");
	HASNT(o, "rp-tags");
	free(o.html);
	rp_profile_free(p);
}
END_TEST

START_TEST(ok_account_every_attribute)
{
	struct rp_profile *p = fx_profile(RP_OUT_GRANTED, RP_ATTRSET_ALL);
	struct out o;
	char want[256];
	int i;

	for (i = 0; i < RP_ATTR__COUNT; i++) {
		const struct rp_attr *a = rp_attr_get((enum rp_attr_id)i);

		if (a->kind == RP_KIND_ADDRESS)
			fx_addr(p, (enum rp_attr_id)i, RP_ADDR_CITY, a->name);
		else if (a->kind == RP_KIND_LIST) {
			const char *items[] = { a->name, NULL };

			fx_list(p, (enum rp_attr_id)i, items);
		} else if (a->kind == RP_KIND_URL) {
			snprintf(want, sizeof(want), "https://p.example/%s", a->name);
			fx_set(p, (enum rp_attr_id)i, want);
		} else
			fx_set(p, (enum rp_attr_id)i, a->name);
	}
	o = fragment("account", p, "en", NULL);
	ck_assert_int_eq(o.res.lang, RP_LANG_EN);
	/* Every value with its label, except the photos, of which one shows. */
	for (i = 0; i < RP_ATTR__COUNT; i++) {
		const struct rp_attr *a = rp_attr_get((enum rp_attr_id)i);

		if (a->kind == RP_KIND_URL)
			continue;
		HAS(o, a->label_en);
		snprintf(want, sizeof(want), ">%s<", a->name);
		HAS(o, want);
	}
	HAS(o, "src=\"https://p.example/PictureTagLargeURL\"");
	free(o.html);
	rp_profile_free(p);
}
END_TEST

START_TEST(partial_names_withheld_and_links)
{
	struct rp_profile *p = card(RP_OUT_PARTIAL);
	struct out o;

	fx_withhold(p, RP_A_INTERESTS);
	fx_withhold(p, RP_A_PICTURESMALL);
	fx_privacy(p, "http://privacy.orange.fr/urm-gui/interaction.do?familly=F&serviceId=S&attributes=CentersOfInterests");
	o = fragment("card", p, NULL, "/profil?tab=2");
	ck_assert_int_eq(o.res.status, RP_ST_PARTIAL);
	ck_assert_int_eq(o.res.http_status, 200);
	HAS(o, "<div class=\"rp rp-partial\" lang=\"fr\">");
	HAS(o, "alert(&#39;x&#39;)&lt;/script&gt;Ada");   /* the granted part */
	HAS(o, "<li>Photo (petite)</li><li>Centres d&#39;intérêt</li>");
	HAS(o, "href=\"http://privacy.orange.fr/urm-gui/interaction.do?familly=F&amp;serviceId=S"
	    "&amp;attributes=CentersOfInterests&amp;urlRetour=https%3A%2F%2Fwww.example.com%2Fprofil%3Ftab%3D2\"");
	free(o.html);
	/* No return given: the configured return_path. */
	o = fragment("card", p, NULL, NULL);
	HAS(o, "urlRetour=https%3A%2F%2Fwww.example.com%2Faccount\"");
	free(o.html);
	/* A bad return given anyway: still the configured one. */
	o = fragment("card", p, NULL, "//evil.com");
	HAS(o, "urlRetour=https%3A%2F%2Fwww.example.com%2Faccount\"");
	free(o.html);
	rp_profile_free(p);
}
END_TEST

START_TEST(consent_with_and_without_link)
{
	struct rp_profile *p = fx_profile(RP_OUT_REFUSED, RP_ATTRSET_ALL);
	struct out o;

	p->code = -3;
	fx_privacy(p, "https://privacy.orange.fr/urm-gui/interaction.do?familly=F");
	o = fragment("card", p, "en-US,en;q=0.9", NULL);
	ck_assert_int_eq(o.res.status, RP_ST_CONSENT);
	ck_assert_int_eq(o.res.http_status, 403);
	HAS(o, "<div class=\"rp rp-consent\" lang=\"en\">");
	HAS(o, "This site needs your consent");
	HAS(o, "href=\"https://privacy.orange.fr/urm-gui/interaction.do?familly=F&amp;urlRetour=");
	HASNT(o, "customer area");
	free(o.html);
	rp_profile_free(p);

	/* The userinfo trick: the message, no link, a reason for the log. */
	p = fx_profile(RP_OUT_REFUSED, RP_ATTRSET_ALL);
	fx_privacy(p, "http://privacy.orange.fr@evil.com/x");
	o = fragment("card", p, "en", NULL);
	ck_assert_int_eq(o.res.status, RP_ST_CONSENT);
	ck_assert_str_eq(o.res.consent_problem, "privacy URL carries userinfo (user@host)");
	HAS(o, "customer area");
	HASNT(o, "href");
	HASNT(o, "evil");
	free(o.html);
	rp_profile_free(p);

	p = fx_profile(RP_OUT_REFUSED, RP_ATTRSET_ALL);
	o = fragment("card", p, "en", NULL);
	ck_assert_str_eq(o.res.consent_problem, "the API gave no privacy URL");
	HASNT(o, "href");
	free(o.html);
	rp_profile_free(p);
}
END_TEST

START_TEST(signin_and_unavailable)
{
	static const enum rp_outcome down[] = { RP_OUT_APIERROR, RP_OUT_MALFORMED, RP_OUT_UPSTREAM };
	struct rp_profile *p;
	struct out o;
	size_t i;

	o = fragment("card", NULL, NULL, NULL);
	ck_assert_int_eq(o.res.status, RP_ST_SIGNIN);
	ck_assert_int_eq(o.res.http_status, 401);
	HAS(o, "<div class=\"rp rp-signin\" lang=\"fr\">");
	HAS(o, "<a class=\"rp-button rp-signin-link\" href=\"/login\">Se connecter</a>");
	free(o.html);

	p = fx_profile(RP_OUT_ACCOUNT, RP_ATTRSET_ALL);
	p->code = 102;
	o = fragment("card", p, NULL, NULL);
	ck_assert_int_eq(o.res.status, RP_ST_SIGNIN);
	free(o.html);
	rp_profile_free(p);

	for (i = 0; i < sizeof(down) / sizeof(down[0]); i++) {
		p = fx_profile(down[i], RP_ATTRSET_ALL);
		fx_set(p, RP_A_FIRSTNAME, "Leaked");
		o = fragment("card", p, "en", NULL);
		ck_assert_int_eq(o.res.status, RP_ST_UNAVAILABLE);
		ck_assert_int_eq(o.res.http_status, 503);
		HAS(o, "<div class=\"rp rp-unavailable\" lang=\"en\">");
		HAS(o, "unavailable right now");
		HASNT(o, "Leaked");
		free(o.html);
		rp_profile_free(p);
	}
}
END_TEST

START_TEST(language_choice)
{
	struct rp_profile *p = card(RP_OUT_PARTIAL);
	struct out o;

	fx_withhold(p, RP_A_LASTNAME);
	fx_set(p, RP_A_PREFERREDLANGUAGE, "EN-gb");
	o = fragment("card", p, "fr", NULL);
	ck_assert_int_eq(o.res.lang, RP_LANG_EN);
	HAS(o, "<li>Last name</li>");
	free(o.html);
	rp_profile_free(p);
	p = card(RP_OUT_PARTIAL);
	fx_withhold(p, RP_A_LASTNAME);
	o = fragment("card", p, "de, en;q=0.5", NULL);
	ck_assert_int_eq(o.res.lang, RP_LANG_EN);
	free(o.html);
	o = fragment("card", p, "de", NULL);
	ck_assert_int_eq(o.res.lang, RP_LANG_FR);
	HAS(o, "<li>Nom</li>");
	free(o.html);
	rp_profile_free(p);
}
END_TEST

START_TEST(json_outcomes)
{
	struct rp_profile *p = card(RP_OUT_PARTIAL);
	struct out o;

	fx_withhold(p, RP_A_LASTNAME);
	fx_privacy(p, "http://privacy.orange.fr/i.do?a=1");
	o = json("card", p, "en");
	ck_assert_int_eq(o.res.status, RP_ST_PARTIAL);
	ck_assert_str_eq(o.html,
	    "{\"status\":\"partial\",\"lang\":\"en\",\"view\":\"card\","
	    "\"message\":\"Some details of your profile are not shared with this site.\","
	    "\"attributes\":{\"Displayname\":\"\\u003cscript\\u003ealert('x')\\u003c/script\\u003eAda\","
	    "\"PictureTagMediumURL\":\"https://photos.example.com/ada.png\","
	    "\"CentersOfInterests\":[\"jazz\",\"échecs\"]},"
	    "\"withheld\":[{\"name\":\"Lastname\",\"label\":\"Last name\"}],"
	    "\"consent_url\":\"http://privacy.orange.fr/i.do?a=1\\u0026urlRetour=https%3A%2F%2Fwww.example.com%2Faccount\","
	    "\"login_url\":null}");
	free(o.html);
	rp_profile_free(p);

	/* An address is an object of its parts (the account view asks for it). */
	p = fx_profile(RP_OUT_GRANTED, RP_ATTRSET_ALL);
	fx_addr(p, RP_A_HOMEADDRESS, RP_ADDR_CITY, "Paris");
	o = json("account", p, "en");
	ck_assert_msg(strstr(o.html, "\"attributes\":{\"HomeAddress\":{\"City\":\"Paris\"}}") != NULL,
	    "%s", o.html);
	free(o.html);
	rp_profile_free(p);

	o = json("card", NULL, NULL);
	ck_assert_int_eq(o.res.http_status, 401);
	ck_assert_str_eq(o.html,
	    "{\"status\":\"signin\",\"lang\":\"fr\",\"view\":\"card\","
	    "\"message\":\"Connectez-vous pour afficher votre profil.\","
	    "\"attributes\":{},\"withheld\":[],\"consent_url\":null,\"login_url\":\"/login\"}");
	free(o.html);

	p = fx_profile(RP_OUT_UPSTREAM, RP_ATTRSET_ALL);
	fx_set(p, RP_A_FIRSTNAME, "Leaked");
	o = json("card", p, "en");
	ck_assert_int_eq(o.res.http_status, 503);
	HAS(o, "\"status\":\"unavailable\"");
	HAS(o, "\"attributes\":{}");
	free(o.html);
	rp_profile_free(p);

	p = fx_profile(RP_OUT_REFUSED, RP_ATTRSET_ALL);
	fx_privacy(p, "http://evil.com/");
	o = json("card", p, "en");
	ck_assert_int_eq(o.res.http_status, 403);
	HAS(o, "\"consent_url\":null");
	ck_assert_ptr_nonnull(o.res.consent_problem);
	free(o.html);
	rp_profile_free(p);
}
END_TEST

START_TEST(errors)
{
	struct rp_buf b;
	struct rp_view other = { "nope", 0, "card.html" };
	struct rp_render_req req = { &other, NULL, NULL, NULL };
	struct rp_render_res res;

	rp_buf_init(&b, 0);
	ck_assert_int_eq(rp_render_error(rdr, 404, "en", &b), RP_OK);
	ck_assert_str_eq(rp_buf_str(&b), "<div class=\"rp rp-error\" lang=\"en\">\n<p>Not found.</p>\n</div>\n");
	rp_buf_reset(&b);
	ck_assert_int_eq(rp_render_error(rdr, 405, NULL, &b), RP_OK);
	ck_assert_ptr_nonnull(strstr(rp_buf_str(&b), "Méthode non autorisée."));
	rp_buf_reset(&b);
	ck_assert_int_eq(rp_render_error(rdr, 400, "en", &b), RP_OK);
	ck_assert_ptr_nonnull(strstr(rp_buf_str(&b), "Bad request"));
	rp_buf_reset(&b);
	ck_assert_int_eq(rp_render_error_json(rdr, 400, "en", &b), RP_OK);
	ck_assert_str_eq(rp_buf_str(&b), "{\"status\":\"error\",\"code\":400,\"lang\":\"en\","
	    "\"message\":\"Bad request: this profile cannot be shown.\"}");
	rp_buf_reset(&b);
	/* A view the renderer was not built with. */
	ck_assert_int_eq(rp_render_fragment(rdr, &req, &b, &res), RP_EINVAL);
	rp_buf_free(&b);
}
END_TEST

/* Copies the shipped templates into a temporary directory; returns it. */
static char *
copy_templates(void)
{
	char tmpl[] = "/tmp/rp-render-XXXXXX", rel[64], path[512], *dir, *s;
	size_t i, n;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	dir = strdup(tmpl);
	for (i = 0; fx_templates[i] != NULL; i++) {
		snprintf(rel, sizeof(rel), "conf/templates/%s", fx_templates[i]);
		s = rp_test_slurp(rp_test_srcpath(rel), &n);
		snprintf(path, sizeof(path), "%s/%s", dir, fx_templates[i]);
		ck_assert_ptr_nonnull(f = fopen(path, "wb"));
		ck_assert_uint_eq(fwrite(s, 1, n, f), n);
		fclose(f);
		free(s);
	}
	return dir;
}

static void
remove_templates(char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(dir);
}

START_TEST(broken_templates_named_at_start)
{
	struct rp_cfg *c;
	struct rp_renderer *r = NULL;
	char *dir = copy_templates(), path[600], err[600], want[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/card.html", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("<div>\n  <a href=\"{{Firstname}}\">x</a>\n</div>\n", f);
	fclose(f);
	c = fx_cfg(dir);
	ck_assert_int_eq(rp_renderer_new(c, &r, err, sizeof(err)), RP_ETEMPLATE);
	ck_assert_ptr_null(r);
	snprintf(want, sizeof(want), "%s:2:12: only a URL value", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	rp_cfg_free(c);

	snprintf(path, sizeof(path), "%s/signin.html", dir);
	ck_assert_int_eq(unlink(path), 0);
	c = fx_cfg(dir);
	ck_assert_int_eq(rp_renderer_new(c, &r, err, sizeof(err)), RP_EIO);
	snprintf(want, sizeof(want), "%s: cannot open template", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	rp_cfg_free(c);
	remove_templates(dir);
}
END_TEST

/* The real parser's profile for an API body. */
static struct rp_profile *
parsed(const char *view, const char *body)
{
	struct rp_profile *p = NULL;

	ck_assert_int_eq(rp_parse(rp_cfg_view(cfg, view)->infos, NULL, body, strlen(body), &p),
	    RP_OK);
	return p;
}

START_TEST(from_parsed_bodies)
{
	struct rp_profile *p;
	struct out o;

	/* Hostile values as the API would send them, XML-escaped. */
	p = parsed("card", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<getPersonalRichProfileReturn><Data><UserAuthorizedData>"
	    "<Firstname>&lt;img src=x onerror=alert(1)&gt;</Firstname><Lastname>O'Hara &amp; \"Co\"</Lastname>"
	    "<PictureTagMediumURL>javascript:alert(document.cookie)</PictureTagMediumURL>"
	    "<PictureTagSmallURL>http://127.0.0.1:8081/photos/ada.png</PictureTagSmallURL>"
	    "<CentersOfInterests><Interest>jazz</Interest><Interest>&lt;/li&gt;&lt;script&gt;</Interest></CentersOfInterests>"
	    "</UserAuthorizedData>"
	    "<UserUnauthorizedData><Displayname/></UserUnauthorizedData>"
	    "<url>http://privacy.orange.fr/urm-gui/interaction.do?familly=RichProfile&amp;serviceId=42&amp;attributes=Displayname</url>"
	    "</Data></getPersonalRichProfileReturn>");
	o = fragment("card", p, NULL, "/mon-compte");
	ck_assert_int_eq(o.res.status, RP_ST_PARTIAL);
	HAS(o, "<p class=\"rp-name\">&lt;img src=x onerror=alert(1)&gt; O&#39;Hara &amp; &quot;Co&quot;</p>");
	HAS(o, "src=\"http://127.0.0.1:8081/photos/ada.png\"");
	HAS(o, "<li class=\"rp-tag\">&lt;/li&gt;&lt;script&gt;</li>");
	HAS(o, "<li>Nom affiché</li>");
	HAS(o, "href=\"http://privacy.orange.fr/urm-gui/interaction.do?familly=RichProfile&amp;serviceId=42"
	    "&amp;attributes=Displayname&amp;urlRetour=https%3A%2F%2Fwww.example.com%2Fmon-compte\"");
	HASNT(o, "javascript");
	HASNT(o, "<img src=x");
	free(o.html);
	rp_profile_free(p);

	p = parsed("card", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<error><code>-3</code><detail>PrivacyAccessDeniedException</detail>"
	    "<url>http://privacy.orange.fr/urm-gui/interaction.do?familly=RichProfile&amp;serviceId=42</url></error>");
	o = fragment("card", p, "en", NULL);
	ck_assert_int_eq(o.res.status, RP_ST_CONSENT);
	HAS(o, "<a class=\"rp-button rp-consent-link\" href=\"http://privacy.orange.fr/urm-gui/interaction.do?"
	    "familly=RichProfile&amp;serviceId=42&amp;urlRetour=https%3A%2F%2Fwww.example.com%2Faccount\">"
	    "Manage my permissions</a>");
	free(o.html);
	rp_profile_free(p);

	p = parsed("card", "<?xml version=\"1.0\"?><error><code>103</code><detail>expired</detail></error>");
	o = fragment("card", p, "en", NULL);
	ck_assert_int_eq(o.res.status, RP_ST_SIGNIN);
	free(o.html);
	rp_profile_free(p);

	p = parsed("card", "<html><body>Bad gateway</body></html>");
	o = fragment("card", p, "en", NULL);
	ck_assert_int_eq(o.res.status, RP_ST_UNAVAILABLE);
	free(o.html);
	rp_profile_free(p);
}
END_TEST

/*
 * A view shows only what it asks for: a value the API sends unasked is
 * treated as absent, in the fragment and in JSON alike, and the renderer
 * warns about the template places that can then never fill.
 */
START_TEST(unasked_values_not_rendered)
{
	static const char body[] = "<?xml version=\"1.0\"?>"
	    "<getPersonalRichProfileReturn><Data><UserAuthorizedData>"
	    "<Firstname>Ada</Firstname><Lastname>Lovelace</Lastname>"
	    "<Displayname>Ada L.</Displayname>"
	    "<PictureTagMediumURL>https://photos.example.com/unasked.png</PictureTagMediumURL>"
	    "<PictureTagSmallURL>https://photos.example.com/small.png</PictureTagSmallURL>"
	    "<CentersOfInterests>jazz</CentersOfInterests><PreferredLanguage>en</PreferredLanguage>"
	    "</UserAuthorizedData></Data></getPersonalRichProfileReturn>";
	struct rp_cfg *c = fx_cfg(NULL);
	struct rp_view *v = (struct rp_view *)rp_cfg_view(c, "card");
	struct rp_renderer *r = NULL;
	struct rp_render_req req;
	struct rp_render_res res;
	struct rp_profile *p;
	struct rp_buf b;
	char err[1024];
	size_t i, card = (size_t)(v - c->views);

	/* The view no longer asks for Lastname nor the medium photo. */
	v->infos &= ~(RP_ATTR_BIT(RP_A_LASTNAME) | RP_ATTR_BIT(RP_A_PICTUREMEDIUM));
	ck_assert_msg(rp_renderer_new(c, &r, err, sizeof(err)) == RP_OK, "%s", err);
	ck_assert_int_eq(rp_parse(v->infos, NULL, body, strlen(body), &p), RP_OK);
	/* The API did send them: the parser keeps what came. */
	ck_assert(rp_profile_has(p, RP_A_LASTNAME));
	ck_assert(rp_profile_has(p, RP_A_PICTUREMEDIUM));

	req.view = v;
	req.profile = p;
	req.accept_language = NULL;
	req.return_path = NULL;
	rp_buf_init(&b, 0);
	ck_assert_int_eq(rp_render_fragment(r, &req, &b, &res), RP_OK);
	ck_assert_int_eq(res.status, RP_ST_OK);
	ck_assert_msg(strstr(rp_buf_str(&b), "Lovelace") == NULL, "unasked value shown:\n%s",
	    rp_buf_str(&b));
	ck_assert_msg(strstr(rp_buf_str(&b), "unasked.png") == NULL, "unasked value shown:\n%s",
	    rp_buf_str(&b));
	/* What it asked for is there; the photo falls back to the small one. */
	ck_assert_msg(strstr(rp_buf_str(&b), "Ada L.") != NULL, "%s", rp_buf_str(&b));
	ck_assert_msg(strstr(rp_buf_str(&b), "small.png") != NULL, "%s", rp_buf_str(&b));
	rp_buf_reset(&b);
	ck_assert_int_eq(rp_render_json(r, &req, &b, &res), RP_OK);
	ck_assert_msg(strstr(rp_buf_str(&b), "\"Displayname\":\"Ada L.\"") != NULL, "%s",
	    rp_buf_str(&b));
	ck_assert_msg(strstr(rp_buf_str(&b), "Lovelace") == NULL, "unasked value in JSON:\n%s",
	    rp_buf_str(&b));
	ck_assert_msg(strstr(rp_buf_str(&b), "unasked.png") == NULL, "unasked value in JSON:\n%s",
	    rp_buf_str(&b));
	rp_buf_free(&b);
	rp_profile_free(p);

	/* The same places are named once, for that view only. */
	for (i = 0; i < c->nviews; i++) {
		int warned = rp_renderer_view_warning(r, i, err, sizeof(err));

		ck_assert_int_eq(warned, i == card);
		if (i != card)
			continue;
		ck_assert_msg(strstr(err, "[view card]: card.html shows Lastname, "
		    "PictureTagMediumURL, which its infos does not ask for") != NULL, "%s", err);
		ck_assert_msg(strstr(err, "add them to infos or remove them from the template") != NULL,
		    "%s", err);
	}
	rp_renderer_free(r);
	rp_cfg_free(c);
}
END_TEST

/* The shipped configuration asks for everything its templates show. */
START_TEST(sample_views_ask_for_what_they_show)
{
	char err[1024];
	size_t i;

	for (i = 0; i < cfg->nviews; i++)
		ck_assert_msg(!rp_renderer_view_warning(rdr, i, err, sizeof(err)), "%s", err);
}
END_TEST

START_TEST(status_names)
{
	ck_assert_str_eq(rp_status_name(RP_ST_OK), "ok");
	ck_assert_str_eq(rp_status_name(RP_ST_PARTIAL), "partial");
	ck_assert_str_eq(rp_status_name(RP_ST_CONSENT), "consent");
	ck_assert_str_eq(rp_status_name(RP_ST_SIGNIN), "signin");
	ck_assert_str_eq(rp_status_name(RP_ST_UNAVAILABLE), "unavailable");
	ck_assert_int_eq(rp_status_of(NULL), RP_ST_SIGNIN);
	/* The CSP check of every fragment above can fail. */
	ck_assert(has_handler("<b class=\"x\" onclick=\"y\">"));
	ck_assert(!has_handler("<b title=\"a onx=\">a onclick=</b>"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("render");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ok_card);
	tcase_add_test(tc, ok_card_fallbacks);
	tcase_add_test(tc, ok_account_every_attribute);
	tcase_add_test(tc, partial_names_withheld_and_links);
	tcase_add_test(tc, consent_with_and_without_link);
	tcase_add_test(tc, signin_and_unavailable);
	tcase_add_test(tc, language_choice);
	tcase_add_test(tc, json_outcomes);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, broken_templates_named_at_start);
	tcase_add_test(tc, from_parsed_bodies);
	tcase_add_test(tc, unasked_values_not_rendered);
	tcase_add_test(tc, sample_views_ask_for_what_they_show);
	tcase_add_test(tc, status_names);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
