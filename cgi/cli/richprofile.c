/* richprofile.c: the operator's tool: fetch a profile as the FastCGI program would, check a configuration. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "client.h"
#include "err.h"
#include "escape.h"
#include "profile.h"
#include "render.h"
#include "seal.h"
#include "shared.h"

#define PROG "richprofile"

/* Exit statuses; documented in --help and richprofile(1). */
enum {
	X_OK = 0,        /* granted or partial profile; valid configuration */
	X_USAGE = 1,     /* bad command line, no token */
	X_CONFIG = 2,    /* configuration or templates rejected */
	X_CONSENT = 3,   /* -3: the user has not allowed the site */
	X_ACCOUNT = 4,   /* 102, 103: token invalid or expired */
	X_API = 5,       /* any other <error> code */
	X_UPSTREAM = 6,  /* API unreachable, or its answer unusable */
	X_INTERNAL = 7   /* out of memory */
};

static const int outcome_exit[RP_OUT__COUNT] = {
	[RP_OUT_GRANTED] = X_OK,
	[RP_OUT_PARTIAL] = X_OK,
	[RP_OUT_REFUSED] = X_CONSENT,
	[RP_OUT_ACCOUNT] = X_ACCOUNT,
	[RP_OUT_APIERROR] = X_API,
	[RP_OUT_MALFORMED] = X_UPSTREAM,
	[RP_OUT_UPSTREAM] = X_UPSTREAM,
};

static const char usage_text[] =
"Usage: " PROG " fetch [-c FILE] [--view NAME | --infos A,B,...]\n"
"                   [--format text|json|xml] [--token-file FILE|-] [--lang fr|en]\n"
"       " PROG " check-config [-c FILE]\n"
"       " PROG " keygen FILE\n"
"       " PROG " --help | --version\n";

static const char help_text[] =
"\n"
"The site operator's tool: the same configuration, HTTP client and parser\n"
"as richprofile-fcgi, so what it prints is what the FastCGI program sees.\n"
"\n"
"Commands:\n"
"  fetch          ask the API for a profile on behalf of a user; print it\n"
"  check-config   load the configuration and compile its templates; print\n"
"                 the configuration as understood (defaults filled in)\n"
"  keygen FILE    write a new [shared] key_file (mode 0600; never replaces\n"
"                 a file): copy it to every server of the site\n"
"\n"
"Options:\n"
"  -c, --config FILE    configuration (default " RP_SYSCONFDIR "/richprofile.conf)\n"
"      --view NAME      the attributes of [view NAME]\n"
"      --infos A,B,...  these attributes instead, or * for all (the default)\n"
"      --format FMT     text: one attribute per line with its label (default)\n"
"                       json: one object, shape below\n"
"                       xml:  the API's answer as received\n"
"      --token-file F   read the user's token from F (- for standard input)\n"
"      --lang fr|en     language of the labels ([site] default_language)\n"
"  -h, --help           this text\n"
"  -V, --version        the version\n"
"\n"
"The token comes from RICHPROFILE_TOKEN or --token-file, never from the\n"
"command line, where ps would show it.  It is never printed.\n"
"\n"
"JSON shape (keys always present, in this order):\n"
"  {\"outcome\": \"granted|partial|refused|account|apierror|malformed|upstream\",\n"
"   \"status\": \"ok|partial|consent|signin|unavailable\",\n"
"   \"http_status\": 200 (0: no answer),\n"
"   \"attributes\": {\"Firstname\": \"..\", \"CentersOfInterests\": [\"..\"],\n"
"                  \"HomeAddress\": {\"City\": \"..\"}},\n"
"   \"withheld\": [\"PictureTagSmallURL\", ...],\n"
"   \"consent_url\": \"http://..\" or null,\n"
"   \"error\": null or {\"class\": \"timeout|tls|..|api\", \"code\": 103 or null,\n"
"                     \"detail\": \"..\" or null, \"message\": \"..\"}}\n"
"\n"
"Exit status:\n"
"  0  granted or partly granted profile; valid configuration\n"
"  1  usage error (bad option, no token)\n"
"  2  configuration or templates rejected\n"
"  3  consent needed: the user has not allowed the site (API code -3)\n"
"  4  account error: token invalid or expired, sign in again (102, 103)\n"
"  5  the API answered with another error code\n"
"  6  the API could not be reached, or its answer was unusable\n"
"  7  internal error (out of memory)\n";

