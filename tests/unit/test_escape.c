/* test_escape.c: hostile values through every escaper. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "err.h"
#include "escape.h"
#include "testutil.h"

typedef enum rp_err (*escaper)(struct rp_buf *, const char *, size_t);

/* Escapes n bytes of s with f and compares with want. */
static void
check(escaper f, const char *s, size_t n, const char *want)
{
	struct rp_buf b;

	rp_buf_init(&b, 0);
	ck_assert_int_eq(f(&b, s, n), RP_OK);
	ck_assert_msg(strcmp(rp_buf_str(&b), want) == 0, "escaped \"%s\" as \"%s\", want \"%s\"",
	    s, rp_buf_str(&b), want);
	rp_buf_free(&b);
}

#define CHECK(f, lit, want) check(f, lit, sizeof(lit) - 1, want)
#define FFFD "\xEF\xBF\xBD"

START_TEST(text_context)
{
	CHECK(rp_esc_html_text, "<script>alert(\"x\")</script>",
	    "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
	CHECK(rp_esc_html_text, "Tom & Jerry's", "Tom &amp; Jerry&#39;s");
	CHECK(rp_esc_html_text, "line\r\nbreak\ttab", "line\r\nbreak\ttab");
	CHECK(rp_esc_html_text, "Élodie Ŝ 😀", "Élodie Ŝ 😀");
	CHECK(rp_esc_html_text, "", "");
}
END_TEST

START_TEST(attribute_context)
{
	CHECK(rp_esc_html_attr, "\" onmouseover=\"alert(1)",
	    "&quot; onmouseover=&quot;alert(1)");
	CHECK(rp_esc_html_attr, "' autofocus onfocus='x", "&#39; autofocus onfocus=&#39;x");
	CHECK(rp_esc_html_attr, "a\r\nb\tc", "a&#13;&#10;b&#9;c");
	CHECK(rp_esc_html_attr, "<a>&", "&lt;a&gt;&amp;");
}
END_TEST

START_TEST(invalid_utf8_and_controls)
{
	/* Stray byte, cut sequence, overlong "/", surrogate, beyond U+10FFFF. */
	CHECK(rp_esc_html_text, "a\xff" "b", "a" FFFD "b");
	CHECK(rp_esc_html_text, "a\xc3", "a" FFFD);
	CHECK(rp_esc_html_text, "\xc0\xaf", FFFD FFFD);
	CHECK(rp_esc_html_text, "\xed\xa0\x80", FFFD FFFD FFFD);
	CHECK(rp_esc_html_text, "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
	/* An overlong "<" must not sneak through as a tag opener. */
	CHECK(rp_esc_html_text, "\xc0\xbcscript", FFFD FFFD "script");
	/* NUL, C0 and C1 controls never reach HTML. */
	CHECK(rp_esc_html_text, "a\0b\x01" "c\x7f", "a" FFFD "b" FFFD "c" FFFD);
	CHECK(rp_esc_html_attr, "\xc2\x85x", FFFD "x");
	CHECK(rp_esc_html_attr, "\xe2\x80\xa8", "\xe2\x80\xa8");
}
END_TEST

START_TEST(url_component_context)
{
	CHECK(rp_esc_url_component, "a b&c=d/é?#%", "a%20b%26c%3Dd%2F%C3%A9%3F%23%25");
	CHECK(rp_esc_url_component, "AZaz09-._~", "AZaz09-._~");
	CHECK(rp_esc_url_component, "javascript:alert(1)", "javascript%3Aalert%281%29");
	CHECK(rp_esc_url_component, "\r\n", "%0D%0A");
	CHECK(rp_esc_url_component, "x\xff", "x%EF%BF%BD");
}
END_TEST

START_TEST(json_context)
{
	CHECK(rp_esc_json_string, "say \"hi\"\\", "\"say \\\"hi\\\"\\\\\"");
	CHECK(rp_esc_json_string, "a\nb\rc\td\x01", "\"a\\nb\\rc\\td\\u0001\"");
	CHECK(rp_esc_json_string, "</script><b>&", "\"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\"");
	CHECK(rp_esc_json_string, "\xe2\x80\xa8", "\"\\u2028\"");
	CHECK(rp_esc_json_string, "\xff", "\"" FFFD "\"");
	CHECK(rp_esc_json_string, "é", "\"é\"");
}
END_TEST

static int
is_http(const char *s)
{
	return rp_url_is_http(s, strlen(s));
}

START_TEST(http_urls_only)
{
	ck_assert(is_http("http://a"));
	ck_assert(is_http("HTTPS://photos.example.com/p/1.png?s=2#x"));
	ck_assert(is_http("http://127.0.0.1:8081/photos/ada.png"));
	ck_assert(is_http("http://[::1]:80/"));
	ck_assert(!is_http("javascript:alert(1)"));
	ck_assert(!is_http("JaVaScRiPt:alert(1)"));
	ck_assert(!is_http("data:text/html,<script>"));
	ck_assert(!is_http(" http://x/"));
	ck_assert(!is_http("http://"));
	ck_assert(!is_http("http:///x"));
	ck_assert(!is_http("//evil.com/x"));
	ck_assert(!is_http("http://user@evil.com/"));
	ck_assert(!is_http("http://good.com@evil.com/"));
	ck_assert(!is_http("http://x:abc/"));
	ck_assert(!is_http("http://x:/"));
	ck_assert(!is_http("http://x/\"onerror=alert(1)"));
	ck_assert(!is_http("http://x/ y"));
	ck_assert(!is_http("http://x/\r\n"));
	ck_assert(!is_http("http://x\\@evil/"));
	ck_assert(!is_http("http://x/é"));
	ck_assert(!is_http("ftp://x/"));
	ck_assert(!rp_url_is_http("http://x/\0y", 11));
}
END_TEST

START_TEST(utf8_validity)
{
	ck_assert(rp_utf8_valid("é😀", strlen("é😀")));
	ck_assert(!rp_utf8_valid("\xc3", 1));
	ck_assert(!rp_utf8_valid("a\0b", 3));
	ck_assert(rp_utf8_valid("", 0));
}
END_TEST

START_TEST(bounded_output)
{
	struct rp_buf b;

	rp_buf_init(&b, 10);
	ck_assert_int_eq(rp_esc_html_text(&b, "<<<", 3), RP_ELIMIT);
	rp_buf_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("escape");

	tcase_add_test(tc, text_context);
	tcase_add_test(tc, attribute_context);
	tcase_add_test(tc, invalid_utf8_and_controls);
	tcase_add_test(tc, url_component_context);
	tcase_add_test(tc, json_context);
	tcase_add_test(tc, http_urls_only);
	tcase_add_test(tc, utf8_validity);
	tcase_add_test(tc, bounded_output);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
