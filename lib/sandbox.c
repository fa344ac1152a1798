/* sandbox.c: the seccomp allow-list of a serving richprofile-fcgi. */
/* CLONE_* flags */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/seccomp.h>
#include <seccomp.h>

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

#include "sandbox.h"

/* Sanitizer builds: see the ptrace entry of the table. */
#if defined(__SANITIZE_ADDRESS__)
#define RP_SAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RP_SAN_BUILD 1
#endif
#endif

/* What to do with a call: allow it, or allow it only with some arguments. */
enum rule {
	ALLOW,        /* any arguments */
	KILL,         /* only an exploit makes it: end the process */
	NOT_IMPL,      /* say "not implemented" so that libc falls back */
	OPEN_A1,      /* open(): flags (arg 1) read-only, no create/truncate */
	OPEN_A2,      /* openat(): flags (arg 2) likewise */
	SOCK_FAMILY,  /* socket(), socketpair(): AF_INET, AF_INET6, AF_UNIX */
	THREADS_ONLY,/* clone(): threads only, never a new process */
	IOCTL_FD,     /* ioctl(): FIONBIO, FIONREAD, TCGETS only */
	PRCTL_NAME,   /* prctl(): thread names and dumpable flag only */
	TGKILL_SELF   /* tgkill(): signals to this process's own threads */
};

/*
 * The allow-list, by group.  The man page richprofile-fcgi(8) lists the
 * same groups with the same reasons: keep them together.
 */
