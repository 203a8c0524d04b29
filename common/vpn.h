/* SPDX-License-Identifier: MIT */
/*
 * vpn: what the lab's handout gives for free, one call each, so that a
 * step's main() shows only the step's own system calls.  vpn_tun_open()
 * creates the TUN interface (the handout's given code) and vpn_tun_config()
 * gives it an address and brings it up (the handout's "ip addr add" and "ip
 * link set up"); vpn_resolve() turns "server" into an address.  Each either
 * succeeds or ends the program with one ERROR: line that names the cause and
 * the fix (not root, no TUN driver, unknown host).  vpn_signals() turns
 * SIGINT and SIGTERM into vpn_stop, which the loops check.
 */
#ifndef VPNLAB_VPN_H
#define VPNLAB_VPN_H

#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Set once SIGINT or SIGTERM arrived: the program should clean up, exit. */
extern volatile sig_atomic_t vpn_stop;

/*
 * Catch SIGINT and SIGTERM.  Without SA_RESTART, so that a read(),
 * recvfrom() or select() blocked waiting for a packet fails with EINTR and
 * the loop can look at vpn_stop.  Each also arms alarm(1) (SIGALRM is
 * caught the same way), so that a loop that blocked just after it tested
 * vpn_stop still wakes, a second later.
 */
void vpn_signals(void);

/*
 * Create a TUN interface from pattern ("tun%d" takes a free number), as
 * Step 1's tun.c does by hand; its name goes in name.  Returns the
 * descriptor that reads and writes its packets; closing it (or exiting)
 * deletes the interface and its routes.
 */
int vpn_tun_open(const char *pattern, char name[IFNAMSIZ]);

/* Give ifname the address cidr ("10.1.3.1/24"), set its MTU when mtu > 0,
 * and bring it up: "ip addr add" and "ip link set up" in one call.  Its
 * queue holds VPN_TXQUEUELEN packets: a TUN's default, 500, overflows in the
 * bursts that TCP sends, and every packet dropped there costs a resend. */
#define VPN_TXQUEUELEN 1000
void vpn_tun_config(const char *ifname, const char *cidr, int mtu);

/* Warn if this host does not forward IPv4, which a VPN server must do. */
void vpn_check_forwarding(void);

/* The IPv4 address of host, a name ("server") or dotted ("10.1.2.3"). */
struct in_addr vpn_resolve(const char *host);

/* What to do about errno err from bind(2): "it is in use — ...". */
const char *vpn_bind_hint(int err);

/* Make fd non-blocking, so that a loop can take every packet waiting after
 * one select() and stop when read() or recvfrom() says EAGAIN. */
void vpn_nonblocking(int fd);

/* Optional speed: socket buffers of VPN_SOCKET_BUFFER bytes each way, room
 * for the bursts TCP sends (the default is ~200 KB). */
#define VPN_SOCKET_BUFFER (4 << 20)
void vpn_socket_buffers(int sock);

/* Per-packet log lines: 1 (default) or 0 (-q). */
extern int vpn_log_packets;

/*
 * Log "prefix: summary" for one packet (just the summary if prefix is
 * NULL), as the handout's programs do.  While traffic is slow every packet
 * gets its line; past VPN_LOG_BURST lines in a second the rest of that
 * second is only counted, and one line says how many: printing must not be
 * what limits a tunnel's speed.
 */
#define VPN_LOG_BURST 20
void vpn_log_packet(const char *prefix, const uint8_t *buf, size_t len);

#endif
