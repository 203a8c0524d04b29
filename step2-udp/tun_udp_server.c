/* SPDX-License-Identifier: MIT */
/*
 * tun_udp_server: Step 2, on server.  Receive UDP datagrams on port 9090 and,
 * taking each one's payload as an IP packet, print who sent the datagram and
 * the addresses of the packet inside it: a tunnel is packets in packets.
 * Anything that is not an IP packet is logged once per kind and counted.
 *
 *   common/lab server step2-udp/tun_udp_server
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
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
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct drops drops = { 0 };
	int sock;

	log_init();
	opt_parse(argc, argv, "lp", &o);
	vpn_signals();

	/* The UDP server of the handout: a socket bound to 0.0.0.0:9090,
	 * every address of this host, port in network byte order. */
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock == -1)
		log_fatal("socket: %s", strerror(errno));
	addr.sin_port = htons(o.port);
	inet_pton(AF_INET, o.listen, &addr.sin_addr);	/* checked by opt_parse */
	if (bind(sock, (struct sockaddr *)&addr, sizeof(addr)) == -1)
		log_fatal("cannot bind UDP port %u: %s", o.port,
			  vpn_bind_hint(errno));
	log_info("Start UDP server on port %u (listening on %s:%u)", o.port,
		 o.listen, o.port);

	while (!vpn_stop) {
		/* SOLUTION: receive one datagram and its sender with
		 * recvfrom(2): the sender's address goes in a struct
		 * sockaddr_in, and the address-length argument is a pointer to
		 * a socklen_t that holds its size before the call.  Print who
		 * sent it, "10.1.2.2:PORT --> 0.0.0.0:9090" (inet_ntop(3), and
		 * ntohs(3) for the port), then read the payload as an IP
		 * packet (ip_parse(), ip_addr_str() in common/pkt.h) and print
		 * "    Inside: SRC ---> DST".  What is not an IP packet: count
		 * it with drop_bad_packet() and go on. */
		uint8_t buf[PKT_BUFSIZE];
		struct sockaddr_in from;
		socklen_t fromlen = sizeof(from);
		char from_str[UDP_ENDPOINT_STRLEN], src[64], dst[64];
		struct ip_info ip;
		ssize_t n = recvfrom(sock, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fromlen);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("recvfrom: %s", strerror(errno));
		}
		udp_endpoint_str(&from, from_str, sizeof(from_str));
		log_info("%s --> %s:%u", from_str, o.listen, o.port);
		if (drop_bad_packet(&drops, buf, (size_t)n, from_str))
			continue;
		ip_parse(buf, (size_t)n, &ip);
		ip_addr_str(&ip, ip.src, src, sizeof(src));
		ip_addr_str(&ip, ip.dst, dst, sizeof(dst));
		log_info("    Inside: %s ---> %s", src, dst);
		/* HANDOUT: pause();	// your recvfrom() replaces this line */
		/* END SOLUTION */
	}

	close(sock);
	drop_report(&drops);
	log_info("stopped");
	return 0;
}
