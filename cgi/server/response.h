/* response.h: status, headers and body of one answer. */
#ifndef RP_FCGI_RESPONSE_H
#define RP_FCGI_RESPONSE_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Where an answer's bytes go (FastCGI stream or CGI stdout). */
struct rp_io {
	int (*write)(void *ctx, const char *buf, size_t len); /* 0 or -1 */
	void *ctx;
	/*
	 * The answer is whole: pushes the buffered bytes out (FastCGI: with
	 * the records that end the request, in one write).  0, or -1 when
	 * the peer is gone.  Nothing may be written after it.  May be NULL.
	 */
	int (*flush)(void *ctx);
};

#define RP_CT_HTML "text/html; charset=utf-8"
#define RP_CT_JSON "application/json; charset=utf-8"
#define RP_CT_TEXT "text/plain; charset=utf-8"

/*
 * One answer.  Every answer carries Content-Type (with charset),
 * Content-Length, Cache-Control: private, no-store, Vary: Cookie and
 * X-Content-Type-Options: nosniff; X-RichProfile-Status when rp_status
 * is set; the lines in `headers` after those.  Never Set-Cookie.
 */
struct rp_resp {
	int http_status;            /* 200 unless a handler says otherwise */
	const char *content_type;   /* static; RP_CT_HTML by default */
	const char *rp_status;      /* static "ok", "partial", ...; NULL: none */
	struct rp_buf headers;      /* extra "Name: value\r\n" lines */
	struct rp_buf body;
};

/* An empty 200 HTML answer.  Release with rp_resp_free. */
void rp_resp_init(struct rp_resp *r);
void rp_resp_free(struct rp_resp *r);

/* Forgets headers and body (a handler changes its mind: an error). */
void rp_resp_reset(struct rp_resp *r);

/*
 * Adds a header line.  The name must be an RFC 9110 token and the value
 * printable (no CR, LF or other control byte), so nothing a handler
 * passes can split the answer; Set-Cookie is refused outright.  RP_OK,
 * RP_EINVAL, or an rp_buf error.
 */
enum rp_err rp_resp_header(struct rp_resp *r, const char *name, const char *value);

/*
 * Bytes of the header block rp_resp_send would write for r as it is now:
 * the Status line, the fixed headers, `headers` and the blank line.
 */
size_t rp_resp_head_len(const struct rp_resp *r);

/*
 * Writes the CGI/FastCGI header block and, unless head, the body, and
 * flushes.  Returns 0, or -1 when the web server went away (nothing to
 * do but drop the request and say so in its log line).
 */
int rp_resp_send(const struct rp_resp *r, int head, const struct rp_io *io);

/* "Not Found" for 404 and so on; "Unknown" for codes it does not know. */
const char *rp_http_reason(int status);

#endif
