/* SPDX-License-Identifier: MIT */
/*
 * peers: a server's table of its clients.  Each tunnel address seen as the
 * inner source of a packet from the tunnel maps to the UDP endpoint it came
 * from, so that replies (looked up by their destination) go back to the
 * right client, and a client that comes back on a new port is followed.
 *
 * Without authentication (the other half of a VPN, left out of this lab)
 * anyone who reaches the port can claim a tunnel address, so the table
 * holds on to the clients it has while they are active: an address moves
 * to a new endpoint, and a full table makes room (the entry heard from
 * longest ago goes), only once the old one has been silent PEERS_HOLD_MS.
 * A flood of forged sources then cannot push out or take over a client
 * that is sending; a client that restarts is followed within that time.
 */
#ifndef VPNLAB_PEERS_H
#define VPNLAB_PEERS_H

#include <netinet/in.h>
#include <stdint.h>

#include "allow.h"
#include "drop.h"
#include "pkt.h"

#define PEERS_MAX 256
#define PEERS_HOLD_MS 3000

struct peer {
	int version;		/* 0: free slot */
	uint8_t addr[16];	/* the client's tunnel address */
	struct sockaddr_in endpoint;
	long seen_ms;		/* when last heard from (monotonic) */
};

struct peers {
	struct peer slot[PEERS_MAX];
};

/* Remember that ip's source is at endpoint from.  Returns 1 if that is
 * news (a new client, or one that moved), 0 if it was known, -1 if the
 * table holds on to another client (the address's own, still active, or
 * every slot's). */
int peers_learn(struct peers *t, const struct ip_info *ip,
		const struct sockaddr_in *from);

/* The endpoint of the client ip is for (its destination), or NULL. */
const struct sockaddr_in *peers_find(const struct peers *t,
				     const struct ip_info *ip);

/*
 * A server's check of a packet (len bytes) that came from a client at from:
 * 1 if it may enter the TUN (an IP packet whose source lies in a network
 * the server serves, allow_has()), and the client is remembered (logged
 * when news); 0 if it was counted in d as dropped.
 */
int peers_admit(struct peers *t, struct allow *a, const uint8_t *pkt,
		size_t len, const struct sockaddr_in *from, struct drops *d);

/* The endpoint of the client that a packet read from the TUN is for, or
 * NULL if there is none (or it is no IP packet): counted in d as dropped. */
const struct sockaddr_in *peers_route(const struct peers *t,
				      const uint8_t *pkt, size_t len,
				      struct drops *d);

#endif
