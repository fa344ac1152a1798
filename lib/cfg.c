/* cfg.c: loads the INI configuration (inih) through one table of keys. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <ini.h>

#include "cfg.h"
#include "err.h"
#include "escape.h"
#include "netaddr.h"
#include "query.h"

#ifndef RP_SYSCONFDIR
#define RP_SYSCONFDIR "/etc/richprofile"
#endif
#ifndef RP_DATADIR
#define RP_DATADIR "/usr/share/richprofile"
#endif

/* How a value is read, checked and written back. */
enum ktype {
	K_LONG,      /* integer in [min, max] */
	K_STR,       /* non-empty text without control characters */
	K_OPTFILE,   /* optional readable file; relative to the config's directory */
	K_OPTPATH,   /* optional path (not checked); relative to the config's directory */
	K_DIR,       /* directory; relative to the config's directory */
	K_ENDPOINT,  /* http(s) URL without query or fragment */
	K_OPTURL,    /* optional proxy URL */
	K_SITEURL,   /* http(s)://host[:port] */
	K_LINK,      /* /path or http(s) URL */
	K_PATH,      /* /path (never //host) */
	K_HOSTS,     /* host or host:port list */
	K_NETS,      /* address or address/bits list */
	K_PREFIX,    /* /path/ the web server maps to the program */
	K_LANG,      /* fr | en */
	K_LOGLEVEL,  /* error | warn | info | debug */
	K_COOKIE,    /* cookie name (RFC 6265 token) */
	K_INFOS,     /* attribute list or * */
	K_TEMPLATE,  /* relative file name */
	K_OPTVIEW,   /* optional view name; the view must exist */
	K_DENYALLOW, /* deny | allow, kept as 0 | 1 */
	K_ONOFF,     /* on | off, kept as 1 | 0 */
	K_TRACE,     /* propagate | generate | off (enum rp_trace_mode) */
	K_REDIS,     /* optional tcp:host:port or unix:/path */
	K_SECRET,    /* optional readable file holding a secret */
	K_KEYPREFIX  /* printable text without spaces, 64 bytes at most */
};

/* True for types whose value may go on over indented lines. */
#define K_IS_LIST(t) ((t) == K_HOSTS || (t) == K_NETS || (t) == K_INFOS)

/* One key of the file.  Views are struct rp_view, all else struct rp_cfg. */
struct key {
	const char *section;  /* "view" stands for every [view NAME] */
	const char *name;
	enum ktype type;
	size_t off;
	long min, max;        /* K_LONG only */
	const char *unit;     /* K_LONG only, for messages */
	const char *def;      /* default, parsed like a value; NULL: required */
};

/*
 * [cache] max_bytes: up to 64 GiB where a long has 64 bits, 1 GiB
 * where it has 32 (the figure must fit a long).
 */
#if LONG_MAX > 0x7fffffffL
#define CACHE_BYTES_MAX (64L << 30)
#else
#define CACHE_BYTES_MAX (1L << 30)
#endif

#define C(f) offsetof(struct rp_cfg, f)
#define V(f) offsetof(struct rp_view, f)

