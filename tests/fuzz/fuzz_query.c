/* fuzz_query.c: query strings, return paths and privacy URLs from arbitrary bytes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "consent.h"
#include "err.h"
#include "fuzz.h"
#include "query.h"

static void
check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_query: broken invariant: %s\n", what);
		abort();
	}
}

/* Nothing a browser would read as another site. */
static void
site_local(const char *p)
{
	size_t i;

	check(p[0] == '/' && p[1] != '/' && p[1] != '\\', "one leading slash");
	for (i = 0; p[i] != '\0'; i++)
		check((unsigned char)p[i] >= 0x20 && p[i] != 0x7F && p[i] != '\\',
		    "no control byte or backslash");
}

RP_FUZZ_TARGET(query)
{
	static char *const hosts[] = { "privacy.orange.fr", "127.0.0.1:8081", NULL };
	char *s = malloc(size + 1);
	struct rp_query q;
	struct rp_buf b;
	const char *why = NULL, *host;
	size_t n;
	int rc;

	check(s != NULL, "malloc");
	memcpy(s, data, size);
	s[size] = '\0';
	rc = rp_query_parse(s, &q);
	check(rc == RP_OK || rc == RP_EINVAL, "parse result");
	if (q.view_state == RP_Q_OK)
		check(rp_view_name_ok(q.view, strlen(q.view)), "view valid");
	else
		check(q.view[0] == '\0', "rejected view empty");
	if (q.return_state == RP_Q_OK) {
		check(strlen(q.return_path) <= RP_RETURN_PATH_MAX, "return bounded");
		site_local(q.return_path);
	} else
		check(q.return_path[0] == '\0', "rejected return empty");

	/* The same bytes as a privacy URL: accepted only on a listed host. */
	if (rp_consent_check(s, hosts, &why) == RP_OK) {
		host = s + (strncasecmp(s, "https://", 8) == 0 ? 8 : 7);
		check(strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0,
		    "http or https");
		n = strcspn(host, "/?#");
		check(memchr(host, '@', n) == NULL, "no userinfo");
		check((n >= 17 && strncasecmp(host, "privacy.orange.fr", 17) == 0 &&
		    (n == 17 || host[17] == ':')) ||
		    (n == 14 && strncmp(host, "127.0.0.1:8081", 14) == 0), "listed host");
		rp_buf_init(&b, 0);
		rc = rp_consent_link(&b, s, hosts, "https://www.example.com", "/back", &why);
		check(rc == RP_OK, "link of an accepted URL");
		check(strncmp(rp_buf_str(&b), s, strcspn(s, "#")) == 0, "link keeps the URL");
		check(strstr(rp_buf_str(&b), "urlRetour=https%3A%2F%2Fwww.example.com%2Fback") != NULL,
		    "link returns to the site");
		rp_buf_free(&b);
	} else
		check(why != NULL, "a reason for a refusal");
	free(s);
	return 0;
}
