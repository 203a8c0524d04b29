/* SPDX-License-Identifier: MIT */
/*
 * tun_client: Step 4, on useru.  Two sources of packets now: the TUN
 * interface (packets from useru into the tunnel) and the UDP socket (packets
 * the server sends back).  select() sleeps until either has one, and each is
 * forwarded to the other side.  Only datagrams from the server are taken.
 *
 *   sudo common/lab useru step4-bidir/tun_client
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
	struct sockaddr_in from;
	socklen_t fromlen;
	char fromstr[UDP_ENDPOINT_STRLEN];
	uint8_t buf[PKT_BUFSIZE];
	fd_set readable;
	struct drops drops = { 0 };
	ssize_t n;
	int tun, sock, maxfd;

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
	maxfd = tun > sock ? tun : sock;

	while (!vpn_stop) {
		FD_ZERO(&readable);	/* select() overwrote it last time */
		FD_SET(tun, &readable);
		FD_SET(sock, &readable);
		if (select(maxfd + 1, &readable, NULL, NULL, NULL) == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("select: %s", strerror(errno));
		}

		/* TUN ==> socket: everything the kernel queued for us */
		if (FD_ISSET(tun, &readable)) {
			for (;;) {
				n = read(tun, buf, sizeof(buf));
				if (n == -1) {
					if (errno == EAGAIN || errno == EINTR)
						break;
					log_fatal("read from %s: %s", ifname,
						  strerror(errno));
				}
				vpn_log_packet("From tun ==>", buf, (size_t)n);
				if (sendto(sock, buf, (size_t)n, 0,
					   (struct sockaddr *)&server,
					   sizeof(server)) == -1)
					drop_error(&drops, "sendto");
			}
		}

		/* socket ==> TUN: only what our server sent */
		if (FD_ISSET(sock, &readable)) {
			for (;;) {
				fromlen = sizeof(from);
				n = recvfrom(sock, buf, sizeof(buf), 0,
					     (struct sockaddr *)&from,
					     &fromlen);
				if (n == -1) {
					if (errno == EAGAIN || errno == EINTR)
						break;
					log_fatal("recvfrom: %s",
						  strerror(errno));
				}
				udp_endpoint_str(&from, fromstr,
						 sizeof(fromstr));
				if (!udp_endpoint_eq(&from, &server)) {
					drop_count(&drops, DROP_NOT_SERVER,
						   fromstr, buf, (size_t)n);
					continue;
				}
				if (drop_bad_packet(&drops, buf, (size_t)n,
						    fromstr))
					continue;
				vpn_log_packet("From socket <==", buf,
					       (size_t)n);
				if (write(tun, buf, (size_t)n) != n)
					drop_error(&drops, "write to tun");
			}
		}
	}

	close(tun);
	close(sock);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	return 0;
}
