/* fuzz_template.c: the template compiler on arbitrary sources, rendered with hostile values. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "profile.h"
#include "template.h"

static void
check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_template: broken invariant: %s\n", what);
		abort();
	}
}

static void
set(struct rp_profile *p, enum rp_attr_id id, const char *s)
{
	rp_profile_value_mut(p, id)->text = rp_profile_strdup(p, s, strlen(s));
	p->present |= RP_ATTR_BIT(id);
}

/* Every value carries the marker "q9z" behind a quote and an angle bracket. */
#define EVIL "\"q9z'<q9z>&javascript:alert(1)"

static struct rp_profile *
hostile(void)
{
	static const char *items[] = { EVIL, "<q9z>", NULL };
	struct rp_profile *p = NULL;
	int i;

	check(rp_profile_new(RP_ATTRSET_ALL, &p) == RP_OK, "profile");
	for (i = 0; i < RP_ATTR__COUNT; i++) {
		enum rp_kind k = rp_attr_get((enum rp_attr_id)i)->kind;

		if (k == RP_KIND_LIST) {
			rp_profile_value_mut(p, (enum rp_attr_id)i)->items = items;
			rp_profile_value_mut(p, (enum rp_attr_id)i)->nitems = 2;
			p->present |= RP_ATTR_BIT(i);
		} else if (k == RP_KIND_ADDRESS) {
			check(rp_profile_address_mut(p, (enum rp_attr_id)i) != NULL,
			    "address");
			rp_profile_address_mut(p, (enum rp_attr_id)i)->part[RP_ADDR_CITY] = EVIL;
			p->present |= RP_ATTR_BIT(i);
		} else if (k == RP_KIND_URL)
			set(p, (enum rp_attr_id)i, i % 2 ? "javascript:q9z" : "http://x/\"q9z");
		else
			set(p, (enum rp_attr_id)i, EVIL);
	}
	p->withheld = RP_ATTR_BIT(RP_A_USERTYPE);
	return p;
}

/* Whether the n bytes at s hold "q9z" (memmem is not standard C). */
static int
has_marker(const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i + 3 <= n; i++)
		if (s[i] == 'q' && s[i + 1] == '9' && s[i + 2] == 'z')
			return 1;
	return 0;
}

RP_FUZZ_TARGET(template)
{
	static struct rp_profile *p;
	struct rp_tmpl *t = NULL;
	struct rp_tmpl_ctx ctx;
	struct rp_buf b;
	char err[256];
	int rc;

	if (p == NULL)
		p = hostile();
	rc = rp_tmpl_compile("fuzz", (const char *)data, size, &t, err, sizeof(err));
	if (rc != RP_OK) {
		check(rc == RP_ETEMPLATE && t == NULL, "a refusal is RP_ETEMPLATE");
		check(strncmp(err, "fuzz:", 5) == 0, "errors name the file");
		return 0;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.profile = p;
	ctx.shown = RP_ATTRSET_ALL;
	ctx.lang = RP_LANG_EN;
	ctx.status = "ok";
	ctx.consent_url = "javascript:q9z";
	ctx.login_url = "//q9z.example/";
	ctx.return_url = "http://x/?\"q9z";
	ctx.return_path = EVIL;
	rp_buf_init(&b, 65536);
	rc = rp_tmpl_render(t, &ctx, &b);
	check(rc == RP_OK || rc == RP_ELIMIT, "render result");
	/* A value never lands unescaped, and no rejected link is ever written. */
	if (rc == RP_OK && !has_marker(data, size))
		check(strstr(rp_buf_str(&b), "q9z") == NULL ||
		    (strstr(rp_buf_str(&b), "<q9z") == NULL &&
		    strstr(rp_buf_str(&b), "\"q9z") == NULL &&
		    strstr(rp_buf_str(&b), "'q9z") == NULL &&
		    strstr(rp_buf_str(&b), "javascript:q9z") == NULL &&
		    strstr(rp_buf_str(&b), "//q9z") == NULL), "values escaped");
	rp_buf_free(&b);
	rp_tmpl_free(t);
	return 0;
}
