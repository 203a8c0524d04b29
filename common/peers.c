#include <string.h>

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

static struct peer *oldest(struct peers *t)
{
	struct peer *p = &t->slot[0];
	int i;

	for (i = 0; i < PEERS_MAX; i++) {
		if (!t->slot[i].version)
			return &t->slot[i];
		if (t->slot[i].seen < p->seen)
			p = &t->slot[i];
	}
	return p;
}

int peers_learn(struct peers *t, const struct ip_info *ip,
		const struct sockaddr_in *from)
{
	struct peer *p = lookup(t, ip->version, ip->src);
	int news = 0;

	if (!p) {
		p = oldest(t);
		memset(p, 0, sizeof(*p));
		p->version = ip->version;
		memcpy(p->addr, ip->src, addr_len(ip->version));
		news = 1;
	} else if (!udp_endpoint_eq(&p->endpoint, from)) {
		news = 1;
	}
	p->endpoint = *from;
	p->seen = ++t->clock;
	return news;
}

const struct sockaddr_in *peers_find(const struct peers *t,
				     const struct ip_info *ip)
{
	const struct peer *p = lookup(t, ip->version, ip->dst);

	return p ? &p->endpoint : NULL;
}
