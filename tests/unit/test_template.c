/* test_template.c: template syntax, context-aware escaping, every compile error. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "render_fixture.h"
#include "template.h"
#include "testutil.h"

static struct rp_profile *prof;

static void
setup(void)
{
	static const char *const interests[] = { "jazz", "<b>chess</b>", "vélo", NULL };

	prof = fx_profile(RP_OUT_PARTIAL, RP_ATTRSET_ALL);
	fx_set(prof, RP_A_FIRSTNAME, "Ada");
	fx_set(prof, RP_A_LASTNAME, "<script>alert(1)</script>");
	fx_set(prof, RP_A_DISPLAYNAME, "\" onmouseover=\"alert(1)");
	fx_set(prof, RP_A_PICTURESMALL, "https://photos.example.com/ada.png?s=1&t=2");
	fx_set(prof, RP_A_PICTUREMEDIUM, "javascript:alert(1)");
	fx_set(prof, RP_A_PICTURELARGE, "http://x/\"onerror=\"alert(1)");
	fx_set(prof, RP_A_USEREMAIL, "ada@example.com");
	fx_list(prof, RP_A_INTERESTS, interests);
	fx_addr(prof, RP_A_HOMEADDRESS, RP_ADDR_STREET1, "1 rue de la Paix");
	fx_addr(prof, RP_A_HOMEADDRESS, RP_ADDR_ZIPCODE, "75002");
	fx_addr(prof, RP_A_HOMEADDRESS, RP_ADDR_CITY, "Paris");
	fx_addr(prof, RP_A_HOMEADDRESS, RP_ADDR_COUNTRY, "France");
	fx_withhold(prof, RP_A_USERTYPE);
	fx_withhold(prof, RP_A_GENDER);
}

static void
teardown(void)
{
	rp_profile_free(prof);
}

/* Compiles src (failing the test on error) and renders it with ctx. */
static char *
render_ctx(const char *src, const struct rp_tmpl_ctx *ctx)
{
	struct rp_tmpl *t = NULL;
	struct rp_buf b;
	char err[256] = "", *s;

	ck_assert_msg(rp_tmpl_compile("t.html", src, strlen(src), &t, err, sizeof(err)) == RP_OK,
	    "compile: %s", err);
	rp_buf_init(&b, 0);
	ck_assert_int_eq(rp_tmpl_render(t, ctx, &b), RP_OK);
	s = strdup(rp_buf_str(&b));
	rp_buf_free(&b);
	rp_tmpl_free(t);
	return s;
}

static void
expect(const char *src, const char *want)
{
	struct rp_tmpl_ctx ctx;
	char *got;

	memset(&ctx, 0, sizeof(ctx));
	ctx.profile = prof;
	ctx.shown = RP_ATTRSET_ALL;
	ctx.lang = RP_LANG_EN;
	ctx.status = "partial";
	ctx.consent_url = "http://privacy.orange.fr/i.do?a=1&urlRetour=x";
	ctx.login_url = "/login";
	ctx.return_url = "https://www.example.com/account";
	ctx.return_path = "/account";
	got = render_ctx(src, &ctx);
	ck_assert_msg(strcmp(got, want) == 0, "template %s\n rendered %s\n wanted   %s", src, got, want);
	free(got);
}

/* Compiling src fails with exactly this message. */
static void
refuse(const char *src, const char *want)
{
	struct rp_tmpl *t = NULL;
	char err[512] = "";

	ck_assert_int_eq(rp_tmpl_compile("t.html", src, strlen(src), &t, err, sizeof(err)),
	    RP_ETEMPLATE);
	ck_assert_ptr_null(t);
	ck_assert_msg(strcmp(err, want) == 0, "template %s\n error  %s\n wanted %s", src, err, want);
}

START_TEST(values_escaped_in_text)
{
	expect("<p>{{Firstname}} {{Lastname}}</p>",
	    "<p>Ada &lt;script&gt;alert(1)&lt;/script&gt;</p>");
	expect("{{ Firstname }}|{{DisplayNme}}|{{firstname}}",
	    "Ada|&quot; onmouseover=&quot;alert(1)|Ada");
	expect("{{UserEMail}} {{Gender}}.", "ada@example.com .");
}
END_TEST

START_TEST(values_escaped_in_attributes)
{
	expect("<span title=\"{{Displayname}}\" data-x='{{Lastname}}'>",
	    "<span title=\"&quot; onmouseover=&quot;alert(1)\" "
	    "data-x='&lt;script&gt;alert(1)&lt;/script&gt;'>");
}
END_TEST

