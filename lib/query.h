/* query.h: the request's query string, accepted by declaration. */
#ifndef RP_QUERY_H
#define RP_QUERY_H

#include <stddef.h>

#include "consent.h"
#include "err.h"

#define RP_QUERY_MAX 4096        /* longer query strings are rejected whole */
#define RP_VIEW_NAME_MAX 64      /* bytes of a view name */

/* What a query parameter turned out to be. */
enum rp_qstate {
	RP_Q_ABSENT,      /* not in the query */
	RP_Q_OK,          /* present and valid: the value field holds it */
	RP_Q_REJECTED     /* present but invalid: value left empty */
};

/*
 * The parameters the program knows, each percent-decoded once and
 * checked by its validator; `+` is kept as `+` (paths, not forms).
 * The first occurrence of a key counts; later ones are ignored.
 * Unknown keys are counted, never an error.
 */
struct rp_query {
	enum rp_qstate view_state;
	char view[RP_VIEW_NAME_MAX + 1];  /* [A-Za-z0-9_-], 1..64 bytes */
	enum rp_qstate return_state;
	char return_path[RP_RETURN_PATH_MAX + 1]; /* rp_return_path_ok */
	unsigned unknown;                 /* keys we do not know */
};

/*
 * Parses qs (NUL-terminated, may be NULL or empty) into *out.  Returns
 * RP_OK, or RP_EINVAL when qs is longer than RP_QUERY_MAX (then *out
 * is all absent).  A bad value is never an error: its state says so.
 */
enum rp_err rp_query_parse(const char *qs, struct rp_query *out);

/*
 * The next parameter of the query text [*p, end): its key and value,
 * raw (still percent-encoded; the value empty for a key alone).
 * Parameters are separated by '&' or ';'; empty ones are skipped.
 * Advances *p; returns 0 when there is none left.
 */
int rp_query_next(const char **p, const char *end, const char **key,
    size_t *klen, const char **val, size_t *vlen);

/* Non-zero when name (n bytes) is a well-formed view name. */
int rp_view_name_ok(const char *name, size_t n);

/*
 * Percent-decodes n bytes of s into out (size bytes, NUL added).
 * RP_EINVAL on a bad %XX, a decoded NUL, or no room.  *outlen on success.
 */
enum rp_err rp_pct_decode(const char *s, size_t n, char *out, size_t size,
    size_t *outlen);

#endif
