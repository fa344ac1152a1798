/* intake.c: a connection's request records, whole and in time, before libfcgi reads them. */
/* EPOLLRDHUP */
#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "intake.h"
#include "log.h"
#include "metrics.h"

/* FastCGI 1.0 framing (the specification, section 8). */
#define FCGI_HEADER_LEN 8
#define FCGI_VERSION_1 1
#define FCGI_BEGIN_REQUEST 1
#define FCGI_PARAMS 4
#define FCGI_GET_VALUES 9
#define FCGI_BEGIN_BODY_LEN 8
#define FCGI_RESPONDER 1
#define FCGI_AUTHORIZER 2

enum rp_intake
rp_intake_scan(const unsigned char *b, size_t n, size_t cap)
{
	size_t off = 0;
	int begun = 0;

	for (;;) {
		size_t clen, total;
		unsigned role;

		if (off + FCGI_HEADER_LEN > n)
			break;
		if (b[off] != FCGI_VERSION_1)
			return RP_INTAKE_MALFORMED;
		clen = (size_t)b[off + 4] << 8 | b[off + 5];
		total = FCGI_HEADER_LEN + clen + b[off + 6];
		if (off + total > n)
			break;
		switch (b[off + 1]) {
		case FCGI_BEGIN_REQUEST:
			if (begun || clen != FCGI_BEGIN_BODY_LEN)
				return RP_INTAKE_MALFORMED;
			/* The roles libfcgi reports and routes answer. */
			role = (unsigned)b[off + 8] << 8 | b[off + 9];
			if (role != FCGI_RESPONDER && role != FCGI_AUTHORIZER)
				return RP_INTAKE_MALFORMED;
			begun = 1;
			break;
		case FCGI_PARAMS:
			if (!begun)
				return RP_INTAKE_MALFORMED;
			if (clen == 0)
				return off + total <= cap ? RP_INTAKE_COMPLETE :
				    RP_INTAKE_TOO_LARGE;
			break;
		case FCGI_GET_VALUES:
			/* A management query, which libfcgi answers itself. */
			if (begun)
				return RP_INTAKE_MALFORMED;
			break;
		default:
			return RP_INTAKE_MALFORMED;
		}
		off += total;
		if (off >= cap)
			return RP_INTAKE_TOO_LARGE;
	}
	/* Not complete yet: cap bytes without the end can never be. */
	return n >= cap ? RP_INTAKE_TOO_LARGE : RP_INTAKE_MORE;
}

/*
 * Says once in a while why connections were dropped: a flood of them
 * (an attack, a broken client) must not flood the log too.  The
 * metrics count every one.
 */
void
rp_intake_dropped(enum rp_drop why)
{
	static atomic_llong last[RP_DROP__COUNT];
	long long now, was;

	rp_metrics_dropped(why);
	now = rp_monotonic_ms();
	was = atomic_load(&last[why]);
	if ((was != 0 && now - was < 10000) ||
	    !atomic_compare_exchange_strong(&last[why], &was, now))
		return;
	switch (why) {
	case RP_DROP_TIMEOUT:
		rp_log(RP_LOG_WARN, "closed a FastCGI connection whose request "
		    "did not arrive within [server] request_timeout_ms: a slow "
		    "or hostile client of the FastCGI socket (each one is "
		    "counted in richprofile_fcgi_connections_dropped_total)");
		break;
	case RP_DROP_TOO_LARGE:
		rp_log(RP_LOG_WARN, "closed a FastCGI connection whose "
		    "parameters passed [server] max_params_bytes; raise it if "
		    "the web server really sends that much (each one is "
		    "counted in richprofile_fcgi_connections_dropped_total)");
		break;
	case RP_DROP_OVERFLOW:
		rp_log(RP_LOG_WARN, "closed a FastCGI connection: too many "
		    "connections wait for their request already; something "
		    "opens connections without sending (each one is counted "
		    "in richprofile_fcgi_connections_dropped_total)");
		break;
	default:
		rp_log(RP_LOG_WARN, "closed a connection that sent no FastCGI "
		    "responder or authorizer request: is something other than "
		    "the web server connecting to the FastCGI socket? (each "
		    "one is counted in richprofile_fcgi_connections_dropped_total)");
		break;
	}
}

/* One waiting connection. */
struct slot {
	int fd;                /* -1: free */
	int kept;
	long long deadline_ms;
	size_t cap;
};

struct rp_room {
	int epfd;
	int ready_fd;          /* eventfd: readable while ready may be non-empty */
	int stop_fd;           /* eventfd: the thread leaves */
	int kick_fd;           /* eventfd: a connection came in; new deadline */
	pthread_t thread;
	int started;
	pthread_mutex_t mu;    /* slots, ready */
	struct slot *slots;
	size_t max;
	int *ready;            /* fds, FIFO */
	size_t rhead, rcount;
	atomic_size_t nready;  /* rcount, for a look without the lock */
	atomic_long waiting;
	unsigned char *buf;    /* the thread's peek buffer, RP_INTAKE_CAP_MAX */
};

