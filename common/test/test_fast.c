/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for fast.c, without root: a SOCK_SEQPACKET socketpair plays
 * the TUN device (one message per packet, virtio-net header first), and
 * two UDP sockets on 127.0.0.1 carry the batches.  A TCP super-packet is cut
 * into segments whose every field and checksum is checked, then joined back
 * into the super-packet it was.  Prints TAP.
 */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fast.h"
#include "pkt.h"
#include "tap.h"
#include "tun.h"

#define HDRS 52		/* IPv4 20 + TCP 32 (with a timestamp option) */
#define MSS 1400
#define PAYLOAD 10000

/* The set-up of a test must work; if a call fails, say which and stop. */
static void must(int ret, const char *what)
{
	if (ret == -1) {
		perror(what);
		exit(1);
	}
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* An IPv4 header, 10.1.3.1 > 10.1.1.2, for len bytes of proto. */
static void make_ip(uint8_t *p, size_t len, uint8_t proto)
{
	uint16_t c;

	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (unsigned)len);
	put16(p + 4, 77);
	p[6] = 0x40;			/* DF */
	p[8] = 64;
	p[9] = proto;
	inet_pton(AF_INET, "10.1.3.1", p + 12);
	inet_pton(AF_INET, "10.1.1.2", p + 16);
	c = in_cksum(p, 20);
	memcpy(p + 10, &c, 2);
}

static uint32_t pseudo(const uint8_t *ip, size_t l4_len, uint8_t proto)
{
	return in_cksum_add(0, ip + 12, 8) + proto + (uint32_t)l4_len;
}

/* Whether the TCP or UDP checksum of an IPv4 packet without options adds up. */
static int l4_cksum_ok(const uint8_t *pkt, size_t len)
{
	return in_cksum_fold(in_cksum_add(pseudo(pkt, len - 20, pkt[9]),
					  pkt + 20, len - 20)) == 0;
}

/* 10.1.3.1:40000 > 10.1.1.2:5000, seq 1000, ACK and PSH, a timestamp. */
static size_t make_tcp(uint8_t *p, const uint8_t *payload, size_t n,
		       uint32_t seq, uint8_t flags)
{
	static const uint8_t ts[12] = { 1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 7 };
	uint16_t c;

	memset(p, 0, HDRS);
	make_ip(p, HDRS + n, 6);
	put16(p + 20, 40000);
	put16(p + 22, 5000);
	put16(p + 24, seq >> 16);
	put16(p + 26, seq & 0xffff);
	put16(p + 28, 0x1234);		/* acknowledgment */
	p[32] = (HDRS - 20) / 4 << 4;
	p[33] = flags;
	put16(p + 34, 502);		/* window */
	memcpy(p + 40, ts, sizeof(ts));
	memcpy(p + HDRS, payload, n);
	c = in_cksum_fold(in_cksum_add(pseudo(p, HDRS - 20 + n, 6), p + 20,
				       HDRS - 20 + n));
	memcpy(p + 36, &c, 2);
	return HDRS + n;
}

static void le16(__virtio16 *field, unsigned v)
{
	uint16_t x = (uint16_t)v;	/* x86 and the kernel's TUN: little-endian */

	memcpy(field, &x, 2);
}

static uint8_t payload[PAYLOAD];
static uint8_t super[TUN_VNET_HDR_LEN + HDRS + PAYLOAD];
static uint8_t segs[8][HDRS + MSS];
static size_t seg_len[8];

