#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The grader against submissions written as attackers write them
# (grading/tests/attacks/): each forgery scores what an empty submission
# scores, each cost stays within its stated bound, a submission that stops
# or hangs ends within its limit and the next student is graded, and
# nothing of any of them is left on the machine.

load kit

GRADE=$KIT/grading/grade
ATTACKS=$KIT/grading/tests/attacks

setup() {
	export VPNLAB_GRADE_PREFIX="va$BATS_SUITE_TEST_NUMBER-$$-"
	export VPNLAB_GRADE_UID=$((3998000 + BATS_SUITE_TEST_NUMBER))	# ours alone
	MINE="^$VPNLAB_GRADE_PREFIX|vpnlab-grade\.$VPNLAB_GRADE_PREFIX"
	before=$(leftovers "$MINE")
	shm_before=$(ipcs -m | grep -c '^0x' || true)
	links_before=$(ip -o link | awk -F': ' '{print $2}' | sort)
	out=$BATS_TEST_TMPDIR/out
}

# submission DIR STEP/PROG.c SOURCE...: a submission of these programs only.
submission() {
	local dir=$1
	shift
	while (($#)); do
		mkdir -p "$dir/${1%/*}"
		cp "$2" "$dir/$1"
		shift 2
	done
}

# Nothing of the attack is left: no lab, work tree, process of its user,
# control group, shared memory segment, link in the machine's network.
nothing_left() {
	run leftovers "$MINE"
	assert_output "$before"
	# A process killed with its tree is reparented to the machine's init,
	# which reaps it in its own time: give it a few seconds.
	local i
	for ((i = 0; i < 50; i++)); do
		run ps -u "$VPNLAB_GRADE_UID" -o pid=,stat=,args=
		[[ -z $output ]] && break
		sleep 0.1
	done
	assert_output ""
	run bash -c "ls -d /sys/fs/cgroup/*/vpnlab/$VPNLAB_GRADE_PREFIX* /sys/fs/cgroup/*/*/*/vpnlab/$VPNLAB_GRADE_PREFIX* /sys/fs/cgroup/vpnlab/$VPNLAB_GRADE_PREFIX* 2>/dev/null"
	assert_output ""
	[ "$(ipcs -m | grep -c '^0x' || true)" = "$shm_before" ]
	[ "$(ip -o link | awk -F': ' '{print $2}' | sort)" = "$links_before" ]
}

# The test names of a step, as the grader's files give them today.
names_of() { sed -nE 's/^@test "(.*)" \{$/\1/p' "$KIT/grading/step$1.bats"; }

# step1_scores_nothing SRC: a submission whose tun and tun_ping are both
# SRC, graded in Step 1: it must score what an empty one does ($output is
# the grade's).
step1_scores_nothing() {
	submission "$BATS_TEST_TMPDIR/sub" step1-tun/tun.c "$1" step1-tun/tun_ping.c "$1"
	run "$GRADE" -s 1 -o "$out" "$BATS_TEST_TMPDIR/sub"
	assert_line "$(score 1 0)"
}

# names_array STEP: those names as a C array, names[], for a forger.
names_array() {
	local name
	echo 'static const char *names[] = {'
	while IFS= read -r name; do
		printf '\t"%s",\n' "${name//\"/\\\"}"
	done < <(names_of "$1")
	echo '};'
}

@test "attack: a program that writes a passing TAP stream to every descriptor it may have scores as an empty one" {
	local src=$BATS_TEST_TMPDIR/forge.c
	{
		echo '#include <stdio.h>'
		echo '#include <unistd.h>'
		names_array 1
		echo 'int main(void) {'
		echo '	for (int round = 0; round < 20; round++, usleep(200000))'
		echo '		for (int fd = 3; fd < 256; fd++)'
		echo '			for (unsigned i = 0; i < sizeof(names) / sizeof(*names); i++)'
		echo '				dprintf(fd, "ok %u %s\n# all good\n", i + 1, names[i]);'
		echo '	for (;;) pause();'
		echo '}'
	} >"$src"
	step1_scores_nothing "$src"
	# (A report question worth no points has no status: it is no test.)
	run jq -e '.score == 0 and all(.tests[]; .status == "failed" or .max_score == 0)
		and any(.tests[]; .status == "failed")' "$out/results.json"
	assert_success
	[ "$(grep -c '<failure' "$out/junit.xml")" -eq "$(names_of 1 | wc -l)" ]
	nothing_left
}

# What a program prints reaches the TAP stream inside a failed test's
# lines ("# last lines of tun.log"); a character that some reader takes
# for a line's end (U+0085, U+2028, U+2029) must not start a line there:
# "x<NEL>ok 4 NAME" would be test 4's pass (a hostile review, 2026-12-07:
# 95/100 for programs that did nothing).
@test "attack: a program's output with line separators (U+0085, U+2028, U+2029) before forged results scores as an empty one" {
	local src=$BATS_TEST_TMPDIR/nel.c
	{
		echo '#include <stdio.h>'
		names_array 1
		echo 'static const char *seps[] = { "\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xc2\x9b" };'
		echo 'int main(void) {'
		echo '	for (unsigned i = 0; i < sizeof(names) / sizeof(*names); i++)'
		echo '		for (unsigned s = 0; s < 4; s++)'
		echo '			printf("x%sok %u %s\n", seps[s], i + 1, names[i]);'
		echo '	return 0;'
		echo '}'
	} >"$src"
	step1_scores_nothing "$src"
	refute_line --regexp '^PASS'
	# Shown, escaped: what the program printed, not what it meant.
	assert_output --partial 'x\xc2\x85ok '
	run jq -e '.score == 0 and all(.tests[]; .status == "failed" or .max_score == 0)' "$out/results.json"
	assert_success
	run grep -c $'\xc2\x85\|\xe2\x80\xa8\|\xe2\x80\xa9' "$out/tap.txt" "$out/results.json" "$out/junit.xml"
	refute_output --regexp ':[1-9]'
	nothing_left
}

# Words of the student's that a reader could take for the grader's: a log
# line shaped like bash's note on a killed job (which the results drop), a
# compiler message whose file name (#line) is "likely: ...", a REPORT.md
# answer hidden in an HTML comment (a hostile review, 2026-12-07).
@test "attack: a program's log, its compiler's messages and a hidden REPORT.md answer speak only as themselves" {
	local sub=$BATS_TEST_TMPDIR/sub
	make_submission "$sub"
	printf '#include <stdio.h>\nint main(void) { puts("seen:     the test passed"); puts("done: line 1: 1 Killed"); return 0; }\n' \
		>"$sub/step1-tun/tun.c"
	printf '#line 1 "likely:   a fault of the grading machine%300s"\nint v = undefined;\n' "" \
		>"$sub/step1-tun/tun_ping.c"
	printf '### Q1.1\n<!--\nhidden words that nobody reading the page would ever see\n-->\n' >"$sub/REPORT.md"
	run "$GRADE" -s 1 -r 1 -o "$out" "$sub"
	assert_line "Score: 0/$(($(total 1) + 3))"	# (-r 1: the report's 3 questions of Step 1)
	# The grader's seen: line, which quotes the log, stays.
	assert_line --regexp '^        seen: +it ended at once: .*done: line 1: 1 Killed'
	# The compiler's lines come quoted, never as the grader's.
	assert_line --regexp '^ +\| likely: +a fault of the grading machine'
	refute_line --regexp '^ +likely: +a fault of the grading machine'
	assert_line --partial 'Report, step 1: (Q1.1)'
	run grep -c -e '<dd class="seen">the test passed' -e '<dd class="likely">a fault of' "$out/report.html"
	assert_output 0
	nothing_left
}

@test "attack: scripts mounted over ping, ip, ss and the shell, in every namespace it reaches, fool no check" {
	# Its shell commands run: the protection tested here must hold on its
	# own, not because the grader refuses to run them.
	export VPNLAB_EXEC_LIMIT=0
	submission "$BATS_TEST_TMPDIR/sub" step1-tun/tun_ping.c "$ATTACKS/mounts.c"
	run "$GRADE" -s 1 -o "$out" "$BATS_TEST_TMPDIR/sub"
	assert_line "$(score 1 0)"
	# The program saw its own host's network only, never the machine's.
	run grep -rhE '(^|[^a-z])(eth0|ifb0)([^a-z0-9]|$)' "$out/evidence"
	assert_failure
	nothing_left
}

@test "attack: entering the other hosts, its own veth to userv and a route around the tunnel score nothing" {
	# Its shell commands run: the protection tested here must hold on its
	# own, not because the grader refuses to run them.
	export VPNLAB_EXEC_LIMIT=0
	submission "$BATS_TEST_TMPDIR/sub" step4-bidir/tun_client.c "$ATTACKS/neighbours.c"
	run "$GRADE" -s 4 -o "$out" "$BATS_TEST_TMPDIR/sub"
	assert_line "$(score 4 0)"
	run grep -rh '^entered' "$out/evidence"
	assert_failure
	nothing_left
}

@test "attack: decoy sockets do not hide a client on port 9090 that takes anyone's datagrams; the lab shows its programs only" {
	submission "$BATS_TEST_TMPDIR/sub" step4-bidir/tun_client.c "$ATTACKS/decoy-client.c"
	run "$GRADE" -s 4 -o "$out" "$BATS_TEST_TMPDIR/sub"
	assert_line --regexp '^FAIL +0/1 +step 4: tun_client: takes datagrams from its server only'
	# Judged by its own write() of a stranger's packet into its TUN.
	assert_output --partial 'seen:     tun_client wrote into tun0 the packet of a datagram from'
	run grep -rh '^decoy: port' "$out/evidence"
	assert_success	# (the decoy was listed first: the attack was real)
	run grep -rh '^seen: ' "$out/evidence"
	assert_line 'seen: /run/vpnlab/sub/step4-bidir/tun_client'
	# No source, script, library or test of the kit; no program of the
	# kit's (its Step 4 server) nor of another step.
	refute_line --regexp '\.(c|h|bats|bash|py|a|o)$|/(common|grading|step0-verify)(/|$)|/tun_server$|/step[123]-[a-z]+/[a-z_]+$'
	nothing_left
}

@test "attack: programs that run socat or python3 to do the work score Step 0 alone; without the exec limit, the trace gives them tun0's 4 points and no more" {
	local prog
	for prog in step1-tun/tun step1-tun/tun_ping step2-udp/tun_client step2-udp/tun_udp_server \
		step3-server/tun_server step4-bidir/tun_client step4-bidir/tun_server; do
		submission "$BATS_TEST_TMPDIR/sub" "$prog.c" "$ATTACKS/exec-tools.c"
	done
	run "$GRADE" -o "$out" "$BATS_TEST_TMPDIR/sub"
	assert_line "$(score all "$(total 0)")"
	assert_output --partial "it tried to run /usr/bin/socat, which the grader refuses: the step's work must be your program's"
	assert_output --partial "it tried to run /usr/bin/python3, which the grader refuses"
	run grep -rhF "[grader] exec of /usr/bin/socat refused: the step's work must be your program's" "$out/evidence"
	assert_success
	# The trace on its own: the tools run, the probes cross, no point.
	run env VPNLAB_EXEC_LIMIT=0 "$GRADE" -o "$out-free" "$BATS_TEST_TMPDIR/sub"
	assert_line "$(score all "$(($(total 0) + 4))")"	# (Step 0, and tun0's 4 points)
	assert_line --regexp '^PASS +4/4 +step 1: tun creates tun0, up'
	assert_output --partial 'ping got its echo replies, but tun_ping never did read() the echo request from its TUN'
	assert_output --partial 'the probe crossed, but tun_client never did read() the echo request from its TUN'
	assert_output --partial 'tun_udp_server never did: its own calls hold 0 datagrams received'
	nothing_left
}

@test "attack: tun_ping's echo made by the kernel (a second TUN, tc mirred, policy routing) scores nothing" {
	submission "$BATS_TEST_TMPDIR/sub" step1-tun/tun_ping.c "$ATTACKS/kernel-echo.c"
	run "$GRADE" -s 1 -o "$out" "$BATS_TEST_TMPDIR/sub"
	assert_line "$(score 1 0)"
	run grep -rhE "^\[grader\] exec of /.*/tc refused" "$out/evidence"
	assert_success
	# Where tc may run, the kernel's replies cross every capture of tun0;
	# tun_ping's own calls never read a request nor wrote a reply.
	run env VPNLAB_EXEC_LIMIT=0 "$GRADE" -s 1 -o "$out-free" "$BATS_TEST_TMPDIR/sub"
	assert_line "$(score 1 0)"
	assert_line --regexp '^FAIL +0/4 +step 1: tun_ping makes ping succeed'
	assert_output --partial 'ping got its echo replies, but tun_ping never did read() the echo request from its TUN'
	nothing_left
}

@test "attack: thousands of copies of each echo reply and 240 descriptors of 4 KB paths keep the evidence within its caps" {
	local f size
	submission "$BATS_TEST_TMPDIR/sub" step1-tun/tun_ping.c "$ATTACKS/evidence-bloat.c"
	run "$GRADE" -s 1 -o "$out" "$BATS_TEST_TMPDIR/sub"
	assert_line "$(score 1 0)"
	# The flood was real: ping printed more than it keeps.
	run grep -rlF 'more bytes after the first 65536 were not kept' "$out/evidence"
	assert_success
	for f in "$out"/evidence/*/ping-*.out; do
		size=$(stat -c %s "$f")
		((size <= 65536 + 256)) || fail "${f#"$out"/}: $size bytes"
	done
	for f in "$out"/evidence/*/state-*.json; do
		size=$(stat -c %s "$f")
		((size <= 65536)) || fail "${f#"$out"/}: $size bytes"
	done
	size=$(du -sb "$out" | cut -f1)
	((size < 64 << 20)) || fail "the evidence is $size bytes"
	nothing_left
}

@test "attack: a veth named tun0 whose far end answers, and lines printed before any probe, score nothing" {
	submission "$BATS_TEST_TMPDIR/sub" step1-tun/tun.c "$ATTACKS/veth-tun.c" \
		step1-tun/tun_ping.c "$ATTACKS/veth-ping.c"
	run "$GRADE" -s 1 -o "$out" "$BATS_TEST_TMPDIR/sub"
	assert_line "$(score 1 0)"
	assert_output --partial 'tun0 is an interface of another kind (its sysfs has no tun_flags)'
	nothing_left
}

@test "attack: a server that streams into the grader's TCP receiver first fills no disk" {
	local sampler biggest
	submission "$BATS_TEST_TMPDIR/sub" step4-bidir/tun_server.c "$ATTACKS/receiver-fill.c" \
		step4-bidir/tun_client.c "$KIT/step4-bidir/tun_client.c"
	# The grader's files for this run, sampled as it goes.
	(while :; do
		du -sk "$out" /tmp/vpnlab-grade."$VPNLAB_GRADE_PREFIX"* 2>/dev/null | awk '{ n += $1 } END { print n + 0 }'
		sleep 0.2
	done >"$BATS_TEST_TMPDIR/sizes") &
	sampler=$!
	run "$GRADE" -s 4 -o "$out" "$BATS_TEST_TMPDIR/sub"
	kill "$sampler"
	refute_line "$(score 4)"
	run grep -rh '^sent [1-9]' "$out/evidence"
	assert_success	# it did stream, and got that far
	biggest=$(sort -n "$BATS_TEST_TMPDIR/sizes" | tail -n 1)
	((biggest < 64 << 10)) || fail "the run's files grew to $((biggest >> 10)) MB"
	nothing_left
}

@test "attack: file names and compiler warnings with terminal escapes reach the terminal escaped" {
	local sub=$BATS_TEST_TMPDIR/sub
	make_submission "$sub"
	printf '#warning "\033[2J\033]0;pwned\007"\nint main(void) { return 0; }\n' >"$sub/step1-tun/tun.c"
	printf 'int x;\n' >"$sub/step1-tun/x"$'\e'"[31mRED.c"
	run "$GRADE" -s 1 -o "$out" "$sub"
	assert_output --partial 'odd file name, refused'
	assert_output --partial 'compiler warnings'
	run grep -c $'[\x01-\x08\x0b-\x1f\x7f]' <<<"$output"
	assert_output 0
	nothing_left
}

@test "attack: a program that stops everything it can see ends within the submission's limit, and the next student is graded" {
	local subs=$BATS_TEST_TMPDIR/subs start
	submission "$subs/mallory" step1-tun/tun_ping.c "$ATTACKS/stopper.c"
	make_submission "$subs/zoe"
	# Alone, with a limit shorter than its tests would take.
	start=$SECONDS
	run "$GRADE" -s 1 -t 8 -o "$out" "$subs/mallory"
	assert_success	# graded: a time limit is the submission's, not the grader's
	assert_line "$(score 1 0)"
	assert_output --partial "not run: the submission's tests took more than 8s"
	run jq -r .output "$out/results.json"
	assert_output "$(score 1 0)"$'\nthe submission\'s tests took more than 8s and were stopped there: the tests left were not run, and score nothing'
	((SECONDS - start < 8 + 30)) || fail "grading took $((SECONDS - start))s"
	# In a class: the next student is graded as ever.
	run "$KIT/grading/grade-all" -s 1 -o "$BATS_TEST_TMPDIR/class" "$subs"
	assert_success
	assert_line "mallory$(csv_scores 1:0)"
	assert_line "zoe$(csv_scores 1)"
	nothing_left
}

@test "attack: a flood of packets and output stays within its stated sizes, and escapes reach no report raw" {
	local bytes f
	submission "$BATS_TEST_TMPDIR/sub" step1-tun/tun_ping.c "$ATTACKS/flood.c"
	run "$GRADE" -s 1 -o "$out" "$BATS_TEST_TMPDIR/sub"
	assert_line "$(score 1 0)"
	refute_output --partial $'\x1b'
	bytes=$(du -sb "$out" | cut -f1)
	((bytes < 64 << 20)) || fail "the evidence of one submission is $bytes bytes"
	for f in "$out"/evidence/*/*.log; do
		(($(stat -c %s "$f") <= LOG_MAX + 200)) || fail "$f is $(stat -c %s "$f") bytes"
	done
	for f in "$out"/evidence/*/*.pcap; do
		(($(stat -c %s "$f") <= PCAP_MAX)) || fail "$f is $(stat -c %s "$f") bytes"
	done
	run jq -e 'all(.tests[]; (.output | length) <= 8192)' "$out/results.json"
	assert_success
	run python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$out/junit.xml"
	assert_success
	run grep -c $'\x1b' "$out/junit.xml" "$out/results.json" "$out/tap.txt"
	refute_output --regexp ':[1-9]'
	nothing_left
}

# bats test_tags=alone
@test "attack: a tmpfs of its own, /dev/shm and System V segments cost the machine no more than the test's memory limit" {
	local low=/tmp/mem-low-$$ avail0 sampler
	# Its shell commands run: the protection tested here must hold on its
	# own, not because the grader refuses to run them.
	export VPNLAB_EXEC_LIMIT=0
	submission "$BATS_TEST_TMPDIR/sub" step1-tun/tun_ping.c "$ATTACKS/memory.c"
	avail0=$(awk '/^MemAvailable/ { print $2 }' /proc/meminfo)
	(while :; do awk '/^MemAvailable/ { print $2 }' /proc/meminfo; sleep 0.2; done >"$BATS_TEST_TMPDIR/avail") &
	sampler=$!
	run "$GRADE" -s 1 -o "$out" "$BATS_TEST_TMPDIR/sub"
	kill "$sampler"
	assert_line "$(score 1 0)"
	# At most the guests' memory of the tests that ran at once (4, each
	# GUEST_MEM), and some room for the lab: never the 8 GB it asked for.
	low=$(sort -n "$BATS_TEST_TMPDIR/avail" | head -n 1)
	(((avail0 - low) * 1024 < 4 * GUEST_MEM + (512 << 20))) ||
		fail "MemAvailable fell by $(((avail0 - low) / 1024)) MB"
	nothing_left
}

# sampled FILE COMMAND...: COMMAND's output every 20 ms into FILE, until
# killed; SAMPLER is its pid.
sampled() {
	local file=$1
	shift
	(while :; do "$@"; sleep 0.02; done >"$file") &
	SAMPLER=$!
}
udp_pages() { awk '$1 == "UDP:" { print $5 }' /proc/net/sockstat; }
mem_available() { awk '/^MemAvailable/ { print $2 }' /proc/meminfo; }

# bats test_tags=alone
@test "attack: socket queues and a TUN's queue, filled and never read, hold no more of the kernel's memory than the test's bound" {
	local peak avail0 low
	# 80 UDP sockets of 8 MB filled (640 MB unbounded): the test ends at
	# GUEST_NET_MEM, with its programs killed as soon as it is seen.
	submission "$BATS_TEST_TMPDIR/sub" step1-tun/tun.c "$ATTACKS/socket-queues.c" \
		step1-tun/good-tun.h "$ATTACKS/good-tun.h"
	sampled "$BATS_TEST_TMPDIR/udp" udp_pages
	run "$GRADE" -s 1 -o "$out" "$BATS_TEST_TMPDIR/sub"
	kill "$SAMPLER"
	# (tun0's test may pass before the queues are full: it makes tun0)
	assert_output --regexp 'seen: +useru held [0-9.]+ MB in the kernel: [0-9.]+ MB waiting in [0-9]+ sockets'
	peak=$(sort -n "$BATS_TEST_TMPDIR/udp" | tail -n 1)
	# (what every UDP socket of the machine holds: Step 1 runs tun in two
	# tests, which may run at once)
	((peak * 4096 < 2 * (GUEST_NET_MEM + (32 << 20)))) ||
		fail "UDP sockets held $((peak * 4096 >> 20)) MB"
	nothing_left
	# A second TUN with a txqueuelen of 400,000, flooded and never read
	# (900 MB unbounded): its queue is shortened to hold 4 MB.
	rm -rf "$out"
	{ echo '#define TUN_ONLY 1'; cat "$ATTACKS/socket-queues.c"; } >"$BATS_TEST_TMPDIR/sub/step1-tun/tun.c"
	avail0=$(mem_available)
	sampled "$BATS_TEST_TMPDIR/avail" mem_available
	run "$GRADE" -s 1 -o "$out" "$BATS_TEST_TMPDIR/sub"
	kill "$SAMPLER"
	low=$(sort -n "$BATS_TEST_TMPDIR/avail" | head -n 1)
	run grep -rh 'txqueuelen of tun1' "$out/evidence"
	assert_line --partial '[grader] txqueuelen of tun1 on useru lowered from 400000 to'
	# (On a failure, what a maintainer needs to tell a late lowering from
	# the machine's own swings: memwatch's words, and the samples, in MB,
	# every 20 ms, around the lowest.)
	(((avail0 - low) * 1024 < 300 << 20)) ||
		fail "MemAvailable fell by $(((avail0 - low) / 1024)) MB; memwatch: $output; MemAvailable: $(awk '
			{ a[NR] = int($1 / 1024) }
			END { m = 1; for (i = 1; i <= NR; i++) if (a[i] < a[m]) m = i
			      for (i = m > 25 ? m - 25 : 1; i <= m + 25 && i <= NR; i++) printf "%d ", a[i] }' \
			"$BATS_TEST_TMPDIR/avail")"
	nothing_left
}

# (gso-tun: the guest's filter refuses TUNSETOFFLOAD; memwatch's count of
# such a TUN is hardening.bats's.)
# bats test_tags=alone
@test "attack: an unresolved neighbour's queue, a multi-queue TUN and TUNs of 64 KB packets, raised and filled, hold no more than their bounds" {
	local avail0 low attack
	for attack in neighbour-queue multiqueue-tun gso-tun; do
		rm -rf "$out" "$BATS_TEST_TMPDIR/sub"
		submission "$BATS_TEST_TMPDIR/sub" step1-tun/tun.c "$ATTACKS/$attack.c" \
			step1-tun/good-tun.h "$ATTACKS/good-tun.h"
		avail0=$(mem_available)
		sampled "$BATS_TEST_TMPDIR/avail" mem_available
		run "$GRADE" -s 1 -o "$out" "$BATS_TEST_TMPDIR/sub"
		kill "$SAMPLER"
		low=$(sort -n "$BATS_TEST_TMPDIR/avail" | head -n 1)
		# Unbounded, each took 0.6 to 1.5 GB (the review's figures).
		(((avail0 - low) * 1024 < 400 << 20)) ||
			fail "$attack: MemAvailable fell by $(((avail0 - low) / 1024)) MB"
		case $attack in
		neighbour-queue) run grep -rh "arp_cache's queue of unresolved neighbours on useru lowered" "$out/evidence" ;;
		multiqueue-tun) run grep -rh 'txqueuelen of tun1 on useru lowered' "$out/evidence" ;;
		gso-tun) run grep -rh '^gso tun: Operation not permitted' "$out/evidence" ;;
		esac
		assert_success
		nothing_left
	done
}

