#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Every results.json the suite's grades wrote is Gradescope's, field by
# field: validated against grading/results.schema.json, written from the
# spec page (its $comment cites it).  grading/run-tests runs this file
# last and alone, and has grade copy each results.json it writes into
# GRADE_RESULTS_COPY (with an index: copy, original path).

load kit

SCHEMA=$KIT/grading/results.schema.json

setup() {
	export VPNLAB_GRADE_PREFIX="vgz$BATS_SUITE_TEST_NUMBER-$$-"
	[[ -n ${GRADE_RESULTS_COPY-} ]] || skip "run it with grading/run-tests, which collects the suite's results.json"
}

# validate FILE...: each against the schema; prints "FILE: violation (at
# path)" for each that is not valid, and fails if any is not.
validate() {
	/usr/bin/python3 - "$SCHEMA" "$@" <<-'EOF'
	import json, sys
	import jsonschema
	schema = json.load(open(sys.argv[1]))
	jsonschema.Draft7Validator.check_schema(schema)
	v = jsonschema.Draft7Validator(schema)
	bad = 0
	for f in sys.argv[2:]:
	    try:
	        doc = json.load(open(f))
	    except ValueError as e:
	        print("%s: not JSON: %s" % (f, e)); bad += 1; continue
	    for e in v.iter_errors(doc):
	        print("%s: %s (at %s)" % (f, e.message, "/".join(map(str, e.absolute_path)) or "top level"))
	        bad += 1
	sys.exit(1 if bad else 0)
	EOF
}

@test "results schema: a results.json with a top-level max_score, a status 'skipped' or a number that is no string is refused, naming each" {
	local out=$BATS_TEST_TMPDIR/out
	# A run that ends on bad arguments still writes one (and its copy).
	run "$KIT/grading/grade" -s 9 -o "$out"
	assert_failure 2
	run validate "$out/results.json"
	assert_success
	grep -q "$(realpath "$out/results.json")\$" "$GRADE_RESULTS_COPY/index"
	jq '. + {max_score: 100}' "$out/results.json" >"$BATS_TEST_TMPDIR/max.json"
	run validate "$BATS_TEST_TMPDIR/max.json"
	assert_failure
	assert_output --partial "max.json: Additional properties are not allowed ('max_score' was unexpected) (at top level)"
	jq '.tests = [{name: "q", score: 0, max_score: 0, status: "skipped"}]' "$out/results.json" >"$BATS_TEST_TMPDIR/status.json"
	run validate "$BATS_TEST_TMPDIR/status.json"
	assert_failure
	assert_output --partial "status.json: 'skipped' is not one of ['passed', 'failed'] (at tests/0/status)"
	jq '.tests = [{name: "q", score: 1, number: 1.1}]' "$out/results.json" >"$BATS_TEST_TMPDIR/number.json"
	run validate "$BATS_TEST_TMPDIR/number.json"
	assert_failure
	assert_output --partial "(at tests/0/number)"
}

@test "results schema: every results.json the suite's grades wrote is Gradescope's" {
	local copy orig files=() n=0
	[ -s "$GRADE_RESULTS_COPY/index" ] || fail "no grade of the suite copied its results.json to GRADE_RESULTS_COPY"
	while IFS=$'\t' read -r copy orig; do
		files+=("$GRADE_RESULTS_COPY/$copy")
		n=$((n + 1))
	done <"$GRADE_RESULTS_COPY/index"
	run validate "${files[@]}"
	# Each violation named by the results.json it was written as.
	while IFS=$'\t' read -r copy orig; do
		output=${output//"$GRADE_RESULTS_COPY/$copy"/"$orig"}
	done <"$GRADE_RESULTS_COPY/index"
	[ "$status" -eq 0 ] || fail "of $n results.json, these break Gradescope's spec:"$'\n'"$output"
}