/* A super-packet from the "kernel", cut by fast_tun_read(). */
static void test_cut(int tun, int kernel)
{
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .gso_type = VIRTIO_NET_HDR_GSO_TCPV4 };
	uint8_t *pkt = super + TUN_VNET_HDR_LEN;
	size_t len = make_tcp(pkt, payload, PAYLOAD, 1000, 0x18), i, got = 0;
	int fields = 1, sums = 1, data = 1, flags = 1;
	struct ip_info ip;

	le16(&vh.hdr_len, HDRS);
	le16(&vh.gso_size, MSS);
	le16(&vh.csum_start, 20);
	le16(&vh.csum_offset, 16);
	memcpy(super, &vh, TUN_VNET_HDR_LEN);
	must((int)write(kernel, super, TUN_VNET_HDR_LEN + len), "write");

	for (i = 0; i < 8; i++) {
		const uint8_t *p;
		ssize_t n = fast_tun_read(tun, &p);
		size_t want = i < 7 ? MSS : PAYLOAD - 7 * MSS;

		seg_len[i] = n > 0 && (size_t)n <= sizeof(segs[i]) ? (size_t)n : 0;
		memcpy(segs[i], p, seg_len[i]);
		got += n == (ssize_t)(HDRS + want);
		sums &= ip_parse(segs[i], seg_len[i], &ip) == PKT_OK &&
			l4_cksum_ok(segs[i], seg_len[i]);
		fields &= get32(segs[i] + 24) == 1000 + i * MSS &&
			  segs[i][5] == 77 + i && !memcmp(segs[i] + 12, pkt + 12, 8);
		flags &= segs[i][33] == (i < 7 ? 0x10 : 0x18);
		data &= !memcmp(segs[i] + HDRS, payload + i * MSS, want);
	}
	ok(got == 8 && !fast_tun_held(), "cut: 10000 bytes at MSS 1400 make 7 full segments and 200 bytes");
	ok(sums, "cut: every segment's IPv4 and TCP checksums add up");
	ok(fields, "cut: sequence numbers follow the payload, IP IDs count up");
	ok(flags, "cut: PSH stays on the last segment only");
	ok(data, "cut: every payload byte where it was");
}

/* The segments back through fast_tun_write(): one super-packet. */
static void test_join(int tun, int kernel)
{
	struct virtio_net_hdr vh;
	uint8_t back[sizeof(super)];
	uint8_t *pkt = back + TUN_VNET_HDR_LEN;
	uint16_t partial;
	ssize_t n;
	int i, failed = 0;

	for (i = 0; i < 8; i++)
		failed += fast_tun_write(tun, segs[i], seg_len[i]);
	failed += fast_tun_flush();
	n = read(kernel, back, sizeof(back));
	memcpy(&vh, back, sizeof(vh));
	ok(!failed && n == TUN_VNET_HDR_LEN + HDRS + PAYLOAD,
	   "join: 8 segments become one write of the whole super-packet");
	ok(vh.gso_type == VIRTIO_NET_HDR_GSO_TCPV4 && vh.gso_size == MSS &&
	   vh.hdr_len == HDRS && vh.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM &&
	   vh.csum_start == 20 && vh.csum_offset == 16,
	   "join: its header asks the kernel to cut at 1400 and finish TCP's checksum");
	partial = (uint16_t)~in_cksum_fold(pseudo(pkt, HDRS - 20 + PAYLOAD, 6));
	ok(!memcmp(pkt + HDRS, payload, PAYLOAD) && in_cksum(pkt, 20) == 0 &&
	   (pkt[2] << 8 | pkt[3]) == HDRS + PAYLOAD && pkt[33] == 0x18 &&
	   !memcmp(pkt + 36, &partial, 2),
	   "join: payload whole, IPv4 length and checksum right, PSH kept, pseudo-header sum in place");
}

/* What must not be joined goes alone, as it came. */
static void test_no_join(int tun, int kernel)
{
	uint8_t a[HDRS + 100], b[HDRS + 100], back[TUN_VNET_HDR_LEN + sizeof(a)];
	size_t la = make_tcp(a, payload, 100, 5000, 0x10);
	size_t lb = make_tcp(b, payload, 100, 9999, 0x10);	/* a gap */
	struct virtio_net_hdr none = { 0 };
	int alone = 1, i;

	fast_tun_write(tun, a, la);
	fast_tun_write(tun, b, lb);
	fast_tun_flush();
	for (i = 0; i < 2; i++) {
		ssize_t n = read(kernel, back, sizeof(back));

		alone &= n == TUN_VNET_HDR_LEN + (ssize_t)la &&
			 !memcmp(back, &none, TUN_VNET_HDR_LEN) &&
			 !memcmp(back + TUN_VNET_HDR_LEN, i ? b : a, la);
	}
	ok(alone, "join: a gap in the sequence keeps two segments apart, unchanged");
	make_tcp(a, payload, 100, 5000, 0x02);			/* SYN */
	fast_tun_write(tun, a, la);
	ok(read(kernel, back, sizeof(back)) == TUN_VNET_HDR_LEN + (ssize_t)la &&
	   !memcmp(back + TUN_VNET_HDR_LEN, a, la),
	   "join: a SYN is written at once, alone");
}

