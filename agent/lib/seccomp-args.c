// SPDX-License-Identifier: GPL-2.0-or-later
#include "seccomp-args.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>

#include "util.h"

/*
 * The width the kernel uses of each argument of the x86_64 system calls, from the types of their
 * SYSCALL_DEFINEs: 'w' 32 bits (int, unsigned int, pid_t, uid_t, gid_t, key_serial_t, clockid_t,
 * timer_t, mqd_t, rwf_t, u32), 'h' 16 bits (umode_t), 'l' 64 bits (long, size_t, loff_t,
 * pointers). An argument declared wider that the kernel then truncates (the file descriptor of
 * mmap, readv and preadv, clone's flags, ptrace's pid) or whose upper bits it ignores (mmap's
 * prot and flags) is listed by the width the kernel uses. Calls without an argument worth a
 * condition are left out: a condition on a call missing here is refused, never guessed.
 */
static const struct {
	const char *name;
	const char *widths;
} arg_widths[] = {
	{ "accept", "wll" },
	{ "accept4", "wllw" },
	{ "access", "lw" },
	{ "add_key", "llllw" },
	{ "alarm", "w" },
	{ "arch_prctl", "wl" },
	{ "bind", "wlw" },
	{ "bpf", "wlw" },
	{ "capget", "ll" },
	{ "capset", "ll" },
	{ "chmod", "lh" },
	{ "chown", "lww" },
	{ "clock_adjtime", "wl" },
	{ "clock_getres", "wl" },
	{ "clock_gettime", "wl" },
	{ "clock_nanosleep", "wwll" },
	{ "clock_settime", "wl" },
	{ "clone", "wllll" },
	{ "clone3", "ll" },
	{ "close", "w" },
	{ "close_range", "www" },
	{ "connect", "wlw" },
	{ "copy_file_range", "wlwllw" },
	{ "creat", "lh" },
	{ "delete_module", "lw" },
	{ "dup", "w" },
	{ "dup2", "ww" },
	{ "dup3", "www" },
	{ "epoll_create", "w" },
	{ "epoll_create1", "w" },
	{ "epoll_ctl", "wwwl" },
	{ "epoll_pwait", "wlwwll" },
	{ "epoll_pwait2", "wlwlll" },
	{ "epoll_wait", "wlww" },
	{ "eventfd", "w" },
	{ "eventfd2", "ww" },
	{ "execve", "lll" },
	{ "execveat", "wlllw" },
	{ "exit", "w" },
	{ "exit_group", "w" },
	{ "faccessat", "wlw" },
	{ "faccessat2", "wlww" },
	{ "fadvise64", "wllw" },
	{ "fallocate", "wwll" },
	{ "fanotify_init", "ww" },
	{ "fanotify_mark", "wwlwl" },
	{ "fchdir", "w" },
	{ "fchmod", "wh" },
	{ "fchmodat", "wlh" },
	{ "fchown", "www" },
	{ "fchownat", "wlwww" },
	{ "fcntl", "wwl" },
	{ "fdatasync", "w" },
	{ "fgetxattr", "wlll" },
	{ "finit_module", "wlw" },
	{ "flistxattr", "wll" },
	{ "flock", "ww" },
	{ "fremovexattr", "wl" },
	{ "fsconfig", "wwllw" },
	{ "fsetxattr", "wlllw" },
	{ "fsmount", "www" },
	{ "fsopen", "lw" },
	{ "fspick", "wlw" },
	{ "fstat", "wl" },
	{ "fstatfs", "wl" },
	{ "fsync", "w" },
	{ "ftruncate", "wl" },
	{ "futex", "lwwllw" },
	{ "futimesat", "wll" },
	{ "get_mempolicy", "lllll" },
	{ "get_robust_list", "wll" },
	{ "getcpu", "lll" },
	{ "getcwd", "ll" },
	{ "getdents", "wlw" },
	{ "getdents64", "wlw" },
	{ "getgroups", "wl" },
	{ "getitimer", "wl" },
	{ "getpeername", "wll" },
	{ "getpgid", "w" },
	{ "getpriority", "ww" },
	{ "getrandom", "llw" },
	{ "getresgid", "lll" },
	{ "getresuid", "lll" },
	{ "getrlimit", "wl" },
	{ "getrusage", "wl" },
	{ "getsid", "w" },
	{ "getsockname", "wll" },
	{ "getsockopt", "wwwll" },
	{ "getxattr", "llll" },
	{ "init_module", "lll" },
	{ "inotify_add_watch", "wlw" },
	{ "inotify_init1", "w" },
	{ "inotify_rm_watch", "ww" },
	{ "io_cancel", "lll" },
	{ "io_destroy", "l" },
	{ "io_getevents", "lllll" },
	{ "io_setup", "wl" },
	{ "io_submit", "lll" },
	{ "io_uring_enter", "wwwwll" },
	{ "io_uring_register", "wwlw" },
	{ "io_uring_setup", "wl" },
	{ "ioctl", "wwl" },
	{ "ioperm", "llw" },
	{ "iopl", "w" },
	{ "ioprio_get", "ww" },
	{ "ioprio_set", "www" },
	{ "kcmp", "wwwll" },
	{ "kexec_file_load", "wwlll" },
	{ "kexec_load", "llll" },
	{ "keyctl", "wllll" },
	{ "kill", "ww" },
	{ "landlock_add_rule", "wwlw" },
	{ "landlock_create_ruleset", "llw" },
	{ "landlock_restrict_self", "ww" },
	{ "lchown", "lww" },
	{ "lgetxattr", "llll" },
	{ "link", "ll" },
	{ "linkat", "wlwlw" },
	{ "listen", "ww" },
	{ "listxattr", "lll" },
	{ "llistxattr", "lll" },
	{ "lremovexattr", "ll" },
	{ "lseek", "wlw" },
	{ "lsetxattr", "llllw" },
	{ "lstat", "ll" },
	{ "madvise", "llw" },
	{ "mbind", "lllllw" },
	{ "membarrier", "www" },
	{ "memfd_create", "lw" },
	{ "memfd_secret", "w" },
	{ "migrate_pages", "wlll" },
	{ "mincore", "lll" },
	{ "mkdir", "lh" },
	{ "mkdirat", "wlh" },
	{ "mknod", "lhw" },
	{ "mknodat", "wlhw" },
	{ "mlock", "ll" },
	{ "mlock2", "llw" },
	{ "mlockall", "w" },
	{ "mmap", "llwwwl" },
	{ "modify_ldt", "wll" },
	{ "mount", "lllll" },
	{ "mount_setattr", "wlwll" },
	{ "move_mount", "wlwlw" },
	{ "move_pages", "wllllw" },
	{ "mprotect", "lll" },
	{ "mq_getsetattr", "wll" },
	{ "mq_notify", "wl" },
	{ "mq_open", "lwhl" },
	{ "mq_timedreceive", "wllll" },
	{ "mq_timedsend", "wllwl" },
	{ "mq_unlink", "l" },
	{ "mremap", "lllll" },
	{ "msgctl", "wwl" },
	{ "msgget", "ww" },
	{ "msgrcv", "wlllw" },
	{ "msgsnd", "wllw" },
	{ "msync", "llw" },
	{ "munlock", "ll" },
	{ "munmap", "ll" },
	{ "name_to_handle_at", "wlllw" },
	{ "nanosleep", "ll" },
	{ "newfstatat", "wllw" },
	{ "open", "lwh" },
	{ "open_by_handle_at", "wlw" },
	{ "open_tree", "wlw" },
	{ "openat", "wlwh" },
	{ "openat2", "wlll" },
	{ "perf_event_open", "lwwwl" },
	{ "personality", "w" },
	{ "pidfd_getfd", "www" },
	{ "pidfd_open", "ww" },
	{ "pidfd_send_signal", "wwlw" },
	{ "pipe", "l" },
	{ "pipe2", "lw" },
	{ "pivot_root", "ll" },
	{ "pkey_alloc", "ll" },
	{ "pkey_free", "w" },
	{ "pkey_mprotect", "lllw" },
	{ "poll", "lww" },
	{ "ppoll", "lwlll" },
	{ "prctl", "wllll" },
	{ "pread64", "wlll" },
	{ "preadv", "wllll" },
	{ "preadv2", "wllllw" },
	{ "prlimit64", "wwll" },
	{ "process_madvise", "wllww" },
	{ "process_mrelease", "ww" },
	{ "process_vm_readv", "wlllll" },
	{ "process_vm_writev", "wlllll" },
	{ "pselect6", "wlllll" },
	{ "ptrace", "lwll" },
	{ "pwrite64", "wlll" },
	{ "pwritev", "wllll" },
	{ "pwritev2", "wllllw" },
	{ "quotactl", "wlwl" },
	{ "read", "wll" },
	{ "readahead", "wll" },
	{ "readlink", "llw" },
	{ "readlinkat", "wllw" },
	{ "readv", "wll" },
	{ "reboot", "wwwl" },
	{ "recvfrom", "wllwll" },
	{ "recvmmsg", "wlwwl" },
	{ "recvmsg", "wlw" },
	{ "removexattr", "ll" },
	{ "rename", "ll" },
	{ "renameat", "wlwl" },
	{ "renameat2", "wlwlw" },
	{ "request_key", "lllw" },
	{ "rmdir", "l" },
	{ "rseq", "lwww" },
	{ "rt_sigaction", "wlll" },
	{ "rt_sigprocmask", "wlll" },
	{ "rt_sigqueueinfo", "wwl" },
	{ "rt_tgsigqueueinfo", "wwwl" },
	{ "sched_get_priority_max", "w" },
	{ "sched_get_priority_min", "w" },
	{ "sched_getaffinity", "wwl" },
	{ "sched_getattr", "wlww" },
	{ "sched_getparam", "wl" },
	{ "sched_getscheduler", "w" },
	{ "sched_rr_get_interval", "wl" },
	{ "sched_setaffinity", "wwl" },
	{ "sched_setattr", "wlw" },
	{ "sched_setparam", "wl" },
	{ "sched_setscheduler", "wwl" },
	{ "seccomp", "wwl" },
	{ "select", "wllll" },
	{ "semctl", "wwwl" },
	{ "semget", "www" },
	{ "semop", "wlw" },
	{ "semtimedop", "wlwl" },
	{ "sendfile", "wwll" },
	{ "sendmmsg", "wlww" },
	{ "sendmsg", "wlw" },
	{ "sendto", "wllwlw" },
	{ "set_mempolicy", "wll" },
	{ "set_robust_list", "ll" },
	{ "setdomainname", "lw" },
	{ "setfsgid", "w" },
	{ "setfsuid", "w" },
	{ "setgid", "w" },
	{ "setgroups", "wl" },
	{ "sethostname", "lw" },
	{ "setitimer", "wll" },
	{ "setns", "ww" },
	{ "setpgid", "ww" },
	{ "setpriority", "www" },
	{ "setregid", "ww" },
	{ "setresgid", "www" },
	{ "setresuid", "www" },
	{ "setreuid", "ww" },
	{ "setrlimit", "wl" },
	{ "setsockopt", "wwwlw" },
	{ "setuid", "w" },
	{ "setxattr", "llllw" },
	{ "shmat", "wlw" },
	{ "shmctl", "wwl" },
	{ "shmdt", "l" },
	{ "shmget", "wlw" },
	{ "shutdown", "ww" },
	{ "signalfd", "wll" },
	{ "signalfd4", "wllw" },
	{ "socket", "www" },
	{ "socketpair", "wwwl" },
	{ "splice", "wlwllw" },
	{ "stat", "ll" },
	{ "statfs", "ll" },
	{ "statx", "wlwwl" },
	{ "swapoff", "l" },
	{ "swapon", "lw" },
	{ "symlink", "ll" },
	{ "symlinkat", "lwl" },
	{ "sync_file_range", "wllw" },
	{ "syncfs", "w" },
	{ "sysfs", "wll" },
	{ "syslog", "wlw" },
	{ "tee", "wwlw" },
	{ "tgkill", "www" },
	{ "timer_create", "wll" },
	{ "timer_delete", "w" },
	{ "timer_getoverrun", "w" },
	{ "timer_gettime", "wl" },
	{ "timer_settime", "wwll" },
	{ "timerfd_create", "ww" },
	{ "timerfd_gettime", "wl" },
	{ "timerfd_settime", "wwll" },
	{ "tkill", "ww" },
	{ "truncate", "ll" },
	{ "umask", "w" },
	{ "umount2", "lw" },
	{ "uname", "l" },
	{ "unlink", "l" },
	{ "unlinkat", "wlw" },
	{ "unshare", "l" },
	{ "userfaultfd", "w" },
	{ "utimensat", "wllw" },
	{ "vmsplice", "wllw" },
	{ "wait4", "wlwl" },
	{ "waitid", "wwlwl" },
	{ "write", "wll" },
	{ "writev", "wll" },
};

