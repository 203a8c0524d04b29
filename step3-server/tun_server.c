/* SPDX-License-Identifier: MIT */
/*
 * tun_server: Step 3, on server.  Receive datagrams on UDP 9090, check that
 * each one holds an IP packet, and write() that packet into a TUN interface
 * (10.1.3.2/24).  To the kernel it arrives on tun0 like any packet from a
 * network, and with forwarding on (sysctl -w net.ipv4.ip_forward=1) the
 * kernel routes it on into lab1: useru's ping reaches userv.  The reply has
 * no way back yet; that is Step 4.
 *
 *   common/lab server step3-server/tun_server
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
	char ifname[IFNAMSIZ];
	struct drops drops = { 0 };
	int tun, sock;

	log_init();
	opt_parse(argc, argv, "ailmpq", &o);
	vpn_signals();

	/* Step 2's UDP server ... */
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock == -1)
		log_fatal("socket: %s", strerror(errno));
	addr.sin_port = htons(o.port);
	inet_pton(AF_INET, o.listen, &addr.sin_addr);
	if (bind(sock, (struct sockaddr *)&addr, sizeof(addr)) == -1)
		log_fatal("cannot bind UDP port %u: %s", o.port,
			  vpn_bind_hint(errno));
	/* ... and Step 1's TUN interface, with the server's own address. */
	tun = vpn_tun_open(o.ifname, ifname);
	vpn_tun_config(ifname, o.addr, o.mtu);
	log_info("Interface name: %s", ifname);
	log_info("listening on %s:%u", o.listen, o.port);
	vpn_check_forwarding();

	while (!vpn_stop) {
		/* SOLUTION: receive one datagram with recvfrom(2), as in Step
		 * 2 (EINTR: go round).  Drop what is not an IP packet
		 * (drop_bad_packet()), print it (vpn_log_packet()), and
		 * write(2) the packet into the TUN descriptor: the kernel
		 * takes it from there.  A failed write() loses one packet:
		 * drop_error(), and go on. */
		uint8_t buf[PKT_BUFSIZE];
		struct sockaddr_in from;
		socklen_t fromlen = sizeof(from);
		char from_str[UDP_ENDPOINT_STRLEN];
		ssize_t n = recvfrom(sock, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fromlen);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("recvfrom: %s", strerror(errno));
		}
		udp_endpoint_str(&from, from_str, sizeof(from_str));
		if (drop_bad_packet(&drops, buf, (size_t)n, from_str))
			continue;
		vpn_log_packet("From socket <==", buf, (size_t)n);
		if (write(tun, buf, (size_t)n) == -1)
			drop_error(&drops, "write to the TUN interface");
		/* HANDOUT: pause();	// your recvfrom() replaces this line */
		/* END SOLUTION */
	}

	close(tun);
	close(sock);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	return 0;
}
