/* response.c: status, headers and body of one answer. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "escape.h"
#include "response.h"

/* Longest header block; far above what any answer of ours carries. */
#define HEADERS_MAX 8192

static const struct {
	int code;
	const char *reason;
} reasons[] = {
	{ 200, "OK" }, { 204, "No Content" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
};

const char *
rp_http_reason(int status)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == status)
			return reasons[i].reason;
	return "Unknown";
}

void
rp_resp_init(struct rp_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->http_status = 200;
	r->content_type = RP_CT_HTML;
	rp_buf_init(&r->headers, HEADERS_MAX);
	rp_buf_init(&r->body, 0);
}

void
rp_resp_free(struct rp_resp *r)
{
	rp_buf_free(&r->headers);
	rp_buf_free(&r->body);
}

void
rp_resp_reset(struct rp_resp *r)
{
	r->http_status = 200;
	r->content_type = RP_CT_HTML;
	r->rp_status = NULL;
	rp_buf_reset(&r->headers);
	rp_buf_reset(&r->body);
}

enum rp_err
rp_resp_header(struct rp_resp *r, const char *name, const char *value)
{
	size_t i;

	if (!rp_http_token_ok(name, strlen(name)) ||
	    strcasecmp(name, "Set-Cookie") == 0)
		return RP_EINVAL;
	for (i = 0; value[i] != '\0'; i++) {
		unsigned char c = (unsigned char)value[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return RP_EINVAL;
	}
	return rp_buf_appendf(&r->headers, "%s: %s\r\n", name, value);
}

/*
 * The Status line and the fixed headers every answer carries into buf
 * (size bytes; NULL, 0 to measure); snprintf's count.  Personal data
 * must not be stored by any cache on the way, and must vary by the
 * cookie that selects the person.
 */
static int
format_top(const struct rp_resp *r, char *buf, size_t size)
{
	return snprintf(buf, size,
	    "Status: %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: private, no-store\r\n"
	    "Vary: Cookie\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "%s%s%s",
	    r->http_status, rp_http_reason(r->http_status), r->content_type,
	    r->body.len,
	    r->rp_status != NULL ? "X-RichProfile-Status: " : "",
	    r->rp_status != NULL ? r->rp_status : "",
	    r->rp_status != NULL ? "\r\n" : "");
}

size_t
rp_resp_head_len(const struct rp_resp *r)
{
	int n = format_top(r, NULL, 0);

	return (n > 0 ? (size_t)n : 0) + r->headers.len + 2;
}

int
rp_resp_send(const struct rp_resp *r, int head, const struct rp_io *io)
{
	char top[512];
	int n;

	n = format_top(r, top, sizeof(top));
	if (n < 0 || (size_t)n >= sizeof(top))
		return -1;
	if (io->write(io->ctx, top, (size_t)n) != 0 ||
	    (r->headers.len > 0 &&
	    io->write(io->ctx, r->headers.data, r->headers.len) != 0) ||
	    io->write(io->ctx, "\r\n", 2) != 0)
		return -1;
	if (!head && r->body.len > 0 &&
	    io->write(io->ctx, r->body.data, r->body.len) != 0)
		return -1;
	/* Small answers sit in a buffer: only the flush learns of a hang-up. */
	if (io->flush != NULL && io->flush(io->ctx) != 0)
		return -1;
	return 0;
}
