/* SPDX-License-Identifier: MIT */
/*
 * tun_client: Step 2, on useru.  The TUN interface of Step 1, and a UDP
 * socket: every packet the kernel routes into the interface is sent, whole
 * and unchanged, as the payload of one UDP datagram to server:9090.  That is
 * the whole tunnel in one direction; the wire format is exactly the
 * handout's.
 *
 * The socket is connect()ed to the server: a UDP connect() sends nothing,
 * it only fixes the destination, so a plain send() will do for each packet.
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
	struct sockaddr_in server;
	char server_str[UDP_ENDPOINT_STRLEN];
	ssize_t n;
	int tun, sock;

	log_init();
	opt_parse(argc, argv, "aimpqs", &o);
	vpn_signals();

	tun = vpn_tun_open(o.ifname, ifname);	/* as in Step 1 */
	vpn_tun_config(ifname, o.addr, o.mtu);
	log_info("Interface name: %s", ifname);

	memset(&server, 0, sizeof(server));
	server.sin_family = AF_INET;
	server.sin_port = htons(o.port);
	server.sin_addr = vpn_resolve(o.server);
	udp_endpoint_str(&server, server_str, sizeof(server_str));

	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock == -1)
		log_fatal("socket: %s", strerror(errno));
	if (connect(sock, (struct sockaddr *)&server, sizeof(server)) == -1)
		log_fatal("connect to %s: %s", server_str, strerror(errno));
	log_info("tunnelling to %s", server_str);

	while (!vpn_stop) {
		n = read(tun, buf, sizeof(buf));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("read from %s: %s", ifname, strerror(errno));
		}
		vpn_log_packet("From tun ==>", buf, (size_t)n);
		/* One datagram, the packet as it is.  On a connected socket a
		 * send() may also report an earlier ICMP error (nobody on
		 * 9090 yet: ECONNREFUSED); either way one packet is lost. */
		if (send(sock, buf, (size_t)n, 0) == -1)
			drop_error(&drops, "send");
	}

	close(sock);
	close(tun);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	return 0;
}
