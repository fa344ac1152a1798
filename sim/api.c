/* api.c: getPersonalRichProfile as the contract describes it, and the faults that break its answers. */
#define _GNU_SOURCE 1 /* POLLRDHUP */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sim.h"

#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define XML_TYPE "application/xml; charset=UTF-8"

/*
 * Error codes for requests the documentation does not cover.  The real
 * API's answers to them are unknown; these follow the shape of its
 * documented errors so a client treats them as "unavailable".
 */
#define CODE_MISSING 201     /* a mandatory parameter is missing or empty */
#define CODE_INVALID 202     /* a parameter has a value the API does not know */
#define CODE_UNKNOWN_TOKEN 102
#define CODE_EXPIRED_TOKEN 103
#define CODE_PRIVACY (-3)

static void
error_body(struct rp_buf *b, long code, const char *detail, const char *url)
{
	rp_buf_appendf(b, XML_DECL "<error>\n  <code>%ld</code>\n  <detail>",
	    code);
	sim_esc(b, detail);
	rp_buf_puts(b, "</detail>\n");
	if (url != NULL) {
		rp_buf_puts(b, "  <url>");
		sim_esc(b, url);
		rp_buf_puts(b, "</url>\n");
	}
	rp_buf_puts(b, "</error>\n");
}

/* The absolute privacy URL for u's refused attributes in set. */
static void
privacy_url(struct rp_buf *b, const struct sim_user *u, rp_attrset set)
{
	char list[1024];

	if (rp_attrset_format(set, list, sizeof(list)) < 0)
		list[0] = '\0';
	rp_buf_appendf(b, "%s" SIM_PRIVACY_PATH "?familly=" SIM_FAMILY
	    "&serviceId=" SIM_SERVICE_ID "&attributes=%s&ctx=%s",
	    sim.public_url, list, u->ctx);
}

static const char *const size_names[] = { "tiny", "small", "medium", "large" };

/* One attribute of u as an element of UserAuthorizedData. */
static void
value_xml(struct rp_buf *b, const struct sim_user *u, enum rp_attr_id id)
{
	const struct rp_attr *a = rp_attr_get(id);
	const struct sim_value *v = &u->values[id];
	static const char *const seps[] = { NULL, ", ", ";", "\n" };
	size_t i;

	rp_buf_appendf(b, "      <%s>", a->name);
	switch (a->kind) {
	case RP_KIND_ADDRESS:
		for (i = 0; i < RP_ADDR__COUNT; i++) {
			const char *part = rp_addr_part_name((enum rp_addr_part)i);

			if (v->part[i] == NULL)
				continue;
			rp_buf_appendf(b, "\n        <%s>", part);
			sim_esc(b, v->part[i]);
			rp_buf_appendf(b, "</%s>", part);
		}
		rp_buf_puts(b, "\n      ");
		break;
	case RP_KIND_LIST:
		for (i = 0; i < v->nitems; i++) {
			if (u->shape == SIM_SHAPE_ELEMENTS) {
				rp_buf_puts(b, "\n        <CenterOfInterest>");
				sim_esc(b, v->items[i]);
				rp_buf_puts(b, "</CenterOfInterest>");
				continue;
			}
			if (i > 0)
				rp_buf_puts(b, seps[u->shape]);
			sim_esc(b, v->items[i]);
		}
		if (u->shape == SIM_SHAPE_ELEMENTS && v->nitems > 0)
			rp_buf_puts(b, "\n      ");
		break;
	case RP_KIND_URL:
		if (v->text != NULL)
			sim_esc(b, v->text);
		else if (u->photo) {
			/* Served by this simulator: --public-url/photos/ID.png. */
			struct rp_buf url = SIM_BUF_INIT;

			rp_buf_appendf(&url, "%s/photos/%s.png?size=%s",
			    sim.public_url, u->id,
			    size_names[id - RP_A_PICTURETINY]);
			if (!url.failed)
				sim_esc(b, url.data);
			if (url.failed && !b->failed)
				b->failed = url.failed;
			rp_buf_free(&url);
		}
		break;
	default:
		if (v->text != NULL)
			sim_esc(b, v->text);
		break;
	}
	rp_buf_appendf(b, "</%s>\n", a->name);
}

/*
 * The answer for token and infos (already validated), as the consent
 * state of the user has it; uses up "once" grants.  Lock held.
 */
