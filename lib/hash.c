/* hash.c: per-process keyed BLAKE2b over tokens (libsodium). */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "err.h"
#include "hash.h"

static unsigned char key[crypto_generichash_KEYBYTES];
static unsigned char fpkey[crypto_generichash_KEYBYTES];

enum rp_err
rp_hash_init(void)
{
	if (sodium_init() < 0)
		return RP_EINVAL;
	/* Distinct keys: a log fingerprint reveals nothing of a cache key. */
	randombytes_buf(key, sizeof(key));
	randombytes_buf(fpkey, sizeof(fpkey));
	return RP_OK;
}

void
rp_hash_key(const char *token, size_t len, rp_attrset infos,
    unsigned char out[RP_HASH_KEYLEN])
{
	crypto_generichash_state st;
	unsigned char set[4];

	set[0] = (unsigned char)(infos >> 24);
	set[1] = (unsigned char)(infos >> 16);
	set[2] = (unsigned char)(infos >> 8);
	set[3] = (unsigned char)infos;
	crypto_generichash_init(&st, key, sizeof(key), RP_HASH_KEYLEN);
	crypto_generichash_update(&st, set, sizeof(set));
	crypto_generichash_update(&st, (const unsigned char *)token, len);
	crypto_generichash_final(&st, out, RP_HASH_KEYLEN);
}

void
rp_hash_fingerprint(const char *token, size_t len,
    char out[RP_FINGERPRINT_LEN + 1])
{
	unsigned char h[RP_FINGERPRINT_LEN / 2];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token, len,
	    fpkey, sizeof(fpkey));
	sodium_bin2hex(out, RP_FINGERPRINT_LEN + 1, h, sizeof(h));
}

unsigned long long
rp_hash_user(const char *token, size_t len)
{
	unsigned char k[RP_HASH_KEYLEN];
	unsigned long long u;

	/* No attribute: a key no view's cache entry can have. */
	rp_hash_key(token, len, 0, k);
	memcpy(&u, k, sizeof(u));
	return u;
}
