/* SPDX-License-Identifier: MIT */
/* tun that makes no TUN and reads no packet: "tun0" is a veth (NOARP, so
 * the kernel sends the pings out at once) whose peer sits up in a network
 * namespace of a child's own, and the program prints, before any ping, a
 * line for every address of 10.1.3.0/24 the grader may pick.  (Written by
 * a hostile review of the grader; the guest's filter and the held-TUN
 * check stop it.) */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	int p[2], q[2], i;
	char cmd[256], c;
	pid_t kid;

	pipe(p);
	pipe(q);
	kid = fork();
	if (kid == 0) {
		unshare(CLONE_NEWNET);
		write(q[1], "r", 1);
		read(p[0], &c, 1);
		system("ip link set p0 up");
		for (;;)
			sleep(1);
	}
	read(q[0], &c, 1);
	snprintf(cmd, sizeof(cmd), "ip link add tun0 type veth peer name p0 netns %d", kid);
	system(cmd);
	write(p[1], "g", 1);
	system("ip link set tun0 arp off; ip addr add 10.1.3.1/24 dev tun0 && ip link set tun0 up");
	for (i = 2; i < 255; i++)
		printf("Read a packet: 10.1.3.1 -> 10.1.3.%d (ICMP echo request)\n", i);
	fflush(stdout);
	for (;;)
		sleep(1);
}
