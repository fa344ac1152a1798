/* activate.h: a listening socket passed by systemd socket activation. */
#ifndef RP_FCGI_ACTIVATE_H
#define RP_FCGI_ACTIVATE_H

#include <stddef.h>

#include "err.h"

/*
 * sd_listen_fds(3) semantics, read by hand so that the program needs no
 * libsystemd: when LISTEN_PID is this process and LISTEN_FDS is 1, the
 * socket is fd 3 (SD_LISTEN_FDS_START).  The variables are removed from
 * the environment either way, so that nothing started later takes them
 * for its own.
 *
 * Returns RP_OK and writes the descriptor (made close-on-exec) to *fd,
 * or -1 when the process was not socket-activated.  Returns RP_EINVAL
 * with "what is wrong and what to do" in err when it was, but not with
 * exactly one listening stream socket; *fd is then left alone.
 */
enum rp_err rp_listen_activated(int *fd, char *err, size_t errlen);

#endif