static const struct call {
	const char *name;
	enum rule rule;
} calls[] = {
	/* Memory: malloc, thread stacks, libcurl and OpenSSL, NSS modules. */
	{ "brk", ALLOW }, { "mmap", ALLOW }, { "munmap", ALLOW },
	{ "mprotect", ALLOW }, { "mremap", ALLOW }, { "madvise", ALLOW },
	/* Threads and their locks: workers, libcurl's resolver thread. */
	{ "futex", ALLOW }, { "set_robust_list", ALLOW },
	{ "get_robust_list", ALLOW }, { "rseq", ALLOW },
	{ "set_tid_address", ALLOW }, { "clone", THREADS_ONLY },
	/* clone3's flags are out of the filter's sight: glibc falls back to clone. */
	{ "clone3", NOT_IMPL },
	{ "gettid", ALLOW }, { "getpid", ALLOW }, { "sched_yield", ALLOW },
	{ "sched_getaffinity", ALLOW }, { "getrlimit", ALLOW },
	{ "prlimit64", ALLOW }, { "exit", ALLOW }, { "exit_group", ALLOW },
	{ "prctl", PRCTL_NAME },
	/* Signals: SIGTERM, SIGHUP, the accept kick, abort(). */
	{ "rt_sigaction", ALLOW }, { "rt_sigprocmask", ALLOW },
	{ "rt_sigreturn", ALLOW }, { "sigaltstack", ALLOW },
	{ "restart_syscall", ALLOW }, { "tgkill", TGKILL_SELF },
	/* Time and sleeping: timeouts, deadlines, log timestamps. */
	{ "clock_gettime", ALLOW }, { "clock_getres", ALLOW },
	{ "gettimeofday", ALLOW }, { "time", ALLOW },
	{ "nanosleep", ALLOW }, { "clock_nanosleep", ALLOW },
	/* I/O on descriptors already open: sockets, pipes, the log file. */
	{ "read", ALLOW }, { "write", ALLOW }, { "readv", ALLOW },
	{ "writev", ALLOW }, { "pread64", ALLOW }, { "close", ALLOW },
	{ "lseek", ALLOW }, { "fcntl", ALLOW }, { "dup", ALLOW },
	{ "ioctl", IOCTL_FD },
	/* Waiting: the FastCGI waiting room, libcurl, the signal pipe. */
	{ "poll", ALLOW }, { "ppoll", ALLOW }, { "select", ALLOW },
	{ "pselect6", ALLOW }, { "epoll_create1", ALLOW },
	{ "epoll_ctl", ALLOW }, { "epoll_wait", ALLOW },
	{ "epoll_pwait", ALLOW }, { "eventfd2", ALLOW }, { "pipe2", ALLOW },
	{ "pipe", ALLOW },
	/* Network: FastCGI connections in, the API (DNS included) and Redis out. */
	{ "socket", SOCK_FAMILY }, { "socketpair", SOCK_FAMILY },
	{ "connect", ALLOW }, { "accept", ALLOW }, { "accept4", ALLOW },
	{ "sendto", ALLOW }, { "recvfrom", ALLOW }, { "sendmsg", ALLOW },
	{ "recvmsg", ALLOW }, { "sendmmsg", ALLOW }, { "recvmmsg", ALLOW },
	{ "shutdown", ALLOW }, { "getsockopt", ALLOW },
	{ "setsockopt", ALLOW }, { "getsockname", ALLOW },
	{ "getpeername", ALLOW },
	/* Reading files: the configuration and templates on SIGHUP, CA
	 * certificates, /etc/hosts and resolv.conf, NSS modules. */
	{ "open", OPEN_A1 }, { "openat", OPEN_A2 },
	{ "openat2", NOT_IMPL },    /* flags in a struct: glibc uses openat */
	{ "fstat", ALLOW }, { "stat", ALLOW }, { "lstat", ALLOW },
	{ "newfstatat", ALLOW }, { "statx", ALLOW }, { "access", ALLOW },
	{ "faccessat", ALLOW }, { "faccessat2", ALLOW },
	{ "readlink", ALLOW }, { "readlinkat", ALLOW },
	{ "getdents64", ALLOW }, { "getdents", ALLOW }, { "getcwd", ALLOW },
	/* What libc asks of the system: random bytes, ids, sizes, usage. */
	{ "getrandom", ALLOW }, { "getuid", ALLOW }, { "geteuid", ALLOW },
	{ "getgid", ALLOW }, { "getegid", ALLOW }, { "getppid", ALLOW },
	{ "uname", ALLOW }, { "sysinfo", ALLOW }, { "getrusage", ALLOW },
	{ "times", ALLOW },
	/* Only an exploit makes these: the process ends at once. */
	{ "execve", KILL }, { "execveat", KILL },
#ifdef RP_SAN_BUILD
	/*
	 * LeakSanitizer's exit-time check stops the threads with ptrace
	 * from a clone of the address space, and waits for it: a test
	 * build allows these (see the man page); a release build kills on
	 * ptrace and refuses the rest.
	 */
	{ "ptrace", ALLOW }, { "wait4", ALLOW },
#else
	{ "ptrace", KILL },
#endif
	{ "process_vm_readv", KILL }, { "process_vm_writev", KILL },
	{ "kexec_load", KILL }, { "kexec_file_load", KILL },
	{ "init_module", KILL }, { "finit_module", KILL },
	{ "delete_module", KILL }, { "mount", KILL }, { "umount2", KILL },
	{ "bpf", KILL }, { "userfaultfd", KILL },
};

#define NCALLS (sizeof(calls) / sizeof(calls[0]))

static enum rp_sandbox_state state = RP_SANDBOX_OFF;
static unsigned nallowed;

int
rp_sandbox_under_valgrind(void)
{
	const char *pre = getenv("LD_PRELOAD");

#ifdef HAVE_VALGRIND_VALGRIND_H
	if (RUNNING_ON_VALGRIND)
		return 1;
#endif
	/* Without valgrind.h: its preloaded core library gives it away. */
	return pre != NULL && strstr(pre, "vgpreload") != NULL;
}

int
rp_sandbox_available(char *err, size_t errlen)
{
	unsigned int act = SECCOMP_RET_KILL_PROCESS;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) {
		snprintf(err, errlen, "this kernel has no seccomp (prctl "
		    "PR_GET_SECCOMP: %s): the sandbox cannot be installed; "
		    "run on a kernel built with CONFIG_SECCOMP_FILTER, or set "
		    "[server] sandbox = off", strerror(errno));
		return -1;
	}
