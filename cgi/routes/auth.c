/* auth.c: the auth route: profile attributes as headers for the site's own backend. */
#include "config.h"

#include <string.h>

#include "attr.h"
#include "consent.h"
#include "err.h"
#include "escape.h"
#include "fetch.h"
#include "routes.h"
#include "log.h"
#include "render.h"

/*
 * How this route answers.  nginx's auth_request lets a request through
 * on any 2xx and refuses it on 401 or 403, copying the subrequest's
 * headers into $upstream_http_* variables; 204 says "nothing to show".
 * A FastCGI authorizer (Apache's mod_authnz_fcgi) must answer exactly
 * 200 to let it through, and only the headers named "Variable-NAME"
 * reach the rest of the request, as environment variable NAME; every
 * other header would go to the browser, so nothing else is added.
 */
#define ALLOW_STATUS 204
#define AUTHORIZER_ALLOW_STATUS 200
#define DENY_STATUS 401
#define VARIABLE_PREFIX "Variable-"
#define HEADER_PREFIX "X-Profile-"

/*
 * The whole header block of one answer: Status line, fixed headers,
 * Content-Type and every X-Profile-* / Variable-X-Profile-* line.  A
 * view of every attribute with long, non-ASCII values (each byte may
 * become %XX) passes this easily; then only X-Profile-Status:
 * unavailable is sent, since a larger block would cost the page a 500.
 * nginx must hold the block in one fastcgi_buffer_size (32k in the
 * shipped snippet) among the FastCGI record headers and padding (up to
 * 15 bytes per record; libfcgi writes records of 8 KiB, other builds
 * may write smaller ones).  And the block travels on to the site's
 * backend as request headers, next to the browser's own (Cookie,
 * User-Agent...): a backend behind a default nginx reads 32 KiB of
 * request headers in all (large_client_header_buffers 4 8k).  24 KiB
 * leaves 8 KiB for both.
 */
#define AUTH_HEAD_MAX (24 * 1024)

/*
 * One "Name: value" line.  Apache's mod_authnz_fcgi reads each header
 * line of the authorizer into MAX_STRING_LEN (8192) bytes, "Name: value"
 * at most 8189 bytes after CR LF and its NUL, and answers 500 (with the
 * start of the line in the page) to a longer one; the backend's own
 * server usually reads a request header line into 8 KiB too (nginx
 * large_client_header_buffers, Apache LimitRequestFieldSize 8190).
 */
#define AUTH_LINE_MAX 8000

/* Longest header name: prefixes + the longest attribute and part names. */
#define NAME_MAX_LEN 128

/* What one answer is being built with. */
struct auth {
	struct rp_req *req;
	const char *prefix;        /* "" or "Variable-" */
	struct rp_buf val;         /* scratch: one header value */
	char name[NAME_MAX_LEN];
	size_t long_line;          /* length of a line refused; 0: none */
};

/*
 * Adds prefix + HEADER_PREFIX + name [+ "-" + part]: a.val, unless the
 * line would pass AUTH_LINE_MAX: then RP_ELIMIT, with a.name and
 * a.long_line saying which line and how long.
 */
static int
add(struct auth *a, const char *name, const char *part)
{
	size_t line;
	int n;

	if (a->val.failed != RP_OK && a->val.failed != RP_ELIMIT)
		return a->val.failed;
	n = snprintf(a->name, sizeof(a->name), "%s" HEADER_PREFIX "%s%s%s",
	    a->prefix, name, part != NULL ? "-" : "", part != NULL ? part : "");
	if (n < 0 || (size_t)n >= sizeof(a->name))
		return RP_ELIMIT;
	/* A value that did not even fit the scratch buffer is longer still. */
	line = (size_t)n + 2 + (a->val.failed == RP_ELIMIT ? a->val.max :
	    a->val.len);
	if (line > AUTH_LINE_MAX) {
		a->long_line = line;
		return RP_ELIMIT;
	}
	return rp_resp_header(&a->req->resp, a->name, rp_buf_str(&a->val));
}

