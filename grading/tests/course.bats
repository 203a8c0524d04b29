#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The course around the code: the handout's questions in REPORT.md, make
# submit, archives in (safely), and the pages a student and an instructor
# look at (report.html, class.html), checked in a real headless browser.

load kit

GRADE=$KIT/grading/grade
HANDOUT_MD=$KIT/../shared/reference/vpn-tunneling-lab-handout.md

setup() {
	export VPNLAB_GRADE_PREFIX="vgc$BATS_SUITE_TEST_NUMBER-$$-"
}

# A submission folder of the kit's own step programs, with REPORT.md.
make_report_submission() {
	make_submission "$1"
	cp "$KIT/REPORT.md" "$1/"
}

# The handout's questions, one per line: its quoted lines, joined per
# quote, and Step 4's request, which it writes as a paragraph.
handout_questions() {
	awk '
	/^> / { q = q (q ? " " : "") substr($0, 3); inq = 1; next }
	inq && /^[ \t]*$/ { print q; q = ""; inq = 0; next }
	inq { q = q " " $0; next }
	/ To show$/ { p = 1; s = "To show"; next }
	p && /^[ \t]*$/ { if (s) print s; p = 0; s = ""; next }
	p { line = $0; sub(/^- /, "", line); s = s (s ? " " : "") line }
	END { if (q) print q; if (s) print s }' "$HANDOUT_MD" | sed 's/  */ /g; s/ *$//'
}

report_questions() {
	awk '
	/^> / { q = q (q ? " " : "") substr($0, 3); next }
	q { print q; q = "" }' "$1" | sed 's/^- //; s/ - / /g; s/  */ /g; s/ *$//'
}

@test "course: REPORT.md holds every question of the handout, word for word, in order" {
	[[ -f $HANDOUT_MD ]] || skip "the handout (../shared/reference) is not beside the kit"
	local want got
	want=$(handout_questions | sed 's/ - / /g')
	got=$(report_questions "$KIT/REPORT.md" | grep -v '^Submit your report')
	[ "$(wc -l <<<"$want")" -ge 7 ]		# the check has teeth
	[ "$want" = "$got" ] || fail "$(diff <(echo "$want") <(echo "$got"))"
	# And the handout ships it.
	"$KIT/grading/handout" "$BATS_TEST_TMPDIR/dist" >/dev/null
	cmp "$KIT/REPORT.md" "$BATS_TEST_TMPDIR/dist/vpnlab-handout/REPORT.md"
}

@test "course: answered questions are told from unanswered ones, and score only when the instructor says" {
	local sub=$BATS_TEST_TMPDIR/sub
	make_report_submission "$sub"
	# Q1.1 answered, Q1.2 a few words only, Q1.3 left as the template has it.
	awk '/^### Q1.1/ { a = 1 } /^### Q1.2/ { b = 1 }
	/^_Your answer here._$/ && a == 1 { print "The echo request shows up in the output of tun, once per ping."; a = 2; next }
	/^_Your answer here._$/ && b == 1 { print "Yes, I see."; b = 2; next }
	{ print }' "$KIT/REPORT.md" >"$sub/REPORT.md"
	run "$KIT/grading/answers" "$KIT/REPORT.md" "$sub/REPORT.md"
	assert_line --partial '"id": "Q1.1", "step": 1'
	[ "$(grep -c '"answered": true' <<<"$output")" -eq 1 ]
	run "$GRADE" -s 1 -o "$BATS_TEST_TMPDIR/out" "$sub"
	assert_line 'Report, step 1: Q1.1 (Q1.2) (Q1.3) '
	assert_line "$(score 1)"	# no points by default
	run "$GRADE" -s 1 -r 2 -o "$BATS_TEST_TMPDIR/out2" "$sub"
	assert_line "Score: $(($(total 1) + 2))/$(($(total 1) + 6))"	# (-r 2: Q1.1's 2 of 3 questions' 6)
	run jq -r '.tests[] | select(.name | startswith("report: Q1.")) | "\(.number) \(.status) \(.tags | join(","))"' "$BATS_TEST_TMPDIR/out2/results.json"
	assert_output $'Q1.1 passed step 1,report\nQ1.2 failed step 1,report\nQ1.3 failed step 1,report'
	# Worth no points, a question is no failure: no status, for Gradescope
	# (which draws "failed" red), and skipped in junit.xml when unanswered.
	run jq -r '.tests[] | select(.name | startswith("report: Q1.")) | "\(.status) \(.output)"' "$BATS_TEST_TMPDIR/out/results.json"
	assert_output $'null answered: 6 words\nnull no answer in REPORT.md (worth no points)\nnull no answer in REPORT.md (worth no points)'
	# Named for the question, whatever the answer; the output says which.
	run jq -r '.tests[] | select(.name | startswith("report: Q1.")) | .name' "$BATS_TEST_TMPDIR/out/results.json"
	assert_line --regexp '^report: Q1\.2: .'
	refute_output --partial 'answered'
	run grep -c '<skipped' "$BATS_TEST_TMPDIR/out/junit.xml"
	assert_output 2
	run grep -c '<failure' "$BATS_TEST_TMPDIR/out/junit.xml"
	assert_output 0
	# An empty report answers nothing.
	run "$KIT/grading/answers" "$KIT/REPORT.md" /dev/null
	[ "$(grep -c '"answered": false' <<<"$output")" -eq "$(grep -c '^### Q' "$KIT/REPORT.md")" ]
}