unsigned seccomp_arg_width(const char *name, unsigned index)
{
	for (size_t i = 0; i < ELEMENTSOF(arg_widths); i++) {
		if (!streq(arg_widths[i].name, name))
			continue;
		if (index >= strlen(arg_widths[i].widths))
			return 0;
		switch (arg_widths[i].widths[index]) {
		case 'h':
			return 16;
		case 'w':
			return 32;
		default:
			return 64;
		}
	}
	return 0;
}

static struct seccomp_arg_cmp masked(unsigned index, uint64_t mask, uint64_t value)
{
	return (struct seccomp_arg_cmp){ index, SCMP_CMP_MASKED_EQ, mask, value & mask };
}

/* x < v over the low @width bits: x agrees with v above some set bit i of v, and has it clear. */
static int expand_lt(unsigned index, uint64_t v, uint64_t w,
		     struct seccomp_arg_cmp ret[SECCOMP_ARGS_MAX_PER_COND])
{
	int n = 0;

	for (int i = 63; i >= 0; i--) {
		uint64_t bit = UINT64_C(1) << i;

		if ((v & bit) && (w & bit))
			ret[n++] = masked(index, w & ~(bit - 1), v & ~bit);
	}
	return n;
}

/* x > v: x agrees with v above some clear bit i of v, and has it set. */
static int expand_gt(unsigned index, uint64_t v, uint64_t w,
		     struct seccomp_arg_cmp ret[SECCOMP_ARGS_MAX_PER_COND])
{
	int n = 0;

