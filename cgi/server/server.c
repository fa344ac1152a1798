/* server.c: worker threads, accept loop, signals, graceful stop. */
/* accept4 */
#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "clock.h"
#include "client.h"
#include "err.h"
#include "intake.h"
#include "live.h"
#include "pace.h"
#include "request.h"
#include "server.h"
#include "log.h"
#include "metrics.h"

/*
 * How shutdown works.  SIGTERM/SIGINT are blocked in the workers, so the
 * handler (installed without SA_RESTART) always runs on the main thread,
 * which sleeps in poll() on a self-pipe.  The handler only sets a flag,
 * tells libfcgi (FCGX_ShutdownPending) and writes to the pipe.  The main
 * thread then wakes the workers that sit in poll() or accept(): it sends
 * them SIGUSR2, whose empty handler (again without SA_RESTART) makes
 * the call fail with EINTR, and the worker, seeing the flag, leaves
 * instead of retrying.  A kick can arrive just before a worker
 * enters accept(), so kicks repeat every KICK_MS until every worker has
 * left.  The listening socket itself is never shut down: with spawn-fcgi
 * or systemd it is shared with other processes that must keep serving.
 * Workers busy with a request finish it, bounded by the grace time.
 * Connections still waiting for their request (intake.h) are closed
 * at the end.
 *
 * How an idle worker waits: the listener is non-blocking, and a worker
 * that finished a request accepts the next pending connection at once
 * (under load: one system call per request, as a bare libfcgi
 * responder's accept()).  With nothing pending it sleeps in epoll_wait
 * on an epoll instance of its own that watches the listener and the
 * waiting room's ready descriptor with EPOLLEXCLUSIVE: the kernel wakes
 * one sleeping worker per event, not all of them, and always the first
 * in the order the workers registered that is asleep -- so a load that
 * needs ten workers keeps the same ten warm (stack, API connection,
 * parser, malloc's thread cache), whatever [server] threads says, and
 * the others stay cold.  A worker woken for a connection another took
 * first finds none (EAGAIN) and sleeps again.
 */
#define KICK_MS 50
#define KICK_SIGNAL SIGUSR2

enum worker_state { W_STARTING, W_ACCEPTING, W_BUSY, W_PARKED, W_DONE };

struct worker {
	pthread_t thread;
	int started;                 /* pthread_create succeeded */
	atomic_int state;            /* enum worker_state */
	long id;
	struct rp_live *live;        /* borrowed: the configuration in service */
	int listen_fd;
	struct rp_server *srv;       /* borrowed */
	int epfd;                    /* where it sleeps while idle; -1: none */
};

/* What the workers share. */
struct rp_server {
	pthread_mutex_t lock;
	pthread_cond_t done;         /* signalled when a worker leaves */
	long running;                /* workers not yet W_DONE; under lock */
	atomic_int listener_failed;  /* accept failed for another reason */
	struct rp_pace pace;         /* how many workers take connections */
	struct rp_room *room;        /* connections waiting for their request */
};

/* Lock-free, so the handler may set it and every thread sees it. */
static atomic_int stop_requested;
static int wake_pipe[2] = { -1, -1 };
/* SIGHUP: reload the configuration (on the main thread, server/live.c). */
static volatile sig_atomic_t reload_requested;

/* Async-signal-safe: a flag, libfcgi's flag, one byte to the pipe. */
static void
on_stop_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	atomic_store(&stop_requested, 1);
	FCGX_ShutdownPending();
	if (wake_pipe[1] >= 0 && write(wake_pipe[1], &b, 1) < 0) {
		/* The pipe is full: a wake-up is already pending. */
	}
	errno = saved;
}

/* Async-signal-safe: a flag and one byte to wake the main thread. */
static void
on_reload_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	reload_requested = 1;
	if (wake_pipe[1] >= 0 && write(wake_pipe[1], &b, 1) < 0) {
		/* The pipe is full: a wake-up is already pending. */
	}
	errno = saved;
}

