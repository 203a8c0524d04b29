#!/usr/bin/env bats
# Graded: Step 3, tun_server on server.  Its client is neutral: socat's TUN
# over UDP on useru, in the handout's wire format; the grader types the
# handout's commands (the route, ip_forward).

load lib

setup() { lab_start; }
teardown() { grade_stop; }

start_step3() {
	on server sysctl -qw net.ipv4.ip_forward=1
	student server server step3-server/tun_server
	wait_tun server server '10\.1\.3\.[0-9]+/[0-9]+' "an address in 10.1.3.0/24"
	wait_port server server 9090
	socat_client
	route_lab1
}

@test "step 3: ping userv from useru is delivered, decapsulated, on userv's lab1 [12 pts]" {
	start_step3
	check server intun -i tun0 -s 10.1.3.1 -d 10.1.1.2 -p icmp -T echo-request -t 8
	check userv delivered -i lab1 -s 10.1.3.1 -d 10.1.1.2 -p icmp -T echo-request -t 6
	run on useru ping -c2 -i0.3 -W1 userv
	if ! judged intun; then
		explain "the echo request 10.1.3.1 > 10.1.1.2 written into server's tun0" \
			"nothing reached server's tun0" \
			"recvfrom() the datagram on port 9090 and write() its payload, whole, into the TUN descriptor"
	fi
	verdict delivered "the echo request 10.1.3.1 > 10.1.1.2 on userv's lab1" \
		"it reached server's tun0 but was not forwarded: is tun0 up, with an address in 10.1.3.0/24?"
}

@test "step 3: between useru and server, the ping crosses lan0 only inside UDP [8 pts]" {
	start_step3
	check server plain -i lan0 -n -t 20 -f 'not udp port 9090' -s 10.1.3.1
	check server tunnelled -i lan0 -u 9090 -s 10.1.3.1 -d 10.1.1.2 -p icmp -T echo-request -t 6
	check userv delivered -i lab1 -s 10.1.3.1 -d 10.1.1.2 -p icmp -T echo-request -t 6
	run on useru ping -c2 -i0.3 -W1 userv
	verdict tunnelled
	verdict delivered "the echo request 10.1.3.1 > 10.1.1.2 on userv's lab1, after it crossed lan0 in UDP" \
		"write() each datagram's payload into the TUN"
	end_capture plain "no packet from 10.1.3.1 on lan0 outside UDP 9090" \
		"the packet went around the tunnel: only the tunnel may carry 10.1.3.0/24"
}
