/* profile.c: life cycle of a profile and the names of its outcomes. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "profile.h"

/* Per outcome of a call: its name in logs, and what the user sees. */
static const struct {
	const char *name;
	enum rp_status status;
} outcomes[RP_OUT__COUNT] = {
	[RP_OUT_GRANTED]   = { "granted", RP_ST_OK },
	[RP_OUT_PARTIAL]   = { "partial", RP_ST_PARTIAL },
	[RP_OUT_REFUSED]   = { "refused", RP_ST_CONSENT },
	[RP_OUT_ACCOUNT]   = { "account", RP_ST_SIGNIN },
	[RP_OUT_APIERROR]  = { "apierror", RP_ST_UNAVAILABLE },
	[RP_OUT_MALFORMED] = { "malformed", RP_ST_UNAVAILABLE },
	[RP_OUT_UPSTREAM]  = { "upstream", RP_ST_UNAVAILABLE },
};

static const char *const status_names[RP_ST__COUNT] = {
	"ok", "partial", "consent", "signin", "unavailable",
};

enum rp_err
rp_profile_new(rp_attrset requested, struct rp_profile **out)
{
	return rp_profile_new_sized(requested, RP_ATTRSET_ALL, 0, out);
}

/* Values stored before id's in a profile with these slots. */
static unsigned
slot_index(rp_attrset slots, enum rp_attr_id id)
{
	return (unsigned)__builtin_popcount(slots & (RP_ATTR_BIT(id) - 1u));
}

enum rp_err
rp_profile_new_sized(rp_attrset requested, rp_attrset slots, size_t extra,
    struct rp_profile **out)
{
	struct rp_arena *a;
	struct rp_profile *p;
	size_t size;

	slots &= RP_ATTRSET_ALL;
	size = sizeof(*p) + (size_t)__builtin_popcount(slots) *
	    sizeof(struct rp_value);
	if (extra > SIZE_MAX / 2)
		return RP_ENOMEM;
	/*
	 * One block for the profile, its values and (when the producer
	 * knows it) every string, each block rounded as the arena does.
	 * Without a size, a little room for a few strings.
	 */
	size = rp_arena_round(size);
	if (rp_arena_new(size + (extra == 0 ? 256u : extra), &a) != RP_OK)
		return RP_ENOMEM;
	/* The profile lives in its own arena: one free releases all. */
	if ((p = rp_arena_alloc(a, size)) == NULL) {
		rp_arena_free(a);
		return RP_ENOMEM;
	}
	memset(p, 0, size);
	p->requested = requested;
	p->slots = slots;
	p->arena = a;
	p->refs = 1;
	*out = p;
	return RP_OK;
}

enum rp_err
rp_profile_new_failure(rp_attrset requested, enum rp_err err, int http_status,
    struct rp_profile **out)
{
	struct rp_profile *p;
	int rc;

	/* No values: room for none. */
	if ((rc = rp_profile_new_sized(requested, 0, 0, &p)) != RP_OK)
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

const struct rp_value *
rp_profile_value(const struct rp_profile *p, enum rp_attr_id id)
{
	static const struct rp_value none;

	if ((unsigned)id >= RP_ATTR__COUNT || !(p->slots & RP_ATTR_BIT(id)))
		return &none;
	return &p->values[slot_index(p->slots, id)];
}

struct rp_value *
rp_profile_value_mut(struct rp_profile *p, enum rp_attr_id id)
{
	if ((unsigned)id >= RP_ATTR__COUNT || !(p->slots & RP_ATTR_BIT(id)))
		return NULL;
	return &p->values[slot_index(p->slots, id)];
}

struct rp_address *
rp_profile_address_mut(struct rp_profile *p, enum rp_attr_id id)
{
	struct rp_value *v = rp_profile_value_mut(p, id);
	struct rp_address *addr;

	if (v == NULL)
		return NULL;
	if (v->addr != NULL)  /* made here, in p's own memory */
		return (struct rp_address *)(uintptr_t)v->addr;
	if ((addr = rp_arena_alloc(p->arena, sizeof(*addr))) == NULL)
		return NULL;
	memset(addr, 0, sizeof(*addr));
	v->addr = addr;
	return addr;
}

const char *
rp_value_part(const struct rp_value *v, enum rp_addr_part part)
{
	if (v->addr == NULL || (unsigned)part >= RP_ADDR__COUNT)
		return NULL;
	return v->addr->part[part];
}

int
rp_profile_has(const struct rp_profile *p, enum rp_attr_id id)
{
	const struct rp_value *v = rp_profile_value(p, id);
	const char *part;
	int i;

	if (!(p->present & RP_ATTR_BIT(id)))
		return 0;
	if (v->text != NULL && v->text[0] != '\0')
		return 1;
	if (v->nitems > 0)
		return 1;
	for (i = 0; i < RP_ADDR__COUNT; i++)
		if ((part = rp_value_part(v, (enum rp_addr_part)i)) != NULL &&
		    part[0] != '\0')
			return 1;
	return 0;
}

const char *
rp_status_name(enum rp_status st)
{
	return (unsigned)st < RP_ST__COUNT ? status_names[st] : "unavailable";
}

enum rp_status
rp_status_of(const struct rp_profile *p)
{
	if (p == NULL)
		return RP_ST_SIGNIN;
	return (unsigned)p->outcome < RP_OUT__COUNT ?
	    outcomes[p->outcome].status : RP_ST_UNAVAILABLE;
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

size_t
rp_profile_heap_cost(const struct rp_profile *p)
{
	return rp_arena_footprint(p->arena) +
	    rp_arena_blocks(p->arena) * RP_MALLOC_OVERHEAD;
}
