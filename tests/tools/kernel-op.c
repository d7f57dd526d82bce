// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kernel-op: one kernel-surface call for the VM scenarios, printing "ok" or the errno name
 * (EPERM, ENOEXEC, ...) and exiting 0 either way; exit 2 on a usage error. The guest's
 * python3-minimal has no ctypes, so these calls need a tool.
 *
 *   kernel-op init-module          init_module() of garbage (ENOEXEC when the kernel parses it)
 *   kernel-op kexec-unload         kexec_load(0, 0, NULL, 0)
 *   kernel-op bpf-prog-load        BPF_PROG_LOAD of "r0 = 0; exit" as a socket filter
 *   kernel-op bpf-map-create       BPF_MAP_CREATE of a one-entry array
 *   kernel-op ptrace-attach PID    PTRACE_ATTACH to PID, then detach
 *   kernel-op mount SRC DIR TYPE   mount(2)
 *   kernel-op regain-root          setresuid(1000, 1000, 0), then seteuid(0)
 */

#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int result(long r)
{
	if (r < 0) {
		const char *name = strerrorname_np(errno);

		printf("%s\n", name ? name : "unknown");
	} else
		printf("ok\n");
	return 0;
}

static long bpf(int cmd, union bpf_attr *attr)
{
	/* Before 5.11 BPF memory is charged to the user's RLIMIT_MEMLOCK, which the agent's own
	 * maps, also root's, already exceed: EPERM that is not the agent's answer. */
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };

	(void)setrlimit(RLIMIT_MEMLOCK, &unlimited);
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";

	if (strcmp(op, "init-module") == 0 && argc == 2) {
		/* Longer than an ELF header, or the kernel refuses it before any check. */
		char garbage[512];

		memset(garbage, 'x', sizeof(garbage));
		return result(syscall(SYS_init_module, garbage, sizeof(garbage), ""));
	}
	if (strcmp(op, "kexec-unload") == 0 && argc == 2)
		return result(syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL));
	if (strcmp(op, "bpf-prog-load") == 0 && argc == 2) {
		struct bpf_insn insns[] = {
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
			{ .code = BPF_JMP | BPF_EXIT },
		};
		union bpf_attr attr = {
			.prog_type = BPF_PROG_TYPE_SOCKET_FILTER,
			.insn_cnt = 2,
			.insns = (__u64)(unsigned long)insns,
			.license = (__u64)(unsigned long)"GPL",
		};
		long fd = bpf(BPF_PROG_LOAD, &attr);

		if (fd >= 0)
			close((int)fd);
		return result(fd);
	}
	if (strcmp(op, "bpf-map-create") == 0 && argc == 2) {
		union bpf_attr attr = {
			.map_type = BPF_MAP_TYPE_ARRAY,
			.key_size = 4,
			.value_size = 4,
			.max_entries = 1,
		};
		long fd = bpf(BPF_MAP_CREATE, &attr);

		if (fd >= 0)
			close((int)fd);
		return result(fd);
	}
	if (strcmp(op, "ptrace-attach") == 0 && argc == 3) {
		pid_t pid = (pid_t)atoi(argv[2]);
		long r = ptrace(PTRACE_ATTACH, pid, NULL, NULL);

		if (r == 0) {
			(void)waitpid(pid, NULL, __WALL);
			(void)ptrace(PTRACE_DETACH, pid, NULL, NULL);
		}
		return result(r);
	}
	if (strcmp(op, "mount") == 0 && argc == 5)
		return result(mount(argv[2], argv[3], argv[4], 0, NULL));
	if (strcmp(op, "regain-root") == 0 && argc == 2) {
		if (setresuid(1000, 1000, 0) < 0)
			return result(-1);
		return result(seteuid(0));
	}
	fprintf(stderr,
		"usage: kernel-op init-module | kexec-unload | bpf-prog-load | bpf-map-create |\n"
		"       ptrace-attach PID | mount SRC DIR TYPE | regain-root\n");
	return 2;
}