# stamped FILE: each line of standard input into FILE, behind the second
# it arrived at.
stamped() {
	local line
	while IFS= read -r line; do
		printf '%s %s\n' "$EPOCHSECONDS" "$line"
	done >"$1"
}

# The second of the first stamped line of FILE that holds TEXT.
stamp_of() { grep -m1 -F -- "$2" "$1" | cut -d' ' -f1; }

@test "attack: compiler output without end is cut at its size, and the build at its time" {
	local start built
	submission "$BATS_TEST_TMPDIR/sub" step1-tun/tun.c "$ATTACKS/self-include.c" \
		step1-tun/tun_ping.c "$ATTACKS/errors.c"
	BUILD_LIMIT=10 BUILD_TOTAL=15 "$GRADE" -s 1 -o "$out" "$BATS_TEST_TMPDIR/sub" \
		> >(stamped "$BATS_TEST_TMPDIR/stamped") 2>&1 || true
	wait $!	# (the stamps, all of them)
	output=$(cut -d' ' -f2- "$BATS_TEST_TMPDIR/stamped")
	mapfile -t lines <<<"$output"
	assert_line "$(score 1 0)"
	assert_output --partial 'step1-tun/tun does not compile: the build took more than 10s'
	# What the first left of the 15 s (about 5 s; on a busy machine,
	# maybe nothing): never its own 10 s.  (-s 1 builds Step 1 only.)
	assert_output --regexp "step1-tun/tun_ping (does not compile: the build took more than [1-5]s|was not built: the submission's build time \(15s\) was used up)"
	(($(stat -c %s "$out/build.log") < 3 * ((64 << 10) + 1024))) ||
		fail "build.log is $(stat -c %s "$out/build.log") bytes"
	# The build's own time, from its first line to the tests' start: the
	# 15 s, the 5 s a stopped compiler is given to end, and room for a
	# busy machine (a sandbox per program, the copies: 23 s once, with two
	# suites on this machine's two cores); never the 247 s a
	# self-including source takes unstopped.  (That each program got only
	# what was left of the 15 s is the line on tun_ping above.)
	start=$(stamp_of "$BATS_TEST_TMPDIR/stamped" "== building the submission's programs")
	built=$(stamp_of "$BATS_TEST_TMPDIR/stamped" "== running")
	[[ -n $start && -n $built ]] || fail "the grader's output lacks its build's lines: $output"
	((built - start < 15 + 5 + 60)) || fail "the build took $((built - start))s"
	nothing_left
}

