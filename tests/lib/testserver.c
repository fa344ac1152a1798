/* testserver.c: loopback HTTP(S) server for the client tests: canned answers, faults, records. */
#define _GNU_SOURCE 1  /* memmem */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "err.h"
#include "testserver.h"
#include "testutil.h"

#define MAX_HEAD 65536
#define MAX_REQUESTS 4096
#define MAX_CONNS 256

struct conn {
	struct ts_server *srv;
	int fd;
	SSL *ssl;
	pthread_t thread;
	int done;
};

struct ts_server {
	int lfd;
	int stop_pipe[2];        /* readable once ts_stop begins */
	unsigned short port;
	SSL_CTX *tls;
	pthread_t accept_thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ts_scenario sc;   /* strings owned: body, content_type, location */
	char *reqs[MAX_REQUESTS];
	size_t reqlen[MAX_REQUESTS];
	size_t nreqs;
	struct conn *conns[MAX_CONNS];
	size_t nconns;
	size_t body_sent;
	char url[512];
};

static void
die(const char *what)
{
	fprintf(stderr, "testserver: %s: %s\n", what, strerror(errno));
	abort();
}

/* Sleeps ms, or less if the server stops; returns non-zero if stopping. */
static int
nap(struct ts_server *s, unsigned ms)
{
	struct pollfd p = { s->stop_pipe[0], POLLIN, 0 };

	return poll(&p, 1, (int)ms) > 0;
}

/* Waits until fd is readable (or writable); 0 when stopping. */
static int
wait_fd(struct ts_server *s, int fd, short ev)
{
	struct pollfd p[2] = { { fd, ev, 0 }, { s->stop_pipe[0], POLLIN, 0 } };

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		if (p[1].revents)
			return 0;
		if (p[0].revents)
			return 1;
	}
}

/* Waits for what an SSL call wants; 0 when it failed for good or the server stops. */
static int
ssl_retry(struct conn *c, int r)
{
	int e = SSL_get_error(c->ssl, r);

	if (e == SSL_ERROR_WANT_READ)
		return wait_fd(c->srv, c->fd, POLLIN);
	if (e == SSL_ERROR_WANT_WRITE)
		return wait_fd(c->srv, c->fd, POLLOUT);
	return 0;
}

/* Sockets are non-blocking, so a stopping server never hangs in here. */
static ssize_t
conn_read(struct conn *c, char *buf, size_t n)
{
	ssize_t r;

	for (;;) {
		if (c->ssl != NULL) {
			if ((r = SSL_read(c->ssl, buf, (int)n)) > 0)
				return r;
			if (!ssl_retry(c, (int)r))
				return SSL_get_error(c->ssl, (int)r) ==
				    SSL_ERROR_ZERO_RETURN ? 0 : -1;
			continue;
		}
		if ((r = recv(c->fd, buf, n, 0)) >= 0)
			return r;
		if (errno != EAGAIN && errno != EINTR)
			return -1;
		if (!wait_fd(c->srv, c->fd, POLLIN))
			return -1;
	}
}

/* Writes all of buf; returns bytes written (less on error or stop). */
static size_t
conn_write(struct conn *c, const char *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w;

		if (c->ssl != NULL) {
			if ((w = SSL_write(c->ssl, buf + done, (int)(n - done))) <= 0) {
				if (!ssl_retry(c, (int)w))
					break;
				continue;
			}
		} else if ((w = send(c->fd, buf + done, n - done,
		    MSG_NOSIGNAL)) < 0) {
			if ((errno != EAGAIN && errno != EINTR) ||
			    !wait_fd(c->srv, c->fd, POLLOUT))
				break;
			continue;
		}
		done += (size_t)w;
	}
	return done;
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

/* A reset instead of a FIN: linger 0, then close. */
static void
reset_close(struct conn *c)
{
	struct linger l = { 1, 0 };

	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(c->fd);
	c->fd = -1;
}

static void
add_sent(struct ts_server *s, size_t n)
{
	pthread_mutex_lock(&s->mu);
	s->body_sent += n;
	pthread_mutex_unlock(&s->mu);
}

