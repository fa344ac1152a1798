/* trace.h: W3C Trace Context (traceparent, tracestate) from the request to the API. */
#ifndef RP_TRACE_H
#define RP_TRACE_H

#include <stddef.h>

#include "cfg.h"

#define RP_TRACEPARENT_LEN 55     /* "00-" 32 hex "-" 16 hex "-" 2 hex */
#define RP_TRACESTATE_MAX 512     /* bytes of tracestate passed on, at most */
#define RP_TRACESTATE_MEMBERS 32  /* list members, at most */

/*
 * The trace context of one request, as it goes to the API.  Filled by
 * rp_trace_take; all strings empty when there is none.
 */
struct rp_trace {
	char parent[RP_TRACEPARENT_LEN + 1];  /* the traceparent value, or "" */
	char state[RP_TRACESTATE_MAX + 1];    /* the tracestate value, or "" */
	char trace_id[33];                    /* for the log line, or "" */
	int generated;                        /* 1: started here (generate) */
};

/*
 * Whether s is a valid traceparent (W3C Trace Context level 1):
 * version 00 exactly "00-TRACEID-PARENTID-FLAGS", 32, 16 and 2
 * lower-case hex digits, neither id all zeros; version ff invalid; a
 * later version is read the same from its first 55 characters, which
 * may be followed only by "-" and more.
 */
int rp_traceparent_valid(const char *s);

/*
 * Whether s is a valid tracestate: at most RP_TRACESTATE_MAX bytes and
 * RP_TRACESTATE_MEMBERS list members separated by commas (blanks around
 * them allowed, empty ones too), each key=value with the specification's
 * key and value characters, no key twice.
 */
int rp_tracestate_valid(const char *s);

/*
 * The context to send for a request whose web server passed traceparent
 * and tracestate (NULL when absent), under mode ([server] trace):
 * propagate keeps a valid traceparent (a later version rewritten as
 * version 00) and, with it, a valid tracestate; a malformed one is
 * dropped, never passed on.  generate does the same and, without a valid
 * traceparent, starts a trace of random ids.  off sends none.
 */
void rp_trace_take(enum rp_trace_mode mode, const char *traceparent,
    const char *tracestate, struct rp_trace *out);

#endif
