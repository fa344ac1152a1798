/* log.c: one-line, thread-safe log records on stderr or a file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"

/*
 * The current descriptor and level.  Each line is written with one
 * write(2) on an O_APPEND descriptor, so lines of concurrent threads (and
 * of several processes sharing the file) never interleave; no lock is
 * needed on the hot path.  Once a file is open its descriptor number never
 * changes: a reopen dup2()s the new file onto it, which is atomic, so a
 * thread that loaded the number just before can never write into some
 * unrelated file that reused a closed number.
 */
static atomic_int log_fd = STDERR_FILENO;
static atomic_int log_level = RP_LOG_INFO;
static pthread_mutex_t reopen_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *program = "richprofile";

/* Longest line written; longer ones are cut and end in "...". */
#define LINE_MAX_BYTES 2048

static const char *const level_names[] = {
	[RP_LOG_ERROR] = "error",
	[RP_LOG_WARN] = "warn",
	[RP_LOG_INFO] = "info",
	[RP_LOG_DEBUG] = "debug",
};

const char *
rp_log_level_name(enum rp_loglevel level)
{
	if ((unsigned)level > RP_LOG_DEBUG)
		return "unknown";
	return level_names[level];
}

void
rp_log_set_program(const char *name)
{
	program = name;
}

enum rp_err
rp_log_open(const char *path, enum rp_loglevel level, char *err,
    size_t errlen)
{
	int fd, cur, rc = RP_OK;

	if (path == NULL || *path == '\0') {
		fd = STDERR_FILENO;
	} else {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (fd < 0) {
			snprintf(err, errlen, "cannot open log file %s: %s; "
			    "check [server] log_file and the directory's "
			    "permissions", path, strerror(errno));
			return RP_EIO;
		}
	}
	pthread_mutex_lock(&reopen_lock);
	cur = atomic_load(&log_fd);
	if (cur == STDERR_FILENO) {
		atomic_store(&log_fd, fd);
	} else if (dup2(fd, cur) < 0) {
		snprintf(err, errlen, "cannot switch the log to %s: %s",
		    path != NULL ? path : "stderr", strerror(errno));
		rc = RP_EIO;
	} else {
		/* dup2 clears close-on-exec; the log is not for children. */
		fcntl(cur, F_SETFD, FD_CLOEXEC);
	}
	if (cur != STDERR_FILENO && fd != STDERR_FILENO)
		close(fd);
	if (rc == RP_OK)
		atomic_store(&log_level, (int)level);
	pthread_mutex_unlock(&reopen_lock);
	return rc;
}

void
rp_log_close(void)
{
	int old;

	pthread_mutex_lock(&reopen_lock);
	old = atomic_exchange(&log_fd, STDERR_FILENO);
	if (old != STDERR_FILENO)
		close(old);
	pthread_mutex_unlock(&reopen_lock);
}

void
rp_log_set_level(enum rp_loglevel level)
{
	atomic_store(&log_level, (int)level);
}

int
rp_log_enabled(enum rp_loglevel level)
{
	return (int)level <= atomic_load(&log_level);
}

/* "2026-11-27T07:45:12.345Z" into buf; returns its length. */
static size_t
timestamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(buf + n, size - n, ".%03ldZ",
	    ts.tv_nsec / 1000000);
	return n;
}

/*
 * Replaces control bytes (and DEL) from start to len by '?', so text
 * that came from a request or from upstream cannot start a new line or
 * move the terminal's cursor.
 */
static void
defang(char *s, size_t start, size_t len)
{
	for (size_t i = start; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			s[i] = '?';
	}
}

/* Writes line (len bytes, no newline yet; room for one more) at once. */
static void
emit(char *line, size_t len)
{
	int fd = atomic_load(&log_fd);
	ssize_t w;

	line[len++] = '\n';
	do
		w = write(fd, line, len);
	while (w < 0 && errno == EINTR);
	/* Nowhere to report a failed log write; the request goes on. */
}

static void
vlog(enum rp_loglevel level, const char *fmt, va_list ap)
{
	char line[LINE_MAX_BYTES + 1];
	size_t n, head;
	int m;

	n = timestamp(line, sizeof(line));
	n += (size_t)snprintf(line + n, LINE_MAX_BYTES - n, " %s ",
	    rp_log_level_name(level));
	head = n;
	m = vsnprintf(line + n, LINE_MAX_BYTES - n, fmt, ap);
	if (m < 0)
		m = 0;
	if ((size_t)m >= LINE_MAX_BYTES - n) {
		n = LINE_MAX_BYTES - 1;
		memcpy(line + n - 3, "...", 3);
	} else {
		n += (size_t)m;
	}
	defang(line, head, n);
	emit(line, n);
}

void
rp_log(enum rp_loglevel level, const char *fmt, ...)
{
	va_list ap;

	if (!rp_log_enabled(level))
		return;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void
rp_log_console(enum rp_loglevel level, const char *fmt, ...)
{
	va_list ap;
	char msg[LINE_MAX_BYTES];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rp_log(level, "%s", msg);
	if (atomic_load(&log_fd) != STDERR_FILENO) {
		defang(msg, 0, strlen(msg));
		fprintf(stderr, "%s: %s\n", program, msg);
	}
}

/*
 * Copies a request-supplied word into out (size bytes) for a key=value
 * field: at most 64 bytes, and nothing that would split the field or the
 * line (spaces, '=', quotes, control bytes, non-ASCII become '?').
 */
static const char *
word(const char *s, char *out, size_t size)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return "-";
	for (i = 0; s[i] != '\0' && i + 1 < size && i < 64; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c > 0x20 && c < 0x7f && c != '=' && c != '"') ?
		    (char)c : '?';
	}
	out[i] = '\0';
	return out;
}

/* Microseconds as milliseconds with one decimal, or "-" when negative. */
static const char *
millis(long us, char *out, size_t size)
{
	if (us < 0)
		return "-";
	snprintf(out, size, "%ld.%ld", us / 1000, (us % 1000) / 100);
	return out;
}

void
rp_log_request(const struct rp_log_request *r)
{
	char method[72], route[72], view[72], status[72], up[72], fp[72];
	char note[72], upms[32], totms[32], uphttp[16], code[24], trace[72];

	if (!rp_log_enabled(RP_LOG_INFO))
		return;
	if (r->upstream_status > 0)
		snprintf(uphttp, sizeof(uphttp), "%d", r->upstream_status);
	else
		snprintf(uphttp, sizeof(uphttp), "-");
	if (r->upstream_code != 0)
		snprintf(code, sizeof(code), "%ld", r->upstream_code);
	else
		snprintf(code, sizeof(code), "-");
	rp_log(RP_LOG_INFO, "request method=%s route=%s view=%s status=%s "
	    "http=%d upstream=%s upstream_http=%s upstream_code=%s "
	    "upstream_ms=%s total_ms=%s token=%s%s%s%s%s",
	    word(r->method, method, sizeof(method)),
	    word(r->route, route, sizeof(route)),
	    word(r->view, view, sizeof(view)),
	    word(r->status, status, sizeof(status)),
	    r->http_status,
	    word(r->upstream, up, sizeof(up)),
	    uphttp, code,
	    millis(r->upstream_us, upms, sizeof(upms)),
	    millis(r->total_us, totms, sizeof(totms)),
	    word(r->fingerprint, fp, sizeof(fp)),
	    r->trace != NULL ? " trace=" : "",
	    r->trace != NULL ? word(r->trace, trace, sizeof(trace)) : "",
	    r->note != NULL ? " note=" : "",
	    r->note != NULL ? word(r->note, note, sizeof(note)) : "");
}
