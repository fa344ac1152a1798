/* main.c: richprofile-sim start-up, the HTTP server (libmicrohttpd), routing and shared helpers. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cfg.h"
#include "err.h"
#include "hash.h"
#include "sim.h"

#ifndef RP_DATADIR
#define RP_DATADIR "/usr/share/richprofile"
#endif

struct sim sim;

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

int
sim_sleep_ms(long ms)
{
	struct timespec until;
	int stopped;

	if (ms == 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &until);
	if (ms > 0) {
		until.tv_sec += ms / 1000;
		until.tv_nsec += (ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&sim.lock);
	while (!sim.stopping) {
		if (ms < 0)
			pthread_cond_wait(&sim.wake, &sim.lock);
		else if (pthread_cond_timedwait(&sim.wake, &sim.lock, &until) ==
		    ETIMEDOUT)
			break;
	}
	stopped = sim.stopping;
	pthread_mutex_unlock(&sim.lock);
	return stopped;
}

/* ---- replies ---- */

enum MHD_Result
sim_reply(struct MHD_Connection *conn, unsigned status, const char *type,
    const char *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
sim_reply_error(struct MHD_Connection *conn, unsigned status,
    const char *message)
{
	struct rp_buf b = SIM_BUF_INIT;
	enum MHD_Result ret;

	rp_buf_puts(&b, message);
	rp_buf_puts(&b, "\n");
	ret = b.failed ? MHD_NO : sim_reply(conn, status,
	    "text/plain; charset=UTF-8", b.data, b.len);
	rp_buf_free(&b);
	return ret;
}

enum MHD_Result
sim_reply_html(struct MHD_Connection *conn, struct rp_buf *b)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	if (b->failed) {
		rp_buf_free(b);
		return sim_reply_error(conn, 500, "out of memory");
	}
	resp = MHD_create_response_from_buffer(b->len, b->data, MHD_RESPMEM_MUST_COPY);
	rp_buf_free(b);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/html; charset=UTF-8");
	/* No script on any page: buttons and links only. */
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'none'; style-src 'unsafe-inline'; img-src *");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

enum MHD_Result
sim_redirect(struct MHD_Connection *conn, unsigned status,
    const char *location, const char *set_cookie)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(0, (void *)"",
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION,
	    location) != MHD_YES ||
	    (set_cookie != NULL && MHD_add_response_header(resp,
	    MHD_HTTP_HEADER_SET_COOKIE, set_cookie) != MHD_YES)) {
		MHD_destroy_response(resp);
		return sim_reply_error(conn, 400,
		    "the redirect target or cookie cannot go into a header");
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

const char *
sim_arg(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
sim_form(const struct sim_req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nform; i++)
		if (strcmp(r->form[i].name, name) == 0)
			return r->form[i].value;
	return NULL;
}

int
sim_local_path(const char *p)
{
	if (p[0] != '/' || p[1] == '/' || p[1] == '\\')
		return 0;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return 0;
	return 1;
}

/* ---- users and counters ---- */

struct sim_user *
sim_user_by_token(const char *token)
{
	size_t i;

	for (i = 0; i < sim.users.n; i++)
		if (strcmp(sim.users.v[i].token, token) == 0)
			return &sim.users.v[i];
	return NULL;
}

struct sim_user *
sim_user_by_id(const char *id)
{
	size_t i;

	for (i = 0; i < sim.users.n; i++)
		if (strcmp(sim.users.v[i].id, id) == 0)
			return &sim.users.v[i];
	return NULL;
}

struct sim_user *
sim_user_by_ctx(const char *ctx)
{
	size_t i;

	for (i = 0; i < sim.users.n; i++)
		if (strcmp(sim.users.v[i].ctx, ctx) == 0)
			return &sim.users.v[i];
	return NULL;
}

void
sim_user_reset(struct sim_user *u)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[SIM_CTX_LEN / 2];
	size_t i;

	u->refused = u->refused_initial;
	u->once = 0;
	clock_gettime(CLOCK_MONOTONIC, &u->issued);
	/* A fresh opaque id: old privacy links stop working, like a new session. */
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++) {
		u->ctx[2 * i] = hex[rnd[i] >> 4];
		u->ctx[2 * i + 1] = hex[rnd[i] & 15];
	}
	u->ctx[SIM_CTX_LEN] = '\0';
}

/*
 * Per-token counters: an array in first-seen order (what stats lists) and
 * an open-addressing index over it, so that a run of fresh tokens (the
 * benchmark's cache misses) costs the simulator constant time per request
 * rather than a scan of every token seen.  A fingerprint is already a
 * keyed hash, so its leading hex digits place it.  Lock held.
 */
