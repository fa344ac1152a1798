/* netaddr.h: IP addresses and networks, for who may ask the operational routes. */
#ifndef RP_NETADDR_H
#define RP_NETADDR_H

#include <stddef.h>

/*
 * Whether s[0..n) is one entry of an address list: an IPv4 or IPv6
 * address ("127.0.0.1", "::1"), or a network in CIDR notation
 * ("10.0.0.0/8", "fd00::/8") whose prefix length fits the family.
 */
int rp_net_valid(const char *s, size_t n);

/*
 * Whether addr (an address as a web server writes REMOTE_ADDR) is one
 * of nets or inside one of them.  nets is NULL-terminated, each entry
 * valid for rp_net_valid.  An IPv4-mapped IPv6 address (::ffff:a.b.c.d,
 * which dual-stack listeners report) is matched as the IPv4 address.
 * NULL, empty or unparsable addr: 0, never allowed.
 */
int rp_net_match(const char *const *nets, const char *addr);

#endif
