/* listen.c: the listening socket of richprofile-fcgi. */
/* O_PATH */
#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "err.h"
#include "activate.h"
#include "listen.h"

/*
 * libfcgi's FCGX_OpenSocket would do, but it exit()s the whole process
 * with errno as status on a bind failure and prints only "bind/listen";
 * binding here lets every failure say which address and what to do.
 */
static int
open_unix(const char *path, int backlog, struct rp_listener *l, char *err,
    size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd = -1, rc = RP_EIO;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (*path != '/' || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "-s unix:%s: the socket path must be "
		    "absolute and shorter than %zu bytes", path,
		    sizeof(sa.sun_path));
		rc = RP_EINVAL;
		goto out;
	}
	memcpy(sa.sun_path, path, strlen(path));
	/* A socket file left by an earlier run is replaced; nothing else is. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "-s unix:%s: a file that is not a "
			    "socket is in the way; remove it or choose "
			    "another path", path);
			goto out;
		}
		if (unlink(path) != 0) {
			snprintf(err, errlen, "-s unix:%s: cannot remove the "
			    "old socket: %s", path, strerror(errno));
			goto out;
		}
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(err, errlen, "-s unix:%s: cannot bind: %s; check that "
		    "the directory exists and is writable", path,
		    strerror(errno));
		goto out;
	}
	/* The web server's user must connect: group access, no others. */
	if (chmod(path, 0660) != 0 || listen(fd, backlog) != 0 ||
	    stat(path, &st) != 0) {
		snprintf(err, errlen, "-s unix:%s: cannot listen: %s", path,
		    strerror(errno));
		unlink(path);
		goto out;
	}
	if ((l->unix_path = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		unlink(path);
		rc = RP_ENOMEM;
		goto out;
	}
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	/*
	 * The file is removed at exit through its directory: the sandbox
	 * lets unlinkat() work there and nowhere else.  Without it (an
	 * unreadable path), removed by path, which the sandbox refuses.
	 */
	l->unix_name = strrchr(l->unix_path, '/') + 1;
	{
		char dir[sizeof(sa.sun_path)];
		size_t n = (size_t)(l->unix_name - l->unix_path);

		memcpy(dir, l->unix_path, n);
		dir[n > 1 ? n - 1 : n] = '\0';
		l->dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	snprintf(l->desc, sizeof(l->desc), "unix:%s", path);
	l->fd = fd;
	fd = -1;
	rc = RP_OK;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static int
open_tcp(const char *hostport, int backlog, struct rp_listener *l, char *err,
    size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	char host[256], *port;
	const char *h = hostport;
	size_t hlen;
	int fd = -1, one = 1, gai, rc = RP_EINVAL;

	/* "[::1]:9000" or "127.0.0.1:9000" or "localhost:9000". */
	if (*h == '[') {
		const char *end = strchr(h, ']');

		if (end == NULL || end[1] != ':')
			goto syntax;
		hlen = (size_t)(end - h - 1);
		h++;
		port = (char *)end + 2;
	} else {
		const char *colon = strrchr(h, ':');

		if (colon == NULL)
			goto syntax;
		hlen = (size_t)(colon - h);
		port = (char *)colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host) || *port == '\0' ||
	    strspn(port, "0123456789") != strlen(port))
		goto syntax;
	memcpy(host, h, hlen);
	host[hlen] = '\0';

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((gai = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "-s tcp:%s: cannot resolve %s: %s",
		    hostport, host, gai_strerror(gai));
		goto out;
	}
	rc = RP_EIO;
	if ((fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC,
	    res->ai_protocol)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
	    listen(fd, backlog) != 0) {
		snprintf(err, errlen, "-s tcp:%s: cannot listen: %s; is another "
		    "program on that port?", hostport, strerror(errno));
		goto out;
	}
	snprintf(l->desc, sizeof(l->desc), "tcp:%s", hostport);
	l->fd = fd;
	fd = -1;
	rc = RP_OK;
	goto out;
syntax:
	snprintf(err, errlen, "-s tcp:%s: expected tcp:HOST:PORT, e.g. "
	    "tcp:127.0.0.1:9000 or tcp:[::1]:9000", hostport);
out:
	if (res != NULL)
		freeaddrinfo(res);
	if (fd >= 0)
		close(fd);
	return rc;
}

/*
 * Room in each connection's receive queue for a whole request start:
 * the workers look at it unread (server/intake.h).  A TCP connection's
 * first window is about 85 KiB on Linux's defaults, less than the
 * largest [server] max_params_bytes; accepted connections inherit the
 * listener's buffer size.  Unix sockets queue up to the sender's send
 * buffer (about 200 KiB) whatever the receiver sets.
 */
#define TCP_RCVBUF_MIN (256 * 1024)

static void
make_room_for_requests(int fd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	int have = 0, want = TCP_RCVBUF_MIN;
	socklen_t hl = sizeof(have);

	if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0 ||
	    (sa.ss_family != AF_INET && sa.ss_family != AF_INET6))
		return;
	/* A larger size set by the operator (or systemd) stays. */
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &have, &hl) == 0 &&
	    have < want)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want));
}

