#!/usr/bin/env bats
# make bench runs (a very short mode): it measures, it does not judge.

load ../lib

@test "bench: a short run prints the table and the CSV, and leaves nothing" {
	local csv=$BATS_TEST_TMPDIR/bench.csv before
	before=$(leftovers '^bench')
	run "$KIT/common/bench" -t 1 -n 1 -o "$csv" direct step4 fast socat openvpn
	assert_success
	assert_line --regexp '^direct routing through server +[0-9]+ +1\.00 +[0-9.]+ +[0-9.]+$'
	assert_line --regexp '^step 4 tunnel \(default options\) +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$'
	assert_line --regexp '^step 4 tunnel --fast +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$'
	assert_line --regexp '^socat TUN over UDP +[0-9]+ +[0-9.]+ +1\.00 +[0-9.]+$'
	assert_line --regexp '^OpenVPN, no crypto, no DCO +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$'
	run cat "$csv"
	assert_line 'path,mbit_s,ratio_direct,ratio_socat,rtt_ms'
	assert_line --regexp '^step4,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+$'
	assert_line --regexp '^fast,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+$'
	run leftovers '^bench'
	assert_output "$before"
}
