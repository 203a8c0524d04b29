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
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

# The runner exports a prefix for the whole run; a test run alone gets one.
RUN_PREFIX=${VPNLAB_RUN_PREFIX:-vt$$-}
PROGRAM_LIMIT=${PROGRAM_LIMIT:-60}	# seconds any started program may run
declare -gA STARTED=()	# -g: bats loads this file inside a function

# The lab command for this test's topology (common/lab): its hosts live in a
# user namespace of the lab's own, so a test needs no more privilege than
# the lab does.  Under the grader (as root) LAB_OWNER, LAB_CONTAIN and
# LAB_BIND come from the environment: student code runs as an unprivileged
# user, in a mount view where the grader's files are not.
lab() { LAB_PREFIX=$PREFIX "$KIT/common/lab" "$@"; }

lab_start() {
	PREFIX="${RUN_PREFIX}${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}-"
	OUT=$BATS_TEST_TMPDIR
	lab up >/dev/null
}

# A started program's processes: the one $! names and all below it.
tree() {
	local pid
	echo "$1"
	for pid in $(pgrep -P "$1"); do tree "$pid"; done
}

# The process a started program's signals go to: the program itself, the
# child of its timeout(1).  (On the way nsenter forks once, and would not
# pass a signal on.)
target() {
	local pid child
	for pid in $(tree "${STARTED[$1]}"); do
		if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == timeout ]]; then
			child=$(pgrep -P "$pid" | head -1)
			echo "${child:-$pid}"
			return
		fi
	done
}

