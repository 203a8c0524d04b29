/*
 * tun_ping: Step 1, writing to the interface.  Like tun, but every ICMP echo
 * request that the kernel routes into the TUN interface is answered: the
 * program writes an echo reply back into the interface, and to the kernel it
 * looks as if 10.1.3.4 had answered, so "ping 10.1.3.4" on useru succeeds.
 *
 * With -x it does the handout's first experiment instead: every IPv4 packet
 * goes back with its source changed to 1.2.3.4 and its destination set to
 * the original source.  Watch what the kernel does with it (tcpdump -ni any).
 *
 *   sudo common/lab useru step1-tun/tun_ping
 */
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <unistd.h>

#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "vpn.h"

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
 * Turn an echo request into its reply, in place: swap the addresses, change
 * the type, and compute both checksums again.  Identifier, sequence number
 * and data stay as they are: that is how ping matches the reply.
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

/* The handout's experiment: from 1.2.3.4 back to the sender.  The payload
 * is not touched, so only the IP header checksum changes. */
static void make_fake_reply(uint8_t *pkt)
{
	struct iphdr *ip = (struct iphdr *)pkt;

	ip->daddr = ip->saddr;
	ip->saddr = htonl(0x01020304);
	ip->check = 0;
	ip->check = in_cksum(ip, (size_t)ip->ihl * 4);
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_CLIENT;
	char ifname[IFNAMSIZ];
	/* Aligned, so that the IP and ICMP headers can be used in place. */
	_Alignas(4) uint8_t buf[PKT_BUFSIZE];
	struct drops drops = { 0 };
	struct ip_info ip;
	ssize_t n;
	int tun;

	log_init();
	opt_parse(argc, argv, "aix", &o);
	vpn_signals();

	tun = vpn_tun_up(o.ifname, o.addr, 0, ifname);
	log_info("Interface name: %s", ifname);

	while (!vpn_stop) {
		n = vpn_read(tun, buf, sizeof(buf));
		if (n < 0)
			continue;
		vpn_log_packet(NULL, buf, (size_t)n);
		if (o.experiment && ip_parse(buf, (size_t)n, &ip) == PKT_OK &&
		    ip.version == 4) {
			make_fake_reply(buf);
		} else if (!o.experiment && is_echo_request(buf, (size_t)n)) {
			make_echo_reply(buf, (size_t)n);
		} else {
			continue;	/* not ours to answer */
		}
		vpn_log_packet("Sent back", buf, (size_t)n);
		vpn_write(tun, buf, (size_t)n, &drops);
	}

	close(tun);
	drop_report(&drops);
	log_info("stopped: %s removed", ifname);
	return 0;
}
