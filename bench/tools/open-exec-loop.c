// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * open-exec-loop: time COUNT open()+close() of FILE, or COUNT fork+execve+waitpid of PROG, for
 * bench/file-bench. Every attempt must succeed: the benchmarked file and program are the ones a
 * policy leaves allowed, so a failure means the set-up is wrong and the timing is worthless.
 *
 *   open-exec-loop open COUNT FILE
 *   open-exec-loop exec COUNT PROG [ARG...]
 *
 * Prints one line, "op=open count=N elapsed_ns=N ns_per_op=N", and exits 0; on the first failed
 * attempt prints what failed and exits 1; exit 2 on a usage error.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COUNT_MAX 100000000ULL

extern char **environ;

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static int usage(void)
{
	fprintf(stderr, "usage: open-exec-loop open COUNT FILE\n"
			"       open-exec-loop exec COUNT PROG [ARG...]\n");
	return 2;
}

static int loop_open(unsigned long long count, const char *file)
{
	for (unsigned long long i = 0; i < count; i++) {
		int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);

		if (fd < 0) {
			fprintf(stderr, "open-exec-loop: open %s (attempt %llu): %s\n", file, i + 1,
				strerror(errno));
			return -1;
		}
		close(fd);
	}
	return 0;
}

/* The child's exit status is the test: 127 when execve failed (its errno on stderr). */
static int loop_exec(unsigned long long count, char **argv)
{
	for (unsigned long long i = 0; i < count; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "open-exec-loop: fork: %s\n", strerror(errno));
			return -1;
		}
		if (pid == 0) {
			execve(argv[0], argv, environ);
			fprintf(stderr, "open-exec-loop: execve %s: %s\n", argv[0],
				strerror(errno));
			_exit(127);
		}
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				fprintf(stderr, "open-exec-loop: waitpid: %s\n", strerror(errno));
				return -1;
			}
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr,
				"open-exec-loop: %s (attempt %llu) ended with status 0x%x\n",
				argv[0], i + 1, (unsigned)status);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long count, start, elapsed;
	char *end;
	int r;

	if (argc < 4)
		return usage();
	errno = 0;
	count = strtoull(argv[2], &end, 10);
	if (errno || *end || !count || count > COUNT_MAX) {
		fprintf(stderr, "open-exec-loop: COUNT must be 1..%llu, got '%s'\n", COUNT_MAX,
			argv[2]);
		return 2;
	}

	if (!strcmp(argv[1], "open")) {
		if (argc != 4)
			return usage();
		start = now_ns();
		r = loop_open(count, argv[3]);
	} else if (!strcmp(argv[1], "exec")) {
		start = now_ns();
		r = loop_exec(count, argv + 3);
	} else {
		return usage();
	}
	elapsed = now_ns() - start;
	if (r < 0)
		return 1;
	printf("op=%s count=%llu elapsed_ns=%llu ns_per_op=%llu\n", argv[1], count, elapsed,
	       elapsed / count);
	return 0;
}