/* Answers one request as sc says; returns 0 to keep the connection. */
static int
answer(struct conn *c, const struct ts_scenario *sc)
{
	struct ts_server *s = c->srv;
	char head[2048], chunk[16384];
	size_t blen = sc->body_len ? sc->body_len : strlen(sc->body);
	size_t announced = blen, i;
	int n, status = sc->status ? sc->status : 200;

	if (sc->delay_ms && nap(s, sc->delay_ms))
		return -1;
	switch (sc->action) {
	case TS_STALL:
		wait_fd(s, s->stop_pipe[0], POLLIN);
		return -1;
	case TS_HANGUP:
		return -1;
	case TS_FLOOD:
		announced = sc->flood_bytes;
		break;
	default:
		break;
	}
	n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\n", status, reason(status),
	    sc->content_type ? sc->content_type : "text/xml; charset=UTF-8");
	if (sc->action != TS_FLOOD || sc->flood_length)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
		    "Content-Length: %zu\r\n", announced);
	if (sc->location != NULL)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
		    "Location: %s\r\n", sc->location);
	/* Without a length, the end of the body is the end of the connection. */
	if (sc->close || (sc->action == TS_FLOOD && !sc->flood_length))
		n += snprintf(head + n, sizeof(head) - (size_t)n,
		    "Connection: close\r\n");
	n += snprintf(head + n, sizeof(head) - (size_t)n, "\r\n");
	if (conn_write(c, head, (size_t)n) != (size_t)n)
		return -1;
	switch (sc->action) {
	case TS_RESET:
		add_sent(s, conn_write(c, sc->body, sc->reset_after < blen ?
		    sc->reset_after : blen));
		nap(s, 50);
		reset_close(c);
		return -1;
	case TS_FLOOD:
		memset(chunk, 'x', sizeof(chunk));
		for (i = 0; i < sc->flood_bytes;) {
			size_t want = sc->flood_bytes - i < sizeof(chunk) ?
			    sc->flood_bytes - i : sizeof(chunk);
			size_t w = conn_write(c, chunk, want);

			add_sent(s, w);
			i += w;
			if (w < want)
				return -1;
		}
		return -1;
	case TS_TRICKLE:
		for (i = 0; i < blen; i++) {
			if (conn_write(c, sc->body + i, 1) != 1)
				return -1;
			add_sent(s, 1);
			if (i + 1 < blen && nap(s, sc->trickle_ms))
				return -1;
		}
		break;
	default:
		add_sent(s, conn_write(c, sc->body, blen));
		break;
	}
	return sc->close ? -1 : 0;
}

static char *
dupn(const char *p, size_t n)
{
	char *d = malloc(n + 1);

	if (d == NULL)
		abort();
	memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

/* Copies sc with its strings, so the server may use it after ts_set. */
static void
copy_scenario(struct ts_scenario *dst, const struct ts_scenario *src)
{
	*dst = *src;
	if (src->body == NULL) {
		dst->body = dupn("", 0);
		dst->body_len = 0;
	} else {
		size_t n = src->body_len ? src->body_len : strlen(src->body);

		dst->body = dupn(src->body, n);
		dst->body_len = n;
	}
	dst->content_type = src->content_type ?
	    dupn(src->content_type, strlen(src->content_type)) : NULL;
	dst->location = src->location ?
	    dupn(src->location, strlen(src->location)) : NULL;
}

static void
free_scenario(struct ts_scenario *sc)
{
	free((char *)sc->body);
	free((char *)sc->content_type);
	free((char *)sc->location);
}

static void *
conn_main(void *arg)
{
	struct conn *c = arg;
	struct ts_server *s = c->srv;
	char *buf = malloc(MAX_HEAD);
	size_t have = 0;

	if (buf == NULL)
		abort();
	if (s->tls != NULL) {
		int r;

		if ((c->ssl = SSL_new(s->tls)) == NULL ||
		    SSL_set_fd(c->ssl, c->fd) != 1)
			goto out;
		SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE);
		/* A failed handshake is what the wrong-CA tests expect. */
		while ((r = SSL_accept(c->ssl)) != 1)
			if (!ssl_retry(c, r))
				goto out;
	}
	for (;;) {
		struct ts_scenario sc;
		char *end;
		size_t headlen;
		ssize_t r;
		int rc;

		while ((end = memmem(buf, have, "\r\n\r\n", 4)) == NULL) {
			if (have == MAX_HEAD ||
			    (r = conn_read(c, buf + have, MAX_HEAD - have)) <= 0)
				goto out;
			have += (size_t)r;
		}
		headlen = (size_t)(end - buf);
		pthread_mutex_lock(&s->mu);
		if (s->nreqs < MAX_REQUESTS) {
			s->reqs[s->nreqs] = dupn(buf, headlen);
			s->reqlen[s->nreqs++] = headlen;
		}
		s->body_sent = 0;
		copy_scenario(&sc, &s->sc);
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		/* GET only: no request body to skip. */
		memmove(buf, end + 4, have - headlen - 4);
		have -= headlen + 4;
		rc = answer(c, &sc);
		free_scenario(&sc);
		if (rc != 0)
			break;
	}
out:
	if (c->ssl != NULL) {
		if (c->fd >= 0)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(buf);
	return NULL;
}

static void *
accept_main(void *arg)
{
	struct ts_server *s = arg;

	signal(SIGPIPE, SIG_IGN);  /* SSL_write on a closed peer */
	while (wait_fd(s, s->lfd, POLLIN)) {
		struct conn *c;
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC),
		    one = 1;

		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		pthread_mutex_lock(&s->mu);
		if (s->nconns == MAX_CONNS || (c = calloc(1, sizeof(*c))) == NULL) {
			pthread_mutex_unlock(&s->mu);
			close(fd);
			continue;
		}
		c->srv = s;
		c->fd = fd;
		s->conns[s->nconns++] = c;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		if (pthread_create(&c->thread, NULL, conn_main, c) != 0)
			die("pthread_create");
	}
	return NULL;
}

