/* test_cfg.c: the configuration loader, its errors, and the sample file. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rp.h"
#include "cfg.h"
#include "testutil.h"

#define MINIMAL \
	"[upstream]\n" \
	"endpoint = http://127.0.0.1:9/PersonalRichProfile/V1\n" \
	"[site]\n" \
	"url = http://127.0.0.1:8080\n"

static char tmpdir[256];
static char conf[300];

static void
setup(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/rpcfgXXXXXX", t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(conf, sizeof(conf), "%s/t.conf", tmpdir);
}

static void
teardown(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* Loads text as a file; returns the status, message in err. */
static int
load(const char *text, struct rp_cfg **cfg, char *err, size_t errlen)
{
	write_file(conf, text);
	return rp_cfg_load(conf, cfg, err, errlen);
}

START_TEST(minimal_file_gets_documented_defaults)
{
	struct rp_cfg *cfg = NULL;
	char err[512];

	ck_assert_int_eq(load(MINIMAL, &cfg, err, sizeof(err)), RP_OK);
	ck_assert_str_eq(cfg->upstream.endpoint,
	    "http://127.0.0.1:9/PersonalRichProfile/V1");
	ck_assert_int_eq(cfg->upstream.connect_timeout_ms, 1000);
	ck_assert_int_eq(cfg->upstream.timeout_ms, 3000);
	ck_assert_int_eq(cfg->upstream.max_response_bytes, 262144);
	ck_assert_int_eq(cfg->upstream.low_speed_bytes, 100);
	ck_assert_int_eq(cfg->upstream.low_speed_ms, 2000);
	ck_assert_ptr_null(cfg->upstream.ca_file);
	ck_assert_ptr_null(cfg->upstream.proxy);
	ck_assert_str_eq(cfg->session.cookie, "rp_token");
	ck_assert_int_eq(cfg->session.max_token_bytes, 1024);
	ck_assert_str_eq(cfg->site.url, "http://127.0.0.1:8080");
	ck_assert_str_eq(cfg->site.login_url, "/login");
	ck_assert_str_eq(cfg->site.return_path, "/account");
	ck_assert_str_eq(cfg->site.privacy_hosts[0], "privacy.orange.fr");
	ck_assert_ptr_null(cfg->site.privacy_hosts[1]);
	ck_assert_str_eq(cfg->site.default_language, "fr");
	ck_assert_int_eq(cfg->server.threads, 128);
	ck_assert_str_eq(cfg->server.templates, RP_DATADIR "/templates");
	ck_assert_ptr_null(cfg->server.log_file);
	ck_assert_int_eq(cfg->server.log_level, RP_LOG_INFO);
	ck_assert_str_eq(cfg->server.prefix, "/richprofile/");
	ck_assert_str_eq(cfg->server.ops_allow[0], "127.0.0.1");
	ck_assert_str_eq(cfg->server.ops_allow[1], "::1");
	ck_assert_ptr_null(cfg->server.ops_allow[2]);
	ck_assert_int_eq(cfg->server.request_timeout_ms, 5000);
	ck_assert_int_eq(cfg->server.max_params_bytes, 65536);
	ck_assert_int_eq(cfg->cache.ttl_s, 60);
	ck_assert_int_eq(cfg->cache.max_entries, 10000);
	ck_assert_int_eq(cfg->cache.max_bytes, 32L << 20);
	ck_assert_int_eq(cfg->cache.stale_s, 300);
	ck_assert_int_eq(cfg->breaker.failures, 5);
	ck_assert_int_eq(cfg->breaker.open_ms, 10000);
	ck_assert_uint_eq(cfg->nviews, 0);
	ck_assert_str_eq(cfg->path, conf);
	rp_cfg_free(cfg);
}
END_TEST

