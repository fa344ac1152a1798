/* cookie.h: the Cookie request header (RFC 6265) and the session token in it. */
#ifndef RP_COOKIE_H
#define RP_COOKIE_H

#include <stddef.h>

#include "err.h"

#define RP_COOKIE_HEADER_MAX 8192  /* longer headers: only this much is read */
#define RP_COOKIE_MAX 64           /* pairs kept per list */
#define RP_COOKIE_VALUE_MAX 4096   /* longer values are rejected */

/* One name=value pair; both point into the parsed header (borrowed). */
struct rp_cookie {
	const char *name;
	size_t namelen;
	const char *value;      /* without surrounding DQUOTEs */
	size_t valuelen;
};

/*
 * A parsed header.  Well-formed pairs go to ok[], pairs whose name or
 * value breaks RFC 6265's grammar (or whose value is too long) to bad[]
 * (kcgi's cookiemap and cookienmap): a caller never mistakes one for the
 * other.  Pieces without "=" are skipped and counted.  Everything
 * borrows the header string, which must outlive the struct.
 */
struct rp_cookies {
	struct rp_cookie ok[RP_COOKIE_MAX];
	size_t nok;
	struct rp_cookie bad[RP_COOKIE_MAX];
	size_t nbad;
	unsigned skipped;       /* pieces without "=", or beyond RP_COOKIE_MAX */
	int truncated;          /* header longer than RP_COOKIE_HEADER_MAX */
};

/*
 * Parses header (NUL-terminated, may be NULL = no cookies) into *out.
 * Tolerates what browsers send: blanks around pairs and "=", empty
 * pieces (";;"), quoted values.  Never fails: returns RP_OK.
 */
enum rp_err rp_cookie_parse(const char *header, struct rp_cookies *out);

/* The first well-formed pair called name (exact, case-sensitive), or NULL. */
const struct rp_cookie *rp_cookie_find(const struct rp_cookies *c,
    const char *name);

/* Why a session token is or is not usable. */
enum rp_token_state {
	RP_TOKEN_OK,
	RP_TOKEN_MISSING,       /* no cookie of that name */
	RP_TOKEN_EMPTY,         /* cookie present, value empty */
	RP_TOKEN_TOOLONG,       /* longer than max_token_bytes */
	RP_TOKEN_BADCHAR        /* a byte outside RFC 6265 cookie-octets */
};

/*
 * The token: the value of the first cookie called name in the header
 * (RFC 6265 order: the most specific path first), and only that one.
 * When it is empty, too long or malformed the state says so and a later
 * cookie of the same name is never used instead: the user signs in
 * again.  *value and *len borrow the header and are set only when the
 * state is RP_TOKEN_OK.
 */
enum rp_token_state rp_cookie_token(const char *header, const char *name,
    size_t max_token_bytes, const char **value, size_t *len);

/* "ok", "missing", "empty", "too_long", "bad_char": for the log. */
const char *rp_token_state_name(enum rp_token_state st);

#endif
