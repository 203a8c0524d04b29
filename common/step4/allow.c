/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "clock.h"

#define REREAD_MS 100

static int prefix_has(const struct prefix *p, int version,
		      const uint8_t *addr)
{
	int bytes = p->len / 8, bits = p->len % 8;
	uint8_t mask;

	if (p->version != version)
		return 0;
	if (memcmp(p->addr, addr, (size_t)bytes))
		return 0;
	if (!bits)
		return 1;
	mask = (uint8_t)(0xff << (8 - bits));
	return (p->addr[bytes] & mask) == (addr[bytes] & mask);
}

/*
 * Whether addresses of p could be a tunnel's inner sources.  Link-local
 * ones (169.254/16, fe80::/10: the kernel gives every interface one), and
 * loopback, multicast and unspecified ones, never: they would let anyone
 * who reaches the port claim a source no client can have.
 */
static int routable(const struct prefix *p)
{
	const uint8_t *a = p->addr;

	if (p->version == 4)
		return !(a[0] == 0 || a[0] == 127 || a[0] >= 224 ||
			 (a[0] == 169 && a[1] == 254));
	return !((a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || a[0] == 0xff ||
		 !memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15));
}

static int mask_len(const uint8_t *mask, size_t size)
{
	int len = 0;
	size_t i;

	for (i = 0; i < size; i++)
		len += __builtin_popcount(mask[i]);
	return len;
}

/* The networks on the interface now; a failure leaves the old list. */
static void read_interface(struct allow *a)
{
	struct ifaddrs *list, *ifa;
	struct prefix *p;

	a->read_at_ms = clock_ms();
	if (getifaddrs(&list) == -1)
		return;
	a->niface = 0;
	for (ifa = list; ifa && a->niface < ALLOW_MAX; ifa = ifa->ifa_next) {
		if (!ifa->ifa_addr || !ifa->ifa_netmask ||
		    strcmp(ifa->ifa_name, a->ifname))
			continue;
		p = &a->iface[a->niface];
		memset(p, 0, sizeof(*p));
		if (ifa->ifa_addr->sa_family == AF_INET) {
			p->version = 4;
			memcpy(p->addr, &((struct sockaddr_in *)(void *)ifa->ifa_addr)->sin_addr, 4);
			p->len = mask_len((uint8_t *)&((struct sockaddr_in *)(void *)ifa->ifa_netmask)->sin_addr, 4);
		} else if (ifa->ifa_addr->sa_family == AF_INET6) {
			p->version = 6;
			memcpy(p->addr, &((struct sockaddr_in6 *)(void *)ifa->ifa_addr)->sin6_addr, 16);
			p->len = mask_len((uint8_t *)&((struct sockaddr_in6 *)(void *)ifa->ifa_netmask)->sin6_addr, 16);
		} else {
			continue;
		}
		if (routable(p))
			a->niface++;
	}
	freeifaddrs(list);
}

void allow_init(struct allow *a, const char *ifname)
{
	memset(a, 0, sizeof(*a));
	strncpy(a->ifname, ifname, sizeof(a->ifname) - 1);
	read_interface(a);
}

int allow_add(struct allow *a, const char *cidr)
{
	char text[INET6_ADDRSTRLEN + 5], *slash, *end;
	struct prefix *p;
	long len;

	if (a->nfixed == ALLOW_MAX || strlen(cidr) >= sizeof(text))
		return -1;
	strcpy(text, cidr);
	slash = strchr(text, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	len = strtol(slash + 1, &end, 10);
	p = &a->fixed[a->nfixed];
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, text, p->addr) == 1)
		p->version = 4;
	else if (inet_pton(AF_INET6, text, p->addr) == 1)
		p->version = 6;
	else
		return -1;
	if (*end || end == slash + 1 || len < 0 || len > (p->version == 4 ? 32 : 128) ||
	    !routable(p))
		return -1;
	p->len = (int)len;
	a->nfixed++;
	return 0;
}

static int in_list(const struct prefix *list, int n, const struct ip_info *ip)
{
	int i;

	for (i = 0; i < n; i++)
		if (prefix_has(&list[i], ip->version, ip->src))
			return 1;
	return 0;
}

int allow_has(struct allow *a, const struct ip_info *ip)
{
	struct prefix src = { .version = ip->version };

	/* Whatever the networks (-A 10.0.0.0/0, say), never such a source. */
	memcpy(src.addr, ip->src, sizeof(src.addr));
	if (!routable(&src))
		return 0;
	if (in_list(a->fixed, a->nfixed, ip) ||
	    in_list(a->iface, a->niface, ip))
		return 1;
	/* The interface may have gained an address since: look again, but
	 * not more than ten times a second, whatever a flood of misses wants. */
	if (clock_ms() - a->read_at_ms < REREAD_MS)
		return 0;
	read_interface(a);
	return in_list(a->iface, a->niface, ip);
}
