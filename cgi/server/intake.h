/* intake.h: a connection's request records, whole and in time, before libfcgi reads them. */
#ifndef RP_FCGI_INTAKE_H
#define RP_FCGI_INTAKE_H

#include <stddef.h>

#include "err.h"
#include "metrics.h"

/*
 * libfcgi reads a request's parameters inside FCGX_Accept_r with no
 * deadline and no size cap: a silent or half-sent connection holds a
 * worker for as long as it stays open, and parameters without end grow
 * the heap without bound.  So the worker accepts the connection itself
 * and, before libfcgi reads anything, peeks (MSG_PEEK, nothing
 * consumed) at what the socket holds: when it is the request's first
 * records whole (FCGI_BEGIN_REQUEST and every FCGI_PARAMS record up to
 * the empty one that ends them, which nginx and Apache write at once),
 * libfcgi reads them from the socket without waiting; otherwise the
 * connection waits in the room below, not in a worker.  The body
 * (FCGI_STDIN) is never read by any route, so it holds nobody.
 */

/* What the peeked bytes hold. */
enum rp_intake {
	RP_INTAKE_COMPLETE,   /* begin and parameters, whole */
	RP_INTAKE_MORE,       /* a valid start: more bytes needed */
	RP_INTAKE_TOO_LARGE,  /* the parameters pass the cap */
	RP_INTAKE_MALFORMED,  /* not a request of a role this program serves */
};

/*
 * Scans b[0..n), the first bytes of a connection's request.  cap is
 * the most bytes the records up to the end of the parameters may take
 * (framing included): when they are not complete within cap bytes the
 * answer is RP_INTAKE_TOO_LARGE, so a caller that peeks cap bytes never
 * needs more.  Pure: no I/O.
 */
enum rp_intake rp_intake_scan(const unsigned char *b, size_t n, size_t cap);

/* Closes nothing: counts a dropped connection and says why, now and then. */
void rp_intake_dropped(enum rp_drop why);

/*
 * Connections whose request is not whole yet wait in one room, watched
 * by one thread with epoll, never by a worker: a thousand silent
 * connections cost no worker and no CPU.  A connection leaves the room
 * when its request start is whole (to the ready queue, from which the
 * next free worker takes it), when it passes its deadline or the cap,
 * or when the peer goes; the ones dropped are counted (metrics) and
 * said in the log, at most once per 10 s per reason.
 */
struct rp_room;

/*
 * Starts the room and its thread; at most max connections wait at once
 * (a connection past that is closed and counted).  Returns RP_OK or an
 * error (errno-backed failures as RP_EIO); *out on success only.
 * Caller stops it with rp_room_free, after every worker has left.
 */
enum rp_err rp_room_new(size_t max, struct rp_room **out);

/*
 * Stops the thread and closes every connection still waiting.
 */
void rp_room_free(struct rp_room *room);

/*
 * Hands fd over to the room (which then owns it) until its request
 * start is whole, in cap bytes at most, by deadline_ms (rp_monotonic_ms
 * time).  kept: a connection the web server kept open after a request,
 * whose idleness until the deadline is normal (closed, not counted).
 */
void rp_room_park(struct rp_room *room, int fd, long long deadline_ms,
    size_t cap, int kept);

/*
 * A connection whose request start is whole, now the caller's; -1 when
 * none.  Never blocks.
 */
int rp_room_take(struct rp_room *room);

/*
 * A descriptor that polls readable while connections may be ready for
 * rp_room_take; the caller reads nothing from it.
 */
int rp_room_ready_fd(const struct rp_room *room);

/* Connections waiting in the room now (a gauge for status). */
long rp_room_waiting(const struct rp_room *room);

#endif
