// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/sysmacros.h>

#include <systemd/sd-journal.h>

#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>

#include "journal-event.h"
#include "policy.h"
#include "policy-syscalls.h"
#include "seccomp-audit.h"
#include "util.h"

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

static const char *arch_name(uint32_t arch)
{
	switch (arch) {
	case SCMP_ARCH_X86_64:
		return "x86_64";
	case SCMP_ARCH_X86:
		return "i386";
	case SCMP_ARCH_X32:
		return "x32";
	default:
		return "unknown";
	}
}

int journal_send_seccomp(const struct seccomp_record *rec, const char *policy, int via,
			 const char *why, int errno_value)
{
	const char *action = seccomp_record_action(rec);
	char *name = NULL, errno_name[32] = "", what[64], policy_text[160];
	bool deny = streq(action, "deny");
	int r;

	/* An x32 call carries __X32_SYSCALL_BIT in its number. */
	if (rec->arch && rec->syscall >= 0 && rec->syscall <= INT32_MAX)
		name = seccomp_syscall_resolve_num_arch(rec->arch, (int)rec->syscall);
	if (deny && errno_value > 0) {
		const char *e = errno_to_name(errno_value);

		if (e)
			snprintf(errno_name, sizeof(errno_name), "%s", e);
		else
			snprintf(errno_name, sizeof(errno_name), "%d", errno_value);
	}
	snprintf(what, sizeof(what), "%s (%lld, %s)", name ? name : "?", (long long)rec->syscall,
		 arch_name(rec->arch));
	if (policy)
		snprintf(policy_text, sizeof(policy_text), "policy %s", policy);
	else
		snprintf(policy_text, sizeof(policy_text), "no secagent policy named: %s",
			 why ? why : "unknown");

	r = sd_journal_send(
		"MESSAGE=%s system call %s%s%s by %s[%u] (uid %u), %s",
		deny ? "Denied" : streq(action, "kill") ? "Killed the process on" :
		       streq(action, "audit")	 ? "Audited" : "Filtered",
		what, *errno_name ? " with " : "", errno_name, rec->comm, rec->pid, rec->uid, policy_text,
		"MESSAGE_ID=%s", SECAGENT_MESSAGE_SECCOMP,
		"PRIORITY=%d", streq(action, "audit") ? LOG_NOTICE : LOG_WARNING,
		"SECAGENT_KIND=syscall",
		"SECAGENT_ACTION=%s", action,
		"SECAGENT_ATTRIBUTED=%d", policy != NULL,
		/* One or the other: an unattributed record has no SECAGENT_POLICY at all. */
		policy ? "SECAGENT_POLICY=%s" : "SECAGENT_UNATTRIBUTED_REASON=%s",
		policy ? policy : why ? why : "unknown",
		"SECAGENT_REGISTERED_PID=%d", policy ? via : 0,
		"SECAGENT_SYSCALL=%s", name ? name : "",
		"SECAGENT_SYSCALL_NR=%lld", (long long)rec->syscall,
		"SECAGENT_ARCH=%s", arch_name(rec->arch),
		"SECAGENT_ERRNO=%s", errno_name,
		"SECAGENT_SECCOMP_CODE=0x%x", rec->code,
		"SECAGENT_PID=%u", rec->pid,
		"SECAGENT_UID=%u", rec->uid,
		"SECAGENT_GID=%u", rec->gid,
		"SECAGENT_COMM=%s", rec->comm,
		"SECAGENT_EXE=%s", rec->exe,
		"SECAGENT_COUNT=1",
		NULL);
	free(name);
	return r;
}

int journal_send_seccomp_dropped(uint64_t count, bool lost, uint32_t burst, uint64_t interval_usec)
{
	if (lost)
		return sd_journal_send("MESSAGE=seccomp audit records lost: the audit socket's "
				       "buffer overflowed %llu times",
				       (unsigned long long)count,
				       "MESSAGE_ID=%s", SECAGENT_MESSAGE_LOST,
				       "PRIORITY=%d", LOG_ERR,
				       "SECAGENT_KIND=syscall",
				       "SECAGENT_COUNT=%llu", (unsigned long long)count,
				       NULL);
	return sd_journal_send("MESSAGE=%llu seccomp events not logged one by one: over the rate "
			       "limit of %u per %.1fs",
			       (unsigned long long)count, burst, interval_usec / 1e6,
			       "MESSAGE_ID=%s", SECAGENT_MESSAGE_SUPPRESSED,
			       "PRIORITY=%d", LOG_WARNING,
			       "SECAGENT_KIND=syscall",
			       "SECAGENT_COUNT=%llu", (unsigned long long)count,
			       NULL);
}
