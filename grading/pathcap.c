/* SPDX-License-Identifier: MIT */
/*
 * pathcap: where the grader's probe went, on one interface of one host.
 * It captures both directions and prints one JSON line for each packet
 * that carries the probe, in whatever shape it came:
 *
 *   - an ICMP message with the probe's id (-I, where an echo has it; the
 *     payload should hold its pattern, -P), or TCP to or from a port
 *     (-Q): "form": "plain";
 *   - the same as the payload of a UDP datagram, at its start or after 4
 *     bytes of packet-info header (a TUN opened without IFF_NO_PI):
 *     "form": "udp", with the datagram's addresses, ports and lengths;
 *   - an ICMP error about a packet that carried it (a port unreachable
 *     for a datagram, say): "form": "error";
 *   - any other frame where the pattern's bytes show up (a packet cut,
 *     shifted or mangled): "form": "bytes", with where they were.
 *
 * Each line says the direction ("out": sent by this host, or on a TUN
 * routed by the kernel to its program; "in": received, or written into a
 * TUN by its program), the lengths (the IP header's and the bytes there),
 * and whether the IPv4 and ICMP/TCP checksums and the echo's data are
 * right.  It never judges: the grader's diagnosis (grading/diagnose) reads
 * every hop's lines together.
 *
 *   pathcap -I 4242 -P 0f1e2d3c4b5a69788796a5b4c3d2e1f0 -w DIR \
 *           -n /run/netns/useru -i useru:tun0 -i useru:lan0 \
 *           -n /run/netns/server -i server:lan0
 *
 * Many interfaces of many hosts in one process: -n joins a network
 * namespace (a path, such as /proc/self/fd/N) for the -i that follow; -i
 * LABEL:IFACE captures on IFACE and labels its lines "at": LABEL:IFACE.
 * An interface that cannot be opened gets a line {"at": ..., "error": ...}
 * and the others go on.  "capturing on N interfaces" once every one is
 * captured in both directions; a last line per interface, {"end": true,
 * ...}, with its counts.  "t" is the frame's time stamp,
 * in seconds since 1970, so that the lines of several captures sort into
 * one story.  Stops after -t seconds (30) or
 * at SIGINT or SIGTERM.  With -w DIR, each interface's frames go to
 * DIR/HOST-IFACE.pcap, at most -W bytes (256 KB) of it: the first ones,
 * and "pcap_cut" says if any were left out.  At most -M lines (300) are
 * printed per interface; the rest are counted.  Exit 0, or 2 on a usage
 * or capture error.
 */
#define _GNU_SOURCE	/* memmem() */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "vpn.h"

#define PATTERN_MAX 16
#define PI_LEN 4		/* struct tun_pi: flags, protocol */

struct probe {
	int icmp_id;		/* -I, or -1 */
	uint8_t pattern[PATTERN_MAX];
	size_t pattern_len;	/* -P */
	int tcp_port;		/* -Q, or 0 */
};

/* An IPv4 packet read leniently: a bad checksum or missing bytes are
 * facts to report, not reasons to look away. */
struct ip4 {
	const uint8_t *p;
	size_t have;		/* bytes present */
	size_t ihl, total;	/* header length; the header's length field */
	uint8_t proto, ttl;
	int ip_ok;		/* header checksum right */
	int frag;
	const uint8_t *l4;
	size_t l4_have;		/* transport bytes present */
	size_t l4_total;	/* transport bytes the header counts */
};

#define CAPTURES_MAX 16

struct capture {
	const char *label;	/* HOST:IFACE */
	pcap_t *in, *out;
	pcap_dumper_t *dump;
	long dump_max;
	int dump_cut;
	unsigned long seen, printed, more;
	unsigned long max_lines;
	double stamp;		/* of the frame at hand: seconds since 1970 */
};

static void usage(void)
{
	fprintf(stderr, "usage: pathcap (-I icmp-id -P hex-pattern | -Q tcp-port) "
		"[-M lines] [-t seconds]\n"
		"               [-w dir] [-W bytes] [-n netns] -i [host:]iface "
		"[[-n netns] -i ...]\n");
	exit(2);
}

