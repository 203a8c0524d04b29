#!/usr/bin/env bats
# Graded: Step 4, tun_server on server and tun_client on useru, both without
# arguments; the grader adds the routes the handout has the student add.

load lib

setup() { lab_start; }
teardown() { grade_stop; }

start_step4() {
	local server client
	server=$(program step4-bidir/tun_server)
	client=$(program step4-bidir/tun_client)
	tunnel_routes
	start server server "$server"
	wait_tun0 server
	wait_port server 9090
	start useru client "$client"
	wait_tun0 useru
	on useru ip route add 10.1.1.0/24 dev tun0
}

@test "step 4: ping from useru to userv succeeds through the tunnel [6 pts]" {
	start_step4
	run on useru ping -c3 -i0.3 -W2 userv
	assert_output --partial '3 packets transmitted, 3 received'
}

@test "step 4: ping from useru to userw succeeds through the tunnel [4 pts]" {
	start_step4
	run on useru ping -c2 -i0.3 -W2 userw
	assert_output --partial '2 packets transmitted, 2 received'
}

@test "step 4: ping from userv to useru's 10.1.3.1 succeeds [6 pts]" {
	start_step4
	on useru ping -c1 -W2 userv >/dev/null || true	# the server learns its client
	run on userv ping -c3 -i0.3 -W2 10.1.3.1
	assert_output --partial '3 packets transmitted, 3 received'
}

@test "step 4: TCP data crosses the tunnel intact (1 MB, useru to userv) [7 pts]" {
	start_step4
	head -c 1000000 /dev/urandom >"$OUT/sent.bin"
	transfer useru userv userv "$OUT/sent.bin" "$OUT/received.bin"
	rm -f "$OUT"/*.bin	# not evidence worth keeping
}

@test "step 4: on lan0, useru's traffic with lab1 is seen only inside UDP 9090 [7 pts]" {
	start_step4
	check server plain -i lan0 -n -t 20 -f 'not udp port 9090 and (net 10.1.1.0/24 or net 10.1.3.0/24)'
	check server tunnelled -i lan0 -u 9090 -s 10.1.3.1 -d 10.1.1.2 -p icmp -T echo-request -t 6
	run on useru ping -c3 -i0.3 -W2 userv
	assert_output --partial '3 packets transmitted, 3 received'
	end_capture plain
	verdict tunnelled
}
