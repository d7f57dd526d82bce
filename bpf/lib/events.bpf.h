/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Events: the path writer, the ring buffer record, and the check every file and inode hook
 * makes (decide, count, report). */

#include "decision.bpf.h"

/* An index the verifier can see is in bounds: the mask is done in asm so clang cannot drop it
 * on the strength of an earlier comparison the verifier does not track. */
static __always_inline __u32 sa_path_index(__u32 v)
{
	asm volatile("%0 &= %1" : "+r"(v) : "i"(SA_PATH_LEN - 1));
	return v;
}
/*
 * Record, leaf first, the name of every dentry from the file up to the root, crossing mounts.
 * Slot i holds step i of the walk (NULL for a step that crossed a mount), so only the loop
 * counter indexes memory and the verifier merges every path that reaches the same step.
 */
static __always_inline void sa_walk_path(struct sa_event_record *s, struct dentry *d,
					 struct mount *mnt)
{
	int i;

	s->walk_complete = 0;
	for (i = 0; i < SA_PATH_DEPTH; i++) {
		struct dentry *root = mnt ? BPF_CORE_READ(mnt, mnt.mnt_root) : NULL;
		struct dentry *parent = BPF_CORE_READ(d, d_parent);

		s->names[i] = NULL;
		if (mnt && d == root) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			if (up == mnt) {
				s->walk_complete = 1;
				break;
			}
			/* Cross to the mount point in the parent mount. */
			d = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			continue;
		}
		if (d == parent) {
			s->walk_complete = 1;
			break;
		}
		s->names[i] = BPF_CORE_READ(d, d_name.name);
		d = parent;
	}
	s->n_names = i;
}

/*
 * Write the file's path into the event, walking dentries towards the root and across mounts.
 * Only the report depends on this walk: a path deeper than SA_PATH_DEPTH components or longer
 * than SA_PATH_LEN is marked truncated, the decision (by inode) is not affected.
 */
static __always_inline void sa_fill_path(struct sa_event_record *s, struct dentry *d,
					 struct mount *mnt)
{
	char *buf = s->ev.path;
	__u32 n, off, complete;

	sa_walk_path(s, d, mnt);
	n = READ_ONCE_U32(s->n_names);
	complete = READ_ONCE_U32(s->walk_complete);
	s->off = 0;

	for (int i = 0; i < SA_PATH_DEPTH; i++) {
		const unsigned char *name;
		long r;

		if (i >= n)
			break;
		name = s->names[(n - 1 - i) & (SA_PATH_DEPTH - 1)];
		if (!name)
			continue;
		/* Read back from memory each step: one unknown offset per step, whatever the
		 * earlier names' lengths were, so the verifier prunes instead of following every
		 * combination of them (it cost 320,000 of a file hook's 390,000 verified
		 * instructions, a second of every daemon start per program under TCG). */
		off = READ_ONCE_U32(s->off);
		if (off >= SA_PATH_LEN - 2) {
			complete = 0;
			break;
		}
		buf[sa_path_index(off)] = '/';
		off++;
		r = bpf_probe_read_kernel_str(buf + sa_path_index(off), SA_PATH_LEN, name);
		if (r > 0)
			off += r - 1;
		s->off = off;
	}
	off = READ_ONCE_U32(s->off);
	if (off == 0) {
		buf[0] = '/';
		off = 1;
	}
	if (off >= SA_PATH_LEN) {
		off = SA_PATH_LEN - 1;
		complete = 0;
	}
	buf[sa_path_index(off)] = '\0';
	buf[SA_PATH_LEN - 1] = '\0';
	if (!complete)
		s->ev.flags |= SA_EVENT_PATH_TRUNCATED;
}

/*
 * Reserves the event's ring buffer record and writes its common head; NULL (counted lost) when
 * the ring buffer is full. Every caller that gets a record hands it to sa_event_send().
 */
