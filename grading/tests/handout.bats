#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# make handout: the students' copy.  No reference code in it; templates that
# build without warnings and run; a grade of 0 for the steps with code until
# the student writes the code, and full points once the step is done.

load kit

setup() {
	DIST=$BATS_TEST_TMPDIR/dist
	HANDOUT=$DIST/vpnlab-handout
	"$KIT/grading/handout" "$DIST" >/dev/null
}

teardown() {
	if [[ -n ${PREFIX-} ]]; then
		lab_stop
	fi
}

# The code lines found only in solution regions, trimmed: not comments, not
# lines too common to mean anything ("}", "return;"), not calls that the
# library or the grader make too (they are the API, not the answer).
solution_lines() {
	local used_elsewhere=$BATS_TEST_TMPDIR/elsewhere
	{
		sed 's/^[ \t]*//; s/[ \t]*$//' "$KIT"/common/*.[ch] "$KIT"/common/*/*.[ch] "$KIT"/grading/*.c
		# Given code of any program: a later step's template may give
		# what an earlier step asked for (Step 4's socket, say).
		awk '
		/^[ \t]*\/\* SOLUTION:/ { skip = 1 }
		!skip { line = $0; gsub(/^[ \t]+|[ \t]+$/, "", line); print line }
		/^[ \t]*\/\* END SOLUTION \*\// { skip = 0 }' "$KIT"/step[0-9]*-*/*.c
	} | sort -u >"$used_elsewhere"
	awk '
	/^[ \t]*\/\* SOLUTION:/ { comment = 1 }
	comment { if ($0 ~ /\*\//) { comment = 0; inside = 1 }; next }
	/^[ \t]*\/\* END SOLUTION \*\// { inside = 0; next }
	inside {
		line = $0; gsub(/^[ \t]+|[ \t]+$/, "", line)
		if (length(line) >= 14 && line !~ /^(\/\*|\*)/) print line
	}' "$KIT"/step[0-9]*-*/*.c | sort -u | comm -23 - "$used_elsewhere"
}

@test "handout: the tree and its tarball, with no line of reference code in any file" {
	[ -f "$DIST/vpnlab-handout.tar.gz" ]
	run tar -tzf "$DIST/vpnlab-handout.tar.gz"
	assert_line 'vpnlab-handout/step4-bidir/tun_server.c'
	assert_line 'vpnlab-handout/grading/grade'
	refute_line --partial 'grading/tests/variants'
	refute_line --partial 'grading/tests/peers'
	refute_line --partial 'py_tunnel'
	refute_line --partial '.o'
	local lines found
	lines=$(solution_lines)
	[ "$(wc -l <<<"$lines")" -gt 40 ]	# the check has teeth
	# Every line of every code file of the handout, trimmed, against them
	# (the READMEs teach with snippets; their answers sit in markers).
	found=$(find "$HANDOUT" -type f \( -name '*.c' -o -name '*.h' \) -exec cat {} + |
		sed 's/^[ \t]*//; s/[ \t]*$//' | sort -u | comm -12 - <(echo "$lines"))
	[ -z "$found" ] || fail "reference code in the handout:"$'\n'"$found"
	run grep -rc 'TODO:' "$HANDOUT"/step1-tun/tun_ping.c
	assert_output 2
	run grep -rl 'SOLUTION' --include='*.c' --include='*.h' "$HANDOUT"
	assert_failure
}

@test "handout: builds without warnings, and every template runs and exits cleanly" {
	run make -C "$HANDOUT" SAN=1 WERROR=1
	assert_success
	refute_output --partial 'warning:'
	lab_start
	local s=$HANDOUT
	start useru tun "$s/step1-tun/tun"
	wait_for tun 'Interface name: tun0'
	stop tun
	start useru tun_ping "$s/step1-tun/tun_ping"
	wait_for tun_ping 'Interface name: tun0'
	stop tun_ping
	start server udp_server "$s/step2-udp/tun_udp_server"
	wait_for udp_server 'listening on'
	stop udp_server
	start useru client2 "$s/step2-udp/tun_client"
	wait_for client2 'Interface name: tun0'
	stop client2
	start server server3 "$s/step3-server/tun_server"
	wait_for server3 'listening on'
	stop server3
	start server server4 "$s/step4-bidir/tun_server"
	wait_for server4 'listening on'
	start useru client4 "$s/step4-bidir/tun_client"
	wait_for client4 'tunnelling to'
	stop client4
	stop server4
}

@test "handout: make grade gives the step 0 points and nothing for the steps that take code" {
	local n
	run "$HANDOUT/grading/grade" -o "$BATS_TEST_TMPDIR/out"
	for n in "${STEP_NUMBERS[@]}"; do
		if [[ -n ${PROGRAMS[${STEP_DIR[$n]}]-} ]]; then
			assert_line "$(step_score "$n" 0)"
		else
			assert_line "$(step_score "$n")"
		fi
	done
	assert_line "$(score all "$(total 0)")"
}

# Each step finished alone, as a student would (the reference's files),
# with every other template untouched: that step's full points, whatever
# the others hold.  No step leans on another's programs.
@test "handout: each step finished alone scores that step's full points" {
	local dir n
	for n in "${STEP_NUMBERS[@]}"; do
		dir=${STEP_DIR[$n]}
		[[ -n ${PROGRAMS[$dir]-} ]] || continue	# (Step 0: nothing to finish)
		rm -rf "$HANDOUT" && "$KIT/grading/handout" "$DIST" >/dev/null
		cp "$KIT/$dir"/*.c "$HANDOUT/$dir/"
		run "$HANDOUT/grading/grade" -s "$n" -o "$BATS_TEST_TMPDIR/out-$n"
		[[ $output == *"$(score "$n")"* ]] ||
			fail "step $n alone: $(grep -E '^Score|^FAIL|expected:|seen:' <<<"$output")"
	done
}

# The lesson is the system calls: the reference makes them in the step
# file itself, and the template leaves them to the student.  Comments do
# not count (gcc -fpreprocessed strips them).  Each program's calls are
# its step's own fact, in its graded file: a line "# lesson: PROG.c: the
# calls the reference makes: those the template leaves to the student".
calls_in() { gcc -fpreprocessed -dD -E -P "$1" 2>/dev/null; }

@test "handout: the reference programs make their step's system calls; the templates leave them to the student" {
	local n dir prog line file calls left call
	for n in "${STEP_NUMBERS[@]}"; do
		dir=${STEP_DIR[$n]}
		for prog in ${PROGRAMS[$dir]-}; do
			line=$(grep -m1 "^# lesson: $prog\.c: " "$KIT/grading/step$n.bats") ||
				fail "grading/step$n.bats has no '# lesson: $prog.c: CALLS: CALLS LEFT TO THE STUDENT' line"
			IFS=: read -r _ file calls left <<<"$line"
			file=$dir/${file# }
			for call in $calls; do
				calls_in "$KIT/$file" | grep -qE "(^|[^A-Za-z0-9_])$call *\(" ||
					fail "the reference $file does not call $call() itself"
			done
			for call in $left; do
				! calls_in "$HANDOUT/$file" | grep -qE "(^|[^A-Za-z0-9_])$call *\(" ||
					fail "the template $file calls $call() already: that is the student's to write"
				grep -q "$call" "$HANDOUT/$file" ||
					fail "the template $file does not even name $call() in its TODO"
			done
		done
	done
}

@test "handout: a step copied as the next one's template builds and runs" {
	cp -r "$HANDOUT/step1-tun" "$HANDOUT/my-step2"
	run make -C "$HANDOUT/my-step2"
	assert_success
	run "$HANDOUT/my-step2/tun" -h
	assert_success
	assert_output --regexp '^usage: tun '
}

# The handout's grader, as students run it, meets code it was not written
# beside: an independent submission of the corpus scores full marks there too.
@test "handout: its grader gives an independent student submission full marks" {
	run "$HANDOUT/grading/grade" -o "$BATS_TEST_TMPDIR/out" "$KIT/grading/tests/corpus/ioctl-poll"
	assert_line "$(full_marks "$KIT/grading/tests/corpus/ioctl-poll")"
}
