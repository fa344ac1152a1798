/* client.c: the HTTP client to the RichProfile API, over libcurl. */
#define _GNU_SOURCE 1  /* memmem */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "client.h"
#include "clock.h"
#include "parse.h"

#define USER_AGENT "richprofile/" PACKAGE_VERSION
#define ACTION "?action=getPersonalRichProfile&infos="

/*
 * Process-wide state: curl_global_init and a share handle through which
 * every client's easy handle shares the DNS cache and TLS sessions.
 * Reference-counted so that tests may set up and tear down repeatedly.
 */
static pthread_mutex_t global_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned global_refs;
static CURLSH *share;
static pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST];
static const char *global_warning;

struct rp_client {
	/*
	 * What calls read of the configuration, copied: a client outlives
	 * the configuration it was made from (a worker idle across reloads).
	 */
	char *endpoint;               /* owned */
	long max_response_bytes, timeout_ms, low_speed_bytes;
	CURL *easy;                   /* owned; its connection is reused */
	struct curl_slist *headers;   /* owned */
	CURLU *url;                   /* owned; the URL of the call, parsed */
	char errbuf[CURL_ERROR_SIZE];

	/* State of the call in progress. */
	struct rp_parser *ps;
	const struct rp_fetch_opts *opts;
	size_t received;
	int toobig, redirect, checked;
};

static void
share_lock(CURL *h, curl_lock_data d, curl_lock_access a, void *u)
{
	pthread_mutex_lock(&share_mu[d]);
}

static void
share_unlock(CURL *h, curl_lock_data d, void *u)
{
	pthread_mutex_unlock(&share_mu[d]);
}

int
rp_client_global_init(void)
{
	const curl_version_info_data *v;
	int rc = RP_OK, i;

	pthread_mutex_lock(&global_mu);
	if (global_refs++ > 0)
		goto out;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		rc = RP_ENOMEM;
		goto fail;
	}
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&share_mu[i], NULL);
	if ((share = curl_share_init()) == NULL ||
	    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, share_lock) ||
	    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, share_unlock) ||
	    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) ||
	    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION)) {
		if (share != NULL)
			curl_share_cleanup(share);
		share = NULL;
		curl_global_cleanup();
		rc = RP_ENOMEM;
		goto fail;
	}
	/*
	 * NOSIGNAL is set (threads), so a synchronous resolver could not be
	 * interrupted: the timeouts would not bound DNS.  Say so once.
	 */
	v = curl_version_info(CURLVERSION_NOW);
	global_warning = (v->features & CURL_VERSION_ASYNCHDNS) ? NULL :
	    "libcurl resolves host names synchronously: connect_timeout_ms "
	    "and timeout_ms cannot interrupt a slow DNS lookup; install a "
	    "libcurl built with the threaded resolver or c-ares";
	goto out;
fail:
	global_refs--;
out:
	pthread_mutex_unlock(&global_mu);
	return rc;
}

const char *
rp_client_global_warning(void)
{
	return global_warning;
}

void
rp_client_global_cleanup(void)
{
	int i;

	pthread_mutex_lock(&global_mu);
	if (global_refs > 0 && --global_refs == 0) {
		curl_share_cleanup(share);
		share = NULL;
		for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
			pthread_mutex_destroy(&share_mu[i]);
		curl_global_cleanup();
	}
	pthread_mutex_unlock(&global_mu);
}

/*
 * The write callback: the body goes straight into the parser (and the
 * tee), never into a buffer of ours.  Returning less than n aborts.
 */
static size_t
on_body(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct rp_client *c = arg;
	size_t n = size * nmemb;

	if (!c->checked) {
		long status = 0;

		c->checked = 1;
		curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
		/* A redirect's body is of no use: stop reading it. */
		if (status >= 300 && status < 400) {
			c->redirect = 1;
			return 0;
		}
	}
	if (n > (size_t)c->max_response_bytes - c->received) {
		c->toobig = 1;
		return 0;
	}
	c->received += n;
	if (c->opts != NULL && c->opts->tee != NULL)
		c->opts->tee(c->opts->tee_arg, buf, n);
	/* A bad body is kept reading (bounded) so the tee sees all of it. */
	rp_parser_feed(c->ps, buf, n);
	return n;
}