/* What an <error> answer means, by outcome. */
static const char *const api_msg[RP_OUT__COUNT] = {
	[RP_OUT_REFUSED] = "consent needed: the user has not allowed the site "
	    "to read these attributes; the consent page is the consent URL",
	[RP_OUT_ACCOUNT] = "account error: the token is invalid or expired; "
	    "the user must sign in again",
	[RP_OUT_APIERROR] = "the API answered with an error code",
};

/* What the command line asked for. */
struct args {
	const char *config;
	const char *view;
	const char *infos;
	const char *format;
	const char *token_file;
	const char *lang;
};

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%sTry `" PROG " --help'.\n", usage_text);
	return X_USAGE;
}

/* Long options with a value: where each goes in struct args. */
static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 1 },
	{ "view", required_argument, NULL, 1 },
	{ "infos", required_argument, NULL, 1 },
	{ "format", required_argument, NULL, 1 },
	{ "token-file", required_argument, NULL, 1 },
	{ "lang", required_argument, NULL, 1 },
	{ "help", no_argument, NULL, 'h' },
	/* Known only to be refused with a reason. */
	{ "token", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};
static const size_t long_dest[] = {
	offsetof(struct args, config), offsetof(struct args, view),
	offsetof(struct args, infos), offsetof(struct args, format),
	offsetof(struct args, token_file), offsetof(struct args, lang),
};

static int
parse_args(int argc, char **argv, int fetch, struct args *a)
{
	int ch, li;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":c:h", long_opts, &li)) != -1) {
		if (ch == 'c') {
			ch = 1;
			li = 0;
		}
		switch (ch) {
		case 1:
			if (!fetch && li != 0)
				return usage_error("%s takes only -c FILE", argv[0]);
			*(const char **)((char *)a + long_dest[li]) = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			exit(X_OK);
		case 't':
			return usage_error("%s", "a token is never taken from the "
			    "command line (ps would show it): set "
			    "RICHPROFILE_TOKEN or use --token-file FILE");
		case ':':
			return usage_error("option %s needs a value",
			    argv[optind - 1]);
		default:
			return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument `%s'", argv[optind]);
	if (a->view != NULL && a->infos != NULL)
		return usage_error("%s", "--view and --infos exclude each other");
	if (a->format != NULL && strcmp(a->format, "text") != 0 &&
	    strcmp(a->format, "json") != 0 && strcmp(a->format, "xml") != 0)
		return usage_error("unknown format `%s'; expected text, json or "
		    "xml", a->format);
	if (a->lang != NULL && strcmp(a->lang, "fr") != 0 &&
	    strcmp(a->lang, "en") != 0)
		return usage_error("unknown language `%s'; expected fr or en",
		    a->lang);
	return X_OK;
}

static int
load_config(const char *path, struct rp_cfg **cfg)
{
	char err[1024];
	int rc;

	if ((rc = rp_cfg_load(path, cfg, err, sizeof(err))) != RP_OK) {
		fprintf(stderr, PROG ": %s\n", err);
		return rc == RP_ENOMEM ? X_INTERNAL : X_CONFIG;
	}
	return X_OK;
}

/*
 * Reads the token into buf (max + 2 bytes), without its final newline;
 * returns its length, or -1 after saying why.
 */
static long
read_token(const char *file, char *buf, size_t max)
{
	FILE *f = NULL;
	const char *env;
	size_t n;
	long rc = -1;

	if (file == NULL) {
		if ((env = getenv("RICHPROFILE_TOKEN")) == NULL) {
			usage_error("%s", "no token: set RICHPROFILE_TOKEN or use "
			    "--token-file FILE (- for standard input)");
			return -1;
		}
		n = strlen(env);
		if (n > max)
			goto toolong;
		memcpy(buf, env, n);
	} else {
		f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
		if (f == NULL) {
			fprintf(stderr, PROG ": cannot read the token from %s: %s\n",
			    file, strerror(errno));
			return -1;
		}
		n = fread(buf, 1, max + 2, f);
		if (ferror(f)) {
			fprintf(stderr, PROG ": cannot read the token from %s: %s\n",
			    file, strerror(errno));
			goto out;
		}
		/* One final line end is the file's, not the token's. */
		if (n > 0 && buf[n - 1] == '\n')
			n--;
		if (n > 0 && buf[n - 1] == '\r')
			n--;
		if (n > max)
			goto toolong;
	}
	if (n == 0) {
		usage_error("%s", "the token is empty");
		goto out;
	}
	rc = (long)n;
	goto out;
toolong:
	fprintf(stderr, PROG ": the token is longer than [session] "
	    "max_token_bytes (%zu bytes); it is not a token the site would "
	    "send\n", max);
out:
	if (f != NULL && f != stdin)
		fclose(f);
	return rc;
}

