/* SPDX-License-Identifier: MIT */
#include <endian.h>
#include <errno.h>
#include <linux/virtio_net.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "clock.h"
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

/* --- TUN -> socket: cutting super-packets in place ------------------------ */

/*
 * Cutting without copying.  A super-packet is headers, then payload; its
 * segments leave as headers + mss bytes each.  So the read itself leaves
 * room for them: readv() puts the headers and the first mss bytes of
 * payload in slot 0, the next mss bytes at the payload's place in slot 1,
 * and so on, one slot every hdr_len + mss bytes.  Cutting only writes each
 * slot's headers into the gap left for them; and the slots, back to back,
 * are the very datagrams that one UDP GSO sendmsg() sends.  No payload
 * byte is copied in user space on the way out.
 *
 * The layout is guessed from the last super-packet (a TCP stream keeps its
 * segment size).  One read with another layout costs two copies: gathered,
 * then spread into slots of its own layout, which the next read takes.
 * Segments too small for FAST_SLOTS slots to hold 64 KB are cut by copying.
 * Packets that are not cut (an ACK, say) are handed out where they lie.
 */
#define FAST_SLOTS 128	/* 64 KB in segments of 512 bytes and more */
#define FAST_HDR_MAX 120	/* IPv4 and TCP headers, options included */

static struct {
	uint8_t slots[2 * PKT_BUFSIZE];
	uint8_t lin[PKT_BUFSIZE];	/* read without slots, or gathered */
	uint8_t seg[PKT_BUFSIZE];	/* a segment cut by copying */
	struct virtio_net_hdr vh;
	struct iovec iov[FAST_SLOTS + 1];
	int iovcnt;
	size_t lay_hdr, lay_mss;	/* the slots' layout; 0, 0: none */
	int lent;			/* the last packet handed out lies in
					 * its slot, cut in place */
	uint8_t tmpl[FAST_HDR_MAX];	/* the super-packet's headers */
	const uint8_t *from;		/* its payload when cut by copying */
	size_t ihl, hdr_len;		/* its IP header; IP and TCP headers */
	size_t mss, payload;		/* bytes of payload per segment; in all */
	size_t done;			/* payload bytes already handed out */
	unsigned seg_no;		/* segments already handed out */
} rd;

static void release_slots(void);

int fast_tun_held(void)
{
	return rd.done < rd.payload;
}

/*
 * A batch is at most FAST_GSO_BYTES of datagrams of at most mtu bytes each
 * (44 of 1472), and TCP makes no super-packet of more segments than the
 * device's gso_max_segs.
 */
int fast_tun_limit(const char *ifname, int mtu)
{
	size_t per_batch;

	if (mtu <= 0 || mtu > FAST_GSO_SEG_MAX)
		return 0;	/* datagrams that big go one by one anyway */
	per_batch = min_size(FAST_GSO_BYTES / (size_t)mtu, FAST_GSO_SEGS);
	return tun_set_gso_max_segs(ifname, (unsigned)per_batch);
}

/* Reads go into rd.lin, whole. */
static void layout_none(void)
{
	rd.lay_hdr = rd.lay_mss = 0;
	rd.iov[0] = (struct iovec){ &rd.vh, TUN_VNET_HDR_LEN };
	rd.iov[1] = (struct iovec){ rd.lin, sizeof(rd.lin) };
	rd.iovcnt = 2;
}

/* Reads go into slots of hdr + mss bytes, if a whole packet fits them. */
static void layout_slots(size_t hdr, size_t mss)
{
	size_t stride = hdr + mss, room = stride;
	int n = 1;

	if (hdr == rd.lay_hdr && mss == rd.lay_mss)
		return;
	while (room < PKT_BUFSIZE && n < FAST_SLOTS) {
		room += mss;
		n++;
	}
	if (room < PKT_BUFSIZE || (size_t)n * stride > sizeof(rd.slots)) {
		layout_none();	/* segments too small: copy them */
		return;
	}
	rd.lay_hdr = hdr;
	rd.lay_mss = mss;
	rd.iov[1] = (struct iovec){ rd.slots, stride };
	for (int i = 1; i < n; i++)
		rd.iov[i + 1] = (struct iovec){ rd.slots + i * stride + hdr, mss };
	rd.iovcnt = n + 1;
	/* Room for PKT_BUFSIZE bytes, no more, as rd.lin: a read that fills
	 * it was too big, and gather() always fits. */
	rd.iov[n].iov_len -= room - PKT_BUFSIZE;
}