static void
answer(struct rp_buf *b, const char *token, rp_attrset infos)
{
	struct sim_user *u = sim_user_by_token(token);
	rp_attrset withheld, granted;
	struct rp_buf url = SIM_BUF_INIT;
	struct timespec now;
	long long age_ms;
	int i;

	if (u == NULL) {
		error_body(b, CODE_UNKNOWN_TOKEN, "InvalidTokenException: unknown token", NULL);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* In milliseconds: whole seconds would expire a token up to 1 s early. */
	age_ms = (long long)(now.tv_sec - u->issued.tv_sec) * 1000 +
	    (now.tv_nsec - u->issued.tv_nsec) / 1000000;
	if (u->expired || (sim.lifetime_s > 0 &&
	    age_ms >= (long long)sim.lifetime_s * 1000)) {
		error_body(b, CODE_EXPIRED_TOKEN, "ExpiredTokenException: token expired", NULL);
		return;
	}
	withheld = infos & u->refused;
	granted = infos & ~withheld;
	if (withheld != 0)
		privacy_url(&url, u, withheld);
	if (granted == 0) {
		error_body(b, CODE_PRIVACY, "PrivacyAccessDeniedException",
		    url.failed ? "" : url.data);
		goto out;
	}
	rp_buf_puts(b, XML_DECL "<getPersonalRichProfileReturn>\n  <Data>\n"
	    "    <UserAuthorizedData>\n");
	for (i = 0; i < RP_ATTR__COUNT; i++)
		if (granted & RP_ATTR_BIT(i))
			value_xml(b, u, (enum rp_attr_id)i);
	rp_buf_puts(b, "    </UserAuthorizedData>\n");
	if (withheld != 0) {
		rp_buf_puts(b, "    <UserUnauthorizedData>\n");
		for (i = 0; i < RP_ATTR__COUNT; i++)
			if (withheld & RP_ATTR_BIT(i))
				rp_buf_appendf(b, "      <%s/>\n",
				    rp_attr_get((enum rp_attr_id)i)->name);
		rp_buf_puts(b, "    </UserUnauthorizedData>\n    <url>");
		if (!url.failed)
			sim_esc(b, url.data);
		rp_buf_puts(b, "</url>\n");
	}
	rp_buf_puts(b, "  </Data>\n</getPersonalRichProfileReturn>\n");
	/* A grant "once" covers this answer only. */
	u->refused |= u->once & granted;
	u->once &= ~granted;
out:
	rp_buf_free(&url);
}

/* Whether the peer of fd has closed its side (so a stall can end). */
static int
peer_gone(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLRDHUP };
	char c;

	if (fd < 0 || poll(&pfd, 1, 0) <= 0)
		return 0;
	if (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR))
		return 1;
	return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

/* Waits until the simulator stops or the peer hangs up. */
static void
stall(int fd)
{
	while (!peer_gone(fd))
		if (sim_sleep_ms(100) != 0)
			return;
}

static int
conn_fd(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

	return ci != NULL ? ci->connect_fd : -1;
}

/* A body sent by callback: cut short, slowly, or generated (oversize). */
struct stream {
	char *body;          /* owned; NULL when generated */
	size_t len;          /* declared Content-Length */
	size_t cut;          /* bytes sent before the fault acts */
	int fd;
	struct sim_fault fault;
	size_t plen, slen;   /* oversize: prefix and suffix around padding */
	char pre[512], suf[256];
};