enum rp_err
rp_client_new(const struct rp_cfg *cfg, struct rp_client **out)
{
	struct rp_client *c;
	const char *ca = cfg->upstream.ca_file;
	long slow = cfg->upstream.low_speed_bytes;
	int rc = RP_ENOMEM;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return RP_ENOMEM;
	c->max_response_bytes = cfg->upstream.max_response_bytes;
	c->timeout_ms = cfg->upstream.timeout_ms;
	c->low_speed_bytes = cfg->upstream.low_speed_bytes;
	if ((c->endpoint = strdup(cfg->upstream.endpoint)) == NULL)
		goto out;
	if ((c->easy = curl_easy_init()) == NULL ||
	    (c->url = curl_url()) == NULL ||
	    (c->headers = curl_slist_append(NULL,
	    "Accept: application/xml, text/xml")) == NULL)
		goto out;
	rc = RP_EINVAL;
	/* Everything that does not change between calls is set once here. */
	if (curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L) ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    curl_easy_setopt(c->easy, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(c->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") ||
#else
	    curl_easy_setopt(c->easy, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) ||
	    curl_easy_setopt(c->easy, CURLOPT_REDIR_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) ||
#endif
	    curl_easy_setopt(c->easy, CURLOPT_FOLLOWLOCATION, 0L) ||
	    curl_easy_setopt(c->easy, CURLOPT_HTTPGET, 1L) ||
	    curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    cfg->upstream.connect_timeout_ms) ||
	    curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS,
	    cfg->upstream.timeout_ms) ||
	    /* libcurl counts the floor's window in whole seconds: round up. */
	    curl_easy_setopt(c->easy, CURLOPT_LOW_SPEED_LIMIT, slow) ||
	    curl_easy_setopt(c->easy, CURLOPT_LOW_SPEED_TIME, slow > 0 ?
	    (cfg->upstream.low_speed_ms + 999) / 1000 : 0L) ||
	    /* An announced length over the cap is refused before the body. */
	    curl_easy_setopt(c->easy, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)cfg->upstream.max_response_bytes) ||
	    curl_easy_setopt(c->easy, CURLOPT_SSL_VERIFYPEER, 1L) ||
	    curl_easy_setopt(c->easy, CURLOPT_SSL_VERIFYHOST, 2L) ||
	    /* A private CA replaces the system store, it does not add to it. */
	    (ca != NULL && (curl_easy_setopt(c->easy, CURLOPT_CAINFO, ca) ||
	    curl_easy_setopt(c->easy, CURLOPT_CAPATH, NULL))) ||
	    /* "" also keeps libcurl from taking a proxy from the environment. */
	    curl_easy_setopt(c->easy, CURLOPT_PROXY, cfg->upstream.proxy != NULL ?
	    cfg->upstream.proxy : "") ||
	    curl_easy_setopt(c->easy, CURLOPT_USERAGENT, USER_AGENT) ||
	    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->headers) ||
	    curl_easy_setopt(c->easy, CURLOPT_TCP_KEEPALIVE, 1L) ||
	    curl_easy_setopt(c->easy, CURLOPT_SHARE, share) ||
	    curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->errbuf) ||
	    curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body) ||
	    curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c) ||
	    /*
	     * Each call's URL goes to libcurl parsed (CURLOPT_CURLU, set per
	     * call): given a string, libcurl 7.88 parses it and prints it
	     * back whole with its slow printf on every call, a tenth of the
	     * instructions of an uncached request.  The string URL is set
	     * once, token-free: libcurl up to 8.11 would otherwise print the
	     * first call's URL, token included, into the handle and keep it
	     * for the handle's life (curl #15984); later versions print each
	     * call's URL there, as CURLOPT_URL per call did.
	     */
	    curl_easy_setopt(c->easy, CURLOPT_URL, cfg->upstream.endpoint) ||
	    curl_easy_setopt(c->easy, CURLOPT_CURLU, c->url))
		goto out;
	*out = c;
	c = NULL;
	rc = RP_OK;
out:
	rp_client_free(c);
	return rc;
}

