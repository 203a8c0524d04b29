#!/usr/bin/env bats
# The grader is honest: the reference solutions score 100/100, each broken
# variant (grading/variants/*.patch) loses exactly the tests it declares, bad
# submissions are graded without stopping the run, and no run leaves a mess.

load ../lib

GRADE=$KIT/grading/grade

setup() { before=$(leftovers '^vg|vpnlab-grade'); }

# A submission folder: the kit's step directories, as a student hands in.
make_submission() {
	local dir=$1 step

	mkdir -p "$dir"
	for step in step1-tun step2-udp step3-server step4-bidir; do
		mkdir -p "$dir/$step"
		cp "$KIT/$step"/*.c "$dir/$step/"
	done
}

# run_variant NAME STEP: grade the kit with one patch applied; sets $out.
run_variant() {
	local sub=$BATS_TEST_TMPDIR/sub-$1
	make_submission "$sub"
	patch -s -d "$sub" -p1 <"$KIT/grading/variants/$1.patch"
	out=$BATS_TEST_TMPDIR/out-$1
	run "$GRADE" -s "$2" -o "$out" "$sub"
}

# The failed tests of a run must be exactly those the variant declares.
assert_loses_exactly() {
	local variant=$1 expected failed e

	expected=$(sed -n 's/^# loses: //p' "$KIT/grading/variants/$variant.patch" | sort)
	failed=$(jq -r '.tests[] | select(.status == "failed") | .name' "$out/results.json" | sort)
	[ "$(wc -l <<<"$expected")" -eq "$(grep -c . <<<"$failed")" ] ||
		fail "$variant: expected to lose"$'\n'"$expected"$'\n'"but lost"$'\n'"$failed"
	while IFS= read -r e; do
		grep -qF -- "$e" <<<"$failed" || fail "$variant: '$e' did not fail; lost: $failed"
	done <<<"$expected"
}

# No namespace or work tree of a grading run is left that was not there
# before the test.
no_namespace_left() {
	run leftovers '^vg|vpnlab-grade'
	assert_output "$before"
}

@test "grader: the reference solutions score 100/100 under sanitizers, with results.json, JUnit and evidence" {
	out=$BATS_TEST_TMPDIR/out
	GRADE_SAN=1 run "$GRADE" -o "$out"
	assert_success
	assert_line 'Score: 100/100'
	assert_line 'Step 0: 10/10'
	assert_line 'Step 4: 30/30'
	# Gradescope's documented fields, and their types.
	run jq -e '(.score == 100) and (.max_score == 100) and (.execution_time | type == "number")
		and (.tests | length == 16)
		and all(.tests[]; (.name | type == "string") and (.score | type == "number")
			and (.max_score | type == "number") and .status == "passed"
			and (.visibility == "visible") and (.output | type == "string"))
		and ([.tests[].max_score] | add == 100)' "$out/results.json"
	assert_success
	run grep -c '<testcase ' "$out/junit.xml"
	assert_output 16
	# Evidence: the capture of the packet delivered on userv in Step 3.
	run tcpdump -nr "$(ls "$out"/evidence/*step-3-ping-userv*/delivered.pcap)"
	assert_output --partial '10.1.3.1 > 10.1.1.2: ICMP echo request'
	ls "$out"/evidence/*step-4-ping-from-useru-to-userv*/client.log
	no_namespace_left
}

@test "grader: a tun_ping with a wrong ICMP checksum loses exactly its tests" {
	run_variant step1-bad-checksum 1
	assert_line 'Score: 15/20'
	assert_loses_exactly step1-bad-checksum
	assert_output --regexp 'wrong ICMP checksum'
}

@test "grader: a client that sends to the wrong port, and a server that does not look inside, lose exactly theirs" {
	run_variant step2-wrong-port 2
	assert_line 'Score: 6/20'
	assert_loses_exactly step2-wrong-port
	run_variant step2-server-blind 2
	assert_line 'Score: 14/20'
	assert_loses_exactly step2-server-blind
}

