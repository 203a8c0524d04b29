/* SPDX-License-Identifier: MIT */
/*
 * nsjoin: run a command in one host's network namespace of the lab, and in
 * nothing else of it: the way the grader's own tools (ping, ip, ss,
 * sysctl, its TCP ends) reach a host ("lab probe").
 *
 *   nsjoin [-u USERNS] NETNS INODE COMMAND [ARG...]
 *
 * NETNS is the path of the host's namespace file, which lies inside the
 * lab, where the lab's root could put anything in its place: it is joined
 * only if what opens there is a namespace file (nsfs) whose inode is INODE,
 * the one "lab up" recorded before any code of the lab's ran.  With -u,
 * the user namespace at USERNS is joined first (a caller who is not the
 * machine's root needs the lab's, which owns the host's network); the
 * caller's user id and files stay its own; it must be the one that owns
 * the host's network, or an ancestor of that one (the lab's owns each
 * host's), so that a stale path can never lend the caller another's.
 *
 * One process where "nsenter" after a shell's checks took several: the
 * grader runs this thousands of times per class.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nsfile.h"


static int usage(void)
{
	fprintf(stderr, "usage: nsjoin [-u userns] netns inode command [arg...]\n");
	return 2;
}

static int same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Whether the user namespace USERFD owns the network namespace NETFD, or
 * is an ancestor of the one that does (nesting is at most 32 deep). */
static int owns_net(int userfd, int netfd)
{
	int fd, parent, depth, found = 0;

	fd = ioctl(netfd, NS_GET_USERNS);
	for (depth = 0; fd != -1 && depth <= 32; depth++) {
		if ((found = same_file(fd, userfd)))
			break;
		parent = ioctl(fd, NS_GET_PARENT);	/* EPERM above our own */
		close(fd);
		fd = parent;
	}
	if (fd != -1)
		close(fd);
	return found;
}

int main(int argc, char *argv[])
{
	const char *userns = NULL;
	unsigned long long inode;
	int opt, netfd, userfd = -1;
	char *end;

	while ((opt = getopt(argc, argv, "+u:")) != -1) {
		if (opt != 'u')
			return usage();
		userns = optarg;
	}
	if (argc - optind < 3)
		return usage();
	errno = 0;
	inode = strtoull(argv[optind + 1], &end, 10);
	if (errno || *end || end == argv[optind + 1])
		return usage();

	/* Both opened before either is joined: after the first, paths
	 * resolve as that namespace's members see them. */
	if (userns && (userfd = open(userns, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "nsjoin: %s: %s\n", userns, strerror(errno));
		return 1;
	}
	netfd = nsfile_open(argv[optind], inode);
	if (netfd == -1) {
		fprintf(stderr, "nsjoin: %s: %s\n", argv[optind],
			errno == ESTALE ? "not the lab's namespace any more" : strerror(errno));
		return 1;
	}
	if (userfd != -1 && !owns_net(userfd, netfd)) {
		fprintf(stderr, "nsjoin: %s does not own %s\n", userns, argv[optind]);
		return 1;
	}
	if (userfd != -1 && setns(userfd, CLONE_NEWUSER) == -1) {
		fprintf(stderr, "nsjoin: setns(%s): %s\n", userns, strerror(errno));
		return 1;
	}
	if (setns(netfd, CLONE_NEWNET) == -1) {
		fprintf(stderr, "nsjoin: setns(%s): %s\n", argv[optind], strerror(errno));
		return 1;
	}
	execvp(argv[optind + 2], argv + optind + 2);
	fprintf(stderr, "nsjoin: %s: %s\n", argv[optind + 2], strerror(errno));
	return 127;
}