static const struct key keys[] = {
	{ "upstream", "endpoint", K_ENDPOINT, C(upstream.endpoint), 0, 0, NULL, NULL },
	{ "upstream", "connect_timeout_ms", K_LONG, C(upstream.connect_timeout_ms), 1, 60000, "ms", "1000" },
	{ "upstream", "timeout_ms", K_LONG, C(upstream.timeout_ms), 1, 600000, "ms", "3000" },
	{ "upstream", "max_response_bytes", K_LONG, C(upstream.max_response_bytes), 1024, 64L << 20, "bytes", "262144" },
	{ "upstream", "low_speed_limit", K_LONG, C(upstream.low_speed_bytes), 0, 1L << 30, "bytes/s", "100" },
	{ "upstream", "low_speed_time_ms", K_LONG, C(upstream.low_speed_ms), 1000, 600000, "ms", "2000" },
	{ "upstream", "ca_file", K_OPTFILE, C(upstream.ca_file), 0, 0, NULL, "" },
	{ "upstream", "proxy", K_OPTURL, C(upstream.proxy), 0, 0, NULL, "" },
	{ "session", "cookie", K_COOKIE, C(session.cookie), 0, 0, NULL, "rp_token" },
	{ "session", "max_token_bytes", K_LONG, C(session.max_token_bytes), 16, 65536, "bytes", "1024" },
	{ "site", "url", K_SITEURL, C(site.url), 0, 0, NULL, NULL },
	{ "site", "login_url", K_LINK, C(site.login_url), 0, 0, NULL, "/login" },
	{ "site", "return_path", K_PATH, C(site.return_path), 0, 0, NULL, "/account" },
	{ "site", "privacy_hosts", K_HOSTS, C(site.privacy_hosts), 0, 0, NULL, "privacy.orange.fr" },
	{ "site", "default_language", K_LANG, C(site.default_language), 0, 0, NULL, "fr" },
	/* Threads wait on a 50-200 ms upstream, they do not compute: many. */
	{ "server", "threads", K_LONG, C(server.threads), 1, 1024, "threads", "128" },
	{ "server", "templates", K_DIR, C(server.templates), 0, 0, NULL, RP_DATADIR "/templates" },
	{ "server", "log_file", K_OPTPATH, C(server.log_file), 0, 0, NULL, "" },
	{ "server", "log_level", K_LOGLEVEL, C(server.log_level), 0, 0, NULL, "info" },
	{ "server", "prefix", K_PREFIX, C(server.prefix), 0, 0, NULL, "/richprofile/" },
	{ "server", "ops_allow", K_NETS, C(server.ops_allow), 0, 0, NULL, "127.0.0.1, ::1" },
	/* nginx sends a request's records at once: seconds are generous. */
	{ "server", "request_timeout_ms", K_LONG, C(server.request_timeout_ms), 100, 600000, "ms", "5000" },
	{ "server", "max_params_bytes", K_LONG, C(server.max_params_bytes), 4096, 131072, "bytes", "65536" },
	{ "server", "sandbox", K_ONOFF, C(server.sandbox), 0, 0, NULL, "on" },
	{ "server", "trace", K_TRACE, C(server.trace), 0, 0, NULL, "propagate" },
	{ "cache", "ttl_s", K_LONG, C(cache.ttl_s), 0, 86400, "s", "60" },
	{ "cache", "max_entries", K_LONG, C(cache.max_entries), 1, 10000000, "entries", "10000" },
	{ "cache", "max_bytes", K_LONG, C(cache.max_bytes), 1L << 20, CACHE_BYTES_MAX, "bytes", "33554432" },
	{ "cache", "stale_s", K_LONG, C(cache.stale_s), 0, 86400, "s", "300" },
	/* Unset: three quarters of ttl_s (finish()). */
	{ "cache", "refresh_s", K_LONG, C(cache.refresh_s), 0, 86400, "s", "0" },
	{ "breaker", "failures", K_LONG, C(breaker.failures), 0, 1000000, "failures", "5" },
	{ "breaker", "open_ms", K_LONG, C(breaker.open_ms), 1, 3600000, "ms", "10000" },
	{ "breaker", "window_ms", K_LONG, C(breaker.window_ms), 100, 3600000, "ms", "10000" },
	{ "breaker", "min_users", K_LONG, C(breaker.min_users), 1, 1000, "users", "3" },
	{ "shared", "redis", K_REDIS, C(shared.redis), 0, 0, NULL, "" },
	{ "shared", "database", K_LONG, C(shared.database), 0, 65535, "database number", "0" },
	{ "shared", "password_file", K_SECRET, C(shared.password_file), 0, 0, NULL, "" },
	{ "shared", "key_file", K_SECRET, C(shared.key_file), 0, 0, NULL, "" },
	/* A Redis on the same network answers in well under a millisecond. */
	{ "shared", "timeout_ms", K_LONG, C(shared.timeout_ms), 1, 10000, "ms", "50" },
	{ "shared", "prefix", K_KEYPREFIX, C(shared.prefix), 0, 0, NULL, "rp:" },
	{ "auth", "view", K_OPTVIEW, C(auth.view), 0, 0, NULL, "" },
	{ "auth", "without_token", K_DENYALLOW, C(auth.allow_without_token), 0, 0, NULL, "deny" },
	{ "view", "infos", K_INFOS, V(infos), 0, 0, NULL, NULL },
	{ "view", "template", K_TEMPLATE, V(template), 0, 0, NULL, NULL },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define MAXVIEWS 256

static const char *const levels[] = { "error", "warn", "info", "debug" };
/* In the order of enum rp_trace_mode. */
static const char *const trace_modes[] = { "propagate", "generate", "off" };

/* Loading state, passed to inih as its user pointer. */
struct ctx {
	FILE *f;
	const char *path;
	char *dir;               /* directory of path, for relative paths */
	struct rp_cfg *cfg;
	int line;                /* line the reader returned last */
	int errline;             /* line of the error recorded, 0 if none */
	int cont;                /* that line goes on with the previous key */
	int keyline[NKEYS];      /* where each global key was set; 0: not yet */
	int (*vline)[NKEYS];     /* the same per view, parallel to cfg->views */
	char *err;
	size_t errlen;
	int failed;
};

static const char *
base_section(const char *section)
{
	return strncmp(section, "view ", 5) == 0 ? "view" : section;
}

/* Records the first error only: later ones often follow from it. */
static void
fail(struct ctx *x, int line, const char *section, const char *name,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (x->failed++)
		return;
	x->errline = line;
	if (line > 0 && section == NULL)
		n = snprintf(x->err, x->errlen, "%s:%d: ", x->path, line);
	else if (line > 0 && name != NULL)
		n = snprintf(x->err, x->errlen, "%s:%d: [%s] %s: ", x->path, line,
		    section, name);
	else if (line > 0)
		n = snprintf(x->err, x->errlen, "%s:%d: [%s]: ", x->path, line,
		    section);
	else
		n = snprintf(x->err, x->errlen, "%s: ", x->path);
	if (n < 0 || (size_t)n >= x->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(x->err + n, x->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static int
has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Every section the file may hold, for the message about one it may not. */
#define SECTIONS "[upstream], [session], [site], [server], [cache], [breaker], [shared], [auth] or [view NAME]"

static int
known_section(const char *section)
{
	size_t i;

	if (strncmp(section, "view ", 5) == 0)
		return rp_view_name_ok(section + 5, strlen(section + 5));
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(section, "view") != 0)
			return 1;
	return 0;
}

static void
bad_section(struct ctx *x, const char *section)
{
	if (strncmp(section, "view", 4) == 0)
		fail(x, x->line, section, NULL, "bad view section; expected "
		    "[view NAME] with NAME of 1 to 64 letters, digits, '_' or '-'");
	else
		fail(x, x->line, section, NULL, "unknown section; expected "
		    SECTIONS);
}

/*
 * inih's reader: one line at a time, like fgets, but counting lines (the
 * handler gets no line number from this inih build), refusing lines
 * longer than inih's buffer instead of letting inih split them, and
 * checking section headers, which inih reports only once they hold a key.
 */
static char *
reader(char *str, int num, void *stream)
{
	struct ctx *x = stream;
	size_t len;
	char *s, *end;

	if (fgets(str, num, x->f) == NULL)
		return NULL;
	x->line++;
	len = strlen(str);
	if (len > 0 && str[len - 1] != '\n' && len == (size_t)num - 1) {
		int c = fgetc(x->f);

		if (c != EOF && c != '\n') {
			while (c != EOF && c != '\n')
				c = fgetc(x->f);
			fail(x, x->line, NULL, NULL, "line longer than %d bytes; "
			    "expected shorter lines: a long list may go on over "
			    "indented lines", num - 3);
			/* Give inih a comment so it keeps going. */
			snprintf(str, (size_t)num, ";\n");
			x->cont = 0;
			return str;
		}
	}
	/* inih takes an indented non-comment line after a key as more of it. */
	s = str;
	while (*s == ' ' || *s == '\t')
		s++;
	x->cont = s > str && *s != '\0' && *s != '\n' && *s != '\r' &&
	    *s != ';' && *s != '#';
	if (!x->cont && *s == '[' && (end = strchr(s, ']')) != NULL) {
		char name[128];
		size_t n = (size_t)(end - s - 1);

		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, s + 1, n);
		name[n] = '\0';
		if (!known_section(name))
			bad_section(x, name);
	}
	return str;
}

/* "a, b, c" listing the keys of a section, for messages. */
static void
section_keys(const char *section, char *buf, size_t size)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < NKEYS && n < size; i++)
		if (strcmp(keys[i].section, section) == 0) {
			int w = snprintf(buf + n, size - n, "%s%s",
			    n > 0 ? ", " : "", keys[i].name);

			if (w < 0)
				break;
			n += (size_t)w;
		}
}

