// SPDX-License-Identifier: GPL-2.0-or-later
/* BPF LSM hooks: gather the facts of an access, ask the active policy set, act on its verdict. */

#include "secagent.bpf.h"

char LICENSE[] SEC("license") = "GPL";

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
static __always_inline void sa_walk_path(struct sa_scratch *s, struct file *file)
{
	struct dentry *d = BPF_CORE_READ(file, f_path.dentry);
	struct vfsmount *vfsmnt = BPF_CORE_READ(file, f_path.mnt);
	struct mount *mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);
	int i;

	s->walk_complete = 0;
	for (i = 0; i < SA_PATH_DEPTH; i++) {
		struct dentry *root = BPF_CORE_READ(mnt, mnt.mnt_root);
		struct dentry *parent = BPF_CORE_READ(d, d_parent);

		s->names[i] = NULL;
		if (d == root) {
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
static __always_inline void sa_fill_path(struct sa_scratch *s, struct file *file)
{
	char *buf = s->ev.path;
	__u32 n, off = 0, complete;

	sa_walk_path(s, file);
	n = READ_ONCE_U32(s->n_names);
	complete = READ_ONCE_U32(s->walk_complete);

	for (int i = 0; i < SA_PATH_DEPTH; i++) {
		long r;

		const unsigned char *name;

		if (i >= n)
			break;
		name = s->names[(n - 1 - i) & (SA_PATH_DEPTH - 1)];
		if (!name)
			continue;
		if (off >= SA_PATH_LEN - 2) {
			complete = 0;
			break;
		}
		buf[sa_path_index(off)] = '/';
		off++;
		r = bpf_probe_read_kernel_str(buf + sa_path_index(off), SA_PATH_LEN, name);
		if (r > 0)
			off += r - 1;
	}
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

static __always_inline void sa_emit_file_event(__u32 kind, struct file *file, __u32 dev, __u64 ino,
					       const struct sa_file_rule *rule, __u32 seq,
					       __u32 flags)
{
	__u32 zero = 0;
	struct sa_scratch *s = bpf_map_lookup_elem(&sa_scratch_map, &zero);
	__u64 id = bpf_get_current_pid_tgid(), ugid = bpf_get_current_uid_gid();

	if (!s) {
		sa_count(SA_COUNTER_EVENTS_LOST);
		return;
	}
	s->ev.version = SA_LAYOUT_VERSION;
	s->ev.kind = kind;
	s->ev.verdict = rule->verdict;
	s->ev.flags = flags;
	s->ev.seq = seq;
	s->ev.policy_id = rule->policy_id;
	s->ev.rule_id = rule->rule_id;
	s->ev.pid = (__u32)id;
	s->ev.tgid = id >> 32;
	s->ev.uid = (__u32)ugid;
	s->ev.gid = ugid >> 32;
	s->ev.dev = dev;
	s->ev.ino = ino;
	s->ev.ktime_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(s->ev.comm, sizeof(s->ev.comm));
	sa_fill_path(s, file);

	if (bpf_ringbuf_output(&sa_events, &s->ev, sizeof(s->ev), 0))
		sa_count(SA_COUNTER_EVENTS_LOST);
}

/* Apply a verdict: count it, report it, and turn it into the hook's return value. */
static __always_inline int sa_file_verdict(__u32 kind, struct file *file, __u32 dev, __u64 ino)
{
	struct sa_file_rule rule = {};
	__u32 seq = 0, flags = 0;
	int found = sa_file_lookup(dev, ino, &rule, &seq);

	if (found < 0) {
		/* The policy switched under us SA_DECIDE_RETRIES times: fail closed. */
		sa_count(SA_COUNTER_FAIL_CLOSED);
		rule.verdict = SA_VERDICT_DENY;
		flags |= SA_EVENT_RACE_FAIL_CLOSED;
	} else if (!found || rule.verdict == SA_VERDICT_ALLOW) {
		return 0;
	}

	sa_count(rule.verdict == SA_VERDICT_DENY ? SA_COUNTER_DENIED : SA_COUNTER_AUDITED);
	sa_emit_file_event(kind, file, dev, ino, &rule, seq, flags);
	return rule.verdict == SA_VERDICT_DENY ? -EPERM : 0;
}

SEC("lsm/file_open")
int BPF_PROG(sa_file_open, struct file *file, int ret)
{
	struct inode *inode;

	/* Never overturn an earlier LSM's denial. */
	if (ret)
		return ret;

	inode = BPF_CORE_READ(file, f_inode);
	if (!inode)
		return 0;
	return sa_file_verdict(SA_EVENT_FILE_OPEN, file, BPF_CORE_READ(inode, i_sb, s_dev),
			       BPF_CORE_READ(inode, i_ino));
}
