/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "tun.h"
#include "udp.h"
#include "vpn.h"

volatile sig_atomic_t vpn_stop;

/* A stop request also arms a one-second alarm, caught here too: a loop
 * that tested vpn_stop just before it blocked (the signal landed between
 * the test and the call: pause(), a read()) is woken by it, and ends. */
static void on_signal(int sig)
{
	(void)sig;
	vpn_stop = 1;
	alarm(1);
}

void vpn_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGALRM, &sa, NULL) == -1)
		log_fatal("sigaction: %s", strerror(errno));
}

int vpn_tun_open(const char *pattern, char name[IFNAMSIZ])
{
	int fd = tun_open(pattern, name), err;
	const char *hint;

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

struct in_addr vpn_resolve(const char *host)
{
	struct sockaddr_in sin;
	int err = udp_resolve(host, 0, &sin);

	if (err)
		log_fatal("cannot resolve '%s': %s — check the name, or give "
			  "an IPv4 address", host, gai_strerror(err));
	return sin.sin_addr;
}

const char *vpn_bind_hint(int err)
{
	switch (err) {
	case EADDRINUSE:
		return "it is in use — stop the program using it (ss -ulpn "
		       "shows it) or choose another port";
	case EADDRNOTAVAIL:
		return "that address is not one of this host's";
	case EACCES:
		return "ports below 1024 need root";
	}
	return strerror(err);
}

void vpn_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		log_fatal("fcntl O_NONBLOCK: %s", strerror(errno));
}

void vpn_socket_buffers(int sock)
{
	if (udp_set_buffers(sock, VPN_SOCKET_BUFFER) == -1)
		log_warn("socket buffers: %s (the tunnel will be slower)",
			 strerror(errno));
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
