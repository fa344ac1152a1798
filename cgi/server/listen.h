/* listen.h: where richprofile-fcgi gets its listening socket. */
#ifndef RP_FCGI_LISTEN_H
#define RP_FCGI_LISTEN_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/*
 * The socket the workers accept on.  Every way of obtaining one goes
 * through rp_listen_open, so a new source (systemd's LISTEN_FDS, ...)
 * is one more case there and nothing else changes.
 */
struct rp_listener {
	int fd;             /* listening socket; -1 in plain CGI mode */
	int cgi;            /* 1: no socket, one CGI request in the environment */
	int owned;          /* 1: we created it (-s); we close it at exit */
	char *unix_path;    /* -s unix:PATH: removed at exit if still ours */
	int dir_fd;         /* its directory (O_PATH), through which it is
	                       removed: the sandbox allows only that; -1 */
	const char *unix_name; /* its last component, in unix_path */
	dev_t dev;          /* identity of the socket file we bound */
	ino_t ino;
	char desc[160];     /* for logs: "unix:/run/rp.sock", "fd 0", ... */
};

/*
 * Opens the listener described by spec:
 *   "unix:/path"       a Unix socket (a stale socket file is replaced;
 *                      any other file there is an error), mode 0660;
 *   "tcp:HOST:PORT"    TCP on HOST (name or address; "[::1]:PORT" for
 *                      IPv6); PORT 0 picks a free port;
 *   NULL               fd 0 as a FastCGI listener (spawn-fcgi, mod_fcgid,
 *                      nginx set-ups); when fd 0 is no socket, plain CGI.
 * On error writes what failed and what to do into err and returns
 * RP_EIO or RP_EINVAL; *out is written only on success.  Caller releases
 * with rp_listen_close.
 */
enum rp_err rp_listen_open(const char *spec, int backlog, struct rp_listener *out,
    char *err, size_t errlen);

/* Closes an owned socket and removes its file if it is still ours. */
void rp_listen_close(struct rp_listener *l);

#endif
