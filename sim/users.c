/* users.c: the demo users: read from their file (INI, inih), found by token, id or consent context, and put back to their initial consent state. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <ini.h>

#include "sim.h"

/* What the parse callbacks share. */
struct load {
	const char *path;
	FILE *f;
	unsigned lineno;         /* line last handed to inih */
	unsigned header;         /* line of the last [section] header read */
	unsigned section_line;   /* header line of the current user */
	unsigned long_line;      /* first line that did not fit inih's buffer */
	struct sim_users users;
	char *section;           /* last section seen, to spot a new one */
	char msg[512];           /* why the handler failed */
};

/* Reads one line for inih and counts it, so errors can name their line. */
static char *
reader(char *str, int num, void *stream)
{
	struct load *ld = stream;
	size_t n;

	if (fgets(str, num, ld->f) == NULL)
		return NULL;
	ld->lineno++;
	/* inih does not tell a repeated [user x] apart from its first one. */
	if (str[strspn(str, " \t")] == '[')
		ld->header = ld->lineno;
	n = strlen(str);
	if (n > 0 && str[n - 1] != '\n' && !feof(ld->f) && ld->long_line == 0)
		ld->long_line = ld->lineno;
	return str;
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/* Whether s is a usable cookie value (RFC 6265 cookie-octets), 1..max bytes. */
static int
cookie_safe(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' ||
		    c == '\\')
			return 0;
	}
	return n > 0 && n <= SIM_MAX_TOKEN;
}

static int
id_safe(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return n > 0 && n <= 32;
}

/* Splits a comma-separated list into trimmed, non-empty items. */
static int
split_list(const char *s, char ***items, size_t *nitems)
{
	char **v = NULL;
	size_t n = 0;
	const char *p = s;

	while (*p != '\0') {
		const char *start, *end;
		char **nv;

		while (*p == ' ' || *p == '\t')
			p++;
		start = p;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (*p == ',')
			p++;
		if (end == start)
			continue;
		if ((nv = realloc(v, (n + 1) * sizeof(*v))) == NULL)
			goto fail;
		v = nv;
		if ((v[n] = malloc((size_t)(end - start) + 1)) == NULL)
			goto fail;
		memcpy(v[n], start, (size_t)(end - start));
		v[n][end - start] = '\0';
		n++;
	}
	*items = v;
	*nitems = n;
	return 0;
fail:
	while (n > 0)
		free(v[--n]);
	free(v);
	return -1;
}

/* Stores a string into *slot unless it is already set. */
static int
set_once(struct load *ld, char **slot, const char *name, const char *value)
{
	if (*slot != NULL) {
		snprintf(ld->msg, sizeof(ld->msg), "'%s' is given twice", name);
		return 0;
	}
	if ((*slot = xstrdup(value)) == NULL) {
		snprintf(ld->msg, sizeof(ld->msg), "out of memory");
		return 0;
	}
	return 1;
}

static int
yes_no(struct load *ld, const char *name, const char *value, int *out)
{
	if (strcasecmp(value, "yes") == 0 || strcasecmp(value, "true") == 0 ||
	    strcmp(value, "1") == 0)
		*out = 1;
	else if (strcasecmp(value, "no") == 0 || strcasecmp(value, "false") == 0 ||
	    strcmp(value, "0") == 0)
		*out = 0;
	else {
		snprintf(ld->msg, sizeof(ld->msg),
		    "'%s' must be yes or no, not '%s'", name, value);
		return 0;
	}
	return 1;
}

/* Starts the user of section "user ID"; 0 with a message on error. */
static int
new_user(struct load *ld, const char *section)
{
	struct sim_user *v, *u;
	size_t i;

	free(ld->section);
	ld->section_line = ld->header;
	if ((ld->section = xstrdup(section)) == NULL) {
		snprintf(ld->msg, sizeof(ld->msg), "out of memory");
		return 0;
	}
	if (strncmp(section, "user ", 5) != 0 || !id_safe(section + 5)) {
		snprintf(ld->msg, sizeof(ld->msg),
		    "section [%s] is not [user ID] (ID: 1 to 32 of A-Z a-z 0-9 - _)",
		    section);
		return 0;
	}
	for (i = 0; i < ld->users.n; i++)
		if (strcmp(ld->users.v[i].id, section + 5) == 0) {
			snprintf(ld->msg, sizeof(ld->msg),
			    "user '%s' is defined twice (first on line %u)",
			    section + 5, ld->users.v[i].line);
			return 0;
		}
	if ((v = realloc(ld->users.v, (ld->users.n + 1) * sizeof(*v))) == NULL) {
		snprintf(ld->msg, sizeof(ld->msg), "out of memory");
		return 0;
	}
	ld->users.v = v;
	u = &v[ld->users.n++];
	memset(u, 0, sizeof(*u));
	u->line = ld->header;
	u->photo = 1;
	u->shape = SIM_SHAPE_ELEMENTS;
	if ((u->id = xstrdup(section + 5)) == NULL) {
		snprintf(ld->msg, sizeof(ld->msg), "out of memory");
		return 0;
	}
	return 1;
}

