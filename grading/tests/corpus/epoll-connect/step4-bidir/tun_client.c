/* SPDX-License-Identifier: MIT */
/*
 * tun_client: Step 4, on useru.  Two sources of packets now: the TUN
 * interface (packets from useru into the tunnel) and the UDP socket (packets
 * the server sends back).  epoll waits on both until either has one, and
 * each is forwarded to the other side.
 *
 * The socket is bound to port 9090 here too and connect()ed to the server:
 * send() and recv() need no address, and the kernel itself drops datagrams
 * that do not come from the server's address and port.
 *
 *   common/lab useru step4-bidir/tun_client
 *   (then, as in Step 2: the route to lab1 through the tunnel)
 */
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

/* At most this many packets from one descriptor per turn, so that a flood
 * one way cannot stop the other way (epoll tells us again: level-triggered). */
#define BATCH 64

static uint8_t pkt[PKT_BUFSIZE];

/* Add fd to the epoll set, for reading. */
static void watch(int ep, int fd, const char *what)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		log_fatal("epoll_ctl(%s): %s", what, strerror(errno));
}

/* TUN -> server, until the TUN has nothing left (EAGAIN). */
static void from_tun(int tun, int sock, const char *ifname,
		     struct drops *drops)
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
		vpn_log_packet("From tun ==>", pkt, (size_t)len);
		if (send(sock, pkt, (size_t)len, 0) == -1)
			drop_error(drops, "send");
	}
}

/* server -> TUN, until the socket has nothing left. */
static void from_server(int tun, int sock, const char *server,
			struct drops *drops)
{
	ssize_t len;
	int i;

	for (i = 0; i < BATCH; i++) {
		len = recv(sock, pkt, sizeof(pkt), 0);
		if (len == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			/* A connected UDP socket hands us the ICMP error
			 * that one of our datagrams got (the server is not
			 * running yet, say): that packet is lost, not the
			 * tunnel. */
			if (errno == ECONNREFUSED || errno == EHOSTUNREACH ||
			    errno == ENETUNREACH || errno == EHOSTDOWN) {
				drop_error(drops, "send to the server");
				continue;
			}
			log_fatal("recv: %s", strerror(errno));
		}
		/* connected: only the server's datagrams get this far */
		if (drop_bad_packet(drops, pkt, (size_t)len, server))
			continue;
		vpn_log_packet("From socket <==", pkt, (size_t)len);
		if (write(tun, pkt, (size_t)len) == -1)
			drop_error(drops, "write to the TUN interface");
	}
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_CLIENT;
	struct sockaddr_in server = { .sin_family = AF_INET };
	struct sockaddr_in local = { .sin_family = AF_INET };
	char ifname[IFNAMSIZ], where[UDP_ENDPOINT_STRLEN];
	struct drops drops = { 0 };
	struct epoll_event events[2];
	int tun, sock, ep, nready, i;

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
	udp_endpoint_str(&server, where, sizeof(where));

	/* Our end of the tunnel uses port 9090 as well (any address). */
	local.sin_port = htons(o.port);
	local.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(sock, (struct sockaddr *)&local, sizeof(local)) == -1)
		log_fatal("cannot bind UDP port %u: %s", o.port,
			  vpn_bind_hint(errno));
	if (connect(sock, (struct sockaddr *)&server, sizeof(server)) == -1)
		log_fatal("connect to %s: %s", where, strerror(errno));
	/* The kernel filters by the connected address only from now on:
	 * throw away whatever slipped in between bind() and connect(). */
	while (recv(sock, pkt, sizeof(pkt), MSG_DONTWAIT) >= 0)
		;

	tun = vpn_tun_open(o.ifname, ifname);
	vpn_tun_config(ifname, o.addr, o.mtu);
	log_info("Interface name: %s", ifname);
	log_info("tunnelling to %s", where);
	/* Non-blocking, so that after epoll_wait() the loop can take every
	 * packet waiting, until read() or recv() says EAGAIN. */
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
			if (events[i].data.fd == tun)
				from_tun(tun, sock, ifname, &drops);
			else
				from_server(tun, sock, where, &drops);
		}
	}

	close(ep);
	close(tun);
	close(sock);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	return 0;
}