/* The wall clock, as pcap stamps frames: lines from several captures
 * can be put in one order. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void parse_pattern(const char *hex, struct probe *pr)
{
	size_t n = strlen(hex), i;
	unsigned int byte;

	if (n == 0 || n % 2 || n / 2 > PATTERN_MAX)
		usage();
	for (i = 0; i < n / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			usage();
		pr->pattern[i] = (uint8_t)byte;
	}
	pr->pattern_len = n / 2;
}

/* Where the IP packet starts in a frame of this link type, or -1. */
static long link_offset(int dlt, const uint8_t *frame, size_t len)
{
	uint16_t type;
	size_t off = 12;

	switch (dlt) {
	case DLT_RAW:
	case DLT_IPV4:
		return 0;
	case DLT_EN10MB:
		do {	/* step over 802.1Q tags */
			if (len < off + 2)
				return -1;
			type = get16(frame + off);
			off += 2;
			if (type == 0x8100)
				off += 2;
		} while (type == 0x8100);
		return type == 0x0800 ? (long)off : -1;
	}
	return -1;
}

static int ip4_read(const uint8_t *p, size_t have, struct ip4 *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (have < 20 || p[0] >> 4 != 4 || (p[0] & 0x0f) < 5)
		return -1;
	ip->p = p;
	ip->have = have;
	ip->ihl = (size_t)(p[0] & 0x0f) * 4;
	ip->total = get16(p + 2);
	if (ip->ihl > have || ip->total < ip->ihl)
		return -1;
	ip->ttl = p[8];
	ip->proto = p[9];
	ip->frag = (get16(p + 6) & 0x3fff) != 0;
	ip->ip_ok = in_cksum(p, ip->ihl) == 0;
	ip->l4 = p + ip->ihl;
	ip->l4_total = ip->total - ip->ihl;
	ip->l4_have = (have < ip->total ? have : ip->total) - ip->ihl;
	return 0;
}

/* Ethernet pads short frames: only the bytes the IP header counts. */
static size_t trim_padding(const uint8_t *p, size_t have)
{
	size_t total;

	if (have < 20 || p[0] >> 4 != 4)
		return have;
	total = get16(p + 2);
	return total >= 20 && total < have ? total : have;
}

static int has_pattern(const struct probe *pr, const uint8_t *p, size_t len)
{
	return pr->pattern_len && len >= pr->pattern_len &&
	       memmem(p, len, pr->pattern, pr->pattern_len) != NULL;
}

/* Whether ip is the probe itself: the echo with its id and pattern, or a
 * TCP segment of its port. */
static int is_probe(const struct probe *pr, const struct ip4 *ip)
{
	if (ip->frag)
		return 0;
	if (pr->icmp_id >= 0 && ip->proto == 1 && ip->l4_have >= 8 &&
	    get16(ip->l4 + 4) == pr->icmp_id)
		return 1;
	if (pr->tcp_port && ip->proto == 6 && ip->l4_have >= 4 &&
	    (get16(ip->l4) == pr->tcp_port || get16(ip->l4 + 2) == pr->tcp_port))
		return 1;
	return 0;
}

/* An ICMP error (unreachable, time exceeded, parameter problem) that
 * quotes a packet carrying the probe: a kernel's answer to it. */
static int is_error_about(const struct probe *pr, const struct ip4 *ip)
{
	return ip->proto == 1 && !ip->frag && ip->l4_have >= 8 &&
	       (ip->l4[0] == 3 || ip->l4[0] == 11 || ip->l4[0] == 12) &&
	       has_pattern(pr, ip->l4 + 8, ip->l4_have - 8);
}

/* The transport checksum: 1 right, 0 wrong, -1 not all bytes here. */
static int l4_cksum_ok(const struct ip4 *ip, uint16_t *is, uint16_t *right)
{
	uint8_t copy[PKT_BUFSIZE];
	uint32_t sum = 0;
	size_t off = ip->proto == 1 ? 2 : 16;

	if (ip->l4_have < ip->l4_total || ip->l4_total < off + 2)
		return -1;
	memcpy(copy, ip->l4, ip->l4_total);
	*is = get16(copy + off);
	copy[off] = copy[off + 1] = 0;
	if (ip->proto == 6) {	/* the pseudo-header */
		sum = in_cksum_add(sum, ip->p + 12, 8);
		sum += 6 + (uint32_t)ip->l4_total;
	}
	sum = in_cksum_add(sum, copy, ip->l4_total);
	*right = ntohs(in_cksum_fold(sum));
	return *is == *right;
}

static void json_addr(const char *key, const uint8_t *a)
{
	printf("\"%s\":\"%u.%u.%u.%u\"", key, a[0], a[1], a[2], a[3]);
}

