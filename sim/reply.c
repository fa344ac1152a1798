/* reply.c: the simulator's answers: plain and HTML bodies, errors, redirects and the targets they may name. */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "sim.h"

enum MHD_Result
sim_reply(struct MHD_Connection *conn, unsigned status, const char *type,
    const char *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
sim_reply_error(struct MHD_Connection *conn, unsigned status,
    const char *message)
{
	struct rp_buf b = SIM_BUF_INIT;
	enum MHD_Result ret;

	rp_buf_puts(&b, message);
	rp_buf_puts(&b, "\n");
	ret = b.failed ? MHD_NO : sim_reply(conn, status,
	    "text/plain; charset=UTF-8", b.data, b.len);
	rp_buf_free(&b);
	return ret;
}

enum MHD_Result
sim_reply_html(struct MHD_Connection *conn, struct rp_buf *b)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	if (b->failed) {
		rp_buf_free(b);
		return sim_reply_error(conn, 500, "out of memory");
	}
	resp = MHD_create_response_from_buffer(b->len, b->data, MHD_RESPMEM_MUST_COPY);
	rp_buf_free(b);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/html; charset=UTF-8");
	/* No script on any page: buttons and links only. */
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'none'; style-src 'unsafe-inline'; img-src *");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

enum MHD_Result
sim_redirect(struct MHD_Connection *conn, unsigned status,
    const char *location, const char *set_cookie)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(0, (void *)"",
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION,
	    location) != MHD_YES ||
	    (set_cookie != NULL && MHD_add_response_header(resp,
	    MHD_HTTP_HEADER_SET_COOKIE, set_cookie) != MHD_YES)) {
		MHD_destroy_response(resp);
		return sim_reply_error(conn, 400,
		    "the redirect target or cookie cannot go into a header");
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

int
sim_local_path(const char *p)
{
	if (p[0] != '/' || p[1] == '/' || p[1] == '\\')
		return 0;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return 0;
	return 1;
}