START_TEST(sample_file_loads)
{
	struct rp_cfg *cfg = NULL;
	const struct rp_view *card, *account;
	char err[512];
	rp_attrset want;

	ck_assert_msg(rp_cfg_load(rp_test_srcpath("conf/richprofile.conf"), &cfg,
	    err, sizeof(err)) == RP_OK, "%s", err);
	ck_assert_str_eq(cfg->upstream.endpoint,
	    "https://alpha-api.orange.fr/PersonalRichProfile/V1");
	ck_assert_uint_eq(cfg->nviews, 2);
	ck_assert_ptr_nonnull(card = rp_cfg_view(cfg, "card"));
	ck_assert_ptr_nonnull(account = rp_cfg_view(cfg, "account"));
	ck_assert_ptr_null(rp_cfg_view(cfg, "Card"));
	ck_assert_ptr_null(rp_cfg_view(cfg, "missing"));
	/* The card's list goes on over an indented line. */
	want = RP_ATTR_BIT(RP_A_FIRSTNAME) | RP_ATTR_BIT(RP_A_LASTNAME) |
	    RP_ATTR_BIT(RP_A_DISPLAYNAME) | RP_ATTR_BIT(RP_A_PICTURESMALL) |
	    RP_ATTR_BIT(RP_A_PICTUREMEDIUM) | RP_ATTR_BIT(RP_A_INTERESTS) |
	    RP_ATTR_BIT(RP_A_PREFERREDLANGUAGE);
	ck_assert_uint_eq(card->infos, want);
	ck_assert_str_eq(card->template, "card.html");
	ck_assert_uint_eq(account->infos, RP_ATTRSET_ALL);
	ck_assert_str_eq(account->template, "account.html");
	rp_cfg_free(cfg);
}
END_TEST

/*
 * The keys a sample documents: `key = value` and `#key = value` lines,
 * by section ("view" for every [view NAME]).  Writes into drift a
 * description of the first difference with the loader's table, and
 * returns non-zero if there is one.  Active values of keys with a
 * default must show that default.
 */
static int
doc_drift(const char *text, char *drift, size_t size)
{
	size_t nkeys, i, j, ndoc = 0;
	const struct rp_cfg_key *keys = rp_cfg_keys(&nkeys);
	char section[64] = "", doc[128][2][64];
	const char *p = text;

	drift[0] = '\0';
	while (*p != '\0') {
		const char *e = strchr(p, '\n');
		char line[512], key[64], *eq, *v, *c;
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
		int hash = 0;

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += n + (e != NULL);
		if (line[0] == '[') {
			snprintf(section, sizeof(section), "%.60s",
			    strncmp(line, "[view ", 6) == 0 ? "view" : line + 1);
			if ((c = strchr(section, ']')) != NULL)
				*c = '\0';
			continue;
		}
		if (line[0] == '#')
			hash = 1;
		else if (line[0] == ';' || line[0] == ' ' || line[0] == '\t' ||
		    line[0] == '\0')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			snprintf(drift, size, "unreadable line `%.200s`", line);
			return 1;
		}
		snprintf(key, sizeof(key), "%.*s", (int)(eq - line - hash),
		    line + hash);
		if ((c = strchr(key, ' ')) != NULL)
			*c = '\0';
		v = eq + 1;
		while (*v == ' ')
			v++;
		if ((c = strstr(v, " ;")) != NULL)
			*c = '\0';
		for (i = 0; i < nkeys; i++)
			if (strcmp(keys[i].section, section) == 0 &&
			    strcmp(keys[i].key, key) == 0)
				break;
		if (i == nkeys) {
			snprintf(drift, size, "[%s] %s is documented but not read",
			    section, key);
			return 1;
		}
		if (!hash && keys[i].def != NULL && strcmp(section, "view") != 0 &&
		    strcmp(keys[i].def, v) != 0) {
			snprintf(drift, size, "[%s] %s shows `%.60s`, default is `%.60s`",
			    section, key, v, keys[i].def);
			return 1;
		}
		if (ndoc < 128) {
			snprintf(doc[ndoc][0], 64, "%.63s", section);
			snprintf(doc[ndoc][1], 64, "%.63s", key);
			ndoc++;
		}
	}
	for (i = 0; i < nkeys; i++) {
		for (j = 0; j < ndoc; j++)
			if (strcmp(doc[j][0], keys[i].section) == 0 &&
			    strcmp(doc[j][1], keys[i].key) == 0)
				break;
		if (j == ndoc) {
			snprintf(drift, size, "[%s] %s is read but not documented",
			    keys[i].section, keys[i].key);
			return 1;
		}
	}
	return 0;
}

