/* richprofile-fcgi.c: the FastCGI program: options, start-up, then serve. */
#include "config.h"

#include <errno.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <fcgiapp.h>

#include "client.h"
#include "err.h"
#include "app.h"
#include "listen.h"
#include "live.h"
#include "routes.h"
#include "server.h"
#include "hash.h"
#include "log.h"
#include "render.h"
#include "sandbox.h"

/* Bounds of -n and [server] threads: one thread per request in flight. */
#define THREADS_MAX 1024
/* Connections the kernel queues while every worker is busy. */
#define LISTEN_BACKLOG 1024

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: richprofile-fcgi [-c FILE] [-s unix:/PATH | -s tcp:HOST:PORT]"
	    " [-n THREADS] [-t] [-V] [-h]\n"
	    "\n"
	    "Serves the signed-in user's Orange RichProfile as an HTML fragment\n"
	    "(or JSON) to a web server over FastCGI.\n"
	    "\n"
	    "  -c FILE     configuration file (default %s/richprofile.conf)\n"
	    "  -s SOCKET   listen on unix:/PATH or tcp:HOST:PORT; without -s the\n"
	    "              listening socket is the one systemd passes (LISTEN_FDS),\n"
	    "              else fd 0 (spawn-fcgi, mod_fcgid), and when fd 0 is\n"
	    "              no socket one CGI request is answered\n"
	    "  -n THREADS  worker threads (default: [server] threads)\n"
	    "  -t          check the configuration and templates (and that\n"
	    "              [shared] Redis answers PING), then exit\n"
	    "  -V          print the version and exit\n"
	    "  -h          print this help and exit\n"
	    "\n"
	    "Routes (last path segment): fragment (default), profile.json, ping,\n"
	    "status (Prometheus metrics), ready (200 or 503), auth (profile\n"
	    "headers for nginx auth_request or Apache's FastCGI authorizer).\n"
	    "Query: view=NAME, return=/site/path.  SIGHUP: reload the configuration\n"
	    "and templates.  SIGTERM or SIGINT: finish the requests in flight, then\n"
	    "exit 0.  See richprofile-fcgi(8).\n", RP_SYSCONFDIR);
}

/*
 * One malloc arena per CPU (2 to 64) instead of glibc's eight per CPU.
 * Workers mostly
 * wait for the API, so only about one per CPU allocates at a time; yet
 * every thread that ever allocated draws on an arena of its own up to
 * glibc's cap, and profiles freed by the cache's LRU from other threads
 * leave each arena's free room resident.  Measured with 128 workers and
 * 10 000 cached profiles: about 1 MiB less peak RSS, cache hits as fast.
 * An administrator's MALLOC_ARENA_MAX or GLIBC_TUNABLES still wins.
 */
static void
limit_malloc_arenas(void)
{
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
	const char *tun = getenv("GLIBC_TUNABLES");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (getenv("MALLOC_ARENA_MAX") != NULL ||
	    (tun != NULL && strstr(tun, "arena_max") != NULL))
		return;
	if (ncpu < 2)
		ncpu = 2;
	if (ncpu > 64)
		ncpu = 64;
	mallopt(M_ARENA_MAX, (int)ncpu);
#endif
}

/*
 * -V: the version, and whether the sandbox would be active with the
 * configuration at conf: [server] sandbox, and whether this kernel has
 * seccomp.
 */
static int
print_version(const char *conf)
{
	struct rp_cfg *cfg = NULL;
	char err[1024], why[512];
	int kernel = rp_sandbox_available(why, sizeof(why)) == 0;

	printf("richprofile-fcgi %s (%s)\n", PACKAGE_VERSION, curl_version());
	if (rp_cfg_load(conf, &cfg, err, sizeof(err)) != RP_OK)
		printf("sandbox: on unless [server] sandbox = off (the "
		    "configuration could not be read: %s); kernel seccomp: %s\n",
		    err, kernel ? "available" : why);
	else if (!cfg->server.sandbox)
		printf("sandbox: off ([server] sandbox = off in %s)\n", cfg->path);
	else if (rp_sandbox_under_valgrind())
		printf("sandbox: on in %s, but skipped under valgrind\n",
		    cfg->path);
	else if (kernel)
		printf("sandbox: on (seccomp filter, %s; libseccomp %s)\n",
		    cfg->path, rp_sandbox_lib_version());
	else
		printf("sandbox: on in %s, but %s\n", cfg->path, why);
	rp_cfg_free(cfg);
	return 0;
}

/*
 * Installs the sandbox unless [server] sandbox = off, and says so.
 * 0, or -1 (logged) when it should be on and cannot be.
 */
static int
confine(const struct rp_app *app, const struct rp_listener *l)
{
	struct rp_sandbox_opts so = { .unlink_dir_fd = l->dir_fd };
	char err[1024];

	if (!app->cfg->server.sandbox) {
		rp_log(RP_LOG_WARN, "sandbox off ([server] sandbox = off in %s): "
		    "serving without a system call filter", app->cfg->path);
		return 0;
	}
	if (rp_sandbox_install(&so, err, sizeof(err)) != RP_OK) {
		rp_log_console(RP_LOG_ERROR, "%s: not serving unsandboxed; "
		    "[server] sandbox = on in %s", err, app->cfg->path);
		return -1;
	}
	if (rp_sandbox_state() == RP_SANDBOX_VALGRIND)
		rp_log(RP_LOG_INFO, "sandbox skipped: running under valgrind, "
		    "which makes the program's system calls itself (the "
		    "sandbox is checked by the runs without valgrind)");
	return 0;
}

