/* i18n.c: the message table (French, English) and the choice of language. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"

static const struct {
	const char *key;
	const char *text[RP_LANG__COUNT];
} msgs[RP_MSG__COUNT] = {
	[RP_MSG_TITLE] = { "title", { "Mon profil", "My profile" } },
	[RP_MSG_INTERESTS] = { "interests", { "Centres d'intérêt", "Interests" } },
	[RP_MSG_PHOTO_ALT] = { "photo_alt", { "Photo de profil", "Profile photo" } },
	[RP_MSG_PARTIAL] = { "partial", {
		"Certaines informations de votre profil ne sont pas partagées avec ce site.",
		"Some details of your profile are not shared with this site." } },
	[RP_MSG_WITHHELD] = { "withheld", { "Non partagé :", "Not shared:" } },
	[RP_MSG_CONSENT] = { "consent", {
		"Pour afficher votre profil, ce site a besoin de votre accord.",
		"This site needs your consent to show your profile." } },
	[RP_MSG_CONSENT_LINK] = { "consent_link", {
		"Gérer mes autorisations", "Manage my permissions" } },
	[RP_MSG_CONSENT_NOLINK] = { "consent_nolink", {
		"Vous pouvez donner votre accord depuis votre espace client Orange.",
		"You can give your consent from your Orange customer area." } },
	[RP_MSG_SIGNIN] = { "signin", {
		"Connectez-vous pour afficher votre profil.",
		"Sign in to see your profile." } },
	[RP_MSG_SIGNIN_LINK] = { "signin_link", { "Se connecter", "Sign in" } },
	[RP_MSG_UNAVAILABLE] = { "unavailable", {
		"Votre profil est momentanément indisponible. Veuillez réessayer plus tard.",
		"Your profile is unavailable right now. Please try again later." } },
	[RP_MSG_BAD_REQUEST] = { "bad_request", {
		"Requête incorrecte : ce profil ne peut pas être affiché.",
		"Bad request: this profile cannot be shown." } },
	[RP_MSG_FORBIDDEN] = { "forbidden", { "Accès refusé.", "Forbidden." } },
	[RP_MSG_NOT_FOUND] = { "not_found", { "Page introuvable.", "Not found." } },
	[RP_MSG_BAD_METHOD] = { "bad_method", {
		"Méthode non autorisée.", "Method not allowed." } },
	[RP_MSG_ERROR] = { "error", {
		"Une erreur est survenue.", "Something went wrong." } },
	[RP_MSG_HOME_ADDRESS] = { "home_address", { "Adresse personnelle", "Home address" } },
	[RP_MSG_OFFICE_ADDRESS] = { "office_address", { "Adresse professionnelle", "Office address" } },
	[RP_MSG_CONTACT] = { "contact", { "Coordonnées", "Contact" } },
	[RP_MSG_DEVICE] = { "device", { "Mobile", "Handset" } },
	[RP_MSG_ACCOUNT] = { "account", { "Compte", "Account" } },
};

static const char *const codes[RP_LANG__COUNT] = { "fr", "en" };

const char *
rp_msg(enum rp_msg msg, enum rp_lang lang)
{
	if ((unsigned)msg >= RP_MSG__COUNT)
		msg = RP_MSG_ERROR;
	if ((unsigned)lang >= RP_LANG__COUNT)
		lang = RP_LANG_FR;
	return msgs[msg].text[lang];
}

const char *
rp_msg_key(enum rp_msg msg)
{
	return (unsigned)msg < RP_MSG__COUNT ? msgs[msg].key : "error";
}

int
rp_msg_lookup(const char *key, size_t n, enum rp_msg *out)
{
	int i;

	for (i = 0; i < RP_MSG__COUNT; i++)
		if (strncmp(msgs[i].key, key, n) == 0 && msgs[i].key[n] == '\0') {
			*out = (enum rp_msg)i;
			return 0;
		}
	return -1;
}

enum rp_msg
rp_msg_for_http(int status)
{
	switch (status) {
	case 400:
		return RP_MSG_BAD_REQUEST;
	case 403:
		return RP_MSG_FORBIDDEN;
	case 404:
		return RP_MSG_NOT_FOUND;
	case 405:
		return RP_MSG_BAD_METHOD;
	default:
		return RP_MSG_ERROR;
	}
}

const char *
rp_lang_code(enum rp_lang lang)
{
	return (unsigned)lang < RP_LANG__COUNT ? codes[lang] : codes[RP_LANG_FR];
}

int
rp_lang_parse(const char *tag, size_t n, enum rp_lang *out)
{
	size_t len = 0;
	int i;

	while (len < n && tag[len] != '-' && tag[len] != '_')
		len++;
	/* Only the primary subtag matters: fr-CA is French, en-GB English. */
	for (i = 0; i < RP_LANG__COUNT; i++)
		if (len == 2 && strncasecmp(tag, codes[i], 2) == 0) {
			*out = (enum rp_lang)i;
			return 0;
		}
	return -1;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Reads ";q=0.8" parameters after a range; returns q in thousandths
 * (1000 when absent), -1 when malformed (the entry is then ignored).
 */
