#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The handout's commands, typed as a student types them, in a lab shell on
# a terminal (script(1)): tcpdump prints packets live, ping, traceroute, ip
# and sysctl work, with sudo and without, for root and for a normal user
# in a lab of their own.

load kit

STUDENT=vpnlab-typist

teardown() {
	[[ -n ${SHELL_PID-} ]] && kill "$SHELL_PID" 2>/dev/null
	if id "$STUDENT" >/dev/null 2>&1; then
		pkill -KILL -u "$STUDENT" 2>/dev/null || true
		rm -rf "/tmp/vpnlab-lab-$(id -u "$STUDENT")"
		userdel -r "$STUDENT" >/dev/null 2>&1 || true
	fi
	[[ -n ${PREFIX-} ]] && lab down >/dev/null 2>&1
	true
}

# session NAME HOST: a terminal (script) running a lab shell on HOST, fed
# from a fifo ($OUT/NAME.in, on descriptor 7), its screen in $OUT/NAME.log.
session() {
	local name=$1
	mkfifo "$OUT/$name.in"
	if [[ $WHO == root ]]; then
		script -qfc "$(lab_command "$2")" /dev/null <"$OUT/$name.in" >"$OUT/$name.log" 2>&1 &
	else	# the student's own login, on a terminal, as over ssh
		script -qfc "su - $STUDENT" /dev/null <"$OUT/$name.in" >"$OUT/$name.log" 2>&1 &
	fi
	SHELL_PID=$!
	exec 7>"$OUT/$name.in"
	[[ $WHO == root ]] || type_line "kit/common/lab $2"
}

# lab_command ARGS: the command line of "common/lab ARGS" for the one
# who types (root, or the normal user in their own lab).
lab_command() {
	if [[ $WHO == root ]]; then
		echo "env LAB_PREFIX=$PREFIX $KIT/common/lab $*"
	else
		echo "su - $STUDENT -c 'kit/common/lab $*'"
	fi
}
in_lab() { eval "$(lab_command "$@")"; }

# type LINE: one line typed into the session.
type_line() { printf '%s\r' "$1" >&7; }

# seen NAME REGEX [SECONDS]: until the session's screen shows REGEX.
seen() { wait_for "$1" "$2" "${3:-10}" 2>/dev/null || fail "the terminal never showed /$2/: $(tail -c 600 "$OUT/$1.log" | tr -d '\r')"; }

# The commands, in userv's and useru's shells.
typed_commands() {
	session v userv
	type_line 'sudo tcpdump -i lab1 ip'
	seen v 'listening on lab1'
	in_lab server ping -c1 -W2 userv >/dev/null
	# Live: the packet shows while tcpdump still runs.
	seen v 'IP server-lab1 > userv-lab1: ICMP echo request'
	printf '\003' >&7
	seen v 'packets? captured'	# (the reply may come after the ^C)
	type_line 'tcpdump -c1 -i lab1 ip & sleep 1; ping -c1 -W2 server >/dev/null; wait; echo tcpdump-done'
	seen v 'tcpdump-done'
	type_line 'exit'
	[[ $WHO == root ]] || type_line 'exit'
	exec 7>&-
	wait "$SHELL_PID" || true
	session u useru
	type_line 'ip -c address; sudo ip tuntap add mode tun name tun9 && sudo ip addr add 10.1.9.1/24 dev tun9 && sudo ip link set dev tun9 up && echo ip-done'
	seen u 'ip-done'
	type_line 'ping -c1 server'
	seen u '1 packets transmitted, 1 received'
	type_line 'traceroute server'
	seen u " 1  server-lan0 \\($SERVER_RE\\)"
	type_line 'sudo ip route add 10.1.1.0/24 dev tun9 && ip route show 10.1.1.0/24 && echo route-done'
	seen u 'route-done'
	type_line 'sudo sysctl -w net.ipv4.ip_forward=1'
	seen u 'net.ipv4.ip_forward = 1'
	type_line 'exit'
	[[ $WHO == root ]] || type_line 'exit'
	exec 7>&-
	wait "$SHELL_PID" || true
	SHELL_PID=""
	run grep -ciE 'operation not permitted|command not found|couldn.t change' "$OUT/v.log" "$OUT/u.log"
	refute_output --regexp ':[1-9]'
}

@test "commands: tcpdump, ping, traceroute, ip and sysctl as typed in a lab shell, as root" {
	lab_start
	WHO=root typed_commands
}

@test "commands: the same as a normal user, in a lab of their own, without sudo" {
	local home
	OUT=$BATS_TEST_TMPDIR
	useradd -m -s /bin/bash "$STUDENT"
	chmod 0666 /dev/net/tun
	home=$(getent passwd "$STUDENT" | cut -d: -f6)
	mkdir -p "$home/kit"
	tar -C "$KIT" --exclude=./.git --exclude=./grading/out --exclude=./dist -cf - common |
		tar -C "$home/kit" -xf -
	chown -R "$STUDENT:" "$home/kit"
	run su - "$STUDENT" -c 'kit/common/lab up'
	assert_success
	WHO=user typed_commands
	su - "$STUDENT" -c 'kit/common/lab down'
}
