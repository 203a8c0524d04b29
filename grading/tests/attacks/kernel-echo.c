/* SPDX-License-Identifier: MIT */
/*
 * tun_ping whose replies the kernel makes: it holds tun0 and never reads
 * it.  A second TUN, tun1, holds 10.1.3.4; tc on tun0 copies every packet
 * it sends into tun1's input, where the kernel answers the echo request
 * (accept_local: its source is an address of this host); policy routing
 * sends that reply out tun1, and tc there puts it back into tun0's input,
 * where the grader's captures see a correct echo reply come in.  tc is not
 * a tool the handout's programs use: the grader refuses to run it, and,
 * where it runs, the trace shows tun_ping never wrote a reply.  (Issue
 * 25: 12 of Step 1's points before the grader traced the program.)
 */
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int tun_open(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR);

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (fd >= 0 && ioctl(fd, TUNSETIFF, &ifr) == -1)
		return -1;
	return fd;
}

int main(void)
{
	if (tun_open("tun0") < 0 || tun_open("tun1") < 0)
		return 1;
	system("ip addr add 10.1.3.1/24 dev tun0; ip link set tun0 up;"
	       " ip addr add 10.1.3.4/32 dev tun1; ip link set tun1 up;"
	       " sysctl -qw net.ipv4.conf.all.accept_local=1 net.ipv4.conf.tun0.accept_local=1"
	       " net.ipv4.conf.tun1.accept_local=1 net.ipv4.conf.all.rp_filter=0"
	       " net.ipv4.conf.tun0.rp_filter=0 net.ipv4.conf.tun1.rp_filter=0;"
	       " ip rule add pref 10 to 10.1.3.4 iif lo lookup 200;"
	       " ip route add 10.1.3.4 dev tun0 table 200;"
	       " ip rule add pref 11 to 10.1.3.1 iif lo lookup 201;"
	       " ip route add 10.1.3.1 dev tun1 table 201;"
	       " ip rule add pref 100 lookup local; ip rule del pref 0;"
	       " tc qdisc add dev tun0 clsact; tc qdisc add dev tun1 clsact;"
	       " tc filter add dev tun0 egress protocol ip u32 match u32 0 0"
	       " action mirred ingress mirror dev tun1;"
	       " tc filter add dev tun1 egress protocol ip u32 match u32 0 0"
	       " action mirred ingress redirect dev tun0");
	for (;;)
		pause();
}
