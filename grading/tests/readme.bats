#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# What the students' pages say, checked against the lab: each claim that
# was once wrong has a test here that runs what the page describes and
# compares it with what the page says.

load kit

setup() {
	DIST=$BATS_TEST_TMPDIR/dist
	HANDOUT=$DIST/vpnlab-handout
	"$KIT/grading/handout" "$DIST" >/dev/null
}

teardown() {
	[[ -n ${PREFIX-} ]] && lab_stop
	true
}

# variant_program STEP PROG PATCH: the kit's STEP folder with one of the
# grader's broken variants applied, and PROG built in it.
variant_program() {
	local dir=$BATS_TEST_TMPDIR/$1
	cp -r "$KIT/$1" "$dir"
	make -s -C "$dir" clean >/dev/null
	patch -s -d "$BATS_TEST_TMPDIR" -p1 <"$KIT/grading/tests/variants/$3.patch"
	make -s -C "$dir" COMMON="$KIT/common" "$2" >/dev/null
	echo "$dir/$2"
}

@test "readme: Step 1 says a wrong ICMP checksum still gets a reply counted by ping, as root, and the grader sees it" {
	local prog
	grep -q 'counts the reply as if it' "$HANDOUT/step1-tun/README.md"
	grep -q 'The grader checks both' "$HANDOUT/step1-tun/README.md"
	prog=$(variant_program step1-tun tun_ping step1-bad-checksum)
	lab_start
	start useru tun_ping "$prog"
	wait_for tun_ping 'Interface name: tun0'
	run on useru ping -c2 -i0.3 -W2 10.1.3.4
	assert_output --partial '2 packets transmitted, 2 received'
	# And the grader does not take it: its checksum test fails.
	mkdir -p "$BATS_TEST_TMPDIR/sub/step1-tun"
	cp "$BATS_TEST_TMPDIR/step1-tun/"*.c "$BATS_TEST_TMPDIR/sub/step1-tun/"
	run "$KIT/grading/grade" -s 1 -o "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/sub"
	assert_line "$(score 1 -4)"
}

@test "readme: Step 2 shows the lines its template prints, and names the one only the reference adds" {
	local text
	text=$(tr '\n' ' ' <"$HANDOUT/step2-udp/README.md")
	[[ $text == *'prints `INFO: Interface name: tun0`'* ]]
	[[ $text == *"the reference adds \`INFO: tunnelling to $TOPO_SERVER_ADDR:$TOPO_PORT\`"* ]]
	make -s -C "$HANDOUT" >/dev/null
	lab_start
	start useru template "$HANDOUT/step2-udp/tun_client"
	wait_for template 'Interface name: tun0'
	start useru reference "$KIT/step2-udp/tun_client" -i tun7
	wait_for reference "tunnelling to $SERVER_RE:$TOPO_PORT"
	sleep 0.5
	run grep -c 'tunnelling to' "$OUT/template.log"
	assert_output 0
}

@test "readme: the students' Step 4 page has no benchmarks or fast-path internals; the instructors' page has them" {
	[ ! -e "$HANDOUT/step4-bidir/PERFORMANCE.md" ]
	run grep -cE 'Mbit/s|Gbit/s|GSO|GRO|sockperf|What paid' "$HANDOUT/step4-bidir/README.md"
	assert_output 0
	grep -q 'make bench' "$HANDOUT/step4-bidir/README.md"
	grep -qE 'Gbit/s' "$KIT/step4-bidir/PERFORMANCE.md"
	grep -q 'The fast path' "$KIT/step4-bidir/PERFORMANCE.md"
}

@test "readme: Step 4's server template says what the step asks and what it does not" {
	run sed -n '1,/\*\//p' "$HANDOUT/step4-bidir/tun_server.c"
	assert_output --partial 'What the step asks: the client to send to is the one whose datagram'
	assert_output --partial 'which the step does not ask'
}

@test "readme: REPORT.md's introduction does not hold its placeholder, and a student's own tree grades its own report and archive" {
	local placeholder n
	placeholder=$(grep -m1 '^_.*_$' "$HANDOUT/REPORT.md")
	n=$(grep -cF -- "$placeholder" "$HANDOUT/REPORT.md")
	[ "$n" -eq "$(grep -c '^### Q' "$HANDOUT/REPORT.md")" ]	# once per question, nowhere else
	# A student answers every question by find-and-replace, finishes
	# Step 1, and grades their tree and their archive from it.
	sed -i "s/^${placeholder//\//\\/}\$/I watched this in the lab and wrote down what happened here./" "$HANDOUT/REPORT.md"
	cp "$KIT"/step1-tun/*.c "$HANDOUT/step1-tun/"
	run make -s -C "$HANDOUT" grade STEP=1
	assert_line --partial "== building your programs (this tree: $HANDOUT)"
	refute_output --partial "kit's reference programs"
	assert_line 'Report, step 1: Q1.1 Q1.2 Q1.3 '
	run make -s -C "$HANDOUT" submit NAME=ana
	assert_success
	run make -s -C "$HANDOUT" grade STEP=1 SUBMISSION="$HANDOUT/ana-vpnlab.tar.gz"
	assert_line "$(score 1)"
	assert_line 'Report, step 1: Q1.1 Q1.2 Q1.3 '
}
