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
#include <sys/types.h>

#include "drop.h"

/* Set once SIGINT or SIGTERM arrived: the program should clean up, exit. */
extern volatile sig_atomic_t vpn_stop;

/*
 * Catch SIGINT and SIGTERM.  Without SA_RESTART, so that a read() or
 * select() blocked waiting for a packet returns EINTR and the loop can stop.
 */
void vpn_signals(void);

/*
 * Create a TUN interface from pattern ("tun%d" takes a free number); its
 * name goes in name.  Returns the descriptor that reads and writes its
 * packets; closing it (or exiting) deletes the interface and its routes.
 */
int vpn_tun_open(const char *pattern, char name[IFNAMSIZ]);

/* Give ifname the address cidr ("10.1.3.1/24"), set its MTU when mtu > 0,
 * and bring it up: "ip addr add" and "ip link set up" in one call.  Its
 * queue holds VPN_TXQUEUELEN packets: a TUN's default, 500, overflows in the
 * bursts that TCP sends, and every packet dropped there costs a resend. */
#define VPN_TXQUEUELEN 1000
void vpn_tun_config(const char *ifname, const char *cidr, int mtu);

/* Route cidr ("10.1.1.0/24") through interface ifname, and say so. */
void vpn_route(const char *ifname, const char *cidr);

/* Warn if this host does not forward IPv4, which a VPN server must do. */
void vpn_check_forwarding(void);

/* A UDP socket bound to addr (NULL: all addresses) and port, with room
 * for bursts (VPN_SOCKET_BUFFER bytes each way). */
#define VPN_SOCKET_BUFFER (4 << 20)
int vpn_udp_bind(const char *addr, uint16_t port);

/* Resolve host:port, the far end of the tunnel, into peer. */
void vpn_resolve(const char *host, uint16_t port, struct sockaddr_in *peer);

/* Make fd non-blocking, so that a loop can take every packet waiting after
 * one select() and stop when there is none. */
void vpn_nonblocking(int fd);

/*
 * How many packets vpn_read() and vpn_recv() hand out from one descriptor
 * before they say "none left" once: a loop that takes all that are
 * waiting still gives the other descriptor its turn.
 */
#define VPN_BATCH 64

/*
 * Read one packet from a TUN descriptor.  Returns its length, or -1 when a
 * signal interrupted the wait (check vpn_stop), when no packet is waiting
 * on a non-blocking descriptor, or once after VPN_BATCH packets in a row;
 * other errors end the program.
 */
ssize_t vpn_read(int tun, uint8_t *buf, size_t size);

/*
 * Receive one datagram and its sender.  Returns its real length, which is
 * larger than size if it did not fit (drop it as oversize), or -1 as
 * vpn_read() does; other errors end the program.
 */
ssize_t vpn_recv(int sock, uint8_t *buf, size_t size,
		 struct sockaddr_in *from);

/*
 * Send one packet to peer as one datagram.  A failure (the peer's port was
 * closed a moment ago, no route) is counted in drops, never fatal: the
 * tunnel carries on with the next packet.
 */
void vpn_send(int sock, const uint8_t *buf, size_t len,
	      const struct sockaddr_in *peer, struct drops *drops);

/* Write one packet into the TUN interface; a refusal is counted in drops. */
void vpn_write(int tun, const uint8_t *buf, size_t len, struct drops *drops);

/*
 * --fast (common/fast.h): set before vpn_tun_open() and vpn_udp_bind(), and
 * they open their descriptors with offloads (TCP super-packets on the TUN,
 * batches of datagrams on the socket), falling back with one log line where
 * the kernel has none.  vpn_read(), vpn_recv(), vpn_send() and vpn_write()
 * then move the same packets in batches, and let every batch go when
 * vpn_read() or vpn_recv() returns -1: a loop that reads until -1 before it
 * sleeps never leaves a packet behind.
 */
extern int vpn_fast;

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
