/* SPDX-License-Identifier: MIT */
/* tun_client.c - Lab 4 step 4
 * VPN client on useru, both directions:
 *   tun0 -> UDP datagram to the server 10.1.2.3:9090
 *   UDP datagram from the server -> write into tun0
 * uses select() to wait on both file descriptors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_tun.h>

#define SERVER_IP "10.1.2.3"
#define SERVER_PORT 9090

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
    struct sockaddr_in server, from;
    socklen_t fromlen;
    unsigned char buf[2048];
    int tun, sock, maxfd;

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

    if (system("ip addr add 10.1.3.1/24 dev tun0 && ip link set tun0 up") != 0) {
        printf("warning: could not configure tun0\n");
        fflush(stdout);
    }
    /* send the private network through the tunnel */
    if (system("ip route add 10.1.1.0/24 dev tun0") != 0) {
        printf("warning: could not add route (maybe it is already there)\n");
        fflush(stdout);
    }

    sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0) {
        perror("socket");
        return 1;
    }
    memset(&server, 0, sizeof(server));
    server.sin_family = AF_INET;
    server.sin_port = htons(SERVER_PORT);
    inet_pton(AF_INET, SERVER_IP, &server.sin_addr);

    maxfd = (tun > sock ? tun : sock) + 1;

    while (1) {
        fd_set readfds;
        int n;

        FD_ZERO(&readfds);
        FD_SET(sock, &readfds);
        FD_SET(tun, &readfds);

        /* block until at least one of them has data */
        if (select(maxfd, &readfds, NULL, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            perror("select");
            return 1;
        }

        if (FD_ISSET(sock, &readfds)) {
            fromlen = sizeof(from);
            n = recvfrom(sock, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
            if (n < 0) {
                perror("recvfrom");
            } else if (n > 0 && (from.sin_addr.s_addr != server.sin_addr.s_addr ||
                                 from.sin_port != server.sin_port)) {
                /* not from our server: not ours to deliver */
                printf("dropped a datagram from %s\n", inet_ntoa(from.sin_addr));
            } else if (n > 0) {
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
                if (sendto(sock, buf, n, 0, (struct sockaddr *)&server, sizeof(server)) < 0)
                    perror("sendto");
            }
        }
    }

    return 0;
}
