/* SPDX-License-Identifier: MIT */
/* tun.c - Lab 4 step 1
 * create a TUN interface (tun0), give it 10.1.3.1/24, bring it up
 * and print every packet that comes out of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_tun.h>

int main(void)
{
    struct ifreq ifr;
    unsigned char buf[2048];
    int tun;

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

    while (1) {
        int n = read(tun, buf, sizeof(buf));
        if (n < 0) {
            perror("read");
            return 1;
        }
        if (n == 0)
            continue;

        if ((buf[0] >> 4) == 4 && n >= 20) {
            char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
            const char *proto = "other";
            inet_ntop(AF_INET, buf + 12, src, sizeof(src));
            inet_ntop(AF_INET, buf + 16, dst, sizeof(dst));
            if (buf[9] == 1) proto = "icmp";
            else if (buf[9] == 6) proto = "tcp";
            else if (buf[9] == 17) proto = "udp";
            printf("got packet %s -> %s %s (%d bytes)\n", src, dst, proto, n);
        } else if ((buf[0] >> 4) == 6 && n >= 40) {
            char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
            inet_ntop(AF_INET6, buf + 8, src, sizeof(src));
            inet_ntop(AF_INET6, buf + 24, dst, sizeof(dst));
            printf("got ipv6 packet %s -> %s (%d bytes)\n", src, dst, n);
        } else {
            printf("got something weird (%d bytes)\n", n);
        }
        fflush(stdout);
    }

    return 0;
}
