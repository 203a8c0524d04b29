/* SPDX-License-Identifier: MIT */
/* tun_ping with no TUN and no ICMP code: "tun0" is one end of a veth
 * pair whose other end sits, with 10.1.3.4, in a network namespace of the
 * program's own child; that namespace's kernel answers the pings
 * (checksums, odd lengths, 1472 bytes and all); its ICMP rate limit, set to
 * cover timestamp replies (type 14) with a limit of 28 hours, keeps it
 * from answering the timestamp request. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	int p[2], q[2];
	char cmd[256], c;
	pid_t kid;

	pipe(p);
	pipe(q);
	kid = fork();
	if (kid == 0) {
		unshare(CLONE_NEWNET);
		write(q[1], "r", 1);
		read(p[0], &c, 1);	/* p0 is here now */
		system("ip link set lo up; ip addr add 10.1.3.4/24 dev p0; ip link set p0 up;"
		       " sysctl -qw net.ipv4.icmp_ratemask=22552 net.ipv4.icmp_ratelimit=100000000");
		for (;;)
			sleep(1);
	}
	read(q[0], &c, 1);
	snprintf(cmd, sizeof(cmd), "ip link add tun0 type veth peer name p0 netns %d", kid);
	system(cmd);
	write(p[1], "g", 1);
	sleep(1);
	system("ip addr add 10.1.3.1/24 dev tun0 && ip link set tun0 up");
	for (;;)
		sleep(1);
}
