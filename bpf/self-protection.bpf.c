// SPDX-License-Identifier: GPL-2.0-or-later
/* Self-protection: the agent's links, maps, process and pins, against everyone but the daemon;
 * and the BPF and ptrace hooks' kernel: rules, which share these hooks. */

#include "lib/kernel-ops.bpf.h"
#include "lib/self.bpf.h"

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
int BPF_PROG(sa_bpf_kernel, int cmd, union bpf_attr *attr, unsigned int size, bool kernel, int ret)
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

#define SIGHUP_NR	       1
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