START_TEST(sample_documents_exactly_the_keys_read)
{
	char *text = rp_test_slurp(rp_test_srcpath("conf/richprofile.conf"), NULL);
	char drift[256], *edited, *cut;
	size_t n;

	ck_assert_msg(doc_drift(text, drift, sizeof(drift)) == 0, "%s", drift);

	/* The comparison fails both ways: a key too many ... */
	n = strlen(text) + 64;
	edited = malloc(n);
	snprintf(edited, n, "%s[cache]\nshards = 4\n", text);
	ck_assert_int_ne(doc_drift(edited, drift, sizeof(drift)), 0);
	ck_assert_str_eq(drift, "[cache] shards is documented but not read");

	/* ... and a key missing. */
	snprintf(edited, n, "%s", text);
	cut = strstr(edited, "\nstale_s = 300\n");
	ck_assert_ptr_nonnull(cut);
	memmove(cut, cut + strlen("\nstale_s = 300"), strlen(cut + strlen("\nstale_s = 300")) + 1);
	ck_assert_int_ne(doc_drift(edited, drift, sizeof(drift)), 0);
	ck_assert_str_eq(drift, "[cache] stale_s is read but not documented");

	/* A documented default that is not the code's is drift too. */
	snprintf(edited, n, "%s", text);
	cut = strstr(edited, "ttl_s = 60\n");
	cut[9] = '1';
	ck_assert_int_ne(doc_drift(edited, drift, sizeof(drift)), 0);
	free(edited);
	free(text);
}
END_TEST

/* One bad file and what its message must say. */
struct bad {
	const char *text;
	int line;              /* 0: the message names the file only */
	const char *says;      /* after "FILE:LINE: " */
};

