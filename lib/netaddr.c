/* netaddr.c: IP addresses and networks, for who may ask the operational routes. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"

/* An address in network order: 4 bytes (IPv4) or 16 (IPv6). */
struct ip {
	int len;
	unsigned char b[16];
};

static const unsigned char v4mapped[12] =
    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* Parses s[0..n) as one address; ::ffff:a.b.c.d becomes IPv4. */
static int
parse_ip(const char *s, size_t n, struct ip *out)
{
	char tmp[INET6_ADDRSTRLEN + 1];

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, out->b) == 1) {
		out->len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, out->b) != 1)
		return -1;
	out->len = 16;
	if (memcmp(out->b, v4mapped, sizeof(v4mapped)) == 0) {
		memmove(out->b, out->b + 12, 4);
		out->len = 4;
	}
	return 0;
}

/* Parses "addr" or "addr/bits" into the network and its prefix length. */
static int
parse_net(const char *s, size_t n, struct ip *net, int *bits)
{
	const char *slash = memchr(s, '/', n);
	char *end;
	char num[4];
	size_t alen = slash != NULL ? (size_t)(slash - s) : n;
	long v;

	if (parse_ip(s, alen, net) != 0)
		return -1;
	if (slash == NULL) {
		*bits = net->len * 8;
		return 0;
	}
	n -= alen + 1;
	if (n == 0 || n >= sizeof(num) || slash[1] < '0' || slash[1] > '9')
		return -1;
	memcpy(num, slash + 1, n);
	num[n] = '\0';
	v = strtol(num, &end, 10);
	if (*end != '\0' || v < 0 || v > net->len * 8)
		return -1;
	*bits = (int)v;
	return 0;
}

int
rp_net_valid(const char *s, size_t n)
{
	struct ip net;
	int bits;

	return parse_net(s, n, &net, &bits) == 0;
}

/* Whether the first bits bits of a and b agree. */
static int
prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
	int whole = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, (size_t)whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[whole] & mask) == (b[whole] & mask);
}

int
rp_net_match(const char *const *nets, const char *addr)
{
	struct ip a, net;
	int bits;
	size_t i;

	if (nets == NULL || addr == NULL ||
	    parse_ip(addr, strlen(addr), &a) != 0)
		return 0;
	for (i = 0; nets[i] != NULL; i++) {
		if (parse_net(nets[i], strlen(nets[i]), &net, &bits) != 0 ||
		    net.len != a.len)
			continue;
		if (prefix_equal(a.b, net.b, bits))
			return 1;
	}
	return 0;
}
