#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The lab topology (common/lab) and Step 0 (step0-verify/verify.sh).

load kit

setup() { lab_start; }
teardown() { lab_stop; }

# How many labs are up whose prefix starts with $1.
labs_of_prefix() { leftovers "^$1" | grep -c . || true; }

@test "lab: up builds the five hosts, with the handout's addresses, in a user namespace of its own" {
	run lab status
	assert_success
	assert_line --regexp '^useru +lan0@[^ ]+ 10\.1\.2\.2/24 +ctl0@[^ ]+ 192\.168\.1\.2/24'
	assert_line --regexp "^server +lan0@[^ ]+ $SERVER_RE/24 +lab1@[^ ]+ 10\.1\.1\.4/24"
	assert_line --regexp '^userv +lab1@[^ ]+ 10\.1\.1\.2/24'
	assert_line --regexp '^userw +lab1@[^ ]+ 10\.1\.1\.3/24'
	assert_line --regexp '^router +ctl0@[^ ]+ 192\.168\.1\.254/24'
	[ "$(labs_of_prefix "$PREFIX")" -eq 1 ]
	# Root in the lab, and only there: the lab's user namespace is not
	# the machine's, and the machine's network is not in sight.
	run on useru readlink /proc/self/ns/user
	refute_output "$(readlink /proc/self/ns/user)"
	run on useru ip -brief link
	refute_output --partial "$(ip -brief link | awk 'NR == 2 {print $1}')"
}

@test "lab: its usage lists every command it takes, from the one table in its opening comment" {
	local cmds cmd
	# The commands main() dispatches.
	cmds=$(sed -n '/^main() {/,/^}/s/^\t\([a-z]*\)) .*/\1/p' "$KIT/common/lab")
	[ "$(wc -w <<<"$cmds")" -ge 10 ]	# the check has teeth
	run "$KIT/common/lab" --help
	[ "$status" -eq 2 ]
	for cmd in $cmds; do
		[[ $output == *"lab $cmd"* || ($cmd =~ ^(down|status)$ && $output == *"| $cmd"*) ]] ||
			fail "lab $cmd is not in its usage:"$'\n'"$output"
	done
	assert_line --partial 'lab HOST COMMAND [ARG...]'
	assert_line --regexp '^HOST is one of: useru server userv userw router'
}

@test "lab: names resolve per host as in the handout" {
	run on useru getent hosts server
	assert_output --regexp "^$SERVER_RE +server-lan0 server"
	run on userv getent hosts server
	assert_output --regexp '^10\.1\.1\.4 +server-lab1 server'
	run on userw getent hosts useru
	assert_output --regexp '^10\.1\.2\.2 +useru-lan0 useru'
	run on useru getent hosts userw
	assert_output --regexp '^10\.1\.1\.3 +userw-lab1 userw'
	# The machine's own /etc/hosts is untouched.
	run getent hosts userw
	refute_output --partial '10.1.1.3'
}

@test "lab: HOST COMMAND runs there, the shell's prompt names the host, and piped commands run as a script" {
	run lab useru ip -brief -4 addr show lan0
	assert_output --regexp '10\.1\.2\.2/24'
	# In a terminal, a shell with the host in its prompt; commands on a
	# pipe, run there as a script.
	run bash -c "printf 'echo in-\$LAB_HOST\nexit\n' | LAB_PREFIX=$PREFIX script -qc '$KIT/common/lab userv' /dev/null 2>&1"
	assert_output --partial 'userv:$ '
	assert_output --partial 'in-userv'
	run bash -c "echo 'echo in-\$LAB_HOST; hostname' | LAB_PREFIX=$PREFIX $KIT/common/lab userv 2>&1"
	assert_output $'in-userv\nuserv'
	run lab nosuchhost
	assert_failure 2
}

# nsenter passes on no signal: the command must not outlive a "lab HOST
# COMMAND" that a script started and then killed.
@test "lab: HOST COMMAND killed, its command stops too" {
	local mark=$((100000 + RANDOM)) pid
	LAB_PREFIX=$PREFIX "$KIT/common/lab" useru sleep "$mark" &
	pid=$!
	wait_until 5 "sleep $mark to start in the lab" pgrep -f "^sleep $mark\$"
	kill -TERM "$pid"
	wait_until 5 "sleep $mark to stop after its 'lab useru' was killed" none_runs "^sleep $mark\$"
}
none_runs() { ! pgrep -f "$1"; }

