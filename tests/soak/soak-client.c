/*
 * soak-client.c: many concurrent users against the real stack; checks
 * that every answer is the right one for the cookie that asked for it.
 *
 * Reads a users file of lines "TOKEN<TAB>STATUS<TAB>MARKER": the token
 * goes into the session cookie (an empty token: no cookie at all),
 * STATUS is the X-RichProfile-Status expected ("ok", "partial", ...) and
 * MARKER a string only this user's profile contains ("-": none).  Every
 * marker starts with --prefix and is followed by digits, so an answer
 * showing anybody else's data is caught by finding another marker in it.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct user {
	char *token;
	char *status;
	char *marker;      /* NULL: none */
};

#define MAX_URLS 8

static struct {
	const char *urls[MAX_URLS];
	size_t nurls;
	const char *cookie, *prefix;
	struct user *users;
	size_t nusers;
	long threads, requests, timeout_ms;
	int verbose;
} opt = { { NULL }, 0, "rp_token", "Soakuser", NULL, 0, 8, 10000, 10000, 0 };

/* What one worker saw. */
struct worker {
	pthread_t t;
	unsigned seed;
	long n;                  /* requests to make */
	long ok, bad, transport;
	long stale;              /* answers marked X-RichProfile-Stale */
	long by_status[6];
	double *lat_ms;
	char first_error[512];
};

static const char *statuses[] = { "ok", "partial", "consent", "signin",
    "unavailable", NULL };

struct answer {
	char status[32];
	char cache_control[128];
	int stale;
	char *body;
	size_t len, cap;
};

static size_t
on_header(char *buf, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t len = size * n, k;
	struct {
		const char *name;
		char *dst;
		size_t cap;
	} want[] = {
		{ "X-RichProfile-Status:", a->status, sizeof(a->status) },
		{ "Cache-Control:", a->cache_control, sizeof(a->cache_control) },
	};

	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		size_t nl = strlen(want[k].name), vl;
		const char *v = buf + nl;

		if (len <= nl || strncasecmp(buf, want[k].name, nl) != 0)
			continue;
		while (v < buf + len && *v == ' ')
			v++;
		vl = (size_t)(buf + len - v);
		while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
			vl--;
		if (vl >= want[k].cap)
			vl = want[k].cap - 1;
		memcpy(want[k].dst, v, vl);
		want[k].dst[vl] = '\0';
	}
	if (len > 20 && strncasecmp(buf, "X-RichProfile-Stale:", 20) == 0)
		a->stale = 1;
	return len;
}

static size_t
on_body(char *buf, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t len = size * n;
	char *nb;

	if (a->len + len + 1 > a->cap) {
		a->cap = (a->len + len + 1) * 2;
		if ((nb = realloc(a->body, a->cap)) == NULL)
			return 0;
		a->body = nb;
	}
	memcpy(a->body + a->len, buf, len);
	a->len += len;
	a->body[a->len] = '\0';
	return len;
}

/* NULL when body holds u's marker and nobody else's; else what is wrong. */
static const char *
foreign_data(const struct answer *a, const struct user *u, char *why,
    size_t size)
{
	size_t pl = strlen(opt.prefix), ml;
	const char *p = a->body;

	if (u->marker != NULL && strstr(a->body, u->marker) == NULL) {
		snprintf(why, size, "the user's own data (%s) is missing", u->marker);
		return why;
	}
	while ((p = strstr(p, opt.prefix)) != NULL) {
		ml = pl;
		while (p[ml] >= '0' && p[ml] <= '9')
			ml++;
		if (ml > pl && (u->marker == NULL ||
		    strlen(u->marker) != ml || memcmp(p, u->marker, ml) != 0)) {
			snprintf(why, size, "another user's data (%.*s) shown",
			    (int)ml, p);
			return why;
		}
		p += ml;
	}
	return NULL;
}