static int
qvalue(const char *p, const char *end)
{
	int q = 1000, scale = 100, seen;

	while (p < end) {
		while (p < end && (blank(*p) || *p == ';'))
			p++;
		if (p == end)
			break;
		if (end - p < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') {
			/* Another parameter: skip it. */
			while (p < end && *p != ';')
				p++;
			continue;
		}
		p += 2;
		if (p < end && (*p == '0' || *p == '1')) {
			q = (*p - '0') * 1000;
			p++;
		} else
			return -1;
		if (p < end && *p == '.') {
			p++;
			for (seen = 0; p < end && *p >= '0' && *p <= '9' && seen < 3; p++, seen++) {
				q += (*p - '0') * scale;
				scale /= 10;
			}
		}
		while (p < end && blank(*p))
			p++;
		if ((p < end && *p != ';') || q > 1000)
			return -1;
	}
	return q;
}

int
rp_lang_accept(const char *header, enum rp_lang *out)
{
	const char *p, *end, *e, *r;
	int bestq[RP_LANG__COUNT], order[RP_LANG__COUNT];
	int star = -1, q, i, entries = 0, best = -1;
	size_t hlen;
	enum rp_lang l;

	if (header == NULL)
		return -1;
	hlen = strnlen(header, 4096);
	end = header + hlen;
	for (i = 0; i < RP_LANG__COUNT; i++) {
		bestq[i] = -1;
		order[i] = 1000 + i;
	}
	for (p = header; p < end && entries < 64; p = e + 1, entries++) {
		for (e = p; e < end && *e != ','; e++)
			;
		while (p < e && blank(*p))
			p++;
		for (r = p; r < e && *r != ';' && !blank(*r); r++)
			;
		if (r == p || (q = qvalue(r, e)) < 0)
			goto next;
		if (r - p == 1 && *p == '*') {
			if (star < 0)
				star = q;
		} else if (rp_lang_parse(p, (size_t)(r - p), &l) == 0 &&
		    bestq[l] < 0) {
			bestq[l] = q;  /* the first mention of a language counts */
			order[l] = entries;
		}
next:
		if (e == end)
			break;
	}
	/* "*" gives its q to every language not named. */
	for (i = 0; i < RP_LANG__COUNT; i++)
		if (bestq[i] < 0 && star >= 0)
			bestq[i] = star;
	for (i = 0; i < RP_LANG__COUNT; i++)
		if (bestq[i] > 0 && (best < 0 || bestq[i] > bestq[best] ||
		    (bestq[i] == bestq[best] && order[i] < order[best])))
			best = i;
	if (best < 0)
		return -1;
	*out = (enum rp_lang)best;
	return 0;
}

enum rp_lang
rp_lang_choose(const char *preferred, const char *accept_language,
    enum rp_lang dflt)
{
	enum rp_lang l;

	if (preferred != NULL) {
		while (blank(*preferred))
			preferred++;
		if (rp_lang_parse(preferred, strcspn(preferred, " \t"), &l) == 0)
			return l;
	}
	if (rp_lang_accept(accept_language, &l) == 0)
		return l;
	return dflt;
}
