#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A course on Gradescope (grading/gradescope): its Export Submissions
# download, made here to the documented layout (an assignment folder with
# submission_metadata.yml and a submission_ID/ folder each), graded by
# grade-all as it is; the scores keyed by email and SID; and the
# autograder bundle, run as Gradescope's harness would run it, in a folder
# laid out as /autograder.  No Gradescope account is here.

load kit

GS=$KIT/grading/gradescope

setup() {
	export VPNLAB_GRADE_PREFIX="vgs$BATS_SUITE_TEST_NUMBER-$$-"
}

# make_export ZIP: two submissions, one of a group of two whose tun_ping
# does not compile (one of them named as a formula), and a student of the
# metadata whose folder is not in the export.
make_export() {
	local root=$BATS_TEST_TMPDIR/x/assignment_4242_export
	make_submission "$root/submission_1001"
	make_submission "$root/submission_1002"
	echo 'int main(void) { return x; }' >"$root/submission_1002/step1-tun/tun_ping.c"
	cat >"$root/submission_metadata.yml" <<'EOF'
submission_1001:
  :submitters:
  - :name: Alice Liddell
    :sid: '100'
    :email: alice@example.edu
  :created_at: 2027-01-10 10:00:00.000000000 -08:00
  :score: 0.0
submission_1002:
  :submitters:
  - :name: "=HYPERLINK(\"http://x\")"
    :sid: '200'
    :email: bob@example.edu
  - :name: Carol
    :sid: '201'
    :email: carol@example.edu
  :created_at: 2027-01-10 11:00:00.000000000 -08:00
  :score: 0.0
submission_1003:
  :submitters:
  - :name: Dan
    :sid: '300'
    :email: dan@example.edu
  :created_at: 2027-01-10 12:00:00.000000000 -08:00
  :score: 0.0
EOF
	(cd "$BATS_TEST_TMPDIR/x" && zip -qr "$1" assignment_4242_export)
}

@test "gradescope: an export is graded by grade-all as it is, and scored by email and SID, a group's members each" {
	local out=$BATS_TEST_TMPDIR/out
	make_export "$BATS_TEST_TMPDIR/export.zip"
	run "$GS" class -s 1 "$BATS_TEST_TMPDIR/export.zip" "$out"
	assert_success
	assert_line "submission_1001$(csv_scores 1)"
	assert_line --regexp "^submission_1002$(csv_cols '1:([0-9]+)'),\\1,\$"
	refute_line "submission_1002$(csv_scores 1)"
	run cat "$out/scores.csv"
	assert_line "Email,SID,Name,Submission,$(step_list),Total,Note"
	assert_line "alice@example.edu,100,Alice Liddell,submission_1001$(csv_scores 1)"
	assert_line --regexp "^bob@example.edu,200,\"'=HYPERLINK\(\"\"http://x\"\"\)\",submission_1002,,[0-9]+,"
	assert_line --regexp '^carol@example.edu,201,Carol,submission_1002,,[0-9]+,'
	assert_line "dan@example.edu,300,Dan,submission_1003$(csv_cols),,not graded: no such submission folder in the export"
	# The same download, unzipped, is taken alike; anything else is told.
	run "$GS" class -s 1 "$BATS_TEST_TMPDIR/x" "$BATS_TEST_TMPDIR/out2"
	assert_success
	cmp "$out/scores.csv" "$BATS_TEST_TMPDIR/out2/scores.csv"
	run "$GS" class "$KIT/grading/tests/mistakes" "$BATS_TEST_TMPDIR/out3"
	assert_failure
	assert_output --partial 'holds no submission_metadata.yml'
}

# autograde ROOT ID SUBMISSION: Gradescope's harness, here: the submission
# and its metadata laid out in ROOT, then the bundle's run_autograder (its
# /autograder paths made ROOT's).
autograde() {
	local root=$1
	rm -rf "$root/submission" "$root/results"
	mkdir -p "$root/submission"
	cp -r "$3/." "$root/submission/"
	echo "{\"id\": $2, \"users\": [{\"email\": \"x@example.edu\"}]}" >"$root/submission_metadata.json"
	AUTOGRADER_ROOT=$root "$root/source/kit/grading/gradescope" run
}

