/* SPDX-License-Identifier: MIT */
/*
 * tun_server: Step 4, on server.  As in Step 3, packets from the tunnel go
 * into the TUN interface and on into lab1.  Now the replies come back: the
 * kernel routes 10.1.3.0/24 into the TUN interface, and the server sends each
 * packet it reads there to the client, whose address recvfrom() told it.
 * select() waits on both descriptors at once.
 *
 *   common/lab server step4-bidir/tun_server
 */
#include <arpa/inet.h>
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

struct endpoint {
	int tun, sock;
	const char *ifname;
	struct sockaddr_in client;	/* where replies go ... */
	int have_client;		/* ... once someone has talked to us */
	struct drops drops;
	uint8_t buf[PKT_BUFSIZE];
};

static int drained(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

/* Datagrams from the client into the TUN; remember who sent them. */
static void net_to_tun(struct endpoint *e)
{
	struct sockaddr_in from;
	socklen_t fromlen;
	char who[UDP_ENDPOINT_STRLEN];
	ssize_t n;

	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(e->sock, e->buf, sizeof(e->buf), 0,
			     (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (drained(errno))
				return;
			log_fatal("recvfrom: %s", strerror(errno));
		}
		udp_endpoint_str(&from, who, sizeof(who));
		if (drop_bad_packet(&e->drops, e->buf, (size_t)n, who))
			continue;
		if (!e->have_client || !udp_endpoint_eq(&from, &e->client)) {
			log_info("client is at %s", who);
			e->client = from;
			e->have_client = 1;
		}
		vpn_log_packet("From socket <==", e->buf, (size_t)n);
		if (write(e->tun, e->buf, (size_t)n) < 0)
			drop_error(&e->drops, "write to the TUN interface");
	}
}

/* Packets the kernel routes into the TUN (the replies) to the client. */
static void tun_to_net(struct endpoint *e)
{
	ssize_t n;

	for (;;) {
		n = read(e->tun, e->buf, sizeof(e->buf));
		if (n < 0) {
			if (drained(errno))
				return;
			log_fatal("read from %s: %s", e->ifname,
				  strerror(errno));
		}
		if (!e->have_client) {
			drop_count(&e->drops, DROP_NO_PEER, e->ifname, e->buf,
				   (size_t)n);
			continue;
		}
		vpn_log_packet("From tun ==>", e->buf, (size_t)n);
		if (sendto(e->sock, e->buf, (size_t)n, 0,
			   (struct sockaddr *)&e->client,
			   sizeof(e->client)) < 0)
			drop_error(&e->drops, "sendto");
	}
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_SERVER;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	static struct endpoint e;	/* zeroed: no client yet */
	char ifname[IFNAMSIZ];
	fd_set readable;
	int tun, sock, maxfd;

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

	e.tun = tun;
	e.sock = sock;
	e.ifname = ifname;
	maxfd = tun > sock ? tun : sock;

	while (!vpn_stop) {
		FD_ZERO(&readable);
		FD_SET(tun, &readable);
		FD_SET(sock, &readable);
		if (select(maxfd, &readable, NULL, NULL, NULL) < 0) {
			if (errno == EINTR)
				continue;
			log_fatal("select: %s", strerror(errno));
		}
		if (FD_ISSET(sock, &readable))
			net_to_tun(&e);
		if (FD_ISSET(tun, &readable))
			tun_to_net(&e);
	}

	close(tun);
	close(sock);
	drop_report(&e.drops);
	log_info("stopped: %s removed", ifname);
	return 0;
}
