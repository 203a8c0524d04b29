#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Graded: Step 4, each program on its own: the student's tun_client with a
# neutral server (socat's TUN over UDP on server), and the student's
# tun_server with a neutral client (socat on useru).  No arguments; the
# grader adds the routes the handout has the student add.  Every ping is
# the test's own (an id and a payload drawn for it), watched at every hop
# there and back; TCP transfers carry random bytes.

# The step's lesson, the system calls each reference program makes
# itself and its template leaves to the student (tests/handout.bats):
# lesson: tun_client.c: FD_ZERO FD_SET select FD_ISSET read sendto recvfrom write: FD_ZERO FD_SET select FD_ISSET read sendto recvfrom write
# lesson: tun_server.c: FD_ZERO FD_SET select FD_ISSET read sendto recvfrom write: FD_ZERO FD_SET select FD_ISSET read sendto recvfrom write

load lib

setup() { grade_start; }
teardown() { grade_stop; }

with_client() {
	no_ipv6 useru server
	tunnel_routes
	socat_server
	student useru client step4-bidir/tun_client
	wait_tun useru client "${TOPO_CLIENT_TUN//./\\.}" "$TOPO_CLIENT_TUN"
	route_lab1
}

with_server() {
	no_ipv6 useru server
	tunnel_routes
	student server server step4-bidir/tun_server
	wait_tun server server '10\.1\.3\.[0-9]+/[0-9]+' "an address in 10.1.3.0/24"
	wait_port server server "$PORT"
	socat_client
	route_lab1
}

# bats test_tags=points:4
@test "step 4: tun_client: pings from useru reach userv and userw and come back" {
	with_client
	probe s4-there client useru "${TOPO_ADDR[userv]}" 56
	pings useru userv 3
	probe_end
	probe s4-there client useru "${TOPO_ADDR[userw]}" 56
	pings useru userw 2
	probe_end
}

# bats test_tags=points:4
@test "step 4: tun_client: userv pings useru's 10.1.3.1 through the tunnel" {
	with_client
	server_learns_client client
	probe s4-back client userv "$CLIENT_TUN_ADDR" 56
	pings userv "$CLIENT_TUN_ADDR" 3
	probe_end
}

# bats test_tags=points:3
@test "step 4: tun_client: TCP data crosses the tunnel intact (1 MB, useru to userv)" {
	with_client
	tcp_probe client useru userv
}

# bats test_tags=points:2
@test "step 4: tun_client: on lan0, useru's traffic with lab1 is seen only inside UDP 9090" {
	with_client
	probe s4-only-udp client useru "${TOPO_ADDR[userv]}" 56
	pings useru userv 3
	probe_end
}

# bats test_tags=points:1
@test "step 4: tun_client: 1-byte, odd-sized and near-MTU pings cross the tunnel" {
	with_client
	probe s4-there client useru "${TOPO_ADDR[userv]}" 1 31 1400
	pings useru userv 1
	probe_end
}

# bats test_tags=points:1
@test "step 4: tun_client: takes datagrams from its server only" {
	with_client
	foreign_datagrams client
}

# bats test_tags=points:5
@test "step 4: tun_server: pings from useru reach userv and userw and come back" {
	with_server
	probe s4-there server useru "${TOPO_ADDR[userv]}" 56
	pings useru userv 3
	probe_end
	probe s4-there server useru "${TOPO_ADDR[userw]}" 56
	pings useru userw 2
	probe_end
}

# bats test_tags=points:4
@test "step 4: tun_server: userv pings useru's 10.1.3.1 through the tunnel" {
	with_server
	server_learns_client server
	probe s4-back server userv "$CLIENT_TUN_ADDR" 56
	pings userv "$CLIENT_TUN_ADDR" 3
	probe_end
}

# bats test_tags=points:3
@test "step 4: tun_server: TCP data crosses the tunnel intact (1 MB, useru to userv)" {
	with_server
	tcp_probe server useru userv
}

# bats test_tags=points:2
@test "step 4: tun_server: on lan0, the replies to useru are seen only inside UDP 9090" {
	with_server
	probe s4-only-udp server useru "${TOPO_ADDR[userv]}" 56
	pings useru userv 3
	probe_end
}

# bats test_tags=points:1
@test "step 4: tun_server: 1-byte, odd-sized and near-MTU pings cross the tunnel" {
	with_server
	probe s4-there server useru "${TOPO_ADDR[userv]}" 1 31 1400
	pings useru userv 1
	probe_end
}
