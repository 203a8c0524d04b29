#include <endian.h>
#include <errno.h>
#include <linux/virtio_net.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "fast.h"
#include "pkt.h"
#include "tun.h"
#include "udp.h"

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_CWR 0x80

/* UDP GSO takes at most 64 segments per sendmsg(), and IPv4 carries at
 * most 65507 bytes of payload in one (unsegmented) datagram. */
#define FAST_GSO_SEGS 64
#define FAST_GSO_BYTES 65507
/* Datagrams in a batch must fit the 1500-byte link whole: the kernel
 * refuses to cut a batch into IP fragments. */
#define FAST_GSO_SEG_MAX (1500 - 28)

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* The sum of the IPv4 pseudo-header that TCP's checksum covers. */
static uint32_t pseudo_sum(const uint8_t *ip, size_t tcp_len)
{
	return in_cksum_add(0, ip + 12, 8) + IPPROTO_TCP + (uint32_t)tcp_len;
}

static void set_ip_cksum(uint8_t *ip, size_t ihl)
{
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = in_cksum(ip, ihl);
	memcpy(ip + 10, &c, 2);
}

/* --- TUN -> socket: cutting super-packets --------------------------------- */

static struct {
	uint8_t in[TUN_VNET_HDR_LEN + PKT_BUFSIZE];
	const uint8_t *pkt;	/* the super-packet being cut, after its header */
	size_t ihl, hdr_len;	/* its IP header; IP and TCP headers */
	size_t mss, payload;	/* bytes of payload per segment; in all */
	size_t done;		/* payload bytes already handed out */
	unsigned seg;		/* segments already handed out */
} rd;

int fast_tun_held(void)
{
	return rd.done < rd.payload;
}

/*
 * The kernel left this packet's checksum to us (TUN_F_CSUM): the field at
 * start + offset holds the pseudo-header's sum, so the sum of everything
 * from start on, folded, is the checksum.  0 becomes 0xffff, which means
 * the same to TCP and "no checksum" to nobody.
 */
static void complete_cksum(uint8_t *pkt, size_t len, size_t start,
			   size_t offset)
{
	uint16_t c;

	if (start > len || offset + 2 > len - start)
		return;		/* nonsense from the kernel: leave it */
	c = in_cksum_fold(in_cksum_add(0, pkt + start, len - start));
	if (c == 0)
		c = 0xffff;
	memcpy(pkt + start + offset, &c, 2);
}

/* Whether pkt (len bytes) is an IPv4 TCP packet we know how to cut; if so
 * remember where its headers end. */
static int can_cut(const uint8_t *pkt, size_t len, size_t mss)
{
	size_t ihl, thl;

	if (len < 40 || pkt[0] >> 4 != 4 || pkt[9] != IPPROTO_TCP || !mss)
		return 0;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (ihl < 20 || ihl + 20 > len)
		return 0;
	thl = (size_t)(pkt[ihl + 12] >> 4) * 4;
	if (thl < 20 || ihl + thl > len)
		return 0;
	rd.ihl = ihl;
	rd.hdr_len = ihl + thl;
	rd.mss = mss;
	rd.payload = len - rd.hdr_len;
	rd.done = 0;
	rd.seg = 0;
	return 1;
}

static size_t copy_out(uint8_t *buf, size_t size, const uint8_t *pkt,
		       size_t len)
{
	memcpy(buf, pkt, min_size(len, size));
	return len;
}

/*
 * The next segment of the super-packet: its headers, then mss bytes of
 * payload (fewer for the last).  As a NIC's TSO does: each segment gets its
 * own length, IP ID and sequence number; FIN and PSH stay on the last one,
 * CWR on the first; both checksums are computed in full.
 */
