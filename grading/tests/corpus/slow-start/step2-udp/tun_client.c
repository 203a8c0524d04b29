/* SPDX-License-Identifier: MIT */
/* tun_client.c - Lab 4 step 2
 * TUN interface tun0 (10.1.3.1/24) on useru, every packet read from it
 * is sent as the payload of one UDP datagram to the server 10.1.2.3:9090.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_tun.h>

#define SERVER_IP "10.1.2.3"
#define SERVER_PORT 9090

int main(void)
{
    struct ifreq ifr;
    struct sockaddr_in server;
    unsigned char buf[2048];
    int tun, sock;

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

    sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0) {
        perror("socket");
        return 1;
    }
    memset(&server, 0, sizeof(server));
    server.sin_family = AF_INET;
    server.sin_port = htons(SERVER_PORT);
    inet_pton(AF_INET, SERVER_IP, &server.sin_addr);

    /* main TUN loop */
    while (1) {
        int n = read(tun, buf, sizeof(buf));
        if (n < 0) {
            perror("read");
            return 1;
        }
        if (n == 0)
            continue;

        if (n >= 20 && (buf[0] >> 4) == 4) {
            char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, buf + 12, src, sizeof(src));
            inet_ntop(AF_INET, buf + 16, dst, sizeof(dst));
            printf("got packet %s -> %s (%d bytes), sending to %s:%d\n",
                   src, dst, n, SERVER_IP, SERVER_PORT);
        } else {
            printf("got non-ipv4 packet (%d bytes), sending to %s:%d\n",
                   n, SERVER_IP, SERVER_PORT);
        }
        fflush(stdout);

        if (sendto(sock, buf, n, 0, (struct sockaddr *)&server, sizeof(server)) < 0)
            perror("sendto");
    }

    return 0;
}
