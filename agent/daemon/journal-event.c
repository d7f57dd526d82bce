// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <syslog.h>
#include <sys/sysmacros.h>

#include <systemd/sd-journal.h>

#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>

#include "journal-event.h"
#include "journal-json.h"
#include "names.h"
#include "posture.h"
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
	case SA_EVENT_NET_CONNECT:
		return "connect";
	case SA_EVENT_NET_BIND:
		return "bind";
	case SA_EVENT_NET_LISTEN:
		return "listen";
	case SA_EVENT_NET_SENDMSG:
		return "sendmsg";
	case SA_EVENT_NET_CREATE:
		return "socket_create";
	case SA_EVENT_CAPABILITY:
		return "capability";
	case SA_EVENT_TAMPER_BPF:
		return "tamper_bpf";
	case SA_EVENT_TAMPER_MAP:
		return "tamper_map";
	case SA_EVENT_TAMPER_SIGNAL:
		return "tamper_signal";
	case SA_EVENT_TAMPER_PTRACE:
		return "tamper_ptrace";
	case SA_EVENT_TAMPER_UNPIN:
		return "tamper_unpin";
	case SA_EVENT_KERNEL:
		return "kernel";
	default:
		return "unknown";
	}
}

const char *event_verdict_to_string(uint32_t verdict)
{
	return verdict == SA_VERDICT_DENY    ? "deny"
	       : verdict == SA_VERDICT_AUDIT ? "audit"
					     : "allow";
}

/* Journal fields, formatted one by one into a bounded list for sd_journal_sendv(). */
#define EVENT_FIELDS_MAX 40

struct fields {
	struct iovec iov[EVENT_FIELDS_MAX];
	size_t n;
	bool oom;
};

static void fields_add(struct fields *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fields_add(struct fields *f, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int k;

	if (f->n >= EVENT_FIELDS_MAX) {
		f->oom = true;
		return;
	}
	va_start(ap, fmt);
	k = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (k < 0) {
		f->oom = true;
		return;
	}
	f->iov[f->n++] = (struct iovec){ .iov_base = s, .iov_len = (size_t)k };
}

static void fields_done(struct fields *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->iov[i].iov_base);
}

static bool is_net_event(const struct sa_event *ev)
{
	return ev->kind >= SA_EVENT_NET_CONNECT && ev->kind <= SA_EVENT_NET_SENDMSG;
}

static const char *protocol_name(uint32_t family, uint32_t protocol)
{
	if (family == AF_UNIX)
		return "";
	switch (protocol) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_UDPLITE:
		return "udplite";
	case IPPROTO_MPTCP:
		return "mptcp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	case IPPROTO_SCTP:
		return "sctp";
	default:
		return "other";
	}
}

