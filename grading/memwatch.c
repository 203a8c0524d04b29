/*
 * memwatch: the test's clock, and a bound on the memory that a guest makes
 * its host's kernel hold in the lab's networks, which no cgroup v1 counts:
 * what waits in socket queues (UDP, TCP, raw, ICMP, netlink), in IP
 * fragments, in the interfaces' queueing disciplines, and in the queues of
 * TUN devices.
 *
 *   memwatch SECONDS MAXBYTES HOST NETNS INODE [HOST NETNS INODE ...]
 *
 * Run as the lab's root (through nsjoin), it joins each host's network
 * namespace once (NETNS must be a namespace file whose inode is INODE:
 * nsfile.h) and keeps, for each, its /proc/net tables and a socket
 * for ioctls there.  Then, every POLL_MS until SECONDS have passed:
 *
 *   - it lowers the txqueuelen of any TUN device whose queue could hold
 *     more than TUN_QUEUE_MAX bytes (the kernel drops what a shorter queue
 *     no longer holds), and says so;
 *   - it adds up the bytes waiting in every socket's queues, in fragments,
 *     in queueing disciplines, and what the TUN queues could hold; past MAXBYTES it kills every process in that
 *     host's network, says where, and exits 3: the caller ends the test,
 *     and with the lab the memory.
 *
 * Exit 0 when the time is up, 3 over the bound, 1 on an error.  A program
 * can make the kernel hold at most MAXBYTES plus what it queues in one
 * POLL_MS (grading/README.md, the bounds table, says how much, measured).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/netlink.h>
#include <linux/gen_stats.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "nsfile.h"


enum {
	POLL_MS = 20,
	MAX_HOSTS = 8,
	TUN_QUEUE_MAX = 4 << 20,	/* bytes one TUN's queue may hold */
	SKB_OVERHEAD = 768,		/* a queued packet's truesize beyond its bytes */
};

/* The /proc/net tables whose tx_queue and rx_queue columns are bytes held
 * (for TCP, bytes of data: a packet's memory can be twice that), and the
 * netlink table, whose columns differ. */
static const char *const queue_tables[] = {
	"udp", "udp6", "udplite", "udplite6", "tcp", "tcp6",
	"raw", "raw6", "icmp", "icmp6",
};
enum { NTABLES = sizeof queue_tables / sizeof queue_tables[0] };

struct host {
	const char *name;
	unsigned long long inode;	/* of its network namespace */
	int tables[NTABLES];
	int netlink;	/* /proc/net/netlink */
	int sockstat[2];	/* /proc/net/sockstat and sockstat6: fragments */
	int dev;	/* /proc/net/dev: the interfaces */
	int sock;	/* for SIOC* ioctls in this network */
	int rtnl;	/* rtnetlink, in this network: SIOCSIFTXQLEN needs the
			 * machine's CAP_NET_ADMIN, RTM_NEWLINK the network's */
};

static struct host hosts[MAX_HOSTS];
static int nhosts;
static char buf[1 << 20];

static int usage(void)
{
	fprintf(stderr, "usage: memwatch seconds maxbytes host netns inode [host netns inode ...]\n");
	return 1;
}

static int open_table(const char *name)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/thread-self/net/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);	/* -1: not in this kernel */
}

/* Join HOST's network and keep what memwatch reads there. */
static int add_host(const char *name, const char *path, const char *inode_text)
{
	struct host *h = &hosts[nhosts];
	unsigned long long inode;
	char *end;
	int fd, i;

	errno = 0;
	inode = strtoull(inode_text, &end, 10);
	if (errno || *end || end == inode_text)
		return usage();
	fd = nsfile_open(path, inode);
	if (fd == -1 || setns(fd, CLONE_NEWNET) == -1) {
		fprintf(stderr, "memwatch: %s: %s\n", path,
			errno == ESTALE ? "not the lab's namespace any more" : strerror(errno));
		return 1;
	}
	close(fd);
	h->name = name;
	h->inode = inode;
	for (i = 0; i < NTABLES; i++)
		h->tables[i] = open_table(queue_tables[i]);
	h->netlink = open_table("netlink");
	h->sockstat[0] = open_table("sockstat");
	h->sockstat[1] = open_table("sockstat6");
	h->dev = open_table("dev");
	h->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	h->rtnl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (h->dev == -1 || h->sock == -1 || h->rtnl == -1) {
		fprintf(stderr, "memwatch: %s: %s\n", name, strerror(errno));
		return 1;
	}
	nhosts++;
	return 0;
}

/* The whole of table FD, read again from its start, NUL-terminated. */
static char *reread(int fd)
{
	ssize_t n, len = 0;

	if (fd == -1 || lseek(fd, 0, SEEK_SET) == -1)
		return NULL;
	while (len < (ssize_t)sizeof buf - 1 &&
	       (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	return buf;
}

/* Bytes queued in one /proc/net table, and its sockets: on each line after
 * the header, the two numbers that FORMAT reads.  For udp, tcp, raw and
 * icmp (v4 and v6) the fifth field, "tx_queue:rx_queue" in hex; for
 * netlink the fifth and sixth, Rmem and Wmem. */
static uint64_t table_bytes(int fd, const char *format, unsigned *sockets)
{
	unsigned long long a, b;
	uint64_t sum = 0;
	char *line, *save = NULL, *text = reread(fd);

	if (!text || !(text = strchr(text, '\n')))	/* past the header */
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, format, &a, &b) == 2) {
			sum += a + b;
			(*sockets)++;
		}
	}
	return sum;
}

