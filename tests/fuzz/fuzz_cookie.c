/* fuzz_cookie.c: the Cookie header reader and the token on arbitrary headers. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cookie.h"
#include "fuzz.h"

static void
check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_cookie: broken invariant: %s\n", what);
		abort();
	}
}

static int
octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
	    (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

/* The pair points into the header and, when accepted, obeys RFC 6265. */
static void
pair(const char *h, size_t n, const struct rp_cookie *c, int accepted)
{
	size_t i;

	check(c->name >= h && c->name + c->namelen <= h + n, "name inside the header");
	check(c->value >= h && c->value + c->valuelen <= h + n, "value inside the header");
	if (!accepted)
		return;
	check(c->namelen > 0, "accepted name not empty");
	check(c->valuelen <= RP_COOKIE_VALUE_MAX, "accepted value bounded");
	for (i = 0; i < c->namelen; i++)
		check((unsigned char)c->name[i] > 0x20 && (unsigned char)c->name[i] < 0x7F &&
		    strchr("()<>@,;:\\\"/[]?={} \t", c->name[i]) == NULL, "name is a token");
	for (i = 0; i < c->valuelen; i++)
		check(octet((unsigned char)c->value[i]), "value of cookie-octets");
}

RP_FUZZ_TARGET(cookie)
{
	char *h = malloc(size + 1);
	struct rp_cookies c;
	const struct rp_cookie *k;
	const char *v = NULL;
	size_t n, i, len = 0;
	enum rp_token_state st;

	check(h != NULL, "malloc");
	memcpy(h, data, size);
	h[size] = '\0';
	n = strlen(h);
	rp_cookie_parse(h, &c);
	check(c.nok <= RP_COOKIE_MAX && c.nbad <= RP_COOKIE_MAX, "counts bounded");
	check(c.truncated == (n > RP_COOKIE_HEADER_MAX), "truncated exactly when too long");
	for (i = 0; i < c.nok; i++)
		pair(h, n, &c.ok[i], 1);
	for (i = 0; i < c.nbad; i++)
		pair(h, n, &c.bad[i], 0);
	st = rp_cookie_token(h, "rp_token", 64, &v, &len);
	check((unsigned)st <= RP_TOKEN_BADCHAR, "state in range");
	if (st == RP_TOKEN_OK) {
		check(v >= h && v + len <= h + n, "token inside the header");
		check(len >= 1 && len <= 64, "token length within bounds");
		for (i = 0; i < len; i++)
			check(octet((unsigned char)v[i]), "token of cookie-octets");
		/* The token is the first pair of that name: find agrees,
		 * unless more accepted pairs came before it than are kept. */
		k = rp_cookie_find(&c, "rp_token");
		check(k != NULL ? k->value == v : c.nok == RP_COOKIE_MAX,
		    "token is the first accepted pair of that name");
	}
	free(h);
	return 0;
}
