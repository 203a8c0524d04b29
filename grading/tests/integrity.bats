#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Integrity of the reference tunnel: bytes arrive as sent, or not at all,
# even when a peer corrupts segments (with --fast, which joins segments,
# too), and a stranger's flood of forged clients neither fills the server's
# table nor takes a real client's place.

load kit

S4=$KIT/step4-bidir

setup() {
	lab_start
	CORRUPT=$BATS_TEST_TMPDIR/corrupt
	# Built as the library was: with the sanitizers under run-tests.
	local san=()
	nm "$KIT/common/libvpnlab.a" | grep -q __asan_ && san=(-fsanitize=address,undefined)
	cc -std=gnu11 "${san[@]}" -I"$KIT/common" -o "$CORRUPT" \
		"$KIT/grading/tests/peers/corrupt.c" "$KIT/common/libvpnlab.a"
	head -c 3000000 /dev/urandom >"$OUT/sent"
}

teardown() {
	rm -f "$OUT/sent" "$OUT/received"
	lab_stop
}

# The damage was really done: the corrupting end says how much.
assert_damaged() {
	stop "$1" || true
	run cat "$OUT/$1.log"
	assert_output --regexp 'damaged [1-9][0-9]* of [0-9]+ TCP segments'
}

# with_corrupt_client SERVER-FLAGS: the kit's server, a corrupting client.
with_corrupt_client() {
	tunnel_routes
	start server server "$S4/tun_server" $1
	wait_for server 'listening on'
	start useru bad "$CORRUPT" client 40
	wait_for bad 'Interface name'
	route_lab1
}

# with_corrupt_server CLIENT-FLAGS: a corrupting server, the kit's client.
with_corrupt_server() {
	tunnel_routes
	start server bad "$CORRUPT" server 40
	wait_for bad 'Interface name'
	start useru client "$S4/tun_client" $1
	wait_for client 'tunnelling to'
	route_lab1
	on useru ping -c1 -W2 userv >/dev/null	# the server learns its client
}

@test "integrity: a client corrupting every 40th segment, through the plain server: 3 MB arrive intact" {
	with_corrupt_client ""
	transfer useru userv userv "$OUT/sent" "$OUT/received"
	assert_damaged bad
}

@test "integrity: a client corrupting every 40th segment, through a --fast server: 3 MB arrive intact" {
	with_corrupt_client --fast
	transfer useru userv userv "$OUT/sent" "$OUT/received"
	assert_damaged bad
}

@test "integrity: a server corrupting every 40th segment, through the plain client: 3 MB arrive intact" {
	with_corrupt_server ""
	transfer userv useru 10.1.3.1 "$OUT/sent" "$OUT/received"
	assert_damaged bad
}

@test "integrity: a server corrupting every 40th segment, through a --fast client: 3 MB arrive intact" {
	with_corrupt_server --fast
	transfer userv useru 10.1.3.1 "$OUT/sent" "$OUT/received"
	assert_damaged bad
}

# flood_test SERVER-FLAGS
flood_test() {
	tunnel_routes
	start server server "$S4/tun_server" $1
	wait_for server 'listening on'
	start useru client "$S4/tun_client"
	wait_for client 'tunnelling to'
	route_lab1
	on useru ping -c1 -W2 userv >/dev/null
	# userw, on lab1, reaches the server's 10.1.1.4:9090.  The real client
	# keeps pinging all the while: it is active, and must stay served.
	start userw forge /usr/bin/python3 "$KIT/grading/tests/peers/forge.py" 10.1.1.4 9090 8
	on useru ping -c40 -i0.25 -W2 userv >"$OUT/ping.log" 2>&1 &
	local pinger=$!
	sleep 0.5
	transfer useru userv userv "$OUT/sent" "$OUT/received"
	transfer userv useru 10.1.3.1 "$OUT/sent" "$OUT/received"
	# On two busy cores a flood costs packets, never the tunnel: a client
	# pushed out or taken over would get none back.  While it lasts, the
	# bytes above arrived and some pings came back (a fifth: CI machines
	# are busy); once it is over, the tunnel is as it was; and the server
	# never moved the client (below).
	wait_exit forge 15 || true
	wait "$pinger" || true
	run cat "$OUT/ping.log"
	assert_output --regexp '40 packets transmitted, ([89]|[1-3][0-9]|40) received'
	run on userv ping -c5 -i0.2 -W2 10.1.3.1
	assert_output --regexp '5 packets transmitted, [45] received'
	run cat "$OUT/forge.log"
	assert_output --regexp 'sent [0-9]{4,} forged datagrams'
	stop server
	run cat "$OUT/server.log"
	assert_output --regexp "dropped: .*[0-9]+ inner source not in the tunnel's networks"
	assert_output --regexp 'dropped: .*[0-9]+ tunnel address held by an active client'
	refute_output --partial 'client fe80::'
	refute_output --regexp 'client 10\.1\.3\.1 is at 10\.1\.1\.3'
}

@test "integrity: a flood of forged fe80:: and 10.1.3.x clients from a third host leaves the real client working" {
	flood_test ""
}

@test "integrity: the same flood against a --fast server" {
	flood_test --fast
}
