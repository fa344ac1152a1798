/* activate.c: a listening socket passed by systemd socket activation. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "activate.h"

/* The first passed descriptor, as systemd defines it (SD_LISTEN_FDS_START). */
#define LISTEN_FDS_START 3

/* A decimal that fits a long and is all digits; -1 otherwise. */
static long
env_number(const char *s)
{
	char *end;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return v;
}

enum rp_err
rp_listen_activated(int *fd, char *err, size_t errlen)
{
	long pid = env_number(getenv("LISTEN_PID"));
	long n = env_number(getenv("LISTEN_FDS"));
	int type = 0, listening = 0, flags, rc = RP_OK;
	socklen_t len;

	/*
	 * A child of an activated process inherits the variables but not
	 * the right to the sockets: LISTEN_PID tells them apart.
	 */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (pid != (long)getpid() || n <= 0) {
		*fd = -1;
		goto out;
	}
	if (n != 1) {
		snprintf(err, errlen, "systemd passed %ld sockets (LISTEN_FDS); "
		    "richprofile-fcgi serves one: give richprofile.socket a "
		    "single ListenStream=", n);
		rc = RP_EINVAL;
		goto out;
	}
	len = sizeof(type);
	if (getsockopt(LISTEN_FDS_START, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
	    type != SOCK_STREAM) {
		snprintf(err, errlen, "the socket systemd passed (fd %d) is %s; "
		    "use ListenStream= in richprofile.socket", LISTEN_FDS_START,
		    errno == ENOTSOCK || type == 0 ? "not a socket" :
		    "not a stream socket");
		rc = RP_EINVAL;
		goto out;
	}
	len = sizeof(listening);
	if (getsockopt(LISTEN_FDS_START, SOL_SOCKET, SO_ACCEPTCONN, &listening,
	    &len) != 0 || !listening) {
		snprintf(err, errlen, "the socket systemd passed (fd %d) is not "
		    "listening; set Accept=no in richprofile.socket",
		    LISTEN_FDS_START);
		rc = RP_EINVAL;
		goto out;
	}
	/* Programs the helper might start must not inherit the listener. */
	if ((flags = fcntl(LISTEN_FDS_START, F_GETFD)) >= 0)
		fcntl(LISTEN_FDS_START, F_SETFD, flags | FD_CLOEXEC);
	*fd = LISTEN_FDS_START;
out:
	return rc;
}
