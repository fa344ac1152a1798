/* fuzz_parse.c: the RichProfile parser on arbitrary bodies. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "parse.h"
#include "profile.h"

/* Small caps, so the fuzzer reaches them with small inputs. */
static const struct rp_parse_limits lim = {
	.max_bytes = 16384, .max_depth = 8, .max_value = 256, .max_items = 8,
};

static void
check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_parse: broken invariant: %s\n", what);
		abort();
	}
}

static void
put(FILE *f, const char *label, const char *s)
{
	if (s == NULL)
		return;
	check(strlen(s) <= lim.max_value || strcmp(label, "reason") == 0,
	    "a value longer than max_value");
	fprintf(f, "%s=%s\n", label, s);
}

/* Everything a profile says, as text, checking each piece on the way. */
static char *
canon(const struct rp_profile *p)
{
	char *out = NULL;
	size_t size = 0, i;
	FILE *f = open_memstream(&out, &size);
	int a, k;

	check(f != NULL, "open_memstream");
	check((unsigned)p->outcome < RP_OUT__COUNT, "outcome in range");
	check((p->outcome == RP_OUT_MALFORMED) == (p->reason != NULL),
	    "a reason exactly when malformed");
	check((p->withheld & ~p->requested) == 0, "withheld within requested");
	check((p->outcome == RP_OUT_PARTIAL) == (p->withheld != 0),
	    "partial exactly when something is withheld");
	/*
	 * Where and how expat names a syntax error can depend on how the
	 * body was cut (its encoding guess, partial tokens); that part
	 * is expat's.  Everything the parser decides itself must match.
	 */
	if (p->reason != NULL && strstr(p->reason, "(expat: ") != NULL)
		fprintf(f, "%d %d expat\n", p->outcome, p->err);
	else {
		fprintf(f, "%d %d %lu:%lu\n", p->outcome, p->err, p->line,
		    p->column);
		put(f, "reason", p->reason);
	}
	fprintf(f, "%ld %x %x %u\n", p->code, p->present, p->withheld,
	    p->unknown);
	put(f, "detail", p->detail);
	put(f, "exception", p->exception);
	put(f, "url", p->privacy_url);
	for (a = 0; a < RP_ATTR__COUNT; a++) {
		const struct rp_value *v = rp_profile_value(p, a);

		put(f, "text", v->text);
		check(v->nitems <= lim.max_items, "items within max_items");
		for (i = 0; i < v->nitems; i++) {
			check(v->items[i][0] != '\0', "no empty item");
			put(f, "item", v->items[i]);
		}
		for (k = 0; k < RP_ADDR__COUNT; k++)
			put(f, "part", rp_value_part(v, k));
	}
	fclose(f);
	return out;
}

RP_FUZZ_TARGET(parse)
{
	struct rp_profile *whole, *chunked;
	struct rp_parser *ps;
	size_t chunk, off, n;
	char *a, *b;

	check(rp_parse(RP_ATTRSET_ALL, &lim, (const char *)data, size,
	    &whole) == RP_OK, "rp_parse yields a profile");
	/* The same body cut into pieces must say exactly the same. */
	chunk = size > 0 ? 1 + data[size - 1] % 13 : 1;
	check(rp_parser_new(RP_ATTRSET_ALL, &lim, &ps) == RP_OK, "parser_new");
	for (off = 0; off < size; off += n) {
		n = size - off < chunk ? size - off : chunk;
		(void)rp_parser_feed(ps, (const char *)data + off, n);
	}
	check(rp_parser_finish(ps, &chunked) == RP_OK, "parser_finish");
	rp_parser_free(ps);
	a = canon(whole);
	b = canon(chunked);
	if (strcmp(a, b) != 0) {
		fprintf(stderr, "whole:\n%s\nin %zu-byte chunks:\n%s\n", a,
		    chunk, b);
		check(0, "same profile whatever the chunking");
	}
	free(a);
	free(b);
	rp_profile_free(whole);
	rp_profile_free(chunked);
	return 0;
}