@test "course: a submission without REPORT.md is told so, not that its answers are missing" {
	local sub=$BATS_TEST_TMPDIR/sub
	mkdir -p "$sub/step1-tun"
	run "$GRADE" -s 1 -o "$BATS_TEST_TMPDIR/out" "$sub"
	assert_line 'Report, step 1: (Q1.1) (Q1.2) (Q1.3) '
	assert_line '  (in parentheses: no REPORT.md in the submission)'
	run jq -r '[.tests[] | select(.name | startswith("report: Q1.")) | .output] | unique[]' "$BATS_TEST_TMPDIR/out/results.json"
	assert_output 'no REPORT.md in the submission (worth no points)'
}

@test "course: a class's grades in grading/out leave grading/out/latest as it was: never a link to nothing" {
	local out=$KIT/grading/out latest before="" class
	class=$out/c27-latest-$$
	mkdir -p "$BATS_TEST_TMPDIR/subs/carol-vpnlab"
	[[ -L $out/latest ]] && before=$(readlink "$out/latest")
	run "$KIT/grading/grade-all" -s 0 -o "$class" "$BATS_TEST_TMPDIR/subs"
	rm -rf "$class"
	assert_line "carol-vpnlab$(csv_scores 0)"
	# (Another test's own grade may move it meanwhile: to a folder.)
	if [[ -L $out/latest ]]; then
		latest=$(readlink "$out/latest")
		[[ $latest == "$before" || -d $out/$latest ]] || fail "latest points at $latest, not a folder"
		[[ $latest != carol-vpnlab ]]
	fi
}

@test "course: filler is not an answer: a a a a a, one word five times, the question copied; a real short answer is" {
	local report=$BATS_TEST_TMPDIR/REPORT.md
	awk '/^### Q/ { q = $2 }
	/^_Your answer here._$/ {
		if (q == "Q1.1") print "a a a a a a a a a a"
		else if (q == "Q1.2") print "ping ping ping ping ping. Ping ping!"
		else if (q == "Q2.1") print "What do you notice at the server end? Why? Submit a screenshot and explanation of the output at the server and the useru machines."
		else if (q == "Q2.2") print "No: the ping goes to tun0, which nobody reads yet."
		else print
		next
	}
	{ print }' "$KIT/REPORT.md" >"$report"
	run "$KIT/grading/answers" "$KIT/REPORT.md" "$report"
	assert_success
	run jq -r 'select(.answered) | .id' <<<"$output"
	assert_output Q2.2
}

