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
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "vpn.h"

/* SOLUTION: write is_echo_request(), which says whether a packet is an
 * IPv4 ICMP echo request (ip_parse() and icmp_parse() in common/pkt.h
 * check the lengths for you), and make_echo_reply(), which turns one into
 * its echo reply in place: swap the addresses, change the type, and compute
 * both checksums again with in_cksum() (set the field to 0 first).  For -x,
 * write make_fake_reply(): the handout's packet from 1.2.3.4. */
static int is_echo_request(const uint8_t *pkt, size_t len)
{
	struct ip_info ip;
	struct icmp_info icmp;

	return ip_parse(pkt, len, &ip) == PKT_OK && ip.version == 4 &&
	       ip.proto == IPPROTO_ICMP && !ip.is_fragment &&
	       icmp_parse(ip.l4, ip.l4_len, &icmp) == 0 &&
	       icmp.type == ICMP_ECHO;
}

/*
 * Identifier, sequence number and data stay as they are: that is how ping
 * matches the reply to its request.
 */
static void make_echo_reply(uint8_t *pkt, size_t len)
{
	struct iphdr *ip = (struct iphdr *)pkt;
	size_t hlen = (size_t)ip->ihl * 4;
	struct icmphdr *icmp = (struct icmphdr *)(pkt + hlen);
	uint32_t src = ip->saddr;

	ip->saddr = ip->daddr;
	ip->daddr = src;
	ip->ttl = 64;
	ip->check = 0;
	ip->check = in_cksum(ip, hlen);

	icmp->type = ICMP_ECHOREPLY;
	icmp->checksum = 0;
	icmp->checksum = in_cksum(icmp, len - hlen);
}

/* The payload is not touched, so only the IP header checksum changes. */
static void make_fake_reply(uint8_t *pkt)
{
	struct iphdr *ip = (struct iphdr *)pkt;

	ip->daddr = ip->saddr;
	ip->saddr = htonl(0x01020304);
	ip->check = 0;
	ip->check = in_cksum(ip, (size_t)ip->ihl * 4);
}

/* END SOLUTION */

int main(int argc, char *argv[])
{
	struct opts o = OPTS_CLIENT;
	char ifname[IFNAMSIZ];
	/* Aligned, so that the IP and ICMP headers can be used in place. */
	_Alignas(4) uint8_t buf[PKT_BUFSIZE];
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
		/* SOLUTION: if the packet is an echo request, make it its
		 * reply and write(2) that back into the TUN descriptor: one
		 * write() is one whole packet into the kernel.  If write()
		 * fails, say why (log_warn()) and carry on.  With -x
		 * (o.experiment), send every IPv4 packet back from 1.2.3.4
		 * instead. */
		struct ip_info ip;

		if (o.experiment && ip_parse(buf, (size_t)n, &ip) == PKT_OK &&
		    ip.version == 4)
			make_fake_reply(buf);
		else if (!o.experiment && is_echo_request(buf, (size_t)n))
			make_echo_reply(buf, (size_t)n);
		else
			continue;	/* not ours to answer */
		vpn_log_packet("Sent back", buf, (size_t)n);
		if (write(tun, buf, (size_t)n) == -1)
			log_warn("write to %s: %s", ifname, strerror(errno));
		/* END SOLUTION */
	}

	close(tun);
	log_info("stopped: %s removed", ifname);
	return 0;
}