struct ts_server *
ts_start(const struct ts_options *opts)
{
	struct ts_server *s = calloc(1, sizeof(*s));
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	struct ts_scenario def = { 0 };

	if (s == NULL)
		abort();
	if (opts != NULL && opts->cert_file != NULL) {
		if ((s->tls = SSL_CTX_new(TLS_server_method())) == NULL ||
		    SSL_CTX_use_certificate_chain_file(s->tls, opts->cert_file) != 1 ||
		    SSL_CTX_use_PrivateKey_file(s->tls, opts->key_file,
		    SSL_FILETYPE_PEM) != 1) {
			ERR_print_errors_fp(stderr);
			fprintf(stderr, "testserver: cannot load %s\n",
			    opts->cert_file);
			abort();
		}
	}
	if (pipe(s->stop_pipe) != 0)
		die("pipe");
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	copy_scenario(&s->sc, &def);
	if ((s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0)
		die("socket");
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(s->lfd, 64) != 0 ||
	    getsockname(s->lfd, (struct sockaddr *)&sa, &salen) != 0)
		die("bind 127.0.0.1:0");
	s->port = ntohs(sa.sin_port);
	if (pthread_create(&s->accept_thread, NULL, accept_main, s) != 0)
		die("pthread_create");
	return s;
}

void
ts_stop(struct ts_server *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (write(s->stop_pipe[1], "x", 1) != 1)
		die("write");
	pthread_join(s->accept_thread, NULL);
	for (i = 0; i < s->nconns; i++) {
		pthread_join(s->conns[i]->thread, NULL);
		free(s->conns[i]);
	}
	for (i = 0; i < s->nreqs; i++)
		free(s->reqs[i]);
	close(s->lfd);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
	free_scenario(&s->sc);
	if (s->tls != NULL)
		SSL_CTX_free(s->tls);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

unsigned short
ts_port(const struct ts_server *s)
{
	return s->port;
}

const char *
ts_url(struct ts_server *s, const char *path)
{
	snprintf(s->url, sizeof(s->url), "%s://127.0.0.1:%u%s",
	    s->tls != NULL ? "https" : "http", s->port, path);
	return s->url;
}

void
ts_set(struct ts_server *s, const struct ts_scenario *sc)
{
	struct ts_scenario copy;

	copy_scenario(&copy, sc);
	pthread_mutex_lock(&s->mu);
	free_scenario(&s->sc);
	s->sc = copy;
	pthread_mutex_unlock(&s->mu);
}

/* A counter the server threads update, read under the lock. */
static size_t
counter(struct ts_server *s, const size_t *field)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = *field;
	pthread_mutex_unlock(&s->mu);
	return n;
}

size_t
ts_connections(struct ts_server *s)
{
	return counter(s, &s->nconns);
}

size_t
ts_requests(struct ts_server *s)
{
	return counter(s, &s->nreqs);
}

char *
ts_request(struct ts_server *s, size_t i, size_t *len)
{
	char *r = NULL;

	pthread_mutex_lock(&s->mu);
	if (i < s->nreqs) {
		r = dupn(s->reqs[i], s->reqlen[i]);
		if (len != NULL)
			*len = s->reqlen[i];
	}
	pthread_mutex_unlock(&s->mu);
	return r;
}

size_t
ts_body_sent(struct ts_server *s)
{
	return counter(s, &s->body_sent);
}