static const struct key *
find_key(const char *section, const char *name, size_t *idx)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].name, name) == 0) {
			*idx = i;
			return &keys[i];
		}
	return NULL;
}

/* A relative path is taken relative to the configuration file. */
static char *
resolve(const struct ctx *x, const char *v)
{
	char *out;
	size_t n;

	if (v[0] == '/' || x->dir == NULL)
		return strdup(v);
	n = strlen(x->dir) + strlen(v) + 2;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "%s/%s", x->dir, v);
	return out;
}

static int
parse_long(const char *v, long min, long max, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0' || errno == ERANGE || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/*
 * Checks an http(s) URL with libcurl's parser.  Returns NULL when fine,
 * else what is wrong.  what: 0 endpoint, 1 site url, 2 link, 3 proxy.
 */
static const char *
check_url(const char *v, int what)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *path = NULL, *query = NULL,
	    *frag = NULL, *user = NULL;
	const char *why = NULL;

	if (u == NULL)
		return "out of memory";
	if (curl_url_set(u, CURLUPART_URL, v, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host[0] == '\0') {
		why = "not an absolute URL";
		goto out;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0 &&
	    !(what == 3 && (strncmp(scheme, "socks", 5) == 0))) {
		why = "scheme is not http or https";
		goto out;
	}
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	if (what != 3 && user != NULL)
		why = "holds a user name or password";
	else if ((what == 0 || what == 1 || what == 3) && query != NULL)
		why = "holds a query (?...)";
	else if ((what == 0 || what == 1 || what == 3) && frag != NULL)
		why = "holds a fragment (#...)";
	else if (what == 1 && path != NULL && strcmp(path, "/") != 0)
		why = "holds a path";
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(path);
	curl_free(query);
	curl_free(frag);
	curl_free(user);
	curl_url_cleanup(u);
	return why;
}

static int
valid_host(const char *s, size_t n)
{
	size_t i, colon = n;
	long port;
	char buf[8];

	if (n > 0 && s[0] == '[') {
		/* [v6]:port or [v6] */
		const char *rb = memchr(s, ']', n);

		if (rb == NULL || rb == s + 1)
			return 0;
		for (i = 1; s + i < rb; i++)
			if (!isxdigit((unsigned char)s[i]) && s[i] != ':' &&
			    s[i] != '.')
				return 0;
		i = (size_t)(rb - s) + 1;
		if (i == n)
			return 1;
		if (s[i] != ':')
			return 0;
		colon = i;
	} else {
		for (i = 0; i < n; i++) {
			if (s[i] == ':') {
				colon = i;
				break;
			}
			if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
			    s[i] != '-')
				return 0;
		}
		if (colon == 0)
			return 0;
		if (colon == n)
			return 1;
	}
	if (n - colon - 1 == 0 || n - colon - 1 >= sizeof(buf))
		return 0;
	memcpy(buf, s + colon + 1, n - colon - 1);
	buf[n - colon - 1] = '\0';
	for (i = 0; buf[i] != '\0'; i++)
		if (!isdigit((unsigned char)buf[i]))
			return 0;
	return parse_long(buf, 1, 65535, &port) == 0;
}

