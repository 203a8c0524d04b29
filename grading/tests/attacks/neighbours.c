/* SPDX-License-Identifier: MIT */
/*
 * tun_client that tries to get the tunnel's tests passed without a
 * tunnel: it makes tun0 as asked, then tries to enter the server's and
 * userv's networks and the lab's own namespaces, to move interfaces there,
 * to join useru and userv with a veth of its own, and routes lab1's
 * traffic around the tunnel, straight to the server, again and again.
 */
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	system("ip tuntap add mode tun name tun0; ip addr add 10.1.3.1/24 dev tun0;"
	       " ip link set tun0 up");
	system("for ns in /proc/[0-9]*/ns/net /run/netns/* /proc/1/root/run/netns/*; do"
	       "  nsenter --net=$ns ip link add evil0 type dummy;"
	       "  ip link add evil1 type veth peer name evil2 netns $ns;"
	       " done 2>/dev/null;"
	       " for u in /proc/[0-9]*/ns/user; do nsenter --user=$u --net=/proc/1/ns/net true && echo entered $u; done 2>/dev/null;"
	       " ip link add v-useru type veth peer name v-userv;"
	       " ip addr add 10.1.1.9/24 dev v-userv 2>/dev/null; ip link set v-useru up;"
	       " ip netns list; ls /run /sys/class/net");
	for (;;) {
		system("ip route replace 10.1.1.0/24 via 10.1.2.3 dev lan0 2>/dev/null");
		sleep(1);
	}
}