static size_t
count_home(const char *fp, size_t mask)
{
	return (size_t)strtoull(fp, NULL, 16) & mask;
}

struct sim_count *
sim_count_find(const char *fp)
{
	size_t mask = sim.nindex - 1, i;

	if (sim.nindex == 0)
		return NULL;
	for (i = count_home(fp, mask); sim.index[i] != 0; i = (i + 1) & mask)
		if (strcmp(sim.counts[sim.index[i] - 1].fp, fp) == 0)
			return &sim.counts[sim.index[i] - 1];
	return NULL;
}

/* Places count number i (0-based) in index v of n slots. */
static void
count_place(size_t *v, size_t n, size_t i)
{
	size_t j;

	for (j = count_home(sim.counts[i].fp, n - 1); v[j] != 0; j = (j + 1) & (n - 1))
		;
	v[j] = i + 1;
}

/* Room for one more count; the index stays at most half full. */
static int
count_reserve(void)
{
	size_t i, n;

	if (sim.ncounts == sim.capcounts) {
		struct sim_count *c;

		n = sim.capcounts ? sim.capcounts * 2 : 64;
		if ((c = realloc(sim.counts, n * sizeof(*c))) == NULL)
			return -1;
		sim.counts = c;
		sim.capcounts = n;
	}
	if (2 * (sim.ncounts + 1) > sim.nindex) {
		size_t *v;

		n = sim.nindex ? sim.nindex * 2 : 128;
		if ((v = calloc(n, sizeof(*v))) == NULL)
			return -1;
		for (i = 0; i < sim.ncounts; i++)
			count_place(v, n, i);
		free(sim.index);
		sim.index = v;
		sim.nindex = n;
	}
	return 0;
}

void
sim_count_token(const char *token, const struct sim_user *u)
{
	char fp[RP_FINGERPRINT_LEN + 1];
	struct sim_count *c;

	rp_hash_fingerprint(token, strlen(token), fp);
	if ((c = sim_count_find(fp)) != NULL) {
		c->n++;
		return;
	}
	if (count_reserve() != 0)
		return;
	c = &sim.counts[sim.ncounts];
	memcpy(c->fp, fp, sizeof(fp));
	c->user = u != NULL ? u->id : NULL;
	c->n = 1;
	count_place(sim.index, sim.nindex, sim.ncounts++);
}

void
sim_counts_free(void)
{
	free(sim.counts);
	free(sim.index);
	sim.counts = NULL;
	sim.index = NULL;
	sim.ncounts = sim.capcounts = sim.nindex = 0;
}

/* ---- the HTTP server ---- */

typedef enum MHD_Result (*route_fn)(struct sim_req *);

/* Paths to handlers; a trailing '/' in path matches every path below it. */
static const struct route {
	const char *path;
	route_fn fn;
} routes[] = {
	{ SIM_API_PATH, sim_api },
	{ SIM_PRIVACY_PATH, sim_privacy },
	{ "/signin", sim_signin },
	{ "/signout", sim_signout },
	{ "/photos/", sim_photo },
	{ "/_control/", sim_control },
	{ "/", sim_index },
};

static route_fn
route(const char *path)
{
	size_t i, n;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		n = strlen(routes[i].path);
		if (strcmp(path, routes[i].path) == 0)
			return routes[i].fn;
		if (n > 1 && routes[i].path[n - 1] == '/' &&
		    strncmp(path, routes[i].path, n) == 0)
			return routes[i].fn;
	}
	/* The API base with a trailing slash is the API too. */
	if (strcmp(path, SIM_API_PATH "/") == 0)
		return sim_api;
	return NULL;
}

