// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The service manager's children: the processes pid 1 forked, marked in sa_init_children until
 * they exec the unit's command. Only they have a unit's set-up left out of a policy that
 * selects cgroups (until_exec_from_init in sa_membership()). Not one: a unit's process that
 * pid 1 adopted (its parent died), which pid 1 did not fork; a unit's command that is the
 * manager's program (user@.service runs systemd) or that execs it with a state it made up.
 */

#include "lib/decision.bpf.h"

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sa_init_fork, struct task_struct *parent, struct task_struct *child)
{
	__u64 key = (__u64)child;
	__u8 stage = SA_INIT_CHILD_FORKED;

	/* The forking task: an adoptive parent never forks here. Threads are not processes. */
	if (parent->tgid != 1 || child->pid != child->tgid)
		return 0;
	/* No room: the set-up of this child is bound by the unit's policies (fail closed). */
	if (bpf_map_update_elem(&sa_init_children, &key, &stage, BPF_ANY))
		sa_count(SA_COUNTER_FAIL_CLOSED);
	return 0;
}

/* A child's first exec may be the executor's (systemd 256 on): it stays marked. Any other exec
 * is the unit's command's, whatever program that is. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(sa_init_child_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 key = (__u64)p;
	struct sa_binary_value *v;
	struct sa_state *st;
	__u8 *stage;
	__u32 zero = 0;

	stage = bpf_map_lookup_elem(&sa_init_children, &key);
	if (!stage)
		return 0;
	st = bpf_map_lookup_elem(&sa_state, &zero);
	if (*stage == SA_INIT_CHILD_FORKED && st) {
		v = sa_binary_entry(READ_ONCE_U32(st->seq) % SA_SLOTS, BPF_CORE_READ(bprm, file));
		if (v && v->service_executor) {
			*stage = SA_INIT_CHILD_EXECUTOR;
			return 0;
		}
	}
	bpf_map_delete_elem(&sa_init_children, &key);
	return 0;
}

/* A task's address is reused only after it is freed, which is after it exits. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sa_init_child_exit, struct task_struct *p)
{
	__u64 key = (__u64)p;

	if (bpf_map_lookup_elem(&sa_init_children, &key))
		bpf_map_delete_elem(&sa_init_children, &key);
	return 0;
}
