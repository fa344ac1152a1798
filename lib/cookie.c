/* cookie.c: RFC 6265 Cookie header parsing; accepted and rejected pairs kept apart. */
#include "config.h"

#include <string.h>

#include "cookie.h"
#include "err.h"

/* RFC 6265 cookie-octet: printable ASCII but blank, DQUOTE, comma, semicolon, backslash. */
static int
cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
	    (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

/* RFC 9110 tchar: what a cookie-name (a token) is made of. */
static int
tchar(unsigned char c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return 1;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
all(const char *s, size_t n, int (*ok)(unsigned char))
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!ok((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Sorts one "name=value" piece (blanks trimmed) into ok, bad or skipped. */
static void
add_piece(struct rp_cookies *c, const char *p, size_t n)
{
	const char *eq = memchr(p, '=', n);
	struct rp_cookie ck;
	int good;

	if (eq == NULL) {
		c->skipped++;
		return;
	}
	ck.name = p;
	ck.namelen = (size_t)(eq - p);
	while (ck.namelen > 0 && blank(p[ck.namelen - 1]))
		ck.namelen--;
	ck.value = eq + 1;
	ck.valuelen = n - (size_t)(eq + 1 - p);
	while (ck.valuelen > 0 && blank(*ck.value)) {
		ck.value++;
		ck.valuelen--;
	}
	/* A quoted value is the same value without its quotes (RFC 6265 5.4 keeps
	 * them, but every server framework strips them; a token is never quoted). */
	if (ck.valuelen >= 2 && ck.value[0] == '"' && ck.value[ck.valuelen - 1] == '"') {
		ck.value++;
		ck.valuelen -= 2;
	}
	good = ck.namelen > 0 && all(ck.name, ck.namelen, tchar) &&
	    ck.valuelen <= RP_COOKIE_VALUE_MAX &&
	    all(ck.value, ck.valuelen, cookie_octet);
	if (good && c->nok < RP_COOKIE_MAX)
		c->ok[c->nok++] = ck;
	else if (!good && c->nbad < RP_COOKIE_MAX)
		c->bad[c->nbad++] = ck;
	else
		c->skipped++;
}

int
rp_cookie_parse(const char *header, struct rp_cookies *out)
{
	const char *p, *end, *e, *s;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (header == NULL)
		return RP_OK;
	n = strnlen(header, RP_COOKIE_HEADER_MAX + 1);
	if (n > RP_COOKIE_HEADER_MAX) {
		out->truncated = 1;
		n = RP_COOKIE_HEADER_MAX;
	}
	end = header + n;
	for (p = header; p < end; p = e + 1) {
		for (e = p; e < end && *e != ';'; e++)
			;
		/* The piece cut by truncation may be incomplete: never use it. */
		if (e == end && out->truncated) {
			out->skipped++;
			break;
		}
		for (s = p; s < e && blank(*s); s++)
			;
		n = (size_t)(e - s);
		while (n > 0 && blank(s[n - 1]))
			n--;
		if (n > 0)
			add_piece(out, s, n);
		if (e == end)
			break;
	}
	return RP_OK;
}

static int
named(const struct rp_cookie *ck, const char *name, size_t len)
{
	return ck->namelen == len && memcmp(ck->name, name, len) == 0;
}

const struct rp_cookie *
rp_cookie_find(const struct rp_cookies *c, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < c->nok; i++)
		if (named(&c->ok[i], name, len))
			return &c->ok[i];
	return NULL;
}

enum rp_token_state
rp_cookie_token(const char *header, const char *name, size_t max_token_bytes,
    const char **value, size_t *len)
{
	struct rp_cookies c;
	const struct rp_cookie *first = NULL;
	enum rp_token_state st = RP_TOKEN_MISSING;
	size_t i, nlen = strlen(name);

	if (max_token_bytes == 0 || max_token_bytes > RP_COOKIE_VALUE_MAX)
		max_token_bytes = RP_COOKIE_VALUE_MAX;
	rp_cookie_parse(header, &c);
	for (i = 0; i < c.nok; i++) {
		if (!named(&c.ok[i], name, nlen))
			continue;
		if (c.ok[i].valuelen > 0 && c.ok[i].valuelen <= max_token_bytes) {
			*value = c.ok[i].value;
			*len = c.ok[i].valuelen;
			return RP_TOKEN_OK;
		}
		if (first == NULL) {
			first = &c.ok[i];
			st = c.ok[i].valuelen == 0 ? RP_TOKEN_EMPTY : RP_TOKEN_TOOLONG;
		}
	}
	/* No usable one: report what the first one in the header was. */
	for (i = 0; i < c.nbad; i++)
		if (named(&c.bad[i], name, nlen) &&
		    (first == NULL || c.bad[i].name < first->name)) {
			first = &c.bad[i];
			st = c.bad[i].valuelen > max_token_bytes ? RP_TOKEN_TOOLONG :
			    RP_TOKEN_BADCHAR;
		}
	return st;
}

const char *
rp_token_state_name(enum rp_token_state st)
{
	static const char *const names[] = {
		"ok", "missing", "empty", "too_long", "bad_char",
	};

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "unknown";
}
