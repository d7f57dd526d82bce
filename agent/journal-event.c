// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/sysmacros.h>

#include <systemd/sd-journal.h>

#include "journal-event.h"

const char *event_kind_to_string(uint32_t kind)
{
	switch (kind) {
	case SA_EVENT_FILE_OPEN:
		return "file_open";
	default:
		return "unknown";
	}
}

static const char *verdict_to_string(uint32_t verdict)
{
	return verdict == SA_VERDICT_DENY ? "deny" : verdict == SA_VERDICT_AUDIT ? "audit" : "allow";
}

int journal_send_event(const struct sa_event *ev, const struct event_origin *origin)
{
	char comm[SA_COMM_LEN + 1] = {}, path[SA_PATH_LEN + 1] = {}, policy[64], rule[512];
	bool denied = ev->verdict == SA_VERDICT_DENY;

	/* Both strings come from the kernel NUL-terminated, but never trust a length. */
	memcpy(comm, ev->comm, SA_COMM_LEN);
	memcpy(path, ev->path, SA_PATH_LEN);
	if (origin->policy)
		snprintf(policy, sizeof(policy), "%s", origin->policy);
	else
		snprintf(policy, sizeof(policy), "#%u@%u", ev->policy_id, ev->seq);
	if (origin->policy_file)
		snprintf(rule, sizeof(rule), "%s:%u:%u", origin->policy_file, origin->rule_line,
			 origin->rule_column);
	else
		snprintf(rule, sizeof(rule), "#%u", ev->rule_id);

	return sd_journal_send(
		"MESSAGE=%s %s of %s%s by %s[%u] (uid %u), policy %s%s",
		denied ? "Denied" : "Audited", event_kind_to_string(ev->kind), path,
		ev->flags & SA_EVENT_PATH_TRUNCATED ? " (path truncated)" : "", comm, ev->tgid,
		ev->uid, policy,
		ev->flags & SA_EVENT_RACE_FAIL_CLOSED ? " (failed closed: policy kept switching)" : "",
		"MESSAGE_ID=%s", denied ? SECAGENT_MESSAGE_DENIED : SECAGENT_MESSAGE_AUDITED,
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
		"SECAGENT_FAILED_CLOSED=%d", !!(ev->flags & SA_EVENT_RACE_FAIL_CLOSED),
		"SECAGENT_DEVICE=%u:%u", ev->dev >> 20, ev->dev & 0xfffff,
		"SECAGENT_INODE=%llu", (unsigned long long)ev->ino,
		"SECAGENT_GENERATION=%u", ev->seq,
		NULL);
}
