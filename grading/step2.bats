#!/usr/bin/env bats
# Graded: Step 2, tun_client on useru and tun_udp_server on server.  Each
# program is graded on its own: the server gets datagrams the grader makes.

load lib

setup() { lab_start; }
teardown() { grade_stop; }

# The client, ready, and a capture of everything UDP it sends on lan0.
start_client() {
	student useru client step2-udp/tun_client
	wait_tun useru client '10\.1\.3\.1/24' 10.1.3.1/24
	check server near -i lan0 -n -t 30 -f 'udp and src host 10.1.2.2 and not port 9090' -s 10.1.2.2
}

# A capture for the client's datagrams failed: say where they went instead.
client_verdict() {
	local seen
	if ! judged cap; then
		end_capture near >/dev/null 2>&1 || true
		seen=$(udp_seen near)
		explain "$1" "${seen:-no UDP datagram from 10.1.2.2 on lan0 of server at all}" \
			"sendto() the packet read from tun0, whole, to 10.1.2.3 port 9090 (htons(9090)) as one datagram"
	fi
}

@test "step 2: the client's datagrams reach server's lan0 carrying ping 10.1.3.5 [7 pts]" {
	start_client
	check server cap -i lan0 -f 'udp and dst port 9090 and src host 10.1.2.2' \
		-u 9090 -s 10.1.3.1 -d 10.1.3.5 -p icmp -T echo-request -t 6
	run on useru ping -c2 -i0.3 -W1 10.1.3.5
	client_verdict "a datagram to 10.1.2.3:9090 on lan0 whose payload is ping's echo request 10.1.3.1 > 10.1.3.5"
}

@test "step 2: with the route to 10.1.1.0/24 on tun0, ping userv reaches server's lan0 inside UDP [7 pts]" {
	start_client
	route_lab1	# the handout's exercise
	check server cap -i lan0 -f 'udp and dst port 9090 and src host 10.1.2.2' \
		-u 9090 -s 10.1.3.1 -d 10.1.1.2 -p icmp -T echo-request -t 6
	run on useru ping -c2 -i0.3 -W1 userv
	client_verdict "a datagram to 10.1.2.3:9090 on lan0 whose payload is ping's echo request 10.1.3.1 > 10.1.1.2"
}

@test "step 2: tun_udp_server reports the outer sender and the inner addresses [6 pts]" {
	student server server step2-udp/tun_udp_server
	wait_port server server 9090
	send_inner
	expect_line server '10\.1\.2\.2' 3 \
		"a line naming the sender 10.1.2.2 (and its port) of a datagram the grader sent" \
		"recvfrom() the datagram and print the address it filled in (inet_ntop, ntohs)"
	expect_line server '10\.1\.3\.1.*10\.1\.3\.5' 3 \
		"a line with the inner packet's addresses, 10.1.3.1 ---> 10.1.3.5" \
		"read the payload as an IP header: source at byte 12, destination at byte 16"
}
