/* attr.c: the attribute catalogue and name matching. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "attr.h"

static const struct rp_attr catalogue[RP_ATTR__COUNT] = {
	[RP_A_FIRSTNAME] = { "Firstname", { NULL }, RP_KIND_TEXT, "Prénom", "First name" },
	[RP_A_LASTNAME] = { "Lastname", { NULL }, RP_KIND_TEXT, "Nom", "Last name" },
	/* The documentation's table spells it DisplayNme, the bindings Displayname. */
	[RP_A_DISPLAYNAME] = { "Displayname", { "DisplayNme", "DisplayName", NULL }, RP_KIND_TEXT, "Nom affiché", "Display name" },
	[RP_A_USEREMAIL] = { "UserEMail", { NULL }, RP_KIND_TEXT, "Adresse e-mail", "E-mail address" },
	[RP_A_GENDER] = { "Gender", { NULL }, RP_KIND_CODE, "Civilité", "Gender" },
	[RP_A_DATEOFBIRTH] = { "DateOfBirth", { NULL }, RP_KIND_DATE, "Date de naissance", "Date of birth" },
	[RP_A_NDP] = { "NDP", { NULL }, RP_KIND_PHONE, "Numéro de la ligne", "Line number" },
	[RP_A_HOMEPHONE] = { "HomePhone", { NULL }, RP_KIND_PHONE, "Téléphone fixe", "Home phone" },
	[RP_A_MOBILEPHONE] = { "MobilePhone", { NULL }, RP_KIND_PHONE, "Téléphone mobile", "Mobile phone" },
	[RP_A_OFFICEPHONE] = { "OfficePhone", { NULL }, RP_KIND_PHONE, "Téléphone professionnel", "Office phone" },
	[RP_A_OFFICEMOBILENUMBER] = { "OfficeMobileNumber", { NULL }, RP_KIND_PHONE, "Mobile professionnel", "Office mobile" },
	[RP_A_OFFICEFAX] = { "OfficeFax", { NULL }, RP_KIND_PHONE, "Fax professionnel", "Office fax" },
	[RP_A_MOBILEDEVICETAC] = { "MobileDeviceTac", { NULL }, RP_KIND_CODE, "Code TAC du mobile", "Handset TAC" },
	[RP_A_MOBILEDEVICEMODEL] = { "MobileDeviceModel", { NULL }, RP_KIND_TEXT, "Modèle du mobile", "Handset model" },
	[RP_A_MOBILEDEVICEBRAND] = { "MobileDeviceBrand", { NULL }, RP_KIND_TEXT, "Marque du mobile", "Handset brand" },
	[RP_A_PREFERREDLANGUAGE] = { "PreferredLanguage", { NULL }, RP_KIND_CODE, "Langue préférée", "Preferred language" },
	[RP_A_HOMEADDRESS] = { "HomeAddress", { NULL }, RP_KIND_ADDRESS, "Adresse personnelle", "Home address" },
	[RP_A_OFFICEADDRESS] = { "OfficeAddress", { NULL }, RP_KIND_ADDRESS, "Adresse professionnelle", "Office address" },
	[RP_A_PROFILECREATIONDATE] = { "ProfileCreationDate", { NULL }, RP_KIND_DATE, "Profil créé le", "Profile created" },
	[RP_A_PROFILEMODIFICATIONDATE] = { "ProfileModificationDate", { NULL }, RP_KIND_DATE, "Profil modifié le", "Profile modified" },
	[RP_A_USERTYPE] = { "UserType", { NULL }, RP_KIND_CODE, "Type de client", "Customer type" },
	[RP_A_PICTURETINY] = { "PictureTagTinyURL", { NULL }, RP_KIND_URL, "Photo (très petite)", "Photo (tiny)" },
	[RP_A_PICTURESMALL] = { "PictureTagSmallURL", { NULL }, RP_KIND_URL, "Photo (petite)", "Photo (small)" },
	[RP_A_PICTUREMEDIUM] = { "PictureTagMediumURL", { NULL }, RP_KIND_URL, "Photo (moyenne)", "Photo (medium)" },
	[RP_A_PICTURELARGE] = { "PictureTagLargeURL", { NULL }, RP_KIND_URL, "Photo (grande)", "Photo (large)" },
	[RP_A_INTERESTS] = { "CentersOfInterests", { NULL }, RP_KIND_LIST, "Centres d'intérêt", "Interests" },
};

static const char *const addr_parts[RP_ADDR__COUNT] = {
	"Street1", "Street2", "ZipCode", "City", "State", "Country",
};

const struct rp_attr *
rp_attr_get(enum rp_attr_id id)
{
	return &catalogue[id];
}

static int
same(const char *a, const char *b, size_t len)
{
	return strncmp(a, b, len) == 0 && a[len] == '\0';
}

static int
same_nocase(const char *a, const char *b, size_t len)
{
	return strncasecmp(a, b, len) == 0 && a[len] == '\0';
}

int
rp_attr_lookup(const char *name, size_t len, enum rp_attr_id *id)
{
	int pass, i, j;

	/* Exact spellings before case-folded ones, so a drift never shadows a name. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < RP_ATTR__COUNT; i++) {
			const struct rp_attr *a = &catalogue[i];
			int (*eq)(const char *, const char *, size_t) =
			    pass == 0 ? same : same_nocase;

			if (eq(a->name, name, len)) {
				*id = (enum rp_attr_id)i;
				return 0;
			}
			for (j = 0; a->aliases[j] != NULL; j++)
				if (eq(a->aliases[j], name, len)) {
					*id = (enum rp_attr_id)i;
					return 0;
				}
		}
	return -1;
}

const char *
rp_addr_part_name(enum rp_addr_part part)
{
	return addr_parts[part];
}

int
rp_addr_part_lookup(const char *name, size_t len, enum rp_addr_part *part)
{
	int i;

	for (i = 0; i < RP_ADDR__COUNT; i++)
		if (same(addr_parts[i], name, len)) {
			*part = (enum rp_addr_part)i;
			return 0;
		}
	for (i = 0; i < RP_ADDR__COUNT; i++)
		if (same_nocase(addr_parts[i], name, len)) {
			*part = (enum rp_addr_part)i;
			return 0;
		}
	return -1;
}

const char *
rp_attr_label(enum rp_attr_id id, const char *lang)
{
	if (lang != NULL && lang[0] == 'e' && lang[1] == 'n')
		return catalogue[id].label_en;
	return catalogue[id].label_fr;
}

int
rp_attrset_parse(const char *s, rp_attrset *out, const char **bad, size_t *badlen)
{
	rp_attrset set = 0;
	const char *p = s, *start, *end;
	enum rp_attr_id id;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		start = p;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end == start || rp_attr_lookup(start, (size_t)(end - start), &id) != 0) {
			if (bad != NULL)
				*bad = start;
			if (badlen != NULL)
				*badlen = (size_t)(end - start);
			return -1;
		}
		set |= RP_ATTR_BIT(id);
		if (*p == '\0')
			break;
		p++;
	}
	*out = set;
	return 0;
}

int
rp_attrset_format(rp_attrset set, char *buf, size_t size)
{
	size_t n = 0, len;
	int i;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < RP_ATTR__COUNT; i++) {
		if (!(set & RP_ATTR_BIT(i)))
			continue;
		len = strlen(catalogue[i].name);
		if (n + (n > 0) + len + 1 > size)
			return -1;
		if (n > 0)
			buf[n++] = ',';
		memcpy(buf + n, catalogue[i].name, len + 1);
		n += len;
	}
	return (int)n;
}
