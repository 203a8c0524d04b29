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
