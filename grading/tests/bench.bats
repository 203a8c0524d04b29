#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# make bench runs (a very short mode): it measures, it does not judge.  Every
# row is there, with numbers that are numbers: throughput, CPU per Gbit/s
# (for the tunnels), round trips idle and under load, and the chart.

load kit

@test "bench: a short run prints the table, the CSV and the chart, and leaves nothing" {
	local csv=$BATS_TEST_TMPDIR/bench.csv before row
	before=$(leftovers '^bench')
	run "$KIT/common/bench/bench" -t 1 -n 1 -o "$csv" direct step4 fast socat openvpn
	assert_success
	local num='[0-9]+(\.[0-9]+)?'
	# (Under load a lossy tunnel can leave sockperf without a number: "-".)
	local rr="$num/$num +(-|$num)/(-|$num)"
	assert_line --regexp "^direct routing through server +[0-9]+ +1\.00 +$num +$num +- +$rr +$num\$"
	for row in 'step 4 tunnel \(default options\)' 'step 4 tunnel --fast' 'socat TUN over UDP' 'OpenVPN, no crypto, no DCO'; do
		assert_line --regexp "^$row +[0-9]+ +$num +$num +$num +$num +$rr +$num\$"
	done
	run cat "$csv"
	assert_line 'path,mbit_s,ratio_direct,ratio_socat,ratio_openvpn,cores_per_gbit,rr_idle_p50_us,rr_idle_p99_us,rr_load_p50_us,rr_load_p99_us,rtt_ms'
	assert_line --regexp "^step4,$num,$num,$num,$num,$num,$num,$num,($num)?,($num)?,$num\$"
	assert_line --regexp "^fast,$num,$num,$num,$num,$num,$num,$num,($num)?,($num)?,$num\$"
	assert_line --regexp "^direct,$num,1.00,$num,$num,,$num,$num,($num)?,($num)?,$num\$"
	# The chart: an SVG with a bar per row (five rows here).
	run grep -c '<rect x=' "${csv%.csv}.svg"
	[ "$output" -eq 5 ]
	run grep -c 'step 4 --fast' "${csv%.csv}.svg"
	[ "$output" -ge 2 ]
	run leftovers '^bench'
	assert_output "$before"
}

@test "bench: finds OpenVPN in /usr/sbin without it on the PATH, and says why it skips a row it cannot measure" {
	local copy=$BATS_TEST_TMPDIR/kit
	mkdir -p "$copy"
	# The handout's copy: no common/bench/py_tunnel.py, so no Python tunnel.
	tar -C "$KIT" --exclude=./.git --exclude=./grading/out --exclude=./common/bench/py_tunnel.py -cf - . | tar -C "$copy" -xf -
	run env PATH=/usr/bin:/bin "$copy/common/bench/bench" -t 1 -n 1 -o "$BATS_TEST_TMPDIR/b.csv" python
	assert_success
	assert_line "(skipping python: the kit's Python tunnel (common/bench/py_tunnel.py) is not in this copy: the handout leaves it out)"
	# OpenVPN is in /usr/sbin, outside a normal user's PATH: measured.
	[ -x /usr/sbin/openvpn ] || skip "openvpn is not in /usr/sbin here"
	run env PATH=/usr/bin:/bin "$KIT/common/bench/bench" -t 1 -n 1 -o "$BATS_TEST_TMPDIR/o.csv" openvpn
	assert_success
	refute_output --partial 'skipping openvpn'
	assert_line --regexp '^OpenVPN, no crypto, no DCO +[0-9]+ '
}
