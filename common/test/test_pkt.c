/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for pkt.c: the checksum and parsers against known answers,
 * every kind of malformed input, and random or mutated bytes.  Every buffer
 * handed to the code under test is a heap block of exactly its length, so
 * that a build with SAN=1 catches a read one byte too far.  Prints TAP.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drop.h"
#include "pkt.h"
#include "tap.h"

static void ok_str(const char *got, const char *want, const char *name)
{
	ok(strcmp(got, want) == 0, name);
	if (strcmp(got, want))
		printf("#   got:  %s\n#   want: %s\n", got, want);
}

/* A heap copy of exactly len bytes: ASan flags any read beyond it. */
static uint8_t *exact(const uint8_t *buf, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	if (!p)
		abort();
	memcpy(p, buf, len);
	return p;
}

static enum pkt_err parse_exact(const uint8_t *buf, size_t len)
{
	struct ip_info ip;
	uint8_t *p = exact(buf, len);
	enum pkt_err err = ip_parse(p, len, &ip);

	free(p);
	return err;
}

static void summary_exact(const uint8_t *buf, size_t len, char *out,
			  size_t outlen)
{
	uint8_t *p = exact(buf, len);

	pkt_summary(p, len, out, outlen);
	free(p);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void set_ip4_cksum(uint8_t *pkt)
{
	uint16_t c;
	size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;

	pkt[10] = pkt[11] = 0;
	c = in_cksum(pkt, ihl);
	memcpy(pkt + 10, &c, 2);
}

/* An IPv4 packet from src to dst with payload_len bytes after a header of
 * ihl_words 32-bit words; returns its length. */
static size_t make_ip4(uint8_t *pkt, int ihl_words, uint8_t proto,
		       const char *src, const char *dst, size_t l4_len)
{
	size_t hl = (size_t)ihl_words * 4, len = hl + l4_len;

	memset(pkt, 0, len);
	pkt[0] = (uint8_t)(0x40 | ihl_words);
	put16(pkt + 2, (uint16_t)len);
	pkt[8] = 64;
	pkt[9] = proto;
	inet_pton(AF_INET, src, pkt + 12);
	inet_pton(AF_INET, dst, pkt + 16);
	set_ip4_cksum(pkt);
	return len;
}

static size_t make_echo(uint8_t *pkt, uint8_t type, size_t data_len)
{
	size_t len = make_ip4(pkt, 5, 1, "10.1.3.1", "10.1.3.4", 8 + data_len);
	uint8_t *icmp = pkt + 20;
	uint16_t c;
	size_t i;

	icmp[0] = type;
	put16(icmp + 4, 0x1234);
	put16(icmp + 6, 1);
	for (i = 0; i < data_len; i++)
		icmp[8 + i] = (uint8_t)i;
	c = in_cksum(icmp, 8 + data_len);
	memcpy(icmp + 2, &c, 2);
	return len;
}

static size_t make_ip6(uint8_t *pkt, uint8_t next, size_t payload_len)
{
	memset(pkt, 0, 40 + payload_len);
	pkt[0] = 0x60;
	put16(pkt + 4, (uint16_t)payload_len);
	pkt[6] = next;
	pkt[7] = 64;
	inet_pton(AF_INET6, "fd00::1", pkt + 8);
	inet_pton(AF_INET6, "fd00::2", pkt + 24);
	return 40 + payload_len;
}

/* Whether in_cksum() of the data gives these two bytes, as stored. */
static int cksum_is(const void *data, size_t len, uint8_t hi, uint8_t lo)
{
	uint16_t c = in_cksum(data, len);
	uint8_t b[2];

	memcpy(b, &c, sizeof(b));
	return b[0] == hi && b[1] == lo;
}

static void test_checksum(void)
{
	/* RFC 1071, section 3: these words sum to 0xddf2. */
	static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03,
				       0xf4, 0xf5, 0xf6, 0xf7 };
	/* A real IPv4 header whose checksum field is 0xb861. */
	uint8_t hdr[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
			  0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01,
			  0xc0, 0xa8, 0x00, 0xc7 };
	static const uint8_t odd[] = { 0x01, 0x02, 0x03 };

	ok(cksum_is(rfc, sizeof(rfc), 0x22, 0x0d), "in_cksum: RFC 1071 example");
	ok(in_cksum(hdr, sizeof(hdr)) == 0,
	   "in_cksum: a correct header sums to zero");
	hdr[10] = hdr[11] = 0;
	ok(cksum_is(hdr, sizeof(hdr), 0xb8, 0x61), "in_cksum: recomputes 0xb861");
	/* 0x0102 + 0x0300 = 0x0402, whose complement is 0xfbfd. */
	ok(cksum_is(odd, sizeof(odd), 0xfb, 0xfd),
	   "in_cksum: odd length pads a zero");
	ok(in_cksum(rfc, 0) == 0xffff, "in_cksum: empty input");
}

