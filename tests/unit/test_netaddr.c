/* test_netaddr.c: addresses and networks of [server] ops_allow. */
#include "config.h"

#include <string.h>

#include "netaddr.h"
#include "testutil.h"

static int
valid(const char *s)
{
	return rp_net_valid(s, strlen(s));
}

START_TEST(entries_are_addresses_or_networks)
{
	ck_assert(valid("127.0.0.1"));
	ck_assert(valid("::1"));
	ck_assert(valid("10.0.0.0/8"));
	ck_assert(valid("0.0.0.0/0"));
	ck_assert(valid("fd00::/8"));
	ck_assert(valid("::/0"));
	ck_assert(valid("2001:db8::/128"));
	ck_assert(!valid(""));
	ck_assert(!valid("localhost"));
	ck_assert(!valid("10.0.0.0/33"));
	ck_assert(!valid("fd00::/129"));
	ck_assert(!valid("10.0.0.0/"));
	ck_assert(!valid("10.0.0.0/-1"));
	ck_assert(!valid("10.0.0.0/8x"));
	ck_assert(!valid("10.0.0.0/+8"));
	ck_assert(!valid("10.0.0/8"));
	ck_assert(!valid("127.0.0.1 "));
	ck_assert(!valid("[::1]"));
}
END_TEST

START_TEST(loopback_default_admits_loopback_only)
{
	const char *const def[] = { "127.0.0.1", "::1", NULL };

	ck_assert(rp_net_match(def, "127.0.0.1"));
	ck_assert(rp_net_match(def, "::1"));
	/* What a dual-stack listener reports for an IPv4 client. */
	ck_assert(rp_net_match(def, "::ffff:127.0.0.1"));
	ck_assert(!rp_net_match(def, "127.0.0.2"));
	ck_assert(!rp_net_match(def, "::ffff:127.0.0.2"));
	ck_assert(!rp_net_match(def, "10.0.0.1"));
	ck_assert(!rp_net_match(def, "::2"));
	/* No address, or one that is no address: never allowed. */
	ck_assert(!rp_net_match(def, NULL));
	ck_assert(!rp_net_match(def, ""));
	ck_assert(!rp_net_match(def, "unix:"));
	ck_assert(!rp_net_match(def, "127.0.0.1, 10.0.0.1"));
	ck_assert(!rp_net_match(NULL, "127.0.0.1"));
}
END_TEST

START_TEST(networks_match_by_prefix)
{
	const char *const nets[] = { "10.1.0.0/16", "192.0.2.128/25",
	    "fd00::/8", "172.16.0.0/12", NULL };
	const char *const all[] = { "0.0.0.0/0", "::/0", NULL };

	ck_assert(rp_net_match(nets, "10.1.255.3"));
	ck_assert(!rp_net_match(nets, "10.2.0.1"));
	ck_assert(rp_net_match(nets, "192.0.2.200"));
	ck_assert(!rp_net_match(nets, "192.0.2.127"));
	ck_assert(rp_net_match(nets, "fdab::1"));
	ck_assert(!rp_net_match(nets, "fe80::1"));
	ck_assert(rp_net_match(nets, "172.31.255.255"));
	ck_assert(!rp_net_match(nets, "172.32.0.0"));
	/* Families never mix: an IPv6 network does not admit IPv4. */
	ck_assert(!rp_net_match(nets, "253.0.0.1"));
	ck_assert(rp_net_match(all, "203.0.113.9"));
	ck_assert(rp_net_match(all, "2001:db8::9"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("netaddr");
	TCase *tc = tcase_create("netaddr");

	tcase_add_test(tc, entries_are_addresses_or_networks);
	tcase_add_test(tc, loopback_default_admits_loopback_only);
	tcase_add_test(tc, networks_match_by_prefix);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
