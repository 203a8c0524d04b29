#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The reference programs of steps 1-4, run in the topology as the handout
# runs them, proven with pings, tcpdump on the right interface and bytes that
# arrive intact.

load kit

setup() { lab_start; }
teardown() { lab_stop; }

S1=$KIT/step1-tun
S2=$KIT/step2-udp
S3=$KIT/step3-server
S4=$KIT/step4-bidir
# Datagrams whose payload is an IPv4 packet: a capture that stops at its
# first packet must not stop at the kernel's own IPv6 (a router
# solicitation, an MLD report) that a new tun0 sends into the tunnel.
INNER_V4='udp and udp[8] & 0xf0 = 0x40'

# The Step 4 tunnel with the handout's routes (lib.bash, tunnel_routes).
start_tunnel() {
	tunnel_routes
	start server server "$S4/tun_server"
	start useru client "$S4/tun_client"
	wait_for server 'listening on 0.0.0.0:9090'
	wait_for client "tunnelling to $TOPO_SERVER_ADDR:9090"
	route_lab1
}

@test "step 1: tun creates tun0 up with 10.1.3.1/24 and logs the echo request it reads" {
	start useru tun "$S1/tun"
	wait_for tun '^INFO: Interface name: tun0$'
	run on useru ip -brief addr show tun0
	assert_output --regexp '^tun0 +UNKNOWN +10\.1\.3\.1/24'
	run on useru ip link show tun0
	assert_output --partial '<POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP>'
	run on useru ping -c1 -W1 10.1.3.4
	assert_failure
	wait_for tun '^INFO: IP / ICMP 10\.1\.3\.1 > 10\.1\.3\.4 echo-request 0 / Raw$'
}

@test "step 1: tun sees nothing of a ping to userv, which is not routed to it" {
	start useru tun "$S1/tun"
	wait_for tun 'Interface name: tun0'
	run on useru ping -c1 -W1 userv
	assert_output --partial 'Destination Host Unreachable'
	run on useru ping -c1 -W1 10.1.3.9	# proves tun is still reading
	wait_for tun '10\.1\.3\.1 > 10\.1\.3\.9 echo-request'
	run grep -c '10\.1\.1\.2' "$OUT/tun.log"
	assert_output 0
}

@test "step 1: tun exits cleanly on SIGTERM and SIGINT, and its interface goes" {
	start useru tun "$S1/tun"
	wait_for tun 'Interface name: tun0'
	stop tun TERM
	run cat "$OUT/tun.log"
	assert_line 'INFO: stopped: tun0 removed'
	run on useru ip link show tun0
	assert_failure
	start useru tun2 "$S1/tun"
	wait_for tun2 'Interface name: tun0'
	stop tun2 INT	# exit status 0, or the test fails
	run cat "$OUT/tun2.log"
	assert_line 'INFO: stopped: tun0 removed'
}

@test "step 1: tun_ping answers ping 10.1.3.4, payload echoed, checksums right" {
	start useru tun_ping "$S1/tun_ping"
	wait_for tun_ping 'Interface name: tun0'
	capture useru tun0 cap -vv -c 6 icmp
	run on useru ping -c3 -i0.2 -W1 -p 5a5ac3c3 -s 200 10.1.3.4
	assert_success
	assert_output --partial '3 packets transmitted, 3 received, 0% packet loss'
	# ping compares the echoed data with what it sent and says so if not.
	refute_output --partial 'wrong data'
	refute_output --partial 'BAD CHECKSUM'
	assert_output --regexp 'bytes from 10\.1\.3\.4: icmp_seq=3 ttl=64'
	wait_for cap '10\.1\.3\.4 > 10\.1\.3\.1: ICMP echo reply, id [0-9]+, seq 3, length 208'
	run grep -ciE 'bad cksum|wrong' "$OUT/cap.log"
	assert_output 0
	wait_for tun_ping 'Sent back: IP / ICMP 10\.1\.3\.4 > 10\.1\.3\.1 echo-reply 0 / Raw'
}

@test "step 1: tun_ping -x sends the packet back from 1.2.3.4, and the kernel answers it" {
	start useru tun_ping "$S1/tun_ping" -x
	wait_for tun_ping 'Interface name: tun0'
	capture useru any cap -c 2 icmp and host 1.2.3.4
	run on useru ping -c1 -W1 10.1.3.4
	wait_for cap 'tun0 +In +IP 1\.2\.3\.4 > 10\.1\.3\.1: ICMP echo request'
	wait_for cap 'ctl0 +Out +IP 10\.1\.3\.1 > 1\.2\.3\.4: ICMP echo reply'
}