/* RFC 1071 as written: big-endian 16-bit words, one at a time. */
static uint16_t slow_cksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* The word-at-a-time sum agrees with RFC 1071's, whole or in two pieces,
 * at every length, alignment and split point. */
static void test_checksum_pieces(void)
{
	uint8_t buf[1600];
	int i, whole = 1, pieces = 1;

	srand(7);
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	for (i = 0; i < 5000; i++) {
		size_t off = (size_t)rand() % 8;
		size_t len = (size_t)rand() % (sizeof(buf) - 8);
		size_t cut = len ? ((size_t)rand() % len) & ~(size_t)1 : 0;
		uint8_t *p = exact(buf + off, len);
		uint32_t sum = in_cksum_add(in_cksum_add(0, p, cut),
					    p + cut, len - cut);

		whole &= in_cksum(p, len) == slow_cksum(p, len);
		pieces &= in_cksum_fold(sum) == slow_cksum(p, len);
		free(p);
	}
	/* All ones: every addition carries out of 64 bits. */
	memset(buf, 0xff, sizeof(buf));
	for (i = 1597; i <= 1600; i++)
		whole &= in_cksum(buf, (size_t)i) == slow_cksum(buf, (size_t)i);
	ok(whole, "in_cksum: agrees with RFC 1071 on 5000 random buffers and all ones");
	ok(pieces, "in_cksum_add: two pieces sum as the whole");
}

static void test_echo(void)
{
	uint8_t pkt[100];
	struct ip_info ip;
	struct icmp_info icmp;
	char s[PKT_SUMMARY_MAX];
	size_t len = make_echo(pkt, 8, 56);

	ok(len == 84, "echo request is 84 bytes, as ping's default");
	ok(ip_parse(pkt, len, &ip) == PKT_OK, "ip_parse accepts it");
	ok(ip.version == 4 && ip.hdr_len == 20 && ip.proto == 1 &&
		   ip.l4 == pkt + 20 && ip.l4_len == 64 && !ip.is_fragment,
	   "ip_parse finds header, protocol and payload");
	ok(icmp_parse(ip.l4, ip.l4_len, &icmp) == 0 && icmp.type == 8 &&
		   icmp.id == 0x1234 && icmp.seq == 1,
	   "icmp_parse reads type, id and sequence");
	ok(in_cksum(ip.l4, ip.l4_len) == 0, "the ICMP checksum is right");
	summary_exact(pkt, len, s, sizeof(s));
	ok_str(s, "IP / ICMP 10.1.3.1 > 10.1.3.4 echo-request 0 / Raw",
	       "summary of an echo request, as scapy writes it");
	len = make_echo(pkt, 0, 0);
	summary_exact(pkt, len, s, sizeof(s));
	ok_str(s, "IP / ICMP 10.1.3.1 > 10.1.3.4 echo-reply 0",
	       "summary of an echo reply without data");
	pkt[20] = 42;
	summary_exact(pkt, len, s, sizeof(s));
	ok_str(s, "IP / ICMP 10.1.3.1 > 10.1.3.4 type 42 code 0",
	       "summary of an unknown ICMP type");
}