/* Copy a packet of len bytes, read into the slots, into rd.lin whole. */
static void gather(size_t len)
{
	size_t off = 0, n;

	for (int i = 1; i < rd.iovcnt && off < len; i++) {
		n = min_size(len - off, rd.iov[i].iov_len);
		memcpy(rd.lin + off, rd.iov[i].iov_base, n);
		off += n;
	}
}

/* The other way: spread rd.lin's len bytes into the slots, as a read with
 * their layout would have. */
static void scatter(size_t len)
{
	size_t off = 0, n;

	for (int i = 1; i < rd.iovcnt && off < len; i++) {
		n = min_size(len - off, rd.iov[i].iov_len);
		memcpy(rd.iov[i].iov_base, rd.lin + off, n);
		off += n;
	}
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

/* Whether pkt (len bytes, of which the first have bytes are at hand) is an
 * IPv4 TCP packet we know how to cut at mss; if so where its headers end. */
static int can_cut(const uint8_t *pkt, size_t have, size_t len, size_t mss,
		   size_t *ihl, size_t *hdr_len)
{
	size_t thl;

	if (have < 40 || pkt[0] >> 4 != 4 || pkt[9] != IPPROTO_TCP || !mss)
		return 0;
	*ihl = (size_t)(pkt[0] & 0x0f) * 4;
	if (*ihl < 20 || *ihl + 20 > have)
		return 0;
	thl = (size_t)(pkt[*ihl + 12] >> 4) * 4;
	*hdr_len = *ihl + thl;
	return thl >= 20 && *hdr_len <= have && *hdr_len < len;
}

/* Start cutting pkt; from: where its bytes are if cut by copying, or NULL
 * if they already sit in slots of its own layout. */
static void start_cut(const uint8_t *pkt, size_t len, size_t ihl,
		      size_t hdr_len, size_t mss, const uint8_t *from)
{
	memcpy(rd.tmpl, pkt, hdr_len);
	rd.from = from;
	rd.ihl = ihl;
	rd.hdr_len = hdr_len;
	rd.mss = mss;
	rd.payload = len - hdr_len;
	rd.done = 0;
	rd.seg_no = 0;
}

/*
 * Headers for a segment of chunk payload bytes at seg, from the super-
 * packet's.  As a NIC's TSO does: each segment gets its own length, IP ID
 * and sequence number; FIN and PSH stay on the last one, CWR on the first;
 * both checksums are computed in full.
 */
static void write_headers(uint8_t *seg, size_t chunk)
{
	size_t len = rd.hdr_len + chunk;
	uint8_t *tcp = seg + rd.ihl;
	uint16_t c;

	memcpy(seg, rd.tmpl, rd.hdr_len);
	put16(seg + 2, (uint32_t)len);
	put16(seg + 4, get16(rd.tmpl + 4) + rd.seg_no);
	set_ip_cksum(seg, rd.ihl);
	put32(tcp + 4, get32(rd.tmpl + rd.ihl + 4) + (uint32_t)rd.done);
	if (rd.done + chunk < rd.payload)
		tcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (rd.seg_no)
		tcp[13] &= (uint8_t)~TCP_CWR;
	tcp[16] = tcp[17] = 0;
	c = in_cksum_fold(in_cksum_add(pseudo_sum(seg, len - rd.ihl), tcp,
				       len - rd.ihl));
	memcpy(tcp + 16, &c, 2);
}

/* The next segment: in its slot, or copied out of the super-packet. */
static ssize_t next_segment(const uint8_t **pkt)
{
	size_t chunk = min_size(rd.payload - rd.done, rd.mss);
	uint8_t *seg = rd.seg;

	if (rd.from)
		memcpy(seg + rd.hdr_len, rd.from + rd.hdr_len + rd.done, chunk);
	else
		seg = rd.slots + rd.seg_no * (rd.hdr_len + rd.mss);
	rd.lent = !rd.from;
	write_headers(seg, chunk);
	rd.done += chunk;
	rd.seg_no++;
	*pkt = seg;
	return (ssize_t)(rd.hdr_len + chunk);
}

ssize_t fast_tun_read(int tun, const uint8_t **pkt)
{
	uint8_t *p = rd.lay_mss ? rd.slots : rd.lin;
	size_t len, have, ihl, hdr_len, mss;
	int gso;
	ssize_t n;

	if (fast_tun_held())
		return next_segment(pkt);
	if (!rd.iovcnt)
		layout_none();
	release_slots();	/* datagrams waiting to leave from them */
	n = readv(tun, rd.iov, rd.iovcnt);
	if (n == -1)
		return -1;
	*pkt = p;
	rd.lent = 0;
	if ((size_t)n < TUN_VNET_HDR_LEN)
		return 0;	/* no packet at all: the caller drops it */
	len = (size_t)n - TUN_VNET_HDR_LEN;
	have = min_size(len, rd.iov[1].iov_len);
	mss = le16toh(rd.vh.gso_size);
	gso = (rd.vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) ==
	      VIRTIO_NET_HDR_GSO_TCPV4;
	if (gso && can_cut(p, have, len, mss, &ihl, &hdr_len) &&
	    hdr_len == rd.lay_hdr && mss == rd.lay_mss) {
		start_cut(p, len, ihl, hdr_len, mss, NULL);
		return next_segment(pkt);
	}
	if (gso && p != rd.lin) {	/* another layout: gather it */
		gather(len);
		p = rd.lin;
	}
	if (gso && can_cut(p, len, len, mss, &ihl, &hdr_len)) {
		layout_slots(hdr_len, mss);	/* this one's, and the next's */
		if (rd.lay_hdr == hdr_len && rd.lay_mss == mss) {
			scatter(len);
			start_cut(rd.slots, len, ihl, hdr_len, mss, NULL);
		} else {
			start_cut(p, len, ihl, hdr_len, mss, p);
		}
		return next_segment(pkt);
	}
	if (have < len && p != rd.lin) {	/* spread over the slots */
		gather(len);
		p = rd.lin;
	}
	if (rd.vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		complete_cksum(p, len, le16toh(rd.vh.csum_start),
			       le16toh(rd.vh.csum_offset));
	*pkt = p;
	return (ssize_t)len;
}

/* --- socket -> TUN: joining TCP segments ---------------------------------- */

/*
 * Joining without copying, too: the super-packet is one writev() of its
 * first segment's headers (a copy, which the join rewrites) and every
 * segment's payload where it lies, in the batch of datagrams the socket
 * received.  That batch must then stay until the write: before it receives
 * the next one, fast_udp_recv() writes what is held, or copies it in
 * (release_batch()).  Payloads from anywhere else are copied in (own).
 */
static struct {
	int fd;
	struct virtio_net_hdr vh;
	uint8_t hdr[FAST_HDR_MAX];	/* the first segment's headers */
	struct iovec iov[2 + FAST_GSO_SEGS];	/* vh, hdr, payloads */
	int iovcnt;
	uint8_t own[PKT_MAX];		/* payloads copied in */
	size_t own_len;
	int borrowed;			/* a payload lies in ud.in */
	int pending, pending_errno;	/* failed before the caller asked */
	size_t len;		/* bytes held, headers included; 0: none */
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
	const uint8_t *first = wr.hdr;

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

/* Failures of a flush no caller asked for (see release_batch()), with
 * their errno, for the next call to report. */
static int take_pending(int *pending, const int *pending_errno)
{
	int n = *pending;

	if (n)
		errno = *pending_errno;
	*pending = 0;
	return n;
}

static void keep_pending(int *pending, int *pending_errno, int failed)
{
	if (failed) {
		*pending += failed;
		*pending_errno = errno;
	}
}

/*
 * One segment goes as it came.  Several go as one super-packet, as if a NIC
 * had joined them (GRO): one IP header with the total length, and the TCP
 * checksum left to the kernel, which finds the pseudo-header's sum in the
 * field (NEEDS_CSUM) and cuts at gso_size if it forwards the packet.
 */
int fast_tun_flush(void)
{
	int failed = take_pending(&wr.pending, &wr.pending_errno);
	uint16_t c;

	if (!wr.len)
		return failed;
	memset(&wr.vh, 0, sizeof(wr.vh));
	if (wr.segs > 1) {
		put16(wr.hdr + 2, (uint32_t)wr.len);
		set_ip_cksum(wr.hdr, 20);
		c = (uint16_t)~in_cksum_fold(pseudo_sum(wr.hdr, wr.len - 20));
		memcpy(wr.hdr + 36, &c, 2);
		wr.vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		wr.vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		wr.vh.hdr_len = htole16((uint16_t)(20 + wr.thl));
		wr.vh.gso_size = htole16((uint16_t)wr.mss);
		wr.vh.csum_start = htole16(20);
		wr.vh.csum_offset = htole16(16);
	}
	if (writev(wr.fd, wr.iov, wr.iovcnt) == -1)
		failed += (int)wr.segs;
	wr.len = 0;
	wr.borrowed = 0;
	return failed;
}

static int in_batch(const uint8_t *p, size_t len);

/* Add a payload to the super-packet: where it lies if that is in the
 * socket's batch, else copied in. */
static void add_payload(const uint8_t *p, size_t len)
{
	if (in_batch(p, len)) {
		wr.borrowed = 1;
	} else {
		memcpy(wr.own + wr.own_len, p, len);
		p = wr.own + wr.own_len;
		wr.own_len += len;
	}
	wr.iov[wr.iovcnt++] = (struct iovec){ (void *)p, len };
}

static void hold(const uint8_t *pkt, size_t len, const struct segment *s)
{
	memcpy(wr.hdr, pkt, 20 + s->thl);
	wr.iov[0] = (struct iovec){ &wr.vh, TUN_VNET_HDR_LEN };
	wr.iov[1] = (struct iovec){ wr.hdr, 20 + s->thl };
	wr.iovcnt = 2;
	wr.own_len = 0;
	add_payload(pkt + 20 + s->thl, s->payload);
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
		wr.fixed_id = get16(pkt + 4) == get16(wr.hdr + 4);
	add_payload(pkt + 20 + s->thl, s->payload);
	wr.len += s->payload;
	wr.segs++;
	wr.next_seq += (uint32_t)s->payload;
	wr.closed = s->payload < wr.mss;
	wr.hdr[33] |= s->flags & TCP_PSH;
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
	/* to send: datagrams of seg bytes (the last may be shorter), back to
	 * back in out, or where fast_tun_read() cut them (out_at) */
	uint8_t out[FAST_GSO_BYTES];
	const uint8_t *out_at;
	size_t out_len, out_seg;
	unsigned out_count;
	struct sockaddr_in out_to;
	int pending, pending_errno;	/* failed before the caller asked */
} ud = { .fd = -1 };

/* Whether p lies in the batch of datagrams received last. */
static int in_batch(const uint8_t *p, size_t len)
{
	uintptr_t at = (uintptr_t)p, in = (uintptr_t)ud.in;

	return at >= in && at - in <= sizeof(ud.in) - len;
}

/* Whether p lies in the slots fast_tun_read() cuts segments in. */
static int in_slots(const uint8_t *p, size_t len)
{
	uintptr_t at = (uintptr_t)p, slots = (uintptr_t)rd.slots;

	return at >= slots && at - slots <= sizeof(rd.slots) - len;
}

/* The next read overwrites the slots: datagrams held in them go first. */
static void release_slots(void)
{
	if (ud.out_count && ud.out_at)
		keep_pending(&ud.pending, &ud.pending_errno, fast_udp_flush());
}

/* Copy the payloads a join holds in the batch into its own room. */
static void keep_payloads(void)
{
	for (int i = 2; i < wr.iovcnt; i++) {
		struct iovec *v = &wr.iov[i];

		if (in_batch(v->iov_base, v->iov_len)) {
			memcpy(wr.own + wr.own_len, v->iov_base, v->iov_len);
			v->iov_base = wr.own + wr.own_len;
			wr.own_len += v->iov_len;
		}
	}
	wr.borrowed = 0;
}

/*
 * The next receive overwrites the batch, where a join may point.  After a
 * batch of several datagrams the join is written: the batch ended where
 * the sender's did, and so, mostly, did the super-packet.  After a lone
 * datagram (no UDP GRO here) its payload is copied, so that the next one
 * can still join it.
 */
static void release_batch(void)
{
	if (!wr.len || !wr.borrowed)
		return;
	if (ud.in_seg >= ud.in_len && !wr.closed && wr.segs < FAST_GSO_SEGS)
		keep_payloads();
	else
		keep_pending(&wr.pending, &wr.pending_errno, fast_tun_flush());
}

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

static int gso_allowed(const struct sockaddr_in *to)
{
	long now = clock_ms();

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
	slot->until_ms = clock_ms() + FAST_NO_GSO_MS;
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

static ssize_t next_datagram(const uint8_t **pkt, struct sockaddr_in *from)
{
	size_t len = min_size(ud.in_len - ud.in_off, ud.in_seg);

	*pkt = ud.in + ud.in_off;
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

ssize_t fast_udp_recv(int sock, const uint8_t **pkt, struct sockaddr_in *from)
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
		return next_datagram(pkt, from);
	release_batch();
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
		*pkt = ud.in;
		return n;
	}
	return next_datagram(pkt, from);
}

/* Send the held datagrams one at a time; how many failed. */
static int send_one_by_one(const uint8_t *out)
{
	size_t off, len;
	int failed = 0;

	for (off = 0; off < ud.out_len; off += len) {
		len = min_size(ud.out_len - off, ud.out_seg);
		if (udp_send(ud.fd, out + off, len, &ud.out_to) == -1)
			failed++;
	}
	return failed;
}

/* All held datagrams in one sendmsg(): the kernel cuts the buffer every
 * out_seg bytes (UDP_SEGMENT) into datagrams of their own. */
static ssize_t send_batch(const uint8_t *out)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)out, .iov_len = ud.out_len };
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
	const uint8_t *out = ud.out_at ? ud.out_at : ud.out;
	int failed = take_pending(&ud.pending, &ud.pending_errno);

	if (!ud.out_count)
		return failed;
	if (ud.out_count == 1 || !gso_allowed(&ud.out_to)) {
		failed += send_one_by_one(out);
	} else if (send_batch(out) == -1) {
		/* No GSO in this kernel, or not on this path: a device
		 * without checksum offload (EIO), datagrams larger than the
		 * route's MTU (EMSGSIZE, older kernels EINVAL).  This peer's
		 * datagrams go one by one for a while, then we ask again. */
		if (errno == EIO || errno == EINVAL || errno == EMSGSIZE ||
		    errno == ENOPROTOOPT || errno == EOPNOTSUPP) {
			gso_refused(&ud.out_to);
			failed += send_one_by_one(out);
		} else {
			failed += (int)ud.out_count;
		}
	}
	ud.out_len = ud.out_count = 0;
	ud.out_at = NULL;
	return failed;
}

