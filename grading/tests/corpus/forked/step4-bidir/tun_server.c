/* SPDX-License-Identifier: MIT */
/*
 * tun_server: Step 4, on server.  As in Step 3, packets from the tunnel go
 * into the TUN interface and on into lab1.  Now the replies come back: the
 * kernel routes 10.1.3.0/24 into the TUN interface, and the server sends each
 * packet it reads there to the client, whose address recvfrom() told it.
 *
 * No select() here: the program forks once.  The parent receives from the
 * socket and writes into the TUN; the child reads the TUN and sends to the
 * client.  Only the parent sees recvfrom()'s addresses, so the client's
 * endpoint lives in a page of memory the two processes share.
 *
 *   common/lab server step4-bidir/tun_server
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
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

/*
 * The client's endpoint as one 64-bit word, so that one process writes it
 * and the other reads it in one go (no half-updated address): bit 48 says
 * there is a client, bits 16-47 its address and 0-15 its port, both in
 * network byte order as in the struct.  0: no client yet.
 */
static uint64_t endpoint_pack(const struct sockaddr_in *sin)
{
	return (uint64_t)1 << 48 | (uint64_t)sin->sin_addr.s_addr << 16 |
	       sin->sin_port;
}

static int endpoint_unpack(uint64_t word, struct sockaddr_in *sin)
{
	if (word == 0)
		return 0;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = (uint32_t)(word >> 16);
	sin->sin_port = (uint16_t)word;
	return 1;
}

static void on_sigchld(int sig)
{
	(void)sig;
	vpn_stop = 1;
	alarm(1);
}

/* Parent: datagrams from the client into the TUN; remember the sender. */
static void client_to_tun(int tun, int sock, _Atomic uint64_t *client,
			  struct drops *drops)
{
	uint8_t buf[PKT_BUFSIZE];
	struct sockaddr_in from;
	socklen_t fromlen;
	char sender[UDP_ENDPOINT_STRLEN];
	uint64_t word;
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
		udp_endpoint_str(&from, sender, sizeof(sender));
		if (drop_bad_packet(drops, buf, (size_t)n, sender))
			continue;

		word = endpoint_pack(&from);
		if (atomic_exchange(client, word) != word)
			log_info("client is at %s", sender);

		vpn_log_packet("From socket <==", buf, (size_t)n);
		if (write(tun, buf, (size_t)n) < 0)
			drop_error(drops, "write to the TUN interface");
	}
}

/* Child: what the kernel routes into the TUN goes to the latest client. */
static void tun_to_client(int tun, int sock, _Atomic uint64_t *client,
			  const char *ifname, struct drops *drops)
{
	uint8_t buf[PKT_BUFSIZE];
	struct sockaddr_in to;
	ssize_t n;

	while (!vpn_stop) {
		n = read(tun, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_fatal("read from %s: %s", ifname, strerror(errno));
		}
		if (!endpoint_unpack(atomic_load(client), &to)) {
			drop_count(drops, DROP_NO_PEER, ifname, buf,
				   (size_t)n);
			continue;
		}
		vpn_log_packet("From tun ==>", buf, (size_t)n);
		if (sendto(sock, buf, (size_t)n, 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0)
			drop_error(drops, "sendto");
	}
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_SERVER;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	_Atomic uint64_t *client;	/* shared with the child, see above */
	char ifname[IFNAMSIZ];
	struct drops drops = { 0 };
	struct sigaction sa;
	pid_t parent, child;
	int tun, sock, status = 0;

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
	/* blocking descriptors: each process sleeps in its own read */
	vpn_socket_buffers(sock);	/* optional: room for TCP's bursts */

	/* Anonymous shared mapping: zero-filled, so "no client" at first. */
	client = mmap(NULL, sizeof(*client), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (client == MAP_FAILED)
		log_fatal("mmap: %s", strerror(errno));

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
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
			log_fatal("prctl: %s", strerror(errno));
		if (getppid() != parent)
			_exit(0);
		tun_to_client(tun, sock, client, ifname, &drops);
		drop_report(&drops);
		return 0;
	}

	client_to_tun(tun, sock, client, &drops);

	kill(child, SIGTERM);
	while (waitpid(child, &status, 0) == -1 && errno == EINTR)
		;
	close(tun);
	close(sock);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		return 1;
	return 0;
}