START_TEST(urls_only_when_http)
{
	expect("<img src=\"{{PictureTagSmallURL}}\">",
	    "<img src=\"https://photos.example.com/ada.png?s=1&amp;t=2\">");
	expect("<img src=\"{{PictureTagMediumURL}}\">|{{PictureTagMediumURL}}", "<img src=\"\">|");
	expect("{{#PictureTagMediumURL}}<img>{{/PictureTagMediumURL}}"
	    "{{^PictureTagMediumURL}}none{{/PictureTagMediumURL}}", "none");
	expect("{{#PictureTagLargeURL}}<img>{{/PictureTagLargeURL}}", "");
	expect("<a href=\"{{consent_url}}\">", "<a href=\"http://privacy.orange.fr/i.do?a=1&amp;urlRetour=x\">");
	expect("<a href=\"{{login_url}}\">", "<a href=\"/login\">");
	/* Other values after a literal prefix are percent-encoded. */
	expect("<a href=\"/search?q={{Lastname}}&amp;n={{Firstname}}\">",
	    "<a href=\"/search?q=%3Cscript%3Ealert%281%29%3C%2Fscript%3E&amp;n=Ada\">");
	expect("<a href=\"mailto:{{UserEMail}}\">", "<a href=\"mailto:ada%40example.com\">");
}
END_TEST

START_TEST(links_checked_at_render)
{
	struct rp_tmpl_ctx ctx;
	char *got;

	memset(&ctx, 0, sizeof(ctx));
	ctx.login_url = "javascript:alert(1)";
	ctx.consent_url = "//evil.com/";
	got = render_ctx("<a href=\"{{login_url}}\"><a href=\"{{consent_url}}\">", &ctx);
	ck_assert_str_eq(got, "<a href=\"\"><a href=\"\">");
	free(got);
}
END_TEST

START_TEST(sections_and_iteration)
{
	expect("{{#Firstname}}has {{.}}{{/Firstname}}{{^UserType}} no type{{/UserType}}",
	    "has Ada no type");
	expect("<ul>{{#CentersOfInterests}}<li>{{.}}</li>{{/CentersOfInterests}}</ul>",
	    "<ul><li>jazz</li><li>&lt;b&gt;chess&lt;/b&gt;</li><li>vélo</li></ul>");
	expect("{{#has:CentersOfInterests}}<ul>{{#CentersOfInterests}}[{{.}}]"
	    "{{/CentersOfInterests}}</ul>{{/has:CentersOfInterests}}",
	    "<ul>[jazz][&lt;b&gt;chess&lt;/b&gt;][vélo]</ul>");
	expect("{{CentersOfInterests}}", "jazz, &lt;b&gt;chess&lt;/b&gt;, vélo");
	expect("{{#has:withheld}}W:{{/has:withheld}}{{#withheld}}<li>{{label}} ({{name}}, {{.}})</li>{{/withheld}}",
	    "W:<li>Gender (Gender, Gender)</li><li>Customer type (UserType, Customer type)</li>");
	expect("{{#OfficeAddress}}office{{/OfficeAddress}}{{^OfficeAddress}}none{{/OfficeAddress}}", "none");
	expect("<span class=\"rp {{#Firstname}}named{{/Firstname}}\">", "<span class=\"rp named\">");
	expect("<div {{#Firstname}}hidden{{/Firstname}}>", "<div hidden>");
	expect("<div {{#Firstname}}title=\"{{.}}\"{{/Firstname}} x>", "<div title=\"Ada\" x>");
	expect("<div {{^Firstname}}hidden{{/Firstname}} id=\"a\">", "<div  id=\"a\">");
}
END_TEST

