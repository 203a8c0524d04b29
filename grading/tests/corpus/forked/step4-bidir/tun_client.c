/* SPDX-License-Identifier: MIT */
/*
 * tun_client: Step 4, on useru.  Two sources of packets now: the TUN
 * interface (packets from useru into the tunnel) and the UDP socket (packets
 * the server sends back).  Instead of select(), the program forks once: the
 * parent reads the TUN and sends to the server, the child receives from the
 * server and writes into the TUN.  Each just blocks in its own read.  Only
 * datagrams from the server are taken.
 *
 *   common/lab useru step4-bidir/tun_client
 *   (then, as in Step 2: the route to lab1 through the tunnel)
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drop.h"
#include "fastloop.h"
#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "udp.h"
#include "vpn.h"

/* In the parent: the child has ended (an error, or a signal), so the
 * tunnel is only half there.  Stop as for Ctrl-C. */
static void on_sigchld(int sig)
{
	(void)sig;
	vpn_stop = 1;
	alarm(1);	/* as vpn_signals() does, in case read() was not yet blocked */
}

/* Parent: every packet from the TUN, whole, to the server. */
static void tun_to_server(int tun, int sock, const struct sockaddr_in *server,
			  const char *ifname, struct drops *drops)
{
	uint8_t buf[PKT_BUFSIZE];
	ssize_t n;

	while (!vpn_stop) {
		n = read(tun, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_fatal("read from %s: %s", ifname, strerror(errno));
		}
		vpn_log_packet("From tun ==>", buf, (size_t)n);
		if (sendto(sock, buf, (size_t)n, 0,
			   (const struct sockaddr *)server,
			   sizeof(*server)) < 0)
			drop_error(drops, "sendto");
	}
}

/* Child: datagrams from the server into the TUN; anyone else's dropped. */
static void server_to_tun(int tun, int sock, const struct sockaddr_in *server,
			  const char *where, struct drops *drops)
{
	uint8_t buf[PKT_BUFSIZE];
	struct sockaddr_in from;
	socklen_t fromlen;
	char sender[UDP_ENDPOINT_STRLEN];
	ssize_t n;

	while (!vpn_stop) {
		fromlen = sizeof(from);
		n = recvfrom(sock, buf, sizeof(buf), 0,
			     (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_fatal("recvfrom: %s", strerror(errno));
		}
		if (!udp_endpoint_eq(&from, server)) {
			udp_endpoint_str(&from, sender, sizeof(sender));
			drop_count(drops, DROP_NOT_SERVER, sender, buf,
				   (size_t)n);
			continue;
		}
		if (drop_bad_packet(drops, buf, (size_t)n, where))
			continue;
		vpn_log_packet("From socket <==", buf, (size_t)n);
		if (write(tun, buf, (size_t)n) < 0)
			drop_error(drops, "write to the TUN interface");
	}
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_CLIENT;
	struct sockaddr_in server = { .sin_family = AF_INET };
	char ifname[IFNAMSIZ], where[UDP_ENDPOINT_STRLEN];
	struct drops drops = { 0 };
	struct sigaction sa;
	pid_t parent, child;
	int tun, sock, status = 0;

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
	/* Both descriptors stay blocking: each process sleeps in its read. */
	vpn_socket_buffers(sock);	/* optional: room for TCP's bursts */

	/* Before fork(), so that a child that dies at once is noticed. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGCHLD, &sa, NULL) == -1)
		log_fatal("sigaction: %s", strerror(errno));

	parent = getpid();
	child = fork();
	if (child == -1)
		log_fatal("fork: %s", strerror(errno));
	if (child == 0) {
		/* Stop with the parent, whatever ends it. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
			log_fatal("prctl: %s", strerror(errno));
		if (getppid() != parent)
			_exit(0);	/* it is already gone */
		server_to_tun(tun, sock, &server, where, &drops);
		drop_report(&drops);
		return 0;
	}

	tun_to_server(tun, sock, &server, ifname, &drops);

	/* Ctrl-C reaches both, a SIGTERM to us or an error may not. */
	kill(child, SIGTERM);
	while (waitpid(child, &status, 0) == -1 && errno == EINTR)
		;
	close(tun);
	close(sock);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		return 1;	/* the child said why */
	return 0;
}
