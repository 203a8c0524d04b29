#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fast.h"
#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "tun.h"
#include "udp.h"
#include "vpn.h"

volatile sig_atomic_t vpn_stop;

static void on_signal(int sig)
{
	(void)sig;
	vpn_stop = 1;
}

void vpn_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1)
		log_fatal("sigaction: %s", strerror(errno));
}

int vpn_fast;

/* The descriptors the fast path serves (-1: none), and where it counts
 * packets it could not deliver when it lets a batch go. */
static int fast_tun = -1, fast_sock = -1;
static struct drops *fast_drops;

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

/* --fast: a TUN device with offloads, if this kernel has them. */
static int fast_tun_open(const char *pattern, char name[IFNAMSIZ])
{
	int fd = refused("tun-offload") ? -1 : tun_open_offload(pattern, name);

	if (fd == -1) {
		log_info("fast path: no TUN offloads here (%s); packets are "
			 "read one by one", strerror(errno));
		return -1;
	}
	fast_tun_init(fd);
	fast_tun = fd;
	log_info("fast path: TUN offloads on (TCP super-packets, checksums)");
	return fd;
}

int vpn_tun_open(const char *pattern, char name[IFNAMSIZ])
{
	int fd = vpn_fast ? fast_tun_open(pattern, name) : -1, err;
	const char *hint;

	if (fd != -1)
		return fd;
	fd = tun_open(pattern, name);
	if (fd != -1)
		return fd;
	err = errno;
	hint = tun_hint(err);
	if (err == EBUSY || err == EINVAL || err == ENAMETOOLONG)
		log_fatal("cannot create TUN interface '%s': %s — %s", pattern,
			  strerror(err), hint);
	log_fatal("cannot open /dev/net/tun: %s%s%s", strerror(err),
		  *hint ? " — " : "", hint);
}

void vpn_tun_config(const char *ifname, const char *cidr, int mtu)
{
	struct in_addr addr;
	int prefix = 24;

	opt_cidr(cidr, &addr, &prefix);
	if (tun_set_addr(ifname, addr, prefix) == -1)
		log_fatal("cannot give %s the address %s: %s", ifname, cidr,
			  strerror(errno));
	if (tun_set_txqueuelen(ifname, VPN_TXQUEUELEN) == -1)
		log_fatal("cannot set the queue length of %s: %s", ifname,
			  strerror(errno));
	if (mtu > 0 && tun_set_mtu(ifname, mtu) == -1)
		log_fatal("cannot set the MTU of %s to %d: %s", ifname, mtu,
			  strerror(errno));
	if (tun_set_up(ifname) == -1)
		log_fatal("cannot bring %s up: %s", ifname, strerror(errno));
}

void vpn_route(const char *ifname, const char *cidr)
{
	struct in_addr net, none = { 0 };
	int prefix = 32;

	opt_cidr(cidr, &net, &prefix);
	if (tun_add_route(ifname, net, prefix, none) == -1) {
		if (errno == EEXIST)
			log_fatal("cannot route %s through %s: a route to it "
				  "exists already — remove it with 'ip route "
				  "del %s'", cidr, ifname, cidr);
		log_fatal("cannot route %s through %s: %s", cidr, ifname,
			  strerror(errno));
	}
	log_info("route %s dev %s", cidr, ifname);
}

void vpn_check_forwarding(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_forward", "r");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	if (c == '0')
		log_warn("this host does not forward IPv4 packets, so those from "
			 "the tunnel stop here — run 'sysctl -w "
			 "net.ipv4.ip_forward=1'");
}

int vpn_udp_bind(const char *addr, uint16_t port)
{
	int fd = udp_bind(addr, port);

	if (fd != -1) {
		if (udp_set_buffers(fd, VPN_SOCKET_BUFFER) == -1)
			log_warn("socket buffers: %s (the tunnel will be slower)",
				 strerror(errno));
		if (vpn_fast) {
			fast_sock = fd;
			if (refused("udp-gro") || fast_udp_init(fd) == -1)
				log_info("fast path: no UDP GRO here (%s); "
					 "datagrams arrive one by one",
					 strerror(errno));
			else
				log_info("fast path: datagrams leave and "
					 "arrive in batches (UDP GSO, GRO)");
		}
		return fd;
	}
	if (errno == EADDRINUSE)
		log_fatal("cannot bind UDP port %u: it is in use — stop the "
			  "program using it (ss -ulpn shows it) or choose "
			  "another port", port);
	if (errno == EADDRNOTAVAIL || errno == EINVAL)
		log_fatal("cannot bind UDP to %s: not an address of this host",
			  addr ? addr : "any address");
	log_fatal("cannot bind UDP port %u: %s", port, strerror(errno));
}

void vpn_resolve(const char *host, uint16_t port, struct sockaddr_in *peer)
{
	int err = udp_resolve(host, port, peer);

	if (err)
		log_fatal("cannot resolve '%s': %s — check the name, or give "
			  "an IPv4 address", host, gai_strerror(err));
}

