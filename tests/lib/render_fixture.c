/* render_fixture.c: profiles and configurations built by hand for the rendering tests. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_fixture.h"
#include "testutil.h"

const char *const fx_templates[] = {
	"ok.html", "partial.html", "consent.html", "signin.html",
	"unavailable.html", "error.html", "card.html", "account.html", NULL,
};

static void
need(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fixture: %s failed\n", what);
		abort();
	}
}

struct rp_profile *
fx_profile(enum rp_outcome outcome, rp_attrset requested)
{
	struct rp_profile *p = NULL;

	need(rp_profile_new(requested, &p) == RP_OK, "rp_profile_new");
	p->outcome = outcome;
	return p;
}

void
fx_set(struct rp_profile *p, enum rp_attr_id id, const char *s)
{
	struct rp_value *v = rp_profile_value_mut(p, id);

	need(v != NULL, "value slot");
	v->text = rp_profile_strdup(p, s, strlen(s));
	need(v->text != NULL, "strdup");
	p->present |= RP_ATTR_BIT(id);
}

void
fx_list(struct rp_profile *p, enum rp_attr_id id, const char *const *items)
{
	const char **v;
	size_t n = 0, i;

	while (items[n] != NULL)
		n++;
	v = rp_arena_alloc(p->arena, (n + 1) * sizeof(*v));
	need(v != NULL, "arena");
	for (i = 0; i < n; i++)
		v[i] = rp_profile_strdup(p, items[i], strlen(items[i]));
	v[n] = NULL;
	need(rp_profile_value_mut(p, id) != NULL, "value slot");
	rp_profile_value_mut(p, id)->items = v;
	rp_profile_value_mut(p, id)->nitems = n;
	p->present |= RP_ATTR_BIT(id);
}

void
fx_addr(struct rp_profile *p, enum rp_attr_id id, enum rp_addr_part part,
    const char *s)
{
	struct rp_address *a = rp_profile_address_mut(p, id);

	need(a != NULL, "address");
	a->part[part] = rp_profile_strdup(p, s, strlen(s));
	p->present |= RP_ATTR_BIT(id);
}

void
fx_withhold(struct rp_profile *p, enum rp_attr_id id)
{
	p->withheld |= RP_ATTR_BIT(id);
}

void
fx_privacy(struct rp_profile *p, const char *url)
{
	p->privacy_url = rp_profile_strdup(p, url, strlen(url));
}

struct rp_cfg *
fx_cfg(const char *dir)
{
	struct rp_cfg *cfg = NULL;
	char err[512];

	if (rp_cfg_load(rp_test_srcpath("conf/richprofile.conf"), &cfg, err,
	    sizeof(err)) != RP_OK) {
		fprintf(stderr, "fixture: %s\n", err);
		abort();
	}
	free(cfg->server.templates);
	cfg->server.templates = strdup(dir != NULL ? dir :
	    rp_test_srcpath("conf/templates"));
	need(cfg->server.templates != NULL, "strdup");
	return cfg;
}
