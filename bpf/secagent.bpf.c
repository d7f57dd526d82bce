// SPDX-License-Identifier: GPL-2.0-or-later
/* BPF LSM hooks: gather the facts of an access, ask the active policy set, act on its verdict. */

#include "secagent.bpf.h"
#include "net.bpf.h"

#include <bpf/bpf_endian.h>

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

/* @file: the hook's own pointer (or one read from it directly), so the fast path can read it. */
static __always_inline int sa_check_file(__u32 kind, __u32 access, struct file *file)
{
	struct dentry *d = file->f_path.dentry;

	if (!d || sa_file_unruled(d, file))
		return 0;
	return sa_check(kind, access, d, sa_real_mount(BPF_CORE_READ(file, f_path.mnt)),
			SA_WALK_OBJECT);
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
	mode = file->f_mode;
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
	struct file *file = bprm->file;

	if (ret)
		return ret;
	if (!file)
		return 0;
	return sa_check_file(SA_EVENT_FILE_EXEC, SA_ACCESS_EXEC, file);
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
	file = vma->vm_file;
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

/* ---- The compiler's identity probe ---- */

/* Answers the daemon's armed thread with the key the hooks compute for the file it stats; any
 * other stat returns at the first comparison. Never denies. */
SEC("lsm/inode_getattr")
int BPF_PROG(sa_identity_probe, const struct path *path, int ret)
{
	struct sa_identity_probe *p;
	struct inode *inode;
	__u32 zero = 0;

	p = bpf_map_lookup_elem(&sa_identity, &zero);
	if (!p || p->tid != (__u32)bpf_get_current_pid_tgid())
		return ret;
	inode = BPF_CORE_READ(path, dentry, d_inode);
	if (inode) {
		p->dev = sa_inode_dev(inode);
		p->ino = BPF_CORE_READ(inode, i_ino);
		p->fs_magic = BPF_CORE_READ(inode, i_sb, s_magic);
		p->flags = sa_identity_flags(inode);
	}
	p->tid = 0;
	return ret;
}

/* ---- Self-protection ---- */

/* kernel: rules, below; some share the self-protection hooks. */
static __always_inline int sa_is_descendant(struct task_struct *child);
static __always_inline int sa_kernel_check(__u32 op, const void *name, int user);

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
	struct sa_decision dec = { .verdict = SA_VERDICT_DENY, .flags = SA_EVENT_SELF,
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

/* The id of the link behind descriptor @fd of the current process; 0 if there is none. Read
 * for any file: a descriptor that is not a link gives an id that matters only if the command
 * could have worked, and BPF_LINK_DETACH and BPF_LINK_UPDATE fail on anything but a link. */
static __always_inline __u32 sa_link_id_of_fd(__u32 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *f = NULL;
	struct bpf_link *link;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd & 0xfffff]);
	if (!f)
		return 0;
	link = BPF_CORE_READ(f, private_data);
	return link ? BPF_CORE_READ(link, id) : 0;
}

/* Detaching or replacing the program of one of the daemon's links, or asking for a
 * descriptor to one by id. Maps are guarded where a descriptor to them is made (bpf_map). */
static __always_inline int sa_bpf_check(int cmd, union bpf_attr *attr)
{
	struct sa_own_key k = { .kind = SA_OWN_LINK };
	__u32 first = 0;

	if (cmd == BPF_PROG_LOAD)
		return sa_kernel_check(SA_KERNEL_BPF_LOAD, NULL, 0);
	if (cmd != BPF_LINK_DETACH && cmd != BPF_LINK_UPDATE && cmd != BPF_LINK_GET_FD_BY_ID)
		return 0;
	if (!sa_guarded())
		return 0;
	/* link_detach.link_fd, link_update.link_fd and link_id all come first. */
	bpf_probe_read_kernel(&first, sizeof(first), attr);
	k.id = cmd == BPF_LINK_GET_FD_BY_ID ? first : sa_link_id_of_fd(first);
	if (!k.id || !bpf_map_lookup_elem(&sa_own, &k))
		return 0;
	return sa_tamper(SA_EVENT_TAMPER_BPF, cmd, k.id, NULL);
}

