/*
 * tun: Step 1 of the VPN lab.  Create a TUN interface, give it 10.1.3.1/24,
 * bring it up, and log a summary of every IP packet the kernel routes into
 * it.  Run it on useru and, from a second shell there, ping 10.1.3.4 (it is
 * logged) and userv (it is not: the kernel does not route it here).
 *
 *   sudo common/lab useru step1-tun/tun
 */
#include <unistd.h>

#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "vpn.h"

int main(int argc, char *argv[])
{
	struct opts o = OPTS_CLIENT;
	char ifname[IFNAMSIZ];
	uint8_t buf[PKT_BUFSIZE];
	ssize_t n;
	int tun;

	log_init();
	opt_parse(argc, argv, "ai", &o);
	vpn_signals();

	tun = vpn_tun_open(o.ifname, ifname);
	log_info("Interface name: %s", ifname);
	/* SOLUTION: give the interface its address (o.addr) and bring it up,
	 * as "ip addr add" and "ip link set up" would: vpn_tun_config() in
	 * common/vpn.h does both. */
	vpn_tun_config(ifname, o.addr, 0);
	/* END SOLUTION */

	while (!vpn_stop) {
		n = vpn_read(tun, buf, sizeof(buf));
		if (n < 0)
			continue;	/* a signal: vpn_stop says if we go on */
		/* SOLUTION: log a one-line summary of the packet, like scapy's
		 * summary(): vpn_log_packet() in common/vpn.h. */
		vpn_log_packet(NULL, buf, (size_t)n);
		/* END SOLUTION */
	}

	/* Closing the last descriptor deletes the interface and its routes. */
	close(tun);
	log_info("stopped: %s removed", ifname);
	return 0;
}