/* An attribute key: "Firstname", "HomeAddress.City", "CentersOfInterests". */
static int
attribute(struct load *ld, struct sim_user *u, const char *name,
    const char *value)
{
	const char *dot = strchr(name, '.');
	size_t len = dot != NULL ? (size_t)(dot - name) : strlen(name);
	enum rp_attr_id id;
	enum rp_addr_part part;
	const struct rp_attr *a;
	struct sim_value *v;

	if (rp_attr_lookup(name, len, &id) != 0) {
		snprintf(ld->msg, sizeof(ld->msg),
		    "unknown key '%s' (expected token, about, language, refused, "
		    "expired, photo, interests or an attribute name of the "
		    "catalogue, addresses as HomeAddress.Street1)", name);
		return 0;
	}
	a = rp_attr_get(id);
	v = &u->values[id];
	if (a->kind == RP_KIND_ADDRESS) {
		if (dot == NULL || rp_addr_part_lookup(dot + 1, strlen(dot + 1),
		    &part) != 0) {
			snprintf(ld->msg, sizeof(ld->msg),
			    "'%s' needs a part: %s.Street1, Street2, ZipCode, City, "
			    "State or Country", name, a->name);
			return 0;
		}
		return set_once(ld, &v->part[part], name, value);
	}
	if (dot != NULL) {
		snprintf(ld->msg, sizeof(ld->msg),
		    "'%s': only addresses have parts", name);
		return 0;
	}
	if (a->kind == RP_KIND_LIST) {
		if (v->items != NULL) {
			snprintf(ld->msg, sizeof(ld->msg), "'%s' is given twice", name);
			return 0;
		}
		if (split_list(value, &v->items, &v->nitems) != 0) {
			snprintf(ld->msg, sizeof(ld->msg), "out of memory");
			return 0;
		}
		return 1;
	}
	return set_once(ld, &v->text, name, value);
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct load *ld = user;
	struct sim_user *u;
	const char *bad;
	size_t badlen;

	/* After the first error inih goes on; only the first one is told. */
	if (ld->msg[0] != '\0' || ld->long_line != 0)
		return 1;
	if (section[0] == '\0') {
		snprintf(ld->msg, sizeof(ld->msg),
		    "'%s' outside any [user ID] section", name);
		return 0;
	}
	if ((ld->section == NULL || strcmp(ld->section, section) != 0 ||
	    ld->header != ld->section_line) && !new_user(ld, section))
		return 0;
	u = &ld->users.v[ld->users.n - 1];

	if (strcmp(name, "token") == 0) {
		if (!cookie_safe(value)) {
			snprintf(ld->msg, sizeof(ld->msg),
			    "the token must be 1 to %d printable ASCII characters "
			    "without blanks, quotes, commas, semicolons or backslashes "
			    "(it goes into a cookie)", SIM_MAX_TOKEN);
			return 0;
		}
		return set_once(ld, &u->token, name, value);
	}
	if (strcmp(name, "about") == 0)
		return set_once(ld, &u->about, name, value);
	if (strcmp(name, "language") == 0) {
		if (strcmp(value, "fr") != 0 && strcmp(value, "en") != 0) {
			snprintf(ld->msg, sizeof(ld->msg),
			    "language must be fr or en, not '%s'", value);
			return 0;
		}
		return set_once(ld, &u->language, name, value);
	}
	if (strcmp(name, "expired") == 0)
		return yes_no(ld, name, value, &u->expired);
	if (strcmp(name, "photo") == 0)
		return yes_no(ld, name, value, &u->photo);
	if (strcmp(name, "refused") == 0) {
		if (strcmp(value, "*") == 0) {
			u->refused_initial = RP_ATTRSET_ALL;
			return 1;
		}
		if (rp_attrset_parse(value, &u->refused_initial, &bad, &badlen) != 0) {
			snprintf(ld->msg, sizeof(ld->msg),
			    "refused: unknown attribute '%.*s' (a comma list of "
			    "catalogue names, or *)", (int)badlen, bad);
			return 0;
		}
		return 1;
	}
	if (strcmp(name, "interests") == 0) {
		static const char *const shapes[] = {
			"elements", "comma", "semicolon", "newline",
		};
		size_t i;

		for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
			if (strcmp(value, shapes[i]) == 0) {
				u->shape = (enum sim_shape)i;
				return 1;
			}
		snprintf(ld->msg, sizeof(ld->msg),
		    "interests must be elements, comma, semicolon or newline, "
		    "not '%s'", value);
		return 0;
	}
	return attribute(ld, u, name, value);
}