/*
 * The worker's HTTP client was made from configuration generation *gen
 * (it keeps no reference to it, so a worker idle across reloads holds
 * no old configuration): the first request on a newer one makes a new
 * client (the endpoint, timeouts or CA may have changed).  When that
 * fails the worker keeps serving with the client it has.
 */
static void
client_follow(struct worker *w, struct rp_live_app *la,
    unsigned long *gen, struct rp_client **client)
{
	struct rp_client *c = NULL;
	int rc;

	if (la->generation == *gen)
		return;
	if ((rc = rp_client_new(la->app->cfg, &c)) != RP_OK) {
		rp_log(RP_LOG_ERROR, "worker %ld: cannot create the HTTP client "
		    "for the reloaded configuration: %s; keeping the old one",
		    w->id, rp_strerror(rc));
		return;
	}
	rp_client_free(*client);
	*client = c;
	*gen = la->generation;
}

/* Whether the worker must leave instead of accepting. */
static int
stopping(const struct worker *w)
{
	return atomic_load(&stop_requested) ||
	    atomic_load(&w->srv->listener_failed);
}

/* stopping() for rp_pace_park. */
static int
stopping_cb(void *ctx)
{
	return stopping(ctx);
}

/*
 * The worker's own epoll instance: the listener and the room's ready
 * descriptor, each with EPOLLEXCLUSIVE (see the top of this file).
 */
static int
worker_epoll(struct worker *w)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };

	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	ev.data.fd = w->listen_fd;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->listen_fd, &ev) != 0)
		return -1;
	ev.data.fd = rp_room_ready_fd(w->srv->room);
	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
}

/*
 * Sleeps until a connection may be pending, one in the waiting room may
 * be ready, or a signal came (a stop's kick).
 */
static void
await_work(struct worker *w)
{
	struct epoll_event ev[2];

	if (epoll_wait(w->epfd, ev, 2, -1) < 0 && errno != EINTR) {
		rp_log(RP_LOG_ERROR, "worker %ld: epoll_wait failed: %s",
		    w->id, strerror(errno));
		usleep(10000);
	}
}

/* Only here so that the signal interrupts accept(). */
static void
on_kick(int sig)
{
	(void)sig;
}

static int
install(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;     /* no SA_RESTART: blocking calls return EINTR */
	return sigaction(sig, &sa, NULL);
}

/* Writes the response bytes to the FastCGI stdout stream. */
static int
fcgi_write(void *ctx, const char *buf, size_t len)
{
	FCGX_Stream *out = ((FCGX_Request *)ctx)->out;

	/* A web server that hung up makes this fail: only this request. */
	return FCGX_PutStr(buf, (int)len, out) == (int)len ? 0 : -1;
}

/*
 * Ends the answer: closing stdout (and the unused stderr) puts the
 * answer's last bytes and the records that end the request into one
 * write, where flushing first and closing in FCGX_Finish_r took two.
 * FCGX_Finish_r closes them again without writing (wasFCloseCalled).
 */
static int
fcgi_end(void *ctx)
{
	FCGX_Request *req = ctx;

	FCGX_FClose(req->err);
	return FCGX_FClose(req->out) == 0 ? 0 : -1;
}

static void
worker_leave(struct worker *w)
{
	atomic_store(&w->state, W_DONE);
	pthread_mutex_lock(&w->srv->lock);
	w->srv->running--;
	pthread_cond_broadcast(&w->srv->done);
	pthread_mutex_unlock(&w->srv->lock);
}

/*
 * The first look at a new connection, without waiting: 1 when its
 * request start is there whole (nginx and Apache write it at once), for
 * this worker to serve; 0 when the connection went to the waiting room,
 * or was dropped.
 */
/* How long a new connection may take to send its first bytes. */
#define FIRST_LOOK_MS 20

