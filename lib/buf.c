/* buf.c: a growable, bounded output buffer. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"

void
rp_buf_init(struct rp_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max != 0 ? max : RP_BUF_DEFAULT_MAX;
}

void
rp_buf_free(struct rp_buf *b)
{
	size_t max = b->max;

	free(b->data);
	rp_buf_init(b, max);
}

void
rp_buf_reset(struct rp_buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Makes room for n more bytes and the NUL, or fails (stickily). */
static int
reserve(struct rp_buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (b->failed)
		return b->failed;
	if (n > b->max - b->len) {
		b->failed = RP_ELIMIT;
		return RP_ELIMIT;
	}
	want = b->len + n + 1;
	if (want <= b->cap)
		return RP_OK;
	cap = b->cap != 0 ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	if ((p = realloc(b->data, cap)) == NULL) {
		b->failed = RP_ENOMEM;
		return RP_ENOMEM;
	}
	b->data = p;
	b->cap = cap;
	return RP_OK;
}

enum rp_err
rp_buf_append(struct rp_buf *b, const char *s, size_t n)
{
	int rc;

	if ((rc = reserve(b, n)) != RP_OK)
		return rc;
	if (n > 0)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return RP_OK;
}

enum rp_err
rp_buf_puts(struct rp_buf *b, const char *s)
{
	return rp_buf_append(b, s, strlen(s));
}

enum rp_err
rp_buf_putc(struct rp_buf *b, char c)
{
	return rp_buf_append(b, &c, 1);
}

enum rp_err
rp_buf_vappendf(struct rp_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	if (b->failed)
		return b->failed;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->failed = RP_EINVAL;
		return RP_EINVAL;
	}
	if ((rc = reserve(b, (size_t)n)) != RP_OK)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return RP_OK;
}

enum rp_err
rp_buf_appendf(struct rp_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = rp_buf_vappendf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
rp_buf_str(const struct rp_buf *b)
{
	return b->data != NULL ? b->data : "";
}