START_TEST(standalone_lines)
{
	/* A line holding only a section tag or a comment leaves nothing. */
	expect("a\n{{#Firstname}}\nb\n{{/Firstname}}\nc", "a\nb\nc");
	expect("a\n  {{#UserType}}  \nb\n\t{{/UserType}}\nc", "a\nc");
	expect("a\n{{! note }}\nb", "a\nb");
	expect("{{#Firstname}}\r\nx\r\n{{/Firstname}}\r\n", "x\r\n");
	expect("{{#Firstname}}\n{{#Lastname}}\nx\n{{/Lastname}}\n{{/Firstname}}", "x\n");
	/* Not alone on the line: kept as written. */
	expect("a {{#Firstname}}\nb{{/Firstname}}", "a \nb");
	expect("{{#Firstname}}{{/Firstname}}\nb", "\nb");
	expect("{{Firstname}}\n{{^Firstname}}\nno\n{{/Firstname}}\nz", "Ada\nz");
	/* Positions stay right after removed lines. */
	refuse("{{#Firstname}}\n{{/Firstname}}\n  {{Nope}}", "t.html:3:3: unknown attribute or name \"Nope\"");
	refuse("x\n  {{/Firstname}}  \n", "t.html:2:3: {{/Firstname}} closes no open section");
}
END_TEST

START_TEST(addresses)
{
	expect("{{HomeAddress}}", "1 rue de la Paix, 75002 Paris, France");
	expect("{{#HomeAddress.City}}<b>{{HomeAddress.City}}</b>{{/HomeAddress.City}}"
	    "{{^HomeAddress.State}}-{{/HomeAddress.State}}{{#HomeAddress.State}}s{{/HomeAddress.State}}",
	    "<b>Paris</b>-");
	expect("{{OfficeAddress.City}}.", ".");
}
END_TEST

START_TEST(labels_messages_and_specials)
{
	struct rp_tmpl_ctx ctx;
	char *got;

	expect("{{label:Firstname}}/{{label:DisplayNme}}/{{msg:signin_link}}/{{status}}/{{lang}}",
	    "First name/Display name/Sign in/partial/en");
	expect("{{return_url}} <a href=\"/x?r={{return_path}}\">",
	    "https://www.example.com/account <a href=\"/x?r=%2Faccount\">");
	expect("a{{! a comment\n over lines }}b", "ab");
	memset(&ctx, 0, sizeof(ctx));
	ctx.lang = RP_LANG_FR;
	ctx.code = 404;
	got = render_ctx("{{label:Firstname}}|{{msg:signin_link}}|{{error}}|{{code}}|{{Firstname}}", &ctx);
	ck_assert_str_eq(got, "Prénom|Se connecter|Page introuvable.|404|");
	free(got);
}
END_TEST

START_TEST(view_inside_outcome)
{
	struct rp_tmpl *view = NULL;
	struct rp_tmpl_ctx ctx;
	char err[256], *got;
	const char *vs = "<b>{{Firstname}}</b>{{view}}";

	ck_assert_int_eq(rp_tmpl_compile("v.html", vs, strlen(vs), &view, err, sizeof(err)), RP_OK);
	memset(&ctx, 0, sizeof(ctx));
	ctx.profile = prof;
	ctx.shown = RP_ATTRSET_ALL;
	ctx.view = view;
	/* {{view}} inside the view itself renders nothing: no recursion. */
	got = render_ctx("<div class=\"rp rp-ok\">{{view}}</div>", &ctx);
	ck_assert_str_eq(got, "<div class=\"rp rp-ok\"><b>Ada</b></div>");
	free(got);
	ck_assert_uint_eq(rp_tmpl_uses(view), RP_ATTR_BIT(RP_A_FIRSTNAME));
	rp_tmpl_free(view);
}
END_TEST

/* Only the values of ctx.shown appear; any other reads as absent, sections too. */
START_TEST(values_outside_shown_are_absent)
{
	struct rp_tmpl_ctx ctx;
	char *got;

	memset(&ctx, 0, sizeof(ctx));
	ctx.profile = prof;
	ctx.shown = RP_ATTR_BIT(RP_A_USEREMAIL);
	ctx.lang = RP_LANG_EN;
	got = render_ctx("[{{Firstname}}|{{#Firstname}}yes{{/Firstname}}{{^Firstname}}no{{/Firstname}}"
	    "|{{UserEMail}}|{{label:Firstname}}]", &ctx);
	ck_assert_str_eq(got, "[|no|ada@example.com|First name]");
	free(got);
}
END_TEST

