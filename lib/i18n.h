/* i18n.h: messages in French and English, and which language to speak. */
#ifndef RP_I18N_H
#define RP_I18N_H

#include <stddef.h>

enum rp_lang { RP_LANG_FR, RP_LANG_EN, RP_LANG__COUNT };

/*
 * Every message a fragment can show, by key.  The key (lower case,
 * `_`-separated) is what templates write as {{msg:KEY}}.
 */
enum rp_msg {
	RP_MSG_TITLE,             /* "title": heading of the profile block */
	RP_MSG_INTERESTS,         /* "interests" */
	RP_MSG_PHOTO_ALT,         /* "photo_alt": alt text of the photo */
	RP_MSG_PARTIAL,           /* "partial": some details withheld */
	RP_MSG_WITHHELD,          /* "withheld": lead-in to the withheld list */
	RP_MSG_CONSENT,           /* "consent": consent needed */
	RP_MSG_CONSENT_LINK,      /* "consent_link": text of the consent link */
	RP_MSG_CONSENT_NOLINK,    /* "consent_nolink": when no link can be offered */
	RP_MSG_SIGNIN,            /* "signin": please sign in (again) */
	RP_MSG_SIGNIN_LINK,       /* "signin_link" */
	RP_MSG_UNAVAILABLE,       /* "unavailable": short apology */
	RP_MSG_BAD_REQUEST,       /* "bad_request": 400 */
	RP_MSG_FORBIDDEN,         /* "forbidden": 403 */
	RP_MSG_NOT_FOUND,         /* "not_found": 404 */
	RP_MSG_BAD_METHOD,        /* "bad_method": 405 */
	RP_MSG_ERROR,             /* "error": any other error */
	RP_MSG_HOME_ADDRESS,      /* "home_address" */
	RP_MSG_OFFICE_ADDRESS,    /* "office_address" */
	RP_MSG_CONTACT,           /* "contact" */
	RP_MSG_DEVICE,            /* "device" */
	RP_MSG_ACCOUNT,           /* "account" */
	RP_MSG__COUNT
};

/* The text of msg in lang (UTF-8, static storage, never NULL). */
const char *rp_msg(enum rp_msg msg, enum rp_lang lang);

/* The key of msg ("consent_link"); static storage. */
const char *rp_msg_key(enum rp_msg msg);

/* Finds a message by key (n bytes, exact).  0 and *out, or -1. */
int rp_msg_lookup(const char *key, size_t n, enum rp_msg *out);

/* The message for an HTTP error status: 400, 403, 404, 405, else RP_MSG_ERROR. */
enum rp_msg rp_msg_for_http(int status);

/* "fr" or "en"; static storage. */
const char *rp_lang_code(enum rp_lang lang);

/*
 * Reads one language tag ("fr", "FR", "fr-FR", "en_GB", "english"
 * is not one) of n bytes: the primary subtag decides.  0 and *out when
 * it is a language we speak, -1 otherwise.
 */
int rp_lang_parse(const char *tag, size_t n, enum rp_lang *out);

/*
 * Reads an Accept-Language header (RFC 9110: "en-GB;q=0.8, fr;q=0.9,
 * *;q=0.1"): the spoken language with the highest q wins, the first
 * listed on a tie; q=0 excludes; "*" stands for the first language not
 * otherwise mentioned.  0 and *out, or -1 when nothing we speak is
 * acceptable or the header is NULL/empty.  Bounded: at most 4 KiB and
 * 64 entries are looked at.
 */
int rp_lang_accept(const char *header, enum rp_lang *out);

/*
 * The language of one response: the profile's PreferredLanguage
 * (may be NULL), else Accept-Language (may be NULL), else dflt.
 */
enum rp_lang rp_lang_choose(const char *preferred, const char *accept_language,
    enum rp_lang dflt);

#endif
