/* SPDX-License-Identifier: MIT */
/*
 * pcapcheck: the grader's eyes.  Capture on one interface of one host (run
 * it inside the host's namespace), wait up to a time limit for packets that
 * match, check what is inside them, and say what was seen.
 *
 *   pcapcheck -i lan0 -u 9090 -s 10.1.3.1 -d 10.1.3.5 -p icmp -T 8
 *	a UDP datagram to or from port 9090 whose payload is an ICMP echo
 *	request from 10.1.3.1 to 10.1.3.5
 *   pcapcheck -i tun0 -s 10.1.3.4 -p icmp -T 0 -k -c 3
 *	three echo replies from 10.1.3.4, IPv4 and ICMP checksums right
 *   pcapcheck -i lan0 -n -t 3 -f 'not udp port 9090' -s 10.1.3.1
 *	no packet from 10.1.3.1 outside UDP 9090 for three seconds
 *   pcapcheck -i lan0 -u 9090 -o -p tcp -c 100
 *	100 datagrams carrying TCP, and every datagram to or from 9090 holds
 *	exactly one whole IP packet (the wire format), else fail at once
 *
 * It prints "capturing on IFACE" once the capture is active (start the
 * traffic after that line), one summary line per matching packet, and a
 * verdict.  Exit 0: as expected; 1: not (no match in time, a match with -n,
 * a bad checksum with -k); 2: usage or capture error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "vpn.h"

struct want {
	int udp_port;		/* -u: look inside UDP to/from it; 0: no */
	int have_src, have_dst;
	uint8_t src[16], dst[16];
	int version_src, version_dst;
	int proto;		/* -p: -1 for any */
	int icmp_type;		/* -T: -1 for any */
	int checksums;		/* -k */
	int one_per_datagram;	/* -o */
};

struct tally {
	unsigned long seen, matched;
	char last[2 * PKT_SUMMARY_MAX];
};

static void usage(void)
{
	fprintf(stderr,
		"usage: pcapcheck -i interface [-kno] [-c count] [-d dst] "
		"[-f filter] [-p proto]\n"
		"                 [-s src] [-T icmp-type] [-t seconds] "
		"[-u port] [-w file.pcap]\n");
	exit(2);
}

static int parse_proto(const char *s)
{
	if (!strcmp(s, "icmp"))
		return 1;
	if (!strcmp(s, "tcp"))
		return 6;
	if (!strcmp(s, "udp"))
		return 17;
	if (!strcmp(s, "icmp6"))
		return 58;
	return (int)opt_num(s, 0, 255, "protocol");
}

static int parse_icmp_type(const char *s)
{
	if (!strcmp(s, "echo-request"))
		return 8;
	if (!strcmp(s, "echo-reply"))
		return 0;
	return (int)opt_num(s, 0, 255, "ICMP type");
}

static void parse_addr(const char *s, uint8_t out[16], int *version)
{
	if (inet_pton(AF_INET, s, out) == 1) {
		*version = 4;
		return;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		*version = 6;
		return;
	}
	fprintf(stderr, "pcapcheck: bad address '%s'\n", s);
	exit(2);
}

/* Where the IP packet starts in a frame of this link type, or -1. */
static long link_offset(int dlt, const uint8_t *frame, size_t len)
{
	uint16_t type;
	size_t off;

	switch (dlt) {
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return 0;
	case DLT_NULL:
		return 4;
	case DLT_LINUX_SLL:
		return 16;
	case DLT_LINUX_SLL2:
		return 20;
	case DLT_EN10MB:
		off = 12;
		do {	/* step over 802.1Q tags */
			if (len < off + 2)
				return -1;
			type = (uint16_t)(frame[off] << 8 | frame[off + 1]);
			off += 2;
			if (type == 0x8100)
				off += 2;
		} while (type == 0x8100);
		return type == 0x0800 || type == 0x86dd ? (long)off : -1;
	}
	return -1;
}

/* Ethernet pads short frames: keep only the bytes the IP header counts. */
static size_t ip_length(const uint8_t *ip, size_t len)
{
	size_t wire;

	if (len >= 20 && ip[0] >> 4 == 4) {
		wire = (size_t)(ip[2] << 8 | ip[3]);
		return wire && wire < len ? wire : len;
	}
	if (len >= 40 && ip[0] >> 4 == 6) {
		wire = 40 + (size_t)(ip[4] << 8 | ip[5]);
		return wire < len ? wire : len;
	}
	return len;
}

static int addr_is(const struct ip_info *ip, const uint8_t *addr,
		   const uint8_t *want, int version)
{
	return ip->version == version &&
	       !memcmp(addr, want, version == 4 ? 4 : 16);
}

/*
 * Find the packet the checks apply to: the packet itself, or with -u the
 * IP packet carried in a UDP datagram to or from the port.  0 if found.
 */
