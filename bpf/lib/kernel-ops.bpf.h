/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* kernel: rules: the decision on a kernel operation, for the kernel-surface hooks and for the
 * self-protection ones that share a hook (bpf, ptrace). */

#include "events.bpf.h"
#include "net-decision.bpf.h"

/* Decides kernel operation @op for the current process; reports with @name (a module, a file,
 * a file system type; may be NULL) read from kernel (or, with @user, user) memory. */
static __always_inline int sa_kernel_check(__u32 op, const void *name, int user)
{
	struct sa_decision dec = {};
	struct sa_event_record *s;

	sa_decide_rules(SA_RULES_CAP, SA_KERNEL_KEY(op), 0, 0, 0, &dec);
	sa_count_rule(&dec, SA_EVENT_KERNEL);
	if (!dec.decided || dec.verdict == SA_VERDICT_ALLOW)
		return 0;
	sa_count(dec.verdict == SA_VERDICT_DENY ? SA_COUNTER_DENIED : SA_COUNTER_AUDITED);
	s = sa_event_begin(SA_EVENT_KERNEL, 0, &dec);
	if (s) {
		s->ev.arg = op;
		if (name && user)
			bpf_probe_read_user_str(s->ev.path, SA_NAME_LEN, name);
		else if (name)
			bpf_probe_read_kernel_str(s->ev.path, SA_NAME_LEN, name);
		sa_event_send(s);
	}
	return dec.verdict == SA_VERDICT_DENY ? -EPERM : 0;
}

/* Whether @child is the current process or below it: up its parents, at most SA_PTRACE_DEPTH. */
static __always_inline int sa_is_descendant(struct task_struct *child)
{
	__u32 me = bpf_get_current_pid_tgid() >> 32;
	struct task_struct *t = child;

	for (int i = 0; i < SA_PTRACE_DEPTH; i++) {
		__u32 tgid = BPF_CORE_READ(t, tgid);

		if (tgid == me)
			return 1;
		if (tgid <= 1)
			return 0;
		t = BPF_CORE_READ(t, real_parent);
		if (!t)
			return 0;
	}
	return 0; /* deeper than the bound: treated as outside the subtree */
}
