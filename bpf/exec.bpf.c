// SPDX-License-Identifier: GPL-2.0-or-later
/* Program execution: the exec: rules, checked on the binary the kernel is about to run. */

#include "lib/events.bpf.h"

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
