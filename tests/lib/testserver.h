/* testserver.h: a loopback HTTP(S) server in a thread of the test, with canned answers. */
#ifndef RP_TESTSERVER_H
#define RP_TESTSERVER_H

#include <stddef.h>

#include "cfg.h"
#include "client.h"

/* What the server does with each request, after reading its head. */
enum ts_action {
	TS_ANSWER,    /* status + body, then keep the connection alive */
	TS_STALL,     /* read the request, never answer (until ts_stop) */
	TS_RESET,     /* answer with Content-Length, send reset_after body bytes, then RST */
	TS_FLOOD,     /* status + flood_bytes of filler body, as fast as the peer reads */
	TS_TRICKLE,   /* status + body, one byte every trickle_ms */
	TS_HANGUP     /* close the connection without a byte */
};

/*
 * One scenario; fields left 0 take the default shown.  Strings are
 * copied by ts_set.
 */
struct ts_scenario {
	enum ts_action action;
	int status;               /* 200 */
	const char *body;         /* "" */
	size_t body_len;          /* 0: strlen(body) */
	const char *content_type; /* "text/xml; charset=UTF-8" */
	const char *location;     /* a Location header, for redirects */
	unsigned delay_ms;        /* wait before the status line */
	size_t reset_after;       /* TS_RESET: body bytes before the reset */
	size_t flood_bytes;       /* TS_FLOOD: body size */
	int flood_length;         /* TS_FLOOD: announce Content-Length */
	unsigned trickle_ms;      /* TS_TRICKLE: pause between bytes */
	int close;                /* Connection: close after answering */
};

/* TLS: PEM files of the server's certificate chain and key; NULL for plain HTTP. */
struct ts_options {
	const char *cert_file;
	const char *key_file;
};

struct ts_server;

/*
 * Starts a server on 127.0.0.1 and an ephemeral port, in its own
 * thread; answers TS_ANSWER 200 "" until ts_set.  opts may be NULL.
 * Aborts the test on failure.  Stop it with ts_stop.
 */
struct ts_server *ts_start(const struct ts_options *opts);

/* Stops every thread, closes every socket, frees everything. */
void ts_stop(struct ts_server *s);

unsigned short ts_port(const struct ts_server *s);

/* "http(s)://127.0.0.1:PORT" + path; static buffer per server. */
const char *ts_url(struct ts_server *s, const char *path);

/* The scenario for the requests that come next. */
void ts_set(struct ts_server *s, const struct ts_scenario *sc);

/* TCP connections accepted so far. */
size_t ts_connections(struct ts_server *s);

/* Requests whose head was read so far. */
size_t ts_requests(struct ts_server *s);

/*
 * A copy of the raw head of request i (request line and headers, up to
 * and without the blank line), NUL-terminated; *len gets its length if
 * len is not NULL.  NULL if there is no request i.  Caller frees.
 */
char *ts_request(struct ts_server *s, size_t i, size_t *len);

/* Body bytes the server managed to write for the last answer. */
size_t ts_body_sent(struct ts_server *s);

/* Waits up to ms for n requests; returns how many there are. */
size_t ts_wait_requests(struct ts_server *s, size_t n, unsigned ms);

/*
 * Makes a test PKI in dir with tests/lib/mkcerts.sh: ca.pem (the test CA),
 * server.pem + server.key (for 127.0.0.1 and localhost, signed by
 * ca.pem), wronghost.pem + wronghost.key (signed by ca.pem, for another
 * name), other-ca.pem (an unrelated CA).  Aborts on failure.
 */
void ts_make_certs(const char *dir);

/*
 * A TCP port on 127.0.0.1 that accepts no connection: connecting is
 * refused.  (Bound, then closed: another process could take it, which
 * the tests accept as unlikely within a test.)
 */
unsigned short ts_refused_port(void);

/*
 * A listening socket on 127.0.0.1 whose accept queue is full, so a new
 * connection hangs in the handshake; *fds gets the sockets to close
 * with ts_blackhole_close.  Returns its port.
 */
unsigned short ts_blackhole(int fds[4]);
void ts_blackhole_close(int fds[4]);

/*
 * One plain HTTP request with libcurl (no redirects followed), for
 * the consent pages of the simulator (tests/lib/simproc.h has the rest).
 * body NULL: GET, else POST form data.  Returns the status; the body (truncated to size - 1) goes
 * into out and the Location header into loc when they are not NULL.
 */
long ts_http(const char *url, const char *body, char *out, size_t size,
    char *loc, size_t locsize);

/*
 * What every client test case holds: a temporary directory, and a
 * configuration plus client made through the real loader.
 */
struct ts_fixture {
	char dir[256];
	struct rp_cfg *cfg;
	struct rp_client *cli;
};

/* mkdtemp and rp_client_global_init; aborts the test on failure. */
void ts_fixture_setup(struct ts_fixture *fx);

/* Frees the client and configuration, cleans up libcurl, removes the directory. */
void ts_fixture_teardown(struct ts_fixture *fx);

/*
 * Replaces fx->cfg and fx->cli by new ones for endpoint; extra is more
 * INI text after [upstream] (may be NULL).  Fails the test if the
 * loader or the client refuses.
 */
void ts_fixture_configure(struct ts_fixture *fx, const char *endpoint,
    const char *extra);

#endif
