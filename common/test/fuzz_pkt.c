/*
 * libFuzzer target for the packet code: whatever the bytes, ip_parse(), the
 * transport parsers, in_cksum(), pkt_summary() and drop_bad_packet() must
 * neither read outside them nor misbehave (built with ASan and UBSan).
 *
 *   make -C common fuzz [FUZZ_SECONDS=30]    seeds in test/corpus/
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "drop.h"
#include "pkt.h"

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
	return 0;
}
