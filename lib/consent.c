/* consent.c: checks the privacy URL against configuration, builds the consent link. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "consent.h"
#include "err.h"
#include "escape.h"
#include "query.h"

/*
 * Whether a parameter name (klen raw bytes) may stand for urlRetour at
 * the privacy service.  Services decode names differently, so the name
 * is percent-decoded until no "%" is left, and refused when one step
 * fails (a "%" not followed by two hex digits: decoders disagree on
 * what it means), when it decodes to a NUL (a C-string reader cuts
 * "urlRetour%00x" to "urlRetour"), or when a step gives urlRetour in
 * any case ("url%2552etour" stays refused behind a double decoder).
 */
static int
may_be_url_retour(const char *k, size_t klen)
{
	static const char name[] = "urlRetour";
	char a[RP_PRIVACY_URL_MAX + 1], b[RP_PRIVACY_URL_MAX + 1], *cur = a, *t;
	const char *src = k;
	size_t n = klen;

	if (klen > RP_PRIVACY_URL_MAX)
		return 1;   /* never here: the URL itself is bounded */
	for (;;) {
		if (rp_pct_decode(src, n, cur, sizeof(a), &n) != RP_OK)
			return 1;
		if (n == sizeof(name) - 1 && strncasecmp(cur, name, n) == 0)
			return 1;
		if (memchr(cur, '%', n) == NULL)
			return 0;
		src = cur;
		t = cur == a ? b : a;
		cur = t;
	}
}

/*
 * Whether the query of url (its first n bytes, fragment excluded) has a
 * parameter that may be a urlRetour of its own: the privacy service
 * could send the user back there instead of to the address this site
 * appends, so the URL would be an open redirect.
 */
static int
has_url_retour(const char *url, size_t n)
{
	const char *q = memchr(url, '?', n), *p, *k, *v, *end = url + n;
	size_t klen, vlen;

	if (q == NULL)
		return 0;
	for (p = q + 1; rp_query_next(&p, end, &k, &klen, &v, &vlen); )
		if (may_be_url_retour(k, klen))
			return 1;
	return 0;
}

/* Whether host:port (port NULL when absent) is allowed by one entry. */
static int
host_matches(const char *entry, const char *host, size_t hostlen,
    const char *port, size_t portlen)
{
	const char *colon = strrchr(entry, ':');
	size_t elen = colon != NULL ? (size_t)(colon - entry) : strlen(entry);

	if (elen != hostlen || strncasecmp(entry, host, hostlen) != 0)
		return 0;
	if (colon == NULL)
		return 1;   /* "host": any port */
	/* "host:port": that port only; an explicit default port is not implied. */
	return port != NULL && strlen(colon + 1) == portlen &&
	    memcmp(colon + 1, port, portlen) == 0;
}

enum rp_err
rp_consent_check(const char *url, char *const *hosts, const char **why)
{
	const char *reason = NULL, *host, *port = NULL, *p;
	size_t n, hostlen, portlen = 0, start, i;
	unsigned char c;
	int rc = RP_EINVAL;

	if (url == NULL || (n = strlen(url)) == 0) {
		reason = "no privacy URL";
		goto out;
	}
	if (n > RP_PRIVACY_URL_MAX) {
		reason = "privacy URL too long";
		goto out;
	}
	for (i = 0; i < n; i++) {
		c = (unsigned char)url[i];
		if (c <= 0x20 || c >= 0x7F || c == '"' || c == '\'' || c == '<' ||
		    c == '>' || c == '\\' || c == '`') {
			reason = "privacy URL holds a blank, quote, backslash, control or non-ASCII byte";
			goto out;
		}
	}
	if (strncasecmp(url, "https://", 8) == 0)
		start = 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		start = 7;
	else {
		reason = "privacy URL scheme is not http or https";
		goto out;
	}
	host = url + start;
	hostlen = strcspn(host, "/?#");
	if (memchr(host, '@', hostlen) != NULL) {
		reason = "privacy URL carries userinfo (user@host)";
		goto out;
	}
	if (hostlen > 0 && host[0] == '[') {
		reason = "privacy URL host is an IP literal";
		goto out;
	}
	if ((p = memchr(host, ':', hostlen)) != NULL) {
		port = p + 1;
		portlen = hostlen - (size_t)(port - host);
		hostlen = (size_t)(p - host);
		if (portlen == 0 || portlen > 5 || strspn(port, "0123456789") < portlen ||
		    strtol(port, NULL, 10) < 1 || strtol(port, NULL, 10) > 65535) {
			reason = "privacy URL port is not a number from 1 to 65535";
			goto out;
		}
	}
	if (hostlen == 0) {
		reason = "privacy URL has no host";
		goto out;
	}
	/* A trailing dot names the same host; refuse it rather than guess. */
	if (host[hostlen - 1] == '.') {
		reason = "privacy URL host ends with a dot";
		goto out;
	}
	if (has_url_retour(url, strcspn(url, "#"))) {
		reason = "privacy URL already names a urlRetour (or a parameter "
		    "whose encoded name may decode to one), where only this site may "
		    "say where users come back to";
		goto out;
	}
	for (i = 0; hosts != NULL && hosts[i] != NULL; i++)
		if (host_matches(hosts[i], host, hostlen, port, portlen)) {
			rc = RP_OK;
			goto out;
		}
	reason = "privacy URL host is not in [site] privacy_hosts";
out:
	if (rc != RP_OK && why != NULL)
		*why = reason;
	return rc;
}

int
rp_return_path_ok(const char *path, size_t n)
{
	size_t i;
	unsigned char c;

	if (n == 0 || n > RP_RETURN_PATH_MAX || path[0] != '/')
		return 0;
	/* "//host" and "/\host" are both read as another host by browsers. */
	if (n > 1 && (path[1] == '/' || path[1] == '\\'))
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)path[i];
		if (c < 0x20 || c == 0x7F || c == '\\')
			return 0;
	}
	return rp_utf8_valid(path, n);
}

enum rp_err
rp_consent_link(struct rp_buf *out, const char *url, char *const *hosts,
    const char *site_url, const char *return_path, const char **why)
{
	struct rp_buf ret;
	size_t n;
	int rc;

	rp_buf_init(&ret, RP_PRIVACY_URL_MAX);
	if ((rc = rp_consent_check(url, hosts, why)) != RP_OK)
		goto out;
	if (return_path == NULL || !rp_return_path_ok(return_path, strlen(return_path))) {
		if (why != NULL)
			*why = "return path is not a site-local path";
		rc = RP_EINVAL;
		goto out;
	}
	if (site_url == NULL)
		site_url = "";
	n = strcspn(url, "#");
	rc = rp_buf_puts(&ret, site_url);
	/* "https://site/" + "/back" must not become "//back". */
	if (rc == RP_OK && ret.len > 0 && ret.data[ret.len - 1] == '/')
		ret.data[--ret.len] = '\0';
	if (rc == RP_OK)
		rc = rp_buf_puts(&ret, return_path);
	if (rc == RP_OK)
		rc = rp_buf_append(out, url, n);
	if (rc == RP_OK)
		rc = rp_buf_puts(out, memchr(url, '?', n) != NULL ?
		    (url[n - 1] == '?' || url[n - 1] == '&' ? "urlRetour=" : "&urlRetour=") :
		    "?urlRetour=");
	if (rc == RP_OK)
		rc = rp_esc_url_component(out, rp_buf_str(&ret), ret.len);
out:
	rp_buf_free(&ret);
	return rc;
}