# Stop every program of the test's topology, remove it, reap the children;
# then fail the test if a sanitizer complained in any program's log.
lab_stop() {
	local name reports pid

	lab down
	for name in "${!STARTED[@]}"; do	# the probes, outside the lab
		for pid in $(tree "${STARTED[$name]}"); do
			kill -KILL "$pid" 2>/dev/null || true
		done
		wait "${STARTED[$name]}" 2>/dev/null || true
	done
	reports=$(grep -lE 'Sanitizer|runtime error:' "$OUT"/*.log 2>/dev/null || true)
	if [[ -n $reports ]]; then
		echo "# sanitizer report in: $reports" >&2
		grep -hE -A8 'Sanitizer|runtime error:' $reports | sed 's/^/#   /' >&2
		return 1
	fi
}

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
	local host=$1
	shift
	lab probe "$host" "$@"
}

# start HOST NAME COMMAND...: run COMMAND on HOST in the background, with a
# time limit; its output goes to $OUT/NAME.log.  start_net: the same, with
# net instead of on.
start() {
	local host=$1 name=$2
	shift 2
	on "$host" timeout "$PROGRAM_LIMIT" "$@" >"$OUT/$name.log" 2>&1 &
	STARTED[$name]=$!
}

start_net() {
	local host=$1 name=$2
	shift 2
	net "$host" timeout "$PROGRAM_LIMIT" "$@" >"$OUT/$name.log" 2>&1 &
	STARTED[$name]=$!
}

# stop NAME [SIGNAL]: signal a started program and wait for it; returns its
# exit status.  Not under "run": a subshell cannot wait for our children.
stop() {
	local name=$1 sig=${2:-TERM} pid

	pid=$(target "$name")
	[[ -n $pid ]] && kill -s "$sig" "$pid"
	wait "${STARTED[$name]}"
}

# running NAME: whether a started program is still alive.
running() {
	[[ -n $(target "$1") ]]
}

# wait_exit NAME SECONDS: let a program end by itself, for at most SECONDS,
# then kill it; returns its exit status (137 if it had to be killed).
wait_exit() {
	local name=$1 limit=$2 i

	for ((i = 0; i < limit * 10; i++)); do
		running "$name" || break
		sleep 0.1
	done
	if running "$name"; then
		stop "$name" KILL
		return 137
	fi
	wait "${STARTED[$name]}"
}

# wait_for NAME REGEX [SECONDS]: until the program's log matches.
wait_for() {
	local file=$OUT/$1.log pattern=$2 limit=${3:-5} i

	for ((i = 0; i < limit * 20; i++)); do
		grep -qE -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "# waited ${limit}s for /$pattern/ in $1.log, which ends with:" >&2
	tail -n 15 "$file" 2>/dev/null | sed 's/^/#   /' >&2
	return 1
}

# capture HOST IFACE NAME FILTER...: tcpdump on a host's interface, text
# output in $OUT/NAME.log, ready when this returns.
capture() {
	local host=$1 iface=$2 name=$3
	shift 3
	start_net "$host" "$name" tcpdump -Z root -lnn -i "$iface" "$@"
	wait_for "$name" "listening on"
}

# transfer FROM TO ADDRESS FILE COPY: send FILE over TCP from host FROM to
# port 5000 of ADDRESS on host TO, written there as COPY; fails unless COPY
# is FILE byte for byte.  socat, not iperf3 -F: iperf3 3.12 loses data with
# -F when a send is partial, which a tunnel makes common.
transfer() {
	local from=$1 to=$2 addr=$3 file=$4 copy=$5 name=receiver-$to

	addr=$(addr_of "$addr")
	start_net "$to" "$name" socat -d -d -u TCP-LISTEN:5000,reuseaddr OPEN:"$copy",creat,trunc
	wait_for "$name" 'listening on'
	net "$from" timeout 30 socat -u OPEN:"$file" TCP:"$addr":5000,connect-timeout=5 ||
		fail "the TCP transfer from $from to $addr failed"
	wait_exit "$name" 10 || true
	cmp "$file" "$copy" || fail "$copy is not $file: the bytes did not arrive intact"
}

# The lab's names, for commands that run with the machine's files (net).
addr_of() {
	case $1 in
	useru) echo 10.1.2.2 ;; userv) echo 10.1.1.2 ;; userw) echo 10.1.1.3 ;;
	*) echo "$1" ;;
	esac
}

# leftovers PATTERN: the namespaces and grader work trees whose names match
# PATTERN (an ERE), one per line.  A test that must leave nothing compares
# this with what it was before the test, never with nothing: a student's
# topology or an earlier run's remains are none of its business.
leftovers() {
	local f
	{
		for f in /run/vpnlab-lab/*/*.pid /tmp/vpnlab-lab-*/*.pid; do
			[[ -e $f ]] && kill -0 "$(<"$f")" 2>/dev/null && basename "$f" .pid
		done
		ls -d /tmp/vpnlab-grade.* 2>/dev/null
	} | grep -E -- "$1" | sort || true
}

# make_submission DIR: a submission folder of the kit's step programs, as
# a student hands in.
make_submission() {
	local dir=$1 step

	mkdir -p "$dir"
	for step in step1-tun step2-udp step3-server step4-bidir; do
		mkdir -p "$dir/$step"
		cp "$KIT/$step"/*.c "$dir/$step/"
	done
}

# The handout's route on a client host: lab1 through its tunnel.  "replace":
# a program may have added it already.
route_lab1() { on "${1:-useru}" ip route replace 10.1.1.0/24 dev tun0; }

# Routes and forwarding of a working Step 4 (../shared/README.md).
tunnel_routes() {
	on server sysctl -qw net.ipv4.ip_forward=1
	on userv ip route add 10.1.3.0/24 via 10.1.1.4
	on userw ip route add 10.1.3.0/24 via 10.1.1.4
}

# --- for the graded tests (grading/step*.bats) -----------------------------
# SUB: the tree whose programs are graded; REF: the kit's own, for the helper
# programs a step needs from another (Step 3 uses the kit's Step 2 client),
# so that each step is graded on its own.
SUB=${VPNLAB_SUB:-$KIT}
REF=${VPNLAB_REF:-$KIT}
PCAPCHECK=$REF/grading/pcapcheck
GRADE_OUT=${VPNLAB_GRADE_OUT:-}

# The path of a program under test, or fail saying why it is not there.
program() {
	local path=$SUB/$1 why

	if [[ ! -x $path ]]; then
		why=""
		[[ -f $SUB/${1%/*}/.build-error && ! -L $SUB/${1%/*}/.build-error ]] &&
			why=$(head -n 5 "$SUB/${1%/*}/.build-error")
		fail "$1 is missing: ${why:-it was not submitted or did not build}"
		return 1	# (no set -e inside $(...))
	fi
	# Under the grader the lab sees the submission's programs here only.
	[[ -n ${LAB_CONTAIN-} ]] && path=/run/vpnlab/sub/$1
	echo "$path"
}

# explain EXPECTED SEEN CAUSE: fail with the three lines a student reads
# first; the capture excerpts and logs follow in the teardown.
explain() {
	fail "$(printf 'expected: %s\nseen:     %s\nlikely:   %s' "$1" "$2" "$3")"
}

# student HOST NAME PROGRAM: start a student's program, as the handout runs
# it: no arguments.  Its output is line-buffered whatever it does (stdbuf):
# a printf() that a terminal would show at once must reach the log too.
# Student code gets a clean environment (nothing of the grader's), and
# limits: processes, file size, CPU time, and (without sanitizers, which
# need a vast address space) memory.
student() {
	local host=$1 name=$2 prog limits
	prog=$(program "$3") || return 1
	STUDENT_PROGS[$name]=$3
	limits=(--nproc=64 --fsize=$((64 << 20)) --cpu=120 --nofile=256)
	[[ -n ${GRADE_SAN-} ]] || limits+=(--as=$((1 << 30)))
	start "$host" "$name" env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
		HOME=/tmp LANG=C.UTF-8 ASAN_OPTIONS=verify_asan_link_order=0 \
		prlimit "${limits[@]}" -- stdbuf -oL -eL "$prog"
}
declare -gA STUDENT_PROGS=()

# wait_until SECONDS WHAT COMMAND...: poll until COMMAND succeeds.
wait_until() {
	local limit=$1 what=$2 i
	shift 2

	for ((i = 0; i < limit * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "waited ${limit}s for $what"
}

# How long a program may take to be ready (interface up with its address,
# port bound): a student's program that sleeps a second or two is correct.
READY_LIMIT=${READY_LIMIT:-10}

# tun_state HOST ADDR-REGEX: "ready", or what is missing of tun0 on HOST.
tun_state() {
	local link addrs
	link=$(on "$1" ip -o link show tun0 2>/dev/null) || { echo none; return; }
	addrs=$(on "$1" ip -o -4 addr show dev tun0 2>/dev/null | awk '{print $4}' | paste -sd' ')
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
	local host=$1 name=$2 want=$3 addr=$4 i state
	for ((i = 0; i < READY_LIMIT * 10; i++)); do
		state=$(tun_state "$host" "$want")
		[[ $state == ready ]] && return 0
		running "$name" || break	# it will not get better
		sleep 0.1
	done
	case $state in
	none)
		if running "$name"; then
			explain "tun0 on $host" "no tun0 after ${READY_LIMIT}s; ${STUDENT_PROGS[$name]:-$name} is running" \
				"the program did not create the interface (TUNSETIFF with the name \"tun%d\" or \"tun0\")"
		else
			explain "tun0 on $host" "no tun0; ${STUDENT_PROGS[$name]:-$name} exited: $(tail -n 1 "$OUT/$name.log" 2>/dev/null)" \
				"the program ended (or crashed) before it made its interface"
		fi ;;
	no-address)
		explain "tun0 up with $addr" "tun0 exists but has no IPv4 address" \
			"the handout's 'ip addr add $addr dev tun0' (or its ioctl) is missing" ;;
	wrong-address*)
		explain "tun0 with $addr" "tun0 has ${state#wrong-address }" \
			"the address or prefix given to the interface is not the handout's" ;;
	down*)
		explain "tun0 up with $addr" "tun0 has ${state#down } but is down" \
			"the handout's 'ip link set dev tun0 up' (IFF_UP) is missing" ;;
	esac
}

has_port() { [[ -n $(on "$1" ss -Hulpn "sport = :$2") ]]; }

# wait_port HOST NAME PORT: until a program has bound UDP PORT on HOST.
wait_port() {
	local host=$1 name=$2 port=$3 i
	for ((i = 0; i < READY_LIMIT * 10; i++)); do
		has_port "$host" "$port" && return 0
		running "$name" || break
		sleep 0.1
	done
	explain "a socket bound to UDP port $port on $host" \
		"nothing bound to $port after ${READY_LIMIT}s: $(on "$host" ss -Hulpn | awk '{print $4}' | paste -sd' ' | sed 's/^$/no UDP socket at all/')" \
		"bind() to 0.0.0.0:$port (htons($port)) is missing or failed; the program said: $(tail -n 1 "$OUT/$name.log" 2>/dev/null)"
}

# The neutral partners of a graded program: socat's TUN device over UDP, in
# the handout's wire format (a bare IP packet per datagram), so that a
# program is graded on its own and never with the student's other programs.
socat_client() {
	start useru partner socat TUN:10.1.3.1/24,tun-type=tun,iff-no-pi,iff-up UDP:10.1.2.3:9090
	wait_tun useru partner '10\.1\.3\.1/24' 10.1.3.1/24
}
socat_server() {
	start server partner socat TUN:10.1.3.2/24,tun-type=tun,iff-no-pi,iff-up UDP-LISTEN:9090
	wait_tun server partner '10\.1\.3\.2/24' 10.1.3.2/24
	wait_port server partner 9090
}

# send_inner: what a client would send, crafted by the grader: an ICMP echo
# request 10.1.3.1 > 10.1.3.5 ("vpnlab grader probe!") as the whole payload
# of one datagram from useru to server:9090.
INNER_PROBE='\x45\x00\x00\x30\x12\x34\x00\x00\x40\x01\x4e\x92\x0a\x01\x03\x01\x0a\x01\x03\x05\x08\x00\xc1\x38\x42\x42\x00\x01\x76\x70\x6e\x6c\x61\x62\x20\x67\x72\x61\x64\x65\x72\x20\x70\x72\x6f\x62\x65\x21'
# (From a file: socat sends what one read() returns as one datagram, where
# bash's /dev/udp would cut the packet at every 0x0a byte.)
send_inner() {
	printf "$INNER_PROBE" >"$OUT/probe.bin"
	net useru socat -u OPEN:"$OUT/probe.bin" UDP:10.1.2.3:9090
}

# check HOST NAME PCAPCHECK-ARGS...: start a capture that must succeed.
check() {
	local host=$1 name=$2
	shift 2
	CHECKS[$name]=$(hop_json "$host" "$@")
	start_net "$host" "$name" "$PCAPCHECK" -w "$OUT/$name.pcap" "$@"
	wait_for "$name" '^capturing on'
}
declare -gA CHECKS=()	# capture name -> its hop, until judged

# hop_json HOST PCAPCHECK-ARGS...: where a capture looks and for what, as
# the grader's report draws it (grading/report).
hop_json() {
	local host=$1 iface="" none=false want=() opt
	shift
	OPTIND=1
	while getopts c:d:f:i:knop:s:T:t:u:w: opt; do
		case $opt in
		i) iface=$OPTARG ;;
		n) none=true ;;
		p) want+=("$OPTARG") ;;
		T) want+=("$OPTARG") ;;
		s) want+=("from $OPTARG") ;;
		d) want+=("to $OPTARG") ;;
		u) want+=("inside UDP $OPTARG") ;;
		esac
	done
	jq -nc --arg host "$host" --arg iface "$iface" --argjson none "$none" \
		--arg want "${want[*]:-any packet}" \
		'{host: $host, iface: $iface, none: $none, want: $want}'
}

# record_hop NAME true|false|null: a capture's verdict, into hops.jsonl.
record_hop() {
	[[ -n ${CHECKS[$1]-} ]] || return 0
	grep -E '^(match [0-9]+|OK|FAIL|ERROR)' "$OUT/$1.log" 2>/dev/null | head -n 6 |
		jq -R . | jq -sc --argjson hop "${CHECKS[$1]}" --arg name "$1" --argjson ok "$2" \
		'$hop + {name: $name, ok: $ok, lines: .}' >>"$OUT/hops.jsonl"
	unset "CHECKS[$1]"
}

# verdict NAME [EXPECTED CAUSE]: wait for a capture's end; if it failed,
# fail with what was expected, pcapcheck's verdict line, and the likely cause.
verdict() {
	local seen

	judged "$1" && return 0
	seen=$(grep -m1 -E '^FAIL' "$OUT/$1.log" || tail -n 1 "$OUT/$1.log")
	if [[ -n ${2-} ]]; then
		explain "$2" "$seen" "$3"
	fi
	fail "$(printf 'capture %s failed:\n%s' "$1" "$(tail -n 6 "$OUT/$1.log")")"
}

# judged NAME: wait for a capture's end; its success, recorded as a hop.
judged() {
	local status=0
	wait "${STARTED[$1]}" || status=$?
	record_hop "$1" "$( ((status == 0)) && echo true || echo false)"
	return "$status"
}

# end_capture NAME [EXPECTED CAUSE]: stop a capture now (for "none seen"
# checks) and judge it.
end_capture() {
	local pid

	pid=$(target "$1")
	[[ -n $pid ]] && kill -INT "$pid"
	verdict "$@"
}

# expect_line NAME REGEX SECONDS EXPECTED CAUSE: until the program's output
# has a line matching REGEX; else fail saying what it printed last.
expect_line() {
	local name=$1 pattern=$2 limit=$3 i last
	for ((i = 0; i < limit * 20; i++)); do
		grep -qE -- "$pattern" "$OUT/$name.log" 2>/dev/null && return 0
		sleep 0.05
	done
	last=$(grep -v '^$' "$OUT/$name.log" 2>/dev/null | tail -n 2 | paste -sd'|')
	explain "$4" "after ${limit}s, its last lines: ${last:-nothing at all}" "$5"
}

# udp_seen NAME: the UDP destinations in capture NAME's pcap, with counts.
udp_seen() {
	tcpdump -nr "$OUT/$1.pcap" udp 2>/dev/null |
		awk '{print $3 " > " $5}' | sed 's/:$//' | sort | uniq -c |
		sort -rn | head -n 3 | awk '{$1 = $1 "x"; print}' | paste -sd';'
}

# The grader's teardown: keep the evidence, show a failing test's logs, and
# remove everything.
grade_stop() {
	local name f dir

	if [[ -z ${BATS_TEST_COMPLETED-} ]]; then
		for f in "$OUT"/*.log; do
			[[ -e $f ]] || continue
			echo "# last lines of ${f##*/}:"
			tail -n 5 "$f" | sed 's/^/#   /'
		done
	fi
	for name in "${!CHECKS[@]}"; do	# captures the test never judged
		record_hop "$name" null
	done
	lab_stop
	if [[ -n $GRADE_OUT ]]; then
		name=$(printf '%02d-%s' "$BATS_SUITE_TEST_NUMBER" \
			"$(tr -c 'a-zA-Z0-9\n' '-' <<<"${BATS_TEST_DESCRIPTION%% \[*}" | tr -s '-' | cut -c1-60)")
		dir=$GRADE_OUT/evidence/$name
		mkdir -p "$dir"
		cp "$OUT"/*.log "$OUT"/*.pcap "$OUT"/hops.jsonl "$dir"/ 2>/dev/null || true
	fi
}
