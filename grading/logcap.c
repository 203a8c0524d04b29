/* SPDX-License-Identifier: MIT */
/*
 * logcap: keep the first part of what a program writes, and no more.
 *
 *   program 2>&1 | logcap FILE BYTES
 *
 * Copies standard input to FILE until BYTES have been written, then goes
 * on reading and throws the rest away, so that the program is never
 * blocked by a full pipe nor killed by SIGPIPE; at the end of its input it
 * adds one line to FILE saying how much was left out.  Each write reaches
 * FILE at once: the grader reads it while the program runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opt.h"

static void write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("logcap: write");
			exit(1);
		}
		buf += n;
		len -= (size_t)n;
	}
}

int main(int argc, char *argv[])
{
	char buf[65536], note[160];
	unsigned long long kept = 0, dropped = 0, max;
	size_t take;
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: logcap FILE BYTES\n");
		return 2;
	}
	max = (unsigned long long)opt_num(argv[2], 0, 1L << 40, "bytes");
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1) {
		fprintf(stderr, "logcap: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	while ((n = read(0, buf, sizeof(buf))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("logcap: read");
			return 1;
		}
		take = kept < max ? (size_t)(max - kept < (unsigned long long)n ?
					     max - kept : (unsigned long long)n) : 0;
		write_all(fd, buf, take);
		kept += take;
		dropped += (unsigned long long)n - take;
	}
	if (dropped) {
		snprintf(note, sizeof(note), "\n[logcap: %llu more bytes "
			 "after the first %llu were not kept]\n", dropped, max);
		write_all(fd, note, strlen(note));
	}
	return close(fd) == -1;
}