/* Checks what no single line can: every user has a token, tokens differ. */
static int
check_users(struct load *ld, unsigned *line)
{
	size_t i, j;

	if (ld->users.n == 0) {
		*line = ld->lineno;
		snprintf(ld->msg, sizeof(ld->msg), "no [user ID] section");
		return -1;
	}
	for (i = 0; i < ld->users.n; i++) {
		struct sim_user *u = &ld->users.v[i];

		*line = u->line;
		if (u->token == NULL) {
			snprintf(ld->msg, sizeof(ld->msg),
			    "user '%s' has no token", u->id);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(ld->users.v[j].token, u->token) == 0) {
				snprintf(ld->msg, sizeof(ld->msg),
				    "user '%s' has the same token as user '%s'",
				    u->id, ld->users.v[j].id);
				return -1;
			}
		if (u->language == NULL && (u->language = xstrdup("fr")) == NULL) {
			snprintf(ld->msg, sizeof(ld->msg), "out of memory");
			return -1;
		}
		/* PreferredLanguage follows `language` unless given. */
		if (u->values[RP_A_PREFERREDLANGUAGE].text == NULL &&
		    (u->values[RP_A_PREFERREDLANGUAGE].text =
		    xstrdup(u->language)) == NULL) {
			snprintf(ld->msg, sizeof(ld->msg), "out of memory");
			return -1;
		}
	}
	return 0;
}

int
sim_users_load(const char *path, struct sim_users *out, char *err,
    size_t errlen)
{
	struct load ld;
	unsigned line = 0;
	int rc = -1, r;

	memset(&ld, 0, sizeof(ld));
	ld.path = path;
	if ((ld.f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open the users file: %m", path);
		goto out;
	}
	r = ini_parse_stream(reader, &ld, handler, &ld);
	if (ld.long_line != 0) {
		snprintf(err, errlen, "%s:%u: line too long for the INI parser; "
		    "shorten the value", path, ld.long_line);
		goto out;
	}
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot read the users file", path);
		goto out;
	}
	if (r > 0) {
		snprintf(err, errlen, "%s:%d: %s", path, r,
		    ld.msg[0] != '\0' ? ld.msg :
		    "syntax error (expected [user ID], KEY = VALUE or a comment)");
		goto out;
	}
	if (check_users(&ld, &line) != 0) {
		snprintf(err, errlen, "%s:%u: %s", path, line, ld.msg);
		goto out;
	}
	*out = ld.users;
	ld.users.v = NULL;
	ld.users.n = 0;
	rc = 0;
out:
	if (ld.f != NULL)
		fclose(ld.f);
	free(ld.section);
	sim_users_free(&ld.users);
	return rc;
}

void
sim_users_free(struct sim_users *us)
{
	size_t i, k, p;

	for (i = 0; i < us->n; i++) {
		struct sim_user *u = &us->v[i];

		free(u->id);
		free(u->token);
		free(u->about);
		free(u->language);
		for (k = 0; k < RP_ATTR__COUNT; k++) {
			free(u->values[k].text);
			for (p = 0; p < RP_ADDR__COUNT; p++)
				free(u->values[k].part[p]);
			for (p = 0; p < u->values[k].nitems; p++)
				free(u->values[k].items[p]);
			free(u->values[k].items);
		}
	}
	free(us->v);
	us->v = NULL;
	us->n = 0;
}

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
