/* consent.h: the privacy (consent) link and site-local return paths. */
#ifndef RP_CONSENT_H
#define RP_CONSENT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define RP_RETURN_PATH_MAX 1024   /* bytes of an accepted return path */
#define RP_PRIVACY_URL_MAX 4096   /* bytes of an accepted privacy URL */

/*
 * Checks the privacy URL an API answer carried: http or https (any
 * case), a host in hosts (NULL-terminated list, compared
 * case-insensitively; an entry "host" matches any port, "host:port"
 * only that port), no userinfo, no backslash, blank, quote, control or
 * non-ASCII byte, a port (if any) of 1-65535 digits, at most
 * RP_PRIVACY_URL_MAX bytes, and no query parameter that may be a
 * urlRetour of its own: a name percent-decoded (repeatedly, until no
 * "%" is left) to urlRetour in any case, or holding %00 or a malformed
 * escape.  RP_OK, or RP_EINVAL with *why (when not
 * NULL) pointing at a static reason for the log.
 */
enum rp_err rp_consent_check(const char *url, char *const *hosts, const char **why);

/*
 * Writes the consent link into out: url (which must pass
 * rp_consent_check) + "&urlRetour=" (or "?urlRetour=" when url has no
 * query) + the percent-encoded site_url + return_path.  A fragment
 * (#...) of url is dropped.  RP_OK; RP_EINVAL with *why when url is
 * rejected or return_path is not site-local (nothing is appended then);
 * or an rp_buf error.
 */
enum rp_err rp_consent_link(struct rp_buf *out, const char *url, char *const *hosts,
    const char *site_url, const char *return_path, const char **why);

/*
 * Non-zero when path (n bytes) may be a return path: it starts with
 * exactly one "/" (not "//", not "/\"), holds no backslash, no control
 * byte (C0, DEL) and only valid UTF-8, and is at most
 * RP_RETURN_PATH_MAX bytes.  A scheme cannot occur since the first
 * byte is "/".
 */
int rp_return_path_ok(const char *path, size_t n);

#endif