static int inner_packet(const struct want *w, const uint8_t *pkt, size_t len,
			const uint8_t **inner, size_t *inner_len)
{
	struct ip_info ip;
	struct ports_info ports;

	if (!w->udp_port) {
		*inner = pkt;
		*inner_len = len;
		return 0;
	}
	if (ip_parse(pkt, len, &ip) != PKT_OK || ip.proto != 17 ||
	    ip.frag_offset || udp_parse(ip.l4, ip.l4_len, &ports) == -1)
		return -1;
	if (ports.sport != w->udp_port && ports.dport != w->udp_port)
		return -1;
	*inner = ip.l4 + ports.hdr_len;
	*inner_len = ip.l4_len - ports.hdr_len;
	return 0;
}

static int matches(const struct want *w, const uint8_t *pkt, size_t len)
{
	struct ip_info ip;
	struct icmp_info icmp;

	if (ip_parse(pkt, len, &ip) != PKT_OK)
		return 0;
	if (w->have_src && !addr_is(&ip, ip.src, w->src, w->version_src))
		return 0;
	if (w->have_dst && !addr_is(&ip, ip.dst, w->dst, w->version_dst))
		return 0;
	if (w->proto >= 0 && ip.proto != w->proto)
		return 0;
	if (w->icmp_type >= 0 &&
	    (ip.frag_offset || icmp_parse(ip.l4, ip.l4_len, &icmp) == -1 ||
	     icmp.type != w->icmp_type))
		return 0;
	return 1;
}

/* The checksum a field at off in data (len bytes) should hold. */
static uint16_t right_cksum(const uint8_t *data, size_t len, size_t off)
{
	uint8_t copy[PKT_BUFSIZE];

	memcpy(copy, data, len);
	copy[off] = copy[off + 1] = 0;
	return ntohs(in_cksum(copy, len));
}

/* With -k: whether the IPv4 header checksum and, for ICMP, the ICMP
 * checksum are right; if not, which, what it is and what it should be. */
static int bad_checksum(const uint8_t *pkt, size_t len, char *why,
			size_t whylen)
{
	struct ip_info ip;
	size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;

	if (ip_parse(pkt, len, &ip) == PKT_BAD_CHECKSUM) {
		snprintf(why, whylen, "IPv4 header checksum is 0x%04x, "
			 "correct is 0x%04x", pkt[10] << 8 | pkt[11],
			 right_cksum(pkt, ihl, 10));
		return 1;
	}
	if (ip.version == 4 && ip.proto == 1 && !ip.is_fragment &&
	    ip.l4_len >= 4 && in_cksum(ip.l4, ip.l4_len) != 0) {
		snprintf(why, whylen, "ICMP checksum is 0x%04x, correct is "
			 "0x%04x", ip.l4[2] << 8 | ip.l4[3],
			 right_cksum(ip.l4, ip.l4_len, 2));
		return 1;
	}
	return 0;
}

/* With -o: why a datagram's payload is not exactly one IP packet, or NULL
 * (a batch of datagrams seen before the kernel cut it is many packets). */
static const char *not_one_packet(const uint8_t *payload, size_t len)
{
	struct ip_info ip;
	enum pkt_err err = ip_parse(payload, len, &ip);

	return err == PKT_OK ? NULL : pkt_err_str(err);
}

/* The summary of what was captured, with the outer datagram if any. */
static void describe(const struct want *w, const uint8_t *pkt, size_t len,
		     const uint8_t *inner, size_t inner_len, char *out,
		     size_t outlen)
{
	char outer[PKT_SUMMARY_MAX], in[PKT_SUMMARY_MAX];

	pkt_summary(pkt, len, outer, sizeof(outer));
	if (!w->udp_port || inner == pkt) {
		snprintf(out, outlen, "%s", outer);
		return;
	}
	pkt_summary(inner, inner_len, in, sizeof(in));
	snprintf(out, outlen, "%.60s carrying %s", outer, in);
}

static pcap_t *open_capture(const char *iface, const char *filter)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	pcap_t *p;

	p = pcap_create(iface, errbuf);
	if (!p)
		goto fail_errbuf;
	/* Room for a whole GSO or GRO batch, which a capture on a virtual
	 * link sees as one packet of up to 64 KB plus its headers. */
	if (pcap_set_snaplen(p, 262144) || pcap_set_immediate_mode(p, 1) ||
	    pcap_set_timeout(p, 100))
		goto fail;
	if (pcap_activate(p) < 0)
		goto fail;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == -1)
		goto fail;
	if (pcap_setfilter(p, &prog) == -1) {
		pcap_freecode(&prog);
		goto fail;
	}
	pcap_freecode(&prog);
	if (pcap_setnonblock(p, 1, errbuf) == -1)
		goto fail_errbuf;
	return p;
fail:
	snprintf(errbuf, sizeof(errbuf), "%s", pcap_geterr(p));
