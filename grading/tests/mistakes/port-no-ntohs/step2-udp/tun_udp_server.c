/* SPDX-License-Identifier: MIT */
/*
 * tun_udp_server: Step 2, on server.  Receive UDP datagrams on port 9090 and,
 * taking each one's payload as an IP packet, print who sent the datagram and
 * the addresses of the packet inside it: a tunnel is packets in packets.
 * Anything that is not an IP packet is logged once per kind and counted.
 *
 *   sudo common/lab server step2-udp/tun_udp_server
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
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
	struct sockaddr_in from;
	socklen_t fromlen;
	uint8_t buf[PKT_BUFSIZE];
	char addrstr[INET_ADDRSTRLEN], fromstr[UDP_ENDPOINT_STRLEN];
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	struct ip_info ip;
	struct drops drops = { 0 };
	ssize_t n;
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
		fromlen = sizeof(from);		/* again before every call */
		n = recvfrom(sock, buf, sizeof(buf), 0,
			     (struct sockaddr *)&from, &fromlen);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("recvfrom: %s", strerror(errno));
		}
		inet_ntop(AF_INET, &from.sin_addr, addrstr, sizeof(addrstr));
		snprintf(fromstr, sizeof(fromstr), "%s:%u", addrstr,
			 from.sin_port);
		log_info("%s --> %s:%u", fromstr, o.listen, o.port);

		if (drop_bad_packet(&drops, buf, (size_t)n, fromstr))
			continue;		/* not an IP packet */
		ip_parse(buf, (size_t)n, &ip);	/* checked just above */
		ip_addr_str(&ip, ip.src, src, sizeof(src));
		ip_addr_str(&ip, ip.dst, dst, sizeof(dst));
		log_info("    Inside: %s ---> %s", src, dst);
	}

	close(sock);
	drop_report(&drops);
	log_info("stopped");
	return 0;
}