int
rp_cfg_cookie_name_ok(const char *s)
{
	return rp_http_token_ok(s, strlen(s));
}

static void
free_list(char **l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; l[i] != NULL; i++)
		free(l[i]);
	free(l);
}

/* What one kind of list holds: its entries' check, and the message. */
struct listtype {
	int (*valid)(const char *s, size_t n);
	int lower;                /* kept lower-cased */
	const char *what;         /* "is not ..." */
	const char *expect;
};

static const struct listtype hosts_list = { valid_host, 1, "a host name",
    "a comma-separated list of `host` (any port) or `host:port` entries" };
static const struct listtype nets_list = { rp_net_valid, 1, "an IP address "
    "or network", "a comma-separated list of IPv4 or IPv6 addresses "
    "(127.0.0.1, ::1) or networks (10.0.0.0/8, fd00::/8)" };

/* Appends the entries of v to *list (NULL-terminated), checked by lt. */
static int
add_list(struct ctx *x, const char *section, const struct key *k,
    const char *v, char ***list, const struct listtype *lt)
{
	size_t have = 0, i;
	char **l = *list;
	const char *p = v;

	while (l != NULL && l[have] != NULL)
		have++;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t n;
		char **nl, *h;

		if (e == NULL)
			e = p + strlen(p);
		while (p < e && isspace((unsigned char)*p))
			p++;
		n = (size_t)(e - p);
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		if (!lt->valid(p, n)) {
			fail(x, x->line, section, k->name, "`%.*s` is not %s; "
			    "expected %s", (int)n, p, lt->what, lt->expect);
			return -1;
		}
		if ((h = strndup(p, n)) == NULL ||
		    (nl = realloc(l, (have + 2) * sizeof(*l))) == NULL) {
			free(h);
			*list = l;
			fail(x, x->line, section, k->name, "out of memory");
			return -1;
		}
		for (i = 0; lt->lower && h[i] != '\0'; i++)
			h[i] = (char)tolower((unsigned char)h[i]);
		l = nl;
		l[have++] = h;
		l[have] = NULL;
		*list = l;
		if (*e == '\0')
			break;
		p = e + 1;
	}
	return 0;
}

static const char *
check_endpoint(const struct ctx *x, const char *v)
{
	return check_url(v, 0);
}

static const char *
check_siteurl(const struct ctx *x, const char *v)
{
	return check_url(v, 1);
}

static const char *
check_proxy(const struct ctx *x, const char *v)
{
	return check_url(v, 3);
}

static const char *
check_link(const struct ctx *x, const char *v)
{
	return v[0] == '/' && v[1] != '/' ? NULL : check_url(v, 2);
}

static const char *
check_path(const struct ctx *x, const char *v)
{
	/* "//host" and "\\host" would leave the site in a browser. */
	if (v[0] != '/' || v[1] == '/' || strchr(v, '\\') != NULL)
		return "not a local path";
	return NULL;
}

/*
 * A prefix is compared byte for byte with the decoded, normalised path
 * the web server reports: no "//", no "." or ".." segment, no '%'.
 */
static const char *
check_prefix(const struct ctx *x, const char *v)
{
	const char *p;

	if (v[0] != '/' || strstr(v, "//") != NULL ||
	    strchr(v, '\\') != NULL || strpbrk(v, "%?#;") != NULL)
		return "not a plain path";
	for (p = v; (p = strchr(p, '/')) != NULL; p++)
		if ((p[1] == '.' && (p[2] == '/' || p[2] == '\0')) ||
		    (p[1] == '.' && p[2] == '.' && (p[3] == '/' || p[3] == '\0')))
			return "a `.` or `..` segment";
	return NULL;
}

/* Kept with its final '/', so prefix + route is the path. */
static char *
make_prefix(const struct ctx *x, const char *v)
{
	size_t len = strlen(v);
	char *out = malloc(len + 2);

	if (out != NULL)
		snprintf(out, len + 2, "%s%s", v, v[len - 1] == '/' ? "" : "/");
	return out;
}

static const char *
check_lang(const struct ctx *x, const char *v)
{
	if (strcasecmp(v, "fr") != 0 && strcasecmp(v, "en") != 0)
		return "unknown language";
	return NULL;
}

static const char *
check_cookie(const struct ctx *x, const char *v)
{
	return rp_cfg_cookie_name_ok(v) ? NULL : "not a cookie name";
}

static const char *
check_template(const struct ctx *x, const char *v)
{
	if (v[0] == '/' || strstr(v, "..") != NULL)
		return "leaves the template directory";
	return NULL;
}

static const char *
check_viewname(const struct ctx *x, const char *v)
{
	return rp_view_name_ok(v, strlen(v)) ? NULL : "not a view name";
}

static const char *
check_readable(const struct ctx *x, const char *v)
{
	const char *why = NULL;
	char *p = resolve(x, v);

	if (p == NULL)
		return "out of memory";
	if (access(p, R_OK) != 0)
		why = strerror(errno);
	free(p);
	return why;
}

