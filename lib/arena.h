/* arena.h: a bump allocator that frees everything of one owner at once. */
#ifndef RP_ARENA_H
#define RP_ARENA_H

#include <stddef.h>

#include "err.h"

struct rp_arena;

/*
 * A new arena whose first chunk holds `hint` bytes (0: a default).
 * Caller frees with rp_arena_free, which releases every allocation.
 */
enum rp_err rp_arena_new(size_t hint, struct rp_arena **out);
void rp_arena_free(struct rp_arena *a);

/*
 * What an allocation of n bytes takes of a chunk: n rounded up to the
 * arena's alignment.  For producers sizing a first chunk exactly.
 */
size_t rp_arena_round(size_t n);

/* n bytes aligned for any object, or NULL when memory is exhausted. */
void *rp_arena_alloc(struct rp_arena *a, size_t n);

/* A NUL-terminated copy of the n bytes at s, or NULL. */
char *rp_arena_strndup(struct rp_arena *a, const char *s, size_t n);

/* Bytes obtained from malloc so far, for the memory benchmarks. */
size_t rp_arena_footprint(const struct rp_arena *a);

/* Blocks obtained from malloc so far (each costs RP_MALLOC_OVERHEAD more). */
size_t rp_arena_blocks(const struct rp_arena *a);

/*
 * What malloc adds to each block it hands out, on average: glibc's
 * 8-byte size word and its rounding of every block to 16 bytes.  For
 * accounts of the heap a block really takes (the cache's byte bound).
 */
#define RP_MALLOC_OVERHEAD 16u

#endif