static int
first_look(struct worker *w, int fd)
{
	/* Most requests fit; a larger one is looked at in the room. */
	unsigned char buf[8192];
	struct rp_live_app *la = rp_live_acquire(w->live);
	long long deadline = rp_monotonic_ms() +
	    la->app->cfg->server.request_timeout_ms;
	size_t cap = (size_t)la->app->cfg->server.max_params_bytes;
	enum rp_intake r = RP_INTAKE_MORE;
	ssize_t got;

	rp_live_release(la);
	got = recv(fd, buf, sizeof(buf) < cap ? sizeof(buf) : cap,
	    MSG_PEEK | MSG_DONTWAIT);
	if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		struct pollfd pfd = { fd, POLLIN, 0 };

		/*
		 * Accepted before the client wrote: a web server writes
		 * right after connecting, so a short wait here keeps the
		 * request on this worker (warm) and out of the room.
		 */
		if (poll(&pfd, 1, FIRST_LOOK_MS) > 0)
			got = recv(fd, buf, sizeof(buf) < cap ? sizeof(buf) :
			    cap, MSG_PEEK | MSG_DONTWAIT);
	}
	if (got == 0) {
		close(fd);      /* a connect-and-close probe */
		return 0;
	}
	if (got > 0)
		r = rp_intake_scan(buf, (size_t)got, cap);
	switch (r) {
	case RP_INTAKE_COMPLETE:
		return 1;
	case RP_INTAKE_MORE:
		rp_room_park(w->srv->room, fd, deadline, cap, 0);
		return 0;
	default:
		rp_intake_dropped(r == RP_INTAKE_TOO_LARGE ?
		    RP_DROP_TOO_LARGE : RP_DROP_MALFORMED);
		close(fd);
		return 0;
	}
}

/*
 * Accepts one connection on the (non-blocking) listener.  >= 0: the
 * connection; -3: none pending; -1: nothing this time (interrupted, a
 * transient error), try again; -2: the listener is broken.
 */
