/*
 * tun_udp_server: Step 2, on server.  Receive UDP datagrams on port 9090 and,
 * taking each one's payload as an IP packet, log who sent the datagram and
 * the addresses of the packet inside it: a tunnel is packets in packets.
 * Anything that is not an IP packet is logged once per kind and counted.
 *
 *   sudo common/lab server step2-udp/tun_udp_server
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
	uint8_t buf[PKT_BUFSIZE];
	struct sockaddr_in from;
	struct drops drops = { 0 };
	ssize_t n;
	int sock;

	log_init();
	opt_parse(argc, argv, "lp", &o);
	vpn_signals();

	sock = vpn_udp_bind(o.listen, o.port);
	log_info("Start UDP server on port %u (listening on %s:%u)", o.port,
		 o.listen, o.port);

	while (!vpn_stop) {
		n = vpn_recv(sock, buf, sizeof(buf), &from);
		if (n < 0)
			continue;
		/* SOLUTION: log who sent the datagram, as
		 * "10.1.2.2:PORT --> 0.0.0.0:9090" (udp_endpoint_str()), then
		 * read its payload as an IP packet (ip_parse(), ip_addr_str())
		 * and log "    Inside: SRC ---> DST".  Drop what is not an IP
		 * packet with drop_bad_packet(): log it, count it, go on. */
		char from_str[UDP_ENDPOINT_STRLEN], src[64], dst[64];
		struct ip_info ip;

		udp_endpoint_str(&from, from_str, sizeof(from_str));
		log_info("%s --> %s:%u", from_str, o.listen, o.port);
		if (drop_bad_packet(&drops, buf, (size_t)n, from_str))
			continue;
		ip_parse(buf, (size_t)n, &ip);
		ip_addr_str(&ip, ip.src, src, sizeof(src));
		ip_addr_str(&ip, ip.dst, dst, sizeof(dst));
		log_info("    Inside: %s ---> %s", src, dst);
		/* END SOLUTION */
	}

	close(sock);
	drop_report(&drops);
	log_info("stopped");
	return 0;
}
