#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Least privilege: the lab, the demo and the grader work for a normal user
# without sudo, and under sudo a graded submission runs as nobody of this
# machine: root only inside its lab, unable to reach the host, the grader
# or other submissions, and gone when its test ends.

load kit

STUDENT=vpnlab-student
SQUATTER=vpnlab-squatter

setup() {
	export VPNLAB_GRADE_PREFIX="vgp$BATS_SUITE_TEST_NUMBER-$$-"
	export VPNLAB_GRADE_UID=$((3999000 + BATS_SUITE_TEST_NUMBER))	# ours alone
}

teardown() {
	local uid

	if uid=$(id -u "$STUDENT" 2>/dev/null); then
		pkill -KILL -u "$STUDENT" 2>/dev/null || true
		userdel -r "$STUDENT" >/dev/null 2>&1 || true
		rm -rf "/tmp/vpnlab-lab-$uid"	# the user's (empty) lab state
	fi
	if id "$SQUATTER" >/dev/null 2>&1; then
		pkill -KILL -u "$SQUATTER" 2>/dev/null || true
		userdel -r "$SQUATTER" >/dev/null 2>&1 || true
	fi
	true
}

# The processes of a user that are alive: not zombies, which the machine's
# init reaps in its own time (a lab's last process, its holder's parent,
# is init's child once "lab up" has returned).
alive_of() { ps -u "$1" -o stat=,pid=,args= 2>/dev/null | grep -v '^Z' || true; }

# A copy of the kit, as a clone would be: sources only.
clone_kit() {
	mkdir -p "$1"
	tar -C "$KIT" --exclude=./.git --exclude=./grading/out --exclude=./dist \
		--exclude='*.o' --exclude='*.d' --exclude='*.a' --exclude=.build-flags \
		-cf - . | tar -C "$1" -xf -
}

@test "privilege: a normal user, without sudo, runs make demo and grades Step 1 from their own clone" {
	useradd -m -s /bin/bash "$STUDENT"
	# As Debian, Ubuntu and Fedora ship it, and as make deps leaves it.
	chmod 0666 /dev/net/tun
	local home
	home=$(getent passwd "$STUDENT" | cut -d: -f6)
	clone_kit "$home/vpnlab"
	make -s -C "$home/vpnlab" clean >/dev/null
	chown -R "$STUDENT:" "$home/vpnlab"
	run su - "$STUDENT" -c 'cd vpnlab && make demo'
	assert_success
	assert_output --partial '3 packets transmitted, 3 received, 0% packet loss'
	assert_output --partial 'the tunnel works both ways'
	run su - "$STUDENT" -c 'cd vpnlab && make grade STEP=1'
	assert_success
	assert_line "$(score 1)"
	# Nothing of theirs is left running (and so no lab).
	run alive_of "$STUDENT"
	assert_output ""
}

@test "privilege: a user who makes another's lab state folder first blocks nothing: the other's lab comes up, runs and goes down" {
	useradd -m -s /bin/bash "$STUDENT"
	useradd -m -s /bin/bash "$SQUATTER"
	chmod 0666 /dev/net/tun
	local home uid
	home=$(getent passwd "$STUDENT" | cut -d: -f6)
	uid=$(id -u "$STUDENT")
	mkdir -p "$home/kit"
	tar -C "$KIT" --exclude=./.git -cf - common | tar -C "$home/kit" -xf -
	chown -R "$STUDENT:" "$home/kit"
	# The squatter makes the folder in /tmp where the student's lab would
	# keep its state, open to all, and the student's runtime folder
	# points there too.
	su - "$SQUATTER" -c "mkdir -m 777 /tmp/vpnlab-lab-$uid"
	run su - "$STUDENT" -c "XDG_RUNTIME_DIR=/tmp/vpnlab-lab-$uid kit/common/lab up"
	assert_success
	run su - "$STUDENT" -c 'kit/common/lab useru true && echo ran-on-useru'
	assert_success
	assert_line ran-on-useru
	# Nothing of the student's lab is in the squatter's folder; its state
	# is in a folder of the student's alone.
	run ls -A "/tmp/vpnlab-lab-$uid"
	assert_output ""
	run stat -c '%U %a' "$home/.cache/vpnlab-lab"
	assert_output "$STUDENT 700"
	# The squatter gives up: the lab is still found, and goes down.
	su - "$SQUATTER" -c "rmdir /tmp/vpnlab-lab-$uid"
	run su - "$STUDENT" -c 'kit/common/lab useru true && echo ran-on-useru'
	assert_line ran-on-useru
	run su - "$STUDENT" -c 'kit/common/lab down'
	assert_success
	run alive_of "$STUDENT"
	assert_output ""
}

