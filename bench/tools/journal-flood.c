// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * journal-flood: the "plain client" of bench/daemon-bench. Sends COUNT journald entries shaped
 * like a secagent denial (MESSAGE, MESSAGE_ID, PRIORITY and the same SECAGENT_* fields, formatted
 * the same way with sd_journal_send) as fast as it can, then prints how long the sends took.
 *   journal-flood [-n COUNT] [-p POLICY] [-f PATH]
 * The time until journald holds every entry is measured by the caller (journalctl), the same way
 * for this client and for the daemon.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

/* The denial MESSAGE_ID of agent/journal-event.h; kept literal so this tool builds on its own. */
#define DENIED_MESSAGE_ID "f7ce9cc894ce445b8b9879dac1d856da"

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *policy = "bench-plain", *path = "/srv/secagent-bench/denied";
	unsigned long long count = 10000, failed = 0, start, elapsed;
	unsigned pid = getpid(), uid = getuid(), gid = getgid();
	char rule[512];
	struct rusage ru;
	int c, first_error = 0;

	while ((c = getopt(argc, argv, "n:p:f:")) >= 0) {
		switch (c) {
		case 'n':
			count = strtoull(optarg, NULL, 10);
			break;
		case 'p':
			policy = optarg;
			break;
		case 'f':
			path = optarg;
			break;
		default:
			fprintf(stderr, "usage: journal-flood [-n COUNT] [-p POLICY] [-f PATH]\n");
			return 2;
		}
	}
	snprintf(rule, sizeof(rule), "/etc/secagent/policies.d/%s.yaml:8:7", policy);

	start = now_ns();
	for (unsigned long long i = 0; i < count; i++) {
		/* Same format string and argument types as agent/journal-event.c send_event(). */
		int r = sd_journal_send("MESSAGE=%s %s of %s%s by %s[%u] (uid %u), policy %s%s%s",
					"Denied", "file_open", path, "", "open-loop", pid, uid,
					policy, "", "", "MESSAGE_ID=%s", DENIED_MESSAGE_ID,
					"SECAGENT_COUNT=%llu", 1ULL, "PRIORITY=%d", LOG_WARNING,
					"SECAGENT_KIND=%s", "file_open", "SECAGENT_ACTION=%s",
					"deny", "SECAGENT_POLICY=%s", policy, "SECAGENT_RULE=%s",
					rule, "SECAGENT_PID=%u", pid, "SECAGENT_TID=%u", pid,
					"SECAGENT_UID=%u", uid, "SECAGENT_GID=%u", gid,
					"SECAGENT_COMM=%s", "open-loop", "SECAGENT_PATH=%s", path,
					"SECAGENT_PATH_TRUNCATED=%d", 0,
					"SECAGENT_FAILED_CLOSED=%d", 0, "SECAGENT_DEVICE=%u:%u", 0u,
					24u, "SECAGENT_INODE=%llu", 4242ULL,
					"SECAGENT_GENERATION=%u", 2u, NULL);

		if (r < 0) {
			failed++;
			if (!first_error)
				first_error = r;
		}
	}
	elapsed = now_ns() - start;
	getrusage(RUSAGE_SELF, &ru);
	if (failed)
		fprintf(stderr, "journal-flood: %llu sends failed, first: %s\n", failed,
			strerror(-first_error));
	printf("sent=%llu failed=%llu cpu_ms=%llu elapsed_ns=%llu\n", count - failed, failed,
	       (unsigned long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
		       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000,
	       elapsed);
	return failed ? 1 : 0;
}