const char *
rp_client_last_url(const struct rp_client *c)
{
	char *u = NULL;

	if (curl_easy_getinfo(c->easy, CURLINFO_EFFECTIVE_URL, &u) != CURLE_OK)
		return NULL;
	return u;
}

void
rp_client_free(struct rp_client *c)
{
	if (c == NULL)
		return;
	if (c->easy != NULL)
		curl_easy_cleanup(c->easy);
	curl_slist_free_all(c->headers);
	curl_url_cleanup(c->url);
	free(c->endpoint);
	free(c);
}

/*
 * Percent-encodes n bytes of s into out (3n + 1 bytes at least): all but
 * RFC 3986 unreserved characters, and ',' when keep_comma.  So no byte
 * of a token can end its parameter or start another.
 */
static size_t
pct_encode(char *out, const char *s, size_t n, int keep_comma)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~' || (keep_comma && ch == ',')) {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
	return o;
}

/* {endpoint}?action=...&infos=A,B&token=T, malloc'd into *out. */
static int
build_url(const struct rp_client *c, const char *token, size_t len,
    rp_attrset infos, char **out, size_t *outlen, size_t *tokoff)
{
	const char *ep = c->endpoint;
	char names[1024];
	size_t size, n;
	char *url;
	int nl;

	if ((nl = rp_attrset_format(infos, names, sizeof(names))) < 0)
		return RP_EINVAL;
	size = strlen(ep) + sizeof(ACTION) + 3 * (size_t)nl + sizeof("&token=") +
	    3 * len + 1;
	if (len > (SIZE_MAX - 4096) / 3 || (url = malloc(size)) == NULL)
		return RP_ENOMEM;
	n = (size_t)snprintf(url, size, "%s" ACTION, ep);
	n += pct_encode(url + n, names, (size_t)nl, 1);
	memcpy(url + n, "&token=", sizeof("&token="));
	n += sizeof("&token=") - 1;
	*tokoff = n;
	n += pct_encode(url + n, token, len, 0);
	*out = url;
	*outlen = n;
	return RP_OK;
}

/* libcurl's results, by the class the caller and the logs know them by. */
static const struct {
	CURLcode cc;
	enum rp_err err;
} curl_classes[] = {
	{ CURLE_COULDNT_RESOLVE_HOST, RP_EDNS },
	{ CURLE_COULDNT_RESOLVE_PROXY, RP_EDNS },
	{ CURLE_COULDNT_CONNECT, RP_ECONNREFUSED },
	{ CURLE_OPERATION_TIMEDOUT, RP_ETIMEOUT },     /* refined below */
	{ CURLE_SSL_CONNECT_ERROR, RP_ETLS },
	{ CURLE_PEER_FAILED_VERIFICATION, RP_ETLS },
	{ CURLE_SSL_CACERT_BADFILE, RP_ETLS },
	{ CURLE_SSL_CERTPROBLEM, RP_ETLS },
	{ CURLE_SSL_CIPHER, RP_ETLS },
	{ CURLE_SSL_ENGINE_NOTFOUND, RP_ETLS },
	{ CURLE_SSL_ENGINE_SETFAILED, RP_ETLS },
	{ CURLE_SSL_ENGINE_INITFAILED, RP_ETLS },
	{ CURLE_SSL_CRL_BADFILE, RP_ETLS },
	{ CURLE_SSL_ISSUER_ERROR, RP_ETLS },
	{ CURLE_SSL_PINNEDPUBKEYNOTMATCH, RP_ETLS },
	{ CURLE_SSL_INVALIDCERTSTATUS, RP_ETLS },
	{ CURLE_SSL_SHUTDOWN_FAILED, RP_ETLS },
	{ CURLE_USE_SSL_FAILED, RP_ETLS },
	{ CURLE_FILESIZE_EXCEEDED, RP_ETOOBIG },
	{ CURLE_WRITE_ERROR, RP_EUPSTREAM },           /* refined below */
	{ CURLE_RECV_ERROR, RP_ERESET },
	{ CURLE_SEND_ERROR, RP_ERESET },
	{ CURLE_PARTIAL_FILE, RP_ERESET },
	{ CURLE_GOT_NOTHING, RP_ERESET },
	{ CURLE_HTTP2, RP_ERESET },
	{ CURLE_HTTP2_STREAM, RP_ERESET },
	{ CURLE_TOO_MANY_REDIRECTS, RP_EREDIRECT },
};