@test "step 2: tun_udp_server reports outer endpoints and inner addresses of ping 10.1.3.5" {
	start server udp_server "$S2/tun_udp_server"
	wait_for udp_server 'listening on 0.0.0.0:9090'
	start useru client "$S2/tun_client"
	wait_for client 'Interface name: tun0'
	capture server lan0 cap -c 1 "$INNER_V4" and dst port 9090 and src host 10.1.2.2
	run on useru ping -c2 -i0.2 -W1 10.1.3.5
	assert_failure
	wait_for udp_server '^INFO: 10\.1\.2\.2:[0-9]+ --> 0\.0\.0\.0:9090$'
	wait_for udp_server '^INFO:     Inside: 10\.1\.3\.1 ---> 10\.1\.3\.5$'
	wait_for cap "10\.1\.2\.2\.[0-9]+ > $SERVER_RE\.9090: UDP, length 84"
	wait_for client 'From tun ==>: IP / ICMP 10\.1\.3\.1 > 10\.1\.3\.5 echo-request'
}

@test "step 2: with the route to 10.1.1.0/24 through tun0, ping userv travels to the server inside UDP" {
	start server udp_server "$S2/tun_udp_server"
	wait_for udp_server 'listening on'
	start useru client "$S2/tun_client"
	wait_for client 'tunnelling to'
	route_lab1
	run on useru ip route show 10.1.1.0/24
	assert_output --partial 'dev tun0'
	capture server lan0 cap -c 1 -X "$INNER_V4" and dst port 9090
	run on useru ping -c1 -W2 userv
	assert_failure
	refute_output --partial 'Unreachable'	# it hangs, as the handout says
	wait_for udp_server 'Inside: 10\.1\.3\.1 ---> 10\.1\.1\.2'
	# The payload starts with the inner header: 10.1.3.1 -> 10.1.1.2.
	wait_for cap '0x0020: .* 0a01 0301 0a01 0102'
}

@test "step 2: tun_udp_server logs a datagram that is not an IP packet and carries on" {
	start server udp_server "$S2/tun_udp_server"
	wait_for udp_server 'listening on'
	on useru bash -c "echo ZZZ not a packet > /dev/udp/$TOPO_SERVER_ADDR/9090"
	wait_for udp_server 'dropped from 10\.1\.2\.2:[0-9]+ \(not IPv4 or IPv6\): not an IP packet'
	start useru client "$S2/tun_client"
	wait_for client 'Interface name'
	run on useru ping -c1 -W1 10.1.3.7
	wait_for udp_server 'Inside: 10\.1\.3\.1 ---> 10\.1\.3\.7'
}

@test "step 3: ping userv is delivered on userv's lab1, and crosses lan0 only inside UDP" {
	on server sysctl -qw net.ipv4.ip_forward=1
	start server server "$S3/tun_server"
	wait_for server 'listening on 0.0.0.0:9090'
	run on server ip -brief addr show tun0
	assert_output --regexp '10\.1\.3\.2/24'
	start useru client "$S2/tun_client"
	wait_for client 'tunnelling to'
	route_lab1
	capture userv lab1 delivered -c 1 icmp and src 10.1.3.1
	capture server lan0 plain icmp and host 10.1.3.1
	capture server lan0 tunnelled -c 1 "$INNER_V4" and port 9090
	run on useru ping -c1 -W2 userv
	assert_failure	# no way back yet
	wait_for delivered '10\.1\.3\.1 > 10\.1\.1\.2: ICMP echo request'
	wait_for tunnelled "10\.1\.2\.2\.[0-9]+ > $SERVER_RE\.9090: UDP, length 84"
	wait_for server 'From socket <==: IP / ICMP 10\.1\.3\.1 > 10\.1\.1\.2 echo-request'
	stop plain INT
	run cat "$OUT/plain.log"
	assert_output --partial '0 packets captured'
}

