/* SPDX-License-Identifier: MIT */
/* tun_ping driven by SIGIO (a shape of program the grader must judge by
 * its calls): the TUN is O_ASYNC, the handler answers every echo request
 * waiting, and main waits in pause() between packets, as a template's
 * placeholder does.  (Issue 25.) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int tun;

static unsigned short cksum(const unsigned char *p, size_t n)
{
	unsigned long s = 0;

	for (; n > 1; p += 2, n -= 2)
		s += (unsigned)(p[0] << 8 | p[1]);
	if (n)
		s += (unsigned)(p[0] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (unsigned short)~s;
}

static void on_io(int sig)
{
	unsigned char buf[2048], a[4];
	ssize_t n;
	size_t hl;
	unsigned short c;

	(void)sig;
	while ((n = read(tun, buf, sizeof(buf))) > 0) {
		hl = (size_t)(buf[0] & 15) * 4;
		if (buf[0] >> 4 != 4 || buf[9] != 1 || (size_t)n < hl + 8 || buf[hl] != 8 || buf[hl + 1] != 0)
			continue;
		memcpy(a, buf + 12, 4);
		memcpy(buf + 12, buf + 16, 4);
		memcpy(buf + 16, a, 4);
		buf[hl] = 0;
		buf[hl + 2] = buf[hl + 3] = 0;
		c = cksum(buf + hl, (size_t)n - hl);
		buf[hl + 2] = (unsigned char)(c >> 8);
		buf[hl + 3] = (unsigned char)c;
		buf[10] = buf[11] = 0;
		c = cksum(buf, hl);
		buf[10] = (unsigned char)(c >> 8);
		buf[11] = (unsigned char)c;
		if (write(tun, buf, (size_t)n) < 0)
			perror("write");
	}
}

int main(void)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };

	tun = open("/dev/net/tun", O_RDWR);
	strcpy(ifr.ifr_name, "tun%d");
	if (tun < 0 || ioctl(tun, TUNSETIFF, &ifr) < 0) {
		perror("tun");
		return 1;
	}
	printf("Interface name: %s\n", ifr.ifr_name);
	if (system("ip addr add 10.1.3.1/24 dev tun0 && ip link set dev tun0 up") != 0)
		return 1;
	signal(SIGIO, on_io);
	fcntl(tun, F_SETOWN, getpid());
	fcntl(tun, F_SETFL, fcntl(tun, F_GETFL) | O_ASYNC | O_NONBLOCK);
	for (;;)
		pause();
}
