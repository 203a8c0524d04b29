#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Graded: Step 1, tun and tun_ping on useru, run without arguments.  Each
# ping is the test's own (an ICMP id, a payload and, for tun, an address in
# 10.1.3.0/24 drawn for it), watched on tun0 in both directions.

# The step's lesson, the system calls each reference program makes
# itself and its template leaves to the student (tests/handout.bats):
# lesson: tun.c: open ioctl read: read
# lesson: tun_ping.c: read write in_cksum: write in_cksum

load lib

setup() { grade_start; }
teardown() { grade_stop; }

CLIENT_ADDR=${TOPO_CLIENT_TUN//./\\.}

# A 10.1.3.x address of the test's own, neither 10.1.3.1 nor .255.
random_peer() { echo "10.1.3.$((2 + RANDOM % 250))"; }

start_tun_ping() {
	student useru tun_ping step1-tun/tun_ping
	wait_tun useru tun_ping "$CLIENT_ADDR" "$TOPO_CLIENT_TUN"
}

# bats test_tags=points:4
@test "step 1: tun creates tun0, up, with 10.1.3.1/24" {
	student useru tun step1-tun/tun
	wait_tun useru tun "$CLIENT_ADDR" "$TOPO_CLIENT_TUN"
}

# bats test_tags=points:4
@test "step 1: tun prints the echo request it reads, with its addresses" {
	local peer
	peer=$(random_peer)
	student useru tun step1-tun/tun
	wait_tun useru tun "$CLIENT_ADDR" "$TOPO_CLIENT_TUN"
	probe s1-read tun useru "$peer"
	ping_probe useru "$peer" 1
	probe_end
	# Both addresses, printed after the probe, on one line or several.
	expect_all tun 5 "tun prints 10.1.3.1 and $peer, the addresses of the echo request the grader sent" \
		"$(read_hint tun)" "10\.1\.3\.1([^0-9]|$)" "${peer//./\\.}([^0-9]|$)"
	only_sent_addresses tun "$peer"
}

# only_sent_addresses NAME PEER: the lines NAME printed since the probe
# name no 10.1.3.x but 10.1.3.1 and PEER, the only ones a packet of the
# test carried: a program that prints every address scores nothing.
only_sent_addresses() {
	local others
	others=$(log_since "$1" | grep -oE '10\.1\.3\.[0-9]+' | grep -vxF -e 10.1.3.1 -e "$2" | sort -u | head -n 3 | paste -sd' ')
	[[ -z $others ]] || explain "tun prints only what it reads: 10.1.3.1 and $2" \
		"it also printed $others, which no packet of the test carried" \
		"the program prints addresses it did not read from the TUN (print the packet's own, from the bytes read())"
}

# bats test_tags=points:4
@test "step 1: tun_ping makes ping succeed, with the request's payload echoed" {
	local peer=10.1.3.4	# the handout's; the ping's id and payload are the test's own
	start_tun_ping
	probe -l s1-echo tun_ping useru "$peer" 56
	pings useru "$peer" 3
	probe_end
}

# bats test_tags=points:4
@test "step 1: tun_ping's echo replies have correct IPv4 and ICMP checksums, odd lengths too" {
	local peer=10.1.3.4	# the handout's; the ping's id and payload are the test's own
	start_tun_ping
	probe s1-echo tun_ping useru "$peer" 56 31
	pings useru "$peer" 2
	probe_end
}

# bats test_tags=points:2
@test "step 1: tun_ping answers 1-byte, odd-sized and near-MTU pings" {
	local peer=10.1.3.4	# the handout's; the ping's id and payload are the test's own
	start_tun_ping
	probe -l s1-echo tun_ping useru "$peer" 1 1001 1472
	pings useru "$peer" 1
	probe_end
}

# bats test_tags=points:2
@test "step 1: tun_ping answers echo requests only" {
	local peer=10.1.3.4	# the handout's; the ping's id and payload are the test's own
	start_tun_ping
	probe -l s1-only tun_ping useru "$peer" 56
	craft_probe useru -s "$CLIENT_TUN_ADDR" -d "$peer" -t 0 -q 101 raw	# an echo reply
	craft_probe useru -s "$CLIENT_TUN_ADDR" -d "$peer" -t 13 -q 113 raw	# a timestamp request
	craft_probe useru -s "$CLIENT_TUN_ADDR" -d "$peer" -t 3 -q 103 raw	# unreachable
	ping_probe useru "$peer" 1	# and an echo request, still answered
	probe_end
}
