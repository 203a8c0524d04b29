/* SPDX-License-Identifier: MIT */
/*
 * drop: what a program does with input it will not forward.  Each dropped
 * packet is counted by reason; the first of each reason is logged with a
 * summary of its bytes, the rest only counted, so garbage can neither stop
 * a program nor flood its log.  drop_report() prints the counts at exit.
 */
#ifndef VPNLAB_DROP_H
#define VPNLAB_DROP_H

#include <stddef.h>
#include <stdint.h>

#include "pkt.h"

/* Reasons beyond the ones enum pkt_err gives for malformed packets. */
enum drop_reason {
	DROP_NO_PEER = PKT_NERR,	/* nowhere to send it yet */
	DROP_NOT_SERVER,		/* a datagram not from our server */
	DROP_SPOOFED,			/* inner source outside the tunnel */
	DROP_SEND_FAILED,		/* the kernel refused to send it */
	DROP_CLAIMED,			/* source held by an active client */
	DROP_NREASONS
};

struct drops {
	unsigned long count[DROP_NREASONS];
};

/* Count one packet dropped for reason (an enum pkt_err or drop_reason)
 * that came from where; log it if it is the first of its reason. */
void drop_count(struct drops *d, int reason, const char *where,
		const uint8_t *buf, size_t len);

/*
 * If buf (len bytes, from where) is not a well-formed IP packet, count and
 * drop it and return 1; return 0 for a packet worth forwarding.  len may be
 * larger than buf only when it exceeds PKT_MAX (a datagram cut short by
 * udp_recv()); then no more than the first 8 bytes are read.
 */
int drop_bad_packet(struct drops *d, const uint8_t *buf, size_t len,
		    const char *where);

/* Count one packet that a send or write just failed to deliver (errno
 * says why), never fatal: the tunnel carries on with the next one.  The
 * first failure is logged, naming the call: "sendto", "write to tun0". */
void drop_error(struct drops *d, const char *what);

/* Total of packets dropped for any reason. */
unsigned long drop_total(const struct drops *d);

/* Log one line with the count of each reason seen, if any. */
void drop_report(const struct drops *d);

#endif
