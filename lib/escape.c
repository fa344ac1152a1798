/* escape.c: one escaper per output context; nothing else writes values into HTML. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "escape.h"

#define REPLACEMENT "\xEF\xBF\xBD"   /* U+FFFD in UTF-8 */

/*
 * Decodes the code point at s (n > 0 bytes left).  Returns the bytes it
 * spans and writes *cp, or returns 1 and writes *cp = 0xFFFD (with *bad
 * set) for a byte that does not start a valid, shortest-form sequence:
 * a caller then replaces that one byte and goes on.
 */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp, int *bad)
{
	uint32_t c = s[0], min;
	size_t len, i;

	*bad = 0;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		c &= 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		c &= 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		goto bad;
	if (len > n)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = 0xFFFD;
	*bad = 1;
	return 1;
}

/* Characters that must never reach HTML: controls other than TAB, LF, CR. */
static int
html_forbidden(uint32_t cp)
{
	if (cp == '\t' || cp == '\n' || cp == '\r')
		return 0;
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* Shared walk of the two HTML escapers; attr also encodes TAB, LF, CR. */
static int
esc_html(struct rp_buf *b, const char *s, size_t n, int attr)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len, run = 0;
	uint32_t cp;
	int bad, rc = RP_OK;
	const char *rep;

	/* Copies runs of harmless bytes at once; escapes one character at a time. */
	while (i < n) {
		len = utf8_next(p + i, n - i, &cp, &bad);
		rep = NULL;
		if (bad || html_forbidden(cp))
			rep = REPLACEMENT;
		else
			switch (cp) {
			case '&': rep = "&amp;"; break;
			case '<': rep = "&lt;"; break;
			case '>': rep = "&gt;"; break;
			case '"': rep = "&quot;"; break;
			case '\'': rep = "&#39;"; break;
			case '\t': rep = attr ? "&#9;" : NULL; break;
			case '\n': rep = attr ? "&#10;" : NULL; break;
			case '\r': rep = attr ? "&#13;" : NULL; break;
			default: break;
			}
		if (rep == NULL) {
			run += len;
			i += len;
			continue;
		}
		if (run > 0 && (rc = rp_buf_append(b, s + i - run, run)) != RP_OK)
			goto out;
		run = 0;
		if ((rc = rp_buf_puts(b, rep)) != RP_OK)
			goto out;
		i += len;
	}
	if (run > 0)
		rc = rp_buf_append(b, s + i - run, run);
out:
	return rc;
}

enum rp_err
rp_esc_html_text(struct rp_buf *b, const char *s, size_t n)
{
	return esc_html(b, s, n, 0);
}

enum rp_err
rp_esc_html_attr(struct rp_buf *b, const char *s, size_t n)
{
	return esc_html(b, s, n, 1);
}

static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

enum rp_err
rp_esc_url_component(struct rp_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *q;
	size_t i = 0, len, j;
	uint32_t cp;
	int bad, rc = RP_OK;
	char pct[3] = { '%', 0, 0 };

	while (i < n) {
		len = utf8_next(p + i, n - i, &cp, &bad);
		q = bad ? (const unsigned char *)REPLACEMENT : p + i;
		if (bad)
			len = 3;
		for (j = 0; j < len; j++) {
			if (unreserved(q[j])) {
				rc = rp_buf_putc(b, (char)q[j]);
			} else {
				pct[1] = hex[q[j] >> 4];
				pct[2] = hex[q[j] & 15];
				rc = rp_buf_append(b, pct, 3);
			}
			if (rc != RP_OK)
				goto out;
		}
		i += bad ? 1 : len;
	}
out:
	return rc;
}

enum rp_err
rp_esc_json_string(struct rp_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	uint32_t cp;
	int bad, rc;
	char u[7];

	if ((rc = rp_buf_putc(b, '"')) != RP_OK)
		goto out;
	while (i < n) {
		len = utf8_next(p + i, n - i, &cp, &bad);
		if (bad)
			rc = rp_buf_puts(b, REPLACEMENT);
		else if (cp == '"')
			rc = rp_buf_puts(b, "\\\"");
		else if (cp == '\\')
			rc = rp_buf_puts(b, "\\\\");
		else if (cp == '\n')
			rc = rp_buf_puts(b, "\\n");
		else if (cp == '\r')
			rc = rp_buf_puts(b, "\\r");
		else if (cp == '\t')
			rc = rp_buf_puts(b, "\\t");
		/* < > & and the JavaScript line separators, so JSON can sit in a page. */
		else if (cp < 0x20 || cp == '<' || cp == '>' || cp == '&' ||
		    cp == 0x2028 || cp == 0x2029) {
			snprintf(u, sizeof(u), "\\u%04x", (unsigned)cp);
			rc = rp_buf_append(b, u, 6);
		} else
			rc = rp_buf_append(b, s + i, len);
		if (rc != RP_OK)
			goto out;
		i += len;
	}
	rc = rp_buf_putc(b, '"');
out:
	return rc;
}

int
rp_url_is_http(const char *s, size_t n)
{
	size_t i, start, end, hostend;
	unsigned char c;

	if (n >= 7 && strncasecmp(s, "http://", 7) == 0)
		start = 7;
	else if (n >= 8 && strncasecmp(s, "https://", 8) == 0)
		start = 8;
	else
		return 0;
	/* Only printable ASCII that needs no quoting anywhere in HTML or a URL. */
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7F || c == '"' || c == '\'' ||
		    c == '<' || c == '>' || c == '\\' || c == '`')
			return 0;
	}
	for (end = start; end < n && s[end] != '/' && s[end] != '?' &&
	    s[end] != '#'; end++)
		if (s[end] == '@')
			return 0;   /* userinfo: a classic way to disguise the host */
	if (end == start)
		return 0;
	/* Host, then an optional :port of digits. */
	if (s[start] == '[') {
		for (hostend = start; hostend < end && s[hostend] != ']'; hostend++)
			;
		if (hostend == end)
			return 0;
		hostend++;
	} else
		for (hostend = start; hostend < end && s[hostend] != ':'; hostend++)
			;
	if (hostend == start)
		return 0;
	if (hostend < end) {
		if (s[hostend] != ':' || hostend + 1 == end)
			return 0;
		for (i = hostend + 1; i < end; i++)
			if (s[i] < '0' || s[i] > '9')
				return 0;
	}
	return 1;
}

int
rp_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;
	int bad;

	while (i < n) {
		i += utf8_next(p + i, n - i, &cp, &bad);
		if (bad || cp == 0)
			return 0;
	}
	return 1;
}

/* RFC 8187 attr-char. */
static int
attr_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$&+-.^_`|~", c) != NULL);
}

enum rp_err
rp_esc_header_value(struct rp_buf *b, const char *s)
{
	const char *p;
	int rc;

	for (p = s; *p != '\0' && attr_char((unsigned char)*p); p++)
		continue;
	if (*p == '\0' && p != s)
		return rp_buf_puts(b, s);
	if ((rc = rp_buf_puts(b, "UTF-8''")) != RP_OK)
		return rc;
	return rp_esc_url_component(b, s, strlen(s));
}

/* RFC 9110 tchar. */
static int
tchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

int
rp_http_token_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!tchar((unsigned char)s[i]))
			return 0;
	return n > 0;
}