@test "gradescope: the autograder bundle builds at once, shows the course's grade of that very submission, and says where behaviour is graded" {
	local out=$BATS_TEST_TMPDIR/out ag=$BATS_TEST_TMPDIR/ag subs=$BATS_TEST_TMPDIR/x/assignment_4242_export
	make_export "$BATS_TEST_TMPDIR/export.zip"
	"$GS" class -s 1 "$BATS_TEST_TMPDIR/export.zip" "$out" >/dev/null
	run "$GS" autograder "$out" "$BATS_TEST_TMPDIR/autograder.zip"
	assert_success
	assert_output --partial '(2 graded submission(s) in it)'
	mkdir -p "$ag/source"
	unzip -q "$BATS_TEST_TMPDIR/autograder.zip" -d "$ag/source"
	# Gradescope's two files at the top; the students' tree, no solution.
	[ -x "$ag/source/setup.sh" ] && [ -x "$ag/source/run_autograder" ]
	grep -q '/autograder/source/kit/grading/gradescope run' "$ag/source/run_autograder"
	run grep -c 'TODO' "$ag/source/kit/step1-tun/tun_ping.c"
	refute_output 0
	run grep -rl 'SOLUTION' "$ag/source/kit" --include='*.c'
	assert_output ''
	# The group's submission: its compiler error now, and its grade.
	autograde "$ag" 1002 "$subs/submission_1002"
	run jq -r '.tests[] | select(.name == "build: step1-tun/tun_ping") | .status + " " + .output' "$ag/results/results.json"
	assert_output --partial "failed does not compile:"
	assert_output --regexp "error: .x. undeclared"
	[ "$(jq .score "$ag/results/results.json")" = "$(jq .score "$out/class/submission_1002/results.json")" ]
	jq -r .output "$ag/results/results.json" | grep -q "^Graded on the course's machine"
	run jq -r '.tests[] | select(.name | startswith("step 1: tun creates tun0")) | .status' "$ag/results/results.json"
	assert_output passed
	# The same student's later submission: built (a passed test for each
	# program of the kit), not given that grade.
	local progs=0 dir p
	for dir in "${STEPS_DIRS[@]}"; do
		for p in ${PROGRAMS[$dir]}; do progs=$((progs + 1)); done
	done
	cp -r "$subs/submission_1001" "$BATS_TEST_TMPDIR/later"
	echo '/* one more line */' >>"$BATS_TEST_TMPDIR/later/step1-tun/tun.c"
	autograde "$ag" 1001 "$BATS_TEST_TMPDIR/later"
	[ "$(jq .score "$ag/results/results.json")" = 0 ]
	jq -r .output "$ag/results/results.json" | grep -q 'is graded on the course.s machine'
	jq -r .output "$ag/results/results.json" | grep -q 'differs from the one graded there'
	[ "$(jq '[.tests[] | select(.status == "passed")] | length' "$ag/results/results.json")" = "$progs" ]
	# A submission never exported, one folder deeper (a .zip of the folder).
	mkdir -p "$BATS_TEST_TMPDIR/deep"
	cp -r "$subs/submission_1001" "$BATS_TEST_TMPDIR/deep/vpnlab"
	autograde "$ag" 5555 "$BATS_TEST_TMPDIR/deep"
	[ "$(jq .score "$ag/results/results.json")" = 0 ]
	[ "$(jq '[.tests[] | select(.status == "passed")] | length' "$ag/results/results.json")" = "$progs" ]
	jq -r .output "$ag/results/results.json" | grep -q 'cannot be tested in Gradescope.s containers'
}

@test "gradescope: an entry without step folders stops nothing; one folder deeper is hashed as grade reads it, and gets its grade in the bundle" {
	local root=$BATS_TEST_TMPDIR/x/assignment_77_export out=$BATS_TEST_TMPDIR/out ag=$BATS_TEST_TMPDIR/ag s
	# 900: no step folder at all; 901: the files one folder deeper (a
	# .zip of the folder); 902: at the top, as most are.
	mkdir -p "$root/submission_900"
	echo 'nothing here' >"$root/submission_900/notes.txt"
	make_submission "$root/submission_901/vpnlab"
	make_submission "$root/submission_902"
	for s in 900 901 902; do
		printf 'submission_%s:\n  :submitters:\n  - :name: S%s\n    :sid: %s\n    :email: s%s@example.edu\n' \
			"$s" "$s" "$s" "$s" >>"$root/submission_metadata.yml"
	done
	run "$GS" class -s 0 "$BATS_TEST_TMPDIR/x" "$out"
	assert_success
	for s in 900 901 902; do
		[ -s "$out/class/submission_$s/sources.sha256" ] || fail "no sources.sha256 for submission_$s"
		grep -q "^s$s@example\.edu,$s,S$s,submission_$s,$(total 0)," "$out/scores.csv" || fail "no score for submission_$s"
	done
	# The same files, one folder deeper or not: the same sources.
	cmp "$out/class/submission_901/sources.sha256" "$out/class/submission_902/sources.sha256"
	! cmp -s "$out/class/submission_900/sources.sha256" "$out/class/submission_902/sources.sha256"
	# In the bundle, the deeper one is the one graded: its grade given.
	"$GS" autograder "$out" "$BATS_TEST_TMPDIR/autograder.zip" >/dev/null
	mkdir -p "$ag/source"
	unzip -q "$BATS_TEST_TMPDIR/autograder.zip" -d "$ag/source"
	autograde "$ag" 901 "$root/submission_901"
	jq -r .output "$ag/results/results.json" | grep -q "^Graded on the course's machine"
	[ "$(jq .score "$ag/results/results.json")" = 10 ]
}

@test "gradescope: the bundle is made from a kit that is no git checkout too, and a solution left in the handout is named, not hidden" {
	local copy=$BATS_TEST_TMPDIR/kit out=$BATS_TEST_TMPDIR/out
	mkdir -p "$copy" "$out/class"
	tar -C "$KIT" --exclude=./.git --exclude=./grading/out --exclude=./dist -cf - . | tar -C "$copy" -xf -
	: >"$out/class/grades.csv"
	run "$copy/grading/gradescope" autograder "$out" "$BATS_TEST_TMPDIR/a.zip"
	assert_success
	run unzip -p "$BATS_TEST_TMPDIR/a.zip" kit/step1-tun/tun_ping.c
	assert_output --partial 'TODO'
	refute_output --partial 'SOLUTION'
	# A marker the handout cannot strip: the error, and the file it is in.
	echo 'SOLUTION: left here by mistake' >>"$copy/step1-tun/README.md"
	run "$copy/grading/gradescope" autograder "$out" "$BATS_TEST_TMPDIR/b.zip"
	assert_failure
	assert_line --partial 'vpnlab-handout/step1-tun/README.md'
	assert_line 'ERROR: solution markers left in the handout (above)'
}
