/* SPDX-License-Identifier: MIT */
/*
 * fast: the fast path of a tunnel end (--fast).  The same packets cross the
 * wire, one IP packet per datagram, with a fraction of the system calls:
 *
 *   TUN -> socket  the TUN device (tun_open_offload()) hands over IPv4 TCP
 *                  super-packets of up to 64 KB; fast_tun_read() cuts them
 *                  into ordinary packets, and fast_udp_send() sends up to 64
 *                  datagrams with one sendmsg() (UDP GSO).
 *   socket -> TUN  one recvmsg() takes a whole batch of datagrams (UDP
 *                  GRO); fast_udp_recv() hands them out one at a time, and
 *                  fast_tun_write() joins consecutive segments of a TCP
 *                  stream back into one super-packet for the kernel.
 *
 * Packets are handed out where they lie, in fast.c's buffers, and sent or
 * written from there: in the steady state of a TCP stream no payload is
 * copied in user space.  So fast_tun_read() may first send the datagrams
 * still held in its buffer, and fast_udp_recv() first write to the TUN
 * device what it holds of the last batch: their failures are counted by
 * the next fast_udp_send() or fast_udp_flush(), fast_tun_write() or
 * fast_tun_flush().
 *
 * Writes and sends may be held back to make a batch: fast_tun_flush() and
 * fast_udp_flush() let them go, and a program must call both before it
 * sleeps.  One TUN device and one socket per program.  Functions return -1
 * with errno set, or a count of packets lost, and never print.
 */
#ifndef VPNLAB_FAST_H
#define VPNLAB_FAST_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Take over tun, a descriptor from tun_open_offload(). */
void fast_tun_init(int tun);

/*
 * Keep the super-packets of ifname (MTU mtu) to as many segments as leave
 * in one batch: one sendmsg() here, one write into the TUN device at the
 * far end, where a 64 KB one would take two of each.  Returns 0, or -1 if
 * the kernel would not have it.
 */
int fast_tun_limit(const char *ifname, int mtu);

/* Take over sock, and ask for datagrams in batches (UDP GRO).  Returns 0,
 * or -1 if the kernel cannot batch them (they then come one by one). */
int fast_udp_init(int sock);

/*
 * The next packet from the TUN device, cut from a super-packet and with
 * its checksums complete: *pkt points to it, valid until the next call.
 * Returns its length (larger than PKT_MAX if it was too big), or -1
 * (EAGAIN: none is waiting).
 */
ssize_t fast_tun_read(int tun, const uint8_t **pkt);

/* Whether fast_tun_read() holds packets it has not handed out yet. */
int fast_tun_held(void);

/*
 * The next datagram from sock, its sender into from: *pkt points to it,
 * valid until the next call.  Returns its length (larger than PKT_MAX if
 * it was too big), or -1.
 */
ssize_t fast_udp_recv(int sock, const uint8_t **pkt, struct sockaddr_in *from);

/* Whether fast_udp_recv() holds datagrams it has not handed out yet. */
int fast_udp_held(void);

/*
 * Write one IP packet into the TUN device, or hold it to join the next
 * segments of its TCP stream.  Returns how many packets, held before,
 * could not be written (errno says why), 0 if none.
 */
int fast_tun_write(int tun, const uint8_t *pkt, size_t len);

/* Write what fast_tun_write() holds; returns how many packets failed. */
int fast_tun_flush(void);

/*
 * Send one packet to to, as one datagram, possibly in a batch with the
 * next ones.  Returns how many packets could not be sent, 0 if none.
 */
int fast_udp_send(int sock, const uint8_t *pkt, size_t len,
		  const struct sockaddr_in *to);

/* Send what fast_udp_send() holds; returns how many packets failed. */
int fast_udp_flush(void);

/* How often the kernel refused to send a batch in one sendmsg() (UDP GSO,
 * on some peer's path); that peer's datagrams then leave one by one for
 * ten seconds before a batch is tried again. */
unsigned fast_udp_gso_refusals(void);

#endif