/* The headers of one attribute of p: none when it has no value. */
static int
add_attr(struct auth *a, const struct rp_profile *p, enum rp_attr_id id)
{
	const struct rp_attr *attr = rp_attr_get(id);
	const struct rp_value *v = rp_profile_value(p, id);
	int rc = RP_OK;
	size_t i;

	if (!rp_profile_has(p, id))
		return RP_OK;
	rp_buf_reset(&a->val);
	switch (attr->kind) {
	case RP_KIND_LIST:
		/* An HTTP list (RFC 9110 #element): "a, UTF-8''b%C3%A9". */
		for (i = 0; i < v->nitems; i++) {
			if (v->items[i] == NULL || v->items[i][0] == '\0')
				continue;
			if (a->val.len > 0)
				rp_buf_puts(&a->val, ", ");
			rp_esc_header_value(&a->val, v->items[i]);
		}
		if (a->val.len > 0)
			rc = add(a, attr->name, NULL);
		break;
	case RP_KIND_ADDRESS:
		for (i = 0; i < RP_ADDR__COUNT && rc == RP_OK; i++) {
			const char *s = rp_value_part(v, (enum rp_addr_part)i);

			if (s == NULL || *s == '\0')
				continue;
			rp_buf_reset(&a->val);
			rp_esc_header_value(&a->val, s);
			rc = add(a, attr->name, rp_addr_part_name(i));
		}
		break;
	case RP_KIND_URL:
		/* Like the renderer: a photo is an http(s) URL or nothing. */
		if (!rp_url_is_http(v->text, strlen(v->text)))
			break;
		/* FALLTHROUGH */
	default:
		rp_esc_header_value(&a->val, v->text);
		rc = add(a, attr->name, NULL);
		break;
	}
	return rc;
}

/*
 * The return address of the consent link: the page being guarded, when
 * it may be one (nginx gives its auth subrequest the main request's
 * REQUEST_URI; Apache gives its authorizer the request itself), else
 * [site] return_path.
 */
static const char *
return_path(const struct rp_req *req)
{
	const char *uri = rp_req_param(req, "REQUEST_URI");

	if (uri != NULL && rp_return_path_ok(uri, strlen(uri)))
		return uri;
	return req->app->cfg->site.return_path;
}

/* The headers of an answer that lets the request through. */
static int
add_profile(struct auth *a, const struct rp_view *view,
    const struct rp_profile *p, enum rp_status st)
{
	const struct rp_cfg *cfg = a->req->app->cfg;
	struct rp_buf link;        /* the consent link before encoding; freed here */
	rp_attrset withheld;
	const char *why = NULL;
	char names[1024];
	int rc = RP_OK, i;

	rp_buf_reset(&a->val);
	rp_buf_puts(&a->val, rp_status_name(st));
	if ((rc = add(a, "Status", NULL)) != RP_OK)
		return rc;
	if (st != RP_ST_OK && st != RP_ST_PARTIAL && st != RP_ST_CONSENT)
		return RP_OK;
	for (i = 0; i < RP_ATTR__COUNT && rc == RP_OK; i++)
		if (view->infos & RP_ATTR_BIT(i))
			rc = add_attr(a, p, (enum rp_attr_id)i);
	if (rc != RP_OK)
		return rc;
	withheld = p->withheld & view->infos;
	if (withheld != 0 && rp_attrset_format(withheld, names,
	    sizeof(names)) > 0) {
		/* Catalogue names: tokens, joined as an HTTP list. */
		rp_buf_reset(&a->val);
		for (i = 0; names[i] != '\0'; i++) {
			rp_buf_putc(&a->val, names[i]);
			if (names[i] == ',')
				rp_buf_putc(&a->val, ' ');
		}
		if ((rc = add(a, "Withheld", NULL)) != RP_OK)
			return rc;
	}
	if (st == RP_ST_OK || p->privacy_url == NULL)
		return RP_OK;
	/* The link is checked (http(s), privacy_hosts) and percent-encoded. */
	rp_buf_init(&link, AUTH_HEAD_MAX);
	rc = rp_consent_link(&link, p->privacy_url, cfg->site.privacy_hosts,
	    cfg->site.url, return_path(a->req), &why);
	if (rc == RP_EINVAL) {
		rp_log(RP_LOG_WARN, "consent URL header left out: the privacy "
		    "URL from the API was rejected (%s); if that host is "
		    "Orange's privacy service, add it to [site] privacy_hosts",
		    why);
		rc = RP_OK;
		goto out;
	}
	if (rc != RP_OK)
		goto out;
	/*
	 * Encoded like every other value: its query holds commas
	 * (attributes=A,B) that a backend would split as a list.
	 */
	rp_buf_reset(&a->val);
	rp_esc_header_value(&a->val, rp_buf_str(&link));
	rc = add(a, "Consent-URL", NULL);
out:
	rp_buf_free(&link);
	return rc;
}