static ssize_t next_segment(uint8_t *buf, size_t size)
{
	size_t chunk = min_size(rd.payload - rd.done, rd.mss);
	size_t len = rd.hdr_len + chunk;
	uint8_t *tcp = buf + rd.ihl;
	uint16_t c;

	if (len > size) {	/* cannot fit: hand out its length only */
		rd.done += chunk;
		rd.seg++;
		return (ssize_t)len;
	}
	memcpy(buf, rd.pkt, rd.hdr_len);
	memcpy(buf + rd.hdr_len, rd.pkt + rd.hdr_len + rd.done, chunk);
	put16(buf + 2, (uint32_t)len);
	put16(buf + 4, get16(rd.pkt + 4) + rd.seg);
	set_ip_cksum(buf, rd.ihl);
	put32(tcp + 4, get32(rd.pkt + rd.ihl + 4) + (uint32_t)rd.done);
	if (rd.done + chunk < rd.payload)
		tcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (rd.seg)
		tcp[13] &= (uint8_t)~TCP_CWR;
	tcp[16] = tcp[17] = 0;
	c = in_cksum_fold(in_cksum_add(pseudo_sum(buf, len - rd.ihl), tcp,
				       len - rd.ihl));
	memcpy(tcp + 16, &c, 2);
	rd.done += chunk;
	rd.seg++;
	return (ssize_t)len;
}

ssize_t fast_tun_read(int tun, uint8_t *buf, size_t size)
{
	struct virtio_net_hdr vh;
	uint8_t *pkt = rd.in + TUN_VNET_HDR_LEN;
	ssize_t n;
	size_t len;

	if (fast_tun_held())
		return next_segment(buf, size);
	n = read(tun, rd.in, sizeof(rd.in));
	if (n == -1)
		return -1;
	if ((size_t)n < TUN_VNET_HDR_LEN)
		return 0;	/* no packet at all: the caller drops it */
	len = (size_t)n - TUN_VNET_HDR_LEN;
	memcpy(&vh, rd.in, sizeof(vh));
	if ((vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_TCPV4 &&
	    can_cut(pkt, len, le16toh(vh.gso_size))) {
		rd.pkt = pkt;
		return next_segment(buf, size);
	}
	if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		complete_cksum(pkt, len, le16toh(vh.csum_start),
			       le16toh(vh.csum_offset));
	return (ssize_t)copy_out(buf, size, pkt, len);
}

/* --- socket -> TUN: joining TCP segments ---------------------------------- */

static struct {
	int fd;
	uint8_t out[TUN_VNET_HDR_LEN + PKT_MAX];
	size_t len;		/* bytes held after the header; 0: none */
	size_t thl, mss;	/* the first segment's TCP header, payload */
	unsigned segs;
	uint32_t next_seq;	/* where the next segment must start */
	int closed;		/* a shorter segment came: no more */
	int fixed_id;		/* -1: not known yet; 1: the IDs do not count up */
} wr = { .fd = -1 };

void fast_tun_init(int tun)
{
	rd.done = rd.payload = 0;
	wr.fd = tun;
	wr.len = 0;
}

/* What fast_tun_write() needs to know of a segment. */
struct segment {
	size_t thl, payload;
	uint32_t seq;
	uint8_t flags;
};

/* Whether pkt's TCP checksum is right (IPv4, a 20-byte header, len bytes):
 * the sum over pseudo-header, header and data, its own field included. */
static int tcp_cksum_ok(const uint8_t *pkt, size_t len)
{
	return in_cksum_fold(in_cksum_add(pseudo_sum(pkt, len - 20), pkt + 20,
					  len - 20)) == 0;
}

/*
 * Whether pkt may join others into a super-packet: IPv4 without options,
 * not a fragment, TCP carrying data, no flag but ACK and PSH (a SYN, FIN,
 * RST, URG or ECN signal reaches the kernel as it came), and a right TCP
 * checksum.  That last one matters most: the super-packet goes to the
 * kernel marked "checksum still to be computed", so a segment corrupted on
 * the way would be trusted.  A segment that fails is written alone, as it
 * came, and the kernel drops it; TCP sends it again.
 */
static int joinable(const uint8_t *pkt, size_t len, struct segment *s)
{
	if (len < 41 || pkt[0] != 0x45 || pkt[9] != IPPROTO_TCP ||
	    get16(pkt + 2) != len || (get16(pkt + 6) & 0x3fff))
		return 0;
	s->thl = (size_t)(pkt[32] >> 4) * 4;
	s->flags = pkt[33];
	if (s->thl < 20 || 20 + s->thl >= len ||
	    (s->flags & ~(TCP_ACK | TCP_PSH)) || !(s->flags & TCP_ACK))
		return 0;
	s->payload = len - 20 - s->thl;
	s->seq = get32(pkt + 24);
	/* The IPv4 header's too: the super-packet gets a new one. */
	return in_cksum(pkt, 20) == 0 && tcp_cksum_ok(pkt, len);
}

/*
 * IP IDs as Linux's GRO takes them (inet_gro_receive): each segment's one
 * more than the one before, as a sender numbers them; or, with DF set, all
 * the same (an "atomic" datagram's ID means nothing).  Not a mix.
 */
static int id_follows(const uint8_t *pkt, const uint8_t *first)
{
	uint16_t id = get16(pkt + 4), id0 = get16(first + 4);
	int fixed = (pkt[6] & 0x40) && id == id0;
	int counts = id == (uint16_t)(id0 + wr.segs);

	if (wr.fixed_id == -1)
		return fixed || counts;
	return wr.fixed_id ? fixed : counts;
}

/*
 * Whether segment s (pkt) continues the one held, by the rules of Linux's
 * GRO (inet_gro_receive, tcp_gro_receive): the same addresses, ports, TOS,
 * TTL and DF; IP IDs as id_follows() says; the same acknowledgment, window,
 * TCP header length and options, byte for byte; no flag but PSH differing;
 * the next sequence number; no more payload than the first segment, and
 * nothing after one that had less (it ends the train).
 */
static int continues(const uint8_t *pkt, const struct segment *s)
{
	const uint8_t *first = wr.out + TUN_VNET_HDR_LEN;

	return wr.len && !wr.closed && s->thl == wr.thl &&
	       s->payload <= wr.mss && s->seq == wr.next_seq &&
	       wr.len + s->payload <= PKT_MAX && wr.segs < FAST_GSO_SEGS &&
	       pkt[1] == first[1] && pkt[8] == first[8] &&	/* TOS, TTL */
	       (pkt[6] & 0x40) == (first[6] & 0x40) &&		/* DF */
	       id_follows(pkt, first) &&
	       !memcmp(pkt + 12, first + 12, 8) &&	/* addresses */
	       !memcmp(pkt + 20, first + 20, 4) &&	/* ports */
	       !memcmp(pkt + 28, first + 28, 4) &&	/* acknowledgment */
	       pkt[32] == first[32] &&
	       (pkt[33] & ~TCP_PSH) == (first[33] & ~TCP_PSH) &&
	       !memcmp(pkt + 34, first + 34, 2) &&	/* window */
	       !memcmp(pkt + 38, first + 38, s->thl - 18); /* urgent, options */
}

static int write_packet(const struct virtio_net_hdr *vh, const uint8_t *pkt,
			size_t len)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)vh, .iov_len = TUN_VNET_HDR_LEN },
		{ .iov_base = (void *)pkt, .iov_len = len },
	};

	return writev(wr.fd, iov, 2) == -1 ? -1 : 0;
}

