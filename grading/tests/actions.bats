#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A class graded on GitHub Actions, as its jobs do it (grading/actions,
# the only thing the workflows in grading/github/ run): shards graded
# apart and merged into what one machine's grade-all writes; the bounds
# proven before grading, and named in every grade; a student's points per
# step for Classroom's reporter; actionlint on every workflow.  No runner
# is here: the jobs' scripts are what is tested.

load kit

ACTIONS=$KIT/grading/actions

setup() {
	export VPNLAB_GRADE_PREFIX="vac$BATS_SUITE_TEST_NUMBER-$$-"
}

# A small class: correct, mistaken, hostile, a refused archive, an odd
# name with nothing but a report (as course.bats and the corpora make them).
make_class() {
	local subs=$1 dir p m=$KIT/grading/tests/mistakes
	make_submission "$subs/alice"
	make_submission "$subs/bob"
	cp "$m/no-htons/step2-udp/tun_client.c" "$subs/bob/step2-udp/"
	for dir in "${STEPS_DIRS[@]}"; do
		mkdir -p "$subs/mallory/$dir"
		for p in ${PROGRAMS[$dir]}; do
			cp "$KIT/grading/tests/attacks/exec-tools.c" "$subs/mallory/$dir/$p.c"
		done
	done
	python3 -c '
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    i = tarfile.TarInfo("step1-tun/../../../../tmp/vpnlab-escaped")
    i.size = 2
    t.addfile(i, io.BytesIO(b"x\n"))' "$subs/eve.tar.gz"
	mkdir -p "$subs/Zoë"
	cp "$KIT/REPORT.md" "$subs/Zoë/"
}

@test "actions: a class graded as shard 1/2 and 2/2 on their own, then merged, is the grades.csv and class.html of grade-all" {
	local d=$BATS_TEST_TMPDIR
	make_class "$d/subs"
	run "$KIT/grading/grade-all" -o "$d/one/class" "$d/subs"
	assert_success
	assert_line "alice$(csv_scores "${STEP_NUMBERS[@]}")"
	assert_line --regexp "^bob$(csv_cols '*' '2:[0-9]?[0-9]'),[0-9]+,\$"
	refute_line "bob$(csv_scores "${STEP_NUMBERS[@]}")"
	assert_line "mallory$(csv_scores 0 '*:0')"
	assert_line --regexp '^eve,+0,archive refused: a path outside the archive'
	assert_line "Zo%C3%AB$(csv_scores 0 '*:0')"
	# The jobs, one after the other as two runners and the merge would.
	run "$ACTIONS" grade 1 2 "$d/subs" "$d/s1"
	assert_success
	assert_output --partial 'shard 1/2 of 5 entries'
	run "$ACTIONS" grade 2 2 "$d/subs" "$d/s2"
	assert_success
	# A shard alone is refused by the merge, which names the one missing.
	run "$ACTIONS" merge "$d/half/class" "$d/s1"
	assert_failure
	assert_output --partial 'missing: 2/2'
	run "$ACTIONS" merge "$d/merged/class" "$d/s1" "$d/s2"
	assert_success
	cmp "$d/one/class/grades.csv" "$d/merged/class/grades.csv"
	cmp "$d/one/class/class.html" "$d/merged/class/class.html"
	# Every student's report, and each grade's output with its bounds.
	local name
	for name in alice bob mallory Zo%C3%AB; do
		[ -f "$d/merged/class/$name/report.html" ] || fail "no report.html for $name"
		grep -q '^== bounds: cgroup v[12] ' "$d/merged/class/$name/grade.log" || fail "no bounds line for $name"
	done
	[ -f "$d/merged/class/eve/error.txt" ]
	[ ! -e /tmp/vpnlab-escaped ]
}

