/* attr.h: the catalogue of RichProfile attributes, the one place they are named. */
#ifndef RP_ATTR_H
#define RP_ATTR_H

#include <stddef.h>
#include <stdint.h>

/* What a value looks like, which decides how it is parsed and escaped. */
enum rp_kind {
	RP_KIND_TEXT,     /* free Unicode text */
	RP_KIND_URL,      /* absolute URL; only http/https may reach an src/href */
	RP_KIND_DATE,     /* date as text, format undocumented */
	RP_KIND_PHONE,    /* phone number as text */
	RP_KIND_ADDRESS,  /* nested Street1..Country parts */
	RP_KIND_LIST,     /* list of strings (interests) */
	RP_KIND_CODE      /* small code such as Gender or PreferredLanguage */
};

/* Ids in catalogue order.  The order is part of no protocol. */
enum rp_attr_id {
	RP_A_FIRSTNAME, RP_A_LASTNAME, RP_A_DISPLAYNAME, RP_A_USEREMAIL,
	RP_A_GENDER, RP_A_DATEOFBIRTH, RP_A_NDP, RP_A_HOMEPHONE,
	RP_A_MOBILEPHONE, RP_A_OFFICEPHONE, RP_A_OFFICEMOBILENUMBER,
	RP_A_OFFICEFAX, RP_A_MOBILEDEVICETAC, RP_A_MOBILEDEVICEMODEL,
	RP_A_MOBILEDEVICEBRAND, RP_A_PREFERREDLANGUAGE, RP_A_HOMEADDRESS,
	RP_A_OFFICEADDRESS, RP_A_PROFILECREATIONDATE,
	RP_A_PROFILEMODIFICATIONDATE, RP_A_USERTYPE, RP_A_PICTURETINY,
	RP_A_PICTURESMALL, RP_A_PICTUREMEDIUM, RP_A_PICTURELARGE,
	RP_A_INTERESTS,
	RP_ATTR__COUNT
};

/* A set of attributes, one bit per enum rp_attr_id. */
typedef uint32_t rp_attrset;
#define RP_ATTRSET_ALL ((rp_attrset)((1u << RP_ATTR__COUNT) - 1u))
#define RP_ATTR_BIT(id) ((rp_attrset)1u << (id))

struct rp_attr {
	const char *name;        /* canonical name, as sent in infos= */
	const char *aliases[3];  /* other exact spellings accepted, NULL-ended */
	enum rp_kind kind;
	const char *label_fr;    /* UTF-8 label for people */
	const char *label_en;
};

/* Parts of an address, in catalogue order. */
enum rp_addr_part {
	RP_ADDR_STREET1, RP_ADDR_STREET2, RP_ADDR_ZIPCODE, RP_ADDR_CITY,
	RP_ADDR_STATE, RP_ADDR_COUNTRY, RP_ADDR__COUNT
};

/* The catalogue entry for id; id must be < RP_ATTR__COUNT. Static storage. */
const struct rp_attr *rp_attr_get(enum rp_attr_id id);

/*
 * Finds an attribute by element or infos name of len bytes (not
 * necessarily NUL-terminated): exact canonical name first, then an exact
 * alias, then both case-insensitively.  Writes *id on success and returns
 * 0; returns -1 when nothing matches.
 */
int rp_attr_lookup(const char *name, size_t len, enum rp_attr_id *id);

/* The element name of an address part; static storage. */
const char *rp_addr_part_name(enum rp_addr_part part);

/* Like rp_attr_lookup for address parts (exact, then case-insensitive). */
int rp_addr_part_lookup(const char *name, size_t len, enum rp_addr_part *part);

/* The label of id in lang ("fr" or "en"; anything else is French). */
const char *rp_attr_label(enum rp_attr_id id, const char *lang);

/*
 * Parses a comma-separated infos list ("Firstname, Lastname") into a set.
 * Names are matched as rp_attr_lookup does; blanks around names are
 * skipped.  On an unknown or empty name returns -1 and, when bad/badlen
 * are not NULL, points them at the offending name inside s.
 */
int rp_attrset_parse(const char *s, rp_attrset *out, const char **bad,
    size_t *badlen);

/*
 * Writes the canonical comma-separated list of set into buf (catalogue
 * order, no blanks).  Returns the length, or -1 if it does not fit.
 */
int rp_attrset_format(rp_attrset set, char *buf, size_t size);

#endif
