/* SPDX-License-Identifier: MIT */
/* tun_server.c - Step 3: VPN server (one direction only).
 * Receives tunneled IP packets on UDP port 9090 and writes them into a
 * TUN interface so the kernel routes them to the private network.
 * (C version of tun_server.py)
 *
 * The server's TUN gets 10.1.3.2/24: it must be inside 10.1.3.0/24 so the
 * kernel has a route for the tunnel network through the TUN (needed for
 * the replies in step 4, and so rp_filter accepts packets from 10.1.3.1),
 * but it must not be 10.1.3.1 because that is the client's address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/if.h>
#include <linux/if_tun.h>

#define IP_ADDR "0.0.0.0"
#define PORT 9090
#define TUN_ADDR "10.1.3.2/24"

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

void get_addrs(unsigned char *pkt, int len, char *src, char *dst)
{
    strcpy(src, "?");
    strcpy(dst, "?");
    if (len >= 20 && (pkt[0] >> 4) == 4) {
        inet_ntop(AF_INET, pkt + 12, src, INET6_ADDRSTRLEN);
        inet_ntop(AF_INET, pkt + 16, dst, INET6_ADDRSTRLEN);
    } else if (len >= 40 && (pkt[0] >> 4) == 6) {
        inet_ntop(AF_INET6, pkt + 8, src, INET6_ADDRSTRLEN);
        inet_ntop(AF_INET6, pkt + 24, dst, INET6_ADDRSTRLEN);
    }
}

int main(void)
{
    char ifname[IFNAMSIZ];
    char cmd[256];
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
    unsigned char buf[2048];
    struct sockaddr_in addr, from;
    socklen_t fromlen;

    int tun = tun_alloc(ifname);
    printf("INFO:root:Interface name: %s\n", ifname);

    snprintf(cmd, sizeof(cmd), "ip addr add %s dev %s", TUN_ADDR, ifname);
    system(cmd);
    snprintf(cmd, sizeof(cmd), "ip link set dev %s up", ifname);
    system(cmd);

    printf("INFO:root:Start UDP server on port %d\n", PORT);
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0) {
        perror("socket");
        exit(1);
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = inet_addr(IP_ADDR);
    addr.sin_port = htons(PORT);
    if (bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        perror("bind");
        exit(1);
    }

    while (1) {
        fromlen = sizeof(from);
        int n = recvfrom(sock, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
        if (n < 0) {
            perror("recvfrom");
            continue;
        }
        printf("INFO:root:%s:%d --> %s:%d\n", inet_ntoa(from.sin_addr),
               ntohs(from.sin_port), IP_ADDR, PORT);
        get_addrs(buf, n, src, dst);
        printf("INFO:root:    Inside: %s ---> %s\n", src, dst);

        /* hand the inner packet to the kernel for routing */
        if (write(tun, buf, n) < 0)
            perror("write");
    }
    return 0;
}
