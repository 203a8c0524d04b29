/* SPDX-License-Identifier: MIT */
/* tun_server.c - Lab 4 step 4
 * VPN server, both directions:
 *   UDP datagram on port 9090 -> write into tun0 (kernel routes it to 10.1.1.0/24)
 *   packet read from tun0 (replies for 10.1.3.0/24) -> UDP datagram back to the client
 * The client's address is remembered from recvfrom().
 *
 * tun0 on the server is 10.1.3.2/24 (same subnet as the client's 10.1.3.1,
 * so the kernel routes 10.1.3.0/24 into tun0; must not be 10.1.3.1 itself).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_tun.h>

#define IP_ADDR "0.0.0.0"
#define PORT 9090

void print_pkt(const char *what, unsigned char *buf, int n)
{
    if (n >= 20 && (buf[0] >> 4) == 4) {
        char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, buf + 12, src, sizeof(src));
        inet_ntop(AF_INET, buf + 16, dst, sizeof(dst));
        printf("%s: %s --> %s (%d bytes)\n", what, src, dst, n);
    } else {
        printf("%s: non-ipv4 packet (%d bytes)\n", what, n);
    }
    fflush(stdout);
}

int main(void)
{
    struct ifreq ifr;
    struct sockaddr_in addr, from, client;
    socklen_t fromlen;
    unsigned char buf[2048];
    int tun, sock, maxfd;
    int have_client = 0;

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

    memset(&client, 0, sizeof(client));
    maxfd = (tun > sock ? tun : sock) + 1;

    while (1) {
        fd_set readfds;
        struct timeval tv;
        int n, ret;

        FD_ZERO(&readfds);
        FD_SET(sock, &readfds);
        FD_SET(tun, &readfds);
        tv.tv_sec = 1;      /* select changes tv, so set it every time */
        tv.tv_usec = 0;

        ret = select(maxfd, &readfds, NULL, NULL, &tv);
        if (ret < 0) {
            if (errno == EINTR)
                continue;
            perror("select");
            return 1;
        }
        if (ret == 0)
            continue;   /* timeout, nothing happened */

        if (FD_ISSET(sock, &readfds)) {
            fromlen = sizeof(from);
            n = recvfrom(sock, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
            if (n < 0) {
                perror("recvfrom");
            } else if (n > 0) {
                if (!have_client || client.sin_addr.s_addr != from.sin_addr.s_addr
                    || client.sin_port != from.sin_port) {
                    printf("client is %s:%d\n", inet_ntoa(from.sin_addr), ntohs(from.sin_port));
                    fflush(stdout);
                }
                client = from;      /* remember where to send the replies */
                have_client = 1;
                print_pkt("From socket <==", buf, n);
                if (write(tun, buf, n) < 0)
                    perror("write tun");
            }
        }

        if (FD_ISSET(tun, &readfds)) {
            n = read(tun, buf, sizeof(buf));
            if (n < 0) {
                perror("read tun");
            } else if (n > 0) {
                print_pkt("From tun ==>", buf, n);
                if (!have_client) {
                    printf("    no client yet, dropping it\n");
                    fflush(stdout);
                } else if (sendto(sock, buf, n, 0, (struct sockaddr *)&client, sizeof(client)) < 0) {
                    perror("sendto");
                }
            }
        }
    }

    return 0;
}
