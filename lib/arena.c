/* arena.c: chunked bump allocation; a profile's strings live and die together. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "arena.h"

#define ARENA_ALIGN 16u
#define ARENA_DEFAULT 2048u

struct chunk {
	struct chunk *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

/* Followed in memory by its first chunk; 16 bytes keep that aligned. */
struct rp_arena {
	struct chunk *head;
	size_t footprint;
};
_Static_assert(sizeof(struct rp_arena) % 16 == 0,
    "the first chunk follows the arena and must stay aligned");

static struct chunk *
chunk_new(size_t size)
{
	struct chunk *c = malloc(sizeof(*c) + size);

	if (c == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

/*
 * The arena and its first chunk are one malloc: a profile that fits its
 * hint (the parser sizes it exactly) costs one allocation and one free.
 */
enum rp_err
rp_arena_new(size_t hint, struct rp_arena **out)
{
	size_t size = hint ? hint : ARENA_DEFAULT;
	struct rp_arena *a;

	if (size > SIZE_MAX / 2)
		return RP_ENOMEM;
	if ((a = malloc(sizeof(*a) + sizeof(struct chunk) + size)) == NULL)
		return RP_ENOMEM;
	a->head = (struct chunk *)(a + 1);
	a->head->next = NULL;
	a->head->size = size;
	a->head->used = 0;
	a->footprint = sizeof(*a) + sizeof(struct chunk) + size;
	*out = a;
	return RP_OK;
}

void
rp_arena_free(struct rp_arena *a)
{
	struct chunk *c, *next;

	if (a == NULL)
		return;
	/* The last chunk of the list is the first one, inside a. */
	for (c = a->head; c->next != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

size_t
rp_arena_round(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

void *
rp_arena_alloc(struct rp_arena *a, size_t n)
{
	struct chunk *c = a->head;
	size_t off = rp_arena_round(c->used);
	size_t size;

	if (n > SIZE_MAX / 2)
		return NULL;
	if (off > c->size || c->size - off < n) {
		/* Grow geometrically so many small values cost few mallocs. */
		size = c->size * 2;
		if (size < n)
			size = n;
		if ((c = chunk_new(size)) == NULL)
			return NULL;
		c->next = a->head;
		a->head = c;
		a->footprint += sizeof(*c) + size;
		off = 0;
	}
	c->used = off + n;
	return c->data + off;
}

char *
rp_arena_strndup(struct rp_arena *a, const char *s, size_t n)
{
	char *p = rp_arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

size_t
rp_arena_footprint(const struct rp_arena *a)
{
	return a->footprint;
}

size_t
rp_arena_blocks(const struct rp_arena *a)
{
	const struct chunk *c;
	size_t n = 0;

	/* A handful at most: each chunk doubles the one before. */
	for (c = a->head; c != NULL; c = c->next)
		n++;
	return n;
}