/* The HTTP status the web server must give: JSON says the outcome in it. */
static long
expected_http(const char *url, const char *status)
{
	static const struct {
		const char *status;
		long http;
	} json[] = {
		{ "ok", 200 }, { "partial", 200 }, { "consent", 403 },
		{ "signin", 401 }, { "unavailable", 503 },
	};
	size_t k;

	if (strstr(url, "profile.json") == NULL)
		return 200;
	for (k = 0; k < sizeof(json) / sizeof(json[0]); k++)
		if (strcmp(json[k].status, status) == 0)
			return json[k].http;
	return 0;
}

/* Whether the body is the answer for status: the fragment's class, or JSON's field. */
static int
body_says(const char *url, const char *body, const char *status)
{
	char want[64];

	if (strstr(url, "profile.json") != NULL)
		snprintf(want, sizeof(want), "{\"status\":\"%s\"", status);
	else
		snprintf(want, sizeof(want), "class=\"rp rp-%s", status);
	return strstr(body, want) != NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
fail(struct worker *w, const struct user *u, const char *what)
{
	w->bad++;
	if (w->first_error[0] == '\0')
		snprintf(w->first_error, sizeof(w->first_error),
		    "user %s (expects %s): %s", u->marker != NULL ? u->marker :
		    "without data", u->status, what);
	if (opt.verbose)
		fprintf(stderr, "soak-client: %s\n", what);
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct answer a = { .body = NULL };
	CURL *h = curl_easy_init();
	char cookie[8192], why[256];
	const struct user *u;
	const char *url;
	long i, code;
	double t0;
	int k;

	if (h == NULL) {
		w->transport = w->n;
		return NULL;
	}
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, opt.timeout_ms);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &a);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
	for (i = 0; i < w->n; i++) {
		u = &opt.users[rand_r(&w->seed) % opt.nusers];
		url = opt.urls[rand_r(&w->seed) % opt.nurls];
		curl_easy_setopt(h, CURLOPT_URL, url);
		if (u->token[0] != '\0') {
			snprintf(cookie, sizeof(cookie), "%s=%s", opt.cookie, u->token);
			curl_easy_setopt(h, CURLOPT_COOKIE, cookie);
		} else
			curl_easy_setopt(h, CURLOPT_COOKIE, NULL);
		a.status[0] = a.cache_control[0] = '\0';
		a.stale = 0;
		a.len = 0;
		if (a.body != NULL)
			a.body[0] = '\0';
		t0 = now_ms();
		if (curl_easy_perform(h) != CURLE_OK) {
			w->transport++;
			fail(w, u, "no HTTP answer");
			continue;
		}
		w->lat_ms[i] = now_ms() - t0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if (a.body == NULL)
			on_body("", 1, 0, &a);
		if (code != expected_http(url, u->status)) {
			snprintf(why, sizeof(why), "HTTP status %ld from %s", code, url);
			fail(w, u, why);
		} else if (strcmp(a.status, u->status) != 0) {
			snprintf(why, sizeof(why), "X-RichProfile-Status '%s' from %s",
			    a.status, url);
			fail(w, u, why);
		} else if (!body_says(url, a.body, u->status)) {
			snprintf(why, sizeof(why), "the body from %s is not the %s answer",
			    url, u->status);
			fail(w, u, why);
		} else if (strstr(a.cache_control, "private") == NULL ||
		    strstr(a.cache_control, "no-store") == NULL) {
			snprintf(why, sizeof(why), "Cache-Control '%s'", a.cache_control);
			fail(w, u, why);
		} else if (foreign_data(&a, u, why, sizeof(why)) != NULL)
			fail(w, u, why);
		else {
			w->ok++;
			for (k = 0; statuses[k] != NULL; k++)
				if (strcmp(a.status, statuses[k]) == 0)
					w->by_status[k]++;
		}
		w->stale += a.stale;
	}
	free(a.body);
	curl_easy_cleanup(h);
	return NULL;
}