# A submission whose tun.c does its job, and first tries everything a
# hostile student would as root of its lab.  None of it may reach the host.
hostile_tun() {
	local kit=$1 other=$2 marker=$3
	{
		echo '#include <stdlib.h>'
		echo '#include <unistd.h>'
		echo 'static void mischief(void) {'
		echo "	system(\"echo $marker > /var/tmp/$marker; echo $marker > /tmp/$marker\");"
		echo "	system(\"echo $marker > $kit/$marker; echo $marker > $kit/grading/$marker\");"
		echo "	system(\"for f in $kit/grading/out/*/results.json /tmp/vpnlab-grade.*/*/grading/step1.bats; do echo '{}' > \$f; done\");"
		echo "	system(\"cat $other/secret.txt; ls /home /root /srv /work\");"
		echo "	system(\"nsenter -t 1 -n ip link add $marker type veth peer name ${marker}b; ip link add ${marker}c type dummy\");"
		echo "	system(\"umount /tmp; umount -l /tmp; umount -l /home; mount -o remount,rw /run/vpnlab/sub; touch /run/vpnlab/sub/x && echo sub-was-writable; echo > /run/vpnlab/ro/lab-roles/base.bash && echo lab-was-writable\");"
		echo "	system(\"cat /proc/1/environ /proc/self/environ | tr '\\\\0' '\\\\n'\");"
		echo '	if (fork() == 0) { setsid(); for (;;) { if (fork() == 0) pause(); } }'
		echo '	if (fork() == 0) { setsid(); for (;;) pause(); }'
		echo '}'
		sed 's/^	log_init();$/	mischief();\n	log_init();/' "$KIT/step1-tun/tun.c"
	} >"$4"
}

@test "privilege: a hostile submission graded with sudo reaches nothing of the host, and scores as a good one" {
	local sub=$BATS_TEST_TMPDIR/hostile other=$BATS_TEST_TMPDIR/bob marker=vpnlabevil$$ out=$BATS_TEST_TMPDIR/out
	mkdir -p "$sub/step1-tun" "$other"
	echo "bob's secret 5c1f" >"$other/secret.txt"
	chmod -R a+rX "$BATS_TEST_TMPDIR"
	cp "$KIT/step1-tun/tun_ping.c" "$sub/step1-tun/"
	hostile_tun "$KIT" "$other" "$marker" "$sub/step1-tun/tun.c"
	local links_before procs_before
	links_before=$(ip -o link | awk -F': ' '{print $2}' | sort)
	run "$KIT/grading/grade" -s 1 -o "$out" "$sub"
	assert_line "$(score 1)"
	# No file outside its lab, not in the kit, not the grader's results.
	[ ! -e "/var/tmp/$marker" ]
	[ ! -e "/tmp/$marker" ]
	[ ! -e "$KIT/$marker" ]
	[ ! -e "$KIT/grading/$marker" ]
	run jq -e --argjson full "$(total 1)" '.score == $full' "$out/results.json"
	assert_success
	# No other submission read, no link in the machine's own network.
	run grep -rlE '5c1f|sub-was-writable|lab-was-writable|VPNLAB_' "$out"
	assert_failure
	[ "$(ip -o link | awk -F': ' '{print $2}' | sort)" = "$links_before" ]
	# Nothing left running, of the bomb or the daemon: the user id the
	# grader gave it owns no process.
	run alive_of "$VPNLAB_GRADE_UID"
	assert_output ""
	run leftovers "^$VPNLAB_GRADE_PREFIX|vpnlab-grade\.$VPNLAB_GRADE_PREFIX"
	assert_output ""
}

# The grader's own processes re-parented to the machine's init: a receiver
# (socat, head), a capture or a partner that outlived its test.
# (Zombies aside: init reaps them in its own time.)
orphans() {
	ps -eo ppid=,stat=,args= | awk '$1 == 1 && $2 !~ /^Z/' |
		grep -E 'TCP-LISTEN:5000|head -c [0-9]+$|pathcap|strace|socat' | sort || true
}

@test "privilege: a failing Step 4 grade leaves no process behind, graded as root and as a normal user" {
	local sub=$BATS_TEST_TMPDIR/sub home before
	mkdir -p "$sub"
	cp -r "$KIT/grading/tests/mistakes/base/." "$sub/"
	cp "$KIT/grading/tests/mistakes/small-buffer/step4-bidir/tun_server.c" "$sub/step4-bidir/"
	chmod -R a+rX "$BATS_TEST_TMPDIR"
	before=$(orphans)
	run "$KIT/grading/grade" -s 4 -o "$BATS_TEST_TMPDIR/out-root" "$sub"
	assert_line --regexp '^FAIL +0/3 +step 4: tun_server: TCP data crosses the tunnel'
	run alive_of "$VPNLAB_GRADE_UID"
	assert_output ""
	run orphans
	assert_output "$before"
	# The same, as a normal user grading from a clone of their own.
	useradd -m -s /bin/bash "$STUDENT"
	chmod 0666 /dev/net/tun
	home=$(getent passwd "$STUDENT" | cut -d: -f6)
	clone_kit "$home/vpnlab"
	make -s -C "$home/vpnlab" clean >/dev/null
	cp -r "$sub" "$home/sub"
	chown -R "$STUDENT:" "$home/vpnlab" "$home/sub"
	run su - "$STUDENT" -c "cd vpnlab && grading/grade -s 4 -o ~/out ~/sub"
	assert_line --regexp '^FAIL +0/3 +step 4: tun_server: TCP data crosses the tunnel'
	run alive_of "$STUDENT"
	assert_output ""
	run orphans
	assert_output "$before"
}
