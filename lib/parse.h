/* parse.h: streaming expat parser from a RichProfile body to a profile. */
#ifndef RP_PARSE_H
#define RP_PARSE_H

#include <stddef.h>

#include "attr.h"
#include "err.h"
#include "profile.h"

/* Caps on what an untrusted body may make the parser do. 0: the default. */
struct rp_parse_limits {
	size_t max_bytes;    /* whole body; default 256 KiB */
	unsigned max_depth;  /* element nesting; default 16 */
	size_t max_value;    /* one value's bytes; default 4 KiB */
	size_t max_items;    /* interests per list; default 64 */
};

struct rp_parser;

/*
 * A parser for the answer to a request for `requested`.  Caller frees
 * with rp_parser_free.  limits may be NULL for the defaults.
 */
enum rp_err rp_parser_new(rp_attrset requested, const struct rp_parse_limits *limits,
    struct rp_parser **out);

/*
 * Feeds the next len bytes of the body.  Chunks may split anything,
 * even a UTF-8 sequence.  Returns RP_OK, or RP_EMALFORMED / RP_ETOOBIG
 * once the body is known bad (later feeds are ignored; finish still
 * yields a profile that says why).
 */
enum rp_err rp_parser_feed(struct rp_parser *ps, const char *buf, size_t len);

/*
 * Ends the body and hands over the profile (caller frees with
 * rp_profile_free).  Always yields a profile unless memory runs out:
 * a bad body gives outcome RP_OUT_MALFORMED with reason, line, column.
 * After this the parser can only be freed.
 */
enum rp_err rp_parser_finish(struct rp_parser *ps, struct rp_profile **out);

void rp_parser_free(struct rp_parser *ps);

/* The whole body at once: new + feed + finish + free. */
enum rp_err rp_parse(rp_attrset requested, const struct rp_parse_limits *limits,
    const char *body, size_t len, struct rp_profile **out);

#endif
