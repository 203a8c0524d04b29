/* SPDX-License-Identifier: MIT */
/*
 * tun_client.c - Step 2 (tun_client.py in C), runs on useru
 *
 * Creates tun0 with 10.1.3.1/24 and sends every packet read from it
 * to the VPN server 10.1.2.3:9090 as the payload of one UDP datagram
 * (the raw IP packet is the whole payload, nothing added).
 * Prints nothing during normal operation (errors go to stderr).
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -o tun_client tun_client.c
 * Run as root: ./tun_client
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

#define TUN_NAME    "tun0"
#define TUN_ADDR    "10.1.3.1"
#define TUN_MASK    "255.255.255.0"
#define SERVER_IP   "10.1.2.3"
#define SERVER_PORT 9090
#define BUFSIZE     65536

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

/* send one packet to the server, errors are reported but not fatal */
static void send_packet(int sock, const unsigned char *p, size_t len,
                        const struct sockaddr_in *to)
{
    for (;;) {
        ssize_t n = sendto(sock, p, len, 0,
                           (const struct sockaddr *)to, sizeof(*to));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            /* EAGAIN: socket buffer full, just drop the packet */
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                perror("sendto");
        }
        return;
    }
}

int main(void)
{
    struct sockaddr_in server;
    struct pollfd pfd;
    int tun, sock;

    memset(&server, 0, sizeof(server));
    server.sin_family = AF_INET;
    server.sin_port = htons(SERVER_PORT);
    if (inet_pton(AF_INET, SERVER_IP, &server.sin_addr) != 1) {
        fprintf(stderr, "bad address %s\n", SERVER_IP);
        return 1;
    }

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
    if (set_nonblock(sock) < 0)
        return 1;

    /* main TUN loop */
    for (;;) {
        pfd.fd = tun;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("poll");
            return 1;
        }
        if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
            fprintf(stderr, "poll: error on tun\n");
            return 1;
        }
        if (!(pfd.revents & POLLIN))
            continue;

        /* drain the tun until it would block */
        for (;;) {
            ssize_t n = read(tun, buf, sizeof(buf));
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                perror("read tun");
                return 1;
            }
            if (n == 0)
                break;
            send_packet(sock, buf, (size_t)n, &server);
        }
    }
}
