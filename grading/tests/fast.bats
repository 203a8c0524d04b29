#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The fast path (--fast on the Step 4 programs, common/fast/fast.c): bytes cross
# intact whichever ends use it (a plain end checks every checksum the fast
# one made), the wire still carries one IP packet per datagram, and where
# the kernel refuses an offload the programs say so once and carry on.

load kit

setup() { lab_start; }
teardown() { lab_stop; }

S4=$KIT/step4-bidir

# start_fast SERVER-FLAGS CLIENT-FLAGS: the Step 4 tunnel, routes and all.
start_fast() {
	tunnel_routes
	start server server "$S4/tun_server" $1
	wait_for server 'listening on 0.0.0.0:9090'
	start useru client "$S4/tun_client" $2
	wait_for client "tunnelling to $TOPO_SERVER_ADDR:9090"
	route_lab1
}

# 4 MB from useru to userv and back, byte for byte.
both_ways() {
	head -c 4000000 /dev/urandom >"$OUT/sent"
	transfer useru userv userv "$OUT/sent" "$OUT/received"
	transfer userv useru 10.1.3.1 "$OUT/sent" "$OUT/back"
	rm -f "$OUT/sent" "$OUT/received" "$OUT/back"
}

@test "fast: --fast on both ends: TCP crosses intact both ways, through offloads" {
	start_fast --fast --fast
	for log in server client; do
		wait_for $log 'fast path: TUN offloads on'
		wait_for $log 'fast path: datagrams leave and arrive in batches'
	done
	both_ways
	run on useru ping -c3 -i0.2 -W2 userv
	assert_output --partial '3 packets transmitted, 3 received'
	refute_output --partial 'WARNING'
}

# The TUN's gso_max_segs on host: as many segments as one batch carries.
gso_max_segs() {
	on "$1" ip -d link show tun0 | grep -o 'gso_max_segs [0-9]*'
}

@test "fast: a super-packet is kept to one batch: 44 segments of 1472 bytes, 64 of 1000 or 576, and TCP crosses intact at each" {
	start_fast --fast --fast
	run gso_max_segs useru
	assert_output 'gso_max_segs 44'
	lab_stop
	lab_start
	for mtu in 1000 576; do
		start_fast "--fast -m $mtu" "--fast -m $mtu"
		run gso_max_segs server
		assert_output 'gso_max_segs 64'
		wait_for client 'fast path: TUN offloads on'
		both_ways
		lab_stop
		lab_start
	done
}

@test "fast: --fast on the client only: the plain server and userv accept every packet" {
	start_fast "" --fast
	both_ways
	run on userv ping -c2 -i0.2 -W2 10.1.3.1
	assert_success
}

@test "fast: --fast on the server only: the plain client and useru accept every packet" {
	start_fast --fast ""
	both_ways
	run on useru ping -c2 -i0.2 -W2 userw
	assert_success
}

# A virtual link hands a batch of datagrams from socket to socket whole; a
# real one carries them one by one, cut by the NIC or, when the device
# cannot (tx-udp-segmentation off), by the kernel before the wire.
@test "fast: on lan0, every datagram holds exactly one IP packet, as without --fast" {
	start_fast --fast --fast
	on useru ethtool -K lan0 tx-udp-segmentation off
	on server ethtool -K lan0 tx-udp-segmentation off
	start server wire "$PCAPCHECK" -i lan0 -u 9090 -o -s 10.1.3.1 -d 10.1.1.2 -p tcp -c 500 -t 20
	start useru back "$PCAPCHECK" -i lan0 -u 9090 -o -s 10.1.1.2 -d 10.1.3.1 -p tcp -c 500 -t 20
	wait_for wire '^capturing on'
	wait_for back '^capturing on'
	both_ways
	wait_exit wire 20
	wait_exit back 20
	run cat "$OUT/wire.log" "$OUT/back.log"
	assert_line --regexp '^OK: 500 matching packet\(s\) on lan0$'
	refute_output --partial FAIL
}

# The same check has teeth: with the offload on, the batches cross the
# virtual link whole, and the capture sees datagrams that are many packets.
@test "fast: batches really leave in one sendmsg(): lan0 sees them whole while offloaded" {
	start_fast --fast --fast
	start server wire "$PCAPCHECK" -i lan0 -u 9090 -o -c 100000 -t 20
	wait_for wire '^capturing on'
	head -c 4000000 /dev/urandom >"$OUT/sent"
	transfer useru userv userv "$OUT/sent" "$OUT/received"
	local status=0
	wait_exit wire 20 || status=$?
	[ "$status" -eq 1 ]
	run cat "$OUT/wire.log"
	assert_output --regexp 'FAIL: a datagram that is not one IP packet \(length field disagrees with size\)'
}

@test "fast: where the kernel refuses an offload, one log line each, and TCP still crosses intact" {
	tunnel_routes
	start server server "$S4/tun_server" --fast
	wait_for server 'listening on 0.0.0.0:9090'
	# TUN offloads and UDP GRO refused as a kernel without them would.
	# UDP GSO refused by the kernel itself: on a route whose MTU is below
	# the datagrams' size, it will not send them in a batch (EMSGSIZE),
	# though it fragments them one by one.
	on useru ip route add "$TOPO_SERVER_ADDR/32" dev lan0 mtu 1400
	# (In the command: the lab gives its programs a clean environment.)
	start useru client env VPNLAB_REFUSE=tun-offload,udp-gro \
		"$S4/tun_client" --fast
	wait_for client "tunnelling to $TOPO_SERVER_ADDR:9090"
	route_lab1
	both_ways
	run cat "$OUT/client.log"
	assert_line --regexp '^INFO: fast path: no TUN offloads here \(.*\); packets are read one by one$'
	assert_line --regexp '^INFO: fast path: no UDP GRO here \(.*\); datagrams arrive one by one$'
	assert_line 'INFO: fast path: this kernel refused UDP GSO; datagrams leave one by one'
	refute_output --partial WARNING
	run grep -c 'fast path:' "$OUT/client.log"
	assert_output 3
}

# The fast path takes datagrams in batches and holds packets back: bad
# input must still be dropped one by one, and never stop a program.
@test "fast: both --fast ends survive every kind of bad datagram and a flood, and carry on" {
	local bad=$KIT/grading/tests/peers/badpackets.py port kind
	tunnel_routes
	start useru client "$S4/tun_client" --fast
	wait_for client 'tunnelling to'
	route_lab1
	port=$(on useru ss -Hulnp | awk '/tun_client/ {split($4, a, ":"); print a[2]}')
	# At the client, from its server's own address, before the server is up.
	run on server /usr/bin/python3 "$bad" --bind "$TOPO_SERVER_ADDR:9090" 10.1.2.2 "$port" --flood 5000
	assert_success
	start server server "$S4/tun_server" --fast
	wait_for server 'listening on'
	run on useru /usr/bin/python3 "$bad" "$TOPO_SERVER_ADDR" 9090 --flood 20000
	assert_success
	assert_output --partial 'sent 65507 bytes'
	running client
	running server
	both_ways
	stop client
	stop server
	for kind in empty truncated 'not IPv4 or IPv6' 'bad IPv4 header length' \
		'length field disagrees with size' 'bad IPv4 header checksum'; do
		grep -qE "^INFO: dropped: .*[0-9]+ $kind" "$OUT/client.log" ||
			fail "the client did not count '$kind': $(grep 'dropped:' "$OUT/client.log")"
		grep -qE "^INFO: dropped: .*[0-9]+ $kind" "$OUT/server.log" ||
			fail "the server did not count '$kind': $(grep 'dropped:' "$OUT/server.log")"
	done
}
