#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Graded: Step 2, tun_client on useru and tun_udp_server on server.  Each
# program is graded on its own: the client with no server program at all,
# the server with datagrams the grader makes.  Every probe is the test's
# own: pings with an id, a payload and a 10.1.3.x address drawn for it; a
# datagram from a port, carrying addresses, drawn for it.

# The step's lesson, the system calls each reference program makes
# itself and its template leaves to the student (tests/handout.bats):
# lesson: tun_client.c: read socket sendto htons: socket sendto htons
# lesson: tun_udp_server.c: socket bind recvfrom: recvfrom

load lib

setup() { grade_start; }
teardown() { grade_stop; }

start_client() {
	student useru client step2-udp/tun_client
	wait_tun useru client "${TOPO_CLIENT_TUN//./\\.}" "$TOPO_CLIENT_TUN"
}

# bats test_tags=points:7
@test "step 2: the client's datagrams reach server's lan0 carrying the ping" {
	local peer=10.1.3.5	# the handout's; the ping's id and payload are the test's own
	start_client
	probe s2-client client useru "$peer" 56
	ping_probe useru "$peer" 2
	probe_end
}

# bats test_tags=points:7
@test "step 2: with the route to 10.1.1.0/24 on tun0, ping userv reaches server's lan0 inside UDP" {
	start_client
	route_lab1	# the handout's exercise
	probe s2-client client useru "${TOPO_ADDR[userv]}" 56
	ping_probe useru userv 2
	probe_end
}

# bats test_tags=points:6
@test "step 2: tun_udp_server reports the outer sender and the inner addresses" {
	local sport=$((20000 + RANDOM % 30000)) src="10.1.3.$((2 + RANDOM % 250))" dst
	dst="10.1.$((4 + RANDOM % 200)).$((2 + RANDOM % 250))"
	student server server step2-udp/tun_udp_server
	wait_port server server "$PORT"
	PROBE_ID=$RANDOM PROBE_PAT=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	craft_probe useru -s "$src" -d "$dst" -P "$sport" udp "$TOPO_SERVER_ADDR" "$PORT"
	expect_line server "${TOPO_ADDR[useru]//./\\.}" 5 \
		"a line naming the sender ${TOPO_ADDR[useru]} (and its port, $sport) of the datagram the grader sent" \
		"recvfrom() the datagram and print the address it filled in (inet_ntop, ntohs)"
	expect_port server "$sport" 2 \
		"the sender's port, $sport, printed with its address" \
		"print the port recvfrom() filled in: ntohs(from.sin_port)"
	expect_line server "${src//./\\.}[^0-9].*${dst//./\\.}([^0-9]|$)" 5 \
		"a line with the inner packet's addresses, $src ---> $dst" \
		"$(inner_hint server "$src" "$dst")"
	program_did server udp recv	# by its own recvfrom()
}