#ifdef SYS_seccomp
	/* Filters and the kill-process action arrived in 3.5 and 4.14. */
	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &act) != 0) {
		if (errno == EPERM)
			snprintf(err, errlen, "the seccomp() system call is "
			    "forbidden to this process (a filter around it: "
			    "systemd SystemCallFilter= without seccomp, a "
			    "container's profile): allow seccomp there, or set "
			    "[server] sandbox = off");
		else
			snprintf(err, errlen, "this kernel cannot filter system "
			    "calls with seccomp (seccomp GET_ACTION_AVAIL "
			    "kill_process: %s): the sandbox needs Linux 4.14 or "
			    "later with CONFIG_SECCOMP_FILTER; or set [server] "
			    "sandbox = off", strerror(errno));
		return -1;
	}
#else
	(void)act;
#endif
	return 0;
}

/* Adds one entry of the table; 0 or a negative errno of libseccomp. */
static int
add(scmp_filter_ctx ctx, const struct call *c, int nr)
{
	const uint32_t ok = SCMP_ACT_ALLOW;
	int rc = 0;

	switch (c->rule) {
	case ALLOW:
		return seccomp_rule_add(ctx, ok, nr, 0);
	case KILL:
		return seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, nr, 0);
	case NOT_IMPL:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
	case OPEN_A1:
	case OPEN_A2:
		/* O_RDONLY is 0: any bit of these means writing or creating. */
		return seccomp_rule_add(ctx, ok, nr, 1, SCMP_CMP(
		    c->rule == OPEN_A1 ? 1 : 2, SCMP_CMP_MASKED_EQ,
		    O_WRONLY | O_RDWR | O_CREAT | O_TRUNC, 0));
	case SOCK_FAMILY:
		if ((rc = seccomp_rule_add(ctx, ok, nr, 1,
		    SCMP_A0(SCMP_CMP_EQ, AF_INET))) == 0 &&
		    (rc = seccomp_rule_add(ctx, ok, nr, 1,
		    SCMP_A0(SCMP_CMP_EQ, AF_INET6))) == 0)
			rc = seccomp_rule_add(ctx, ok, nr, 1,
			    SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
		return rc;
	case THREADS_ONLY:
		/* x86-64 and most: flags are argument 0. */
		rc = seccomp_rule_add(ctx, ok, nr, 1, SCMP_A0(SCMP_CMP_MASKED_EQ,
		    CLONE_THREAD, CLONE_THREAD));
#ifdef RP_SAN_BUILD
		/* LeakSanitizer's tracer: shares memory, files, no new program. */
		if (rc == 0)
			rc = seccomp_rule_add(ctx, ok, nr, 1, SCMP_A0(SCMP_CMP_EQ,
			    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_UNTRACED));
#endif
		return rc;
	case IOCTL_FD:
		if ((rc = seccomp_rule_add(ctx, ok, nr, 1,
		    SCMP_A1(SCMP_CMP_EQ, FIONBIO))) == 0 &&
		    (rc = seccomp_rule_add(ctx, ok, nr, 1,
		    SCMP_A1(SCMP_CMP_EQ, FIONREAD))) == 0)
			rc = seccomp_rule_add(ctx, ok, nr, 1,
			    SCMP_A1(SCMP_CMP_EQ, TCGETS));
		return rc;
	case PRCTL_NAME:
		if ((rc = seccomp_rule_add(ctx, ok, nr, 1,
		    SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME))) == 0 &&
		    (rc = seccomp_rule_add(ctx, ok, nr, 1,
		    SCMP_A0(SCMP_CMP_EQ, PR_GET_NAME))) == 0)
			rc = seccomp_rule_add(ctx, ok, nr, 1,
			    SCMP_A0(SCMP_CMP_EQ, PR_GET_DUMPABLE));
#ifdef RP_SAN_BUILD
		/* LeakSanitizer's tracer: dies with its parent, may trace it. */
		if (rc == 0 && (rc = seccomp_rule_add(ctx, ok, nr, 1,
		    SCMP_A0(SCMP_CMP_EQ, PR_SET_PDEATHSIG))) == 0)
			rc = seccomp_rule_add(ctx, ok, nr, 1,
			    SCMP_A0(SCMP_CMP_EQ, PR_SET_PTRACER));
#endif
		return rc;
	case TGKILL_SELF:
		return seccomp_rule_add(ctx, ok, nr, 1,
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	}
	return -EINVAL;
}