/* Kernels from 6.14 pass whether the call comes from the kernel; the daemon loads the program
 * that fits the kernel's prototype (BTF). */
SEC("lsm/bpf")
int BPF_PROG(sa_bpf, int cmd, union bpf_attr *attr, unsigned int size, int ret)
{
	if (ret)
		return ret;
	return sa_bpf_check(cmd, attr) ? -EPERM : 0;
}

SEC("lsm/bpf")
int BPF_PROG(sa_bpf_kernel, int cmd, union bpf_attr *attr, unsigned int size, bool kernel,
	     int ret)
{
	if (ret)
		return ret;
	return sa_bpf_check(cmd, attr) ? -EPERM : 0;
}

SEC("lsm/bpf_map")
int BPF_PROG(sa_bpf_map, struct bpf_map *map, fmode_t fmode, int ret)
{
	struct sa_own_key k = { .kind = SA_OWN_MAP };

	if (ret)
		return ret;
	if (!sa_guarded())
		return 0;
	k.id = BPF_CORE_READ(map, id);
	if (!bpf_map_lookup_elem(&sa_own, &k))
		return 0;
	return sa_tamper(SA_EVENT_TAMPER_MAP, fmode, k.id, NULL) ? -EPERM : 0;
}

#define SIGHUP_NR 1
#define PTRACE_MODE_ATTACH_BIT 0x02

/* Signals to the daemon: only from itself and from PID 1 (systemctl stop, kill, the stop
 * timeout, the watchdog); SIGHUP (reload) and signal 0 (is it alive) from anyone. */
SEC("lsm/task_kill")
int BPF_PROG(sa_task_kill, struct task_struct *p, struct kernel_siginfo *info, int sig,
	     const struct cred *cred, int ret)
{
	struct sa_self_info *self;

	if (ret)
		return ret;
	if (sig == 0 || sig == SIGHUP_NR)
		return 0;
	self = sa_guarded();
	if (!self || BPF_CORE_READ(p, tgid) != self->tgid)
		return 0;
	if ((bpf_get_current_pid_tgid() >> 32) == 1)
		return 0;
	return sa_tamper(SA_EVENT_TAMPER_SIGNAL, sig, self->tgid, NULL) ? -EPERM : 0;
}

/* Attaching to the daemon (ptrace, /proc/PID/mem, process_vm_writev, pidfd_getfd); reading
 * what /proc shows of it stays allowed. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(sa_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	struct sa_self_info *self;

	if (ret)
		return ret;
	if (!(mode & PTRACE_MODE_ATTACH_BIT))
		return 0;
	self = sa_guarded();
	if (self && BPF_CORE_READ(child, tgid) == self->tgid)
		return sa_tamper(SA_EVENT_TAMPER_PTRACE, mode, self->tgid, NULL) ? -EPERM : 0;
	/* kernel: rules: attaching to a process outside the caller's own subtree. */
	if (sa_is_descendant(child))
		return 0;
	return sa_kernel_check(SA_KERNEL_PTRACE, NULL, 0) ? -EPERM : 0;
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
	if (sa_pin_guard(dir, dentry))
		return -EPERM;
	return sa_check(SA_EVENT_FILE_UNLINK, SA_ACCESS_UNLINK, dentry, NULL, SA_WALK_OBJECT);
}

SEC("lsm/inode_rmdir")
int BPF_PROG(sa_inode_rmdir, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	if (sa_pin_guard(dir, dentry))
		return -EPERM;
	return sa_check(SA_EVENT_FILE_UNLINK, SA_ACCESS_UNLINK, dentry, NULL, SA_WALK_OBJECT);
}

