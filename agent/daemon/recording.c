// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop-time.h"
#include "policy.h"
#include "recording.h"
#include "seccomp-audit.h"
#include "util.h"

int recording_new(const char *cgroup, int log_fd, pid_t recorder_pid, struct recording **ret)
{
	struct recording *r = calloc(1, sizeof(*r));
	pid_t ppid;

	if (!r || !(r->cgroup = strdup(cgroup))) {
		free(r);
		close(log_fd);
		return -ENOMEM;
	}
	r->log_fd = log_fd;
	r->recorder_pid = recorder_pid;
	if (proc_stat_read("/proc", recorder_pid, &ppid, &r->recorder_start) < 0)
		r->recorder_start = 0;
	*ret = r;
	return 0;
}

struct recording *recording_free(struct recording *r)
{
	if (!r)
		return NULL;
	if (r->log_fd >= 0)
		close(r->log_fd);
	free(r->cgroup);
	free(r);
	return NULL;
}

int recording_add_policy(const struct recording *r, struct policy_set *set, struct diag_list *diags)
{
	_cleanup_free_ char *text = NULL;
	struct policy *p = NULL;
	int n, k;

	/* Audit mode and a posture that audits every kind: it never denies. The cgroup path is
	 * quoted: it was checked to be a plain absolute path. */
	n = asprintf(&text,
		     "apiVersion: secagent/v1\nkind: Policy\nmetadata: {name: %s}\n"
		     "spec:\n  mode: audit\n  selector: {cgroups: ['%s']}\n  posture: audit\n",
		     RECORDING_POLICY_NAME, r->cgroup);
	if (n < 0)
		return -ENOMEM;
	k = policy_parse_buffer("(recording)", text, (size_t)n, diags, &p);
	if (k < 0)
		return k;
	return policy_set_append(set, p, diags);
}

void recording_log_event(struct recording *r, const struct sa_event *ev,
			 const struct event_origin *origin)
{
	_cleanup_(json_decrefp) json_t *o = event_json(ev, origin, realtime_usec());
	_cleanup_free_ char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
	size_t len;

	r->events++;
	if (!line) {
		r->log_failed++;
		return;
	}
	/* One write per line: the log is a regular file (or memfd), which takes it whole. */
	len = strlen(line);
	line[len] = '\n';
	if (write(r->log_fd, line, len + 1) != (ssize_t)(len + 1))
		r->log_failed++;
}

bool recording_recorder_alive(const struct recording *r)
{
	uint64_t start;
	pid_t ppid;

	if (proc_stat_read("/proc", r->recorder_pid, &ppid, &start) < 0)
		return false;
	return !r->recorder_start || start == r->recorder_start;
}
