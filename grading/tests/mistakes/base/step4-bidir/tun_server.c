/* SPDX-License-Identifier: MIT */
/*
 * tun_server: Step 4, on server.  As in Step 3, packets from the tunnel go
 * into the TUN interface and on into lab1.  Now the replies come back: the
 * kernel routes 10.1.3.0/24 into the TUN interface, and the server sends each
 * packet it reads there to the client, whose address recvfrom() told it.
 * select() waits on both descriptors at once.
 *
 * The server keeps a table of its clients (common/step4/peers.h): the tunnel
 * address each packet came from, and the UDP endpoint it came from.
 * Several clients can share one server, and a client that restarts on a new
 * port is followed.  Only packets from the networks the server serves (those
 * of its TUN interface, and -A networks) enter lab1: a forged source is
 * dropped, not forwarded.
 *
 *   sudo common/lab server step4-bidir/tun_server
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "allow.h"
#include "drop.h"
#include "fastloop.h"
#include "log.h"
#include "opt.h"
#include "peers.h"
#include "pkt.h"
#include "udp.h"
#include "vpn.h"

int main(int argc, char *argv[])
{
	struct opts o = OPTS_SERVER;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	/* Where the replies go: the client we heard from last. */
	struct sockaddr_in client, from;
	int have_client = 0;
	socklen_t fromlen;
	char fromstr[UDP_ENDPOINT_STRLEN];
	uint8_t buf[PKT_BUFSIZE];
	fd_set readable;
	ssize_t n;
	int maxfd;
	char ifname[IFNAMSIZ];
	struct drops drops = { 0 };
	int tun, sock;

	log_init();
	opt_parse(argc, argv, "Aafilmpq", &o);
	if (o.fast)
		return fast_server(&o);	/* --fast: common/fast/fastloop.c */
	vpn_signals();

	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock == -1)
		log_fatal("socket: %s", strerror(errno));
	addr.sin_port = htons(o.port);
	inet_pton(AF_INET, o.listen, &addr.sin_addr);
	if (bind(sock, (struct sockaddr *)&addr, sizeof(addr)) == -1)
		log_fatal("cannot bind UDP port %u: %s", o.port,
			  vpn_bind_hint(errno));
	tun = vpn_tun_open(o.ifname, ifname);
	vpn_tun_config(ifname, o.addr, o.mtu);
	log_info("Interface name: %s", ifname);
	log_info("listening on %s:%u", o.listen, o.port);
	vpn_check_forwarding();
	vpn_nonblocking(tun);
	vpn_nonblocking(sock);
	vpn_socket_buffers(sock);	/* optional: room for TCP's bursts */
	maxfd = tun > sock ? tun : sock;

	while (!vpn_stop) {
		FD_ZERO(&readable);
		FD_SET(tun, &readable);
		FD_SET(sock, &readable);
		if (select(maxfd + 1, &readable, NULL, NULL, NULL) == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("select: %s", strerror(errno));
		}

		/* socket ==> TUN, and remember who the client is */
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
				if (drop_bad_packet(&drops, buf, (size_t)n,
						    fromstr))
					continue;
				if (!have_client ||
				    !udp_endpoint_eq(&from, &client))
					log_info("client is at %s", fromstr);
				client = from;
				have_client = 1;
				vpn_log_packet("From socket <==", buf,
					       (size_t)n);
				if (write(tun, buf, (size_t)n) != n)
					drop_error(&drops,
						   "write to the TUN interface");
			}
		}

		/* TUN ==> socket: the replies, back to the client */
		if (FD_ISSET(tun, &readable)) {
			for (;;) {
				n = read(tun, buf, sizeof(buf));
				if (n == -1) {
					if (errno == EAGAIN || errno == EINTR)
						break;
					log_fatal("read from %s: %s", ifname,
						  strerror(errno));
				}
				if (!have_client) {
					drop_count(&drops, DROP_NO_PEER, ifname,
						   buf, (size_t)n);
					continue;
				}
				vpn_log_packet("From tun ==>", buf, (size_t)n);
				if (sendto(sock, buf, (size_t)n, 0,
					   (struct sockaddr *)&client,
					   sizeof(client)) == -1)
					drop_error(&drops, "sendto");
			}
		}
	}

	close(tun);
	close(sock);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	return 0;
}
