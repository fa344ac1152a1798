/* buf.c: the simulator's growable buffer and its escapers (XML/HTML, URL, JSON). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* Makes room for n more bytes plus a NUL; sets oom on failure. */
static int
reserve(struct sim_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (b->len + n + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void
sim_buf_putn(struct sim_buf *b, const char *s, size_t n)
{
	if (reserve(b, n) != 0)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sim_buf_puts(struct sim_buf *b, const char *s)
{
	sim_buf_putn(b, s, strlen(s));
}

void
sim_buf_printf(struct sim_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(b, (size_t)n) != 0) {
		b->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
sim_buf_esc(struct sim_buf *b, const char *s)
{
	const char *run = s;

	/* Copy unescaped runs whole; only the five specials are rewritten. */
	for (; *s != '\0'; s++) {
		const char *rep;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		sim_buf_putn(b, run, (size_t)(s - run));
		sim_buf_puts(b, rep);
		run = s + 1;
	}
	sim_buf_putn(b, run, (size_t)(s - run));
}

void
sim_buf_urlenc(struct sim_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[3];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			sim_buf_putn(b, (const char *)&c, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		sim_buf_putn(b, esc, 3);
	}
}

void
sim_buf_json(struct sim_buf *b, const char *s)
{
	sim_buf_putn(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sim_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			sim_buf_printf(b, "\\u%04x", c);
		else
			sim_buf_putn(b, s, 1);
	}
	sim_buf_putn(b, "\"", 1);
}

void
sim_buf_free(struct sim_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}
