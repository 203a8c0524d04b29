#!/usr/bin/env bats
# Graded: Step 4, each program on its own: the student's tun_client with a
# neutral server (socat's TUN over UDP on server), and the student's
# tun_server with a neutral client (socat on useru).  No arguments; the
# grader adds the routes the handout has the student add.

load lib

setup() { lab_start; }
teardown() { grade_stop; }

with_client() {
	tunnel_routes
	socat_server
	student useru client step4-bidir/tun_client
	wait_tun useru client '10\.1\.3\.1/24' 10.1.3.1/24
	route_lab1
}

with_server() {
	tunnel_routes
	student server server step4-bidir/tun_server
	wait_tun server server '10\.1\.3\.[0-9]+/[0-9]+' "an address in 10.1.3.0/24"
	wait_port server server 9090
	socat_client
	route_lab1
}

# ping_ok FROM TO COUNT WHO: COUNT pings that must all come back.
ping_ok() {
	run on "$1" ping -c"$3" -i0.3 -W2 "$2"
	[[ $output == *"$3 packets transmitted, $3 received"* ]] && return 0
	explain "$3 of $3 pings from $1 to $2 answered through the tunnel" \
		"$(grep -m1 'transmitted' <<<"$output")" "$4"
}

CLIENT_WAY="the client must read() the TUN and sendto() the server, and recvfrom() the server and write() the TUN, both in one select() loop"
SERVER_WAY="the server must write() what it receives into its TUN, and sendto() what it read()s from its TUN back to the address recvfrom() gave it"

@test "step 4: tun_client: pings from useru reach userv and userw and come back [5 pts]" {
	with_client
	ping_ok useru userv 3 "$CLIENT_WAY"
	ping_ok useru userw 2 "$CLIENT_WAY"
}

@test "step 4: tun_client: userv pings useru's 10.1.3.1 through the tunnel [4 pts]" {
	with_client
	on useru ping -c1 -W2 userv >/dev/null || true	# the server learns its client
	ping_ok userv 10.1.3.1 3 "the client must also take datagrams from the server when useru itself is silent: select() on both"
}

@test "step 4: tun_client: TCP data crosses the tunnel intact (1 MB, useru to userv) [3 pts]" {
	with_client
	head -c 1000000 /dev/urandom >"$OUT/sent.bin"
	transfer useru userv userv "$OUT/sent.bin" "$OUT/received.bin"
	rm -f "$OUT"/*.bin	# not evidence worth keeping
}

@test "step 4: tun_client: on lan0, useru's traffic with lab1 is seen only inside UDP 9090 [3 pts]" {
	with_client
	check server plain -i lan0 -n -t 20 -f 'not udp port 9090 and (net 10.1.1.0/24 or net 10.1.3.0/24)'
	check server tunnelled -i lan0 -u 9090 -s 10.1.3.1 -d 10.1.1.2 -p icmp -T echo-request -t 6
	ping_ok useru userv 3 "$CLIENT_WAY"
	end_capture plain "no packet of 10.1.3.0/24 or 10.1.1.0/24 on lan0 outside UDP 9090" \
		"traffic went around the tunnel: only the tunnel may carry it"
	verdict tunnelled
}

@test "step 4: tun_server: pings from useru reach userv and userw and come back [5 pts]" {
	with_server
	ping_ok useru userv 3 "$SERVER_WAY"
	ping_ok useru userw 2 "$SERVER_WAY"
}

@test "step 4: tun_server: userv pings useru's 10.1.3.1 through the tunnel [4 pts]" {
	with_server
	on useru ping -c1 -W2 userv >/dev/null || true	# the server learns its client
	ping_ok userv 10.1.3.1 3 "$SERVER_WAY"
}

@test "step 4: tun_server: TCP data crosses the tunnel intact (1 MB, useru to userv) [3 pts]" {
	with_server
	head -c 1000000 /dev/urandom >"$OUT/sent.bin"
	transfer useru userv userv "$OUT/sent.bin" "$OUT/received.bin"
	rm -f "$OUT"/*.bin
}

@test "step 4: tun_server: on lan0, the replies to useru are seen only inside UDP 9090 [3 pts]" {
	with_server
	check server plain -i lan0 -n -t 20 -f 'not udp port 9090 and (net 10.1.1.0/24 or net 10.1.3.0/24)'
	check server tunnelled -i lan0 -u 9090 -s 10.1.1.2 -d 10.1.3.1 -p icmp -T echo-reply -t 6
	ping_ok useru userv 3 "$SERVER_WAY"
	end_capture plain "no packet of 10.1.3.0/24 or 10.1.1.0/24 on lan0 outside UDP 9090" \
		"traffic went around the tunnel: only the tunnel may carry it"
	verdict tunnelled
}
