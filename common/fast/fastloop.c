/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "allow.h"
#include "drop.h"
#include "fast.h"
#include "fastloop.h"
#include "log.h"
#include "peers.h"
#include "pkt.h"
#include "tun.h"
#include "udp.h"
#include "vpn.h"

/* How many packets one descriptor may hand over before the other gets its
 * turn; packets cut from a super-packet already read do not count. */
#define FAST_SHARE 64

/* The loop's state: descriptors, and which offloads the kernel gave. */
struct fast {
	int tun, sock;
	int tun_offload;	/* TUN opened with a virtio-net header */
	char ifname[IFNAMSIZ];
	struct drops drops;
	uint8_t buf[PKT_BUFSIZE];
};

/*
 * VPNLAB_REFUSE=tun-offload,udp-gro: meet a kernel without these, for the
 * tests of the fallbacks: the call fails as a refused one would.
 */
static int refused(const char *feature)
{
	const char *list = getenv("VPNLAB_REFUSE");

	if (list && strstr(list, feature)) {
		errno = EOPNOTSUPP;
		return 1;
	}
	return 0;
}

/* A TUN device with offloads if this kernel has them, else a plain one. */
static void open_tun(struct fast *f, const struct opts *o)
{
	f->tun = refused("tun-offload") ? -1 :
					  tun_open_offload(o->ifname, f->ifname);
	if (f->tun == -1) {
		log_info("fast path: no TUN offloads here (%s); packets are "
			 "read one by one", strerror(errno));
		f->tun = vpn_tun_open(o->ifname, f->ifname);
	} else {
		f->tun_offload = 1;
		fast_tun_init(f->tun);
		log_info("fast path: TUN offloads on (TCP super-packets, "
			 "checksums)");
	}
	vpn_tun_config(f->ifname, o->addr, o->mtu);
	if (f->tun_offload && fast_tun_limit(f->ifname, o->mtu) == -1)
		log_info("fast path: super-packets keep their size (%s); "
			 "each may take two batches", strerror(errno));
	log_info("Interface name: %s", f->ifname);
	vpn_nonblocking(f->tun);
}

/* A UDP socket on addr:port (NULL, 0: any), taking datagrams in batches. */
static void open_socket(struct fast *f, const char *addr, uint16_t port)
{
	f->sock = udp_bind(addr, port);
	if (f->sock == -1)
		log_fatal("cannot bind UDP port %u: %s", port,
			  vpn_bind_hint(errno));
	vpn_socket_buffers(f->sock);
	vpn_nonblocking(f->sock);
	if (refused("udp-gro") || fast_udp_init(f->sock) == -1)
		log_info("fast path: no UDP GRO here (%s); datagrams arrive "
			 "one by one", strerror(errno));
	else
		log_info("fast path: datagrams leave and arrive in batches "
			 "(UDP GSO, GRO)");
}

/* Count packets the fast path could not deliver; log the first. */
static void count_failed(struct fast *f, int failed, const char *what)
{
	if (failed <= 0)
		return;
	if (!f->drops.count[DROP_SEND_FAILED])
		log_warn("%s: %s", what, strerror(errno));
	f->drops.count[DROP_SEND_FAILED] += (unsigned long)failed;
}

/* Say once that the kernel refused to send batches, whenever it did. */
static void check_gso(void)
{
	static int said;

	if (!said && fast_udp_gso_refusals()) {
		log_info("fast path: this kernel refused UDP GSO; datagrams "
			 "leave one by one");	/* to that peer, for a while */
		said = 1;
	}
}

/* Let go of every batch held back, before the loop can sleep. */
static void flush(struct fast *f)
{
	if (f->tun_offload)
		count_failed(f, fast_tun_flush(), "write to the TUN interface");
	count_failed(f, fast_udp_flush(), "send to the tunnel's peer");
	check_gso();
}

/* The next packet from the TUN into *pkt: its length, or -1 when none
 * is waiting or the socket's turn has come. */
static ssize_t tun_next(struct fast *f, const uint8_t **pkt, unsigned *taken)
{
	ssize_t n;

	if (*taken >= FAST_SHARE && !(f->tun_offload && fast_tun_held()))
		return -1;
	*pkt = f->buf;
	n = f->tun_offload ? fast_tun_read(f->tun, pkt) :
			     read(f->tun, f->buf, sizeof(f->buf));
	if (n == -1 && errno != EAGAIN && errno != EINTR)
		log_fatal("read from %s: %s", f->ifname, strerror(errno));
	(*taken)++;
	return n;
}

/* The next datagram into *pkt, or -1, as tun_next(). */
static ssize_t sock_next(struct fast *f, const uint8_t **pkt,
			 struct sockaddr_in *from, unsigned *taken)
{
	ssize_t n;

