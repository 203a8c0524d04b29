/* SPDX-License-Identifier: MIT */
/*
 * tun_udp_server.c - Step 2 (tun_udp_server.py in C), runs on server
 *
 * UDP server on 0.0.0.0:9090.  Every datagram is supposed to carry a
 * whole IP packet, so for each one we print (to stderr) who sent it
 * and the source/destination of the packet inside.
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -o tun_udp_server tun_udp_server.c
 * Run: ./tun_udp_server
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#define IP_ADDR  "0.0.0.0"
#define PORT     9090
#define BUFSIZE  65536

static unsigned char buf[BUFSIZE];

static int set_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0) {
        perror("fcntl F_GETFL");
        return -1;
    }
    if (fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        perror("fcntl F_SETFL");
        return -1;
    }
    return 0;
}

/* print the addresses of the IP packet inside the datagram */
static void print_inside(const unsigned char *p, size_t len)
{
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

    if (len >= 20 && (p[0] >> 4) == 4) {
        inet_ntop(AF_INET, p + 12, src, sizeof(src));
        inet_ntop(AF_INET, p + 16, dst, sizeof(dst));
    } else if (len >= 40 && (p[0] >> 4) == 6) {
        inet_ntop(AF_INET6, p + 8, src, sizeof(src));
        inet_ntop(AF_INET6, p + 24, dst, sizeof(dst));
    } else {
        fprintf(stderr, "    Inside: not an IP packet (%zu bytes)\n", len);
        return;
    }
    fprintf(stderr, "    Inside: %s ---> %s\n", src, dst);
}

int main(void)
{
    struct sockaddr_in addr;
    struct pollfd pfd;
    int sock;

    fprintf(stderr, "Start UDP server on port %d\n", PORT);

    sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0) {
        perror("socket");
        return 1;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons(PORT);
    if (inet_pton(AF_INET, IP_ADDR, &addr.sin_addr) != 1) {
        fprintf(stderr, "bad address %s\n", IP_ADDR);
        return 1;
    }
    if (bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        perror("bind");
        return 1;
    }
    if (set_nonblock(sock) < 0)
        return 1;

    for (;;) {
        pfd.fd = sock;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("poll");
            return 1;
        }
        if (pfd.revents & POLLNVAL) {
            fprintf(stderr, "poll: bad socket\n");
            return 1;
        }

        /* drain the socket until it would block */
        for (;;) {
            struct sockaddr_in from;
            socklen_t fromlen = sizeof(from);
            char ip[INET_ADDRSTRLEN];
            ssize_t n;

            n = recvfrom(sock, buf, sizeof(buf), 0,
                         (struct sockaddr *)&from, &fromlen);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                perror("recvfrom");
                return 1;
            }
            inet_ntop(AF_INET, &from.sin_addr, ip, sizeof(ip));
            fprintf(stderr, "%s:%d --> %s:%d\n",
                    ip, ntohs(from.sin_port), IP_ADDR, PORT);
            print_inside(buf, (size_t)n);
        }
    }
}
