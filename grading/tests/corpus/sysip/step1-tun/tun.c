/* SPDX-License-Identifier: MIT */
/* tun.c - Step 1: create a TUN interface, configure it and print
 * a one-line summary of every packet the kernel sends into it.
 * (C version of tun.py)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <netinet/tcp.h>
#include <linux/if.h>
#include <linux/if_tun.h>

/* create the tun device, the kernel fills in the real name */
int tun_alloc(char *ifname)
{
    struct ifreq ifr;
    int fd = open("/dev/net/tun", O_RDWR);
    if (fd < 0) {
        perror("open /dev/net/tun");
        exit(1);
    }
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, "tun%d");
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        perror("ioctl TUNSETIFF");
        exit(1);
    }
    strcpy(ifname, ifr.ifr_name);
    return fd;
}

const char *icmp_name(int type)
{
    switch (type) {
    case 0:  return "echo-reply";
    case 3:  return "dest-unreach";
    case 5:  return "redirect";
    case 8:  return "echo-request";
    case 11: return "time-exceeded";
    default: return "unknown";
    }
}

/* something like scapy's ip.summary() */
void print_summary(unsigned char *buf, int len)
{
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

    if (len < 1)
        return;
    if ((buf[0] >> 4) == 6) {
        if (len < 40) {
            printf("INFO:root:short IPv6 packet (%d bytes)\n", len);
            return;
        }
        inet_ntop(AF_INET6, buf + 8, src, sizeof(src));
        inet_ntop(AF_INET6, buf + 24, dst, sizeof(dst));
        printf("INFO:root:IPv6 %s > %s nh=%d\n", src, dst, buf[6]);
        return;
    }
    if ((buf[0] >> 4) != 4 || len < 20) {
        printf("INFO:root:not an IP packet (%d bytes)\n", len);
        return;
    }

    struct iphdr *ip = (struct iphdr *)buf;
    int hl = ip->ihl * 4;
    unsigned char *l4 = buf + hl;
    int l4len = len - hl;
    inet_ntop(AF_INET, &ip->saddr, src, sizeof(src));
    inet_ntop(AF_INET, &ip->daddr, dst, sizeof(dst));

    if (ip->protocol == IPPROTO_ICMP && l4len >= 8) {
        struct icmphdr *icmp = (struct icmphdr *)l4;
        printf("INFO:root:IP / ICMP %s > %s %s %d%s\n", src, dst,
               icmp_name(icmp->type), icmp->code, l4len > 8 ? " / Raw" : "");
    } else if (ip->protocol == IPPROTO_UDP && l4len >= 8) {
        struct udphdr *udp = (struct udphdr *)l4;
        printf("INFO:root:IP / UDP %s:%d > %s:%d%s\n", src, ntohs(udp->source),
               dst, ntohs(udp->dest), l4len > 8 ? " / Raw" : "");
    } else if (ip->protocol == IPPROTO_TCP && l4len >= 20) {
        struct tcphdr *tcp = (struct tcphdr *)l4;
        printf("INFO:root:IP / TCP %s:%d > %s:%d%s%s%s%s\n", src,
               ntohs(tcp->source), dst, ntohs(tcp->dest),
               tcp->syn ? " S" : "", tcp->ack ? " A" : "",
               tcp->fin ? " F" : "", tcp->rst ? " R" : "");
    } else {
        printf("INFO:root:IP %s > %s proto=%d\n", src, dst, ip->protocol);
    }
}

int main(void)
{
    char ifname[IFNAMSIZ];
    char cmd[256];
    unsigned char buf[2048];

    int tun = tun_alloc(ifname);
    printf("INFO:root:Interface name: %s\n", ifname);

    snprintf(cmd, sizeof(cmd), "ip addr add 10.1.3.1/24 dev %s", ifname);
    system(cmd);
    snprintf(cmd, sizeof(cmd), "ip link set dev %s up", ifname);
    system(cmd);

    while (1) {
        /* get a packet from the interface */
        int n = read(tun, buf, sizeof(buf));
        if (n < 0) {
            perror("read");
            exit(1);
        }
        if (n > 0)
            print_summary(buf, n);
    }
    return 0;
}