/* tcp:HOST:PORT ([v6]:PORT too) or unix:/PATH, as rp_shared_new takes it. */
static const char *
check_redis(const struct ctx *x, const char *v)
{
	const char *colon;

	if (strncmp(v, "unix:", 5) == 0)
		return v[5] == '/' ? NULL : "not an absolute socket path";
	if (strncmp(v, "tcp:", 4) != 0)
		return "neither tcp: nor unix:";
	if ((colon = strrchr(v + 4, ':')) == NULL || colon == v + 4 ||
	    !valid_host(v + 4, strlen(v + 4)))
		return "not HOST:PORT";
	return NULL;
}

static const char *
check_keyprefix(const struct ctx *x, const char *v)
{
	const char *p;

	if (strlen(v) > 64)
		return "longer than 64 bytes";
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return "not printable ASCII without spaces";
	return NULL;
}

static char *
make_path(const struct ctx *x, const char *v)
{
	return resolve(x, v);
}

static char *
make_siteurl(const struct ctx *x, const char *v)
{
	size_t len = strlen(v);

	/* Kept without the final '/', so url + return_path joins. */
	if (len > 0 && v[len - 1] == '/')
		len--;
	return strndup(v, len);
}

static char *
make_lang(const struct ctx *x, const char *v)
{
	return strdup(strcasecmp(v, "fr") == 0 ? "fr" : "en");
}

/* How each string type is checked and kept. */
static const struct strtype {
	const char *(*check)(const struct ctx *x, const char *v); /* NULL: fine, else what is wrong */
	char *(*make)(const struct ctx *x, const char *v);        /* NULL: strdup */
	int optional;            /* an empty value leaves the field NULL */
	const char *expect;
} strtypes[] = {
	[K_STR] = { NULL, NULL, 0, "a value" },
	[K_OPTFILE] = { check_readable, make_path, 1, "a readable PEM file "
	    "(relative to this file's directory), or nothing for the system store" },
	[K_OPTPATH] = { NULL, make_path, 1, "a file path, or nothing" },
	[K_DIR] = { NULL, make_path, 0, "a directory" },
	[K_ENDPOINT] = { check_endpoint, NULL, 0, "the http:// or https:// base "
	    "URL of the API, such as https://alpha-api.orange.fr/PersonalRichProfile/V1" },
	[K_OPTURL] = { check_proxy, NULL, 1, "a proxy URL such as "
	    "http://proxy.example.com:3128, or nothing for no proxy" },
	[K_SITEURL] = { check_siteurl, make_siteurl, 0, "scheme://host[:port] "
	    "of the site, such as https://www.example.com" },
	[K_LINK] = { check_link, NULL, 0, "a path on the site such as /login, "
	    "or an http(s) URL" },
	[K_PATH] = { check_path, NULL, 0, "a path on the site starting with a "
	    "single '/', such as /account" },
	[K_PREFIX] = { check_prefix, make_prefix, 0, "the path the web server "
	    "maps to the program, such as /richprofile/" },
	[K_LANG] = { check_lang, make_lang, 0, "fr or en" },
	[K_COOKIE] = { check_cookie, NULL, 0, "letters, digits and "
	    "!#$%&'*+-.^_`|~ only" },
	[K_TEMPLATE] = { check_template, NULL, 0, "a file name relative to "
	    "[server] templates, without `..`" },
	[K_REDIS] = { check_redis, NULL, 1, "tcp:HOST:PORT (such as "
	    "tcp:127.0.0.1:6379) or unix:/PATH (such as "
	    "unix:/run/redis/redis-server.sock), or nothing for no shared tier" },
	[K_SECRET] = { check_readable, make_path, 1, "a file readable by the "
	    "program (relative to this file's directory), or nothing" },
	[K_KEYPREFIX] = { check_keyprefix, NULL, 0, "a short prefix of "
	    "printable ASCII without spaces, such as rp: (several sites may "
	    "share one Redis)" },
	[K_OPTVIEW] = { check_viewname, NULL, 1, "the NAME of a [view NAME] "
	    "section, or nothing for the first view of the file" },
};

