/* hash.h: keyed hashes of tokens, so a token is never a key nor a log field. */
#ifndef RP_HASH_H
#define RP_HASH_H

#include <stddef.h>

#include "attr.h"
#include "err.h"

#define RP_HASH_KEYLEN 16         /* bytes of a cache key */
#define RP_FINGERPRINT_LEN 12     /* hex characters of a log fingerprint */

/*
 * Initialises libsodium and draws this process's random key.  Call once
 * before threads start; returns RP_OK or RP_EINVAL if libsodium fails.
 */
enum rp_err rp_hash_init(void);

/* The cache key of (token, infos): BLAKE2b keyed with the process key. */
void rp_hash_key(const char *token, size_t len, rp_attrset infos,
    unsigned char out[RP_HASH_KEYLEN]);

/*
 * Who a token is, as a number, for counting different users (the
 * circuit breaker): the first bytes of the token's keyed hash, never
 * reversible, and different from every cache key.
 */
unsigned long long rp_hash_user(const char *token, size_t len);

/*
 * A short fingerprint of token for correlating log lines: 12 lower-case
 * hex characters and a NUL.  Different keys per process, so it cannot be
 * matched across restarts, let alone reversed.
 */
void rp_hash_fingerprint(const char *token, size_t len,
    char out[RP_FINGERPRINT_LEN + 1]);

#endif
