/* SPDX-License-Identifier: MIT */
/*
 * tun_server: Step 4, on server.  As in Step 3, packets from the tunnel go
 * into the TUN interface and on into lab1.  Now the replies come back: the
 * kernel routes 10.1.3.0/24 into the TUN interface, and the server sends each
 * packet it reads there to the client, whose address recvfrom() told it.
 * epoll waits on both descriptors at once.
 *
 *   common/lab server step4-bidir/tun_server
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drop.h"
#include "fastloop.h"
#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "udp.h"
#include "vpn.h"

#define BATCH 64	/* packets per descriptor per turn, as in the client */

static uint8_t pkt[PKT_BUFSIZE];

/* The other end: whoever sent the last good datagram. */
struct peer {
	struct sockaddr_in addr;
	int known;
};

static void watch(int ep, int fd, const char *what)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		log_fatal("epoll_ctl(%s): %s", what, strerror(errno));
}

/* socket -> TUN; every datagram also tells us where the client is. */
static void from_client(int tun, int sock, struct peer *client,
			struct drops *drops)
{
	struct sockaddr_in from;
	socklen_t fromlen;
	char from_str[UDP_ENDPOINT_STRLEN];
	ssize_t len;
	int i;

	for (i = 0; i < BATCH; i++) {
		fromlen = sizeof(from);
		len = recvfrom(sock, pkt, sizeof(pkt), 0,
			       (struct sockaddr *)&from, &fromlen);
		if (len == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			log_fatal("recvfrom: %s", strerror(errno));
		}
		udp_endpoint_str(&from, from_str, sizeof(from_str));
		if (drop_bad_packet(drops, pkt, (size_t)len, from_str))
			continue;
		if (!client->known || !udp_endpoint_eq(&client->addr, &from)) {
			client->addr = from;
			client->known = 1;
			log_info("client is at %s", from_str);
		}
		vpn_log_packet("From socket <==", pkt, (size_t)len);
		if (write(tun, pkt, (size_t)len) == -1)
			drop_error(drops, "write to the TUN interface");
	}
}

/* TUN -> socket: the replies, to the client's address and port. */
static void from_tun(int tun, int sock, const char *ifname,
		     const struct peer *client, struct drops *drops)
{
	ssize_t len;
	int i;

	for (i = 0; i < BATCH; i++) {
		len = read(tun, pkt, sizeof(pkt));
		if (len == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			log_fatal("read from %s: %s", ifname, strerror(errno));
		}
		if (!client->known) {
			drop_count(drops, DROP_NO_PEER, ifname, pkt,
				   (size_t)len);
			continue;
		}
		vpn_log_packet("From tun ==>", pkt, (size_t)len);
		if (sendto(sock, pkt, (size_t)len, 0,
			   (const struct sockaddr *)&client->addr,
			   sizeof(client->addr)) == -1)
			drop_error(drops, "sendto");
	}
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_SERVER;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct peer client = { .known = 0 };
	char ifname[IFNAMSIZ];
	struct drops drops = { 0 };
	struct epoll_event events[2];
	int tun, sock, ep, nready, i;

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

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep == -1)
		log_fatal("epoll_create1: %s", strerror(errno));
	watch(ep, tun, ifname);
	watch(ep, sock, "socket");

	while (!vpn_stop) {
		nready = epoll_wait(ep, events, 2, -1);
		if (nready == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("epoll_wait: %s", strerror(errno));
		}
		for (i = 0; i < nready; i++) {
			if (events[i].data.fd == sock)
				from_client(tun, sock, &client, &drops);
			else
				from_tun(tun, sock, ifname, &client, &drops);
		}
	}

	close(ep);
	close(tun);
	close(sock);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	return 0;
}