/* Parses v for key k into the field at base + k->off. */
static int
set_value(struct ctx *x, const char *section, const struct key *k,
    char *base, const char *v, int append)
{
	void *field = base + k->off;
	const struct strtype *st;
	const char *why;
	char *s = NULL, piece[512];
	long n;

	if (K_IS_LIST(k->type)) {
		/* A list going on over the next line may end with a comma. */
		size_t len = strlen(v);

		if (len >= sizeof(piece))
			len = sizeof(piece) - 1;
		memcpy(piece, v, len);
		piece[len] = '\0';
		/* inih leaves inline comments on continuation lines. */
		for (n = 1; (size_t)n < len; n++)
			if (piece[n] == ';' && isspace((unsigned char)piece[n - 1])) {
				len = (size_t)n;
				break;
			}
		while (len > 0 && isspace((unsigned char)piece[len - 1]))
			len--;
		if (len > 0 && piece[len - 1] == ',')
			len--;
		piece[len] = '\0';
		v = piece;
	}
	switch (k->type) {
	case K_LONG:
		if (parse_long(v, k->min, k->max, &n) != 0) {
			fail(x, x->line, section, k->name, "`%s` is not a number "
			    "in range; expected an integer from %ld to %ld (%s)",
			    v, k->min, k->max, k->unit);
			return -1;
		}
		*(long *)field = n;
		return 0;
	case K_LOGLEVEL: {
		size_t i;

		for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
			if (strcasecmp(v, levels[i]) == 0) {
				*(enum rp_loglevel *)field = (enum rp_loglevel)i;
				return 0;
			}
		fail(x, x->line, section, k->name, "unknown level `%s`; "
		    "expected error, warn, info or debug", v);
		return -1;
	}
	case K_ONOFF:
		if (strcasecmp(v, "on") == 0 || strcasecmp(v, "off") == 0) {
			*(int *)field = strcasecmp(v, "on") == 0;
			return 0;
		}
		fail(x, x->line, section, k->name, "`%s` is neither on nor "
		    "off; expected on or off", v);
		return -1;
	case K_TRACE: {
		size_t i;

		for (i = 0; i < sizeof(trace_modes) / sizeof(trace_modes[0]); i++)
			if (strcasecmp(v, trace_modes[i]) == 0) {
				*(enum rp_trace_mode *)field = (enum rp_trace_mode)i;
				return 0;
			}
		fail(x, x->line, section, k->name, "unknown mode `%s`; "
		    "expected propagate, generate or off", v);
		return -1;
	}
	case K_DENYALLOW:
		if (strcasecmp(v, "deny") == 0 || strcasecmp(v, "allow") == 0) {
			*(int *)field = strcasecmp(v, "allow") == 0;
			return 0;
		}
		fail(x, x->line, section, k->name, "`%s` is neither deny nor "
		    "allow; expected deny or allow", v);
		return -1;
	case K_INFOS: {
		rp_attrset set;
		const char *badname;
		size_t badlen;

		if (strcmp(v, "*") == 0)
			set = RP_ATTRSET_ALL;
		else if (rp_attrset_parse(v, &set, &badname, &badlen) != 0) {
			if (badlen == 0)
				fail(x, x->line, section, k->name, "empty attribute "
				    "name in `%s`; expected a comma-separated list "
				    "of attribute names, or `*` for all", v);
			else
				fail(x, x->line, section, k->name, "unknown "
				    "attribute `%.*s`; expected names of the "
				    "catalogue (Firstname, Lastname, Displayname, "
				    "PictureTagSmallURL, CentersOfInterests...; see "
				    "richprofile.conf(5)), or `*` for all",
				    (int)badlen, badname);
			return -1;
		}
		*(rp_attrset *)field = append ? *(rp_attrset *)field | set : set;
		return 0;
	}
	case K_HOSTS:
	case K_NETS:
		if (!append) {
			free_list(*(char ***)field);
			*(char ***)field = NULL;
		}
		return add_list(x, section, k, v, field,
		    k->type == K_HOSTS ? &hosts_list : &nets_list);
	default:
		break;
	}

	/* The rest are strings, checked and copied as their type says. */
	if (has_ctl(v)) {
		fail(x, x->line, section, k->name, "control character in value; "
		    "expected printable text");
		return -1;
	}
	st = &strtypes[k->type];
	if (v[0] == '\0') {
		if (st->optional) {
			free(*(char **)field);
			*(char **)field = NULL;
			return 0;
		}
		fail(x, x->line, section, k->name, "empty value; expected %s",
		    st->expect);
		return -1;
	}
	if (st->check != NULL && (why = st->check(x, v)) != NULL) {
		fail(x, x->line, section, k->name, "`%s`: %s; expected %s", v, why,
		    st->expect);
		return -1;
	}
	if ((s = st->make != NULL ? st->make(x, v) : strdup(v)) == NULL) {
		fail(x, x->line, section, k->name, "out of memory");
		return -1;
	}
	free(*(char **)field);
	*(char **)field = s;
	return 0;
}

/* The view called name, created if new; its index in *idx. */
static struct rp_view *
view_for(struct ctx *x, const char *name, size_t *idx)
{
	struct rp_cfg *cfg = x->cfg;
	struct rp_view *nv;
	int (*nl)[NKEYS];
	size_t i;

	for (i = 0; i < cfg->nviews; i++)
		if (strcmp(cfg->views[i].name, name) == 0) {
			*idx = i;
			return &cfg->views[i];
		}
	if (cfg->nviews >= MAXVIEWS)
		return NULL;
	if ((nv = realloc(cfg->views, (cfg->nviews + 1) * sizeof(*nv))) == NULL)
		return NULL;
	cfg->views = nv;
	if ((nl = realloc(x->vline, (cfg->nviews + 1) * sizeof(*nl))) == NULL)
		return NULL;
	x->vline = nl;
	memset(&nv[cfg->nviews], 0, sizeof(*nv));
	memset(&nl[cfg->nviews], 0, sizeof(*nl));
	if ((nv[cfg->nviews].name = strdup(name)) == NULL)
		return NULL;
	*idx = cfg->nviews++;
	return &nv[*idx];
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct ctx *x = user;
	const char *bs = base_section(section);
	const struct key *k;
	char *base = (char *)x->cfg;
	int *lines = x->keyline;
	size_t ki, vi;

	if (section[0] == '\0') {
		fail(x, x->line, NULL, NULL, "`%s` outside any section; expected "
		    "a section line such as [upstream] before it", name);
		return 0;
	}
	if (!known_section(section)) {
		bad_section(x, section);
		return 0;
	}
	if ((k = find_key(bs, name, &ki)) == NULL) {
		char list[256];

		section_keys(bs, list, sizeof(list));
		fail(x, x->line, section, name, "unknown key; expected one of: %s",
		    list);
		return 0;
	}
	if (strcmp(bs, "view") == 0) {
		struct rp_view *v = view_for(x, section + 5, &vi);

		if (v == NULL) {
			fail(x, x->line, section, name, "too many views or out of "
			    "memory; expected at most %d views", MAXVIEWS);
			return 0;
		}
		base = (char *)v;
		lines = x->vline[vi];
	}
	if (x->cont && !K_IS_LIST(k->type)) {
		fail(x, x->line, section, name, "indented line continues this "
		    "key; expected only lists (infos, privacy_hosts) to go on "
		    "over indented lines: remove the indentation");
		return 0;
	}
	if (!x->cont && lines[ki] != 0) {
		fail(x, x->line, section, name, "given twice (first on line %d); "
		    "expected each key once per section", lines[ki]);
		return 0;
	}
	if (set_value(x, section, k, base, value, x->cont) != 0)
		return 0;
	if (!x->cont)
		lines[ki] = x->line;
	return 1;
}

