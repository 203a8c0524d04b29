#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The build: a copied step builds as it is; programs fail cleanly on misuse.

load kit

teardown() { rm -rf "${COPY:-}"; }

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

# A step's Makefile builds the programs common/steps names: the grader
# builds and runs those, and a program the Makefile lacks would be built
# without the library.
@test "build: each step's Makefile builds the programs common/steps names for it" {
	local dir progs
	for dir in "${STEPS_DIRS[@]}"; do
		progs=$(printf 'print-progs:\n\t@echo $(PROGS)\n' |
			make -s --no-print-directory -C "$KIT/$dir" -f Makefile -f - print-progs)
		[[ $progs == "${PROGRAMS[$dir]}" ]] ||
			fail "$dir/Makefile builds '$progs'; common/steps says '${PROGRAMS[$dir]}'"
	done
}

# .gitignore is the one list of what the kit builds: grade leaves what it
# names out of its copies (a program of the kit in one would be graded as
# a student's), so a build must make nothing it does not name.
@test "build: everything a build of the kit makes is in its .gitignore" {
	local copy=$BATS_TEST_TMPDIR/kit
	mkdir -p "$copy"
	git -C "$KIT" ls-files -z | (cd "$KIT" && tar --null -T - -cf -) | tar -C "$copy" -xf -
	[ -f "$copy/.gitignore" ]
	git -C "$copy" init -q
	git -C "$copy" add -A
	make -s -C "$copy" all >/dev/null 2>&1
	make -s -C "$copy/common" all >/dev/null 2>&1
	make -s -C "$copy/grading" >/dev/null 2>&1
	[ -x "$copy/step1-tun/tun" ] && [ -x "$copy/grading/pathcap" ] && [ -x "$copy/common/sandbox/nsjoin" ]
	run git -C "$copy" ls-files --others --exclude-standard
	assert_output ''
	# And it has teeth: a file a build would make, not in the list.
	touch "$copy/common/newtool"
	run git -C "$copy" ls-files --others --exclude-standard
	assert_output common/newtool
	# A new step's programs need no line (a step's file with no dot in
	# its name is a program); its sources, pages and folders are kept.
	mkdir -p "$copy/step9-new/sub"
	touch "$copy/step9-new/prog" "$copy/step9-new/prog.c" "$copy/step9-new/prog.o" \
		"$copy/step9-new/Makefile" "$copy/step9-new/README.md" "$copy/step9-new/sub/x"
	run git -C "$copy" ls-files --others --exclude-standard step9-new
	assert_output $'step9-new/Makefile\nstep9-new/README.md\nstep9-new/prog.c\nstep9-new/sub/x'
}
