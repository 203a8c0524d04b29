/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the packet code: whatever the bytes, ip_parse(), the
 * transport parsers, in_cksum(), pkt_summary() and drop_bad_packet() must
 * neither read outside them nor misbehave (built with ASan and UBSan).  The
 * bytes are also a stream of packets from the network for the fast path's
 * joining of TCP segments (fast_tun_write(), into /dev/null for a TUN).
 *
 *   make -C common fuzz [FUZZ_SECONDS=30]    seeds in test/corpus/
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drop.h"
#include "fast.h"
#include "pkt.h"

/* Each packet: two bytes of length, then that many bytes (or what is left);
 * consecutive ones may join, as segments of one TCP stream would. */
static void fuzz_join(const uint8_t *data, size_t size)
{
	static int devnull = -1;
	size_t len;

	if (devnull == -1 && (devnull = open("/dev/null", O_WRONLY)) == -1)
		__builtin_trap();
	while (size >= 2) {
		len = (size_t)(data[0] << 8 | data[1]);
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		(void)fast_tun_write(devnull, data, len);
		data += len;
		size -= len;
	}
	(void)fast_tun_flush();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ip_info ip;
	struct icmp_info icmp;
	struct ports_info ports;
	struct drops drops;
	char line[PKT_SUMMARY_MAX], tiny[9];

	pkt_summary(data, size, line, sizeof(line));
	pkt_summary(data, size, tiny, sizeof(tiny));
	if (strlen(line) >= sizeof(line) || strlen(tiny) >= sizeof(tiny))
		__builtin_trap();
	if (ip_parse(data, size, &ip) == PKT_OK) {
		if (ip.l4 < data || ip.l4 + ip.l4_len != data + size)
			__builtin_trap();	/* the payload is inside the bytes */
		(void)icmp_parse(ip.l4, ip.l4_len, &icmp);
		(void)udp_parse(ip.l4, ip.l4_len, &ports);
		if (tcp_parse(ip.l4, ip.l4_len, &ports) == 0 &&
		    ports.hdr_len > ip.l4_len)
			__builtin_trap();
		(void)in_cksum(ip.l4, ip.l4_len);
	}
	for (int i = 0; i < DROP_NREASONS; i++)
		drops.count[i] = 1;	/* counted, not logged: keep output quiet */
	(void)drop_bad_packet(&drops, data, size, "fuzz");
	fuzz_join(data, size);
	return 0;
}
