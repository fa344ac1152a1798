/* client.h: the HTTP client to the RichProfile API (libcurl). */
#ifndef RP_CLIENT_H
#define RP_CLIENT_H

#include <stddef.h>

#include "attr.h"
#include "cfg.h"
#include "err.h"
#include "profile.h"

/*
 * curl_global_init and the share handle (DNS cache, TLS sessions,
 * connection pool hints) of the process.  Call once, before threads.
 * Logs through the callback given if libcurl resolves synchronously.
 */
int rp_client_global_init(void);
void rp_client_global_cleanup(void);

/* One per worker thread: it owns a reused easy handle. */
struct rp_client;

/*
 * A client for cfg (borrowed: cfg must outlive the client).  Caller
 * frees with rp_client_free.
 */
int rp_client_new(const struct rp_cfg *cfg, struct rp_client **out);
void rp_client_free(struct rp_client *c);

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
int rp_client_fetch(struct rp_client *c, const char *token, size_t len,
    rp_attrset infos, struct rp_profile **out, struct rp_fetch_info *info);

#endif
