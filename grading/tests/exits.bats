#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grade's and grade-all's exit codes, each documented in their usage and
# grading/README.md (Grading): 0 graded whatever the score, 1 below --fail-under, 2
# bad arguments, 3 a tool missing, 4 the kit broken, 5 a refused archive;
# and on each path that grades nothing, a results.json that says why.

load kit

GRADE=$KIT/grading/grade

setup() {
	export VPNLAB_GRADE_PREFIX="vge$BATS_SUITE_TEST_NUMBER-$$-"
}

# not_graded OUT TEXT: OUT/results.json of a run that graded nothing,
# its output saying TEXT.
not_graded() {
	run jq -r '"\(.score) \(.tests | length) \(has("max_score")) \(.output)"' "$1/results.json"
	assert_output "0 0 false Not graded: $2"
}

@test "exits: bad arguments exit 2 with one line naming cause and fix, and a results.json saying it in -o's folder" {
	local o=$BATS_TEST_TMPDIR
	local steps="${STEP_NUMBERS[0]} to ${STEP_NUMBERS[-1]}"
	run "$GRADE" -s 99 -o "$o/s"
	assert_failure 2
	assert_line "ERROR: -s 99: not a step ($steps) — see the usage above"
	assert_line --partial 'exit status: 0 graded (whatever the score), 1 graded but below --fail-under,'
	not_graded "$o/s" "-s 99: not a step ($steps) — see the usage above"
	# An option after the bad one still names the folder.
	run "$GRADE" -x -o "$o/x"
	assert_failure 2
	not_graded "$o/x" 'unknown option -x — see the usage above'
	run "$GRADE" --fail-under lots -o "$o/f"
	assert_failure 2
	not_graded "$o/f" '--fail-under lots: not a number of points — see the usage above'
	run "$GRADE" -o "$o/n" "$o/no-such-folder"
	assert_failure 2
	assert_line "ERROR: no such submission: $o/no-such-folder — give a folder or an archive (.tar.gz, .tgz, .tar, .zip)"
	not_graded "$o/n" "no such submission: $o/no-such-folder — give a folder or an archive (.tar.gz, .tgz, .tar, .zip)"
	# A folder that is not the grader's is never written to.
	mkdir -p "$o/thesis" && echo work >"$o/thesis/ch1"
	run "$GRADE" -s 9 -o "$o/thesis"
	assert_failure 2
	[ ! -e "$o/thesis/results.json" ]
}

# without_tool TOOL COMMAND...: COMMAND in a mount namespace of its own
# whose /usr/bin lacks TOOL: links to the rest of it (a file mounted
# over TOOL would not do: bash's "command -v" names even a file it
# cannot run).
without_tool() {
	local d
	d=$(mktemp -d "$BATS_TEST_TMPDIR/without-$1.XXXXXX")
	mkdir -p "$d/orig" "$d/bin"
	unshare -m bash -c 'mount --bind /usr/bin "$1/orig" && for f in "$1"/orig/*; do ln -s "$f" "$1/bin/"; done &&
		rm "$1/bin/$2" && mount --bind "$1/bin" /usr/bin && shift 2 && exec "$@"' - "$d" "$@"
}

@test "exits: a missing tool exits 3, saying which and how to install it, in results.json too" {
	run without_tool socat "$GRADE" -s 0 -o "$BATS_TEST_TMPDIR/out"
	assert_failure 3
	assert_output "ERROR: 'socat' is missing — run 'sudo make deps-grade'"
	not_graded "$BATS_TEST_TMPDIR/out" "'socat' is missing — run 'sudo make deps-grade'"
	# A class: not graded either, and said so.
	make_submission "$BATS_TEST_TMPDIR/class/alice"
	run without_tool socat "$KIT/grading/grade-all" -s 0 -o "$BATS_TEST_TMPDIR/classout" "$BATS_TEST_TMPDIR/class"
	assert_failure 3
	assert_line "ERROR: the class was not graded whole: 'socat' is missing — run 'sudo make deps-grade' (exit 3)"
}

@test "exits: a kit whose own tools do not build exits 4" {
	local copy=$BATS_TEST_TMPDIR/kit
	mkdir -p "$copy"
	tar -C "$KIT" --exclude=./.git --exclude=./grading/out --exclude=./dist -cf - . | tar -C "$copy" -xf -
	echo 'this is not C' >>"$copy/grading/pcapcheck.c"
	run "$copy/grading/grade" -s 0 -o "$BATS_TEST_TMPDIR/out"
	assert_failure 4
	assert_line --partial "ERROR: the grader's tools do not build: the kit itself is broken"
	run jq -r .output "$BATS_TEST_TMPDIR/out/results.json"
	assert_output --partial "Not graded: the grader's tools do not build"
}

@test "exits: a refused archive exits 5, its results.json without a max_score whatever -s says, and grade-all goes on with 0" {
	local d=$BATS_TEST_TMPDIR
	mkdir -p "$d/m/step1-tun" "$d/class"
	ln -s /etc/passwd "$d/m/step1-tun/tun.c"
	tar -C "$d/m" -czf "$d/class/mallory.tar.gz" .
	run "$GRADE" -s 1 -r 2 -o "$d/out" "$d/class/mallory.tar.gz"
	assert_failure 5
	run jq -r '"\(.score) \(has("max_score")) \(.tests | length) \(.output)"' "$d/out/results.json"
	assert_output --regexp '^0 false 0 Not graded: the archive mallory.tar.gz was refused: .*link'
	run "$KIT/grading/grade-all" -s 1 -o "$d/classout" "$d/class"
	assert_success
	assert_line --regexp '^mallory,+0,archive refused: .*link'
}

@test "exits: graded is 0 whatever the score; --fail-under exits 1 below it, 0 at it" {
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	run "$GRADE" -s 1 -o "$BATS_TEST_TMPDIR/zero" "$BATS_TEST_TMPDIR/empty"
	assert_success
	assert_line "$(score 1 0)"
	local full
	full=$(total 0)
	run "$GRADE" -s 0 --fail-under $((full + 1)) -o "$BATS_TEST_TMPDIR/below"
	assert_failure 1
	assert_line "$(score 0)"
	assert_line "FAIL: the score, $full, is below --fail-under $((full + 1))"
	run "$GRADE" -s 0 --fail-under="$full" -o "$BATS_TEST_TMPDIR/at"
	assert_success
	assert_line "$(score 0)"
}

@test "exits: a submission folder whose files sit one folder deeper is graded from there" {
	make_submission "$BATS_TEST_TMPDIR/alice/vpnlab"
	mkdir -p "$BATS_TEST_TMPDIR/alice/.git"
	run "$GRADE" -s 1 -o "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/alice"
	assert_success
	assert_line '== the submission'"'"'s files are in vpnlab/: graded from there'
	assert_line "$(score 1)"
}

@test "exits: grade-all exits 0 when the class was graded, 2 on bad arguments" {
	run "$KIT/grading/grade-all" -j 0 "$BATS_TEST_TMPDIR"
	assert_failure 2
	assert_line 'ERROR: -j 0: give a number of jobs from 1 to 99'
	run "$KIT/grading/grade-all" "$BATS_TEST_TMPDIR/none"
	assert_failure 2
	assert_line "ERROR: $BATS_TEST_TMPDIR/none: no such folder — give the folder the submissions are in"
	mkdir -p "$BATS_TEST_TMPDIR/class/bob"
	run "$KIT/grading/grade-all" -s 0 -o "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/class"
	assert_success
	assert_line "bob$(csv_scores 0)"
}