static void test_malformed(void)
{
	uint8_t pkt[100], big[100];
	char s[PKT_SUMMARY_MAX];
	size_t len = make_echo(pkt, 8, 56), cut;
	int all_truncated = 1;
	struct ip_info ip;

	ok(parse_exact(pkt, 0) == PKT_EMPTY, "empty buffer");
	for (cut = 1; cut < len; cut++)
		if (parse_exact(pkt, cut) != PKT_TRUNCATED)
			all_truncated = 0;
	ok(all_truncated, "every cut of a packet is truncated");
	memcpy(big, pkt, len);
	big[len] = 0;
	ok(parse_exact(big, len + 1) == PKT_BAD_LENGTH,
	   "a trailing byte disagrees with the length field");
	ok(ip_parse(pkt, PKT_MAX + 1, &ip) == PKT_OVERSIZE,
	   "more than 65535 bytes is oversize, without reading them");

	pkt[0] = 0x55;
	ok(parse_exact(pkt, len) == PKT_BAD_VERSION, "IP version 5");
	summary_exact(pkt, len, s, sizeof(s));
	ok_str(s, "not an IP packet (not IPv4 or IPv6): 84 bytes: "
		  "55 00 00 54 00 00 00 00 ...",
	       "summary of a non-IP buffer shows its first bytes");
	pkt[0] = 0x44;
	ok(parse_exact(pkt, len) == PKT_BAD_HEADER, "IPv4 header length 16");
	pkt[0] = 0x45;
	pkt[8]++;
	ok(parse_exact(pkt, len) == PKT_BAD_CHECKSUM, "bad header checksum");
	pkt[8]--;
	put16(pkt + 2, 10);
	set_ip4_cksum(pkt);
	ok(parse_exact(pkt, len) == PKT_BAD_HEADER,
	   "length field shorter than the header");

	len = make_ip4(pkt, 5, 1, "10.1.3.1", "10.1.3.4", 3);
	summary_exact(pkt, len, s, sizeof(s));
	ok_str(s, "IP / ICMP 10.1.3.1 > 10.1.3.4 truncated",
	       "ICMP header cut short");
	ok(icmp_parse(pkt + 20, 3, &(struct icmp_info){ 0 }) == -1,
	   "icmp_parse refuses 3 bytes");
}

static void test_transport(void)
{
	uint8_t pkt[200];
	struct ports_info ports;
	char s[PKT_SUMMARY_MAX];
	size_t len;

	len = make_ip4(pkt, 5, 6, "10.1.3.1", "10.1.1.2", 20);
	put16(pkt + 20, 40000);
	put16(pkt + 22, 5201);
	pkt[32] = 5 << 4;
	pkt[33] = 0x02;
	summary_exact(pkt, len, s, sizeof(s));
	ok_str(s, "IP / TCP 10.1.3.1:40000 > 10.1.1.2:5201 S", "TCP SYN");

	len = make_ip4(pkt, 5, 6, "10.1.1.2", "10.1.3.1", 30);
	put16(pkt + 20, 5201);
	put16(pkt + 22, 40000);
	pkt[32] = 5 << 4;
	pkt[33] = 0x18;
	summary_exact(pkt, len, s, sizeof(s));
	ok_str(s, "IP / TCP 10.1.1.2:5201 > 10.1.3.1:40000 PA / Raw",
	       "TCP segment with data");
	ok(tcp_parse(pkt + 20, 30, &ports) == 0 && ports.hdr_len == 20,
	   "tcp_parse reads the data offset");
	pkt[32] = 15 << 4;	/* 60-byte header in 30 bytes */
	ok(tcp_parse(pkt + 20, 30, &ports) == -1,
	   "tcp_parse refuses a data offset past the end");
	pkt[32] = 4 << 4;
	ok(tcp_parse(pkt + 20, 30, &ports) == -1,
	   "tcp_parse refuses a data offset below 20");

	len = make_ip4(pkt, 5, 17, "10.1.2.2", "10.1.2.3", 8 + 84);
	put16(pkt + 20, 40000);
	put16(pkt + 22, 9090);
	summary_exact(pkt, len, s, sizeof(s));
	ok_str(s, "IP / UDP 10.1.2.2:40000 > 10.1.2.3:9090 / Raw",
	       "UDP datagram");

	len = make_ip4(pkt, 6, 47, "10.1.3.1", "10.1.1.2", 4);
	summary_exact(pkt, len, s, sizeof(s));
	ok_str(s, "IP / proto 47 10.1.3.1 > 10.1.1.2 / Raw",
	       "other protocol, with IPv4 options");
}

static void test_fragments(void)
{
	uint8_t pkt[100];
	char s[PKT_SUMMARY_MAX];
	size_t len = make_echo(pkt, 8, 56);

	pkt[6] = 0x20;		/* more fragments, offset 0 */
	set_ip4_cksum(pkt);
	summary_exact(pkt, len, s, sizeof(s));
	ok_str(s, "IP / ICMP 10.1.3.1 > 10.1.3.4 echo-request 0 / Raw "
		  "(first fragment)", "first fragment");
	put16(pkt + 6, 185);	/* offset 185 * 8 = 1480 */
	set_ip4_cksum(pkt);
	summary_exact(pkt, len, s, sizeof(s));
	ok_str(s, "IP / fragment 10.1.3.1 > 10.1.3.4 proto 1 offset 1480",
	       "later fragment has no ICMP header");
}

