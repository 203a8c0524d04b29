#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The grader's feedback on the mistakes students make: a corpus written as
# students write (grading/tests/mistakes/: a correct submission, base/, and
# for each mistake the one program it changes), each graded in its step.
# Each loses points, and its first failure's "likely:" line names the very
# mistake (EXPECT): a diagnosis that falls back to a generic text fails.

load kit

MISTAKES=$KIT/grading/tests/mistakes

setup() {
	export VPNLAB_GRADE_PREFIX="vm$BATS_SUITE_TEST_NUMBER-$$-"	# (-N- per grade)
}

# compose NAME DIR: base/ with the mistake's program over it.
compose() {
	mkdir -p "$2"
	cp -r "$MISTAKES/base/." "$2/"
	(cd "$MISTAKES/$1" && find . -name '*.c' -exec cp --parents {} "$2/" \;)
}

@test "mistakes: the corpus's correct submission scores full marks" {
	run "$KIT/grading/grade" -o "$BATS_TEST_TMPDIR/out" "$MISTAKES/base"
	assert_line "$(full_marks "$MISTAKES/base")"
}

@test "mistakes: each mistake loses points in its own step, and its first failure's likely: line names it" {
	local name step want every line out first problems="" n=0
	while IFS=$'\t' read -r name step want _; do
		[[ $name == \#* || -z $name ]] && continue
		compose "$name" "$BATS_TEST_TMPDIR/$name"
		echo "$name $step $((n++))"
	done <"$MISTAKES/EXPECT" |
		# Two at a time, each a grade of its own, with a prefix of its
		# own.  (bash -c GRADE TMP NAME STEP N: $0 $1 $2 $3 $4.)
		xargs -P 2 -L 1 bash -c 'VPNLAB_GRADE_PREFIX=$VPNLAB_GRADE_PREFIX$4- \
			"$0" -s "$3" -o "$1/out-$2" "$1/$2" >"$1/$2.txt" 2>&1; true' \
			"$KIT/grading/grade" "$BATS_TEST_TMPDIR" 2>/dev/null
	while IFS=$'\t' read -r name step want every; do
		[[ $name == \#* || -z $name ]] && continue
		out=$BATS_TEST_TMPDIR/$name.txt
		if ! grep -qE "^Step $step: [0-9]+/" "$out"; then
			problems+="$name: not graded: $(tail -n 2 "$out" | paste -sd' ')"$'\n'
			continue
		fi
		if grep -qE "^Step $step: ([0-9]+)/\1$" "$out"; then
			problems+="$name: scores full points in step $step"$'\n'
			continue
		fi
		first=$(grep -m1 -E '^ +likely: ' "$out" | sed -E 's/^ +likely: +//')
		grep -qE -- "$want" <<<"$first" ||
			problems+="$name: first likely: '$first', wanted /$want/"$'\n'
		# "every": no test of the step falls back to a generic text.
		[[ $every == every ]] || continue
		while IFS= read -r line; do
			grep -qE -- "$want" <<<"$line" ||
				problems+="$name: a likely: '$line', wanted /$want/"$'\n'
		done < <(grep -E '^ +likely: ' "$out" | sed -E 's/^ +likely: +//')
	done <"$MISTAKES/EXPECT"
	[[ -z $problems ]] || fail "$problems"
}
