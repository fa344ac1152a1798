/* main.c: richprofile-sim start-up: options, the users and TLS files, signals, then serve until told to stop. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cfg.h"
#include "err.h"
#include "hash.h"
#include "sim.h"

#ifndef RP_DATADIR
#define RP_DATADIR "/usr/share/richprofile"
#endif

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: richprofile-sim [OPTION]...\n"
"A stand-in for Orange's Personal RichProfile API and its consent pages,\n"
"for demos and tests.  Never expose it beyond loopback.\n"
"\n"
"Options:\n"
"  -c FILE               take the session cookie's name from [session] cookie\n"
"                        of this richprofile.conf (checked whole)\n"
"      --cookie NAME     session cookie the sign-in page sets (default\n"
"                        rp_token; wins over -c)\n"
"      --listen ADDR     HOST:PORT to listen on (127.0.0.1:8081); port 0\n"
"                        picks a free port, printed on stdout\n"
"      --port-file FILE  also write the port number into FILE\n"
"      --public-url URL  scheme://host:port put in privacy and photo URLs\n"
"                        (the listen address)\n"
"      --users FILE      demo users (%s/sim-users.conf)\n"
"      --photos DIR      photos served as /photos/NAME.png (%s/sim-photos)\n"
"      --token-lifetime S  tokens expire S seconds after start or sign-in\n"
"                        (error 103); 0 = never (default)\n"
"      --delay-ms N      delay every API answer by N ms\n"
"      --threads N       serve with a pool of N threads instead of one thread\n"
"                        per connection: cheaper per request, but a delayed,\n"
"                        stalled or slow answer holds a pool thread\n"
"      --tls-cert FILE --tls-key FILE  serve HTTPS with this PEM pair\n"
"  -h, --help            this text\n"
"\n"
"Paths: " SIM_API_PATH "?action=getPersonalRichProfile&infos=..&token=..\n"
"  " SIM_PRIVACY_PATH "  consent page    /signin?return=/path  /signout?return=/path\n"
"  /photos/NAME.png   /_control/stats[?token=T|?summary=1]   POST /_control/reset\n"
"  POST /_control/fault?mode=SPEC&for=TOKEN|all[&count=N]  (loopback only)\n"
"\n"
"API errors (HTTP 200, <error><code>): -3 no requested attribute granted,\n"
"  102 unknown token, 103 expired token, 201 missing action/infos/token,\n"
"  202 unknown action or attribute name.\n"
"\n"
"Faults: a token \"fault:SPEC\" or \"fault:SPEC@TOKEN\" (answered as TOKEN's\n"
"user, else the first user), or the control endpoint.  SPEC is a comma list:\n"
"  delay=MS     wait MS before answering     stall      never answer\n"
"  stallbody    headers and half the body, then nothing\n"
"  status=N     HTTP status N, HTML body     notxml     200, HTML body\n"
"  code=N       200 (or status=N) with <error><code>N</code>\n"
"  truncate     complete HTTP answer, XML cut in half\n"
"  short        half the declared body, then FIN\n"
"  reset        half the declared body, then TCP RST\n"
"  drop         close the connection without an answer\n"
"  redirect     302 elsewhere                close      Connection: close\n"
"  oversize[=B] well-formed XML of B bytes (4 MiB)\n"
"  slow=BPS     send the body at BPS bytes per second\n"
"  tag=N        no fault: makes the token unique (fresh-token benchmarks)\n"
"  none         (control endpoint) remove the rule\n",
	    RP_DATADIR, RP_DATADIR);
}

static int
read_file(const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	struct rp_buf b = SIM_BUF_INIT;
	char chunk[4096];
	size_t n;
	int rc = -1;

	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rp_buf_append(&b, chunk, n);
	if (!ferror(f) && !b.failed && b.data != NULL) {
		*out = b.data;
		b.data = NULL;
		rc = 0;
	}
	fclose(f);
	rp_buf_free(&b);
	return rc;
}

/* Splits "host:port" / "[v6]:port" and resolves it numerically. */
static int
parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sslen,
    char *host, size_t hostlen, long *port)
{
	const char *colon = strrchr(s, ':');
	struct addrinfo hints = { 0 }, *res = NULL;
	char *end;
	size_t n;

	if (colon == NULL || colon == s)
		return -1;
	n = (size_t)(colon - s);
	if (s[0] == '[' && colon[-1] == ']') {
		s++;
		n -= 2;
	}
	if (n >= hostlen)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	errno = 0;
	*port = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || colon[1] == '\0' || *port < 0 ||
	    *port > 65535)
		return -1;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

