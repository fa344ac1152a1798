/* sandbox.h: a seccomp filter that confines the serving process. */
#ifndef RP_SANDBOX_H
#define RP_SANDBOX_H

#include <stddef.h>

#include "err.h"

/*
 * After start-up (configuration, templates, log file, listening socket,
 * libcurl and libsodium initialised), the program installs on every
 * thread an allow-list of the system calls serving needs: network I/O
 * to the API, the web server and Redis (AF_INET, AF_INET6, AF_UNIX
 * only), futexes and threads, memory, time, signals, and opening files
 * for reading (a SIGHUP reload reads the configuration and templates).
 * Every other call fails with EPERM; the calls only an exploit makes
 * (execve, ptrace, process_vm_*, kexec_*, module loading, mount, bpf,
 * userfaultfd) kill the process.  No file can be opened for writing or
 * created, no process started: the log file stays writable because it
 * is already open.  richprofile-fcgi(8) lists the calls and why.
 *
 * Under valgrind the filter is not installed (valgrind runs the
 * program's system calls itself, with its own); see rp_sandbox_install.
 */

enum rp_sandbox_state {
	RP_SANDBOX_OFF,          /* not installed ([server] sandbox = off) */
	RP_SANDBOX_ON,           /* the filter is installed on every thread */
	RP_SANDBOX_VALGRIND      /* asked for, but skipped under valgrind */
};

/*
 * Whether this kernel can filter system calls (seccomp filter mode with
 * the kill-process action).  0 if it can; otherwise -1 and why, with
 * what to do, in err.
 */
int rp_sandbox_available(char *err, size_t errlen);

/* What the filter allows beyond its list. */
struct rp_sandbox_opts {
	/*
	 * A directory descriptor in which unlinkat(fd, name, 0) stays
	 * allowed (the listening socket's, removed at exit); -1: none.
	 */
	int unlink_dir_fd;
};

/*
 * Builds and loads the filter on every thread of the process
 * (SCMP_FLTATR_CTL_TSYNC); threads created afterwards inherit it.
 * opts may be NULL (nothing beyond the list).
 * Cannot be undone.  Under valgrind installs nothing and returns RP_OK
 * with rp_sandbox_state() RP_SANDBOX_VALGRIND.  On failure returns
 * RP_EINVAL or RP_ENOMEM and writes what failed into err.
 */
enum rp_err rp_sandbox_install(const struct rp_sandbox_opts *opts, char *err,
    size_t errlen);

/* What rp_sandbox_install did in this process (RP_SANDBOX_OFF before). */
enum rp_sandbox_state rp_sandbox_state(void);

/*
 * A few words for the start-up log line and -V: "on (seccomp, N system
 * calls allowed)", "off", "skipped under valgrind".  Static storage.
 */
const char *rp_sandbox_describe(void);

/* libseccomp's version, "2.5.4": static storage. */
const char *rp_sandbox_lib_version(void);

/* Whether the process runs under valgrind. */
int rp_sandbox_under_valgrind(void);

#endif
