/*
 * tun_client: Step 2, on useru.  The TUN interface of Step 1, and every
 * packet the kernel routes into it is sent, whole and unchanged, as the
 * payload of one UDP datagram to server:9090.  That is the whole tunnel in
 * one direction; the wire format is exactly the handout's.
 *
 * The kernel only routes into the TUN what its routing table sends there:
 * 10.1.3.0/24 (the interface's own network) at first.  Add the route to the
 * private LAN by hand (the handout's exercise), or with -r 10.1.1.0/24.
 *
 *   sudo common/lab useru step2-udp/tun_client
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
	struct opts o = OPTS_CLIENT;
	char ifname[IFNAMSIZ], server_str[UDP_ENDPOINT_STRLEN];
	uint8_t buf[PKT_BUFSIZE];
	struct sockaddr_in server;
	struct drops drops = { 0 };
	ssize_t n;
	int tun, sock, i;

	log_init();
	opt_parse(argc, argv, "aimpqrs", &o);
	vpn_signals();

	vpn_resolve(o.server, o.port, &server);
	sock = vpn_udp_bind(NULL, 0);
	tun = vpn_tun_open(o.ifname, ifname);
	log_info("Interface name: %s", ifname);
	/* SOLUTION: give the interface its address (o.addr) and MTU (o.mtu)
	 * and bring it up, as in Step 1: vpn_tun_config(). */
	vpn_tun_config(ifname, o.addr, o.mtu);
	/* END SOLUTION */
	for (i = 0; i < o.nroutes; i++)
		vpn_route(ifname, o.routes[i]);
	udp_endpoint_str(&server, server_str, sizeof(server_str));
	log_info("tunnelling to %s", server_str);

	while (!vpn_stop) {
		n = vpn_read(tun, buf, sizeof(buf));
		if (n < 0)
			continue;
		/* SOLUTION: drop what is not an IP packet (drop_bad_packet()),
		 * log the packet, and send it to the server as the payload of
		 * one UDP datagram (vpn_send()). */
		if (drop_bad_packet(&drops, buf, (size_t)n, ifname))
			continue;
		vpn_log_packet("From tun ==>", buf, (size_t)n);
		vpn_send(sock, buf, (size_t)n, &server, &drops);
		/* END SOLUTION */
	}

	close(tun);
	close(sock);
	drop_report(&drops);
	log_info("stopped: %s removed with its routes", ifname);
	return 0;
}
