/* redisproc.c: a private redis-server for C tests, started and stopped by PID. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "redisproc.h"

static const char *
server_path(void)
{
	const char *p = getenv("RP_REDIS_SERVER");

	return p != NULL && *p != '\0' ? p : "/usr/bin/redis-server";
}

int
redisproc_available(void)
{
	return access(server_path(), X_OK) == 0;
}

static int
free_port(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* Whether it answers +PONG to PING now. */
static int
pong(const struct redisproc *r)
{
	char buf[16] = "";
	int fd, ok = 0;
	ssize_t n;

	if (r->port != 0) {
		struct sockaddr_in a = { 0 };

		a.sin_family = AF_INET;
		a.sin_port = htons((unsigned short)r->port);
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			return 0;
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
			goto out;
	} else {
		struct sockaddr_un a = { 0 };

		a.sun_family = AF_UNIX;
		snprintf(a.sun_path, sizeof(a.sun_path), "%s", r->sock);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
			return 0;
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
			goto out;
	}
	if (write(fd, "PING\r\n", 6) == 6 && (n = read(fd, buf,
	    sizeof(buf) - 1)) > 0)
		ok = strncmp(buf, "+PONG", 5) == 0;
out:
	close(fd);
	return ok;
}

int
redisproc_start(struct redisproc *r, int port, int unix_socket)
{
	char portbuf[16], logf[128];
	int i, status;

	if (r->dir[0] == '\0') {
		memset(r, 0, sizeof(*r));
		snprintf(r->dir, sizeof(r->dir), "/tmp/rp-redis.XXXXXX");
		if (mkdtemp(r->dir) == NULL) {
			fprintf(stderr, "redisproc: mkdtemp: %s\n", strerror(errno));
			return -1;
		}
	}
	r->port = 0;
	r->sock[0] = '\0';
	if (unix_socket) {
		snprintf(r->sock, sizeof(r->sock), "%s/redis.sock", r->dir);
		snprintf(r->addr, sizeof(r->addr), "unix:%s", r->sock);
		snprintf(portbuf, sizeof(portbuf), "0");
	} else {
		if (port == 0 && (port = free_port()) < 0)
			return -1;
		r->port = port;
		snprintf(r->addr, sizeof(r->addr), "tcp:127.0.0.1:%d", port);
		snprintf(portbuf, sizeof(portbuf), "%d", port);
	}
	snprintf(logf, sizeof(logf), "%s/redis.log", r->dir);
	if ((r->pid = fork()) < 0)
		return -1;
	if (r->pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		/* Never outlives the test, even one that crashed. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (unix_socket)
			execl(server_path(), "redis-server", "--port", "0",
			    "--unixsocket", r->sock, "--unixsocketperm", "700",
			    "--save", "", "--appendonly", "no", "--dir", r->dir,
			    "--logfile", logf, (char *)NULL);
		else
			execl(server_path(), "redis-server", "--port", portbuf,
			    "--bind", "127.0.0.1", "--save", "", "--appendonly",
			    "no", "--dir", r->dir, "--logfile", logf, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500; i++) {
		struct timespec ts = { 0, 10000000 };

		if (pong(r))
			return 0;
		if (waitpid(r->pid, &status, WNOHANG) == r->pid) {
			fprintf(stderr, "redisproc: redis-server exited; see %s\n",
			    logf);
			r->pid = 0;
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "redisproc: redis-server did not answer PING in 5 s\n");
	redisproc_kill(r);
	return -1;
}

void
redisproc_kill(struct redisproc *r)
{
	if (r->pid <= 0)
		return;
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	r->pid = 0;
}

void
redisproc_pause(struct redisproc *r, int paused)
{
	if (r->pid > 0)
		kill(r->pid, paused ? SIGSTOP : SIGCONT);
}

void
redisproc_stop(struct redisproc *r)
{
	char path[160];
	int i;

	if (r->pid > 0) {
		kill(r->pid, SIGCONT);
		kill(r->pid, SIGTERM);
		for (i = 0; i < 500; i++) {
			struct timespec ts = { 0, 10000000 };

			if (waitpid(r->pid, NULL, WNOHANG) == r->pid) {
				r->pid = 0;
				break;
			}
			nanosleep(&ts, NULL);
		}
		redisproc_kill(r);
	}
	if (r->dir[0] != '\0') {
		snprintf(path, sizeof(path), "%s/redis.log", r->dir);
		unlink(path);
		if (r->sock[0] != '\0')
			unlink(r->sock);
		rmdir(r->dir);
		r->dir[0] = '\0';
	}
}
