#!/usr/bin/env bats
# Graded: Step 3, tun_server on server, with the kit's Step 2 client on
# useru; the grader types the handout's commands (route, ip_forward).

load lib

setup() { lab_start; }
teardown() { grade_stop; }

start_step3() {
	local server
	server=$(program step3-server/tun_server)
	on server sysctl -qw net.ipv4.ip_forward=1
	start server server "$server"
	wait_tun0 server
	wait_port server 9090
	start useru client "$REF/step2-udp/tun_client"
	wait_tun0 useru
	on useru ip route add 10.1.1.0/24 dev tun0
}

@test "step 3: ping userv from useru is delivered, decapsulated, on userv's lab1 [12 pts]" {
	start_step3
	check userv delivered -i lab1 -s 10.1.3.1 -d 10.1.1.2 -p icmp -T echo-request -t 6
	run on useru ping -c2 -i0.3 -W1 userv
	verdict delivered
}

@test "step 3: between useru and server, the ping crosses lan0 only inside UDP [8 pts]" {
	start_step3
	check server plain -i lan0 -n -t 20 -f 'not udp port 9090' -s 10.1.3.1
	check server tunnelled -i lan0 -u 9090 -s 10.1.3.1 -d 10.1.1.2 -p icmp -T echo-request -t 6
	check userv delivered -i lab1 -s 10.1.3.1 -d 10.1.1.2 -p icmp -T echo-request -t 6
	run on useru ping -c2 -i0.3 -W1 userv
	verdict tunnelled
	verdict delivered
	end_capture plain
}
