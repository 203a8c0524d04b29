# SPDX-License-Identifier: MIT
# Helpers for the kit's bats tests, in the manner of wireguard's netns.sh:
# each test gets a topology of its own under a unique prefix, programs run in
# its hosts in the background with a time limit, every wait has a timeout and
# says what it saw when it gives up, and lab_stop (the teardown) removes
# everything, also after a failure or a timeout.
#
#   setup()    { lab_start; }
#   teardown() { lab_stop; }
#   start useru client "$KIT/step4-bidir/tun_client"   # log: $OUT/client.log
#   wait_for client 'Interface name: tun0'
#   on useru ping -c1 userv

KIT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# bats-support and bats-assert, their files read as their load.bash reads
# them, without its $(dirname ...) per file (bats loads this per test).
for f in /usr/lib/bats/bats-support/src/{output,error,lang}.bash /usr/lib/bats/bats-assert/src/*.bash; do
	source "$f"
done
# The lab's addresses and port (TOPO_*): common/topology, each once.
# shellcheck source=../common/topology.bash
source "$KIT/common/topology.bash"
topology_load "$KIT/common/topology"
# The ones the tests use most: the client's tunnel address and the port.
CLIENT_TUN_ADDR=${TOPO_CLIENT_TUN%/*} SERVER_TUN_ADDR=${TOPO_SERVER_TUN%/*} PORT=$TOPO_PORT
# The steps and their programs (STEPS_DIRS, PROGRAMS): common/steps.
# shellcheck source=../common/steps.bash
source "$KIT/common/steps.bash"
steps_load "$KIT/common/steps"
# sleep as a builtin where Debian's bash-builtins is installed: the waits
# below start no process (on some virtual machines each costs milliseconds).
enable -f /usr/lib/bash/sleep sleep 2>/dev/null || true

# The runner exports a prefix for the whole run; a test run alone gets one.
RUN_PREFIX=${VPNLAB_RUN_PREFIX:-vt$$-}
PROGRAM_LIMIT=${PROGRAM_LIMIT:-60}	# seconds any started program may run
declare -gA STARTED=()	# -g: bats loads this file inside a function

# The lab command for this test's topology (common/lab): its hosts live in a
# user namespace of the lab's own, so a test needs no more privilege than
# the lab does.  Under the grader (as root) LAB_OWNER, LAB_CONTAIN and
# LAB_BIND come from the environment: student code runs as an unprivileged
# user, in a mount view where the grader's files are not.
lab() {
	case ${1-} in
	up | down | reap) LAB_HOLDER="" ;;	# (lab_known, again after up)
	esac
	LAB_PREFIX=$PREFIX "$KIT/common/lab" "$@"
}

# lab_start: the test's lab.  First, bats's DEBUG trap off for the
# helpers: under functrace every function inherits it, and it runs before
# each command, at about 160 us each; the waits and polls here run tens of
# thousands of commands per test, which made a quarter of a grade's CPU.
# Turned off in setup, functrace stays off for the test, whose failing line
# bats still names.
lab_start() {
	set +T
	PREFIX="${RUN_PREFIX}${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}-"
	OUT=$BATS_TEST_TMPDIR
	lab up >/dev/null && lab_known
}

# lab_known: LAB_HOLDER, the lab's holder process, and NETNS_INODE, each
# host's network namespace as "lab up" recorded it ("lab holder"), so that
# net and sysfs below need no "lab" command each time: the tests run them
# thousands of times.
lab_known() {
	local host inode
	LAB_HOLDER="" NETNS_INODE=()
	{
		read -r LAB_HOLDER
		while read -r host inode; do
			NETNS_INODE[$host]=$inode
		done
	} < <(lab holder)
	[[ $LAB_HOLDER =~ ^[0-9]+$ ]] || LAB_HOLDER=""
}
declare -gA NETNS_INODE=()
NSJOIN=$KIT/common/sandbox/nsjoin

# close_fds: in a subshell about to exec, close every descriptor above 2
# (bats's fd 3 first of all): what runs next holds none of the runner's.
close_fds() {
	local fd
	for fd in /proc/"$BASHPID"/fd/*; do
		fd=${fd##*/}
		((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
	done
	return 0
}

# (The wall clock in microseconds, for deadlines, is ${EPOCHREALTIME/[.,]/}:
# a function's $(...) would cost a process each time it is polled.)

# alive PID: whether PID is a process, and not a zombie.
alive() {
	local stat
	[[ -n $1 ]] && read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# process_tree PID ARRAY: into the caller's ARRAY, a started program's
# processes: the one $! names and all below it (read from /proc, without a
# process of its own: the waits call it often).
process_tree() {
	local -n tree_=$2	# (its locals below are named apart from any ARRAY)
	local i_=0 task_ kids_=()
	tree_=("$1")
	while ((i_ < ${#tree_[@]})); do
		for task_ in /proc/"${tree_[i_]}"/task/*/children; do
			kids_=()
			read -r -d '' -a kids_ 2>/dev/null <"$task_" || true	# (1 at its end)
			tree_+=("${kids_[@]}")
		done
		i_=$((i_ + 1))
	done
}

# The process a started program's signals go to: for a program under test,
# the program itself; for others, the child of their timeout(1).  (On the
# way nsenter forks once, and would not pass a signal on.)
target() {
	local pid comm task kids=() procs
	if [[ -n ${STUDENT_PATHS[$1]-} ]]; then
		program_pid "$1" pid && echo "$pid"
		return
	fi
	process_tree "${STARTED[$1]}" procs
	for pid in "${procs[@]}"; do
		comm=""
		read -r comm 2>/dev/null <"/proc/$pid/comm" || true
		if [[ $comm == timeout ]]; then
			for task in /proc/"$pid"/task/*/children; do
				read -r -d '' -a kids 2>/dev/null <"$task" || true
			done
			echo "${kids[0]:-$pid}"
			return
		fi
	done
}

# program_pid NAME VAR: into the caller's VAR, the process of a program
# under test, once its launch chain (the lab, the guest's namespaces, its
# limits) has reached it; fails until then.
program_pid() {
	local -n found_=$2	# (its locals below are named apart from any VAR)
	local pp_ cmd_ procs_
	found_=""
	process_tree "${STARTED[$1]}" procs_
	for pp_ in "${procs_[@]}"; do
		[[ -r /proc/$pp_/cmdline ]] || continue
		IFS= read -r -d '' cmd_ 2>/dev/null <"/proc/$pp_/cmdline" || true
		if [[ $cmd_ == "${STUDENT_PATHS[$1]}" ]] && alive "$pp_"; then
			found_=$pp_
			return 0
		fi
	done
	return 1
}

# Stop every program of the test's topology, remove it, reap the children;
# then fail the test if a sanitizer complained in any program's log.
lab_stop() {
	local name reports pid procs

	if [[ -n ${WATCHDOG-} ]]; then
		kill -TERM "$WATCHDOG" 2>/dev/null
		wait "$WATCHDOG" 2>/dev/null
	fi
	# Every program started, with what it started, first: one still
	# running when its TUN goes would log "read from tun0: File descriptor
	# in bad state", a last line that reads as its own mistake.  The
	# program and its own children at once (a child left would be an
	# orphan out of the tree killed below: a receiver's socat, say), not
	# its launch chain, which ends with it (killed too, its pieces are
	# orphans the lab's init reaps one by one: "lab down" took a second,
	# not 60 ms).
	for name in "${!STARTED[@]}"; do
		pid=$(target "$name")
		[[ -n $pid ]] || continue
		process_tree "$pid" procs
		kill -KILL "${procs[@]}" 2>/dev/null
	done
	lab_clear
	lab down
	[[ -n ${CGROUP-} ]] && "$KIT/grading/cgroup" remove "$CGROUP"
	# (Its stderr away: bash's notes about the jobs it reaps say nothing.)
	for name in "${!STARTED[@]}"; do
		process_tree "${STARTED[$name]}" procs
		for pid in "${procs[@]}"; do
			kill -KILL "$pid" 2>/dev/null || true
		done
		wait "${STARTED[$name]}" 2>/dev/null || true
	done 2>/dev/null
	reports=$(grep -lE 'Sanitizer|runtime error:' "$OUT"/*.log 2>/dev/null || true)
	if [[ -n $reports ]]; then
		echo "# sanitizer report in: $reports" >&2
		grep -hE -A8 'Sanitizer|runtime error:' $reports | clean_text | sed 's/^/#   /' >&2
		return 1
	fi
}

# clean_text: the text on standard input with control characters and
# bytes that are not UTF-8 written as \xHH (grading/clean).
clean_text() { "$KIT/grading/clean"; }

# Run a command on a host of the test's topology, as its root.
on() {
	local host=$1
	shift
	lab "$host" "$@"
}

# Run a command in a host's network only, with the test's own files and
# identity (as root: the machine's root, out of reach of the lab's code):
# the grader's captures and its ends of TCP transfers.
net() {
	local host=$1 user=()
	shift
	if [[ -z ${LAB_HOLDER-} || -z ${NETNS_INODE[$host]-} || ! -x $NSJOIN ]]; then
		lab probe "$host" "$@"
		return
	fi
	# What "lab probe" does, without its checks of the lab each time.
	((EUID == 0)) || user=(-u "/proc/$LAB_HOLDER/ns/user")
	"$NSJOIN" "${user[@]}" "/proc/$LAB_HOLDER/root/run/netns/$PREFIX$host" "${NETNS_INODE[$host]}" "$@"
}

# host_sysfs HOST: where HOST's /sys is, for the grader's looks at its
# interfaces ("lab sysfs").
host_sysfs() {
	if [[ -n ${LAB_HOLDER-} ]]; then
		echo "/proc/$LAB_HOLDER/root/run/vpnlab/sys/$PREFIX$1"
	else
		lab sysfs "$1"
	fi
}

# start HOST NAME COMMAND...: run COMMAND on HOST in the background, with a
# time limit; its output goes to $OUT/NAME.log.  start_net: the same, with
# net instead of on.  Neither holds the runner's descriptors.
# fresh_log NAME: $OUT/NAME.log emptied now, before its program is
# launched: a background job's own ">" runs only once it is scheduled, and
# until then wait_for would read what the last program of that name wrote
# (its "listening on", say: a transfer that connected before its receiver
# listened, a program restarted and taken as up).
fresh_log() { : >"$OUT/$1.log"; }

start() {
	local host=$1 name=$2
	shift 2
	fresh_log "$name"
	(close_fds; on "$host" timeout "$PROGRAM_LIMIT" "$@") </dev/null >"$OUT/$name.log" 2>&1 &
	STARTED[$name]=$!
}

start_net() {
	local host=$1 name=$2
	shift 2
	fresh_log "$name"
	(close_fds; net "$host" timeout "$PROGRAM_LIMIT" "$@") </dev/null >"$OUT/$name.log" 2>&1 &
	STARTED[$name]=$!
}

# stop NAME [SIGNAL]: wake a started program (if it was stopped), signal
# it, give it 20 s to end (a sanitized build on a machine as busy
# as the test suite makes it, with a queue to drain), then kill all of it;
# returns its exit status.
# Not under "run": a subshell cannot wait for our children.
stop() {
	local name=$1 sig=${2:-TERM} pid i killed=()

	pid=$(target "$name")
	if [[ $sig == KILL ]]; then
		# All of it at once: killed alone, the target's children (a
		# pipeline's socat and head, say) would outlive it, orphans
		# holding a lab's network alive.
		process_tree "${STARTED[$name]}" killed
		for pid in "${killed[@]}"; do
			kill -KILL "$pid" 2>/dev/null
		done
		pid=""
	fi
	if [[ -n $pid ]]; then
		# SIGCONT first: sent after the signal, it could land while
		# a sanitizer's exit-time leak check is stopping the program
		# (its tracer's PTRACE_ATTACH sends a SIGSTOP, which a SIGCONT
		# discards) and leave tracer and program waiting on each other.
		kill -CONT "$pid" 2>/dev/null
		kill -s "$sig" "$pid" 2>/dev/null
	fi
	# Until it is gone, and with SIGKILL every process of it: the launcher
	# may end first, while the program (on a busy machine) still holds its
	# port, and a restart that follows would find it taken.
	for ((i = 0; i < 200; i++)); do
		alive "${STARTED[$name]}" || any_alive "${killed[@]}" || break
		sleep 0.1
	done
	if alive "${STARTED[$name]}"; then
		# What it was doing, for the failure's output: the system
		# call it sat in (/proc/PID/syscall), and its state.
		[[ -n $pid ]] && echo "stop $name: still running 20 s after SIG$sig: $(task_states "$pid")"
		process_tree "${STARTED[$name]}" killed
		for pid in "${killed[@]}"; do
			kill -KILL "$pid" 2>/dev/null
		done
	fi
	{ wait "${STARTED[$name]}"; } 2>/dev/null
}

# task_states PID: each thread of PID and of its children, with the call
# it sits in and its state ("1179/1179 running R", "1180/1180 61 S"): what a
# program that will not end was doing (a sanitizer's exit-time leak check
# runs in a child process of its own).
task_states() {
	local pid t kids=() out=()
	for t in /proc/"$1"/task/*/children; do
		read -r -d '' -a kids 2>/dev/null <"$t" || true
	done
	for pid in "$1" "${kids[@]}"; do
		for t in /proc/"$pid"/task/*; do
			[[ -e $t/status ]] || continue
			out+=("$pid/${t##*/} $(cut -d' ' -f1 "$t/syscall" 2>/dev/null) $(sed -n 's/^State:\t\(.\).*/\1/p' "$t/status" 2>/dev/null) $(<"$t/comm")")
		done
	done
	local IFS=,
	echo "pid/thread syscall state: ${out[*]:-gone}"
}

# any_alive PID...: whether one of them still runs (not a zombie).
any_alive() {
	local pid
	for pid; do
		alive "$pid" && return 0
	done
	return 1
}

# stop_all NAME...: stop several started programs at once (names may hold
# "host:iface", read as "host-iface").
stop_all() {
	local name pid i left procs
	for name; do
		name=${name/:/-}
		pid=$(target "$name")
		[[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null
	done
	for ((i = 0; i < 50; i++)); do
		left=0
		for name; do
			alive "${STARTED[${name/:/-}]}" && left=1
		done
		((left)) || break
		sleep 0.05
	done
	for name; do
		name=${name/:/-}
		if alive "${STARTED[$name]}"; then
			process_tree "${STARTED[$name]}" procs
			for pid in "${procs[@]}"; do
				kill -KILL "$pid" 2>/dev/null
			done
		fi
		{ wait "${STARTED[$name]}" || true; } 2>/dev/null	# (its status is not ours)
	done
	return 0
}

# running NAME: whether a started program is still alive: its launch
# chain is (it ends when the program does).
running() { alive "${STARTED[$1]}"; }

# wait_exit NAME SECONDS: let a program end by itself, for at most SECONDS,
# then kill it; returns its exit status (137 if it had to be killed).
wait_exit() {
	local name=$1 limit=$2 i

	for ((i = 0; i < limit * 10; i++)); do
		alive "${STARTED[$name]}" || break
		sleep 0.1
	done
	if alive "${STARTED[$name]}"; then
		stop "$name" KILL
		return 137
	fi
	wait "${STARTED[$name]}"
}

# wait_for NAME REGEX [SECONDS]: until the program's log matches (a deadline
# of 15 s by default: a program launched on a busy machine, sanitized too).
wait_for() {
	local file=$OUT/$1.log pattern=$2 limit=${3:-15} end

	end=$((${EPOCHREALTIME/[.,]/} + limit * 1000000))
	while ((${EPOCHREALTIME/[.,]/} < end)); do
		grep -qE -- "$pattern" "$file" 2>/dev/null && return 0
		[[ -e $OUT/.time-limit ]] && break
		sleep 0.05
	done
	echo "# waited ${limit}s for /$pattern/ in $1.log, which ends with:" >&2
	tail -n 15 "$file" 2>/dev/null | clean_text | sed 's/^/#   /' >&2
	return 1
}

# transfer FROM TO ADDRESS FILE COPY: send FILE over TCP from host FROM to
# port 5000 of ADDRESS on host TO, written there as COPY; fails unless COPY
# is FILE byte for byte.  socat, not iperf3 -F: iperf3 3.12 loses data with
# -F when a send is partial, which a tunnel makes common.  transfer_ok: the
# same, returning 1 instead of failing.
transfer() {
	transfer_ok "$@" || fail "$TRANSFER_WHY"
}

transfer_ok() {
	local from=$1 to=$2 addr=$3 file=$4 copy=$5 name=receiver-$2

	addr=$(addr_of "$addr")
	# The receiver keeps one byte more than FILE and no more: whoever
	# connects first (a program under test, say) fills no disk.
	start_net "$to" "$name" sh -c 'socat -d -d -u TCP-LISTEN:5000,reuseaddr STDOUT | head -c "$1" >"$2"' \
		sh "$(($(stat -c %s "$file") + 1))" "$copy"
	wait_for "$name" 'listening on' || { TRANSFER_WHY="the grader's receiver did not start"; return 1; }
	# Up to 10 s to connect: four SYNs (at 0, 1, 3 and 7 s), for a tunnel
	# that a flood or a busy machine makes drop a few.
	if ! net "$from" timeout 30 socat -u OPEN:"$file" TCP:"$addr":5000,connect-timeout=10 2>"$OUT/sender-$from.log"; then
		TRANSFER_WHY="the TCP transfer from $from to $addr failed: $(tail -n 1 "$OUT/sender-$from.log")"
		wait_exit "$name" 1 || true
		return 1
	fi
	wait_exit "$name" 10 || true
	cmp -s "$file" "$copy" && return 0
	TRANSFER_WHY="$copy is not $file: the bytes did not arrive intact"
	return 1
}

# The lab's names, for commands that run with the machine's files (net).
addr_of() { echo "${TOPO_ADDR[$1]-$1}"; }

# The handout's route on a client host: lab1 through its tunnel.  "replace":
# a program may have added it already.
route_lab1() { net "${1:-$TOPO_CLIENT}" ip route replace "$TOPO_PRIVATE_NET" dev tun0; }

# no_ipv6 HOST...: no IPv6 on these hosts, so that no packet of the
# kernel's own (router solicitations, MLD) crosses the tunnel before the
# grader's probes (the program's state before them is evidence).
no_ipv6() {
	local host
	for host; do
		net "$host" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
}

# Routes and forwarding of a working Step 4, as the handout has the
# student add them: the server forwards, lab1 routes the tunnel back.
tunnel_routes() {
	local host
	net "$TOPO_SERVER" sysctl -qw net.ipv4.ip_forward=1
	for host in "${TOPO_PRIVATE_HOSTS[@]}"; do
		net "$host" ip route add "$TOPO_TUNNEL_NET" via "${TOPO_ADDR[$TOPO_SERVER $TOPO_PRIVATE_LAN]}"
	done
}

# --- for the graded tests (grading/step*.bats) -----------------------------
# SUB: the tree whose programs are graded; REF: the kit's own, for the helper
# programs a step needs from another (Step 3 uses the kit's Step 2 client),
# so that each step is graded on its own.
SUB=${VPNLAB_SUB:-$KIT}
REF=${VPNLAB_REF:-$KIT}
GRADE_OUT=${VPNLAB_GRADE_OUT:-}

# The path of a program under test, or fail saying why it is not there.
program() {
	local path=$SUB/$1 why

	if [[ ! -x $path ]]; then
		why=""
		[[ -f $SUB/${1%/*}/.build-error && ! -L $SUB/${1%/*}/.build-error ]] &&
			why=$(awk -v p="$1" 'index($0, p " ") == 1 || index($0, p ".c ") == 1 { on = 1; print; next }
				/^step[0-9]/ { on = 0 } on' "$SUB/${1%/*}/.build-error" | head -n 5 | clean_text | sed 's/^/  | /')
		# (The compiler's lines quoted, "  | ": a file name is the
		# student's to choose, "likely: ..." too, through #line.)
		if [[ -n $why ]]; then
			fail "$1 is missing:"$'\n'"$why"
		else
			fail "$1 is missing: it was not submitted or did not build"
		fi
		return 1	# (no set -e inside $(...))
	fi
	# Under the grader the lab sees the submission's programs here only.
	[[ -n ${LAB_CONTAIN-} ]] && path=/run/vpnlab/sub/$1
	echo "$path"
}

# explain EXPECTED SEEN CAUSE: fail with the three lines a student reads
# first; the capture excerpts and logs follow in the teardown.
explain() {
	fail "$(printf 'expected: %s\nseen:     %s\nlikely:   %s' "$1" "$2" "$3" | clean_text)"
}

# student HOST NAME PROGRAM: start a student's program, as the handout runs
# it: no arguments, as a guest of HOST (common/lab guest: root of HOST's
# network and of nothing else, in a view, PID, IPC and UTS namespaces of
# its own), with no descriptor of the grader's: stdin /dev/null, its
# output through logcap (the first LOG_MAX bytes kept, the rest read and
# thrown away), line-buffered whatever it does (stdbuf: a printf() that a
# terminal would show at once must reach the log too).  A clean
# environment, and limits: file size, CPU time, descriptors; memory,
# processes and CPU share through the test's cgroup where the machine has
# cgroups (grade_start), else processes and (without sanitizers, which need
# a vast address space) memory by rlimits.
student() {
	local host=$1 name=$2 prog limits
	prog=$(program "$3") || return 1
	# Only its own programs, /bin/sh, ip and sysctl may be executed
	# (common/sandbox/confine.c, exec-only).  VPNLAB_EXEC_LIMIT=0, for the kit's
	# tests alone, grades without: the trace must hold on its own.
	local exec_only=(/run/vpnlab-confine exec-only "${prog%/*/*}")
	[[ ${VPNLAB_EXEC_LIMIT-1} == 0 ]] && exec_only=()
	STUDENT_PROGS[$name]=$3
	STUDENT_PATHS[$name]=$prog
	GUEST_HOST[$name]=$host
	limits=(--fsize=$((16 << 20)) --cpu=120 --nofile=256 --core=0)
	if [[ -z ${CGROUP-} ]]; then
		limits+=(--nproc=64)
		[[ -n ${GRADE_SAN-} ]] || limits+=(--as=$((1 << 30)))
	fi
	fresh_log "$name"
	: >"$OUT/$name.trace"
	(
		[[ -n ${CGROUP-} ]] && "$KIT/grading/cgroup" join "$CGROUP" "$BASHPID"
		close_fds
		LAB_PREFIX=$PREFIX exec "${TRACE[@]}" -o "|exec $(printf %q "$LOGCAP") $(printf %q "$OUT/$name.trace") $TRACE_MAX" \
			"$KIT/common/lab" guest "$host" timeout -k 2 "$PROGRAM_LIMIT" \
			env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
			HOME=/tmp LANG=C.UTF-8 ASAN_OPTIONS=verify_asan_link_order=0 \
			prlimit "${limits[@]}" -- stdbuf -oL -eL "${exec_only[@]}" "$prog"
	) </dev/null > >(exec 3>&- "$LOGCAP" "$OUT/$name.log" "$LOG_MAX") 2>&1 &
	STARTED[$name]=$!
	disown "$!"	# (its end is the lab's business: no note from bash)
	LAUNCHED[$name]=${EPOCHREALTIME/[.,]/}
}
declare -gA STUDENT_PROGS=() STUDENT_PATHS=() LAUNCHED=() STARTED_AT=() GUEST_HOST=()
LOGCAP=$KIT/grading/logcap
LOG_MAX=${LOG_MAX:-262144}	# bytes of a program's output kept
# The program's own calls, as evidence that it did the step's work
# (grading/diagnose reads them): strace, from outside the guest, follows
# every process and thread the launch chain starts; --seccomp-bpf stops
# the program at these calls only.  Each pid as the grader sees it (the
# guest's are translated), fds with what they are (-y), data in hex
# (-xx), the first 96 bytes of each buffer: the headers of a packet.  The
# program cannot see, stop or write to it (its tracer is outside its PID
# namespace); what it makes strace write is counted in the test's cgroup
# and kept to TRACE_MAX bytes.
TRACE_MAX=${TRACE_MAX:-$((8 << 20))}
TRACE_KEEP=${TRACE_KEEP:-$((1 << 20))}	# of a failed test's trace, into evidence/
TRACE=(strace -f --seccomp-bpf -qq -y -xx -s 96 --decode-pids=pidns -e signal=none
	-e trace=read,readv,pread64,preadv,preadv2,write,writev,pwrite64,pwritev,pwritev2,sendto,sendmsg,sendmmsg,recvfrom,recvmsg,recvmmsg,ioctl,socket,bind,connect,execve,execveat,clone,?clone3,?fork,?vfork,mmap,mprotect,?select,pselect6,?poll,ppoll,?epoll_wait,epoll_pwait,?epoll_pwait2)

# wait_until SECONDS WHAT COMMAND...: poll until COMMAND succeeds.
wait_until() {
	local limit=$1 what=$2 end
	shift 2

	end=$((${EPOCHREALTIME/[.,]/} + limit * 1000000))
	while ((${EPOCHREALTIME/[.,]/} < end)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "waited ${limit}s for $what"
}

# How long a program may take to be ready (interface up with its address,
# port bound), counted from the moment it runs: a student's program that
# sleeps a second or two is correct.  LAUNCH_LIMIT: how long its launch
# chain may take to reach it, on a machine as busy as it gets.
READY_LIMIT=${READY_LIMIT:-10}
LAUNCH_LIMIT=${LAUNCH_LIMIT:-60}

# started NAME: wait until a started program runs: for a program under
# test, its own process (the readiness deadlines count from there, not
# from its launch); for others, a running launch chain.  Fails saying what
# it saw.
started() {
	local name=$1 end pid
	[[ -n ${STARTED_AT[$name]-} ]] && return 0
	if [[ -z ${STUDENT_PATHS[$name]-} ]]; then
		STARTED_AT[$name]=${EPOCHREALTIME/[.,]/}
		return 0
	fi
	end=$((${LAUNCHED[$name]} + LAUNCH_LIMIT * 1000000))
	while ((${EPOCHREALTIME/[.,]/} < end)); do
		if program_pid "$name" pid; then
			STARTED_AT[$name]=${EPOCHREALTIME/[.,]/}
			return 0
		fi
		running "$name" || break
		sleep 0.05
	done
	if running "$name"; then
		fail "the grader could not start ${STUDENT_PROGS[$name]} within ${LAUNCH_LIMIT}s: this machine is overloaded (not the program's fault): grade again"
	else
		explain "${STUDENT_PROGS[$name]} running" "it ended at once: $(tail -n 2 "$OUT/$name.log" 2>/dev/null | clean_text | paste -sd'|')" \
			"$(refused_hint "$name" "the program exits (or crashes) as soon as it starts")"
	fi
}

# idle NAME: whether a program under test is a template's placeholder:
# it waits in pause(), with one thread and no child, and its own calls
# (its trace) never read a packet from its TUN or a socket: then nothing
# it is waited for will come, and no deadline need be waited out.  (A
# program driven by signals may wait in pause() too, between packets.)
# Asked twice, half a second apart.
idle() {
	local pid kids call i tasks procs
	[[ -n ${STUDENT_PATHS[$1]-} ]] || return 1
	program_pid "$1" pid || return 1
	for i in 1 2; do
		read -r call _ 2>/dev/null <"/proc/$pid/syscall" || return 1
		[[ $call == 34 ]] || return 1	# pause(2), x86_64
		# One thread, no child: a program whose threads do the work
		# while its main thread waits in pause() is not a placeholder.
		process_tree "$pid" procs
		((${#procs[@]} == 1)) || return 1
		tasks=(/proc/"$pid"/task/*)
		((${#tasks[@]} == 1)) || return 1
		((i == 1)) && moved_packets "$1" && return 1
		((i == 1)) && sleep 0.5
	done
	return 0
}

# program_did NAME KIND WAY: fail unless the program under test NAME did,
# by its own calls, one part of the step's work on the grader's packet
# (PROBE_ID): KIND tun or udp, WAY read or write (tun), send or recv (udp).
program_did() {
	local why
	why=$("$KIT/grading/diagnose" --did "$OUT" "$1" "${STUDENT_PATHS[$1]}" "$2" "$3" "$PROBE_ID") ||
		fail "$(clean_text <<<"$why")"
}

# refused_hint NAME OTHERWISE: the likely cause when a program under test
# ended: the programs it tried to execute and the grader refused (its
# trace shows them), else OTHERWISE.
refused_hint() {
	local refused
	refused=$(refused_execs "$1" | head -n 3 | paste -sd, | sed 's/,/, /g')
	if [[ -n $refused ]]; then
		echo "it tried to run $refused, which the grader refuses: the step's work must be your program's (its own programs, /bin/sh, ip and sysctl may run)"
	else
		echo "$2"
	fi
}

# refused_execs NAME: what a program under test tried to execute and was
# refused (common/sandbox/confine.c, exec-only), one a line, 8 at most: every
# execve() of its trace that failed with EACCES (only the program and what
# it starts run under the limit), its path written in hex by strace.
refused_execs() {
	local path
	[[ -s $OUT/$1.trace && -n ${STUDENT_PATHS[$1]-} ]] || return 0
	grep -qa 'EACCES' "$OUT/$1.trace" || return 0	# (one process, most often)
	grep -aE '^[0-9]+ +execve(at)?\(.*= -1 EACCES' "$OUT/$1.trace" |
		sed -nE 's/^[0-9]+ +execve(at)?\([^"]*"([^"]*)".*/\2/p' | sort -u | head -n 8 |
		while IFS= read -r path; do
			printf '%b\n' "$path"
		done
}

# stirs NAME FROM TO: whether a program under test that looks idle (it
# waits in pause() and has read no packet yet) reads one when it comes:
# one ping from host FROM to TO, then a look at its trace.  A program
# driven by signals (O_ASYNC) waits in pause() between packets.
stirs() {
	net "$2" ping -n -c 1 -W 1 "$(addr_of "$3")" >/dev/null 2>&1 </dev/null || true
	moved_packets "$1"
}

# moved_packets NAME: whether the trace of a program under test holds a
# read() of an IP packet from a TUN or a socket.  strace writes every
# string in hex: "/dev/net/tun" and "socket:[" as below, "\x45" for an
# IPv4 packet's first byte.
TUN_HEX='\\x2f\\x64\\x65\\x76\\x2f\\x6e\\x65\\x74\\x2f\\x74\\x75\\x6e'
SOCKET_HEX='\\x73\\x6f\\x63\\x6b\\x65\\x74\\x3a\\x5b'
moved_packets() {
	grep -qaE "^[0-9]+ +(read|readv|recvfrom|recvmsg|recvmmsg)\\([0-9]+<($TUN_HEX|$SOCKET_HEX[^>]*)>, (\\[\\{)?(iov_base=)?\"\\\\x4" \
		"$OUT/$1.trace" 2>/dev/null
}

# ready_end NAME: the microsecond by which NAME must be ready.
ready_end() { echo $((${STARTED_AT[$1]} + READY_LIMIT * 1000000)); }

# tun_state HOST ADDR-REGEX: "ready", or what is missing of tun0 on HOST.
# Read by the grader's own ip in HOST's network (net): nothing of the
# host's can change the tool.
tun_state() {
	local link addrs
	link=$(net "$1" ip -o link show tun0 2>/dev/null) || { echo none; return; }
	addrs=$(net "$1" ip -o -4 addr show dev tun0 2>/dev/null | awk '{print $4}' | paste -sd' ')
	if [[ -z $addrs ]]; then
		echo "no-address"
	elif ! grep -qE "^($2)$" <<<"${addrs// /$'\n'}"; then
		echo "wrong-address $addrs"
	elif [[ $link != *'<'*UP*'>'* ]]; then
		echo "down $addrs"
	else
		echo ready
	fi
}

# wait_tun HOST NAME ADDR-REGEX HANDOUT-ADDR: until the program NAME has
# finished setting up tun0 on HOST: up, with an address that matches.
# Existence is not enough: a program may still be configuring it.
wait_tun() {
	local host=$1 name=$2 want=$3 addr=$4 state end
	started "$name" || return 1
	end=$(ready_end "$name")
	while :; do
		state=$(tun_state "$host" "$want")
		if [[ $state == ready ]]; then
			state=$(tun_held "$host" "$name")
			[[ $state == ready ]] && return 0
		fi
		running "$name" || break	# it will not get better
		if idle "$name"; then
			# Idle now, perhaps just after it finished: a last look.
			state=$(tun_state "$host" "$want")
			[[ $state == ready ]] && state=$(tun_held "$host" "$name")
			[[ $state == ready ]] && return 0
			break
		fi
		((${EPOCHREALTIME/[.,]/} < end)) || break
		sleep 0.2	# (each look runs the lab's tools: not too often)
	done
	local why=""
	idle "$name" && why="; it waits in pause(), and will not go on"
	case $state in
	none)
		if running "$name"; then
			explain "tun0 on $host" "no tun0 after ${READY_LIMIT}s; ${STUDENT_PROGS[$name]:-$name} is running" \
				"the program did not create the interface (TUNSETIFF with the name \"tun%d\" or \"tun0\")"
		else
			explain "tun0 on $host" "no tun0; ${STUDENT_PROGS[$name]:-$name} exited: $(tail -n 1 "$OUT/$name.log" 2>/dev/null | clean_text)" \
				"$(refused_hint "$name" "the program ended (or crashed) before it made its interface")"
		fi ;;
	no-address)
		explain "tun0 up with $addr" "tun0 exists but has no IPv4 address$why" \
			"the handout's 'ip addr add $addr dev tun0' (or its ioctl) is missing" ;;
	wrong-address*)
		explain "tun0 with $addr" "tun0 has ${state#wrong-address }" \
			"the address or prefix given to the interface is not the handout's" ;;
	down*)
		explain "tun0 up with $addr" "tun0 has ${state#down } but is down$why" \
			"the handout's 'ip link set dev tun0 up' (IFF_UP) is missing" ;;
	not-tun)
		explain "tun0 a TUN device made from /dev/net/tun" "tun0 is an interface of another kind (its sysfs has no tun_flags)" \
			"the program must open /dev/net/tun and make tun0 with TUNSETIFF (IFF_TUN); another kind of interface is not the lab" ;;
	not-held)
		explain "tun0's TUN descriptor held by ${STUDENT_PROGS[$name]:-$name}" "tun0 is up, but no process of the program has it open$why" \
			"the program closed its TUN descriptor (or left a persistent tun0 to another): keep the fd TUNSETIFF gave and read() it" ;;
	esac
}

# tun_held HOST NAME: "ready" if HOST's tun0 is a TUN device (its sysfs
# has tun_flags) that a process of the program under test NAME holds open
# (/proc/PID/fdinfo says "iff: tun0"); else "not-tun" or "not-held".
# An interface of another kind (a veth whose far end answers, say) would
# pass every check of the packets without a line of the lab's code.
tun_held() {
	local host=$1 name=$2 sys pid procs
	[[ -n ${STUDENT_PATHS[$name]-} ]] || { echo ready; return; }
	sys=$(host_sysfs "$host")/class/net/tun0
	if [[ ! -e $sys/tun_flags ]]; then
		echo not-tun
		return
	fi
	# (One grep per process, over all its descriptors: this runs in a poll.)
	process_tree "${STARTED[$name]}" procs
	for pid in "${procs[@]}"; do
		grep -qsx $'iff:\ttun0' /proc/"$pid"/fdinfo/* && { echo ready; return; }
	done
	echo not-held
}

has_port() { [[ -n $(net "$1" ss -Huln "sport = :$2") ]]; }

# wait_port HOST NAME PORT: until a program has bound UDP PORT on HOST.
wait_port() {
	local host=$1 name=$2 port=$3 end
	started "$name" || return 1
	end=$(ready_end "$name")
	while :; do
		has_port "$host" "$port" && return 0
		running "$name" || break
		if idle "$name"; then
			has_port "$host" "$port" && return 0	# (a last look)
			break
		fi
		((${EPOCHREALTIME/[.,]/} < end)) || break
		sleep 0.1
	done
	explain "a socket bound to UDP port $port on $host" \
		"nothing bound to $port after ${READY_LIMIT}s: $(net "$host" ss -Huln | awk '{print $4}' | paste -sd' ' | sed 's/^$/no UDP socket at all/')" \
		"bind() to 0.0.0.0:$port (htons($port)) is missing or failed; the program said: $(tail -n 1 "$OUT/$name.log" 2>/dev/null | clean_text)"
}

# The neutral partners of a graded program: socat's TUN device over UDP, in
# the handout's wire format (a bare IP packet per datagram), so that a
# program is graded on its own and never with the student's other programs.
socat_client() {
	start_net "$TOPO_CLIENT" partner socat "TUN:$TOPO_CLIENT_TUN,tun-type=tun,iff-no-pi,iff-up" "UDP:$TOPO_SERVER_ADDR:$PORT"
	wait_tun "$TOPO_CLIENT" partner "${TOPO_CLIENT_TUN//./\\.}" "$TOPO_CLIENT_TUN"
}
socat_server() {
	start_net "$TOPO_SERVER" partner socat "TUN:$TOPO_SERVER_TUN,tun-type=tun,iff-no-pi,iff-up" "UDP-LISTEN:$PORT"
	wait_tun "$TOPO_SERVER" partner "${TOPO_SERVER_TUN//./\\.}" "$TOPO_SERVER_TUN"
	wait_port "$TOPO_SERVER" partner "$PORT"
}

# --- probes: the grader's own packets, watched at every hop ------------------
# A test sends pings with an ICMP id and 16 payload bytes drawn for it
# alone (nothing made before the test can pass for them), captures them
# with pathcap at every hop of their way there and back, and hands it all
# to grading/diagnose, which walks the path and names where the probe was
# lost and the likely mistake.
PATHCAP=$KIT/grading/pathcap
# The kinds of probe, from grading/probes: whether a test waits for the
# replies, and where it captures.
declare -gA PROBE_REPLY=() PROBE_CAPTURES=()
while read -r spec reply hops; do
	[[ -z $spec || $spec == \#* ]] && continue
	PROBE_REPLY[$spec]=$reply PROBE_CAPTURES[$spec]=$hops
done <"$KIT/grading/probes"
unset spec reply hops
PCAP_MAX=${PCAP_MAX:-262144}	# bytes of a capture's pcap kept
PING_MAX=${PING_MAX:-65536}	# bytes of the grader's ping's output kept

# probe [-l] SPEC NAME FROM TO [SIZE...]: a new probe for test kind SPEC
# (grading/probes) of the program under test NAME, sent from host
# FROM to address TO with these amounts of data (56 if none); captures
# start on the hops of SPEC and are ready when this returns.  -l: ICMP
# checksums are not this test's business.  The program's state before the
# test's first probe is kept too: what it waits on before any traffic.
probe() {
	local lenient=false spec name from to hop what
	[[ $1 == -l ]] && { lenient=true; shift; }
	spec=$1 name=$2 from=$3 to=$4
	shift 4
	[[ -n ${PROBE_REPLY[$spec]-} ]] ||
		fail "probe $spec: no such kind in grading/probes (a mistake of the kit, not of the program)"
	[[ -e $OUT/state-$name-start.json ]] || snapshot "$name" start
	PROBE_ID=$((0x$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')))
	# (No zero byte: ping pads with zeros, and a checksum that forgets an
	# odd last byte must meet one that is not.)
	PROBE_PAT=$(od -An -N16 -tx1 /dev/urandom | sed 's/ 00/ 5a/g' | tr -d ' \n')
	PROBE_SIZES=("${@:-56}")
	PROBE_NAME=$name
	PROBE_PINGS=0
	# What the program prints about the probe comes after this byte of
	# its log: a line printed before counts for nothing (expect_line).
	LOG_FROM[$name]=$(stat -c %s "$OUT/$name.log" 2>/dev/null || echo 0)
	jq -n --arg spec "$spec" --arg name "$name" --arg from "$from" --arg to "$to" \
		--arg from_addr "$(addr_of "$from")" --argjson id "$PROBE_ID" --arg pattern "$PROBE_PAT" \
		--arg prog "${STUDENT_PROGS[$name]:-$name}" --arg host "${GUEST_HOST[$name]-}" \
		--arg path "${STUDENT_PATHS[$name]-}" \
		--argjson sizes "$(printf '%s\n' "${PROBE_SIZES[@]}" | jq -sc .)" --argjson lenient "$lenient" \
		'{spec: $spec, name: $name, from: $from, to: $to, from_addr: $from_addr,
		  id: $id, pattern: $pattern, prog: $prog, path: $path, host: $host, sizes: $sizes,
		  lenient: $lenient}' >"$OUT/probe.json"
	# How long ping waits for a reply: where none is needed (the grader
	# looks at the captures), not long.
	PING_WAIT=1
	[[ ${PROBE_REPLY[$spec]} == yes ]] && PING_WAIT=2
	PROBE_HOPS=()
	for hop in ${PROBE_CAPTURES[$spec]}; do
		[[ $hop == lab1 ]] && hop=$(host_of "$to" "$from"):lab1
		PROBE_HOPS+=("$hop")
	done
	fresh_log cap
	what=(-I "$PROBE_ID" -P "$PROBE_PAT")
	[[ $spec == tcp ]] && what=(-Q 5000)
	for hop in "${PROBE_HOPS[@]}"; do
		what+=(-n "@${hop%%:*}" -i "$hop")
	done
	# One capture process for every hop: it joins each host's network
	# (lab nets), as the grader, out of the lab's reach.
	(close_fds; LAB_PREFIX=$PREFIX exec "$KIT/common/lab" nets timeout "$PROGRAM_LIMIT" \
		"$PATHCAP" -t 60 -w "$OUT" -W "$PCAP_MAX" "${what[@]}") </dev/null >"$OUT/cap.log" 2>&1 &
	STARTED[cap]=$!
	wait_for cap '^capturing on|^ERROR' 30 >/dev/null 2>&1 ||
		fail "the grader's captures did not start within 30s: this machine is overloaded (not the program's fault): grade again"
}

# The lab1 host of a probe's path: userv unless it is userw's.
host_of() {
	local host
	for host in "${TOPO_PRIVATE_HOSTS[@]:1}"; do
		[[ " $1 $2 " == *" ${TOPO_ADDR[$host]} "* || " $1 $2 " == *" $host "* ]] &&
			{ echo "$host"; return; }
	done
	echo "${TOPO_PRIVATE_HOSTS[0]}"
}

# ping_probe FROM DST COUNT [SIZE]: the grader's ping with the probe's id and
# payload; its output is evidence (ping-N.out).
ping_probe() {
	local size=${4:-56}
	PROBE_PINGS=$((PROBE_PINGS + 1))
	# A program under test that has ended answers nothing: no waiting.
	if [[ -n ${STUDENT_PATHS[${PROBE_NAME:-}]-} ]] && ! running "$PROBE_NAME"; then
		echo "not sent: ${STUDENT_PROGS[$PROBE_NAME]} is not running" >"$OUT/ping-$PROBE_PINGS.out"
		return 0
	fi
	# One that waits in pause() for good gets one ping, for the evidence.
	local count=$3 wait=(-W "${PING_WAIT:-2}")
	# Where the replies count, ping waits for every one of them up to a
	# deadline: without -w, once one reply came, it gives up on the others
	# 2 x the slowest round trip after its last send, and a reply that a
	# busy machine delayed would count as lost.
	((${PING_WAIT:-2} > 1)) && wait=(-w $((count + 3)))
	[[ -n ${PROBE_NAME-} ]] && idle "$PROBE_NAME" && ! stirs "$PROBE_NAME" "$1" "$2" && count=1 wait=(-W 1)
	# Its output kept to PING_MAX bytes: a program that answers each
	# request with thousands of copies makes ping print a line each.
	net "$1" ping -n -c "$count" -i 0.2 "${wait[@]}" -s "$size" -e "$PROBE_ID" -p "$PROBE_PAT" "$(addr_of "$2")" \
		2>&1 </dev/null | "$LOGCAP" "$OUT/ping-$PROBE_PINGS.out" "$PING_MAX" || true
	# (How many replies it waited for: diagnose's ping_problem.)
	echo "# replies asked for: $count" >>"$OUT/ping-$PROBE_PINGS.out"
}

# pings FROM DST COUNT: one ping_probe per size of the probe; where the
# replies matter and one size got none, the next sizes are not tried (the
# diagnosis judges the first that failed).
pings() {
	local size
	for size in "${PROBE_SIZES[@]}"; do
		ping_probe "$1" "$2" "$3" "$size"
		((PING_WAIT > 1)) && grep -q ' 0 received' "$OUT/ping-$PROBE_PINGS.out" && break
	done
	return 0
}

# craft_probe HOST how... : one of the grader's hand-made packets with the
# probe's id and payload (grading/craft), sent from HOST.
craft_probe() {
	local host=$1
	shift
	net "$host" "$KIT/grading/craft" -i "$PROBE_ID" -p "$PROBE_PAT" "$@"
}

# snapshot NAME: what the program under test is doing now (the call it
# waits in, on which descriptors, its sockets' queues) and the flags of its
# host's TUN devices, for the diagnosis.
snapshot() {
	local name=$1 pid host
	host=${GUEST_HOST[$name]-}
	[[ -n $host ]] || return 0
	program_pid "$name" pid || true
	# No pid: ended if its launch chain has, else not known.
	[[ -z $pid ]] && { running "$name" && pid=0 || pid=-1; }
	"$KIT/grading/diagnose" --state "$pid" "$(host_sysfs "$host")" \
		>"$OUT/state-$name${2:+-$2}.json" 2>/dev/null || true
}

# probe_end: stop the captures and judge: fail with the diagnosis unless
# the probe went every hop of its way as it should.
probe_end() {
	local verdict
	[[ -n ${PROBE_NAME-} ]] && snapshot "$PROBE_NAME"
	# (The snapshot took long enough for the last replies to arrive.)
	stop_all cap
	verdict=$("$KIT/grading/diagnose" "$OUT" 2>&1) || true
	[[ ${verdict%%$'\n'*} == PASS ]] && return 0
	fail "$(sed 1d <<<"$verdict" | clean_text)"
}

# tcp_probe NAME FROM TO: 1 MB of random bytes over TCP from host FROM to
# host TO, through the program under test NAME; its segments are watched
# at every hop, and a transfer that fails is diagnosed.
tcp_probe() {
	local name=$1 from=$2 to=$3
	head -c 1000000 /dev/urandom >"$OUT/sent.bin"
	probe tcp "$name" "$from" "$(addr_of "$to")"
	# The bytes must arrive, and through the tunnel (diagnose walks it).
	if idle "$name" && ! stirs "$name" "$from" "$to"; then
		echo "not tried: ${STUDENT_PROGS[$name]} waits in pause()" >"$OUT/transfer.txt"
		net "$from" ping -c1 -W1 "$(addr_of "$to")" >/dev/null 2>&1 || true	# some evidence
	elif transfer_ok "$from" "$to" "$to" "$OUT/sent.bin" "$OUT/received.bin"; then
		echo ok >"$OUT/transfer.txt"
	else
		echo "$TRANSFER_WHY" >"$OUT/transfer.txt"
	fi
	rm -f "$OUT"/*.bin	# not evidence worth keeping
	probe_end
}

# foreign_datagrams NAME: datagrams to the client's port that are not from
# its server (from the server's address but another port, and from userw
# over ctl0), each carrying an echo request for 10.1.3.1: none may reach
# its TUN.
foreign_datagrams() {
	local name=$1 port
	# A socket gets its port with its first datagram: one ping first.
	# The strangers write to every UDP port of useru, 9090 included (a
	# decoy socket listed first must not hide the client's own, nor may a
	# client bound to 9090 go unjudged), 16 at most.
	net useru ping -c1 -W1 "${TOPO_ADDR[userv]}" >/dev/null 2>&1 || true
	port=$(net useru ss -Huan | awk '{ n = split($4, a, ":"); print a[n] }' |
		sort -un | head -n 16 | paste -sd,)
	[[ -n $port ]] || explain "the client's UDP socket, to send strangers' datagrams to" \
		"not judged: tun_client has sent nothing to its server (its socket has no port yet)" \
		"needs the pings to work through the tunnel first: see that test's diagnosis"
	probe s4-foreign "$name" useru "${TOPO_ADDR[userv]}" 56
	ping_probe useru userv 1	# the control: the server's datagrams are taken
	craft_probe server -s "${TOPO_ADDR[userw]}" -d "$CLIENT_TUN_ADDR" -q 201 -P $((PORT + 1)) udp "${TOPO_ADDR[useru]}" "$port"
	craft_probe userw -s "${TOPO_ADDR[userw]}" -d "$CLIENT_TUN_ADDR" -q 202 -P "$PORT" udp "${TOPO_ADDR[useru ctl0]}" "$port"
	sleep 0.5
	probe_end
}

# server_learns_client NAME: the tunnel's server learns where its client
# is from the client's first datagram: a ping from useru to userv that
# returns, tried for up to 10 s while the program under test NAME runs
# and is not idle (on a busy machine the first may come too early).  It
# never fails: the probe that follows judges.
server_learns_client() {
	local end=$((${EPOCHREALTIME/[.,]/} + 10000000))
	while ((${EPOCHREALTIME/[.,]/} < end)); do
		net useru ping -c1 -W1 "${TOPO_ADDR[userv]}" >/dev/null 2>&1 && return 0
		running "$1" && ! idle "$1" || return 0
	done
	return 0
}

# read_hint NAME, inner_hint NAME SRC DST: the likely cause when a program
# does not print what it should, from its state and log.
read_hint() { "$KIT/grading/diagnose" --hint-read "$OUT" "$1"; }
inner_hint() { "$KIT/grading/diagnose" --hint-inner "$OUT" "$@"; }

# log_wait NAME REGEX SECONDS: until the program's output since the test's
# last probe of it (log_since) has a line matching REGEX (looked at once
# at least); 1 if it has none by then.
log_wait() {
	local end=$((${EPOCHREALTIME/[.,]/} + $3 * 1000000))
	until log_since "$1" | grep -qE -- "$2"; do
		((${EPOCHREALTIME/[.,]/} < end)) && [[ ! -e $OUT/.time-limit ]] || return 1
		sleep 0.05
	done
}

# last_lines NAME N: the program's last N lines that are not empty, on one
# line ("|" between), for a failure's "seen:".
last_lines() {
	grep -v '^$' "$OUT/$1.log" 2>/dev/null | tail -n "$2" | cut -c1-200 | clean_text | paste -sd'|'
}

# expect_line NAME REGEX SECONDS EXPECTED CAUSE: until the program's output
# since the test's last probe of it (log_since) has a line matching REGEX;
# else fail saying what it printed last.
expect_line() {
	local last
	log_wait "$1" "$2" "$3" && return 0
	last=$(last_lines "$1" 2)
	explain "$4" "after ${3}s, its last lines: ${last:-nothing at all}" "$5"
}

# expect_port NAME PORT SECONDS EXPECTED CAUSE: until the program's output
# since the test's last probe holds PORT as a whole number, in any layout;
# else fail, and where it printed PORT with its two bytes swapped (the
# sin_port of a sockaddr_in printed without ntohs), say so.
expect_port() {
	local port=$2 swapped last
	swapped=$(((port >> 8 | port << 8) & 0xffff))
	log_wait "$1" "(^|[^0-9])$port([^0-9]|\$)" "$3" && return 0
	last=$(last_lines "$1" 2)
	log_wait "$1" "(^|[^0-9])$swapped([^0-9]|\$)" 0 &&
		explain "$4" "it printed $swapped, which is $port with its two bytes swapped: $last" \
			"sin_port is in network byte order: print ntohs(from.sin_port)"
	explain "$4" "after ${3}s, no $port in its lines: ${last:-nothing at all}" "$5"
}

# expect_all NAME SECONDS EXPECTED CAUSE REGEX...: until the program's
# output since the test's last probe holds a match of every REGEX, on one
# line or on several (a program may print a packet's fields a line each);
# else fail saying what it printed last.
expect_all() {
	local name=$1 limit=$2 expected=$3 cause=$4 end text re ok last
	shift 4
	end=$((${EPOCHREALTIME/[.,]/} + limit * 1000000))
	while ((${EPOCHREALTIME/[.,]/} < end)); do
		text=$(log_since "$name")
		ok=1
		for re; do
			[[ $text =~ $re ]] || { ok=0; break; }
		done
		((ok)) && return 0
		[[ -e $OUT/.time-limit ]] && break
		sleep 0.05
	done
	last=$(last_lines "$name" 4)
	explain "$expected" "after ${limit}s, its last lines: ${last:-nothing at all}" "$cause"
}

# log_since NAME: the program's output since the test's last probe of it
# (all of it if none).
log_since() {
	tail -c +$((${LOG_FROM[$1]:-0} + 1)) "$OUT/$1.log" 2>/dev/null
}
declare -gA LOG_FROM=()

# udp_seen NAME: the UDP destinations in capture NAME's pcap, with counts.
udp_seen() {
	tcpdump -nr "$OUT/$1.pcap" udp 2>/dev/null |
		awk '{print $3 " > " $5}' | sed 's/:$//' | sort | uniq -c |
		sort -rn | head -n 3 | awk '{$1 = $1 "x"; print}' | paste -sd';'
}

# The set-up of a graded test: its lab; where the machine has cgroups, a
# group for its programs under test (GUEST_MEM bytes of memory, tmpfs and
# shared memory included, GUEST_PIDS processes, GUEST_CPUS cores); and a
# watchdog that ends the test after TEST_LIMIT seconds whatever its
# programs do (stopped, hung or flooding): it takes the lab down, empties
# the group and kills every command the test is waiting for.
TEST_LIMIT=${TEST_LIMIT:-120}
GUEST_MEM=${GUEST_MEM:-$((512 << 20))}
GUEST_PIDS=${GUEST_PIDS:-256}
GUEST_CPUS=${GUEST_CPUS:-1}
grade_start() {
	# (The submission's time is up: no new lab, no new program.)
	[[ -n ${VPNLAB_GRADE_STOP-} && -e $VPNLAB_GRADE_STOP ]] &&
		fail "not run: the submission's time limit was reached"
	lab_start
	CGROUP=""
	if "$KIT/grading/cgroup" available; then
		CGROUP=${PREFIX}guests
		"$KIT/grading/cgroup" make "$CGROUP" "$GUEST_MEM" "$GUEST_PIDS" "$GUEST_CPUS"
	fi
	(close_fds; watchdog "$TEST_LIMIT") </dev/null >/dev/null 2>&1 &
	WATCHDOG=$!
	wait_memwatch
}

# wait_memwatch: until memwatch watches the lab ("watching ..."): a
# program started before would have its first moments unbounded.
wait_memwatch() {
	local end=$((${EPOCHREALTIME/[.,]/} + 10000000))

	until [[ -s $OUT/.memwatch ]]; do
		if [[ -e $OUT/.time-limit ]]; then
			fail "not run: the grader's memory watch (grading/memwatch) ended as it started"
			return 1
		fi
		if ((${EPOCHREALTIME/[.,]/} > end)); then
			fail "not run: the grader's memory watch (grading/memwatch) did not start within 10s"
			return 1
		fi
		sleep 0.01
	done
}

watchdog() {
	local limit=$1 self=$BASHPID mine pid sleeper status=0 procs
	trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
	memwatch "$limit" &
	sleeper=$!
	wait "$sleeper" || status=$?
	# (.time-limit ends every wait of the test; .memory-limit or
	# .memwatch-failed says why)
	((status == 3)) && echo "$GUEST_NET_MEM" >"$OUT/.memory-limit"
	((status != 0 && status != 3)) && echo "$status" >"$OUT/.memwatch-failed"
	echo "$limit" >"$OUT/.time-limit"
	lab_clear
	lab down
	[[ -n $CGROUP ]] && "$KIT/grading/cgroup" remove "$CGROUP"
	process_tree "$self" procs
	mine=" ${procs[*]} "
	process_tree $$ procs
	for pid in "${procs[@]}"; do
		[[ $pid == "$$" || $mine == *" $pid "* ]] && continue
		kill -KILL "$pid" 2>/dev/null
	done
}

# memwatch SECONDS: the test's clock, which also bounds the memory its
# programs make the kernel hold in the lab's networks, where no cgroup v1
# counts it (socket and TUN queues: grading/memwatch.c); exits 3 when they
# held more than GUEST_NET_MEM, 0 when the time is up.  Its notes (a TUN's
# queue shortened) go to $OUT/.memwatch.  Without the lab's namespaces
# known, the clock alone.
GUEST_NET_MEM=${GUEST_NET_MEM:-$((64 << 20))}
memwatch() {
	local hosts
	hosts_args hosts
	if ((${#hosts[@]} == 0)); then
		echo "watching nothing: the lab's namespaces are not known" >"$OUT/.memwatch"
		sleep "$1"
		return 0
	fi
	net "${hosts[0]}" "$KIT/grading/memwatch" "$1" "$GUEST_NET_MEM" "${hosts[@]}" \
		>"$OUT/.memwatch" 2>"$OUT/.memwatch-error"
}

# lab_clear: every link of every host deleted (but loopback) before the
# lab ends: what a guest queued on its own (a neighbour's queue, a qdisc)
# would otherwise keep its sockets, and with them the host's network,
# alive past the lab (grading/memwatch.c, clear_links).
lab_clear() {
	local hosts
	hosts_args hosts
	((${#hosts[@]})) || return 0
	net "${hosts[0]}" "$KIT/grading/memwatch" --clear "${hosts[@]}" >/dev/null 2>&1 || true
}

# hosts_args ARRAY: into the caller's ARRAY, "HOST NETNS INODE" of each
# host, memwatch's arguments; none without the lab's namespaces known or
# memwatch.
hosts_args() {
	local -n args_=$1	# (its local below is named apart from any ARRAY)
	local host_
	args_=()
	[[ -n ${LAB_HOLDER-} && -x $KIT/grading/memwatch ]] || return 0
	for host_ in "${!NETNS_INODE[@]}"; do
		args_+=("$host_" "/proc/$LAB_HOLDER/root/run/netns/$PREFIX$host_" "${NETNS_INODE[$host_]}")
	done
}

# The grader's teardown: keep the evidence, show a failing test's logs, and
# remove everything.  A test that reached its time limit fails, saying so.
grade_stop() {
	local name f dir status=0

	if [[ -n ${WATCHDOG-} ]]; then
		kill -TERM "$WATCHDOG" 2>/dev/null
		wait "$WATCHDOG" 2>/dev/null
		WATCHDOG=""
	fi
	if [[ -e $OUT/.memory-limit ]]; then
		echo "# expected: the programs' sockets and TUN queues holding under $((GUEST_NET_MEM >> 20)) MB of the kernel's memory"
		echo "# seen:     $(grep -v -e '^\[grader\]' -e '^watching ' "$OUT/.memwatch" | head -n 1 | clean_text): the grader ended the test"
		echo "# likely:   a program that fills socket buffers or TUN queues it never reads"
		status=1
	elif [[ -e $OUT/.memwatch-failed ]]; then
		echo "# expected: the grader's memory watch (grading/memwatch) running for the whole test"
		echo "# seen:     it exited with status $(<"$OUT/.memwatch-failed"): $(head -c 300 "$OUT/.memwatch-error" 2>/dev/null | clean_text)"
		echo "# likely:   a fault of the grading machine, not of the programs: the test was ended; grade again"
		status=1
	elif [[ -e $OUT/.time-limit ]]; then
		echo "# expected: the test done within its time limit of ${TEST_LIMIT}s"
		echo "# seen:     it was still waiting for the programs at ${TEST_LIMIT}s: the grader ended them"
		echo "# likely:   a program that stops, hangs or floods instead of doing its job"
		status=1
	fi
	declare -A refused=()
	for name in "${!STUDENT_PATHS[@]}"; do
		refused[$name]=$(refused_execs "$name" |
			sed "s|.*|[grader] exec of & refused: the step's work must be your program's|")
	done
	if [[ -z ${BATS_TEST_COMPLETED-} ]] || ((status)); then
		grep -s '^\[grader\]' "$OUT/.memwatch" | head -n 5 | clean_text | sed 's/^/# /'
		for f in "$OUT"/*.log; do	# the programs' (the captures' are evidence)
			[[ -s $f && ${f##*/} != cap.log ]] || continue
			name=${f##*/}
			name=${name%.log}
			echo "# last lines of ${f##*/}:"
			{ tail -n 5 "$f"; [[ -n ${refused[$name]-} ]] && echo "${refused[$name]}"; } |
				cut -c1-300 | clean_text | sed 's/^/#   /'
		done
	fi
	lab_stop || status=1
	# Its log says what was refused (its writer has ended with it).
	for name in "${!refused[@]}"; do
		[[ -n ${refused[$name]} ]] && echo "${refused[$name]}" >>"$OUT/$name.log"
	done
	# What memwatch did and saw (a guest may make it say so every 20 ms).
	[[ -s $OUT/.memwatch ]] && head -c 65536 "$OUT/.memwatch" >"$OUT/memwatch.log"
	if [[ -n $GRADE_OUT ]]; then
		name=$(printf '%02d-%s' "$BATS_SUITE_TEST_NUMBER" \
			"$(tr -c 'a-zA-Z0-9\n' '-' <<<"$BATS_TEST_DESCRIPTION" | tr -s '-' | cut -c1-60)")
		dir=$GRADE_OUT/evidence/$name
		mkdir -p "$dir"
		cp "$OUT"/*.log "$OUT"/*.pcap "$OUT"/*.jsonl "$OUT"/*.json "$OUT"/*.out "$dir"/ 2>/dev/null || true
		# A failed test's traces, their first TRACE_KEEP bytes: the
		# program's own calls, which its diagnosis quotes.
		if [[ -z ${BATS_TEST_COMPLETED-} || -n ${VPNLAB_KEEP_TRACES-} ]] || ((status)); then
			for f in "$OUT"/*.trace; do
				[[ -f $f ]] && head -c "$TRACE_KEEP" "$f" >"$dir/${f##*/}"
			done
		fi
	fi
	return "$status"
}
