#!/usr/bin/env bats
# Graded: Step 1, tun and tun_ping on useru, run without arguments.

load lib

setup() { lab_start; }
teardown() { grade_stop; }

CLIENT_ADDR='10\.1\.3\.1/24'

@test "step 1: tun creates tun0, up, with 10.1.3.1/24 [5 pts]" {
	student useru tun step1-tun/tun
	wait_tun useru tun "$CLIENT_ADDR" 10.1.3.1/24
}

@test "step 1: tun prints the echo request it reads for ping 10.1.3.4 [5 pts]" {
	student useru tun step1-tun/tun
	wait_tun useru tun "$CLIENT_ADDR" 10.1.3.1/24
	check useru cap -i tun0 -s 10.1.3.1 -d 10.1.3.4 -p icmp -T echo-request -t 5
	run on useru ping -c1 -W1 10.1.3.4
	verdict cap "ping's echo request on tun0" "the kernel did not route it into tun0 (is tun0 up with 10.1.3.1/24?)"
	expect_line tun '10\.1\.3\.1.*10\.1\.3\.4' 3 \
		"tun prints a line naming 10.1.3.1 and 10.1.3.4 for the echo request" \
		"the program does not read() the TUN descriptor, or does not print what it read (to stdout or stderr)"
}

@test "step 1: tun_ping makes ping 10.1.3.4 succeed, with the request's payload echoed [5 pts]" {
	student useru tun_ping step1-tun/tun_ping
	wait_tun useru tun_ping "$CLIENT_ADDR" 10.1.3.1/24
	run on useru ping -c3 -i0.2 -W2 -p c0ffee42 -s 100 10.1.3.4
	if [[ $output != *'3 packets transmitted, 3 received'* ]]; then
		explain "3 echo replies from 10.1.3.4" "$(grep -m1 -E 'transmitted|wrong|bad|DUP' <<<"$output")" \
			"no reply was written into the TUN, or the kernel dropped it (see the capture check for checksums)"
	fi
	refute_output --partial 'wrong data'
	refute_output --partial 'DUP!'
}

@test "step 1: tun_ping's echo replies have correct IPv4 and ICMP checksums [5 pts]" {
	student useru tun_ping step1-tun/tun_ping
	wait_tun useru tun_ping "$CLIENT_ADDR" 10.1.3.1/24
	check useru cap -i tun0 -s 10.1.3.4 -d 10.1.3.1 -p icmp -T echo-reply -k -c 3 -t 6
	run on useru ping -c3 -i0.2 -W1 10.1.3.4
	verdict cap "3 echo replies 10.1.3.4 > 10.1.3.1 written into tun0, both checksums right" \
		"compute each checksum over its header (ICMP: header and data) with the checksum field set to 0 first"
}
