/* trace.c: validating and starting W3C Trace Context headers. */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "trace.h"

static int
lowhex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* n lower-case hex digits at s, not all "0" when nonzero is set. */
static int
hexrun(const char *s, size_t n, int nonzero)
{
	size_t i;
	int any = 0;

	for (i = 0; i < n; i++) {
		if (!lowhex((unsigned char)s[i]))
			return 0;
		any |= s[i] != '0';
	}
	return !nonzero || any;
}

int
rp_traceparent_valid(const char *s)
{
	size_t len;

	if (s == NULL)
		return 0;
	len = strlen(s);
	if (len < RP_TRACEPARENT_LEN || !hexrun(s, 2, 0) ||
	    strncmp(s, "ff", 2) == 0)
		return 0;
	/* Version 00 is exactly 55 characters; later ones may go on after "-". */
	if (strncmp(s, "00", 2) == 0 ? len != RP_TRACEPARENT_LEN :
	    len > RP_TRACEPARENT_LEN && s[RP_TRACEPARENT_LEN] != '-')
		return 0;
	return s[2] == '-' && hexrun(s + 3, 32, 1) && s[35] == '-' &&
	    hexrun(s + 36, 16, 1) && s[52] == '-' && hexrun(s + 53, 2, 0);
}

static int
lcalpha(int c)
{
	return c >= 'a' && c <= 'z';
}

static int
keychar(int c)
{
	return lcalpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	    c == '*' || c == '/';
}

/*
 * A tracestate key of n bytes: simple-key = lcalpha 0*255(keychar), or
 * tenant-id "@" system-id = (lcalpha / DIGIT) 0*240(keychar) "@"
 * lcalpha 0*13(keychar).
 */
static int
key_valid(const char *k, size_t n)
{
	const char *at = memchr(k, '@', n);
	size_t i;

	if (n == 0)
		return 0;
	if (at == NULL) {
		if (n > 256 || !lcalpha((unsigned char)k[0]))
			return 0;
	} else {
		size_t tn = (size_t)(at - k), sn = n - tn - 1;

		if (tn == 0 || tn > 241 || sn == 0 || sn > 14 ||
		    !(lcalpha((unsigned char)k[0]) ||
		    (k[0] >= '0' && k[0] <= '9')) ||
		    !lcalpha((unsigned char)at[1]))
			return 0;
	}
	for (i = 0; i < n; i++)
		if (k + i != at && !keychar((unsigned char)k[i]))
			return 0;
	return 1;
}

/* value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr; no "," or "=". */
static int
value_valid(const char *v, size_t n)
{
	size_t i;

	if (n == 0 || n > 256 || v[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c > 0x7e || c == ',' || c == '=')
			return 0;
	}
	return 1;
}

int
rp_tracestate_valid(const char *s)
{
	const char *keys[RP_TRACESTATE_MEMBERS];
	size_t keylen[RP_TRACESTATE_MEMBERS], nkeys = 0, i;
	const char *p, *end, *eq;

	if (s == NULL || strlen(s) > RP_TRACESTATE_MAX)
		return 0;
	for (p = s;; p = end + 1) {
		const char *a = p, *b;

		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		b = end;
		/* OWS around a member; an empty member is allowed. */
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (a < b) {
			if (nkeys == RP_TRACESTATE_MEMBERS ||
			    (eq = memchr(a, '=', (size_t)(b - a))) == NULL ||
			    !key_valid(a, (size_t)(eq - a)) ||
			    !value_valid(eq + 1, (size_t)(b - eq - 1)))
				return 0;
			for (i = 0; i < nkeys; i++)
				if (keylen[i] == (size_t)(eq - a) &&
				    memcmp(keys[i], a, keylen[i]) == 0)
					return 0;
			keys[nkeys] = a;
			keylen[nkeys++] = (size_t)(eq - a);
		}
		if (*end == '\0')
			break;
	}
	return 1;
}

static void
hex(char *out, const unsigned char *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
}

/* Random ids, never all zero; sampled flag off (nothing is recorded here). */
static void
generate(struct rp_trace *out)
{
	unsigned char id[24];

	do
		randombytes_buf(id, sizeof(id));
	while (sodium_is_zero(id, 16) || sodium_is_zero(id + 16, 8));
	memcpy(out->parent, "00-", 3);
	hex(out->parent + 3, id, 16);
	out->parent[35] = '-';
	hex(out->parent + 36, id + 16, 8);
	memcpy(out->parent + 52, "-00", 4);
	out->generated = 1;
}

void
rp_trace_take(enum rp_trace_mode mode, const char *traceparent,
    const char *tracestate, struct rp_trace *out)
{
	memset(out, 0, sizeof(*out));
	if (mode == RP_TRACE_OFF)
		return;
	if (rp_traceparent_valid(traceparent)) {
		/* What is passed on is version 00, the one this code knows. */
		memcpy(out->parent, traceparent, RP_TRACEPARENT_LEN);
		memcpy(out->parent, "00", 2);
		out->parent[RP_TRACEPARENT_LEN] = '\0';
		if (rp_tracestate_valid(tracestate))
			strcpy(out->state, tracestate);
	} else if (mode == RP_TRACE_GENERATE)
		generate(out);
	else
		return;
	memcpy(out->trace_id, out->parent + 3, 32);
	out->trace_id[32] = '\0';
}
