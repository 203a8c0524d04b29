#!/usr/bin/env bats
# Graded: Step 1, tun and tun_ping on useru, run without arguments.

load lib

setup() { lab_start; }
teardown() { grade_stop; }

@test "step 1: tun creates tun0, up, with 10.1.3.1/24 [5 pts]" {
	local tun
	tun=$(program step1-tun/tun)
	start useru tun "$tun"
	wait_tun0 useru
	wait_until 3 "tun0 to be up with 10.1.3.1/24" \
		bash -c "ip netns exec ${PREFIX}useru ip -brief addr show tun0 | grep -E 'UNKNOWN|UP' | grep -q '10\.1\.3\.1/24'"
	run on useru ip link show tun0
	assert_output --partial ',UP,'
}

@test "step 1: tun logs the echo request it reads for ping 10.1.3.4 [5 pts]" {
	local tun
	tun=$(program step1-tun/tun)
	start useru tun "$tun"
	wait_tun0 useru
	check useru cap -i tun0 -s 10.1.3.1 -d 10.1.3.4 -p icmp -T echo-request -t 5
	run on useru ping -c1 -W1 10.1.3.4
	verdict cap
	wait_for tun '10\.1\.3\.1.*10\.1\.3\.4' 3
}

@test "step 1: tun_ping makes ping 10.1.3.4 succeed, with the request's payload echoed [5 pts]" {
	local tun_ping
	tun_ping=$(program step1-tun/tun_ping)
	start useru tun_ping "$tun_ping"
	wait_tun0 useru
	run on useru ping -c3 -i0.2 -W2 -p c0ffee42 -s 100 10.1.3.4
	assert_output --partial '3 packets transmitted, 3 received'
	refute_output --partial 'wrong data'
	refute_output --partial 'DUP!'
}

@test "step 1: tun_ping's echo replies have correct IPv4 and ICMP checksums [5 pts]" {
	local tun_ping
	tun_ping=$(program step1-tun/tun_ping)
	start useru tun_ping "$tun_ping"
	wait_tun0 useru
	check useru cap -i tun0 -s 10.1.3.4 -d 10.1.3.1 -p icmp -T echo-reply -k -c 3 -t 6
	run on useru ping -c3 -i0.2 -W1 10.1.3.4
	verdict cap
}