/* Both checksums again, after a test changed a field. */
static void fix_sums(uint8_t *p, size_t len)
{
	uint16_t c;

	p[10] = p[11] = 0;
	c = in_cksum(p, 20);
	memcpy(p + 10, &c, 2);
	p[36] = p[37] = 0;
	c = in_cksum_fold(in_cksum_add(pseudo(p, len - 20, 6), p + 20, len - 20));
	memcpy(p + 36, &c, 2);
}

/* Two consecutive segments, a then b (IP IDs 77, 78): how many packets
 * fast_tun_write() makes of them (1: joined), and whether, apart, b came
 * out exactly as it went in. */
static int writes_of(int tun, int kernel, uint8_t *a, size_t la, uint8_t *b,
		     size_t lb, int *b_intact)
{
	uint8_t back[TUN_VNET_HDR_LEN + 2 * (HDRS + 100)];
	ssize_t n;
	int count = 0;

	fast_tun_write(tun, a, la);
	fast_tun_write(tun, b, lb);
	fast_tun_flush();
	*b_intact = 0;
	while ((n = recv(kernel, back, sizeof(back), MSG_DONTWAIT)) > 0) {
		count++;
		if (n == TUN_VNET_HDR_LEN + (ssize_t)lb &&
		    !memcmp(back + TUN_VNET_HDR_LEN, b, lb))
			*b_intact = 1;
	}
	return count;
}

/*
 * The rules a join follows (Linux's GRO): a segment whose TCP checksum is
 * wrong never joins, and goes on unchanged for the kernel to drop; neither
 * does one whose IP ID jumps, whose TTL or TCP options differ.
 */
static void test_join_rules(int tun, int kernel)
{
	uint8_t a[HDRS + 100], b[HDRS + 100];
	size_t la, lb;
	int intact, count;

	la = make_tcp(a, payload, 100, 7000, 0x10);
	lb = make_tcp(b, payload + 100, 100, 7100, 0x10);
	put16(b + 4, 78);
	fix_sums(b, lb);
	ok(writes_of(tun, kernel, a, la, b, lb, &intact) == 1,
	   "join rules: two good consecutive segments join");

	b[HDRS + 50] ^= 0x20;		/* corrupted on the way, sum as it was */
	count = writes_of(tun, kernel, a, la, b, lb, &intact);
	ok(count == 2 && intact, "join rules: a segment with a wrong TCP checksum is not joined, and goes on unchanged");
	b[HDRS + 50] ^= 0x20;

	put16(b + 4, 90);		/* an IP ID that jumps */
	fix_sums(b, lb);
	ok(writes_of(tun, kernel, a, la, b, lb, &intact) == 2, "join rules: an IP ID that jumps stops a join");
	put16(b + 4, 77);		/* the same ID, with DF: allowed */
	fix_sums(b, lb);
	ok(writes_of(tun, kernel, a, la, b, lb, &intact) == 1, "join rules: a fixed IP ID with DF joins");
	put16(b + 4, 78);

	b[8] = 63;			/* TTL */
	fix_sums(b, lb);
	ok(writes_of(tun, kernel, a, la, b, lb, &intact) == 2, "join rules: a different TTL stops a join");
	b[8] = 64;

	b[51] ^= 1;			/* the timestamp option's echo */
	fix_sums(b, lb);
	ok(writes_of(tun, kernel, a, la, b, lb, &intact) == 2, "join rules: different TCP options stop a join");
}

/* A UDP packet whose checksum the kernel left to us (TUN_F_CSUM). */
static void test_checksum_left(int tun, int kernel)
{
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM };
	uint8_t msg[TUN_VNET_HDR_LEN + 48];
	uint8_t *p = msg + TUN_VNET_HDR_LEN;
	const uint8_t *out;
	uint16_t c;
	ssize_t n;

	memset(p, 0, 48);
	make_ip(p, 48, 17);
	put16(p + 20, 1234);
	put16(p + 22, 53);
	put16(p + 24, 28);
	memcpy(p + 28, "twenty bytes of data", 20);
	c = (uint16_t)~in_cksum_fold(pseudo(p, 28, 17));
	memcpy(p + 26, &c, 2);		/* what the kernel leaves there */
	le16(&vh.csum_start, 20);
	le16(&vh.csum_offset, 6);
	memcpy(msg, &vh, TUN_VNET_HDR_LEN);
	must((int)write(kernel, msg, sizeof(msg)), "write");
	n = fast_tun_read(tun, &out);
	ok(n == 48 && l4_cksum_ok(out, 48), "checksum: one left to us is completed");
}