/* Writes s for a terminal: control characters (C0, DEL, C1) become '?'. */
static void
put_safe(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			fputc('?', out);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fputc('?', out);
			p++;
		} else
			fputc(*p, out);
	}
}

/* Text: one attribute per line, "Label (Name): value". */
static void
print_text(const struct rp_profile *p, const char *lang)
{
	int i, j;
	size_t k;

	printf("outcome: %s\n", rp_outcome_name(p->outcome));
	for (i = 0; i < RP_ATTR__COUNT; i++) {
		const struct rp_value *v = rp_profile_value(p, (enum rp_attr_id)i);
		const struct rp_attr *a = rp_attr_get((enum rp_attr_id)i);
		const char *sep = "", *part;

		if (!rp_profile_has(p, (enum rp_attr_id)i))
			continue;
		printf("%s (%s): ", rp_attr_label((enum rp_attr_id)i, lang),
		    a->name);
		if (a->kind == RP_KIND_LIST)
			for (k = 0; k < v->nitems; k++, sep = ", ") {
				fputs(sep, stdout);
				put_safe(stdout, v->items[k]);
			}
		else if (a->kind == RP_KIND_ADDRESS)
			for (j = 0; j < RP_ADDR__COUNT; j++) {
				part = rp_value_part(v, (enum rp_addr_part)j);
				if (part == NULL || part[0] == '\0')
					continue;
				fputs(sep, stdout);
				put_safe(stdout, part);
				sep = ", ";
			}
		else
			put_safe(stdout, v->text);
		fputc('\n', stdout);
	}
	if (p->withheld != 0) {
		const char *sep = " ";

		fputs("withheld:", stdout);
		for (i = 0; i < RP_ATTR__COUNT; i++)
			if (p->withheld & RP_ATTR_BIT(i)) {
				printf("%s%s", sep,
				    rp_attr_get((enum rp_attr_id)i)->name);
				sep = ", ";
			}
		fputc('\n', stdout);
	}
	if (p->privacy_url != NULL) {
		fputs("consent: ", stdout);
		put_safe(stdout, p->privacy_url);
		fputc('\n', stdout);
	}
}

static void
json_str(struct rp_buf *b, const char *s)
{
	if (s == NULL)
		rp_buf_puts(b, "null");
	else
		rp_esc_json_string(b, s, strlen(s));
}

/* The shape --help documents; rp_buf errors are sticky, checked once. */
static int
print_json(const struct rp_profile *p, const struct rp_fetch_info *fi)
{
	struct rp_buf b;
	int i, first = 1, rc;

	rp_buf_init(&b, 0);
	rp_buf_puts(&b, "{\"outcome\":");
	json_str(&b, rp_outcome_name(p->outcome));
	rp_buf_puts(&b, ",\"status\":");
	json_str(&b, rp_status_name(rp_status_of(p)));
	rp_buf_appendf(&b, ",\"http_status\":%d,\"attributes\":", fi->http_status);
	rp_render_json_attributes(&b, p);
	rp_buf_puts(&b, ",\"withheld\":[");
	for (i = 0; i < RP_ATTR__COUNT; i++)
		if (p->withheld & RP_ATTR_BIT(i)) {
			rp_buf_puts(&b, first ? "" : ",");
			json_str(&b, rp_attr_get((enum rp_attr_id)i)->name);
			first = 0;
		}
	rp_buf_puts(&b, "],\"consent_url\":");
	json_str(&b, p->privacy_url);
	rp_buf_puts(&b, ",\"error\":");
	if (p->outcome == RP_OUT_GRANTED || p->outcome == RP_OUT_PARTIAL) {
		rp_buf_puts(&b, "null");
	} else {
		int api = p->outcome == RP_OUT_REFUSED ||
		    p->outcome == RP_OUT_ACCOUNT || p->outcome == RP_OUT_APIERROR;

		rp_buf_puts(&b, "{\"class\":");
		json_str(&b, api ? "api" : rp_errclass(fi->err));
		if (api)
			rp_buf_appendf(&b, ",\"code\":%ld", p->code);
		else
			rp_buf_puts(&b, ",\"code\":null");
		rp_buf_puts(&b, ",\"detail\":");
		json_str(&b, api ? p->detail : fi->detail[0] != '\0' ? fi->detail :
		    NULL);
		rp_buf_puts(&b, ",\"message\":");
		json_str(&b, api ? api_msg[p->outcome] : rp_strerror(fi->err));
		rp_buf_putc(&b, '}');
	}
	rc = rp_buf_puts(&b, "}\n");
	if (rc == RP_OK)
		fputs(rp_buf_str(&b), stdout);
	rp_buf_free(&b);
	return rc;
}

