/* SPDX-License-Identifier: MIT */
/*
 * tun_client: Step 4, on useru.  Two sources of packets now: the TUN
 * interface (packets from useru into the tunnel) and the UDP socket (packets
 * the server sends back).  select() sleeps until either has one, and each is
 * forwarded to the other side.  Only datagrams from the server are taken.
 *
 *   common/lab useru step4-bidir/tun_client
 *   (then, as in Step 2: the route to lab1 through the tunnel)
 */
#include <errno.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drop.h"
#include "fastloop.h"
#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "udp.h"
#include "vpn.h"

int main(int argc, char *argv[])
{
	struct opts o = OPTS_CLIENT;
	struct sockaddr_in server = { .sin_family = AF_INET };
	char ifname[IFNAMSIZ], where[UDP_ENDPOINT_STRLEN];
	struct drops drops = { 0 };
	int tun, sock;

	log_init();
	opt_parse(argc, argv, "afimpqs", &o);
	if (o.fast)
		return fast_client(&o);	/* --fast: common/fast/fastloop.c */
	vpn_signals();

	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock == -1)
		log_fatal("socket: %s", strerror(errno));
	server.sin_port = htons(o.port);
	server.sin_addr = vpn_resolve(o.server);
	tun = vpn_tun_open(o.ifname, ifname);
	vpn_tun_config(ifname, o.addr, o.mtu);
	log_info("Interface name: %s", ifname);
	udp_endpoint_str(&server, where, sizeof(where));
	log_info("tunnelling to %s", where);
	/* Non-blocking, so that after select() the loop can take every
	 * packet waiting, until read() or recvfrom() says EAGAIN. */
	vpn_nonblocking(tun);
	vpn_nonblocking(sock);
	vpn_socket_buffers(sock);	/* optional: room for TCP's bursts */

	while (!vpn_stop) {
		/* SOLUTION: the tunnel, both ways, in one loop.  Put both
		 * descriptors in an fd_set (FD_ZERO, FD_SET: again before every
		 * select(), which overwrites it) and select(2) on it for
		 * reading; its first argument is the highest descriptor plus
		 * one.  EINTR: go round.  Then, with FD_ISSET:
		 *  - the TUN is ready: read() packets and sendto() each to
		 *    the server, as in Step 2;
		 *  - the socket is ready: recvfrom() datagrams; take only
		 *    those from the server (udp_endpoint_eq(); count others
		 *    with drop_count(..., DROP_NOT_SERVER, ...)), drop what
		 *    is not an IP packet (drop_bad_packet()), and write() the
		 *    rest into the TUN.
		 * The descriptors are non-blocking: take packets until read()
		 * or recvfrom() fails with EAGAIN, then select() again. */
		uint8_t buf[PKT_BUFSIZE];
		struct sockaddr_in from;
		socklen_t fromlen;
		fd_set readable;
		ssize_t n;

		FD_ZERO(&readable);
		FD_SET(tun, &readable);
		FD_SET(sock, &readable);
		if (select((tun > sock ? tun : sock) + 1, &readable, NULL, NULL,
			   NULL) == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("select: %s", strerror(errno));
		}
		if (FD_ISSET(tun, &readable)) {
			while ((n = read(tun, buf, sizeof(buf))) > 0) {
				vpn_log_packet("From tun ==>", buf, (size_t)n);
				if (sendto(sock, buf, (size_t)n, 0,
					   (struct sockaddr *)&server,
					   sizeof(server)) == -1)
					drop_error(&drops, "sendto");
			}
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				log_fatal("read from %s: %s", ifname,
					  strerror(errno));
		}
		if (FD_ISSET(sock, &readable)) {
			fromlen = sizeof(from);
			while ((n = recvfrom(sock, buf, sizeof(buf), 0,
					     (struct sockaddr *)&from,
					     &fromlen)) >= 0) {
				fromlen = sizeof(from);
				if (!udp_endpoint_eq(&from, &server)) {
					udp_endpoint_str(&from, where,
							 sizeof(where));
					drop_count(&drops, DROP_NOT_SERVER,
						   where, buf, (size_t)n);
					continue;
				}
				if (drop_bad_packet(&drops, buf, (size_t)n,
						    "the server"))
					continue;
				vpn_log_packet("From socket <==", buf,
					       (size_t)n);
				if (write(tun, buf, (size_t)n) == -1)
					drop_error(&drops, "write to the TUN");
			}
			if (errno != EAGAIN && errno != EINTR)
				log_fatal("recvfrom: %s", strerror(errno));
		}
		/* HANDOUT: pause();	// your select() loop replaces this line */
		/* END SOLUTION */
	}

	close(tun);
	close(sock);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	return 0;
}
