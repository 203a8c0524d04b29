/* SPDX-License-Identifier: MIT */
/* tun_udp_server.c - Step 2: dummy UDP server on port 9090 that prints
 * the IP packet found inside every datagram.
 * (C version of tun_udp_server.py)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#define IP_ADDR "0.0.0.0"
#define PORT 9090

/* pull the source and destination address out of a raw IP packet */
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
    struct sockaddr_in addr, from;
    socklen_t fromlen;
    unsigned char buf[2048];
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

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

    /* main server loop */
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
    }
    return 0;
}