@test "actions: the bounds hold here; a group without its memory limit, process limit or CPU quota fails the proof loudly" {
	run "$KIT/grading/bounds"
	assert_success
	assert_line --regexp '^ok +memory: a guest that touched 256 MB was killed at 64 MB \(cgroup v[12]\)$'
	assert_line --regexp '^ok +processes: [0-9]+ of 64 forks started in a group of 16 '
	assert_line --regexp '^ok +CPU: two spinning processes used [0-9]+ ms in 3 s, held to 0.1 core'
	# The proof against a grading/cgroup that forgets each limit.
	local broken=$BATS_TEST_TMPDIR/kit what
	for what in memory pids cpu; do
		rm -rf "$broken" && mkdir -p "$broken/grading"
		cp "$KIT/grading/bounds" "$broken/grading/"
		case $what in
		# (Each write of the limit made a no-op, v1's and v2's.)
		memory) sed -E '/(memory.max|memory.limit_in_bytes|memory.memsw.limit_in_bytes)"( ;;)?$/s/echo [^>]*>[^ ;]*/:/' ;;
		pids) sed -E '/pids.max"( ;;)?$/s/echo [^>]*>[^ ;]*/:/' ;;
		cpu) sed -E '/(cpu.max|cpu.cfs_quota_us)"( ;;)?$/s/echo [^>]*>[^ ;]*/:/' ;;
		esac <"$KIT/grading/cgroup" >"$broken/grading/cgroup"
		chmod +x "$broken/grading/cgroup"
		! cmp -s "$KIT/grading/cgroup" "$broken/grading/cgroup"	# the break has teeth
		run "$broken/grading/bounds"
		assert_failure
		case $what in
		memory) assert_line --regexp '^FAIL +memory: a guest touched 256 MB' ;;
		pids) assert_line --regexp '^FAIL +processes: [0-9]+ of 64 forks started' ;;
		cpu) assert_line --regexp '^FAIL +CPU: two spinning processes used' ;;
		esac
		assert_output --partial 'ERROR: bounds: a bound above does not hold on this machine'
	done
}

@test "actions: a grade says near its top which bounds it runs under: the cgroup's version, or rlimits only" {
	run "$KIT/grading/grade" -s 0 -o "$BATS_TEST_TMPDIR/out"
	assert_success
	assert_line --regexp "^== bounds: cgroup v$("$KIT/grading/cgroup" version) \(memory, processes and CPU per test; socket and TUN queues by memwatch\)$"
	[[ ${lines[0]} == "== bounds: "* || ${lines[1]} == "== bounds: "* ]]
	# A machine without cgroups (a copy of the kit whose cgroup finds none).
	local copy=$BATS_TEST_TMPDIR/kit
	mkdir -p "$copy"
	tar -C "$KIT" --exclude=./.git --exclude=./grading/out --exclude=./dist -cf - . | tar -C "$copy" -xf -
	sed -i 's/^version() {$/&\n\tVERSION=0; return/' "$copy/grading/cgroup"
	run "$copy/grading/grade" -s 0 -o "$BATS_TEST_TMPDIR/out2"
	assert_line "== bounds: rlimits only (this machine has no cgroups; socket and TUN queues by memwatch)"
	assert_line "$(score 0)"
}