/* Whether pkt can go in the batch held: the same peer, datagrams of one
 * size (only the last shorter), room left, and, for datagrams sent from
 * where they were cut, right after the last one. */
static int joins_batch(const uint8_t *pkt, size_t len,
		       const struct sockaddr_in *to)
{
	return udp_endpoint_eq(to, &ud.out_to) && len <= ud.out_seg &&
	       ud.out_len % ud.out_seg == 0 && ud.out_count < FAST_GSO_SEGS &&
	       ud.out_len + len <= FAST_GSO_BYTES &&
	       (!ud.out_at || pkt == ud.out_at + ud.out_len);
}

int fast_udp_send(int sock, const uint8_t *pkt, size_t len,
		  const struct sockaddr_in *to)
{
	int failed = 0;

	ud.fd = sock;
	if (ud.out_count && !joins_batch(pkt, len, to))
		failed = fast_udp_flush();
	if (len > FAST_GSO_SEG_MAX || !len)
		return failed + (udp_send(sock, pkt, len, to) == -1);
	if (!ud.out_count) {
		ud.out_to = *to;
		ud.out_seg = len;
		/* Cut in place: sent from there, not copied. */
		ud.out_at = rd.lent && in_slots(pkt, len) ? pkt : NULL;
	}
	if (!ud.out_at)
		memcpy(ud.out + ud.out_len, pkt, len);
	ud.out_len += len;
	ud.out_count++;
	return failed;
}
