/* fetch.h: how richprofile-fcgi obtains the profile of a request. */
#ifndef RP_FCGI_FETCH_H
#define RP_FCGI_FETCH_H

#include <stddef.h>

#include "attr.h"
#include "err.h"
#include "request.h"
#include "profile.h"

/*
 * The one step from (token, infos) to a profile: every route that shows
 * profile data goes through here, so caching, coalescing or a circuit
 * breaker wrap this function and nothing else.  token (len bytes) is
 * borrowed and never logged.  Fills the upstream fields of req->log
 * (class, HTTP status, <code>, time).  Yields a profile in *out unless
 * memory runs out (RP_ENOMEM): an upstream failure is a profile whose
 * outcome says so.  Caller frees *out with rp_profile_free.
 */
enum rp_err rp_fcgi_get_profile(struct rp_req *req, const char *token, size_t len,
    rp_attrset infos, struct rp_profile **out);

/*
 * The profile of the request's own user for infos: the token is read
 * from the configured session cookie and, when usable, goes to
 * rp_fcgi_get_profile (its fingerprint to the log line).  Without a
 * usable token there is no upstream call: *out is NULL (the user is to
 * sign in) and req->log.note says why.  RP_OK, or the error of
 * rp_fcgi_get_profile.  Caller frees *out with rp_profile_free.
 */
enum rp_err rp_fcgi_request_profile(struct rp_req *req, rp_attrset infos,
    struct rp_profile **out);

#endif
