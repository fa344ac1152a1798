/* profile.c: life cycle of a profile and the names of its outcomes. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "profile.h"

static const struct {
	const char *name;
	const char *status;
} outcomes[RP_OUT__COUNT] = {
	[RP_OUT_GRANTED]   = { "granted", "ok" },
	[RP_OUT_PARTIAL]   = { "partial", "partial" },
	[RP_OUT_REFUSED]   = { "refused", "consent" },
	[RP_OUT_ACCOUNT]   = { "account", "signin" },
	[RP_OUT_APIERROR]  = { "apierror", "unavailable" },
	[RP_OUT_MALFORMED] = { "malformed", "unavailable" },
	[RP_OUT_UPSTREAM]  = { "upstream", "unavailable" },
};

int
rp_profile_new(rp_attrset requested, struct rp_profile **out)
{
	return rp_profile_new_sized(requested, 0, out);
}

int
rp_profile_new_sized(rp_attrset requested, size_t extra,
    struct rp_profile **out)
{
	struct rp_arena *a;
	struct rp_profile *p;
	/* The arena rounds every block up to 16 bytes. */
	size_t head = (sizeof(*p) + 15u) & ~(size_t)15u;

	if (extra > SIZE_MAX / 2 ||
	    rp_arena_new(extra == 0 ? 0 : head + extra, &a) != RP_OK)
		return RP_ENOMEM;
	/* The profile lives in its own arena: one free releases all. */
	if ((p = rp_arena_alloc(a, sizeof(*p))) == NULL) {
		rp_arena_free(a);
		return RP_ENOMEM;
	}
	memset(p, 0, sizeof(*p));
	p->requested = requested;
	p->arena = a;
	p->refs = 1;
	*out = p;
	return RP_OK;
}

int
rp_profile_new_failure(rp_attrset requested, enum rp_err err, int http_status,
    struct rp_profile **out)
{
	struct rp_profile *p;
	int rc;

	if ((rc = rp_profile_new(requested, &p)) != RP_OK)
		return rc;
	p->outcome = err == RP_EMALFORMED ? RP_OUT_MALFORMED : RP_OUT_UPSTREAM;
	p->err = err;
	p->http_status = http_status;
	p->reason = rp_strerror(err);
	*out = p;
	return RP_OK;
}

struct rp_profile *
rp_profile_ref(struct rp_profile *p)
{
	__atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
	return p;
}

void
rp_profile_free(struct rp_profile *p)
{
	if (p == NULL)
		return;
	if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0)
		rp_arena_free(p->arena);
}

const char *
rp_profile_strdup(struct rp_profile *p, const char *s, size_t n)
{
	return rp_arena_strndup(p->arena, s, n);
}

int
rp_profile_has(const struct rp_profile *p, enum rp_attr_id id)
{
	const struct rp_value *v = &p->values[id];
	int i;

	if (!(p->present & RP_ATTR_BIT(id)))
		return 0;
	if (v->text != NULL && v->text[0] != '\0')
		return 1;
	if (v->nitems > 0)
		return 1;
	for (i = 0; i < RP_ADDR__COUNT; i++)
		if (v->addr.part[i] != NULL && v->addr.part[i][0] != '\0')
			return 1;
	return 0;
}

const char *
rp_outcome_status(enum rp_outcome o)
{
	return (unsigned)o < RP_OUT__COUNT ? outcomes[o].status : "unavailable";
}

const char *
rp_outcome_name(enum rp_outcome o)
{
	return (unsigned)o < RP_OUT__COUNT ? outcomes[o].name : "unknown";
}

size_t
rp_profile_footprint(const struct rp_profile *p)
{
	return rp_arena_footprint(p->arena);
}
