/*
 * peer_fragment.c: peer (r2) of `make bench`: the plainest C program
 * doing the program's uncached work -- read the session cookie, one
 * libcurl GET to the API on a per-thread easy handle kept alive, an
 * expat parse of the answer, one fixed card template with HTML escaping
 * -- with no cache, configuration, log, metrics, breaker or checks
 * beyond what a correct answer needs.  What the program's cache misses
 * are measured against.
 *
 *   peer_fragment SOCKET ENDPOINT [THREADS]   (8 threads)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <expat.h>
#include <fcgiapp.h>

#define INFOS "Firstname,Lastname,Displayname,PictureTagSmallURL," \
	"PictureTagMediumURL,CentersOfInterests,PreferredLanguage"

enum field { F_FIRST, F_LAST, F_DISPLAY, F_SMALL, F_MEDIUM, F_LANG, F_NFIELDS };
static const char *const names[F_NFIELDS] = {
	"Firstname", "Lastname", "Displayname", "PictureTagSmallURL",
	"PictureTagMediumURL", "PreferredLanguage",
};

struct worker {
	CURL *easy;
	XML_Parser xp;
	int ok;                   /* the parse went well */
	int cur;                  /* field being read, -1 none, F_NFIELDS: interest */
	char text[F_NFIELDS][512];
	size_t len[F_NFIELDS];
	char tags[8][128];
	size_t taglen[8];
	int ntags;
	char out[8192];
	size_t outlen;
};

static int listen_fd;
static const char *endpoint;

static void
on_start(void *arg, const XML_Char *name, const XML_Char **atts)
{
	struct worker *w = arg;
	int i;

	(void)atts;
	w->cur = -1;
	if (strcmp(name, "CenterOfInterest") == 0 && w->ntags < 8) {
		w->cur = F_NFIELDS;
		w->taglen[w->ntags] = 0;
		return;
	}
	for (i = 0; i < F_NFIELDS; i++)
		if (strcmp(name, names[i]) == 0)
			w->cur = i;
}

static void
on_end(void *arg, const XML_Char *name)
{
	struct worker *w = arg;

	if (w->cur == F_NFIELDS)
		w->ntags++;
	w->cur = -1;
	(void)name;
}

static void
on_text(void *arg, const XML_Char *s, int n)
{
	struct worker *w = arg;
	char *dst;
	size_t *len, cap;

	if (w->cur < 0)
		return;
	if (w->cur == F_NFIELDS) {
		dst = w->tags[w->ntags], len = &w->taglen[w->ntags], cap = 127;
	} else {
		dst = w->text[w->cur], len = &w->len[w->cur], cap = 511;
	}
	if (*len + (size_t)n > cap)
		n = (int)(cap - *len);
	memcpy(dst + *len, s, (size_t)n);
	*len += (size_t)n;
}

static size_t
on_body(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct worker *w = arg;

	if (XML_Parse(w->xp, buf, (int)(size * nmemb), 0) != XML_STATUS_OK)
		return 0;
	return size * nmemb;
}

static void
put(struct worker *w, const char *s, size_t n)
{
	if (w->outlen + n < sizeof(w->out)) {
		memcpy(w->out + w->outlen, s, n);
		w->outlen += n;
	}
}

static void
puts_(struct worker *w, const char *s)
{
	put(w, s, strlen(s));
}

static void
put_esc(struct worker *w, const char *s, size_t n)
{
	size_t i, from = 0;
	const char *e;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: continue;
		}
		put(w, s + from, i - from);
		puts_(w, e);
		from = i + 1;
	}
	put(w, s + from, n - from);
}

static void
render(struct worker *w)
{
	int i, pic = w->len[F_MEDIUM] > 0 ? F_MEDIUM : F_SMALL;

	w->outlen = 0;
	puts_(w, "<div class=\"rp-card\">\n");
	if (w->len[pic] > 0) {
		puts_(w, "<img class=\"rp-photo\" src=\"");
		put_esc(w, w->text[pic], w->len[pic]);
		puts_(w, "\" alt=\"Photo de profil\" width=\"96\" height=\"96\">\n");
	}
	puts_(w, "<div class=\"rp-card-body\">\n<p class=\"rp-name\">");
	if (w->len[F_DISPLAY] > 0)
		put_esc(w, w->text[F_DISPLAY], w->len[F_DISPLAY]);
	else {
		put_esc(w, w->text[F_FIRST], w->len[F_FIRST]);
		puts_(w, " ");
		put_esc(w, w->text[F_LAST], w->len[F_LAST]);
	}
	puts_(w, "</p>\n");
	if (w->ntags > 0) {
		puts_(w, "<ul class=\"rp-tags\" aria-label=\"Centres d'int\xc3\xa9r\xc3\xaat\">");
		for (i = 0; i < w->ntags; i++) {
			puts_(w, "<li class=\"rp-tag\">");
			put_esc(w, w->tags[i], w->taglen[i]);
			puts_(w, "</li>");
		}
		puts_(w, "</ul>\n");
	}
	puts_(w, "</div>\n</div>\n");
}

