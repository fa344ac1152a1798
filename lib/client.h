/* client.h: the HTTP client to the RichProfile API (libcurl). */
#ifndef RP_CLIENT_H
#define RP_CLIENT_H

#include <stddef.h>

#include "attr.h"
#include "cfg.h"
#include "err.h"
#include "profile.h"
#include "trace.h"

/*
 * curl_global_init and the share handle (DNS cache, TLS sessions,
 * connection pool hints) of the process.  Call once, before threads.
 * Reference-counted: each call wants one rp_client_global_cleanup.
 */
int rp_client_global_init(void);
void rp_client_global_cleanup(void);

/*
 * After rp_client_global_init: NULL, or a warning the program should log
 * once (libcurl resolves synchronously, so timeouts cannot bound DNS).
 * Static storage.
 */
const char *rp_client_global_warning(void);

/* One per worker thread: it owns a reused easy handle. */
struct rp_client;

/*
 * A client for cfg, which it copies what it needs of: cfg may be freed
 * before the client.  Caller frees with rp_client_free.
 */
enum rp_err rp_client_new(const struct rp_cfg *cfg, struct rp_client **out);
void rp_client_free(struct rp_client *c);

/*
 * The URL libcurl keeps in c's handle between calls (its "effective
 * URL"), borrowed, or NULL: for the tests that check no token outlives
 * its call there.
 */
const char *rp_client_last_url(const struct rp_client *c);

/* What happened on the wire, for logs and metrics; never the token. */
struct rp_fetch_info {
	enum rp_err err;        /* RP_OK or the failure class */
	int http_status;        /* 0 if no answer */
	long elapsed_us;        /* wall time of the call */
	int new_connection;     /* 1 if a TCP connection was opened */
	char detail[256];       /* curl's error text, token-free */
};

/*
 * Asks the API for infos on behalf of token (len bytes, any bytes).
 * Always yields a profile in *out unless memory runs out (returns
 * RP_ENOMEM): a transport failure gives an RP_OUT_UPSTREAM profile.
 * info may be NULL.  Caller frees *out with rp_profile_free.
 */
enum rp_err rp_client_fetch(struct rp_client *c, const char *token, size_t len,
    rp_attrset infos, struct rp_profile **out, struct rp_fetch_info *info);

/* Per-call options of rp_client_fetch_opts; zero them for none. */
struct rp_fetch_opts {
	/*
	 * Called with each piece of the raw body as it arrives, before the
	 * parser sees it (richprofile fetch --format xml prints it).  Not
	 * called past max_response_bytes.
	 */
	void (*tee)(void *arg, const char *buf, size_t len);
	void *tee_arg;
	/*
	 * Trace context headers for this call (lib/trace.h), already
	 * validated; NULL or empty strings: none.  Borrowed for the call.
	 */
	const struct rp_trace *trace;
};

/* rp_client_fetch with options; opts may be NULL. */
int rp_client_fetch_opts(struct rp_client *c, const char *token, size_t len,
    rp_attrset infos, const struct rp_fetch_opts *opts,
    struct rp_profile **out, struct rp_fetch_info *info);

#endif
