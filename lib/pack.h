/* pack.h: a profile as bytes and back, for the shared tier. */
#ifndef RP_PACK_H
#define RP_PACK_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "profile.h"

/*
 * The bytes of a profile: its outcome, attribute sets and values, in a
 * private, versioned layout (little-endian lengths, no names: attribute
 * ids are the catalogue's order, and a catalogue change bumps the
 * version, so old entries become misses).  Only what rendering reads is
 * kept: the values, the sets and the privacy URL.  Packed bytes are
 * sealed before they leave the process (seal.h); rp_unpack still checks
 * every length, since a bug or another version must never be able to
 * read out of bounds.
 */

/* Appends p's bytes to b.  RP_OK, or the buffer's error. */
enum rp_err rp_pack(const struct rp_profile *p, struct rp_buf *b);

/*
 * A new profile from the n bytes at s.  RP_EMALFORMED when they are not
 * what rp_pack wrote (this version), RP_ENOMEM.  *out is written only on
 * success; caller frees with rp_profile_free.
 */
enum rp_err rp_unpack(const unsigned char *s, size_t n, struct rp_profile **out);

#endif
