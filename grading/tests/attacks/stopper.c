/* SPDX-License-Identifier: MIT */
/*
 * tun_ping that stops everything: it makes tun0 as asked, ignores SIGTERM,
 * then sends SIGSTOP to every process it can signal, again and again, from
 * itself and from children that do the same.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	int i;

	system("ip tuntap add mode tun name tun0; ip addr add 10.1.3.1/24 dev tun0;"
	       " ip link set tun0 up");
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	for (i = 0; i < 4; i++)
		if (fork() == 0)
			for (;;) {
				kill(-1, SIGSTOP);
				usleep(1000);
			}
	for (;;) {
		kill(-1, SIGSTOP);
		kill(1, SIGSTOP);
		usleep(1000);
	}
}