static const struct bad bads[] = {
	{ MINIMAL "[upstrem]\nendpoint = http://x/\n", 5,
	  "[upstrem]: unknown section; expected [upstream], [session]" },
	{ MINIMAL "[nothing]\n", 5, "[nothing]: unknown section" },
	{ MINIMAL "[view a b]\ninfos = *\n", 5, "[view a b]: bad view section" },
	{ MINIMAL "[upstream]\ntimeout = 3\n", 6,
	  "[upstream] timeout: unknown key; expected one of: endpoint, "
	  "connect_timeout_ms, timeout_ms" },
	{ MINIMAL "[upstream]\ntimeout_ms = abc\n", 6,
	  "[upstream] timeout_ms: `abc` is not a number in range; expected an "
	  "integer from 1 to 600000 (ms)" },
	{ MINIMAL "[upstream]\ntimeout_ms = 10ms\n", 6, "`10ms` is not a number" },
	{ MINIMAL "[upstream]\ntimeout_ms = 0\n", 6, "`0` is not a number in range" },
	{ MINIMAL "[upstream]\ntimeout_ms = 99999999999999999999999\n", 6,
	  "is not a number in range" },
	{ MINIMAL "[upstream]\nconnect_timeout_ms = -5\n", 6, "`-5` is not" },
	{ MINIMAL "[server]\nthreads = \n", 6, "[server] threads: `` is not a number" },
	{ MINIMAL "[cache]\nmax_bytes = 1000\n", 6,
	  "[cache] max_bytes: `1000` is not a number in range; expected an "
	  "integer from 1048576 to " },
	{ MINIMAL "[cache]\nmax_bytes = 32M\n", 6, "[cache] max_bytes: `32M` is not a number" },
	{ MINIMAL "[upstream]\nconnect_timeout_ms = 2000\ntimeout_ms = 1500\n", 7,
	  "[upstream] timeout_ms: 1500 is less than connect_timeout_ms (2000)" },
	{ "[upstream]\nendpoint = ftp://example.com/api\n[site]\nurl = http://a\n", 2,
	  "[upstream] endpoint: `ftp://example.com/api`: scheme is not http or https; "
	  "expected the http:// or https:// base URL" },
	{ "[upstream]\nendpoint = example.com/api\n[site]\nurl = http://a\n", 2,
	  "not an absolute URL" },
	{ "[upstream]\nendpoint = https://example.com/api?x=1\n[site]\nurl = http://a\n", 2,
	  "holds a query" },
	{ "[upstream]\nendpoint = https://u:p@example.com/api\n[site]\nurl = http://a\n", 2,
	  "holds a user name or password" },
	{ "[upstream]\nendpoint = http://a/\n[site]\nurl = www.example.com\n", 4,
	  "[site] url: `www.example.com`: not an absolute URL; expected "
	  "scheme://host[:port] of the site" },
	{ "[upstream]\nendpoint = http://a/\n[site]\nurl = https://example.com/shop\n", 4,
	  "holds a path" },
	{ "[upstream]\nendpoint = http://a/\n[site]\nurl = javascript://x\n", 4,
	  "scheme is not http or https" },
	{ MINIMAL "default_language = de\n", 5,
	  "[site] default_language: `de`: unknown language; expected fr or en" },
	{ MINIMAL "return_path = //evil.example/\n", 5,
	  "[site] return_path: `//evil.example/`: not a local path" },
	{ MINIMAL "login_url = ftp://x/\n", 5, "[site] login_url: `ftp://x/`: scheme" },
	{ MINIMAL "privacy_hosts = privacy.orange.fr, bad host!\n", 5,
	  "[site] privacy_hosts: `bad host!` is not a host name" },
	{ MINIMAL "privacy_hosts = a.example:99999\n", 5, "`a.example:99999` is not a host" },
	{ MINIMAL "[server]\nops_allow = 127.0.0.1, localhost\n", 6,
	  "[server] ops_allow: `localhost` is not an IP address or network; "
	  "expected a comma-separated list of IPv4 or IPv6 addresses" },
	{ MINIMAL "[server]\nops_allow = 10.0.0.0/33\n", 6,
	  "`10.0.0.0/33` is not an IP address or network" },
	{ MINIMAL "[server]\nops_allow = fd00::/129\n", 6,
	  "`fd00::/129` is not an IP address or network" },
	{ MINIMAL "[server]\nprefix = richprofile/\n", 6,
	  "[server] prefix: `richprofile/`: not a plain path; expected the "
	  "path the web server maps to the program" },
	{ MINIMAL "[server]\nprefix = /a/../richprofile/\n", 6,
	  "[server] prefix: `/a/../richprofile/`: a `.` or `..` segment" },
	{ MINIMAL "[server]\nprefix = /rich%70rofile/\n", 6, "not a plain path" },
	{ MINIMAL "[server]\nrequest_timeout_ms = 10\n", 6,
	  "[server] request_timeout_ms: `10` is not a number in range; "
	  "expected an integer from 100 to 600000 (ms)" },
	{ MINIMAL "[server]\nmax_params_bytes = 99999999\n", 6,
	  "expected an integer from 4096 to 131072 (bytes)" },
	{ MINIMAL "[server]\nlog_level = loud\n", 6,
	  "[server] log_level: unknown level `loud`; expected error, warn, info or debug" },
	/* An inline comment needs a blank before ';': the name is "a;b". */
	{ MINIMAL "[session]\ncookie = a;b\n", 6,
	  "[session] cookie: `a;b`: not a cookie name" },
	{ MINIMAL "[session]\ncookie = a,b\n", 6,
	  "[session] cookie: `a,b`: not a cookie name" },
	{ MINIMAL "[upstream]\nca_file = /nonexistent/ca.pem\n", 6,
	  "[upstream] ca_file: `/nonexistent/ca.pem`: No such file or directory; expected a readable PEM file" },
	{ MINIMAL "[upstream]\nproxy = gopher://p/\n", 6, "[upstream] proxy:" },
	{ MINIMAL "[view card]\ninfos = Firstname, Fristname\ntemplate = c.html\n", 6,
	  "[view card] infos: unknown attribute `Fristname`; expected names" },
	{ MINIMAL "[view card]\ninfos = Firstname,,Lastname\ntemplate = c.html\n", 6,
	  "[view card] infos: empty attribute name" },
	{ MINIMAL "[view card]\ninfos = *\ntemplate = ../../etc/passwd\n", 7,
	  "[view card] template: `../../etc/passwd`: leaves the template directory" },
	{ MINIMAL "[view card]\ninfos = *\n", 0, "[view card] template is missing" },
	{ MINIMAL "[view card]\ntemplate = c.html\n", 0, "[view card] infos is missing" },
	{ "[site]\nurl = http://a\n", 0, "[upstream] endpoint is missing" },
	{ "[upstream]\nendpoint = http://a/\n", 0, "[site] url is missing" },
	{ MINIMAL "[upstream]\ntimeout_ms = 10\ntimeout_ms = 20\n", 7,
	  "[upstream] timeout_ms: given twice (first on line 6)" },
	{ "threads = 3\n" MINIMAL, 1, "`threads` outside any section" },
	{ MINIMAL "this line is not ini\n", 5, "syntax error; expected `[section]`" },
	{ MINIMAL "[cache\nttl_s = 1\n", 5, "syntax error" },
	{ MINIMAL "[upstream]\ntimeout_ms = 10\n  20\n", 7,
	  "[upstream] timeout_ms: indented line continues this key" },
	{ MINIMAL "[upstream]\nproxy = http://p/\x01\n", 6, "control character" },
	{ MINIMAL "[shared]\nredis = 127.0.0.1:6379\n", 6,
	  "[shared] redis: `127.0.0.1:6379`: neither tcp: nor unix:; expected tcp:HOST:PORT" },
	{ MINIMAL "[shared]\nredis = tcp:127.0.0.1\n", 6, "not HOST:PORT" },
	{ MINIMAL "[shared]\nredis = unix:run/redis.sock\n", 6,
	  "not an absolute socket path" },
	{ MINIMAL "[shared]\nredis = tcp:127.0.0.1:6379\n", 6,
	  "[shared] key_file: missing while redis is set; expected the file of "
	  "the key every server shares: create it once with `richprofile keygen FILE`" },
	{ MINIMAL "[shared]\ntimeout_ms = 0\n", 6, "`0` is not a number in range" },
	{ MINIMAL "[shared]\nprefix = a b\n", 6, "not printable ASCII without spaces" },
	{ MINIMAL "[shared]\nkey_file = /nonexistent/shared.key\n", 6,
	  "[shared] key_file: `/nonexistent/shared.key`: No such file or directory" },
};

