/* escape.h: the one module that writes untrusted values into HTML, URLs, JSON and headers. */
#ifndef RP_ESCAPE_H
#define RP_ESCAPE_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/*
 * Every escaper reads n bytes of s (not necessarily NUL-terminated),
 * replaces each invalid UTF-8 sequence by U+FFFD and appends the result
 * to b.  They return RP_OK or the error of rp_buf (RP_ENOMEM,
 * RP_ELIMIT).  In HTML, NUL bytes and C0/C1 control characters other
 * than TAB, LF and CR never reach the output: they become U+FFFD.
 */

/* Element text: & < > " ' become entities. */
enum rp_err rp_esc_html_text(struct rp_buf *b, const char *s, size_t n);

/*
 * A quoted attribute value (either quote): as text, plus TAB, CR and LF
 * as numeric references so a value can never end the attribute or
 * spread over lines.
 */
enum rp_err rp_esc_html_attr(struct rp_buf *b, const char *s, size_t n);

/*
 * One URL component (query value, path segment): every byte but the
 * RFC 3986 unreserved ones (A-Z a-z 0-9 - . _ ~) as %XX.  Invalid UTF-8
 * is replaced (as %EF%BF%BD) first, so the result decodes to UTF-8.
 */
enum rp_err rp_esc_url_component(struct rp_buf *b, const char *s, size_t n);

/*
 * A JSON string literal, quotes included: " \ and control characters
 * escaped, and < > & as \u003c \u003e \u0026 so that JSON embedded in a
 * page cannot end a <script> element.
 */
enum rp_err rp_esc_json_string(struct rp_buf *b, const char *s, size_t n);

/*
 * Non-zero when s (n bytes) is an absolute http: or https: URL (scheme
 * case-insensitive) with a non-empty host, no userinfo, and only
 * printable ASCII (no blanks, quotes, backslashes or controls).  The
 * only test a URL passes before it reaches src or href.
 */
int rp_url_is_http(const char *s, size_t n);

/* Non-zero when s (n bytes) is valid UTF-8 without NUL bytes. */
int rp_utf8_valid(const char *s, size_t n);

/*
 * HTTP header values (the auth route's X-Profile-* headers): appends s
 * as it is when every byte is an RFC 8187 attr-char (letters, digits,
 * !#$&+-.^_`|~), else as the RFC 8187 ext-value UTF-8''<percent-encoded
 * bytes>.  Either way the result is printable ASCII without blank,
 * comma, quote or control byte: it cannot end the header, start
 * another one, or be read as two list items; and as "'" and "%" are no
 * attr-chars, a plain value is never mistaken for an encoded one.
 */
enum rp_err rp_esc_header_value(struct rp_buf *b, const char *s);

/*
 * Non-zero when s (n bytes) is an RFC 9110 token (a header or cookie
 * name): one or more of letters, digits and !#$%&'*+-.^_`|~.
 */
int rp_http_token_ok(const char *s, size_t n);

#endif
