/*
 * tun_client: Step 2, on useru.  The TUN interface of Step 1, and every
 * packet the kernel routes into it is sent, whole and unchanged, as the
 * payload of one UDP datagram to server:9090.  That is the whole tunnel in
 * one direction; the wire format is exactly the handout's.
 *
 * The kernel only routes into the TUN what its routing table sends there:
 * 10.1.3.0/24 (the interface's own network) at first.  Add the route to the
 * private LAN by hand (the handout's exercise), or with -r 10.1.1.0/24.
 *
 *   sudo common/lab useru step2-udp/tun_client
 */
#include <unistd.h>

#include "drop.h"
#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "udp.h"
#include "vpn.h"

#define MAX_ROUTES 8

static const char synopsis[] =
	"tun_client [-h] [-a address/prefix] [-i name] [-m mtu] [-p port]\n"
	"                  [-r network/prefix]... [-s server]";

int main(int argc, char *argv[])
{
	const char *pattern = VPN_TUN_NAME, *addr = VPN_CLIENT_ADDR;
	const char *server_name = VPN_SERVER, *routes[MAX_ROUTES];
	uint16_t port = VPN_PORT;
	char ifname[IFNAMSIZ], server_str[UDP_ENDPOINT_STRLEN];
	uint8_t buf[PKT_BUFSIZE];
	struct sockaddr_in server;
	struct drops drops = { 0 };
	ssize_t n;
	int tun, sock, opt, mtu = 0, nroutes = 0, i;

	log_init();
	while ((opt = getopt(argc, argv, "a:hi:m:p:r:s:")) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'i':
			pattern = optarg;
			break;
		case 'm':
			mtu = (int)opt_num(optarg, 68, PKT_MAX, "MTU");
			break;
		case 'p':
			port = opt_port(optarg);
			break;
		case 'r':
			if (nroutes == MAX_ROUTES)
				opt_usage(synopsis, 0);
			routes[nroutes++] = optarg;
			break;
		case 's':
			server_name = optarg;
			break;
		case 'h':
			opt_usage(synopsis, 1);
		default:
			opt_usage(synopsis, 0);
		}
	}
	if (optind != argc)
		opt_usage(synopsis, 0);
	vpn_signals();

	vpn_resolve(server_name, port, &server);
	sock = vpn_udp_bind(NULL, 0);
	tun = vpn_tun_up(pattern, addr, mtu, ifname);
	log_info("Interface name: %s", ifname);
	for (i = 0; i < nroutes; i++) {
		vpn_route(ifname, routes[i]);
		log_info("route %s dev %s", routes[i], ifname);
	}
	udp_endpoint_str(&server, server_str, sizeof(server_str));
	log_info("tunnelling to %s", server_str);

	while (!vpn_stop) {
		n = vpn_read(tun, buf, sizeof(buf));
		if (n < 0 || drop_bad_packet(&drops, buf, (size_t)n, ifname))
			continue;
		vpn_log_packet("From tun ==>", buf, (size_t)n);
		vpn_send(sock, buf, (size_t)n, &server, &drops);
	}

	close(tun);
	close(sock);
	drop_report(&drops);
	log_info("stopped: %s removed with its routes", ifname);
	return 0;
}
