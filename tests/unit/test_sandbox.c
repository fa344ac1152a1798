/* test_sandbox.c: what the seccomp sandbox refuses, and that it refuses it only once installed. */
/* CLONE_*, O_PATH */
#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seccomp.h>

#include "sandbox.h"
#include "testutil.h"

/*
 * Each test runs its steps in a child of its own (fork, whatever
 * CK_FORK says: a filter cannot be removed), once without the sandbox
 * and once with it.  The child exits with a code the parent checks:
 * 0 allowed, 1 refused with EPERM, 2 anything else; a killed child
 * (SIGSYS) was killed by the filter.
 */
enum { ALLOWED = 0, REFUSED = 1, OTHER = 2 };

typedef int (*probe_fn)(void);

/* Runs probe in a child, sandboxed or not; the child's wait status. */
static int
in_child(probe_fn probe, int sandboxed)
{
	char err[512];
	pid_t pid;
	int st = 0;

	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (sandboxed && rp_sandbox_install(NULL, err, sizeof(err)) != RP_OK) {
			fprintf(stderr, "%s\n", err);
			_exit(3);
		}
		_exit(probe());
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return st;
}

/* Whether the sandbox is really installed here (not under valgrind). */
static int
can_test(void)
{
	if (rp_sandbox_under_valgrind()) {
		/* valgrind runs the system calls itself: the filter is skipped. */
		char err[512];

		ck_assert_int_eq(rp_sandbox_install(NULL, err, sizeof(err)), RP_OK);
		ck_assert_int_eq(rp_sandbox_state(), RP_SANDBOX_VALGRIND);
		return 0;
	}
	return 1;
}

static void
expect_exit(int st, int code)
{
	ck_assert_msg(WIFEXITED(st), "child ended by signal %d",
	    WIFSIGNALED(st) ? WTERMSIG(st) : -1);
	ck_assert_int_eq(WEXITSTATUS(st), code);
}

static void
expect_killed(int st)
{
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	    "expected a kill by SIGSYS, got %s %d", WIFEXITED(st) ?
	    "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

/* The result of a call that returns -1 and errno on failure. */
static int
outcome(long rc)
{
	if (rc >= 0)
		return ALLOWED;
	return errno == EPERM ? REFUSED : OTHER;
}

static int
probe_execve(void)
{
	char *argv[] = { (char *)"true", NULL };
	char *envp[] = { NULL };

	/* Succeeds only by not returning: /bin/true exits 0. */
	execve("/bin/true", argv, envp);
	return OTHER;
}

static int
probe_fork_exec(void)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return errno == EPERM ? REFUSED : OTHER;
	if (pid == 0) {
		char *argv[] = { (char *)"true", NULL };

		execv("/bin/true", argv);
		_exit(OTHER);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return OTHER;
	return WEXITSTATUS(st) == 0 ? ALLOWED : OTHER;
}

static char path[256];

static int
probe_open_write(void)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int r = outcome(fd);

	if (fd >= 0)
		close(fd);
	return r;
}

static int
probe_open_append(void)
{
	int fd = openat(AT_FDCWD, path, O_WRONLY | O_APPEND | O_CLOEXEC);
	int r = outcome(fd);

	if (fd >= 0)
		close(fd);
	return r;
}

static int
probe_open_read(void)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r = outcome(fd);

	if (fd >= 0)
		close(fd);
	return r;
}

static int
probe_packet_socket(void)
{
	/* Unprivileged, AF_PACKET fails anyway: EPERM there too, so
	 * without the sandbox anything but a refusal by the filter counts. */
	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	int r = outcome(fd);

	if (fd >= 0)
		close(fd);
	return r;
}

static int
probe_inet_socket(void)
{
	int fd = socket(AF_INET6, SOCK_STREAM, 0), r = outcome(fd);
	int fd2 = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd >= 0)
		close(fd);
	if (fd2 < 0)
		r = OTHER;
	else
		close(fd2);
	return r;
}

static int
probe_ptrace(void)
{
	/* PTRACE_TRACEME on ourselves: harmless, and allowed unsandboxed. */
	return outcome(ptrace(PTRACE_TRACEME, 0, NULL, NULL));
}

static void *
thread_main(void *arg)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd >= 0)
		close(fd);
	*(int *)arg = fd >= 0 ? 1 : 0;
	return NULL;
}

static int
probe_thread(void)
{
	pthread_t t;
	int ok = 0;

	if (pthread_create(&t, NULL, thread_main, &ok) != 0)
		return OTHER;
	pthread_join(t, NULL);
	return ok ? ALLOWED : OTHER;
}

START_TEST(execve_kills)
{
	if (!can_test())
		return;
	expect_exit(in_child(probe_execve, 0), ALLOWED);
	expect_killed(in_child(probe_execve, 1));
}
END_TEST

START_TEST(fork_refused)
{
	if (!can_test())
		return;
	expect_exit(in_child(probe_fork_exec, 0), ALLOWED);
	expect_exit(in_child(probe_fork_exec, 1), REFUSED);
}
END_TEST

