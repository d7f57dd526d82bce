// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/sysmacros.h>

#include <systemd/sd-journal.h>

#include "journal-event.h"
#include "policy.h"

const char *event_kind_to_string(uint32_t kind)
{
	switch (kind) {
	case SA_EVENT_FILE_OPEN:
		return "file_open";
	case SA_EVENT_FILE_CREATE:
		return "file_create";
	case SA_EVENT_FILE_UNLINK:
		return "file_unlink";
	case SA_EVENT_FILE_RENAME:
		return "file_rename";
	case SA_EVENT_FILE_SETATTR:
		return "file_setattr";
	case SA_EVENT_FILE_EXEC:
		return "file_exec";
	case SA_EVENT_FILE_MMAP:
		return "file_mmap";
	case SA_EVENT_FILE_TRUNCATE:
		return "file_truncate";
	default:
		return "unknown";
	}
}

static const char *verdict_to_string(uint32_t verdict)
{
	return verdict == SA_VERDICT_DENY ? "deny" : verdict == SA_VERDICT_AUDIT ? "audit" : "allow";
}

static int send_event(const struct sa_event *ev, const struct event_origin *origin,
		      uint64_t repeated, uint64_t window_usec)
{
	char comm[SA_COMM_LEN + 1] = {}, path[SA_PATH_LEN + 1] = {}, policy[64], rule[512];
	char suffix[96] = "", access[96] = "";
	bool denied = ev->verdict == SA_VERDICT_DENY;

	/* Both strings come from the kernel NUL-terminated, but never trust a length. */
	memcpy(comm, ev->comm, SA_COMM_LEN);
	memcpy(path, ev->path, SA_PATH_LEN);
	if (origin->policy)
		snprintf(policy, sizeof(policy), "%s", origin->policy);
	else
		snprintf(policy, sizeof(policy), "#%u@%u", SA_RULE_POLICY(ev->rule_ref), ev->seq);
	if (origin->policy_file)
		snprintf(rule, sizeof(rule), "%s:%u:%u", origin->policy_file, origin->rule_line,
			 origin->rule_column);
	else
		snprintf(rule, sizeof(rule), "#%u", SA_RULE_INDEX(ev->rule_ref));

	for (unsigned b = 0; b < SA_ACCESS_BITS; b++)
		if (ev->access & (1u << b)) {
			if (access[0])
				strncat(access, ",", sizeof(access) - strlen(access) - 1);
			strncat(access, access_bit_to_string(b), sizeof(access) - strlen(access) - 1);
		}
	if (repeated)
		snprintf(suffix, sizeof(suffix), ": repeated %llu more times in %.1fs",
			 (unsigned long long)repeated, window_usec / 1e6);

	return sd_journal_send(
		"MESSAGE=%s %s of %s%s by %s[%u] (uid %u), policy %s%s%s",
		denied ? "Denied" : "Audited", event_kind_to_string(ev->kind), path,
		ev->flags & SA_EVENT_PATH_TRUNCATED ? " (path truncated)" : "", comm, ev->tgid,
		ev->uid, policy,
		ev->flags & SA_EVENT_RACE_FAIL_CLOSED	? " (failed closed: policy kept switching)"
		: ev->flags & SA_EVENT_DEPTH_FAIL_CLOSED ? " (failed closed: path deeper than the walk bound)"
							 : "",
		suffix,
		"MESSAGE_ID=%s", repeated  ? SECAGENT_MESSAGE_REPEATED
				 : denied ? SECAGENT_MESSAGE_DENIED
					  : SECAGENT_MESSAGE_AUDITED,
		"SECAGENT_COUNT=%llu", (unsigned long long)(repeated ? repeated : 1),
		"PRIORITY=%d", denied ? LOG_WARNING : LOG_NOTICE,
		"SECAGENT_KIND=%s", event_kind_to_string(ev->kind),
		"SECAGENT_ACTION=%s", verdict_to_string(ev->verdict),
		"SECAGENT_POLICY=%s", policy,
		"SECAGENT_RULE=%s", rule,
		"SECAGENT_PID=%u", ev->tgid,
		"SECAGENT_TID=%u", ev->pid,
		"SECAGENT_UID=%u", ev->uid,
		"SECAGENT_GID=%u", ev->gid,
		"SECAGENT_COMM=%s", comm,
		"SECAGENT_PATH=%s", path,
		"SECAGENT_PATH_TRUNCATED=%d", !!(ev->flags & SA_EVENT_PATH_TRUNCATED),
		"SECAGENT_ACCESS=%s", access,
		"SECAGENT_FAILED_CLOSED=%s", ev->flags & SA_EVENT_RACE_FAIL_CLOSED ? "policy-switching"
					     : ev->flags & SA_EVENT_DEPTH_FAIL_CLOSED ? "depth"
										      : "0",
		"SECAGENT_PATH_RELATIVE=%d", !!(ev->flags & SA_EVENT_PATH_RELATIVE),
		"SECAGENT_DEVICE=%u:%u", ev->dev >> 20, ev->dev & 0xfffff,
		"SECAGENT_INODE=%llu", (unsigned long long)ev->ino,
		"SECAGENT_GENERATION=%u", ev->seq,
		NULL);
}

int journal_send_event(const struct sa_event *ev, const struct event_origin *origin)
{
	return send_event(ev, origin, 0, 0);
}

int journal_send_repeated(const struct sa_event *ev, const struct event_origin *origin,
			  uint64_t count, uint64_t window_usec)
{
	return send_event(ev, origin, count, window_usec);
}

int journal_send_suppressed(const struct event_origin *origin, uint64_t count, uint32_t burst,
			    uint64_t interval_usec)
{
	const char *policy = origin->policy ? origin->policy : "(unknown)";

	return sd_journal_send("MESSAGE=%llu events of policy %s not logged one by one: over the "
			       "rate limit of %u per %.1fs",
			       (unsigned long long)count, policy, burst, interval_usec / 1e6,
			       "MESSAGE_ID=%s", SECAGENT_MESSAGE_SUPPRESSED,
			       "PRIORITY=%d", LOG_WARNING,
			       "SECAGENT_POLICY=%s", policy,
			       "SECAGENT_COUNT=%llu", (unsigned long long)count,
			       NULL);
}

int journal_send_lost(uint64_t count, uint64_t total)
{
	return sd_journal_send("MESSAGE=%llu events lost: the BPF ring buffer was full (%llu lost "
			       "since the state was created)",
			       (unsigned long long)count, (unsigned long long)total,
			       "MESSAGE_ID=%s", SECAGENT_MESSAGE_LOST,
			       "PRIORITY=%d", LOG_ERR,
			       "SECAGENT_COUNT=%llu", (unsigned long long)count,
			       "SECAGENT_LOST_TOTAL=%llu", (unsigned long long)total,
			       NULL);
}
