/*
 * tun_server: Step 3, on server.  Receive datagrams on UDP 9090, check that
 * each one holds an IP packet, and write that packet into a TUN interface
 * (10.1.3.2/24).  To the kernel it arrives on tun0 like any packet from a
 * network, and with forwarding on (sysctl -w net.ipv4.ip_forward=1) the
 * kernel routes it on into lab1: useru's ping reaches userv.  The reply has
 * no way back yet; that is Step 4.
 *
 *   sudo common/lab server step3-server/tun_server
 */
#include <unistd.h>

#include "drop.h"
#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "udp.h"
#include "vpn.h"

static const char synopsis[] =
	"tun_server [-h] [-a address/prefix] [-i name] [-l address] [-m mtu]\n"
	"                  [-p port]";

int main(int argc, char *argv[])
{
	const char *pattern = VPN_TUN_NAME, *addr = VPN_SERVER_ADDR;
	const char *listen_addr = "0.0.0.0";
	uint16_t port = VPN_PORT;
	char ifname[IFNAMSIZ], from_str[UDP_ENDPOINT_STRLEN];
	uint8_t buf[PKT_BUFSIZE];
	struct sockaddr_in from;
	struct drops drops = { 0 };
	ssize_t n;
	int tun, sock, opt, mtu = 0;

	log_init();
	while ((opt = getopt(argc, argv, "a:hi:l:m:p:")) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'i':
			pattern = optarg;
			break;
		case 'l':
			listen_addr = optarg;
			break;
		case 'm':
			mtu = (int)opt_num(optarg, 68, PKT_MAX, "MTU");
			break;
		case 'p':
			port = opt_port(optarg);
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

	sock = vpn_udp_bind(listen_addr, port);
	tun = vpn_tun_up(pattern, addr, mtu, ifname);
	log_info("Interface name: %s", ifname);
	log_info("listening on %s:%u", listen_addr, port);
	vpn_check_forwarding();

	while (!vpn_stop) {
		n = vpn_recv(sock, buf, sizeof(buf), &from);
		if (n < 0)
			continue;
		udp_endpoint_str(&from, from_str, sizeof(from_str));
		if (drop_bad_packet(&drops, buf, (size_t)n, from_str))
			continue;
		vpn_log_packet("From socket <==", buf, (size_t)n);
		vpn_write(tun, buf, (size_t)n, &drops);
	}

	close(tun);
	close(sock);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	return 0;
}