/* The largest cap a slot may have; [server] max_params_bytes's maximum. */
#define RP_INTAKE_CAP_MAX (128 * 1024)

static void
signal_ready(struct rp_room *room)
{
	uint64_t one = 1;

	if (write(room->ready_fd, &one, sizeof(one)) < 0) {
		/* The counter is saturated: readable anyway. */
	}
}

/* Under mu: frees slot i, its fd out of epoll (not closed). */
static int
slot_release(struct rp_room *room, size_t i)
{
	int fd = room->slots[i].fd;

	epoll_ctl(room->epfd, EPOLL_CTL_DEL, fd, NULL);
	room->slots[i].fd = -1;
	atomic_fetch_sub(&room->waiting, 1);
	rp_metrics_waiting(-1);
	return fd;
}

/* Under mu: what the bytes of slot i hold now, and the slot's fate. */
static void
slot_look(struct rp_room *room, size_t i, int hup)
{
	struct slot *sl = &room->slots[i];
	ssize_t got = recv(sl->fd, room->buf, sl->cap, MSG_PEEK | MSG_DONTWAIT);
	enum rp_intake r;
	int fd;

	if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR)) {
		close(slot_release(room, i));
		return;
	}
	if (got < 0)
		return;
	r = rp_intake_scan(room->buf, (size_t)got, sl->cap);
	if (r == RP_INTAKE_MORE) {
		/* All that will come has come: a half-sent request. */
		if (hup) {
			/* Counted first: whoever sees the close sees the count. */
			rp_intake_dropped(RP_DROP_MALFORMED);
			close(slot_release(room, i));
		}
		return;
	}
	fd = slot_release(room, i);
	if (r != RP_INTAKE_COMPLETE) {
		rp_intake_dropped(r == RP_INTAKE_TOO_LARGE ? RP_DROP_TOO_LARGE :
		    RP_DROP_MALFORMED);
		close(fd);
		return;
	}
	/* The ready queue has room for every slot: it cannot overflow. */
	room->ready[(room->rhead + room->rcount) % room->max] = fd;
	room->rcount++;
	atomic_store_explicit(&room->nready, room->rcount, memory_order_relaxed);
	signal_ready(room);
}

