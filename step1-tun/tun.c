/* SPDX-License-Identifier: MIT */
/*
 * tun: Step 1 of the VPN lab.  Create a TUN interface, give it 10.1.3.1/24,
 * bring it up, and print a summary of every IP packet the kernel routes into
 * it.  Run it on useru and, from a second shell there, ping 10.1.3.4 (it is
 * printed) and userv (it is not: the kernel does not route it here).
 *
 *   common/lab useru step1-tun/tun
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "tun.h"
#include "vpn.h"

int main(int argc, char *argv[])
{
	struct opts o = OPTS_CLIENT;
	struct ifreq ifr;
	int tun;

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

	/* SOLUTION: give the interface its address (o.addr, 10.1.3.1/24) and
	 * bring it up, as the handout's "ip addr add" and "ip link set up"
	 * do: system(3) with those commands, or vpn_tun_config() from
	 * common/vpn.h, which does the same with ioctl(2). */
	vpn_tun_config(ifr.ifr_name, o.addr, 0);
	/* END SOLUTION */

	while (!vpn_stop) {
		/* SOLUTION: read(2) one packet from the TUN descriptor: one
		 * read() returns one whole IP packet.  A signal (Ctrl-C) makes
		 * it fail with EINTR: go round, and the loop ends; any other
		 * error ends the program.  Then print a one-line summary of
		 * the packet, like scapy's summary(): pkt_summary() in
		 * common/pkt.h. */
		uint8_t buf[PKT_BUFSIZE];
		char line[PKT_SUMMARY_MAX];
		ssize_t n = read(tun, buf, sizeof(buf));

		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("read from %s: %s", ifr.ifr_name,
				  strerror(errno));
		}
		pkt_summary(buf, (size_t)n, line, sizeof(line));
		log_info("%s", line);
		/* HANDOUT: pause();	// your read() replaces this line */
		/* END SOLUTION */
	}

	/* Closing the last descriptor deletes the interface and its routes. */
	close(tun);
	log_info("stopped: %s removed", ifr.ifr_name);
	return 0;
}
