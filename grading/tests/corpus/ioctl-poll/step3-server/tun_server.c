/* SPDX-License-Identifier: MIT */
/*
 * tun_server.c - Step 3 (tun_server.py in C), runs on server
 *
 * Creates tun0 with 10.1.3.2/24, receives UDP datagrams on port 9090
 * and writes the IP packet inside each one into the TUN, so the kernel
 * routes it (ip_forward=1) to the private network 10.1.1.0/24.
 *
 * The server's TUN address is in 10.1.3.0/24 (but not 10.1.3.1, that
 * is useru) so that the kernel adds the route "10.1.3.0/24 dev tun0".
 * Then the tunnelled packets (source 10.1.3.1) pass the reverse path
 * check, and in step 4 the replies to 10.1.3.x go back into the tun.
 *
 * Prints nothing during normal operation (errors go to stderr).
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -o tun_server tun_server.c
 * Run as root: ./tun_server
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_tun.h>

#define TUN_NAME  "tun0"
#define TUN_ADDR  "10.1.3.2"
#define TUN_MASK  "255.255.255.0"
#define IP_ADDR   "0.0.0.0"
#define PORT      9090
#define BUFSIZE   65536

static unsigned char buf[BUFSIZE];

/* open /dev/net/tun and attach to a TUN device called name */
static int tun_open(const char *name)
{
    struct ifreq ifr;
    int fd;

    fd = open("/dev/net/tun", O_RDWR);
    if (fd < 0) {
        perror("open /dev/net/tun");
        return -1;
    }

    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        perror("ioctl TUNSETIFF");
        if (close(fd) < 0)
            perror("close");
        return -1;
    }
    return fd;
}

/* SIOCSIFADDR or SIOCSIFNETMASK with an IPv4 address given as a string */
static int set_ipv4(int sock, const char *ifname, unsigned long req,
                    const char *addr)
{
    struct ifreq ifr;
    struct sockaddr_in sin;

    memset(&ifr, 0, sizeof(ifr));
    memset(&sin, 0, sizeof(sin));
    strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
    sin.sin_family = AF_INET;
    if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
        fprintf(stderr, "bad address %s\n", addr);
        return -1;
    }
    /* ifr_addr and ifr_netmask are the same union member */
    memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
    if (ioctl(sock, req, &ifr) < 0) {
        perror(req == SIOCSIFADDR ? "ioctl SIOCSIFADDR"
                                  : "ioctl SIOCSIFNETMASK");
        return -1;
    }
    return 0;
}

/* same as "ip addr add addr/mask dev ifname; ip link set dev ifname up" */
static int tun_config(const char *ifname, const char *addr, const char *mask)
{
    struct ifreq ifr;
    int sock;

    sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0) {
        perror("socket");
        return -1;
    }

    if (set_ipv4(sock, ifname, SIOCSIFADDR, addr) < 0 ||
        set_ipv4(sock, ifname, SIOCSIFNETMASK, mask) < 0) {
        if (close(sock) < 0)
            perror("close");
        return -1;
    }

    memset(&ifr, 0, sizeof(ifr));
    strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
    if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) {
        perror("ioctl SIOCGIFFLAGS");
        if (close(sock) < 0)
            perror("close");
        return -1;
    }
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) {
        perror("ioctl SIOCSIFFLAGS");
        if (close(sock) < 0)
            perror("close");
        return -1;
    }

    if (close(sock) < 0) {
        perror("close");
        return -1;
    }
    return 0;
}

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

/* only IPv4/IPv6 packets can be written into a TUN without PI header */
static int looks_like_ip(const unsigned char *p, size_t len)
{
    if (len >= 20 && (p[0] >> 4) == 4)
        return 1;
    if (len >= 40 && (p[0] >> 4) == 6)
        return 1;
    return 0;
}

/* write one packet into the tun, errors are reported but not fatal */
static void tun_write(int tun, const unsigned char *p, size_t len)
{
    for (;;) {
        ssize_t n = write(tun, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                perror("write tun");
        } else if ((size_t)n != len) {
            fprintf(stderr, "write tun: short write\n");
        }
        return;
    }
}

int main(void)
{
    struct sockaddr_in addr;
    struct pollfd pfd;
    int tun, sock;

    tun = tun_open(TUN_NAME);
    if (tun < 0)
        return 1;
    if (tun_config(TUN_NAME, TUN_ADDR, TUN_MASK) < 0)
        return 1;
    if (set_nonblock(tun) < 0)
        return 1;

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
            if (!looks_like_ip(buf, (size_t)n))
                continue;       /* not a tunnelled packet, ignore it */
            tun_write(tun, buf, (size_t)n);
        }
    }
}