@test "grader: a server that does not write to its TUN scores nothing in step 3" {
	run_variant step3-no-tun-write 3
	assert_line 'Score: 0/20'
	assert_loses_exactly step3-no-tun-write
}

@test "grader: a step 4 that routes around the tunnel loses the tunnel test, a one-way server loses all" {
	run_variant step4-around-tunnel 4
	assert_line 'Score: 23/30'
	assert_loses_exactly step4-around-tunnel
	assert_output --partial 'expected no such packet on lan0'
	run_variant step4-one-way 4
	assert_line 'Score: 0/30'
	assert_loses_exactly step4-one-way
}

@test "grader: a program that does not compile, or never makes its interface, fails with the reason; the rest is graded" {
	local sub=$BATS_TEST_TMPDIR/sub
	make_submission "$sub"
	echo 'int main(void) { this is not C; }' >"$sub/step1-tun/tun.c"
	printf '#include <unistd.h>\nint main(void) { for (;;) pause(); }\n' >"$sub/step1-tun/tun_ping.c"
	rm -r "$sub/step3-server"
	out=$BATS_TEST_TMPDIR/out
	run "$GRADE" -s 1 -o "$out" "$sub"
	assert_line 'Score: 0/20'
	assert_output --partial 'step1-tun/tun does not compile'
	assert_output --partial 'waited 5s for tun0 on useru (the program did not create it)'
	run "$GRADE" -s 3 -o "$out" "$sub"
	assert_line 'Score: 0/20'
	assert_output --partial 'step3-server/tun_server.c was not submitted'
	run "$GRADE" -s 2 -o "$out" "$sub"
	assert_line 'Score: 20/20'
	no_namespace_left
}

@test "grader: grade-all grades a folder of submissions into one CSV" {
	local subs=$BATS_TEST_TMPDIR/subs
	make_submission "$subs/alice"
	make_submission "$subs/bob"
	patch -s -d "$subs/bob" -p1 <"$KIT/grading/variants/step1-bad-checksum.patch"
	run "$KIT/grading/grade-all" -s 1 -o "$BATS_TEST_TMPDIR/out" "$subs"
	assert_success
	assert_line 'student,step0,step1,step2,step3,step4,total'
	assert_line 'alice,,20,,,,20'
	assert_line 'bob,,15,,,,15'
	[ -f "$BATS_TEST_TMPDIR/out/grades.csv" ]
	[ -f "$BATS_TEST_TMPDIR/out/bob/results.json" ]
}

@test "grader: two runs at once do not disturb each other" {
	"$GRADE" -s 1 -o "$BATS_TEST_TMPDIR/a" >"$BATS_TEST_TMPDIR/a.txt" 2>&1 &
	local a=$!
	"$GRADE" -s 4 -o "$BATS_TEST_TMPDIR/b" >"$BATS_TEST_TMPDIR/b.txt" 2>&1 &
	local b=$!
	wait "$a"
	wait "$b"
	run cat "$BATS_TEST_TMPDIR/a.txt"
	assert_line 'Score: 20/20'
	run cat "$BATS_TEST_TMPDIR/b.txt"
	assert_line 'Score: 30/30'
	no_namespace_left
}

@test "grader: Ctrl-C in the middle of a run leaves no namespace, process or work tree" {
	# As from a terminal: a background job of a script has SIGINT ignored,
	# which bash could not trap; a foreground command's is at its default.
	setsid env --default-signal=INT "$GRADE" -s 4 -o "$BATS_TEST_TMPDIR/out" >"$BATS_TEST_TMPDIR/int.txt" 2>&1 &
	local pid=$!
	local i
	for ((i = 0; i < 100; i++)); do
		ip netns list | grep -q "^vg$pid-" && break
		sleep 0.1
	done
	sleep 1
	kill -INT -- "-$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ] || fail "grade exited with $rc, not 130: $(tail -3 "$BATS_TEST_TMPDIR/int.txt")"
	run bash -c "ip netns list | grep -c '^vg$pid-'"
	assert_output 0
	run pgrep -f "vg$pid-"
	assert_failure
	no_namespace_left
}
