/*
 * tun_server: Step 3, on server.  Receive datagrams on UDP 9090, check that
 * each one holds an IP packet, and write that packet into a TUN interface
 * (10.1.3.2/24).  To the kernel it arrives on tun0 like any packet from a
 * network, and with forwarding on (sysctl -w net.ipv4.ip_forward=1) the
 * kernel routes it on into lab1: useru's ping reaches userv.  The reply has
 * no way back yet; that is Step 4.
 *
 *   sudo common/lab server step3-server/tun_server
 */
#include <unistd.h>

#include "drop.h"
#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "udp.h"
#include "vpn.h"

int main(int argc, char *argv[])
{
	struct opts o = OPTS_SERVER;
	char ifname[IFNAMSIZ];
	uint8_t buf[PKT_BUFSIZE];
	struct sockaddr_in from;
	struct drops drops = { 0 };
	ssize_t n;
	int tun, sock;

	log_init();
	opt_parse(argc, argv, "ailmpq", &o);
	vpn_signals();

	sock = vpn_udp_bind(o.listen, o.port);
	tun = vpn_tun_open(o.ifname, ifname);
	log_info("Interface name: %s", ifname);
	/* SOLUTION: give the interface its address (o.addr) and MTU (o.mtu)
	 * and bring it up, as in Step 1: vpn_tun_config(). */
	vpn_tun_config(ifname, o.addr, o.mtu);
	/* END SOLUTION */
	log_info("listening on %s:%u", o.listen, o.port);
	vpn_check_forwarding();

	while (!vpn_stop) {
		n = vpn_recv(sock, buf, sizeof(buf), &from);
		if (n < 0)
			continue;
		/* SOLUTION: check that the datagram holds an IP packet
		 * (drop_bad_packet()), log it, and write it into the TUN
		 * interface (vpn_write()): the kernel takes it from there. */
		char from_str[UDP_ENDPOINT_STRLEN];

		udp_endpoint_str(&from, from_str, sizeof(from_str));
		if (drop_bad_packet(&drops, buf, (size_t)n, from_str))
			continue;
		vpn_log_packet("From socket <==", buf, (size_t)n);
		vpn_write(tun, buf, (size_t)n, &drops);
		/* END SOLUTION */
	}

	close(tun);
	close(sock);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	return 0;
}
