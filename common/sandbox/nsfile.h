/* SPDX-License-Identifier: MIT */
/*
 * nsfile: a namespace file opened only if it is the one expected.  The
 * lab's namespace files lie inside the lab, where the lab's root could put
 * anything in their place; a tool of the grader's (nsjoin, memwatch) joins
 * one only if what opens there is a namespace file (nsfs) whose inode is
 * the one "lab up" recorded before any code of the lab's ran.
 */
#ifndef NSFILE_H
#define NSFILE_H

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

/* The namespace file at PATH, opened, if it is one with inode INODE; else
 * -1, with errno ESTALE where something else is there. */
static inline int nsfile_open(const char *path, unsigned long long inode)
{
	struct statfs fs;
	struct stat st;
	int fd, saved;

	/* No link followed, no FIFO waited on: nothing but nsfs passes. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1)
		return -1;
	if (fstatfs(fd, &fs) == -1 || fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (fs.f_type != NSFS_MAGIC || (unsigned long long)st.st_ino != inode) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

#endif
