# SPDX-License-Identifier: MIT
# grading/tests/kit.bash: the helpers of the kit's own tests, on top of the
# graded tests' (grading/lib.bash, which it loads): captures that check the
# tunnel's wire (pcapcheck), a submission made of the kit's programs, and
# what a run leaves behind.  The graded tests (grading/step*.bats) never
# see these.
#
#   load kit		(in grading/tests/*.bats)

load ../lib

PCAPCHECK=$REF/grading/pcapcheck

# The server's address as the client reaches it (common/topology), and as
# a regular expression, for the tests that check where it shows.
SERVER_RE=${TOPO_SERVER_ADDR//./\\.}

# total [STEP...]: the points of these steps (of every step without one),
# as the grader counts them (grading/spec): the kit's tests state scores
# through this and score, so that a graded test added or re-weighted
# changes no test but the ones that judge it.
total() {
	local files=() n

	if (($#)); then
		for n; do files+=("$KIT/grading/step$n.bats"); done
	else
		files=("$KIT"/grading/step[0-9]*.bats)
	fi
	"$KIT/grading/spec" "${files[@]}" | awk -F'\t' '{ t += $2 } END { print t + 0 }'
}

# tests_of STEP: how many graded tests the step has.
tests_of() { "$KIT/grading/spec" "$KIT/grading/step$1.bats" | grep -c .; }

# points_of STEP PROG, tests_of_prog STEP PROG: the points, and the number,
# of the step's graded tests of program PROG (those named "step N: PROG
# ..."), for the tests that state the score of a submission without it:
# score 1 "-$(points_of 1 tun)" is Step 1 without tun.
points_of() {
	"$KIT/grading/spec" "$KIT/grading/step$1.bats" |
		awk -F'\t' -v p="step $1: $2 " 'index($4, p) == 1 { t += $2 } END { print t + 0 }'
}
tests_of_prog() {
	"$KIT/grading/spec" "$KIT/grading/step$1.bats" |
		awk -F'\t' -v p="step $1: $2 " 'index($4, p) == 1 { n++ } END { print n + 0 }'
}

# score STEP|all [N|-N]: the grader's last line for a grade of that step
# (of every step: all) that scored everything, N points, or everything but
# N: "Score: 20/20", "Score: 0/20", "Score: 12/20" for score 1, score 1 0,
# score 1 -8.
score() {
	echo "Score: $(points_line "$@")"
}

# step_score STEP [N|-N]: that step's line in a whole grade, the same way:
# "Step 4: 30/30" for step_score 4.
step_score() {
	echo "Step $1: $(points_line "$@")"
}

# step_list: the steps as a grades.csv header names them, "step0,...,stepN"
# (common/steps).
step_list() {
	local IFS=,
	echo "${STEP_NUMBERS[*]/#/step}"
}

# full_marks SUB: the grader's last line for SUB, a correct submission of
# the tests' own (corpus, mistakes/base), graded on every step: full marks
# on each step it has a folder for, and on those with no programs (Step
# 0); none on the others.  So a step added to the kit leaves the corpus,
# written before it, a correct witness of the steps it has.
full_marks() {
	local n dir lost=0
	for n in "${STEP_NUMBERS[@]}"; do
		dir=${STEP_DIR[$n]}
		[[ -z ${PROGRAMS[$dir]-} || -d $1/$dir ]] || lost=$((lost + $(total "$n")))
	done
	score all "-$lost"
}

# csv_cols SPEC...: a grades.csv row's step columns, after its name: SPEC
# "N" for step N's full points, "N:V" for V (points, or a regular
# expression where the row is matched as one), "*" or "*:V" the same for
# every step not named; a step not named is empty (not graded).
# csv_cols '1:([0-9]+)' is ",,([0-9]+),,," today.
csv_cols() {
	local -A col=()
	local spec n v row="" rest=""

	for spec; do
		n=${spec%%:*}
		if [[ $spec == *:* ]]; then v=${spec#*:}; else v="(full)"; fi
		if [[ $n == "*" ]]; then rest=$v; else col[$n]=$v; fi
	done
	for n in "${STEP_NUMBERS[@]}"; do
		v=${col[$n]-$rest}
		[[ $v == "(full)" ]] && v=$(total "$n")
		row+=",$v"
	done
	echo "$row"
}

# csv_scores SPEC...: the step columns of csv_cols, points only, and the
# total: csv_scores 1 is ",,20,,,,20," today.
csv_scores() {
	local row v sum=0 cells

	row=$(csv_cols "$@")
	IFS=, read -ra cells <<<"${row#,}"
	for v in "${cells[@]}"; do
		sum=$((sum + ${v:-0}))
	done
	echo "$row,$sum,"
}

# points_line STEP|all [N|-N]: "EARNED/TOTAL", for score and step_score.
points_line() {
	local t

	if [[ $1 == all ]]; then t=$(total); else t=$(total "$1"); fi
	case ${2-} in
	"") echo "$t/$t" ;;
	-*) echo "$((t + $2))/$t" ;;
	*) echo "$2/$t" ;;
	esac
}

# capture HOST IFACE NAME FILTER...: tcpdump on a host's interface, text
# output in $OUT/NAME.log, ready when this returns.
capture() {
	local host=$1 iface=$2 name=$3
	shift 3
	start_net "$host" "$name" tcpdump -Z root -lnn -i "$iface" "$@"
	wait_for "$name" "listening on"
}

# leftovers PATTERN: the namespaces and grader work trees whose names match
# PATTERN (an ERE), one per line.  A test that must leave nothing compares
# this with what it was before the test, never with nothing: a student's
# topology or an earlier run's remains are none of its business.
leftovers() {
	local f
	{
		for f in /run/vpnlab-lab/*/*.pid /tmp/vpnlab-lab-*/*.pid \
			/run/user/*/vpnlab-lab/*.pid /home/*/.cache/vpnlab-lab/*.pid; do
			[[ -e $f ]] && kill -0 "$(<"$f")" 2>/dev/null && basename "$f" .pid
		done
		ls -d /tmp/vpnlab-grade.* 2>/dev/null
	} | grep -E -- "$1" | sort || true
}

# make_submission DIR: a submission folder of the kit's step programs, as
# a student hands in.
make_submission() {
	local dir=$1 step

	mkdir -p "$dir"
	for step in "${STEPS_DIRS[@]}"; do
		mkdir -p "$dir/$step"
		cp "$KIT/$step"/*.c "$dir/$step/"
	done
}

# check HOST NAME PCAPCHECK-ARGS...: start a capture that must succeed.
check() {
	local host=$1 name=$2
	shift 2
	start_net "$host" "$name" "$PCAPCHECK" -w "$OUT/$name.pcap" "$@"
	wait_for "$name" '^capturing on'
}

# verdict NAME: wait for a capture's end; if it failed, fail with
# pcapcheck's last lines.
verdict() {
	wait "${STARTED[$1]}" && return 0
	fail "$(printf 'capture %s failed:\n%s' "$1" "$(tail -n 6 "$OUT/$1.log")")"
}

# end_capture NAME: stop a capture now (for "none seen" checks) and judge
# it.
end_capture() {
	local pid

	pid=$(target "$1")
	[[ -n $pid ]] && kill -INT "$pid"
	verdict "$1"
}
