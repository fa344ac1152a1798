/* profile.h: what one API call told us about one user. */
#ifndef RP_PROFILE_H
#define RP_PROFILE_H

#include <stddef.h>

#include "attr.h"
#include "err.h"

/* The one outcome of a call; the renderer maps it to what the user sees. */
enum rp_outcome {
	RP_OUT_GRANTED,    /* every requested attribute returned */
	RP_OUT_PARTIAL,    /* some requested attributes withheld */
	RP_OUT_REFUSED,    /* privacy refusal (-3): consent needed */
	RP_OUT_ACCOUNT,    /* account error (102, 103): sign in again */
	RP_OUT_APIERROR,   /* any other <error> code */
	RP_OUT_MALFORMED,  /* body not a usable RichProfile document */
	RP_OUT_UPSTREAM,   /* transport failure; see err */
	RP_OUT__COUNT
};

/* Parts are NULL when absent. */
struct rp_address {
	const char *part[RP_ADDR__COUNT];
};

/*
 * One attribute's value; which member is used follows the attribute's
 * kind.  32 bytes: the address parts live out of line, since most
 * values are not addresses and a cache holds thousands of profiles.
 */
struct rp_value {
	const char *text;           /* text, url, date, phone, code kinds */
	const char *const *items;   /* list kind: nitems strings */
	const struct rp_address *addr; /* address kind; NULL: no part came */
	size_t nitems;
};

/*
 * A profile is built by the parser (or by rp_profile_new_failure for a
 * transport failure), then never changed: the cache shares it between
 * threads by reference count.  Every string is UTF-8, NUL-terminated and
 * owned by the profile; they stay valid until the last rp_profile_free.
 */
struct rp_profile {
	rp_attrset requested;     /* what was asked for */
	rp_attrset present;       /* what UserAuthorizedData carried */
	rp_attrset withheld;      /* requested and absent, or listed as refused */
	rp_attrset slots;         /* attributes with room in values[] */
	const char *privacy_url;  /* from <url>, XML-unescaped; NULL if none */
	enum rp_outcome outcome;
	long code;                /* <code> of an <error>; 0 otherwise */
	const char *detail;       /* <detail>; NULL if none */
	const char *exception;    /* <exception>; NULL if none */
	const char *reason;       /* malformed: what is wrong, for a person */
	unsigned long line, column; /* malformed: where, 0 if unknown */
	enum rp_err err;          /* RP_OK, or why the call failed */
	int http_status;          /* status of the HTTP answer, 0 if none */
	unsigned unknown;         /* unknown elements ignored */

	/* Internal to profile.c and parse.c. */
	struct rp_arena *arena;
	int refs;
	/*
	 * One value per bit of slots, in attribute order: a profile holds
	 * room only for the attributes it may carry.  Read them with
	 * rp_profile_value, fill them with rp_profile_value_mut.
	 */
	struct rp_value values[];
};

/*
 * A new empty profile for requested, with a value slot for every
 * attribute: for producers that fill values by hand (tests, fixtures).
 * Caller frees with rp_profile_free.
 */
enum rp_err rp_profile_new(rp_attrset requested, struct rp_profile **out);

/*
 * A new empty profile for requested with value slots for `slots` only,
 * and room for `extra` more bytes of strings and arrays in the same
 * block, so that a producer who knows its size (the parser) makes one
 * allocation of the right size.  Caller frees with rp_profile_free.
 */
enum rp_err rp_profile_new_sized(rp_attrset requested, rp_attrset slots,
    size_t extra, struct rp_profile **out);

/*
 * A profile standing for a failed call: outcome RP_OUT_UPSTREAM (or
 * RP_OUT_MALFORMED when err is RP_EMALFORMED), err set, reason a
 * static message.  Caller frees with rp_profile_free.
 */
enum rp_err rp_profile_new_failure(rp_attrset requested, enum rp_err err,
    int http_status, struct rp_profile **out);

/* Takes one more reference (atomic); returns p. */
struct rp_profile *rp_profile_ref(struct rp_profile *p);

/* Drops one reference; the last one frees everything.  NULL is a no-op. */
void rp_profile_free(struct rp_profile *p);

/* Copies of s (n bytes) in the profile's memory, or NULL. */
const char *rp_profile_strdup(struct rp_profile *p, const char *s, size_t n);

/*
 * The value of id: the profile's own, or an empty value (every member
 * NULL or 0, static storage) when the profile has no slot for id.
 * Never NULL; borrowed for as long as the profile.
 */
const struct rp_value *rp_profile_value(const struct rp_profile *p,
    enum rp_attr_id id);

/*
 * For the producer, before the profile is shared: id's value to fill
 * in, or NULL when the profile has no slot for id.
 */
struct rp_value *rp_profile_value_mut(struct rp_profile *p, enum rp_attr_id id);

/*
 * For the producer: id's address to fill in, made with every part NULL
 * on first use.  NULL when the profile has no slot for id or memory
 * runs out.
 */
struct rp_address *rp_profile_address_mut(struct rp_profile *p,
    enum rp_attr_id id);

/* Part of an address value, or NULL (also when v has no address). */
const char *rp_value_part(const struct rp_value *v, enum rp_addr_part part);

/* Whether id has a value (present and not empty). */
int rp_profile_has(const struct rp_profile *p, enum rp_attr_id id);

/* What the user sees: the X-RichProfile-Status header and CSS class. */
enum rp_status {
	RP_ST_OK, RP_ST_PARTIAL, RP_ST_CONSENT, RP_ST_SIGNIN, RP_ST_UNAVAILABLE,
	RP_ST__COUNT
};

/* "ok", "partial", "consent", "signin", "unavailable". */
const char *rp_status_name(enum rp_status st);

/*
 * The status a profile leads to, the one mapping from the API's outcome
 * to what the user sees; NULL (no usable token) is signin.
 */
enum rp_status rp_status_of(const struct rp_profile *p);


/* "granted", "partial", "refused", "account", "apierror", "malformed", "upstream". */
const char *rp_outcome_name(enum rp_outcome o);

/* Heap bytes held by p, for the memory benchmarks. */
size_t rp_profile_footprint(const struct rp_profile *p);

/*
 * What p really takes of the heap: its footprint plus malloc's own
 * share of each of its blocks.  For the cache's byte bound.
 */
size_t rp_profile_heap_cost(const struct rp_profile *p);

#endif
