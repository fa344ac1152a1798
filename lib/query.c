/* query.c: query string parsing; every known key has a validator. */
#include "config.h"

#include <string.h>

#include "consent.h"
#include "err.h"
#include "query.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum rp_err
rp_pct_decode(const char *s, size_t n, char *out, size_t size, size_t *outlen)
{
	size_t i, o = 0;
	int hi, lo;
	char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '%') {
			if (i + 2 >= n)
				return RP_EINVAL;
			if ((hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0)
				return RP_EINVAL;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0' || o + 1 >= size)
			return RP_EINVAL;
		out[o++] = c;
	}
	if (size == 0)
		return RP_EINVAL;
	out[o] = '\0';
	*outlen = o;
	return RP_OK;
}

int
rp_view_name_ok(const char *name, size_t n)
{
	size_t i;
	char c;

	if (n == 0 || n > RP_VIEW_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/*
 * Decodes value into dst (size bytes) and validates it; the state the
 * parameter ends in.  dst stays "" unless the value is accepted.
 */
static enum rp_qstate
take(const char *v, size_t n, char *dst, size_t size,
    int (*valid)(const char *, size_t))
{
	size_t len;

	if (rp_pct_decode(v, n, dst, size, &len) != RP_OK || !valid(dst, len)) {
		dst[0] = '\0';
		return RP_Q_REJECTED;
	}
	return RP_Q_OK;
}

int
rp_query_next(const char **p, const char *end, const char **key,
    size_t *klen, const char **val, size_t *vlen)
{
	const char *s = *p, *e, *eq;

	for (;; s = e + 1) {
		if (s >= end) {
			*p = end;
			return 0;
		}
		for (e = s; e < end && *e != '&' && *e != ';'; e++)
			;
		if (e > s)
			break;
	}
	eq = memchr(s, '=', (size_t)(e - s));
	*key = s;
	*klen = (size_t)((eq != NULL ? eq : e) - s);
	*val = eq != NULL ? eq + 1 : e;
	*vlen = (size_t)(e - *val);
	*p = e < end ? e + 1 : end;
	return 1;
}

enum rp_err
rp_query_parse(const char *qs, struct rp_query *out)
{
	const char *p, *end, *k, *v;
	size_t n, klen, vlen;
	struct rp_query q;

	memset(&q, 0, sizeof(q));
	if (qs == NULL)
		goto done;
	if ((n = strnlen(qs, RP_QUERY_MAX + 1)) > RP_QUERY_MAX) {
		*out = q;
		return RP_EINVAL;
	}
	end = qs + n;
	for (p = qs; rp_query_next(&p, end, &k, &klen, &v, &vlen); ) {
		if (klen == 4 && memcmp(k, "view", 4) == 0) {
			if (q.view_state == RP_Q_ABSENT)
				q.view_state = take(v, vlen, q.view,
				    sizeof(q.view), rp_view_name_ok);
		} else if (klen == 6 && memcmp(k, "return", 6) == 0) {
			if (q.return_state == RP_Q_ABSENT)
				q.return_state = take(v, vlen, q.return_path,
				    sizeof(q.return_path), rp_return_path_ok);
		} else
			q.unknown++;
	}
done:
	*out = q;
	return RP_OK;
}
