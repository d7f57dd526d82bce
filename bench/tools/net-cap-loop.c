// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net-cap-loop: time COUNT connect()+close() to a listener of its own on 127.0.0.1:PORT, or
 * COUNT calls that use a capability (setgroups(0, NULL): CAP_SETGID), for bench/net-bench.
 * Every call must succeed: the benchmarked address and capability are ones the policies leave
 * allowed, so a failure means the set-up is wrong and the timing is worthless.
 *
 *   net-cap-loop connect COUNT PORT
 *   net-cap-loop cap COUNT
 *
 * Prints one line, "op=connect count=N elapsed_ns=N ns_per_op=N", and exits 0; on the first
 * failure prints what failed and exits 1; exit 2 on a usage error.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define COUNT_MAX 100000000ULL

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static int usage(void)
{
	fprintf(stderr, "usage: net-cap-loop connect COUNT PORT\n       net-cap-loop cap COUNT\n");
	return 2;
}

/* The client connects, the listener (same thread: loopback completes the handshake at once)
 * accepts; the client closes with a reset so that no TIME_WAIT piles up. */
static int loop_connect(unsigned long long count, unsigned port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct linger lin = { .l_onoff = 1, .l_linger = 0 };
	int one = 1, l;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(l, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(l, 128) < 0) {
		fprintf(stderr, "net-cap-loop: listener on port %u: %s\n", port, strerror(errno));
		return 1;
	}
	for (unsigned long long i = 0; i < count; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), a;

		if (c < 0 || connect(c, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
			fprintf(stderr,
				"net-cap-loop: connect to 127.0.0.1:%u (attempt %llu): %s\n", port,
				i + 1, strerror(errno));
			return 1;
		}
		a = accept(l, NULL, NULL);
		if (a < 0) {
			fprintf(stderr, "net-cap-loop: accept: %s\n", strerror(errno));
			return 1;
		}
		(void)setsockopt(c, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
		close(c);
		close(a);
	}
	close(l);
	return 0;
}

static int loop_cap(unsigned long long count)
{
	for (unsigned long long i = 0; i < count; i++)
		if (setgroups(0, NULL) < 0) {
			fprintf(stderr, "net-cap-loop: setgroups (attempt %llu): %s\n", i + 1,
				strerror(errno));
			return 1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long count, t0, elapsed;
	char *end;
	int r;

	if (argc < 3)
		return usage();
	errno = 0;
	count = strtoull(argv[2], &end, 10);
	if (errno || *end || count == 0 || count > COUNT_MAX)
		return usage();
	t0 = now_ns();
	if (strcmp(argv[1], "connect") == 0 && argc == 4)
		r = loop_connect(count, (unsigned)strtoul(argv[3], NULL, 10));
	else if (strcmp(argv[1], "cap") == 0 && argc == 3)
		r = loop_cap(count);
	else
		return usage();
	if (r)
		return r;
	elapsed = now_ns() - t0;
	printf("op=%s count=%llu elapsed_ns=%llu ns_per_op=%llu\n", argv[1], count, elapsed,
	       elapsed / count);
	return 0;
}