/* One line on stderr for every outcome that is not a profile. */
static void
explain(const struct rp_profile *p, const struct rp_fetch_info *fi)
{
	switch (p->outcome) {
	case RP_OUT_REFUSED:
	case RP_OUT_ACCOUNT:
	case RP_OUT_APIERROR:
		fprintf(stderr, PROG ": %s (code %ld%s%s)\n", api_msg[p->outcome],
		    p->code, p->detail != NULL ? ", " : "",
		    p->detail != NULL ? p->detail : "");
		break;
	case RP_OUT_MALFORMED:
		fprintf(stderr, PROG ": the API's answer is unusable (%s, HTTP "
		    "%d, line %lu, column %lu): %s\n", rp_errclass(fi->err),
		    fi->http_status, p->line, p->column,
		    p->reason != NULL ? p->reason : rp_strerror(fi->err));
		break;
	case RP_OUT_UPSTREAM:
		fprintf(stderr, PROG ": the API call failed (%s) after %ld ms: "
		    "%s%s%s\n", rp_errclass(fi->err), fi->elapsed_us / 1000,
		    rp_strerror(fi->err), fi->detail[0] != '\0' ? "; " : "",
		    fi->detail);
		break;
	default:
		break;
	}
}

static void
tee_stdout(void *arg, const char *buf, size_t len)
{
	fwrite(buf, 1, len, stdout);
}

/*
 * libcurl set up for cfg, as richprofile-fcgi does it; *global says
 * whether rp_client_global_cleanup is due.  Returns an exit status.
 */
static int
start_client(const struct rp_cfg *cfg, struct rp_client **client, int *global)
{
	int rc;

	if (rp_client_global_init() != RP_OK) {
		fprintf(stderr, PROG ": libcurl failed to initialise\n");
		return X_INTERNAL;
	}
	*global = 1;
	if (rp_client_global_warning() != NULL)
		fprintf(stderr, PROG ": warning: %s\n", rp_client_global_warning());
	if ((rc = rp_client_new(cfg, client)) != RP_OK) {
		fprintf(stderr, PROG ": libcurl rejected the [upstream] settings of "
		    "%s (%s); check endpoint, proxy and ca_file\n", cfg->path,
		    rp_strerror(rc));
		return rc == RP_ENOMEM ? X_INTERNAL : X_CONFIG;
	}
	return X_OK;
}

static int
cmd_fetch(int argc, char **argv)
{
	struct args a = { 0 };
	struct rp_cfg *cfg = NULL;
	struct rp_client *client = NULL;
	struct rp_profile *p = NULL;
	struct rp_fetch_info fi;
	struct rp_fetch_opts fo = { 0 };
	const struct rp_view *v;
	rp_attrset infos = RP_ATTRSET_ALL;
	char *token = NULL;
	const char *bad;
	size_t badlen;
	long len = -1;
	int rc, global = 0;

	if ((rc = parse_args(argc, argv, 1, &a)) != X_OK ||
	    (rc = load_config(a.config, &cfg)) != X_OK)
		goto out;
	rc = X_USAGE;
	if (a.view != NULL) {
		if ((v = rp_cfg_view(cfg, a.view)) == NULL) {
			fprintf(stderr, PROG ": %s has no [view %s]; use a view "
			    "of the file or --infos\n", cfg->path, a.view);
			goto out;
		}
		infos = v->infos;
	} else if (a.infos != NULL && strcmp(a.infos, "*") != 0 &&
	    rp_attrset_parse(a.infos, &infos, &bad, &badlen) != 0) {
		fprintf(stderr, PROG ": --infos: %s `%.*s'; expected attribute "
		    "names such as Firstname,Lastname, or * for all\n",
		    badlen > 0 ? "unknown attribute" : "empty name",
		    (int)badlen, bad);
		goto out;
	}
	if ((token = malloc((size_t)cfg->session.max_token_bytes + 2)) == NULL) {
		rc = X_INTERNAL;
		goto out;
	}
	if ((len = read_token(a.token_file, token,
	    (size_t)cfg->session.max_token_bytes)) < 0)
		goto out;
	if ((rc = start_client(cfg, &client, &global)) != X_OK)
		goto out;
	if (a.format != NULL && strcmp(a.format, "xml") == 0)
		fo.tee = tee_stdout;
	if (rp_client_fetch_opts(client, token, (size_t)len, infos, &fo, &p,
	    &fi) != RP_OK) {
		fprintf(stderr, PROG ": out of memory\n");
		rc = X_INTERNAL;
		goto out;
	}
	if (a.format == NULL || strcmp(a.format, "text") == 0)
		print_text(p, a.lang != NULL ? a.lang : cfg->site.default_language);
	else if (strcmp(a.format, "json") == 0 && print_json(p, &fi) != RP_OK) {
		fprintf(stderr, PROG ": out of memory\n");
		rc = X_INTERNAL;
		goto out;
	}
	explain(p, &fi);
	rc = outcome_exit[p->outcome];
	if (fflush(stdout) != 0) {
		fprintf(stderr, PROG ": cannot write the output: %s\n",
		    strerror(errno));
		rc = X_INTERNAL;
	}
out:
	if (token != NULL) {
		explicit_bzero(token, (size_t)cfg->session.max_token_bytes + 2);
		free(token);
	}
	rp_profile_free(p);
	rp_client_free(client);
	if (global)
		rp_client_global_cleanup();
	rp_cfg_free(cfg);
	return rc;
}

