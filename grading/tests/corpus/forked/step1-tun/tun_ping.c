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

/* Whether buf is an IPv4 ICMP echo request we can answer.  ip_parse()
 * checks the header and length fields (and the IP checksum) first. */
static int is_echo_request(const uint8_t *buf, size_t len)
{
	struct ip_info ip;
	struct icmp_info icmp;

	if (ip_parse(buf, len, &ip) != PKT_OK)
		return 0;
	if (ip.version != 4 || ip.proto != IPPROTO_ICMP || ip.is_fragment)
		return 0;
	if (icmp_parse(ip.l4, ip.l4_len, &icmp) != 0)
		return 0;
	return icmp.type == ICMP_ECHO;
}

/* Recompute the IPv4 header checksum (header only, ihl * 4 bytes). */
static void fix_ip_checksum(struct iphdr *ip)
{
	ip->check = 0;
	ip->check = in_cksum(ip, (size_t)ip->ihl * 4);
}

/*
 * Turn the echo request in buf (len bytes, checked by is_echo_request())
 * into its reply: addresses swapped, type 0, both checksums again.  Id,
 * sequence and data stay as they are, or ping would not match the reply.
 */
static void make_echo_reply(uint8_t *buf, size_t len)
{
	struct iphdr *ip = (struct iphdr *)buf;
	size_t hlen = (size_t)ip->ihl * 4;
	struct icmphdr *icmp = (struct icmphdr *)(buf + hlen);
	uint32_t addr = ip->saddr;

	ip->saddr = ip->daddr;
	ip->daddr = addr;
	fix_ip_checksum(ip);

	icmp->type = ICMP_ECHOREPLY;
	icmp->checksum = 0;
	icmp->checksum = in_cksum(icmp, len - hlen);	/* the whole message */
}

/* -x: the handout's packet "from 1.2.3.4" back to the sender.  Returns 0
 * (nothing to send) if buf is not an IPv4 packet. */
static int make_fake_reply(uint8_t *buf, size_t len)
{
	struct iphdr *ip = (struct iphdr *)buf;
	struct ip_info info;

	if (ip_parse(buf, len, &info) != PKT_OK || info.version != 4)
		return 0;
	ip->daddr = ip->saddr;
	inet_pton(AF_INET, "1.2.3.4", &ip->saddr);
	fix_ip_checksum(ip);	/* payload unchanged: ICMP sum still good */
	return 1;
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_CLIENT;
	char ifname[IFNAMSIZ];
	/* Aligned, so that the IP and ICMP headers can be used in place. */
	_Alignas(4) uint8_t buf[PKT_BUFSIZE];
	ssize_t n;
	int tun, answer;

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
			answer = make_fake_reply(buf, (size_t)n);
		} else {
			answer = is_echo_request(buf, (size_t)n);
			if (answer)
				make_echo_reply(buf, (size_t)n);
		}
		if (!answer)
			continue;

		if (write(tun, buf, (size_t)n) != n) {
			log_warn("write to %s: %s", ifname, strerror(errno));
			continue;
		}
		vpn_log_packet("Sent back", buf, (size_t)n);
	}

	close(tun);
	log_info("stopped: %s removed", ifname);
	return 0;
}
