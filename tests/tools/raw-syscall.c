// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * raw-syscall NR [ARG...]: makes system call NR with up to six 64-bit arguments exactly as given
 * (decimal, 0x hex, or negative), and prints the errno it failed with, or 0. Static, so that it
 * also runs inside a busybox container; for checks of what a seccomp filter compares.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long a[7] = { 0 };
	long r;

	if (argc < 2 || argc > 8) {
		fprintf(stderr, "usage: %s NR [ARG...] (at most six arguments)\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		char *end;

		errno = 0;
		a[i - 1] = argv[i][0] == '-' ? (unsigned long)strtoll(argv[i], &end, 0)
					     : strtoull(argv[i], &end, 0);
		if (errno || *end || end == argv[i]) {
			fprintf(stderr, "%s: not a number: '%s'\n", argv[0], argv[i]);
			return 2;
		}
	}
	errno = 0;
	r = syscall((long)a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
	printf("%d\n", r == -1 ? errno : 0);
	return 0;
}
