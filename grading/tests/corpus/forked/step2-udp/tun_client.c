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
	struct sockaddr_in server = { .sin_family = AF_INET };
	char where[UDP_ENDPOINT_STRLEN];
	ssize_t n;
	int tun, sock;

	log_init();
	opt_parse(argc, argv, "aimpqs", &o);
	vpn_signals();

	tun = vpn_tun_open(o.ifname, ifname);	/* as in Step 1 */
	vpn_tun_config(ifname, o.addr, o.mtu);
	log_info("Interface name: %s", ifname);

	/* One socket for the whole run: the kernel gives it a source port
	 * at the first sendto(), and that port stays the same. */
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock == -1)
		log_fatal("socket: %s", strerror(errno));
	server.sin_port = htons(o.port);		/* 9090 */
	server.sin_addr = vpn_resolve(o.server);	/* 10.1.2.3, network order */
	udp_endpoint_str(&server, where, sizeof(where));
	log_info("tunnelling to %s", where);

	while (!vpn_stop) {
		n = read(tun, buf, sizeof(buf));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("read from %s: %s", ifname, strerror(errno));
		}
		vpn_log_packet("From tun ==>", buf, (size_t)n);
		if (sendto(sock, buf, (size_t)n, 0, (struct sockaddr *)&server,
			   sizeof(server)) < 0)
			drop_error(&drops, "sendto");
	}

	close(sock);
	close(tun);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	return 0;
}
