/* SPDX-License-Identifier: MIT */
/* tun_client.c - Step 2: read packets from a TUN interface and send each
 * one to the VPN server (10.1.2.3:9090) as the payload of a UDP datagram.
 * (C version of tun_client.py)
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

#define SERVER_IP "10.1.2.3"
#define SERVER_PORT 9090

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
    struct sockaddr_in server;

    int tun = tun_alloc(ifname);
    printf("INFO:root:Interface name: %s\n", ifname);

    snprintf(cmd, sizeof(cmd), "ip addr add 10.1.3.1/24 dev %s", ifname);
    system(cmd);
    snprintf(cmd, sizeof(cmd), "ip link set dev %s up", ifname);
    system(cmd);

    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0) {
        perror("socket");
        exit(1);
    }
    memset(&server, 0, sizeof(server));
    server.sin_family = AF_INET;
    server.sin_addr.s_addr = inet_addr(SERVER_IP);
    server.sin_port = htons(SERVER_PORT);

    /* main TUN loop */
    while (1) {
        /* grab a packet from the TUN interface */
        int n = read(tun, buf, sizeof(buf));
        if (n < 0) {
            perror("read");
            exit(1);
        }
        if (n == 0)
            continue;

        get_addrs(buf, n, src, dst);
        printf("INFO:root:From tun ==>: %s --> %s\n", src, dst);

        /* the whole IP packet is the UDP payload */
        if (sendto(sock, buf, n, 0, (struct sockaddr *)&server, sizeof(server)) < 0)
            perror("sendto");
    }
    return 0;
}