static void
gen(const struct stream *s, uint64_t pos, char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, pos++) {
		if (pos < s->plen)
			buf[i] = s->pre[pos];
		else if (pos >= s->len - s->slen)
			buf[i] = s->suf[pos - (s->len - s->slen)];
		else
			buf[i] = (pos % 64 == 63) ? '\n' : 'x';
	}
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	size_t n;

	if (pos >= s->cut) {
		if (s->fault.reset && s->fd >= 0) {
			/*
			 * connect(AF_UNSPEC) disconnects a TCP socket at once
			 * with a RST, before MHD's own orderly close can send
			 * a FIN; SO_LINGER 0 covers what the kernel queued.
			 */
			struct linger lg = { 1, 0 };
			struct sockaddr sa = { .sa_family = AF_UNSPEC };

			sim_sleep_ms(50);
			setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			connect(s->fd, &sa, sizeof(sa));
		} else if (s->fault.stall)
			stall(s->fd);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	n = s->cut - (size_t)pos;
	if (n > max)
		n = max;
	if (s->fault.slow_bps > 0) {
		size_t chunk = (size_t)(s->fault.slow_bps / 10);

		if (chunk == 0)
			chunk = 1;
		if (n > chunk)
			n = chunk;
		if (sim_sleep_ms((long)(n * 1000 / (size_t)s->fault.slow_bps)) != 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	if (s->body != NULL)
		memcpy(buf, s->body + pos, n);
	else
		gen(s, pos, buf, n);
	return (ssize_t)n;
}

static void
stream_free(void *cls)
{
	struct stream *s = cls;

	free(s->body);
	free(s);
}

/*
 * Sends body (taken over) with status, applying f's delivery faults.
 * Returns the MHD result.
 */
static enum MHD_Result
deliver(struct MHD_Connection *conn, unsigned status, const char *type,
    struct rp_buf *body, const struct sim_fault *f)
{
	struct MHD_Response *resp;
	struct stream *s;
	enum MHD_Result ret;

	if (body->failed) {
		rp_buf_free(body);
		return sim_reply_error(conn, 500, "out of memory");
	}
	if (f->truncate && !f->shortbody && !f->reset && !f->stall &&
	    !f->slow_bps)
		body->len /= 2;
	if (!f->shortbody && !f->reset && f->stall != 2 && !f->slow_bps &&
	    !f->oversize) {
		resp = MHD_create_response_from_buffer(body->len, body->data,
		    MHD_RESPMEM_MUST_COPY);
		rp_buf_free(body);
		goto send;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		rp_buf_free(body);
		return sim_reply_error(conn, 500, "out of memory");
	}
	s->fault = *f;
	s->fd = conn_fd(conn);
	if (f->oversize) {
		/* Well-formed XML; the bulk is one comment, so only size is wrong. */
		s->plen = (size_t)snprintf(s->pre, sizeof(s->pre), XML_DECL
		    "<getPersonalRichProfileReturn>\n  <Data>\n"
		    "    <UserAuthorizedData>\n    </UserAuthorizedData>\n"
		    "  </Data>\n<!--\n");
		s->slen = (size_t)snprintf(s->suf, sizeof(s->suf),
		    "\n-->\n</getPersonalRichProfileReturn>\n");
		s->len = (size_t)f->oversize;
		if (s->len < s->plen + s->slen)
			s->len = s->plen + s->slen;
		rp_buf_free(body);
	} else {
		s->body = body->data;
		s->len = body->len;
		body->data = NULL;
		rp_buf_free(body);
	}
	s->cut = (f->shortbody || f->reset || f->stall == 2) ? s->len / 2 :
	    s->len;
	resp = MHD_create_response_from_callback(s->len, 16384, stream_read, s,
	    stream_free);
	if (resp == NULL)
		stream_free(s);
send:
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (f->close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	if (f->redirect) {
		struct rp_buf loc = SIM_BUF_INIT;

		rp_buf_appendf(&loc, "%s" SIM_API_PATH "/moved", sim.public_url);
		if (!loc.failed)
			MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, loc.data);
		rp_buf_free(&loc);
	}
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The fault for raw token: a control rule first, then a fault: token. */
static int
pick_fault(const char *token, struct sim_fault *f, char **effective,
    char *err, size_t errlen)
{
	size_t i;
	int found = 0;

	memset(f, 0, sizeof(*f));
	*effective = NULL;
	pthread_mutex_lock(&sim.lock);
	for (i = 0; i < sim.nrules && !found; i++) {
		struct sim_rule *r = &sim.rules[i];

		if (r->token != NULL && strcmp(r->token, token) != 0)
			continue;
		found = 1;
		*f = r->fault;
		if (r->remaining > 0 && --r->remaining == 0) {
			free(r->token);
			memmove(r, r + 1, (sim.nrules - i - 1) * sizeof(*r));
			sim.nrules--;
		}
	}
	pthread_mutex_unlock(&sim.lock);
	if (strncmp(token, "fault:", 6) == 0) {
		const char *at = strchr(token, '@');
		size_t n = at != NULL ? (size_t)(at - token - 6) : strlen(token + 6);
		char spec[256];
		struct sim_fault tf;

		if (n >= sizeof(spec)) {
			snprintf(err, errlen, "fault token too long");
			return -1;
		}
		memcpy(spec, token + 6, n);
		spec[n] = '\0';
		if (sim_fault_parse(spec, &tf, err, errlen) != 0)
			return -1;
		if (!found)
			*f = tf;
		/* Answered as the user after '@', else the first user. */
		pthread_mutex_lock(&sim.lock);
		*effective = strdup(at != NULL ? at + 1 :
		    sim.users.v[0].token);
		pthread_mutex_unlock(&sim.lock);
		if (*effective == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

static enum MHD_Result
add_header(void *cls, enum MHD_ValueKind kind, const char *name,
    const char *value)
{
	struct rp_buf *b = cls;

	rp_buf_puts(b, b->len > 1 ? ",[" : "[");
	sim_json(b, name);
	rp_buf_puts(b, ",");
	sim_json(b, value != NULL ? value : "");
	rp_buf_puts(b, "]");
	return MHD_YES;
}

/*
 * The request's headers as received, a JSON array of [name, value]
 * (malloc'd, or NULL): /_control/stats?token= shows them, so tests see
 * what reached the API (trace context, and nothing of the browser's).
 */
static char *
request_headers(struct MHD_Connection *conn)
{
	struct rp_buf b = SIM_BUF_INIT;
	char *s;

	rp_buf_puts(&b, "[");
	MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header, &b);
	rp_buf_puts(&b, "]");
	if (b.failed || (s = malloc(b.len + 1)) == NULL) {
		rp_buf_free(&b);
		return NULL;
	}
	memcpy(s, b.data, b.len);
	s[b.len] = '\0';
	rp_buf_free(&b);
	return s;
}

enum MHD_Result
sim_api(struct sim_req *r)
{
	const char *action, *infos, *token, *bad = NULL;
	char *hdrs;
	struct rp_buf body = SIM_BUF_INIT;
	struct sim_fault f;
	char *effective = NULL, err[256];
	rp_attrset set = 0;
	size_t badlen = 0;
	unsigned status = MHD_HTTP_OK;
	const char *type = XML_TYPE;
	enum MHD_Result ret;

	if (strcmp(r->method, "GET") != 0)
		return sim_reply_error(r->conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "the API answers GET only");
	action = sim_arg(r->conn, "action");
	infos = sim_arg(r->conn, "infos");
	token = sim_arg(r->conn, "token");

	hdrs = token != NULL ? request_headers(r->conn) : NULL;
	pthread_mutex_lock(&sim.lock);
	sim.api_requests++;
	if (token != NULL)
		sim_count_token(token, sim_user_by_token(token), hdrs);
	pthread_mutex_unlock(&sim.lock);

	memset(&f, 0, sizeof(f));
	if (token != NULL && pick_fault(token, &f, &effective, err,
	    sizeof(err)) != 0) {
		ret = sim_reply_error(r->conn, MHD_HTTP_BAD_REQUEST, err);
		goto out;
	}
	if (sim_sleep_ms(sim.delay_ms + f.delay_ms) != 0 || f.drop) {
		ret = MHD_NO;
		goto out;
	}
	if (f.stall == 1) {
		stall(conn_fd(r->conn));
		ret = MHD_NO;
		goto out;
	}

	if (f.has_code) {
		error_body(&body, f.code, "simulated error", NULL);
		if (f.status)
			status = (unsigned)f.status;
	} else if (f.status || f.notxml || f.redirect) {
		status = f.status ? (unsigned)f.status :
		    f.redirect ? MHD_HTTP_FOUND : MHD_HTTP_OK;
		type = "text/html; charset=UTF-8";
		rp_buf_appendf(&body, "<html><head><title>%u</title></head><body>"
		    "<h1>Simulated answer %u</h1><p>Not an XML document.</p>"
		    "</body></html>\n", status, status);
	} else if (f.oversize) {
		/* Generated while sent. */
	} else if (action == NULL || action[0] == '\0')
		error_body(&body, CODE_MISSING,
		    "MissingParameterException: action", NULL);
	else if (strcmp(action, "getPersonalRichProfile") != 0)
		error_body(&body, CODE_INVALID,
		    "InvalidParameterException: unknown action", NULL);
	else if (infos == NULL || infos[0] == '\0')
		error_body(&body, CODE_MISSING,
		    "MissingParameterException: infos", NULL);
	else if (token == NULL || token[0] == '\0')
		error_body(&body, CODE_MISSING,
		    "MissingParameterException: token", NULL);
	else if (rp_attrset_parse(infos, &set, &bad, &badlen) != 0) {
		struct rp_buf d = SIM_BUF_INIT;

		rp_buf_appendf(&d, "InvalidParameterException: unknown attribute "
		    "'%.*s' in infos", (int)(badlen > 64 ? 64 : badlen), bad);
		error_body(&body, CODE_INVALID, d.failed ? "" : d.data, NULL);
		rp_buf_free(&d);
	} else {
		pthread_mutex_lock(&sim.lock);
		answer(&body, effective != NULL ? effective : token, set);
		pthread_mutex_unlock(&sim.lock);
	}
	ret = deliver(r->conn, status, type, &body, &f);
out:
	rp_buf_free(&body);
	free(effective);
	return ret;
}
