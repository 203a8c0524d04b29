#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The build: a copied step builds as it is; programs fail cleanly on misuse.

load kit

teardown() { rm -rf "${COPY:?}"; }

@test "build: cp -r step1-tun my-step2 && make -C my-step2 builds the copy" {
	# Beside a copy of common/, as in the kit: the kit's own build, which
	# the other tests run, stays as run-tests made it.
	local kit=$BATS_TEST_TMPDIR/kit
	mkdir "$kit"
	cp -r "$KIT/common" "$kit/common"
	make -s -C "$kit/common" clean >/dev/null
	COPY=$kit/my-step2
	cp -r "$KIT/step1-tun" "$COPY"
	rm -f "$COPY"/tun "$COPY"/tun_ping "$COPY"/*.o
	run make -C "$COPY"
	assert_success
	[ -x "$COPY/tun" ]
	[ -x "$COPY/tun_ping" ]
	run "$COPY/tun" -h
	assert_output --regexp '^usage: tun '
}

@test "build: a step builds against common/ given by COMMON, from anywhere" {
	COPY=$BATS_TEST_TMPDIR/elsewhere
	cp -r "$KIT/step2-udp" "$COPY"
	rm -f "$COPY"/tun_client "$COPY"/tun_udp_server "$COPY"/*.o
	run make -C "$COPY" COMMON="$KIT/common"
	assert_success
	[ -x "$COPY/tun_client" ]
}