/* Under mu: drops the slots past their deadline; the next deadline. */
static long long
expire(struct rp_room *room, long long now)
{
	long long next = -1;
	size_t i;

	for (i = 0; i < room->max; i++) {
		struct slot *sl = &room->slots[i];
		char c;

		if (sl->fd < 0)
			continue;
		if (sl->deadline_ms > now) {
			if (next < 0 || sl->deadline_ms < next)
				next = sl->deadline_ms;
			continue;
		}
		/* An idle kept-open connection is normal; a silent new one is not. */
		if (sl->kept && recv(sl->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) {
			close(slot_release(room, i));
			continue;
		}
		rp_intake_dropped(RP_DROP_TIMEOUT);
		close(slot_release(room, i));
	}
	return next;
}

static void *
room_main(void *arg)
{
	struct rp_room *room = arg;
	struct epoll_event ev[64];

	for (;;) {
		long long next, now = rp_monotonic_ms();
		int n, i, timeout;

		pthread_mutex_lock(&room->mu);
		next = expire(room, now);
		pthread_mutex_unlock(&room->mu);
		timeout = next < 0 ? -1 : next - now > 60000 ? 60000 :
		    (int)(next - now);
		n = epoll_wait(room->epfd, ev, 64, timeout);
		if (n < 0 && errno != EINTR) {
			rp_log(RP_LOG_ERROR, "the FastCGI waiting room failed: "
			    "epoll_wait: %s", strerror(errno));
			usleep(10000);
			continue;
		}
		pthread_mutex_lock(&room->mu);
		for (i = 0; i < n; i++) {
			size_t k = ev[i].data.u64;

			if (k == SIZE_MAX) {
				pthread_mutex_unlock(&room->mu);
				return NULL;
			}
			if (k == SIZE_MAX - 1) {
				uint64_t v;

				if (read(room->kick_fd, &v, sizeof(v)) < 0) {
					/* Drained by an earlier look. */
				}
				continue;
			}
			if (k < room->max && room->slots[k].fd >= 0)
				slot_look(room, k, (ev[i].events &
				    (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
		}
		pthread_mutex_unlock(&room->mu);
	}
}

enum rp_err
rp_room_new(size_t max, struct rp_room **out)
{
	struct rp_room *room;
	struct epoll_event ev;
	size_t i;
	int rc = RP_ENOMEM;

	if ((room = calloc(1, sizeof(*room))) == NULL)
		return RP_ENOMEM;
	room->epfd = room->ready_fd = room->stop_fd = room->kick_fd = -1;
	pthread_mutex_init(&room->mu, NULL);
	room->max = max;
	if ((room->slots = calloc(max, sizeof(*room->slots))) == NULL ||
	    (room->ready = calloc(max, sizeof(*room->ready))) == NULL ||
	    (room->buf = malloc(RP_INTAKE_CAP_MAX)) == NULL)
		goto fail;
	for (i = 0; i < max; i++)
		room->slots[i].fd = -1;
	rc = RP_EIO;
	if ((room->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (room->ready_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
	    (room->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
	    (room->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		goto fail;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = SIZE_MAX;
	if (epoll_ctl(room->epfd, EPOLL_CTL_ADD, room->stop_fd, &ev) != 0)
		goto fail;
	ev.data.u64 = SIZE_MAX - 1;
	if (epoll_ctl(room->epfd, EPOLL_CTL_ADD, room->kick_fd, &ev) != 0 ||
	    pthread_create(&room->thread, NULL, room_main, room) != 0)
		goto fail;
	room->started = 1;
	*out = room;
	return RP_OK;
fail:
	rp_room_free(room);
	return rc;
}

void
rp_room_free(struct rp_room *room)
{
	uint64_t one = 1;
	size_t i;

	if (room == NULL)
		return;
	if (room->started) {
		if (write(room->stop_fd, &one, sizeof(one)) < 0) {
			/* Cannot happen: the counter was 0. */
		}
		pthread_join(room->thread, NULL);
	}
	for (i = 0; room->slots != NULL && i < room->max; i++)
		if (room->slots[i].fd >= 0)
			close(room->slots[i].fd);
	for (i = 0; room->ready != NULL && i < room->rcount; i++)
		close(room->ready[(room->rhead + i) % room->max]);
	if (room->epfd >= 0)
		close(room->epfd);
	if (room->ready_fd >= 0)
		close(room->ready_fd);
	if (room->stop_fd >= 0)
		close(room->stop_fd);
	if (room->kick_fd >= 0)
		close(room->kick_fd);
	pthread_mutex_destroy(&room->mu);
	free(room->slots);
	free(room->ready);
	free(room->buf);
	free(room);
}

void
rp_room_park(struct rp_room *room, int fd, long long deadline_ms,
    size_t cap, int kept)
{
	struct epoll_event ev;
	size_t i;

	if (cap > RP_INTAKE_CAP_MAX)
		cap = RP_INTAKE_CAP_MAX;
	pthread_mutex_lock(&room->mu);
	for (i = 0; i < room->max && room->slots[i].fd >= 0; i++)
		continue;
	if (i == room->max) {
		pthread_mutex_unlock(&room->mu);
		rp_intake_dropped(RP_DROP_OVERFLOW);
		close(fd);
		return;
	}
	room->slots[i] = (struct slot){ fd, kept, deadline_ms, cap };
	atomic_fetch_add(&room->waiting, 1);
	rp_metrics_waiting(+1);
	memset(&ev, 0, sizeof(ev));
	/*
	 * Edge-triggered: peeked bytes stay queued, and a level-triggered
	 * watch would report them again and again; each new arrival (and
	 * the peer's end) is one event.
	 */
	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
	ev.data.u64 = i;
	if (epoll_ctl(room->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		rp_log(RP_LOG_ERROR, "cannot watch a FastCGI connection: "
		    "epoll_ctl: %s; closed", strerror(errno));
		room->slots[i].fd = -1;
		atomic_fetch_sub(&room->waiting, 1);
		rp_metrics_waiting(-1);
		close(fd);
	} else {
		/* What came before the watch began raises no edge: look now. */
		slot_look(room, i, 0);
	}
	pthread_mutex_unlock(&room->mu);
	/* Wake the thread: the new deadline may be the nearest. */
	{
		uint64_t one = 1;

		if (write(room->kick_fd, &one, sizeof(one)) < 0) {
			/* Saturated: a kick is pending anyway. */
		}
	}
}

int
rp_room_take(struct rp_room *room)
{
	uint64_t v;
	int fd = -1;

	/*
	 * Every worker looks here before each accept: without the lock, and
	 * without a system call, while nothing is ready.  One pushed just
	 * after the look makes ready_fd readable, which wakes a worker.
	 */
	if (atomic_load_explicit(&room->nready, memory_order_relaxed) == 0)
		return -1;
	pthread_mutex_lock(&room->mu);
	if (room->rcount > 0) {
		fd = room->ready[room->rhead];
		room->rhead = (room->rhead + 1) % room->max;
		room->rcount--;
		atomic_store_explicit(&room->nready, room->rcount,
		    memory_order_relaxed);
		if (room->rcount == 0) {
			/* Drained: the descriptor stops polling readable. */
			if (read(room->ready_fd, &v, sizeof(v)) < 0) {
				/* Already 0. */
			}
		}
	}
	pthread_mutex_unlock(&room->mu);
	return fd;
}

int
rp_room_ready_fd(const struct rp_room *room)
{
	return room->ready_fd;
}

long
rp_room_waiting(const struct rp_room *room)
{
	return atomic_load(&((struct rp_room *)room)->waiting);
}
