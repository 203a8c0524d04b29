/*
 * tun_server: Step 4, on server.  As in Step 3, packets from the tunnel go
 * into the TUN interface and on into lab1.  Now the replies come back: the
 * kernel routes 10.1.3.0/24 into the TUN interface, and the server sends each
 * packet it reads there to the client it last heard from.  Until a client
 * has spoken, there is nobody to send to: such packets are counted and
 * dropped.  select() waits on both descriptors at once.
 *
 *   sudo common/lab server step4-bidir/tun_server
 */
#include <errno.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "drop.h"
#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "udp.h"
#include "vpn.h"

static uint8_t buf[PKT_BUFSIZE];
static struct drops drops;
/* SOLUTION: remember the client: where replies go, and whether there is
 * one yet. */
static struct sockaddr_in client;
static int have_client;
/* END SOLUTION */

/* A datagram from the client: its packet goes into the TUN, to lab1. */
static void client_to_tun(int sock, int tun)
{
	struct sockaddr_in from;
	ssize_t n = vpn_recv(sock, buf, sizeof(buf), &from);

	if (n < 0)
		return;
	/* SOLUTION: as in Step 3: drop what is not an IP packet, log the
	 * packet, write it into the TUN interface.  And remember the sender:
	 * it is the client, where the replies must go. */
	char from_str[UDP_ENDPOINT_STRLEN];

	udp_endpoint_str(&from, from_str, sizeof(from_str));
	if (drop_bad_packet(&drops, buf, (size_t)n, from_str))
		return;
	if (!have_client || !udp_endpoint_eq(&from, &client)) {
		log_info("client is %s", from_str);
		client = from;
		have_client = 1;
	}
	vpn_log_packet("From socket <==", buf, (size_t)n);
	vpn_write(tun, buf, (size_t)n, &drops);
	/* END SOLUTION */
}

/* A packet the kernel routed into the TUN: back to the client. */
static void tun_to_client(int tun, int sock)
{
	ssize_t n = vpn_read(tun, buf, sizeof(buf));

	if (n < 0)
		return;
	/* SOLUTION: drop what is not an IP packet; with no client yet, drop
	 * and count it (DROP_NO_PEER); else log it and send it to the
	 * client. */
	if (drop_bad_packet(&drops, buf, (size_t)n, "tun"))
		return;
	if (!have_client) {
		drop_count(&drops, DROP_NO_PEER, "tun", buf, (size_t)n);
		return;
	}
	vpn_log_packet("From tun ==>", buf, (size_t)n);
	vpn_send(sock, buf, (size_t)n, &client, &drops);
	/* END SOLUTION */
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_SERVER;
	char ifname[IFNAMSIZ];
	fd_set ready;
	int tun, sock;

	log_init();
	opt_parse(argc, argv, "ailmp", &o);
	vpn_signals();

	sock = vpn_udp_bind(o.listen, o.port);
	tun = vpn_tun_open(o.ifname, ifname);
	log_info("Interface name: %s", ifname);
	/* SOLUTION: give the interface its address (o.addr) and MTU (o.mtu)
	 * and bring it up, as in Step 1: vpn_tun_config(). */
	vpn_tun_config(ifname, o.addr, o.mtu);
	/* END SOLUTION */
	log_info("listening on %s:%u", o.listen, o.port);
	vpn_check_forwarding();

	while (!vpn_stop) {
		FD_ZERO(&ready);
		FD_SET(tun, &ready);
		FD_SET(sock, &ready);
		/* Sleep until at least one of the two has a packet. */
		if (select((tun > sock ? tun : sock) + 1, &ready, NULL, NULL,
			   NULL) == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("select: %s", strerror(errno));
		}
		if (FD_ISSET(sock, &ready))
			client_to_tun(sock, tun);
		if (FD_ISSET(tun, &ready))
			tun_to_client(tun, sock);
	}

	close(tun);
	close(sock);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	return 0;
}
