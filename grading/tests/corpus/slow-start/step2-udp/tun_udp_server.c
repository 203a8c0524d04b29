/* SPDX-License-Identifier: MIT */
/* tun_udp_server.c - Lab 4 step 2
 * UDP server on 0.0.0.0:9090, every datagram is supposed to be an IP packet,
 * print who sent it and the src/dst of the packet inside.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#define IP_ADDR "0.0.0.0"
#define PORT 9090

int main(void)
{
    struct sockaddr_in addr, from;
    socklen_t fromlen;
    unsigned char buf[2048];
    int sock;

    printf("Start UDP server on port %d\n", PORT);
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

    while (1) {
        char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
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
            inet_ntop(AF_INET, buf + 12, src, sizeof(src));
            inet_ntop(AF_INET, buf + 16, dst, sizeof(dst));
            printf("    Inside: %s ---> %s\n", src, dst);
        } else if (n >= 40 && (buf[0] >> 4) == 6) {
            char src6[INET6_ADDRSTRLEN], dst6[INET6_ADDRSTRLEN];
            inet_ntop(AF_INET6, buf + 8, src6, sizeof(src6));
            inet_ntop(AF_INET6, buf + 24, dst6, sizeof(dst6));
            printf("    Inside (ipv6): %s ---> %s\n", src6, dst6);
        } else {
            printf("    Inside: not an ip packet?\n");
        }
        fflush(stdout);
    }

    return 0;
}
