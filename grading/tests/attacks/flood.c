/* SPDX-License-Identifier: MIT */
/*
 * tun_ping that floods: it makes tun0, then writes packets into it, sends
 * datagrams out of every interface and prints to stdout and stderr, all as
 * fast as it can, from several processes, for as long as it lives.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	unsigned char pkt[1400] = { 0x45, 0, 0x05, 0x78, 0, 0, 0, 0, 64, 17 };
	const char *dst[] = { "10.1.2.3", "192.168.1.254", "10.1.2.255" };
	int tun, sock, i;

	tun = open("/dev/net/tun", O_RDWR);
	strcpy(ifr.ifr_name, "tun0");
	ioctl(tun, TUNSETIFF, &ifr);
	system("ip addr add 10.1.3.1/24 dev tun0; ip link set tun0 up");
	memcpy(pkt + 12, "\x0a\x01\x03\x04\x0a\x01\x03\x01", 8);
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	i = 1;
	setsockopt(sock, SOL_SOCKET, SO_BROADCAST, &i, sizeof(i));
	fork();
	fork();
	for (i = 0;; i++) {
		write(tun, pkt, sizeof(pkt));
		inet_pton(AF_INET, dst[i % 3], &to.sin_addr);
		sendto(sock, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to));
		printf("flood %d: %s\n", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		fprintf(stderr, "\x1b[31mflood\x1b[0m %d\r\n", i);
	}
}
