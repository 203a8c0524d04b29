/* SPDX-License-Identifier: MIT */
/*
 * pkt: reading IP packets safely.  ip_parse() checks an IPv4 or IPv6 packet
 * as it came off a TUN device or out of a datagram and finds its transport
 * header; icmp_parse(), udp_parse() and tcp_parse() read those; in_cksum() is
 * the Internet checksum; pkt_summary() is a one-line description in the
 * spirit of scapy's summary().  Every function checks the length before every
 * field and never reads past the buffer, whatever the bytes are.
 */
#ifndef VPNLAB_PKT_H
#define VPNLAB_PKT_H

#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 65535		/* the largest IP packet IPv4 can describe */
#define PKT_BUFSIZE (PKT_MAX + 1) /* a read that fills it was too big */
#define PKT_SUMMARY_MAX 160	/* room for any line pkt_summary() writes */

/* Why a buffer is not a packet the tunnel should carry. */
enum pkt_err {
	PKT_OK,
	PKT_EMPTY,		/* zero bytes */
	PKT_TRUNCATED,		/* shorter than its header or its length field */
	PKT_BAD_VERSION,	/* first nibble is neither 4 nor 6 */
	PKT_BAD_HEADER,		/* IPv4 header length below 20 bytes */
	PKT_BAD_LENGTH,		/* length field smaller than the bytes received */
	PKT_BAD_CHECKSUM,	/* IPv4 header checksum does not add up */
	PKT_OVERSIZE,		/* more bytes than any IP packet can have */
	PKT_NERR
};

/* What ip_parse() found.  Addresses stay in network byte order. */
struct ip_info {
	int version;		/* 4 or 6 */
	size_t hdr_len;		/* bytes before the transport header */
	size_t total_len;	/* whole packet, equal to the bytes given */
	uint8_t proto;		/* transport protocol (IPv6: after extensions) */
	uint8_t ttl;		/* TTL or hop limit */
	int is_fragment;	/* set if part of a fragmented packet */
	size_t frag_offset;	/* bytes; non-zero: no transport header here */
	uint8_t src[16], dst[16]; /* IPv4 uses the first 4 bytes */
	const uint8_t *l4;	/* transport header and payload */
	size_t l4_len;
};

struct icmp_info {
	uint8_t type, code;
	uint16_t id, seq;	/* meaningful for echo request and reply */
};

struct ports_info {
	uint16_t sport, dport;
	uint8_t tcp_flags;	/* TCP only */
	size_t hdr_len;		/* UDP: 8; TCP: data offset in bytes */
};

/* Check buf as an IP packet and describe it; PKT_OK or the reason not. */
enum pkt_err ip_parse(const uint8_t *buf, size_t len, struct ip_info *ip);

/* A few words for err, such as "truncated". */
const char *pkt_err_str(enum pkt_err err);

/* Read an ICMP (or ICMPv6) header; 0, or -1 if len is too short. */
int icmp_parse(const uint8_t *l4, size_t len, struct icmp_info *icmp);

/* Read a UDP header; 0, or -1 if len is too short. */
int udp_parse(const uint8_t *l4, size_t len, struct ports_info *ports);

/* Read a TCP header; 0, or -1 if short or its data offset is impossible. */
int tcp_parse(const uint8_t *l4, size_t len, struct ports_info *ports);

/*
 * Internet checksum (RFC 1071) of len bytes, ready to store as it is.  Over
 * a header whose checksum field is right, the result is 0.
 */
uint16_t in_cksum(const void *data, size_t len);

/*
 * The same in pieces: in_cksum_add() adds len bytes to a running sum (start
 * at 0, or at a pseudo-header's sum; every piece but the last of even
 * length), in_cksum_fold() turns the sum into the checksum to store.
 */
uint32_t in_cksum_add(uint32_t sum, const void *data, size_t len);
uint16_t in_cksum_fold(uint32_t sum);

/* Write a one-line description of buf into out (always terminated). */
void pkt_summary(const uint8_t *buf, size_t len, char *out, size_t outlen);

/* Write ip's source or destination address as text into out. */
void ip_addr_str(const struct ip_info *ip, const uint8_t *addr, char *out,
		 size_t outlen);

#endif
