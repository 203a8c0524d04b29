#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Graded: Step 3, tun_server on server.  Its client is neutral: socat's TUN
# over UDP on useru, in the handout's wire format; the grader types the
# handout's commands (the route, ip_forward).  The pings are the test's own
# (an id and a payload drawn for it), watched at every hop to userv.

# The step's lesson, the system calls each reference program makes
# itself and its template leaves to the student (tests/handout.bats):
# lesson: tun_server.c: recvfrom write: recvfrom write

load lib

setup() { grade_start; }
teardown() { grade_stop; }

start_step3() {
	net server sysctl -qw net.ipv4.ip_forward=1
	student server server step3-server/tun_server
	wait_tun server server '10\.1\.3\.[0-9]+/[0-9]+' "an address in 10.1.3.0/24"
	wait_port server server "$PORT"
	socat_client
	route_lab1
}

# bats test_tags=points:12
@test "step 3: ping userv from useru is delivered, decapsulated, on userv's lab1" {
	start_step3
	probe s3 server useru "${TOPO_ADDR[userv]}" 56 1400
	pings useru userv 2
	probe_end
}

# bats test_tags=points:8
@test "step 3: between useru and server, the ping crosses lan0 only inside UDP" {
	start_step3
	probe s3-only-udp server useru "${TOPO_ADDR[userv]}" 56
	pings useru userv 2
	probe_end
}
