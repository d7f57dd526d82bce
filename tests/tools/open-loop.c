// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * open-loop: open (and close) files as fast as possible, for load, flood and benchmark tests.
 *   open-loop [-n COUNT] [-t SECONDS] FILE...
 * Opens FILE... in turn until COUNT opens or SECONDS have passed; prints one line per file,
 * "FILE ok=N eperm=N other=N", then "total=N elapsed_ns=N ns_per_open=N".
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long long count = 0, total = 0, start, deadline = 0, elapsed;
	unsigned long long *ok, *eperm, *other;
	int c, nfiles;

	while ((c = getopt(argc, argv, "n:t:")) >= 0) {
		switch (c) {
		case 'n':
			count = strtoull(optarg, NULL, 10);
			break;
		case 't':
			deadline = (unsigned long long)(atof(optarg) * 1e9);
			break;
		default:
			fprintf(stderr, "usage: open-loop [-n COUNT] [-t SECONDS] FILE...\n");
			return 2;
		}
	}
	nfiles = argc - optind;
	if (nfiles < 1 || (!count && !deadline)) {
		fprintf(stderr, "usage: open-loop [-n COUNT] [-t SECONDS] FILE...\n");
		return 2;
	}
	ok = calloc(nfiles, sizeof(*ok));
	eperm = calloc(nfiles, sizeof(*eperm));
	other = calloc(nfiles, sizeof(*other));
	if (!ok || !eperm || !other)
		return 1;

	start = now_ns();
	for (;;) {
		for (int i = 0; i < nfiles; i++) {
			int fd = open(argv[optind + i], O_RDONLY | O_CLOEXEC);

			if (fd >= 0) {
				close(fd);
				ok[i]++;
			} else if (errno == EPERM) {
				eperm[i]++;
			} else {
				other[i]++;
			}
			total++;
			if (count && total >= count)
				goto done;
		}
		/* Look at the clock every few hundred opens only: it costs more than an open. */
		if (deadline && total % 256 < (unsigned)nfiles && now_ns() - start >= deadline)
			break;
	}
done:
	elapsed = now_ns() - start;
	for (int i = 0; i < nfiles; i++)
		printf("%s ok=%llu eperm=%llu other=%llu\n", argv[optind + i], ok[i], eperm[i],
		       other[i]);
	printf("total=%llu elapsed_ns=%llu ns_per_open=%llu\n", total, elapsed,
	       total ? elapsed / total : 0);
	return 0;
}
