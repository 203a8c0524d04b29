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

static const char synopsis[] = "tun [-h] [-a address/prefix] [-i name]";

int main(int argc, char *argv[])
{
	const char *pattern = VPN_TUN_NAME, *addr = VPN_CLIENT_ADDR;
	char ifname[IFNAMSIZ];
	uint8_t buf[PKT_BUFSIZE];
	ssize_t n;
	int tun, opt;

	log_init();
	while ((opt = getopt(argc, argv, "a:hi:")) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'i':
			pattern = optarg;
			break;
		case 'h':
			opt_usage(synopsis, 1);
		default:
			opt_usage(synopsis, 0);
		}
	}
	if (optind != argc)
		opt_usage(synopsis, 0);
	vpn_signals();

	tun = vpn_tun_up(pattern, addr, 0, ifname);
	log_info("Interface name: %s", ifname);

	while (!vpn_stop) {
		n = vpn_read(tun, buf, sizeof(buf));
		if (n >= 0)
			vpn_log_packet(NULL, buf, (size_t)n);
	}

	/* Closing the last descriptor deletes the interface and its routes. */
	close(tun);
	log_info("stopped: %s removed", ifname);
	return 0;
}