static enum MHD_Result
post_field(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct sim_req *r = cls;
	size_t i, have;
	char *v;

	for (i = 0; i < r->nform; i++)
		if (strcmp(r->form[i].name, key) == 0)
			break;
	if (i == r->nform) {
		if (r->nform == SIM_FORM_MAX) {
			r->form_bad = 1;
			return MHD_NO;
		}
		if ((r->form[i].name = strdup(key)) == NULL ||
		    (r->form[i].value = calloc(1, 1)) == NULL) {
			free(r->form[i].name);
			r->form_bad = 1;
			return MHD_NO;
		}
		r->nform++;
	}
	/* Values may arrive in pieces. */
	have = strlen(r->form[i].value);
	if (have + size > SIM_FORM_VALUE_MAX ||
	    (v = realloc(r->form[i].value, have + size + 1)) == NULL) {
		r->form_bad = 1;
		return MHD_NO;
	}
	memcpy(v + have, data, size);
	v[have + size] = '\0';
	r->form[i].value = v;
	return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct sim_req *r = *con_cls;
	route_fn fn;

	if (r == NULL) {
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		r->conn = conn;
		r->method = method;
		r->path = url;
		if (strcmp(method, "POST") == 0)
			r->pp = MHD_create_post_processor(conn, 4096, post_field, r);
		*con_cls = r;
		pthread_mutex_lock(&sim.lock);
		sim.requests++;
		pthread_mutex_unlock(&sim.lock);
		return MHD_YES;
	}
	if (*upload_size != 0) {
		if (r->pp != NULL && !r->form_bad)
			MHD_post_process(r->pp, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if ((fn = route(url)) == NULL)
		return sim_reply_error(conn, MHD_HTTP_NOT_FOUND,
		    "not found: this simulator serves " SIM_API_PATH ", "
		    SIM_PRIVACY_PATH ", /signin, /signout, /photos/ and /_control/");
	return fn(r);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct sim_req *r = *con_cls;
	size_t i;

	if (r == NULL)
		return;
	if (r->pp != NULL)
		MHD_destroy_post_processor(r->pp);
	for (i = 0; i < r->nform; i++) {
		free(r->form[i].name);
		free(r->form[i].value);
	}
	free(r);
	*con_cls = NULL;
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
    enum MHD_ConnectionNotificationCode toe)
{
	pthread_mutex_lock(&sim.lock);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		sim.connections++;
		sim.open_connections++;
	} else if (sim.open_connections > 0)
		sim.open_connections--;
	pthread_mutex_unlock(&sim.lock);
}

/* ---- start-up ---- */

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
"  /photos/NAME.png   /_control/stats[?token=T]   POST /_control/reset\n"
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
	unsigned flags, bound;
	struct MHD_Daemon *d = NULL;
	struct MHD_OptionItem pool[2] = {
		{ MHD_OPTION_END, 0, NULL }, { MHD_OPTION_END, 0, NULL },
	};
	const union MHD_DaemonInfo *di;
	struct sigaction sa;
	sigset_t block, old;
	pthread_condattr_t ca;
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
	pthread_mutex_init(&sim.lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sim.wake, &ca);
	pthread_condattr_destroy(&ca);
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

	/*
	 * A thread per connection lets a delayed or stalled answer wait
	 * without holding up others (the default); a pool costs fewer
	 * wake-ups per request (the benchmark's instant upstream).
	 */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    MHD_USE_ERROR_LOG | (o.threads == 0 ? MHD_USE_THREAD_PER_CONNECTION : 0);
	/*
	 * The pool size goes in only with a pool: libmicrohttpd warns on
	 * stderr ("Zero size ... is ignored") when it is given as 0, which
	 * thread-per-connection mode would otherwise do at every start.
	 */
	if (o.threads > 0) {
		pool[0].option = MHD_OPTION_THREAD_POOL_SIZE;
		pool[0].value = (intptr_t)o.threads;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (sim.tls)
		flags |= MHD_USE_TLS;
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
	    MHD_OPTION_ARRAY, pool,
	    /*
	     * MHD zeroes a connection's memory pool (32 KiB by default) for
	     * every request: half of a pooled answer's instructions.  The
	     * pool (the benchmark's instant upstream) takes 16 KiB, room for
	     * a request line carrying the longest token the program sends.
	     */
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)(o.threads > 0 ? 16384 : 32768),
	    sim.tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
	    MHD_OPTION_HTTPS_MEM_KEY, key,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "richprofile-sim: cannot listen on %s (in use? "
		    "not a local address?); pick another with --listen\n", o.listen);
		goto out;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	bound = di != NULL ? di->port : (unsigned)port;
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
	pthread_mutex_lock(&sim.lock);
	sim.stopping = 1;
	pthread_cond_broadcast(&sim.wake);
	pthread_mutex_unlock(&sim.lock);
	if (d != NULL)
		MHD_stop_daemon(d);
	sim_users_free(&sim.users);
	for (i = 0; i < sim.nrules; i++)
		free(sim.rules[i].token);
	free(sim.rules);
	sim_counts_free();
	free(sim.public_url);
	free(sim.cookie);
	free(sim.photos);
	free(cert);
	free(key);
	rp_buf_free(&url);
	return rc;
}
