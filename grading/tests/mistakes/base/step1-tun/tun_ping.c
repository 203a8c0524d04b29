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
 *   sudo common/lab useru step1-tun/tun_ping
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "tun.h"
#include "vpn.h"

/*
 * The Internet checksum (RFC 1071): add up the data as 16-bit words, add
 * the carries back in, and store the complement.  Done on the bytes as they
 * are in memory, so the result can be stored without htons().  An odd last
 * byte counts as if it were followed by a zero byte.
 */
static uint16_t checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	uint16_t word;

	while (len > 1) {
		memcpy(&word, p, 2);
		sum += word;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		word = 0;
		memcpy(&word, p, 1);	/* the last byte, then a zero */
		sum += word;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Is buf (n bytes) an IPv4 ICMP echo request, whole (not a fragment)? */
static int is_echo_request(const uint8_t *buf, size_t n)
{
	struct ip_info ip;
	struct icmp_info icmp;

	if (ip_parse(buf, n, &ip) != PKT_OK)
		return 0;
	if (ip.version != 4 || ip.proto != IPPROTO_ICMP || ip.is_fragment)
		return 0;
	if (icmp_parse(ip.l4, ip.l4_len, &icmp) == -1)
		return 0;
	return icmp.type == ICMP_ECHO && icmp.code == 0;
}

/*
 * Turn the echo request in buf (n bytes) into its reply, in place: swap
 * the addresses, type 0, and both checksums again.  Id, sequence and data
 * stay as ping sent them.
 */
static void make_echo_reply(uint8_t *buf, size_t n)
{
	struct iphdr *ip = (struct iphdr *)buf;
	size_t hlen = ip->ihl * 4;
	struct icmphdr *icmp = (struct icmphdr *)(buf + hlen);
	uint32_t tmp;

	tmp = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = tmp;
	ip->check = 0;
	ip->check = checksum(ip, hlen);		/* the IP header only */

	icmp->type = ICMP_ECHOREPLY;
	icmp->code = 0;
	icmp->checksum = 0;
	icmp->checksum = checksum(icmp, n - hlen);	/* header and data */
}

/*
 * The handout's experiment: the same packet back to its source, but
 * "from" 1.2.3.4.  Only the IP header changes, so only its checksum.
 * Returns 0 if buf is no IPv4 packet (then it is left alone).
 */
static int make_fake_reply(uint8_t *buf, size_t n)
{
	struct ip_info info;
	struct iphdr *ip = (struct iphdr *)buf;

	if (ip_parse(buf, n, &info) != PKT_OK || info.version != 4)
		return 0;
	ip->daddr = ip->saddr;
	ip->saddr = htonl(0x01020304);		/* 1.2.3.4 */
	ip->check = 0;
	ip->check = checksum(ip, ip->ihl * 4);
	return 1;
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_CLIENT;
	char ifname[IFNAMSIZ];
	struct ifreq ifr;
	/* Aligned, so that the IP and ICMP headers can be used in place. */
	_Alignas(4) uint8_t buf[PKT_BUFSIZE];
	ssize_t n, w;
	int tun;

	log_init();
	opt_parse(argc, argv, "aix", &o);
	vpn_signals();

	/* the TUN interface, opened by hand as in tun.c */
	tun = open("/dev/net/tun", O_RDWR);
	if (tun == -1)
		log_fatal("cannot open /dev/net/tun: %s — %s", strerror(errno),
			  tun_hint(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;	/* bare IP packets */
	strncpy(ifr.ifr_name, o.ifname, IFNAMSIZ - 1);
	if (ioctl(tun, TUNSETIFF, &ifr) == -1)
		log_fatal("cannot create TUN interface '%s': %s — %s", o.ifname,
			  strerror(errno), tun_hint(errno));
	memcpy(ifname, ifr.ifr_name, IFNAMSIZ);
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
				continue;	/* IPv6, not ICMP, not a request */
			make_echo_reply(buf, (size_t)n);
		}
		w = write(tun, buf, (size_t)n);
		if (w == -1) {
			log_warn("write to %s: %s", ifname, strerror(errno));
			continue;
		}
		if (w != n)
			log_warn("write to %s: %zd of %zd bytes", ifname, w, n);
		vpn_log_packet("Sent back", buf, (size_t)n);
	}

	close(tun);
	log_info("stopped: %s removed", ifname);
	return 0;
}
