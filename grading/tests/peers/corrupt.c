/* SPDX-License-Identifier: MIT */
/*
 * corrupt: a tunnel end that damages what it sends, for the integrity
 * tests.  A plain Step 4 client (on useru) or server (on server, one
 * client) in the handout's wire format, but every Nth TCP segment that
 * carries data, on its way from the TUN into the tunnel, gets one payload
 * byte flipped and keeps its TCP checksum as it was: a corruption only the
 * end-to-end checksum can catch.  A tunnel end that joins such segments
 * without checking them delivers bad bytes; one that checks, or leaves the
 * check to the kernel, does not.
 *
 *   corrupt client [N]     10.1.3.1/24, to the server (common/topology):9090
 *   corrupt server [N]     10.1.3.2/24, on 0.0.0.0:9090
 *
 * Not part of the kit's lesson: a test peer, like py_tunnel.py.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "pkt.h"
#include "topology.h"
#include "vpn.h"

static unsigned long every = 40, segments, damaged;

/* Flip a payload byte of every Nth IPv4 TCP segment with data. */
static void maybe_damage(uint8_t *pkt, size_t len)
{
	struct ip_info ip;
	struct ports_info tcp;

	if (ip_parse(pkt, len, &ip) != PKT_OK || ip.version != 4 ||
	    ip.proto != 6 || ip.is_fragment ||
	    tcp_parse(ip.l4, ip.l4_len, &tcp) == -1 || ip.l4_len <= tcp.hdr_len)
		return;
	if (++segments % every)
		return;
	((uint8_t *)ip.l4)[tcp.hdr_len + (ip.l4_len - tcp.hdr_len) / 2] ^= 0x5a;
	damaged++;
}

int main(int argc, char *argv[])
{
	struct sockaddr_in peer = { .sin_family = AF_INET }, from;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	int server = argc > 1 && !strcmp(argv[1], "server"), tun, sock;
	int have_peer = !server;
	char ifname[IFNAMSIZ];
	uint8_t buf[PKT_BUFSIZE];
	socklen_t fromlen;
	fd_set ready;
	ssize_t n;

	log_init();
	vpn_signals();
	if (argc > 2)
		every = strtoul(argv[2], NULL, 10);
	if (!every)
		every = 40;
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock == -1)
		log_fatal("socket: %s", strerror(errno));
	if (server) {
		addr.sin_port = htons(9090);
		if (bind(sock, (struct sockaddr *)&addr, sizeof(addr)) == -1)
			log_fatal("bind: %s", strerror(errno));
	} else {
		peer.sin_port = htons(9090);
		peer.sin_addr = vpn_resolve(TOPO_SERVER_ADDR);
	}
	tun = vpn_tun_open("tun%d", ifname);
	vpn_tun_config(ifname, server ? "10.1.3.2/24" : "10.1.3.1/24", 1472);
	log_info("Interface name: %s", ifname);
	log_info("corrupting every %luth TCP segment it sends", every);
	while (!vpn_stop) {
		FD_ZERO(&ready);
		FD_SET(tun, &ready);
		FD_SET(sock, &ready);
		if (select((tun > sock ? tun : sock) + 1, &ready, NULL, NULL,
			   NULL) == -1)
			continue;
		if (FD_ISSET(tun, &ready) && (n = read(tun, buf, sizeof(buf))) > 0 &&
		    have_peer) {
			maybe_damage(buf, (size_t)n);
			sendto(sock, buf, (size_t)n, 0, (struct sockaddr *)&peer,
			       sizeof(peer));
		}
		fromlen = sizeof(from);
		if (FD_ISSET(sock, &ready) &&
		    (n = recvfrom(sock, buf, sizeof(buf), 0,
				  (struct sockaddr *)&from, &fromlen)) > 0) {
			if (server) {
				peer = from;
				have_peer = 1;
			}
			if (write(tun, buf, (size_t)n) == -1)
				log_warn("write: %s", strerror(errno));
		}
	}
	log_info("damaged %lu of %lu TCP segments", damaged, segments);
	return 0;
}
