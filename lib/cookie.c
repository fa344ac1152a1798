/* cookie.c: RFC 6265 Cookie header parsing; accepted and rejected pairs kept apart. */
#include "config.h"

#include <string.h>

#include "cookie.h"
#include "escape.h"
#include "err.h"

/* RFC 6265 cookie-octet: printable ASCII but blank, DQUOTE, comma, semicolon, backslash. */
static int
cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
	    (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
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

/*
 * Splits one "name=value" piece (blanks trimmed) into *ck.  Returns -1
 * when the piece has no "=", 1 when the pair obeys RFC 6265 and fits
 * the bounds, 0 when it does not.
 */
static int
split_piece(const char *p, size_t n, struct rp_cookie *ck)
{
	const char *eq = memchr(p, '=', n);

	if (eq == NULL)
		return -1;
	ck->name = p;
	ck->namelen = (size_t)(eq - p);
	while (ck->namelen > 0 && blank(p[ck->namelen - 1]))
		ck->namelen--;
	ck->value = eq + 1;
	ck->valuelen = n - (size_t)(eq + 1 - p);
	while (ck->valuelen > 0 && blank(*ck->value)) {
		ck->value++;
		ck->valuelen--;
	}
	/* A quoted value is the same value without its quotes (RFC 6265 5.4 keeps
	 * them, but every server framework strips them; a token is never quoted). */
	if (ck->valuelen >= 2 && ck->value[0] == '"' && ck->value[ck->valuelen - 1] == '"') {
		ck->value++;
		ck->valuelen -= 2;
	}
	return rp_http_token_ok(ck->name, ck->namelen) &&
	    ck->valuelen <= RP_COOKIE_VALUE_MAX &&
	    all(ck->value, ck->valuelen, cookie_octet);
}

/* Sorts one "name=value" piece (blanks trimmed) into ok, bad or skipped. */
static void
add_piece(struct rp_cookies *c, const char *p, size_t n)
{
	struct rp_cookie ck;
	int good = split_piece(p, n, &ck);

	if (good < 0)
		c->skipped++;
	else if (good && c->nok < RP_COOKIE_MAX)
		c->ok[c->nok++] = ck;
	else if (!good && c->nbad < RP_COOKIE_MAX)
		c->bad[c->nbad++] = ck;
	else
		c->skipped++;
}

/* The header's length up to RP_COOKIE_HEADER_MAX; *truncated when longer. */
static size_t
header_len(const char *header, int *truncated)
{
	size_t n = strnlen(header, RP_COOKIE_HEADER_MAX + 1);

	*truncated = n > RP_COOKIE_HEADER_MAX;
	return *truncated ? RP_COOKIE_HEADER_MAX : n;
}

/*
 * The next piece between ";" in [*p, end), blanks trimmed, possibly
 * empty, into *s and *n; advances *p past it.  Returns 0 at the end, and
 * at the last piece of a truncated header, which may be incomplete and is
 * never used (*cut set then).
 */
static int
next_piece(const char **p, const char *end, int truncated, const char **s,
    size_t *n, int *cut)
{
	const char *e;

	*cut = 0;
	if (*p >= end)
		return 0;
	for (e = *p; e < end && *e != ';'; e++)
		;
	if (e == end && truncated) {
		*cut = 1;
		*p = end;
		return 0;
	}
	for (*s = *p; *s < e && blank(**s); (*s)++)
		;
	*n = (size_t)(e - *s);
	while (*n > 0 && blank((*s)[*n - 1]))
		(*n)--;
	*p = e + 1;
	return 1;
}

enum rp_err
rp_cookie_parse(const char *header, struct rp_cookies *out)
{
	const char *p, *end, *s;
	size_t n;
	int cut;

	memset(out, 0, sizeof(*out));
	if (header == NULL)
		return RP_OK;
	n = header_len(header, &out->truncated);
	end = header + n;
	p = header;
	while (next_piece(&p, end, out->truncated, &s, &n, &cut))
		if (n > 0)
			add_piece(out, s, n);
	if (cut)
		out->skipped++;
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

/*
 * Only the first cookie of that name counts, usable or not: RFC 6265
 * sends the one of the most specific path first, and a later one may
 * have been planted by a sibling host or another path of the site.
 * Walks the header itself rather than struct rp_cookies, so that pairs
 * beyond RP_COOKIE_MAX cannot hide the first one.
 */
enum rp_token_state
rp_cookie_token(const char *header, const char *name, size_t max_token_bytes,
    const char **value, size_t *len)
{
	struct rp_cookie ck;
	const char *p, *end, *s;
	size_t n, nlen = strlen(name);
	int good, truncated, cut;

	if (max_token_bytes == 0 || max_token_bytes > RP_COOKIE_VALUE_MAX)
		max_token_bytes = RP_COOKIE_VALUE_MAX;
	if (header == NULL)
		return RP_TOKEN_MISSING;
	n = header_len(header, &truncated);
	end = header + n;
	p = header;
	while (next_piece(&p, end, truncated, &s, &n, &cut)) {
		if (n == 0 || (good = split_piece(s, n, &ck)) < 0 ||
		    !named(&ck, name, nlen))
			continue;
		if (!good)
			return ck.valuelen > max_token_bytes ? RP_TOKEN_TOOLONG :
			    RP_TOKEN_BADCHAR;
		if (ck.valuelen == 0)
			return RP_TOKEN_EMPTY;
		if (ck.valuelen > max_token_bytes)
			return RP_TOKEN_TOOLONG;
		*value = ck.value;
		*len = ck.valuelen;
		return RP_TOKEN_OK;
	}
	return RP_TOKEN_MISSING;
}

const char *
rp_token_state_name(enum rp_token_state st)
{
	static const char *const names[] = {
		"ok", "missing", "empty", "too_long", "bad_char",
	};

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "unknown";
}
