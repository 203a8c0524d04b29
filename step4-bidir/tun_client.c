/*
 * tun_client: Step 4, on useru.  Two sources of packets now: the TUN
 * interface (packets from useru into the tunnel) and the UDP socket (packets
 * the server sends back).  select() sleeps until either has one, and each is
 * forwarded to the other side.  Only datagrams from the server are taken.
 *
 *   sudo common/lab useru step4-bidir/tun_client -r 10.1.1.0/24
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

/*
 * Packets from useru's kernel: into the tunnel, to the server.  select()
 * said at least one is waiting; take all that are, so that one select()
 * serves a burst of packets, not one (vpn_read() says -1 when none is left,
 * or after VPN_BATCH, to give the socket its turn).
 */
static void tun_to_server(int tun, int sock, const struct sockaddr_in *server)
{
	for (;;) {
		ssize_t n = vpn_read(tun, buf, sizeof(buf));

		if (n < 0)
			return;		/* none left, or the socket's turn */
		/* SOLUTION: as in Step 2: drop what is not an IP packet, log
		 * the packet, send it to the server. */
		if (drop_bad_packet(&drops, buf, (size_t)n, "tun"))
			continue;
		vpn_log_packet("From tun ==>", buf, (size_t)n);
		vpn_send(sock, buf, (size_t)n, server, &drops);
		/* END SOLUTION */
	}
}

/* Datagrams from the server: their packets go to useru's kernel. */
static void server_to_tun(int sock, int tun, const struct sockaddr_in *server)
{
	for (;;) {
		struct sockaddr_in from;
		ssize_t n = vpn_recv(sock, buf, sizeof(buf), &from);

		if (n < 0)
			return;		/* none left, or the TUN's turn */
		/* SOLUTION: take datagrams from the server only
		 * (udp_endpoint_eq(); drop_count() the others as
		 * DROP_NOT_SERVER), drop what is not an IP packet, log the
		 * packet and write it into the TUN interface. */
		if (!udp_endpoint_eq(&from, server)) {
			char from_str[UDP_ENDPOINT_STRLEN];

			udp_endpoint_str(&from, from_str, sizeof(from_str));
			drop_count(&drops, DROP_NOT_SERVER, from_str, buf,
				   (size_t)n);
			continue;
		}
		if (drop_bad_packet(&drops, buf, (size_t)n, "the server"))
			continue;
		vpn_log_packet("From socket <==", buf, (size_t)n);
		vpn_write(tun, buf, (size_t)n, &drops);
		/* END SOLUTION */
	}
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_CLIENT;
	char ifname[IFNAMSIZ], server_str[UDP_ENDPOINT_STRLEN];
	struct sockaddr_in server;
	fd_set ready;
	int tun, sock, i;

	log_init();
	opt_parse(argc, argv, "afimpqrs", &o);
	vpn_signals();

	vpn_resolve(o.server, o.port, &server);
	sock = vpn_udp_bind(NULL, 0);
	tun = vpn_tun_open(o.ifname, ifname);
	log_info("Interface name: %s", ifname);
	vpn_nonblocking(tun);
	vpn_nonblocking(sock);
	/* SOLUTION: give the interface its address (o.addr) and MTU (o.mtu)
	 * and bring it up, as in Step 1: vpn_tun_config(). */
	vpn_tun_config(ifname, o.addr, o.mtu);
	/* END SOLUTION */
	for (i = 0; i < o.nroutes; i++)
		vpn_route(ifname, o.routes[i]);
	udp_endpoint_str(&server, server_str, sizeof(server_str));
	log_info("tunnelling to %s", server_str);

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
		if (FD_ISSET(tun, &ready))
			tun_to_server(tun, sock, &server);
		if (FD_ISSET(sock, &ready))
			server_to_tun(sock, tun, &server);
	}

	close(tun);
	close(sock);
	drop_report(&drops);
	log_info("stopped: %s removed with its routes", ifname);
	return 0;
}
