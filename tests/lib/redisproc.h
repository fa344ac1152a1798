/* redisproc.h: C tests start a private redis-server on loopback or a Unix socket. */
#ifndef RP_REDISPROC_H
#define RP_REDISPROC_H

#include <sys/types.h>

/* One redis-server started by a test; stopped by its PID. */
struct redisproc {
	pid_t pid;
	int port;              /* 0 on a Unix socket */
	char sock[108];        /* "" on TCP */
	char dir[64];          /* its private directory (mkdtemp) */
	char addr[160];        /* the [shared] redis value */
};

/* Whether redis-server is installed (the tests skip without it). */
int redisproc_available(void);

/*
 * Starts redis-server keeping nothing on disk (--save '' --appendonly
 * no) on 127.0.0.1:port (0: a free port), or on a Unix socket in its
 * own directory when unix_socket is set; waits (five seconds at most)
 * until it answers PING.  The server gets SIGKILL if the test process
 * dies first.  Returns 0, or -1 (with the reason on stderr).
 */
int redisproc_start(struct redisproc *r, int port, int unix_socket);

/* SIGKILL (a crash) and wait; the directory stays for a restart. */
void redisproc_kill(struct redisproc *r);

/* SIGSTOP / SIGCONT: Redis paused, its connections open. */
void redisproc_pause(struct redisproc *r, int paused);

/* Stops it (SIGTERM, SIGKILL after five seconds) and removes its directory. */
void redisproc_stop(struct redisproc *r);

#endif
