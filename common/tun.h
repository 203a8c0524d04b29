/* SPDX-License-Identifier: MIT */
/*
 * tun: a TUN device and the interface settings a tunnel needs.  tun_open()
 * attaches to a new TUN interface; tun_set_addr(), tun_set_mtu(),
 * tun_set_up() and tun_add_route() do what "ip addr add", "ip link set" and
 * "ip route add" do, through ioctl(2) on an ordinary socket (netlink for
 * the queue length and the super-packets' size).  Like system
 * calls they return -1 with errno set and never print; tun_hint() turns the
 * errno of a failed tun_open() into advice for the user.
 */
#ifndef VPNLAB_TUN_H
#define VPNLAB_TUN_H

#include <net/if.h>
#include <netinet/in.h>

/*
 * Open /dev/net/tun and create the interface named by pattern ("tun%d"
 * takes the first free number); store the kernel's name for it in name.
 * Returns the descriptor that reads and writes whole IP packets, or -1.
 */
int tun_open(const char *pattern, char name[IFNAMSIZ]);

/*
 * The same, but every packet read or written starts with a struct
 * virtio_net_hdr (TUN_VNET_HDR_LEN bytes, little-endian fields), and the kernel may hand over
 * IPv4 TCP super-packets of up to 64 KB and packets whose checksum is still
 * to be computed, and take the same back (common/fast/fast.h does both).
 */
#define TUN_VNET_HDR_LEN 10
int tun_open_offload(const char *pattern, char name[IFNAMSIZ]);

/* Give ifname the address addr with prefix length prefix (0..32). */
int tun_set_addr(const char *ifname, struct in_addr addr, int prefix);

/* Set ifname's MTU in bytes. */
int tun_set_mtu(const char *ifname, int mtu);

/* Set ifname's transmit queue length in packets ("ip link set txqueuelen"),
 * by netlink: it needs CAP_NET_ADMIN in this network namespace only. */
int tun_set_txqueuelen(const char *ifname, int qlen);

/* Make the super-packets ifname hands over (TCP segmentation offload) at
 * most segs segments long ("ip link set gso_max_segs"), by netlink. */
int tun_set_gso_max_segs(const char *ifname, unsigned segs);

/* Bring ifname up, as "ip link set dev IFNAME up" does. */
int tun_set_up(const char *ifname);

/* Route net/prefix out of ifname, through gateway gw unless gw is 0. */
int tun_add_route(const char *ifname, struct in_addr net, int prefix,
		  struct in_addr gw);

/* What the user can do about errno err from tun_open(), or "". */
const char *tun_hint(int err);

#endif
