/* pack.c: a profile as bytes and back (checked lengths, one allocation). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "attr.h"
#include "pack.h"

/* Bumped whenever the layout or the attribute catalogue changes. */
#define PACK_VERSION (0x50 + RP_ATTR__COUNT)
#define NO_STRING 0xffffffffu
/* Far above any real answer; a bound against a broken length. */
#define MAX_ITEMS 65536u

static void
put32(struct rp_buf *b, uint32_t v)
{
	char c[4] = { (char)(v & 0xff), (char)((v >> 8) & 0xff),
	    (char)((v >> 16) & 0xff), (char)(v >> 24) };

	rp_buf_append(b, c, sizeof(c));
}

static void
put_str(struct rp_buf *b, const char *s)
{
	size_t n;

	if (s == NULL) {
		put32(b, NO_STRING);
		return;
	}
	n = strlen(s);
	put32(b, (uint32_t)n);
	rp_buf_append(b, s, n);
}

enum rp_err
rp_pack(const struct rp_profile *p, struct rp_buf *b)
{
	const struct rp_value *v;
	unsigned id, i;

	rp_buf_putc(b, (char)PACK_VERSION);
	rp_buf_putc(b, (char)p->outcome);
	put32(b, p->requested);
	put32(b, p->present);
	put32(b, p->withheld);
	put32(b, p->slots);
	put_str(b, p->privacy_url);
	for (id = 0; id < RP_ATTR__COUNT; id++) {
		if (!(p->slots & RP_ATTR_BIT(id)))
			continue;
		v = rp_profile_value(p, (enum rp_attr_id)id);
		put_str(b, v->text);
		put32(b, (uint32_t)v->nitems);
		for (i = 0; i < v->nitems; i++)
			put_str(b, v->items[i]);
		rp_buf_putc(b, v->addr != NULL);
		for (i = 0; v->addr != NULL && i < RP_ADDR__COUNT; i++)
			put_str(b, v->addr->part[i]);
	}
	return b->failed ? (enum rp_err)b->failed : RP_OK;
}

/* A reading position; every get fails once past the end. */
struct rd {
	const unsigned char *s;
	size_t n, pos;
	int bad;
};

static uint32_t
get32(struct rd *r)
{
	uint32_t v;

	if (r->bad || r->n - r->pos < 4) {
		r->bad = 1;
		return 0;
	}
	v = (uint32_t)r->s[r->pos] | (uint32_t)r->s[r->pos + 1] << 8 |
	    (uint32_t)r->s[r->pos + 2] << 16 | (uint32_t)r->s[r->pos + 3] << 24;
	r->pos += 4;
	return v;
}

static unsigned
get8(struct rd *r)
{
	if (r->bad || r->pos >= r->n) {
		r->bad = 1;
		return 0;
	}
	return r->s[r->pos++];
}

/*
 * One string: with p NULL only measured (its arena share added to
 * *extra), else copied into p.  *out is NULL for an absent string.
 */
static void
get_str(struct rd *r, struct rp_profile *p, size_t *extra, const char **out)
{
	uint32_t len = get32(r);

	*out = NULL;
	if (r->bad || len == NO_STRING)
		return;
	if (r->n - r->pos < len || memchr(r->s + r->pos, '\0', len) != NULL) {
		r->bad = 1;
		return;
	}
	if (p == NULL)
		*extra += rp_arena_round((size_t)len + 1);
	else if ((*out = rp_profile_strdup(p, (const char *)r->s + r->pos,
	    len)) == NULL)
		r->bad = 2;
	r->pos += len;
}

/*
 * Reads the values after the header: with p NULL only checks and
 * measures them, else fills p (made with the measured size).
 */
static void
read_values(struct rd *r, rp_attrset slots, struct rp_profile *p,
    size_t *extra)
{
	const char *s, **items = NULL;
	struct rp_value *v = NULL;
	struct rp_address *addr;
	uint32_t nitems, i;
	unsigned id, part;

	for (id = 0; id < RP_ATTR__COUNT && !r->bad; id++) {
		if (!(slots & RP_ATTR_BIT(id)))
			continue;
		if (p != NULL)
			v = rp_profile_value_mut(p, (enum rp_attr_id)id);
		get_str(r, p, extra, &s);
		if (v != NULL)
			v->text = s;
		nitems = get32(r);
		if (nitems > MAX_ITEMS || (size_t)nitems * 4 > r->n - r->pos) {
			r->bad = 1;
			return;
		}
		if (nitems > 0 && p == NULL)
			*extra += rp_arena_round(nitems * sizeof(char *));
		else if (nitems > 0) {
			if ((items = rp_arena_alloc(p->arena,
			    nitems * sizeof(char *))) == NULL) {
				r->bad = 2;
				return;
			}
			v->items = items;
			v->nitems = nitems;
		}
		for (i = 0; i < nitems && !r->bad; i++) {
			get_str(r, p, extra, &s);
			if (p != NULL)
				items[i] = s != NULL ? s : "";
		}
		switch (get8(r)) {
		case 0:
			break;
		case 1:
			addr = NULL;
			if (p == NULL)
				*extra += rp_arena_round(sizeof(struct rp_address));
			else if ((addr = rp_profile_address_mut(p,
			    (enum rp_attr_id)id)) == NULL) {
				r->bad = 2;
				return;
			}
			for (part = 0; part < RP_ADDR__COUNT && !r->bad; part++) {
				get_str(r, p, extra, &s);
				if (addr != NULL)
					addr->part[part] = s;
			}
			break;
		default:
			r->bad = 1;
			return;
		}
	}
}

enum rp_err
rp_unpack(const unsigned char *s, size_t n, struct rp_profile **out)
{
	struct rd r = { s, n, 0, 0 };
	struct rp_profile *p = NULL;
	rp_attrset requested, present, withheld, slots;
	unsigned outcome;
	size_t extra = 0, start;
	const char *url;
	int rc;

	if (get8(&r) != PACK_VERSION)
		return RP_EMALFORMED;
	outcome = get8(&r);
	requested = get32(&r);
	present = get32(&r);
	withheld = get32(&r);
	slots = get32(&r);
	if (r.bad || outcome >= RP_OUT__COUNT || (requested | present |
	    withheld | slots) & ~RP_ATTRSET_ALL)
		return RP_EMALFORMED;
	/* First pass: check every length and measure; then one allocation. */
	start = r.pos;
	get_str(&r, NULL, &extra, &url);
	read_values(&r, slots, NULL, &extra);
	if (r.bad || r.pos != r.n)
		return RP_EMALFORMED;
	if ((rc = rp_profile_new_sized(requested, slots, extra, &p)) != RP_OK)
		return rc;
	p->outcome = (enum rp_outcome)outcome;
	p->present = present;
	p->withheld = withheld;
	r.pos = start;
	get_str(&r, p, &extra, &p->privacy_url);
	read_values(&r, slots, p, &extra);
	if (r.bad) {
		rp_profile_free(p);
		return r.bad == 2 ? RP_ENOMEM : RP_EMALFORMED;
	}
	*out = p;
	return RP_OK;
}