	for (int i = 63; i >= 0; i--) {
		uint64_t bit = UINT64_C(1) << i;

		if (!(v & bit) && (w & bit))
			ret[n++] = masked(index, w & ~(bit - 1), v | bit);
	}
	return n;
}

int seccomp_arg_expand(const struct syscall_arg_cond *cond, unsigned width,
		       struct seccomp_arg_cmp ret[SECCOMP_ARGS_MAX_PER_COND])
{
	uint64_t w = width >= 64 ? UINT64_MAX : (UINT64_C(1) << width) - 1;
	uint64_t v = cond->value;
	unsigned idx = cond->index;
	int n = 0;

	if ((v & ~w) || (cond->op == SYSCALL_ARG_MASKED_EQ && (cond->mask & ~w)))
		return -ERANGE;
	if (width >= 64) {
		static const int ops[] = {
			[SYSCALL_ARG_EQ] = SCMP_CMP_EQ,
			[SYSCALL_ARG_NE] = SCMP_CMP_NE,
			[SYSCALL_ARG_LT] = SCMP_CMP_LT,
			[SYSCALL_ARG_LE] = SCMP_CMP_LE,
			[SYSCALL_ARG_GT] = SCMP_CMP_GT,
			[SYSCALL_ARG_GE] = SCMP_CMP_GE,
			[SYSCALL_ARG_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
		};
		bool m = cond->op == SYSCALL_ARG_MASKED_EQ;

		ret[0] = (struct seccomp_arg_cmp){ idx, ops[cond->op], m ? cond->mask : v,
						   m ? v : 0 };
		return 1;
	}
	switch (cond->op) {
	case SYSCALL_ARG_EQ:
		ret[n++] = masked(idx, w, v);
		return n;
	case SYSCALL_ARG_MASKED_EQ:
		/* Bits of the value outside the mask can never match. */
		if (v & ~cond->mask)
			return 0;
		ret[n++] = masked(idx, cond->mask, v);
		return n;
	case SYSCALL_ARG_NE:
		for (int i = 0; i < (int)width; i++) {
			uint64_t bit = UINT64_C(1) << i;

			ret[n++] = masked(idx, bit, ~v);
		}
		return n;
	case SYSCALL_ARG_LT:
		return expand_lt(idx, v, w, ret);
	case SYSCALL_ARG_LE:
		return v == w ? -1 : expand_lt(idx, v + 1, w, ret);
	case SYSCALL_ARG_GT:
		return expand_gt(idx, v, w, ret);
	case SYSCALL_ARG_GE:
		return v == 0 ? -1 : expand_gt(idx, v - 1, w, ret);
	default:
		return -EINVAL;
	}
}

int seccomp_rule_for_each_alternative(const struct syscall_rule *rule, const char *name,
				      seccomp_alt_fn fn, void *userdata,
				      const struct syscall_arg_cond **ret_cond)
{
	struct seccomp_arg_cmp alt[SYSCALL_MAX_ARGS][SECCOMP_ARGS_MAX_PER_COND];
	struct seccomp_arg_cmp cmp[SYSCALL_MAX_ARGS];
	size_t n_alt[SYSCALL_MAX_ARGS], pick[SYSCALL_MAX_ARGS] = {}, used = 0, total = 1;
	int r, count = 0;

	for (size_t k = 0; k < rule->n_args && k < SYSCALL_MAX_ARGS; k++) {
		const struct syscall_arg_cond *c = &rule->args[k];
		unsigned width = seccomp_arg_width(name, c->index);

		r = width ? seccomp_arg_expand(c, width, alt[used]) : -ENOENT;
		if (r == -ENOENT || r == -ERANGE) {
			if (ret_cond)
				*ret_cond = c;
			return r;
		}
		if (r < -1)
			return r;
		if (r == -1) /* always holds: no comparison */
			continue;
		if (r == 0) /* never holds: the rule matches nothing */
			return 0;
		n_alt[used++] = (size_t)r;
		total *= (size_t)r;
		if (total > SECCOMP_ARGS_MAX_ALTERNATIVES) {
			if (ret_cond)
				*ret_cond = c;
			return -E2BIG;
		}
	}
	/* An odometer over the conditions' alternatives. */
	for (;;) {
		size_t k;

		for (k = 0; k < used; k++)
			cmp[k] = alt[k][pick[k]];
		r = fn(cmp, used, userdata);
		if (r < 0)
			return r;
		count++;
		for (k = 0; k < used; k++) {
			if (++pick[k] < n_alt[k])
				break;
			pick[k] = 0;
		}
		if (k == used)
			return count;
	}
}