/* The class of a finished transfer, from libcurl's code and what we saw. */
static enum rp_err
classify(struct rp_client *c, CURLcode cc, long status, long elapsed_ms)
{
	enum rp_err err = RP_EUPSTREAM;
	curl_off_t resolved = 0, ready = 0;
	size_t i;

	if (cc == CURLE_OK)
		return status >= 300 && status < 400 ? RP_EREDIRECT : RP_OK;
	for (i = 0; i < sizeof(curl_classes) / sizeof(curl_classes[0]); i++)
		if (curl_classes[i].cc == cc)
			err = curl_classes[i].err;
	if (cc == CURLE_WRITE_ERROR)
		return c->toobig ? RP_ETOOBIG : c->redirect ? RP_EREDIRECT : err;
	if (cc != CURLE_OPERATION_TIMEDOUT)
		return err;
	/*
	 * One code for four cases: how far the call got, and whether the
	 * total timeout or the slow-sender floor fired, tell them apart.  A
	 * call that never reached "pre-transfer" (request about to be sent,
	 * set for reused connections too) timed out resolving or connecting.
	 */
	curl_easy_getinfo(c->easy, CURLINFO_NAMELOOKUP_TIME_T, &resolved);
	curl_easy_getinfo(c->easy, CURLINFO_PRETRANSFER_TIME_T, &ready);
	if (ready == 0)
		return resolved == 0 ? RP_EDNS : RP_ECONNTIMEOUT;
	if (c->low_speed_bytes > 0 && elapsed_ms + 50 < c->timeout_ms)
		return RP_ESLOW;
	return RP_ETIMEOUT;
}

/* Replaces each of the n bytes at needle in s by '*'. */
static void
mask(char *s, const char *needle, size_t n)
{
	char *p = s;

	if (n == 0)
		return;
	while ((p = memmem(p, strlen(p), needle, n)) != NULL) {
		memset(p, '*', n);
		p += n;
	}
}

/*
 * curl's message, token-free.  libcurl does not put the query in its
 * messages, but a message is never trusted with a secret: everything
 * after "token=" goes, and so does any copy of the token, raw or
 * encoded (tokens under 4 bytes excepted: masking them would garble the
 * message without hiding anything).
 */
static void
scrub(char *detail, const char *token, size_t len, const char *enc)
{
	char *t;

	if ((t = strstr(detail, "token=")) != NULL)
		strcpy(t + 6, "***");
	if (len >= 4) {
		mask(detail, token, strnlen(token, len));
		mask(detail, enc, strlen(enc));
	}
}

/*
 * curl_easy_perform, with the trace context headers in front of the
 * handle's own for this call only: list nodes on the stack, nothing
 * allocated, nothing left in the handle afterwards.
 */
static CURLcode
perform(struct rp_client *c, const struct rp_trace *t)
{
	char tp[sizeof("traceparent: ") + RP_TRACEPARENT_LEN];
	char ts[sizeof("tracestate: ") + RP_TRACESTATE_MAX];
	struct curl_slist nodes[2], *head = c->headers;
	CURLcode cc;

	if (t == NULL || t->parent[0] == '\0')
		return curl_easy_perform(c->easy);
	if (t->state[0] != '\0') {
		snprintf(ts, sizeof(ts), "tracestate: %s", t->state);
		nodes[1].data = ts;
		nodes[1].next = head;
		head = &nodes[1];
	}
	snprintf(tp, sizeof(tp), "traceparent: %s", t->parent);
	nodes[0].data = tp;
	nodes[0].next = head;
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, &nodes[0]);
	cc = curl_easy_perform(c->easy);
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->headers);
	return cc;
}

enum rp_err
rp_client_fetch(struct rp_client *c, const char *token, size_t len,
    rp_attrset infos, struct rp_profile **out, struct rp_fetch_info *info)
{
	return rp_client_fetch_opts(c, token, len, infos, NULL, out, info);
}

