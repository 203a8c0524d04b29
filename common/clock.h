/* SPDX-License-Identifier: MIT */
/*
 * clock: milliseconds on the monotonic clock, for the timeouts of common/
 * (tenths of seconds and more).  The coarse clock is read in user space
 * without reading a timer, cheap enough for every packet of the fast path;
 * it moves once per kernel tick (1 to 10 ms), which these timeouts allow.
 */
#ifndef VPNLAB_CLOCK_H
#define VPNLAB_CLOCK_H

#include <time.h>

static inline long clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