/*
 * One segment goes as it came.  Several go as one super-packet, as if a NIC
 * had joined them (GRO): one IP header with the total length, and the TCP
 * checksum left to the kernel, which finds the pseudo-header's sum in the
 * field (NEEDS_CSUM) and cuts at gso_size if it forwards the packet.
 */
int fast_tun_flush(void)
{
	struct virtio_net_hdr vh = { 0 };
	uint8_t *pkt = wr.out + TUN_VNET_HDR_LEN;
	uint16_t c;
	int failed;

	if (!wr.len)
		return 0;
	if (wr.segs > 1) {
		put16(pkt + 2, (uint32_t)wr.len);
		set_ip_cksum(pkt, 20);
		c = (uint16_t)~in_cksum_fold(pseudo_sum(pkt, wr.len - 20));
		memcpy(pkt + 36, &c, 2);
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		vh.hdr_len = htole16((uint16_t)(20 + wr.thl));
		vh.gso_size = htole16((uint16_t)wr.mss);
		vh.csum_start = htole16(20);
		vh.csum_offset = htole16(16);
	}
	failed = write_packet(&vh, pkt, wr.len) == -1 ? (int)wr.segs : 0;
	wr.len = 0;
	return failed;
}

static void hold(const uint8_t *pkt, size_t len, const struct segment *s)
{
	memcpy(wr.out + TUN_VNET_HDR_LEN, pkt, len);
	wr.len = len;
	wr.thl = s->thl;
	wr.mss = s->payload;
	wr.segs = 1;
	wr.next_seq = s->seq + (uint32_t)s->payload;
	wr.closed = 0;
	wr.fixed_id = -1;
}

