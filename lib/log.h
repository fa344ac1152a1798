/* log.h: one-line, thread-safe log records on stderr or a file. */
#ifndef RP_LOG_H
#define RP_LOG_H

#include "cfg.h"
#include "err.h"

/*
 * Where log lines go: path (appended to, created 0640) or stderr when
 * path is NULL; only lines at level or more severe are written.  May be
 * called again (a reload): the new file replaces the old once it is
 * open, so a failed reopen keeps logging where it did.  On error writes
 * "why" into err and returns RP_EIO.
 */
enum rp_err rp_log_open(const char *path, enum rp_loglevel level, char *err,
    size_t errlen);

/*
 * The program name that console lines start with ("richprofile-fcgi:
 * ..."); set once by main() before threads start.  name is borrowed for
 * the life of the process; until set, "richprofile".
 */
void rp_log_set_program(const char *name);

/*
 * Closes the log file, if any; later lines go to stderr.  Call it when no
 * other thread logs any more (at exit).
 */
void rp_log_close(void);

/*
 * Changes the level only, keeping the log where it is: a sandboxed
 * process cannot open its log file again (rp_sandbox_install).
 */
void rp_log_set_level(enum rp_loglevel level);

/* Whether a line at level would be written (skip costly formatting). */
int rp_log_enabled(enum rp_loglevel level);

/* "error", "warn", "info", "debug". */
const char *rp_log_level_name(enum rp_loglevel level);

/*
 * One line: "TIME LEVEL message".  The caller names what failed and what
 * to do; it never passes a token or a personal value.  Control bytes in
 * the formatted text are replaced so that no input can forge a line.
 */
void rp_log(enum rp_loglevel level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Like rp_log, and on stderr too ("PROGRAM: message") when the log is a
 * file: for start-up and shutdown failures, which the person who started
 * the program must see even when lines go to [server] log_file.
 */
void rp_log_console(enum rp_loglevel level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * What one request did, for its log line.  Every string is borrowed for
 * the call; NULL prints "-".  Strings that came from the request are
 * sanitised (bounded, spaces and control bytes replaced).
 */
struct rp_log_request {
	const char *method;       /* GET, HEAD, ... */
	const char *route;        /* fragment, profile.json, ping, ... */
	const char *view;         /* view name, when one was accepted */
	const char *status;       /* ok, partial, consent, signin, unavailable */
	int http_status;          /* what the web server was told */
	const char *upstream;     /* error class of the call ("ok", "timeout"...), NULL if none */
	int upstream_status;      /* HTTP status of the API; 0 if none */
	long upstream_code;       /* <code> of an <error>; 0 if none */
	long upstream_us;         /* wall time of the API call; -1 if none */
	long total_us;            /* wall time of the whole request */
	const char *fingerprint;  /* rp_hash_fingerprint of the token; NULL if none */
	const char *note;         /* anything else worth a look ("stale", ...) */
	const char *trace;        /* W3C trace id sent to the API; NULL if none */
};

/*
 * Writes the request line at info level:
 * "TIME info request method=GET route=fragment view=card status=ok
 *  http=200 upstream=ok upstream_http=200 upstream_ms=12.3 total_ms=13.0
 *  token=3fa2c81b09de" (then "trace=ID" and "note=..." when set).
 */
void rp_log_request(const struct rp_log_request *r);

#endif
