/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/route.h>
#include <string.h>
#include <sys/ioctl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tun.h"

/* Copy ifname into ifr_name, refusing names the kernel would cut. */
static int ifreq_init(struct ifreq *ifr, const char *ifname)
{
	memset(ifr, 0, sizeof(*ifr));
	if (strlen(ifname) >= sizeof(ifr->ifr_name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(ifr->ifr_name, ifname);
	return 0;
}

/* Interface ioctls go through any socket of the right family. */
static int ifreq_ioctl(unsigned long request, struct ifreq *ifr)
{
	int fd, ret, saved;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	ret = ioctl(fd, request, ifr);
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

/* TUNSETIFF on a new descriptor of /dev/net/tun, with the given flags. */
static int tun_attach(const char *pattern, char name[IFNAMSIZ], short flags)
{
	struct ifreq ifr;
	int fd, saved;

	if (ifreq_init(&ifr, pattern) == -1)
		return -1;
	ifr.ifr_flags = flags;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	return fd;
}

/*
 * IFF_NO_PI: hand us bare IP packets, without the 4-byte packet-info
 * header (flags and protocol) that the kernel would otherwise prepend; the
 * wire format of the lab is the bare packet.
 */
int tun_open(const char *pattern, char name[IFNAMSIZ])
{
	return tun_attach(pattern, name, IFF_TUN | IFF_NO_PI);
}

/*
 * IFF_VNET_HDR puts a virtio-net header before every packet, through which
 * the kernel says "this is a TSO super-packet, cut it at gso_size" or "the
 * checksum at csum_start + csum_offset is still to be done".  TUNSETOFFLOAD
 * says what we accept: packets whose checksum is left to us (TUN_F_CSUM)
 * and IPv4 TCP super-packets (TUN_F_TSO4).
 */
int tun_open_offload(const char *pattern, char name[IFNAMSIZ])
{
	int fd, saved, hdr_len = TUN_VNET_HDR_LEN, le = 1;

	fd = tun_attach(pattern, name, IFF_TUN | IFF_NO_PI | IFF_VNET_HDR);
	if (fd == -1)
		return -1;
	/* TUNSETVNETLE: the header's fields little-endian, as common/fast/fast.c
	 * reads and writes them, whatever the host's byte order (a TUN
	 * device's header is in the host's order unless told). */
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) == -1 ||
	    ioctl(fd, TUNSETVNETLE, &le) == -1 ||
	    ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static struct sockaddr sockaddr_of(struct in_addr addr)
{
	struct sockaddr sa;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = addr };

	memcpy(&sa, &sin, sizeof(sin));
	return sa;
}

static struct in_addr netmask_of(int prefix)
{
	struct in_addr mask;

	mask.s_addr = prefix ? htonl(~0u << (32 - prefix)) : 0;
	return mask;
}

int tun_set_addr(const char *ifname, struct in_addr addr, int prefix)
{
	struct ifreq ifr;

	if (prefix < 0 || prefix > 32) {
		errno = EINVAL;
		return -1;
	}
	if (ifreq_init(&ifr, ifname) == -1)
		return -1;
	ifr.ifr_addr = sockaddr_of(addr);
	if (ifreq_ioctl(SIOCSIFADDR, &ifr) == -1)
		return -1;
	/* SIOCSIFADDR guessed a classful mask; the netmask is ours to set. */
	ifr.ifr_netmask = sockaddr_of(netmask_of(prefix));
	return ifreq_ioctl(SIOCSIFNETMASK, &ifr);
}

int tun_set_mtu(const char *ifname, int mtu)
{
	struct ifreq ifr;

	if (ifreq_init(&ifr, ifname) == -1)
		return -1;
	ifr.ifr_mtu = mtu;
	return ifreq_ioctl(SIOCSIFMTU, &ifr);
}

/*
 * Set one 32-bit attribute of ifname's link through rtnetlink
 * (RTM_NEWLINK), as "ip link set" does: the ioctls, where there is one,
 * want CAP_NET_ADMIN over the whole machine, netlink only over this
 * network namespace, which is all a lab in a user namespace has.
 */
static int link_set_u32(const char *ifname, unsigned short type,
			uint32_t value)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		struct rtattr rta;
		uint32_t value;
	} req;
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	unsigned idx = if_nametoindex(ifname);
	int fd, ret = -1, saved;
	ssize_t n;

	if (!idx)
		return -1;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)idx;
	req.rta.rta_type = type;
	req.rta.rta_len = RTA_LENGTH(sizeof(req.value));
	req.value = value;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd == -1)
		return -1;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) == -1)
		goto out;
	n = recv(fd, &ack, sizeof(ack), 0);
	if (n == -1)
		goto out;
	if (n < (ssize_t)sizeof(ack) || ack.nh.nlmsg_type != NLMSG_ERROR) {
		errno = EPROTO;
		goto out;
	}
	if (ack.err.error) {
		errno = -ack.err.error;
		goto out;
	}
	ret = 0;
out:
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

int tun_set_txqueuelen(const char *ifname, int qlen)
{
	if (qlen < 0) {
		errno = EINVAL;
		return -1;
	}
	return link_set_u32(ifname, IFLA_TXQLEN, (uint32_t)qlen);
}

int tun_set_gso_max_segs(const char *ifname, unsigned segs)
{
	return link_set_u32(ifname, IFLA_GSO_MAX_SEGS, segs);
}

int tun_set_up(const char *ifname)
{
	struct ifreq ifr;

	if (ifreq_init(&ifr, ifname) == -1)
		return -1;
	if (ifreq_ioctl(SIOCGIFFLAGS, &ifr) == -1)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ifreq_ioctl(SIOCSIFFLAGS, &ifr);
}

int tun_add_route(const char *ifname, struct in_addr net, int prefix,
		  struct in_addr gw)
{
	struct rtentry rt;
	char dev[IFNAMSIZ];
	int fd, ret, saved;

	if (prefix < 0 || prefix > 32) {
		errno = EINVAL;
		return -1;
	}
	if (strlen(ifname) >= sizeof(dev)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(dev, ifname);
	memset(&rt, 0, sizeof(rt));
	rt.rt_dst = sockaddr_of(net);
	rt.rt_genmask = sockaddr_of(netmask_of(prefix));
	rt.rt_gateway = sockaddr_of(gw);
	rt.rt_flags = RTF_UP | (gw.s_addr ? RTF_GATEWAY : 0);
	rt.rt_dev = dev;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	ret = ioctl(fd, SIOCADDRT, &rt);
	saved = errno;
	close(fd);
	errno = saved;
	return ret;
}

const char *tun_hint(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return "run it as root, or in the lab: common/lab HOST PROGRAM";
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return "this kernel has no TUN driver: load it with 'modprobe tun'";
	case EBUSY:
		return "that interface exists and is in use: choose another name";
	case EINVAL:
		return "the name is not a valid interface name";
	case ENAMETOOLONG:
		return "interface names have at most 15 characters";
	}
	return "";
}
