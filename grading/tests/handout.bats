#!/usr/bin/env bats
# make handout: the students' copy.  No reference code in it; templates that
# build without warnings and run; a grade of 0 for steps 1-4 until the
# student writes the code, and full points once the step is done.

load ../lib

setup() {
	DIST=$BATS_TEST_TMPDIR/dist
	HANDOUT=$DIST/vpnlab-handout
	"$KIT/common/handout" "$DIST" >/dev/null
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
	sed 's/^[ \t]*//; s/[ \t]*$//' "$KIT"/common/*.[ch] "$KIT"/grading/*.c | sort -u >"$used_elsewhere"
	awk '
	/^[ \t]*\/\* SOLUTION:/ { comment = 1 }
	comment { if ($0 ~ /\*\//) { comment = 0; inside = 1 }; next }
	/^[ \t]*\/\* END SOLUTION \*\// { inside = 0; next }
	inside {
		line = $0; gsub(/^[ \t]+|[ \t]+$/, "", line)
		if (length(line) >= 14 && line !~ /^(\/\*|\*)/) print line
	}' "$KIT"/step[1-4]-*/*.c | sort -u | comm -23 - "$used_elsewhere"
}

@test "handout: the tree and its tarball, with no line of reference code in any file" {
	[ -f "$DIST/vpnlab-handout.tar.gz" ]
	run tar -tzf "$DIST/vpnlab-handout.tar.gz"
	assert_line 'vpnlab-handout/step4-bidir/tun_server.c'
	assert_line 'vpnlab-handout/grading/grade'
	refute_line --partial 'grading/variants'
	refute_line --partial 'grading/peers'
	refute_line --partial '.o'
	local lines found
	lines=$(solution_lines)
	[ "$(wc -l <<<"$lines")" -gt 40 ]	# the check has teeth
	# Every line of every file of the handout, trimmed, against them.
	found=$(find "$HANDOUT" -type f ! -name '*.tar.gz' -exec cat {} + |
		sed 's/^[ \t]*//; s/[ \t]*$//' | sort -u | comm -12 - <(echo "$lines"))
	[ -z "$found" ] || fail "reference code in the handout:"$'\n'"$found"
	run grep -rc 'TODO:' "$HANDOUT"/step1-tun/tun_ping.c
	assert_output 3
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
	wait_for client2 'tunnelling to'
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

@test "handout: make grade gives the step 0 points and nothing for steps 1-4" {
	run "$HANDOUT/grading/grade" -o "$BATS_TEST_TMPDIR/out"
	assert_line 'Step 0: 10/10'
	assert_line 'Step 1: 0/20'
	assert_line 'Step 2: 0/20'
	assert_line 'Step 3: 0/20'
	assert_line 'Step 4: 0/30'
	assert_line 'Score: 10/100'
}

@test "handout: a step done by the student goes from 0 to full points" {
	cp "$KIT"/step1-tun/*.c "$HANDOUT/step1-tun/"	# as a student would finish it
	run "$HANDOUT/grading/grade" -s 1 -o "$BATS_TEST_TMPDIR/out"
	assert_line 'Score: 20/20'
}

@test "handout: a step copied as the next one's template builds and runs" {
	cp -r "$HANDOUT/step1-tun" "$HANDOUT/my-step2"
	run make -C "$HANDOUT/my-step2"
	assert_success
	run "$HANDOUT/my-step2/tun" -h
	assert_success
	assert_output --regexp '^usage: tun '
}