void vpn_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		log_fatal("fcntl O_NONBLOCK: %s", strerror(errno));
}

/* Count packets the fast path could not deliver, as vpn_send() and
 * vpn_write() count theirs. */
static void count_failed(int failed, const char *what)
{
	if (failed <= 0 || !fast_drops)
		return;
	if (!fast_drops->count[DROP_SEND_FAILED])
		log_warn("%s: %s", what, strerror(errno));
	fast_drops->count[DROP_SEND_FAILED] += (unsigned long)failed;
}

/* Say once that the kernel refused to send batches, whenever it did. */
static void fast_check_gso(void)
{
	static int said;

	if (!said && !fast_udp_gso()) {
		log_info("fast path: this kernel refused UDP GSO; datagrams "
			 "leave one by one");
		said = 1;
	}
}

/* Let go of what the fast path holds back for its batches. */
static void fast_flush(void)
{
	if (fast_tun != -1)
		count_failed(fast_tun_flush(), "write to the TUN interface");
	if (fast_sock != -1) {
		count_failed(fast_udp_flush(), "send to the tunnel's peer");
		fast_check_gso();
	}
}

/*
 * The end of a round on one descriptor: none waiting, a signal, or its
 * share taken.  Whatever the fast path holds goes out now, before the
 * program can sleep in select().
 */
static ssize_t round_over(unsigned *share, int err)
{
	*share = 0;
	fast_flush();
	errno = err;
	return -1;
}

/*
 * One read of a round: count it, or end the round on -1; an error other
 * than "interrupted" or "none waiting" ends the program, naming what.
 */
static ssize_t round_next(unsigned *share, ssize_t n, const char *what)
{
	if (n != -1) {
		(*share)++;
		return n;
	}
	if (errno != EINTR && errno != EAGAIN)
		log_fatal("%s: %s", what, strerror(errno));
	return round_over(share, errno);
}

ssize_t vpn_read(int tun, uint8_t *buf, size_t size)
{
	static unsigned share;
	int fast = tun == fast_tun;

	if (share >= VPN_BATCH && !(fast && fast_tun_held()))
		return round_over(&share, EAGAIN);
	return round_next(&share, fast ? fast_tun_read(tun, buf, size) :
					 read(tun, buf, size),
			  "read from the TUN interface");
}

ssize_t vpn_recv(int sock, uint8_t *buf, size_t size,
		 struct sockaddr_in *from)
{
	static unsigned share;
	int fast = sock == fast_sock;

	if (share >= VPN_BATCH && !(fast && fast_udp_held()))
		return round_over(&share, EAGAIN);
	return round_next(&share, fast ? fast_udp_recv(sock, buf, size, from) :
					 udp_recv(sock, buf, size, from),
			  "receive from the UDP socket");
}

void vpn_send(int sock, const uint8_t *buf, size_t len,
	      const struct sockaddr_in *peer, struct drops *drops)
{
	char where[UDP_ENDPOINT_STRLEN + 16];

	if (sock == fast_sock) {
		fast_drops = drops;
		count_failed(fast_udp_send(sock, buf, len, peer),
			     "send to the tunnel's peer");
		fast_check_gso();
		return;
	}
	if (udp_send(sock, buf, len, peer) != -1)
		return;
	udp_endpoint_str(peer, where, sizeof(where));
	if (!drops->count[DROP_SEND_FAILED])
		log_warn("send to %s: %s", where, strerror(errno));
	drop_count(drops, DROP_SEND_FAILED, "the TUN", buf, len);
}

void vpn_write(int tun, const uint8_t *buf, size_t len, struct drops *drops)
{
	if (tun == fast_tun) {
		fast_drops = drops;
		count_failed(fast_tun_write(tun, buf, len),
			     "write to the TUN interface");
		return;
	}
	if (write(tun, buf, len) != -1)
		return;
	if (!drops->count[DROP_SEND_FAILED])
		log_warn("write to the TUN interface: %s", strerror(errno));
	drop_count(drops, DROP_SEND_FAILED, "the socket", buf, len);
}

int vpn_log_packets = 1;

static time_t monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Whether this packet may have its own line; says when lines are held. */
static int log_rate_allows(void)
{
	static time_t second;
	static unsigned long lines, held;
	time_t now = monotonic_seconds();

	if (now != second) {
		if (held)
			log_info("... and %lu more packets in %ld s, not logged "
				 "one by one (traffic too fast; -q: none)",
				 held, (long)(now - second));
		second = now;
		lines = held = 0;
	}
	if (lines++ < VPN_LOG_BURST)
		return 1;
	held++;
	return 0;
}

void vpn_log_packet(const char *prefix, const uint8_t *buf, size_t len)
{
	char line[PKT_SUMMARY_MAX];

	if (!vpn_log_packets || !log_rate_allows())
		return;
	pkt_summary(buf, len, line, sizeof(line));
	if (prefix)
		log_info("%s: %s", prefix, line);
	else
		log_info("%s", line);
}
