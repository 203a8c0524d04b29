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

/*
 * Length of the IPv4 header if buf holds one whole IPv4 packet (header
 * length and total length agree with what we read), else 0.
 */
static size_t ipv4_header_len(const uint8_t *buf, size_t len)
{
	const struct iphdr *ip = (const struct iphdr *)buf;
	size_t hlen;

	if (len < sizeof(struct iphdr) || ip->version != 4)
		return 0;
	hlen = (size_t)ip->ihl * 4;
	if (hlen < sizeof(struct iphdr) || hlen > len)
		return 0;
	if (ntohs(ip->tot_len) != len)
		return 0;
	return hlen;
}

/* An IPv4 ICMP echo request, not a fragment, with a whole ICMP header. */
static int is_echo_request(const uint8_t *buf, size_t len)
{
	const struct iphdr *ip = (const struct iphdr *)buf;
	const struct icmphdr *icmp;
	size_t hlen = ipv4_header_len(buf, len);

	if (hlen == 0)
		return 0;
	if (ip->protocol != IPPROTO_ICMP)
		return 0;
	if (ntohs(ip->frag_off) & (IP_MF | IP_OFFMASK))
		return 0;
	if (len - hlen < sizeof(struct icmphdr))
		return 0;
	icmp = (const struct icmphdr *)(buf + hlen);
	return icmp->type == ICMP_ECHO;
}

/* Turn the request in buf into its reply, in place. */
static void make_echo_reply(uint8_t *buf, size_t len)
{
	struct iphdr *ip = (struct iphdr *)buf;
	size_t hlen = (size_t)ip->ihl * 4;
	struct icmphdr *icmp = (struct icmphdr *)(buf + hlen);
	uint32_t tmp;

	tmp = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = tmp;
	ip->check = 0;
	ip->check = in_cksum(ip, hlen);		/* header only */

	icmp->type = ICMP_ECHOREPLY;
	icmp->checksum = 0;
	icmp->checksum = in_cksum(icmp, len - hlen);	/* header + data */
}

/* -x: send the packet back to its source, from 1.2.3.4.  0 if not IPv4. */
static int make_fake_reply(uint8_t *buf, size_t len)
{
	struct iphdr *ip = (struct iphdr *)buf;
	size_t hlen = ipv4_header_len(buf, len);

	if (hlen == 0)
		return 0;
	ip->daddr = ip->saddr;
	ip->saddr = htonl(0x01020304);
	ip->check = 0;
	ip->check = in_cksum(ip, hlen);
	return 1;
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_CLIENT;
	char ifname[IFNAMSIZ];
	/* Aligned, so that the IP and ICMP headers can be used in place. */
	_Alignas(4) uint8_t buf[PKT_BUFSIZE];
	ssize_t n, w;
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
		} else {
			if (!is_echo_request(buf, (size_t)n))
				continue;	/* only echo requests get an answer */
			make_echo_reply(buf, (size_t)n);
		}

		w = write(tun, buf, (size_t)n);
		if (w == -1)
			log_warn("write to %s: %s", ifname, strerror(errno));
		else if (w != n)
			log_warn("write to %s: wrote %zd of %zd bytes", ifname,
				 w, n);
		else
			vpn_log_packet("Sent back", buf, (size_t)n);
	}

	close(tun);
	log_info("stopped: %s removed", ifname);
	return 0;
}