enum rp_err
rp_listen_open(const char *spec, int backlog, struct rp_listener *out,
    char *err, size_t errlen)
{
	struct rp_listener l;
	int rc;

	memset(&l, 0, sizeof(l));
	l.fd = -1;
	l.dir_fd = -1;
	if (spec == NULL && (rc = rp_listen_activated(&l.fd, err,
	    errlen)) != RP_OK) {
		/* Activated, but not with one listening socket: err says so. */
	} else if (spec == NULL && l.fd >= 0) {
		/* systemd socket activation (server/activate.c). */
		l.owned = 1;
		snprintf(l.desc, sizeof(l.desc), "fd %d (systemd socket "
		    "activation)", l.fd);
	} else if (spec == NULL) {
		/*
		 * The FastCGI convention: the listener is fd 0.  libfcgi
		 * tells a listening socket (getpeername fails with ENOTCONN)
		 * from anything else, which means we were started as CGI.
		 */
		if (FCGX_IsCGI()) {
			l.cgi = 1;
			snprintf(l.desc, sizeof(l.desc), "CGI");
		} else {
			l.fd = 0;
			snprintf(l.desc, sizeof(l.desc), "fd 0");
		}
		rc = RP_OK;
	} else if (strncmp(spec, "unix:", 5) == 0) {
		rc = open_unix(spec + 5, backlog, &l, err, errlen);
		l.owned = 1;
	} else if (strncmp(spec, "tcp:", 4) == 0) {
		rc = open_tcp(spec + 4, backlog, &l, err, errlen);
		l.owned = 1;
	} else {
		snprintf(err, errlen, "-s %s: expected unix:/PATH or "
		    "tcp:HOST:PORT", spec);
		rc = RP_EINVAL;
	}
	if (rc == RP_OK) {
		if (l.fd >= 0)
			make_room_for_requests(l.fd);
		*out = l;
	}
	return rc;
}

void
rp_listen_close(struct rp_listener *l)
{
	struct stat st;

	if (l->owned && l->fd >= 0)
		close(l->fd);
	/* Another instance may have taken the path over since: leave it. */
	if (l->unix_path != NULL && l->dir_fd >= 0) {
		if (fstatat(l->dir_fd, l->unix_name, &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == l->dev &&
		    st.st_ino == l->ino)
			unlinkat(l->dir_fd, l->unix_name, 0);
	} else if (l->unix_path != NULL && stat(l->unix_path, &st) == 0 &&
	    st.st_dev == l->dev && st.st_ino == l->ino)
		unlink(l->unix_path);
	if (l->dir_fd >= 0)
		close(l->dir_fd);
	free(l->unix_path);
	l->unix_path = NULL;
	l->unix_name = NULL;
	l->dir_fd = -1;
	l->fd = -1;
}
