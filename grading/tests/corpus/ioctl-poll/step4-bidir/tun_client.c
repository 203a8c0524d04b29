/* SPDX-License-Identifier: MIT */
/*
 * tun_client.c - Step 4 (bidirectional tun_client.py in C), runs on useru
 *
 * Creates tun0 with 10.1.3.1/24.  Uses poll() to wait on both the TUN
 * and the UDP socket:
 *   - packet from the TUN    -> send it to the server 10.1.2.3:9090
 *   - datagram from server   -> write the IP packet inside into the TUN
 * The raw IP packet is the whole UDP payload, nothing added.
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

/* read everything that is waiting in the tun and send it to the server */
static int drain_tun(int tun, int sock, const struct sockaddr_in *server)
{
    for (;;) {
        ssize_t n = read(tun, buf, sizeof(buf));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            perror("read tun");
            return -1;
        }
        if (n == 0)
            return 0;
        send_packet(sock, buf, (size_t)n, server);
    }
}

/* read everything that is waiting in the socket and write it into the tun */
static void drain_sock(int sock, int tun, const struct sockaddr_in *server)
{
    for (;;) {
        struct sockaddr_in from;
        socklen_t fromlen = sizeof(from);
        ssize_t n;

        n = recvfrom(sock, buf, sizeof(buf), 0,
                     (struct sockaddr *)&from, &fromlen);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                perror("recvfrom");
            return;
        }
        /* only accept tunnelled packets coming from our server */
        if (fromlen < sizeof(from) || from.sin_family != AF_INET ||
            from.sin_addr.s_addr != server->sin_addr.s_addr ||
            from.sin_port != server->sin_port)
            continue;
        if (!looks_like_ip(buf, (size_t)n))
            continue;
        tun_write(tun, buf, (size_t)n);
    }
}

int main(void)
{
    struct sockaddr_in server;
    struct pollfd pfds[2];
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

    for (;;) {
        pfds[0].fd = tun;
        pfds[0].events = POLLIN;
        pfds[0].revents = 0;
        pfds[1].fd = sock;
        pfds[1].events = POLLIN;
        pfds[1].revents = 0;

        /* block until at least one of them has something */
        if (poll(pfds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("poll");
            return 1;
        }
        if ((pfds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) ||
            (pfds[1].revents & POLLNVAL)) {
            fprintf(stderr, "poll: error on tun or socket\n");
            return 1;
        }

        if (pfds[0].revents & POLLIN) {
            if (drain_tun(tun, sock, &server) < 0)
                return 1;
        }
        if (pfds[1].revents & (POLLIN | POLLERR))
            drain_sock(sock, tun, &server);
    }
}