/* Defaults for what the file left out, and the keys nothing can replace. */
static int
finish(struct ctx *x)
{
	struct rp_cfg *cfg = x->cfg;
	size_t i, v;

	for (i = 0; i < NKEYS && !x->failed; i++) {
		if (strcmp(keys[i].section, "view") == 0) {
			for (v = 0; v < cfg->nviews && !x->failed; v++)
				if (x->vline[v][i] == 0)
					fail(x, 0, NULL, NULL, "[view %s] %s is missing",
					    cfg->views[v].name, keys[i].name);
			continue;
		}
		if (x->keyline[i] != 0)
			continue;
		if (keys[i].def == NULL) {
			fail(x, 0, NULL, NULL, "[%s] %s is missing",
			    keys[i].section, keys[i].name);
			break;
		}
		/* The default goes through the parser like a written value. */
		x->line = 0;
		set_value(x, keys[i].section, &keys[i], (char *)cfg, keys[i].def, 0);
	}
	if (!x->failed &&
	    cfg->upstream.timeout_ms < cfg->upstream.connect_timeout_ms) {
		size_t ti;

		find_key("upstream", "timeout_ms", &ti);
		x->line = x->keyline[ti];
		fail(x, x->line, "upstream", "timeout_ms", "%ld is less than "
		    "connect_timeout_ms (%ld); expected a total timeout at least "
		    "as long as the connect timeout", cfg->upstream.timeout_ms,
		    cfg->upstream.connect_timeout_ms);
	}
	if (!x->failed) {
		size_t ri;

		find_key("cache", "refresh_s", &ri);
		if (x->keyline[ri] == 0)
			cfg->cache.refresh_s = cfg->cache.ttl_s * 3 / 4;
		else if (cfg->cache.refresh_s > 0 &&
		    cfg->cache.refresh_s >= cfg->cache.ttl_s)
			fail(x, x->keyline[ri], "cache", "refresh_s", "%ld is not "
			    "less than ttl_s (%ld): an entry would expire before "
			    "its refresh; expected fewer seconds than ttl_s, or 0 "
			    "for no refresh", cfg->cache.refresh_s,
			    cfg->cache.ttl_s);
	}
	if (!x->failed && cfg->shared.redis != NULL &&
	    cfg->shared.key_file == NULL) {
		size_t ri;

		find_key("shared", "redis", &ri);
		fail(x, x->keyline[ri], "shared", "key_file", "missing while "
		    "redis is set; expected the file of the key every server "
		    "shares: create it once with `richprofile keygen FILE`, copy "
		    "it to every server (mode 0600) and set key_file = FILE");
	}
	if (!x->failed && cfg->auth.view != NULL &&
	    rp_cfg_view(cfg, cfg->auth.view) == NULL) {
		size_t vi;

		find_key("auth", "view", &vi);
		fail(x, x->keyline[vi], "auth", "view", "no [view %s] section; "
		    "expected the NAME of a [view NAME] section of this file",
		    cfg->auth.view);
	}
	return x->failed ? -1 : 0;
}

enum rp_err
rp_cfg_load(const char *path, struct rp_cfg **out, char *err, size_t errlen)
{
	struct ctx x;
	struct rp_cfg *cfg = NULL;
	const char *slash;
	int rc = RP_ECONFIG, line;
	char dummy[1];

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	memset(&x, 0, sizeof(x));
	x.path = path != NULL ? path : RP_SYSCONFDIR "/richprofile.conf";
	x.err = err;
	x.errlen = errlen;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL ||
	    (cfg->path = strdup(x.path)) == NULL) {
		fail(&x, 0, NULL, NULL, "out of memory");
		rc = RP_ENOMEM;
		goto out;
	}
	x.cfg = cfg;
	if ((slash = strrchr(x.path, '/')) != NULL &&
	    (x.dir = strndup(x.path, slash == x.path ? 1 : (size_t)(slash - x.path))) == NULL) {
		fail(&x, 0, NULL, NULL, "out of memory");
		rc = RP_ENOMEM;
		goto out;
	}
	if ((x.f = fopen(x.path, "r")) == NULL) {
		fail(&x, 0, NULL, NULL, "cannot open: %s; expected a readable "
		    "configuration file (see richprofile.conf(5); -c FILE "
		    "chooses another)", strerror(errno));
		goto out;
	}
	line = ini_parse_stream(reader, &x, handler, &x);
	if (ferror(x.f)) {
		fail(&x, 0, NULL, NULL, "read error: %s", strerror(errno));
		goto out;
	}
	if (line > 0 && (!x.failed || line < x.errline)) {
		/* inih rejected a line without calling us: no '=' or no ']'. */
		x.failed = 0;
		fail(&x, line, NULL, NULL, "syntax error; expected `[section]`, "
		    "`key = value` or a comment starting with ';' or '#'");
	}
	if (line != 0 || x.failed)
		goto out;
	if (finish(&x) != 0)
		goto out;
	*out = cfg;
	cfg = NULL;
	rc = RP_OK;
