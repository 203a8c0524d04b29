#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# grading/spec, the one reader of the graded tests' tags: every graded test
# has its points, and a mistake in the tags stops it, naming the file and
# line, before any student is graded by them.

load kit

SPEC=$KIT/grading/spec

@test "spec: every graded test has its step, its points and a name of its step" {
	local files=() n
	for n in "${STEP_NUMBERS[@]}"; do
		files+=("$KIT/grading/step$n.bats")
	done
	run "$SPEC" "${files[@]}"
	assert_success
	# As many lines as bats counts tests, each "N<tab>POINTS<tab>VIS<tab>step N: ..."
	[ "${#lines[@]}" -eq "$(bats --count "${files[@]}")" ]
	local line s p v name
	for line in "${lines[@]}"; do
		IFS=$'\t' read -r s p v name <<<"$line"
		[[ $p =~ ^[0-9]+$ && $name == "step $s: "* ]] || fail "not a graded test's line: $line"
	done
}

# The instructors' page states the points, as they read them: each step's
# row of its table (its total, and the points of each test in parentheses)
# and a full grade's score must be what grading/spec counts.
@test "spec: grading/README.md's points table and full score are grading/spec's" {
	local page=$KIT/grading/README.md n row p sum
	for n in "${STEP_NUMBERS[@]}"; do
		row=$(grep -m1 "^| $n | " "$page") || fail "no row for Step $n in grading/README.md's points table"
		p=$(cut -d'|' -f3 <<<"$row" | tr -d ' ')
		[[ $p == "$(total "$n")" ]] || fail "grading/README.md says Step $n has $p points; grading/spec counts $(total "$n")"
		# "(4)", "(5, 4, 3, 2, 1)": the tests' points.
		sum=$(grep -o '([0-9][0-9, ]*)' <<<"$row" | tr -d '()' | tr ',' '\n' | awk '{ t += $1 } END { print t + 0 }')
		[[ $sum == "$p" ]] || fail "Step $n's row in grading/README.md gives its tests $sum points in all, not $p"
	done
	grep -q "the kit's own programs: $(score all)\$" "$page" ||
		fail "grading/README.md does not give the kit's own programs '$(score all)'"
}

# spec_of TEXT: spec run on a step file of TEXT.
spec_of() {
	printf '%s\n' "$1" >"$BATS_TEST_TMPDIR/step7.bats"
	run "$SPEC" "$BATS_TEST_TMPDIR/step7.bats"
}

@test "spec: points and visibility from the tags above a test; a mistake in them stops it, file and line named" {
	spec_of $'# bats test_tags=points:3\n@test "step 7: a" {\n}\n# a comment\n# bats test_tags=points:0, visibility:hidden\n\n@test "step 7: b" {\n}'
	assert_success
	assert_output $'7\t3\t-\tstep 7: a\n7\t0\thidden\tstep 7: b'
	spec_of $'@test "step 7: a" {\n}'
	assert_failure
	assert_output --partial 'step7.bats:1: "step 7: a" has no points'
	spec_of $'# bats test_tags=points:2.5\n@test "step 7: a" {\n}'
	assert_failure
	assert_output --partial 'step7.bats:2: points that are no whole number'
	spec_of $'# bats test_tags=pionts:2\n@test "step 7: a" {\n}'
	assert_failure
	assert_output --partial $'a tag spec does not know: "pionts:2"'
	spec_of $'# bats test_tags=points:2,visibility:secret\n@test "step 7: a" {\n}'
	assert_failure
	assert_output --partial $'a tag spec does not know: "visibility:secret"'
	spec_of $'# bats test_tags=points:2\n@test "step 7: a" {\n}\n# bats test_tags=points:2\n@test "step 7: a" {\n}'
	assert_failure
	assert_output --partial 'step7.bats:5: a second test named "step 7: a"'
	# Tags go with the next test only.
	spec_of $'# bats test_tags=points:2\n@test "step 7: a" {\n}\n@test "step 7: b" {\n}'
	assert_failure
	assert_output --partial '"step 7: b" has no points'
}

# The kinds of probe: each that a graded test sends (probe SPEC, in the
# step files and the helpers they call) is in grading/probes, and diagnose
# walks a path for each, captured at every hop.
@test "spec: every kind of probe the graded tests send is in grading/probes, with its path in diagnose, captured at every hop" {
	local used known
	used=$(grep -ohE '^[[:space:]]*probe (-l )?[a-z0-9-]+' "$KIT"/grading/step*.bats "$KIT/grading/lib.bash" |
		awk '{ print $NF }' | sort -u)
	known=$(awk '!/^#/ && NF { print $1 }' "$KIT/grading/probes" | sort -u)
	[ "$(wc -l <<<"$used")" -ge 10 ]	# the check has teeth
	run comm -23 <(echo "$used") <(echo "$known")
	assert_output ''
	run "$KIT/grading/diagnose" --check-probes
	assert_success
	# And it fails where it should: a kind captured on too few hops.
	local copy=$BATS_TEST_TMPDIR/kit
	mkdir -p "$copy/grading" "$copy/common"
	cp "$KIT/grading/diagnose" "$copy/grading/"
	cp "$KIT/common/topology" "$copy/common/"
	sed 's/^\(s4-back .*\) lab1$/\1/' "$KIT/grading/probes" >"$copy/grading/probes"
	echo 'nothing   yes   useru:tun0' >>"$copy/grading/probes"
	run "$copy/grading/diagnose" --check-probes
	assert_failure
	assert_line --partial 'probe s4-back: its path crosses userv:lab1, not captured'
	assert_line --partial "probe nothing: diagnose: no path for the probe 'nothing'"
}
