#!/usr/bin/env bats
# Graded: Step 2, tun_client on useru and tun_udp_server on server.  Each
# program is graded on its own: the server with the kit's client.

load lib

setup() { lab_start; }
teardown() { grade_stop; }

@test "step 2: the client's datagrams reach server's lan0 carrying ping 10.1.3.5 [7 pts]" {
	local client
	client=$(program step2-udp/tun_client)
	start useru client "$client"
	wait_tun0 useru
	check server cap -i lan0 -f 'udp and dst port 9090 and src host 10.1.2.2' \
		-u 9090 -s 10.1.3.1 -d 10.1.3.5 -p icmp -T echo-request -t 6
	run on useru ping -c2 -i0.3 -W1 10.1.3.5
	verdict cap
}

@test "step 2: with the route to 10.1.1.0/24 on tun0, ping userv reaches server's lan0 inside UDP [7 pts]" {
	local client
	client=$(program step2-udp/tun_client)
	start useru client "$client"
	wait_tun0 useru
	on useru ip route add 10.1.1.0/24 dev tun0	# the handout's exercise
	check server cap -i lan0 -f 'udp and dst port 9090 and src host 10.1.2.2' \
		-u 9090 -s 10.1.3.1 -d 10.1.1.2 -p icmp -T echo-request -t 6
	run on useru ping -c2 -i0.3 -W1 userv
	verdict cap
}

@test "step 2: tun_udp_server reports the outer sender and the inner addresses [6 pts]" {
	local server
	server=$(program step2-udp/tun_udp_server)
	start server server "$server"
	wait_port server 9090
	start useru client "$REF/step2-udp/tun_client"
	wait_tun0 useru
	run on useru ping -c2 -i0.3 -W1 10.1.3.5
	wait_for server '10\.1\.2\.2' 3
	wait_for server '10\.1\.3\.1.*10\.1\.3\.5' 3
}