size_t
ts_wait_requests(struct ts_server *s, size_t n, unsigned ms)
{
	struct timespec t;
	size_t have;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->mu);
	while (s->nreqs < n && pthread_cond_timedwait(&s->cv, &s->mu, &t) == 0)
		;
	have = s->nreqs;
	pthread_mutex_unlock(&s->mu);
	return have;
}

void
ts_make_certs(const char *dir)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "sh '%s' '%s' >'%s/mkcerts.log' 2>&1",
	    rp_test_srcpath("tests/lib/mkcerts.sh"), dir, dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "testserver: %s failed; see %s/mkcerts.log\n",
		    cmd, dir);
		abort();
	}
}

static int
loopback_socket(struct sockaddr_in *sa, int backlog)
{
	socklen_t salen = sizeof(*sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)sa, sizeof(*sa)) != 0 ||
	    (backlog >= 0 && listen(fd, backlog) != 0) ||
	    getsockname(fd, (struct sockaddr *)sa, &salen) != 0)
		die("bind 127.0.0.1:0");
	return fd;
}

unsigned short
ts_refused_port(void)
{
	struct sockaddr_in sa;
	int fd = loopback_socket(&sa, -1);

	/* Bound but never listening: the kernel answers RST to a SYN. */
	close(fd);
	return ntohs(sa.sin_port);
}

unsigned short
ts_blackhole(int fds[4])
{
	struct sockaddr_in sa;
	int i;

	/*
	 * Backlog 0 and connections never accepted: once the queue is full,
	 * Linux drops new SYNs and the connect hangs until its timeout.
	 */
	fds[0] = loopback_socket(&sa, 0);
	for (i = 1; i < 4; i++) {
		int flags;

		if ((fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0)) < 0)
			die("socket");
		flags = connect(fds[i], (struct sockaddr *)&sa, sizeof(sa));
		(void)flags;
	}
	/* Let the handshakes that fit complete. */
	usleep(100000);
	return ntohs(sa.sin_port);
}

void
ts_blackhole_close(int fds[4])
{
	int i;

	for (i = 0; i < 4; i++)
		close(fds[i]);
}

struct sink {
	char *buf;
	size_t size, len;
};

static size_t
sink_write(char *p, size_t sz, size_t nm, void *arg)
{
	struct sink *s = arg;
	size_t n = sz * nm, room = s->size > s->len + 1 ? s->size - s->len - 1 : 0;

	if (s->buf != NULL) {
		memcpy(s->buf + s->len, p, n < room ? n : room);
		s->len += n < room ? n : room;
		s->buf[s->len] = '\0';
	}
	return n;
}

long
ts_http(const char *url, const char *body, char *out, size_t size, char *loc,
    size_t locsize)
{
	CURL *h = curl_easy_init();
	struct sink s = { out, size, 0 };
	long status = 0;
	char *l = NULL;

	if (h == NULL)
		abort();
	if (out != NULL && size > 0)
		out[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	if (body != NULL)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	if (curl_easy_perform(h) == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (loc != NULL && locsize > 0) {
			curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &l);
			snprintf(loc, locsize, "%s", l != NULL ? l : "");
		}
	}
	curl_easy_cleanup(h);
	return status;
}

void
ts_fixture_setup(struct ts_fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "%s/rpclientXXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(fx->dir));
	ck_assert_int_eq(rp_client_global_init(), RP_OK);
}

void
ts_fixture_teardown(struct ts_fixture *fx)
{
	char cmd[400];

	rp_client_free(fx->cli);
	rp_cfg_free(fx->cfg);
	fx->cli = NULL;
	fx->cfg = NULL;
	rp_client_global_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fx->dir);
}

void
ts_fixture_configure(struct ts_fixture *fx, const char *endpoint,
    const char *extra)
{
	char path[400], err[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/client.conf", fx->dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "[site]\nurl = http://127.0.0.1:8080\n[upstream]\n"
	    "endpoint = %s\n%s\n", endpoint, extra != NULL ? extra : "");
	ck_assert_int_eq(fclose(f), 0);
	rp_client_free(fx->cli);
	rp_cfg_free(fx->cfg);
	fx->cli = NULL;
	fx->cfg = NULL;
	ck_assert_msg(rp_cfg_load(path, &fx->cfg, err, sizeof(err)) == RP_OK,
	    "%s", err);
	ck_assert_int_eq(rp_client_new(fx->cfg, &fx->cli), RP_OK);
}
