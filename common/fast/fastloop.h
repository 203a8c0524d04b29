/* SPDX-License-Identifier: MIT */
/*
 * fastloop: the Step 4 programs' --fast mode, whole.  The same tunnel as
 * the step files' select() loops, on the same wire format, but on a TUN
 * device with offloads and a socket with UDP GSO and GRO (common/fast/fast.h):
 * a few large operations where the plain loop makes one system call per
 * packet.  A step program hands over to it with one call, before it opens
 * anything, so that nothing of this shapes the loop a student writes.
 * Where the kernel lacks a feature, one log line says so and the loop does
 * without it.
 */
#ifndef VPNLAB_FASTLOOP_H
#define VPNLAB_FASTLOOP_H

#include "opt.h"

/* Step 4's client with options o, until SIGINT or SIGTERM; exit status. */
int fast_client(const struct opts *o);

/* Step 4's server with options o (and its -A networks); exit status. */
int fast_server(const struct opts *o);

#endif
