/* buf.h: a growable, bounded output buffer for fragments and JSON. */
#ifndef RP_BUF_H
#define RP_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

#define RP_BUF_DEFAULT_MAX (1024 * 1024)  /* bound when max is 0 */

/*
 * The bytes are always NUL-terminated once anything was appended.  An
 * append that would pass `max` or fails to allocate appends nothing,
 * sets `failed` (sticky: every later append fails too, so a caller may
 * append many pieces and check once) and returns RP_ELIMIT / RP_ENOMEM.
 * The struct is owned by the caller (stack or embedded); the memory
 * behind `data` is freed with rp_buf_free.
 */
struct rp_buf {
	char *data;     /* NULL until the first append */
	size_t len;     /* bytes, without the NUL */
	size_t cap;     /* bytes allocated */
	size_t max;     /* most bytes it may ever hold (without the NUL) */
	int failed;     /* enum rp_err of the first failed append, 0 if none */
};

/* An empty buffer holding at most max bytes (0: RP_BUF_DEFAULT_MAX). */
void rp_buf_init(struct rp_buf *b, size_t max);

/* Releases the memory; the buffer is empty (and usable) again. */
void rp_buf_free(struct rp_buf *b);

/* Forgets the content, keeps the memory and clears `failed`. */
void rp_buf_reset(struct rp_buf *b);

/* Appends n bytes of s (which need not be NUL-terminated). */
enum rp_err rp_buf_append(struct rp_buf *b, const char *s, size_t n);

/* Appends the NUL-terminated string s. */
enum rp_err rp_buf_puts(struct rp_buf *b, const char *s);

/* Appends one byte. */
enum rp_err rp_buf_putc(struct rp_buf *b, char c);

/* Appends printf-style formatted text. */
enum rp_err rp_buf_appendf(struct rp_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
enum rp_err rp_buf_vappendf(struct rp_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* The content as a C string; "" when empty.  Borrowed until the next append. */
const char *rp_buf_str(const struct rp_buf *b);

#endif