static void join(const uint8_t *pkt, const struct segment *s)
{
	if (wr.fixed_id == -1)
		wr.fixed_id = get16(pkt + 4) == get16(wr.out + TUN_VNET_HDR_LEN + 4);
	memcpy(wr.out + TUN_VNET_HDR_LEN + wr.len, pkt + 20 + s->thl,
	       s->payload);
	wr.len += s->payload;
	wr.segs++;
	wr.next_seq += (uint32_t)s->payload;
	wr.closed = s->payload < wr.mss;
	wr.out[TUN_VNET_HDR_LEN + 33] |= s->flags & TCP_PSH;
}

int fast_tun_write(int tun, const uint8_t *pkt, size_t len)
{
	static const struct virtio_net_hdr none;
	struct segment s;
	int failed = 0;

	wr.fd = tun;
	if (!joinable(pkt, len, &s)) {
		failed = fast_tun_flush();
		if (write_packet(&none, pkt, len) == -1)
			failed++;
		return failed;
	}
	if (continues(pkt, &s)) {
		join(pkt, &s);
	} else {
		failed = fast_tun_flush();
		hold(pkt, len, &s);
	}
	/* PSH: the sender wants this delivered now, not held for more. */
	if (s.flags & TCP_PSH)
		failed += fast_tun_flush();
	return failed;
}

/* --- the socket: batches of datagrams --------------------------------------- */

static struct {
	int fd;
	unsigned refusals;	/* how often the kernel refused UDP_SEGMENT */
	/* received: a batch of datagrams of gso bytes (the last shorter) */
	uint8_t in[PKT_BUFSIZE];
	size_t in_len, in_off, in_seg;
	struct sockaddr_in in_from;
	/* to send: datagrams of seg bytes (the last may be shorter) */
	uint8_t out[FAST_GSO_BYTES];
	size_t out_len, out_seg;
	unsigned out_count;
	struct sockaddr_in out_to;
} ud = { .fd = -1 };

/*
 * Peers whose path refused a batch (UDP GSO), and until when to send them
 * datagrams one by one.  Per peer: one client behind a small MTU must not
 * cost the others their batches; and for a while only: paths change.
 */
#define FAST_NO_GSO_PEERS 32
#define FAST_NO_GSO_MS 10000
static struct no_gso {
	struct sockaddr_in to;
	long until_ms;
} no_gso[FAST_NO_GSO_PEERS];

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int gso_allowed(const struct sockaddr_in *to)
{
	long now = now_ms();

	for (int i = 0; i < FAST_NO_GSO_PEERS; i++)
		if (no_gso[i].until_ms > now && udp_endpoint_eq(&no_gso[i].to, to))
			return 0;
	return 1;
}

/* Remember that to's path refused a batch: the oldest entry makes room. */
static void gso_refused(const struct sockaddr_in *to)
{
	struct no_gso *slot = &no_gso[0];

	for (int i = 0; i < FAST_NO_GSO_PEERS; i++)
		if (no_gso[i].until_ms < slot->until_ms)
			slot = &no_gso[i];
	slot->to = *to;
	slot->until_ms = now_ms() + FAST_NO_GSO_MS;
	ud.refusals++;
}

int fast_udp_init(int sock)
{
	int on = 1;

	ud.fd = sock;
	return setsockopt(sock, SOL_UDP, UDP_GRO, &on, sizeof(on));
}

int fast_udp_held(void)
{
	return ud.in_off < ud.in_len;
}

unsigned fast_udp_gso_refusals(void)
{
	return ud.refusals;
}

static ssize_t next_datagram(uint8_t *buf, size_t size,
			     struct sockaddr_in *from)
{
	size_t len = min_size(ud.in_len - ud.in_off, ud.in_seg);

	copy_out(buf, size, ud.in + ud.in_off, len);
	ud.in_off += len;
	*from = ud.in_from;
	return (ssize_t)len;
}