/* The inner packet's fields, as JSON members (no braces). */
static void print_ip(const struct probe *pr, const struct ip4 *ip)
{
	char sum[PKT_SUMMARY_MAX], *c;
	uint16_t is = 0, right = 0;
	int ck;

	json_addr("src", ip->p + 12);
	putchar(',');
	json_addr("dst", ip->p + 16);
	printf(",\"proto\":%u,\"ttl\":%u,\"iplen\":%zu,\"have\":%zu,"
	       "\"ip_ok\":%s", ip->proto, ip->ttl, ip->total,
	       ip->ihl + ip->l4_have, ip->ip_ok ? "true" : "false");
	if (ip->proto == 1 && ip->l4_have >= 8)
		printf(",\"type\":%u,\"code\":%u,\"id\":%u,\"seq\":%u",
		       ip->l4[0], ip->l4[1], get16(ip->l4 + 4),
		       get16(ip->l4 + 6));
	if (ip->proto == 6 && ip->l4_have >= 20)
		printf(",\"sport\":%u,\"dport\":%u,\"flags\":%u,\"plen\":%zu",
		       get16(ip->l4), get16(ip->l4 + 2), ip->l4[13],
		       ip->l4_total - (size_t)(ip->l4[12] >> 4) * 4);
	ck = l4_cksum_ok(ip, &is, &right);
	if (ck >= 0)
		printf(",\"l4_ok\":%s,\"l4_is\":\"0x%04x\",\"l4_right\":"
		       "\"0x%04x\"", ck ? "true" : "false", is, right);
	if (ip->proto == 1 && pr->pattern_len)
		printf(",\"data_ok\":%s", has_pattern(pr, ip->l4 + 8,
			ip->l4_have >= 8 ? ip->l4_have - 8 : 0) ? "true" : "false");
	pkt_summary(ip->p, ip->ihl + ip->l4_have, sum, sizeof(sum));
	for (c = sum; *c; c++)	/* nothing in it needs escaping but these */
		if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
			*c = '?';
	printf(",\"sum\":\"%s\"", sum);
}

static void line_start(struct capture *c, const char *dir, const char *form)
{
	printf("{\"at\":\"%s\",\"t\":%.6f,\"dir\":\"%s\",\"form\":\"%s\",",
	       c->label, c->stamp, dir, form);
}

/* A UDP datagram: the probe inside it, at its start or after a
 * packet-info header; 1 if printed. */
static int try_udp(struct capture *c, const struct probe *pr,
		   const struct ip4 *outer, const char *dir)
{
	const uint8_t *payload;
	size_t len, off;
	struct ip4 in;
	long ulen;

	/* A datagram bigger than the link is sent in fragments: the first
	 * holds the UDP header and the packet's start ("ofrag"). */
	if (outer->proto != 17 || outer->l4_have < 8 ||
	    (outer->frag && (get16(outer->p + 6) & 0x1fff)))
		return 0;
	payload = outer->l4 + 8;
	len = outer->l4_have - 8;
	for (off = 0; off <= PI_LEN; off += PI_LEN) {
		if (len <= off || ip4_read(payload + off, len - off, &in) ||
		    !is_probe(pr, &in))
			continue;
		line_start(c, dir, "udp");
		printf("\"outer\":{");
		json_addr("src", outer->p + 12);
		putchar(',');
		json_addr("dst", outer->p + 16);
		/* ulen: the payload's length by the UDP header (all of it,
		 * also when this is only the first fragment). */
		ulen = (long)get16(outer->l4 + 4) - 8;
		printf(",\"sport\":%u,\"dport\":%u,\"ulen\":%ld,\"off\":%zu,"
		       "\"extra\":%ld,\"ofrag\":%s,\"ip_ok\":%s},",
		       get16(outer->l4), get16(outer->l4 + 2), ulen, off,
		       ulen - (long)off - (long)in.total,
		       outer->frag ? "true" : "false",
		       outer->ip_ok ? "true" : "false");
		print_ip(pr, &in);
		printf("}\n");
		return 1;
	}
	return 0;
}