@test "actions: a student's self-grade gives Classroom's reporter each step's points, in its format" {
	local out=$BATS_TEST_TMPDIR/out s json
	export GITHUB_OUTPUT=$BATS_TEST_TMPDIR/github-output GITHUB_ENV=$BATS_TEST_TMPDIR/github-env
	run "$ACTIONS" self "$out"
	assert_success
	assert_line "$(score all)"
	# One base64 JSON per step, as the reporter decodes them.
	local sum=0 max=0 lost name
	for s in "${STEP_NUMBERS[@]}"; do
		json=$(sed -n "s/^STEP${s}_RESULTS=//p" "$GITHUB_ENV" | base64 -d)
		[ "$(jq -r .version <<<"$json")" = 1 ]
		[ "$(jq -r .status <<<"$json")" = pass ]
		[ "$(jq '[.tests[].score] | add' <<<"$json")" = "$(jq .max_score <<<"$json")" ]
		sum=$((sum + $(jq '[.tests[].score] | add' <<<"$json")))
		max=$((max + $(jq .max_score <<<"$json")))
	done
	[ "$sum" = "$(total)" ] && [ "$max" = "$(total)" ]
	[ "$(sed -n 's/^STEP2_RESULTS=//p' "$GITHUB_ENV" | base64 -d | jq .max_score)" = "$(total 2)" ]
	# A failed test is a fail of its step, its points not counted: Step
	# 3's first.
	IFS=$'\t' read -r _ lost _ name < <("$KIT/grading/spec" "$KIT/grading/step3.bats")
	jq --arg name "$name" '(.tests[] | select(.name == $name)) |= (.status = "failed" | .score = 0 | .output = "expected: x")' \
		"$out/results.json" >"$BATS_TEST_TMPDIR/r.json"
	mkdir -p "$BATS_TEST_TMPDIR/failed" && mv "$BATS_TEST_TMPDIR/r.json" "$BATS_TEST_TMPDIR/failed/results.json"
	: >"$GITHUB_ENV"
	run "$ACTIONS" classroom "$BATS_TEST_TMPDIR/failed"
	assert_success
	json=$(sed -n 's/^STEP3_RESULTS=//p' "$GITHUB_ENV" | base64 -d)
	[ "$(jq -r .status <<<"$json")" = fail ]
	[ "$(jq '[.tests[].score] | add' <<<"$json")" = "$(($(total 3) - lost))" ]
	[ "$(jq -r '.tests[] | select(.status == "fail") | .message' <<<"$json")" = "expected: x" ]
	[ "$(sed -n 's/^STEP1_RESULTS=//p' "$GITHUB_ENV" | base64 -d | jq -r .status)" = pass ]
}

@test "actions: actionlint finds nothing in any workflow of the kit, and finds what is wrong in a broken one" {
	"$KIT/grading/lint-workflows" install >/dev/null
	run "$KIT/grading/lint-workflows"
	assert_success
	assert_line "actionlint: $(ls "$KIT"/grading/github/*.yml | wc -l) workflow(s), 0 problem(s)"
	[ "$(ls "$KIT"/grading/github/*.yml | wc -l)" -ge 2 ]
	# A typo in an expression, and a job that needs one that is not there.
	sed 's/matrix.shard }}/matrix.shrd }}/; s/needs: \[plan, grade\]/needs: [plan, grading]/' \
		"$KIT/grading/github/grade-class.yml" >"$BATS_TEST_TMPDIR/broken.yml"
	run "$KIT/grading/lint-workflows" "$BATS_TEST_TMPDIR/broken.yml"
	assert_failure
	assert_output --partial 'property "shrd" is not defined'
	assert_output --partial '"grading"'
	# And the handout's copy is the one checked here.
	"$KIT/grading/handout" "$BATS_TEST_TMPDIR/dist" >/dev/null
	cmp "$KIT/grading/github/classroom.yml" "$BATS_TEST_TMPDIR/dist/vpnlab-handout/.github/workflows/classroom.yml"
}

@test "actions: the matrix is shards 1 to N, at most 256; a bad source is refused with its fix" {
	run "$ACTIONS" shards 4
	assert_output '[1,2,3,4]'
	run "$ACTIONS" shards 257
	assert_failure
	assert_output --partial "no number of shards from 1 to 256"
	run "$ACTIONS" fetch nowhere:x "$BATS_TEST_TMPDIR/subs"
	assert_failure
	assert_output --partial 'folder:PATH, release:TAG/ASSET or classroom:ORG/PREFIX'
	run "$ACTIONS" fetch folder:grading/tests/mistakes "$BATS_TEST_TMPDIR/subs"
	assert_success
	[ -f "$BATS_TEST_TMPDIR/subs/base/step1-tun/tun.c" ]
	run "$ACTIONS" fetch folder:../etc "$BATS_TEST_TMPDIR/subs2"
	assert_failure
}

