// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel surface: module loads and requests, kexec, mounts, setuid to root (kernel: rules). */

#include "lib/kernel-ops.bpf.h"

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
