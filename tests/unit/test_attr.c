/* test_attr.c: the attribute catalogue and its name matching. */
#include "config.h"

#include <string.h>

#include "rp.h"
#include "testutil.h"

static int
lookup(const char *name, enum rp_attr_id *id)
{
	return rp_attr_lookup(name, strlen(name), id);
}

START_TEST(every_attribute_of_the_contract)
{
	/* The contract's table, spelled as the documentation spells it. */
	static const char *const names[] = {
		"Firstname", "Lastname", "Displayname", "UserEMail", "Gender",
		"DateOfBirth", "NDP", "HomePhone", "MobilePhone", "OfficePhone",
		"OfficeMobileNumber", "OfficeFax", "MobileDeviceTac",
		"MobileDeviceModel", "MobileDeviceBrand", "PreferredLanguage",
		"HomeAddress", "OfficeAddress", "ProfileCreationDate",
		"ProfileModificationDate", "UserType", "PictureTagTinyURL",
		"PictureTagSmallURL", "PictureTagMediumURL", "PictureTagLargeURL",
		"CentersOfInterests",
	};
	enum rp_attr_id id;
	rp_attrset seen = 0;
	size_t i;

	ck_assert_uint_eq(sizeof(names) / sizeof(names[0]), RP_ATTR__COUNT);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_msg(lookup(names[i], &id) == 0, "%s not found", names[i]);
		ck_assert_str_eq(rp_attr_get(id)->name, names[i]);
		ck_assert_ptr_nonnull(rp_attr_label(id, "fr"));
		ck_assert_ptr_nonnull(rp_attr_label(id, "en"));
		seen |= RP_ATTR_BIT(id);
	}
	ck_assert_uint_eq(seen, RP_ATTRSET_ALL);
}
END_TEST

START_TEST(displayname_spellings)
{
	enum rp_attr_id id;

	ck_assert_int_eq(lookup("DisplayNme", &id), 0);
	ck_assert_int_eq(id, RP_A_DISPLAYNAME);
	ck_assert_int_eq(lookup("DisplayName", &id), 0);
	ck_assert_int_eq(id, RP_A_DISPLAYNAME);
	ck_assert_int_eq(lookup("displayname", &id), 0);
	ck_assert_int_eq(id, RP_A_DISPLAYNAME);
}
END_TEST

START_TEST(case_drift_and_unknown)
{
	enum rp_attr_id id = RP_A_NDP;

	ck_assert_int_eq(lookup("FIRSTNAME", &id), 0);
	ck_assert_int_eq(id, RP_A_FIRSTNAME);
	ck_assert_int_eq(lookup("UserEmail", &id), 0);
	ck_assert_int_eq(id, RP_A_USEREMAIL);
	id = RP_A_NDP;
	ck_assert_int_eq(lookup("Firstnam", &id), -1);
	ck_assert_int_eq(lookup("Firstnamex", &id), -1);
	ck_assert_int_eq(lookup("", &id), -1);
	ck_assert_int_eq(id, RP_A_NDP); /* untouched on failure */
	/* Length-bounded: the name need not be NUL-terminated. */
	ck_assert_int_eq(rp_attr_lookup("NDPxyz", 3, &id), 0);
	ck_assert_int_eq(id, RP_A_NDP);
}
END_TEST

START_TEST(infos_lists)
{
	rp_attrset set = 0;
	const char *bad = NULL;
	size_t badlen = 0;
	char buf[1024];

	ck_assert_int_eq(rp_attrset_parse(" Firstname , lastname,NDP", &set, NULL, NULL), 0);
	ck_assert_uint_eq(set, RP_ATTR_BIT(RP_A_FIRSTNAME) |
	    RP_ATTR_BIT(RP_A_LASTNAME) | RP_ATTR_BIT(RP_A_NDP));
	ck_assert_int_eq(rp_attrset_format(set, buf, sizeof(buf)), 22);
	ck_assert_str_eq(buf, "Firstname,Lastname,NDP");

	ck_assert_int_eq(rp_attrset_parse("Firstname,Shoesize", &set, &bad, &badlen), -1);
	ck_assert_int_eq((int)badlen, 8);
	ck_assert(strncmp(bad, "Shoesize", badlen) == 0);
	ck_assert_int_eq(rp_attrset_parse("Firstname,,NDP", &set, NULL, NULL), -1);
	ck_assert_int_eq(rp_attrset_parse("", &set, NULL, NULL), -1);

	/* Every attribute round-trips; a short buffer is refused, not cut. */
	ck_assert_int_gt(rp_attrset_format(RP_ATTRSET_ALL, buf, sizeof(buf)), 0);
	ck_assert_int_eq(rp_attrset_parse(buf, &set, NULL, NULL), 0);
	ck_assert_uint_eq(set, RP_ATTRSET_ALL);
	ck_assert_int_eq(rp_attrset_format(RP_ATTRSET_ALL, buf, 20), -1);
}
END_TEST

START_TEST(address_parts)
{
	enum rp_addr_part part;

	ck_assert_int_eq(rp_addr_part_lookup("ZipCode", 7, &part), 0);
	ck_assert_int_eq(part, RP_ADDR_ZIPCODE);
	ck_assert_int_eq(rp_addr_part_lookup("zipcode", 7, &part), 0);
	ck_assert_int_eq(part, RP_ADDR_ZIPCODE);
	ck_assert_int_eq(rp_addr_part_lookup("Zip", 3, &part), -1);
	ck_assert_str_eq(rp_addr_part_name(RP_ADDR_COUNTRY), "Country");
}
END_TEST

START_TEST(labels_by_language)
{
	ck_assert_str_eq(rp_attr_label(RP_A_FIRSTNAME, "fr"), "Prénom");
	ck_assert_str_eq(rp_attr_label(RP_A_FIRSTNAME, "en"), "First name");
	ck_assert_str_eq(rp_attr_label(RP_A_FIRSTNAME, "de"), "Prénom");
	ck_assert_str_eq(rp_attr_label(RP_A_FIRSTNAME, NULL), "Prénom");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("attr");
	TCase *tc = tcase_create("catalogue");

	tcase_add_test(tc, every_attribute_of_the_contract);
	tcase_add_test(tc, displayname_spellings);
	tcase_add_test(tc, case_drift_and_unknown);
	tcase_add_test(tc, infos_lists);
	tcase_add_test(tc, address_parts);
	tcase_add_test(tc, labels_by_language);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