	if (*taken >= FAST_SHARE && !fast_udp_held())
		return -1;
	n = fast_udp_recv(f->sock, pkt, from);
	if (n == -1 && errno != EAGAIN && errno != EINTR)
		log_fatal("receive from the UDP socket: %s", strerror(errno));
	(*taken)++;
	return n;
}

static void send_packet(struct fast *f, const uint8_t *pkt, size_t n,
			const struct sockaddr_in *to)
{
	vpn_log_packet("From tun ==>", pkt, n);
	count_failed(f, fast_udp_send(f->sock, pkt, n, to),
		     "send to the tunnel's peer");
	check_gso();
}

static void write_packet(struct fast *f, const uint8_t *pkt, size_t n)
{
	vpn_log_packet("From socket <==", pkt, n);
	if (f->tun_offload)
		count_failed(f, fast_tun_write(f->tun, pkt, n),
			     "write to the TUN interface");
	else if (write(f->tun, pkt, n) == -1)
		drop_error(&f->drops, "write to the TUN interface");
}

/* Sleep until the TUN or the socket has something; 0, or -1 to stop. */
static int wait_ready(struct fast *f, fd_set *ready)
{
	flush(f);
	FD_ZERO(ready);
	FD_SET(f->tun, ready);
	FD_SET(f->sock, ready);
	if (select((f->tun > f->sock ? f->tun : f->sock) + 1, ready, NULL,
		   NULL, NULL) == -1) {
		if (errno != EINTR)
			log_fatal("select: %s", strerror(errno));
		FD_ZERO(ready);
	}
	return vpn_stop ? -1 : 0;
}

static int finish(struct fast *f)
{
	flush(f);
	close(f->tun);
	close(f->sock);
	drop_report(&f->drops);
	log_info("stopped: %s removed", f->ifname);
	return 0;
}

int fast_client(const struct opts *o)
{
	static struct fast f;
	struct sockaddr_in server = { .sin_family = AF_INET }, from;
	char where[UDP_ENDPOINT_STRLEN];
	const uint8_t *pkt;
	fd_set ready;
	unsigned taken;
	ssize_t n;

	vpn_signals();
	server.sin_port = htons(o->port);
	server.sin_addr = vpn_resolve(o->server);
	open_tun(&f, o);
	open_socket(&f, NULL, 0);
	udp_endpoint_str(&server, where, sizeof(where));
	log_info("tunnelling to %s", where);

	while (wait_ready(&f, &ready) == 0) {
		taken = 0;
		while (FD_ISSET(f.tun, &ready) &&
		       (n = tun_next(&f, &pkt, &taken)) >= 0)
			if (!drop_bad_packet(&f.drops, pkt, (size_t)n, "tun"))
				send_packet(&f, pkt, (size_t)n, &server);
		taken = 0;
		while (FD_ISSET(f.sock, &ready) &&
		       (n = sock_next(&f, &pkt, &from, &taken)) >= 0) {
			if (!udp_endpoint_eq(&from, &server)) {
				udp_endpoint_str(&from, where, sizeof(where));
				drop_count(&f.drops, DROP_NOT_SERVER, where,
					   pkt, (size_t)n);
			} else if (!drop_bad_packet(&f.drops, pkt, (size_t)n,
						    "the server")) {
				write_packet(&f, pkt, (size_t)n);
			}
		}
	}
	return finish(&f);
}

int fast_server(const struct opts *o)
{
	static struct fast f;
	static struct peers clients;
	static struct allow allowed;
	const struct sockaddr_in *client;
	struct sockaddr_in from;
	const uint8_t *pkt;
	fd_set ready;
	unsigned taken;
	ssize_t n;

	vpn_signals();
	open_socket(&f, o->listen, o->port);
	open_tun(&f, o);
	allow_init(&allowed, f.ifname);
	for (int i = 0; i < o->nallow; i++)
		if (allow_add(&allowed, o->allow[i]) == -1)
			log_fatal("bad network '%s' for -A: give a routable "
				  "one such as 10.1.4.0/24 or fd00::/64", o->allow[i]);
	log_info("listening on %s:%u", o->listen, o->port);
	vpn_check_forwarding();

	while (wait_ready(&f, &ready) == 0) {
		taken = 0;
		while (FD_ISSET(f.sock, &ready) &&
		       (n = sock_next(&f, &pkt, &from, &taken)) >= 0)
			if (peers_admit(&clients, &allowed, pkt, (size_t)n,
					&from, &f.drops))
				write_packet(&f, pkt, (size_t)n);
		taken = 0;
		while (FD_ISSET(f.tun, &ready) &&
		       (n = tun_next(&f, &pkt, &taken)) >= 0)
			if ((client = peers_route(&clients, pkt, (size_t)n,
						  &f.drops)))
				send_packet(&f, pkt, (size_t)n, client);
	}
	return finish(&f);
}