@test "step 3: without ip_forward, tun_server warns and nothing reaches userv" {
	start server server "$S3/tun_server"
	wait_for server 'does not forward IPv4 packets.*net.ipv4.ip_forward=1'
	start useru client "$S2/tun_client"
	wait_for client 'tunnelling to'
	route_lab1
	capture userv lab1 delivered icmp
	run on useru ping -c1 -W1 userv
	wait_for server 'From socket <==: IP / ICMP 10\.1\.3\.1 > 10\.1\.1\.2'
	stop delivered INT
	run cat "$OUT/delivered.log"
	assert_output --partial '0 packets captured'
}

@test "step 4: ping useru -> userv, useru -> userw and userv -> 10.1.3.1 succeed" {
	start_tunnel
	run on useru ping -c2 -i0.2 -W2 userv
	assert_success
	assert_output --partial '2 received'
	run on useru ping -c1 -W2 userw
	assert_success
	run on userv ping -c1 -W2 10.1.3.1
	assert_success
	wait_for server 'client 10\.1\.3\.1 is at 10\.1\.2\.2:[0-9]+'
	wait_for client 'From socket <==: IP / ICMP 10\.1\.1\.2 > 10\.1\.3\.1 echo-reply'
}

@test "step 4: between useru and lab1, lan0 carries only UDP 9090" {
	start_tunnel
	capture server lan0 plain 'not udp port 9090 and (net 10.1.1.0/24 or net 10.1.3.0/24)'
	capture server lan0 tunnelled -c 4 "$INNER_V4" and port 9090
	run on useru ping -c2 -i0.2 -W2 userv
	assert_success
	wait_for tunnelled "$SERVER_RE\.9090 > 10\.1\.2\.2\.[0-9]+: UDP, length 84"
	stop plain INT
	run cat "$OUT/plain.log"
	assert_output --partial '0 packets captured'
}

@test "step 4: TCP through the tunnel: 4 MB from useru arrive intact on userv, and back" {
	start_tunnel
	head -c 4000000 /dev/urandom >"$OUT/sent"
	transfer useru userv userv "$OUT/sent" "$OUT/received"
	transfer userv useru 10.1.3.1 "$OUT/sent" "$OUT/back"	# and back
	wait_for server 'From socket <==: IP / TCP 10\.1\.3\.1:[0-9]+ > 10\.1\.1\.2:5000 S$'
}

@test "step 4: the tunnel is transparent to IPv6 and to UDP" {
	start_tunnel
	on useru ip -6 addr add fd00:3::1/64 dev tun0 nodad
	on server ip -6 addr add fd00:3::2/64 dev tun0 nodad
	# The server serves the networks of its TUN, new ones within 100 ms.
	wait_until 3 "ping -6 through the tunnel" \
		on useru ping -6 -c1 -W1 fd00:3::2
	wait_for server 'From socket <==: IPv6 / ICMPv6 fd00:3::1 > fd00:3::2 echo-request 0 / Raw'
	start userw udp_server iperf3 -s -1 --forceflush
	wait_for udp_server 'Server listening'
	run on useru timeout 20 iperf3 -u -c userw -b 10M -t 1
	assert_success
	assert_output --regexp 'receiver'
	wait_for server 'From socket <==: IP / UDP 10\.1\.3\.1:[0-9]+ > 10\.1\.1\.3:5201'
}

@test "step 4: the server drops what it cannot send before a client has spoken" {
	start server server "$S4/tun_server"
	wait_for server 'listening on'
	tunnel_routes
	capture server tun0 into_tun -c 1 icmp and src 10.1.1.2
	capture server lan0 sent udp port 9090
	run on userv ping -c1 -W1 10.1.3.1
	assert_failure
	wait_for into_tun '10\.1\.1\.2 > 10\.1\.3\.1: ICMP echo request'
	stop sent INT
	run cat "$OUT/sent.log"
	assert_output --partial '0 packets captured'
	stop server TERM
	run cat "$OUT/server.log"
	assert_output --regexp 'INFO: dropped: .*[1-9][0-9]* no client for its destination'
	assert_output --partial 'dropped from tun (no client for its destination)'
}

@test "step 4: the client takes datagrams only from its server" {
	start_tunnel
	# A third host forges a reply to useru's tunnel port.
	local port
	port=$(on useru ss -Hulnp | awk '/tun_client/ {split($4, a, ":"); print a[2]}')
	[ -n "$port" ]
	capture useru tun0 leaked icmp
	# A valid echo request 10.1.1.2 > 10.1.3.1, sent from server's ctl0.
	local forged='\x45\x00\x00\x1c\x00\x01\x00\x00\x40\x01\x62\xdc\x0a\x01\x01\x02\x0a\x01\x03\x01\x08\x00\xf7\xff\x00\x00\x00\x00'
	run on server bash -c "printf '$forged' > /dev/udp/192.168.1.2/$port"
	wait_for client 'dropped from 192\.168\.1\.3:[0-9]+ \(not from the server\)'
	stop leaked INT
	run cat "$OUT/leaked.log"
	assert_output --partial '0 packets captured'
}