static int
load_users(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[8192], *tab1, *tab2;
	size_t cap = 0;
	struct user *nu;

	if (f == NULL) {
		fprintf(stderr, "soak-client: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((tab1 = strchr(line, '\t')) == NULL ||
		    (tab2 = strchr(tab1 + 1, '\t')) == NULL) {
			fprintf(stderr, "soak-client: %s: expected TOKEN<TAB>STATUS<TAB>MARKER\n", path);
			fclose(f);
			return -1;
		}
		*tab1 = *tab2 = '\0';
		if (opt.nusers == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nu = realloc(opt.users, cap * sizeof(*nu))) == NULL)
				abort();
			opt.users = nu;
		}
		nu = &opt.users[opt.nusers++];
		nu->token = strdup(line);
		nu->status = strdup(tab1 + 1);
		nu->marker = strcmp(tab2 + 1, "-") == 0 ? NULL : strdup(tab2 + 1);
	}
	fclose(f);
	if (opt.nusers == 0) {
		fprintf(stderr, "soak-client: %s lists no users\n", path);
		return -1;
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: soak-client --url URL [--url URL...] --users FILE [--cookie NAME] "
	    "[--prefix MARKERPREFIX] [--threads N] [--requests N] "
	    "[--timeout-ms MS] [--verbose]\n");
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "users", required_argument, NULL, 'U' },
		{ "cookie", required_argument, NULL, 'c' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "requests", required_argument, NULL, 'n' },
		{ "timeout-ms", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct worker *w;
	double t0, secs, *all;
	long i, total = 0, ok = 0, bad = 0, transport = 0, stale = 0, k;
	long by[6] = { 0 };
	const char *users = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'u':
			if (opt.nurls == MAX_URLS) {
				fprintf(stderr, "soak-client: at most %d --url\n", MAX_URLS);
				return 2;
			}
			opt.urls[opt.nurls++] = optarg;
			break;
		case 'U': users = optarg; break;
		case 'c': opt.cookie = optarg; break;
		case 'p': opt.prefix = optarg; break;
		case 't': opt.threads = strtol(optarg, NULL, 10); break;
		case 'n': opt.requests = strtol(optarg, NULL, 10); break;
		case 'T': opt.timeout_ms = strtol(optarg, NULL, 10); break;
		case 'v': opt.verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (opt.nurls == 0 || users == NULL || opt.threads < 1 ||
	    opt.threads > 1024 || opt.requests < opt.threads) {
		usage(stderr);
		return 2;
	}
	if (load_users(users) != 0)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((w = calloc((size_t)opt.threads, sizeof(*w))) == NULL ||
	    (all = calloc((size_t)opt.requests, sizeof(*all))) == NULL)
		abort();
	t0 = now_ms();
	for (i = 0, k = 0; i < opt.threads; i++) {
		w[i].seed = (unsigned)i * 2654435761u + 1;
		w[i].n = opt.requests / opt.threads +
		    (i < opt.requests % opt.threads);
		w[i].lat_ms = all + k;
		k += w[i].n;
		pthread_create(&w[i].t, NULL, work, &w[i]);
	}
	for (i = 0; i < opt.threads; i++) {
		pthread_join(w[i].t, NULL);
		total += w[i].n;
		ok += w[i].ok;
		bad += w[i].bad;
		transport += w[i].transport;
		stale += w[i].stale;
		for (k = 0; k < 6; k++)
			by[k] += w[i].by_status[k];
	}
	secs = (now_ms() - t0) / 1e3;
	qsort(all, (size_t)total, sizeof(*all), cmp_double);
	printf("requests %ld ok %ld wrong %ld (transport %ld) stale %ld "
	    "in %.1f s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
	    total, ok, bad, transport, stale, secs, total / secs,
	    all[total / 2], all[total * 99 / 100], all[total - 1]);
	printf("statuses:");
	for (k = 0; statuses[k] != NULL; k++)
		printf(" %s %ld", statuses[k], by[k]);
	printf("\n");
	for (i = 0; i < opt.threads; i++)
		if (w[i].first_error[0] != '\0') {
			printf("first wrong answer: %s\n", w[i].first_error);
			break;
		}
	curl_global_cleanup();
	/* Freed so that LeakSanitizer, in the sanitizer build, sees no leak. */
	free(all);
	free(w);
	for (i = 0; i < (long)opt.nusers; i++) {
		free(opt.users[i].token);
		free(opt.users[i].status);
		free(opt.users[i].marker);
	}
	free(opt.users);
	return bad == 0 ? 0 : 1;
}