/* What the event is about, for MESSAGE ("connect to 10.0.0.1:80 (tcp)"), and its own fields. */
static void describe(const struct sa_event *ev, struct fields *f, char *what, size_t size)
{
	const char *kind = event_kind_to_string(ev->kind);

	if (is_net_event(ev)) {
		char addr[INET6_ADDRSTRLEN] = "";
		const char *fam = net_family_to_string(ev->family) ?: "unknown";
		const char *proto = protocol_name(ev->family, ev->protocol);

		if (ev->family == AF_INET || ev->family == AF_INET6) {
			/* IPv4-mapped IPv6 addresses arrive as IPv4 (AF_INET). */
			inet_ntop(ev->family, ev->addr, addr, sizeof(addr));
			snprintf(what, size, "%s %s %s%s%s:%u (%s%s%s)", kind,
				 ev->kind == SA_EVENT_NET_BIND || ev->kind == SA_EVENT_NET_LISTEN
					 ? "on"
					 : "to",
				 strchr(addr, ':') ? "[" : "", addr, strchr(addr, ':') ? "]" : "",
				 ev->port, fam, *proto ? ", " : "", proto);
			fields_add(f, SA_FIELD_ADDRESS "=%s", addr);
			fields_add(f, SA_FIELD_PORT "=%u", ev->port);
		} else
			snprintf(what, size, "%s (%s)", kind, fam);
		fields_add(f, SA_FIELD_FAMILY "=%s", fam);
		fields_add(f, SA_FIELD_PROTOCOL "=%s", proto);
	} else if (ev->kind == SA_EVENT_NET_CREATE) {
		const char *fam = net_family_to_string(ev->family);
		const char *type = "other";

		for (size_t i = 0; i < net_n_types; i++)
			if (net_type_numbers[i] == ev->arg)
				type = net_type_names[i];
		if (fam)
			snprintf(what, size, "socket creation (%s, %s, protocol %u)", fam, type,
				 ev->protocol);
		else
			snprintf(what, size, "socket creation (family %u, %s, protocol %u)",
				 ev->family, type, ev->protocol);
		fields_add(f, SA_FIELD_FAMILY "=%s", fam ?: "other");
		fields_add(f, SA_FIELD_FAMILY_NR "=%u", ev->family);
		fields_add(f, SA_FIELD_SOCKET_TYPE "=%s", type);
		fields_add(f, SA_FIELD_PROTOCOL_NR "=%u", ev->protocol);
	} else if (ev->kind >= SA_EVENT_TAMPER_BPF && ev->kind <= SA_EVENT_TAMPER_UNPIN) {
		char path[SA_PATH_LEN + 1] = {};
		const char *sig = sigabbrev_np((int)ev->arg);
		const char *cmd = ev->arg == 29	  ? "link_update"
				  : ev->arg == 30 ? "link_get_fd_by_id"
				  : ev->arg == 34 ? "link_detach"
						  : "other";

		memcpy(path, ev->path, SA_PATH_LEN);
		switch (ev->kind) {
		case SA_EVENT_TAMPER_BPF:
			snprintf(what, size, "bpf %s on the agent's link %llu", cmd,
				 (unsigned long long)ev->ino);
			fields_add(f, SA_FIELD_BPF_COMMAND "=%s", cmd);
			fields_add(f, SA_FIELD_OBJECT_ID "=%llu", (unsigned long long)ev->ino);
			break;
		case SA_EVENT_TAMPER_MAP:
			snprintf(what, size, "access to the agent's map %llu",
				 (unsigned long long)ev->ino);
			fields_add(f, SA_FIELD_OBJECT_ID "=%llu", (unsigned long long)ev->ino);
			break;
		case SA_EVENT_TAMPER_SIGNAL:
			snprintf(what, size, "signal SIG%s to the agent [%llu]", sig ?: "?",
				 (unsigned long long)ev->ino);
			fields_add(f, SA_FIELD_SIGNAL "=SIG%s", sig ?: "?");
			fields_add(f, SA_FIELD_TARGET_PID "=%llu", (unsigned long long)ev->ino);
			break;
		case SA_EVENT_TAMPER_PTRACE:
			snprintf(what, size, "ptrace attach to the agent [%llu]",
				 (unsigned long long)ev->ino);
			fields_add(f, SA_FIELD_TARGET_PID "=%llu", (unsigned long long)ev->ino);
			break;
		default:
			snprintf(what, size, "removal of the agent's pin %s", path);
			fields_add(f, SA_FIELD_PATH "=%s", path);
		}
	} else if (ev->kind == SA_EVENT_KERNEL) {
		char name[SA_PATH_LEN + 1] = {};
		const char *op = kernel_op_to_string(ev->arg) ?: "unknown";

		memcpy(name, ev->path, SA_PATH_LEN);
		snprintf(what, size, "kernel operation %s%s%s", op, name[0] ? " of " : "", name);
		fields_add(f, SA_FIELD_OPERATION "=%s", op);
		if (name[0])
			fields_add(f, SA_FIELD_OBJECT "=%s", name);
	} else if (ev->kind == SA_EVENT_CAPABILITY) {
		const char *cap = capability_to_string(ev->arg);

		snprintf(what, size, "use of %s", cap ?: "an unknown capability");
		fields_add(f, SA_FIELD_CAPABILITY "=%s", cap ?: "unknown");
		fields_add(f, SA_FIELD_CAPABILITY_NR "=%u", ev->arg);
	} else {
		char path[SA_PATH_LEN + 1] = {}, access[96] = "";

		/* The path comes from the kernel NUL-terminated, but never trust a length. */
		memcpy(path, ev->path, SA_PATH_LEN);
		for (unsigned b = 0; b < SA_ACCESS_BITS; b++)
			if (ev->access & (1u << b)) {
				if (access[0])
					strncat(access, ",", sizeof(access) - strlen(access) - 1);
				strncat(access, access_bit_to_string(b),
					sizeof(access) - strlen(access) - 1);
			}
		snprintf(what, size, "%s of %s%s", kind, path,
			 ev->flags & SA_EVENT_PATH_TRUNCATED ? " (path truncated)" : "");
		fields_add(f, SA_FIELD_PATH "=%s", path);
		fields_add(f, SA_FIELD_PATH_TRUNCATED "=%d",
			   !!(ev->flags & SA_EVENT_PATH_TRUNCATED));
		fields_add(f, SA_FIELD_ACCESS "=%s", access);
		fields_add(f, SA_FIELD_PATH_RELATIVE "=%d", !!(ev->flags & SA_EVENT_PATH_RELATIVE));
		fields_add(f, SA_FIELD_DEVICE "=%u:%u", ev->dev >> 20, ev->dev & 0xfffff);
		fields_add(f, SA_FIELD_INODE "=%llu", (unsigned long long)ev->ino);
	}
}