@test "attack: archive bombs are refused while read, and two archives of one student get two folders" {
	local subs=$BATS_TEST_TMPDIR/subs
	make_submission "$BATS_TEST_TMPDIR/alice"
	mkdir -p "$subs"
	(cd "$BATS_TEST_TMPDIR/alice" && zip -qr "$subs/alice.zip" . && tar -czf "$subs/alice.tar.gz" .)
	python3 - "$subs/bomb.tar.gz" <<-'EOF'
	import gzip, sys, tarfile
	# 40 members of 900 KB of zeros, which gzip makes small (more in unpack.bats).
	with gzip.open(sys.argv[1], "wb", compresslevel=9) as f:
	    zero = bytes(900 << 10)
	    for i in range(40):
	        info = tarfile.TarInfo("step1-tun/f%d.c" % i)
	        info.size = len(zero)
	        f.write(info.tobuf())
	        f.write(zero)
	EOF
	run timeout 300 "$KIT/grading/grade-all" -s 1 -o "$BATS_TEST_TMPDIR/class" "$subs"
	assert_success
	assert_line --regexp "^bomb$(csv_cols),0,archive refused: (more than 20 MB in all|more than 500 files)\$"
	assert_line --regexp "^alice\.zip$(csv_scores 1)"
	assert_line --regexp "^alice\.tar\.gz$(csv_scores 1)"
	[ -f "$BATS_TEST_TMPDIR/class/alice.zip/results.json" ]
	[ -f "$BATS_TEST_TMPDIR/class/alice.tar.gz/results.json" ]
	nothing_left
}