/* Two UDP sockets on 127.0.0.1: tx sends to rx, which takes batches. */
static void udp_pair(int *tx, int *rx, struct sockaddr_in *to)
{
	socklen_t tolen = sizeof(*to);

	*to = (struct sockaddr_in){ .sin_family = AF_INET };
	*tx = socket(AF_INET, SOCK_DGRAM, 0);
	*rx = socket(AF_INET, SOCK_DGRAM, 0);
	must(*tx, "socket");
	must(*rx, "socket");
	to->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	must(bind(*rx, (struct sockaddr *)to, sizeof(*to)), "bind");
	must(getsockname(*rx, (struct sockaddr *)to, &tolen), "getsockname");
}

/*
 * The same super-packet again, now that its layout is known: cut where it
 * was read (the segments lie back to back), sent from there in one batch,
 * received in one, and joined from where it was received, with no payload
 * copied: the same segments and the same super-packet as by copying.
 */
static void test_in_place(int tun, int kernel)
{
	struct virtio_net_hdr vh;
	struct sockaddr_in to, from;
	uint8_t back[sizeof(super)];
	const uint8_t *p, *first = NULL;
	int tx, rx, i, adjacent = 1, same = 1, failed = 0;
	ssize_t n;

	udp_pair(&tx, &rx, &to);
	must(fast_udp_init(rx), "UDP_GRO");
	must((int)write(kernel, super, sizeof(super)), "write");
	for (i = 0; i < 8; i++) {
		n = fast_tun_read(tun, &p);
		if (!first)
			first = p;
		adjacent &= p == first + i * (HDRS + MSS);
		same &= n == (ssize_t)seg_len[i] && !memcmp(p, segs[i], seg_len[i]);
		failed += fast_udp_send(tx, p, (size_t)n, &to);
	}
	failed += fast_udp_flush();
	ok(adjacent && same, "in place: a known layout is cut where it was read, segments back to back");
	for (i = 0; i < 8; i++) {
		n = fast_udp_recv(rx, &p, &from);
		same &= n == (ssize_t)seg_len[i] && !memcmp(p, segs[i], seg_len[i]);
		failed += fast_tun_write(tun, p, (size_t)n);
	}
	failed += fast_tun_flush();
	ok(!failed && same, "in place: sent from there in a batch, and received as the same 8 segments");
	n = read(kernel, back, sizeof(back));
	memcpy(&vh, back, sizeof(vh));
	ok(n == TUN_VNET_HDR_LEN + HDRS + PAYLOAD && vh.gso_size == MSS &&
	   !memcmp(back + TUN_VNET_HDR_LEN + HDRS, payload, PAYLOAD),
	   "in place: joined from the received batch into the super-packet it was");
	close(tx);
	close(rx);
}

/*
 * A super-packet of 5000 bytes cut at mss, twice: whether every segment
 * comes out right, and whether the second time they lie back to back.
 */
static int cut_twice(int tun, int kernel, unsigned mss, int *adjacent)
{
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .gso_type = VIRTIO_NET_HDR_GSO_TCPV4 };
	uint8_t msg[TUN_VNET_HDR_LEN + HDRS + 5000];
	uint8_t *pkt = msg + TUN_VNET_HDR_LEN;
	size_t len = make_tcp(pkt, payload, 5000, 3000, 0x10), off;
	const uint8_t *p, *first = NULL;
	struct ip_info ip;
	int round, i, right = 1;
	ssize_t n;

	le16(&vh.hdr_len, HDRS);
	le16(&vh.gso_size, mss);
	le16(&vh.csum_start, 20);
	le16(&vh.csum_offset, 16);
	memcpy(msg, &vh, TUN_VNET_HDR_LEN);
	*adjacent = 1;
	for (round = 0; round < 2; round++) {
		must((int)write(kernel, msg, TUN_VNET_HDR_LEN + len), "write");
		for (i = 0, off = 0; off < 5000; i++, off += mss) {
			size_t want = 5000 - off < mss ? 5000 - off : mss;

			n = fast_tun_read(tun, &p);
			if (!i)
				first = p;
			right &= n == (ssize_t)(HDRS + want) &&
				 ip_parse(p, (size_t)n, &ip) == PKT_OK &&
				 l4_cksum_ok(p, (size_t)n) &&
				 get32(p + 24) == 3000 + off &&
				 !memcmp(p + HDRS, payload + off, want);
			if (round)
				*adjacent &= p == first + i * (HDRS + mss);
		}
		right &= !fast_tun_held();
	}
	return right;
}

