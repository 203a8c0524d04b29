/* SPDX-License-Identifier: MIT */
/* tun_ping.c - Step 1: answer ICMP echo requests that come out of the
 * TUN interface (e.g. ping 10.1.3.4) by writing echo replies back into it.
 * (C version of tun_ping.py)
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
#include <linux/if.h>
#include <linux/if_tun.h>

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

/* internet checksum (RFC 1071) */
unsigned short checksum(void *data, int len)
{
    unsigned short *p = data;
    unsigned int sum = 0;
    while (len > 1) {
        sum += *p++;
        len -= 2;
    }
    if (len == 1)
        sum += *(unsigned char *)p;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return ~sum;
}

int main(void)
{
    char ifname[IFNAMSIZ];
    char cmd[256];
    char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
    unsigned char buf[2048];

    int tun = tun_alloc(ifname);
    printf("INFO:root:Interface name: %s\n", ifname);

    snprintf(cmd, sizeof(cmd), "ip addr add 10.1.3.1/24 dev %s", ifname);
    system(cmd);
    snprintf(cmd, sizeof(cmd), "ip link set dev %s up", ifname);
    system(cmd);

    while (1) {
        int n = read(tun, buf, sizeof(buf));
        if (n < 0) {
            perror("read");
            exit(1);
        }
        if (n < 20 || (buf[0] >> 4) != 4) {
            printf("INFO:root:non IPv4 packet (%d bytes), ignored\n", n);
            continue;
        }

        struct iphdr *ip = (struct iphdr *)buf;
        int hl = ip->ihl * 4;
        int len = ntohs(ip->tot_len);
        if (len > n)
            len = n;
        inet_ntop(AF_INET, &ip->saddr, src, sizeof(src));
        inet_ntop(AF_INET, &ip->daddr, dst, sizeof(dst));

        if (ip->protocol != IPPROTO_ICMP || len < hl + 8) {
            printf("INFO:root:IP %s > %s proto=%d\n", src, dst, ip->protocol);
            continue;
        }
        struct icmphdr *icmp = (struct icmphdr *)(buf + hl);
        if (icmp->type != ICMP_ECHO) {
            printf("INFO:root:IP / ICMP %s > %s type=%d\n", src, dst, icmp->type);
            continue;
        }
        printf("INFO:root:IP / ICMP %s > %s echo-request %d\n", src, dst, icmp->code);

        /* turn the request into a reply: swap the addresses,
         * change the type and redo the checksums */
        unsigned int tmp = ip->saddr;
        ip->saddr = ip->daddr;
        ip->daddr = tmp;
        ip->ttl = 64;
        ip->check = 0;
        ip->check = checksum(ip, hl);

        icmp->type = ICMP_ECHOREPLY;
        icmp->code = 0;
        icmp->checksum = 0;
        icmp->checksum = checksum(icmp, len - hl);

        if (write(tun, buf, len) < 0)
            perror("write");
        else
            printf("INFO:root:Sent reply: IP / ICMP %s > %s echo-reply 0\n", dst, src);
    }
    return 0;
}
