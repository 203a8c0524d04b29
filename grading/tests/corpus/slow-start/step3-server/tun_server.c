/* SPDX-License-Identifier: MIT */
/* tun_server.c - Lab 4 step 3
 * VPN server (one direction only): TUN interface tun0 on the server,
 * receive IP packets on UDP port 9090 and write them into the TUN so the
 * kernel routes them to the private network.
 *
 * The server's tun0 gets 10.1.3.2/24: it has to be in 10.1.3.0/24 so the
 * kernel has a route to the vpn clients through tun0, but it must not be
 * 10.1.3.1 (that is useru's address, replies to it have to go into tun0,
 * not be delivered locally).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_tun.h>

#define IP_ADDR "0.0.0.0"
#define PORT 9090

int main(void)
{
    struct ifreq ifr;
    struct sockaddr_in addr, from;
    socklen_t fromlen;
    unsigned char buf[2048];
    int tun, sock;

    tun = open("/dev/net/tun", O_RDWR);
    if (tun < 0) {
        perror("open /dev/net/tun");
        return 1;
    }

    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    strcpy(ifr.ifr_name, "tun0");
    if (ioctl(tun, TUNSETIFF, &ifr) < 0) {
        perror("ioctl TUNSETIFF");
        return 1;
    }
    printf("Interface name: %s\n", ifr.ifr_name);
    fflush(stdout);

    /* give the interface some time to settle */
    usleep(1500000);

    if (system("ip addr add 10.1.3.2/24 dev tun0 && ip link set tun0 up") != 0) {
        printf("warning: could not configure tun0\n");
        fflush(stdout);
    }

    /* the server is a router */
    if (system("sysctl -w net.ipv4.ip_forward=1") != 0) {
        printf("warning: could not turn on ip_forward\n");
    }
    fflush(stdout);

    sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0) {
        perror("socket");
        return 1;
    }

    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons(PORT);
    addr.sin_addr.s_addr = inet_addr(IP_ADDR);

    sleep(1);
    if (bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        perror("bind");
        return 1;
    }
    printf("Start UDP server on port %d\n", PORT);
    fflush(stdout);

    while (1) {
        int n;

        fromlen = sizeof(from);
        n = recvfrom(sock, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
        if (n < 0) {
            perror("recvfrom");
            continue;
        }

        printf("%s:%d --> %s:%d (%d bytes)\n", inet_ntoa(from.sin_addr),
               ntohs(from.sin_port), IP_ADDR, PORT, n);
        if (n >= 20 && (buf[0] >> 4) == 4) {
            char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, buf + 12, src, sizeof(src));
            inet_ntop(AF_INET, buf + 16, dst, sizeof(dst));
            printf("    Inside: %s ---> %s, writing to tun0\n", src, dst);
        } else {
            printf("    Inside: not ipv4, writing to tun0 anyway\n");
        }
        fflush(stdout);

        if (write(tun, buf, n) < 0)
            perror("write tun");
    }

    return 0;
}
