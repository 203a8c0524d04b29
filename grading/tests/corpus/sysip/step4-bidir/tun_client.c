/* SPDX-License-Identifier: MIT */
/* tun_client.c - Step 4: bidirectional VPN client.
 * TUN -> UDP to server 10.1.2.3:9090, and UDP from server -> TUN,
 * using select() to wait on both descriptors.
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
    struct sockaddr_in server, from;
    socklen_t fromlen;
    fd_set readfds;

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

    int maxfd = (tun > sock ? tun : sock) + 1;

    while (1) {
        /* block until at least one of them is ready */
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
            /* only what comes from our server (the README says so) */
            if (n > 0 && (from.sin_addr.s_addr != server.sin_addr.s_addr ||
                          from.sin_port != server.sin_port)) {
                printf("INFO:root:dropped a datagram from %s:%d\n",
                       inet_ntoa(from.sin_addr), ntohs(from.sin_port));
            } else if (n > 0) {
                get_addrs(buf, n, src, dst);
                printf("INFO:root:From socket <==: %s --> %s\n", src, dst);
                /* give the packet to our kernel */
                if (write(tun, buf, n) < 0)
                    perror("write");
            }
        }

        if (FD_ISSET(tun, &readfds)) {
            int n = read(tun, buf, sizeof(buf));
            if (n > 0) {
                get_addrs(buf, n, src, dst);
                printf("INFO:root:From tun ==>: %s --> %s\n", src, dst);
                /* send it through the tunnel to the server */
                if (sendto(sock, buf, n, 0, (struct sockaddr *)&server, sizeof(server)) < 0)
                    perror("sendto");
            }
        }
    }
    return 0;
}
