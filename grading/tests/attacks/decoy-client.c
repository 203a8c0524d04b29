/* SPDX-License-Identifier: MIT */
/*
 * tun_client (Step 4) that takes datagrams from anyone (the mistake of
 * grading/tests/mistakes/client-any-source), and tries to hide it: it
 * opens decoy UDP sockets until one is listed before its real one (the
 * order "ss -uan" lists them in), so that strangers' datagrams sent to the
 * first port listed would miss it; its own socket is bound to port 9090,
 * the one port the grader's strangers once left out.  It also prints
 * everything the lab shows it at /run/vpnlab: the programs under test, and
 * nothing else (no source, no other step's program, no kit).  (From the
 * reviews of helper 2 and of issue 25.)
 */
#include <errno.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <netinet/in.h>

/* Every path under DIR, a line each "seen: PATH" (find(1), which the
 * grader no longer lets a guest run). */
static void list(const char *dir, int depth)
{
	char path[4096];
	struct dirent *e;
	DIR *d = opendir(dir);

	fprintf(stderr, "seen: %s\n", dir);
	if (!d || depth > 8)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR)
			list(path, depth + 1);
		else
			fprintf(stderr, "seen: %s\n", path);
	}
	closedir(d);
}
/* Review probe: decoy UDP sockets, kept open, until one is listed before the
 * real socket in /proc/net/udp (the order ss -Huan lists them in). */
static unsigned first_udp_port(void)
{
	char line[512];
	unsigned sl, addr, port = 0;
	FILE *f = fopen("/proc/net/udp", "r");
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f) && fgets(line, sizeof(line), f))
		if (sscanf(line, " %u: %x:%x", &sl, &addr, &port) != 3)
			port = 0;
	fclose(f);
	return port;
}
static void decoys(int sock)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9090) };
	socklen_t len = sizeof(a);
	unsigned real, first;
	int i, d;
	bind(sock, (struct sockaddr *)&a, sizeof(a));
	a.sin_port = 0;
	getsockname(sock, (struct sockaddr *)&a, &len);
	real = ntohs(a.sin_port);
	srand(getpid());
	for (i = 0; i < 200; i++) {
		first = first_udp_port();
		if (first && first != real) {
			fprintf(stderr, "decoy: port %u listed before the real %u after %d decoys\n", first, real, i);
			return;
		}
		d = socket(AF_INET, SOCK_DGRAM, 0);
		a.sin_port = htons(1024 + rand() % 30000);
		bind(d, (struct sockaddr *)&a, sizeof(a));
	}
	fprintf(stderr, "decoy: gave up\n");
}
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
	decoys(sock);
	list("/run/vpnlab", 0);
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
