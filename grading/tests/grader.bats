#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The grader is honest: the reference solutions score full marks, each broken
# variant (grading/tests/variants/*.patch) loses exactly the tests it declares, bad
# submissions are graded without stopping the run, and no run leaves a mess.

load kit

GRADE=$KIT/grading/grade

# Each test's grading runs carry a prefix of their own, so that tests of
# other files running beside them are none of their business.
setup() {
	export VPNLAB_GRADE_PREFIX="vg$BATS_SUITE_TEST_NUMBER-$$-"
	MINE="^$VPNLAB_GRADE_PREFIX|vpnlab-grade\.$VPNLAB_GRADE_PREFIX"
	before=$(leftovers "$MINE")
	OUTPUTS=() HOGS=()
}
teardown() {
	((${#HOGS[@]})) && kill "${HOGS[@]}" 2>/dev/null
	((${#OUTPUTS[@]})) && rm -rf "${OUTPUTS[@]}"
	true
}

# run_variant NAME STEP: grade the kit with one patch applied; sets $out.
run_variant() {
	local sub=$BATS_TEST_TMPDIR/sub-$1
	make_submission "$sub"
	patch -s -d "$sub" -p1 <"$KIT/grading/tests/variants/$1.patch"
	out=$BATS_TEST_TMPDIR/out-$1
	run "$GRADE" -s "$2" -o "$out" "$sub"
}

# variant_loses VARIANT: the tests its patch declares it loses ("# loses:
# NAME" lines: a part of each name), one per line.
variant_loses() { sed -n 's/^# loses: //p' "$KIT/grading/tests/variants/$1.patch"; }

# The failed tests of a run must be exactly those the variant declares.
assert_loses_exactly() {
	local variant=$1 expected failed e

	expected=$(variant_loses "$variant" | sort)
	failed=$(jq -r '.tests[] | select(.status == "failed") | select(.name | startswith("report:") | not) | .name' "$out/results.json" | sort)
	[ "$(wc -l <<<"$expected")" -eq "$(grep -c . <<<"$failed")" ] ||
		fail "$variant: expected to lose"$'\n'"$expected"$'\n'"but lost"$'\n'"$failed"
	while IFS= read -r e; do
		grep -qF -- "$e" <<<"$failed" || fail "$variant: '$e' did not fail; lost: $failed"
	done <<<"$expected"
}

# variant_lost VARIANT STEP: the points (grading/spec's) of the tests of
# STEP that VARIANT's patch says it loses.  variant_score VARIANT STEP: the
# score line a grade of STEP gives it.
variant_lost() {
	"$KIT/grading/spec" "$KIT/grading/step$2.bats" |
		awk -F'\t' 'NR == FNR { lose[$0]; next }
			{ for (e in lose) if (index($4, e)) { t += $2; break } }
			END { print t + 0 }' \
			<(variant_loses "$1") -
}

variant_score() { score "$2" "-$(variant_lost "$1" "$2")"; }

# No namespace or work tree of a grading run is left that was not there
# before the test.
no_namespace_left() {
	run leftovers "$MINE"
	assert_output "$before"
}

@test "grader: the reference solutions score full marks under sanitizers, with results.json, JUnit and evidence" {
	out=$BATS_TEST_TMPDIR/out
	GRADE_SAN=1 run "$GRADE" -o "$out"
	assert_success
	assert_line "$(score all)"
	assert_line "$(step_score 0)"
	assert_line "$(step_score 4)"
	# Gradescope's documented fields, and their types.
	# (Every field is checked against the spec by zz-results-schema.bats.)
	# Each test's number, "STEP.N", in the spec's order.
	local numbers
	numbers=$("$KIT/grading/spec" "$KIT"/grading/step[0-9]*.bats |
		awk -F'\t' '{ printf "%s\"%s.%d\"", (NR > 1 ? "," : ""), $1, ++n[$1] }')
	run jq -e --argjson full "$(total)" --argjson numbers "[$numbers]" \
		'(.score == $full) and (has("max_score") | not) and (.execution_time | type == "number")
		and .output_format == "text" and .stdout_visibility == "visible"
		and (.tests | length == ($numbers | length))
		and all(.tests[]; (.name | type == "string") and (.score | type == "number")
			and (.max_score | type == "number") and .status == "passed"
			and (.visibility == "visible") and (.output | type == "string")
			and .output_format == "text" and (.tags == [.name | capture("^(?<s>step [0-9]+):").s]))
		and ([.tests[].number] == $numbers)
		and ([.tests[].max_score] | add == $full)' "$out/results.json"
	assert_success
	run grep -c '<testcase ' "$out/junit.xml"
	assert_output "$(jq -n --argjson numbers "[$numbers]" '$numbers | length')"
	# Evidence: the capture of the packet delivered on userv in Step 3.
	run tcpdump -nr "$(ls "$out"/evidence/*step-3-ping-userv*/userv-lab1.pcap)"
	assert_output --partial '10.1.3.1 > 10.1.1.2: ICMP echo request'
	ls "$out"/evidence/*step-4-tun-client-pings-from-useru*/client.log
	no_namespace_left
}

@test "grader: a tun_ping driven by SIGIO, in pause() between packets, is no placeholder: it earns every tun_ping point" {
	local sub=$BATS_TEST_TMPDIR/sub
	mkdir -p "$sub/step1-tun"
	cp "$KIT/grading/tests/shapes/sigio-tun_ping.c" "$sub/step1-tun/tun_ping.c"
	run "$GRADE" -s 1 -o "$BATS_TEST_TMPDIR/out" "$sub"
	assert_line "$(score 1 "-$(points_of 1 tun)")"	# (tun was not submitted)
	refute_line --regexp '^FAIL .*tun_ping'
}

@test "grader: a capture that missed the probe fails no program whose own calls carried it and whose pings came back" {
	local ev=$BATS_TEST_TMPDIR/ev
	VPNLAB_KEEP_TRACES=1 run "$GRADE" -s 4 -o "$BATS_TEST_TMPDIR/out" "$KIT/grading/tests/corpus/sysip"
	assert_line "$(score 4)"
	# The first test's evidence, as if server lan0's capture had dropped
	# every packet (as one did on a busy machine).
	cp -r "$BATS_TEST_TMPDIR"/out/evidence/01-* "$ev"
	grep -v '"at": *"server:lan0"' "$BATS_TEST_TMPDIR"/out/evidence/01-*/cap.log >"$ev/cap.log"
	run "$KIT/grading/diagnose" "$ev"
	assert_output PASS
	# The same, and no datagram sent in the client's own calls: the
	# capture's word stands.
	grep -v ' sendto(' "$BATS_TEST_TMPDIR"/out/evidence/01-*/client.trace >"$ev/client.trace"
	run "$KIT/grading/diagnose" "$ev"
	assert_line --index 0 FAIL
}

# diagnose's reading of the grader's own ping (ping_problem): a request
# counts as lost only when ping sent it and a later one came back, or none
# did; a ping starved of CPU that sent fewer than it was asked asks no
# more of the program than it sent.
@test "grader: a ping's requests are lost only if ping sent them: a starved ping asks less, a gap or a bad reply fails" {
	run python3 - "$KIT/grading/diagnose" <<'EOF'
import sys
ns = {"__name__": "diagnose", "__file__": sys.argv[1]}
exec(compile(open(sys.argv[1]).read(), sys.argv[1], "exec"), ns)
def out(sent, seqs, asked, extra=""):
    lines = ["64 bytes from 10.1.3.4: icmp_seq=%d ttl=64 time=0.1 ms%s" % (q, extra) for q in seqs]
    lines.append("%d packets transmitted, %d received, 0%% packet loss" % (sent, len(seqs)))
    return "\n".join(lines) + "\n# replies asked for: %d\n" % asked
cases = [
    ("all answered", out(3, [1, 2, 3], 3)),
    ("starved: 2 of 3 sent, both answered", out(2, [1, 2], 3)),
    ("one sent more, not waited for", out(4, [1, 2, 3], 3)),
    ("a gap", out(3, [1, 3], 3)),
    ("the last unanswered", out(3, [1, 2], 3)),
    ("starved and unanswered", out(2, [1], 3)),
    ("none sent", out(0, [], 3)),
    ("a duplicate", out(3, [1, 2, 3], 3, " (DUP!)")),
    ("no summary", "ping: connect: Network is unreachable\n# replies asked for: 3\n"),
]
for name, text in cases:
    print("%s: %s" % (name, ns["ping_problem"](text)))
EOF
	assert_success
	assert_output - <<'EOF'
all answered: None
starved: 2 of 3 sent, both answered: None
one sent more, not waited for: None
a gap: 3 packets transmitted, 2 received
the last unanswered: 3 packets transmitted, 2 received
starved and unanswered: 2 packets transmitted, 1 received
none sent: 0 packets transmitted, 0 received
a duplicate: DUP!
no summary: no summary
EOF
}

@test "grader: a tun_ping with a wrong ICMP checksum loses exactly its tests" {
	run_variant step1-bad-checksum 1
	assert_line "$(variant_score step1-bad-checksum 1)"
	assert_loses_exactly step1-bad-checksum
	# What a student reads first: the checksum seen, and the right one.
	assert_output --regexp "seen: +the reply's ICMP checksum is 0x[0-9a-f]{4}, correct is 0x[0-9a-f]{4}"
}

@test "grader: a client that sends to the wrong port, and a server that does not look inside, lose exactly theirs" {
	run_variant step2-wrong-port 2
	assert_line "$(variant_score step2-wrong-port 2)"
	assert_loses_exactly step2-wrong-port
	assert_output --regexp "seen: +datagrams to $SERVER_RE:9091"
	run_variant step2-server-blind 2
	assert_line "$(variant_score step2-server-blind 2)"
	assert_loses_exactly step2-server-blind
}

@test "grader: a server that does not write to its TUN scores nothing in step 3" {
	run_variant step3-no-tun-write 3
	assert_line "$(variant_score step3-no-tun-write 3)"
	assert_loses_exactly step3-no-tun-write
	assert_output --partial "nothing was written into server tun0"
}

@test "grader: a step 4 that routes around the tunnel loses every test, a one-way server all of its own" {
	run_variant step4-around-tunnel 4
	assert_line "$(variant_score step4-around-tunnel 4)"
	assert_loses_exactly step4-around-tunnel
	assert_output --partial 'likely:   the packet went around the tunnel'
	run_variant step4-one-way 4
	assert_line "$(variant_score step4-one-way 4)"
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
	assert_line "$(score 1 0)"
	assert_output --partial 'step1-tun/tun does not compile'
	# The compiler's lines, quoted once.
	assert_output --partial $'step1-tun/tun is missing:\n          | step1-tun/tun does not compile:\n          | tun.c:1:'
	(($(grep -c '| step1-tun/tun does not compile:' <<<"$output") == $(tests_of_prog 1 tun))) ||
		fail "the compiler's lines are not quoted once in each of tun's tests: $output"
	assert_output --partial 'the program did not create the interface'
	run "$GRADE" -s 3 -o "$out" "$sub"
	assert_line "$(score 3 0)"
	assert_output --partial 'step3-server/tun_server.c was not submitted'
	run "$GRADE" -s 2 -o "$out" "$sub"
	assert_line "$(score 2)"
	no_namespace_left
}

# failures_of RESULTS...: the failed tests' names and outputs, for a
# failure message (at most 6000 bytes).
failures_of() {
	jq -r '.tests[] | select(.status == "failed") | .name, .output' "$@" | head -c 6000
}

# verdicts DIR: every test's status and its "likely:" line, per student.
verdicts() {
	local f
	for f in "$1"/*/results.json; do
		jq -r --arg who "${f%/results.json}" '.tests[] |
			"\($who | split("/") | last) \(.status) \(.name) \(.output | split("\n") | map(select(startswith("likely:"))) | first // "")"' "$f"
	done
}

@test "grader: grade-all grades a folder into one CSV, and -j 2 gives the same verdicts as one at a time" {
	local subs=$BATS_TEST_TMPDIR/subs
	make_submission "$subs/alice"
	make_submission "$subs/bob"
	patch -s -d "$subs/bob" -p1 <"$KIT/grading/tests/variants/step1-bad-checksum.patch"
	make_submission "$subs/carol"
	cp "$KIT/grading/tests/mistakes/no-pi-step1/step1-tun/tun_ping.c" "$subs/carol/step1-tun/"
	run "$KIT/grading/grade-all" -s 1 -o "$BATS_TEST_TMPDIR/serial" "$subs"
	assert_success
	assert_line "student,$(step_list),total,note"
	assert_line "alice$(csv_scores 1)"
	assert_line "bob$(csv_scores "1:$(($(total 1) - $(variant_lost step1-bad-checksum 1)))")"
	assert_line "carol$(csv_scores "1:$(points_of 1 tun)")"	# (tun's tests: its tun_ping is a mistake)
	[ -f "$BATS_TEST_TMPDIR/serial/grades.csv" ]
	[ -f "$BATS_TEST_TMPDIR/serial/bob/results.json" ]
	run "$KIT/grading/grade-all" -j 2 -s 1 -o "$BATS_TEST_TMPDIR/parallel" "$subs"
	assert_success
	diff <(verdicts "$BATS_TEST_TMPDIR/serial") <(verdicts "$BATS_TEST_TMPDIR/parallel") ||
		fail "-j 2 and one at a time disagree; the failures of -j 2:"$'\n'"$(failures_of "$BATS_TEST_TMPDIR"/parallel/*/results.json)"
	cmp "$BATS_TEST_TMPDIR/serial/grades.csv" "$BATS_TEST_TMPDIR/parallel/grades.csv"
}

@test "grader: two runs at once with default options both finish, each with its own complete output" {
	VPNLAB_GRADE_PREFIX=${VPNLAB_GRADE_PREFIX}a- "$GRADE" -s 1 >"$BATS_TEST_TMPDIR/a.txt" 2>&1 &
	local a=$!
	VPNLAB_GRADE_PREFIX=${VPNLAB_GRADE_PREFIX}b- "$GRADE" -s 4 >"$BATS_TEST_TMPDIR/b.txt" 2>&1 &
	local b=$!
	wait "$a"
	wait "$b"
	local dir_a dir_b
	dir_a=$(sed -n 's/^(evidence, results.json, junit.xml and report.html in \(.*\))$/\1/p' "$BATS_TEST_TMPDIR/a.txt")
	dir_b=$(sed -n 's/^(evidence, results.json, junit.xml and report.html in \(.*\))$/\1/p' "$BATS_TEST_TMPDIR/b.txt")
	OUTPUTS=("$dir_a" "$dir_b")	# removed by teardown
	[ -n "$dir_a" ]
	[ -n "$dir_b" ]
	[ "$dir_a" != "$dir_b" ]
	run cat "$BATS_TEST_TMPDIR/a.txt"
	assert_line "$(score 1)"
	run cat "$BATS_TEST_TMPDIR/b.txt"
	assert_line "$(score 4)"
	run jq -r '"\(.score)/\(.tests | length)"' "$dir_a/results.json"
	assert_output "$(total 1)/$(tests_of 1)"
	run jq -r '"\(.score)/\(.tests | length)"' "$dir_b/results.json"
	assert_output "$(total 4)/$(tests_of 4)"
	[ "$(ls -d "$dir_b"/evidence/*/ | wc -l)" -eq "$(tests_of 4)" ]
	no_namespace_left
}

@test "grader: -o on a folder it did not make, with a file in it, refuses and deletes nothing" {
	local dir=$BATS_TEST_TMPDIR/thesis
	mkdir -p "$dir/chapters"
	echo 'years of work' >"$dir/chapters/1.tex"
	run "$GRADE" -s 0 -o "$dir"
	assert_failure 2
	assert_output --partial 'that folder is not empty and the grader did not make it'
	run cat "$dir/chapters/1.tex"
	assert_output 'years of work'
	# A folder the grader made is its own to fill again.
	run "$GRADE" -s 0 -o "$BATS_TEST_TMPDIR/mine"
	assert_success
	run "$GRADE" -s 0 -o "$BATS_TEST_TMPDIR/mine"
	assert_success
	assert_line "$(score 0)"
}

@test "grader: a program that is a link to a file outside the submission is refused, and none of its bytes show" {
	local sub=$BATS_TEST_TMPDIR/sub secret=$BATS_TEST_TMPDIR/instructor-secret.c
	make_submission "$sub"
	printf 'int main(void) { return 0; } /* SECRET-4f1d-do-not-show */\n' >"$secret"
	ln -sf "$secret" "$sub/step1-tun/tun.c"
	out=$BATS_TEST_TMPDIR/out
	run "$GRADE" -s 1 -o "$out" "$sub"
	assert_line "$(score 1 "-$(points_of 1 tun)")"
	assert_output --partial 'step1-tun/tun.c is not a plain file (a link?): refused, not read'
	refute_output --partial 'SECRET-4f1d'
	run grep -r 'SECRET-4f1d' "$out"
	assert_failure
}

@test "grader: a submission's common/ and build files are never used: an empty one scores Step 0 only" {
	local sub=$BATS_TEST_TMPDIR/sub
	mkdir -p "$sub/common" "$sub/step1-tun" "$sub/grading"
	# Build rules that would rewrite the grader's tests to pass.
	cat >"$sub/common/Makefile" <<-'EOF'
	.RECIPEPREFIX = >
	all clean libvpnlab.a:
	> for f in $(CURDIR)/../grading/step*.bats; do sed -i 's/^\(@test.*{\)$$/\1 return 0/' $$f; done
	EOF
	cp "$sub/common/Makefile" "$sub/common/build.mk"
	cp "$sub/common/Makefile" "$sub/step1-tun/Makefile"
	printf '#!/bin/sh\nexit 0\n' >"$sub/grading/grade"
	out=$BATS_TEST_TMPDIR/out
	run "$GRADE" -o "$out" "$sub"
	assert_line "$(score all "$(total 0)")"
	no_namespace_left
}

# The independent student-style submissions of grading/tests/corpus, each
# written from the handout alone (system("ip ..."), ioctl, poll(), printf
# without flushing, slow start-up, tun%d, silence): each scores full marks.
@test "grader: every submission of the corpus scores full marks" {
	local c
	for c in "$KIT"/grading/tests/corpus/*/; do
		out=$BATS_FILE_TMPDIR/corpus-$(basename "$c")	# (the next test's first run)
		run "$GRADE" -o "$out" "$c"
		[[ $output == *"$(full_marks "$c")"* ]] ||
			fail "$(basename "$c") scored $(grep '^Score' <<<"$output"):"$'\n'"$(failures_of "$out/results.json")"
	done
	no_namespace_left
}

# Same submission, same verdict: run 1 as the corpus test graded it (or
# graded here, if that test did not run), run 2 with both cores kept busy
# (beside the other test file that runs at the same time); a test whose
# verdict flips is named, with what it saw.
@test "grader: the same correct submission gets the same score every run, on a busy machine too" {
	local sub=$KIT/grading/tests/corpus/slow-start first verdicts
	out=$BATS_FILE_TMPDIR/corpus-slow-start
	if [[ ! -f $out/results.json ]]; then
		run "$GRADE" -o "$out" "$sub"
		assert_line "$(full_marks "$sub")"
	fi
	first=$(jq -r '.tests[] | "\(.status) \(.name)"' "$out/results.json")
	for _ in 1 2; do (while :; do :; done) & HOGS+=($!); done
	out=$BATS_TEST_TMPDIR/out-busy
	run "$GRADE" -o "$out" "$sub"
	kill "${HOGS[@]}" && HOGS=()
	verdicts=$(jq -r '.tests[] | "\(.status) \(.name)"' "$out/results.json")
	[[ $verdicts == "$first" ]] ||
		fail "the busy run differs from the first:"$'\n'"$(diff <(echo "$first") <(echo "$verdicts"))"$'\n'"$(failures_of "$out/results.json")"
	assert_line "$(full_marks "$sub")"
	no_namespace_left
}

@test "grader: Ctrl-C in the middle of a run leaves no namespace, process or work tree" {
	# As from a terminal: a background job of a script has SIGINT ignored,
	# which bash could not trap; a foreground command's is at its default.
	setsid env --default-signal=INT "$GRADE" -s 4 -o "$BATS_TEST_TMPDIR/out" >"$BATS_TEST_TMPDIR/int.txt" 2>&1 &
	local pid=$!
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -n $(leftovers "^$VPNLAB_GRADE_PREFIX") ]] && break
		sleep 0.1
	done
	sleep 1
	kill -INT -- "-$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ] || fail "grade exited with $rc, not 130: $(tail -3 "$BATS_TEST_TMPDIR/int.txt")"
	run leftovers "$MINE"
	assert_output ""
	run pgrep -f "vpnlab-grade.$VPNLAB_GRADE_PREFIX"
	assert_failure
	no_namespace_left
}

# A capture that breaks (its interface vanishes) is an error, exit 2, in
# every mode: never "OK: no such packet", never a pass.
@test "grader: pcapcheck whose capture fails exits with an error in every mode" {
	local ns=${RUN_PREFIX}pc$BATS_TEST_NUMBER mode pid rc
	ip netns add "$ns"
	for mode in "" "-n" "-k -c 3" "-u 9090 -o"; do
		ip -n "$ns" link add d0 type veth peer name d1
		ip -n "$ns" link set d0 up
		ip -n "$ns" link set d1 up
		ip netns exec "$ns" "$KIT/grading/pcapcheck" -i d0 -f 'udp port 7' $mode -t 10 \
			>"$BATS_TEST_TMPDIR/pc.log" 2>&1 &
		pid=$!
		for _ in $(seq 50); do
			grep -q '^capturing on' "$BATS_TEST_TMPDIR/pc.log" && break
			sleep 0.1
		done
		ip -n "$ns" link del d0
		rc=0
		wait "$pid" || rc=$?
		[ "$rc" -eq 2 ] || { ip netns del "$ns"; fail "mode '$mode': exit $rc: $(cat "$BATS_TEST_TMPDIR/pc.log")"; }
		grep -q '^ERROR: capture on d0 failed' "$BATS_TEST_TMPDIR/pc.log"
	done
	ip netns del "$ns"
}
