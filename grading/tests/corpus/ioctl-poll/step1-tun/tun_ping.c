/* SPDX-License-Identifier: MIT */
/*
 * tun_ping.c - Step 1 (tun_ping.py in C)
 *
 * Creates tun0 with 10.1.3.1/24 and answers ICMP echo requests sent
 * to 10.1.3.4 by writing an echo reply back into the TUN interface,
 * so "ping 10.1.3.4" on this machine works.
 * Prints nothing during normal operation (errors go to stderr).
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -o tun_ping tun_ping.c
 * Run as root: ./tun_ping
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdint.h>
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
#define TUN_ADDR  "10.1.3.1"
#define TUN_MASK  "255.255.255.0"
#define PING_ADDR "10.1.3.4"   /* the address we pretend to be */
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

/* internet checksum (RFC 1071), result in host byte order */
static uint16_t checksum(const unsigned char *p, size_t len)
{
    uint32_t sum = 0;

    while (len > 1) {
        sum += (uint32_t)((p[0] << 8) | p[1]);
        p += 2;
        len -= 2;
    }
    if (len == 1)
        sum += (uint32_t)(p[0] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void put16(unsigned char *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v & 0xff;
}

/*
 * If p is an ICMP echo request for ping_addr, turn it into the echo
 * reply in place and return its length.  Otherwise return 0.
 */
static size_t make_reply(unsigned char *p, size_t len,
                         const struct in_addr *ping_addr)
{
    size_t ihl, tot_len;
    unsigned char tmp[4];
    unsigned char *icmp;

    if (len < 20 || (p[0] >> 4) != 4)
        return 0;
    ihl = (size_t)(p[0] & 0x0f) * 4;
    tot_len = (size_t)((p[2] << 8) | p[3]);
    if (ihl < 20 || tot_len < ihl + 8 || tot_len > len)
        return 0;
    if (p[9] != IPPROTO_ICMP)
        return 0;
    if ((p[6] & 0x3f) != 0 || p[7] != 0)      /* MF flag or offset: fragment */
        return 0;
    if (memcmp(p + 16, &ping_addr->s_addr, 4) != 0)
        return 0;

    icmp = p + ihl;
    if (icmp[0] != 8 || icmp[1] != 0)        /* echo request, code 0 */
        return 0;
    if (checksum(icmp, tot_len - ihl) != 0)  /* broken request, ignore */
        return 0;

    /* IP header: swap addresses, new TTL, new checksum */
    memcpy(tmp, p + 12, 4);
    memcpy(p + 12, p + 16, 4);
    memcpy(p + 16, tmp, 4);
    p[8] = 64;
    put16(p + 10, 0);
    put16(p + 10, checksum(p, ihl));

    /* ICMP: type 0 = echo reply, same id/seq/data, new checksum */
    icmp[0] = 0;
    put16(icmp + 2, 0);
    put16(icmp + 2, checksum(icmp, tot_len - ihl));

    return tot_len;
}

/* write one packet into the tun, errors are reported but not fatal */
static void tun_write(int tun, const unsigned char *p, size_t len)
{
    for (;;) {
        ssize_t n = write(tun, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("write tun");
        } else if ((size_t)n != len) {
            fprintf(stderr, "write tun: short write\n");
        }
        return;
    }
}

int main(void)
{
    struct in_addr ping_addr;
    struct pollfd pfd;
    int tun;

    if (inet_pton(AF_INET, PING_ADDR, &ping_addr) != 1) {
        fprintf(stderr, "bad address %s\n", PING_ADDR);
        return 1;
    }

    tun = tun_open(TUN_NAME);
    if (tun < 0)
        return 1;
    if (tun_config(TUN_NAME, TUN_ADDR, TUN_MASK) < 0)
        return 1;
    if (set_nonblock(tun) < 0)
        return 1;

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
            size_t rlen;

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

            rlen = make_reply(buf, (size_t)n, &ping_addr);
            if (rlen > 0)
                tun_write(tun, buf, rlen);
        }
    }
}