/* Super-packets with other segment sizes: spread into slots of their own
 * layout, or, too small for the slots, cut by copying. */
static void test_new_layout(int tun, int kernel)
{
	int adjacent;

	ok(cut_twice(tun, kernel, 1000, &adjacent),
	   "layout: a super-packet cut at another size comes out right, twice");
	ok(adjacent, "layout: the second of that size is cut in place");
	ok(cut_twice(tun, kernel, 300, &adjacent) && !adjacent,
	   "layout: one cut at 300 bytes, too small for the slots, is cut right by copying");
	ok(cut_twice(tun, kernel, 1400, &adjacent) && adjacent,
	   "layout: and back at 1400, in place again");
}

/* Without UDP GRO each receive brings one datagram: segments still join
 * across receives. */
static void test_join_lone(int tun, int kernel)
{
	struct sockaddr_in to, from;
	uint8_t back[sizeof(super)];
	const uint8_t *p;
	int tx, rx, i, failed = 0;
	ssize_t n;

	udp_pair(&tx, &rx, &to);
	for (i = 0; i < 8; i++)
		must((int)sendto(tx, segs[i], seg_len[i], 0,
				 (struct sockaddr *)&to, sizeof(to)), "sendto");
	for (i = 0; i < 8; i++) {
		n = fast_udp_recv(rx, &p, &from);
		failed += n > 0 ? fast_tun_write(tun, p, (size_t)n) : 1;
	}
	failed += fast_tun_flush();
	n = read(kernel, back, sizeof(back));
	ok(!failed && n == TUN_VNET_HDR_LEN + HDRS + PAYLOAD &&
	   !memcmp(back + TUN_VNET_HDR_LEN + HDRS, payload, PAYLOAD),
	   "join: datagrams received one by one (no UDP GRO) still make one super-packet");
	close(tx);
	close(rx);
}

/* Datagrams out in one batch (UDP GSO), in again in one (UDP GRO). */
static void test_udp(void)
{
	struct sockaddr_in to, from;
	uint8_t buf[2000];
	int tx, rx, i, same = 1, failed = 0;

	udp_pair(&tx, &rx, &to);
	ok(fast_udp_init(rx) == 0, "udp: the kernel takes UDP_GRO");
	for (i = 0; i < 11; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		failed += fast_udp_send(tx, buf, i < 10 ? 1000 : 500, &to);
	}
	failed += fast_udp_flush();
	ok(!failed && !fast_udp_gso_refusals(), "udp: 11 datagrams leave in one batch");
	for (i = 0; i < 11; i++) {
		const uint8_t *p;
		ssize_t n = fast_udp_recv(rx, &p, &from);

		same &= n == (i < 10 ? 1000 : 500) && p[0] == 'a' + i &&
			p[n - 1] == 'a' + i;
	}
	ok(same && !fast_udp_held(), "udp: and arrive as 11 datagrams, in order, each whole");
	close(tx);
	close(rx);
}

int main(void)
{
	int sv[2], i;

	for (i = 0; i < PAYLOAD; i++)
		payload[i] = (uint8_t)(i * 7 + i / 251);
	must(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), "socketpair");
	fast_tun_init(sv[0]);
	test_cut(sv[0], sv[1]);
	test_join(sv[0], sv[1]);
	test_in_place(sv[0], sv[1]);
	test_join_lone(sv[0], sv[1]);
	test_new_layout(sv[0], sv[1]);
	test_no_join(sv[0], sv[1]);
	test_join_rules(sv[0], sv[1]);
	test_checksum_left(sv[0], sv[1]);
	test_udp();
	return tap_done();
}