/* The fields of the entry for @ev (reported once more, or @repeated more times). */
static void event_fields(const struct sa_event *ev, const struct event_origin *origin,
			 uint64_t repeated, uint64_t window_usec, struct fields *ret)
{
	char comm[SA_COMM_LEN + 1] = {}, policy[64], rule[512], what[SA_PATH_LEN + 128];
	char suffix[96] = "";
	bool denied = ev->verdict == SA_VERDICT_DENY;
	struct fields f = {};

	memcpy(comm, ev->comm, SA_COMM_LEN);
	if (ev->flags & SA_EVENT_SELF)
		snprintf(policy, sizeof(policy), "self-protection");
	else if (origin->policy)
		snprintf(policy, sizeof(policy), "%s", origin->policy);
	else
		snprintf(policy, sizeof(policy), "#%u@%u", SA_RULE_POLICY(ev->rule_ref), ev->seq);
	if (ev->flags & SA_EVENT_SELF)
		snprintf(rule, sizeof(rule), "-");
	else if (origin->policy_file)
		snprintf(rule, sizeof(rule), "%s:%u:%u", origin->policy_file, origin->rule_line,
			 origin->rule_column);
	else
		snprintf(rule, sizeof(rule), "#%u", SA_RULE_INDEX(ev->rule_ref));
	if (repeated)
		snprintf(suffix, sizeof(suffix), ": repeated %llu more times in %.1fs",
			 (unsigned long long)repeated, window_usec / 1e6);

	describe(ev, &f, what, sizeof(what));
	fields_add(&f, "MESSAGE=%s %s by %s[%u] (uid %u), policy %s%s%s",
		   denied ? "Denied" : "Audited", what, comm, ev->tgid, ev->uid, policy,
		   ev->flags & SA_EVENT_RACE_FAIL_CLOSED ? " (failed closed: policy kept switching)"
		   : ev->flags & SA_EVENT_DEPTH_FAIL_CLOSED
			   ? " (failed closed: path deeper than the walk bound)"
			   : "",
		   suffix);
	fields_add(&f, "MESSAGE_ID=%s",
		   repeated ? SECAGENT_MESSAGE_REPEATED
		   : denied ? SECAGENT_MESSAGE_DENIED
			    : SECAGENT_MESSAGE_AUDITED);
	fields_add(&f, SA_FIELD_COUNT "=%llu", (unsigned long long)(repeated ? repeated : 1));
	fields_add(&f, "PRIORITY=%d", denied ? LOG_WARNING : LOG_NOTICE);
	fields_add(&f, SA_FIELD_KIND "=%s", event_kind_to_string(ev->kind));
	fields_add(&f, SA_FIELD_ACTION "=%s", event_verdict_to_string(ev->verdict));
	fields_add(&f, SA_FIELD_POLICY "=%s", policy);
	fields_add(&f, SA_FIELD_RULE "=%s", rule);
	/* Decided by the policy's posture: no rule named the operation. */
	if (!(ev->flags & SA_EVENT_SELF) && SA_RULE_IS_POSTURE(ev->rule_ref) &&
	    SA_RULE_POSTURE_KIND(ev->rule_ref) < SA_POSTURE_KINDS)
		fields_add(&f, SA_FIELD_POSTURE "=%s",
			   posture_kind_names[SA_RULE_POSTURE_KIND(ev->rule_ref)]);
	fields_add(&f, SA_FIELD_PID "=%u", ev->tgid);
	fields_add(&f, SA_FIELD_TID "=%u", ev->pid);
	fields_add(&f, SA_FIELD_UID "=%u", ev->uid);
	fields_add(&f, SA_FIELD_GID "=%u", ev->gid);
	fields_add(&f, SA_FIELD_COMM "=%s", comm);
	if (origin->cgroup)
		fields_add(&f, SA_FIELD_CGROUP "=%s", origin->cgroup);
	if (origin->exe)
		fields_add(&f, SA_FIELD_EXE "=%s", origin->exe);
	if (ev->exe_ino) {
		fields_add(&f, SA_FIELD_EXE_DEVICE "=%u:%u", ev->exe_dev >> 20,
			   ev->exe_dev & 0xfffff);
		fields_add(&f, SA_FIELD_EXE_INODE "=%llu", (unsigned long long)ev->exe_ino);
	}
	fields_add(&f, SA_FIELD_FAILED_CLOSED "=%s",
		   ev->flags & SA_EVENT_RACE_FAIL_CLOSED    ? "policy-switching"
		   : ev->flags & SA_EVENT_DEPTH_FAIL_CLOSED ? "depth"
							    : "0");
	fields_add(&f, SA_FIELD_GENERATION "=%u", ev->seq);
	*ret = f;
}