static void test_ipv6(void)
{
	uint8_t pkt[200];
	struct ip_info ip;
	char s[PKT_SUMMARY_MAX];
	size_t len;

	len = make_ip6(pkt, 58, 8 + 16);
	pkt[40] = 128;
	summary_exact(pkt, len, s, sizeof(s));
	ok_str(s, "IPv6 / ICMPv6 fd00::1 > fd00::2 echo-request 0 / Raw",
	       "ICMPv6 echo request");

	/* MLD report: hop-by-hop options first, as the kernel sends it. */
	len = make_ip6(pkt, 0, 8 + 8);
	pkt[40] = 58;
	pkt[48] = 143;
	ok(ip_parse(pkt, len, &ip) == PKT_OK && ip.proto == 58 &&
		   ip.hdr_len == 48,
	   "IPv6 extension header skipped");
	summary_exact(pkt, len, s, sizeof(s));
	ok_str(s, "IPv6 / ICMPv6 fd00::1 > fd00::2 mldv2-report 0",
	       "summary after an extension header");
	pkt[41] = 5;		/* claims 48 bytes of options */
	ok(parse_exact(pkt, len) == PKT_TRUNCATED,
	   "extension header past the end");

	len = make_ip6(pkt, 17, 8);
	put16(pkt + 40, 5353);
	put16(pkt + 42, 5353);
	summary_exact(pkt, len, s, sizeof(s));
	ok_str(s, "IPv6 / UDP [fd00::1]:5353 > [fd00::2]:5353", "UDP on IPv6");
	ok(parse_exact(pkt, 39) == PKT_TRUNCATED, "IPv6 shorter than 40");
	ok(parse_exact(pkt, len - 1) == PKT_TRUNCATED,
	   "IPv6 shorter than its payload length");
	put16(pkt + 4, 0);
	ok(parse_exact(pkt, len) == PKT_BAD_LENGTH,
	   "IPv6 jumbogram length refused");
}

static void test_summary_bounds(void)
{
	uint8_t pkt[100];
	char s[12];
	size_t len = make_echo(pkt, 8, 56);

	memset(s, 'x', sizeof(s));
	pkt_summary(pkt, len, s, 8);
	ok(strlen(s) == 7 && s[8] == 'x', "summary stops at the given size");
	pkt_summary(pkt, len, s, 0);
	ok(s[0] == 'I', "summary writes nothing into zero bytes");
}

static void test_drops(void)
{
	struct drops d = { 0 };
	uint8_t pkt[100];
	size_t len = make_echo(pkt, 8, 56);

	ok(drop_bad_packet(&d, pkt, len, "test") == 0, "good packet kept");
	ok(drop_bad_packet(&d, pkt, 3, "test") == 1 &&
		   drop_bad_packet(&d, pkt, 5, "test") == 1 &&
		   d.count[PKT_TRUNCATED] == 2,
	   "truncated packets dropped and counted");
	ok(drop_bad_packet(&d, pkt, PKT_MAX + 7, "test") == 1 &&
		   d.count[PKT_OVERSIZE] == 1 && drop_total(&d) == 3,
	   "oversize counted apart");
}

/* Random bytes, and valid packets with random bytes changed. */
static void test_random(void)
{
	uint8_t buf[256], pkt[100];
	char s[PKT_SUMMARY_MAX];
	struct ip_info ip;
	size_t len, base = make_echo(pkt, 8, 56), i;
	unsigned seed = 20261124;
	int round, kept = 0;

	srand(seed);
	for (round = 0; round < 200000; round++) {
		len = (size_t)rand() % sizeof(buf);
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rand();
		if (len && round % 2)
			buf[0] = (uint8_t)((round % 4 == 1 ? 0x40 : 0x60) |
					   (buf[0] & 0x0f));
		summary_exact(buf, len, s, sizeof(s));
		(void)parse_exact(buf, len);
	}
	for (round = 0; round < 100000; round++) {
		memcpy(buf, pkt, base);
		buf[(size_t)rand() % base] = (uint8_t)rand();
		if (round % 2)
			set_ip4_cksum(buf);
		len = base - (size_t)rand() % 3;
		if (ip_parse(buf, len, &ip) == PKT_OK)
			kept++;
		summary_exact(buf, len, s, sizeof(s));
	}
	ok(1, "300000 random and mutated buffers parsed without a fault");
	ok(kept > 0, "some mutated packets still parse");
}

int main(void)
{
	test_checksum();
	test_checksum_pieces();
	test_echo();
	test_malformed();
	test_transport();
	test_fragments();
	test_ipv6();
	test_summary_bounds();
	test_drops();
	test_random();
	return tap_done();
}
