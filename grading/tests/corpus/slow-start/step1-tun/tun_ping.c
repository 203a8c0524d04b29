/* SPDX-License-Identifier: MIT */
/* tun_ping.c - Lab 4 step 1
 * same as tun.c but answers ICMP echo requests (ping 10.1.3.4)
 * by writing an echo reply back into the TUN interface.
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

/* internet checksum */
unsigned short checksum(unsigned char *data, int len)
{
    unsigned long sum = 0;
    int i;

    for (i = 0; i + 1 < len; i += 2)
        sum += (data[i] << 8) | data[i + 1];
    if (len & 1)
        sum += data[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (unsigned short)(~sum & 0xffff);
}

int main(void)
{
    struct ifreq ifr;
    unsigned char buf[2048];
    unsigned char tmp[4];
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
        char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
        int n, ihl, total;
        unsigned short sum;

        n = read(tun, buf, sizeof(buf));
        if (n < 0) {
            perror("read");
            return 1;
        }
        if (n < 20 || (buf[0] >> 4) != 4)
            continue;   /* not ipv4, don't care */

        ihl = (buf[0] & 0x0f) * 4;
        total = (buf[2] << 8) | buf[3];
        if (total > n)
            total = n;

        inet_ntop(AF_INET, buf + 12, src, sizeof(src));
        inet_ntop(AF_INET, buf + 16, dst, sizeof(dst));
        printf("got packet %s -> %s (%d bytes)\n", src, dst, n);
        fflush(stdout);

        /* only ICMP echo requests (type 8) */
        if (buf[9] != 1 || total < ihl + 8 || buf[ihl] != 8)
            continue;

        /* swap source and destination */
        memcpy(tmp, buf + 12, 4);
        memcpy(buf + 12, buf + 16, 4);
        memcpy(buf + 16, tmp, 4);
        buf[8] = 64;            /* ttl */

        /* ip checksum */
        buf[10] = 0;
        buf[11] = 0;
        sum = checksum(buf, ihl);
        buf[10] = sum >> 8;
        buf[11] = sum & 0xff;

        /* icmp: type 0 = echo reply, id/seq/data stay the same */
        buf[ihl] = 0;
        buf[ihl + 2] = 0;
        buf[ihl + 3] = 0;
        sum = checksum(buf + ihl, total - ihl);
        buf[ihl + 2] = sum >> 8;
        buf[ihl + 3] = sum & 0xff;

        if (write(tun, buf, total) < 0) {
            perror("write");
        } else {
            printf("sent echo reply %s -> %s\n", dst, src);
            fflush(stdout);
        }
    }

    return 0;
}