enum rp_err
rp_sandbox_install(const struct rp_sandbox_opts *opts, char *err,
    size_t errlen)
{
	scmp_filter_ctx ctx;
	unsigned n = 0;
	size_t i;
	int rc, nr;

	if (rp_sandbox_under_valgrind()) {
		state = RP_SANDBOX_VALGRIND;
		return RP_OK;
	}
	if (rp_sandbox_available(err, errlen) != 0)
		return RP_EINVAL;
	/* Everything not listed: "operation not permitted". */
	if ((ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM))) == NULL) {
		snprintf(err, errlen, "sandbox: seccomp_init failed (out of "
		    "memory?); set [server] sandbox = off to run without it");
		return RP_ENOMEM;
	}
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) != 0) {
		snprintf(err, errlen, "sandbox: libseccomp cannot apply a "
		    "filter to every thread (TSYNC: %s); a newer kernel and "
		    "libseccomp are needed, or set [server] sandbox = off",
		    strerror(-rc));
		goto fail;
	}
	for (i = 0; i < NCALLS; i++) {
		/* A call this architecture lacks (open, select...) needs no rule. */
		if ((nr = seccomp_syscall_resolve_name(calls[i].name)) ==
		    __NR_SCMP_ERROR)
			continue;
		if ((rc = add(ctx, &calls[i], nr)) != 0) {
			snprintf(err, errlen, "sandbox: cannot add the rule for "
			    "%s: %s; this is a bug, please report it (set "
			    "[server] sandbox = off meanwhile)", calls[i].name,
			    strerror(-rc));
			goto fail;
		}
		if (calls[i].rule != KILL && calls[i].rule != NOT_IMPL)
			n++;
	}
	/* The listening socket's file, removed at exit: that directory only. */
	if (opts != NULL && opts->unlink_dir_fd >= 0 &&
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(unlinkat), 2,
	    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)opts->unlink_dir_fd),
	    SCMP_A2(SCMP_CMP_EQ, 0))) != 0) {
		snprintf(err, errlen, "sandbox: cannot add the rule for "
		    "unlinkat: %s; this is a bug, please report it (set "
		    "[server] sandbox = off meanwhile)", strerror(-rc));
		goto fail;
	}
	if ((rc = seccomp_load(ctx)) != 0) {
		snprintf(err, errlen, "sandbox: loading the seccomp filter "
		    "failed: %s%s; set [server] sandbox = off to run without "
		    "it", strerror(-rc), rc == -ESRCH ? " (a thread could not "
		    "be synchronised)" : "");
		goto fail;
	}
	seccomp_release(ctx);
	nallowed = n;
	state = RP_SANDBOX_ON;
	return RP_OK;
fail:
	seccomp_release(ctx);
	return RP_EINVAL;
}

enum rp_sandbox_state
rp_sandbox_state(void)
{
	return state;
}

const char *
rp_sandbox_describe(void)
{
	static char buf[96];

	switch (state) {
	case RP_SANDBOX_ON:
		snprintf(buf, sizeof(buf), "on (seccomp, %u system calls "
		    "allowed)", nallowed);
		return buf;
	case RP_SANDBOX_VALGRIND:
		return "skipped under valgrind";
	case RP_SANDBOX_OFF:
		break;
	}
	return "off";
}

const char *
rp_sandbox_lib_version(void)
{
	static char buf[32];
	const struct scmp_version *v = seccomp_version();

	snprintf(buf, sizeof(buf), "%u.%u.%u", v->major, v->minor, v->micro);
	return buf;
}
