/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Turns a kernel event into a structured journald entry. The MESSAGE_IDs are fixed forever:
 * operators filter on them (journalctl MESSAGE_ID=...), and the catalog documents them. */

#include <stdbool.h>

#include <jansson.h>

#include "journal-fields.h"
#include "secagent.h"

/* What the daemon knows about the rule that decided. */
struct event_origin {
	const char *policy; /* name, or NULL when the generation is no longer known */
	const char *policy_file;
	unsigned rule_line, rule_column;
	/* Who made it, when known (process-info.h): its cgroup's path and its program. */
	const char *cgroup, *exe;
};

const char *event_kind_to_string(uint32_t kind);
/* "deny", "audit" or "allow". */
const char *event_verdict_to_string(uint32_t verdict);

/* The entry journal_send_event() writes for @ev, as `secagentctl events --json` shows it (schema
 * docs/events-json.md), logged at @realtime_usec; NULL when out of memory. */
json_t *event_json(const struct sa_event *ev, const struct event_origin *origin,
		   uint64_t realtime_usec);

/* Each returns 0 or a negative errno from sd_journal_send(). */
int journal_send_event(const struct sa_event *ev, const struct event_origin *origin);

/* @ev happened @count more times within @window_usec after it was reported. */
int journal_send_repeated(const struct sa_event *ev, const struct event_origin *origin,
			  uint64_t count, uint64_t window_usec);

/* @count events of @origin's policy were not reported one by one (rate limit). */
int journal_send_suppressed(const struct event_origin *origin, uint64_t count, uint32_t burst,
			    uint64_t interval_usec);

/* @count events were lost because the ring buffer was full. */
int journal_send_lost(uint64_t count, uint64_t total);

struct seccomp_record;

/* A seccomp filter's audit record: @policy is the one it was attributed to (through the process
 * registered as @via), or NULL, with @why saying what was missing. @errno_value: what a denied
 * call failed with, as the policy says (the record does not), or 0 when unknown. */
int journal_send_seccomp(const struct seccomp_record *rec, const char *policy, int via,
			 const char *why, int errno_value);

/* @count seccomp records were not logged one by one (rate limit), or lost (@lost: the audit
 * socket's buffer overflowed @count times). */
int journal_send_seccomp_dropped(uint64_t count, bool lost, uint32_t burst, uint64_t interval_usec);
