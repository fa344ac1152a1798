/* server.c: the libmicrohttpd daemon: each request, its posted form and its route to the API, consent, sign-in or control handler. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sim.h"

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
sim_server_start(const struct sim_listen *l, struct MHD_Daemon **out,
    unsigned *bound)
{
	struct MHD_Daemon *d;
	struct MHD_OptionItem pool[2] = {
		{ MHD_OPTION_END, 0, NULL }, { MHD_OPTION_END, 0, NULL },
	};
	const union MHD_DaemonInfo *di;
	unsigned flags;

	/*
	 * A thread per connection lets a delayed or stalled answer wait
	 * without holding up others (the default); a pool costs fewer
	 * wake-ups per request (the benchmark's instant upstream).
	 */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    MHD_USE_ERROR_LOG | (l->threads == 0 ? MHD_USE_THREAD_PER_CONNECTION : 0);
	/*
	 * The pool size goes in only with a pool: libmicrohttpd warns on
	 * stderr ("Zero size ... is ignored") when it is given as 0, which
	 * thread-per-connection mode would otherwise do at every start.
	 */
	if (l->threads > 0) {
		pool[0].option = MHD_OPTION_THREAD_POOL_SIZE;
		pool[0].value = (intptr_t)l->threads;
	}
	if (l->addr->sa_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (l->cert != NULL)
		flags |= MHD_USE_TLS;
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_SOCK_ADDR, l->addr,
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
	    (size_t)(l->threads > 0 ? 16384 : 32768),
	    l->cert != NULL ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, l->cert,
	    MHD_OPTION_HTTPS_MEM_KEY, l->key,
	    MHD_OPTION_END);
	if (d == NULL)
		return -1;
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*bound = di != NULL ? di->port : l->port;
	*out = d;
	return 0;
}

void
sim_server_stop(struct MHD_Daemon *d)
{
	if (d != NULL)
		MHD_stop_daemon(d);
}