void
rp_route_auth(struct rp_req *req)
{
	const struct rp_app *app = req->app;
	const struct rp_cfg *cfg = app->cfg;
	int authorizer = req->authorizer;
	const struct rp_view *view;
	struct rp_profile *profile = NULL;
	enum rp_status st;
	struct auth a;
	size_t head;
	int rc;

	memset(&a, 0, sizeof(a));
	a.req = req;
	a.prefix = authorizer ? VARIABLE_PREFIX : "";
	rp_buf_init(&a.val, AUTH_HEAD_MAX);
	req->resp.headers.max = AUTH_HEAD_MAX;
	req->resp.content_type = RP_CT_TEXT;

	/*
	 * The view is the configuration's, never the request's: under
	 * Apache the query string is the guarded page's, and a visitor
	 * must not pick what the backend is told.
	 */
	view = app->auth_view;
	req->log.view = view->name;

	/* The same profile, from the same cache, as the fragment's. */
	rc = rp_fcgi_request_profile(req, view->infos, &profile);
	if (rc != RP_OK) {
		rp_log(RP_LOG_ERROR, "cannot obtain a profile: %s",
		    rp_strerror(rc));
		rp_req_error(req, 500, 0);
		goto out;
	}
	st = rp_status_of(profile);
	req->log.status = rp_status_name(st);

	if (st == RP_ST_SIGNIN && !cfg->auth.allow_without_token) {
		req->resp.http_status = DENY_STATUS;
		/* Apache sends a refusal's headers to the browser: none. */
		if (!authorizer) {
			rp_buf_reset(&a.val);
			rp_buf_puts(&a.val, rp_status_name(st));
			add(&a, "Status", NULL);
		}
		rp_buf_puts(&req->resp.body, "sign-in required\n");
		goto out;
	}
	req->resp.http_status = authorizer ? AUTHORIZER_ALLOW_STATUS :
	    ALLOW_STATUS;
	rc = add_profile(&a, view, profile, st);
	/* Measured as it will be sent, X-RichProfile-Status included. */
	if (!authorizer)
		req->resp.rp_status = req->log.status;
	head = rp_resp_head_len(&req->resp);
	if (rc == RP_OK && head > AUTH_HEAD_MAX)
		rc = RP_ELIMIT;
	if (rc != RP_OK) {
		/*
		 * Too much to send: nothing half-done reaches the backend,
		 * which hears "unavailable" as during an outage, and the page
		 * is served (a web server given more than it reads answers 500).
		 */
		if (a.long_line > 0)
			rp_log(RP_LOG_WARN, "auth headers of view %s not sent: "
			    "%s would be a header line of at least %zu bytes, "
			    "over the %d allowed (Apache answers 500 past "
			    "8189); sent X-Profile-Status: unavailable instead; "
			    "give [auth] view fewer attributes, or ones with "
			    "shorter values", view->name, a.name, a.long_line,
			    AUTH_LINE_MAX);
		else if (rc == RP_ELIMIT)
			rp_log(RP_LOG_WARN, "auth headers of view %s not sent: "
			    "%zu bytes or more, over the %d that nginx and Apache "
			    "are sure to read; sent X-Profile-Status: unavailable "
			    "instead; give [auth] view fewer attributes",
			    view->name, head, AUTH_HEAD_MAX);
		else
			rp_log(RP_LOG_WARN, "auth headers of view %s not sent: "
			    "%s; sent X-Profile-Status: unavailable instead; "
			    "give [auth] view fewer attributes", view->name,
			    rp_strerror(rc));
		rp_buf_reset(&req->resp.headers);
		rp_buf_reset(&a.val);
		rp_buf_puts(&a.val, rp_status_name(RP_ST_UNAVAILABLE));
		add(&a, "Status", NULL);
		req->log.status = rp_status_name(RP_ST_UNAVAILABLE);
	}
out:
	/* Under Apache, X-RichProfile-Status would reach the browser. */
	if (!authorizer && req->log.status != NULL)
		req->resp.rp_status = req->log.status;
	rp_buf_free(&a.val);
	rp_profile_free(profile);
}
