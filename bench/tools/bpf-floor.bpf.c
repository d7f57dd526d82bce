// SPDX-License-Identifier: GPL-2.0-or-later
/* bench/profile-bench's floor: programs that do nothing, on the hook an open passes through
 * (file_open) and on the tracepoint a recording adds (sys_enter). What they cost is what any
 * BPF program there costs, before it does any work. */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("lsm/file_open")
int BPF_PROG(floor_file_open, struct file *file, int ret)
{
	return ret;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_sys_enter, struct pt_regs *regs, long id)
{
	return 0;
}