START_TEST(compile_errors_name_line_and_column)
{
	refuse("<p>\n  {{Nope}}</p>", "t.html:2:3: unknown attribute or name \"Nope\"");
	refuse("{{#Firstname}}\n<p>", "t.html:1:1: {{#Firstname}} is never closed");
	refuse("{{#Firstname}}{{/Lastname}}",
	    "t.html:1:15: {{/Lastname}} does not close {{#Firstname}} opened at 1:1");
	refuse("x{{/Firstname}}", "t.html:1:2: {{/Firstname}} closes no open section");
	refuse("ab {{Firstname\n}}", "t.html:1:4: unterminated {{: no }} on the same line");
	refuse("{{! never closed", "t.html:1:1: unterminated {{! comment: no }}");
	refuse("{{}}", "t.html:1:1: empty tag");
	refuse("{{#}}", "t.html:1:1: empty tag");
	refuse("{{First name}}", "t.html:1:1: unexpected character ' ' in tag (names are letters, digits and _ . : -)");
	refuse("{{{Firstname}}}", "t.html:1:1: unexpected character '{' in tag (names are letters, digits and _ . : -)");
	refuse("{{label:Nope}}", "t.html:1:1: unknown attribute \"Nope\" in {{label:...}}");
	refuse("{{msg:nope}}", "t.html:1:1: unknown message key \"nope\" in {{msg:...}}");
	refuse("{{Firstname.City}}", "t.html:1:1: Firstname is not an address: it has no parts");
	refuse("{{HomeAddress.Planet}}", "t.html:1:1: unknown address part \"Planet\" (use Street1, Street2, ZipCode, City, State or Country)");
	refuse("{{Nope.City}}", "t.html:1:1: unknown attribute \"Nope\"");
	refuse("{{.}}", "t.html:1:1: {{.}} outside a section");
	refuse("{{^Firstname}}{{.}}{{/Firstname}}", "t.html:1:15: {{.}} has no value in an inverted or has: section");
	refuse("{{label}}", "t.html:1:1: {{label}} outside {{#withheld}}");
	refuse("{{withheld}}", "t.html:1:1: withheld is a list: use {{#withheld}}{{label}}{{/withheld}}");
	refuse("{{#msg:title}}{{/msg:title}}", "t.html:1:1: {{#msg:title}}: only attributes, address parts, withheld and the links can open a section");
	refuse("<p title=\"x\">{{view}}</p><a title=\"{{view}}\">", "t.html:1:36: {{view}} must stand in element content");
	refuse("\xff", "t.html:1:1: template is not valid UTF-8 (or holds a NUL byte)");
}
END_TEST

START_TEST(unsafe_places_refused)
{
	refuse("<a href=\"{{Firstname}}\">", "t.html:1:10: only a URL value (a photo URL, consent_url, login_url, return_url) may start the href attribute; put a literal prefix before other values");
	refuse("<img SRC=' {{label:Firstname}}'>", "t.html:1:12: only a URL value (a photo URL, consent_url, login_url, return_url) may start the src attribute; put a literal prefix before other values");
	refuse("<a href=\"javascript:{{Firstname}}\">", "t.html:1:21: values cannot go in a javascript URL");
	refuse("<a href=\" JavaScript:x({{Firstname}})\">", "t.html:1:24: values cannot go in a javascript URL");
	refuse("<a title={{Firstname}}>", "t.html:1:10: quote the attribute value around the tag (attr=\"{{...}}\")");
	refuse("<a title=x{{Firstname}}>", "t.html:1:11: quote the attribute value around the tag (attr=\"{{...}}\")");
	refuse("<div {{Firstname}}>", "t.html:1:6: a value cannot stand inside a tag outside a quoted attribute value");
	refuse("<{{Firstname}}>", "t.html:1:2: a tag cannot go in a tag name or attribute name");
	refuse("<div data-{{Firstname}}=\"1\">", "t.html:1:11: a tag cannot go in a tag name or attribute name");
	refuse("<b onclick=\"go('{{Firstname}}')\">", "t.html:1:17: a tag cannot go in the onclick attribute (script, style and document attributes cannot be escaped)");
	refuse("<b style=\"color:{{Firstname}}\">", "t.html:1:17: a tag cannot go in the style attribute (script, style and document attributes cannot be escaped)");
	refuse("<script>var n = '{{Firstname}}';</script>", "t.html:1:18: a tag cannot go inside <script> (its content cannot be escaped)");
	refuse("<STYLE>p{}{{Firstname}}</STYLE>", "t.html:1:11: a tag cannot go inside <style> (its content cannot be escaped)");
	refuse("<!-- {{Firstname}} -->", "t.html:1:6: a tag cannot go in an HTML comment");
	refuse("<a {{#Firstname}}title=\"{{/Firstname}}\">", "t.html:1:25: section {{#Firstname}} opened at 1:4 ends in another HTML context (a section must not span a tag or attribute boundary)");
	refuse("<a title=\"{{#Firstname}}\" x=\"{{/Firstname}}\">", "t.html:1:30: section {{#Firstname}} opened at 1:11 ends in another HTML context (a section must not span a tag or attribute boundary)");
	/* A name glued to a section's end would differ between branches. */
	refuse("<a {{#Firstname}}hr{{/Firstname}}ef=\"{{Firstname}}\">", "t.html:1:20: {{/Firstname}} ends an attribute name: follow it with a blank, / or >");
	refuse("<a x{{#Firstname}}y{{/Firstname}}>", "t.html:1:5: a tag cannot go in a tag name or attribute name");
	refuse("<a x {{#Firstname}}=\"{{Firstname}}\"{{/Firstname}}>", "t.html:1:22: a tag cannot go in a tag name or attribute name");
	refuse("<a href=\"x", "t.html:1:11: template ends inside an attribute value");
	refuse("<!-- x", "t.html:1:7: template ends inside an HTML comment");
	refuse("<a x", "t.html:1:5: template ends inside a tag");
	refuse("<p>a <", "t.html:1:7: template ends inside a tag");
	refuse("<script>", "t.html:1:9: template ends inside a <script> or <style> element");
	/* After the element ends, values are fine again. */
	expect("<script src=\"/x.js\"></script>{{Firstname}}<!-- c -->{{Firstname}}", "<script src=\"/x.js\"></script>Ada<!-- c -->Ada");
	expect("<style>p{}</style><b>{{Firstname}}</b>", "<style>p{}</style><b>Ada</b>");
}
END_TEST