static __always_inline struct sa_event_record *sa_event_begin(__u32 kind, __u32 access,
							      const struct sa_decision *dec)
{
	struct sa_event_record *s = bpf_ringbuf_reserve(&sa_events, sizeof(*s), 0);
	__u64 id = bpf_get_current_pid_tgid(), ugid = bpf_get_current_uid_gid();
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct inode *exe;

	if (!s) {
		sa_count(SA_COUNTER_EVENTS_LOST);
		return NULL;
	}
	s->ev.version = SA_LAYOUT_VERSION;
	s->ev.kind = kind;
	s->ev.verdict = dec->verdict;
	s->ev.flags = dec->flags;
	s->ev.seq = dec->seq;
	s->ev.rule_ref = dec->rule_ref;
	s->ev.access = access;
	s->ev.pid = (__u32)id;
	s->ev.tgid = id >> 32;
	s->ev.uid = (__u32)ugid;
	s->ev.gid = ugid >> 32;
	s->ev.dev = 0;
	s->ev.ino = 0;
	s->ev.family = 0;
	s->ev.protocol = 0;
	s->ev.port = 0;
	s->ev.arg = 0;
	__builtin_memset(s->ev.addr, 0, sizeof(s->ev.addr));
	s->ev.path[0] = '\0';
	s->ev.ktime_ns = bpf_ktime_get_ns();
	s->ev.cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	exe = BPF_CORE_READ(task, mm, exe_file, f_inode);
	s->ev.exe_dev = exe ? sa_inode_dev(exe) : 0;
	s->ev.exe_ino = exe ? BPF_CORE_READ(exe, i_ino) : 0;
	s->ev.pad = 0;
	bpf_get_current_comm(s->ev.comm, sizeof(s->ev.comm));
	return s;
}

static __always_inline void sa_event_send(struct sa_event_record *s)
{
	bpf_ringbuf_submit(s, 0);
}

static __always_inline void sa_emit(__u32 kind, __u32 access, struct dentry *d, struct mount *mnt,
				    const struct sa_decision *dec)
{
	/* Read before the record is reserved: a null test of the record after a helper call is
	 * one the 5.10 verifier follows as if the record could be NULL again, and rejects. */
	struct inode *inode = BPF_CORE_READ(d, d_inode);
	struct sa_event_record *s = sa_event_begin(kind, access, dec);

	if (!s)
		return;
	if (!mnt)
		s->ev.flags |= SA_EVENT_PATH_RELATIVE;
	s->ev.dev = inode ? sa_inode_dev(inode) : 0;
	s->ev.ino = inode ? BPF_CORE_READ(inode, i_ino) : 0;
	sa_fill_path(s, d, mnt);
	sa_event_send(s);
}

/*
 * Decide, count, report, and turn the verdict into the hook's return value. Global, like
 * sa_walk(), so the verifier checks it once per program however many times a hook calls it;
 * hence scalar arguments.
 */
int sa_check_addr(__u64 kind, __u64 access, __u64 d_addr, __u64 mnt_addr, __u64 start);

static __always_inline int sa_check(__u32 kind, __u32 access, struct dentry *d, struct mount *mnt,
				    enum sa_walk_start start)
{
	/* Spelled out so the verifier sees a return value in the range an LSM hook may return. */
	return sa_check_addr(kind, access, sa_addr(d), sa_addr(mnt), start) ? -EPERM : 0;
}

/* @file: the hook's own pointer (or one read from it directly), so the fast path can read it. */
static __always_inline int sa_check_file(__u32 kind, __u32 access, struct file *file)
{
	struct dentry *d = file->f_path.dentry;

	if (!d || sa_file_unruled(d, file, access))
		return 0;
	return sa_check(kind, access, d, sa_real_mount(BPF_CORE_READ(file, f_path.mnt)),
			SA_WALK_OBJECT);
}

#define FMODE_READ_BIT	0x1
#define FMODE_WRITE_BIT 0x2
#define FMODE_EXEC_BIT	0x20
#define PROT_EXEC_BIT	0x4

/* Every hook passes an earlier LSM's denial on unchanged. */
