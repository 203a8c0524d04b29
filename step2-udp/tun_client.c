/* SPDX-License-Identifier: MIT */
/*
 * tun_client: Step 2, on useru.  The TUN interface of Step 1, and a UDP
 * socket: every packet the kernel routes into the interface is sent, whole
 * and unchanged, as the payload of one UDP datagram to server:9090.  That is
 * the whole tunnel in one direction; the wire format is exactly the
 * handout's.
 *
 * The kernel routes into the TUN only what its routing table sends there:
 * 10.1.3.0/24, the interface's own network, at first.  Reaching lab1 needs a
 * route too: the handout's exercise.
 *
 *   common/lab useru step2-udp/tun_client
 */
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
	struct opts o = OPTS_CLIENT;
	char ifname[IFNAMSIZ];
	uint8_t buf[PKT_BUFSIZE];
	struct drops drops = { 0 };
	ssize_t n;
	int tun;

	log_init();
	opt_parse(argc, argv, "aimpqs", &o);
	vpn_signals();

	tun = vpn_tun_open(o.ifname, ifname);	/* as in Step 1 */
	vpn_tun_config(ifname, o.addr, o.mtu);
	log_info("Interface name: %s", ifname);

	/* SOLUTION: create a UDP socket (socket(2): AF_INET, SOCK_DGRAM) and
	 * fill a struct sockaddr_in with the server's address and port:
	 * sin_family AF_INET, sin_port in network byte order (htons(3)),
	 * sin_addr from vpn_resolve(o.server) (or inet_pton(3) for a dotted
	 * address).  The port is o.port, 9090. */
	struct sockaddr_in server;
	char where[UDP_ENDPOINT_STRLEN];
	int sock = socket(AF_INET, SOCK_DGRAM, 0);

	if (sock == -1)
		log_fatal("socket: %s", strerror(errno));
	memset(&server, 0, sizeof(server));
	server.sin_family = AF_INET;
	server.sin_port = htons(o.port);
	server.sin_addr = vpn_resolve(o.server);
	udp_endpoint_str(&server, where, sizeof(where));
	log_info("tunnelling to %s", where);
	/* END SOLUTION */

	while (!vpn_stop) {
		n = read(tun, buf, sizeof(buf));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("read from %s: %s", ifname, strerror(errno));
		}
		vpn_log_packet("From tun ==>", buf, (size_t)n);
		/* SOLUTION: send the packet to the server as the payload of
		 * one datagram: sendto(2) with the buffer, its length n, flags
		 * 0, the server's address and sizeof that address.  A failed
		 * send (no route, a full buffer) loses one packet, not the
		 * tunnel: count it with drop_error() and go on. */
		if (sendto(sock, buf, (size_t)n, 0, (struct sockaddr *)&server,
			   sizeof(server)) == -1)
			drop_error(&drops, "sendto");
		/* END SOLUTION */
	}

	close(tun);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	return 0;
}