out:
	if (x.f != NULL)
		fclose(x.f);
	free(x.dir);
	free(x.vline);
	rp_cfg_free(cfg);
	return rc;
}

void
rp_cfg_free(struct rp_cfg *cfg)
{
	size_t i, v;

	if (cfg == NULL)
		return;
	for (i = 0; i < NKEYS; i++) {
		int view = strcmp(keys[i].section, "view") == 0;
		size_t nb = view ? cfg->nviews : 1;

		for (v = 0; v < nb; v++) {
			char *base = view ? (char *)&cfg->views[v] : (char *)cfg;
			void *field = base + keys[i].off;

			switch (keys[i].type) {
			case K_LONG:
			case K_LOGLEVEL:
			case K_INFOS:
			case K_DENYALLOW:
			case K_ONOFF:
			case K_TRACE:
				break;
			case K_HOSTS:
			case K_NETS:
				free_list(*(char ***)field);
				break;
			default:
				free(*(char **)field);
				break;
			}
		}
	}
	for (v = 0; v < cfg->nviews; v++)
		free(cfg->views[v].name);
	free(cfg->views);
	free(cfg->path);
	free(cfg);
}

const struct rp_view *
rp_cfg_view(const struct rp_cfg *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nviews; i++)
		if (strcmp(cfg->views[i].name, name) == 0)
			return &cfg->views[i];
	return NULL;
}

const struct rp_cfg_key *
rp_cfg_keys(size_t *n)
{
	/* The public face of the table: what a reader of the file needs. */
	static struct rp_cfg_key pub[NKEYS];
	static int ready;
	size_t i;

	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < NKEYS; i++) {
			pub[i].section = keys[i].section;
			pub[i].key = keys[i].name;
			pub[i].def = keys[i].def;
		}
		__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	}
	*n = NKEYS;
	return pub;
}

/* Writes a comma list, going on over indented lines as the loader allows. */
static void
write_list(FILE *f, const char *list)
{
	size_t col = 0;

	for (; *list != '\0'; list++) {
		fputc(*list, f);
		col++;
		if (*list == ',' && col > 60) {
			fputs("\n\t", f);
			col = 0;
			while (list[1] == ' ')
				list++;
		}
	}
}

static void
write_value(FILE *f, const struct key *k, const char *base)
{
	const void *field = base + k->off;
	char buf[1024];

	switch (k->type) {
	case K_LONG:
		fprintf(f, "%ld", *(const long *)field);
		break;
	case K_LOGLEVEL:
		fputs(levels[*(const enum rp_loglevel *)field], f);
		break;
	case K_DENYALLOW:
		fputs(*(const int *)field ? "allow" : "deny", f);
		break;
	case K_ONOFF:
		fputs(*(const int *)field ? "on" : "off", f);
		break;
	case K_TRACE:
		fputs(trace_modes[*(const enum rp_trace_mode *)field], f);
		break;
	case K_INFOS:
		if (*(const rp_attrset *)field == RP_ATTRSET_ALL)
			fputs("*", f);
		else if (rp_attrset_format(*(const rp_attrset *)field, buf,
		    sizeof(buf)) >= 0)
			write_list(f, buf);
		break;
	case K_HOSTS:
	case K_NETS: {
		char *const *l = *(char **const *)field;
		size_t i;

		size_t n = 0;

		buf[0] = '\0';
		for (i = 0; l != NULL && l[i] != NULL && n < sizeof(buf); i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
			    i > 0 ? ", " : "", l[i]);
		write_list(f, buf);
		break;
	}
	default:
		if (*(char *const *)field != NULL)
			fputs(*(char *const *)field, f);
		break;
	}
}

void
rp_cfg_write(const struct rp_cfg *cfg, FILE *f)
{
	const char *cur = NULL;
	size_t i, v;

	for (i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].section, "view") == 0)
			continue;
		if (cur == NULL || strcmp(cur, keys[i].section) != 0) {
			fprintf(f, "%s[%s]\n", cur != NULL ? "\n" : "",
			    keys[i].section);
			cur = keys[i].section;
		}
		fprintf(f, "%s = ", keys[i].name);
		write_value(f, &keys[i], (const char *)cfg);
		fputc('\n', f);
	}
	for (v = 0; v < cfg->nviews; v++) {
		fprintf(f, "\n[view %s]\n", cfg->views[v].name);
		for (i = 0; i < NKEYS; i++) {
			if (strcmp(keys[i].section, "view") != 0)
				continue;
			fprintf(f, "%s = ", keys[i].name);
			write_value(f, &keys[i], (const char *)&cfg->views[v]);
			fputc('\n', f);
		}
	}
}