static void set_name(struct ifreq *ifr, const char *ifname)
{
	size_t n = strnlen(ifname, IFNAMSIZ - 1);

	memcpy(ifr->ifr_name, ifname, n);
	ifr->ifr_name[n] = '\0';
}

static int is_tun(int sock, const char *ifname)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { 0 };

	set_name(&ifr, ifname);
	ifr.ifr_data = (void *)&info;
	return ioctl(sock, SIOCETHTOOL, &ifr) == 0 && strcmp(info.driver, "tun") == 0;
}

/* Set the txqueuelen of interface INDEX of host H to QLEN; 0 on success. */
static int set_txqueuelen(struct host *h, int index, unsigned qlen)
{
	char req[NLMSG_SPACE(sizeof(struct ifinfomsg)) + RTA_SPACE(sizeof qlen)] = { 0 };
	struct nlmsghdr *nh = (struct nlmsghdr *)req;
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	struct rtattr *rta = (struct rtattr *)(req + NLMSG_SPACE(sizeof *ifi));
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;
	ssize_t n;

	nh->nlmsg_len = sizeof req;
	nh->nlmsg_type = RTM_NEWLINK;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	rta->rta_type = IFLA_TXQLEN;
	rta->rta_len = RTA_LENGTH(sizeof qlen);
	memcpy(RTA_DATA(rta), &qlen, sizeof qlen);
	if (send(h->rtnl, req, sizeof req, 0) != (ssize_t)sizeof req)
		return -1;
	n = recv(h->rtnl, &ack, sizeof ack, 0);
	if (n < (ssize_t)sizeof ack || ack.nh.nlmsg_type != NLMSG_ERROR)
		return -1;
	errno = -ack.err.error;
	return ack.err.error ? -1 : 0;
}

/* What the TUN IFNAME's queue can hold, once its txqueuelen is within
 * TUN_QUEUE_MAX; lowering it is said on standard output. */
static uint64_t tun_queue_bytes(struct host *h, const char *ifname)
{
	struct ifreq ifr = { 0 };
	uint64_t per_packet, qlen, cap;

	set_name(&ifr, ifname);
	if (ioctl(h->sock, SIOCGIFMTU, &ifr) == -1)
		return 0;	/* gone meanwhile */
	per_packet = (uint64_t)ifr.ifr_mtu + SKB_OVERHEAD;
	if (ioctl(h->sock, SIOCGIFTXQLEN, &ifr) == -1)
		return 0;
	qlen = (uint64_t)ifr.ifr_qlen;
	cap = TUN_QUEUE_MAX / per_packet;
	if (cap < 1)
		cap = 1;
	if (qlen > cap && ioctl(h->sock, SIOCGIFINDEX, &ifr) == 0) {
		if (set_txqueuelen(h, ifr.ifr_ifindex, (unsigned)cap) == 0) {
			printf("[grader] txqueuelen of %s on %s lowered from %" PRIu64
			       " to %" PRIu64 ": a TUN's queue may hold %d MB\n",
			       ifname, h->name, qlen, cap, TUN_QUEUE_MAX >> 20);
			fflush(stdout);
			qlen = cap;
		}
	}
	return qlen * per_packet;
}

