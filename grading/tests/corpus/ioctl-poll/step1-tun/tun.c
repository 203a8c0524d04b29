/* SPDX-License-Identifier: MIT */
/*
 * tun.c - Step 1 (tun.py in C)
 *
 * Creates the TUN interface tun0, gives it 10.1.3.1/24, brings it up
 * and then prints a one line summary (to stderr) of every packet the
 * kernel sends into the interface.
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -o tun tun.c
 * Run as root: ./tun
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
#define TUN_ADDR  "10.1.3.1"
#define TUN_MASK  "255.255.255.0"
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

static const char *icmp_type_name(int type)
{
    switch (type) {
    case 0:  return "echo-reply";
    case 3:  return "dest-unreach";
    case 8:  return "echo-request";
    case 11: return "time-exceeded";
    default: return "type";
    }
}

/* print something like scapy's summary(): "IP / ICMP 10.1.3.1 > 10.1.3.4 ..." */
static void print_summary(const unsigned char *p, size_t len)
{
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
    int version;

    if (len < 1) {
        fprintf(stderr, "empty packet\n");
        return;
    }
    version = p[0] >> 4;

    if (version == 4 && len >= 20) {
        size_t ihl = (size_t)(p[0] & 0x0f) * 4;
        int proto = p[9];
        int frag_off = ((p[6] & 0x1f) << 8) | p[7];
        const unsigned char *l4 = p + ihl;
        size_t l4len = len - ihl;

        if (ihl < 20 || ihl > len) {
            fprintf(stderr, "IP bad header length (%zu bytes)\n", len);
            return;
        }
        inet_ntop(AF_INET, p + 12, src, sizeof(src));
        inet_ntop(AF_INET, p + 16, dst, sizeof(dst));

        if (frag_off != 0) {
            fprintf(stderr, "IP %s > %s proto %d fragment (%zu bytes)\n",
                    src, dst, proto, len);
        } else if (proto == IPPROTO_ICMP && l4len >= 8) {
            int type = l4[0];
            fprintf(stderr, "IP / ICMP %s > %s %s %d id=%d seq=%d (%zu bytes)\n",
                    src, dst, icmp_type_name(type), l4[1],
                    (l4[4] << 8) | l4[5], (l4[6] << 8) | l4[7], len);
        } else if (proto == IPPROTO_TCP && l4len >= 20) {
            fprintf(stderr, "IP / TCP %s:%d > %s:%d (%zu bytes)\n",
                    src, (l4[0] << 8) | l4[1], dst, (l4[2] << 8) | l4[3], len);
        } else if (proto == IPPROTO_UDP && l4len >= 8) {
            fprintf(stderr, "IP / UDP %s:%d > %s:%d (%zu bytes)\n",
                    src, (l4[0] << 8) | l4[1], dst, (l4[2] << 8) | l4[3], len);
        } else {
            fprintf(stderr, "IP %s > %s proto %d (%zu bytes)\n",
                    src, dst, proto, len);
        }
    } else if (version == 6 && len >= 40) {
        inet_ntop(AF_INET6, p + 8, src, sizeof(src));
        inet_ntop(AF_INET6, p + 24, dst, sizeof(dst));
        fprintf(stderr, "IPv6 %s > %s nh %d (%zu bytes)\n",
                src, dst, p[6], len);
    } else {
        fprintf(stderr, "unknown packet, version %d (%zu bytes)\n",
                version, len);
    }
}

int main(void)
{
    struct pollfd pfd;
    int tun;

    tun = tun_open(TUN_NAME);
    if (tun < 0)
        return 1;
    fprintf(stderr, "Interface name: %s\n", TUN_NAME);

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
            print_summary(buf, (size_t)n);
        }
    }
}