enum {
	OPT_COOKIE = 256, OPT_LISTEN, OPT_PORTFILE, OPT_PUBLIC, OPT_USERS,
	OPT_PHOTOS, OPT_LIFETIME, OPT_DELAY, OPT_CERT, OPT_KEY, OPT_THREADS
};

static const struct option longopts[] = {
	{ "cookie", required_argument, NULL, OPT_COOKIE },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "port-file", required_argument, NULL, OPT_PORTFILE },
	{ "public-url", required_argument, NULL, OPT_PUBLIC },
	{ "users", required_argument, NULL, OPT_USERS },
	{ "photos", required_argument, NULL, OPT_PHOTOS },
	{ "token-lifetime", required_argument, NULL, OPT_LIFETIME },
	{ "delay-ms", required_argument, NULL, OPT_DELAY },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "tls-cert", required_argument, NULL, OPT_CERT },
	{ "tls-key", required_argument, NULL, OPT_KEY },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Options as given; main turns them into struct sim. */
struct opts {
	const char *config, *cookie, *listen, *port_file, *public_url;
	const char *users, *photos, *cert, *key;
	long lifetime_s, delay_ms;
	long threads;        /* 0: one thread per connection */
	int cookie_given;    /* --cookie wins over -c */
};

static int
num_arg(const char *opt, const char *s, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || s[0] == '\0' || v < 0 || v > max) {
		fprintf(stderr, "richprofile-sim: %s wants a number from 0 to %ld, "
		    "not '%s'\n", opt, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->cookie = "rp_token";
	o->listen = "127.0.0.1:8081";
	o->users = RP_DATADIR "/sim-users.conf";
	o->photos = RP_DATADIR "/sim-photos";
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1)
		switch (c) {
		case 'c': o->config = optarg; break;
		case OPT_COOKIE: o->cookie = optarg; o->cookie_given = 1; break;
		case OPT_LISTEN: o->listen = optarg; break;
		case OPT_PORTFILE: o->port_file = optarg; break;
		case OPT_PUBLIC: o->public_url = optarg; break;
		case OPT_USERS: o->users = optarg; break;
		case OPT_PHOTOS: o->photos = optarg; break;
		case OPT_CERT: o->cert = optarg; break;
		case OPT_KEY: o->key = optarg; break;
		case OPT_LIFETIME:
			if (num_arg("--token-lifetime", optarg, 100L * 365 * 86400,
			    &o->lifetime_s) != 0)
				return -1;
			break;
		case OPT_DELAY:
			if (num_arg("--delay-ms", optarg, 3600000, &o->delay_ms) != 0)
				return -1;
			break;
		case OPT_THREADS:
			if (num_arg("--threads", optarg, 64, &o->threads) != 0)
				return -1;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			fprintf(stderr, "richprofile-sim: see --help\n");
			return -1;
		}
	if (optind < argc) {
		fprintf(stderr, "richprofile-sim: unexpected argument '%s'; see --help\n",
		    argv[optind]);
		return -1;
	}
	if ((o->cert == NULL) != (o->key == NULL)) {
		fprintf(stderr, "richprofile-sim: --tls-cert and --tls-key go together\n");
		return -1;
	}
	return 0;
}