/* A decimal in [lo, hi]; -1 when s is anything else. */
static long
parse_count(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	return v;
}

int
main(int argc, char **argv)
{
	const char *conf = NULL, *spec = NULL;
	struct rp_app *app = NULL;
	struct rp_listener l;
	struct rp_live live;
	char err[1024];
	long threads = 0;
	size_t i;
	int c, test = 0, status = 1, rc, client_init = 0, listening = 0, ping;
	int version = 0;

	rp_log_set_program("richprofile-fcgi");
	while ((c = getopt(argc, argv, "c:s:n:tVh")) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 's':
			spec = optarg;
			break;
		case 'n':
			if ((threads = parse_count(optarg, 1, THREADS_MAX)) < 0) {
				fprintf(stderr, "richprofile-fcgi: -n %s: expected "
				    "a number of threads from 1 to %d\n", optarg,
				    THREADS_MAX);
				return 2;
			}
			break;
		case 't':
			test = 1;
			break;
		case 'V':
			version = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "richprofile-fcgi: unexpected argument \"%s\"; "
		    "see -h\n", argv[optind]);
		return 2;
	}

	if (version)
		return print_version(conf);
	if ((rc = rp_app_load(conf, &app, err, sizeof(err))) != RP_OK) {
		fprintf(stderr, "richprofile-fcgi: %s\n", err);
		goto out;
	}
	if (test) {
		for (i = 0; i < app->cfg->nviews; i++)
			if (rp_renderer_view_warning(app->renderer, i, err,
			    sizeof(err)))
				fprintf(stderr, "richprofile-fcgi: warning: %s\n", err);
		/*
		 * Unlike a start, -t asks whether Redis answers.  A silent
		 * Redis is a warning, not a broken configuration: the
		 * program serves without it (and the units run -t before
		 * every start, which Redis must never prevent).
		 */
		ping = app->shared != NULL ?
		    rp_shared_ping(app->shared, err, sizeof(err)) : RP_OK;
		if (ping != RP_OK)
			fprintf(stderr, "richprofile-fcgi: warning: %s: %s\n",
			    app->cfg->path, err);
		printf("richprofile-fcgi: configuration %s and its templates "
		    "are ok%s\n", app->cfg->path, app->shared == NULL ? "" :
		    ping == RP_OK ? "; Redis answers PING" :
		    "; Redis does not answer (see the warning)");
		status = 0;
		goto out;
	}
	if (threads == 0)
		threads = app->cfg->server.threads;
	if (threads < 1 || threads > THREADS_MAX) {
		fprintf(stderr, "richprofile-fcgi: %s: [server] threads = %ld: "
		    "expected 1 to %d\n", app->cfg->path, threads, THREADS_MAX);
		goto out;
	}
	if (rp_log_open(app->cfg->server.log_file, app->cfg->server.log_level,
	    err, sizeof(err)) != RP_OK) {
		fprintf(stderr, "richprofile-fcgi: %s\n", err);
		goto out;
	}
	for (i = 0; i < app->cfg->nviews; i++)
		if (rp_renderer_view_warning(app->renderer, i, err, sizeof(err)))
			rp_log_console(RP_LOG_WARN, "%s", err);
	/* Process-wide set-up, before any thread: malloc, libsodium, libcurl, libfcgi. */
	limit_malloc_arenas();
	if (rp_hash_init() != RP_OK) {
		rp_log_console(RP_LOG_ERROR, "libsodium failed to initialise; is "
		    "/dev/urandom readable?");
		goto out;
	}
	if (rp_client_global_init() != RP_OK) {
		rp_log_console(RP_LOG_ERROR, "libcurl failed to initialise");
		goto out;
	}
	client_init = 1;
	if (rp_client_global_warning() != NULL)
		rp_log(RP_LOG_WARN, "%s", rp_client_global_warning());
	if (FCGX_Init() != 0) {
		rp_log_console(RP_LOG_ERROR, "libfcgi failed to initialise");
		goto out;
	}
	if (rp_listen_open(spec, LISTEN_BACKLOG, &l, err, sizeof(err)) !=
	    RP_OK) {
		rp_log_console(RP_LOG_ERROR, "%s", err);
		goto out;
	}
	listening = 1;
	/* Start-up is over: from here only what serving needs. */
	if (confine(app, &l) != 0)
		goto out;
	if (l.cgi)
		status = rp_server_run_cgi(app);
	else if (rp_live_init(&live, app) != RP_OK) {
		app = NULL;    /* taken, and freed, by rp_live_init */
		rp_log_console(RP_LOG_ERROR, "out of memory");
	} else {
		/* From here the configuration is live's: SIGHUP replaces it. */
		app = NULL;
		rp_routes_metrics_init();
		status = rp_server_run(&live, &l, threads);
		rp_live_destroy(&live);
	}
out:
	if (listening)
		rp_listen_close(&l);
	if (client_init)
		rp_client_global_cleanup();
	rp_app_free(app);
	rp_log_close();
	return status;
}