START_TEST(nesting_bound)
{
	char src[2048] = "";
	int i;

	for (i = 0; i < 17; i++)
		strcat(src, "{{#Firstname}}");
	refuse(src, "t.html:1:225: sections nested deeper than 16");
	src[0] = '\0';
	for (i = 0; i < 16; i++)
		strcat(src, "{{#Firstname}}");
	strcat(src, "x");
	for (i = 0; i < 16; i++)
		strcat(src, "{{/Firstname}}");
	expect(src, "x");
}
END_TEST

START_TEST(bounded_output)
{
	struct rp_tmpl *t = NULL;
	struct rp_tmpl_ctx ctx;
	struct rp_buf b;
	char err[128];

	ck_assert_int_eq(rp_tmpl_compile("t", "{{Lastname}}", 12, &t, err, sizeof(err)), RP_OK);
	memset(&ctx, 0, sizeof(ctx));
	ctx.profile = prof;
	ctx.shown = RP_ATTRSET_ALL;
	rp_buf_init(&b, 16);
	ck_assert_int_eq(rp_tmpl_render(t, &ctx, &b), RP_ELIMIT);
	rp_buf_free(&b);
	rp_tmpl_free(t);
}
END_TEST

START_TEST(files)
{
	struct rp_tmpl *t = NULL;
	char err[512], rel[64];
	size_t i;

	for (i = 0; fx_templates[i] != NULL; i++) {
		snprintf(rel, sizeof(rel), "conf/templates/%s", fx_templates[i]);
		ck_assert_msg(rp_tmpl_load(rp_test_srcpath(rel), &t, err, sizeof(err)) == RP_OK,
		    "%s", err);
		rp_tmpl_free(t);
		t = NULL;
	}
	ck_assert_int_eq(rp_tmpl_load("/nonexistent/card.html", &t, err, sizeof(err)), RP_EIO);
	ck_assert_str_eq(err, "/nonexistent/card.html: cannot open template: No such file or directory");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("template");
	TCase *tc = tcase_create("template");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, values_escaped_in_text);
	tcase_add_test(tc, values_escaped_in_attributes);
	tcase_add_test(tc, urls_only_when_http);
	tcase_add_test(tc, links_checked_at_render);
	tcase_add_test(tc, sections_and_iteration);
	tcase_add_test(tc, standalone_lines);
	tcase_add_test(tc, addresses);
	tcase_add_test(tc, labels_messages_and_specials);
	tcase_add_test(tc, view_inside_outcome);
	tcase_add_test(tc, values_outside_shown_are_absent);
	tcase_add_test(tc, compile_errors_name_line_and_column);
	tcase_add_test(tc, unsafe_places_refused);
	tcase_add_test(tc, nesting_bound);
	tcase_add_test(tc, bounded_output);
	tcase_add_test(tc, files);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
