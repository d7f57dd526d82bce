// SPDX-License-Identifier: GPL-2.0-or-later
/* File access: opens, mappings, truncation, and the inode operations (create, link, unlink,
 * rename, setattr); and the identity probe the compiler asks for a file's key. */

#include "lib/events.bpf.h"
#include "lib/self.bpf.h"

SEC("lsm/file_open")
int BPF_PROG(sa_file_open, struct file *file, int ret)
{
	__u32 mode, access = 0;

	if (ret)
		return ret;
	mode = file->f_mode;
	/* The open that exec does is checked as exec, in bprm_check_security. Older kernels mark
	 * it in f_flags only (__FMODE_EXEC), newer ones in f_mode too. */
	if ((mode & FMODE_EXEC_BIT) || (file->f_flags & FMODE_EXEC_BIT))
		return 0;
	if (mode & FMODE_READ_BIT)
		access |= SA_ACCESS_READ;
	if (mode & FMODE_WRITE_BIT)
		access |= SA_ACCESS_WRITE;
	if (!access)
		return 0;
	return sa_check_file(SA_EVENT_FILE_OPEN, access, file);
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
int BPF_PROG(sa_inode_link, struct dentry *old_dentry, struct inode *dir, struct dentry *new_dentry,
	     int ret)
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
