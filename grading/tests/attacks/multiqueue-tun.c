/* SPDX-License-Identifier: MIT */
/* tun (an attack, from a hostile review of 2026-12-07) with a multi-queue
 * TUN: memwatch capped each TUN's txqueuelen to 1849 packets and counted
 * one queue, but each of its up to 256 queues holds txqueuelen. */
#define _GNU_SOURCE
#include "good-tun.h"
#ifndef NQ
#define NQ 200
#endif
int main(void)
{
	static char data[1472];
	static struct iovec iov = { data, sizeof data };
	static struct mmsghdr m[1024];
	static struct sockaddr_in to[1024];
	int i, q, s, tun0, sz = 4 << 20;
	long sent = 0;

	tun0 = make_tun_named("tun0", "10.1.3.1", 0);
	for (q = 0; q < NQ; q++)
		if (make_tun_named("tun1", q ? NULL : "10.9.0.1", IFF_MULTI_QUEUE) < 0)
			break;
	set_txqueuelen("tun1", 1849);
	printf("tun1: %d queues\n", q);
	fflush(stdout);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	for (i = 0; i < 1024; i++) {
		to[i].sin_family = AF_INET;
		to[i].sin_port = htons(1000 + i);
		inet_pton(AF_INET, "10.9.0.2", &to[i].sin_addr);
		m[i].msg_hdr.msg_name = &to[i];
		m[i].msg_hdr.msg_namelen = sizeof to[i];
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	for (i = 0; i < 500; i++)	/* 512,000 datagrams, 1472 bytes */
		sent += sendmmsg(s, m, 1024, 0);
	printf("sent %ld\n", sent);
	fflush(stdout);
	good_loop(tun0);
}