@test "lab: a guest is root of its host's network, and has no packet or vsock socket, network namespace, keyring, io_uring, TUN offloads or TUN filters" {
	run lab guest useru sh -c 'ip tuntap add dev tun7 mode tun && ip link set tun7 up && echo tun-ok'
	assert_output 'tun-ok'
	run lab guest useru unshare --net true
	assert_failure
	run lab guest useru python3 -c '
import ctypes, errno, fcntl, os, socket, struct
def refused(f):
    try:
        f()
    except OSError as e:
        return e.errno in (errno.EPERM, errno.ENOSYS, errno.EAFNOSUPPORT)
    return False
libc = ctypes.CDLL(None, use_errno=True)
tun = os.open("/dev/net/tun", os.O_RDWR)	# a TUN of IFF_TUN | IFF_NO_PI | IFF_VNET_HDR
fcntl.ioctl(tun, 0x400454ca, struct.pack("16sH", b"tun8", 0x0001 | 0x1000 | 0x4000))
def call(nr, *a):
    if libc.syscall(nr, *a) == -1:
        raise OSError(ctypes.get_errno(), "")
print(refused(lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW)),
      refused(lambda: socket.socket(socket.AF_INET, 10)),
      refused(lambda: socket.socket(40, socket.SOCK_STREAM)),	# AF_VSOCK
      refused(lambda: socket.socket(socket.AF_BLUETOOTH, socket.SOCK_STREAM)),
      not refused(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)),
      not refused(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)),
      refused(lambda: call(250, 0, -3)),		# keyctl, x86_64
      refused(lambda: call(425, 8, ctypes.c_void_p(0))),	# io_uring_setup
      refused(lambda: fcntl.ioctl(tun, 0x400454d0, 1)),	# TUNSETOFFLOAD, TUN_F_CSUM
      refused(lambda: fcntl.ioctl(tun, 0x401054d5, b"\0" * 16)),	# TUNATTACHFILTER
      not refused(lambda: fcntl.ioctl(tun, 0x800454d2, b"\0" * 40)))	# TUNGETIFF
'
	assert_output 'True True True True True True True True True True True'
}

@test "step 0: verify.sh passes every check on a correct topology" {
	run "$KIT/step0-verify/verify.sh" -p "$PREFIX"
	assert_success
	assert_line --regexp "^PASS  useru: ping server +64 bytes from server-lan0 \\($SERVER_RE\\)"
	assert_line --regexp "^PASS  useru: traceroute server: one hop +1  server-lan0 \\($SERVER_RE\\)"
	assert_line --regexp '^PASS  useru: userv unreachable +From router \(192\.168\.1\.254\) icmp_seq=1 Destination Host Unreachable'
	assert_line --regexp '^PASS  userv: ping server +64 bytes from server-lab1 \(10\.1\.1\.4\)'
	assert_line --regexp '^PASS  userv: traceroute server: one hop +1  server-lab1 \(10\.1\.1\.4\)'
	assert_line --regexp '^PASS  userv: useru unreachable +From router \(192\.168\.1\.254\)'
	assert_line 'Step 0: all checks passed'
}

@test "step 0: the handout's outputs, command for command" {
	run on useru ping -c1 server
	assert_success
	assert_line --index 0 "PING server-lan0 ($TOPO_SERVER_ADDR) 56(84) bytes of data."
	run on useru ping -c1 userv
	assert_failure
	assert_line --index 1 'From router (192.168.1.254) icmp_seq=1 Destination Host Unreachable'
	assert_output --partial '1 packets transmitted, 0 received, +1 errors, 100% packet loss'
	run on userv traceroute server
	assert_line --index 0 --regexp '^traceroute to server \(10\.1\.1\.4\)'
	assert_line --index 1 --regexp '^ 1  server-lab1 \(10\.1\.1\.4\)'
	[ "${#lines[@]}" -eq 2 ]
}

@test "step 0: verify.sh fails when the LANs are connected or the server is gone" {
	# A router that routes between the LANs: the private LAN is reachable.
	on router ip route del unreachable 10.1.0.0/16
	on router ip addr add 10.1.2.254/24 dev ctl0
	on router ip addr add 10.1.1.254/24 dev ctl0
	on useru ip route add 10.1.1.0/24 via 192.168.1.254
	run "$KIT/step0-verify/verify.sh" -p "$PREFIX"
	assert_failure
	assert_line --regexp '^FAIL  useru: userv unreachable +it answered'
	assert_line --regexp '^PASS  useru: ping server'
	assert_line --regexp '^Step 0: [1-9] check\(s\) failed'

	on server ip link set lan0 down
	run "$KIT/step0-verify/verify.sh" -p "$PREFIX"
	assert_line --regexp '^FAIL  useru: ping server +no reply'
	assert_line --regexp '^FAIL  useru: traceroute server: one hop'
}

@test "step 0: verify.sh -l runs the checks with plain commands on one host" {
	run on useru "$KIT/step0-verify/verify.sh" -l useru
	assert_success
	assert_line --regexp '^PASS  useru: userv unreachable'
	[ "$(grep -c '^PASS' <<<"$output")" -eq 3 ]
	run on userv "$KIT/step0-verify/verify.sh" -l userv
	assert_success
	assert_line --regexp '^PASS  userv: useru unreachable'
}

@test "lab: up on a running topology rebuilds it cleanly" {
	on useru sleep "101.$$" &
	local sleeper=$!
	sleep 0.3
	lab up
	[ "$(labs_of_prefix "$PREFIX")" -eq 1 ]
	run pgrep -fx "sleep 101.$$"
	assert_failure
	run "$KIT/step0-verify/verify.sh" -p "$PREFIX"
	assert_success
	wait "$sleeper" || true
}