START_TEST(every_error_names_file_line_and_expectation)
{
	const struct bad *b = &bads[_i];
	struct rp_cfg *cfg = (struct rp_cfg *)&b; /* must stay untouched */
	char err[1024], want[1024];
	int rc;

	rc = load(b->text, &cfg, err, sizeof(err));
	ck_assert_msg(rc == RP_ECONFIG, "case %d loaded", _i);
	ck_assert_ptr_eq(cfg, (struct rp_cfg *)&b);
	if (b->line > 0)
		snprintf(want, sizeof(want), "%s:%d: ", conf, b->line);
	else
		snprintf(want, sizeof(want), "%s: ", conf);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0 &&
	    strstr(err, b->says) != NULL,
	    "case %d\n got: %s\nwant: %s...%s...", _i, err, want, b->says);
	/* Every message says what is expected, or what is missing. */
	ck_assert_msg(strstr(err, "expected") != NULL || strstr(err, "missing"),
	    "case %d: %s", _i, err);
}
END_TEST

START_TEST(long_line_is_refused_not_split)
{
	char text[2048], err[512];
	struct rp_cfg *cfg = NULL;
	int n;

	n = snprintf(text, sizeof(text), MINIMAL "[view v]\ntemplate = t.html\ninfos = ");
	while (n < 600)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "Firstname,");
	snprintf(text + n, sizeof(text) - (size_t)n, "Lastname\n");
	ck_assert_int_eq(load(text, &cfg, err, sizeof(err)), RP_ECONFIG);
	ck_assert_ptr_null(cfg);
	snprintf(text, sizeof(text), "%s:7: line longer than", conf);
	ck_assert_msg(strncmp(err, text, strlen(text)) == 0, "%s", err);
}
END_TEST

