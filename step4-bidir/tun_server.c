/* SPDX-License-Identifier: MIT */
/*
 * tun_server: Step 4, on server.  As in Step 3, packets from the tunnel go
 * into the TUN interface and on into lab1.  Now the replies come back: the
 * kernel routes 10.1.3.0/24 into the TUN interface, and the server sends each
 * packet it reads there to the client, whose address recvfrom() told it.
 * select() waits on both descriptors at once.
 *
 * What the step asks: the client to send to is the one whose datagram
 * came last (recvfrom() gives its address).  This reference does more,
 * which the step does not ask (the README's "Going further"): a table of
 * its clients (common/step4/peers.h), from the tunnel address each packet came
 * from to the UDP endpoint it came from, so that several clients can share
 * the server and a client that restarts on a new port is followed; and
 * only packets from the networks the server serves (those of its TUN
 * interface, and -A networks) enter lab1: a forged source is dropped.
 *
 *   common/lab server step4-bidir/tun_server
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
	/* SOLUTION: where the replies go: the client's address, or better
	 * a table of clients (struct peers, common/step4/peers.h) and the inner
	 * sources you accept (struct allow, common/step4/allow.h). */
	static struct peers clients;	/* where each client is */
	static struct allow allowed;	/* the inner sources we accept */
	/* END SOLUTION */
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
	/* SOLUTION: (better) accept inner sources from the TUN's networks
	 * (allow_init()) and the -A ones (o.allow[], allow_add()). */
	allow_init(&allowed, ifname);
	for (int i = 0; i < o.nallow; i++)
		if (allow_add(&allowed, o.allow[i]) == -1)
			log_fatal("bad network '%s' for -A: give a routable "
				  "one such as 10.1.4.0/24 or fd00::/64", o.allow[i]);
	/* END SOLUTION */
	log_info("listening on %s:%u", o.listen, o.port);
	vpn_check_forwarding();
	vpn_nonblocking(tun);
	vpn_nonblocking(sock);
	vpn_socket_buffers(sock);	/* optional: room for TCP's bursts */

	while (!vpn_stop) {
		/* SOLUTION: the tunnel, both ways, in one select(2) loop, as
		 * in the client (FD_ZERO, FD_SET, select(), FD_ISSET; the
		 * descriptors are non-blocking: take packets until EAGAIN).
		 * The socket is ready: recvfrom() datagrams;
		 * the address recvfrom() fills in is the client's, where the
		 * replies must go.  write() each packet into the TUN, as in
		 * Step 3.  The TUN is ready: read() packets (the replies) and
		 * sendto() each to the client.  (No client yet: drop it.)
		 * Better: keep a table of clients and accept only sources in
		 * the tunnel's networks: peers_admit() and peers_route() in
		 * common/step4/peers.h do both. */
		uint8_t buf[PKT_BUFSIZE];
		const struct sockaddr_in *client;
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
		if (FD_ISSET(sock, &readable)) {
			fromlen = sizeof(from);
			while ((n = recvfrom(sock, buf, sizeof(buf), 0,
					     (struct sockaddr *)&from,
					     &fromlen)) >= 0) {
				fromlen = sizeof(from);
				if (!peers_admit(&clients, &allowed, buf,
						 (size_t)n, &from, &drops))
					continue;
				vpn_log_packet("From socket <==", buf,
					       (size_t)n);
				if (write(tun, buf, (size_t)n) == -1)
					drop_error(&drops, "write to the TUN");
			}
			if (errno != EAGAIN && errno != EINTR)
				log_fatal("recvfrom: %s", strerror(errno));
		}
		if (FD_ISSET(tun, &readable)) {
			while ((n = read(tun, buf, sizeof(buf))) > 0) {
				client = peers_route(&clients, buf, (size_t)n,
						     &drops);
				if (!client)
					continue;
				vpn_log_packet("From tun ==>", buf, (size_t)n);
				if (sendto(sock, buf, (size_t)n, 0,
					   (const struct sockaddr *)client,
					   sizeof(*client)) == -1)
					drop_error(&drops, "sendto");
			}
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				log_fatal("read from %s: %s", ifname,
					  strerror(errno));
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
