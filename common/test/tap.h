/* SPDX-License-Identifier: MIT */
/*
 * tap: the unit tests' output, in the Test Anything Protocol that
 * grading/run-tests counts: "ok N - name" or "not ok N - name" per check,
 * and tap_done() for the plan line and the exit status.
 */
#ifndef VPNLAB_TAP_H
#define VPNLAB_TAP_H

#include <stdio.h>

static int tap_tests, tap_failures;

/* One check: print its line; remember a failure. */
static inline void ok(int cond, const char *name)
{
	tap_tests++;
	if (!cond)
		tap_failures++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_tests, name);
}

/* The plan line; main() returns this: 0 if every check passed. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_tests);
	return tap_failures != 0;
}

#endif