/* Bytes the TUN devices of host H can hold, and how many there are. */
static uint64_t tun_bytes(struct host *h, unsigned *tuns)
{
	char *line, *save = NULL, *text = reread(h->dev);
	char names[64][IFNAMSIZ];
	unsigned n = 0, i;
	uint64_t sum = 0;

	if (!text)
		return 0;
	/* Names first: the ioctls below print, and reread() shares buf. */
	for (line = strtok_r(text, "\n", &save); line && n < 64; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;	/* the two header lines */
		*colon = '\0';
		line += strspn(line, " ");
		names[n][0] = '\0';
		strncat(names[n++], line, IFNAMSIZ - 1);
	}
	for (i = 0; i < n; i++) {
		if (is_tun(h->sock, names[i])) {
			sum += tun_queue_bytes(h, names[i]);
			(*tuns)++;
		}
	}
	return sum;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* SIGKILL every process in the network namespace INODE: the memory goes
 * when the lab does, but a program that fills a gigabyte a second must
 * not go on for the time that takes. */
static void kill_network(unsigned long long inode)
{
	char path[64];
	struct dirent *d;
	struct stat st;
	DIR *proc = opendir("/proc");
	pid_t pid, self = getpid();

	if (!proc)
		return;
	while ((d = readdir(proc))) {
		pid = (pid_t)strtol(d->d_name, NULL, 10);
		if (pid <= 1 || pid == self)
			continue;
		snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
		if (stat(path, &st) == 0 && (unsigned long long)st.st_ino == inode)
			kill(pid, SIGKILL);
	}
	closedir(proc);
}

/* Bytes of IP fragments waiting to be reassembled (a network's root may
 * raise ipfrag_high_thresh as it likes): sockstat's "FRAG: inuse N memory
 * M" and sockstat6's "FRAG6: ...", which count this network's alone. */
static uint64_t fragment_bytes(struct host *h)
{
	unsigned long long memory;
	uint64_t sum = 0;
	char *text, *frag;
	int i;

	for (i = 0; i < 2; i++) {
		if (!(text = reread(h->sockstat[i])) || !(frag = strstr(text, "FRAG")))
			continue;
		if (sscanf(frag, "%*s inuse %*u memory %llu", &memory) == 1)
			sum += memory;
	}
	return sum;
}

/* Bytes waiting in the queueing disciplines of the network's interfaces
 * (a netem delay or a tbf with a vast limit, added by rtnetlink, holds
 * packets as long as it likes): the backlog of each, in its TCA_STATS2
 * statistics, and a packet's overhead for each packet queued. */
static uint64_t qdisc_bytes(struct host *h)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req = {
		.nh = { .nlmsg_len = sizeof req, .nlmsg_type = RTM_GETQDISC,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.tc = { .tcm_family = AF_UNSPEC },
	};
	static char reply[1 << 16];
	uint64_t sum = 0;
	ssize_t n;

	if (send(h->rtnl, &req, sizeof req, 0) != (ssize_t)sizeof req)
		return 0;
	while ((n = recv(h->rtnl, reply, sizeof reply, 0)) > 0) {
		struct nlmsghdr *nh = (struct nlmsghdr *)reply;

		for (; NLMSG_OK(nh, (unsigned)n); nh = NLMSG_NEXT(nh, n)) {
			struct rtattr *rta;
			int len;

			if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR)
				return sum;
			if (nh->nlmsg_type != RTM_NEWQDISC)
				continue;
			len = (int)nh->nlmsg_len - NLMSG_LENGTH(sizeof(struct tcmsg));
			for (rta = TCA_RTA(NLMSG_DATA(nh)); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
				struct rtattr *st;
				int stlen = (int)RTA_PAYLOAD(rta);

				if (rta->rta_type != TCA_STATS2)
					continue;
				for (st = RTA_DATA(rta); RTA_OK(st, stlen); st = RTA_NEXT(st, stlen)) {
					struct gnet_stats_queue q;

					if (st->rta_type != TCA_STATS_QUEUE || RTA_PAYLOAD(st) < sizeof q)
						continue;
					memcpy(&q, RTA_DATA(st), sizeof q);
					sum += q.backlog + (uint64_t)q.qlen * SKB_OVERHEAD;
				}
			}
		}
	}
	return sum;
}

static double mb(uint64_t bytes)
{
	return (double)bytes / (1 << 20);
}

/* One look at every host; 1 if one is over MAX (said on standard output). */
static int over_bound(uint64_t max)
{
	int i, t;

	for (i = 0; i < nhosts; i++) {
		struct host *h = &hosts[i];
		unsigned sockets = 0, tuns = 0;
		uint64_t sockbytes = 0, tunbytes, fragbytes, qdiscbytes, total;

		for (t = 0; t < NTABLES; t++)
			sockbytes += table_bytes(h->tables[t], "%*s %*s %*s %*s %llx:%llx", &sockets);
		sockbytes += table_bytes(h->netlink, "%*s %*s %*s %*s %llu %llu", &sockets);
		tunbytes = tun_bytes(h, &tuns);
		fragbytes = fragment_bytes(h);
		qdiscbytes = qdisc_bytes(h);
		total = sockbytes + tunbytes + fragbytes + qdiscbytes;
		if (total > max) {
			kill_network(h->inode);
			printf("%s held %.1f MB in the kernel: %.1f MB waiting in %u sockets' queues, "
			       "%.1f MB in IP fragments, %.1f MB in its interfaces' queueing disciplines, "
			       "and %u TUN devices whose queues can hold %.1f MB (the bound is %.1f MB a test)\n",
			       h->name, mb(total), mb(sockbytes), sockets, mb(fragbytes),
			       mb(qdiscbytes), tuns, mb(tunbytes), mb(max));
			fflush(stdout);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char *argv[])
{
	unsigned long long seconds, max;
	struct timespec pause = { 0, POLL_MS * 1000000L };
	uint64_t deadline;
	int i;

	if (argc < 6 || (argc - 3) % 3 != 0 || (argc - 3) / 3 > MAX_HOSTS)
		return usage();
	seconds = strtoull(argv[1], NULL, 10);
	max = strtoull(argv[2], NULL, 10);
	if (!seconds || !max)
		return usage();
	/* Killed with the watchdog that started it (its parent): no clock
	 * left running after its test. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() == 1)
		return 1;
	for (i = 3; i < argc; i += 3)
		if (add_host(argv[i], argv[i + 1], argv[i + 2]))
			return 1;
	deadline = now_ms() + seconds * 1000;
	while (now_ms() < deadline) {
		if (over_bound(max))
			return 3;
		nanosleep(&pause, NULL);
	}
	return 0;
}