START_TEST(open_for_writing_refused)
{
	int fd;

	if (!can_test())
		return;
	snprintf(path, sizeof(path), "%s/rp-sandbox-%ld",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp", (long)getpid());
	unlink(path);
	expect_exit(in_child(probe_open_write, 0), ALLOWED);
	ck_assert_int_eq(access(path, F_OK), 0);
	unlink(path);
	expect_exit(in_child(probe_open_write, 1), REFUSED);
	ck_assert_int_ne(access(path, F_OK), 0);
	/* An existing file: neither appended to nor truncated, but readable. */
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	expect_exit(in_child(probe_open_append, 0), ALLOWED);
	expect_exit(in_child(probe_open_append, 1), REFUSED);
	expect_exit(in_child(probe_open_read, 1), ALLOWED);
	unlink(path);
}
END_TEST

START_TEST(packet_socket_refused)
{
	int st;

	if (!can_test())
		return;
	/* As root it is created; as a user the kernel refuses it itself. */
	st = in_child(probe_packet_socket, 0);
	ck_assert(WIFEXITED(st));
	if (getuid() == 0)
		ck_assert_int_eq(WEXITSTATUS(st), ALLOWED);
	expect_exit(in_child(probe_packet_socket, 1), REFUSED);
	/* What the API, the web server and Redis use stays allowed. */
	expect_exit(in_child(probe_inet_socket, 1), ALLOWED);
}
END_TEST

START_TEST(ptrace_refused)
{
	if (!can_test())
		return;
	expect_exit(in_child(probe_ptrace, 0), ALLOWED);
#ifdef __SANITIZE_ADDRESS__
	/* LeakSanitizer needs it at exit: allowed in sanitizer builds only. */
	expect_exit(in_child(probe_ptrace, 1), ALLOWED);
#else
	expect_killed(in_child(probe_ptrace, 1));
#endif
}
END_TEST

START_TEST(threads_still_work)
{
	if (!can_test())
		return;
	expect_exit(in_child(probe_thread, 1), ALLOWED);
}
END_TEST

static char dir_a[256], dir_b[256];

/* unlinkat in the directory given to the sandbox only (the socket's). */
static int
probe_unlink(void)
{
	struct rp_sandbox_opts so;
	char err[512], fb[300];
	int a = open(dir_a, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int b = open(dir_b, O_PATH | O_DIRECTORY | O_CLOEXEC);

	so.unlink_dir_fd = a;
	if (a < 0 || b < 0 || rp_sandbox_install(&so, err, sizeof(err)) != RP_OK)
		return OTHER;
	snprintf(fb, sizeof(fb), "%s/f", dir_b);
	if (unlinkat(b, "f", 0) == 0 || errno != EPERM ||
	    unlink(fb) == 0 || errno != EPERM ||
	    unlinkat(a, "d", AT_REMOVEDIR) == 0 || errno != EPERM)
		return OTHER;
	return unlinkat(a, "f", 0) == 0 ? ALLOWED : OTHER;
}

START_TEST(unlink_only_in_the_socket_directory)
{
	char p[300];
	int fd;

	if (!can_test())
		return;
	snprintf(dir_a, sizeof(dir_a), "%s/rp-sandbox-a%ld", getenv("TMPDIR") != NULL ?
	    getenv("TMPDIR") : "/tmp", (long)getpid());
	snprintf(dir_b, sizeof(dir_b), "%s/rp-sandbox-b%ld", getenv("TMPDIR") != NULL ?
	    getenv("TMPDIR") : "/tmp", (long)getpid());
	ck_assert_int_eq(mkdir(dir_a, 0700), 0);
	ck_assert_int_eq(mkdir(dir_b, 0700), 0);
	snprintf(p, sizeof(p), "%s/d", dir_a);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/f", dir_a);
	ck_assert_int_ge(fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600), 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/f", dir_b);
	ck_assert_int_ge(fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600), 0);
	close(fd);
	expect_exit(in_child(probe_unlink, 0), ALLOWED);
	snprintf(p, sizeof(p), "%s/f", dir_a);
	ck_assert_int_ne(access(p, F_OK), 0);
	snprintf(p, sizeof(p), "%s/f", dir_b);
	ck_assert_int_eq(access(p, F_OK), 0);
	unlink(p);
	snprintf(p, sizeof(p), "%s/d", dir_a);
	rmdir(p);
	rmdir(dir_a);
	rmdir(dir_b);
}
END_TEST

/*
 * Where seccomp() cannot be used (an older kernel, or a filter around
 * the process that forbids it, as systemd's SystemCallFilter= without
 * seccomp would): the sandbox is refused, saying why, never skipped.
 */
static int
probe_unavailable(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	char err[512];

	if (ctx == NULL || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
	    SCMP_SYS(seccomp), 0) != 0 || seccomp_load(ctx) != 0)
		return OTHER;
	seccomp_release(ctx);
	if (rp_sandbox_available(err, sizeof(err)) == 0 ||
	    strstr(err, "seccomp") == NULL || strstr(err, "sandbox = off") == NULL)
		return OTHER;
	if (rp_sandbox_install(NULL, err, sizeof(err)) == RP_OK ||
	    rp_sandbox_state() != RP_SANDBOX_OFF)
		return OTHER;
	fprintf(stderr, "# %s\n", err);
	return REFUSED;
}

START_TEST(refused_without_seccomp)
{
	if (!can_test())
		return;
	expect_exit(in_child(probe_unavailable, 0), REFUSED);
}
END_TEST

START_TEST(describe)
{
	char err[512];

	ck_assert_str_eq(rp_sandbox_describe(), "off");
	/* valgrind knows no seccomp(): what it says there is not the kernel's. */
	if (!rp_sandbox_under_valgrind())
		ck_assert_int_eq(rp_sandbox_available(err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(rp_sandbox_lib_version(), "."));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("sandbox");

	tcase_add_test(tc, describe);
	tcase_add_test(tc, execve_kills);
	tcase_add_test(tc, fork_refused);
	tcase_add_test(tc, open_for_writing_refused);
	tcase_add_test(tc, packet_socket_refused);
	tcase_add_test(tc, ptrace_refused);
	tcase_add_test(tc, threads_still_work);
	tcase_add_test(tc, refused_without_seccomp);
	tcase_add_test(tc, unlink_only_in_the_socket_directory);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