@test "steps: no arguments use the defaults; -h prints usage; user errors end in one clear line" {
	local dir p prog

	for dir in "${STEPS_DIRS[@]}"; do for p in ${PROGRAMS[$dir]}; do
		prog=$KIT/$dir/$p
		run "$prog" -h
		assert_success
		assert_output --regexp "^usage: ${prog##*/} "
		run "$prog" -Z
		assert_failure 2
	done; done
	# Outside the lab, as nobody: whatever the mode of /dev/net/tun, one
	# line that says how to run it.
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$S1/tun"
	assert_failure 1
	assert_output --regexp '^ERROR: cannot (open /dev/net/tun|create TUN interface .tun%d.): (Permission denied|Operation not permitted) — run it as root, or in the lab: common/lab HOST PROGRAM$'
	run on useru "$S4/tun_client" -a 10.1.3.300/24
	assert_failure 2
	assert_output --partial "ERROR: bad address '10.1.3.300/24'"
	run on useru "$S4/tun_client" -s nosuchhost
	assert_failure 1
	assert_output --regexp "^ERROR: cannot resolve 'nosuchhost': .* — check the name"
	start server first "$S2/tun_udp_server"
	wait_for first 'listening on'
	run on server "$S3/tun_server"
	assert_failure 1
	assert_output --partial 'ERROR: cannot bind UDP port 9090: it is in use'
	[ "${#lines[@]}" -eq 1 ]
	run on useru "$S2/tun_client" -i 'name-much-too-long-for-linux'
	assert_failure 1
	assert_output --regexp '^ERROR: cannot create TUN interface'
}

@test "demo: make demo's script shows the tunnel both ways and leaves nothing" {
	run env DEMO_PREFIX="${PREFIX}demo-" "$KIT/common/demo"
	assert_success
	assert_output --partial '3 packets transmitted, 3 received, 0% packet loss'
	assert_output --regexp 'userv:\$ ping -c2 -i0\.2 10\.1\.3\.1'
	assert_output --partial '2 packets transmitted, 2 received'
	assert_output --partial 'From socket <==: IP / ICMP 10.1.1.2 > 10.1.3.1 echo-reply 0 / Raw'
	run leftovers "^${PREFIX}demo-"
	assert_output ""
}

# The handout's peers are Python with scapy; /usr/bin/python3 is Debian's.
need_scapy() {
	/usr/bin/python3 -c 'import scapy.all' 2>/dev/null ||
		skip "python3-scapy is not installed"
}

@test "interop: the kit's client works with a Python/scapy server, byte for byte" {
	need_scapy
	tunnel_routes
	start server py_server /usr/bin/python3 "$KIT/common/bench/py_tunnel.py" server
	wait_for py_server 'listening on' 15
	start useru client "$S4/tun_client"
	wait_for client 'tunnelling to'
	route_lab1
	run on useru ping -c2 -i0.2 -W2 userv
	assert_success
	wait_for py_server 'From socket <==: IP / ICMP 10\.1\.3\.1 > 10\.1\.1\.2 echo-request 0 / Raw'
	wait_for client 'From socket <==: IP / ICMP 10\.1\.1\.2 > 10\.1\.3\.1 echo-reply 0 / Raw'
}

@test "interop: a Python/scapy client works with the kit's server" {
	need_scapy
	tunnel_routes
	start server server "$S4/tun_server"
	wait_for server 'listening on'
	start useru py_client /usr/bin/python3 "$KIT/common/bench/py_tunnel.py" client
	wait_for py_client 'tunnelling to' 15
	run on useru ping -c2 -i0.2 -W2 userv
	assert_success
	run on userv ping -c1 -W2 10.1.3.1
	assert_success
	wait_for server 'From socket <==: IP / ICMP 10\.1\.3\.1 > 10\.1\.1\.2 echo-request 0 / Raw'
	wait_for py_client 'From socket <==: IP / ICMP 10\.1\.1\.2 > 10\.1\.3\.1 echo-reply 0 / Raw'
}
