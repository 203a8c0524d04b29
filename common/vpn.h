/*
 * vpn: the set-up every program of the kit shares, one call per resource.
 * Each call either succeeds or ends the program with one ERROR: line that
 * names the cause and the fix (not root, no TUN driver, port in use, unknown
 * host), so a step's main() can read as the handout's steps: make the
 * interface, open the socket, loop.  vpn_signals() turns SIGINT and SIGTERM
 * into vpn_stop, which the loops check.
 */
#ifndef VPNLAB_VPN_H
#define VPNLAB_VPN_H

#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>

#define VPN_PORT 9090
#define VPN_SERVER "10.1.2.3"
#define VPN_CLIENT_ADDR "10.1.3.1/24"
#define VPN_SERVER_ADDR "10.1.3.2/24"
#define VPN_TUN_NAME "tun%d"

/* Set once SIGINT or SIGTERM arrived: the program should clean up, exit. */
extern volatile sig_atomic_t vpn_stop;

/*
 * Catch SIGINT and SIGTERM.  Without SA_RESTART, so that a read() or
 * select() blocked waiting for a packet returns EINTR and the loop can stop.
 */
void vpn_signals(void);

/*
 * Create a TUN interface from pattern, give it cidr ("10.1.3.1/24"), set
 * its MTU when mtu > 0, bring it up; its name goes in name.  Returns the
 * descriptor.  Closing it (or exiting) deletes the interface and its routes.
 */
int vpn_tun_up(const char *pattern, const char *cidr, int mtu,
	       char name[IFNAMSIZ]);

/* Route cidr ("10.1.1.0/24") through interface ifname. */
void vpn_route(const char *ifname, const char *cidr);

/* A UDP socket bound to addr (NULL: all addresses) and port. */
int vpn_udp_bind(const char *addr, uint16_t port);

/* Resolve host:port, the far end of the tunnel, into peer. */
void vpn_resolve(const char *host, uint16_t port, struct sockaddr_in *peer);

/* Log "prefix: summary" for one packet, as the handout's programs do. */
void vpn_log_packet(const char *prefix, const uint8_t *buf, size_t len);

#endif