@test "lab: two prefixes side by side, each with its own settings, and down takes only its own" {
	local other="${PREFIX}b-"

	LAB_PREFIX=$other LAB_NS_MAX=7 "$KIT/common/lab" up
	run "$KIT/step0-verify/verify.sh" -p "$other"
	assert_success
	# (LAB_NS_MAX reached the holder, which sets it; the first lab keeps
	# the default.)
	run env LAB_PREFIX="$other" "$KIT/common/lab" server cat /proc/sys/user/max_net_namespaces
	assert_output 7
	run on server cat /proc/sys/user/max_net_namespaces
	assert_output 256
	run "$KIT/step0-verify/verify.sh" -p "$PREFIX"
	assert_success
	LAB_PREFIX=$other "$KIT/common/lab" down
	[ "$(labs_of_prefix "$other")" -eq 0 ]
	run "$KIT/step0-verify/verify.sh" -p "$PREFIX"
	assert_success
}

@test "lab: down removes namespaces, name files and processes; a second down succeeds" {
	# A sleep no one else runs, so that pgrep finds only ours.
	on userv sleep "100.$$" &
	local sleeper=$!
	sleep 0.3
	lab down
	[ "$(labs_of_prefix "$PREFIX")" -eq 0 ]
	wait "$sleeper" || true
	run pgrep -fx "sleep 100.$$"
	assert_failure
	run lab down
	assert_success
	run lab status
	assert_failure 3
	assert_output --partial 'lab is not up'
}

@test "lab: no usable /dev/net/tun, a missing tool, a bad prefix: one clear line, exit 1, nothing built" {
	local other="${PREFIX}nr-" dir
	# A TUN device node of mode 0600, as a machine without udev has it
	# (the real one stays as it is: other tests use it meanwhile).
	dir=$(mktemp -d /tmp/vpnlab-tun.XXXXXX)
	chmod 755 "$dir"
	mknod -m 0600 "$dir/tun" c 10 200
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		env LAB_PREFIX="$other" LAB_TUN="$dir/tun" LAB_STATE="$dir/state" "$KIT/common/lab" up
	rm -rf "$dir"
	assert_failure 1
	assert_output --regexp "^ERROR: /dev/net/tun is not open to .* — run 'sudo chmod 0666 /dev/net/tun', as Debian, Ubuntu and Fedora ship it, or use sudo$"
	[ "${#lines[@]}" -eq 1 ]
	run env PATH=/nonexistent LAB_PREFIX="$other" /bin/bash "$KIT/common/lab" up
	assert_failure 1
	assert_output "ERROR: 'nsenter' not found — install util-linux (sudo apt-get install util-linux)"
	[ "$(labs_of_prefix "$other")" -eq 0 ]
	run env LAB_PREFIX='bad prefix!' "$KIT/common/lab" up
	assert_failure 1
	assert_output --partial 'bad LAB_PREFIX'
}

@test "lab: a failure half-way through up leaves nothing behind" {
	local other="${PREFIX}f-"

	run env LAB_PREFIX="$other" LAB_FAIL_AT=router "$KIT/common/lab" up
	assert_failure 1
	assert_output --partial 'lab up failed at:'
	assert_output --partial 'nothing was left behind'
	[ "$(labs_of_prefix "$other")" -eq 0 ]
	run pgrep -f "LAB_PREFIX=$other"
	assert_failure
}

# pid_levels PID: whether PID is in a PID namespace below the machine's
# (its status's NSpid line lists more than one pid).
pid_levels() {
	local key rest
	while read -r key rest; do
		[[ $key == NSpid: ]] && { [[ $rest == *[[:space:]]* ]]; return; }
	done <"/proc/$1/status" 2>/dev/null
	return 1
}

@test "lab: no process of a lab or of its guests runs in the machine's network, IPC or UTS namespace" {
	local pid ns bad=""
	start useru shell sleep 30
	(close_fds; exec env LAB_PREFIX="$PREFIX" "$KIT/common/lab" guest server sleep 30) </dev/null >/dev/null 2>&1 &
	local guest=$!
	wait_until 5 "the guest" pgrep -f "bwrap.*sleep 30"
	for pid in /proc/[0-9]*; do
		pid=${pid#/proc/}
		# The lab's processes: those in a user namespace not the machine's,
		# and in a PID namespace below it (every way into the lab enters
		# the holder's).  The grader's own tools of another test, which
		# join a host's network (and, without root, the lab's user
		# namespace) from outside, stay in the machine's: not the lab's.
		[[ $(readlink "/proc/$pid/ns/user" 2>/dev/null) == "$(readlink /proc/self/ns/user)" ]] && continue
		[[ -e /proc/$pid/ns/user ]] || continue
		pid_levels "$pid" || continue
		for ns in net ipc uts; do
			[[ $(readlink "/proc/$pid/ns/$ns" 2>/dev/null) == "$(readlink "/proc/self/ns/$ns")" ]] &&
				bad+="$pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-80)) is in the machine's $ns namespace"$'\n'
		done
	done
	kill "$guest" 2>/dev/null || true
	[[ -z $bad ]] || fail "$bad"
}
