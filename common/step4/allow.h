/* SPDX-License-Identifier: MIT */
/*
 * allow: the networks a server accepts as the inner source of a packet from
 * the tunnel.  Without it, anyone who can reach UDP 9090 could put any
 * packet into the private LAN, with any source.  The networks are those
 * configured on the server's TUN interface (read again when an address
 * misses, at most ten times a second) and any added with allow_add();
 * never link-local, loopback, multicast or unspecified ones.
 */
#ifndef VPNLAB_ALLOW_H
#define VPNLAB_ALLOW_H

#include <net/if.h>
#include <stdint.h>

#include "pkt.h"

#define ALLOW_MAX 32

struct prefix {
	int version;		/* 4 or 6 */
	uint8_t addr[16];
	int len;		/* prefix length in bits */
};

struct allow {
	struct prefix fixed[ALLOW_MAX];	/* added by allow_add() */
	int nfixed;
	struct prefix iface[ALLOW_MAX];	/* read from the interface */
	int niface;
	char ifname[IFNAMSIZ];
	long read_at_ms;		/* monotonic */
};

/* Start with the networks of interface ifname (read now). */
void allow_init(struct allow *a, const char *ifname);

/* Accept sources in cidr too ("10.1.4.0/24", "fd00::/64"); 0, or -1 if it
 * is not an address with a prefix length, not routable (link-local, ...),
 * or the table is full. */
int allow_add(struct allow *a, const char *cidr);

/* Whether ip's source address lies in an accepted network. */
int allow_has(struct allow *a, const struct ip_info *ip);

#endif