static int
write_port_file(const char *path, unsigned port)
{
	char tmp[PATH_MAX];
	FILE *f;

	/* Written then renamed, so a reader never sees half a number. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) ||
	    (f = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct sockaddr_storage ss;
	socklen_t sslen;
	char host[256], err[1024], cookie[256], *cert = NULL, *key = NULL;
	long port;
	unsigned bound;
	struct MHD_Daemon *d = NULL;
	struct sim_listen l;
	struct sigaction sa;
	sigset_t block, old;
	struct rp_buf url = SIM_BUF_INIT;
	size_t i;
	int rc = EXIT_FAILURE;

	if (parse_opts(argc, argv, &o) != 0)
		return 2;
	if (o.config != NULL && !o.cookie_given) {
		/* The site's own file: the sign-in page sets its cookie. */
		struct rp_cfg *cfg;

		if (rp_cfg_load(o.config, &cfg, err, sizeof(err)) != RP_OK) {
			fprintf(stderr, "richprofile-sim: %s\n", err);
			return 2;
		}
		snprintf(cookie, sizeof(cookie), "%s", cfg->session.cookie);
		o.cookie = cookie;
		rp_cfg_free(cfg);
	}
	if (!rp_cfg_cookie_name_ok(o.cookie)) {
		fprintf(stderr, "richprofile-sim: '%s' is not a valid cookie name\n",
		    o.cookie);
		return 2;
	}
	if (parse_listen(o.listen, &ss, &sslen, host, sizeof(host), &port) != 0) {
		fprintf(stderr, "richprofile-sim: --listen '%s' is not "
		    "NUMERIC-HOST:PORT (e.g. 127.0.0.1:0)\n", o.listen);
		return 2;
	}
	if (rp_hash_init() != 0) {
		fprintf(stderr, "richprofile-sim: libsodium failed to initialise\n");
		return 1;
	}
	sim_state_init();
	sim.lifetime_s = o.lifetime_s;
	sim.delay_ms = o.delay_ms;
	sim.tls = o.cert != NULL;
	if (sim_users_load(o.users, &sim.users, err, sizeof(err)) != 0) {
		fprintf(stderr, "richprofile-sim: %s\n", err);
		goto out;
	}
	for (i = 0; i < sim.users.n; i++)
		sim_user_reset(&sim.users.v[i]);
	if (sim.tls && (read_file(o.cert, &cert) != 0 ||
	    read_file(o.key, &key) != 0)) {
		fprintf(stderr, "richprofile-sim: cannot read %s: %s\n",
		    cert == NULL ? o.cert : o.key, strerror(errno));
		goto out;
	}
	if (sim.tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		fprintf(stderr, "richprofile-sim: this libmicrohttpd has no TLS "
		    "support; run without --tls-cert\n");
		goto out;
	}

	/* Signals go to this thread only: block them before threads start. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	pthread_sigmask(SIG_BLOCK, &block, &old);

	l.addr = (const struct sockaddr *)&ss;
	l.port = (unsigned)port;
	l.threads = o.threads;
	l.cert = cert;
	l.key = key;
	if (sim_server_start(&l, &d, &bound) != 0) {
		fprintf(stderr, "richprofile-sim: cannot listen on %s (in use? "
		    "not a local address?); pick another with --listen\n", o.listen);
		goto out;
	}
	rp_buf_appendf(&url, "%s://%s%s%s:%u", sim.tls ? "https" : "http",
	    ss.ss_family == AF_INET6 ? "[" : "", host,
	    ss.ss_family == AF_INET6 ? "]" : "", bound);
	sim.public_url = strdup(o.public_url != NULL ? o.public_url :
	    url.failed ? "" : url.data);
	sim.cookie = strdup(o.cookie);
	sim.photos = strdup(o.photos);
	if (url.failed || sim.public_url == NULL || sim.cookie == NULL ||
	    sim.photos == NULL) {
		fprintf(stderr, "richprofile-sim: out of memory\n");
		goto out;
	}
	/* No trailing slash, so paths can be appended. */
	while (sim.public_url[0] != '\0' &&
	    sim.public_url[strlen(sim.public_url) - 1] == '/')
		sim.public_url[strlen(sim.public_url) - 1] = '\0';
	if (o.port_file != NULL && write_port_file(o.port_file, bound) != 0) {
		fprintf(stderr, "richprofile-sim: cannot write %s: %s\n",
		    o.port_file, strerror(errno));
		goto out;
	}
	printf("listening on %s\n", url.data);
	fflush(stdout);

	while (!got_signal)
		sigsuspend(&old);
	fprintf(stderr, "richprofile-sim: stopping on signal %d\n",
	    (int)got_signal);
	rc = EXIT_SUCCESS;
out:
	/* Stalled and delayed answers wake first: stopping the daemon waits for them. */
	sim_state_stop();
	sim_server_stop(d);
	sim_state_free();
	free(cert);
	free(key);
	rp_buf_free(&url);
	return rc;
}
