// SPDX-License-Identifier: GPL-2.0-or-later
/* Recording: which system calls the processes of the recorded cgroup make. Attached only while a
 * recording runs; any other process pays one helper call and one comparison per call. */

#include "lib/maps.bpf.h"

__u64 sa_record_cgroup_id = 0;
char sa_record_cgroup_path[SA_CGROUP_PATH_LEN] = {};
__u8 sa_record_syscalls[SA_RECORD_SYSCALLS] = {};
__u64 sa_record_syscalls_out_of_range = 0;

SEC("tp_btf/sys_enter")
int BPF_PROG(sa_record_syscall, struct pt_regs *regs, long id)
{
	__u64 target = sa_record_cgroup_id;

	if (!target || bpf_get_current_cgroup_id() != target)
		return 0;
	if (id >= 0 && id < SA_RECORD_SYSCALLS)
		sa_record_syscalls[id] = 1; /* a plain store: no atomics needed on 5.10 */
	else
		__sync_fetch_and_add(&sa_record_syscalls_out_of_range, 1);
	return 0;
}
