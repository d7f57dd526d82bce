/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A recording (`secagentctl profile record`): for as long as it runs, the daemon compiles one more
 * policy with every set, RECORDING_POLICY_NAME, which binds the recorded cgroup and audits
 * through its posture everything no rule decides. Rules of the other policies decide first, as
 * they will once the recorded profile enforces, so what the recording sees is exactly what the
 * profile must allow. Its events go as JSON lines (the schema of `events --json`) to the log the
 * recorder passed, not to the journal and past no rate limit; the enforcer records the cgroup's
 * system calls beside them. One recording at a time; it ends when the recorder asks, or when
 * the recorder is gone.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "journal-event.h"
#include "policy-set.h"

#define RECORDING_POLICY_NAME "secagent-recording"

struct recording {
	char *cgroup; /* relative to the cgroup2 root */
	int log_fd;
	pid_t recorder_pid;
	uint64_t recorder_start; /* its start time: a reused pid is not the recorder */
	uint64_t events, log_failed;
	uint64_t lost_at_start; /* the ring buffer's losses when it began */
};

/* @log_fd is taken. */
int recording_new(const char *cgroup, int log_fd, pid_t recorder_pid, struct recording **ret);
struct recording *recording_free(struct recording *r);

/* Appends the recording's policy to @set (from the directory, held only by the caller). */
int recording_add_policy(const struct recording *r, struct policy_set *set,
			 struct diag_list *diags);

/* One event its policy decided, to its log. */
void recording_log_event(struct recording *r, const struct sa_event *ev,
			 const struct event_origin *origin);

bool recording_recorder_alive(const struct recording *r);
