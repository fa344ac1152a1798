/* seal.c: the shared key file, keyed entry names and XChaCha20-Poly1305 seals (libsodium). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "seal.h"

#define NPUB crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define ABYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
/* crypto_kdf context: exactly 8 characters. */
#define KDF_CONTEXT "rpshared"
enum { SUBKEY_NAME = 1, SUBKEY_AEAD = 2 };

enum rp_err
rp_seal_key_load(const char *path, unsigned char key[RP_SEAL_KEYLEN],
    char *err, size_t errlen)
{
	unsigned char buf[RP_SEAL_KEYLEN * 2 + 3];
	unsigned char k[RP_SEAL_KEYLEN];
	struct stat st;
	ssize_t n;
	size_t len, klen = 0;
	int fd, rc = RP_ECONFIG;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(err, errlen, "%s: cannot open the shared key file: %s; "
		    "expected the file `richprofile keygen FILE` wrote, copied "
		    "to every server", path, strerror(errno));
		return RP_EIO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file; expected the "
		    "shared key file `richprofile keygen FILE` wrote", path);
		goto out;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, errlen, "%s: the shared key file is %s by every "
		    "user (mode %04o): anyone on this machine could read or "
		    "forge shared entries; run `chmod o-rw %s` (0600, or 0640 "
		    "for a group the program runs in)", path,
		    st.st_mode & S_IWOTH ? "writable" : "readable",
		    (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		snprintf(err, errlen, "%s: cannot read the shared key file: %s",
		    path, strerror(errno));
		rc = RP_EIO;
		goto out;
	}
	len = (size_t)n;
	if (len == RP_SEAL_KEYLEN) {
		memcpy(k, buf, RP_SEAL_KEYLEN);
		klen = RP_SEAL_KEYLEN;
	} else {
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			len--;
		if (len != RP_SEAL_KEYLEN * 2 ||
		    sodium_hex2bin(k, sizeof(k), (const char *)buf, len, NULL,
		    &klen, NULL) != 0)
			klen = 0;
	}
	if (klen != RP_SEAL_KEYLEN) {
		snprintf(err, errlen, "%s: not a shared key; expected 32 random "
		    "bytes or 64 hex characters (`richprofile keygen FILE` "
		    "writes one)", path);
		goto out;
	}
	memcpy(key, k, RP_SEAL_KEYLEN);
	rc = RP_OK;
out:
	sodium_memzero(k, sizeof(k));
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

enum rp_err
rp_seal_keygen(const char *path, char *err, size_t errlen)
{
	unsigned char k[RP_SEAL_KEYLEN];
	char hex[RP_SEAL_KEYLEN * 2 + 2];
	size_t len;
	int fd, rc = RP_EIO;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise; is "
		    "/dev/urandom readable?");
		return RP_EIO;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
	    0600)) < 0) {
		snprintf(err, errlen, "%s: cannot create the key file: %s%s", path,
		    strerror(errno), errno == EEXIST ? "; a key file is never "
		    "replaced (every server must change keys together): remove "
		    "it first, or choose another name" : "");
		return RP_EIO;
	}
	randombytes_buf(k, sizeof(k));
	sodium_bin2hex(hex, sizeof(hex), k, sizeof(k));
	len = strlen(hex);
	hex[len++] = '\n';
	/* The umask may have taken bits off 0600, never added any. */
	if (fchmod(fd, 0600) != 0 || write(fd, hex, len) != (ssize_t)len ||
	    fsync(fd) != 0)
		snprintf(err, errlen, "%s: cannot write the key file: %s", path,
		    strerror(errno));
	else
		rc = RP_OK;
	sodium_memzero(k, sizeof(k));
	sodium_memzero(hex, sizeof(hex));
	if (close(fd) != 0 && rc == RP_OK) {
		snprintf(err, errlen, "%s: cannot write the key file: %s", path,
		    strerror(errno));
		rc = RP_EIO;
	}
	if (rc != RP_OK)
		unlink(path);
	return rc;
}

void
rp_seal_init(struct rp_seal *s, const unsigned char key[RP_SEAL_KEYLEN])
{
	crypto_kdf_derive_from_key(s->name_key, sizeof(s->name_key),
	    SUBKEY_NAME, KDF_CONTEXT, key);
	crypto_kdf_derive_from_key(s->aead_key, sizeof(s->aead_key),
	    SUBKEY_AEAD, KDF_CONTEXT, key);
}

void
rp_seal_name(const struct rp_seal *s, char kind, const char *token,
    size_t len, rp_attrset infos, char out[RP_SEAL_NAMELEN + 1])
{
	crypto_generichash_state st;
	unsigned char head[5], h[RP_SEAL_NAMELEN / 2];

	/* The kind is hashed too: a profile's name says nothing of its consent entry's. */
	head[0] = (unsigned char)kind;
	head[1] = (unsigned char)(infos >> 24);
	head[2] = (unsigned char)(infos >> 16);
	head[3] = (unsigned char)(infos >> 8);
	head[4] = (unsigned char)infos;
	crypto_generichash_init(&st, s->name_key, sizeof(s->name_key), sizeof(h));
	crypto_generichash_update(&st, head, sizeof(head));
	crypto_generichash_update(&st, (const unsigned char *)token, len);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, RP_SEAL_NAMELEN + 1, h, sizeof(h));
}

size_t
rp_seal_overhead(void)
{
	return NPUB + ABYTES + 8;
}

enum rp_err
rp_seal(const struct rp_seal *s, const char *ad, size_t adlen,
    long long expires_ms, const void *msg, size_t n, struct rp_buf *out)
{
	unsigned char nonce[NPUB], *plain, *c;
	unsigned long long clen;
	uint64_t e = (uint64_t)expires_ms;
	size_t i;

	if (n > SIZE_MAX / 2 || (plain = malloc(2 * (n + 8) + ABYTES)) == NULL)
		return RP_ENOMEM;
	c = plain + n + 8;
	for (i = 0; i < 8; i++)
		plain[i] = (unsigned char)(e >> (8 * i));
	memcpy(plain + 8, msg, n);
	randombytes_buf(nonce, sizeof(nonce));
	crypto_aead_xchacha20poly1305_ietf_encrypt(c, &clen, plain, n + 8,
	    (const unsigned char *)ad, adlen, NULL, nonce, s->aead_key);
	sodium_memzero(plain, n + 8);
	rp_buf_append(out, (const char *)nonce, sizeof(nonce));
	rp_buf_append(out, (const char *)c, (size_t)clen);
	free(plain);
	return out->failed ? (enum rp_err)out->failed : RP_OK;
}

enum rp_err
rp_seal_open(const struct rp_seal *s, const char *ad, size_t adlen,
    const unsigned char *c, size_t n, long long *expires_ms,
    unsigned char **msg, size_t *mlen)
{
	unsigned char *plain;
	unsigned long long plen;
	uint64_t e = 0;
	size_t i;

	if (n < NPUB + ABYTES + 8)
		return RP_EMALFORMED;
	if ((plain = malloc(n - NPUB - ABYTES)) == NULL)
		return RP_ENOMEM;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL,
	    c + NPUB, n - NPUB, (const unsigned char *)ad, adlen, c,
	    s->aead_key) != 0 || plen < 8) {
		free(plain);
		return RP_EMALFORMED;
	}
	for (i = 0; i < 8; i++)
		e |= (uint64_t)plain[i] << (8 * i);
	memmove(plain, plain + 8, (size_t)plen - 8);
	*expires_ms = (long long)e;
	*msg = plain;
	*mlen = (size_t)plen - 8;
	return RP_OK;
}
