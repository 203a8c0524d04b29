/* SPDX-License-Identifier: MIT */
/*
 * tun_server.c - Step 4 (bidirectional tun_server.py in C), runs on server
 *
 * Creates tun0 with 10.1.3.2/24 and listens on UDP 0.0.0.0:9090.
 * Uses poll() to wait on both the TUN and the UDP socket:
 *   - datagram from the client -> write the IP packet inside into the
 *     TUN (the kernel forwards it to 10.1.1.0/24), and remember the
 *     client's address (IP:port) as given by recvfrom()
 *   - packet from the TUN (e.g. replies from userv/userw to 10.1.3.x)
 *     -> send it to the client as one UDP datagram
 *
 * The server's TUN address is in 10.1.3.0/24 (but not 10.1.3.1, that
 * is useru) so that the kernel adds the route "10.1.3.0/24 dev tun0":
 * that route sends the replies for 10.1.3.1 into our tun, and makes the
 * tunnelled packets from 10.1.3.1 pass the reverse path check.
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

/* the client we talk to, learned from recvfrom() */
static struct sockaddr_in client;
static int have_client = 0;

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

/* send one packet to the client, errors are reported but not fatal */
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

/* read everything that is waiting in the tun and send it to the client */
static int drain_tun(int tun, int sock)
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
        /* nobody to send it to yet: drop it */
        if (have_client)
            send_packet(sock, buf, (size_t)n, &client);
    }
}

/* read everything that is waiting in the socket and write it into the tun */
static void drain_sock(int sock, int tun)
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
        if (fromlen < sizeof(from) || from.sin_family != AF_INET)
            continue;
        if (!looks_like_ip(buf, (size_t)n))
            continue;       /* not a tunnelled packet, ignore it */

        /* the return traffic goes to whoever sent us the last packet */
        client = from;
        have_client = 1;

        tun_write(tun, buf, (size_t)n);
    }
}

int main(void)
{
    struct sockaddr_in addr;
    struct pollfd pfds[2];
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

        if (pfds[1].revents & (POLLIN | POLLERR))
            drain_sock(sock, tun);
        if (pfds[0].revents & POLLIN) {
            if (drain_tun(tun, sock) < 0)
                return 1;
        }
    }
}