fail_errbuf:
	fprintf(stderr, "pcapcheck: cannot capture on %s: %s\n", iface, errbuf);
	if (p)
		pcap_close(p);
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[])
{
	const char *iface = NULL, *filter = "ip or ip6", *dump_path = NULL;
	struct want w = { .proto = -1, .icmp_type = -1 };
	struct tally t = { 0 };
	pcap_dumper_t *dump = NULL;
	struct pcap_pkthdr *hdr;
	const uint8_t *frame, *inner;
	struct pollfd pfd;
	double deadline, timeout = 10;
	size_t len, inner_len;
	long off;
	char line[2 * PKT_SUMMARY_MAX], why[80];
	const char *bad;
	int c, dlt, count = 1, none = 0, ret = 1, r;

	log_init();
	vpn_signals();	/* SIGINT/SIGTERM: stop early, verdict as at timeout */
	while ((c = getopt(argc, argv, "c:d:f:hi:knop:s:T:t:u:w:")) != -1) {
		switch (c) {
		case 'c': count = (int)opt_num(optarg, 1, 100000, "count"); break;
		case 'd': parse_addr(optarg, w.dst, &w.version_dst); w.have_dst = 1; break;
		case 'f': filter = optarg; break;
		case 'i': iface = optarg; break;
		case 'k': w.checksums = 1; break;
		case 'n': none = 1; break;
		case 'o': w.one_per_datagram = 1; break;
		case 'p': w.proto = parse_proto(optarg); break;
		case 's': parse_addr(optarg, w.src, &w.version_src); w.have_src = 1; break;
		case 'T': w.icmp_type = parse_icmp_type(optarg); break;
		case 't': timeout = (double)opt_num(optarg, 1, 3600, "timeout"); break;
		case 'u': w.udp_port = (int)opt_num(optarg, 1, 65535, "port"); break;
		case 'w': dump_path = optarg; break;
		default: usage();
		}
	}
	if (!iface || optind != argc || (w.one_per_datagram && !w.udp_port))
		usage();

	pcap_t *p = open_capture(iface, filter);
	dlt = pcap_datalink(p);
	if (dump_path && !(dump = pcap_dump_open(p, dump_path))) {
		fprintf(stderr, "pcapcheck: %s\n", pcap_geterr(p));
		return 2;
	}
	printf("capturing on %s\n", iface);
	pfd.fd = pcap_get_selectable_fd(p);
	pfd.events = POLLIN;
	deadline = now() + timeout;

	while (now() < deadline && !vpn_stop) {
		if (poll(&pfd, 1, 50) == -1 && errno != EINTR) {
			/* An error of the checker is never a verdict. */
			printf("ERROR: poll: %s\n", strerror(errno));
			ret = 2;
			goto out;
		}
		while ((r = pcap_next_ex(p, &hdr, &frame)) == 1) {
			if (dump)
				pcap_dump((u_char *)dump, hdr, frame);
			t.seen++;
			off = link_offset(dlt, frame, hdr->caplen);
			if (off < 0 || (size_t)off > hdr->caplen)
				continue;
			len = ip_length(frame + off, hdr->caplen - (size_t)off);
			if (inner_packet(&w, frame + off, len, &inner,
					 &inner_len) == -1)
				continue;
			describe(&w, frame + off, len, inner, inner_len, t.last,
				 sizeof(t.last));
			bad = w.one_per_datagram ? not_one_packet(inner, inner_len) :
						   NULL;
			if (bad) {
				printf("FAIL: a datagram that is not one IP "
				       "packet (%s): %s\n", bad, t.last);
				ret = 1;
				goto out;
			}
			if (!matches(&w, inner, inner_len))
				continue;
			t.matched++;
			printf("match %lu: %s\n", t.matched, t.last);
			if (w.checksums && bad_checksum(inner, inner_len, why,
							  sizeof(why))) {
				printf("FAIL: wrong checksum: the %s, in: %s\n",
				       why, t.last);
				ret = 1;
				goto out;
			}
			if (none) {
				printf("FAIL: expected no such packet on %s, "
				       "saw: %s\n", iface, t.last);
				ret = 1;
				goto out;
			}
			if (t.matched >= (unsigned long)count) {
				printf("OK: %lu matching packet(s) on %s\n",
				       t.matched, iface);
				ret = 0;
				goto out;
			}
		}
		if (r == PCAP_ERROR) {
			printf("ERROR: capture on %s failed: %s\n", iface,
			       pcap_geterr(p));
			ret = 2;
			goto out;
		}
	}
	if (none) {
		printf("OK: no such packet on %s (%lu captured)\n", iface,
		       t.seen);
		ret = 0;
	} else {
		snprintf(line, sizeof(line), "%s", t.last[0] ? t.last : "none");
		printf("FAIL: %lu of %d matching packet(s) on %s; %lu "
		       "captured, the last: %s\n",
		       t.matched, count, iface, t.seen, line);
	}
out:
	if (dump)
		pcap_dump_close(dump);
	pcap_close(p);
	return ret;
}
