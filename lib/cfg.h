/* cfg.h: the configuration file every program of the project reads (inih). */
#ifndef RP_CFG_H
#define RP_CFG_H

#include <stddef.h>
#include <stdio.h>

#include "attr.h"
#include "err.h"

/* A [view NAME] section: what a page asks for and how it is drawn. */
struct rp_view {
	char *name;
	rp_attrset infos;
	char *template;      /* file name, relative to [server] templates */
};

enum rp_loglevel { RP_LOG_ERROR, RP_LOG_WARN, RP_LOG_INFO, RP_LOG_DEBUG };

/* [server] trace: what becomes of an incoming W3C traceparent. */
enum rp_trace_mode {
	RP_TRACE_PROPAGATE,   /* a valid one is passed to the API */
	RP_TRACE_GENERATE,    /* likewise, and one is started when none came */
	RP_TRACE_OFF          /* nothing is passed */
};

/*
 * The whole configuration.  Every key is documented in
 * conf/richprofile.conf; a test fails if the sample and this loader
 * drift apart.  Immutable once loaded: share it, free it once.
 */
struct rp_cfg {
	char *path;                 /* the file it came from */
	struct {
		char *endpoint;         /* http(s) base URL of the API */
		long connect_timeout_ms;
		long timeout_ms;
		long max_response_bytes;
		long low_speed_bytes;   /* abort below this many bytes/s ... */
		long low_speed_ms;      /* ... sustained this long */
		char *ca_file;          /* NULL: the system store */
		char *proxy;            /* NULL: no proxy */
	} upstream;
	struct {
		char *cookie;           /* cookie holding the user's token */
		long max_token_bytes;
	} session;
	struct {
		char *url;              /* scheme://host[:port] of the site */
		char *login_url;
		char *return_path;
		char **privacy_hosts;   /* NULL-terminated */
		char *default_language; /* "fr" or "en" */
	} site;
	struct {
		long threads;
		char *templates;        /* directory of the templates */
		char *log_file;         /* NULL: stderr */
		enum rp_loglevel log_level;
		char *prefix;           /* "/richprofile/": path of the routes, ends in '/' */
		char **ops_allow;       /* who may ask status and ready; NULL-terminated */
		long request_timeout_ms; /* for a request's records to arrive */
		long max_params_bytes;  /* cap on a request's parameter records */
		int sandbox;            /* 1: seccomp filter once started (rp_sandbox_install) */
		enum rp_trace_mode trace; /* W3C traceparent to the API */
	} server;
	struct {
		long ttl_s;             /* 0: no cache */
		long max_entries;
		long max_bytes;         /* heap of kept entries, profiles included */
		long stale_s;           /* serve expired entries this long on upstream failure */
		long refresh_s;         /* a hit on an entry this old refreshes it; 0: never */
	} cache;
	struct {
		long failures;          /* failed calls in the window that open it; 0: never */
		long open_ms;           /* how long it stays open before one probe */
		long window_ms;         /* the sliding window the failures are counted in */
		long min_users;         /* distinct failing users needed to open it */
	} breaker;
	struct {
		char *redis;            /* "tcp:HOST:PORT" or "unix:/PATH"; NULL: no shared tier */
		long database;          /* SELECT */
		char *password_file;    /* first line: AUTH; NULL: none */
		char *key_file;         /* the key all servers share; required with redis */
		long timeout_ms;        /* budget of one Redis operation, connect included */
		char *prefix;           /* of every Redis key */
	} shared;
	struct {
		char *view;             /* view of the auth route; NULL: the first view */
		int allow_without_token; /* without a usable token: 0 answers 401,
		                            1 lets the request through (status signin) */
	} auth;
	struct rp_view *views;
	size_t nviews;
};

/*
 * Reads path (NULL: the default RP_SYSCONFDIR "/richprofile.conf").
 * Relative paths in the file (templates, ca_file, log_file) are taken
 * relative to the file's directory.  On
 * error returns RP_ECONFIG and writes "FILE:LINE: what is wrong and what is
 * expected" into err; *out is written only on success.  Caller frees
 * with rp_cfg_free.
 */
enum rp_err rp_cfg_load(const char *path, struct rp_cfg **out, char *err, size_t errlen);

void rp_cfg_free(struct rp_cfg *cfg);

/*
 * Whether s may name the session cookie: a non-empty RFC 6265 token
 * (printable ASCII without spaces or separators).  The loader checks
 * [session] cookie with it; the simulator checks its --cookie too.
 */
int rp_cfg_cookie_name_ok(const char *s);

/* The view called name, or NULL.  Borrowed from cfg. */
const struct rp_view *rp_cfg_view(const struct rp_cfg *cfg, const char *name);

/*
 * One key the loader reads.  section is "upstream", "session"... or
 * "view" for the keys of every [view NAME]; def is the default as it
 * would be written in the file ("" for "unset"), NULL when required.
 */
struct rp_cfg_key {
	const char *section;
	const char *key;
	const char *def;
};

/*
 * Every key the loader reads, in file order; *n gets the count.  Static
 * storage.  The test of conf/richprofile.conf checks the sample against it.
 */
const struct rp_cfg_key *rp_cfg_keys(size_t *n);

/*
 * Writes the effective configuration (defaults filled in, paths
 * resolved) to f as an INI file, for `richprofile check-config`.
 */
void rp_cfg_write(const struct rp_cfg *cfg, FILE *f);

#endif