SEC("lsm/inode_rename")
int BPF_PROG(sa_inode_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry, int ret)
{
	int r;

	if (ret)
		return ret;
	if (sa_pin_guard(old_dir, old_dentry) || sa_pin_guard(new_dir, new_dentry))
		return -EPERM;
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

/* ---- Network, socket creation, capabilities ---- */

#define AF_UNIX_NR 1
#define AF_INET_NR 2
#define AF_INET6_NR 10
#define IPPROTO_TCP_NR 6
#define IPPROTO_UDP_NR 17
#define IPPROTO_UDPLITE_NR 136
#define IPPROTO_MPTCP_NR 262
#define CAP_OPT_NOAUDIT_BIT 0x2

static __always_inline __u32 sa_net_proto_class(__u32 protocol, __u32 family)
{
	if (family == AF_UNIX_NR)
		return SA_NET_OTHER;
	if (protocol == IPPROTO_TCP_NR || protocol == IPPROTO_MPTCP_NR)
		return SA_NET_TCP;
	if (protocol == IPPROTO_UDP_NR || protocol == IPPROTO_UDPLITE_NR)
		return SA_NET_UDP;
	return SA_NET_OTHER;
}

/* Counts and reports a decision; the hook's return value. */
static __always_inline int sa_net_report(__u32 kind, __u32 access, const struct sa_decision *dec,
					 __u32 family, __u32 protocol, __u32 port, __u32 arg,
					 __u64 hi, __u64 lo)
{
	struct sa_event_record *s;

	if (!dec->decided || dec->verdict == SA_VERDICT_ALLOW)
		return 0;
	sa_count(dec->verdict == SA_VERDICT_DENY ? SA_COUNTER_DENIED : SA_COUNTER_AUDITED);
	s = sa_event_begin(kind, access, dec);
	if (s) {
		s->ev.family = family;
		s->ev.protocol = protocol;
		s->ev.port = port;
		s->ev.arg = arg;
		__builtin_memcpy(s->ev.addr, &hi, 8);
		__builtin_memcpy(s->ev.addr + 8, &lo, 8);
		sa_event_send(s);
	}
	return dec->verdict == SA_VERDICT_DENY ? -EPERM : 0;
}

/*
 * Decide operation @op on socket @sock_addr with the address at @sa_addr (@sa_len bytes, the
 * kernel's copy of it) or, for @sa_addr 0, the socket's own local address (listen). Global,
 * checked once for the four hooks; scalar arguments.
 */
__attribute__((noinline)) int sa_net_check(__u64 op, __u64 sock_addr, __u64 sa_addr_v,
					   __u64 sa_len)
{
	struct socket *sock = (struct socket *)sock_addr;
	struct sock *sk = BPF_CORE_READ(sock, sk);
	struct sa_decision dec = {};
	__u64 hi = 0, lo = 0;
	__u32 family = 0, protocol, port = 0, fam, bit;
	__u16 sa_family = 0, nport = 0;

	if (!sk)
		return 0;
	protocol = BPF_CORE_READ(sk, sk_protocol);
	if (sa_addr_v) {
		if (sa_len < 2 || bpf_probe_read_kernel(&sa_family, 2, (void *)sa_addr_v) < 0)
			return 0;
		family = sa_family;
		if (family == AF_INET_NR) {
			__u32 a4 = 0;

			if (sa_len < 8)
				return 0; /* the kernel refuses it (EINVAL) */
			bpf_probe_read_kernel(&nport, 2, (void *)(sa_addr_v + 2));
			bpf_probe_read_kernel(&a4, 4, (void *)(sa_addr_v + 4));
			hi = a4;
		} else if (family == AF_INET6_NR) {
			if (sa_len < 24)
				return 0;
			bpf_probe_read_kernel(&nport, 2, (void *)(sa_addr_v + 2));
			bpf_probe_read_kernel(&hi, 8, (void *)(sa_addr_v + 8));
			bpf_probe_read_kernel(&lo, 8, (void *)(sa_addr_v + 16));
		}
	} else {
		family = BPF_CORE_READ(sk, __sk_common.skc_family);
		nport = bpf_htons(BPF_CORE_READ(sk, __sk_common.skc_num));
		if (family == AF_INET_NR) {
			hi = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		} else if (family == AF_INET6_NR) {
			bpf_probe_read_kernel(&hi, 8, &sk->__sk_common.skc_v6_rcv_saddr);
			bpf_probe_read_kernel(&lo, 8,
					      (void *)&sk->__sk_common.skc_v6_rcv_saddr + 8);
		}
	}
	port = bpf_ntohs(nport);
	if (family == AF_INET_NR) {
		fam = SA_NET_IPV4;
	} else if (family == AF_INET6_NR) {
		fam = SA_NET_IPV6;
		/* ::ffff:a.b.c.d is the IPv4 address a.b.c.d. */
		if (hi == 0 && (lo & 0xffffffffULL) == 0xffff0000ULL) {
			fam = SA_NET_IPV4;
			family = AF_INET_NR; /* reported as the IPv4 address it is */
			hi = lo >> 32;
			lo = 0;
		}
	} else if (family == AF_UNIX_NR) {
		fam = SA_NET_UNIX;
		port = 0;
	} else {
		return 0;
	}
	bit = SA_NET_BIT(op & 3, sa_net_proto_class(protocol, family));
	sa_decide_rules(SA_RULES_NET, SA_NET_Q(0, fam, bit), hi, lo, port, &dec);
	return sa_net_report(SA_EVENT_NET_CONNECT + (op & 3), bit, &dec, family, protocol, port, 0,
			     hi, lo) ? -EPERM : 0;
}

SEC("lsm/socket_connect")
int BPF_PROG(sa_socket_connect, struct socket *sock, struct sockaddr *address, int addrlen,
	     int ret)
{
	if (ret)
		return ret;
	return sa_net_check(SA_NET_CONNECT, sa_addr(sock), sa_addr(address), addrlen) ? -EPERM : 0;
}

SEC("lsm/socket_bind")
int BPF_PROG(sa_socket_bind, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	if (ret)
		return ret;
	return sa_net_check(SA_NET_BIND, sa_addr(sock), sa_addr(address), addrlen) ? -EPERM : 0;
}

SEC("lsm/socket_listen")
int BPF_PROG(sa_socket_listen, struct socket *sock, int backlog, int ret)
{
	if (ret)
		return ret;
	return sa_net_check(SA_NET_LISTEN, sa_addr(sock), 0, 0) ? -EPERM : 0;
}

/* Datagrams to an explicit address: a connected socket's sends were checked at connect. */
SEC("lsm/socket_sendmsg")
int BPF_PROG(sa_socket_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	void *name;

	if (ret)
		return ret;
	name = BPF_CORE_READ(msg, msg_name);
	if (!name)
		return 0;
	return sa_net_check(SA_NET_SENDMSG, sa_addr(sock), sa_addr(name),
			    BPF_CORE_READ(msg, msg_namelen)) ? -EPERM : 0;
}

SEC("lsm/socket_create")
int BPF_PROG(sa_socket_create, int family, int type, int protocol, int kern, int ret)
{
	struct sa_decision dec = {};
	__u32 t = type & 0xf; /* without SOCK_NONBLOCK, SOCK_CLOEXEC */

	if (ret)
		return ret;
	if (kern)
		return 0;
	sa_decide_rules(SA_RULES_CREATE, family & 0xffff, t, protocol & 0xffff, 0, &dec);
	return sa_net_report(SA_EVENT_NET_CREATE, 0, &dec, family, protocol, 0, t, 0, 0) ? -EPERM
											: 0;
}

SEC("lsm/capable")
int BPF_PROG(sa_capable, const struct cred *cred, struct user_namespace *ns, int cap,
	     unsigned int opts, int ret)
{
	struct sa_decision dec = {};

	if (ret)
		return ret;
	if (cap < 0 || cap > SA_CAP_MAX)
		return 0;
	sa_decide_rules(SA_RULES_CAP, cap, 0, 0, 0, &dec);
	if (!dec.decided || dec.verdict == SA_VERDICT_ALLOW)
		return 0;
	/* A probe the kernel makes without auditing (ns_capable_noaudit) is denied all the
	 * same, but not reported: it is not an attempt the process made. */
	if (opts & CAP_OPT_NOAUDIT_BIT)
		return dec.verdict == SA_VERDICT_DENY ? -EPERM : 0;
	return sa_net_report(SA_EVENT_CAPABILITY, 0, &dec, 0, 0, 0, cap, 0, 0) ? -EPERM : 0;
}

/* ---- kernel: rules ---- */

/* Decides kernel operation @op for the current process; reports with @name (a module, a file,
 * a file system type; may be NULL) read from kernel (or, with @user, user) memory. */
static __always_inline int sa_kernel_check(__u32 op, const void *name, int user)
{
	struct sa_decision dec = {};
	struct sa_event_record *s;

	sa_decide_rules(SA_RULES_CAP, SA_KERNEL_KEY(op), 0, 0, 0, &dec);
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

/* init_module (and, on kernels that load firmware or policies this way, nothing else). */
SEC("lsm/kernel_load_data")
int BPF_PROG(sa_kernel_load_data, enum kernel_load_data_id id, bool contents, int ret)
{
	if (ret)
		return ret;
	if (id == bpf_core_enum_value(enum kernel_load_data_id, LOADING_MODULE))
		return sa_kernel_check(SA_KERNEL_MODULE_LOAD, NULL, 0) ? -EPERM : 0;
	if (id == bpf_core_enum_value(enum kernel_load_data_id, LOADING_KEXEC_IMAGE))
		return sa_kernel_check(SA_KERNEL_KEXEC, NULL, 0) ? -EPERM : 0;
	return 0;
}

/* finit_module and kexec_file_load read a file. */
SEC("lsm/kernel_read_file")
int BPF_PROG(sa_kernel_read_file, struct file *file, enum kernel_read_file_id id, bool contents,
	     int ret)
{
	const unsigned char *name = NULL;

	if (ret)
		return ret;
	if (file)
		name = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	if (id == bpf_core_enum_value(enum kernel_read_file_id, READING_MODULE))
		return sa_kernel_check(SA_KERNEL_MODULE_LOAD, name, 0) ? -EPERM : 0;
	if (id == bpf_core_enum_value(enum kernel_read_file_id, READING_KEXEC_IMAGE))
		return sa_kernel_check(SA_KERNEL_KEXEC, name, 0) ? -EPERM : 0;
	return 0;
}

/* A module the kernel is about to load on demand for the current process (a socket family,
 * a file system, a device): denied, the request fails as if the module did not exist. */
SEC("lsm/kernel_module_request")
int BPF_PROG(sa_kernel_module_request, char *kmod_name, int ret)
{
	if (ret)
		return ret;
	return sa_kernel_check(SA_KERNEL_MODULE_REQUEST, kmod_name, 0) ? -EPERM : 0;
}

#define MS_REMOUNT_BIT 32

SEC("lsm/sb_mount")
int BPF_PROG(sa_sb_mount, const char *dev_name, const struct path *path, const char *type,
	     unsigned long flags, void *data, int ret)
{
	if (ret)
		return ret;
	if (flags & MS_REMOUNT_BIT)
		return sa_kernel_check(SA_KERNEL_REMOUNT, type, 0) ? -EPERM : 0;
	return sa_kernel_check(SA_KERNEL_MOUNT, type, 0) ? -EPERM : 0;
}

SEC("lsm/task_fix_setuid")
int BPF_PROG(sa_task_fix_setuid, struct cred *new, const struct cred *old, int flags, int ret)
{
	__u32 nr, ne, ns, or_, oe, os;

	if (ret)
		return ret;
	nr = BPF_CORE_READ(new, uid.val);
	ne = BPF_CORE_READ(new, euid.val);
	ns = BPF_CORE_READ(new, suid.val);
	or_ = BPF_CORE_READ(old, uid.val);
	oe = BPF_CORE_READ(old, euid.val);
	os = BPF_CORE_READ(old, suid.val);
	/* Only a change to root: a root process dropping privileges is not one. */
	if (!((nr == 0 && or_ != 0) || (ne == 0 && oe != 0) || (ns == 0 && os != 0)))
		return 0;
	return sa_kernel_check(SA_KERNEL_SETUID_ROOT, NULL, 0) ? -EPERM : 0;
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
