/* simproc.c: starts and stops richprofile-sim for the C tests, and asks its control endpoint. */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>

#include "testutil.h"
#include "simproc.h"

char sim_url[128];
static pid_t sim_pid;

void
sim_start(void)
{
	int out[2];
	struct pollfd pfd;
	char line[256];
	size_t n = 0;
	char *nl;

	if (pipe(out) != 0)
		abort();
	if ((sim_pid = fork()) == 0) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execl(rp_test_buildpath("sim/richprofile-sim"),
		    "richprofile-sim", "--listen", "127.0.0.1:0",
		    "--users", rp_test_srcpath("conf/sim-users.conf"),
		    (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	pfd.fd = out[0];
	pfd.events = POLLIN;
	/* Bounded: ten seconds for the "listening on" line. */
	while ((nl = memchr(line, '\n', n)) == NULL) {
		ssize_t r;

		if (n == sizeof(line) || poll(&pfd, 1, 10000) <= 0 ||
		    (r = read(out[0], line + n, sizeof(line) - n)) <= 0) {
			fprintf(stderr, "richprofile-sim did not start\n");
			kill(sim_pid, SIGKILL);
			exit(EXIT_FAILURE);
		}
		n += (size_t)r;
	}
	*nl = '\0';
	if (sscanf(line, "listening on %127s", sim_url) != 1)
		abort();
	close(out[0]);
}

void
sim_stop(void)
{
	int status;

	kill(sim_pid, SIGTERM);
	if (waitpid(sim_pid, &status, 0) != sim_pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "richprofile-sim did not stop cleanly\n");
		exit(EXIT_FAILURE);
	}
}

struct body {
	char *data;
	size_t len;
};

static size_t
collect(char *p, size_t size, size_t n, void *cls)
{
	struct body *b = cls;
	char *nd = realloc(b->data, b->len + size * n + 1);

	if (nd == NULL)
		return 0;
	memcpy(nd + b->len, p, size * n);
	b->len += size * n;
	nd[b->len] = '\0';
	b->data = nd;
	return size * n;
}

char *
sim_http(const char *path, int post, long *status)
{
	struct body b = { NULL, 0 };
	CURL *c = curl_easy_init();
	char url[2048];

	ck_assert_ptr_nonnull(c);
	snprintf(url, sizeof(url), "%s%s", sim_url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	if (post)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	if (b.data == NULL)
		b.data = calloc(1, 1);
	ck_assert_ptr_nonnull(b.data);
	return b.data;
}

long
sim_stat(const char *query, const char *field)
{
	char path[512], key[64], *body, *p;
	long status, v = 0;

	snprintf(path, sizeof(path), "/_control/stats%s", query);
	snprintf(key, sizeof(key), "\"%s\":", field);
	body = sim_http(path, 0, &status);
	ck_assert_int_eq(status, 200);
	if ((p = strstr(body, key)) != NULL)
		v = strtol(p + strlen(key), NULL, 10);
	free(body);
	return v;
}
