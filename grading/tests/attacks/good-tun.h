/* SPDX-License-Identifier: MIT */
/* good-tun.h: a correct-enough Step 1 tun for the attacks that need one
 * (tun0 10.1.3.1/24 up, each packet's addresses printed). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* As "ip link set NAME txqueuelen QLEN" does it: rtnetlink (the ioctl
 * needs the machine's CAP_NET_ADMIN). */
static inline void set_txqueuelen(const char *name, unsigned qlen)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		struct rtattr rta;
		unsigned qlen;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_NEWLINK,
			.nlmsg_flags = NLM_F_REQUEST },
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = (int)if_nametoindex(name) },
		.rta = { .rta_len = RTA_LENGTH(sizeof(unsigned)), .rta_type = IFLA_TXQLEN },
		.qlen = qlen,
	};
	int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);

	send(s, &req, sizeof(req), 0);
	close(s);
}

static inline int make_tun_named(const char *name, const char *addr, int flags)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int fd = open("/dev/net/tun", O_RDWR), s = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | flags;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) { perror("TUNSETIFF"); close(s); return -1; }
	if (addr) {
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &sin->sin_addr);
		ioctl(s, SIOCSIFADDR, &ifr);
		inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
		ioctl(s, SIOCSIFNETMASK, &ifr);
	}
	ifr.ifr_flags = IFF_UP | IFF_RUNNING;
	ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return fd;
}

static inline void good_loop(int tun)
{
	unsigned char p[2000];
	char a[16], b[16];
	ssize_t n;

	for (;;) {
		n = read(tun, p, sizeof p);
		if (n < 20) continue;
		inet_ntop(AF_INET, p + 12, a, sizeof a);
		inet_ntop(AF_INET, p + 16, b, sizeof b);
		printf("%s > %s proto %d len %zd\n", a, b, p[9], n);
		fflush(stdout);
	}
}