int
rp_client_fetch_opts(struct rp_client *c, const char *token, size_t len,
    rp_attrset infos, const struct rp_fetch_opts *opts,
    struct rp_profile **out, struct rp_fetch_info *info)
{
	struct rp_parse_limits lim = { 0 };
	struct rp_fetch_info fi;
	struct rp_profile *p = NULL;
	long long t0;
	char *url = NULL;
	size_t urllen = 0, tokoff = 0;
	long status = 0, conns = 0;
	CURLcode cc;
	CURLUcode uc;
	int rc;

	memset(&fi, 0, sizeof(fi));
	t0 = rp_monotonic_us();
	lim.max_bytes = (size_t)c->max_response_bytes;
	if ((rc = build_url(c, token, len, infos, &url, &urllen, &tokoff)) != RP_OK ||
	    (rc = rp_parser_new(infos, &lim, &c->ps)) != RP_OK)
		goto out;
	c->opts = opts;
	c->received = 0;
	c->toobig = c->redirect = c->checked = 0;
	c->errbuf[0] = '\0';
	if ((uc = curl_url_set(c->url, CURLUPART_URL, url, 0)) != CURLUE_OK) {
		rc = uc == CURLUE_OUT_OF_MEMORY ? RP_ENOMEM : RP_EINVAL;
		goto out;
	}
	cc = perform(c, opts != NULL ? opts->trace : NULL);
	fi.elapsed_us = (long)(rp_monotonic_us() - t0);
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c->easy, CURLINFO_NUM_CONNECTS, &conns);
	fi.http_status = (int)status;
	fi.new_connection = conns > 0;
	fi.err = classify(c, cc, status, fi.elapsed_us / 1000);
	if (cc != CURLE_OK) {
		snprintf(fi.detail, sizeof(fi.detail), "%s", c->errbuf[0] != '\0' ?
		    c->errbuf : curl_easy_strerror(cc));
		/* The token's encoded form is the tail of the URL. */
		scrub(fi.detail, token, len, url + tokoff);
	} else if (fi.err == RP_EREDIRECT)
		snprintf(fi.detail, sizeof(fi.detail), "HTTP %ld", status);
	if (fi.err != RP_OK) {
		rc = rp_profile_new_failure(infos, fi.err, (int)status, &p);
		goto out;
	}
	if ((rc = rp_parser_finish(c->ps, &p)) != RP_OK)
		goto out;
	p->http_status = (int)status;
	/* The contract: any status may carry an XML answer; without one ... */
	if (p->outcome == RP_OUT_MALFORMED && p->err == RP_ETOOBIG) {
		fi.err = RP_ETOOBIG;
	} else if (p->outcome == RP_OUT_MALFORMED && status >= 400) {
		/* ... an error status is the failure, not the body. */
		rp_profile_free(p);
		p = NULL;
		fi.err = RP_EBADSTATUS;
		snprintf(fi.detail, sizeof(fi.detail), "HTTP %ld", status);
		if ((rc = rp_profile_new_failure(infos, fi.err, (int)status, &p))
		    != RP_OK)
			goto out;
	} else if (p->outcome == RP_OUT_MALFORMED) {
		fi.err = RP_EMALFORMED;
		snprintf(fi.detail, sizeof(fi.detail), "line %lu, column %lu: %s",
		    p->line, p->column, p->reason != NULL ? p->reason : "");
	}
	if (p->err == RP_OK)
		p->err = fi.err;
out:
	if (url != NULL) {
		/* The URL holds the token: leave no copy of ours behind. */
		explicit_bzero(url, urllen);
		free(url);
		/* Nor in the parsed URL (libcurl's own copy lasts until the next call). */
		curl_url_set(c->url, CURLUPART_QUERY, NULL, 0);
	}
	rp_parser_free(c->ps);
	c->ps = NULL;
	c->opts = NULL;
	if (rc == RP_OK) {
		*out = p;
		if (info != NULL)
			*info = fi;
	} else {
		rp_profile_free(p);
		if (info != NULL) {
			memset(info, 0, sizeof(*info));
			info->err = rc;
		}
	}
	return rc;
}