static void record(struct capture *c, const struct probe *pr, int dlt,
		   const struct pcap_pkthdr *hdr, const uint8_t *frame,
		   const char *dir)
{
	const uint8_t *at;
	struct ip4 ip;
	long off;
	size_t len, base;
	int shown = 0;

	c->seen++;
	c->stamp = (double)hdr->ts.tv_sec + (double)hdr->ts.tv_usec / 1e6;
	off = link_offset(dlt, frame, hdr->caplen);
	if (c->printed >= c->max_lines) {
		c->more++;
		return;
	}
	if (off >= 0 && (size_t)off <= hdr->caplen) {
		len = trim_padding(frame + off, hdr->caplen - (size_t)off);
		if (!ip4_read(frame + off, len, &ip)) {
			if (is_probe(pr, &ip)) {
				line_start(c, dir, "plain");
				print_ip(pr, &ip);
				printf("}\n");
				shown = 1;
			} else if (is_error_about(pr, &ip)) {
				line_start(c, dir, "error");
				print_ip(pr, &ip);
				printf("}\n");
				shown = 1;
			} else {
				shown = try_udp(c, pr, &ip, dir);
			}
		}
	}
	if (!shown && has_pattern(pr, frame, hdr->caplen)) {
		at = memmem(frame, hdr->caplen, pr->pattern, pr->pattern_len);
		base = off >= 0 && (size_t)off < hdr->caplen ? (size_t)off : 0;
		line_start(c, dir, "bytes");
		printf("\"len\":%u,\"at\":%ld,\"ip_at\":%ld,\"first\":\"",
		       hdr->caplen, (long)(at - frame), off);
		for (len = 0; len < 8 && base + len < hdr->caplen; len++)
			printf("%02x", frame[base + len]);
		printf("\"}\n");
		shown = 1;
	}
	if (shown)
		c->printed++;
	if (c->dump && !c->dump_cut) {
		if (pcap_dump_ftell(c->dump) + (long)hdr->caplen + 16 >
		    c->dump_max)
			c->dump_cut = 1;
		else
			pcap_dump((u_char *)c->dump, hdr, frame);
	}
}

/* One direction of iface, or NULL with why in err. */
static pcap_t *open_side(const char *iface, pcap_direction_t dir, char *err)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p;

	p = pcap_create(iface, errbuf);
	if (!p) {
		snprintf(err, PCAP_ERRBUF_SIZE, "%s", errbuf);
		return NULL;
	}
	/* Room for a whole GSO batch: a virtual link shows one as a
	 * single packet of up to 64 KB. */
	if (pcap_set_snaplen(p, 262144) || pcap_set_immediate_mode(p, 1) ||
	    pcap_set_timeout(p, 100) || pcap_activate(p) < 0 ||
	    pcap_setdirection(p, dir) == -1 ||
	    pcap_setnonblock(p, 1, errbuf) == -1) {
		snprintf(err, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	return p;
}

/* Read what is waiting on one side; -1 on a capture error. */
static int drain(struct capture *c, const struct probe *pr, pcap_t *p,
		 const char *dir)
{
	struct pcap_pkthdr *hdr;
	const uint8_t *frame;
	int r;

	while ((r = pcap_next_ex(p, &hdr, &frame)) == 1)
		record(c, pr, pcap_datalink(p), hdr, frame, dir);
	return r == PCAP_ERROR ? -1 : 0;
}

/* Open LABEL's interface (after the last ':') in the current network
 * namespace, both directions; 0, or -1 after printing why not. */
static int open_capture(struct capture *c, const char *dir, long dump_max)
{
	char err[PCAP_ERRBUF_SIZE], path[4096], name[64], *x;
	const char *iface = strrchr(c->label, ':');

	iface = iface ? iface + 1 : c->label;
	c->dump_max = dump_max;
	c->max_lines = 300;
	if (!(c->out = open_side(iface, PCAP_D_OUT, err)) ||
	    !(c->in = open_side(iface, PCAP_D_IN, err))) {
		printf("{\"at\":\"%s\",\"error\":\"cannot capture on %s\"}\n",
		       c->label, iface);
		fprintf(stderr, "pathcap: %s: %s\n", c->label, err);
		if (c->out)
			pcap_close(c->out);
		c->out = NULL;
		return -1;
	}
	if (dir) {
		snprintf(name, sizeof(name), "%s", c->label);
		for (x = name; *x; x++)
			if (*x == ':' || *x == '/')
				*x = '-';
		snprintf(path, sizeof(path), "%s/%s.pcap", dir, name);
		if (!(c->dump = pcap_dump_open(c->in, path))) {
			fprintf(stderr, "pathcap: %s\n", pcap_geterr(c->in));
			exit(2);
		}
	}
	return 0;
}

static void join_netns(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1 || setns(fd, CLONE_NEWNET) == -1) {
		fprintf(stderr, "pathcap: join %s: %s\n", path, strerror(errno));
		exit(2);
	}
	close(fd);
}

