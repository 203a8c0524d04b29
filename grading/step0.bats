#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Graded: Step 0, the topology checks (no student code).

load lib

setup() { grade_start; }
teardown() { grade_stop; }

# bats test_tags=points:5
@test "step 0: useru and userv reach the server, one hop away" {
	run "$REF/step0-verify/verify.sh" -p "$PREFIX"
	assert_line --regexp '^PASS  useru: ping server '
	assert_line --regexp '^PASS  useru: traceroute server: one hop '
	assert_line --regexp '^PASS  userv: ping server '
	assert_line --regexp '^PASS  userv: traceroute server: one hop '
}

# bats test_tags=points:5
@test "step 0: useru and userv cannot reach each other: Host Unreachable from router" {
	run "$REF/step0-verify/verify.sh" -p "$PREFIX"
	assert_line --regexp '^PASS  useru: userv unreachable +From router \(192\.168\.1\.254\).*Destination Host Unreachable'
	assert_line --regexp '^PASS  userv: useru unreachable +From router \(192\.168\.1\.254\).*Destination Host Unreachable'
}