static int
cmd_check_config(int argc, char **argv)
{
	struct args a = { 0 };
	struct rp_cfg *cfg = NULL;
	struct rp_renderer *r = NULL;
	struct rp_client *client = NULL;
	struct rp_shared *shared = NULL;
	char err[1024];
	size_t i;
	int rc, global = 0;

	if ((rc = parse_args(argc, argv, 0, &a)) != X_OK ||
	    (rc = load_config(a.config, &cfg)) != X_OK)
		goto out;
	if ((rc = rp_renderer_new(cfg, &r, err, sizeof(err))) != RP_OK) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = rc == RP_ENOMEM ? X_INTERNAL : X_CONFIG;
		goto out;
	}
	/* libcurl takes the [upstream] settings as the FastCGI program would. */
	if ((rc = start_client(cfg, &client, &global)) != X_OK)
		goto out;
	/* [shared]: the key file and the password file (Redis itself: -t). */
	if ((rc = rp_shared_from_cfg(cfg, &shared, err, sizeof(err))) != RP_OK) {
		fprintf(stderr, PROG ": %s\n", err);
		rc = rc == RP_ENOMEM ? X_INTERNAL : X_CONFIG;
		goto out;
	}
	for (i = 0; i < cfg->nviews; i++)
		if (rp_renderer_view_warning(r, i, err, sizeof(err)))
			fprintf(stderr, PROG ": warning: %s\n", err);
	printf("; %s: configuration OK; %zu view%s; templates compiled from %s\n",
	    cfg->path, cfg->nviews, cfg->nviews == 1 ? "" : "s",
	    cfg->server.templates);
	rp_cfg_write(cfg, stdout);
	rc = fflush(stdout) == 0 ? X_OK : X_INTERNAL;
out:
	rp_shared_free(shared);
	rp_client_free(client);
	if (global)
		rp_client_global_cleanup();
	rp_renderer_free(r);
	rp_cfg_free(cfg);
	return rc;
}

/* A new shared key file: the one secret every server of a site holds. */
static int
cmd_keygen(int argc, char **argv)
{
	char err[1024];

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		fputs(usage_text, stdout);
		return X_OK;
	}
	if (argc != 2 || argv[1][0] == '-')
		return usage_error("%s", "keygen takes one argument: the file "
		    "to write");
	if (rp_seal_keygen(argv[1], err, sizeof(err)) != RP_OK) {
		fprintf(stderr, PROG ": %s\n", err);
		return X_CONFIG;
	}
	printf("%s: new shared key written (mode 0600); copy it to every "
	    "server and set [shared] key_file\n", argv[1]);
	return X_OK;
}

/* The commands, by name (cgit's cmd.c shape). */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "fetch", cmd_fetch },
	{ "check-config", cmd_check_config },
	{ "keygen", cmd_keygen },
};

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return usage_error("%s", "a command is needed");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(usage_text, stdout);
		fputs(help_text, stdout);
		return X_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf(PROG " " PACKAGE_VERSION "\n");
		return X_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	return usage_error("unknown command `%s'; expected fetch, "
	    "check-config or keygen", argv[1]);
}
