/* SPDX-License-Identifier: MIT */
/*
 * tun: Step 1 of the VPN lab.  Create a TUN interface, give it 10.1.3.1/24,
 * bring it up, and print a summary of every IP packet the kernel routes into
 * it.  Run it on useru and, from a second shell there, ping 10.1.3.4 (it is
 * printed) and userv (it is not: the kernel does not route it here).
 *
 *   common/lab useru step1-tun/tun
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "tun.h"
#include "vpn.h"

/* Run one shell command, stop the program if it did not work. */
static void run(const char *cmd)
{
	int status = system(cmd);

	if (status != 0)
		log_fatal("'%s' failed (status %d)", cmd, status);
}

/* Print what we read, one field per line: length, protocol, addresses. */
static void print_packet(const uint8_t *buf, size_t len)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int version = len > 0 ? buf[0] >> 4 : 0;

	log_info("Read %zu bytes", len);
	if (version == 4 && len >= 20) {
		inet_ntop(AF_INET, buf + 12, src, sizeof(src));
		inet_ntop(AF_INET, buf + 16, dst, sizeof(dst));
		log_info("protocol: %u", buf[9]);
	} else if (version == 6 && len >= 40) {
		inet_ntop(AF_INET6, buf + 8, src, sizeof(src));
		inet_ntop(AF_INET6, buf + 24, dst, sizeof(dst));
		log_info("protocol: %u (IPv6 next header)", buf[6]);
	} else {
		log_info("not an IP packet I can read");
		return;
	}
	log_info("source: %s", src);
	log_info("destination: %s", dst);
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_CLIENT;
	struct ifreq ifr;
	int tun;
	char cmd[256];
	uint8_t buf[PKT_BUFSIZE];
	ssize_t n;

	log_init();
	opt_parse(argc, argv, "ai", &o);
	vpn_signals();

	/*
	 * The TUN interface, as the handout creates it: open the clone
	 * device, then TUNSETIFF names the interface and makes it ours.
	 * IFF_TUN: IP packets, not Ethernet frames (that is IFF_TAP).
	 * IFF_NO_PI: no 4-byte packet-information header before each one.
	 */
	tun = open("/dev/net/tun", O_RDWR);
	if (tun == -1)
		log_fatal("cannot open /dev/net/tun: %s — %s", strerror(errno),
			  tun_hint(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	strncpy(ifr.ifr_name, o.ifname, IFNAMSIZ - 1);	/* "tun%d" */
	if (ioctl(tun, TUNSETIFF, &ifr) == -1)
		log_fatal("cannot create TUN interface '%s': %s — %s", o.ifname,
			  strerror(errno), tun_hint(errno));
	log_info("Interface name: %s", ifr.ifr_name);	/* the kernel's choice */

	/* Same two commands as the handout's os.system() lines. */
	snprintf(cmd, sizeof(cmd), "ip addr add %s dev %s", o.addr,
		 ifr.ifr_name);
	run(cmd);
	snprintf(cmd, sizeof(cmd), "ip link set dev %s up", ifr.ifr_name);
	run(cmd);

	while (!vpn_stop) {
		n = read(tun, buf, sizeof(buf));
		if (n == -1) {
			if (errno == EINTR)
				continue;	/* Ctrl-C: the loop test ends it */
			log_fatal("read from %s: %s", ifr.ifr_name,
				  strerror(errno));
		}
		print_packet(buf, (size_t)n);
	}

	/* Closing the last descriptor deletes the interface and its routes. */
	close(tun);
	log_info("stopped: %s removed", ifr.ifr_name);
	return 0;
}