static void finish(struct capture *c)
{
	printf("{\"at\":\"%s\",\"end\":true,\"seen\":%lu,\"printed\":%lu,"
	       "\"more\":%lu,\"pcap_bytes\":%ld,\"pcap_cut\":%s}\n", c->label,
	       c->seen, c->printed, c->more,
	       c->dump ? pcap_dump_ftell(c->dump) : 0L,
	       c->dump_cut ? "true" : "false");
	if (c->dump)
		pcap_dump_close(c->dump);
	pcap_close(c->in);
	pcap_close(c->out);
}

int main(int argc, char *argv[])
{
	struct probe pr = { .icmp_id = -1 };
	struct capture caps[CAPTURES_MAX] = { 0 };
	struct pollfd pfd[2 * CAPTURES_MAX];
	const char *dump_dir = NULL;
	double deadline, timeout = 30;
	long dump_max = 256 << 10;
	unsigned long max_lines = 300;
	int ch, ret = 0, n = 0, open_n = 0, i, j;

	log_init();
	vpn_signals();	/* SIGINT/SIGTERM: stop, with the counts */
	/* Two passes: the probe's options first, then namespaces and
	 * interfaces in their order. */
	while ((ch = getopt(argc, argv, "hI:i:M:n:P:Q:t:W:w:")) != -1) {
		switch (ch) {
		case 'I': pr.icmp_id = (int)opt_num(optarg, 0, 65535, "ICMP id"); break;
		case 'i':
			if (n == CAPTURES_MAX)
				usage();
			caps[n++].label = optarg;
			break;
		case 'M': max_lines = (unsigned long)opt_num(optarg, 0, 100000, "lines"); break;
		case 'n': break;
		case 'P': parse_pattern(optarg, &pr); break;
		case 'Q': pr.tcp_port = (int)opt_num(optarg, 1, 65535, "port"); break;
		case 't': timeout = (double)opt_num(optarg, 1, 3600, "timeout"); break;
		case 'W': dump_max = opt_num(optarg, 1024, 1L << 30, "pcap bytes"); break;
		case 'w': dump_dir = optarg; break;
		default: usage();
		}
	}
	if (!n || optind != argc || (pr.icmp_id < 0 && !pr.tcp_port) ||
	    (pr.icmp_id >= 0 && !pr.pattern_len))
		usage();
	for (i = 1, j = 0; i + 1 < argc; i++) {	/* (-n and -i stand alone) */
		if (!strcmp(argv[i], "-n")) {
			join_netns(argv[++i]);
		} else if (!strcmp(argv[i], "-i")) {
			i++;
			if (open_capture(&caps[j++], dump_dir, dump_max) == 0)
				open_n++;
		}
	}
	for (i = 0; i < n; i++)
		caps[i].max_lines = max_lines;
	printf("capturing on %d interfaces\n", open_n);
	for (i = 0; i < n; i++) {
		pfd[2 * i] = (struct pollfd){ .fd = caps[i].out ?
			pcap_get_selectable_fd(caps[i].out) : -1, .events = POLLIN };
		pfd[2 * i + 1] = (struct pollfd){ .fd = caps[i].in ?
			pcap_get_selectable_fd(caps[i].in) : -1, .events = POLLIN };
	}
	deadline = now() + timeout;
	while (now() < deadline && !vpn_stop && !ret) {
		if (poll(pfd, (nfds_t)(2 * n), 50) == -1 && errno != EINTR) {
			fprintf(stderr, "pathcap: poll: %s\n", strerror(errno));
			ret = 2;
		}
		for (i = 0; i < n && !ret; i++)
			if (caps[i].in && (drain(&caps[i], &pr, caps[i].out, "out") ||
					   drain(&caps[i], &pr, caps[i].in, "in"))) {
				printf("{\"at\":\"%s\",\"error\":\"capture failed\"}\n",
				       caps[i].label);
				ret = 2;
			}
	}
	/* What arrived in the last moments before the stop. */
	for (i = 0; i < n; i++) {
		if (!caps[i].in)
			continue;
		if (!ret && (drain(&caps[i], &pr, caps[i].out, "out") ||
			     drain(&caps[i], &pr, caps[i].in, "in")))
			ret = 2;
		finish(&caps[i]);
	}
	return ret;
}