static int
accept_connection(struct worker *w, int *failures)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	int fd, one = 1;

	fd = accept4(w->listen_fd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == EAGAIN || e == EWOULDBLOCK)
			return -3;
		if (e == EINTR || e == ECONNABORTED || e == EPROTO)
			return -1;
		if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
			/* Load, not a broken listener: a breath, then again. */
			rp_log(RP_LOG_WARN, "worker %ld: cannot accept a FastCGI "
			    "connection now: %s; raise the limit of open files "
			    "(LimitNOFILE=, ulimit -n) if this lasts", w->id,
			    strerror(e));
			usleep(10000);
			return -1;
		}
		rp_log(RP_LOG_ERROR, "worker %ld: accepting on the FastCGI "
		    "socket failed: %s", w->id, strerror(e));
		if (++*failures >= 10 || e == EBADF || e == ENOTSOCK ||
		    e == EINVAL)
			return -2;
		usleep(10000);
		return -1;
	}
	*failures = 0;
	/* An answer goes out in one piece: never wait for an ACK first. */
	if (sa.ss_family == AF_INET || sa.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/*
 * Serves the request whose start fd holds whole.  A connection the web
 * server keeps open (fastcgi_keep_conn) goes back to the waiting room
 * for its next request, so an idle one holds no worker.
 */
static void
serve(struct worker *w, FCGX_Request *req, int fd, unsigned long *gen,
    struct rp_client **client)
{
	struct rp_live_app *la;
	struct rp_req_times times;
	struct rp_io io;

	atomic_store(&w->state, W_BUSY);
	rp_metrics_busy(+1);
	/* libfcgi reads from fd as if it had accepted it, and keeps it open. */
	req->ipcFd = fd;
	req->keepConnection = 1;
	if (FCGX_Accept_r(req) < 0) {
		/* libfcgi refused the records and closed fd. */
		req->ipcFd = -1;
		rp_intake_dropped(RP_DROP_MALFORMED);
		rp_metrics_busy(-1);
		return;
	}
	io = (struct rp_io){ fcgi_write, req, fcgi_end };
	/* This request's configuration, whatever a reload does. */
	la = rp_live_acquire(w->live);
	client_follow(w, la, gen, client);
	rp_request_handle(la->app, *client, req->envp, &io, &times);
	rp_pace_account(&w->srv->pace, times.total_us, times.upstream_us);
	FCGX_Finish_r(req);
	if (req->ipcFd >= 0) {
		rp_room_park(w->srv->room, req->ipcFd, rp_monotonic_ms() +
		    la->app->cfg->server.request_timeout_ms,
		    (size_t)la->app->cfg->server.max_params_bytes, 1);
		req->ipcFd = -1;
	}
	rp_live_release(la);
	rp_metrics_busy(-1);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct rp_client *client = NULL;
	struct rp_live_app *first;
	unsigned long client_gen;            /* what client was made from */
	FCGX_Request req;
	int rc, fd, failures = 0;

	/*
	 * No listener for libfcgi: the worker accepts, and hands libfcgi a
	 * connection whose request start is already whole (server/intake.h).
	 * Should libfcgi still refuse that request, its own accept fails at
	 * once on -1 instead of taking a connection unchecked.
	 */
	if (worker_epoll(w) != 0) {
		rp_log(RP_LOG_ERROR, "worker %ld: cannot create its epoll "
		    "instance: %s; raise the limit of open files (LimitNOFILE=, "
		    "ulimit -n) or lower [server] threads", w->id, strerror(errno));
		atomic_store(&w->srv->listener_failed, 1);
		goto out;
	}
	if (FCGX_InitRequest(&req, -1, 0) != 0) {
		rp_log(RP_LOG_ERROR, "worker %ld: FCGX_InitRequest failed; "
		    "out of memory?", w->id);
		atomic_store(&w->srv->listener_failed, 1);
		goto out;
	}
	first = rp_live_acquire(w->live);
	client_gen = first->generation;
	rc = rp_client_new(first->app->cfg, &client);
	rp_live_release(first);
	if (rc != RP_OK) {
		rp_log(RP_LOG_ERROR, "worker %ld: cannot create the HTTP "
		    "client: %s", w->id, rp_strerror(rc));
		atomic_store(&w->srv->listener_failed, 1);
		goto out;
	}
	for (;;) {
		if (!rp_pace_allowed(&w->srv->pace, w->id)) {
			/* Not needed under this load (pace.h): park. */
			atomic_store(&w->state, W_PARKED);
			rp_pace_park(&w->srv->pace, w->id, stopping_cb, w);
		}
		atomic_store(&w->state, W_ACCEPTING);
		if (stopping(w))
			break;
		/* A connection whose request arrived while it waited. */
		if ((fd = rp_room_take(w->srv->room)) >= 0) {
			serve(w, &req, fd, &client_gen, &client);
			continue;
		}
		fd = accept_connection(w, &failures);
		if (fd == -2) {
			atomic_store(&w->srv->listener_failed, 1);
			break;
		}
		if (fd == -3) {
			await_work(w);
			continue;
		}
		if (fd >= 0 && first_look(w, fd))
			serve(w, &req, fd, &client_gen, &client);
	}
	FCGX_Free(&req, 1);
out:
	rp_client_free(client);
	if (w->epfd >= 0)
		close(w->epfd);
	worker_leave(w);
	if (atomic_load(&w->srv->listener_failed) && wake_pipe[1] >= 0) {
		unsigned char b = 0;

		if (write(wake_pipe[1], &b, 1) < 0) {
			/* A wake-up is already pending. */
		}
	}
	return NULL;
}

/* Sends KICK_SIGNAL to every worker still waiting in accept(). */
static void
kick_acceptors(struct worker *ws, long n)
{
	for (long i = 0; i < n; i++) {
		int st = atomic_load(&ws[i].state);

		if (ws[i].started && (st == W_ACCEPTING || st == W_STARTING))
			pthread_kill(ws[i].thread, KICK_SIGNAL);
	}
}

/* Waits until every worker is done or deadline (monotonic ms) passes. */
static long
wait_workers(struct rp_server *srv, struct worker *ws, long n,
    long long deadline)
{
	long left;

	for (;;) {
		struct timespec ts;
		long long wait_until;

		pthread_mutex_lock(&srv->lock);
		left = srv->running;
		pthread_mutex_unlock(&srv->lock);
		if (left == 0 || rp_monotonic_ms() >= deadline)
			break;
		kick_acceptors(ws, n);
		rp_pace_wake_all(&srv->pace);
		wait_until = rp_monotonic_ms() + KICK_MS;
		if (wait_until > deadline)
			wait_until = deadline;
		/* The condvar uses CLOCK_REALTIME: convert the short wait. */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (wait_until - rp_monotonic_ms()) * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_mutex_lock(&srv->lock);
		if (srv->running > 0)
			pthread_cond_timedwait(&srv->done, &srv->lock, &ts);
		pthread_mutex_unlock(&srv->lock);
	}
	return left;
}

/*
 * How many connections may wait for their request: as many as the
 * open-files limit leaves beside the workers' own descriptors (their
 * connections, the API's, the log), so that waiting ones never starve
 * accept().  The soft limit is raised to the hard one first, as web
 * servers do.
 */
static size_t
room_size(long threads)
{
	struct rlimit rl;
	long n;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 256;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	n = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 65536 ? 65536 :
	    (long)rl.rlim_cur;
	n = n / 2 - 3 * threads - 64;
	return n < 64 ? 64 : n > 16384 ? 16384 : (size_t)n;
}

int
rp_server_run(struct rp_live *live, const struct rp_listener *l,
    long threads)
{
	struct rp_live_app *la;
	long grace_ms;
	char err[1024];
	struct rp_server srv;
	struct worker *ws = NULL;
	sigset_t block, old;
	long i, left, started = 0, ncpu;
	long long next_tick;
	int status = 1, sig_seen = 0, fl;

	memset(&srv, 0, sizeof(srv));
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	rp_pace_init(&srv.pace, threads, ncpu > 0 ? ncpu : 1);
	pthread_mutex_init(&srv.lock, NULL);
	pthread_cond_init(&srv.done, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (pipe(wake_pipe) != 0 ||
	    fcntl(wake_pipe[1], F_SETFL, O_NONBLOCK) != 0) {
		rp_log_console(RP_LOG_ERROR, "cannot create the signal pipe: %s",
		    strerror(errno));
		goto out;
	}
	if (install(SIGTERM, on_stop_signal) != 0 ||
	    install(SIGINT, on_stop_signal) != 0 ||
	    install(SIGHUP, on_reload_signal) != 0 ||
	    install(KICK_SIGNAL, on_kick) != 0) {
		rp_log_console(RP_LOG_ERROR, "cannot install signal handlers: %s",
		    strerror(errno));
		goto out;
	}
	if (rp_room_new(room_size(threads), &srv.room) != RP_OK) {
		rp_log_console(RP_LOG_ERROR, "cannot start the FastCGI waiting "
		    "room: %s", strerror(errno));
		goto out;
	}
	if ((ws = calloc((size_t)threads, sizeof(*ws))) == NULL) {
		rp_log_console(RP_LOG_ERROR, "out of memory for %ld workers", threads);
		goto out;
	}
	/* Workers accept without blocking, and sleep in epoll_wait instead. */
	if ((fl = fcntl(l->fd, F_GETFL)) < 0 ||
	    fcntl(l->fd, F_SETFL, fl | O_NONBLOCK) != 0) {
		rp_log_console(RP_LOG_ERROR, "cannot make the FastCGI listener "
		    "%s non-blocking: %s", l->desc, strerror(errno));
		goto out;
	}

	/* Workers inherit this mask: stop signals reach the main thread only. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	/* Before they start: the first request may be a scrape. */
	rp_metrics_workers(threads);
	rp_metrics_workers_active(threads);
	for (i = 0; i < threads; i++) {
		ws[i].id = i;
		ws[i].live = live;
		ws[i].listen_fd = l->fd;
		ws[i].srv = &srv;
		ws[i].epfd = -1;
		atomic_init(&ws[i].state, W_STARTING);
		pthread_mutex_lock(&srv.lock);
		srv.running++;
		pthread_mutex_unlock(&srv.lock);
		if (pthread_create(&ws[i].thread, NULL, worker_main,
		    &ws[i]) != 0) {
			pthread_mutex_lock(&srv.lock);
			srv.running--;
			pthread_mutex_unlock(&srv.lock);
			rp_log(RP_LOG_WARN, "could only start %ld of %ld worker "
			    "threads: %s; lower [server] threads or -n", i,
			    threads, strerror(errno));
			break;
		}
		ws[i].started = 1;
		started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started == 0) {
		rp_log_console(RP_LOG_ERROR, "no worker thread could start");
		goto out;
	}
	if (started != threads)
		rp_metrics_workers(started);
	rp_log(RP_LOG_INFO, "richprofile-fcgi %s serving on %s with %ld "
	    "threads", PACKAGE_VERSION, l->desc, started);

	/* Sleep until a stop signal or a failed listener. */
	next_tick = rp_monotonic_ms() + PACE_TICK_MS;
	while (!atomic_load(&stop_requested) &&
	    !atomic_load(&srv.listener_failed)) {
		struct pollfd pfd = { wake_pipe[0], POLLIN, 0 };
		unsigned char buf[16];

		long long now = rp_monotonic_ms();

		/* Every PACE_TICK_MS: how many workers the load needs (pace.h). */
		if (now >= next_tick) {
			rp_metrics_workers_active(rp_pace_tick(&srv.pace));
			next_tick = now + PACE_TICK_MS;
		}
		if (poll(&pfd, 1, (int)(next_tick - now)) > 0 &&
		    (pfd.revents & POLLIN)) {
			ssize_t n = read(wake_pipe[0], buf, sizeof(buf));

			for (ssize_t k = 0; k < n; k++)
				if (buf[k] != 0 && buf[k] != SIGHUP)
					sig_seen = buf[k];
		}
		if (reload_requested && !atomic_load(&stop_requested)) {
			reload_requested = 0;
			if (rp_live_reload(live, err, sizeof(err)) == RP_OK)
				rp_log(RP_LOG_INFO, "SIGHUP: configuration %s "
				    "reloaded (generation %lu); requests in "
				    "flight finish on the old one",
				    live->cur->app->cfg->path,
				    live->cur->generation);
			else
				rp_log(RP_LOG_ERROR, "SIGHUP: reload refused, "
				    "the running configuration stays in "
				    "service: %s", err);
		}
	}
	la = rp_live_acquire(live);
	grace_ms = la->app->grace_ms;
	rp_live_release(la);
	if (atomic_load(&stop_requested)) {
		rp_log(RP_LOG_INFO, "%s received: no new requests; waiting up "
		    "to %ld ms for those in flight", sig_seen == SIGINT ?
		    "SIGINT" : "SIGTERM", grace_ms);
	} else {
		/* Stop the others too, the same way. */
		atomic_store(&stop_requested, 1);
		FCGX_ShutdownPending();
	}
	left = wait_workers(&srv, ws, threads, rp_monotonic_ms() + grace_ms);
	if (left > 0) {
		/* Their threads still use app and the listener: leave them. */
		rp_log(RP_LOG_WARN, "%ld request(s) still running after the "
		    "grace time of %ld ms; exiting without them", left,
		    grace_ms);
		/*
		 * exit() would tear down what they still use (the
		 * configuration, libcurl, stdio); _exit leaves nothing
		 * half-freed, and every log line is already written.
		 */
		_exit(atomic_load(&srv.listener_failed) ? 1 : 0);
	}
	for (i = 0; i < threads; i++)
		if (ws[i].started)
			pthread_join(ws[i].thread, NULL);
	if (atomic_load(&srv.listener_failed)) {
		rp_log_console(RP_LOG_ERROR, "stopped: the FastCGI listener on %s "
		    "failed (see above)", l->desc);
		status = 1;
	} else {
		rp_log(RP_LOG_INFO, "stopped cleanly");
		status = 0;
	}
out:
	free(ws);
	rp_room_free(srv.room);
	rp_pace_destroy(&srv.pace);
	return status;
}