@test "actions: prepare installs the packages of grading only, and the workflows install nothing themselves" {
	# A copy of actions in a kit whose deps and bounds only say how they
	# were called (prepare's own work, without installing anything here).
	local fake=$BATS_TEST_TMPDIR/kit
	mkdir -p "$fake/common" "$fake/grading"
	cp "$KIT/grading/actions" "$fake/grading/"
	cp "$KIT/common/steps" "$KIT/common/steps.bash" "$fake/common/"
	printf '#!/bin/sh\necho "deps $*" >>"%s"\n' "$BATS_TEST_TMPDIR/calls" >"$fake/common/deps"
	printf '#!/bin/sh\necho "bounds" >>"%s"\n' "$BATS_TEST_TMPDIR/calls" >"$fake/grading/bounds"
	chmod +x "$fake/common/deps" "$fake/grading/bounds"
	run "$fake/grading/actions" prepare
	assert_success
	run cat "$BATS_TEST_TMPDIR/calls"
	assert_output $'deps install grade\nbounds'
	run grep -nE 'common/deps|apt-get|apt install' "$KIT"/grading/github/*.yml
	assert_failure
}

# stub_gh: a gh on PATH that lists STUB_REPOS, clones a repository as one
# commit of a submission, and downloads STUB_ASSET, or fails when unset.
stub_gh() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/gh" <<'EOS'
#!/bin/bash
set -e
case "$1 $2" in
"repo list") printf '%s\n' $STUB_REPOS ;;
"repo clone")
	mkdir -p "$4/step1-tun"
	echo 'int main(void) { return 0; }' >"$4/step1-tun/tun.c"
	git -C "$4" init -q
	git -C "$4" add -A
	git -C "$4" -c user.name=s -c user.email=s@x commit -qm x ;;
"release download")
	[[ -n ${STUB_ASSET-} ]] || { echo "release not found" >&2; exit 1; }
	mkdir -p "$7"
	cp "$STUB_ASSET" "$7/" ;;
*) exit 1 ;;
esac
EOS
	chmod +x "$BATS_TEST_TMPDIR/bin/gh"
	export PATH=$BATS_TEST_TMPDIR/bin:$PATH
}

@test "actions: fetch from Classroom and releases: no match said in one line, nothing left by a failure, a release's class folder opened" {
	local d=$BATS_TEST_TMPDIR
	stub_gh
	# No repository of the prefix: one line with the fix, no folder left.
	export STUB_REPOS="vpnlab-template other-alice"
	run "$ACTIONS" fetch classroom:uni/vpnlab-2027 "$d/none"
	assert_failure
	assert_output --partial 'no repository of '"'"'uni'"'"' is named vpnlab-2027-LOGIN'
	[ "${#lines[@]}" = 1 ]
	[ ! -e "$d/none" ]
	# Those of the prefix, each its login, with the commit graded.
	export STUB_REPOS="vpnlab-2027-alice vpnlab-template vpnlab-2027-bob"
	run "$ACTIONS" fetch classroom:uni/vpnlab-2027 "$d/class"
	assert_success
	assert_line --regexp '^alice [0-9a-f]{40}$'
	assert_line '2 entries in '"$d/class"
	[ -f "$d/class/bob/step1-tun/tun.c" ] && [ ! -e "$d/class/bob/.git" ]
	# A release that is not there: said, and nothing left behind.
	run "$ACTIONS" fetch release:class-2027/subs.tar.gz "$d/rel"
	assert_failure
	assert_output --partial "no asset 'subs.tar.gz' in release 'class-2027'"
	[ ! -e "$d/rel" ] && [ ! -e "$d/rel.asset" ]
	# An archive of the class's folder itself: its entries are the class,
	# one of them named as the folder; a class of one student stays one.
	mkdir -p "$d/a/class2027/alice/step1-tun" "$d/a/class2027/class2027/step1-tun" "$d/b/alice/step1-tun"
	(cd "$d/a" && tar -czf "$d/subs.tar.gz" class2027)
	(cd "$d/b" && tar -czf "$d/one.tar.gz" alice)
	STUB_ASSET=$d/subs.tar.gz run "$ACTIONS" fetch release:class-2027/subs.tar.gz "$d/rel"
	assert_success
	assert_line "2 entries in $d/rel"
	[ -d "$d/rel/alice/step1-tun" ] && [ -d "$d/rel/class2027/step1-tun" ]
	STUB_ASSET=$d/one.tar.gz run "$ACTIONS" fetch release:class-2027/one.tar.gz "$d/rel1"
	assert_success
	[ -d "$d/rel1/alice/step1-tun" ]
}

@test "actions: REPORT.md's questions reach Classroom as a runner of their own when REPORT_POINTS gives points, and the workflows pass it" {
	local r=$BATS_TEST_TMPDIR/r json
	export GITHUB_OUTPUT=$BATS_TEST_TMPDIR/github-output GITHUB_ENV=$BATS_TEST_TMPDIR/github-env
	mkdir -p "$r"
	# results.json as grade -r 2 writes it: a step's test and two questions.
	jq -n '{tests: [{name: "step 0: a [5 pts]", status: "passed", score: 5, max_score: 5},
		{name: "report: Q1.1: why", status: "passed", score: 2, max_score: 2},
		{name: "report: Q1.2: how", status: "failed", score: 0, max_score: 2}]}' >"$r/results.json"
	run "$ACTIONS" classroom "$r"
	assert_success
	run sed -n 's/^runners=//p' "$GITHUB_OUTPUT"
	assert_output "$(step_list),report"
	# Each runner's result in the environment of the job's later steps,
	# as the reporter reads it: ID_RESULTS.
	json=$(sed -n 's/^STEP0_RESULTS=//p' "$GITHUB_ENV" | base64 -d)
	[ "$(jq -c '[.max_score, .status, .tests[0].score]' <<<"$json")" = '[5,"pass",5]' ]
	json=$(sed -n 's/^REPORT_RESULTS=//p' "$GITHUB_ENV" | base64 -d)
	[ "$(jq .max_score <<<"$json")" = 4 ]
	[ "$(jq '[.tests[].score] | add' <<<"$json")" = 2 ]
	# Worth nothing (grade without -r): no runner, which would fail the check.
	jq '(.tests[] | select(.name | startswith("report:"))) |= (.max_score = 0 | .score = 0 | del(.status))' \
		"$r/results.json" >"$r/r0.json" && mv "$r/r0.json" "$r/results.json"
	: >"$GITHUB_OUTPUT"
	: >"$GITHUB_ENV"
	run "$ACTIONS" classroom "$r"
	run sed -n 's/^runners=//p' "$GITHUB_OUTPUT"
	assert_output "$(step_list)"
	run grep -c '^REPORT_RESULTS=' "$GITHUB_ENV"
	assert_output 0
	# The workflows: REPORT_POINTS through sudo to every grade, the
	# reporter reading the runners the grade named.
	run grep -E 'sudo .*grading/actions (self|grade) ' "$KIT"/grading/github/*.yml
	[ "${#lines[@]}" = 2 ]
	[ "$(grep -c 'preserve-env=[A-Z_,]*REPORT_POINTS' <<<"$output")" = 2 ]
	grep -q 'preserve-env=GITHUB_ENV,.* grading/actions self ' "$KIT/grading/github/classroom.yml"
	grep -q 'runners: ${{ steps.grade.outputs.runners }}' "$KIT/grading/github/classroom.yml"
	# and names no step: the results are in the environment already.
	run grep -n '_RESULTS:' "$KIT/grading/github/classroom.yml"
	assert_output ''
}
