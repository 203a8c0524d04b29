/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "clock.h"
#include "log.h"
#include "peers.h"
#include "udp.h"

static size_t addr_len(int version)
{
	return version == 4 ? 4 : 16;
}

static struct peer *lookup(const struct peers *t, int version,
			   const uint8_t *addr)
{
	int i;

	for (i = 0; i < PEERS_MAX; i++)
		if (t->slot[i].version == version &&
		    !memcmp(t->slot[i].addr, addr, addr_len(version)))
			return (struct peer *)&t->slot[i];
	return NULL;
}

/* A free slot, or the one heard from longest ago if it has been silent
 * long enough; NULL if every client is active. */
static struct peer *room(struct peers *t, long now)
{
	struct peer *p = &t->slot[0];
	int i;

	for (i = 0; i < PEERS_MAX; i++) {
		if (!t->slot[i].version)
			return &t->slot[i];
		if (t->slot[i].seen_ms < p->seen_ms)
			p = &t->slot[i];
	}
	return now - p->seen_ms >= PEERS_HOLD_MS ? p : NULL;
}

int peers_learn(struct peers *t, const struct ip_info *ip,
		const struct sockaddr_in *from)
{
	struct peer *p = lookup(t, ip->version, ip->src);
	long now = clock_ms();
	int news = 0;

	if (!p) {
		p = room(t, now);
		if (!p)
			return -1;
		memset(p, 0, sizeof(*p));
		p->version = ip->version;
		memcpy(p->addr, ip->src, addr_len(ip->version));
		news = 1;
	} else if (!udp_endpoint_eq(&p->endpoint, from)) {
		if (now - p->seen_ms < PEERS_HOLD_MS)
			return -1;	/* its client is active elsewhere */
		news = 1;
	}
	p->endpoint = *from;
	p->seen_ms = now;
	return news;
}

const struct sockaddr_in *peers_find(const struct peers *t,
				     const struct ip_info *ip)
{
	const struct peer *p = lookup(t, ip->version, ip->dst);

	return p ? &p->endpoint : NULL;
}

int peers_admit(struct peers *t, struct allow *a, const uint8_t *pkt,
		size_t len, const struct sockaddr_in *from, struct drops *d)
{
	char where[UDP_ENDPOINT_STRLEN], src[64];
	struct ip_info ip;
	enum pkt_err err = ip_parse(pkt, len, &ip);

	if (err != PKT_OK || !allow_has(a, &ip)) {
		udp_endpoint_str(from, where, sizeof(where));
		drop_count(d, err != PKT_OK ? (int)err : DROP_SPOOFED, where,
			   pkt, len);
		return 0;
	}
	switch (peers_learn(t, &ip, from)) {
	case -1:
		udp_endpoint_str(from, where, sizeof(where));
		drop_count(d, DROP_CLAIMED, where, pkt, len);
		return 0;
	case 1:
		udp_endpoint_str(from, where, sizeof(where));
		ip_addr_str(&ip, ip.src, src, sizeof(src));
		log_info("client %s is at %s", src, where);
	}
	return 1;
}

const struct sockaddr_in *peers_route(const struct peers *t,
				      const uint8_t *pkt, size_t len,
				      struct drops *d)
{
	const struct sockaddr_in *client;
	struct ip_info ip;
	enum pkt_err err = ip_parse(pkt, len, &ip);

	if (err != PKT_OK) {
		drop_count(d, err, "tun", pkt, len);
		return NULL;
	}
	client = peers_find(t, &ip);
	if (!client)
		drop_count(d, DROP_NO_PEER, "tun", pkt, len);
	return client;
}
