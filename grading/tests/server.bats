#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A course server: many students on one Linux machine at once, each with a
# rootless lab of their own, made from the handout tarball.  Set up as the
# README says (home folders 0700, /proc with hidepid=invisible, /dev/net/tun
# 0666), eight normal users at the same time bring up their labs, run the
# tunnel and self-grade a step; none can see or change another's lab,
# processes, files or results.  Prints the lab start times and the memory
# a lab takes at that load (grading/README.md's figures).

load kit

N=${SERVER_STUDENTS:-8}

setup() {
	STUDENTS=()
	for ((i = 1; i <= N; i++)); do STUDENTS+=("vpnlab-s$i"); done
	proc_opts=$(awk '$2 == "/proc" { print $4; exit }' /proc/mounts)
	tun_mode=$(stat -c %a /dev/net/tun)
}

teardown() {
	local u
	for u in "${STUDENTS[@]}"; do
		id "$u" >/dev/null 2>&1 || continue
		pkill -KILL -u "$u" 2>/dev/null || true
	done
	for u in "${STUDENTS[@]}"; do
		id "$u" >/dev/null 2>&1 || continue
		rm -rf "/tmp/vpnlab-lab-$(id -u "$u")"
		userdel -r "$u" >/dev/null 2>&1 || true
	done
	[[ $proc_opts == *hidepid=invisible* || $proc_opts == *hidepid=2* ]] ||
		mount -o remount,hidepid=off /proc
	chmod "$tun_mode" /dev/net/tun
}

# as USER COMMAND: a login shell of USER runs COMMAND, in their kit.
as() { su - "$1" -c "cd vpnlab-handout && $2"; }

# The holder pid of USER's lab (as common/lab holder tells them).
holder_of() { as "$1" 'common/lab holder' | head -n 1; }

@test "course server: $N students at once, each in a lab of their own: up, tunnel, self-grade; none reaches another's" {
	local dist=$BATS_TEST_TMPDIR/dist u v i start avail0 avail1 t pid
	"$KIT/grading/handout" "$dist" >/dev/null
	# The machine, as grading/README.md sets it up.
	chmod 0666 /dev/net/tun
	mount -o remount,hidepid=invisible /proc
	for u in "${STUDENTS[@]}"; do
		useradd -m -K HOME_MODE=0700 -s /bin/bash "$u"
		tar -C "/home/$u" -xzf "$dist/vpnlab-handout.tar.gz"
		# Their work, done: the reference's programs in their templates.
		for d in step1-tun step2-udp step3-server step4-bidir; do
			cp "$KIT/$d"/*.c "/home/$u/vpnlab-handout/$d/"
		done
		chown -R "$u:" "/home/$u/vpnlab-handout"
		as "$u" 'make -s >/dev/null 2>&1' || fail "$u: make failed"
	done

	# All of them bring their labs up at once.
	avail0=$(awk '/^MemAvailable/ { print $2 }' /proc/meminfo)
	for u in "${STUDENTS[@]}"; do
		as "$u" 's=$(date +%s%N); common/lab up >/dev/null && echo $((($(date +%s%N) - s) / 1000000))' \
			>"$BATS_TEST_TMPDIR/up-$u" 2>&1 &
	done
	wait
	avail1=$(awk '/^MemAvailable/ { print $2 }' /proc/meminfo)
	for u in "${STUDENTS[@]}"; do
		[[ $(<"$BATS_TEST_TMPDIR/up-$u") =~ ^[0-9]+$ ]] || fail "$u: lab up: $(<"$BATS_TEST_TMPDIR/up-$u")"
	done
	echo "# lab up, $N at once: $(cat "$BATS_TEST_TMPDIR"/up-* | sort -n | paste -sd' ') ms;" \
		"memory per lab: $(((avail0 - avail1) / N / 1024)) MB" >&3

	# None reaches another's: processes, files, lab state, namespaces.
	for ((i = 0; i < N; i++)); do
		u=${STUDENTS[i]} v=${STUDENTS[(i + 1) % N]}
		pid=$(holder_of "$v")
		run as "$u" 'ps -e -o user= | sort -u'
		assert_output "$u"
		run as "$u" "ls /home/$v"
		assert_failure
		run as "$u" "ls /tmp/vpnlab-lab-$(id -u "$v")"
		assert_failure
		run as "$u" "kill -0 $pid || nsenter -t $pid -U -n true || nsenter --user=/proc/$pid/ns/user true"
		assert_failure
		run as "$u" "LAB_STATE=/tmp/vpnlab-lab-$(id -u "$v") common/lab useru true"
		assert_failure
		run as "$u" "common/lab status"
		assert_success
		assert_line --regexp '^useru +lan0'
	done

	# A grade's work tree is its owner's alone, while it runs.
	u=${STUDENTS[0]} v=${STUDENTS[1]}
	as "$u" 'make grade STEP=0 >/dev/null 2>&1' &
	local grader=$! work=""
	for i in $(seq 100); do
		work=$(find /tmp -maxdepth 1 -name 'vpnlab-grade.*' -user "$u" | head -n 1)
		[[ -n $work ]] && break
		sleep 0.1
	done
	[[ -n $work ]] || fail "no work tree of $u's grade appeared"
	run as "$v" "ls $work; cat $work/ref/step1-tun/tun.c"
	assert_failure
	refute_output --partial 'include'
	wait "$grader"

	# All at once: the tunnel, and a self-grade.
	start=$SECONDS
	for u in "${STUDENTS[@]}"; do
		as "$u" 'common/lab server sysctl -qw net.ipv4.ip_forward=1
			common/lab userv ip route add 10.1.3.0/24 via 10.1.1.4
			(common/lab server step4-bidir/tun_server >/dev/null 2>&1 &)
			(common/lab useru step4-bidir/tun_client >/dev/null 2>&1 &)
			for i in $(seq 50); do common/lab useru ip route add 10.1.1.0/24 dev tun0 2>/dev/null && break; sleep 0.2; done
			common/lab useru ping -c3 -W2 userv | grep transmitted
			make grade STEP=1 >grade.txt 2>&1; grep -E "^Score" grade.txt
			common/lab down' >"$BATS_TEST_TMPDIR/run-$u" 2>&1 &
	done
	wait
	t=$((SECONDS - start))
	for u in "${STUDENTS[@]}"; do
		run cat "$BATS_TEST_TMPDIR/run-$u"
		assert_line --partial '3 packets transmitted, 3 received'
		grep -qxF "$(score 1)" "$BATS_TEST_TMPDIR/run-$u" ||
			fail "$u's self-grade: $(grep -E -A8 '^FAIL|^Score' "/home/$u/vpnlab-handout/grade.txt")"
	done
	echo "# tunnel and make grade STEP=1, $N students at once: ${t}s in all" >&3
	# Nothing of theirs is left.
	for u in "${STUDENTS[@]}"; do
		run ps -u "$u" -o pid=,stat=,args=
		refute_output --regexp '^ *[0-9]+ +[^Z]'
	done
}
