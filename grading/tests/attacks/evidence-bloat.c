/* SPDX-License-Identifier: MIT */
/*
 * tun_ping that makes the grader's own evidence large: it answers each
 * echo request with 5 s of copies of its reply, one data byte changed in
 * each (ping prints every "(DUP!)" with what was wrong), and holds 240
 * descriptors of files whose paths are about 4 KB long (the grader's state
 * snapshots list each).  (Issue 26: 88 MB of ping output and 106 MB of
 * snapshots for one grade, past the 64 MB its evidence was bounded to.)
 */
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void hold_long_paths(void)
{
	char path[4096] = "/tmp";
	char name[250];
	int i;

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	while (strlen(path) + sizeof(name) + 8 < sizeof(path)) {
		strcat(path, "/");
		strcat(path, name);
		mkdir(path, 0700);
	}
	for (i = 0; i < 240; i++) {
		char file[4096 + 16];

		snprintf(file, sizeof(file), "%s/%d", path, i);
		close(open(file, O_CREAT | O_WRONLY, 0600));
		open(file, O_RDONLY);
	}
}

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

int main(void)
{
	unsigned char buf[2048], ip[4];
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	int tun = open("/dev/net/tun", O_RDWR);
	ssize_t n;

	strcpy(ifr.ifr_name, "tun0");
	if (tun < 0 || ioctl(tun, TUNSETIFF, &ifr) < 0)
		return 1;
	system("ip addr add 10.1.3.1/24 dev tun0; ip link set tun0 up");
	hold_long_paths();
	while ((n = read(tun, buf, sizeof(buf))) > 0) {
		time_t end = time(NULL) + 5;
		size_t hl = (size_t)(buf[0] & 15) * 4;
		unsigned k = 0;

		if (buf[0] >> 4 != 4 || buf[9] != 1 || buf[hl] != 8 || (size_t)n < hl + 16)
			continue;
		memcpy(ip, buf + 12, 4);
		memcpy(buf + 12, buf + 16, 4);
		memcpy(buf + 16, ip, 4);
		buf[hl] = 0;
		while (time(NULL) < end) {
			buf[n - 1] = (unsigned char)k++;	/* a data byte changed */
			buf[hl + 2] = buf[hl + 3] = 0;
			unsigned short c = cksum(buf + hl, (size_t)n - hl);
			buf[hl + 2] = (unsigned char)(c >> 8);
			buf[hl + 3] = (unsigned char)c;
			write(tun, buf, (size_t)n);
		}
	}
	return 0;
}
