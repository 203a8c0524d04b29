/*
 * tun_server: Step 4, on server.  As in Step 3, packets from the tunnel go
 * into the TUN interface and on into lab1.  Now the replies come back: the
 * kernel routes 10.1.3.0/24 into the TUN interface, and the server sends each
 * packet it reads there to the client whose tunnel address it is for.
 * select() waits on both descriptors at once.
 *
 * The server keeps a table of its clients: the tunnel address each packet
 * came from, and the UDP endpoint it came from.  Several clients can share
 * one server, and a client that restarts on a new port is followed.  Only
 * packets from the networks the server serves (those of its TUN interface,
 * and -A networks) enter lab1: a forged source is dropped, not forwarded.
 *
 *   sudo common/lab server step4-bidir/tun_server
 */
#include <errno.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "allow.h"
#include "drop.h"
#include "log.h"
#include "opt.h"
#include "peers.h"
#include "pkt.h"
#include "udp.h"
#include "vpn.h"

static uint8_t buf[PKT_BUFSIZE];
static struct drops drops;
/* SOLUTION: remember your clients (where the replies go), and which inner
 * sources you accept from them. */
static struct peers clients;
static struct allow allowed;
/* END SOLUTION */

/* One datagram of n bytes in buf, from a client at from. */
static void client_packet(int tun, const struct sockaddr_in *from, size_t n)
{
	/* SOLUTION: as in Step 3: drop what is not an IP packet, log the
	 * packet, write it into the TUN interface.  And remember the sender:
	 * it is a client, where the replies must go.  (Better: accept only
	 * sources in the tunnel's networks, allow_has(), and keep a table of
	 * clients, peers_learn().) */
	char from_str[UDP_ENDPOINT_STRLEN], src[64];
	struct ip_info ip;
	enum pkt_err err = ip_parse(buf, n, &ip);

	if (err != PKT_OK || !allow_has(&allowed, &ip)) {
		udp_endpoint_str(from, from_str, sizeof(from_str));
		drop_count(&drops, err != PKT_OK ? (int)err : DROP_SPOOFED,
			   from_str, buf, n);
		return;
	}
	if (peers_learn(&clients, &ip, from)) {
		udp_endpoint_str(from, from_str, sizeof(from_str));
		ip_addr_str(&ip, ip.src, src, sizeof(src));
		log_info("client %s is at %s", src, from_str);
	}
	vpn_log_packet("From socket <==", buf, n);
	vpn_write(tun, buf, n, &drops);
	/* END SOLUTION */
}

/*
 * Datagrams from clients: their packets go into the TUN, to lab1.  select()
 * said at least one is waiting; take all that are (vpn_recv() says -1 when
 * none is left, or after VPN_BATCH, to give the TUN its turn).
 */
static void client_to_tun(int sock, int tun)
{
	for (;;) {
		struct sockaddr_in from;
		ssize_t n = vpn_recv(sock, buf, sizeof(buf), &from);

		if (n < 0)
			return;		/* none left, or the TUN's turn */
		client_packet(tun, &from, (size_t)n);
	}
}

/* One packet of n bytes in buf, read from the TUN. */
static void tun_packet(int sock, size_t n)
{
	/* SOLUTION: drop what is not an IP packet; find the client it is
	 * for (none yet: drop and count it, DROP_NO_PEER); log it and send
	 * it to that client. */
	const struct sockaddr_in *client;
	struct ip_info ip;
	enum pkt_err err = ip_parse(buf, n, &ip);

	if (err != PKT_OK) {
		drop_count(&drops, err, "tun", buf, n);
		return;
	}
	client = peers_find(&clients, &ip);
	if (!client) {
		drop_count(&drops, DROP_NO_PEER, "tun", buf, n);
		return;
	}
	vpn_log_packet("From tun ==>", buf, n);
	vpn_send(sock, buf, n, client, &drops);
	/* END SOLUTION */
}

/* Packets the kernel routed into the TUN: back to their clients. */
static void tun_to_client(int tun, int sock)
{
	for (;;) {
		ssize_t n = vpn_read(tun, buf, sizeof(buf));

		if (n < 0)
			return;		/* none left, or the socket's turn */
		tun_packet(sock, (size_t)n);
	}
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_SERVER;
	char ifname[IFNAMSIZ];
	fd_set ready;
	int tun, sock;

	log_init();
	opt_parse(argc, argv, "Aafilmpq", &o);
	vpn_signals();

	sock = vpn_udp_bind(o.listen, o.port);
	tun = vpn_tun_open(o.ifname, ifname);
	log_info("Interface name: %s", ifname);
	vpn_nonblocking(tun);
	vpn_nonblocking(sock);
	/* SOLUTION: give the interface its address (o.addr) and MTU (o.mtu)
	 * and bring it up, as in Step 1: vpn_tun_config(). */
	vpn_tun_config(ifname, o.addr, o.mtu);
	/* END SOLUTION */
	/* SOLUTION: (better) the networks whose sources you accept: the
	 * TUN interface's, and the -A ones (o.allow[]). */
	allow_init(&allowed, ifname);
	for (int i = 0; i < o.nallow; i++)
		if (allow_add(&allowed, o.allow[i]) == -1)
			log_fatal("bad network '%s' for -A: give one such as "
				  "10.1.4.0/24 or fd00::/64", o.allow[i]);
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