/* The session token from the Cookie header: rp_token=VALUE. */
static const char *
token_of(const char *cookie, size_t *len)
{
	const char *p = cookie, *v;

	while (p != NULL && (p = strstr(p, "rp_token=")) != NULL) {
		if (p == cookie || p[-1] == ' ' || p[-1] == ';') {
			v = p + 9;
			*len = strcspn(v, "; ");
			return *len > 0 ? v : NULL;
		}
		p += 9;
	}
	return NULL;
}

static void
answer(FCGX_Request *r, struct worker *w)
{
	const char *cookie = FCGX_GetParam("HTTP_COOKIE", r->envp), *tok;
	char url[2048], *enc;
	size_t len = 0;
	long status = 0;

	if (cookie == NULL || (tok = token_of(cookie, &len)) == NULL) {
		FCGX_PutS("Status: 401 Unauthorized\r\nContent-Type: text/plain\r\n\r\n"
		    "sign in\n", r->out);
		return;
	}
	if ((enc = curl_easy_escape(w->easy, tok, (int)len)) == NULL)
		goto fail;
	snprintf(url, sizeof(url), "%s?action=getPersonalRichProfile&infos=" INFOS
	    "&token=%s", endpoint, enc);
	curl_free(enc);
	memset(w->len, 0, sizeof(w->len));
	w->ntags = 0;
	w->cur = -1;
	XML_ParserReset(w->xp, "UTF-8");
	XML_SetUserData(w->xp, w);
	XML_SetElementHandler(w->xp, on_start, on_end);
	XML_SetCharacterDataHandler(w->xp, on_text);
	curl_easy_setopt(w->easy, CURLOPT_URL, url);
	if (curl_easy_perform(w->easy) != CURLE_OK ||
	    curl_easy_getinfo(w->easy, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
	    status != 200 || XML_Parse(w->xp, "", 0, 1) != XML_STATUS_OK)
		goto fail;
	render(w);
	/* libfcgi's own printf knows no %zu. */
	snprintf(url, sizeof(url), "Status: 200 OK\r\nContent-Type: text/html; "
	    "charset=utf-8\r\nCache-Control: private, no-store\r\n"
	    "Content-Length: %zu\r\n\r\n", w->outlen);
	FCGX_PutS(url, r->out);
	FCGX_PutStr(w->out, (int)w->outlen, r->out);
	return;
fail:
	FCGX_PutS("Status: 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\n"
	    "unavailable\n", r->out);
}

static void *
serve(void *arg)
{
	struct worker *w = calloc(1, sizeof(*w));
	FCGX_Request r;

	(void)arg;
	if (w == NULL || (w->easy = curl_easy_init()) == NULL ||
	    (w->xp = XML_ParserCreate("UTF-8")) == NULL ||
	    FCGX_InitRequest(&r, listen_fd, 0) != 0) {
		fprintf(stderr, "peer_fragment: out of memory\n");
		exit(1);
	}
	curl_easy_setopt(w->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->easy, CURLOPT_TIMEOUT_MS, 3000L);
	curl_easy_setopt(w->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(w->easy, CURLOPT_WRITEDATA, w);
	while (FCGX_Accept_r(&r) == 0) {
		answer(&r, w);
		FCGX_Finish_r(&r);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	int i, n = argc > 3 ? atoi(argv[3]) : 8;
	pthread_t t;

	if (argc < 3 || n < 1) {
		fprintf(stderr, "usage: peer_fragment SOCKET ENDPOINT [THREADS]\n");
		return 2;
	}
	endpoint = argv[2];
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || FCGX_Init() != 0 ||
	    (listen_fd = FCGX_OpenSocket(argv[1], 1024)) < 0) {
		fprintf(stderr, "peer_fragment: cannot listen on %s\n", argv[1]);
		return 1;
	}
	chmod(argv[1], 0666);
	for (i = 1; i < n; i++)
		if (pthread_create(&t, NULL, serve, NULL) != 0) {
			fprintf(stderr, "peer_fragment: cannot start thread %d\n", i);
			return 1;
		}
	serve(NULL);
	return 0;
}