static int send_event(const struct sa_event *ev, const struct event_origin *origin,
		      uint64_t repeated, uint64_t window_usec)
{
	struct fields f;
	int r;

	event_fields(ev, origin, repeated, window_usec, &f);
	r = f.oom ? -ENOMEM : sd_journal_sendv(f.iov, (int)f.n);
	fields_done(&f);
	return r;
}

json_t *event_json(const struct sa_event *ev, const struct event_origin *origin,
		   uint64_t realtime_usec)
{
	struct journal_datum data[EVENT_FIELDS_MAX];
	struct fields f;
	json_t *o = NULL;

	event_fields(ev, origin, 0, 0, &f);
	if (!f.oom) {
		for (size_t i = 0; i < f.n; i++)
			data[i] = (struct journal_datum){ f.iov[i].iov_base, f.iov[i].iov_len };
		o = journal_entry_json(data, f.n, realtime_usec);
	}
	fields_done(&f);
	return o;
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
			       "MESSAGE_ID=%s", SECAGENT_MESSAGE_SUPPRESSED, "PRIORITY=%d",
			       LOG_WARNING, SA_FIELD_POLICY "=%s", policy, SA_FIELD_COUNT "=%llu",
			       (unsigned long long)count, NULL);
}

int journal_send_lost(uint64_t count, uint64_t total)
{
	return sd_journal_send("MESSAGE=%llu events lost: the BPF ring buffer was full (%llu lost "
			       "since the state was created)",
			       (unsigned long long)count, (unsigned long long)total,
			       "MESSAGE_ID=%s", SECAGENT_MESSAGE_LOST, "PRIORITY=%d", LOG_ERR,
			       SA_FIELD_COUNT "=%llu", (unsigned long long)count,
			       SA_FIELD_LOST_TOTAL "=%llu", (unsigned long long)total, NULL);
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

	r = sd_journal_send("MESSAGE=%s system call %s%s%s by %s[%u] (uid %u), %s",
			    deny		     ? "Denied"
			    : streq(action, "kill")  ? "Killed the process on"
			    : streq(action, "audit") ? "Audited"
						     : "Filtered",
			    what, *errno_name ? " with " : "", errno_name, rec->comm, rec->pid,
			    rec->uid, policy_text, "MESSAGE_ID=%s", SECAGENT_MESSAGE_SECCOMP,
			    "PRIORITY=%d", streq(action, "audit") ? LOG_NOTICE : LOG_WARNING,
			    SA_FIELD_KIND "=syscall", SA_FIELD_ACTION "=%s", action,
			    SA_FIELD_ATTRIBUTED "=%d", policy != NULL,
			    /* One or the other: an unattributed record has no SECAGENT_POLICY at
			       all. */
			    policy ? SA_FIELD_POLICY "=%s" : SA_FIELD_UNATTRIBUTED_REASON "=%s",
			    policy ? policy
			    : why  ? why
				   : "unknown",
			    SA_FIELD_REGISTERED_PID "=%d", policy ? via : 0, SA_FIELD_SYSCALL "=%s",
			    name ? name : "", SA_FIELD_SYSCALL_NR "=%lld", (long long)rec->syscall,
			    SA_FIELD_ARCH "=%s", arch_name(rec->arch), SA_FIELD_ERRNO "=%s",
			    errno_name, SA_FIELD_SECCOMP_CODE "=0x%x", rec->code,
			    SA_FIELD_PID "=%u", rec->pid, SA_FIELD_UID "=%u", rec->uid,
			    SA_FIELD_GID "=%u", rec->gid, SA_FIELD_COMM "=%s", rec->comm,
			    SA_FIELD_EXE "=%s", rec->exe, SA_FIELD_COUNT "=1", NULL);
	free(name);
	return r;
}

int journal_send_seccomp_dropped(uint64_t count, bool lost, uint32_t burst, uint64_t interval_usec)
{
	if (lost)
		return sd_journal_send("MESSAGE=seccomp audit records lost: the audit socket's "
				       "buffer overflowed %llu times",
				       (unsigned long long)count, "MESSAGE_ID=%s",
				       SECAGENT_MESSAGE_LOST, "PRIORITY=%d", LOG_ERR,
				       SA_FIELD_KIND "=syscall", SA_FIELD_COUNT "=%llu",
				       (unsigned long long)count, NULL);
	return sd_journal_send("MESSAGE=%llu seccomp events not logged one by one: over the rate "
			       "limit of %u per %.1fs",
			       (unsigned long long)count, burst, interval_usec / 1e6,
			       "MESSAGE_ID=%s", SECAGENT_MESSAGE_SUPPRESSED, "PRIORITY=%d",
			       LOG_WARNING, SA_FIELD_KIND "=syscall", SA_FIELD_COUNT "=%llu",
			       (unsigned long long)count, NULL);
}
