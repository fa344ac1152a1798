/* control.c: the loopback-only control endpoint: counters, fault rules, reset. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "sim.h"

static int
from_loopback(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return 0;
}

static enum MHD_Result
json(struct MHD_Connection *conn, struct rp_buf *b)
{
	enum MHD_Result rc;

	rc = b->failed ? sim_reply_error(conn, 500, "out of memory") :
	    sim_reply(conn, MHD_HTTP_OK, "application/json", b->data, b->len);
	rp_buf_free(b);
	return rc;
}

static enum MHD_Result
stats(struct sim_req *r)
{
	const char *token = sim_arg(r->conn, "token");
	const char *summary = sim_arg(r->conn, "summary");
	struct rp_buf b = SIM_BUF_INIT;
	size_t i;

	pthread_mutex_lock(&sim.lock);
	if (token != NULL) {
		char fp[RP_FINGERPRINT_LEN + 1];
		const struct sim_count *c;

		rp_hash_fingerprint(token, strlen(token), fp);
		c = sim_count_find(fp);
		rp_buf_appendf(&b, "{\"fingerprint\":\"%s\",\"requests\":%lu,"
		    "\"headers\":%s}\n", fp, c != NULL ? c->n : 0UL,
		    c != NULL && c->headers != NULL ? c->headers : "[]");
	} else {
		rp_buf_appendf(&b, "{\"requests\":%lu,\"api_requests\":%lu,"
		    "\"connections\":%lu,\"open_connections\":%lu,\"tokens\":{",
		    sim.requests, sim.api_requests, sim.connections,
		    sim.open_connections);
		/* ?summary=1: the counters alone (a benchmark's tens of
		 * thousands of tokens would not fit an answer). */
		for (i = 0; summary == NULL && i < sim.ncounts; i++) {
			const struct sim_count *c = &sim.counts[i];

			rp_buf_appendf(&b, "%s\"%s\":{\"user\":", i ? "," : "", c->fp);
			if (c->user != NULL)
				sim_json(&b, c->user);
			else
				rp_buf_puts(&b, "null");
			rp_buf_appendf(&b, ",\"requests\":%lu}", c->n);
		}
		rp_buf_puts(&b, "}}\n");
	}
	pthread_mutex_unlock(&sim.lock);
	return json(r->conn, &b);
}

/* POST /_control/fault?mode=SPEC&for=TOKEN|all[&count=N] */
static enum MHD_Result
fault(struct sim_req *r)
{
	const char *mode = sim_arg(r->conn, "mode");
	const char *target = sim_arg(r->conn, "for");
	const char *count = sim_arg(r->conn, "count");
	struct sim_rule rule;
	struct sim_rule *v;
	char err[256], *end;
	size_t i;

	memset(&rule, 0, sizeof(rule));
	rule.remaining = -1;
	if (mode == NULL || target == NULL || target[0] == '\0')
		return sim_reply_error(r->conn, MHD_HTTP_BAD_REQUEST,
		    "fault: give mode=SPEC and for=TOKEN or for=all");
	if (sim_fault_parse(mode, &rule.fault, err, sizeof(err)) != 0)
		return sim_reply_error(r->conn, MHD_HTTP_BAD_REQUEST, err);
	if (count != NULL) {
		errno = 0;
		rule.remaining = strtol(count, &end, 10);
		if (errno != 0 || *end != '\0' || count[0] == '\0' ||
		    rule.remaining < 1)
			return sim_reply_error(r->conn, MHD_HTTP_BAD_REQUEST,
			    "fault: count must be a positive number of answers");
	}
	if (strcmp(target, "all") != 0 && (rule.token = strdup(target)) == NULL)
		return sim_reply_error(r->conn, 500, "out of memory");

	pthread_mutex_lock(&sim.lock);
	/* One rule per target: a new one replaces the old. */
	for (i = 0; i < sim.nrules; i++)
		if ((sim.rules[i].token == NULL) == (rule.token == NULL) &&
		    (rule.token == NULL ||
		    strcmp(sim.rules[i].token, rule.token) == 0)) {
			free(sim.rules[i].token);
			memmove(&sim.rules[i], &sim.rules[i + 1],
			    (sim.nrules - i - 1) * sizeof(sim.rules[0]));
			sim.nrules--;
			break;
		}
	if (sim_fault_any(&rule.fault)) {
		if ((v = realloc(sim.rules, (sim.nrules + 1) * sizeof(*v))) == NULL) {
			pthread_mutex_unlock(&sim.lock);
			free(rule.token);
			return sim_reply_error(r->conn, 500, "out of memory");
		}
		sim.rules = v;
		/* Token rules first, so they win over "all". */
		if (rule.token != NULL) {
			memmove(&v[1], &v[0], sim.nrules * sizeof(*v));
			v[0] = rule;
		} else
			v[sim.nrules] = rule;
		sim.nrules++;
	} else
		free(rule.token);
	pthread_mutex_unlock(&sim.lock);
	return sim_reply_error(r->conn, MHD_HTTP_OK, "ok");
}

/* POST /_control/reset: no faults, zero counters, every user as the users file has them. */
static enum MHD_Result
reset(struct sim_req *r)
{
	size_t i;

	pthread_mutex_lock(&sim.lock);
	for (i = 0; i < sim.nrules; i++)
		free(sim.rules[i].token);
	free(sim.rules);
	sim.rules = NULL;
	sim.nrules = 0;
	sim_counts_free();
	sim.requests = sim.api_requests = sim.connections = 0;
	for (i = 0; i < sim.users.n; i++)
		sim_user_reset(&sim.users.v[i]);
	pthread_mutex_unlock(&sim.lock);
	return sim_reply_error(r->conn, MHD_HTTP_OK, "ok");
}

enum MHD_Result
sim_control(struct sim_req *r)
{
	const char *what = r->path + strlen("/_control/");
	int post = strcmp(r->method, "POST") == 0;

	if (!from_loopback(r->conn))
		return sim_reply_error(r->conn, MHD_HTTP_FORBIDDEN,
		    "the control endpoint answers loopback clients only");
	if (strcmp(what, "stats") == 0 && strcmp(r->method, "GET") == 0)
		return stats(r);
	if (strcmp(what, "fault") == 0 && post)
		return fault(r);
	if (strcmp(what, "reset") == 0 && post)
		return reset(r);
	return sim_reply_error(r->conn, MHD_HTTP_NOT_FOUND,
	    "control: GET /_control/stats[?token=T|?summary=1], POST /_control/fault?"
	    "mode=SPEC&for=TOKEN|all[&count=N], POST /_control/reset");
}
