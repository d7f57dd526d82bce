/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What guards the agent itself: whether the current process is another one than a live daemon,
 * and the denial of an attempt on it. Used by the self-protection hooks and by the inode hooks
 * (the pin directory). */

#include "events.bpf.h"

/*
 * The daemon's record when it is alive and the current process is another one, else NULL. The
 * record's map is referenced by the daemon's descriptor only (never pinned, and no other
 * process gets a descriptor to it): its user count drops to zero when the daemon is gone, and
 * the programs it left attached stop guarding it, so that the next daemon can adopt its pins.
 */
static __always_inline struct sa_self_info *sa_guarded(void)
{
	__u32 zero = 0;
	struct sa_self_info *self = bpf_map_lookup_elem(&sa_self, &zero);
	struct bpf_map *m = (struct bpf_map *)sa_addr(&sa_self);

	if (!self || !self->tgid || self->tgid == (__u32)(bpf_get_current_pid_tgid() >> 32))
		return NULL;
	return BPF_CORE_READ(m, usercnt.counter) > 0 ? self : NULL;
}

/* Denies an attempt on the agent, counts it and reports it (not a policy's decision). */
static __always_inline int sa_tamper(__u32 kind, __u32 arg, __u64 id, struct dentry *d)
{
	struct sa_decision dec = { .verdict = SA_VERDICT_DENY,
				   .flags = SA_EVENT_SELF,
				   .decided = 1 };
	struct sa_event_record *s;

	sa_count(SA_COUNTER_DENIED);
	s = sa_event_begin(kind, 0, &dec);
	if (s) {
		s->ev.arg = arg;
		s->ev.ino = id;
		if (d)
			bpf_probe_read_kernel_str(s->ev.path, SA_NAME_LEN,
						  BPF_CORE_READ(d, d_name.name));
		sa_event_send(s);
	}
	return -EPERM;
}

/* Another process removing or renaming a pin in the daemon's pin directory (@dir), or the
 * directory itself (@d). */
static __always_inline int sa_pin_guard(struct inode *dir, struct dentry *d)
{
	struct sa_self_info *self = sa_guarded();
	struct inode *di = BPF_CORE_READ(d, d_inode);

	if (!self)
		return 0;
	if (dir && BPF_CORE_READ(dir, i_ino) == self->pin_ino &&
	    BPF_CORE_READ(dir, i_sb, s_dev) == self->pin_dev)
		return sa_tamper(SA_EVENT_TAMPER_UNPIN, 0, 0, d);
	if (di && BPF_CORE_READ(di, i_ino) == self->pin_ino &&
	    BPF_CORE_READ(di, i_sb, s_dev) == self->pin_dev)
		return sa_tamper(SA_EVENT_TAMPER_UNPIN, 0, 0, d);
	return 0;
}