START_TEST(missing_file_says_so)
{
	struct rp_cfg *cfg = NULL;
	char err[512], path[400], want[512];

	snprintf(path, sizeof(path), "%s/none.conf", tmpdir);
	ck_assert_int_eq(rp_cfg_load(path, &cfg, err, sizeof(err)), RP_ECONFIG);
	ck_assert_ptr_null(cfg);
	snprintf(want, sizeof(want), "%s: cannot open: No such file", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
}
END_TEST

START_TEST(lists_continue_and_paths_resolve)
{
	struct rp_cfg *cfg = NULL;
	char err[512], ca[400], text[2048];

	snprintf(ca, sizeof(ca), "%s/ca.pem", tmpdir);
	write_file(ca, "not really a certificate, but readable\n");
	snprintf(text, sizeof(text), MINIMAL
	    "privacy_hosts = Privacy.Orange.FR,\n"
	    "   127.0.0.1:8081 ; the simulator\n"
	    "\t[::1]:8081\n"
	    "[upstream]\n"
	    "ca_file = ca.pem\n"
	    "[server]\n"
	    "templates = tpl\n"
	    "log_file = /var/log/rp.log\n"
	    "log_level = DEBUG\n"
	    "[view everything]\n"
	    "infos = *\n"
	    "template = all.html\n"
	    "[view two]\n"
	    "infos = lastname ,\n"
	    "  DisplayNme\n"
	    "template = sub/two.html\n");
	ck_assert_msg(load(text, &cfg, err, sizeof(err)) == RP_OK, "%s", err);
	ck_assert_str_eq(cfg->site.privacy_hosts[0], "privacy.orange.fr");
	ck_assert_str_eq(cfg->site.privacy_hosts[1], "127.0.0.1:8081");
	ck_assert_str_eq(cfg->site.privacy_hosts[2], "[::1]:8081");
	ck_assert_ptr_null(cfg->site.privacy_hosts[3]);
	ck_assert_str_eq(cfg->upstream.ca_file, ca);
	snprintf(ca, sizeof(ca), "%s/tpl", tmpdir);
	ck_assert_str_eq(cfg->server.templates, ca);
	ck_assert_str_eq(cfg->server.log_file, "/var/log/rp.log");
	ck_assert_int_eq(cfg->server.log_level, RP_LOG_DEBUG);
	ck_assert_uint_eq(rp_cfg_view(cfg, "everything")->infos, RP_ATTRSET_ALL);
	ck_assert_uint_eq(rp_cfg_view(cfg, "two")->infos,
	    RP_ATTR_BIT(RP_A_LASTNAME) | RP_ATTR_BIT(RP_A_DISPLAYNAME));
	ck_assert_str_eq(rp_cfg_view(cfg, "two")->template, "sub/two.html");
	rp_cfg_free(cfg);
}
END_TEST

START_TEST(written_config_loads_back_the_same)
{
	struct rp_cfg *a = NULL, *b = NULL;
	char err[512], path[400];
	FILE *f;
	size_t i;

	/* Long lists must come back too: every attribute but one. */
	write_file(conf, MINIMAL "privacy_hosts = a.example, b.example:8443, "
	    "c.example, d.example, e.example, f.example, g.example\n"
	    "[server]\nprefix = /account/profile\n"
	    /* Short: the default (the install prefix) may be deep in distcheck. */
	    "templates = t\n"
	    "ops_allow = 10.1.0.0/16, FD00::/8, 192.0.2.7\n"
	    "[view long]\ninfos = *\ntemplate = l.html\n");
	ck_assert_msg(rp_cfg_load(conf, &a, err, sizeof(err)) == RP_OK, "%s", err);
	a->views[0].infos &= ~RP_ATTR_BIT(RP_A_GENDER);
	snprintf(path, sizeof(path), "%s/written.conf", tmpdir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	rp_cfg_write(a, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(rp_cfg_load(path, &b, err, sizeof(err)) == RP_OK, "%s", err);
	ck_assert_str_eq(a->upstream.endpoint, b->upstream.endpoint);
	ck_assert_int_eq(a->upstream.timeout_ms, b->upstream.timeout_ms);
	ck_assert_int_eq(a->upstream.low_speed_bytes, b->upstream.low_speed_bytes);
	ck_assert_str_eq(a->session.cookie, b->session.cookie);
	ck_assert_str_eq(a->site.url, b->site.url);
	for (i = 0; a->site.privacy_hosts[i] != NULL; i++)
		ck_assert_str_eq(a->site.privacy_hosts[i], b->site.privacy_hosts[i]);
	ck_assert_ptr_null(b->site.privacy_hosts[i]);
	ck_assert_str_eq(a->server.templates, b->server.templates);
	ck_assert_int_eq(a->server.log_level, b->server.log_level);
	ck_assert_str_eq(a->server.prefix, "/account/profile/");
	ck_assert_str_eq(a->server.ops_allow[1], "fd00::/8");
	ck_assert_str_eq(a->server.prefix, b->server.prefix);
	for (i = 0; a->server.ops_allow[i] != NULL; i++)
		ck_assert_str_eq(a->server.ops_allow[i], b->server.ops_allow[i]);
	ck_assert_ptr_null(b->server.ops_allow[i]);
	ck_assert_int_eq(a->breaker.open_ms, b->breaker.open_ms);
	ck_assert_uint_eq(a->nviews, b->nviews);
	for (i = 0; i < a->nviews; i++) {
		ck_assert_str_eq(a->views[i].name, b->views[i].name);
		ck_assert_uint_eq(a->views[i].infos, b->views[i].infos);
		ck_assert_str_eq(a->views[i].template, b->views[i].template);
	}
	rp_cfg_free(a);
	rp_cfg_free(b);
}
END_TEST

static Suite *
cfg_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc = tcase_create("cfg");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, minimal_file_gets_documented_defaults);
	tcase_add_test(tc, sample_file_loads);
	tcase_add_test(tc, sample_documents_exactly_the_keys_read);
	tcase_add_loop_test(tc, every_error_names_file_line_and_expectation, 0,
	    (int)(sizeof(bads) / sizeof(bads[0])));
	tcase_add_test(tc, long_line_is_refused_not_split);
	tcase_add_test(tc, missing_file_says_so);
	tcase_add_test(tc, lists_continue_and_paths_resolve);
	tcase_add_test(tc, written_config_loads_back_the_same);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return rp_test_run(cfg_suite());
}
