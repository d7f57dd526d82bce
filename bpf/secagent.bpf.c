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
static __always_inline void sa_walk_path(struct sa_scratch *s, struct dentry *d,
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
static __always_inline void sa_fill_path(struct sa_scratch *s, struct dentry *d, struct mount *mnt)
{
	char *buf = s->ev.path;
	__u32 n, off = 0, complete;

	sa_walk_path(s, d, mnt);
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

static __always_inline struct mount *sa_real_mount(struct vfsmount *vfsmnt)
{
	return (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);
}

static __always_inline void sa_emit(__u32 kind, __u32 access, struct dentry *d, struct mount *mnt,
				    const struct sa_decision *dec)
{
	__u32 zero = 0;
	struct sa_scratch *s = bpf_map_lookup_elem(&sa_scratch_map, &zero);
	__u64 id = bpf_get_current_pid_tgid(), ugid = bpf_get_current_uid_gid();
	struct inode *inode = BPF_CORE_READ(d, d_inode);

	if (!s) {
		sa_count(SA_COUNTER_EVENTS_LOST);
		return;
	}
	s->ev.version = SA_LAYOUT_VERSION;
	s->ev.kind = kind;
	s->ev.verdict = dec->verdict;
	s->ev.flags = dec->flags | (mnt ? 0 : SA_EVENT_PATH_RELATIVE);
	s->ev.seq = dec->seq;
	s->ev.rule_ref = dec->rule_ref;
	s->ev.access = access;
	s->ev.pid = (__u32)id;
	s->ev.tgid = id >> 32;
	s->ev.uid = (__u32)ugid;
	s->ev.gid = ugid >> 32;
	s->ev.dev = inode ? BPF_CORE_READ(inode, i_sb, s_dev) : 0;
	s->ev.ino = inode ? BPF_CORE_READ(inode, i_ino) : 0;
	s->ev.ktime_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(s->ev.comm, sizeof(s->ev.comm));
	sa_fill_path(s, d, mnt);

	if (bpf_ringbuf_output(&sa_events, &s->ev, sizeof(s->ev), 0))
		sa_count(SA_COUNTER_EVENTS_LOST);
}

/*
 * Decide, count, report, and turn the verdict into the hook's return value. Global, like
 * sa_walk(), so the verifier checks it once per program however many times a hook calls it;
 * hence scalar arguments.
 */
__attribute__((noinline)) int sa_check_addr(__u64 kind, __u64 access, __u64 d_addr,
					    __u64 mnt_addr, __u64 start)
{
	struct dentry *d = (struct dentry *)d_addr;
	struct mount *mnt = (struct mount *)mnt_addr;
	struct sa_decision dec = {};

	if (!d)
		return 0;
	sa_decide(d, mnt, start, access, &dec);
	if (!dec.decided || dec.verdict == SA_VERDICT_ALLOW)
		return 0;
	sa_count(dec.verdict == SA_VERDICT_DENY ? SA_COUNTER_DENIED : SA_COUNTER_AUDITED);
	sa_emit(kind, access, d, mnt, &dec);
	return dec.verdict == SA_VERDICT_DENY ? -EPERM : 0;
}

static __always_inline int sa_check(__u32 kind, __u32 access, struct dentry *d, struct mount *mnt,
				    enum sa_walk_start start)
{
	/* Spelled out so the verifier sees a return value in the range an LSM hook may return. */
	return sa_check_addr(kind, access, sa_addr(d), sa_addr(mnt), start) ? -EPERM : 0;
}

static __always_inline int sa_check_file(__u32 kind, __u32 access, struct file *file)
{
	return sa_check(kind, access, BPF_CORE_READ(file, f_path.dentry),
			sa_real_mount(BPF_CORE_READ(file, f_path.mnt)), SA_WALK_OBJECT);
}

#define FMODE_READ_BIT 0x1
#define FMODE_WRITE_BIT 0x2
#define FMODE_EXEC_BIT 0x20
#define PROT_EXEC_BIT 0x4

/* Every hook passes an earlier LSM's denial on unchanged. */

SEC("lsm/file_open")
int BPF_PROG(sa_file_open, struct file *file, int ret)
{
	__u32 mode, access = 0;

	if (ret)
		return ret;
	mode = BPF_CORE_READ(file, f_mode);
	/* The open that exec does is checked as exec, in bprm_check_security. */
	if (mode & FMODE_EXEC_BIT)
		return 0;
	if (mode & FMODE_READ_BIT)
		access |= SA_ACCESS_READ;
	if (mode & FMODE_WRITE_BIT)
		access |= SA_ACCESS_WRITE;
	if (!access)
		return 0;
	return sa_check_file(SA_EVENT_FILE_OPEN, access, file);
}

SEC("lsm/bprm_check_security")
int BPF_PROG(sa_bprm_check, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return ret;
	return sa_check_file(SA_EVENT_FILE_EXEC, SA_ACCESS_EXEC, BPF_CORE_READ(bprm, file));
}

SEC("lsm/mmap_file")
int BPF_PROG(sa_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	if (ret)
		return ret;
	if (!file || !(prot & PROT_EXEC_BIT))
		return 0;
	return sa_check_file(SA_EVENT_FILE_MMAP, SA_ACCESS_MMAP_EXEC, file);
}

SEC("lsm/file_mprotect")
int BPF_PROG(sa_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	struct file *file;

	if (ret)
		return ret;
	file = BPF_CORE_READ(vma, vm_file);
	if (!file || !(prot & PROT_EXEC_BIT))
		return 0;
	return sa_check_file(SA_EVENT_FILE_MMAP, SA_ACCESS_MMAP_EXEC, file);
}

SEC("lsm/path_truncate")
int BPF_PROG(sa_path_truncate, const struct path *path, int ret)
{
	if (ret)
		return ret;
	return sa_check(SA_EVENT_FILE_TRUNCATE, SA_ACCESS_WRITE, BPF_CORE_READ(path, dentry),
			sa_real_mount(BPF_CORE_READ(path, mnt)), SA_WALK_OBJECT);
}

/* The inode hooks see no mount: their walks and paths stay within the file system. */

SEC("lsm/inode_create")
int BPF_PROG(sa_inode_create, struct inode *dir, struct dentry *dentry, umode_t mode, int ret)
{
	if (ret)
		return ret;
	return sa_check(SA_EVENT_FILE_CREATE, SA_ACCESS_CREATE, dentry, NULL, SA_WALK_NEW);
}

SEC("lsm/inode_mkdir")
int BPF_PROG(sa_inode_mkdir, struct inode *dir, struct dentry *dentry, umode_t mode, int ret)
{
	if (ret)
		return ret;
	return sa_check(SA_EVENT_FILE_CREATE, SA_ACCESS_CREATE, dentry, NULL, SA_WALK_NEW);
}

SEC("lsm/inode_link")
int BPF_PROG(sa_inode_link, struct dentry *old_dentry, struct inode *dir,
	     struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	/* A new name for a protected file is a new way in: it needs create where it lands. */
	return sa_check(SA_EVENT_FILE_CREATE, SA_ACCESS_CREATE, new_dentry, NULL, SA_WALK_NEW);
}

SEC("lsm/inode_unlink")
int BPF_PROG(sa_inode_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return sa_check(SA_EVENT_FILE_UNLINK, SA_ACCESS_UNLINK, dentry, NULL, SA_WALK_OBJECT);
}

SEC("lsm/inode_rmdir")
int BPF_PROG(sa_inode_rmdir, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return sa_check(SA_EVENT_FILE_UNLINK, SA_ACCESS_UNLINK, dentry, NULL, SA_WALK_OBJECT);
}

SEC("lsm/inode_rename")
int BPF_PROG(sa_inode_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry, int ret)
{
	int r;

	if (ret)
		return ret;
	/* Out of a protected place, and into one (replacing what is there counts as its rename). */
	r = sa_check(SA_EVENT_FILE_RENAME, SA_ACCESS_RENAME, old_dentry, NULL, SA_WALK_OBJECT);
	if (r)
		return r;
	if (BPF_CORE_READ(new_dentry, d_inode))
		return sa_check(SA_EVENT_FILE_RENAME, SA_ACCESS_RENAME, new_dentry, NULL,
				SA_WALK_OBJECT);
	return sa_check(SA_EVENT_FILE_RENAME, SA_ACCESS_RENAME, new_dentry, NULL, SA_WALK_NEW);
}

/* Newer kernels pass the mount's idmap to inode_setattr first. Both forms are here; the daemon
 * reads the hook's prototype from the kernel's BTF and loads the one that fits. */
SEC("lsm/inode_setattr")
int BPF_PROG(sa_inode_setattr, struct dentry *dentry, struct iattr *attr, int ret)
{
	if (ret)
		return ret;
	return sa_check(SA_EVENT_FILE_SETATTR, SA_ACCESS_SETATTR, dentry, NULL, SA_WALK_OBJECT);
}

SEC("lsm/inode_setattr")
int BPF_PROG(sa_inode_setattr_idmap, struct mnt_idmap *idmap, struct dentry *dentry,
	     struct iattr *attr, int ret)
{
	if (ret)
		return ret;
	return sa_check(SA_EVENT_FILE_SETATTR, SA_ACCESS_SETATTR, dentry, NULL, SA_WALK_OBJECT);
}

/*
 * A cgroup named by a selector may be created after the policy was applied (a unit starts or
 * restarts, and gets a new cgroup with a new id). Bind it here, as it is created and before any
 * process can be moved into it, so there is no moment it runs unbound.
 */
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(sa_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	struct sa_cgroup_path_key key = {};
	struct sa_cgroup_path_value *v;
	__u64 id;

	/* Only the unified (cgroup2) hierarchy, whose hierarchy id is 0. */
	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0;
	if (bpf_probe_read_kernel_str(key.path, sizeof(key.path), path) < 0)
		return 0;
	v = bpf_map_lookup_elem(&sa_cgroup_paths, &key);
	if (!v)
		return 0;
	id = BPF_CORE_READ(cgrp, kn, id);
	for (__u32 slot = 0; slot < SA_SLOTS; slot++) {
		struct sa_cgroup_key k = { .slot = slot, .cgroup_id = id };
		__u64 mask = v->selectors[slot];

		if (mask)
			bpf_map_update_elem(&sa_cgroups, &k, &mask, BPF_ANY);
	}
	return 0;
}
