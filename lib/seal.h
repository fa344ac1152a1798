/* seal.h: the key all servers share, Redis key names and sealed values. */
#ifndef RP_SEAL_H
#define RP_SEAL_H

#include <stddef.h>

#include "attr.h"
#include "buf.h"
#include "err.h"

#define RP_SEAL_KEYLEN 32        /* bytes of the shared key */
#define RP_SEAL_NAMELEN 32       /* hex characters of a key name's hash */

/*
 * Everything the shared tier writes is derived from one key, the
 * [shared] key_file, the same on every server: subkeys (crypto_kdf) for
 * the keyed hash that names entries and for the AEAD that seals them.
 * A new key file gives new names and new seals, so every old entry is a
 * clean miss.
 */
struct rp_seal {
	unsigned char name_key[32];   /* BLAKE2b key of entry names */
	unsigned char aead_key[32];   /* XChaCha20-Poly1305 key */
};

/*
 * Reads a key file: 32 bytes, or 64 hex characters (a final newline
 * allowed).  Refuses a file any user may read (other than its owner
 * and group), naming the mode and the fix.  On error writes "what
 * failed and what to do" into err and returns RP_ECONFIG or RP_EIO;
 * key is written only on success.
 */
enum rp_err rp_seal_key_load(const char *path,
    unsigned char key[RP_SEAL_KEYLEN], char *err, size_t errlen);

/*
 * Writes a new random key to path as 64 hex characters and a newline,
 * mode 0600, refusing to replace an existing file.  RP_OK, or RP_EIO
 * with the reason in err.
 */
enum rp_err rp_seal_keygen(const char *path, char *err, size_t errlen);

/* The subkeys of key (libsodium must be initialised). */
void rp_seal_init(struct rp_seal *s, const unsigned char key[RP_SEAL_KEYLEN]);

/*
 * The name of an entry of kind ('p' profile, 'c' consent memory) for
 * (token, infos): RP_SEAL_NAMELEN lower-case hex characters and a NUL.
 * A keyed hash: neither the token nor the attributes can be read from it.
 */
void rp_seal_name(const struct rp_seal *s, char kind, const char *token,
    size_t len, rp_attrset infos, char out[RP_SEAL_NAMELEN + 1]);

/*
 * Appends to out a random nonce and the sealed (expires_ms, msg),
 * authenticated with ad (the Redis key of the value: a value moved to
 * another key does not open).  expires_ms is wall-clock (servers share
 * it).  RP_OK or the buffer's error.
 */
enum rp_err rp_seal(const struct rp_seal *s, const char *ad, size_t adlen,
    long long expires_ms, const void *msg, size_t n, struct rp_buf *out);

/*
 * Opens what rp_seal wrote under the same key and ad.  RP_EMALFORMED
 * when it does not open (altered, moved, another key), RP_ENOMEM.  On
 * success *msg (malloc'd, caller frees) holds *mlen bytes and
 * *expires_ms the sealed expiry; the caller decides what expired means.
 */
enum rp_err rp_seal_open(const struct rp_seal *s, const char *ad, size_t adlen,
    const unsigned char *c, size_t n, long long *expires_ms,
    unsigned char **msg, size_t *mlen);

/* Bytes rp_seal adds to a message. */
size_t rp_seal_overhead(void);

#endif