/* The size of the datagrams in a batch the kernel joined (UDP GRO), or 0. */
static size_t gro_size(struct msghdr *m)
{
	struct cmsghdr *c;
	int size;

	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
			memcpy(&size, CMSG_DATA(c), sizeof(size));
			return size > 0 ? (size_t)size : 0;
		}
	}
	return 0;
}

ssize_t fast_udp_recv(int sock, uint8_t *buf, size_t size,
		      struct sockaddr_in *from)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = ud.in, .iov_len = sizeof(ud.in) };
	struct msghdr m = {
		.msg_name = &ud.in_from, .msg_namelen = sizeof(ud.in_from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	ssize_t n;

	if (fast_udp_held())
		return next_datagram(buf, size, from);
	/* MSG_TRUNC: the real length, so that a datagram too big is seen. */
	n = recvmsg(sock, &m, MSG_TRUNC);
	if (n == -1)
		return -1;
	ud.in_len = min_size((size_t)n, sizeof(ud.in));
	ud.in_off = 0;
	ud.in_seg = gro_size(&m);
	if (!ud.in_seg || ud.in_seg >= ud.in_len)
		ud.in_seg = ud.in_len;
	if ((size_t)n > sizeof(ud.in)) {	/* one datagram, too big */
		ud.in_off = ud.in_len;
		*from = ud.in_from;
		return n;
	}
	return next_datagram(buf, size, from);
}

/* Send the held datagrams one at a time; how many failed. */
static int send_one_by_one(void)
{
	size_t off, len;
	int failed = 0;

	for (off = 0; off < ud.out_len; off += len) {
		len = min_size(ud.out_len - off, ud.out_seg);
		if (udp_send(ud.fd, ud.out + off, len, &ud.out_to) == -1)
			failed++;
	}
	return failed;
}

/* All held datagrams in one sendmsg(): the kernel cuts the buffer every
 * out_seg bytes (UDP_SEGMENT) into datagrams of their own. */
static ssize_t send_batch(void)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = ud.out, .iov_len = ud.out_len };
	struct msghdr m = {
		.msg_name = &ud.out_to, .msg_namelen = sizeof(ud.out_to),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	uint16_t seg = (uint16_t)ud.out_seg;

	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	return sendmsg(ud.fd, &m, 0);
}

int fast_udp_flush(void)
{
	int failed = 0;

	if (!ud.out_count)
		return 0;
	if (ud.out_count == 1 || !gso_allowed(&ud.out_to)) {
		failed = send_one_by_one();
	} else if (send_batch() == -1) {
		/* No GSO in this kernel, or not on this path: a device
		 * without checksum offload (EIO), datagrams larger than the
		 * route's MTU (EMSGSIZE, older kernels EINVAL).  This peer's
		 * datagrams go one by one for a while, then we ask again. */
		if (errno == EIO || errno == EINVAL || errno == EMSGSIZE ||
		    errno == ENOPROTOOPT || errno == EOPNOTSUPP) {
			gso_refused(&ud.out_to);
			failed = send_one_by_one();
		} else {
			failed = (int)ud.out_count;
		}
	}
	ud.out_len = ud.out_count = 0;
	return failed;
}

int fast_udp_send(int sock, const uint8_t *pkt, size_t len,
		  const struct sockaddr_in *to)
{
	int failed = 0;

	ud.fd = sock;
	/* A batch is datagrams of one size to one peer; only the last may be
	 * shorter. */
	if (ud.out_count &&
	    (!udp_endpoint_eq(to, &ud.out_to) || len > ud.out_seg ||
	     ud.out_len % ud.out_seg || ud.out_count == FAST_GSO_SEGS ||
	     ud.out_len + len > sizeof(ud.out)))
		failed = fast_udp_flush();
	if (len > FAST_GSO_SEG_MAX || !len)
		return failed + (udp_send(sock, pkt, len, to) == -1);
	if (!ud.out_count) {
		ud.out_to = *to;
		ud.out_seg = len;
	}
	memcpy(ud.out + ud.out_len, pkt, len);
	ud.out_len += len;
	ud.out_count++;
	return failed;
}
