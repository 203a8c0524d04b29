/* SPDX-License-Identifier: MIT */
/* tun_server.c - Step 4: bidirectional VPN server.
 * UDP from client -> TUN (kernel routes it into the private LAN), and
 * TUN -> UDP back to the client, using select() on both descriptors.
 *
 * The server's TUN is 10.1.3.2/24 (same subnet as the client's 10.1.3.1,
 * but a different address), so replies from userv/userw to 10.1.3.x that
 * come in via 10.1.1.4 are routed by the kernel into our TUN.
 * The client's address is taken from the last recvfrom().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/select.h>
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
    struct sockaddr_in addr, from, client;
    socklen_t fromlen;
    int have_client = 0;
    fd_set readfds;

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

    int maxfd = (tun > sock ? tun : sock) + 1;

    while (1) {
        FD_ZERO(&readfds);
        FD_SET(sock, &readfds);
        FD_SET(tun, &readfds);
        if (select(maxfd, &readfds, NULL, NULL, NULL) < 0) {
            perror("select");
            exit(1);
        }

        if (FD_ISSET(sock, &readfds)) {
            fromlen = sizeof(from);
            int n = recvfrom(sock, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
            if (n > 0) {
                /* remember who the client is so we can send stuff back */
                client = from;
                have_client = 1;
                printf("INFO:root:%s:%d --> %s:%d\n", inet_ntoa(from.sin_addr),
                       ntohs(from.sin_port), IP_ADDR, PORT);
                get_addrs(buf, n, src, dst);
                printf("INFO:root:From socket <==: %s --> %s\n", src, dst);
                if (write(tun, buf, n) < 0)
                    perror("write");
            }
        }

        if (FD_ISSET(tun, &readfds)) {
            int n = read(tun, buf, sizeof(buf));
            if (n > 0) {
                get_addrs(buf, n, src, dst);
                printf("INFO:root:From tun ==>: %s --> %s\n", src, dst);
                if (!have_client) {
                    printf("INFO:root:    no client yet, dropping packet\n");
                } else if (sendto(sock, buf, n, 0, (struct sockaddr *)&client, sizeof(client)) < 0) {
                    perror("sendto");
                }
            }
        }
    }
    return 0;
}
