/* SPDX-License-Identifier: MIT */
/*
 * test_vpn: vpn_signals() ends a loop even when the stop request lands
 * between the loop's test of vpn_stop and the call that blocks: the lost
 * wake-up of "while (!vpn_stop) pause();", the templates' placeholder.
 * The loop runs in a child, so that a loop that never ends is a failure
 * here, not a test that hangs.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "vpn.h"

static void stop_between_test_and_pause(void)
{
	int loops = 0;

	vpn_signals();
	while (!vpn_stop) {
		if (loops++ == 0)
			raise(SIGTERM);	/* after the test, before the call */
		pause();
	}
	_exit(loops == 1 ? 0 : 1);
}

int main(void)
{
	const struct timespec tick = { 0, 50 * 1000 * 1000 };
	int status = -1, i;
	pid_t pid;

	pid = fork();
	if (pid == -1)
		return 1;
	if (pid == 0)
		stop_between_test_and_pause();
	for (i = 0; i < 50 && waitpid(pid, &status, WNOHANG) == 0; i++)
		nanosleep(&tick, NULL);	/* 2.5 s at most */
	if (i == 50) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "a SIGTERM between the loop's test and pause() still ends the loop, within 2.5 s");
	return tap_done();
}
