/* SPDX-License-Identifier: MIT */
/*
 * tun_ping: Step 1, writing to the interface.  Like tun, but every ICMP echo
 * request that the kernel routes into the TUN interface is answered: the
 * program turns it into an echo reply and write()s that back into the
 * interface.  To the kernel it looks as if 10.1.3.4 had answered, so
 * "ping 10.1.3.4" on useru succeeds.
 *
 * With -x it does the handout's first experiment instead: every IPv4 packet
 * goes back with its source changed to 1.2.3.4 and its destination set to
 * the original source.  Watch what the kernel does with it (tcpdump -ni any).
 *
 *   common/lab useru step1-tun/tun_ping
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "vpn.h"

/* Byte offsets in the IPv4 header (RFC 791) and the ICMP header (RFC 792). */
#define IP_CHECK 10
#define IP_SRC 12
#define IP_DST 16
#define ICMP_TYPE 0
#define ICMP_CHECK 2

/* Store a checksum from in_cksum() at p: it is already in wire order. */
static void put_cksum(uint8_t *p, uint16_t sum)
{
	memcpy(p, &sum, sizeof(sum));
}

/* IPv4, ICMP, a whole (unfragmented) packet, type 8.  ip_parse() has
 * checked every length; ip tells where the ICMP message starts. */
static int is_echo_request(const uint8_t *pkt, size_t len,
			   struct ip_info *ip)
{
	if (ip_parse(pkt, len, ip) != PKT_OK)
		return 0;
	if (ip->version != 4 || ip->proto != IPPROTO_ICMP || ip->is_fragment)
		return 0;
	return ip->l4_len >= sizeof(struct icmphdr) &&
	       ip->l4[ICMP_TYPE] == ICMP_ECHO;
}

static void swap4(uint8_t *a, uint8_t *b)
{
	uint8_t tmp[4];

	memcpy(tmp, a, 4);
	memcpy(a, b, 4);
	memcpy(b, tmp, 4);
}

/* The request becomes its reply, in place.  The ICMP checksum covers the
 * whole message, header and data (odd lengths too: in_cksum() pads). */
static void make_echo_reply(uint8_t *pkt, const struct ip_info *ip)
{
	uint8_t *icmp = pkt + ip->hdr_len;

	swap4(pkt + IP_SRC, pkt + IP_DST);
	put_cksum(pkt + IP_CHECK, 0);
	put_cksum(pkt + IP_CHECK, in_cksum(pkt, ip->hdr_len));

	icmp[ICMP_TYPE] = ICMP_ECHOREPLY;
	put_cksum(icmp + ICMP_CHECK, 0);
	put_cksum(icmp + ICMP_CHECK, in_cksum(icmp, ip->l4_len));
}

/* -x: back to where it came from, "from" 1.2.3.4.  IPv4 only. */
static int make_fake_reply(uint8_t *pkt, size_t len)
{
	static const uint8_t fake_src[4] = { 1, 2, 3, 4 };
	struct ip_info ip;

	if (ip_parse(pkt, len, &ip) != PKT_OK || ip.version != 4)
		return 0;
	memcpy(pkt + IP_DST, pkt + IP_SRC, 4);
	memcpy(pkt + IP_SRC, fake_src, 4);
	put_cksum(pkt + IP_CHECK, 0);
	put_cksum(pkt + IP_CHECK, in_cksum(pkt, ip.hdr_len));
	return 1;
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_CLIENT;
	char ifname[IFNAMSIZ];
	/* Aligned, so that the IP and ICMP headers can be used in place. */
	_Alignas(4) uint8_t buf[PKT_BUFSIZE];
	struct ip_info ip;
	ssize_t n;
	int tun;

	log_init();
	opt_parse(argc, argv, "aix", &o);
	vpn_signals();

	tun = vpn_tun_open(o.ifname, ifname);	/* as in tun.c */
	vpn_tun_config(ifname, o.addr, 0);
	log_info("Interface name: %s", ifname);

	while (!vpn_stop) {
		n = read(tun, buf, sizeof(buf));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("read from %s: %s", ifname, strerror(errno));
		}
		vpn_log_packet(NULL, buf, (size_t)n);

		if (o.experiment) {
			if (!make_fake_reply(buf, (size_t)n))
				continue;
		} else if (is_echo_request(buf, (size_t)n, &ip)) {
			make_echo_reply(buf, &ip);
		} else {
			continue;	/* IPv6, TCP, replies...: not ours */
		}

		if (write(tun, buf, (size_t)n) == -1) {
			log_warn("write to %s: %s", ifname, strerror(errno));
			continue;
		}
		vpn_log_packet("Sent back", buf, (size_t)n);
	}

	close(tun);
	log_info("stopped: %s removed", ifname);
	return 0;
}