@test "course: make submit packs what the grader reads, and the archive grades as the folder does" {
	local copy=$BATS_TEST_TMPDIR/kit
	"$KIT/grading/handout" "$BATS_TEST_TMPDIR/dist" >/dev/null
	copy=$BATS_TEST_TMPDIR/dist/vpnlab-handout
	cp "$KIT"/step1-tun/*.c "$copy/step1-tun/"	# step 1 done
	# A program missing: refused, with the reason.
	mv "$copy/step2-udp/tun_client.c" "$BATS_TEST_TMPDIR/"
	run make -s -C "$copy" submit NAME="Ana María López"
	assert_failure
	assert_output --partial 'step2-udp/tun_client.c is missing'
	mv "$BATS_TEST_TMPDIR/tun_client.c" "$copy/step2-udp/"
	run make -s -C "$copy" submit NAME="Ana María López"
	assert_success
	assert_output --partial 'step1-tun/tun.c'
	assert_output --partial 'REPORT.md'
	local archive=$copy/ana-mar-a-l-pez-vpnlab.tar.gz
	[ -f "$archive" ]
	run tar -tzf "$archive"
	refute_output --partial 'Makefile'
	refute_output --partial 'common/'
	run "$GRADE" -s 1 -o "$BATS_TEST_TMPDIR/a" "$archive"
	assert_line "$(score 1)"
	run "$GRADE" -s 1 -o "$BATS_TEST_TMPDIR/f" "$copy"
	assert_line "$(score 1)"
}

@test "course: a .zip, a .tar.gz and an archive one folder deeper grade alike" {
	local sub=$BATS_TEST_TMPDIR/alice
	make_report_submission "$sub"
	(cd "$sub" && zip -qr "$BATS_TEST_TMPDIR/flat.zip" .)
	(cd "$BATS_TEST_TMPDIR" && zip -qr deep.zip alice && tar -czf deep.tar.gz alice)
	local a
	for a in flat.zip deep.zip deep.tar.gz; do
		run "$GRADE" -s 1 -o "$BATS_TEST_TMPDIR/out-$a" "$BATS_TEST_TMPDIR/$a"
		assert_line "$(score 1)"
	done
}

@test "course: a hostile archive is refused with one line, nothing written outside, and the class run goes on" {
	local d=$BATS_TEST_TMPDIR subs=$BATS_TEST_TMPDIR/subs
	mkdir -p "$subs" "$d/x"
	# ../ paths: a member that would land beside the work folder.
	python3 -c '
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    data = b"owned\n"
    i = tarfile.TarInfo("step1-tun/../../../../../../tmp/vpnlab-escaped-'"$$"'")
    i.size = len(data)
    t.addfile(i, io.BytesIO(data))' "$subs/mallory.tar.gz"
	# A link to a file of the instructor's.
	ln -s /etc/passwd "$d/x/REPORT.md"
	tar -C "$d/x" -czf "$subs/trudy.tar.gz" REPORT.md
	# A 1 GB sparse file: tiny compressed, huge unpacked.
	truncate -s 1G "$d/x/big.c"
	tar -C "$d/x" -cSzf "$subs/eve.tar.gz" big.c
	rm -f "$d/x/big.c"
	make_report_submission "$subs/alice"
	run "$KIT/grading/grade-all" -s 1 -o "$d/class" "$subs"
	assert_success
	assert_line --regexp '^mallory,+0,archive refused: a path outside the archive'
	assert_line --regexp '^trudy,+0,archive refused: a link'
	assert_line --regexp '^eve,+0,archive refused: a file over 1 MB'
	assert_line "alice$(csv_scores 1)"
	[ ! -e "/tmp/vpnlab-escaped-$$" ]
	run grep -rl 'root:x:0' "$d/class"
	assert_failure
}

@test "course: a class's records survive any name: a row and a folder each, told apart, no newline, no formula, never the class's own files" {
	local subs=$BATS_TEST_TMPDIR/subs class=$BATS_TEST_TMPDIR/class name
	mkdir -p "$subs/mallory"$'\n'"alice" "$subs/-2+3" "$subs/Zoë" "$subs/Zoé" \
		"$subs/class.html" "$BATS_TEST_TMPDIR/x"
	cp "$KIT/REPORT.md" "$BATS_TEST_TMPDIR/x/"
	tar -C "$BATS_TEST_TMPDIR/x" -czf "$subs/grades.csv.tar.gz" REPORT.md
	run "$KIT/grading/grade-all" -j 2 -s 0 -o "$class" "$subs"
	assert_success
	for name in 'mallory%0Aalice' '%2D2+3' 'Zo%C3%AB' 'Zo%C3%A9' 'grades.csv~2' 'class.html~2'; do
		assert_line "$name$(csv_scores 0)"
		[ -f "$class/$name/results.json" ] || fail "no folder $name"
	done
	# One row per entry, a cell each for the name, each step, the total
	# and the note; none a formula, no control byte.
	[ "$(wc -l <"$class/grades.csv")" -eq 7 ]
	run grep -c $'[\x01-\x08\x0b-\x1f\x7f]' "$class/grades.csv"
	assert_output 0
	run python3 -c '
import csv, sys
for row in csv.reader(open(sys.argv[1], newline="")):
    assert len(row) == int(sys.argv[2]) + 3, row
    assert not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") for c in row), row
print("ok")' "$class/grades.csv" "${#STEP_NUMBERS[@]}"
	assert_output ok
	# The class's own files are files, the class page lists every one.
	[ -f "$class/grades.csv" ] && [ -f "$class/class.html" ]
	grep -q '6 student(s), 6 graded' "$class/class.html"
}

chromium_page() {	# chromium_page URL [extra flags]: headless, no network
	local url=$1
	shift
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$BATS_TEST_TMPDIR/chrome" "$@" "$url" 2>/dev/null
}

@test "course: report.html and the class page open in a real browser; a broken variant's hop is red where its packet stopped" {
	command -v chromium >/dev/null || skip "chromium is not installed (make deps)"
	local subs=$BATS_TEST_TMPDIR/subs class=$BATS_TEST_TMPDIR/class
	make_report_submission "$subs/alice"
	make_report_submission "$subs/bob"
	patch -s -d "$subs/bob" -p1 <"$KIT/grading/tests/variants/step3-no-tun-write.patch"
	run "$KIT/grading/grade-all" -s 3 -o "$class" "$subs"
	assert_line "alice$(csv_scores 3)"
	assert_line "bob$(csv_scores 3:0)"
	[ -f "$class/class.html" ]
	[ -f "$class/bob/report.html" ]
	# What a student sees: the packet crossed lan0 in UDP, and stopped
	# before the server's tun0.
	run chromium_page "file://$class/bob/report.html" --dump-dom
	assert_output --regexp 'data-hop="server:tun0"[^>]*data-state="fail"|data-state="fail"[^>]*data-hop="server:tun0"'
	assert_output --regexp 'data-hop="server:lan0"[^>]*data-state="ok"|data-state="ok"[^>]*data-hop="server:lan0"'
	run chromium_page "file://$class/alice/report.html" --dump-dom
	refute_output --partial 'data-state="fail"'
	run chromium_page "file://$class/class.html" --dump-dom
	assert_output --partial 'alice'
	assert_output --partial 'bob'
	# Screenshots, kept as the test's evidence.
	local shots=$KIT/grading/out/screenshots
	mkdir -p "$shots"
	chromium_page "file://$class/bob/report.html" --screenshot="$shots/report-bob.png" --window-size=1280,2400 >/dev/null
	chromium_page "file://$class/class.html" --screenshot="$shots/class.png" --window-size=1280,1200 >/dev/null
	[ -s "$shots/report-bob.png" ]
	[ -s "$shots/class.png" ]
}

@test "course: a test's visibility in results.json comes from its bats file, else from -v" {
	local copy=$BATS_TEST_TMPDIR/kit
	mkdir -p "$copy"
	tar -C "$KIT" --exclude=./.git --exclude=./grading/out --exclude=./dist -cf - . | tar -C "$copy" -xf -
	# One tag more on the test's tags line (the line above it).
	sed -i '/^# bats test_tags=/{N;s/^\(# bats test_tags=[^\n]*\)\(\n@test "step 0: useru and userv cannot reach\)/\1, visibility:after_due_date\2/}' "$copy/grading/step0.bats"
	grep -qx '# bats test_tags=points:5, visibility:after_due_date' "$copy/grading/step0.bats"
	run "$copy/grading/grade" -s 0 -v hidden -o "$BATS_TEST_TMPDIR/out"
	assert_line "$(score 0)"
	run jq -r '.tests[] | .visibility' "$BATS_TEST_TMPDIR/out/results.json"
	assert_output $'hidden\nafter_due_date'
	# grade prints every test: its stdout is no more visible than they are.
	run jq -r '.stdout_visibility' "$BATS_TEST_TMPDIR/out/results.json"
	assert_output hidden
	run "$copy/grading/grade" -s 0 -o "$BATS_TEST_TMPDIR/out"
	run jq -r '[.tests[].visibility, .stdout_visibility] | join(" ")' "$BATS_TEST_TMPDIR/out/results.json"
	assert_output 'visible after_due_date after_due_date'
}
